package crawler

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"gongkai/evidence"
)

// TestCrawl_PortalRedirectToFailingPage: a root page whose meta refresh
// leads to a page that fails shows the browser that failure, so the
// reach attempt ends there: the unit is not reachable (and not judged on
// the stub, which would make every column missing). A redirect to a
// working page is followed as before.
func TestCrawl_PortalRedirectToFailingPage(t *testing.T) {
	for _, tc := range []struct {
		name       string
		status     int
		reachable  bool
		lastStatus int
	}{
		{"target down", http.StatusInternalServerError, false, 500},
		{"target missing", http.StatusNotFound, false, 404},
		{"target works", http.StatusOK, true, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mux := http.NewServeMux()
			mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/" {
					http.NotFound(w, r)
					return
				}
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				w.Write([]byte(`<html><head><meta http-equiv="refresh" content="0;url=/home/index.html"></head></html>`))
			})
			mux.HandleFunc("/home/index.html", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				w.WriteHeader(tc.status)
				w.Write([]byte(`<html><body><a href="/col/guide.html">政府信息公开指南</a></body></html>`))
			})
			srv := httptest.NewServer(mux)
			defer srv.Close()
			c := New(Options{Settings: Settings{NoDelay: true, NoRetries: true, ReachAttempts: 1, ReachSpacing: time.Millisecond, RetryBase: time.Millisecond}})
			defer c.Close()
			ev := c.Crawl(context.Background(), Target{Unit: evidence.Unit{ID: "t", Name: "测试局", Type: "bureau", URL: srv.URL + "/"}, Plan: testPlan()})
			if ev.Reach.Reachable != tc.reachable {
				t.Errorf("reachable = %v, want %v", ev.Reach.Reachable, tc.reachable)
			}
			if n := len(ev.Reach.Attempts); n != 1 {
				t.Fatalf("%d attempts, want 1: %+v", n, ev.Reach.Attempts)
			}
			// A failed attempt names the page the browser ended on; a
			// working one, the unit's URL.
			want := srv.URL + "/home/index.html"
			if tc.reachable {
				want = srv.URL + "/"
			}
			if last := ev.Reach.Attempts[0]; last.Status != tc.lastStatus || last.URL != want {
				t.Errorf("attempt = %s status %d, want %s with %d", last.URL, last.Status, want, tc.lastStatus)
			}
			if !tc.reachable && len(ev.Columns) > 0 {
				t.Errorf("columns read from the stub: %d", len(ev.Columns))
			}
		})
	}
}
