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

// BenchmarkContentScan measures the content scan of a document page the
// crawler has read (its segments already split, as by the labels): the
// parts for the detector, the personal numbers, the uses of the default
// ruleset's listed names. The page is a real one (zj-fgw-doc).
func BenchmarkContentScan(b *testing.B) {
	body, err := os.ReadFile(filepath.Join("testdata", "real", "zj-fgw-doc.html"))
	if err != nil {
		b.Fatal(err)
	}
	u, _ := url.Parse("http://fzggw.zj.gov.cn/art/2020/3/1/art_1.html")
	p, err := ParsePage(u, body, "text/html; charset=utf-8")
	if err != nil {
		b.Fatal(err)
	}
	p.Segments()
	plan := contentPlan()
	for _, n := range []string{"国家工商行政管理总局", "国家工商总局", "国家质量监督检验检疫总局", "国家质检总局", "环境保护部", "国土资源部",
		"国家海洋局", "文化部", "国家旅游局", "国家林业局", "中国银行保险监督管理委员会", "中国银保监会", "国家乡村振兴局",
		"北京市怀柔区环境保护局", "怀柔区环境保护局", "怀柔区环保局", "北京市怀柔区农业局", "怀柔区农业局"} {
		plan.Content.Names = append(plan.Content.Names, n)
	}
	uc := &unitCrawl{content: newContent(plan.Content)}
	b.ReportAllocs()
	for b.Loop() {
		in, lines := pageInput(p, nil, "title")
		uc.scanText(&evidence.ContentScan{}, in, lines, plan.Content.Names)
	}
}
