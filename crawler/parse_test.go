package crawler

import (
	"bytes"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"

	"gongkai/evidence"
)

// wordPage is a page as Word-pasted CMS content leaves it: inline tags
// opened and never closed around a list and a metadata block.
func wordPage(prefix, suffix string) string {
	return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>通知公告</title></head><body>` +
		prefix + `<div class="content"><ul class="list">
<li><a href="/art/1.html">关于春季防火工作的通知全文</a><span>2026-02-20</span></li>
<li><a href="/art/2.html">关于开展安全生产检查的通知</a><span>2026-01-15</span></li>
</ul><p>办公地址：怀柔区青春路1号</p><p>联系电话：010-69641234</p></div>` + suffix + `</body></html>`
}

// TestParsePage_Repairs reads pages the HTML parser refuses (nesting past
// its 512-element limit) as a browser shows them, and marks them repaired.
func TestParsePage_Repairs(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		repaired bool
	}{
		{"well-formed", wordPage("", ""), false},
		{"600 unclosed <font>", wordPage(strings.Repeat(`<font face="宋体" size="3">`, 600), ""), true},
		{"unclosed <font> after the content", wordPage("", strings.Repeat(`<font color="#000000">`, 700)), true},
		{"Word's span and o:p soup", wordPage(strings.Repeat(`<span style="font-family:仿宋_GB2312"><b><o:p>`, 300), ""), true},
		{"thousands of unclosed tags", wordPage(strings.Repeat(`<font><span><strong><em>`, 1500), ""), true},
		{"deep <div> nesting", wordPage(strings.Repeat(`<div class="w">`, 800), strings.Repeat(`</div>`, 800)), true},
		{"unclosed nested tables", wordPage(strings.Repeat(`<table><tr><td>`, 300), ""), true},
		{"mismatched tables", wordPage(strings.Repeat(`<table><tbody><tr><td><div></td></tr></tbody><table><tr><td>`, 200), strings.Repeat(`</table></div>`, 100)), true},
	}
	base, _ := url.Parse("http://unit.example.gov.cn/tzgg/index.html")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := html.Parse(strings.NewReader(tt.body)); (err != nil) != tt.repaired {
				t.Fatalf("html.Parse error %v: the fixture does not test what it says", err)
			}
			p, err := ParsePage(base, []byte(tt.body), "text/html; charset=utf-8")
			if err != nil {
				t.Fatalf("the page was not read: %v", err)
			}
			if p.Repaired != tt.repaired {
				t.Errorf("repaired %v, want %v", p.Repaired, tt.repaired)
			}
			items := p.Items(ListContext{Ref: evidence.MustParseDate("2026-03-01")})
			var got []string
			for _, it := range items {
				got = append(got, it.Title+" "+it.Date.String()+" "+it.URL)
			}
			want := []string{
				"关于春季防火工作的通知全文 2026-02-20 http://unit.example.gov.cn/art/1.html",
				"关于开展安全生产检查的通知 2026-01-15 http://unit.example.gov.cn/art/2.html",
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("items:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			labels := map[string]string{}
			for _, l := range p.Labels(LabelContext{Known: knownLabels([]MetaField{{Name: "办公地址"}, {Name: "联系电话"}})}) {
				labels[l.Label] = l.Value
			}
			if labels["办公地址"] != "怀柔区青春路1号" || labels["联系电话"] != "010-69641234" {
				t.Errorf("labels %q: want 办公地址 and 联系电话 with their values", labels)
			}
			if p.Title() != "通知公告" {
				t.Errorf("title %q", p.Title())
			}
		})
	}
}

// TestInspectBytes_Repaired shows a repaired page as read, and says so.
func TestInspectBytes_Repaired(t *testing.T) {
	base, _ := url.Parse("http://unit.example.gov.cn/tzgg/index.html")
	in, err := InspectBytes(base, []byte(wordPage(strings.Repeat("<font>", 600), "")), "text/html", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !in.Repaired || len(in.Items) != 2 || in.Title != "通知公告" {
		t.Errorf("inspection: repaired %v, %d items, title %q", in.Repaired, len(in.Items), in.Title)
	}
}

// FuzzParsePage feeds tag soup to the parser: every page is read (repaired
// if need be) or refused with an error, never a panic, and a repaired page
// keeps its text.
func FuzzParsePage(f *testing.F) {
	f.Add([]byte(strings.Repeat("<font>", 600)+"正文"), uint16(1))
	f.Add([]byte("<div>"), uint16(700))
	f.Add([]byte("<table><tr><td>"), uint16(300))
	f.Add([]byte("<table><tbody><tr><td><div></td></tr></tbody><table><tr><td>"), uint16(200))
	f.Add([]byte(`<span style="x"><b><o:p>`), uint16(400))
	f.Add([]byte("<ul><li><a href=a.html>标题一二三四</a>2020-01-02"), uint16(600))
	f.Add([]byte("<select><option><svg><p><math><mi>"), uint16(200))
	base, _ := url.Parse("http://u.test/a/b.html")
	f.Fuzz(func(t *testing.T, unit []byte, n uint16) {
		if len(unit) > 200 || n > 2000 {
			return
		}
		body := append(bytes.Repeat(unit, int(n)), "<p>结尾文字</p>"...)
		p, err := ParsePage(base, body, "text/html; charset=utf-8")
		if err != nil {
			t.Fatalf("STRICT %v", err)
		}
		if p.Repaired && utf8.Valid(unit) && isText(body, "结尾文字") && !strings.Contains(p.Doc.Text(), "结尾文字") {
			t.Fatalf("the repaired page lost its text")
		}
		p.Items(ListContext{Ref: evidence.MustParseDate("2020-03-01")})
		p.Labels(LabelContext{})
	})
}

// isText reports whether the tokenizer reads s as text in body (not inside
// a tag or an attribute).
func isText(body []byte, s string) bool {
	z := html.NewTokenizer(bytes.NewReader(body))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return false
		case html.TextToken:
			if strings.Contains(string(z.Text()), s) {
				return true
			}
		}
	}
}
