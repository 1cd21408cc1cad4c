package scoring

import (
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"

	"gongkai/evidence"
)

var t3Keys = []string{"natural", "business", "research", "charity", "legal", "other_org", "total"}

func num(v int64) evidence.Cell { return evidence.Cell{Value: v, Number: true} }

// cleanReport builds a consistent report of format (2019 or 2021) for year.
func cleanReport(format string, year int, subtotals bool) *evidence.AnnualReport {
	t3 := &evidence.AnnualReportTable{Rows: map[string]map[string]evidence.Cell{}}
	set := func(row string, v [6]int64) {
		cells := map[string]evidence.Cell{}
		var sum int64
		for i, x := range v {
			cells[t3Keys[i]] = num(x)
			sum += x
		}
		cells["total"] = num(sum)
		t3.Rows[row] = cells
	}
	var tot [6]int64
	for i, row := range leafRows(format) {
		v := [6]int64{int64(i%3 + 1), int64(i % 2), 0, 0, int64(i % 4 / 3), 0}
		set(row, v)
		for k := range v {
			tot[k] += v[k]
		}
	}
	set("total", tot)
	carriedIn := [6]int64{2, 0, 0, 0, 0, 0}
	carriedOut := [6]int64{3, 1, 0, 0, 0, 0}
	var newApps [6]int64
	for k := range newApps {
		newApps[k] = tot[k] + carriedOut[k] - carriedIn[k]
	}
	set("new", newApps)
	set("carried_in", carriedIn)
	set("carried_out", carriedOut)
	if subtotals {
		for _, g := range t3Subgroups {
			if g.key == "other" && format != "2021" {
				continue
			}
			var s [6]int64
			for i := 1; i <= g.n; i++ {
				row := t3.Rows[g.key+"."+string(rune('0'+i))]
				for k := range s {
					s[k] += row[t3Keys[k]].Value
				}
			}
			set(g.key, s)
		}
	}
	t4 := &evidence.AnnualReportTable{Rows: map[string]map[string]evidence.Cell{}}
	for i, g := range t4Groups {
		v := []int64{int64(i + 1), 1, 0, 2}
		t4.Rows[g.key] = map[string]evidence.Cell{"upheld": num(v[0]), "corrected": num(v[1]), "other": num(v[2]), "pending": num(v[3]), "total": num(v[0] + v[1] + v[2] + v[3])}
	}
	t2 := &evidence.AnnualReportTable{Rows: map[string]map[string]evidence.Cell{"rules": {"0": num(0)}, "normative": {"0": num(3)}}}
	return &evidence.AnnualReport{Year: year, Format: format, Sections: []int{1, 2, 3, 4, 5, 6},
		Tables: map[string]*evidence.AnnualReportTable{"2": t2, "3": t3, "4": t4}}
}

func ids(issues []AnnualReportIssue) []string {
	var out []string
	for _, i := range issues {
		s := string(i.Kind) + ": " + i.Identity
		switch {
		case i.Notice:
			s += " (notice)"
		case i.Blanks:
			s += " (blanks)"
		}
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

func TestAnalyzeAnnualReport(t *testing.T) {
	bump := func(r *evidence.AnnualReport, table, row, col string, by int64) {
		c := r.Tables[table].Rows[row][col]
		c.Value += by
		r.Tables[table].Rows[row][col] = c
	}
	tests := []struct {
		name   string
		format string
		mutate func(r, prev *evidence.AnnualReport)
		want   []string
	}{
		{name: "clean 2021 with subtotals", format: "2021", mutate: func(r, p *evidence.AnnualReport) {}},
		{name: "clean 2019", format: "2019", mutate: func(r, p *evidence.AnnualReport) {}},
		{name: "a section missing", format: "2021", mutate: func(r, p *evidence.AnnualReport) { r.Sections = []int{1, 2, 3, 4, 6} },
			want: []string{"report.incomplete: section 5"}},
		{name: "table 4 missing", format: "2021", mutate: func(r, p *evidence.AnnualReport) { delete(r.Tables, "4") },
			want: []string{"report.incomplete: table 4"}},
		{name: "figures from prose only", format: "2019", mutate: func(r, p *evidence.AnnualReport) {
			p.Tables["3"].Rows["carried_out"]["total"] = num(4)
			r.Tables = map[string]*evidence.AnnualReportTable{"3": {FromText: true, Rows: map[string]map[string]evidence.Cell{
				"new": {"total": num(197)}, "carried_in": {"total": num(4)}, "total": {"total": num(200)}, "carried_out": {"total": num(1)}}}}
		}, want: []string{"report.incomplete: table 2", "report.incomplete: table 3", "report.incomplete: table 4"}},
		{name: "prose that does not balance", format: "2019", mutate: func(r, p *evidence.AnnualReport) {
			p.Tables["3"].Rows["carried_out"]["total"] = num(4)
			r.Tables = map[string]*evidence.AnnualReportTable{"3": {FromText: true, Rows: map[string]map[string]evidence.Cell{
				"new": {"total": num(197)}, "carried_in": {"total": num(4)}, "total": {"total": num(199)}, "carried_out": {"total": num(1)}}}}
		}, want: []string{"report.inconsistent: table 3 balance, 总计", "report.incomplete: table 2", "report.incomplete: table 3", "report.incomplete: table 4"}},
		{name: "a blank cell is incomplete and its identities are not judged", format: "2021", mutate: func(r, p *evidence.AnnualReport) {
			r.Tables["3"].Rows["new"]["natural"] = evidence.Cell{Blank: true, Raw: "—"}
		}, want: []string{"report.incomplete: table 3 blanks (blanks)"}},
		{name: "a row missing", format: "2021", mutate: func(r, p *evidence.AnnualReport) { delete(r.Tables["3"].Rows, "refused.3") },
			want: []string{"report.incomplete: table 3 rows"}},
		{name: "a wrong leaf", format: "2021", mutate: func(r, p *evidence.AnnualReport) {
			bump(r, "3", "open", "natural", 1)
		}, want: []string{"report.inconsistent: table 3 results, 自然人", "report.inconsistent: table 3 row sum, 予以公开"}},
		{name: "a wrong total cell", format: "2019", mutate: func(r, p *evidence.AnnualReport) {
			bump(r, "3", "total", "natural", 2)
		}, want: []string{"report.inconsistent: table 3 balance, 自然人", "report.inconsistent: table 3 results, 自然人", "report.inconsistent: table 3 row sum, 办理结果总计"}},
		{name: "a wrong total column", format: "2021", mutate: func(r, p *evidence.AnnualReport) {
			bump(r, "3", "new", "total", 5)
		}, want: []string{"report.inconsistent: table 3 balance, 总计", "report.inconsistent: table 3 row sum, 本年新收"}},
		{name: "a printed subtotal that does not add up", format: "2021", mutate: func(r, p *evidence.AnnualReport) {
			bump(r, "3", "unable", "business", 1)
		}, want: []string{"report.inconsistent: table 3 row sum, 无法提供小计", "report.inconsistent: table 3 subtotal, 无法提供, 商业企业"}},
		{name: "a negative cell", format: "2021", mutate: func(r, p *evidence.AnnualReport) {
			bump(r, "3", "unable.2", "research", -1)
			bump(r, "3", "unable.2", "natural", 1)
		}, want: []string{"report.inconsistent: table 3 cell, 无法提供第2项, 科研机构", "report.inconsistent: table 3 results, 自然人",
			"report.inconsistent: table 3 results, 科研机构", "report.inconsistent: table 3 subtotal, 无法提供, 科研机构",
			"report.inconsistent: table 3 subtotal, 无法提供, 自然人"}},
		{name: "a fraction", format: "2019", mutate: func(r, p *evidence.AnnualReport) {
			r.Tables["3"].Rows["partial"]["legal"] = evidence.Cell{Raw: "0.5"}
		}, want: []string{"report.inconsistent: table 3 cell, 部分公开, 法律服务机构"}},
		{name: "table 4 total", format: "2021", mutate: func(r, p *evidence.AnnualReport) { bump(r, "4", "suit_after", "total", 1) },
			want: []string{"report.inconsistent: table 4 total, 行政诉讼（复议后起诉）"}},
		{name: "a report not read is one notice and nothing else", format: "2021", mutate: func(r, p *evidence.AnnualReport) {
			r.Unread = "PDF为扫描件，没有文字层"
			r.Sections, r.Tables = nil, nil
		}, want: []string{"report.incomplete: unread (notice)"}},
		{name: "a table not read reliably is a notice and not judged", format: "2021", mutate: func(r, p *evidence.AnnualReport) {
			r.Tables["3"].Unread = "the figures of a line of the PDF could not be placed in their columns"
			bump(r, "3", "open", "natural", 1)
		}, want: []string{"report.incomplete: table 3 unread (notice)"}},
		{name: "a 2008-format report is judged by its own contents", format: "2008", mutate: func(r, p *evidence.AnnualReport) {
			r.Tables = nil
			r.Sections = []int{1, 2, 4, 5, 6}
		}, want: []string{"report.incomplete: section 3"}},
		{name: "carry-over across years", format: "2021", mutate: func(r, p *evidence.AnnualReport) {
			bump(p, "3", "carried_out", "natural", 1)
			bump(p, "3", "carried_out", "total", 1)
			bump(p, "3", "total", "natural", -1)
			bump(p, "3", "total", "total", -1)
			bump(p, "3", "open", "natural", -1)
			bump(p, "3", "open", "total", -1)
		}, want: []string{"report.inconsistent: carry-over, 总计", "report.inconsistent: carry-over, 自然人"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			year := 2021
			if tt.format == "2008" {
				year = 2017
			}
			r := cleanReport(tt.format, year, tt.format == "2021")
			prev := cleanReport(tt.format, year-1, false)
			// The clean year before carries over exactly what r carries in.
			for _, c := range t3Keys {
				cin := r.Tables["3"].Rows["carried_in"][c]
				prev.Tables["3"].Rows["carried_out"][c] = cin
			}
			fixBalance(prev)
			if issues := AnalyzeAnnualReport(prev, nil); len(issues) != 0 {
				t.Fatalf("the clean year before is not clean: %v", ids(issues))
			}
			tt.mutate(r, prev)
			got := ids(AnalyzeAnnualReport(r, prev))
			sort.Strings(tt.want)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				for _, i := range AnalyzeAnnualReport(r, prev) {
					t.Log(i.Detail)
				}
				t.Errorf("issues (-want +got):\n%s", diff)
			}
		})
	}
}

// fixBalance sets 本年新收 so that the balance identity holds again.
func fixBalance(r *evidence.AnnualReport) {
	t := r.Tables["3"]
	for _, c := range t3Keys {
		n := t.Rows["total"][c].Value + t.Rows["carried_out"][c].Value - t.Rows["carried_in"][c].Value
		t.Rows["new"][c] = num(n)
	}
}
