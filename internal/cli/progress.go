package cli

import (
	"fmt"
	"io"
	"sync"
	"time"

	"gongkai/crawler"
)

// progress draws one live line on a terminal: units done, requests,
// failures and rate.
type progress struct {
	mu       sync.Mutex
	w        io.Writer
	units    int
	done     int
	requests int
	failed   int
	start    time.Time
	last     time.Time
	now      func() time.Time
}

func newProgress(w io.Writer, units int, now func() time.Time) *progress {
	t := now()
	return &progress{w: w, units: units, start: t, now: now}
}

func (p *progress) event(e crawler.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e.Done {
		p.done++
	} else {
		p.requests++
		if e.Failed {
			p.failed++
		}
	}
	if t := p.now(); t.Sub(p.last) > 200*time.Millisecond || e.Done {
		p.last = t
		p.draw()
	}
}

func (p *progress) draw() {
	el := p.now().Sub(p.start).Seconds()
	rate := 0.0
	if el > 0 {
		rate = float64(p.requests) / el
	}
	fmt.Fprintf(p.w, "\r\033[Kunits %d/%d  requests %d  failed %d  %.0f req/s", p.done, p.units, p.requests, p.failed, rate)
}

func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.draw()
	fmt.Fprintln(p.w)
}
