// Package chrometest drives Debian's headless Chromium from Go tests (with
// chromedp): it loads a page, collects what the browser complains about
// (console errors, uncaught exceptions, resources that failed to load), and
// prints the page to PDF or PNG. Tests call Require to get a browser; when
// no Chromium is installed they are skipped, unless GONGKAI_REQUIRE_BROWSER
// is set (as .ci/run sets it), in which case they fail.
package chrometest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Browser is a headless Chromium for one test.
type Browser struct {
	ctx    context.Context
	cancel context.CancelFunc
}

// binary finds Chromium.
func binary() string {
	for _, name := range []string{os.Getenv("GONGKAI_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"} {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// RequireBinary returns the path of Chromium, or skips t when there is
// none (fails instead when GONGKAI_REQUIRE_BROWSER is set), for tests
// that start the browser their own way (internal/browser).
func RequireBinary(t testing.TB) string {
	t.Helper()
	bin := binary()
	if bin == "" {
		if os.Getenv("GONGKAI_REQUIRE_BROWSER") != "" {
			t.Fatal("no Chromium found and GONGKAI_REQUIRE_BROWSER is set: install Debian's chromium")
		}
		t.Skip("no Chromium: install Debian's chromium to run browser tests")
	}
	return bin
}

// Require starts a headless Chromium for t, or skips t when there is none
// (fails instead when GONGKAI_REQUIRE_BROWSER is set).
func Require(t testing.TB) *Browser {
	t.Helper()
	bin := RequireBinary(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.WindowSize(1280, 1600),
	}
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		acancel()
		t.Fatalf("start Chromium: %v", err)
	}
	b := &Browser{ctx: ctx, cancel: func() { cancel(); acancel() }}
	t.Cleanup(b.cancel)
	return b
}

// Page is a loaded page and what the browser reported while loading it.
type Page struct {
	// Problems are console errors, uncaught exceptions and failed loads.
	Problems []string
	// PDF and PNG hold the printed page when asked for.
	PDF []byte
	PNG []byte
	// Title is the document's title.
	Title string
	// Overflowing describes the table cells, at the browser's window width,
	// whose content is wider than the cell (text running into the next
	// column): the cell's tag and the start of its text.
	Overflowing []string
}

// overflowJS lists the table cells whose content is wider than they are.
const overflowJS = `Array.from(document.querySelectorAll("td, th"))
	.filter(c => c.scrollWidth > c.clientWidth + 1)
	.map(c => c.tagName.toLowerCase() + ": " + c.textContent.trim().slice(0, 60))`

// Load opens url in a new tab, waits for the page to settle, and returns
// the problems reported; with pdf or png it also prints the page.
func (b *Browser) Load(url string, pdf, png bool) (*Page, error) {
	ctx, cancel := chromedp.NewContext(b.ctx)
	defer cancel()
	ctx, tcancel := context.WithTimeout(ctx, 30*time.Second)
	defer tcancel()
	p := &Page{}
	messages := chromedp.Console(ctx)
	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitReady("body"), chromedp.Sleep(300*time.Millisecond)); err != nil {
		return p, fmt.Errorf("load %s: %w", url, err)
	}
	title, err := chromedp.Run(ctx, chromedp.Title())
	if err != nil {
		return p, fmt.Errorf("title of %s: %w", url, err)
	}
	p.Title = title
	if p.Overflowing, err = chromedp.Run(ctx, chromedp.Evaluate[[]string](overflowJS)); err != nil {
		return p, fmt.Errorf("measure cells of %s: %w", url, err)
	}
	if pdf {
		if p.PDF, err = chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFPrintBackground(), chromedp.PDFPreferCSSPageSize())); err != nil {
			return p, fmt.Errorf("print %s to PDF: %w", url, err)
		}
	}
	if png {
		if p.PNG, err = chromedp.Run(ctx, chromedp.FullScreenshot(100)); err != nil {
			return p, fmt.Errorf("screenshot of %s: %w", url, err)
		}
	}
	// Read what the console got while the page loaded and printed.
	drained := make(chan struct{})
	var mu sync.Mutex
	go func() {
		defer close(drained)
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				mu.Lock()
				p.Problems = append(p.Problems, strings.TrimSpace(fmt.Sprintf("%s: %s %s", m.Type, m.Text, m.URL)))
				mu.Unlock()
			}
		}
	}()
	time.Sleep(200 * time.Millisecond)
	tcancel()
	<-drained
	mu.Lock()
	defer mu.Unlock()
	return p, nil
}
