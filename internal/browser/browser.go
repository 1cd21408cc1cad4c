// Package browser holds gongkai's headless Chromium (Debian's chromium).
// Chromium (chromium.go) is the one place the browser is found, started,
// flagged and stopped, for both its users: the crawler's renders of
// script-built lists (crawler/render.go, which answers every request
// through the crawler's fetcher), and the office outputs here.
//
// For the office outputs, a Browser prints HTML documents (deduction
// notices, the evaluation report) to A4 PDF with page numbers, and renders
// the stored body of an evidence page to an image, as it was fetched. It
// never fetches anything. Every document is served to the browser from
// memory at a fake origin (http://gongkai.invalid/) through the DevTools
// Fetch domain, and every other request a page makes (scripts, style
// sheets, images, fonts, frames, navigations) is refused before it leaves
// the browser; behind that, the browser's only proxy is a dead one this
// package holds, so a request that escaped the interception would reach
// no network (and is counted: Escaped). Scripts never run.
//
// The package knows nothing of audits, findings or the database: callers
// hand it bytes and get bytes back. One Browser keeps one Chromium process
// and a few tabs that every document reuses; it is safe for concurrent use.
package browser

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// Package names the Debian packages a user installs for this package: the
// browser and a CJK font for Chinese text.
const Package = "chromium fonts-wqy-microhei"

// origin is the fake origin documents are served from. The .invalid
// top-level domain never resolves (RFC 2606).
const origin = "http://gongkai.invalid"

// Options configures a Browser.
type Options struct {
	// Path is the Chromium binary; empty looks it up as Find does.
	Path string
	// Tabs is how many documents are rendered at once; 0 means 2 (this
	// project's machines have 2 cores).
	Tabs int
	// Timeout bounds one document's load and render; 0 means 60 s.
	Timeout time.Duration
}

// Browser is one headless Chromium with a pool of tabs.
type Browser struct {
	opts    Options
	chrome  *Chromium
	tabs    chan *tab
	all     []*tab
	done    chan struct{}
	closeMu sync.Once
}

// Start starts Chromium. Close it when done. ctx bounds only the start:
// the browser lives until Close.
func Start(ctx context.Context, o Options) (*Browser, error) {
	if o.Tabs <= 0 {
		o.Tabs = 2
	}
	if o.Timeout <= 0 {
		o.Timeout = 60 * time.Second
	}
	c, err := Launch(ctx, LaunchOptions{Path: o.Path})
	if err != nil {
		return nil, err
	}
	b := &Browser{opts: o, chrome: c, tabs: make(chan *tab, o.Tabs), done: make(chan struct{})}
	for range o.Tabs {
		t, err := newTab(c)
		if err != nil {
			b.Close()
			return nil, fmt.Errorf("start browser: open a tab: %w", err)
		}
		b.all = append(b.all, t)
		b.tabs <- t
	}
	return b, nil
}

// Escaped lists the requests that reached the browser's dead proxy
// (Chromium.Escaped).
func (b *Browser) Escaped() []string { return b.chrome.Escaped() }

// Close stops Chromium and the dead proxy.
func (b *Browser) Close() error {
	b.closeMu.Do(func() {
		close(b.done)
		b.chrome.Close()
	})
	return nil
}

// acquire takes a tab for one document, waiting for a free one; release
// gives it back.
func (b *Browser) acquire(ctx context.Context) (*tab, error) {
	select {
	case t := <-b.tabs:
		return t, nil
	case <-b.done:
		return nil, errors.New("browser closed")
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (b *Browser) release(t *tab) {
	t.clear()
	b.tabs <- t
}

// resource is a document served from memory.
type resource struct {
	body    []byte
	ctype   string
	headers []*fetch.HeaderEntry
}

// tab is one browser tab: the documents it serves from memory, and what
// it refused.
type tab struct {
	ctx     context.Context
	mu      sync.Mutex
	served  map[string]resource
	blocked int
	seq     int
}

// newTab opens a tab with scripts off and every request intercepted.
func newTab(c *Chromium) (*tab, error) {
	ctx, _ := c.NewTab() // ends with the browser
	t := &tab{ctx: ctx, served: map[string]resource{}}
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		return nil, err
	}
	paused := chromedp.Events(ctx, fetch.RequestPaused)
	if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*"}}}); err != nil {
		return nil, err
	}
	go func() {
		for ev, err := range paused {
			if err != nil {
				return
			}
			go t.answer(ev)
		}
	}()
	return t, nil
}

// answer serves a request from memory, or refuses it: a navigation away
// (a frame, a meta refresh) gets 204 No Content, which keeps the page as
// it is; anything else fails as blocked by the client.
func (t *tab) answer(ev fetch.EventRequestPaused) {
	url := ev.Request.URL
	t.mu.Lock()
	r, ok := t.served[url]
	if !ok {
		t.blocked++
	}
	t.mu.Unlock()
	var err error
	switch {
	case ok:
		headers := append([]*fetch.HeaderEntry{{Name: "Content-Type", Value: r.ctype}, {Name: "Cache-Control", Value: "no-store"}}, r.headers...)
		_, err = chromedp.Call(t.ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{
			RequestID: ev.RequestID, ResponseCode: 200, ResponseHeaders: headers, Body: r.body,
		})
	case ev.ResourceType == network.ResourceTypeDocument:
		_, err = chromedp.Call(t.ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{RequestID: ev.RequestID, ResponseCode: 204})
	default:
		_, err = chromedp.Call(t.ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonBlockedByClient})
	}
	_ = err // the tab may have moved on; a paused request dies with its page
}

// dir returns a fresh directory URL under the fake origin, for the
// documents of one load.
func (t *tab) dir() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.seq++
	return fmt.Sprintf("%s/%d/", origin, t.seq)
}

// put serves r at url until the tab is released.
func (t *tab) put(url string, r resource) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.served[url] = r
}

// clear forgets the documents served and the count of refusals.
func (t *tab) clear() {
	t.mu.Lock()
	defer t.mu.Unlock()
	clear(t.served)
	t.blocked = 0
}

func (t *tab) refused() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.blocked
}

// run gives fn a tab and a context bounded by the timeout and by ctx.
func (b *Browser) run(ctx context.Context, fn func(ctx context.Context, t *tab) error) error {
	t, err := b.acquire(ctx)
	if err != nil {
		return err
	}
	defer b.release(t)
	cctx, cancel := context.WithTimeout(t.ctx, b.opts.Timeout)
	defer cancel()
	stop := context.AfterFunc(ctx, cancel)
	defer stop()
	err = fn(cctx, t)
	if err != nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// safeCharset reports whether a charset name can go into a header as is.
func safeCharset(cs string) bool {
	if cs == "" || len(cs) > 40 {
		return false
	}
	for _, r := range cs {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.:", r)) {
			return false
		}
	}
	return true
}

// CJKFont returns the first font family that fontconfig offers for
// Chinese (fc-list :lang=zh), and false when it offers none: Chinese text
// would then print as boxes. Without fc-list it cannot tell and returns
// ("", true).
func CJKFont() (string, bool) {
	out, err := exec.Command("fc-list", ":lang=zh", "family").Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "", false
		}
		return "", true
	}
	for _, line := range strings.Split(string(out), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			family, _, _ := strings.Cut(line, ",")
			return family, true
		}
	}
	return "", false
}
