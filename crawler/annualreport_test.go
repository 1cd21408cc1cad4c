package crawler

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"gongkai/evidence"
)

func parseReportFile(t testing.TB, name string) *evidence.AnnualReport {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", "reports", name))
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse("http://unit.example.gov.cn/ndbg/" + name)
	p, err := ParsePage(u, body, "text/html")
	if err != nil {
		t.Fatal(err)
	}
	return ParseAnnualReport(p)
}

// TestParseAnnualReport_Golden: the parsed models of a 2019-format and a
// 2021-format report (go test ./crawler -update rewrites them).
func TestParseAnnualReport_Golden(t *testing.T) {
	for _, name := range []string{"report-2021.html", "report-2019.gbk.html"} {
		t.Run(name, func(t *testing.T) {
			r := parseReportFile(t, name)
			golden := filepath.Join("testdata", "reports", strings.TrimSuffix(name, ".html")+".golden.json")
			got, _ := json.MarshalIndent(r, "", "  ")
			if *update {
				os.WriteFile(golden, append(got, '\n'), 0o644)
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("no golden file (run with -update): %v", err)
			}
			var w evidence.AnnualReport
			json.Unmarshal(want, &w)
			if diff := cmp.Diff(&w, r); diff != "" {
				t.Errorf("model differs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseAnnualReport_Model(t *testing.T) {
	tests := []struct {
		name, format string
		year         int
		rows         int // table 3 rows read
		subtotal     bool
	}{
		{"report-2021.html", "2021", 2021, 26, true},
		{"report-2019.gbk.html", "2019", 2019, 23, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := parseReportFile(t, tt.name)
			if r.Year != tt.year || r.Format != tt.format || len(r.Sections) != 6 || len(r.Notes) != 0 {
				t.Errorf("year %d format %s sections %v notes %v", r.Year, r.Format, r.Sections, r.Notes)
			}
			t3 := r.Tables["3"]
			if t3 == nil || len(t3.Rows) != tt.rows {
				t.Fatalf("table 3: %+v", t3)
			}
			if _, ok := t3.Rows["refused"]; ok != tt.subtotal {
				t.Errorf("subtotal row read: %v", ok)
			}
			for _, row := range t3.Rows {
				if len(row) != 7 {
					t.Errorf("a table 3 row has %d columns", len(row))
				}
			}
			t4 := r.Tables["4"]
			n := 0
			for _, row := range t4.Rows {
				n += len(row)
			}
			if n != 15 {
				t.Errorf("table 4 has %d cells", n)
			}
			if len(r.Tables["2"].Rows) < 5 {
				t.Errorf("table 2 rows %v", r.Tables["2"].Rows)
			}
		})
	}
	r := parseReportFile(t, "report-2021.html")
	if c := r.Tables["3"].Rows["refused.4"]["natural"]; !c.Number || c.Value != 1 {
		t.Errorf("full-width figure read as %+v", c)
	}
	if c := r.Tables["2"].Rows["license"]; len(c) == 0 {
		t.Errorf("table 2 license row: %v", c)
	} else {
		for _, v := range c {
			if v.Value != 1256 {
				t.Errorf("thousands separator read as %+v", v)
			}
		}
	}
}

// TestParseAnnualReportText_Seed reads the seed: Huairou District's 2019 report,
// whose figures are prose.
func TestParseAnnualReportText_Seed(t *testing.T) {
	body, err := os.ReadFile(filepath.Join("..", "testdata", "seed", "huairou-2019-annual-report.txt"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(body)
	title := strings.SplitN(text, "\n", 2)[0]
	r := ParseAnnualReportText(title, text)
	if r.Year != 2019 || r.Format != "2019" {
		t.Errorf("year %d format %s", r.Year, r.Format)
	}
	if len(r.Sections) != 6 {
		t.Errorf("sections %v, want all six", r.Sections)
	}
	t3 := r.Tables["3"]
	if t3 == nil || !t3.FromText {
		t.Fatalf("table 3 from prose: %+v", t3)
	}
	want := map[string]int64{"new": 197, "carried_in": 4, "total": 200, "carried_out": 1}
	for row, v := range want {
		if c := t3.Rows[row]["total"]; !c.Number || c.Value != v {
			t.Errorf("%s = %+v, want %d", row, c, v)
		}
	}
}

func TestParseAnnualReport_Malformed(t *testing.T) {
	base, _ := url.Parse("http://u.test/r.html")
	for name, html := range map[string]string{
		"text in a number cell": `<table><tr><td>自然人</td><td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td><td>总计</td></tr>
<tr><td>一、本年新收政府信息公开申请数量</td><td>三</td><td>1</td><td>0</td><td>0</td><td>0</td><td>0</td><td>4</td></tr></table>`,
		"missing cells":  `<table><tr><td>本年新收</td><td>自然人</td></tr><tr><td>本年新收</td><td>1</td><td>2</td><td>3</td></tr></table>`,
		"huge spans":     `<table><tr><td rowspan="100000" colspan="100000">本年新收 自然人</td><td>1</td><td>2</td><td>3</td></tr></table>`,
		"table 4 short":  `<table><tr><td>行政复议</td><td>行政诉讼</td><td>维持</td></tr><tr><td>1</td><td>2</td></tr></table>`,
		"nested tables":  `<table><tr><td><table><tr><td>本年新收</td><td>自然人</td></tr></table></td></tr></table>`,
		"no tables":      `<p>一、总体情况</p>`,
		"unknown labels": `<table><tr><td>自然人</td><td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td><td>总计</td></tr><tr><td>本年新收</td><td>1</td><td>1</td><td>1</td><td>1</td><td>1</td><td>1</td><td>6</td></tr><tr><td>奇怪的行</td><td>1</td><td>1</td><td>1</td><td>1</td><td>1</td><td>1</td><td>6</td></tr></table>`,
	} {
		t.Run(name, func(t *testing.T) {
			p, err := ParsePage(base, []byte(html), "text/html")
			if err != nil {
				t.Fatal(err)
			}
			r := ParseAnnualReport(p) // must not panic
			if name == "unknown labels" && len(r.Notes) == 0 {
				t.Errorf("an unrecognised row left no note")
			}
			if name == "text in a number cell" {
				c := r.Tables["3"].Rows["new"]["natural"]
				if !c.Blank || c.Raw != "三" {
					t.Errorf("text cell read as %+v", c)
				}
			}
		})
	}
}

func FuzzParseReport(f *testing.F) {
	for _, seed := range []string{
		`<table><tr><td colspan="3" rowspan="3">x</td><td colspan="7">申请人情况</td></tr><tr><td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td><td rowspan="2">总计</td></tr><tr><td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr><tr><td colspan="3">一、本年新收</td><td>1</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>1</td></tr><tr><td rowspan="2">三、本年度办理结果</td><td rowspan="2">（三）不予公开</td><td>1．属于国家秘密</td><td>１</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>1</td></tr></table>`,
		`<table><tr><td colspan="5" rowspan="2">行政复议</td><td colspan="10">行政诉讼</td></tr><tr><td colspan="5">未经复议直接起诉</td><td colspan="5">复议后起诉</td></tr><tr><td>1</td><td>2</td><td>3</td><td>4</td><td>5</td><td>6</td><td>7</td><td>8</td><td>9</td><td>10</td><td>11</td><td>12</td><td>13</td><td>14</td><td>15</td></tr></table>`,
		`<h3>一、总体情况</h3><p>共收到政府信息公开申请1,234件，其中上年结转4件，办结1,200件，结转下年度38件。</p>`,
	} {
		f.Add([]byte(seed))
	}
	base, _ := url.Parse("http://u.test/r.html")
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := ParsePage(base, body, "text/html")
		if err != nil {
			return
		}
		r := ParseAnnualReport(p)
		for id, tb := range r.Tables {
			for row, cells := range tb.Rows {
				for col, c := range cells {
					if c.Number && c.Blank {
						t.Fatalf("table %s %s/%s both a number and blank", id, row, col)
					}
				}
			}
		}
	})
}
