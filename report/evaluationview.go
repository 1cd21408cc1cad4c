package report

import (
	"fmt"
	"strconv"
	"strings"
)

// evaluationView is the view templates/evaluation.html.tmpl executes
// against: every string resolved in the report's language, every table a
// grid of cells, every chart its geometry.
type evaluationView struct {
	Lang, Title, Subtitle string
	Meta                  []noticeFact

	SummaryHeading string
	Summary        []string

	RankingHeading string
	Ranking        tableView
	RankingNote    string

	GradeHeading string
	GradeChart   svgChart
	Grades       tableView

	DimHeading     string
	DimChart       svgChart
	DimTypeCaption string
	DimTypeChart   *svgChart
	Dims           tableView

	KindsHeading string
	KindsChart   *svgChart
	Kinds        tableView
	NoKinds      string

	MoversHeading   string
	NoPrevious      string
	ImprovedHeading string
	Improved        tableView
	NoImproved      string
	DeclinedHeading string
	Declined        tableView
	NoDeclined      string

	StatusHeading string
	StatusText    string
	Statuses      tableView

	AppendixHeading string
	Appendix        tableView
}

// tableView is a table as the template draws it.
type tableView struct {
	// Class is the table's CSS class.
	Class string
	Head  []cellView
	Rows  [][]cellView
}

// cellView is one cell: its text and its CSS class (num, up, down, new, veto).
type cellView struct{ Text, Class string }

func cells(class string, texts ...string) []cellView {
	out := make([]cellView, len(texts))
	for i, t := range texts {
		out[i] = cellView{Text: t, Class: class}
	}
	return out
}

func evaluationViewOf(e Evaluation) evaluationView {
	l := parseLang(e.Lang)
	v := evaluationView{Lang: l.pick("zh-CN", "en")}
	district := e.District
	if district == "" {
		district = "本区"
	}
	v.Title = l.pick(district+"政府信息公开第三方评估报告", "Third-Party Evaluation of Government Information Disclosure")
	if l == en && e.District != "" {
		v.Title += ": " + e.District
	}
	v.Subtitle = l.pick("（评估基准日："+zhDate(e.AsOf)+"）", "as of "+e.AsOf.String())
	ruleset := e.RulesetName
	if e.RulesetVersion != "" {
		ruleset += l.pick("（版本"+e.RulesetVersion+"）", " (version "+e.RulesetVersion+")")
	}
	v.Meta = []noticeFact{
		{l.pick("评估编号", "Audit"), strconv.FormatInt(e.AuditID, 10)},
		{l.pick("评估日期", "Audit date"), e.AuditDate.String()},
		{l.pick("评估基准日", "As of"), e.AsOf.String()},
	}
	if !e.WindowFrom.IsZero() {
		v.Meta = append(v.Meta, noticeFact{l.pick("评估期间", "Window"), e.WindowFrom.String() + l.pick(" 至 ", " to ") + e.WindowTo.String()})
	}
	v.Meta = append(v.Meta,
		noticeFact{l.pick("评估规则", "Ruleset"), ruleset},
		noticeFact{l.pick("参评单位", "Units"), strconv.Itoa(len(e.Ranking))})

	sec := 0
	heading := func(zhText, enText string) string {
		sec++
		return l.pick(cnNumeral(sec)+"、"+zhText, strconv.Itoa(sec)+". "+enText)
	}

	// Summary.
	v.SummaryHeading = heading("评估概况", "Summary")
	var grades []string
	for _, g := range e.Grades {
		grades = append(grades, l.pick(fmt.Sprintf("%s%d个", g.Grade, g.Count), fmt.Sprintf("%s %d", g.Grade, g.Count)))
	}
	findings := e.Severities.Veto + e.Severities.Deduction + e.Severities.Notice
	v.Summary = append(v.Summary, l.pick(
		fmt.Sprintf("本次评估以%s为基准日，覆盖%d个单位，平均得分%s分。其中%s；%d个单位触发单项否决。共发现问题%d条，其中否决项%d条、扣分项%d条、提示项%d条。",
			zhDate(e.AsOf), len(e.Ranking), num(e.Average), strings.Join(grades, "、"), e.Vetoed,
			findings, e.Severities.Veto, e.Severities.Deduction, e.Severities.Notice),
		fmt.Sprintf("The audit as of %s covered %s, with an average score of %s. Grades: %s; vetoed: %d. It found %s (veto: %d, deduction: %d, notice: %d).",
			e.AsOf, plural(len(e.Ranking), "unit"), num(e.Average), strings.Join(grades, ", "), e.Vetoed,
			plural(findings, "problem"), e.Severities.Veto, e.Severities.Deduction, e.Severities.Notice)))
	if e.HasPrevious {
		v.Summary = append(v.Summary, l.pick(
			fmt.Sprintf("与上次评估相比，%d个单位得分上升，%d个单位得分下降；新发现问题%d条，仍未整改%d条，已整改%d条。",
				countChange(e.Ranking, 1), countChange(e.Ranking, -1), e.Statuses.New, e.Statuses.Persisting, e.Statuses.Resolved),
			fmt.Sprintf("Since the previous audit, the score rose for %s and fell for %s; problems new: %d, persisting: %d, resolved: %d.",
				plural(countChange(e.Ranking, 1), "unit"), plural(countChange(e.Ranking, -1), "unit"), e.Statuses.New, e.Statuses.Persisting, e.Statuses.Resolved)))
	}

	// Ranking.
	typeName := map[string]string{}
	for _, t := range e.UnitTypes {
		typeName[t.ID] = t.Name
	}
	v.RankingHeading = heading("得分与排名", "Scores and ranking")
	v.Ranking.Class = "ranking"
	v.Ranking.Head = append(cells("num", l.pick("排名", "Rank")), cells("", l.pick("单位", "Unit"), l.pick("类型", "Type"))...)
	v.Ranking.Head = append(v.Ranking.Head, cells("num", l.pick("得分", "Score"))...)
	v.Ranking.Head = append(v.Ranking.Head, cells("", l.pick("等级", "Grade"), l.pick("否决", "Veto"))...)
	for _, d := range e.Dimensions {
		h := d.label(l)
		if d.Max > 0 {
			h += l.pick("（"+num(d.Max)+"）", " ("+num(d.Max)+")")
		}
		v.Ranking.Head = append(v.Ranking.Head, cellView{Text: h, Class: "num"})
	}
	if e.HasPrevious {
		v.Ranking.Head = append(v.Ranking.Head, cells("num", l.pick("分数变化", "Score change"), l.pick("排名变化", "Rank change"))...)
	}
	for _, r := range e.Ranking {
		row := []cellView{
			{Text: strconv.Itoa(r.Rank), Class: "num"}, {Text: r.UnitName}, {Text: or(typeName[r.UnitType], r.UnitType)},
			{Text: num(r.Score), Class: "num"}, {Text: r.Grade},
		}
		if r.Veto {
			row = append(row, cellView{Text: l.pick("否决", "veto"), Class: "veto"})
		} else {
			row = append(row, cellView{})
		}
		for _, d := range e.Dimensions {
			row = append(row, cellView{Text: dimCell(&r, d.ID), Class: "num"})
		}
		if e.HasPrevious {
			row = append(row, changeCell(l, r.ScoreChange), changeCell(l, intPtrFloat(r.RankChange)))
		}
		v.Ranking.Rows = append(v.Ranking.Rows, row)
	}
	if e.HasPrevious {
		v.RankingNote = l.pick("分数变化与排名变化均与上次评估相比：↑ 上升，↓ 下降；“新”表示该单位未参加上次评估。",
			"Changes are against the previous audit: ↑ up, ↓ down; “new” marks a unit the previous audit did not include.")
	}

	// Grade distribution.
	v.GradeHeading = heading("等级分布", "Grade distribution")
	gs := barSpec{Title: l.pick("等级分布", "Grade distribution"), Sep: l.pick("：", ": ")}
	v.Grades.Class = "grades"
	v.Grades.Head = append(cells("", l.pick("等级", "Grade")), cells("num", l.pick("单位数", "Units"), l.pick("占比", "Share"))...)
	for i, g := range e.Grades {
		share := percent(float64(g.Count), float64(len(e.Ranking)))
		label := l.pick(fmt.Sprintf("%d个（%s%%）", g.Count, num(share)), fmt.Sprintf("%d (%s%%)", g.Count, num(share)))
		gs.Rows = append(gs.Rows, barRow{Label: g.Grade, Values: []float64{float64(g.Count)}, ValueLabels: []string{label},
			Class: gradeClass(i, len(e.Grades))})
		v.Grades.Rows = append(v.Grades.Rows, []cellView{{Text: g.Grade}, {Text: strconv.Itoa(g.Count), Class: "num"}, {Text: num(share) + "%", Class: "num"}})
	}
	v.GradeChart = hbarChart(gs)

	// Dimensions.
	v.DimHeading = heading("分维度得分", "Scores by dimension")
	ds := barSpec{Title: l.pick("各维度平均得分率", "Average score by dimension, % of maximum"), Max: 100, Tracks: true, Sep: l.pick("：", ": ")}
	v.Dims.Class = "dims"
	v.Dims.Head = append(cells("", l.pick("维度", "Dimension")), cells("num", l.pick("满分", "Max"), l.pick("平均得分", "Average"), l.pick("得分率", "% of max"))...)
	for _, t := range e.UnitTypes {
		v.Dims.Head = append(v.Dims.Head, cellView{Text: t.Name + l.pick(fmt.Sprintf("（%d）", t.Units), fmt.Sprintf(" (%d)", t.Units)), Class: "num"})
	}
	ts := barSpec{Title: l.pick("各类单位分维度平均得分率", "Average score by dimension and unit type, % of maximum"), Max: 100, Sep: l.pick("：", ": ")}
	for _, t := range e.UnitTypes {
		ts.Series = append(ts.Series, t.Name)
	}
	for _, da := range e.DimensionAverages {
		label := da.label(l)
		ds.Rows = append(ds.Rows, barRow{Label: label, Values: []float64{da.Percent},
			ValueLabels: []string{l.pick(fmt.Sprintf("%s%%（%s/%s）", num(da.Percent), num(da.Average), num(da.Max)),
				fmt.Sprintf("%s%% (%s/%s)", num(da.Percent), num(da.Average), num(da.Max)))}})
		row := []cellView{{Text: label}, {Text: num(da.Max), Class: "num"}, {Text: num(da.Average), Class: "num"}, {Text: num(da.Percent) + "%", Class: "num"}}
		tr := barRow{Label: label}
		for _, ta := range da.ByType {
			row = append(row, cellView{Text: num(ta.Average) + l.pick("（"+num(ta.Percent)+"%）", " ("+num(ta.Percent)+"%)"), Class: "num"})
			tr.Values = append(tr.Values, ta.Percent)
			tr.ValueLabels = append(tr.ValueLabels, num(ta.Percent)+"%")
		}
		ts.Rows = append(ts.Rows, tr)
		v.Dims.Rows = append(v.Dims.Rows, row)
	}
	v.DimChart = hbarChart(ds)
	if len(e.UnitTypes) > 1 {
		c := hbarChart(ts)
		v.DimTypeChart = &c
		v.DimTypeCaption = l.pick("按单位类型：", "By unit type:")
	}

	// Most frequent problems.
	v.KindsHeading = heading("主要问题", "Most frequent problems")
	if len(e.TopKinds) == 0 {
		v.NoKinds = l.pick("未发现扣分或否决问题。", "No problem deducted points or vetoed a unit.")
	} else {
		ks := barSpec{Title: l.pick("问题数最多的问题类型", "Most frequent kinds of problem"), Sep: l.pick("：", ": ")}
		v.Kinds.Class = "kinds"
		v.Kinds.Head = append(cells("", l.pick("问题类型", "Problem")), cells("num", l.pick("问题数", "Problems"), l.pick("涉及单位", "Units"), l.pick("扣分", "Points"))...)
		for _, k := range e.TopKinds {
			name := l.kindName(k.Kind)
			ks.Rows = append(ks.Rows, barRow{Label: name, Values: []float64{float64(k.Count)},
				ValueLabels: []string{l.pick(fmt.Sprintf("%d条，%d个单位", k.Count, k.Units), fmt.Sprintf("%d in %d units", k.Count, k.Units))}})
			v.Kinds.Rows = append(v.Kinds.Rows, []cellView{{Text: name}, {Text: strconv.Itoa(k.Count), Class: "num"},
				{Text: strconv.Itoa(k.Units), Class: "num"}, {Text: num(k.Points), Class: "num"}})
		}
		c := hbarChart(ks)
		v.KindsChart = &c
	}

	// Movers.
	v.MoversHeading = heading("进步与退步", "Biggest changes since the previous audit")
	if !e.HasPrevious {
		v.NoPrevious = l.pick("本次为首次评估，没有可比较的上次评估。", "This is the first audit; there is no previous audit to compare with.")
	} else {
		v.ImprovedHeading = l.pick("得分上升最多的单位", "Most improved")
		v.DeclinedHeading = l.pick("得分下降最多的单位", "Fell back most")
		v.Improved, v.Declined = moverTable(l, e.Improved), moverTable(l, e.Declined)
		if len(e.Improved) == 0 {
			v.NoImproved = l.pick("没有得分上升的单位。", "No unit scored higher.")
		}
		if len(e.Declined) == 0 {
			v.NoDeclined = l.pick("没有得分下降的单位。", "No unit scored lower.")
		}
	}

	// Statuses.
	v.StatusHeading = heading("问题整改情况", "Problems fixed and outstanding")
	if !e.HasPrevious {
		v.StatusText = l.pick("本次为首次评估，所有问题均为新发现。", "This is the first audit; every problem is new.")
	} else {
		v.StatusText = l.pick("与上次评估的问题相比：", "Against the problems of the previous audit:")
		v.Statuses.Class = "statuses"
		v.Statuses.Head = append(cells("", l.pick("状态", "Status")), cells("num", l.pick("问题数", "Problems"))...)
		v.Statuses.Rows = [][]cellView{
			{{Text: l.pick("新发现", "New")}, {Text: strconv.Itoa(e.Statuses.New), Class: "num"}},
			{{Text: l.pick("仍未整改", "Persisting")}, {Text: strconv.Itoa(e.Statuses.Persisting), Class: "num"}},
			{{Text: l.pick("已整改", "Resolved")}, {Text: strconv.Itoa(e.Statuses.Resolved), Class: "num"}},
		}
	}

	// Appendix.
	v.AppendixHeading = l.pick("附录：各单位问题分类统计", "Appendix: each unit's problems by kind")
	v.Appendix.Class = "appendix"
	v.Appendix.Head = append(cells("num", l.pick("排名", "Rank")), cells("", l.pick("单位", "Unit"))...)
	v.Appendix.Head = append(v.Appendix.Head, cells("num", l.pick("问题数", "Problems"), l.pick("扣分", "Points"))...)
	v.Appendix.Head = append(v.Appendix.Head, cellView{Text: l.pick("按类型", "By kind")})
	for _, u := range e.Appendix {
		var parts []string
		for _, k := range u.Kinds {
			parts = append(parts, l.kindName(k.Kind)+" "+strconv.Itoa(k.Count))
		}
		kinds := strings.Join(parts, l.pick("；", "; "))
		if kinds == "" {
			kinds = l.pick("无", "none")
		}
		v.Appendix.Rows = append(v.Appendix.Rows, []cellView{{Text: strconv.Itoa(u.Rank), Class: "num"}, {Text: u.UnitName},
			{Text: strconv.Itoa(u.Findings), Class: "num"}, {Text: num(u.Points), Class: "num"}, {Text: kinds}})
	}
	return v
}

// gradeClass colours the grade bands from green (the best) to red (the
// worst, always g3), whatever their number.
func gradeClass(i, n int) string {
	switch {
	case n > 1 && i == n-1:
		return "g3"
	case i > 2:
		return "g2"
	}
	return "g" + strconv.Itoa(i)
}

// plural is "1 unit" or "2 units".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// countChange counts the rows whose score changed in the direction of sign.
func countChange(rows []RankingRow, sign int) int {
	n := 0
	for _, r := range rows {
		if r.ScoreChange == nil {
			continue
		}
		if c := round2(*r.ScoreChange); (sign > 0 && c > 0) || (sign < 0 && c < 0) {
			n++
		}
	}
	return n
}

func intPtrFloat(p *int) *float64 {
	if p == nil {
		return nil
	}
	f := float64(*p)
	return &f
}

// changeCell renders a change with an arrow and a class: ↑ up, ↓ down, 0
// same, 新 when the unit has no previous score.
func changeCell(l lang, p *float64) cellView {
	switch {
	case p == nil:
		return cellView{Text: l.pick("新", "new"), Class: "num new"}
	case round2(*p) > 0:
		return cellView{Text: "↑" + num(*p), Class: "num up"}
	case round2(*p) < 0:
		return cellView{Text: "↓" + num(-*p), Class: "num down"}
	}
	return cellView{Text: "0", Class: "num same"}
}

func moverTable(l lang, rows []RankingRow) tableView {
	t := tableView{Class: "movers", Head: append(cells("num", l.pick("排名", "Rank")), cells("", l.pick("单位", "Unit"))...)}
	t.Head = append(t.Head, cells("num", l.pick("得分", "Score"), l.pick("分数变化", "Score change"), l.pick("排名变化", "Rank change"))...)
	for _, r := range rows {
		t.Rows = append(t.Rows, []cellView{{Text: strconv.Itoa(r.Rank), Class: "num"}, {Text: r.UnitName},
			{Text: num(r.Score), Class: "num"}, changeCell(l, r.ScoreChange), changeCell(l, intPtrFloat(r.RankChange))})
	}
	return t
}
