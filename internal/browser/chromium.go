package browser

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/chromedp"
)

// Chromium is one headless Chromium process, the one place gongkai finds,
// starts, flags and stops a browser: the office outputs' Browser (PDFs and
// pictures, scripts off, nothing fetched) and the crawler's renders
// (scripts on, every request answered by the crawler's fetcher) both run
// on it, each intercepting its tabs' requests its own way.
//
// Behind the interception, the browser's only proxy is a dead one this
// package holds, so a request that escaped it would reach no network (and
// is counted: Escaped). Frames stay in their page's process, where the
// tab's interception sees their requests, and Chromium's own background
// traffic (updates, sync, prefetch, pings, metrics) is turned off.
type Chromium struct {
	ctx     context.Context // the browser's; done when it is gone
	cancel  context.CancelFunc
	proxy   net.Listener
	escMu   sync.Mutex
	escaped []string
	once    sync.Once
}

// LaunchOptions configures a Chromium.
type LaunchOptions struct {
	// Path is the Chromium binary; empty looks it up as Find does.
	Path string
	// UserAgent replaces the browser's own User-Agent header when not
	// empty.
	UserAgent string
	// Width and Height size the window; 0 means 1280 by 900.
	Width, Height int
}

// ErrNoBrowser is returned, wrapped with what to install, when no Chromium
// is found.
var ErrNoBrowser = errors.New("no Chromium found")

// maxEscaped bounds the requests Escaped keeps, for a long-lived browser.
const maxEscaped = 1000

// Find returns the Chromium binary path names, or without one the first
// found on PATH of $GONGKAI_CHROMIUM and the usual names; without one the
// error wraps ErrNoBrowser and says which Debian package to install.
func Find(path string) (string, error) {
	names := []string{os.Getenv("GONGKAI_CHROMIUM"), "chromium", "chromium-browser", "google-chrome", "chrome"}
	if path != "" {
		names = []string{path}
	}
	for _, n := range names {
		if n == "" {
			continue
		}
		if p, err := exec.LookPath(n); err == nil {
			return p, nil
		}
	}
	if path != "" {
		return "", fmt.Errorf("%w at %s: install Debian's %s (apt-get install %s)", ErrNoBrowser, path, "chromium", Package)
	}
	return "", fmt.Errorf("%w: install Debian's %s (apt-get install %s)", ErrNoBrowser, "chromium", Package)
}

// Launch starts Chromium with gongkai's flags. Close it when done. ctx
// bounds only the start: the browser lives until Close.
func Launch(ctx context.Context, o LaunchOptions) (*Chromium, error) {
	bin, err := Find(o.Path)
	if err != nil {
		return nil, err
	}
	if o.Width <= 0 || o.Height <= 0 {
		o.Width, o.Height = 1280, 900
	}
	c := &Chromium{}
	// The dead proxy: it takes each connection and closes it at once.
	if c.proxy, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		return nil, fmt.Errorf("start browser: dead proxy: %w", err)
	}
	go c.refuse()
	flags := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox, // root in CI and containers
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("proxy-server", "http://"+c.proxy.Addr().String()),
		chromedp.Flag("proxy-bypass-list", "<-loopback>"), // loopback too goes to the dead proxy
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-breakpad", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("dns-prefetch-disable", true),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("mute-audio", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("font-render-hinting", "none"),
		// Frames stay in the page's process, where the tab's interception
		// sees their requests.
		chromedp.Flag("disable-features", "site-per-process,IsolateOrigins,Translate,MediaRouter,OptimizationHints"),
		chromedp.Flag("disable-site-isolation-trials", true),
		chromedp.WindowSize(o.Width, o.Height),
	}
	if o.UserAgent != "" {
		flags = append(flags, chromedp.UserAgent(o.UserAgent))
	}
	// With no user-data-dir, chromedp makes a temporary one and removes it
	// when the browser exits.
	actx, acancel := chromedp.NewExecAllocator(context.Background(), flags...)
	bctx, bcancel := chromedp.NewContext(actx)
	c.ctx, c.cancel = bctx, func() { bcancel(); acancel() }
	start := make(chan error, 1)
	go func() { start <- chromedp.Do(bctx) }()
	select {
	case err = <-start:
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("start browser %s: %w", bin, err)
	}
	return c, nil
}

// NewTab opens a tab, which ends with the browser or with cancel.
func (c *Chromium) NewTab() (context.Context, context.CancelFunc) {
	return chromedp.NewContext(c.ctx)
}

// Alive reports whether the browser is still running.
func (c *Chromium) Alive() bool { return c.ctx.Err() == nil }

// refuse accepts the connections that reach the dead proxy, notes the
// first line of what each asks for, and closes it.
func (c *Chromium) refuse() {
	for {
		conn, err := c.proxy.Accept()
		if err != nil {
			return
		}
		go func() {
			defer conn.Close()
			conn.SetReadDeadline(time.Now().Add(2 * time.Second))
			line, _ := bufio.NewReader(io.LimitReader(conn, 4096)).ReadString('\n')
			if line = strings.TrimSpace(line); line != "" {
				c.escMu.Lock()
				if len(c.escaped) < maxEscaped {
					c.escaped = append(c.escaped, line)
				}
				c.escMu.Unlock()
			}
		}()
	}
}

// Escaped lists the requests that reached the dead proxy, by their first
// line ("CONNECT host:443 HTTP/1.1", "GET http://host/path HTTP/1.1"):
// Chromium's own background requests, and any request of a page that got
// past the interception (none should). Nothing of them leaves the machine.
// It keeps the first thousand.
func (c *Chromium) Escaped() []string {
	c.escMu.Lock()
	defer c.escMu.Unlock()
	return append([]string(nil), c.escaped...)
}

// Close stops Chromium and the dead proxy.
func (c *Chromium) Close() error {
	c.once.Do(func() {
		if c.cancel != nil {
			c.cancel()
		}
		if c.proxy != nil {
			c.proxy.Close()
		}
	})
	return nil
}
