package report

import (
	"context"
	"fmt"

	"gongkai/rules"
	"gongkai/store"
)

// LoadWorkbook reads from db the district workbook of scoring sc of audit
// a: the ranking with changes since the previous complete audit, every
// current problem (findings dismissed on review left out) followed by
// those resolved since the previous audit, and, with perUnit, one sheet
// per unit. rs names columns and unit types; nil shows their ids. It is
// what `gongkai export` writes and what serve's export.xlsx answers.
func LoadWorkbook(ctx context.Context, db ScoringReader, a *store.Audit, sc *store.Scoring, rs *rules.Ruleset, district string, perUnit bool) (Workbook, error) {
	scores, err := db.Scores(ctx, sc.ID)
	if err != nil {
		return Workbook{}, err
	}
	prev, err := db.PreviousScores(ctx, a.ID)
	if err != nil {
		return Workbook{}, err
	}
	found, err := db.Findings(ctx, sc.ID, store.FindingFilter{Dismissed: "exclude"})
	if err != nil {
		return Workbook{}, err
	}
	resolved, err := db.ResolvedFindings(ctx, sc.ID)
	if err != nil {
		return Workbook{}, err
	}
	title := district + "政府信息公开评估"
	if district == "" {
		title = "政府信息公开评估"
	}
	return Workbook{
		Title:   title,
		Subject: fmt.Sprintf("审计 %d，评估基准日 %s，%s %s", a.ID, sc.AsOf, sc.RulesetName, sc.RulesetVersion),
		Ranking: &RankingTable{Rows: RankingFrom(scores, prev), Dimensions: DimensionsFrom(scores), TypeNames: TypeNames(rs)},
		Problems: &ProblemTable{Rows: ProblemsFrom(append(found, resolved...)), ColumnNames: ColumnNames(rs),
			PerUnit: perUnit},
	}, nil
}

// ColumnNames maps each column id of rs to its Chinese name; nil for a
// nil ruleset.
func ColumnNames(rs *rules.Ruleset) map[string]string {
	if rs == nil {
		return nil
	}
	out := make(map[string]string, len(rs.Columns))
	for _, c := range rs.Columns {
		out[c.ID] = or(c.Name, c.NameEN, c.ID)
	}
	return out
}

// TypeNames maps each unit type id of rs to its Chinese name; nil for a
// nil ruleset.
func TypeNames(rs *rules.Ruleset) map[string]string {
	if rs == nil {
		return nil
	}
	out := make(map[string]string, len(rs.UnitTypes))
	for _, t := range rs.UnitTypes {
		out[t.ID] = or(t.Name, t.NameEN, t.ID)
	}
	return out
}
