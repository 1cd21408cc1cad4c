package scoring

// Ranking: units in order, findings in order.

import (
	"sort"

	"gongkai/rules"
)

// Rank orders units by veto (vetoed after the others, units not assessed
// last), then total (highest first), then id, and gives ties the same rank
// (1, 2, 2, 4).
func Rank(units []UnitScore) {
	sort.SliceStable(units, func(a, b int) bool {
		ua, ub := &units[a], &units[b]
		if ua.Assessed() != ub.Assessed() {
			return ua.Assessed()
		}
		if ua.Veto != ub.Veto {
			return !ua.Veto
		}
		if ua.Total != ub.Total {
			return ua.Total > ub.Total
		}
		return ua.Unit < ub.Unit
	})
	for i := range units {
		if i > 0 && units[i].Veto == units[i-1].Veto && units[i].Total == units[i-1].Total && units[i].Assessed() == units[i-1].Assessed() {
			units[i].Rank = units[i-1].Rank
		} else {
			units[i].Rank = i + 1
		}
	}
}

// sortFindings orders findings by unit, then column in ruleset order, then
// kind and subject.
func sortFindings(rs *rules.Ruleset, fs []Finding) {
	order := map[string]int{"": -1}
	for i, c := range rs.Columns {
		order[c.ID] = i
	}
	sort.SliceStable(fs, func(a, b int) bool {
		fa, fb := &fs[a], &fs[b]
		if fa.Unit != fb.Unit {
			return fa.Unit < fb.Unit
		}
		if order[fa.Column] != order[fb.Column] {
			return order[fa.Column] < order[fb.Column]
		}
		if fa.Kind != fb.Kind {
			return fa.Kind < fb.Kind
		}
		return fa.Subject < fb.Subject
	})
}

// Finalize ranks a result's units and orders its findings; call it once
// every unit has been judged with ScoreUnit.
func Finalize(rs *rules.Ruleset, res *Result) *Result {
	Rank(res.Units)
	sortFindings(rs, res.Findings)
	return res
}
