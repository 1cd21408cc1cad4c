package sim

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"gongkai/evidence"
	"gongkai/rules"
)

// The sim judges annual reports the way the evaluator must (docs/spec.md#annual-report-identities, with
// the semantics fixed for the sim and the evaluator alike):
//
//   - only the report for the due year Y is judged: the latest year whose
//     deadline (the rule's due date for the unit's type, in year Y+1) lies
//     strictly before the as-of date; the report for Y-1 takes part only
//     in the cross-year identity;
//   - report.incomplete: one finding per missing section heading, per
//     missing table, per present table holding any blank cell (empty, a
//     dash, a slash or other non-numeric text; of the severity the rule's
//     blank_cells gives, a notice by default, since a blank is not a zero
//     but real reports leave empty columns blank), and one for table 三
//     when any of its required rows is absent;
//   - report.inconsistent: one finding per broken instance of the
//     identities (balance and results per column, row sums, printed
//     subtotals, table 四's groups, cross-year per column), each skipped
//     when one of its inputs is blank, absent or unreadable, and one per
//     cell of tables 三 and 四 that is negative or not an integer;
//   - a report giving its figures in prose lacks the three tables; its
//     four figures (本年新收, 上年结转, 办结, 结转下年度) stand in the 总计
//     column for the balance and cross-year identities.
//
// The judgement reads the report as rendered: the same cell texts the
// pages print (t3Rows, t4Cells, t2Cells), parsed as an evaluator parses
// them, never the figures the sim meant to print.

// figState says what a printed cell holds.
type figState uint8

const (
	figOK    figState = iota // an integer (perhaps negative)
	figBlank                 // empty, a dash, a slash or other text
	figBad                   // a number that is not an integer
	figNone                  // no such cell (absent row, prose figures)
)

// fig is one cell of a report's table as read.
type fig struct {
	v  int
	st figState
}

func (f fig) ok() bool { return f.st == figOK }

var (
	reInt     = regexp.MustCompile(`^-?[0-9]+$`)
	reDecimal = regexp.MustCompile(`^-?[0-9]+\.[0-9]+$`)
	cellNorm  = strings.NewReplacer(
		"０", "0", "１", "1", "２", "2", "３", "3", "４", "4", "５", "5", "６", "6", "７", "7", "８", "8", "９", "9",
		"－", "-", "．", ".", ",", "", "，", "", " ", "", "\u00a0", "", "　", "")
)

// readFig reads a printed cell: full-width digits and thousands
// separators are figures, "-3" is a negative figure, "2.5" is a number
// that is not an integer, and anything else ("", "—", "-", "/", 无) is blank.
func readFig(s string) fig {
	s = cellNorm.Replace(strings.TrimSpace(s))
	switch {
	case reInt.MatchString(s):
		var v int
		fmt.Sscan(s, &v)
		return fig{v: v}
	case reDecimal.MatchString(s):
		return fig{st: figBad}
	}
	return fig{st: figBlank}
}

// reportModel is what an evaluator reads from a published report.
type reportModel struct {
	year   int
	heads  [6]bool
	tables [3]bool   // tables 二, 三, 四 present
	blank  [3]string // per table, where its first blank cell is ("" when none)
	prose  bool      // figures given in prose (tables absent)
	rows   []modelRow
	t4     [15]fig
	// missingRows are the labels of table 3's required rows left out.
	missingRows []string
}

// modelRow is a row of table 3 as read; a prose report has the rows 本年新收,
// 上年结转, 总计 and 结转下年度 with the 总计 column only.
type modelRow struct {
	key, group, label string
	kind              t3Kind
	f                 [7]fig
}

// t3Columns name table 3's seven figure columns.
var t3Columns = append(append([]string(nil), ApplicantColumns...), "总计")

// readReport reads a report as printed.
func readReport(a *AnnualReport) *reportModel {
	m := &reportModel{year: a.Year, prose: a.Prose}
	for i := range m.heads {
		m.heads[i] = !a.NoHeading[i]
	}
	if a.Prose {
		var total [6]int
		for c := range total {
			total[c] = a.ResultTotal(c)
		}
		for _, r := range []struct {
			key  string
			kind t3Kind
			v    [6]int
		}{{keyNew, t3New, a.New}, {keyCarried, t3Carried, a.Carried}, {keyTotal, t3Total, total}, {keyNext, t3Next, a.CarryNext}} {
			row := modelRow{key: r.key, kind: r.kind, label: t3Labels[r.key]}
			for c := 0; c < 6; c++ {
				row.f[c] = fig{st: figNone}
			}
			row.f[6] = fig{v: sum6(r.v)}
			m.rows = append(m.rows, row)
		}
		return m
	}
	m.tables = [3]bool{!a.NoTable[0], !a.NoTable[1], !a.NoTable[2]}
	if m.tables[0] {
	t2:
		for _, g := range table2Groups(a.Format) {
			for _, row := range g.rows {
				for i, s := range a.t2Cells(row) {
					if readFig(s).st == figBlank {
						m.blank[0] = fmt.Sprintf("“%s”行“%s”", row, g.cols[i])
						break t2
					}
				}
			}
		}
	}
	if m.tables[1] {
		present := map[string]bool{}
		for _, r := range a.t3Rows() {
			present[r.key] = true
			row := modelRow{key: r.key, kind: r.kind, group: r.group, label: r.label}
			for c, s := range r.cells {
				row.f[c] = readFig(s)
				if row.f[c].st == figBlank && m.blank[1] == "" {
					m.blank[1] = fmt.Sprintf("“%s”行“%s”列", r.label, t3Columns[c])
				}
			}
			m.rows = append(m.rows, row)
		}
		for _, key := range requiredT3Rows(a.Format) {
			if !present[key] {
				m.missingRows = append(m.missingRows, t3Label(a.Format, key))
			}
		}
	}
	if m.tables[2] {
		for i, s := range a.t4Cells() {
			m.t4[i] = readFig(s)
			if m.t4[i].st == figBlank && m.blank[2] == "" {
				m.blank[2] = fmt.Sprintf("“%s”的“%s”", t4Groups[i/5], t4Heads[i%5])
			}
		}
	}
	return m
}

// requiredT3Rows returns the keys of the rows table 3 must have.
func requiredT3Rows(format string) []string {
	out := []string{keyNew, keyCarried}
	for i := range ResultRows(format) {
		out = append(out, leafKey(i))
	}
	return append(out, keyTotal, keyNext)
}

// t3Label returns the printed label of a table 3 row key.
func t3Label(format, key string) string {
	if l, ok := t3Labels[key]; ok {
		return l
	}
	for i, r := range ResultRows(format) {
		if leafKey(i) == key {
			return r.Label
		}
	}
	return strings.TrimPrefix(key, "sub:")
}

// row returns the model's row with key, or nil.
func (m *reportModel) row(key string) *modelRow {
	for i := range m.rows {
		if m.rows[i].key == key {
			return &m.rows[i]
		}
	}
	return nil
}

// get returns the figure of row key in column c (figNone when absent).
func (m *reportModel) get(key string, c int) fig {
	if r := m.row(key); r != nil {
		return r.f[c]
	}
	return fig{st: figNone}
}

// hasT3 reports whether the model has table 3's figures (a table or prose).
func (m *reportModel) hasT3() bool { return m.tables[1] || m.prose }

var (
	tableShort = []string{"表二", "表三", "表四"}
	tableNames = []string{"表二（主动公开政府信息情况）", "表三（收到和处理政府信息公开申请情况）", "表四（政府信息公开行政复议、行政诉讼情况）"}
)

// lack is one report.incomplete finding: its detail, and whether it is a
// table's blank cells (whose severity the rule's blank_cells sets).
type lack struct {
	detail string
	blanks bool
	notice bool // the report could not be read: a notice whatever the rule
}

// incomplete returns one lack per report.incomplete finding.
func (m *reportModel) incomplete() []lack {
	var out []lack
	for i, ok := range m.heads {
		if !ok {
			out = append(out, lack{detail: fmt.Sprintf("年报缺少第%s部分“%s”的标题", cnNumerals[i], reportSections[i])})
		}
	}
	for t, ok := range m.tables {
		if !ok {
			out = append(out, lack{detail: "年报缺少" + tableNames[t]})
		}
	}
	for t, where := range m.blank {
		if m.tables[t] && where != "" {
			out = append(out, lack{detail: fmt.Sprintf("%s存在空白单元格（如%s）", tableShort[t], where), blanks: true})
		}
	}
	if m.tables[1] && len(m.missingRows) > 0 {
		out = append(out, lack{detail: fmt.Sprintf("表三缺少“%s”等%d行", m.missingRows[0], len(m.missingRows))})
	}
	return out
}

// leafKeys returns the keys of table 3's leaf result rows in the format
// the model's rows show (the rows themselves may be absent).
func leafKeys(format string) []string {
	var out []string
	for i := range ResultRows(format) {
		out = append(out, leafKey(i))
	}
	return out
}

// inconsistent returns one detail line per report.inconsistent finding;
// prev is the report for the year before, or nil.
func (m *reportModel) inconsistent(format string, prev *reportModel) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if m.hasT3() {
		// 1. balance per column.
		for c := 0; c < 7; c++ {
			n, k, t, x := m.get(keyNew, c), m.get(keyCarried, c), m.get(keyTotal, c), m.get(keyNext, c)
			if n.ok() && k.ok() && t.ok() && x.ok() && n.v+k.v != t.v+x.v {
				add("表三“%s”列：本年新收%d＋上年结转%d≠办理结果总计%d＋结转下年度%d", t3Columns[c], n.v, k.v, t.v, x.v)
			}
		}
		// 2. row sums.
		for _, r := range m.rows {
			s, ok := 0, true
			for c := 0; c < 6; c++ {
				ok = ok && r.f[c].ok()
				s += r.f[c].v
			}
			if ok && r.f[6].ok() && s != r.f[6].v {
				add("表三“%s”行：总计%d≠自然人与法人或其他组织之和%d", r.label, r.f[6].v, s)
			}
		}
		// 3. results per column.
		for c := 0; c < 7; c++ {
			t := m.get(keyTotal, c)
			s, ok := 0, t.ok()
			for _, key := range leafKeys(format) {
				f := m.get(key, c)
				ok = ok && f.ok()
				s += f.v
			}
			if ok && s != t.v {
				add("表三“%s”列：办理结果总计%d≠各项办理结果之和%d", t3Columns[c], t.v, s)
			}
		}
		// 4. printed subtotals.
		for _, r := range m.rows {
			if r.kind != t3Sub {
				continue
			}
			for c := 0; c < 7; c++ {
				s, ok := 0, r.f[c].ok()
				for i, rr := range ResultRows(format) {
					if rr.Group == r.group {
						f := m.get(leafKey(i), c)
						ok = ok && f.ok()
						s += f.v
					}
				}
				if ok && s != r.f[c].v {
					add("表三“%s”小计“%s”列%d≠其各分项之和%d", r.group, t3Columns[c], r.f[c].v, s)
				}
			}
		}
	}
	if m.tables[2] {
		// 5. table 4's groups.
		for g := 0; g < 3; g++ {
			s, ok := 0, true
			for k := 0; k < 4; k++ {
				ok = ok && m.t4[g*5+k].ok()
				s += m.t4[g*5+k].v
			}
			if t := m.t4[g*5+4]; ok && t.ok() && s != t.v {
				add("表四“%s”：总计%d≠结果维持、结果纠正、其他结果、尚未审结之和%d", t4Groups[g], t.v, s)
			}
		}
	}
	// 6. non-negative integers.
	if m.tables[1] {
		for _, r := range m.rows {
			for c, f := range r.f {
				if f.st == figBad || (f.ok() && f.v < 0) {
					add("表三“%s”行“%s”列的数据不是非负整数", r.label, t3Columns[c])
				}
			}
		}
	}
	if m.tables[2] {
		for i, f := range m.t4 {
			if f.st == figBad || (f.ok() && f.v < 0) {
				add("表四“%s”的“%s”数据不是非负整数", t4Groups[i/5], t4Heads[i%5])
			}
		}
	}
	// 7. cross-year.
	if prev != nil && prev.hasT3() && m.hasT3() {
		for c := 0; c < 7; c++ {
			x, k := prev.get(keyNext, c), m.get(keyCarried, c)
			if x.ok() && k.ok() && x.v != k.v {
				add("表三“%s”列：%d年度结转下年度%d≠%d年度上年结转%d", t3Columns[c], prev.year, x.v, m.year, k.v)
			}
		}
	}
	return out
}

// reportDue returns the deadline (month and day in the year after the year
// reported on) the ruleset sets for unitType's annual report: the due date
// of its report_missing check, else of its report_late check, else 01-31.
func reportDue(rs *rules.Ruleset, unitType string) rules.MonthDay {
	for _, k := range []rules.CheckKind{rules.KindReportMissing, rules.KindReportLate} {
		for _, c := range rs.ChecksFor(unitType) {
			if c.Kind == k && len(c.Due) > 0 {
				return c.DueFor(unitType)
			}
		}
	}
	return rules.MonthDay{Month: 1, Day: 31}
}

// dueYear returns the year whose report is judged as of asOf, with its
// deadline: the latest year Y whose deadline in Y+1 lies strictly before
// asOf.
func dueYear(due rules.MonthDay, asOf evidence.Date) (int, evidence.Date) {
	y := asOf.Year - 1
	deadline := evidence.NewDate(asOf.Year, time.Month(due.Month), due.Day)
	if !deadline.Before(asOf) {
		y--
		deadline = evidence.NewDate(asOf.Year-1, time.Month(due.Month), due.Day)
	}
	return y, deadline
}

// reportFor returns the item of column col reporting on year, listed by
// asOf, or nil.
func reportFor(col *Column, year int, asOf evidence.Date) *Item {
	for _, it := range col.Items {
		if it.AnnualReport != nil && it.AnnualReport.Year == year && !it.Date.After(asOf) {
			return it
		}
	}
	return nil
}

// reportJudgement is the judgement of a unit's annual-report column.
type reportJudgement struct {
	year         int
	deadline     evidence.Date
	item         *Item // the report for year; nil when missing
	incomplete   []lack
	inconsistent []string
}

// judgeReports judges the unit's report due as of the district's date.
func judgeReports(d *District, u *Unit, col *Column, due rules.MonthDay) reportJudgement {
	j := reportJudgement{}
	j.year, j.deadline = dueYear(due, d.AsOf)
	j.item = reportFor(col, j.year, d.AsOf)
	if j.item == nil {
		return j
	}
	if j.item.AnnualReport.look.scanned {
		// A scan: the evaluator cannot read it, says so, and judges
		// nothing of its content.
		j.incomplete = []lack{{detail: fmt.Sprintf("%d年度年报附件未能自动读取：PDF没有文字层（扫描件）；不作扣分，请人工核查", j.year), notice: true}}
		return j
	}
	m := readReport(j.item.AnnualReport)
	var prev *reportModel
	if p := reportFor(col, j.year-1, d.AsOf); p != nil {
		prev = readReport(p.AnnualReport)
	}
	j.incomplete = m.incomplete()
	j.inconsistent = m.inconsistent(j.item.AnnualReport.Format, prev)
	return j
}
