package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"gongkai/evidence"
	"gongkai/scoring"
	"gongkai/store"

	"github.com/google/go-cmp/cmp"
	"gongkai/rules"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites the file with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got); run go test -update if the change is right:\n%s", path, diff)
	}
}

var fetchedAt = time.Date(2020, 3, 1, 2, 10, 0, 0, time.UTC)

func testProblems() []Problem {
	return []Problem{
		{
			ID: 12, Unit: "finance", UnitName: "区财政局", Kind: "column.stale", Rule: "news-age", Column: "news",
			Severity: "deduction", Points: 2, Nominal: 2, URL: "http://127.0.0.1:8101/gzdt/",
			Detail: "最新一条发布于2019-11-02，超过14天未更新", Basis: "《政府网站发展指引》：动态信息及时更新。",
			Dimension: "timeliness", Indicator: "news", Status: "new", FirstSeen: evidence.MustParseDate("2020-03-01"),
			Evidence: []scoring.Ref{{URL: "http://127.0.0.1:8101/gzdt/", FetchedAt: fetchedAt, Status: 200,
				Class: evidence.ClassOK, SHA256: "ab12", Note: "最新一条发布于2019-11-02"}},
		},
		{
			ID: 13, Unit: "finance", UnitName: "区财政局", Kind: "document.metadata", Rule: "doc-meta",
			Column: "documents", Subject: "http://127.0.0.1:8101/zcwj/1.html", Severity: "deduction", Points: 0.5,
			Nominal: 0.5, URL: "http://127.0.0.1:8101/zcwj/1.html", Detail: "缺少：索引号、发文字号",
			Basis: "《条例》第二十条", Status: "persisting", FirstSeen: evidence.MustParseDate("2020-01-01"),
		},
		{
			ID: 9, Unit: "finance", UnitName: "区财政局", Kind: "link.broken", Rule: "links", Column: "documents",
			Subject: "http://127.0.0.1:8101/files/a.pdf", Severity: "deduction", Points: 0.25,
			URL: "http://127.0.0.1:8101/zcwj/1.html", Detail: "附件返回404", Status: "resolved",
			FirstSeen: evidence.MustParseDate("2019-12-01"),
		},
		{
			ID: 14, Unit: "town-a", UnitName: "甲|乙镇\n（试点）", Kind: "site.unreachable", Rule: "reachable",
			Severity: "veto", URL: "http://127.0.0.1:8102/",
			Detail: "三次访问均失败 | 连接被拒绝\r\n最后一次：<script>alert(1)</script>", Basis: "国办发〔2017〕47号",
			Status: "new", FirstSeen: evidence.MustParseDate("2020-03-01"),
		},
		{
			ID: 15, Unit: "street-b", UnitName: "乙街道", Kind: "column.stale", Rule: "news-age", Column: "news",
			Severity: "deduction", Points: 2, URL: "http://127.0.0.1:8103/gzdt/", Detail: "最新一条发布于2019-12-30",
			Status: "new", FirstSeen: evidence.MustParseDate("2020-03-01"),
		},
	}
}

func testSummaries() map[string]UnitSummary {
	return map[string]UnitSummary{
		"finance": {Score: 97.5, Grade: "优秀", Rank: 1},
		"town-a":  {Score: 0, Grade: "不合格", Rank: 3, Veto: true},
	}
}

func TestWriteProblems_Golden(t *testing.T) {
	tests := []struct {
		file   string
		format string
		rows   []Problem
		opts   Options
	}{
		{"problems.json", FormatJSON, testProblems(), Options{}},
		{"problems-empty.json", FormatJSON, nil, Options{}},
		{"problems.csv", FormatCSV, testProblems(), Options{}},
		{"problems-bom.csv", FormatCSV, testProblems(), Options{BOM: true}},
		{"problems-zh.md", FormatMarkdown, testProblems(), Options{Units: testSummaries()}},
		{"problems-en.md", FormatMarkdown, testProblems(), Options{Lang: "en", Units: testSummaries(), Title: "Problems as of 2020-03-01"}},
		{"problems-empty.md", FormatMarkdown, nil, Options{}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteProblems(&buf, tt.format, tt.rows, tt.opts); err != nil {
				t.Fatal(err)
			}
			golden(t, tt.file, buf.Bytes())
		})
	}
}

func TestWriteProblems_CSVParsesBack(t *testing.T) {
	for _, withBOM := range []bool{false, true} {
		t.Run("bom="+strconv.FormatBool(withBOM), func(t *testing.T) {
			rows := testProblems()
			var buf bytes.Buffer
			if err := WriteProblems(&buf, FormatCSV, rows, Options{BOM: withBOM}); err != nil {
				t.Fatal(err)
			}
			data := buf.Bytes()
			if got := bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")); got != withBOM {
				t.Fatalf("BOM present = %v, want %v", got, withBOM)
			}
			records, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF")))).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(problemColumns, records[0]); diff != "" {
				t.Errorf("header (-want +got):\n%s", diff)
			}
			var got []Problem
			for _, rec := range records[1:] {
				m := map[string]string{}
				for i, col := range records[0] {
					m[col] = rec[i]
				}
				id, _ := strconv.ParseInt(m["id"], 10, 64)
				points, _ := strconv.ParseFloat(m["points"], 64)
				got = append(got, Problem{
					ID: id, Unit: m["unit"], UnitName: m["unit_name"], Kind: rules.FindingKind(m["kind"]), Rule: m["rule"],
					Column: m["column"], Subject: m["subject"], Severity: m["severity"], Points: points,
					URL: m["url"], Detail: m["detail"], Basis: m["basis"], Status: m["status"],
					FirstSeen: evidence.MustParseDate(m["first_seen"]),
				})
			}
			// CSV carries the required columns only, with line breaks as \n.
			for i := range rows {
				rows[i].Nominal, rows[i].Dimension, rows[i].Indicator, rows[i].Evidence = 0, "", "", nil
				rows[i].Detail = strings.ReplaceAll(rows[i].Detail, "\r\n", "\n")
			}
			if diff := cmp.Diff(rows, got); diff != "" {
				t.Errorf("rows parsed back (-written +read):\n%s", diff)
			}
		})
	}
}

func TestWriteProblems_CSVFormula(t *testing.T) {
	var buf bytes.Buffer
	rows := []Problem{{ID: 1, Unit: "u", UnitName: "=HYPERLINK(\"http://evil/\",\"点我\")", Detail: "@SUM(A1)", Subject: "2019-07"}}
	if err := WriteProblems(&buf, FormatCSV, rows, Options{}); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := recs[1][2]; !strings.HasPrefix(got, "'=") {
		t.Errorf("unit_name cell %q is not neutralised", got)
	}
	if got := recs[1][10]; got != "'@SUM(A1)" {
		t.Errorf("detail cell %q is not neutralised", got)
	}
	if got := recs[1][6]; got != "2019-07" {
		t.Errorf("subject cell %q changed", got)
	}
}

func TestWriteProblems_JSON(t *testing.T) {
	required := append([]string{}, problemColumns...)
	for _, tt := range []struct {
		name string
		rows []Problem
		n    int
	}{
		{"rows", testProblems(), 5},
		{"nil", nil, 0},
		{"empty", []Problem{}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteProblems(&buf, FormatJSON, tt.rows, Options{}); err != nil {
				t.Fatal(err)
			}
			if tt.n == 0 && buf.String() != "[]\n" {
				t.Errorf("empty list is %q, want []", buf.String())
			}
			var got []map[string]any
			if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
				t.Fatalf("not a JSON array: %v", err)
			}
			if len(got) != tt.n {
				t.Fatalf("got %d objects, want %d", len(got), tt.n)
			}
			for i, obj := range got {
				for _, k := range required {
					if _, ok := obj[k]; !ok {
						t.Errorf("object %d lacks %q", i, k)
					}
				}
				if _, ok := obj["id"].(float64); !ok {
					t.Errorf("object %d: id is %T, want a number", i, obj["id"])
				}
			}
		})
	}
}

func TestWriteProblems_MarkdownCells(t *testing.T) {
	rows := []Problem{{ID: 1, Unit: "town-a", UnitName: "甲|乙镇\n（试点）", Kind: "column.missing", Column: "guide",
		Subject: "a|b", Severity: "deduction", Points: 1, Detail: "第一行\n第二行 | 第三段\r\n<b>粗</b>", URL: "http://x/?a=1|2"}}
	var buf bytes.Buffer
	if err := WriteProblems(&buf, FormatMarkdown, rows, Options{}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.Contains(out, "\n## 甲|乙镇 （试点） (town-a)\n") {
		t.Errorf("heading is not one safe line:\n%s", out)
	}
	var tableRows []string
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "| 1 ") {
			tableRows = append(tableRows, line)
		}
	}
	if len(tableRows) != 1 {
		t.Fatalf("the problem takes %d table lines, want 1:\n%s", len(tableRows), out)
	}
	// Unescaped pipes delimit the 9 cells: 10 of them.
	row := strings.ReplaceAll(tableRows[0], `\|`, "")
	if n := strings.Count(row, "|"); n != 10 {
		t.Errorf("row has %d cell delimiters, want 10: %s", n, tableRows[0])
	}
	if strings.Contains(out, "<b>") {
		t.Errorf("HTML passed through: %s", tableRows[0])
	}
	if !strings.Contains(tableRows[0], `第一行<br>第二行 \| 第三段<br>&lt;b>粗&lt;/b>`) {
		t.Errorf("detail cell not escaped as expected: %s", tableRows[0])
	}
}

func TestWrite_Errors(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteProblems(&buf, "xlsx", nil, Options{}); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("WriteProblems(xlsx): got %v, want ErrUnknownFormat", err)
	}
	if err := WriteRanking(&buf, "html", nil, nil, Options{}); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("WriteRanking(html): got %v, want ErrUnknownFormat", err)
	}
	if err := WriteProblems(&buf, FormatMarkdown, nil, Options{Lang: "fr"}); err == nil || !strings.Contains(err.Error(), `unknown language "fr"`) {
		t.Errorf("Lang fr: got %v", err)
	}
	if err := WriteProblems(failWriter{}, FormatMarkdown, testProblems(), Options{}); err == nil {
		t.Error("a failing writer's error was lost")
	}
	if err := WriteRankingText(failWriter{}, testRanking(), testDims(), Options{}); err == nil {
		t.Error("a failing writer's error was lost")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func ptr[T any](v T) *T { return &v }

func testDims() []DimensionHeader {
	return []DimensionHeader{
		{ID: "completeness", Name: "完整性", NameEN: "Completeness", Max: 40},
		{ID: "timeliness", Name: "及时性", NameEN: "Timeliness", Max: 30},
		{ID: "usability", Name: "可用性", Max: 10},
	}
}

func testRanking() []RankingRow {
	return []RankingRow{
		{Rank: 1, Unit: "finance", UnitName: "区财政局", UnitType: "bureau", Score: 97.5, Deducted: 2.5, Grade: "优秀",
			Dimensions: map[string]float64{"completeness": 40, "timeliness": 27.5, "usability": 10}, Findings: 2,
			ScoreChange: ptr(2.5), RankChange: ptr(1)},
		{Rank: 2, Unit: "street-b", UnitName: "乙街道", UnitType: "street", Score: 88, Deducted: 12, Grade: "良好",
			Dimensions: map[string]float64{"completeness": 36, "timeliness": 22, "usability": 10}, Findings: 5,
			ScoreChange: ptr(-3.25), RankChange: ptr(-1)},
		{Rank: 3, Unit: "town-a", UnitName: "甲镇", UnitType: "township", Score: 0, Deducted: 0, Grade: "不合格",
			Veto: true, VetoReasons: []string{"网站无法访问"}, Dimensions: map[string]float64{"completeness": 40},
			Findings: 1},
		{Rank: 4, Unit: "newcomer", UnitName: "new unit (试点)", UnitType: "bureau", Score: 60, Deducted: 40, Grade: "合格",
			Findings: 9, ScoreChange: ptr(0.0), RankChange: ptr(0)},
	}
}

func TestWriteRanking_Golden(t *testing.T) {
	tests := []struct {
		file   string
		format string
		opts   Options
		text   bool
	}{
		{file: "ranking.json", format: FormatJSON},
		{file: "ranking.csv", format: FormatCSV},
		{file: "ranking-bom.csv", format: FormatCSV, opts: Options{BOM: true}},
		{file: "ranking-zh.md", format: FormatMarkdown},
		{file: "ranking-en.md", format: FormatMarkdown, opts: Options{Lang: "en"}},
		{file: "ranking-zh.txt", text: true},
		{file: "ranking-en.txt", text: true, opts: Options{Lang: "en"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			var buf bytes.Buffer
			var err error
			if tt.text {
				err = WriteRankingText(&buf, testRanking(), testDims(), tt.opts)
			} else {
				err = WriteRanking(&buf, tt.format, testRanking(), testDims(), tt.opts)
			}
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tt.file, buf.Bytes())
		})
	}
}

func TestWriteRanking_JSON(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteRanking(&buf, FormatJSON, testRanking(), testDims(), Options{}); err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	for i, obj := range got {
		for _, k := range []string{"rank", "unit", "unit_name", "score", "grade", "veto", "dimensions", "score_change", "rank_change"} {
			if _, ok := obj[k]; !ok {
				t.Errorf("row %d lacks %q", i, k)
			}
		}
		if _, ok := obj["dimensions"].(map[string]any); !ok {
			t.Errorf("row %d: dimensions is %T, want an object", i, obj["dimensions"])
		}
		if _, ok := obj["veto_reasons"].([]any); !ok {
			t.Errorf("row %d: veto_reasons is %T, want an array", i, obj["veto_reasons"])
		}
	}
	if got[2]["score_change"] != nil || got[2]["rank_change"] != nil {
		t.Errorf("unknown changes are %v and %v, want null", got[2]["score_change"], got[2]["rank_change"])
	}
	if got[1]["rank_change"] != -1.0 {
		t.Errorf("rank_change = %v, want -1", got[1]["rank_change"])
	}
}

func TestWriteRankingText_Aligned(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteRankingText(&buf, testRanking(), testDims(), Options{}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	// The last column is right-aligned, so every line ends at the same cell.
	for _, line := range lines[1:] {
		if Width(line) != Width(lines[0]) {
			t.Errorf("line %q is %d cells wide, header %d", line, Width(line), Width(lines[0]))
		}
	}
	// The score column ends at the same cell as its header on every line.
	header := lines[0]
	end := Width(header[:strings.Index(header, "得分")]) + Width("得分")
	for i, r := range testRanking() {
		line := lines[i+1]
		at := strings.Index(line, r.Unit) + len(r.Unit)
		score := num(r.Score)
		at += strings.Index(line[at:], score) + len(score)
		if w := Width(line[:at]); w != end {
			t.Errorf("score %s ends at cell %d, its header at %d: %q", score, w, end, line)
		}
	}
}

func TestWidth(t *testing.T) {
	tests := []struct {
		s    string
		want int
	}{
		{"", 0},
		{"finance", 7},
		{"区财政局", 8},
		{"区财政局 (finance)", 18},
		{"（试点）", 8},
		{"，。：；", 8},
		{"ｆｕｌｌ", 8},
		{"ﾊﾝｶｸ", 4},
		{"안녕", 4},
		{"かな", 4},
		{"𠀀", 2},
		{"é", 1},
		{"e\u0301", 1},
		{"a\u200bb", 2},
		{"\uFEFF区", 2},
		{"—↑↓", 3},
		{"tab\there", 7},
		{"97.5 优秀 ↑2", 12},
	}
	for _, tt := range tests {
		if got := Width(tt.s); got != tt.want {
			t.Errorf("Width(%q) = %d, want %d", tt.s, got, tt.want)
		}
	}
}

func TestProblemsByKind(t *testing.T) {
	got := ProblemsByKind(testProblems())
	want := []KindCount{
		{Kind: "column.stale", Count: 2, Units: 2, Points: 4},
		{Kind: "document.metadata", Count: 1, Units: 1, Points: 0.5},
		{Kind: "site.unreachable", Count: 1, Units: 1, Points: 0},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ProblemsByKind (-want +got):\n%s", diff)
	}
	for _, tt := range []struct {
		file string
		opts Options
	}{{"kinds-zh.txt", Options{}}, {"kinds-en.txt", Options{Lang: "en"}}} {
		t.Run(tt.file, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteKindsText(&buf, got, tt.opts); err != nil {
				t.Fatal(err)
			}
			golden(t, tt.file, buf.Bytes())
		})
	}
}

func TestRankingFrom(t *testing.T) {
	cur := []scoring.UnitScore{
		{Unit: "finance", UnitName: "区财政局", UnitType: "bureau", Total: 90.1, Deducted: 9.9, Grade: "优秀", Rank: 1,
			Dimensions: []scoring.DimensionScore{{ID: "completeness", Name: "完整性", Score: 40, Max: 40}, {ID: "timeliness", Name: "及时性", Score: 20.1, Max: 30}},
			Findings:   map[string]int{"deduction": 3, "notice": 1}},
		{Unit: "town-a", UnitName: "甲镇", UnitType: "township", Total: 85, Grade: "良好", Rank: 2,
			Dimensions: []scoring.DimensionScore{{ID: "completeness", Name: "完整性", Score: 35, Max: 40}, {ID: "usability", Name: "可用性", Score: 10, Max: 10}}},
		{Unit: "new", UnitName: "新单位", Total: 10, Veto: true, VetoReasons: []string{"网站无法访问"}, Rank: 3},
	}
	prev := map[string]scoring.UnitScore{
		"finance": {Unit: "finance", Total: 90.3, Rank: 2},
		"town-a":  {Unit: "town-a", Total: 80, Rank: 1},
	}

	t.Run("with a previous audit", func(t *testing.T) {
		got := RankingFrom(cur, prev)
		if got[0].ScoreChange == nil || *got[0].ScoreChange != -0.2 || *got[0].RankChange != 1 {
			t.Errorf("finance changes %v %v, want -0.2 and +1 (moved up)", deref(got[0].ScoreChange), deref(got[0].RankChange))
		}
		if *got[1].ScoreChange != 5 || *got[1].RankChange != -1 {
			t.Errorf("town-a changes %v %v, want 5 and -1", *got[1].ScoreChange, *got[1].RankChange)
		}
		if got[2].ScoreChange != nil || got[2].RankChange != nil {
			t.Errorf("a unit new to the roster has changes %v %v, want nil", got[2].ScoreChange, got[2].RankChange)
		}
		if got[0].Findings != 4 || got[0].Dimensions["timeliness"] != 20.1 {
			t.Errorf("finance row = %+v", got[0])
		}
	})
	t.Run("without", func(t *testing.T) {
		for _, r := range RankingFrom(cur, nil) {
			if r.ScoreChange != nil || r.RankChange != nil {
				t.Errorf("%s has changes without a previous audit", r.Unit)
			}
		}
	})
	t.Run("dimensions", func(t *testing.T) {
		want := []DimensionHeader{
			{ID: "completeness", Name: "完整性", Max: 40}, {ID: "timeliness", Name: "及时性", Max: 30},
			{ID: "usability", Name: "可用性", Max: 10},
		}
		if diff := cmp.Diff(want, DimensionsFrom(cur)); diff != "" {
			t.Errorf("DimensionsFrom (-want +got):\n%s", diff)
		}
	})
	t.Run("summaries", func(t *testing.T) {
		s := SummariesFrom(cur)
		if s["new"] != (UnitSummary{Score: 10, Rank: 3, Veto: true}) {
			t.Errorf("summary of new = %+v", s["new"])
		}
	})
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestProblemsFrom(t *testing.T) {
	sf := []store.StoredFinding{{
		Finding: scoring.Finding{Unit: "finance", UnitName: "区财政局", Kind: "column.stale", Rule: "news-age",
			Column: "news", Severity: "deduction", Points: 2, Nominal: 3, URL: "http://u/", Detail: "d", Basis: "b",
			Dimension: "timeliness", Indicator: "news", Evidence: []scoring.Ref{{URL: "http://u/", Status: 200}}},
		ID: 7, ScoringID: 2, AuditID: 3, Status: store.FindingPersisting, FirstSeen: evidence.MustParseDate("2020-01-01"),
	}}
	want := []Problem{{ID: 7, Unit: "finance", UnitName: "区财政局", Kind: "column.stale", Rule: "news-age",
		Column: "news", Severity: "deduction", Points: 2, Nominal: 3, URL: "http://u/", Detail: "d", Basis: "b",
		Dimension: "timeliness", Indicator: "news", Status: "persisting", FirstSeen: evidence.MustParseDate("2020-01-01"),
		Evidence: []scoring.Ref{{URL: "http://u/", Status: 200}}}}
	if diff := cmp.Diff(want, ProblemsFrom(sf)); diff != "" {
		t.Errorf("ProblemsFrom (-want +got):\n%s", diff)
	}
}
