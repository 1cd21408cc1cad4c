package crawler

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"gongkai/evidence"
)

// requireChromium skips a test without Chromium, unless the environment
// requires the browser tests to run (as .ci/run does).
func requireChromium(t *testing.T) {
	t.Helper()
	if chromiumPath() == "" {
		if os.Getenv("GONGKAI_REQUIRE_BROWSER") != "" {
			t.Fatal("no Chromium found and GONGKAI_REQUIRE_BROWSER is set: install Debian's chromium")
		}
		t.Skip("no Chromium: install Debian's chromium to run render tests")
	}
}

// TestRender_ScriptList: a list built by a script from a JSON service is
// read with --render; every request of the browser goes through the
// crawler (recorded, within the unit's hosts); the other host the page
// names and its images get no request at all.
func TestRender_ScriptList(t *testing.T) {
	requireChromium(t)
	var elsewhere atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { elsewhere.Add(1) }))
	defer other.Close()
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<html><head><title>首页</title></head><body><a href="/col/news/">工作动态</a></body></html>`))
	})
	mux.HandleFunc("/col/news/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<html><head><title>工作动态</title><script src="` + other.URL + `/tracker.js"></script></head><body>
<img src="` + other.URL + `/banner.png"><img src="/logo.png">
<ul id="list" class="list"><li ms-repeat="items"><a ms-attr-href="el.url">{{el.title}}</a><span>{{el.date}}</span></li></ul>
<script src="/js/list.js"></script></body></html>`))
	})
	mux.HandleFunc("/js/list.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/javascript")
		w.Write([]byte(`fetch("/api/list?col=news&page=1").then(r => r.json()).then(d => {
  const ul = document.getElementById("list"); ul.innerHTML = "";
  for (const it of d.items) { const li = document.createElement("li");
    li.innerHTML = '<a href="' + it.url + '">' + it.title + '</a><span>' + it.date + '</span>'; ul.appendChild(li); }
});`))
	})
	mux.HandleFunc("/api/list", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"items":[{"url":"/art/1.html","title":"区政府召开常务会议研究部署工作","date":"2026-02-20"},
{"url":"/art/2.html","title":"区领导调研春耕备耕工作情况","date":"2026-02-12"}]}`))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c := New(Options{Settings: Settings{NoDelay: true, Render: true, ReachAttempts: 1, IgnoreRobots: true}})
	defer c.Close()
	plan := &Plan{Columns: []ColumnSpec{{ID: "news", Names: []string{"工作动态"}, Shape: evidence.ShapeList}}, Ref: evidence.MustParseDate("2026-03-01")}
	ev := c.Crawl(context.Background(), Target{Unit: evidence.Unit{ID: "u", URL: srv.URL + "/"}, Plan: plan})
	col := ev.Column("news")
	if col == nil || !col.Rendered || col.ScriptList == "" {
		t.Fatalf("column not rendered: %+v (notes %v)", col, ev.Notes)
	}
	var got []string
	for _, it := range col.Items {
		got = append(got, it.Date.String()+" "+it.Title)
	}
	want := "2026-02-20 区政府召开常务会议研究部署工作|2026-02-12 区领导调研春耕备耕工作情况"
	if strings.Join(got, "|") != want {
		t.Errorf("items %q, want %q", got, want)
	}
	renders := 0
	for _, f := range ev.Fetches {
		if f.Role == evidence.RoleRender {
			renders++
			if !strings.HasPrefix(f.URL, srv.URL) {
				t.Errorf("render fetch left the unit's host: %s", f.URL)
			}
		}
	}
	if renders != 2 { // the script and the JSON service; no image, no other host
		t.Errorf("%d render fetches recorded, want 2: %+v", renders, ev.Fetches)
	}
	if n := elsewhere.Load(); n != 0 {
		t.Errorf("the other host got %d requests", n)
	}
	// Nothing of the page got past the interception to the browser's dead
	// proxy.
	for _, req := range c.browser.chrome.Escaped() {
		if strings.Contains(req, strings.TrimPrefix(srv.URL, "http://")) || strings.Contains(req, strings.TrimPrefix(other.URL, "http://")) {
			t.Errorf("a request escaped the interception: %s", req)
		}
	}
}
