package report

import (
	"gongkai/scoring"
	"gongkai/store"
)

// ProblemsFrom turns stored findings (from store.Findings and
// store.ResolvedFindings) into problem-list rows, in the same order.
func ProblemsFrom(findings []store.StoredFinding) []Problem {
	out := make([]Problem, len(findings))
	for i := range findings {
		f := &findings[i]
		out[i] = Problem{
			ID: f.ID, Unit: f.Unit, UnitName: f.UnitName, Kind: f.Kind, Rule: f.Rule, Column: f.Column,
			Subject: f.Subject, Severity: f.Severity, Points: f.Points, Nominal: f.Nominal, URL: f.URL,
			Detail: f.Detail, Basis: f.Basis, Dimension: f.Dimension, Indicator: f.Indicator,
			Status: f.Status, FirstSeen: f.FirstSeen, Evidence: f.Evidence,
		}
	}
	return out
}

// RankingFrom turns unit scores, in rank order, into ranking rows. prev
// holds the previous audit's scores by unit (store.PreviousScores); nil
// means there is no previous audit, and every change is nil.
func RankingFrom(scores []scoring.UnitScore, prev map[string]scoring.UnitScore) []RankingRow {
	out := make([]RankingRow, len(scores))
	for i := range scores {
		u := &scores[i]
		r := RankingRow{
			Rank: u.Rank, Unit: u.Unit, UnitName: u.UnitName, UnitType: u.UnitType, Score: u.Total,
			Deducted: u.Deducted, Grade: u.Grade, Veto: u.Veto, VetoReasons: u.VetoReasons,
			Dimensions: make(map[string]float64, len(u.Dimensions)),
		}
		for _, d := range u.Dimensions {
			r.Dimensions[d.ID] = d.Score
		}
		for _, n := range u.Findings {
			r.Findings += n
		}
		if p, ok := prev[u.Unit]; ok && u.Assessed() && p.Assessed() {
			// A unit not assessed now or then has no score to compare.
			change := round2(u.Total - p.Total)
			rankChange := p.Rank - u.Rank
			r.ScoreChange, r.RankChange = &change, &rankChange
		}
		out[i] = r
	}
	return out
}

// DimensionsFrom lists the dimensions the scores use, in the order the
// first unit lists them (then any others in order of appearance), with
// their names and full points.
func DimensionsFrom(scores []scoring.UnitScore) []DimensionHeader {
	var out []DimensionHeader
	seen := map[string]bool{}
	for _, u := range scores {
		for _, d := range u.Dimensions {
			if seen[d.ID] {
				continue
			}
			seen[d.ID] = true
			out = append(out, DimensionHeader{ID: d.ID, Name: d.Name, Max: d.Max})
		}
	}
	return out
}

// SummariesFrom maps each unit's id to the summary its problem-list heading
// shows (Options.Units).
func SummariesFrom(scores []scoring.UnitScore) map[string]UnitSummary {
	out := make(map[string]UnitSummary, len(scores))
	for _, u := range scores {
		out[u.Unit] = UnitSummary{Score: u.Total, Grade: u.Grade, Rank: u.Rank, Veto: u.Veto}
	}
	return out
}
