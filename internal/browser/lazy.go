package browser

import (
	"context"
	"sync"
)

// Lazy is a Browser started on first use, for a long-running service
// (serve) that may never need one: it starts Chromium when a document is
// first asked for, and again if the browser has died since. Its methods
// are safe for concurrent use.
type Lazy struct {
	opts Options
	mu   sync.Mutex
	b    *Browser
}

// NewLazy returns a Lazy that starts browsers with o.
func NewLazy(o Options) *Lazy { return &Lazy{opts: o} }

// get returns the running browser, starting one when there is none.
func (l *Lazy) get(ctx context.Context) (*Browser, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.b != nil && l.b.chrome.Alive() {
		return l.b, nil
	}
	if l.b != nil {
		l.b.Close()
		l.b = nil
	}
	b, err := Start(ctx, l.opts)
	if err != nil {
		return nil, err
	}
	l.b = b
	return b, nil
}

// Screenshot is Browser.Screenshot on the lazily started browser.
func (l *Lazy) Screenshot(ctx context.Context, p Page, o ShotOptions) (*Shot, error) {
	b, err := l.get(ctx)
	if err != nil {
		return nil, err
	}
	return b.Screenshot(ctx, p, o)
}

// PDF is Browser.PDF on the lazily started browser.
func (l *Lazy) PDF(ctx context.Context, doc Document) ([]byte, error) {
	b, err := l.get(ctx)
	if err != nil {
		return nil, err
	}
	return b.PDF(ctx, doc)
}

// Close stops the browser, if one was started.
func (l *Lazy) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.b == nil {
		return nil
	}
	err := l.b.Close()
	l.b = nil
	return err
}
