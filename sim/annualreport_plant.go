package sim

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"gongkai/evidence"
	"gongkai/rules"
)

// Report defects the district deals, one per unit. Each is planted on the
// unit's due report (the one an evaluator judges as of the district's
// date), or, for the cross-year case, on the report of the year before.
const (
	rdMissing       = "missing"        // the due report is not published
	rdLate          = "late"           // published 1–40 days after the deadline
	rdNoHeading     = "no-heading"     // a section's heading line left out
	rdNoTable       = "no-table"       // table 二 or 四 left out
	rdBlank         = "blank-cells"    // table 三 cells left blank (one nonzero)
	rdNoRow         = "no-row"         // a sub-row of table 三's results left out
	rdProse         = "prose"          // figures in prose, no tables
	rdBlankT4       = "blank-table4"   // a table 四 cell left blank
	rdBlankT2       = "blank-table2"   // a table 二 cell left blank
	rdWrongNew      = "wrong-new"      // a wrong 本年新收 cell (自然人 or 总计)
	rdWrongLeaf     = "wrong-leaf"     // a wrong leaf result
	rdWrongSubtotal = "wrong-subtotal" // a wrong printed subtotal
	rdNegative      = "negative"       // a leaf printed negative
	rdNonInteger    = "non-integer"    // a leaf printed as a decimal
	rdCrossYear     = "cross-year"     // last year's 结转下年度 ≠ this year's 上年结转
	rdTable4Total   = "table4-total"   // a wrong 总计 in table 四

	// Decoys: traps for an evaluator that judges reports it must not.
	rdDecoyOldWrong = "decoy-old-inconsistent" // a report two years back breaks an identity
	rdDecoyOldLate  = "decoy-old-late"         // last year's report was published late
)

// reportMenu is what the district deals after the district government's
// late report, in order, to the defective units carrying fewest defects.
var reportMenu = []string{
	rdMissing, rdMissing, rdLate,
	rdNoHeading, rdNoTable, rdBlank, rdNoRow, rdProse, rdBlankT4, rdBlankT2,
	rdWrongNew, rdWrongLeaf, rdWrongSubtotal, rdNegative, rdNonInteger, rdCrossYear, rdTable4Total,
}

// reportPlan is what the district asks of a unit's annual reports.
type reportPlan struct {
	look   reportLook
	defect string // one of the rd… defects, or ""
	decoy  string // one of the rd… decoys, or ""
}

// reportCheckKind returns the check a report defect fails.
func reportCheckKind(defect string) rules.CheckKind {
	switch defect {
	case rdMissing:
		return rules.KindReportMissing
	case rdLate:
		return rules.KindReportLate
	case rdNoHeading, rdNoTable, rdBlank, rdNoRow, rdProse, rdBlankT4, rdBlankT2:
		return rules.KindReportIncomplete
	}
	return rules.KindReportInconsistent
}

// planReports deals the report looks over the reachable units and the
// report defects over the defective ones. It draws only from r, after the
// rest of the plan is made, so nothing else changes with it.
func planReports(d *District, roster []RosterEntry, plans []unitPlan, r *rand.Rand) {
	var reach []int
	for i := range plans {
		if plans[i].role != RoleUnreachable {
			reach = append(reach, i)
		}
	}
	if len(reach) == 0 {
		return
	}
	// Each choice cycles over the units in its own shuffled order, so every
	// choice shows on several units.
	deal := func(options []int, set func(l *reportLook, v int)) {
		for k, i := range r.Perm(len(reach)) {
			set(&plans[reach[i]].report.look, options[k%len(options)])
		}
	}
	deal([]int{numberCN, numberCN, numberParen, numberPart, numberArabic}, func(l *reportLook, v int) { l.number = v })
	deal([]int{tagStyle, tagStyle, tagH2, tagStrong, tagDiv}, func(l *reportLook, v int) { l.tag = v })
	deal([]int{0, 1}, func(l *reportLook, v int) { l.thead = v == 1 })
	deal([]int{0, 0, 1}, func(l *reportLook, v int) { l.wrap = v == 1 })
	deal([]int{subtotalsNone, subtotalsNone, subtotalsXiaoji, subtotalsGroupRow}, func(l *reportLook, v int) { l.subtotals = v })
	n := max(3, len(reach)/15)
	fw := 0
	for _, k := range r.Perm(len(reach)) {
		if fw < n {
			plans[reach[k]].report.look.fullWidth = true
			fw++
		}
	}
	// Thousands of applications a year are plausible only for the district
	// government and the busiest bureaus.
	th := 0
	for _, k := range r.Perm(len(reach)) {
		i := reach[k]
		if l := &plans[i].report.look; th < n && !l.fullWidth && (roster[i].Type == "district" || roster[i].Type == "bureau") {
			l.thousands = true
			th++
		}
	}

	supports := func(i int, defect string) bool {
		return d.Rules.CheckFor("annual-report", reportCheckKind(defect), roster[i].Type) != nil
	}
	if plans[0].role == RoleDefective && supports(0, rdLate) {
		plans[0].report.defect = rdLate
	}
	var cands []int
	for _, i := range r.Perm(len(plans)) {
		if i != 0 && plans[i].role == RoleDefective {
			cands = append(cands, i)
		}
	}
	slices.SortStableFunc(cands, func(x, y int) int { return len(plans[x].wants) - len(plans[y].wants) })
	for _, defect := range reportMenu {
		for _, i := range cands {
			if p := &plans[i].report; p.defect == "" && supports(i, defect) {
				p.defect = defect
				if defect == rdWrongSubtotal && p.look.subtotals == subtotalsNone {
					p.look.subtotals = subtotalsXiaoji
				}
				break
			}
		}
	}
	// Reports published as files and reports pasted from Word, dealt last
	// so the looks and defects above stay what they were. A PDF's tables
	// are lines of figures: a blank cell of table 二 leaves no trace there,
	// so a report planted with one is not published as a PDF.
	var dealt []int
	for _, k := range r.Perm(len(reach)) {
		dealt = append(dealt, reach[k])
	}
	n3 := max(2, len(reach)/24)
	pdf, docx, word, scan := 0, 0, 0, 0
	for _, i := range dealt {
		p := &plans[i].report
		switch {
		case pdf < n3 && p.defect != rdBlankT2 && p.defect != rdMissing:
			p.look.file = filePDF
			pdf++
		case docx < n3 && p.defect != rdMissing:
			p.look.file = fileDOCX
			docx++
		case word < n3 && p.defect != rdMissing:
			p.look.word = true
			word++
		case scan < 1 && p.defect == "" && plans[i].role != RoleVeto:
			// A scanned PDF: nothing of its content can be judged, so
			// only a sound report is published so.
			p.look.file, p.look.scanned = filePDF, true
			scan++
		}
	}
	// The decoys: the first on a clean unit when there is one.
	for _, decoy := range []string{rdDecoyOldWrong, rdDecoyOldLate} {
		best := -1
		for _, k := range r.Perm(len(reach)) {
			i := reach[k]
			p := plans[i].report
			if p.defect != "" || p.decoy != "" || p.look.scanned || plans[i].role == RoleVeto {
				continue
			}
			if best < 0 || (decoy == rdDecoyOldWrong && plans[i].role == RoleClean && plans[best].role != RoleClean) {
				best = i
			}
		}
		if best >= 0 {
			plans[best].report.decoy = decoy
		}
	}
}

// earlyReports adds the reports of the years from first to the year
// before the first in the 2019 format, when an early as-of date judges
// them; the last carries next over to the 2019 report. They draw from
// the report stream, so later years stay what they would be without them.
func (b *builder) earlyReports(c *Column, first int, due rules.MonthDay, next [6]int) {
	r, u := b.rr, b.u
	var carried [6]int
	carried[0] = between(r, 0, 2)
	for y := first; y < firstReportYear; y++ {
		rep := genReport(r, u.RosterEntry, y, carried)
		if y == firstReportYear-1 {
			setCarryNext(rep, next)
		}
		carried = rep.CarryNext
		pub := randDate(r, evidence.NewDate(y+1, time.January, 10), evidence.NewDate(y+1, time.Month(due.Month), due.Day).AddDays(-6))
		if !pub.Before(b.d.AsOf) {
			continue
		}
		year := fmt.Sprint(y)
		if chance(r, 0.25) {
			year = cnYear(y)
		}
		title := u.FullName + year + "年政府信息公开工作年度报告"
		b.titles[title] = true
		// A serial of their own, beyond any the unit reaches, so the other
		// items keep their paths.
		c.Items = append(c.Items, &Item{Title: title, Date: pub, AnnualReport: rep, Source: u.FullName, Num: 900000 + y})
	}
}

// setCarryNext makes next the report's 结转下年度, keeping it balanced:
// fewer results when more is carried over, more when less is.
func setCarryNext(a *AnnualReport, next [6]int) {
	for c := range next {
		d := next[c] - a.CarryNext[c]
		a.CarryNext[c] = next[c]
		for i := range a.Results {
			take := min(d, a.Results[i][c])
			if take > 0 {
				a.Results[i][c] -= take
				d -= take
			}
		}
		if d > 0 {
			a.New[c] += d
		}
		if d < 0 {
			a.Results[0][c] -= d
		}
	}
	a.refresh()
}

// reports gives the unit's reports their look, then plants the unit's
// report defect and decoy, drawing from the report stream.
func (b *builder) reports(p reportPlan) {
	u, r := b.u, b.rr
	col := u.Column("annual-report")
	if col == nil || col.State != ColumnPresent {
		return
	}
	asOf := b.d.AsOf
	y, deadline := dueYear(reportDue(b.rs, u.Type), asOf)
	u.reportYear = y
	for _, it := range col.Items {
		a := it.AnnualReport
		if a == nil {
			continue
		}
		a.look = p.look
		if a.look.subtotals != subtotalsNone && a.Year != y && chance(r, 0.3) {
			a.look.subtotals = subtotalsNone
		}
		if a.look.thousands {
			k := between(r, 1000, 1800)
			a.New[0] += k
			a.Results[0][0] += k
		}
	}
	for _, it := range col.Items {
		if a := it.AnnualReport; a != nil && a.Year != y {
			a.look.file, a.look.scanned = fileNone, false // only the report judged is a file
		}
	}
	b.keepReports(col)
	rep := reportFor(col, y, asOf)
	prev := reportFor(col, y-1, asOf)
	defect := p.defect
	if u.Role != RoleDefective {
		defect = ""
	}
	if defect != "" && defect != rdMissing && rep == nil {
		defect = rdMissing // nothing to spoil: the report is missing already
	}
	if defect == rdLate {
		lo, hi := deadline.AddDays(1), minDate(deadline.AddDays(40), asOf.AddDays(-1))
		if hi.Before(lo) {
			defect = rdMissing
		} else {
			rep.Date = randDate(r, lo, hi)
		}
	}
	if defect == rdCrossYear && (prev == nil || prev.AnnualReport.Prose) {
		defect = rdWrongLeaf
	}
	if defect != "" {
		u.reportPlant = defect
		note := b.plantReport(defect, col, rep, prev)
		kind := map[rules.CheckKind]DefectKind{
			rules.KindReportMissing:      DefectReportMissing,
			rules.KindReportLate:         DefectReportLate,
			rules.KindReportIncomplete:   DefectReportIncomplete,
			rules.KindReportInconsistent: DefectReportInconsistent,
		}[reportCheckKind(defect)]
		b.addDefect(Defect{Kind: kind, Column: col.ID, Subject: fmt.Sprint(y), Note: note})
	}
	switch p.decoy {
	case rdDecoyOldWrong:
		if old := reportFor(col, y-2, asOf); old != nil && !old.AnnualReport.Prose {
			a := old.AnnualReport
			a.setText(t3CellKey(keyNew, 6), a.figure(sum6(a.New)+2, false))
			u.Decoys = append(u.Decoys, fmt.Sprintf("%d年度年报“本年新收”行总计有误，但该年度不在评估之列：不应报告", a.Year))
		}
	case rdDecoyOldLate:
		if prev != nil {
			due := reportDue(b.rs, u.Type)
			prevDeadline := evidence.NewDate(y, time.Month(due.Month), due.Day)
			if day := prevDeadline.AddDays(between(r, 5, 40)); day.Before(asOf) {
				prev.Date = day
				u.Decoys = append(u.Decoys, fmt.Sprintf("%d年度年报于%s逾期公布，但评估的是%d年度年报：不应报告", y-1, day, y))
			}
		}
	}
	for _, it := range col.Items {
		if it.AnnualReport != nil {
			it.AnnualReport.refresh()
		}
	}
}

// plantReport plants defect on rep (the due report; prev is the one
// before) and says what it did.
func (b *builder) plantReport(defect string, col *Column, rep, prev *Item) string {
	r := b.rr
	if defect == rdMissing {
		if rep != nil {
			col.Items = slices.DeleteFunc(col.Items, func(it *Item) bool { return it == rep })
		}
		return "未公布该年度年报（以前年度的年报仍在）"
	}
	a := rep.AnnualReport
	rows := ResultRows(a.Format)
	// leafCell picks a leaf cell of an applicant column holding at least
	// lo, preferring one in a group; ok is false when there is none.
	leafCell := func(lo int, inGroup bool) (i, c int, ok bool) {
		type cell struct{ i, c int }
		var grouped, any []cell
		for i, row := range a.Results {
			for c, v := range row {
				if v >= lo {
					any = append(any, cell{i, c})
					if rows[i].Group != "" {
						grouped = append(grouped, cell{i, c})
					}
				}
			}
		}
		if inGroup && len(grouped) > 0 {
			x := pick(r, grouped)
			return x.i, x.c, true
		}
		if len(any) == 0 {
			return 0, 0, false
		}
		x := pick(r, any)
		return x.i, x.c, true
	}
	cellName := func(i, c int) string {
		return fmt.Sprintf("“%s”行“%s”列", rows[i].Label, ApplicantColumns[c])
	}
	switch defect {
	case rdLate:
		return fmt.Sprintf("年报迟至%s才公布", rep.Date)
	case rdNoHeading:
		i := pick(r, []int{0, 4})
		a.NoHeading[i] = true
		return fmt.Sprintf("删去第%s部分“%s”的标题行（正文保留）", cnNumerals[i], reportSections[i])
	case rdNoTable:
		t := pick(r, []int{0, 2})
		a.NoTable[t] = true
		return "删去" + tableNames[t]
	case rdBlank:
		i, c, ok := leafCell(1, false)
		if !ok {
			i, c = 0, 0
		}
		text := pick(r, []string{"", "—"})
		a.setText(t3CellKey(leafKey(i), c), text)
		note := fmt.Sprintf("表三%s印为“%s”（应为%d）", cellName(i, c), text, a.Results[i][c])
		var zeros [][2]int
		for j, row := range a.Results {
			for k, v := range row {
				if v == 0 && j != i {
					zeros = append(zeros, [2]int{j, k})
				}
			}
		}
		if len(zeros) > 0 {
			z := pick(r, zeros)
			text := pick(r, []string{"/", "-"})
			a.setText(t3CellKey(leafKey(z[0]), z[1]), text)
			note += fmt.Sprintf("，%s印为“%s”（应为0）", cellName(z[0], z[1]), text)
		}
		return note
	case rdNoRow:
		var cands, nonzero []int
		for i, row := range rows {
			if row.Group != "" {
				cands = append(cands, i)
				if sum6(a.Results[i]) > 0 {
					nonzero = append(nonzero, i)
				}
			}
		}
		if len(nonzero) > 0 {
			cands = nonzero
		}
		i := pick(r, cands)
		a.NoRows = append(a.NoRows, leafKey(i))
		return fmt.Sprintf("表三删去“%s%s”行（该行合计%d）", rows[i].Group, rows[i].Label, sum6(a.Results[i]))
	case rdProse:
		a.Prose = true
		a.Overview[2] = "（二）依申请公开情况。严格执行政府信息公开申请登记、审核、办理、答复、归档工作流程，依法保障申请人合法权益。"
		return "以文字代替表格：只在正文中写明本年新收、上年结转、办结和结转下年度件数"
	case rdBlankT4:
		var cands []int
		for i, v := range a.Review {
			if i%5 != 4 && v > 0 {
				cands = append(cands, i)
			}
		}
		if len(cands) == 0 {
			cands = []int{3, 8, 13}
		}
		i := pick(r, cands)
		text := pick(r, []string{"", "—"})
		a.setText(t4CellKey(i), text)
		return fmt.Sprintf("表四“%s”的“%s”印为“%s”（应为%d）", t4Groups[i/5], t4Heads[i%5], text, a.Review[i])
	case rdBlankT2:
		g := pick(r, table2Groups(a.Format))
		row := pick(r, g.rows)
		i := r.IntN(len(a.Table2[row]))
		text := pick(r, []string{"", "/"})
		a.setText(t2CellKey(row, i), text)
		return fmt.Sprintf("表二“%s”行“%s”印为“%s”（应为%d）", row, g.cols[i], text, a.Table2[row][i])
	case rdWrongNew:
		c := pick(r, []int{0, 6})
		v := sum6(a.New)
		if c == 0 {
			v = a.New[0]
		}
		w := v + between(r, 1, 3)
		if v > 3 && chance(r, 0.5) {
			w = v - between(r, 1, 3)
		}
		a.setText(t3CellKey(keyNew, c), a.figure(w, c == 6 && a.look.fullWidth))
		return fmt.Sprintf("表三“本年新收”行“%s”列印为%d（应为%d）", t3Columns[c], w, v)
	case rdWrongLeaf:
		i, c, _ := leafCell(0, true)
		v := a.Results[i][c]
		w := v + between(r, 1, 2)
		a.setText(t3CellKey(leafKey(i), c), a.figure(w, false))
		return fmt.Sprintf("表三%s印为%d（应为%d）", cellName(i, c), w, v)
	case rdWrongSubtotal:
		if a.look.subtotals == subtotalsNone {
			a.look.subtotals = subtotalsXiaoji
		}
		g := pick(r, subtotalGroups(a.Format))
		c := r.IntN(6)
		v := a.groupSum(g)[c]
		a.setText(t3CellKey(subKey(g), c), a.figure(v+1, false))
		return fmt.Sprintf("表三“%s”小计“%s”列印为%d（应为%d）", g, ApplicantColumns[c], v+1, v)
	case rdNegative:
		i, c, ok := leafCell(1, false)
		if !ok {
			a.setText(t3CellKey(keyNext, 0), "-1")
			return "表三“结转下年度”行“自然人”列印为-1"
		}
		v := a.Results[i][c]
		a.setText(t3CellKey(leafKey(i), c), a.figure(-v, false))
		return fmt.Sprintf("表三%s印为-%d（应为%d）", cellName(i, c), v, v)
	case rdNonInteger:
		i, c, ok := leafCell(1, false)
		if !ok {
			i, c = 0, 0
		}
		v := a.Results[i][c]
		a.setText(t3CellKey(leafKey(i), c), fmt.Sprintf("%d.5", max(0, v-1)))
		return fmt.Sprintf("表三%s印为%d.5（应为%d）", cellName(i, c), max(0, v-1), v)
	case rdCrossYear:
		c := 0
		if chance(r, 0.3) {
			c = 1 + r.IntN(5)
		}
		pa := prev.AnnualReport
		pa.New[c]++
		pa.CarryNext[c]++
		return fmt.Sprintf("%d年度年报“结转下年度”“%s”列改为%d（本年度“上年结转”为%d），上一年度表内仍平衡", pa.Year, ApplicantColumns[c], pa.CarryNext[c], a.Carried[c])
	case rdTable4Total:
		g := r.IntN(3)
		v := a.Review[g*5+4]
		w := v + between(r, 1, 2)
		a.setText(t4CellKey(g*5+4), a.figure(w, false))
		return fmt.Sprintf("表四“%s”总计印为%d（应为%d）", t4Groups[g], w, v)
	}
	return ""
}
