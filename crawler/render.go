package crawler

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"gongkai/internal/browser"
)

// Rendering. A list a page builds by script from data the HTML does not
// hold (a Vue or avalon template filled by XHR, a CMS search service the
// crawler does not know) is read by rendering the page in headless
// Chromium (Options.Render, off by default). The browser never touches the
// network itself: every request it makes is paused and answered by the
// crawler's own fetcher, so robots.txt, the unit's hosts, per-host
// politeness, retries and budgets hold as for any other request, and each
// request is kept as evidence (role render). Only what can change the
// document is answered (the page, its scripts, XHR and fetch calls);
// images, fonts, styles and media are refused without a request. A render
// is bounded in requests and in time.

// ErrNoBrowser means rendering was asked for and no Chromium was found.
var ErrNoBrowser = errors.New("no Chromium found for --render (install Debian's chromium)")

// renderQuiet is how long the network must stay idle before the document
// is read.
const renderQuiet = 500 * time.Millisecond

// answer is what the crawler answers a browser request with; ok false
// makes the request fail.
type answer struct {
	status      int
	contentType string
	body        []byte
	ok          bool
}

// renderBrowser is the headless Chromium shared by a crawler's renders,
// started on first use (internal/browser starts, flags and stops it; the
// interception below is the crawler's own).
type renderBrowser struct {
	once   sync.Once
	chrome *browser.Chromium
	err    error
}

// chromiumPath finds Chromium as internal/browser does ($GONGKAI_CHROMIUM,
// then the usual names); "" when there is none.
func chromiumPath() string {
	p, _ := browser.Find("")
	return p
}

func (b *renderBrowser) start(userAgent string) error {
	b.once.Do(func() {
		c, err := browser.Launch(context.Background(), browser.LaunchOptions{UserAgent: userAgent, Width: 1280, Height: 1600})
		switch {
		case errors.Is(err, browser.ErrNoBrowser):
			b.err = ErrNoBrowser
		case err != nil:
			b.err = fmt.Errorf("start chromium: %w", err)
		default:
			b.chrome = c
		}
	})
	return b.err
}

func (b *renderBrowser) close() {
	if b.chrome != nil {
		b.chrome.Close()
	}
}

// renderLimits bound one render.
type renderLimits struct {
	requests int           // requests answered besides the page itself
	timeout  time.Duration // the whole render
}

// render loads pageURL in a new tab, answering the page itself with body
// (as fetched, not fetched again) and every other request the page makes
// through ask, and returns the document's HTML once the network has been
// quiet, or at the time bound. Requests past the bound fail.
func (b *renderBrowser) render(ctx context.Context, pageURL string, body []byte, contentType string, lim renderLimits, ask func(context.Context, *url.URL) answer) ([]byte, error) {
	tab, cancel := b.chrome.NewTab()
	defer cancel()
	tab, tcancel := context.WithTimeout(tab, lim.timeout)
	defer tcancel()
	stop := context.AfterFunc(ctx, tcancel)
	defer stop()
	if err := chromedp.Do(tab); err != nil {
		return nil, fmt.Errorf("open tab: %w", err)
	}
	paused := chromedp.Events(tab, fetch.RequestPaused)
	if _, err := chromedp.Call(tab, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*"}}}); err != nil {
		return nil, fmt.Errorf("intercept requests: %w", err)
	}
	var (
		mu       sync.Mutex
		inflight int
		last     = time.Now()
		answered int
		served   bool
		wg       sync.WaitGroup
	)
	touch := func(d int) {
		mu.Lock()
		inflight += d
		last = time.Now()
		mu.Unlock()
	}
	fail := func(id fetch.RequestID) {
		_, _ = chromedp.Call(tab, fetch.FailRequest, fetch.FailRequestParams{RequestID: id, ErrorReason: network.ErrorReasonBlockedByClient})
	}
	fulfill := func(id fetch.RequestID, a answer) {
		headers := []*fetch.HeaderEntry{{Name: "Content-Type", Value: a.contentType}}
		if a.contentType == "" {
			headers = nil
		}
		_, _ = chromedp.Call(tab, fetch.FulfillRequest, fetch.FulfillRequestParams{RequestID: id, ResponseCode: int64(a.status), ResponseHeaders: headers, Body: a.body})
	}
	go func() {
		for ev, err := range paused {
			if err != nil {
				return
			}
			id, raw := ev.RequestID, ev.Request.URL
			mu.Lock()
			first := !served && strings.TrimSuffix(raw, "/") == strings.TrimSuffix(pageURL, "/")
			if first {
				served = true
			}
			over := !first && answered >= lim.requests
			if !first && !over {
				answered++
			}
			mu.Unlock()
			switch {
			case first:
				fulfill(id, answer{status: 200, contentType: contentType, body: body, ok: true})
				continue
			case over || ev.Request.Method != "GET":
				// Only GETs are answered: the fetcher reads and records
				// GETs, and answering a POST (a search API's query in its
				// body) with a GET of its URL would show the page data it
				// never asked for. The script's request fails, as offline.
				fail(id)
				continue
			}
			switch ev.ResourceType {
			case network.ResourceTypeDocument, network.ResourceTypeScript, network.ResourceTypeXHR, network.ResourceTypeFetch:
			default:
				fail(id) // images, fonts, styles, media: nothing the list needs
				continue
			}
			u, perr := url.Parse(raw)
			if perr != nil {
				fail(id)
				continue
			}
			touch(1)
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer touch(-1)
				a := ask(tab, u)
				if !a.ok {
					fail(id)
					return
				}
				fulfill(id, a)
			}()
		}
	}()
	if err := chromedp.Do(tab, chromedp.Navigate(pageURL)); err != nil {
		wg.Wait()
		return nil, fmt.Errorf("render %s: %w", pageURL, err)
	}
	// Wait for the page's scripts to finish asking.
	for tab.Err() == nil {
		mu.Lock()
		idle := inflight == 0 && time.Since(last) >= renderQuiet
		mu.Unlock()
		if idle {
			break
		}
		select {
		case <-tab.Done():
		case <-time.After(50 * time.Millisecond):
		}
	}
	doc, err := chromedp.Run(tab, chromedp.Evaluate[string]("document.documentElement.outerHTML"))
	wg.Wait()
	if err != nil {
		return nil, fmt.Errorf("read rendered %s: %w", pageURL, err)
	}
	return []byte(doc), nil
}
