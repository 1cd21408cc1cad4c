package report

import (
	"strings"
	"testing"
)

func TestHbarChart(t *testing.T) {
	t.Run("one series", func(t *testing.T) {
		c := hbarChart(barSpec{Title: "t", Rows: []barRow{
			{Label: "栏目未按期更新", Values: []float64{6}},
			{Label: "空白栏目", Values: []float64{3}},
			{Label: "b", Values: []float64{0}},
			{Label: "neg", Values: []float64{-2}},
		}})
		if len(c.Bars) != 4 || len(c.Tracks) != 0 || len(c.Swatches) != 0 {
			t.Fatalf("bars %d, tracks %d, swatches %d", len(c.Bars), len(c.Tracks), len(c.Swatches))
		}
		full := c.Bars[0].W
		if c.Bars[1].W != r1(full/2) || c.Bars[2].W != 0 || c.Bars[3].W != 0 {
			t.Errorf("bar widths %v %v %v %v: want proportional, none negative", full, c.Bars[1].W, c.Bars[2].W, c.Bars[3].W)
		}
		// The longest label (14 cells) sets the label column; the largest
		// bar and its value label stay inside the chart.
		if x := c.Bars[0].X; x != r1(14*chartCell+2*chartPad) {
			t.Errorf("bars start at %v", x)
		}
		if end := c.Bars[0].X + full + textWidth("6"); end > c.Width {
			t.Errorf("the longest bar and its label end at %v, past %v", end, c.Width)
		}
		for i := 1; i < len(c.Bars); i++ {
			if c.Bars[i].Y <= c.Bars[i-1].Y+c.Bars[i-1].H {
				t.Errorf("bar %d overlaps the one above", i)
			}
		}
		last := c.Bars[len(c.Bars)-1]
		if c.Height < last.Y+last.H {
			t.Errorf("height %v cuts the last bar (%v+%v)", c.Height, last.Y, last.H)
		}
	})
	t.Run("series and tracks", func(t *testing.T) {
		c := hbarChart(barSpec{Series: []string{"区政府", "乡镇", "街道"}, Max: 100, Tracks: true, Rows: []barRow{
			{Label: "完整性", Values: []float64{100, 50, 25}},
			{Label: "及时性", Values: []float64{0, 100, 75}},
		}})
		if len(c.Bars) != 6 || len(c.Tracks) != 6 || len(c.Swatches) != 3 {
			t.Fatalf("bars %d, tracks %d, swatches %d", len(c.Bars), len(c.Tracks), len(c.Swatches))
		}
		if c.Bars[0].W != c.Tracks[0].W || c.Bars[1].W != r1(c.Tracks[0].W/2) {
			t.Errorf("bars not scaled to Max: %v %v of %v", c.Bars[0].W, c.Bars[1].W, c.Tracks[0].W)
		}
		if c.Bars[0].Class != "s0" || c.Bars[2].Class != "s2" || c.Bars[3].Class != "s0" {
			t.Errorf("series classes %s %s %s", c.Bars[0].Class, c.Bars[2].Class, c.Bars[3].Class)
		}
		if c.Bars[0].Y < chartLegendH {
			t.Errorf("first bar at %v overlaps the legend", c.Bars[0].Y)
		}
	})
	t.Run("empty", func(t *testing.T) {
		c := hbarChart(barSpec{Title: "none"})
		if len(c.Bars) != 0 || c.Height <= 0 {
			t.Errorf("empty chart: %d bars, height %v", len(c.Bars), c.Height)
		}
	})
}

func TestNewLineChart(t *testing.T) {
	if c := NewLineChart(LineSpec{}); c != nil {
		t.Fatalf("no points: %+v, want nil", c)
	}
	var pts []LinePoint
	for i := 0; i < 17; i++ {
		pts = append(pts, LinePoint{Value: 70 + float64(i), Labels: []string{"#", "date"}})
	}
	c := NewLineChart(LineSpec{Max: 100, Points: pts, Bands: []LineBand{{Value: 90}, {Value: 80}, {Value: 0}}})
	if len(c.Points) != 17 || strings.Count(c.Line, ",") != 17 {
		t.Fatalf("%d points, line %q", len(c.Points), c.Line)
	}
	for i := 1; i < len(c.Points); i++ {
		if c.Points[i].X <= c.Points[i-1].X || c.Points[i].Y >= c.Points[i-1].Y {
			t.Errorf("point %d at %v,%v: want right of and above %v,%v", i, c.Points[i].X, c.Points[i].Y, c.Points[i-1].X, c.Points[i-1].Y)
		}
	}
	// The axis runs from a round figure below the lowest value to Max: the
	// band at 0 falls outside; at most eight points are labelled, the last
	// among them.
	if len(c.Bands) != 2 {
		t.Errorf("bands %+v: want the two inside the axis", c.Bands)
	}
	if first, last := c.Grid[0], c.Grid[len(c.Grid)-1]; first.Text != "60" || last.Text != "100" || last.Y != c.AxisY0 || first.Y != c.AxisY1 {
		t.Errorf("grid from %+v to %+v", first, last)
	}
	if n := len(c.Ticks) / 2; n > 8 || c.Ticks[len(c.Ticks)-1].X != c.Points[16].X {
		t.Errorf("%d points labelled, the last at %v", n, c.Ticks[len(c.Ticks)-1].X)
	}
}
