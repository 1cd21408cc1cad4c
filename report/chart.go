package report

import (
	"math"
	"strconv"
	"strings"
)

// The SVG charts of gongkai's outputs, the evaluation report's and the
// dashboard's: their geometry is computed here, in Go, so that a template
// only draws it and every label goes through html/template's escaping.
// Colours come from the style sheet's classes. Two layouts share the
// primitives: a horizontal bar chart (hbarChart, for the report) and a
// line chart over a series of audits (NewLineChart, for the dashboard's
// score history).

// svgChart is the geometry of a horizontal bar chart, computed in Go so that
// the template only draws it (templates/print.html.tmpl, "chart"). Lengths
// are in CSS pixels, rounded to a tenth; the chart is 680 wide, the width of
// an A4 page's text block at 96 dpi.
type svgChart struct {
	// Title names the chart for assistive technology and tooltips.
	Title         string
	Width, Height float64
	// Tracks are the full-scale backgrounds behind bars; Swatches the
	// legend's colour keys; Bars the data, one per value, in row order.
	Tracks   []svgRect
	Swatches []svgRect
	Bars     []svgRect
	// Texts are the row labels, value labels and legend labels.
	Texts []ChartText
	// AxisX, AxisTop and AxisBottom place the baseline the bars grow from.
	AxisX, AxisTop, AxisBottom float64
}

type svgRect struct {
	X, Y, W, H float64
	// Class colours the rect (s0…s5 by series, g0…g3 by grade).
	Class string
	// Tip is the bar's tooltip.
	Tip string
}

// ChartText is a text on a chart.
type ChartText struct {
	X, Y float64
	// Anchor is start, middle or end; Class is label, value or legend on a
	// bar chart, empty on a line chart.
	Anchor, Class, Text string
}

// barRow is one row of a bar chart: a label and one value per series.
type barRow struct {
	Label string
	// Values has one value per series; ValueLabels what to print after each
	// bar (the value itself when empty).
	Values      []float64
	ValueLabels []string
	// Class colours the row's bars instead of the series colours.
	Class string
}

// barSpec describes a horizontal bar chart.
type barSpec struct {
	Title string
	// Series names the series for the legend; with fewer than two series
	// there is no legend.
	Series []string
	Rows   []barRow
	// Max is the value of a full-length bar; 0 means the largest value.
	Max float64
	// Tracks draws the full-scale track behind every bar.
	Tracks bool
	// Sep goes between a label and its value in tooltips; empty means ": ".
	Sep string
}

const (
	chartWidth    = 680.0
	chartCell     = 6.2 // width of one terminal cell of text at 11px
	chartPad      = 6.0
	chartLegendH  = 22.0
	chartBarH     = 18.0 // a bar of a one-series chart
	chartGroupBar = 12.0 // a bar of a grouped chart
	chartBarGap   = 2.0
	chartRowGap   = 8.0
)

// r1 rounds to a tenth, the precision of the drawing.
func r1(x float64) float64 { return math.Round(x*10) / 10 }

// textWidth estimates how wide s is drawn at the chart's font size.
func textWidth(s string) float64 { return float64(Width(s)) * chartCell }

func clamp(x, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, x)) }

// hbarChart lays out a horizontal bar chart: row labels right-aligned in a
// column sized to the longest label, bars from a common baseline scaled to
// Max, each followed by its value label; with several series, the bars of
// a row are stacked closely and a legend runs along the top. Every value
// gets a bar, even a zero-length one, so that the bars match the data one
// to one.
func hbarChart(s barSpec) svgChart {
	nSeries := len(s.Series)
	if nSeries == 0 {
		nSeries = 1
	}
	labelW, valueW, max := 0.0, 0.0, s.Max
	for _, row := range s.Rows {
		labelW = math.Max(labelW, textWidth(row.Label))
		for i, v := range row.Values {
			max = math.Max(max, v)
			valueW = math.Max(valueW, textWidth(valueLabel(row, i)))
		}
	}
	if max <= 0 {
		max = 1
	}
	labelW = clamp(labelW+2*chartPad, 48, 240)
	valueW = clamp(valueW+2*chartPad, 36, 200)
	sep := s.Sep
	if sep == "" {
		sep = ": "
	}
	x0 := labelW
	span := chartWidth - labelW - valueW

	c := svgChart{Title: s.Title, Width: chartWidth, AxisX: r1(x0)}
	y := chartPad
	if len(s.Series) > 1 {
		x := x0
		for i, name := range s.Series {
			c.Swatches = append(c.Swatches, svgRect{X: r1(x), Y: 6, W: 10, H: 10, Class: seriesClass(i)})
			c.Texts = append(c.Texts, ChartText{X: r1(x + 14), Y: 11, Anchor: "start", Class: "legend", Text: name})
			x += 14 + textWidth(name) + 16
		}
		y = chartLegendH + chartPad
	}
	c.AxisTop = r1(y - 2)
	barH := chartBarH
	if nSeries > 1 {
		barH = chartGroupBar
	}
	for _, row := range s.Rows {
		top := y
		for i, v := range row.Values {
			w := span * math.Max(v, 0) / max
			if s.Tracks {
				c.Tracks = append(c.Tracks, svgRect{X: r1(x0), Y: r1(y), W: r1(span), H: barH})
			}
			class := row.Class
			if class == "" {
				class = seriesClass(i)
			}
			tip := row.Label
			if len(s.Series) > 1 && i < len(s.Series) {
				tip += " · " + s.Series[i]
			}
			tip += sep + valueLabel(row, i)
			c.Bars = append(c.Bars, svgRect{X: r1(x0), Y: r1(y), W: r1(w), H: barH, Class: class, Tip: tip})
			c.Texts = append(c.Texts, ChartText{X: r1(x0 + w + 4), Y: r1(y + barH/2), Anchor: "start", Class: "value", Text: valueLabel(row, i)})
			y += barH + chartBarGap
		}
		y -= chartBarGap
		c.Texts = append(c.Texts, ChartText{X: r1(x0 - chartPad), Y: r1((top + y) / 2), Anchor: "end", Class: "label", Text: row.Label})
		y += chartRowGap
	}
	y += chartPad - chartRowGap
	c.AxisBottom = r1(y - chartPad + 2)
	c.Height = r1(math.Max(y, c.AxisTop+chartPad))
	return c
}

func valueLabel(row barRow, i int) string {
	if i < len(row.ValueLabels) && row.ValueLabels[i] != "" {
		return row.ValueLabels[i]
	}
	if i < len(row.Values) {
		return num(row.Values[i])
	}
	return ""
}

func seriesClass(i int) string { return "s" + string(rune('0'+i%6)) }

// LineChart is the geometry of a line chart of values over a series (a
// unit's score over the audits). Lengths are in SVG user units.
type LineChart struct {
	W, H  float64
	Title string
	// Grid are the horizontal value lines with their labels; Bands the
	// thresholds within the value range.
	Grid  []ChartRule
	Bands []ChartRule
	// Line is the polyline through the points ("x,y x,y ...").
	Line   string
	Points []ChartPoint
	// Ticks label the points along the bottom.
	Ticks                     []ChartText
	AxisX, AxisY0, AxisY1, X1 float64
}

// ChartRule is a horizontal line across a chart with its label.
type ChartRule struct {
	Y, LabelY   float64
	Class, Text string
}

// ChartPoint is one value of a line chart: a dot with a tooltip and a link.
type ChartPoint struct {
	X, Y    float64
	Class   string
	Tip     string
	Href    string
	Current bool
}

// LineSpec describes a line chart.
type LineSpec struct {
	Title string
	// Max is the top of the value axis (100 when not above 0), raised to
	// the largest value.
	Max    float64
	Points []LinePoint
	// Bands are thresholds drawn as lines where they fall inside the
	// value axis.
	Bands []LineBand
}

// LinePoint is one value of a line chart, left to right.
type LinePoint struct {
	Value float64
	// Class colours the dot; Tip is its tooltip and Href its link; Current
	// marks the point the page is about.
	Class, Tip, Href string
	Current          bool
	// Labels go under the point, one per line, on at most eight points.
	Labels []string
}

// LineBand is a threshold of a line chart.
type LineBand struct {
	Value       float64
	Class, Text string
}

const (
	lineW      = 720.0
	lineH      = 240.0
	lineLeft   = 44.0
	lineRight  = 72.0
	lineTop    = 14.0
	lineBottom = 40.0
	lineMaxTks = 8
)

// NewLineChart lays out s, one point per value, the first on the left.
// The value axis runs to Max and down to a round figure below the lowest
// value, so that small changes show. With no points, nil.
func NewLineChart(s LineSpec) *LineChart {
	h := s.Points
	if len(h) == 0 {
		return nil
	}
	total := s.Max
	if total <= 0 {
		total = 100
	}
	lo := total
	for _, p := range h {
		lo = math.Min(lo, p.Value)
		total = math.Max(total, p.Value)
	}
	step := 10.0
	if total > 200 {
		step = math.Pow(10, math.Floor(math.Log10(total)))
	}
	lo = math.Max(0, math.Floor((lo-step/2)/step)*step)
	c := &LineChart{W: lineW, H: lineH, Title: s.Title, AxisX: lineLeft, AxisY0: lineTop, AxisY1: lineH - lineBottom,
		X1: lineW - lineRight}
	plotW, plotH := lineW-lineLeft-lineRight, lineH-lineTop-lineBottom
	y := func(v float64) float64 { return r1(lineTop + plotH*(1-(v-lo)/(total-lo))) }
	x := func(i int) float64 {
		if len(h) == 1 {
			return r1(lineLeft + plotW/2)
		}
		return r1(lineLeft + 12 + (plotW-24)*float64(i)/float64(len(h)-1))
	}
	gridStep := niceStep(total - lo)
	lo = math.Floor(lo/gridStep) * gridStep
	for k := 0; lo+float64(k)*gridStep <= total+1e-9; k++ {
		v := lo + float64(k)*gridStep
		c.Grid = append(c.Grid, ChartRule{Y: y(v), LabelY: y(v), Class: "grid", Text: num(v)})
	}
	for _, b := range s.Bands {
		if b.Value > lo && b.Value < total {
			c.Bands = append(c.Bands, ChartRule{Y: y(b.Value), LabelY: y(b.Value), Class: b.Class, Text: b.Text})
		}
	}
	every := (len(h) + lineMaxTks - 1) / lineMaxTks
	var pts []string
	for i, p := range h {
		px, py := x(i), y(p.Value)
		pts = append(pts, strconv.FormatFloat(px, 'f', -1, 64)+","+strconv.FormatFloat(py, 'f', -1, 64))
		c.Points = append(c.Points, ChartPoint{X: px, Y: py, Class: p.Class, Tip: p.Tip, Current: p.Current, Href: p.Href})
		if i%every == 0 || i == len(h)-1 {
			for k, l := range p.Labels {
				c.Ticks = append(c.Ticks, ChartText{X: px, Y: lineH - lineBottom + 16 + 14*float64(k), Text: l, Anchor: "middle"})
			}
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
