package crawler

import (
	"encoding/json"
	"flag"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"gongkai/evidence"
)

var update = flag.Bool("update", false, "rewrite golden files")

// reading is what the crawler reads from one fixture page; golden files
// hold it.
type reading struct {
	Charset   string            `json:"charset"`
	Mismatch  bool              `json:"charset_mismatch,omitempty"`
	Title     string            `json:"title"`
	Meta      map[string]string `json:"meta,omitempty"`
	Items     []fixtureItem     `json:"items"`
	PageLinks []string          `json:"page_links"`
	Labels    []evidence.Label  `json:"labels"`
	DocMeta   map[string]string `json:"document_meta"`
	Quoted    []string          `json:"quoted,omitempty"`
}

type fixtureItem struct {
	Title string `json:"title"`
	Date  string `json:"date"`
	URL   string `json:"url"`
}

var fixtureMeta = []MetaField{
	{Name: "索引号"}, {Name: "发文机关", Aliases: []string{"发布机构"}}, {Name: "发文字号", Aliases: []string{"文号"}},
	{Name: "成文日期"}, {Name: "发布日期"}, {Name: "主题分类"}, {Name: "公开方式"},
}

func read(t *testing.T, path string) reading {
	t.Helper()
	body, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	name := filepath.Base(path)
	u, _ := url.Parse("http://unit.example.gov.cn/col/" + strings.TrimSuffix(name, ".html") + "/index.html")
	ct := "text/html"
	if strings.Contains(name, ".hdr-gbk.") {
		ct = "text/html; charset=GBK"
	}
	p, err := ParsePage(u, body, ct)
	if err != nil {
		t.Fatal(err)
	}
	r := reading{Charset: p.Charset, Mismatch: p.CharsetMismatch, Title: p.Title(), Meta: p.Meta(), DocMeta: p.DocumentMeta(fixtureMeta, nil), Quoted: p.Quoted()}
	nav := map[string]bool{"政策文件": true, "公开指南": true, "政策解读": true, "工作动态": true, "通知公告": true, "财政预决算": true}
	for _, it := range p.Items(ListContext{Ref: evidence.MustParseDate("2020-03-15"), NavNames: nav}) {
		r.Items = append(r.Items, fixtureItem{Title: it.Title, Date: it.Date.String(), URL: it.URL})
	}
	for _, l := range p.PageLinks() {
		r.PageLinks = append(r.PageLinks, l.String())
	}
	r.Labels = p.Labels(LabelContext{})
	return r
}

// TestFixtures reads saved pages of each CMS markup and compares what the
// crawler reads with golden files (go test ./crawler -update rewrites them).
func TestFixtures(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "pages", "*.html"))
	if len(files) < 6 {
		t.Fatalf("only %d fixture pages", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			got := read(t, f)
			golden := strings.TrimSuffix(f, ".html") + ".golden.json"
			if *update {
				b, _ := json.MarshalIndent(got, "", "  ")
				if err := os.WriteFile(golden, append(b, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			b, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("no golden file (run with -update): %v", err)
			}
			var want reading
			if err := json.Unmarshal(b, &want); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("reading differs from %s (-want +got):\n%s", golden, diff)
			}
		})
	}
}

func FuzzItems(f *testing.F) {
	// Small seeds, one per markup the extractor knows: the coverage-guided
	// engine stalls on whole saved pages.
	for _, seed := range []string{
		`<ul class="list"><li><a href="./202002/t1.html" title="完整的标题">截断的标题…</a><span>2020-02-26</span></li></ul><script>createPageHTML(6, 0, "index", "html");</script>`,
		`<table><tr><td><a href="/art/1.html">标题一二三四五</a> <a href="/a.pdf">[PDF]</a></td><td>2020.02.27</td></tr></table><a href="?p=2">下一页</a>`,
		`<div class="list"><a href="1.html">第一条标题文字</a><span>2026年2月18日</span><br/><a href="2.html">第二条标题文字</a><span>２０２６年２月１日</span></div>`,
		`<h3>2019年</h3><dl><dt><a href="x.html">标题一二三四五</a></dt><dd>（12-20）</dd></dl><div class="side-box"><a href="/news/">更多</a><ul><li><a href="n.html">旁边的新闻</a><span>2020-01-01</span></li></ul></div>`,
		`<dl><dt>索 引 号：</dt><dd>111/2020-1</dd><dt>成文日期：</dt><dd>二〇二〇年二月二十八日</dd></dl><span>发文机关：区政府</span><span>文号：怀政发〔2020〕1号</span>`,
	} {
		f.Add([]byte(seed))
	}
	f.Add([]byte(`<ul><li><a href="a.html">标题一二三四</a>(05-12)</li><li><a href="javascript:x">x</a></li></ul>`))
	f.Add([]byte(`<script type="text/xml"><recordset><record><![CDATA[<a href=x>t</a>2020-01-01]]></record></recordset></script>`))
	// Pages the parser refuses until repaired: thousands of unclosed
	// tags, deep nesting, mismatched tables.
	list := `<ul><li><a href="a.html">第一条标题文字</a><span>2020-02-01</span></li><li><a href="b.html">第二条标题文字</a>2020-01-05</li></ul>`
	f.Add([]byte(strings.Repeat(`<font face="宋体">`, 600) + list))
	f.Add([]byte(strings.Repeat(`<span><b><o:p>`, 1200) + list))
	f.Add([]byte(strings.Repeat(`<div class="item">`, 600) + list))
	f.Add([]byte(strings.Repeat(`<div class="item"><a href="c.html">每条一个未闭合的div</a><span>2020-01-09</span>`, 600)))
	f.Add([]byte(strings.Repeat(`<table><tr><td>`, 300) + list))
	f.Add([]byte(strings.Repeat(`<table><tbody><tr><td><div></td></tr></tbody><table><tr><td>`, 200) + list + strings.Repeat(`</table></div>`, 100)))
	base, _ := url.Parse("http://u.test/a/b.html")
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := ParsePage(base, body, "text/html")
		if err != nil {
			return
		}
		for _, it := range p.Items(ListContext{Ref: evidence.MustParseDate("2020-03-01")}) {
			if !it.Date.IsZero() && !it.Date.Valid() {
				t.Fatalf("invalid date %v", it.Date)
			}
			u, err := url.Parse(it.URL)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
				t.Fatalf("item URL %q is not http(s)", it.URL)
			}
		}
		p.PageLinks()
		p.Labels(LabelContext{})
		p.Quoted()
	})
}
