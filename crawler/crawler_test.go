package crawler

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"gongkai/evidence"
)

// requestLog records the paths a test server was asked for.
type requestLog struct {
	mu    sync.Mutex
	paths []string
}

func (l *requestLog) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		l.paths = append(l.paths, r.Method+" "+r.URL.Path)
		l.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

func (l *requestLog) has(sub string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, p := range l.paths {
		if strings.Contains(p, sub) {
			return true
		}
	}
	return false
}

// scenario serves scenarioSite over http.
func scenario(t *testing.T, log *requestLog) *httptest.Server {
	t.Helper()
	return httptest.NewServer(scenarioSite(log))
}

// scenarioSite is a small unit site with named routes, one per capability.
func scenarioSite(log *requestLog) http.Handler {
	mux := http.NewServeMux()
	page := func(body string) string {
		return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>测试单位</title></head><body>
<div class="header">北京市怀柔区测试局 网站首页</div>
<div class="nav"><a href="/">首页</a> <a href="/xxgk/">信息公开</a></div>
` + body + `<div class="footer">主办单位：北京市怀柔区测试局 网站标识码：1101160001</div></body></html>`
	}
	html := func(w http.ResponseWriter, body string) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, page(body))
	}
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "User-agent: *\nDisallow: /private/\n")
	})
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		html(w, `<ul class="menu"><li><a href="/xxgk/"><span>政府信息公开</span></a></li>
<li><a href="/news/index.html">工作动态</a></li><li><a href="/broken.html">坏链接</a></li>
<li><a href="/private/x.html">私有</a></li></ul>`)
	})
	mux.HandleFunc("/xxgk/{$}", func(w http.ResponseWriter, r *http.Request) {
		html(w, `<div class="left"><a href="/xxgk/zn/">【政府信息公开指南】</a>
<a href="/xxgk/zcwj/"><em>政策文件</em></a> <a href="/xxgk/jd/"><img src="/i.png" alt="政策解读"></a>
<a href="/xxgk/gb/">政府公报</a></div>`)
	})
	mux.HandleFunc("/xxgk/zn/{$}", func(w http.ResponseWriter, r *http.Request) {
		html(w, `<div class="content"><h2>政府信息公开指南</h2><table><tr><th>办公地址</th><td>怀柔区青春路1号</td></tr>
<tr><td>办公时间：</td><td>周一至周五 8:30-17:30</td></tr></table><p>联系电话：010-69641234</p>
<p>附件：<a href="/files/zn.pdf">指南.pdf</a> <a href="/files/missing.doc">缺失.doc</a></p></div>`)
	})
	mux.HandleFunc("/files/zn.pdf", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf")
		fmt.Fprint(w, "%PDF-1.4")
	})
	mux.HandleFunc("/news/index.html", func(w http.ResponseWriter, r *http.Request) {
		html(w, `<ul class="list"><li><a href="./202002/t20200220_1.html" title="关于开展2020年春季植树活动的通知全文">关于开展2020年春季植树…</a><span>2020-02-20</span></li>
<li><a href="./202002/t20200210_2.html">区测试局召开工作部署会</a><span>2020-02-10</span></li></ul>
<div class="page"><script>createPageHTML(3, 0, "index", "html");</script></div>`)
	})
	mux.HandleFunc("/news/index_1.html", func(w http.ResponseWriter, r *http.Request) {
		html(w, `<ul class="list"><li><span>[2020-01-15]</span><a href="./202001/t20200115_3.html">第三条新闻标题内容</a></li></ul>`)
	})
	mux.HandleFunc("/news/index_2.html", func(w http.ResponseWriter, r *http.Request) {
		html(w, `<h3>2019年</h3><ul class="list"><li><a href="./201912/t20191230_4.html">第四条新闻标题内容</a>(12-30)</li></ul>`)
	})
	mux.HandleFunc("/news/", func(w http.ResponseWriter, r *http.Request) {
		html(w, `<h1>新闻</h1><p>正文</p>`)
	})
	gbkPage := func(w http.ResponseWriter, body string) {
		b, _ := simplifiedchinese.GBK.NewEncoder().String(strings.Replace(page(body), `<meta charset="utf-8">`, `<meta http-equiv="Content-Type" content="text/html; charset=gb2312">`, 1))
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, b)
	}
	mux.HandleFunc("/xxgk/zcwj/{$}", func(w http.ResponseWriter, r *http.Request) {
		gbkPage(w, `<table class="list"><tr><th>标题</th><th>日期</th></tr>
<tr><td><a href="/art/2020/2/3/art_1.html">北京市怀柔区测试局关于印发《测试管理办法》的通知</a></td><td>2020/2/3</td></tr>
<tr><td><a href="/art/2019/12/1/art_2.html">关于做好冬季安全工作的通知</a></td><td>2019年12月1日</td></tr></table>
<div class="pages"><a href="?page=2">下一页</a></div>`)
	})
	mux.HandleFunc("/art/2020/2/3/art_1.html", func(w http.ResponseWriter, r *http.Request) {
		gbkPage(w, `<table class="xxgk"><tr><td>索引号：</td><td>11110116/2020-00001</td><td>发文机关：</td><td>区测试局</td></tr>
<tr><td>发文字号：</td><td>怀测发〔2020〕1号</td><td>成文日期：</td><td>2020年1月20日</td></tr>
<tr><td>发布日期：</td><td>2020-02-03</td></tr></table><h1>北京市怀柔区测试局关于印发《测试管理办法》的通知</h1><p>正文……</p>`)
	})
	mux.HandleFunc("/art/2019/12/1/art_2.html", func(w http.ResponseWriter, r *http.Request) {
		gbkPage(w, `<div class="info"><span>发文机关：区测试局</span><span>发布日期：2019-12-01</span></div><h1>关于做好冬季安全工作的通知</h1>`)
	})
	mux.HandleFunc("/xxgk/jd/{$}", func(w http.ResponseWriter, r *http.Request) {
		html(w, `<div class="list"><div class="item"><a href="/xxgk/jd/1.html">《测试管理办法》政策解读</a><em>2020年2月4日</em></div></div>`)
	})
	mux.HandleFunc("/xxgk/jd/1.html", func(w http.ResponseWriter, r *http.Request) {
		html(w, `<h1>《测试管理办法》政策解读</h1><p>相关文件：<a href="/art/2020/2/3/art_1.html">通知</a></p>`)
	})
	mux.HandleFunc("/xxgk/gb/{$}", func(w http.ResponseWriter, r *http.Request) {
		html(w, `<div class="content"><p>本单位不涉及此类信息。</p></div>`)
	})
	return log.wrap(mux)
}

func testPlan() *Plan {
	return &Plan{
		Columns: []ColumnSpec{
			{ID: "guide", Names: []string{"政府信息公开指南", "公开指南"}, Shape: evidence.ShapePage},
			{ID: "documents", Names: []string{"政府文件", "政策文件"}, Shape: evidence.ShapeList, Read: ReadDocument},
			{ID: "interpretations", Names: []string{"政策解读", "文件解读"}, Shape: evidence.ShapeList, Read: ReadLinks},
			{ID: "news", Names: []string{"工作动态"}, Shape: evidence.ShapeList},
			{ID: "gazette", Names: []string{"政府公报"}, Shape: evidence.ShapeList},
			{ID: "leaders", Names: []string{"领导信息"}, Shape: evidence.ShapePage},
		},
		Hubs:       []string{"信息公开", "政府信息公开"},
		MetaFields: []MetaField{{Name: "索引号"}, {Name: "发文机关", Aliases: []string{"发布机构"}}, {Name: "发文字号", Aliases: []string{"文号"}}, {Name: "成文日期"}, {Name: "发布日期"}},
		Ref:        evidence.MustParseDate("2020-03-01"),
		Since:      evidence.MustParseDate("2019-03-01"),
	}
}

func TestCrawl_Scenario(t *testing.T) {
	log := &requestLog{}
	srv := scenario(t, log)
	defer srv.Close()
	c := New(Options{Settings: Settings{NoDelay: true, PerHost: 2, ReachSpacing: time.Millisecond, RetryBase: time.Millisecond}})
	ev := c.Crawl(context.Background(), Target{Unit: evidence.Unit{ID: "test", Name: "测试局", Type: "bureau", URL: srv.URL + "/"}, Plan: testPlan()})
	if !ev.Reach.Reachable {
		t.Fatalf("unit not reachable: %+v", ev.Reach)
	}
	col := func(id string) *evidence.Column {
		c := ev.Column(id)
		if c == nil {
			t.Fatalf("no column %s", id)
		}
		return c
	}
	guide := col("guide")
	if !guide.Found || guide.Discovery.Depth != 1 || guide.Discovery.Matched != "政府信息公开指南" {
		t.Errorf("guide discovery = %+v", guide.Discovery)
	}
	labels := map[string]string{}
	for _, l := range guide.Labels {
		labels[l.Label] = l.Value
	}
	for _, want := range []string{"办公地址", "办公时间", "联系电话"} {
		if _, ok := labels[want]; !ok {
			t.Errorf("guide labels lack %s: %+v", want, guide.Labels)
		}
	}
	news := col("news")
	if len(news.Items) != 4 {
		t.Errorf("news items = %d, want 4: %+v (pages %v)", len(news.Items), news.Items, news.Pages)
	}
	wantDates := []string{"2020-02-20", "2020-02-10", "2020-01-15", "2019-12-30"}
	for i, it := range news.Items {
		if i < len(wantDates) && it.Date.String() != wantDates[i] {
			t.Errorf("news item %d date = %s, want %s (%q)", i, it.Date, wantDates[i], it.DateText)
		}
	}
	if len(news.Items) > 0 && news.Items[0].Title != "关于开展2020年春季植树活动的通知全文" {
		t.Errorf("truncated title not taken from title attribute: %q", news.Items[0].Title)
	}
	docs := col("documents")
	if docs.Discovery.Matched != "政策文件" || len(docs.Items) != 2 {
		t.Fatalf("documents = %+v", docs)
	}
	d := docs.Items[0].Doc
	if d == nil || d.Meta["发文字号"] != "怀测发〔2020〕1号" || d.Written.String() != "2020-01-20" || d.Published.String() != "2020-02-03" {
		t.Errorf("document meta = %+v", d)
	}
	jd := col("interpretations")
	if jd.Discovery.LinkText != "政策解读" || len(jd.Items) != 1 || jd.Items[0].Doc == nil || len(jd.Items[0].Doc.Links) == 0 {
		t.Errorf("interpretations = %+v", jd)
	}
	if gb := col("gazette"); len(gb.Items) != 0 || !strings.Contains(gb.Text, "本单位不涉及此类信息") {
		t.Errorf("gazette = %+v", gb)
	}
	if l := col("leaders"); l.Found || len(l.Discovery.Searched) < 2 {
		t.Errorf("leaders should be missing with searched pages: %+v", l.Discovery)
	}
	broken := map[string]evidence.FetchClass{}
	for _, l := range ev.Links {
		if l.Broken() {
			broken[strings.TrimPrefix(l.URL, srv.URL)] = l.Fetch.Class
		}
	}
	for _, want := range []string{"/broken.html", "/files/missing.doc"} {
		if _, ok := broken[want]; !ok {
			t.Errorf("broken links %v lack %s", broken, want)
		}
	}
	if _, ok := broken["/files/zn.pdf"]; ok {
		t.Errorf("working attachment reported broken")
	}
	if log.has("/private/") {
		t.Errorf("a path forbidden by robots.txt was requested: %v", log.paths)
	}
	robotsSeen := false
	for _, f := range ev.Fetches {
		if f.Role == evidence.RoleRobots {
			robotsSeen = true
		}
	}
	if !robotsSeen {
		t.Errorf("robots.txt fetch not recorded as evidence")
	}
}
