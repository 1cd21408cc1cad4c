package report

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"gongkai/evidence"
	"gongkai/internal/officetest"
	"gongkai/scoring"
)

// hostileProblems are problems whose crawled text tries to run as a
// spreadsheet formula or as HTML, or carries bytes a worksheet cannot hold.
func hostileProblems() []Problem {
	return []Problem{
		{
			ID: 40, Unit: "evil", UnitName: "@SUM(1+1)*cmd|' /C calc'!A0", Kind: "column.stale", Rule: "news-age", Column: "news",
			Subject: "=HYPERLINK(\"http://evil.example/\",\"点此领取\")", Severity: "deduction", Points: 1,
			URL: "javascript:alert(1)", Detail: "+1+1 <script>alert(1)</script>\x01\x00 标题", Basis: "-2+3",
			Status: "new", FirstSeen: evidence.MustParseDate("2020-03-01"),
			Evidence: []scoring.Ref{{URL: "javascript:alert(1)", FetchedAt: fetchedAt}},
		},
		{
			ID: 41, Unit: "evil", UnitName: "@SUM(1+1)*cmd|' /C calc'!A0", Kind: "link.broken", Rule: "links", Column: "guide",
			Subject: "=1+2", Severity: "deduction", Points: 0.25, URL: "http://127.0.0.1:8104/a?q==cmd",
			Detail: "\t=tab first", Basis: "@basis", Status: "persisting", FirstSeen: evidence.MustParseDate("2019-12-01"),
		},
	}
}

func xlsxRanking() *RankingTable {
	up, down, rankUp := 2.5, -1.0, 1
	return &RankingTable{
		Rows: []RankingRow{
			{Rank: 1, Unit: "street-b", UnitName: "乙街道", UnitType: "street", Score: 96.5, Deducted: 3.5, Grade: "优秀",
				Dimensions: map[string]float64{"completeness": 40, "timeliness": 26.5}, Findings: 2, ScoreChange: &up, RankChange: &rankUp},
			{Rank: 2, Unit: "finance", UnitName: "区财政局", UnitType: "bureau", Score: 90, Deducted: 10, Grade: "良好",
				Dimensions: map[string]float64{"completeness": 38, "timeliness": 22}, Findings: 3, ScoreChange: &down},
			{Rank: 3, Unit: "town-a", UnitName: "=甲乙镇", UnitType: "town", Score: 0, Deducted: 0, Grade: "不合格", Veto: true,
				VetoReasons: []string{"网站无法访问", "=cmd"}, Dimensions: map[string]float64{"completeness": 0}, Findings: 1},
			{Rank: 4, Unit: "unseen", UnitName: "丙局", UnitType: "bureau", Grade: scoring.NotAssessedGrade},
		},
		Dimensions: []DimensionHeader{{ID: "completeness", Name: "完整性", Max: 40}, {ID: "timeliness", Name: "及时性", Max: 30}},
		TypeNames:  map[string]string{"street": "街道", "bureau": "委办局"},
	}
}

func testWorkbook(perUnit bool) Workbook {
	return Workbook{
		Title: "怀柔区政府信息公开评估", Subject: "审计 3",
		Ranking: xlsxRanking(),
		Problems: &ProblemTable{Rows: append(testProblems(), hostileProblems()...),
			ColumnNames: map[string]string{"news": "工作动态", "documents": "政府文件"}, PerUnit: perUnit},
	}
}

// wantProblemRow is a problem's row on the sheet 问题清单 as text, worked
// out here from the problem, independently of the writer.
func wantProblemRow(p Problem, withUnit bool) []string {
	columns := map[string]string{"news": "工作动态", "documents": "政府文件"}
	col := p.Column
	if n, ok := columns[col]; ok {
		col = n
	}
	kinds := map[string]string{"column.stale": "栏目未按期更新", "document.metadata": "文件要素缺失", "link.broken": "不可用链接", "site.unreachable": "网站无法访问"}
	sev := map[string]string{"deduction": "扣分", "veto": "否决", "notice": "提示"}
	status := map[string]string{"new": "新发现", "persisting": "未整改", "resolved": "已整改"}
	fetched := ""
	if len(p.Evidence) > 0 {
		fetched = p.Evidence[0].FetchedAt.In(cst).Format("2006-01-02 15:04")
	}
	clean := func(s string) string {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		return strings.NewReplacer("\x00", "", "\x01", "").Replace(s)
	}
	row := []string{fmt.Sprint(p.ID)}
	if withUnit {
		row = append(row, clean(p.UnitName), p.Unit)
	}
	row = append(row, col, kinds[string(p.Kind)], string(p.Kind), clean(p.Subject), sev[p.Severity], clean(p.Detail), num(p.Points),
		clean(p.Basis), p.URL, fetched, status[p.Status], p.FirstSeen.String())
	return row
}

func writeTestWorkbook(t *testing.T, wb Workbook) string {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteWorkbook(&buf, wb); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "district.xlsx")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestWriteWorkbook_Excelize reads the workbook back with excelize: the
// sheets, every problem cell for cell, number and date cells, links, the
// frozen header and the filter.
func TestWriteWorkbook_Excelize(t *testing.T) {
	wb := testWorkbook(true)
	path := writeTestWorkbook(t, wb)
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	wantSheets := []string{SheetRanking, SheetProblems, SheetKinds, "区财政局", "甲|乙镇_（试点）", "乙街道", "@SUM(1+1)_cmd|' _C calc'!A0"}
	if diff := cmp.Diff(wantSheets, f.GetSheetList()); diff != "" {
		t.Errorf("sheets (-want +got):\n%s", diff)
	}

	rows, err := f.GetRows(SheetProblems)
	if err != nil {
		t.Fatal(err)
	}
	problems := wb.Problems.Rows
	if len(rows) != len(problems)+1 {
		t.Fatalf("%s has %d rows, want a header and %d problems", SheetProblems, len(rows), len(problems))
	}
	if got := strings.Join(rows[0], ","); got != "编号,单位,单位代码,栏目,问题类型,类型代码,对象,性质,问题描述,扣分,依据,证据网址,抓取时间（北京时间）,状态,首次发现" {
		t.Errorf("header: %s", got)
	}
	for i, p := range problems {
		got := rows[i+1]
		for len(got) < 15 {
			got = append(got, "")
		}
		if diff := cmp.Diff(wantProblemRow(p, true), got); diff != "" {
			t.Errorf("problem %d (-want +got):\n%s", p.ID, diff)
		}
		for c := 1; c <= 15; c++ {
			ref, _ := excelize.CoordinatesToCellName(c, i+2)
			if formula, _ := f.GetCellFormula(SheetProblems, ref); formula != "" {
				t.Errorf("%s is a formula: %q", ref, formula)
			}
		}
		typ, _ := f.GetCellType(SheetProblems, fmt.Sprintf("J%d", i+2))
		if typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
			t.Errorf("points of problem %d stored as %v, want a number", p.ID, typ)
		}
		link, target, _ := f.GetCellHyperLink(SheetProblems, fmt.Sprintf("L%d", i+2))
		if want := httpURL(p.URL); link != want || want && target != p.URL {
			t.Errorf("problem %d: link %v %q, want %v %q", p.ID, link, target, want, p.URL)
		}
	}
	for _, sheet := range f.GetSheetList() {
		panes, err := f.GetPanes(sheet)
		if err != nil || !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
			t.Errorf("%s: panes %+v %v, want the header row frozen", sheet, panes, err)
		}
	}
	ranking, _ := f.GetRows(SheetRanking)
	want := [][]string{
		{"排名", "单位", "单位代码", "类型", "得分", "扣分", "等级", "否决", "否决原因", "完整性（40）", "及时性（30）", "问题数", "分数变化", "排名变化"},
		{"1", "乙街道", "street-b", "街道", "96.5", "3.5", "优秀", "", "", "40", "26.5", "2", "2.5", "1"},
		{"2", "区财政局", "finance", "委办局", "90", "10", "良好", "", "", "38", "22", "3", "-1"},
		{"3", "=甲乙镇", "town-a", "town", "0", "0", "不合格", "是", "网站无法访问；=cmd", "0", "", "1"},
		{"4", "丙局", "unseen", "委办局", "", "", "未评估", "", "", "", "", "0"},
	}
	if diff := cmp.Diff(want, ranking); diff != "" {
		t.Errorf("ranking (-want +got):\n%s", diff)
	}
	kinds, _ := f.GetRows(SheetKinds)
	wantKinds := [][]string{
		{"问题类型", "类型代码", "问题数", "单位数", "扣分"},
		{"栏目未按期更新", "column.stale", "3", "3", "5"},
		{"文件要素缺失", "document.metadata", "1", "1", "0.5"},
		{"不可用链接", "link.broken", "1", "1", "0.25"},
		{"网站无法访问", "site.unreachable", "1", "1", "0"},
		nil,
		{"合计", "", "6", "", "5.75"},
	}
	if diff := cmp.Diff(wantKinds, kinds); diff != "" {
		t.Errorf("kinds (-want +got):\n%s", diff)
	}
	unit, _ := f.GetRows("区财政局")
	if len(unit) != 4 || unit[1][0] != "12" || len(unit[0]) != 13 {
		t.Errorf("per-unit sheet: %q", unit)
	}
}

// TestWriteWorkbook_Openpyxl reads the workbook with openpyxl, a reader
// that shares no code with excelize: cell types (numbers, dates, text and
// never a formula), values, links, frozen panes, filters and widths.
func TestWriteWorkbook_Openpyxl(t *testing.T) {
	officetest.RequireOpenpyxl(t)
	wb := testWorkbook(true)
	path := writeTestWorkbook(t, wb)
	sheets := officetest.ReadWorkbook(t, path)
	byName := map[string]officetest.Sheet{}
	for _, s := range sheets {
		byName[s.Name] = s
		if s.Freeze != "A2" {
			t.Errorf("%s: frozen at %q, want A2", s.Name, s.Freeze)
		}
		s.Filter = strings.ReplaceAll(s.Filter, "$", "")
		byName[s.Name] = s
		if !strings.HasPrefix(s.Filter, "A1:") {
			t.Errorf("%s: filter %q", s.Name, s.Filter)
		}
		for r, row := range s.Rows {
			for c, cell := range row {
				if cell.Type == "f" {
					t.Errorf("%s row %d col %d is a formula: %v", s.Name, r+1, c+1, cell.Value)
				}
			}
		}
	}
	ps := byName[SheetProblems]
	problems := wb.Problems.Rows
	if got, want := ps.Filter, fmt.Sprintf("A1:O%d", len(problems)+1); got != want {
		t.Errorf("problem filter %s, want %s", got, want)
	}
	if len(ps.Rows) != len(problems)+1 {
		t.Fatalf("%d rows", len(ps.Rows))
	}
	for i, p := range problems {
		row := ps.Rows[i+1]
		want := wantProblemRow(p, true)
		for c, cell := range row {
			got := cell.Text()
			switch c {
			case 12: // fetch time: a date-time, in China Standard Time
				if want[c] == "" {
					got = cell.Text()
				} else if cell.Type != "d" {
					t.Errorf("problem %d fetch time has type %q", p.ID, cell.Type)
				} else {
					got = strings.Replace(cell.Text()[:16], "T", " ", 1)
				}
			case 14: // first seen: a date
				if cell.Type != "d" || cell.Format != "yyyy-mm-dd" {
					t.Errorf("problem %d first seen: type %q format %q", p.ID, cell.Type, cell.Format)
				}
				got = cell.Text()[:10]
			case 0, 9:
				if cell.Type != "n" {
					t.Errorf("problem %d column %d has type %q, want a number", p.ID, c+1, cell.Type)
				}
			default:
				if cell.Type != "s" && cell.Type != "" {
					t.Errorf("problem %d column %d has type %q, want text", p.ID, c+1, cell.Type)
				}
			}
			if got != want[c] {
				t.Errorf("problem %d column %d: %q, want %q", p.ID, c+1, got, want[c])
			}
		}
		if link := row[11].Link; (link != "") != httpURL(p.URL) || link != "" && link != p.URL {
			t.Errorf("problem %d link %q (url %q)", p.ID, link, p.URL)
		}
	}
	if w := ps.Widths["B"]; w < float64(Width("@SUM(1+1)*cmd|' /C calc'!A0")) {
		t.Errorf("unit column width %v is narrower than the longest name", w)
	}
	if w := ps.Widths["I"]; w > 62 {
		t.Errorf("detail column width %v: long text should wrap within 60", w)
	}
}

func TestWriteWorkbook_Parts(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteWorkbook(&buf, Workbook{}); err == nil {
		t.Error("an empty workbook was written")
	}
	buf.Reset()
	if err := WriteWorkbook(&buf, Workbook{Ranking: xlsxRanking()}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.GetSheetList(); len(got) != 1 || got[0] != SheetRanking {
		t.Errorf("ranking only: %q", got)
	}
	buf.Reset()
	if err := WriteWorkbook(&buf, Workbook{Problems: &ProblemTable{Rows: []Problem{}}}); err != nil {
		t.Fatal(err)
	}
	f, err = excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.GetSheetList(); len(got) != 2 {
		t.Errorf("an empty problem list: %q", got)
	}
	if err := WriteWorkbook(failWriter{}, Workbook{Ranking: xlsxRanking()}); err == nil {
		t.Error("a write error was not returned")
	}
}

func TestUniqueSheetName(t *testing.T) {
	taken := map[string]bool{"排名": true}
	long := strings.Repeat("很长的单位名称", 6)
	for _, tc := range []struct{ in, want string }{
		{"排名", "排名(2)"},
		{"区财政局", "区财政局"},
		{"区财政局", "区财政局(2)"},
		{"a/b:c?d*e[f]g\\h", "a_b_c_d_e_f_g_h"},
		{"'quoted'", "quoted"},
		{"", "unit"},
		{"history", "history(2)"},
		{long, string([]rune(long)[:31])},
		{long, string([]rune(long)[:28]) + "(2)"},
	} {
		if got := uniqueSheetName(tc.in, taken); got != tc.want {
			t.Errorf("uniqueSheetName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// BenchmarkWorkbook writes the whole workbook (ranking, problem list, by
// kind and one sheet per unit) of a demo-sized audit: 47 units, 162
// problems.
func BenchmarkWorkbook(b *testing.B) {
	wb := Workbook{Ranking: &RankingTable{Dimensions: xlsxRanking().Dimensions}, Problems: &ProblemTable{PerUnit: true}}
	base := append(testProblems(), hostileProblems()...)
	for u := range 47 {
		row := xlsxRanking().Rows[u%3]
		row.Unit, row.Rank = fmt.Sprintf("unit-%02d", u), u+1
		row.UnitName = fmt.Sprintf("单位%02d局", u)
		wb.Ranking.Rows = append(wb.Ranking.Rows, row)
	}
	for i := range 162 {
		p := base[i%len(base)]
		p.ID = int64(i + 1)
		p.Unit = fmt.Sprintf("unit-%02d", i%47)
		p.UnitName = fmt.Sprintf("单位%02d局", i%47)
		wb.Problems.Rows = append(wb.Problems.Rows, p)
	}
	b.ReportAllocs()
	for b.Loop() {
		var buf bytes.Buffer
		if err := WriteWorkbook(&buf, wb); err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(buf.Len()))
	}
}

// TestWriteWorkbook_Limits: text past a cell's 32,767 characters is cut,
// not refused; a URL too long for an Excel hyperlink stays text.
func TestWriteWorkbook_Limits(t *testing.T) {
	long := strings.Repeat("栏", 40000)
	longURL := "http://www.example.gov.cn/" + strings.Repeat("a", 2100)
	var buf bytes.Buffer
	err := WriteWorkbook(&buf, Workbook{Problems: &ProblemTable{Rows: []Problem{
		{ID: 1, Unit: "u", UnitName: "甲", Kind: "column.stale", Detail: long, URL: longURL, Status: "new"},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	detail, _ := f.GetCellValue(SheetProblems, "I2")
	if n := len([]rune(detail)); n != 32767 {
		t.Errorf("a 40,000-character detail is %d characters in its cell, want 32,767", n)
	}
	if link, _, _ := f.GetCellHyperLink(SheetProblems, "L2"); link {
		t.Error("a 2,126-character URL was linked")
	}
	if u, _ := f.GetCellValue(SheetProblems, "L2"); u != longURL {
		t.Error("the long URL is not shown as text")
	}
}
