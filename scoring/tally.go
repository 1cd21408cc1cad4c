package scoring

// Tallying: a unit's findings turned into its score.

import (
	"fmt"
	"math"
	"sort"

	"gongkai/evidence"
	"gongkai/rules"
)

func (j *judge) total(checks []*rules.Check) UnitScore {
	return Tally(j.rs, j.ue.Unit, j.findings)
}

// Tally turns a unit's findings into its score: points allocated under
// indicator caps in check order, dimension subtotals, vetoes and grade. It
// sets each finding's Points and sorts the findings into check order. A
// score can always be recomputed from stored findings with Tally.
func Tally(rs *rules.Ruleset, unit evidence.Unit, findings []Finding) UnitScore {
	checks := rs.ChecksFor(unit.Type)
	checkIdx := map[string]int{}
	for i := range rs.Checks {
		checkIdx[rs.Checks[i].ID] = i
	}
	sort.SliceStable(findings, func(a, b int) bool {
		fa, fb := &findings[a], &findings[b]
		if checkIdx[fa.Rule] != checkIdx[fb.Rule] {
			return checkIdx[fa.Rule] < checkIdx[fb.Rule]
		}
		if fa.Kind != fb.Kind {
			return fa.Kind < fb.Kind
		}
		if fa.Subject != fb.Subject {
			return fa.Subject < fb.Subject
		}
		return fa.Part < fb.Part
	})
	remaining := map[string]float64{}
	for i := range rs.Indicators {
		remaining[rs.Indicators[i].ID] = rs.Indicators[i].Points
	}
	dimDeduct := map[string]float64{}
	us := UnitScore{Unit: unit.ID, UnitName: unit.Name, UnitType: unit.Type, Findings: map[string]int{}}
	for i := range findings {
		f := &findings[i]
		us.Findings[f.Severity]++
		if f.Severity != string(rules.SeverityDeduction) {
			continue
		}
		take := math.Min(f.Nominal, remaining[f.Indicator])
		take = math.Max(take, 0)
		f.Points = round2(take)
		remaining[f.Indicator] -= take
		dimDeduct[f.Dimension] += take
	}
	total := 0.0
	for _, d := range rs.Dimensions {
		ded := math.Min(dimDeduct[d.ID], d.Points)
		ds := DimensionScore{ID: d.ID, Name: d.Name, Max: d.Points, Deduct: round2(ded), Score: round2(d.Points - ded)}
		us.Dimensions = append(us.Dimensions, ds)
		total += ds.Score
		us.Deducted += ded
	}
	us.Deducted = round2(us.Deducted)
	us.Total = round2(total)
	var forced *float64
	for _, c := range checks {
		switch c.Kind {
		case rules.KindCountVeto:
			n := 0
			for _, f := range findings {
				if f.Kind == c.Finding && f.Severity != string(rules.SeverityNotice) {
					n++
				}
			}
			if n >= c.AtLeast {
				us.Veto = true
				us.VetoReasons = append(us.VetoReasons, fmt.Sprintf("%s：%s %d项（达到%d项即否决）", c.ID, c.Finding.Chinese(), n, c.AtLeast))
				if c.Score != nil {
					forced = c.Score
				}
			}
		}
	}
	for _, f := range findings {
		if f.Severity == string(rules.SeverityVeto) {
			us.Veto = true
			us.VetoReasons = append(us.VetoReasons, fmt.Sprintf("%s：%s", f.Rule, f.Kind.Chinese()))
			for _, c := range checks {
				if c.ID == f.Rule && c.Score != nil {
					forced = c.Score
				}
			}
		}
	}
	if forced != nil {
		scale := 0.0
		if us.Total > 0 {
			scale = math.Min(*forced, us.Total) / us.Total
		}
		for i := range us.Dimensions {
			us.Dimensions[i].Score = round2(us.Dimensions[i].Score * scale)
		}
		us.Total = round2(math.Min(*forced, us.Total))
	}
	us.Grade = rs.GradeFor(us.Total).Name
	if us.Veto {
		us.Grade = rs.FailGrade().Name
	}
	if !us.Veto && notAssessed(findings) {
		// Nothing of the site could be seen, and the rules do not hold it
		// against the unit (a challenge page, robots.txt, too few failures
		// in the window): no score, not the full one.
		us.Grade, us.Total, us.Deducted = NotAssessedGrade, 0, 0
		for i := range us.Dimensions {
			us.Dimensions[i].Score, us.Dimensions[i].Deduct = 0, 0
		}
	}
	return us
}

// NotAssessedGrade is the grade of a unit whose site could not be audited
// and which the rules do not judge unreachable (blocked by an anti-bot
// challenge or by robots.txt, or unanswering fewer times than the
// observation window requires): it has no score and ranks after every
// assessed unit.
const NotAssessedGrade = "未评估"

// Assessed reports whether the unit was scored (see NotAssessedGrade).
func (u *UnitScore) Assessed() bool { return u.Grade != NotAssessedGrade }

// notAssessed reports whether findings hold a site.unreachable notice: the
// site was not seen, and that costs nothing.
func notAssessed(findings []Finding) bool {
	for _, f := range findings {
		if f.Kind == rules.FindingSiteUnreachable && f.Severity == string(rules.SeverityNotice) {
			return true
		}
	}
	return false
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }
