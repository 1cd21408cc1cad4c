package sim

import (
	"fmt"
	"html"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gongkai/evidence"
)

var reportKinds = []string{"report.missing", "report.late", "report.incomplete", "report.inconsistent"}

// TestReports_Coverage checks that the default truth holds every report
// kind at least twice, that the district government's report is judged
// against its own deadline (03-31: the 2024 report as of 2026-03-01), and
// that clean units stay clean.
func TestReports_Coverage(t *testing.T) {
	d := defaultDistrict(t)
	count := map[string]int{}
	district := 0
	for _, f := range d.Truth(hostless) {
		if !strings.HasPrefix(string(f.Kind), "report.") || d.Unit(f.Unit).FromMarkup(f) {
			continue
		}
		count[string(f.Kind)]++
		wantSev := "deduction"
		if f.Kind == "report.incomplete" && strings.Contains(f.Detail, "空白单元格") {
			wantSev = "notice" // blank cells: the default ruleset's blank_cells
		}
		if f.Column != "annual-report" || f.Severity != wantSev {
			t.Errorf("finding %d: column %q severity %q, want %s", f.ID, f.Column, f.Severity, wantSev)
		}
		u := d.Unit(f.Unit)
		want := "2025"
		if u.Type == "district" {
			want = "2024"
			district++
		}
		if f.Subject != want {
			t.Errorf("%s %s: subject %q, want the due year %s", f.Unit, f.Kind, f.Subject, want)
		}
		if u.Role == RoleClean {
			t.Errorf("clean unit %s has %s", u.ID, f.Kind)
		}
	}
	for _, k := range reportKinds {
		if count[k] < 2 {
			t.Errorf("%s appears %d times, want at least 2", k, count[k])
		}
	}
	if district == 0 {
		t.Error("the district government has no report finding")
	}
	// The district government's late report was published after 03-31 and
	// a unit's report published in February of the year is late too.
	gov := d.Units[0]
	found := false
	for _, f := range d.Truth(hostless) {
		if f.Unit == gov.ID && f.Kind == "report.late" {
			found = true
			if !strings.Contains(f.Detail, "2025-03-31") {
				t.Errorf("district late finding not judged against 2025-03-31: %s", f.Detail)
			}
		}
	}
	if !found {
		t.Errorf("the district government %s has no report.late finding", gov.ID)
	}
	t.Logf("report findings: %v", count)
}

// TestReports_Format2019 checks that as of 2021-03-01 the judged reports
// are in the 2019 format (2020 for units, 2019 for the district
// government) and carry findings of every report kind, the district
// government's among them, and that every markup variant still occurs.
func TestReports_Format2019(t *testing.T) {
	d, err := Generate(Config{AsOf: evidence.MustParseDate("2021-03-01")})
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	district := 0
	for _, f := range d.Truth(hostless) {
		if !strings.HasPrefix(string(f.Kind), "report.") {
			continue
		}
		u := d.Unit(f.Unit)
		year, _ := strconv.Atoi(f.Subject)
		want := 2020
		if u.Type == "district" {
			want = 2019
			district++
		}
		if year != want {
			t.Errorf("%s %s: subject %q, want %d", f.Unit, f.Kind, f.Subject, want)
		}
		if f.Kind != "report.missing" {
			it := reportFor(u.Column("annual-report"), year, d.AsOf)
			if it == nil || it.AnnualReport.Format != "2019" {
				t.Errorf("%s %s: not on a 2019-format report", f.Unit, f.Kind)
				continue
			}
		}
		count[string(f.Kind)]++
	}
	for _, k := range reportKinds {
		if count[k] < 2 {
			t.Errorf("%s appears %d times on 2019-format reports, want at least 2", k, count[k])
		}
	}
	if district == 0 {
		t.Error("the district government has no report finding on its 2019 report")
	}
	used := map[string]bool{}
	for _, u := range d.Units {
		for _, v := range u.Variants {
			used[v] = true
		}
	}
	for _, v := range AllVariants() {
		if !used[v] {
			t.Errorf("variant %s occurs on no unit as of 2021-03-01", v)
		}
	}
}

// TestReports_EarlyDates generates the district as of dates in 2020 and
// 2021, when the reports judged are the first ones in the 2019 format or
// older: only planted report findings, clean units clean.
func TestReports_EarlyDates(t *testing.T) {
	for _, asOf := range []string{"2020-01-15", "2020-03-01", "2021-02-01"} {
		t.Run(asOf, func(t *testing.T) {
			d, err := Generate(Config{AsOf: evidence.MustParseDate(asOf)})
			if err != nil {
				t.Fatal(err)
			}
			planted := map[string]int{}
			for _, u := range d.Units {
				for _, df := range u.Defects {
					if df.Column == "annual-report" {
						planted[u.ID]++
					}
				}
			}
			for _, f := range d.Truth(hostless) {
				if strings.HasPrefix(string(f.Kind), "report.") && planted[f.Unit] == 0 && !d.Unit(f.Unit).FromMarkup(f) {
					t.Errorf("unplanted %s %s %s: %s", f.Unit, f.Kind, f.Subject, f.Detail)
				}
				if u := d.Unit(f.Unit); u.Role == RoleClean && !u.FromMarkup(f) {
					t.Errorf("clean unit %s: %s %s", u.ID, f.Kind, f.Detail)
				}
			}
			truth := d.Truth(hostless)
			for _, u := range d.Units {
				if u.Role != RoleUnreachable {
					recount(t, d, truth, u)
				}
			}
		})
	}
}

// TestReports_Recount reads every judged report from its rendered page,
// with a table reader of its own, counts the incomplete and inconsistent
// findings by the rules, and compares the counts with the truth's.
func TestReports_Recount(t *testing.T) {
	for _, tc := range []struct {
		seed int64
		asOf string
	}{{1, DefaultAsOf}, {1, "2021-03-01"}, {2, DefaultAsOf}, {3, "2021-03-01"}} {
		t.Run(fmt.Sprint(tc.seed, "@", tc.asOf), func(t *testing.T) {
			d := defaultDistrict(t)
			if tc.seed != 1 || tc.asOf != DefaultAsOf {
				var err error
				d, err = Generate(Config{Seed: tc.seed, AsOf: evidence.MustParseDate(tc.asOf)})
				if err != nil {
					t.Fatal(err)
				}
			}
			planted := 0
			truth := d.Truth(hostless)
			for _, u := range d.Units {
				if u.Role == RoleUnreachable {
					continue
				}
				if n := recount(t, d, truth, u); n > 0 {
					planted++
				}
			}
			if planted < 10 {
				t.Errorf("only %d units have report findings", planted)
			}
		})
	}
}

// recount checks the truth's report findings for u against a count made
// from the pages, and returns how many there are.
func recount(t *testing.T, d *District, truth []TruthFinding, u *Unit) int {
	t.Helper()
	got := map[string]int{}
	for _, f := range truth {
		if f.Unit == u.ID && strings.HasPrefix(string(f.Kind), "report.") {
			got[string(f.Kind)]++
		}
	}
	want := map[string]int{}
	col := u.Column("annual-report")
	deadline := evidence.NewDate(d.AsOf.Year, 1, 31)
	if u.Type == "district" {
		deadline = evidence.NewDate(d.AsOf.Year, 3, 31)
	}
	year := d.AsOf.Year - 1
	if !deadline.Before(d.AsOf) {
		year--
		deadline = evidence.NewDate(deadline.Year-1, deadline.Month, deadline.Day)
	}
	// The list names each report by its title.
	byYear := map[int]*Item{}
	for _, it := range col.Items {
		for y := year - 1; y <= year; y++ {
			if (strings.Contains(it.Title, fmt.Sprint(y)+"年") || strings.Contains(it.Title, cnYear(y)+"年")) && strings.Contains(it.Title, "报告") {
				byYear[y] = it
			}
		}
	}
	it := byYear[year]
	switch {
	case it == nil:
		want["report.missing"] = 1
	default:
		if it.Date.After(deadline) {
			want["report.late"] = 1
		}
		if it.AnnualReport != nil && it.AnnualReport.look.scanned {
			want["report.incomplete"] = 1 // a scan: not read, a notice
			break
		}
		cur := readPage(t, u, it, year)
		var prev *pageReport
		if p := byYear[year-1]; p != nil {
			prev = readPage(t, u, p, year-1)
		}
		want["report.incomplete"] = cur.incomplete()
		want["report.inconsistent"] = cur.inconsistent(prev)
	}
	for _, k := range reportKinds {
		if got[k] != want[k] {
			t.Errorf("unit %s (%d report): %s: truth has %d, the page shows %d", u.ID, year, k, got[k], want[k])
		}
	}
	n := 0
	for _, v := range got {
		n += v
	}
	return n
}

// pageReport is a report as the test reads it from its page.
type pageReport struct {
	format     string
	heads      int // section headings found
	tables     [3]bool
	blank      [3]bool
	rowsAbsent bool
	prose      bool
	rows       map[string][7]string // table 3 rows by role: new, carried, total, next, leaf:<label>, sub:<group>
	subs       []string
	t4         []string
}

var (
	reTable    = regexp.MustCompile(`(?s)<table class="ndbg-table".*?</table>`)
	reRow      = regexp.MustCompile(`(?s)<tr[^>]*>(.*?)</tr>`)
	reCell     = regexp.MustCompile(`(?s)<t[dh]([^>]*)>(.*?)</t[dh]>`)
	reSpan     = regexp.MustCompile(`(rowspan|colspan)="(\d+)"`)
	reTag      = regexp.MustCompile(`<[^>]+>`)
	reHeadLine = regexp.MustCompile(`^<(h[1-6]|div class="title"|p[^>]*>\s*<(strong|b))>`)
	reProse    = regexp.MustCompile(`共收到政府信息公开申请(\d+)件，其中上年结转(\d+)件.*?办结(\d+)件，结转下年度(\d+)件`)
)

// grid expands an HTML table's rowspans and colspans into rows of texts.
func grid(table string) [][]string {
	var out [][]string
	carry := map[int]struct {
		text string
		left int
	}{}
	for _, tr := range reRow.FindAllStringSubmatch(table, -1) {
		var row []string
		cells := reCell.FindAllStringSubmatch(tr[1], -1)
		col := 0
		fill := func() {
			for {
				c, ok := carry[col]
				if !ok || c.left == 0 {
					return
				}
				row = append(row, c.text)
				c.left--
				carry[col] = c
				col++
			}
		}
		for _, c := range cells {
			fill()
			rs, cs := 1, 1
			for _, m := range reSpan.FindAllStringSubmatch(c[1], -1) {
				n, _ := strconv.Atoi(m[2])
				if m[1] == "rowspan" {
					rs = n
				} else {
					cs = n
				}
			}
			text := strings.TrimSpace(html.UnescapeString(reTag.ReplaceAllString(c[2], "")))
			for k := 0; k < cs; k++ {
				row = append(row, text)
				if rs > 1 {
					carry[col] = struct {
						text string
						left int
					}{text, rs - 1}
				}
				col++
			}
		}
		fill()
		out = append(out, row)
	}
	return out
}

var fwDigits = strings.NewReplacer("０", "0", "１", "1", "２", "2", "３", "3", "４", "4", "５", "5", "６", "6", "７", "7", "８", "8", "９", "9")

// num reads a figure: ok is false for a blank cell; bad for a number that
// is not an integer.
func num(s string) (v int, ok, bad bool) {
	s = strings.ReplaceAll(fwDigits.Replace(strings.TrimSpace(s)), ",", "")
	if n, err := strconv.Atoi(s); err == nil {
		return n, true, false
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil && strings.Contains(s, ".") {
		return 0, false, true
	}
	return 0, false, false
}

func readPage(t *testing.T, u *Unit, it *Item, year int) *pageReport {
	t.Helper()
	page := u.html(it.Path)
	if a := it.AnnualReport; a != nil && (a.look.word || a.look.file != fileNone) {
		// A file (or Word's markup) holds what the plain page would:
		// this reader reads the plain page.
		var b w
		reportSectionsBody(&b, a, func(h string) string { return "<h3>" + h + "</h3>" })
		page = b.String()
	}
	if page == "" {
		t.Fatalf("unit %s: no page at %s", u.ID, it.Path)
	}
	p := &pageReport{format: "2021", rows: map[string][7]string{}}
	if year < 2021 {
		p.format = "2019"
	}
	for _, line := range strings.Split(page, "\n") {
		if !reHeadLine.MatchString(line) {
			continue
		}
		text := reTag.ReplaceAllString(line, "")
		for _, s := range reportSections {
			if strings.Contains(text, s) {
				p.heads++
			}
		}
	}
	leaves := ResultRows(p.format)
	groups := map[string]bool{}
	for _, r := range leaves {
		if r.Group != "" {
			groups[r.Group] = true
		}
	}
	for _, tb := range reTable.FindAllString(page, -1) {
		g := grid(tb)
		switch {
		case strings.Contains(tb, "信息内容"):
			p.tables[0] = true
			for _, row := range g {
				if len(row) < 2 || row[0] == "信息内容" || strings.HasPrefix(row[0], "第二十条") {
					continue
				}
				for _, c := range row[1:] {
					if _, ok, _ := num(c); !ok {
						p.blank[0] = true
					}
				}
			}
		case strings.Contains(tb, "本年新收"):
			p.tables[1] = true
			for _, row := range g {
				if len(row) != 10 || strings.Contains(row[0], "勾稽") {
					continue
				}
				var labels []string
				for _, l := range row[:3] {
					l = strings.Trim(l, "　 ")
					if len(labels) == 0 || labels[len(labels)-1] != l {
						labels = append(labels, l)
					}
				}
				last := labels[len(labels)-1]
				var figs [7]string
				copy(figs[:], row[3:])
				for _, c := range figs {
					if _, ok, bad := num(c); !ok && !bad {
						p.blank[1] = true
					}
				}
				key := ""
				switch {
				case strings.Contains(last, "本年新收"):
					key = "new"
				case strings.Contains(last, "上年结转"):
					key = "carried"
				case strings.Contains(last, "结转下年度"):
					key = "next"
				case last == "（七）总计":
					key = "total"
				case last == "小计":
					key = "sub:" + labels[len(labels)-2]
				case groups[last]:
					key = "sub:" + last
				default:
					key = "leaf:" + last
				}
				p.rows[key] = figs
				if strings.HasPrefix(key, "sub:") {
					p.subs = append(p.subs, strings.TrimPrefix(key, "sub:"))
				}
			}
			for _, k := range []string{"new", "carried", "total", "next"} {
				if _, ok := p.rows[k]; !ok {
					p.rowsAbsent = true
				}
			}
			for _, r := range leaves {
				if _, ok := p.rows["leaf:"+r.Label]; !ok {
					p.rowsAbsent = true
				}
			}
		case strings.Contains(tb, "复议后起诉"):
			p.tables[2] = true
			p.t4 = g[len(g)-1]
			for _, c := range p.t4 {
				if _, ok, bad := num(c); !ok && !bad {
					p.blank[2] = true
				}
			}
		}
	}
	if m := reProse.FindStringSubmatch(reTag.ReplaceAllString(page, "")); m != nil && !p.tables[1] {
		p.prose = true
		for i, k := range []string{"new", "carried", "total", "next"} {
			var figs [7]string
			figs[6] = m[i+1]
			p.rows[k] = figs
		}
	}
	return p
}

func (p *pageReport) incomplete() int {
	n := 6 - p.heads
	for t := range p.tables {
		if !p.tables[t] {
			n++
		} else if p.blank[t] {
			n++
		}
	}
	if p.tables[1] && p.rowsAbsent {
		n++
	}
	return n
}

// val returns the figure of row key, column c, and whether it is usable.
func (p *pageReport) val(key string, c int) (int, bool) {
	row, ok := p.rows[key]
	if !ok {
		return 0, false
	}
	v, ok, _ := num(row[c])
	return v, ok
}

func (p *pageReport) inconsistent(prev *pageReport) int {
	n := 0
	if p.tables[1] || p.prose {
		for c := 0; c < 7; c++ {
			a, ok1 := p.val("new", c)
			b, ok2 := p.val("carried", c)
			x, ok3 := p.val("total", c)
			y, ok4 := p.val("next", c)
			if ok1 && ok2 && ok3 && ok4 && a+b != x+y {
				n++
			}
		}
		for key := range p.rows {
			s, ok := 0, true
			for c := 0; c < 6; c++ {
				v, good := p.val(key, c)
				ok = ok && good
				s += v
			}
			if t, good := p.val(key, 6); ok && good && s != t {
				n++
			}
		}
		for c := 0; c < 7; c++ {
			tot, ok := p.val("total", c)
			s := 0
			for _, r := range ResultRows(p.format) {
				v, good := p.val("leaf:"+r.Label, c)
				ok = ok && good
				s += v
			}
			if ok && s != tot {
				n++
			}
		}
		for _, g := range p.subs {
			for c := 0; c < 7; c++ {
				sub, ok := p.val("sub:"+g, c)
				s := 0
				for _, r := range ResultRows(p.format) {
					if r.Group == g {
						v, good := p.val("leaf:"+r.Label, c)
						ok = ok && good
						s += v
					}
				}
				if ok && s != sub {
					n++
				}
			}
		}
		if p.tables[1] {
			for _, row := range p.rows {
				for _, c := range row {
					if v, ok, bad := num(c); bad || (ok && v < 0) {
						n++
					}
				}
			}
		}
	}
	if p.tables[2] {
		for g := 0; g < 3; g++ {
			s, ok := 0, true
			for k := 0; k < 4; k++ {
				v, good, _ := num(p.t4[g*5+k])
				ok = ok && good
				s += v
			}
			if tot, good, _ := num(p.t4[g*5+4]); ok && good && s != tot {
				n++
			}
		}
		for _, c := range p.t4 {
			if v, ok, bad := num(c); bad || (ok && v < 0) {
				n++
			}
		}
	}
	if prev != nil && (prev.tables[1] || prev.prose) && (p.tables[1] || p.prose) {
		for c := 0; c < 7; c++ {
			x, ok1 := prev.val("next", c)
			k, ok2 := p.val("carried", c)
			if ok1 && ok2 && x != k {
				n++
			}
		}
	}
	return n
}

// TestReports_Planted checks a sample of planted report defects against
// the findings they must cause, counted by hand from what was planted.
func TestReports_Planted(t *testing.T) {
	d := defaultDistrict(t)
	byUnit := map[string]map[string]int{}
	for _, f := range d.Truth(hostless) {
		if byUnit[f.Unit] == nil {
			byUnit[f.Unit] = map[string]int{}
		}
		byUnit[f.Unit][string(f.Kind)]++
	}
	seen := map[string]bool{}
	for _, u := range d.Units {
		var df *Defect
		for i := range u.Defects {
			if u.Defects[i].Column == "annual-report" {
				df = &u.Defects[i]
			}
		}
		if df == nil {
			continue
		}
		it := reportFor(u.Column("annual-report"), u.reportYear, d.AsOf)
		if it == nil && u.reportPlant != rdMissing {
			t.Errorf("unit %s: no report for %d", u.ID, u.reportYear)
			continue
		}
		if it == nil {
			it = &Item{AnnualReport: &AnnualReport{}}
		}
		got := byUnit[u.ID]
		a := it.AnnualReport
		// inGroup reports whether the note names a leaf of a group whose
		// subtotal the report prints.
		inGroup := a.look.subtotals != subtotalsNone && slices.ContainsFunc(ResultRows(a.Format), func(r ResultRow) bool {
			return r.Group != "" && strings.Contains(df.Note, "“"+r.Label+"”")
		})
		incons := map[string]int{
			rdTable4Total:   1, // its group's identity
			rdWrongNew:      2, // its row's sum and its column's balance
			rdCrossYear:     2, // one applicant column and the 总计 column
			rdWrongSubtotal: 2, // its group's identity and its row's sum
			rdNonInteger:    1, // unreadable: only the non-negative-integer instance
			rdWrongLeaf:     2, // its row's sum and its column's results
			rdNegative:      3, // its own instance, its row's sum, its column's results
		}
		if inGroup {
			incons[rdWrongLeaf]++ // and the subtotal
			incons[rdNegative]++
		}
		incomp := map[string]int{
			rdNoHeading: 1, rdNoTable: 1, rdBlank: 1, rdNoRow: 1, rdBlankT4: 1, rdBlankT2: 1,
			rdProse: 3, // tables 二, 三 and 四
		}
		p := u.reportPlant
		seen[p] = true
		switch {
		case p == rdMissing:
			expectReport(t, u, df, got, "report.missing", 1)
		case p == rdLate:
			expectReport(t, u, df, got, "report.late", 1)
		case incons[p] > 0:
			expectReport(t, u, df, got, "report.inconsistent", incons[p])
			expectReport(t, u, df, got, "report.incomplete", 0)
		case incomp[p] > 0:
			// Blank and absent cells are skipped by the identities.
			expectReport(t, u, df, got, "report.incomplete", incomp[p])
			expectReport(t, u, df, got, "report.inconsistent", 0)
		default:
			t.Errorf("unit %s: unknown report defect %q", u.ID, p)
		}
	}
	for _, p := range append([]string{rdLate}, reportMenu...) {
		if !seen[p] {
			t.Errorf("no unit of the default district carries a %s report defect", p)
		}
	}
}

func expectReport(t *testing.T, u *Unit, df *Defect, got map[string]int, kind string, n int) {
	t.Helper()
	if got[kind] != n {
		t.Errorf("unit %s, %s: %d %s, want %d", u.ID, df.Note, got[kind], kind, n)
	}
}

// TestReports_VariantMarkup checks that a unit tagged with a report
// variant shows it on its judged report's page.
func TestReports_VariantMarkup(t *testing.T) {
	d := defaultDistrict(t)
	for _, u := range d.Units {
		it := reportFor(u.Column("annual-report"), u.reportYear, d.AsOf)
		if it == nil {
			continue
		}
		page := u.html(it.Path)
		for _, v := range u.Variants {
			ok := true
			switch v {
			case VarReportHeadingH2:
				ok = strings.Contains(page, "<h2>"+it.AnnualReport.sectionHeading(5)+"</h2>")
			case VarReportHeadingStrong:
				ok = strings.Contains(page, "<p><strong>"+it.AnnualReport.sectionHeading(5)+"</strong></p>")
			case VarReportHeadingDiv:
				ok = strings.Contains(page, `<div class="title">`+it.AnnualReport.sectionHeading(5)+"</div>")
			case VarReportNumberParen:
				ok = strings.Contains(page, "（六）其他需要报告的事项")
			case VarReportNumberPart:
				ok = strings.Contains(page, "第六部分　其他需要报告的事项")
			case VarReportNumberArabic:
				ok = strings.Contains(page, "6.其他需要报告的事项")
			case VarReportTableThead:
				ok = strings.Contains(page, "<thead>") && strings.Contains(page, "<th")
			case VarReportTableWrap:
				ok = strings.Contains(page, `<div class="table-wrap">`)
			case VarReportSubtotals:
				ok = strings.Contains(page, "<td>小计</td>")
			case VarReportGroupRows:
				ok = strings.Contains(page, `<td colspan="2">（三）不予公开</td><td>`)
			case VarReportFullWidth:
				ok = reFullWidthCell.MatchString(page)
			case VarReportThousands:
				ok = reThousandsCell.MatchString(page)
			case VarReportProse:
				ok = reProse.MatchString(page) && !strings.Contains(page, "<table class=\"ndbg-table\"")
			case VarReportTitleCNYear:
				ok = strings.Contains(page, cnYear(u.reportYear)+"年")
			}
			if !ok {
				t.Errorf("unit %s: variant %s not shown on %s", u.ID, v, it.Path)
			}
		}
	}
}

var (
	reFullWidthCell = regexp.MustCompile(`<td>[０-９]+</td>`)
	reThousandsCell = regexp.MustCompile(`<td>[0-9]{1,3}(,[0-9]{3})+</td>`)
)

// TestReports_Deterministic checks that two generations publish the same
// report pages, byte for byte.
func TestReports_Deterministic(t *testing.T) {
	d1 := defaultDistrict(t)
	d2, err := Generate(Config{AsOf: evidence.MustParseDate(DefaultAsOf)})
	if err != nil {
		t.Fatal(err)
	}
	for i, u1 := range d1.Units {
		u2 := d2.Units[i]
		if !slices.Equal(u1.Variants, u2.Variants) || !slices.Equal(u1.Defects, u2.Defects) {
			t.Errorf("unit %s: variants or defects differ", u1.ID)
		}
		c1, c2 := u1.Column("annual-report"), u2.Column("annual-report")
		if len(c1.Items) != len(c2.Items) {
			t.Errorf("unit %s: %d and %d reports", u1.ID, len(c1.Items), len(c2.Items))
			continue
		}
		for k, it := range c1.Items {
			if it.Path != c2.Items[k].Path || u1.html(it.Path) != u2.html(it.Path) {
				t.Errorf("unit %s: report %s differs between two generations", u1.ID, it.Path)
			}
		}
		if u1.Role != RoleUnreachable && u1.html(c1.Path) != u2.html(c2.Path) {
			t.Errorf("unit %s: the report list differs", u1.ID)
		}
	}
}
