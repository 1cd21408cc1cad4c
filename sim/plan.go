package sim

import (
	"math/rand/v2"

	"gongkai/rules"
)

// unitPlan is what the district plan asks of one unit before its content
// is built.
type unitPlan struct {
	role   Role
	style  string
	wants  []want
	report reportPlan
}

// want is one defect the plan asks a unit to carry; column "" lets the
// unit's builder choose.
type want struct {
	kind   DefectKind
	column string
}

// Plan sizes for the district: how many units of each role, how many times
// each defect kind is dealt before the random fill. A larger fleet keeps
// the district's proportions of roles (see roleCounts).
const (
	unreachableUnits = 2
	cleanUnits       = 5
	vetoEmpty        = 6
	dealtPerKind     = 2
	maxDefects       = 5
)

// dealtKinds are the defect kinds dealt dealtPerKind times each, so every
// finding kind shows up in the truth at least twice.
var dealtKinds = []DefectKind{
	DefectMissingColumn, DefectEmptyColumn, DefectExplainedEmpty, DefectStale,
	DefectExpiring, DefectGap, DefectMissingField, DefectDocMetadata,
	DefectLateDocument, DefectUninterpreted, DefectBrokenPortal, DefectBrokenPage,
	DefectBrokenAttach,
}

// planDistrict assigns each unit its style, its role and the defects it must
// carry. Unit 0, the district government, is always defective and carries a
// gap in its own periodic column (the gazette) when the ruleset has one.
func planDistrict(d *District, roster []RosterEntry, r *rand.Rand) []unitPlan {
	rs := d.Rules
	plans := make([]unitPlan, len(roster))

	// Styles: the district government uses TRS, like most district portals;
	// the others are spread evenly over every style, shuffled.
	names := StyleNames()
	var deck []string
	for i := 1; i < len(roster); i++ {
		deck = append(deck, names[i%len(names)])
	}
	r.Shuffle(len(deck), func(i, j int) { deck[i], deck[j] = deck[j], deck[i] })
	plans[0].style = names[0]
	for i := 1; i < len(roster); i++ {
		plans[i].style = deck[i-1]
	}

	// Roles.
	wantUnreach, wantVeto, wantClean := roleCounts(len(roster))
	order := r.Perm(len(roster) - 1)
	for i := range order {
		order[i]++
	}
	var rest []int
	unreach, veto := 0, 0
	for _, i := range order {
		switch {
		case unreach < wantUnreach:
			plans[i].role = RoleUnreachable
			unreach++
		case veto < wantVeto && len(emptiable(rs, roster[i].Type)) >= vetoEmpty:
			plans[i].role = RoleVeto
			veto++
		default:
			rest = append(rest, i)
		}
	}
	// Clean units: one of each style first, so every style is seen clean,
	// then any.
	cleanStyle := map[string]bool{}
	clean := 0
	for pass := 0; pass < 2; pass++ {
		for _, i := range rest {
			if clean < wantClean && plans[i].role == "" && (pass == 1 || !cleanStyle[plans[i].style]) {
				plans[i].role = RoleClean
				cleanStyle[plans[i].style] = true
				clean++
			}
		}
	}
	defective := []int{0}
	plans[0].role = RoleDefective
	for _, i := range rest {
		if plans[i].role == "" {
			plans[i].role = RoleDefective
			defective = append(defective, i)
		}
	}

	capacity := map[int]int{}
	for _, i := range defective {
		capacity[i] = between(r, 1, maxDefects)
	}
	if c := rs.CheckFor("gazette", rules.KindPeriodic, roster[0].Type); c != nil {
		plans[0].wants = append(plans[0].wants, want{kind: DefectGap, column: "gazette"})
		capacity[0] = max(capacity[0], 2)
	}

	has := func(i int, k DefectKind) bool {
		for _, w := range plans[i].wants {
			if w.kind == k {
				return true
			}
		}
		return false
	}
	for _, k := range dealtKinds {
		for n := 0; n < dealtPerKind; n++ {
			var fresh, any []int
			for _, i := range defective {
				if !supports(rs, roster[i].Type, k) || len(plans[i].wants) >= maxDefects {
					continue
				}
				if len(plans[i].wants) < capacity[i] && !has(i, k) {
					fresh = append(fresh, i)
				}
				any = append(any, i)
			}
			var i int
			switch {
			case len(fresh) > 0:
				i = pick(r, fresh)
			case len(any) > 0:
				i = pick(r, any)
				capacity[i] = max(capacity[i], len(plans[i].wants)+1)
			default:
				continue
			}
			plans[i].wants = append(plans[i].wants, want{kind: k})
		}
	}
	for _, i := range defective {
		var kinds []DefectKind
		for _, k := range dealtKinds {
			if supports(rs, roster[i].Type, k) {
				kinds = append(kinds, k)
			}
		}
		for len(plans[i].wants) < capacity[i] && len(kinds) > 0 {
			plans[i].wants = append(plans[i].wants, want{kind: pick(r, kinds)})
		}
	}
	return plans
}

// roleCounts returns how many unreachable, vetoed and clean units a fleet
// of n units has: the district's numbers, in proportion for a larger fleet.
func roleCounts(n int) (unreach, veto, clean int) {
	district := len(Roster())
	if n <= district {
		return unreachableUnits, 1, cleanUnits
	}
	scale := func(k int) int { return max(k, (k*n+district/2)/district) }
	return scale(unreachableUnits), scale(1), scale(cleanUnits)
}

// supports reports whether the ruleset runs, on units of unitType, the
// check that a defect of kind k would fail.
func supports(rs *rules.Ruleset, unitType string, k DefectKind) bool {
	any := func(kind rules.CheckKind, ok func(*rules.Check) bool) bool {
		for _, c := range rs.ChecksFor(unitType) {
			if c.Kind == kind && (ok == nil || ok(c)) {
				return true
			}
		}
		return false
	}
	links := any(rules.KindLinkHealth, nil)
	switch k {
	case DefectMissingColumn:
		return any(rules.KindPresence, func(c *rules.Check) bool { return c.Column != "annual-report" })
	case DefectEmptyColumn, DefectExplainedEmpty:
		return len(emptiable(rs, unitType)) > 0
	case DefectStale:
		return any(rules.KindMaxAge, nil)
	case DefectExpiring:
		return any(rules.KindMaxAge, func(c *rules.Check) bool { lo, hi := expiringAges(c); return lo <= hi })
	case DefectGap:
		return any(rules.KindPeriodic, nil)
	case DefectMissingField:
		return any(rules.KindFields, nil)
	case DefectDocMetadata:
		return any(rules.KindDocumentMetadata, nil)
	case DefectLateDocument:
		return any(rules.KindPublicationDelay, nil)
	case DefectUninterpreted:
		return any(rules.KindInterpretation, nil)
	case DefectBrokenPortal:
		return links
	case DefectBrokenPage:
		return links && any(rules.KindPresence, func(c *rules.Check) bool {
			col := rs.Column(c.Column)
			return col != nil && col.Shape == rules.ShapePage
		})
	case DefectBrokenAttach:
		return links && any(rules.KindDocumentMetadata, nil)
	}
	return false
}

// emptiable lists the list columns of unitType that have a non_empty check
// and may be planted empty (the annual-report column is kept: its report
// defects are dealt by planReports).
func emptiable(rs *rules.Ruleset, unitType string) []string {
	var out []string
	for _, c := range rs.ChecksFor(unitType) {
		if c.Kind != rules.KindNonEmpty || c.Column == "annual-report" {
			continue
		}
		if col := rs.Column(c.Column); col != nil && col.Shape == rules.ShapeList {
			out = append(out, c.Column)
		}
	}
	return out
}

// expiringAges returns the ages (in days) of a newest item that make a
// max_age check warn but not fail, keeping one day clear of both edges.
func expiringAges(c *rules.Check) (lo, hi int) {
	max := int(c.MaxAge)
	w := c.WarnFraction()
	if w <= 0 {
		return 1, 0
	}
	threshold := (1 - w) * float64(max)
	lo = int(threshold) + 1 // the first whole age above the threshold
	if float64(lo)-threshold < 1 {
		lo++
	}
	return lo, max - 1
}

// freshAge is the largest age the newest item of a clean column may have:
// half the maximum age, so it never warns by accident.
func freshAge(c *rules.Check) int {
	return max(1, int(c.MaxAge)/2)
}
