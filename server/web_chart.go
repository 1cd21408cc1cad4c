package server

import (
	"fmt"
	"net/url"
	"strconv"

	"gongkai/report"
	"gongkai/store"
)

// historyChart lays out a unit's score over the audits (report's line
// chart), oldest on the left, one point per audit linking to the unit's
// page in that audit, with the grade thresholds as dashed lines. The score
// axis runs to the ruleset's total.
func historyChart(h []store.HistoryPoint, current int64, unitID string, total float64, n names) *report.LineChart {
	s := report.LineSpec{Title: "得分走势 Score history", Max: total}
	for _, g := range n.rs.Grades {
		s.Bands = append(s.Bands, report.LineBand{Value: g.Min, Class: "band " + n.gradeClass(g.Name), Text: g.Name + " ≥" + fmtNum(g.Min)})
	}
	for _, p := range h {
		class := "pt " + n.gradeClass(p.Grade)
		if p.Veto {
			class += " veto"
		}
		s.Points = append(s.Points, report.LinePoint{Value: p.Score, Class: class, Current: p.AuditID == current,
			Tip:    fmt.Sprintf("审计 #%d · %s · %s 分 · %s · 第 %d/%d 名", p.AuditID, p.AsOf, fmtNum(p.Score), p.Grade, p.Rank, p.Units),
			Href:   "/units/" + url.PathEscape(unitID) + auditQuery(p.AuditID),
			Labels: []string{"#" + strconv.FormatInt(p.AuditID, 10), p.AsOf.String()}})
	}
	return report.NewLineChart(s)
}
