package report

import (
	"fmt"
	"io"
	"sort"

	"gongkai/evidence"
	"gongkai/rules"
	"gongkai/scoring"
	"gongkai/store"
)

// EvaluationInput is what BuildEvaluation needs: one scoring of one audit,
// the previous audit's scores, and the ruleset's names.
type EvaluationInput struct {
	// District is the district's display name (怀柔区); empty prints 本区
	// (none in English).
	District string
	// Audit and Scoring are the audit and the scoring reported; the audit
	// date is the audit's start date in China Standard Time, the as-of date
	// and ruleset are the scoring's (falling back to the audit's).
	Audit   store.Audit
	Scoring store.Scoring
	// Scores are the scoring's unit scores, in rank order.
	Scores []scoring.UnitScore
	// Previous holds the previous complete audit's scores by unit id
	// (store.PreviousScores); nil when there is none, which leaves out
	// changes, movers and the status summary.
	Previous map[string]scoring.UnitScore
	// Findings are the scoring's findings (dismissed ones removed);
	// Resolved those of the previous audit that are gone.
	Findings []store.StoredFinding
	Resolved []store.StoredFinding
	// Dimensions are the ruleset's dimensions, for names and maxima; nil
	// takes them from the scores (Chinese names only).
	Dimensions []rules.Dimension
	// Grades are the ruleset's grade bands, for the order of the
	// distribution and to show empty bands; nil shows the grades given,
	// best first.
	Grades []rules.Grade
	// UnitTypes are the ruleset's unit types, for names and order; nil
	// shows type ids in order of appearance.
	UnitTypes []rules.UnitType
	// Lang is "en" for English labels; anything else Chinese. Data (names,
	// grades, details) is never translated.
	Lang string
}

// Evaluation is the district's evaluation report (评估报告) for one audit:
// what the report prints, gathered by BuildEvaluation. WriteEvaluationHTML
// makes from it the view its template executes against.
type Evaluation struct {
	// Lang is "zh" or "en".
	Lang string
	// District is the district's display name as given.
	District string
	// AuditID, AuditDate, AsOf, WindowFrom and WindowTo place the audit.
	AuditID    int64
	AuditDate  evidence.Date
	AsOf       evidence.Date
	WindowFrom evidence.Date
	WindowTo   evidence.Date
	// RulesetName and RulesetVersion name the ruleset that judged.
	RulesetName    string
	RulesetVersion string
	// HasPrevious is true when a previous complete audit was compared.
	HasPrevious bool
	// Ranking is the ranking in rank order, with changes since the
	// previous audit (nil changes when there is none or the unit is new).
	Ranking []RankingRow
	// Dimensions are the dimensions in ruleset order; UnitTypes the unit
	// types that occur, in ruleset order, with their unit counts.
	Dimensions []DimensionHeader
	UnitTypes  []UnitTypeCount
	// Average is the mean score of the assessed units, vetoed ones
	// included (a unit not assessed has no score).
	Average float64
	// Grades counts units per grade band, best first.
	Grades []GradeCount
	// Vetoed is the number of vetoed units.
	Vetoed int
	// Severities counts the current findings by severity.
	Severities SeverityCounts
	// DimensionAverages give each dimension's mean score, overall and by
	// unit type.
	DimensionAverages []DimensionAverage
	// TopKinds are the ten most frequent kinds of problem (vetoes and
	// deductions; notices are left out).
	TopKinds []KindCount
	// Improved and Declined are the units whose score rose or fell most
	// since the previous audit, ten at most each, biggest change first.
	Improved []RankingRow
	Declined []RankingRow
	// Statuses counts findings new, persisting and resolved against the
	// previous audit; zero without one.
	Statuses StatusCounts
	// Appendix counts each unit's findings by kind, in rank order.
	Appendix []UnitKinds
}

// UnitTypeCount is a unit type and how many units of it were audited.
type UnitTypeCount struct {
	ID, Name string
	Units    int
}

// GradeCount is a grade band and how many units earned it.
type GradeCount struct {
	Grade string
	Count int
}

// SeverityCounts counts findings by severity.
type SeverityCounts struct {
	Veto, Deduction, Notice int
}

// StatusCounts counts findings by status against the previous audit.
type StatusCounts struct {
	New, Persisting, Resolved int
}

// DimensionAverage is the mean score in one dimension.
type DimensionAverage struct {
	DimensionHeader
	// Average is the mean score of all units and Percent that as a
	// percentage of Max.
	Average float64
	Percent float64
	// ByType has one entry per UnitTypes entry, in the same order.
	ByType []TypeAverage
}

// TypeAverage is the mean score in a dimension of the units of one type.
type TypeAverage struct {
	Type    string
	Units   int
	Average float64
	Percent float64
}

// UnitKinds is one unit's findings counted by kind.
type UnitKinds struct {
	Rank     int
	Unit     string
	UnitName string
	// Findings is the number of findings of every severity; Points what
	// they deducted.
	Findings int
	Points   float64
	// Kinds are the counts by kind, most frequent first (ties by kind).
	Kinds []KindCount
}

// BuildEvaluation gathers the evaluation report of one scoring.
func BuildEvaluation(in EvaluationInput) Evaluation {
	l := parseLang(in.Lang)
	asOf, rsName, rsVersion := scoringMeta(in.Audit, in.Scoring)
	e := Evaluation{
		Lang: l.pick("zh", "en"), District: in.District, AuditID: in.Audit.ID, AuditDate: auditDate(in.Audit),
		AsOf: asOf, WindowFrom: in.Scoring.WindowFrom, WindowTo: in.Scoring.WindowTo,
		RulesetName: rsName, RulesetVersion: rsVersion, HasPrevious: in.Previous != nil,
		Ranking: RankingFrom(in.Scores, in.Previous),
	}

	// Dimensions: the ruleset's when given, else those the scores carry.
	if len(in.Dimensions) > 0 {
		for _, d := range in.Dimensions {
			e.Dimensions = append(e.Dimensions, DimensionHeader{ID: d.ID, Name: d.Name, NameEN: d.NameEN, Max: d.Points})
		}
	} else {
		e.Dimensions = DimensionsFrom(in.Scores)
	}

	// Unit types in ruleset order, then any others in order of appearance.
	typeUnits := map[string]int{}
	var seenTypes []string
	for _, u := range in.Scores {
		if typeUnits[u.UnitType] == 0 {
			seenTypes = append(seenTypes, u.UnitType)
		}
		typeUnits[u.UnitType]++
	}
	listed := map[string]bool{}
	for _, t := range in.UnitTypes {
		if typeUnits[t.ID] > 0 && !listed[t.ID] {
			listed[t.ID] = true
			e.UnitTypes = append(e.UnitTypes, UnitTypeCount{ID: t.ID, Name: l.pick(or(t.Name, t.NameEN, t.ID), or(t.NameEN, t.Name, t.ID)), Units: typeUnits[t.ID]})
		}
	}
	for _, t := range seenTypes {
		if !listed[t] {
			e.UnitTypes = append(e.UnitTypes, UnitTypeCount{ID: t, Name: or(t, l.pick("未分类", "unknown")), Units: typeUnits[t]})
		}
	}

	// Average, vetoes, grades.
	total, assessed := 0.0, 0
	gradeCount := map[string]int{}
	bestRank := map[string]int{}
	for _, u := range in.Scores {
		if u.Assessed() {
			total += u.Total
			assessed++
		}
		if u.Veto {
			e.Vetoed++
		}
		gradeCount[u.Grade]++
		if r, ok := bestRank[u.Grade]; !ok || u.Rank < r {
			bestRank[u.Grade] = u.Rank
		}
	}
	if assessed > 0 {
		e.Average = round2(total / float64(assessed)) // a unit not assessed has no score to average
	}
	bands := append([]rules.Grade(nil), in.Grades...)
	sort.SliceStable(bands, func(i, j int) bool { return bands[i].Min > bands[j].Min })
	shown := map[string]bool{}
	for _, g := range bands {
		if !shown[g.Name] {
			shown[g.Name] = true
			e.Grades = append(e.Grades, GradeCount{Grade: g.Name, Count: gradeCount[g.Name]})
		}
	}
	var rest []string
	for g := range gradeCount {
		if !shown[g] {
			rest = append(rest, g)
		}
	}
	sort.Slice(rest, func(i, j int) bool {
		if bestRank[rest[i]] != bestRank[rest[j]] {
			return bestRank[rest[i]] < bestRank[rest[j]]
		}
		return rest[i] < rest[j]
	})
	for _, g := range rest {
		e.Grades = append(e.Grades, GradeCount{Grade: g, Count: gradeCount[g]})
	}

	// Dimension averages, overall and by type.
	for _, d := range e.Dimensions {
		da := DimensionAverage{DimensionHeader: d}
		sum, n := 0.0, 0
		typeSum, typeN := map[string]float64{}, map[string]int{}
		for _, u := range in.Scores {
			if !u.Assessed() {
				continue
			}
			for _, ds := range u.Dimensions {
				if ds.ID == d.ID {
					sum += ds.Score
					n++
					typeSum[u.UnitType] += ds.Score
					typeN[u.UnitType]++
				}
			}
		}
		if n > 0 {
			da.Average = round2(sum / float64(n))
		}
		da.Percent = percent(sum/float64(max(n, 1)), d.Max)
		for _, t := range e.UnitTypes {
			avg := typeSum[t.ID] / float64(max(typeN[t.ID], 1))
			da.ByType = append(da.ByType, TypeAverage{Type: t.ID, Units: t.Units, Average: round2(avg), Percent: percent(avg, d.Max)})
		}
		e.DimensionAverages = append(e.DimensionAverages, da)
	}

	// Findings: severities, statuses, top kinds, appendix.
	var problems []Problem
	for _, p := range ProblemsFrom(in.Findings) {
		switch p.Severity {
		case "veto":
			e.Severities.Veto++
		case "deduction":
			e.Severities.Deduction++
		default:
			e.Severities.Notice++
		}
		if e.HasPrevious {
			switch p.Status {
			case store.FindingNew:
				e.Statuses.New++
			case store.FindingPersisting:
				e.Statuses.Persisting++
			}
		}
		if p.Severity != "notice" {
			problems = append(problems, p)
		}
	}
	if e.HasPrevious {
		e.Statuses.Resolved = len(in.Resolved)
	}
	e.TopKinds = ProblemsByKind(problems)
	if len(e.TopKinds) > 10 {
		e.TopKinds = e.TopKinds[:10]
	}
	byUnit := map[string][]Problem{}
	for _, p := range ProblemsFrom(in.Findings) {
		byUnit[p.Unit] = append(byUnit[p.Unit], p)
	}
	for _, u := range in.Scores {
		ps := byUnit[u.Unit]
		uk := UnitKinds{Rank: u.Rank, Unit: u.Unit, UnitName: u.UnitName, Findings: len(ps), Kinds: ProblemsByKind(ps)}
		for _, p := range ps {
			uk.Points += p.Points
		}
		uk.Points = round2(uk.Points)
		e.Appendix = append(e.Appendix, uk)
	}

	// Movers.
	if e.HasPrevious {
		for _, r := range e.Ranking {
			switch {
			case r.ScoreChange == nil:
			case *r.ScoreChange > 0:
				e.Improved = append(e.Improved, r)
			case *r.ScoreChange < 0:
				e.Declined = append(e.Declined, r)
			}
		}
		sort.SliceStable(e.Improved, func(i, j int) bool { return *e.Improved[i].ScoreChange > *e.Improved[j].ScoreChange })
		sort.SliceStable(e.Declined, func(i, j int) bool { return *e.Declined[i].ScoreChange < *e.Declined[j].ScoreChange })
		e.Improved = e.Improved[:min(len(e.Improved), 10)]
		e.Declined = e.Declined[:min(len(e.Declined), 10)]
	}
	return e
}

// percent is part of whole in percent, rounded to a tenth; 0 when whole is 0.
func percent(part, whole float64) float64 {
	if whole <= 0 {
		return 0
	}
	return r1(part / whole * 100)
}

// or returns the first non-empty string.
func or(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// WriteEvaluationHTML writes the evaluation report as one self-contained,
// print-ready HTML page: inline CSS, charts as inline SVG, no script and no
// external resource.
func WriteEvaluationHTML(w io.Writer, e Evaluation) error {
	if err := evaluationHTML.ExecuteTemplate(w, "evaluation.html.tmpl", evaluationViewOf(e)); err != nil {
		return fmt.Errorf("write evaluation html: %w", err)
	}
	return nil
}
