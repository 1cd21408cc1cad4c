package server

import (
	"testing"

	"gongkai/report"
	"gongkai/rules"
	"gongkai/scoring"
)

// TestRankingFill_NotAssessed: a unit not assessed shows no score and no
// dimension scores, and the mean is over the assessed units only.
func TestRankingFill_NotAssessed(t *testing.T) {
	dims := []report.DimensionHeader{{ID: "completeness", Name: "完整性", Max: 40}}
	p := &rankingPage{View: &RankingView{Dimensions: dims, Ranking: []report.RankingRow{
		{Rank: 1, Unit: "a", Score: 90, Grade: "优秀", Dimensions: map[string]float64{"completeness": 35}},
		{Rank: 2, Unit: "b", Score: 70, Grade: "合格", Dimensions: map[string]float64{"completeness": 30}},
		{Rank: 3, Unit: "c", Score: 0, Grade: scoring.NotAssessedGrade, Dimensions: map[string]float64{"completeness": 0}},
	}}}
	p.fill(names{rules.MustDefault()})
	if p.Mean != 80 {
		t.Errorf("mean %v, want 80 (the unit not assessed left out)", p.Mean)
	}
	c := p.Rows[2]
	if !c.Unassessed || c.Dims[0].Text != "—" || p.Rows[0].Unassessed {
		t.Errorf("rows: %+v / %+v", p.Rows[0], c)
	}
}
