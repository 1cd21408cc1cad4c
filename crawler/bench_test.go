package crawler

import (
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"gongkai/evidence"
)

// BenchmarkReadListPage measures the full reading of one list page: parse,
// items with dates, pagination, labels, links.
func BenchmarkReadListPage(b *testing.B) {
	body, err := os.ReadFile(filepath.Join("testdata", "pages", "trs-list.html"))
	if err != nil {
		b.Fatal(err)
	}
	u, _ := url.Parse("http://unit.example.gov.cn/col/zcwj/index.html")
	lc := ListContext{Ref: evidence.MustParseDate("2020-03-15")}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		p, err := ParsePage(u, body, "text/html; charset=utf-8")
		if err != nil {
			b.Fatal(err)
		}
		p.Items(lc)
		p.PageLinks()
		p.Labels(LabelContext{})
		p.Anchors()
	}
}

// BenchmarkDecodeGBK measures charset detection and GBK decoding of a page.
func BenchmarkDecodeGBK(b *testing.B) {
	body, err := os.ReadFile(filepath.Join("testdata", "pages", "hanweb-datastore.gbk.html"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		decodeBody(body, "text/html")
	}
}
