package crawler

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gongkai/evidence"
)

func TestCache_Revalidation(t *testing.T) {
	pages := map[string]string{
		"/":            `<html><body><a href="/news/">工作动态</a></body></html>`,
		"/news/":       `<html><body><ul><li><a href="/news/1.html">区里召开安全生产工作会议</a><span>2020-02-20</span></li></ul><a href="/news/2.html">下一页</a></body></html>`,
		"/news/2.html": `<html><body><ul><li><a href="/news/0.html">区里召开防汛工作部署会议</a><span>2020-01-20</span></li></ul></body></html>`,
	}
	var full, notModified atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := pages[r.URL.Path]
		if !ok {
			if r.URL.Path != "/robots.txt" {
				fmt.Fprint(w, "<html><body>正文</body></html>")
			} else {
				http.NotFound(w, r)
			}
			return
		}
		w.Header().Set("ETag", fmt.Sprintf(`"%x"`, sha256.Sum256([]byte(body))))
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if r.Header.Get("If-None-Match") != "" {
			notModified.Add(1)
		} else {
			full.Add(1)
		}
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader([]byte(body)))
	}))
	defer srv.Close()
	cache := NewMemoryCache(1 << 20)
	c := New(Options{Settings: Settings{NoDelay: true}, Cache: cache})
	target := Target{Unit: evidence.Unit{ID: "u", URL: srv.URL + "/"}, Plan: &Plan{Columns: []ColumnSpec{{ID: "news", Names: []string{"工作动态"}, Shape: evidence.ShapeList}}}}
	first := c.Crawl(context.Background(), target)
	if full.Load() != 3 || notModified.Load() != 0 || cache.Len() != 3 {
		t.Fatalf("first audit: %d full, %d revalidated, %d kept", full.Load(), notModified.Load(), cache.Len())
	}
	second := c.Crawl(context.Background(), target)
	if full.Load() != 3 || notModified.Load() != 3 {
		t.Errorf("second audit downloaded again: %d full, %d revalidated", full.Load(), notModified.Load())
	}
	items := func(ev *evidence.UnitEvidence) string {
		var b strings.Builder
		for _, it := range ev.Column("news").Items {
			fmt.Fprintf(&b, "%s %s;", it.Date, it.URL)
		}
		return b.String()
	}
	if items(first) != items(second) || items(second) == "" {
		t.Errorf("items differ after revalidation:\n%s\n%s", items(first), items(second))
	}
	for _, f := range second.Fetches {
		if f.Role != evidence.RoleLinkCheck && f.Role != evidence.RoleRobots && strings.HasSuffix(f.URL, "/") && (f.Status != 304 || f.SHA256 == "" || f.Class != evidence.ClassOK) {
			t.Errorf("revalidated fetch recorded as %+v", f)
		}
	}
}

func TestMemoryCache_Bound(t *testing.T) {
	c := NewMemoryCache(4000)
	for i := 0; i < 50; i++ {
		c.Put(fmt.Sprintf("http://u/%d", i), CachedPage{ETag: "x", Body: []byte(strings.Repeat(fmt.Sprint(i), 400))})
	}
	if c.Len() >= 50 || c.Len() == 0 {
		t.Errorf("cache holds %d pages", c.Len())
	}
	if _, ok := c.Get("http://u/0"); ok {
		t.Errorf("the oldest page was not evicted")
	}
	if p, ok := c.Get("http://u/49"); !ok || !strings.HasPrefix(string(p.Body), "4949") {
		t.Errorf("the newest page was lost")
	}
}
