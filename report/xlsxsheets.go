package report

import (
	"strconv"
	"strings"
	"time"

	"gongkai/scoring"
)

// The sheets of the workbook, laid out as cells: what each shows and in
// which columns. xlsx.go writes them.

func rankingSheet(t *RankingTable) xlsxSheet {
	s := xlsxSheet{name: SheetRanking, columns: []xlsxColumn{
		{head: "排名", max: 8}, {head: "单位"}, {head: "单位代码", max: 24}, {head: "类型", max: 16},
		{head: "得分", max: 10}, {head: "扣分", max: 10}, {head: "等级", max: 12}, {head: "否决", max: 8},
		{head: "否决原因", max: 50, wrap: true},
	}}
	for _, d := range t.Dimensions {
		h := d.label(zh)
		if d.Max > 0 {
			h += "（" + num(d.Max) + "）"
		}
		s.columns = append(s.columns, xlsxColumn{head: h, max: 16})
	}
	s.columns = append(s.columns, xlsxColumn{head: "问题数", max: 10}, xlsxColumn{head: "分数变化", max: 12}, xlsxColumn{head: "排名变化", max: 12})
	for i := range t.Rows {
		r := &t.Rows[i]
		assessed := r.Grade != scoring.NotAssessedGrade
		typeName := r.UnitType
		if n, ok := t.TypeNames[r.UnitType]; ok && n != "" {
			typeName = n
		}
		veto := ""
		if r.Veto {
			veto = "是"
		}
		row := []xlsxCell{numCell(float64(r.Rank)), textCellX(r.UnitName), textCellX(r.Unit), textCellX(typeName)}
		if assessed {
			row = append(row, numCell(r.Score), numCell(r.Deducted))
		} else {
			row = append(row, xlsxCell{}, xlsxCell{})
		}
		row = append(row, textCellX(r.Grade), textCellX(veto), textCellX(strings.Join(r.VetoReasons, "；")))
		for _, d := range t.Dimensions {
			if v, ok := r.Dimensions[d.ID]; ok && assessed {
				row = append(row, numCell(v))
			} else {
				row = append(row, xlsxCell{})
			}
		}
		row = append(row, numCell(float64(r.Findings)))
		if r.ScoreChange != nil {
			row = append(row, numCell(*r.ScoreChange))
		} else {
			row = append(row, xlsxCell{})
		}
		if r.RankChange != nil {
			row = append(row, numCell(float64(*r.RankChange)))
		} else {
			row = append(row, xlsxCell{})
		}
		s.rows = append(s.rows, row)
	}
	return s
}

// problemSheet lays out problems; withUnit adds the unit's name and id.
func problemSheet(name string, t *ProblemTable, rows []Problem, withUnit bool) xlsxSheet {
	s := xlsxSheet{name: name}
	s.columns = append(s.columns, xlsxColumn{head: "编号", max: 10})
	if withUnit {
		s.columns = append(s.columns, xlsxColumn{head: "单位", max: 30}, xlsxColumn{head: "单位代码", max: 20})
	}
	s.columns = append(s.columns,
		xlsxColumn{head: "栏目", max: 20}, xlsxColumn{head: "问题类型", max: 18}, xlsxColumn{head: "类型代码", max: 24},
		xlsxColumn{head: "对象", max: 30, wrap: true}, xlsxColumn{head: "性质", max: 8},
		xlsxColumn{head: "问题描述", max: 60, wrap: true}, xlsxColumn{head: "扣分", max: 8},
		xlsxColumn{head: "依据", max: 50, wrap: true}, xlsxColumn{head: "证据网址", max: 50},
		xlsxColumn{head: "抓取时间（北京时间）", max: 20}, xlsxColumn{head: "状态", max: 10}, xlsxColumn{head: "首次发现", max: 12})
	for i := range rows {
		p := &rows[i]
		column := p.Column
		if n, ok := t.ColumnNames[p.Column]; ok && n != "" {
			column = n
		}
		u, fetched := p.URL, time.Time{}
		if len(p.Evidence) > 0 {
			fetched = p.Evidence[0].FetchedAt
			if u == "" {
				u = p.Evidence[0].URL
			}
		}
		row := []xlsxCell{numCell(float64(p.ID))}
		if withUnit {
			row = append(row, textCellX(p.UnitName), textCellX(p.Unit))
		}
		row = append(row, textCellX(column), textCellX(zh.kindName(p.Kind)), textCellX(string(p.Kind)), textCellX(p.Subject),
			textCellX(severityLabel(zh, p.Severity)), textCellX(p.Detail), numCell(p.Points), textCellX(p.Basis),
			linkCell(u), dateTimeCell(fetched), textCellX(statusName(p.Status)), dateCell(p.FirstSeen))
		s.rows = append(s.rows, row)
	}
	return s
}

// statusName is a problem's status in a workbook cell: the first seen date
// has its own column.
func statusName(s string) string {
	switch s {
	case "new":
		return "新发现"
	case "persisting":
		return "未整改"
	case "resolved":
		return "已整改"
	}
	return s
}

func kindSheet(rows []Problem) xlsxSheet {
	s := xlsxSheet{name: SheetKinds, columns: []xlsxColumn{
		{head: "问题类型", max: 20}, {head: "类型代码", max: 24}, {head: "问题数", max: 10}, {head: "单位数", max: 10}, {head: "扣分", max: 10},
	}}
	total, points := 0, 0.0
	for _, c := range ProblemsByKind(rows) {
		s.rows = append(s.rows, []xlsxCell{textCellX(zh.kindName(c.Kind)), textCellX(string(c.Kind)), numCell(float64(c.Count)),
			numCell(float64(c.Units)), numCell(c.Points)})
		total += c.Count
		points += c.Points
	}
	s.footer = [][]xlsxCell{{textCellX("合计"), {}, numCell(float64(total)), {}, numCell(points)}}
	return s
}

// unitSheets lays out one sheet per unit, named after the unit (made
// unique and valid: at most 31 characters, none of : \ / ? * [ ]).
func unitSheets(t *ProblemTable, taken map[string]bool) []xlsxSheet {
	var order []string
	byUnit := map[string][]Problem{}
	names := map[string]string{}
	for _, p := range t.Rows {
		if _, ok := byUnit[p.Unit]; !ok {
			order = append(order, p.Unit)
			names[p.Unit] = p.UnitName
		}
		byUnit[p.Unit] = append(byUnit[p.Unit], p)
	}
	var out []xlsxSheet
	for _, u := range order {
		name := uniqueSheetName(or(names[u], u), taken)
		out = append(out, problemSheet(name, t, byUnit[u], false))
	}
	return out
}

// uniqueSheetName makes a valid sheet name from s that is not yet taken,
// and takes it.
func uniqueSheetName(s string, taken map[string]bool) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) || r < 0x20 {
			return '_'
		}
		return r
	}, cleanXLSXText(s))
	s = strings.Trim(s, "' ")
	if s == "" {
		s = "unit"
	}
	base := cutUTF16(s, 31)
	name := base
	for n := 2; taken[strings.ToLower(name)] || strings.EqualFold(name, "History"); n++ {
		suffix := "(" + strconv.Itoa(n) + ")"
		name = cutUTF16(base, 31-len(suffix)) + suffix
	}
	taken[strings.ToLower(name)] = true
	return name
}

// cutUTF16 cuts s to at most n UTF-16 code units, the length Excel counts.
func cutUTF16(s string, n int) string {
	units := 0
	for i, r := range s {
		w := 1
		if r >= 0x10000 {
			w = 2
		}
		if units+w > n {
			return strings.TrimRight(s[:i], "'")
		}
		units += w
	}
	return s
}
