package server

import (
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"

	"gongkai/store"
)

// The unit page's score-history chart.

// lineChart is the geometry of the score-history chart, computed here so
// that the template only draws it. Lengths are in SVG user units.
type lineChart struct {
	W, H  float64
	Title string
	// Grid are the horizontal score lines with their labels; Bands the
	// grade thresholds within the score range.
	Grid  []chartRule
	Bands []chartRule
	// Line is the polyline through the points ("x,y x,y ...").
	Line   string
	Points []chartPoint
	// Ticks label the audits along the bottom.
	Ticks                     []chartText
	AxisX, AxisY0, AxisY1, X1 float64
}

// chartRule is a horizontal line across the chart with its label.
type chartRule struct {
	Y, LabelY   float64
	Class, Text string
}

// chartPoint is one audit's score: a dot with a tooltip, linking to the
// unit's page in that audit.
type chartPoint struct {
	X, Y    float64
	Class   string
	Tip     string
	Href    string
	Current bool
}

// chartText is a label along the bottom of the chart.
type chartText struct {
	X, Y   float64
	Text   string
	Anchor string
}

const (
	chartW      = 720.0
	chartH      = 240.0
	chartLeft   = 44.0
	chartRight  = 72.0
	chartTop    = 14.0
	chartBottom = 40.0
	chartMaxTks = 8
)

// r1 rounds to a tenth, the precision of the drawing.
func r1(x float64) float64 { return math.Round(x*10) / 10 }

// historyChart lays out a unit's score over the audits, oldest on the
// left, one point per audit, with the grade thresholds as dashed lines.
// The score axis runs to the ruleset's total and down to a round figure
// below the lowest score, so small changes show.
func historyChart(h []store.HistoryPoint, current int64, unitID string, total float64, n names) *lineChart {
	if len(h) == 0 {
		return nil
	}
	if total <= 0 {
		total = 100
	}
	lo := total
	for _, p := range h {
		lo = math.Min(lo, p.Score)
		total = math.Max(total, p.Score)
	}
	step := 10.0
	if total > 200 {
		step = math.Pow(10, math.Floor(math.Log10(total)))
	}
	lo = math.Max(0, math.Floor((lo-step/2)/step)*step)
	c := &lineChart{W: chartW, H: chartH, Title: "得分走势 Score history", AxisX: chartLeft, AxisY0: chartTop, AxisY1: chartH - chartBottom,
		X1: chartW - chartRight}
	plotW, plotH := chartW-chartLeft-chartRight, chartH-chartTop-chartBottom
	y := func(v float64) float64 { return r1(chartTop + plotH*(1-(v-lo)/(total-lo))) }
	x := func(i int) float64 {
		if len(h) == 1 {
			return r1(chartLeft + plotW/2)
		}
		return r1(chartLeft + 12 + (plotW-24)*float64(i)/float64(len(h)-1))
	}
	gridStep := niceStep(total - lo)
	lo = math.Floor(lo/gridStep) * gridStep
	for k := 0; lo+float64(k)*gridStep <= total+1e-9; k++ {
		v := lo + float64(k)*gridStep
		c.Grid = append(c.Grid, chartRule{Y: y(v), LabelY: y(v), Class: "grid", Text: fmtNum(v)})
	}
	for _, g := range n.rs.Grades {
		if g.Min > lo && g.Min < total {
			c.Bands = append(c.Bands, chartRule{Y: y(g.Min), LabelY: y(g.Min), Class: "band " + n.gradeClass(g.Name), Text: g.Name + " ≥" + fmtNum(g.Min)})
		}
	}
	every := (len(h) + chartMaxTks - 1) / chartMaxTks
	var pts []string
	for i, p := range h {
		px, py := x(i), y(p.Score)
		pts = append(pts, strconv.FormatFloat(px, 'f', -1, 64)+","+strconv.FormatFloat(py, 'f', -1, 64))
		class := "pt " + n.gradeClass(p.Grade)
		if p.Veto {
			class += " veto"
		}
		tip := fmt.Sprintf("审计 #%d · %s · %s 分 · %s · 第 %d/%d 名", p.AuditID, p.AsOf, fmtNum(p.Score), p.Grade, p.Rank, p.Units)
		c.Points = append(c.Points, chartPoint{X: px, Y: py, Class: class, Tip: tip, Current: p.AuditID == current,
			Href: "/units/" + url.PathEscape(unitID) + auditQuery(p.AuditID)})
		if i%every == 0 || i == len(h)-1 {
			c.Ticks = append(c.Ticks, chartText{X: px, Y: chartH - chartBottom + 16, Text: "#" + strconv.FormatInt(p.AuditID, 10), Anchor: "middle"},
				chartText{X: px, Y: chartH - chartBottom + 30, Text: p.AsOf.String(), Anchor: "middle"})
		}
	}
	c.Line = strings.Join(pts, " ")
	return c
}

// niceStep is a round step (1, 2, 2.5 or 5 times a power of ten) that
// cuts span into about five.
func niceStep(span float64) float64 {
	raw := span / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5} {
		if m*mag >= raw {
			return m * mag
		}
	}
	return 10 * mag
}
