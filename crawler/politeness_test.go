package crawler

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gongkai/evidence"
)

// fetchOne runs one page fetch through a unit's fetcher, as the crawler does.
func fetchOne(t *testing.T, o Options, raw string, m mode) *response {
	t.Helper()
	o = o.withDefaults()
	c := New(o)
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	ut, err := c.unitTransport("")
	if err != nil {
		t.Fatal(err)
	}
	f, err := newFetcher(context.Background(), &c.opts, ut, scope{u.Host: true}, true)
	if err != nil {
		t.Fatal(err)
	}
	return f.get(context.Background(), u, evidence.RoleColumn, m)
}

func TestFetch_Outcomes(t *testing.T) {
	var burst atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"v1"`)
		fmt.Fprint(w, "<html><body><h1>正常页面</h1></body></html>")
	})
	mux.HandleFunc("/burst", func(w http.ResponseWriter, r *http.Request) {
		if burst.Add(1) <= 2 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, "<html><body>恢复了</body></html>")
	})
	mux.HandleFunc("/retry-after", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	mux.HandleFunc("/missing", http.NotFound)
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop2", http.StatusFound) })
	mux.HandleFunc("/loop2", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop", http.StatusFound) })
	mux.HandleFunc("/away", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://other.invalid/x", http.StatusFound)
	})
	mux.HandleFunc("/ftp", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "ftp://example.org/x", http.StatusFound)
	})
	mux.HandleFunc("/huge", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "52428800")
		w.Write([]byte(strings.Repeat("x", 1024)))
	})
	mux.HandleFunc("/long", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "<html><body>"+strings.Repeat("很长的页面", 100000)+"</body></html>")
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(3 * time.Second):
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("/challenge", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(521)
		fmt.Fprint(w, `<html><script>document.cookie="__jsl_clearance=1;";location.reload()</script></html>`)
	})
	mux.HandleFunc("/maintenance", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<html><body><h1>网站升级改版中，敬请期待</h1></body></html>`)
	})
	mux.HandleFunc("/soft404", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<html><title>提示</title><body>对不起，您访问的页面不存在！</body></html>`)
	})
	mux.HandleFunc("/reset", func(w http.ResponseWriter, r *http.Request) {
		hj, _ := w.(http.Hijacker)
		conn, _, _ := hj.Hijack()
		conn.Close()
	})
	mux.HandleFunc("/nohead", func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		fmt.Fprint(w, "ok")
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	fast := Options{Settings: Settings{NoDelay: true, RetryBase: time.Millisecond, PageTimeout: time.Second, HeaderTimeout: 500 * time.Millisecond, MaxBodyBytes: 64 << 10, MaxRetryAfter: time.Second}}
	tests := []struct {
		path      string
		m         mode
		class     evidence.FetchClass
		status    int
		attempts  int
		errSubstr string
	}{
		{"/ok", modePage, evidence.ClassOK, 200, 1, ""},
		{"/burst", modePage, evidence.ClassOK, 200, 3, ""},
		{"/retry-after", modePage, evidence.ClassStatus, 503, 1, ""},
		{"/missing", modePage, evidence.ClassStatus, 404, 1, ""},
		{"/loop", modePage, evidence.ClassStatus, 302, 1, "redirects"},
		{"/away", modePage, evidence.ClassRefused, 0, 1, "outside the unit's hosts"},
		{"/ftp", modeCheck, evidence.ClassRefused, 0, 1, "redirect to ftp"},
		{"/huge", modePage, evidence.ClassTooLarge, 200, 1, "larger than"},
		{"/slow", modePage, evidence.ClassDown, 0, 3, "timeout"},
		{"/challenge", modePage, evidence.ClassBlocked, 521, 1, ""},
		{"/maintenance", modePage, evidence.ClassMaintenance, 200, 1, ""},
		{"/soft404", modePage, evidence.ClassSoft404, 200, 1, ""},
		{"/reset", modePage, evidence.ClassDown, 0, 3, ""},
		{"/nohead", modeCheck, evidence.ClassOK, 200, 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			start := time.Now()
			r := fetchOne(t, fast, srv.URL+tt.path, tt.m)
			f := r.fetch
			if f.Class != tt.class || f.Status != tt.status || f.Attempts != tt.attempts || !strings.Contains(f.Error, tt.errSubstr) {
				t.Errorf("got class %s status %d attempts %d error %q; want %s %d %d %q", f.Class, f.Status, f.Attempts, f.Error, tt.class, tt.status, tt.attempts, tt.errSubstr)
			}
			if el := time.Since(start); el > 5*time.Second {
				t.Errorf("took %v", el)
			}
		})
	}
	t.Run("body cap", func(t *testing.T) {
		// Cut at the cap: what was read is kept, but the page is not
		// used, since the part read says nothing of the rest.
		r := fetchOne(t, fast, srv.URL+"/long", modePage)
		if !r.fetch.Truncated || r.fetch.Size != 64<<10 || r.fetch.Class != evidence.ClassTooLarge || r.page != nil || len(r.body) != 64<<10 {
			t.Errorf("long page: %+v", r.fetch)
		}
	})
	t.Run("validators recorded", func(t *testing.T) {
		r := fetchOne(t, fast, srv.URL+"/ok", modePage)
		if r.fetch.ETag != `"v1"` || r.fetch.SHA256 == "" || r.fetch.Charset != "utf-8" || r.page == nil {
			t.Errorf("ok page: %+v", r.fetch)
		}
	})
}

// concurrencyServer counts requests in flight, at most, and records their
// start times.
type concurrencyServer struct {
	mu       sync.Mutex
	inFlight int
	max      int
	starts   []time.Time
	hold     time.Duration
}

func (s *concurrencyServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.inFlight++
	s.max = max(s.max, s.inFlight)
	s.starts = append(s.starts, time.Now())
	s.mu.Unlock()
	time.Sleep(s.hold)
	s.mu.Lock()
	s.inFlight--
	s.mu.Unlock()
	if r.URL.Path == "/robots.txt" {
		http.NotFound(w, r)
		return
	}
	// A portal linking to many pages, each a list with links.
	fmt.Fprint(w, `<html><body><ul>`)
	for i := 0; i < 12; i++ {
		fmt.Fprintf(w, `<li><a href="/p%d.html">第%d条信息标题很长</a><span>2020-01-%02d</span></li>`, i, i, i+1)
	}
	fmt.Fprint(w, `</ul></body></html>`)
}

func TestPoliteness_PerHostAndDelay(t *testing.T) {
	s := &concurrencyServer{hold: 5 * time.Millisecond}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := New(Options{Settings: Settings{Delay: 30 * time.Millisecond, PerHost: 1, ReachSpacing: time.Millisecond}})
	c.Crawl(context.Background(), Target{Unit: evidence.Unit{ID: "u", URL: srv.URL + "/"}, Plan: &Plan{}})
	if s.max != 1 {
		t.Errorf("max in flight on one host = %d, want 1", s.max)
	}
	if len(s.starts) < 10 {
		t.Fatalf("only %d requests", len(s.starts))
	}
	for i := 1; i < len(s.starts); i++ {
		if gap := s.starts[i].Sub(s.starts[i-1]); gap < 30*time.Millisecond {
			t.Errorf("requests %d and %d only %v apart, want >= the 30ms delay", i-1, i, gap)
		}
	}
}

func TestPoliteness_GlobalConcurrency(t *testing.T) {
	shared := &concurrencyServer{hold: 20 * time.Millisecond}
	var targets []Target
	var servers []*httptest.Server
	for i := 0; i < 8; i++ {
		srv := httptest.NewServer(shared)
		servers = append(servers, srv)
		targets = append(targets, Target{Unit: evidence.Unit{ID: fmt.Sprint(i), URL: srv.URL + "/"}, Plan: &Plan{}})
	}
	defer func() {
		for _, s := range servers {
			s.Close()
		}
	}()
	c := New(Options{Settings: Settings{NoDelay: true, PerHost: 4}, Concurrency: 3})
	n := 0
	c.CrawlAll(context.Background(), targets, func(*evidence.UnitEvidence) { n++ })
	if n != 8 {
		t.Fatalf("emitted %d units", n)
	}
	if shared.max > 3 {
		t.Errorf("max in flight across hosts = %d, want <= 3", shared.max)
	}
	if shared.max < 2 {
		t.Errorf("max in flight across hosts = %d: hosts did not proceed in parallel", shared.max)
	}
}

func TestPoliteness_UserAgentAndScope(t *testing.T) {
	var uas sync.Map
	var foreign atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.URL.Path != "/robots.txt" {
			foreign.Add(1)
		}
	}))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		uas.Store(r.Header.Get("User-Agent"), true)
		fmt.Fprintf(w, `<html><body><a href="%s/col/">政府信息公开指南</a><a href="/next.html">工作动态</a></body></html>`, other.URL)
	}))
	defer srv.Close()
	c := New(Options{Settings: Settings{NoDelay: true, Contact: "mailto:audit@example.org"}})
	ev := c.Crawl(context.Background(), Target{Unit: evidence.Unit{ID: "u", URL: srv.URL + "/"}, Plan: &Plan{Columns: []ColumnSpec{
		{ID: "guide", Names: []string{"政府信息公开指南"}, Shape: evidence.ShapePage},
		{ID: "news", Names: []string{"工作动态"}, Shape: evidence.ShapeList},
	}}})
	uas.Range(func(k, _ any) bool {
		ua := k.(string)
		if !strings.Contains(ua, "gongkai/") || !strings.Contains(ua, "mailto:audit@example.org") {
			t.Errorf("User-Agent %q lacks gongkai or the contact", ua)
		}
		return true
	})
	if foreign.Load() != 0 {
		t.Errorf("%d page requests left the unit's hosts", foreign.Load())
	}
	if g := ev.Column("guide"); g.Found {
		t.Errorf("a column on another host was read: %+v", g)
	}
	for _, l := range ev.Links {
		if l.External && l.Checked {
			t.Errorf("external link checked without the ruleset asking: %s", l.URL)
		}
	}
}
