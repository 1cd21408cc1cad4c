package crawler

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"gongkai/evidence"
	"gongkai/internal/pii"
)

// idFor completes 17 digits with their GB 11643 check character.
func idFor(d17 string) string { return d17 + string(pii.CheckChar(d17)) }

var (
	leakID1  = idFor("11010519900307123")
	leakID2  = idFor("11011620011231004")
	leakID3  = idFor("11011619800101001") // in testdata/content/persons.pdf
	leakCard = func() string {
		for d := '0'; d <= '9'; d++ {
			if pii.Luhn("622202020011223344" + string(d)) {
				return "622202020011223344" + string(d)
			}
		}
		return ""
	}()
)

// minimalDOCX writes a Word document holding a table of rows.
func minimalDOCX(t *testing.T, rows [][]string) []byte {
	t.Helper()
	var body strings.Builder
	body.WriteString(`<w:p><w:r><w:t>拟聘用人员名单</w:t></w:r></w:p><w:tbl>`)
	for _, r := range rows {
		body.WriteString("<w:tr>")
		for _, c := range r {
			fmt.Fprintf(&body, "<w:tc><w:p><w:r><w:t>%s</w:t></w:r></w:p></w:tc>", c)
		}
		body.WriteString("</w:tr>")
	}
	body.WriteString("</w:tbl>")
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	f, _ := zw.Create("word/document.xml")
	fmt.Fprintf(f, `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>%s</w:body></w:document>`, body.String())
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// contentSite serves a unit whose documents column holds a page listing
// persons with their numbers, a page using abolished organ names, and
// attachments of every kind read.
func contentSite(t *testing.T) (*httptest.Server, *requestLog) {
	t.Helper()
	mux := http.NewServeMux()
	page := func(w http.ResponseWriter, body string) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!DOCTYPE html><html><head><meta charset="utf-8"><title>测试局</title></head><body>
<div class="header">北京市怀柔区测试局</div>%s<div class="footer">联系电话：13600009999 主办：北京市怀柔区测试局</div></body></html>`, body)
	}
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		page(w, `<a href="/zfwj/">政府文件</a>`)
	})
	mux.HandleFunc("/zfwj/", func(w http.ResponseWriter, r *http.Request) {
		page(w, `<ul><li><a href="/zfwj/1.html">关于2025年度困难家庭补贴发放名单的公示</a><span>2026-02-10</span></li>
<li><a href="/zfwj/2.html">关于开展市场主体年报工作的通知</a><span>2026-01-20</span></li></ul>`)
	})
	mux.HandleFunc("/zfwj/1.html", func(w http.ResponseWriter, r *http.Request) {
		page(w, `<h1>关于2025年度困难家庭补贴发放名单的公示</h1><div class="content">
<p>现将2025年度困难家庭补贴发放名单公示如下。</p>
<table><tr><th>序号</th><th>姓名</th><th>身份证号码</th><th>联系电话</th></tr>
<tr><td>1</td><td>张三</td><td>`+leakID1+`</td><td>13812345678</td></tr>
<tr><td>2</td><td>李四</td><td>110105********1234</td><td>139****1111</td></tr>
<tr><td>3</td><td>王五</td><td>`+leakID2+`</td><td>010-69641234</td></tr></table>
<p>公示期间如有异议，请与我局联系。联系人：王老师，联系电话：13900001111。</p>
<p>订单编号：2025031200018846。</p>
<p>附件：<a href="/files/a.xlsx">补贴名单.xlsx</a> <a href="/files/b.csv">名单.csv</a> <a href="/files/c.docx">名单.docx</a>
<a href="/files/d.pdf">名单.pdf</a> <a href="/files/big.xlsx">大文件.xlsx</a> <a href="/files/e.xls">旧表.xls</a>
<a href="/files/gone.pdf">已删除.pdf</a> <a href="http://elsewhere.example/x.xlsx">外站.xlsx</a></p></div>`)
	})
	mux.HandleFunc("/zfwj/2.html", func(w http.ResponseWriter, r *http.Request) {
		page(w, `<h1>关于开展市场主体年报工作的通知</h1><div class="content">
<p>根据国家工商行政管理总局有关要求，现就年报工作通知如下。</p>
<p>原国家质量监督检验检疫总局、国家工商行政管理总局的职责已划入国家市场监督管理总局。</p>
<p>请参照《国家食品药品监督管理总局关于加强食品安全工作的通知》执行，各级农业部门予以配合。</p></div>`)
	})
	serve := func(path, ct string, body []byte) {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", ct)
			w.Write(body)
		})
	}
	x := excelize.NewFile()
	x.SetSheetName("Sheet1", "名单")
	x.SetSheetRow("名单", "A1", &[]any{"2025年度补贴发放名单"})
	x.SetSheetRow("名单", "A2", &[]any{"姓名", "身份证号", "银行卡号", "手机"})
	x.SetSheetRow("名单", "A3", &[]any{"张三", leakID1, leakCard, 13812345678})
	var xb bytes.Buffer
	x.Write(&xb)
	serve("/files/a.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", xb.Bytes())
	csv, _ := simplifiedchinese.GBK.NewEncoder().String("姓名,手机号码\n赵六,13700002222\n钱七,137****3333\n")
	serve("/files/b.csv", "text/csv", []byte(csv))
	serve("/files/c.docx", "application/octet-stream", minimalDOCX(t, [][]string{{"姓名", "身份证号码"}, {"孙八", leakID2}, {"周九", "110105********1234"}}))
	pdf, err := os.ReadFile("testdata/content/persons.pdf")
	if err != nil {
		t.Fatal(err)
	}
	serve("/files/d.pdf", "application/pdf", pdf)
	mux.HandleFunc("/files/big.xlsx", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "99999999")
		w.WriteHeader(200)
	})
	xls, err := os.ReadFile("../internal/attach/testdata/persons.xls")
	if err != nil {
		t.Fatal(err)
	}
	serve("/files/e.xls", "application/vnd.ms-excel", xls)
	log := &requestLog{}
	srv := httptest.NewServer(log.wrap(mux))
	t.Cleanup(srv.Close)
	return srv, log
}

func contentPlan() *Plan {
	v := pii.DefaultVocabulary()
	return &Plan{
		Columns: []ColumnSpec{{ID: "documents", Names: []string{"政府文件"}, Shape: evidence.ShapeList, Read: ReadDocument}},
		Content: &ContentPlan{Personal: &v, Attachments: true,
			Names: []string{"国家工商行政管理总局", "国家质量监督检验检疫总局", "国家食品药品监督管理总局", "农业部"}},
	}
}

func TestContentScan(t *testing.T) {
	srv, log := contentSite(t)
	c := New(Options{Settings: Settings{NoDelay: true, IgnoreRobots: true, ReachAttempts: 1, MaxAttachmentBytes: 1 << 20}})
	defer c.Close()
	ev := c.Crawl(context.Background(), Target{Unit: evidence.Unit{ID: "t", URL: srv.URL + "/"}, Plan: contentPlan()})
	col := ev.Column("documents")
	if col == nil || len(col.Items) != 2 || col.Items[0].Doc == nil || col.Items[1].Doc == nil {
		t.Fatalf("documents not read: %+v", col)
	}
	leak, names := col.Items[0].Doc.Content, col.Items[1].Doc.Content
	if leak == nil || names == nil {
		t.Fatalf("no content scans")
	}
	type g struct {
		Kind, Part, Column string
		Count              int
		Person             bool
		Context            string
	}
	summary := func(ps []evidence.PersonalGroup) []g {
		var out []g
		for _, p := range ps {
			out = append(out, g{p.Kind, p.Part, p.Column, p.Count, p.PersonTable, strings.Join(p.Context, ",")})
		}
		return out
	}
	want := []g{
		{"mobile", "正文", "", 1, false, "联系人,联系电话"},
		{"id", "表格1", "身份证号码", 2, true, "身份证"},
		{"mobile", "表格1", "联系电话", 1, true, "联系电话"},
	}
	if diff := cmp.Diff(want, summary(leak.Personal)); diff != "" {
		t.Errorf("page (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"名单", "公示"}, leak.Lists); diff != "" {
		t.Errorf("lists (-want +got):\n%s", diff)
	}
	files := map[string]evidence.FileScan{}
	for _, f := range leak.Files {
		files[strings.TrimPrefix(f.URL, srv.URL)] = f
	}
	if _, ok := files["http://elsewhere.example/x.xlsx"]; ok || len(files) != 7 {
		t.Errorf("files read: %v", keysOf(files))
	}
	wantFiles := map[string][]g{
		"/files/a.xlsx": {
			{"id", "工作表“名单”", "身份证号", 1, true, "身份证"},
			{"card", "工作表“名单”", "银行卡号", 1, true, "银行卡,卡号"},
			{"mobile", "工作表“名单”", "手机", 1, true, ""},
		},
		"/files/b.csv":  {{"mobile", "表格", "手机号码", 1, true, ""}},
		"/files/c.docx": {{"id", "表格1", "身份证号码", 1, true, "身份证"}},
	}
	for path, w := range wantFiles {
		if diff := cmp.Diff(w, summary(files[path].Personal)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", path, diff)
		}
	}
	if f := files["/files/a.xlsx"]; f.Kind != "xlsx" || f.Personal[0].Rows[0] != 3 || !strings.Contains(strings.Join(f.Lists, ""), "名单") {
		t.Errorf("a.xlsx: %+v", f)
	}
	if f := files["/files/e.xls"]; f.Kind != "xls" || len(f.Personal) != 2 || f.Personal[0].Count != 150 || f.Personal[1].Count != 150 {
		t.Errorf("e.xls: %+v", f)
	}
	if f := files["/files/big.xlsx"]; !strings.Contains(f.Unread, "larger than") {
		t.Errorf("big.xlsx: %+v", f)
	}
	if f := files["/files/gone.pdf"]; !strings.Contains(f.Unread, "could not be fetched") {
		t.Errorf("gone.pdf: %+v", f)
	}
	if _, err := exec.LookPath("pdftotext"); err == nil {
		f := files["/files/d.pdf"]
		wantPDF := []g{{"id", "第1页", "身份证号码", 1, true, "身份证"}, {"mobile", "第1页", "联系电话", 2, true, "联系电话"}, {"mobile", "第1页", "", 1, false, "联系电话"}}
		if pii.ValidID18("110116198507150027") {
			t.Fatal("the PDF's second number was meant to fail its check character")
		}
		if diff := cmp.Diff(wantPDF, summary(f.Personal)); diff != "" {
			t.Errorf("d.pdf (-want +got):\n%s", diff)
		}
	}
	// Each attachment is one request, also its link check.
	for _, p := range []string{"/files/a.xlsx", "/files/gone.pdf"} {
		n := 0
		for _, f := range ev.AllFetches() {
			if f.URL == srv.URL+p {
				n++
				if f.Role != evidence.RoleAttach || f.Method != "GET" {
					t.Errorf("%s fetched as %s %s", p, f.Method, f.Role)
				}
			}
		}
		if n != 1 {
			t.Errorf("%s: %d requests", p, n)
		}
	}
	broken := 0
	for _, l := range ev.Links {
		if l.Broken() {
			broken++
			if !strings.HasSuffix(l.URL, "/files/gone.pdf") {
				t.Errorf("broken: %s", l.URL)
			}
		}
	}
	if broken != 1 || log.has("HEAD /files/a.xlsx") {
		t.Errorf("%d broken links; HEAD on a read attachment: %v", broken, log.has("HEAD /files/a.xlsx"))
	}
	// Leaking files are kept as evidence, as fetched.
	if f := ev.FetchOf(srv.URL + "/files/a.xlsx"); f == nil || ev.Bodies[f.SHA256] == nil {
		t.Errorf("the leaking workbook's body is not kept")
	}

	wantNames := []evidence.NameUse{
		{Name: "国家工商行政管理总局", Current: 1, Former: 1, Context: "根据国家工商行政管理总局有关要求,现就年报工作通知如下…"},
		{Name: "国家质量监督检验检疫总局", Former: 1},
		{Name: "国家食品药品监督管理总局", Quoted: 1},
	}
	if diff := cmp.Diff(wantNames, names.Names); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}

	// Nothing unmasked in the evidence.
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{leakID1, leakID2, leakID3, "13812345678", "13900001111", "13700002222", leakCard} {
		if bytes.Contains(b, []byte(n)) {
			t.Errorf("the evidence holds %s unmasked", n)
		}
	}
}

func keysOf[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestContentScan_Budget: attachments beyond the budget are only checked
// as links, and a plan without content reads none.
func TestContentScan_Budget(t *testing.T) {
	srv, log := contentSite(t)
	c := New(Options{Settings: Settings{NoDelay: true, IgnoreRobots: true, ReachAttempts: 1, MaxAttachments: 2, RetryBase: time.Millisecond}})
	defer c.Close()
	ev := c.Crawl(context.Background(), Target{Unit: evidence.Unit{ID: "t", URL: srv.URL + "/"}, Plan: contentPlan()})
	n := 0
	for _, f := range ev.Fetches {
		if f.Role == evidence.RoleAttach {
			n++
		}
	}
	if n != 2 || len(ev.Column("documents").Items[0].Doc.Content.Files) != 2 {
		t.Errorf("%d attachments read, want 2", n)
	}
	if !regexp.MustCompile(`attachment budget of 2 files spent`).MatchString(strings.Join(ev.Notes, "\n")) {
		t.Errorf("notes: %v", ev.Notes)
	}
	if !log.has("HEAD /files/e.xls") {
		t.Errorf("an attachment over the budget was not checked")
	}

	plain := contentPlan()
	plain.Content = nil
	ev = c.Crawl(context.Background(), Target{Unit: evidence.Unit{ID: "t", URL: srv.URL + "/"}, Plan: plain})
	for _, f := range ev.Fetches {
		if f.Role == evidence.RoleAttach {
			t.Errorf("attachment read without a content plan: %s", f.URL)
		}
	}
	if ev.Column("documents").Items[0].Doc.Content != nil {
		t.Errorf("content scanned without a plan")
	}
}

// TestFindNames_Long: a line naming an organ tens of thousands of times
// is read in linear time.
func TestFindNames_Long(t *testing.T) {
	line := strings.Repeat("》农业部、《农业部通知》，原农业部；", 20000)
	start := time.Now()
	got := FindNames([]string{line}, []string{"农业部"})
	if len(got) != 1 || got[0].Current != 20000 || got[0].Quoted != 20000 || got[0].Former != 20000 {
		t.Errorf("%+v", got)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
}

func TestFindNames(t *testing.T) {
	names := []string{"国家工商行政管理总局", "农业部", "北京市怀柔区环境保护局", "怀柔区环境保护局"}
	got := FindNames([]string{
		"农业部门和农业部署工作；农业部办公厅通知",
		"北京市怀柔区环境保护局、原国家工商行政管理总局",
		"由原北京市怀柔区环境保护局及怀柔区环境保护局承担",
		"联系人电话13812345678，农业部",
	}, names)
	want := []evidence.NameUse{
		{Name: "国家工商行政管理总局", Former: 1},
		{Name: "农业部", Current: 2, Context: "农业部门和农业部署工作；农业部办公厅通知"},
		{Name: "北京市怀柔区环境保护局", Current: 1, Former: 1, Context: "北京市怀柔区环境保护局、原国家工商行政管理总局"},
		{Name: "怀柔区环境保护局", Former: 1},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestPageInput_WideTable: a row of 50,000 cells is split in linear time,
// each cell in its column.
func TestPageInput_WideTable(t *testing.T) {
	var b strings.Builder
	b.WriteString("<html><body><table><tr>")
	for i := 0; i < 50000; i++ {
		fmt.Fprintf(&b, "<td>c%d</td>", i)
	}
	b.WriteString("</tr><tr><td>姓名</td><td>" + leakID1 + "</td></tr></table></body></html>")
	u, _ := url.Parse("http://unit.test/a.html")
	p, err := ParsePage(u, []byte(b.String()), "text/html; charset=utf-8")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	in, _ := pageInput(p, nil, "")
	if len(in.Parts) != 1 || len(in.Parts[0].Rows[0]) != 50000 || in.Parts[0].Rows[0][49999] != "c49999" || in.Parts[0].Rows[1][1] != leakID1 {
		t.Fatalf("parts %d", len(in.Parts))
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
}
