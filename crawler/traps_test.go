package crawler

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"gongkai/evidence"
)

// TestPagination_Traps: pagination never loops and stays within its bounds.
func TestPagination_Traps(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		n, _ := strconv.Atoi(r.URL.Query().Get("p"))
		switch r.URL.Path {
		case "/":
			fmt.Fprint(w, `<html><body><a href="/endless">工作动态</a><a href="/calendar">通知公告</a><a href="/loop">人事信息</a></body></html>`)
		case "/endless":
			// Every page brings new items and a next page, forever.
			fmt.Fprintf(w, `<html><body><ul><li><a href="/e/%d.html">无穷分页的第%d条新闻</a><span>2020-02-%02d</span></li></ul><a href="/endless?p=%d">下一页</a></body></html>`, n, n, 1+n%28, n+1)
		case "/calendar":
			// A calendar: every "next" shows the same items again.
			fmt.Fprintf(w, `<html><body><ul><li><a href="/c/1.html">通知公告的同一条信息</a><span>2020-02-01</span></li></ul><a href="/calendar?p=%d">下一页</a></body></html>`, n+1)
		case "/loop":
			// Two pages pointing at each other.
			next := 1 - n
			fmt.Fprintf(w, `<html><body><ul><li><a href="/l/%d.html">人事任免信息第%d条</a><span>2020-01-1%d</span></li></ul><a href="/loop?p=%d">下一页</a> <a href="/loop?p=%d">1</a><a href="/loop?p=%d">2</a></body></html>`, n, n, n, next, 0, 1)
		default:
			fmt.Fprint(w, "<html><body>正文</body></html>")
		}
	}))
	defer srv.Close()
	c := New(Options{Settings: Settings{NoDelay: true, MaxPagesPerColumn: 7, IgnoreRobots: true}})
	ev := c.Crawl(context.Background(), Target{Unit: evidence.Unit{ID: "u", URL: srv.URL + "/"}, Plan: &Plan{Columns: []ColumnSpec{
		{ID: "news", Names: []string{"工作动态"}, Shape: evidence.ShapeList},
		{ID: "notices", Names: []string{"通知公告"}, Shape: evidence.ShapeList},
		{ID: "personnel", Names: []string{"人事信息"}, Shape: evidence.ShapeList},
	}}})
	news := ev.Column("news")
	if len(news.Pages) != 7 || !news.Truncated || len(news.Items) != 7 {
		t.Errorf("endless pagination: %d pages, truncated %v, %d items", len(news.Pages), news.Truncated, len(news.Items))
	}
	if cal := ev.Column("notices"); len(cal.Pages) > 2 || len(cal.Items) != 1 {
		t.Errorf("calendar trap: %d pages, %d items", len(cal.Pages), len(cal.Items))
	}
	if loop := ev.Column("personnel"); len(loop.Pages) != 2 || len(loop.Items) != 2 {
		t.Errorf("loop: %d pages %v, %d items", len(loop.Pages), loop.Pages, len(loop.Items))
	}
	noted := false
	for _, n := range ev.Notes {
		if strings.Contains(n, "stopped after 7 list pages") {
			noted = true
		}
	}
	if !noted {
		t.Errorf("no note names the stop: %v", ev.Notes)
	}
	if requests.Load() > 40 {
		t.Errorf("%d requests for three small columns", requests.Load())
	}
}

// TestUnitPageBudget: a unit never costs more page fetches than its budget.
func TestUnitPageBudget(t *testing.T) {
	var pages atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			pages.Add(1)
		}
		n, _ := strconv.Atoi(r.URL.Query().Get("p"))
		if r.URL.Path == "/" {
			fmt.Fprint(w, `<html><body><a href="/a">工作动态</a><a href="/b">通知公告</a></body></html>`)
			return
		}
		fmt.Fprintf(w, `<html><body><ul><li><a href="%s/%d.html">第%d条很长的新闻标题</a><span>2020-02-01</span></li></ul><a href="%s?p=%d">下一页</a></body></html>`, r.URL.Path, n, n, r.URL.Path, n+1)
	}))
	defer srv.Close()
	c := New(Options{Settings: Settings{NoDelay: true, MaxPagesPerColumn: 100, MaxPagesPerUnit: 12, IgnoreRobots: true, MaxLinkChecks: 1}})
	ev := c.Crawl(context.Background(), Target{Unit: evidence.Unit{ID: "u", URL: srv.URL + "/"}, Plan: &Plan{Columns: []ColumnSpec{
		{ID: "news", Names: []string{"工作动态"}, Shape: evidence.ShapeList},
		{ID: "notices", Names: []string{"通知公告"}, Shape: evidence.ShapeList},
	}}})
	// The portal is not counted against the budget; the link check may use GET.
	if got := pages.Load(); got > 12+1+2 {
		t.Errorf("%d GET requests with a budget of 12 pages", got)
	}
	refused := 0
	for _, f := range ev.Fetches {
		if f.Class == evidence.ClassRefused {
			refused++
		}
	}
	if len(ev.Notes) == 0 || refused == 0 {
		t.Errorf("budget spent without a note (%v) or a refused fetch (%d)", ev.Notes, refused)
	}
}
