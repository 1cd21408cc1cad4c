package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	_ "image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"gongkai/evidence"
	"gongkai/internal/browser"
	"gongkai/internal/chrometest"
	"gongkai/internal/officetest"
	"gongkai/report"
	"gongkai/scoring"
	"gongkai/store"
)

var (
	smallDemoOnce sync.Once
	smallDemoDir  string
	smallDemoErr  error
)

// smallDemo returns a database holding one audit of an 8-unit simulated
// district, made once for the tests that only read it.
func smallDemo(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("audits the simulated district")
	}
	smallDemoOnce.Do(func() {
		smallDemoDir, smallDemoErr = os.MkdirTemp("", "gongkai-office-")
		if smallDemoErr != nil {
			return
		}
		code, out, errs := run(t, "demo", "--units", "8", "--db", filepath.Join(smallDemoDir, "demo.db"))
		if code != 0 {
			smallDemoErr = fmt.Errorf("demo: %d\n%s\n%s", code, out, errs)
		}
	})
	if smallDemoErr != nil {
		t.Fatal(smallDemoErr)
	}
	return filepath.Join(smallDemoDir, "demo.db")
}

func TestMain(m *testing.M) {
	code := m.Run()
	if smallDemoDir != "" {
		os.RemoveAll(smallDemoDir)
	}
	os.Exit(code)
}

// problemsJSON is the problem list of the database as `problems --format
// json` prints it.
func problemsJSON(t *testing.T, db string) []report.Problem {
	t.Helper()
	code, out, errs := run(t, "problems", "--db", db, "--format", "json")
	if code != 0 {
		t.Fatalf("problems: %d %s", code, errs)
	}
	var ps []report.Problem
	if err := json.Unmarshal([]byte(out), &ps); err != nil {
		t.Fatal(err)
	}
	return ps
}

// TestExport_WorkbookAgreesWithProblemList writes the district workbook
// and reads it back with openpyxl and with excelize: the sheet 问题清单
// holds the problem list of `problems --format json` cell for cell, 排名
// the ranking of `ranking --format json`.
func TestExport_WorkbookAgreesWithProblemList(t *testing.T) {
	db := smallDemo(t)
	path := filepath.Join(t.TempDir(), "district.xlsx")
	code, out, errs := run(t, "export", "--db", db, "--out", path, "--per-unit")
	if code != 0 || !strings.Contains(out, "problems in "+path) {
		t.Fatalf("export: %d %q %q", code, out, errs)
	}
	problems := problemsJSON(t, db)
	if len(problems) == 0 {
		t.Fatal("the demo found no problem")
	}
	cst := time.FixedZone("CST", 8*3600)
	want := func(p report.Problem) []string {
		fetched := ""
		if len(p.Evidence) > 0 {
			fetched = p.Evidence[0].FetchedAt.In(cst).Format("2006-01-02 15:04")
		}
		status := map[string]string{"new": "新发现", "persisting": "未整改", "resolved": "已整改"}[p.Status]
		sev := map[string]string{"veto": "否决", "deduction": "扣分", "notice": "提示"}[p.Severity]
		u := p.URL
		if u == "" && len(p.Evidence) > 0 {
			u = p.Evidence[0].URL
		}
		return []string{strconv.FormatInt(p.ID, 10), p.UnitName, p.Unit, report.KindName(p.Kind, "zh"), string(p.Kind), p.Subject, sev,
			p.Detail, strconv.FormatFloat(p.Points, 'f', -1, 64), p.Basis, u, fetched, status, p.FirstSeen.String()}
	}
	// openpyxl: skip the column name (the ruleset's), compare the rest.
	pick := func(row []string) []string { return append(append([]string{}, row[:3]...), row[4:]...) }
	t.Run("openpyxl", func(t *testing.T) {
		sheets := officetest.ReadWorkbook(t, path)
		if len(sheets) < 3 || sheets[0].Name != "排名" || sheets[1].Name != "问题清单" || sheets[2].Name != "按类型" {
			t.Fatalf("sheets: %v", names(sheets))
		}
		rows := sheets[1].Rows
		if len(rows) != len(problems)+1 {
			t.Fatalf("问题清单 has %d rows for %d problems", len(rows)-1, len(problems))
		}
		for i, p := range problems {
			var got []string
			for c, cell := range rows[i+1] {
				switch {
				case c == 12 && cell.Type == "d":
					got = append(got, strings.Replace(cell.Text()[:16], "T", " ", 1))
				case c == 14 && cell.Type == "d":
					got = append(got, cell.Text()[:10])
				default:
					got = append(got, cell.Text())
				}
			}
			w := want(p)
			if g := pick(got); strings.Join(g, "|") != strings.Join(w, "|") {
				t.Errorf("problem %d:\n got %q\nwant %q", p.ID, g, w)
			}
			if rows[i+1][0].Type != "n" || rows[i+1][9].Type != "n" || rows[i+1][14].Type != "d" {
				t.Errorf("problem %d: id, points and first seen are not a number, a number and a date", p.ID)
			}
		}
		var ranking []report.RankingRow
		_, out, _ := run(t, "ranking", "--db", db, "--format", "json")
		if err := json.Unmarshal([]byte(out), &ranking); err != nil {
			t.Fatal(err)
		}
		for i, r := range ranking {
			row := sheets[0].Rows[i+1]
			if row[0].Text() != strconv.Itoa(r.Rank) || row[2].Text() != r.Unit || row[6].Text() != r.Grade {
				t.Errorf("ranking row %d: %v, want %d %s %s", i+1, row[:7], r.Rank, r.Unit, r.Grade)
			}
		}
	})
	t.Run("excelize", func(t *testing.T) {
		f, err := excelize.OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows, err := f.GetRows("问题清单")
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range problems {
			got := rows[i+1]
			for len(got) < 15 {
				got = append(got, "")
			}
			if g, w := pick(got), want(p); strings.Join(g, "|") != strings.Join(w, "|") {
				t.Errorf("problem %d:\n got %q\nwant %q", p.ID, g, w)
			}
		}
	})
}

func names(sheets []officetest.Sheet) []string {
	var out []string
	for _, s := range sheets {
		out = append(out, s.Name)
	}
	return out
}

// TestRankingAndProblems_XLSX: the two commands write their sheets; a
// workbook without --out is refused.
func TestRankingAndProblems_XLSX(t *testing.T) {
	db := smallDemo(t)
	dir := t.TempDir()
	if code, _, errs := run(t, "ranking", "--db", db, "--format", "xlsx"); code != 2 || !strings.Contains(errs, "--out is required") {
		t.Errorf("xlsx to a terminal: %d %q", code, errs)
	}
	if code, _, errs := run(t, "problems", "--db", db, "--per-unit"); code != 2 || !strings.Contains(errs, "--per-unit goes with --format xlsx") {
		t.Errorf("--per-unit without xlsx: %d %q", code, errs)
	}
	for _, c := range []struct {
		args   []string
		sheets string
	}{
		{[]string{"ranking", "--format", "xlsx"}, "排名"},
		{[]string{"problems", "--format", "xlsx", "--kind", "column.empty"}, "问题清单 按类型"},
	} {
		path := filepath.Join(dir, c.args[0]+".xlsx")
		code, _, errs := run(t, append(c.args, "--db", db, "--out", path)...)
		if code != 0 {
			t.Fatalf("%v: %d %s", c.args, code, errs)
		}
		f, err := excelize.OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(f.GetSheetList(), " "); got != c.sheets {
			t.Errorf("%v: sheets %q, want %q", c.args, got, c.sheets)
		}
		if c.args[0] == "problems" {
			rows, _ := f.GetRows("问题清单")
			for _, r := range rows[1:] {
				if r[5] != "column.empty" {
					t.Errorf("--kind column.empty kept a %s", r[5])
				}
			}
		}
		f.Close()
	}
	// --out for the text formats too.
	path := filepath.Join(dir, "ranking.csv")
	if code, out, _ := run(t, "ranking", "--db", db, "--format", "csv", "--out", path); code != 0 || out != "" {
		t.Errorf("ranking --out: %d %q", code, out)
	}
	if b, _ := os.ReadFile(path); !bytes.HasPrefix(b, []byte("rank,unit")) {
		t.Errorf("ranking.csv: %.40q", b)
	}
}

// TestNotices_PDF prints the demo's notices with pictures of the evidence
// and reads each PDF back with pdftotext: the red header's issuer, the
// unit's name, every problem and the total.
func TestNotices_PDF(t *testing.T) {
	officetest.RequirePoppler(t)
	bin := chrometest.RequireBinary(t)
	db := smallDemo(t)
	dir := t.TempDir()
	code, out, errs := run(t, "notices", "--db", db, "--out", dir, "--pdf", "--screenshots", "--browser", bin)
	if code != 0 || !strings.Contains(out, "PDF notices in") || !strings.Contains(out, "show a picture of their evidence page") {
		t.Fatalf("notices: %d %q %q", code, out, errs)
	}
	problems := problemsJSON(t, db)
	byUnit := map[string][]report.Problem{}
	for _, p := range problems {
		if p.Severity == "deduction" {
			byUnit[p.Unit] = append(byUnit[p.Unit], p)
		}
	}
	pdfs, _ := filepath.Glob(filepath.Join(dir, "notice-*.pdf"))
	htmls, _ := filepath.Glob(filepath.Join(dir, "notice-*.html"))
	if len(pdfs) == 0 || len(pdfs) != len(htmls) {
		t.Fatalf("%d PDFs beside %d HTML notices", len(pdfs), len(htmls))
	}
	thumbs := 0
	for _, path := range pdfs {
		pages := officetest.PDFText(t, path)
		text := officetest.Squash(strings.Join(pages, ""))
		unit := strings.TrimSuffix(filepath.Base(path), ".pdf")
		unit = unit[strings.Index(unit[len("notice-"):], "-")+len("notice-")+1:]
		ps := byUnit[unit]
		if len(ps) == 0 {
			continue // a vetoed unit without deductions
		}
		first := officetest.Squash(pages[0])
		for _, want := range []string{"区政务公开办公室", "政府信息公开评估扣分通知书", ps[0].UnitName + "："} {
			if !strings.Contains(first, want) {
				t.Errorf("%s: the first page lacks %q", filepath.Base(path), want)
			}
		}
		total := 0.0
		for _, p := range ps {
			total += p.Points
			if !strings.Contains(text, officetest.Squash(p.Detail)) {
				t.Errorf("%s: problem %d (%s) is not in the PDF", filepath.Base(path), p.ID, p.Detail)
			}
		}
		if want := "合计" + strconv.FormatFloat(total, 'f', -1, 64); !strings.Contains(text, want) {
			t.Errorf("%s: no total %q", filepath.Base(path), want)
		}
		n, _ := officetest.PDFInfo(t, path)
		if want := fmt.Sprintf("第%d页，共%d页", n, n); !strings.Contains(officetest.Squash(pages[n-1]), want) {
			t.Errorf("%s: the last page lacks %q", filepath.Base(path), want)
		}
		html, _ := os.ReadFile(strings.TrimSuffix(path, ".pdf") + ".html")
		thumbs += strings.Count(string(html), `<img class="thumb" src="data:image/jpeg;base64,`)
	}
	if thumbs == 0 {
		t.Error("no notice shows a picture of its evidence")
	}
}

// TestNotices_WithoutBrowser: asked for PDFs without a browser, notices
// writes the HTML and says in one line what to install.
func TestNotices_WithoutBrowser(t *testing.T) {
	db := smallDemo(t)
	dir := t.TempDir()
	code, _, errs := run(t, "notices", "--db", db, "--out", dir, "--pdf", "--browser", filepath.Join(dir, "no-chromium"))
	if code != 1 || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, "apt-get install chromium") || !strings.Contains(errs, "HTML notices are in") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
	if htmls, _ := filepath.Glob(filepath.Join(dir, "notice-*.html")); len(htmls) == 0 {
		t.Error("no HTML notice was written")
	}
	if pdfs, _ := filepath.Glob(filepath.Join(dir, "*.pdf")); len(pdfs) != 0 {
		t.Errorf("PDFs written without a browser: %v", pdfs)
	}
	out := filepath.Join(dir, "report.html")
	code, _, errs = run(t, "report", "--db", db, "--out", out, "--pdf", "--browser", filepath.Join(dir, "no-chromium"))
	if _, err := os.Stat(out); code != 1 || err != nil || !strings.Contains(errs, "apt-get install chromium") {
		t.Errorf("report: exit %d, %v, stderr %q", code, err, errs)
	}
}

// TestReport_PDF prints the evaluation report and finds every unit of the
// ranking in its text.
func TestReport_PDF(t *testing.T) {
	officetest.RequirePoppler(t)
	bin := chrometest.RequireBinary(t)
	db := smallDemo(t)
	out := filepath.Join(t.TempDir(), "evaluation.html")
	code, stdout, errs := run(t, "report", "--db", db, "--out", out, "--pdf", "--browser", bin)
	if code != 0 || !strings.Contains(stdout, "evaluation.pdf") {
		t.Fatalf("report: %d %q %q", code, stdout, errs)
	}
	pdf := strings.TrimSuffix(out, ".html") + ".pdf"
	text := officetest.Squash(strings.Join(officetest.PDFText(t, pdf), ""))
	var ranking []report.RankingRow
	_, js, _ := run(t, "ranking", "--db", db, "--format", "json")
	json.Unmarshal([]byte(js), &ranking)
	for _, r := range ranking {
		if !strings.Contains(text, officetest.Squash(r.UnitName)) {
			t.Errorf("the report's PDF lacks %s", r.UnitName)
		}
	}
	if pages, _ := officetest.PDFInfo(t, pdf); !strings.Contains(text, fmt.Sprintf("第1页，共%d页", pages)) {
		t.Errorf("no page numbers in the footer")
	}
}

// TestEvidence_Screenshot pictures a finding's stored page; a finding
// without a kept body is refused with a reason.
func TestEvidence_Screenshot(t *testing.T) {
	bin := chrometest.RequireBinary(t)
	db := smallDemo(t)
	var target int64
	for _, p := range problemsJSON(t, db) {
		if len(p.Evidence) > 0 && p.Evidence[0].SHA256 != "" && p.Kind == "column.empty" {
			target = p.ID
			break
		}
	}
	if target == 0 {
		t.Fatal("no finding with a kept page")
	}
	path := filepath.Join(t.TempDir(), "shot.png")
	code, out, errs := run(t, "evidence", strconv.FormatInt(target, 10), "--db", db, "--screenshot", path, "--browser", bin)
	if code != 0 || !strings.Contains(out, "nothing fetched") {
		t.Fatalf("evidence --screenshot: %d %q %q", code, out, errs)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	img, _, err := image.Decode(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	colours := map[color.RGBA]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			colours[color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)] = true
		}
	}
	if len(colours) < 20 || b.Dx() != 1280 {
		t.Errorf("a %dx%d picture of %d colours: blank?", b.Dx(), b.Dy(), len(colours))
	}
	if code, _, errs := run(t, "evidence", "1", "--db", db, "--screenshot", path, "--body"); code != 2 || !strings.Contains(errs, "--body or --screenshot") {
		t.Errorf("--body with --screenshot: %d %q", code, errs)
	}
}

// TestNoticePDF_ThirtyProblems prints a notice of 30 problems, some with
// hostile text, and counts its pages: the rows fill A4 pages without a
// row split, every problem is there once, the page numbers run through,
// and the hostile text is shown as text.
func TestNoticePDF_ThirtyProblems(t *testing.T) {
	officetest.RequirePoppler(t)
	bin := chrometest.RequireBinary(t)
	var found []store.StoredFinding
	for i := 1; i <= 30; i++ {
		detail := fmt.Sprintf("第%02d项问题：“工作动态”栏目最新一条发布于2019-11-02，距评估日120天，超过14天的更新要求", i)
		switch i {
		case 7:
			detail = `=HYPERLINK("http://evil.example/","点此") 第07项问题`
		case 8:
			detail = `<script>document.title='x'</script><img src=x onerror=alert(1)> 第08项问题`
		}
		found = append(found, store.StoredFinding{ID: int64(i), Status: store.FindingNew, FirstSeen: evidence.MustParseDate("2026-03-01"),
			Finding: scoring.Finding{Unit: "finance", UnitName: "区财政局", Kind: "column.stale", Column: "news", Severity: "deduction",
				Points: 0.5, Detail: detail, Basis: "《政府网站与政务新媒体检查指标》（国办秘函〔2019〕19号）",
				URL: fmt.Sprintf("http://www.example.gov.cn/czj/gzdt/%02d/index.html", i)}})
	}
	notices := report.BuildNotices(report.NoticeInput{
		District: "怀柔区", Audit: store.Audit{ID: 3, AsOf: evidence.MustParseDate("2026-03-01"), StartedAt: time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)},
		Scores:   []scoring.UnitScore{{Unit: "finance", UnitName: "区财政局", Total: 85, Deducted: 15, Grade: "良好", Rank: 1}},
		Findings: found,
	})
	var html bytes.Buffer
	if err := report.WriteNoticeHTML(&html, notices[0]); err != nil {
		t.Fatal(err)
	}
	b, err := browser.Start(context.Background(), browser.Options{Path: bin})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	pdf, err := b.PDF(context.Background(), browser.Document{HTML: html.Bytes(), Footer: notices[0].Number})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "notice.pdf")
	os.WriteFile(path, pdf, 0o644)
	if dir := os.Getenv("GONGKAI_ARTIFACTS"); dir != "" {
		os.WriteFile(filepath.Join(dir, "notice-30.pdf"), pdf, 0o644)
	}
	n, size := officetest.PDFInfo(t, path)
	if n < 3 || n > 6 || !strings.Contains(size, "A4") {
		t.Errorf("a 30-problem notice on %d pages of %s; want 3 to 6 A4 pages", n, size)
	}
	pages := officetest.PDFText(t, path)
	all := officetest.Squash(strings.Join(pages, ""))
	for i := 1; i <= 30; i++ {
		if c := strings.Count(all, fmt.Sprintf("第%02d项问题", i)); c != 1 {
			t.Errorf("problem %d appears %d times", i, c)
		}
	}
	for _, want := range []string{`=HYPERLINK("http://evil.example/","点此")`, `<script>document.title='x'</script><imgsrc=xonerror=alert(1)>`, "合计15", "区财政局："} {
		if !strings.Contains(all, want) {
			t.Errorf("the PDF lacks %q", want)
		}
	}
	for i, p := range pages {
		if want := fmt.Sprintf("第%d页，共%d页", i+1, n); !strings.Contains(officetest.Squash(p), want) {
			t.Errorf("page %d lacks %q", i+1, want)
		}
	}
	if !strings.Contains(officetest.Squash(pages[0]), "怀柔区政务公开办公室") {
		t.Error("the issuer is not on the first page")
	}
	// The red header: the top of the first page, rasterised by pdftoppm,
	// has red in it; the second page's top has none.
	for page, wantRed := range map[int]bool{1: true, 2: false} {
		png := filepath.Join(t.TempDir(), "page")
		if out, err := exec.Command("pdftoppm", "-r", "40", "-png", "-singlefile", "-f", strconv.Itoa(page), "-l", strconv.Itoa(page), path, png).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v %s", err, out)
		}
		f, err := os.Open(png + ".png")
		if err != nil {
			t.Fatal(err)
		}
		img, _, err := image.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		red := 0
		b := img.Bounds()
		for y := b.Min.Y; y < b.Min.Y+b.Dy()/5; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
				if c.R > 170 && c.G < 90 && c.B < 90 {
					red++
				}
			}
		}
		if (red > 20) != wantRed {
			t.Errorf("page %d: %d red pixels at the top; want the red header on the first page only", page, red)
		}
	}
}
