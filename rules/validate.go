package rules

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
)

var (
	idRE      = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	checkIDRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)
)

// commonKeys are accepted on every check.
var commonKeys = []string{"id", "kind", "column", "indicator", "severity", "points", "basis", "unit_types", "description"}

// kindKeys are the parameters each kind accepts besides the common keys.
var kindKeys = map[CheckKind][]string{
	KindReachability:       {"score"},
	KindCertificate:        {"score"},
	KindPresence:           nil,
	KindNonEmpty:           nil,
	KindFields:             {"fields"},
	KindMaxAge:             {"max_age", "warn"},
	KindPeriodic:           {"period", "cover"},
	KindDocumentMetadata:   {"fields", "in_window"},
	KindPublicationDelay:   {"working_days", "in_window"},
	KindInterpretation:     {"working_days", "of", "in_window"},
	KindLinkHealth:         {"portal_points", "external"},
	KindCountVeto:          {"finding", "at_least", "score"},
	KindReportMissing:      {"due"},
	KindReportLate:         {"due"},
	KindReportIncomplete:   {"blank_cells"},
	KindReportInconsistent: nil,
	KindPrivacy:            {"numbers", "person_headers", "list_words", "contact_labels", "card_words", "id_words", "attachments"},
	KindOutdatedName:       {"grace"},
}

// listOnlyKinds need a list column; fields needs a page column.
var listOnlyKinds = map[CheckKind]bool{
	KindMaxAge: true, KindPeriodic: true, KindDocumentMetadata: true,
	KindPublicationDelay: true, KindInterpretation: true, KindReportMissing: true,
	KindReportLate: true, KindReportIncomplete: true, KindReportInconsistent: true,
}

const eps = 1e-6

type validator struct {
	rs   *Ruleset
	errs Errors
}

func (v *validator) add(p Pos, entity, field, format string, args ...any) {
	v.errs = append(v.errs, &Error{Pos: p, Entity: entity, Field: field, Msg: fmt.Sprintf(format, args...)})
}

func validate(rs *Ruleset, setBy map[string]Pos) Errors {
	v := &validator{rs: rs}
	top := func(key string) Pos {
		if p, ok := setBy[key]; ok {
			return p
		}
		if len(rs.Sources) > 0 {
			return Pos{File: rs.Sources[0], Line: 1, Col: 1}
		}
		return Pos{Line: 1, Col: 1}
	}
	if rs.Total <= 0 {
		v.add(top("total"), "", "total", "must be positive, got %g", rs.Total)
	}
	if rs.Window.Months < 0 || rs.Window.Months > 120 {
		v.add(top("window"), "", "window.months", "must be between 1 and 120, got %d", rs.Window.Months)
	}
	for d := range rs.Calendar.Holidays {
		if rs.Calendar.Workdays[d] {
			v.add(top("calendar"), "", "calendar", "%s is listed both as a holiday and as a working day", d)
		}
	}
	v.unitTypes()
	v.dimensions(top("dimensions"))
	v.indicators()
	v.columns()
	v.checks()
	v.grades(top("grades"))
	v.outdatedNames(top("outdated_names"))
	for i, p := range rs.ExplainedEmpty {
		if strings.TrimSpace(p) == "" {
			v.add(top("explained_empty"), "", fmt.Sprintf("explained_empty[%d]", i), "empty phrase")
		}
	}
	return v.errs
}

func (v *validator) unitTypes() {
	if len(v.rs.UnitTypes) == 0 {
		v.add(Pos{File: first(v.rs.Sources), Line: 1, Col: 1}, "", "unit_types", "at least one unit type is needed")
	}
	seen := map[string]Pos{}
	for _, u := range v.rs.UnitTypes {
		ent := fmt.Sprintf("unit type %q", u.ID)
		switch {
		case !idRE.MatchString(u.ID):
			v.add(u.Pos, ent, "id", "must match [a-z0-9-]+")
		case u.ID == AllUnitTypes:
			v.add(u.Pos, ent, "id", "%q is reserved for \"every unit type\"", AllUnitTypes)
		}
		if p, dup := seen[u.ID]; dup {
			v.add(u.Pos, ent, "id", "duplicate id (first at %s)", p)
		}
		seen[u.ID] = u.Pos
	}
}

func (v *validator) dimensions(at Pos) {
	seen := map[string]Pos{}
	sum := 0.0
	for _, d := range v.rs.Dimensions {
		ent := fmt.Sprintf("dimension %q", d.ID)
		if !idRE.MatchString(d.ID) {
			v.add(d.Pos, ent, "id", "must match [a-z0-9-]+")
		}
		if p, dup := seen[d.ID]; dup {
			v.add(d.Pos, ent, "id", "duplicate id (first at %s)", p)
		}
		seen[d.ID] = d.Pos
		if d.Points <= 0 {
			v.add(d.Pos, ent, "points", "must be positive, got %g", d.Points)
		}
		sum += d.Points
	}
	if len(v.rs.Dimensions) == 0 {
		v.add(at, "", "dimensions", "at least one dimension is needed")
	} else if math.Abs(sum-v.rs.Total) > eps {
		v.add(v.rs.Dimensions[0].Pos, "", "dimensions", "points add up to %g, want the total %g", sum, v.rs.Total)
	}
}

func (v *validator) indicators() {
	seen := map[string]Pos{}
	sums := map[string]float64{}
	dims := map[string]*Dimension{}
	for i := range v.rs.Dimensions {
		dims[v.rs.Dimensions[i].ID] = &v.rs.Dimensions[i]
	}
	for _, ind := range v.rs.Indicators {
		ent := fmt.Sprintf("indicator %q", ind.ID)
		if !idRE.MatchString(ind.ID) {
			v.add(ind.Pos, ent, "id", "must match [a-z0-9-]+")
		}
		if p, dup := seen[ind.ID]; dup {
			v.add(ind.Pos, ent, "id", "duplicate id (first at %s)", p)
		}
		seen[ind.ID] = ind.Pos
		if strings.TrimSpace(ind.Name) == "" {
			v.add(ind.Pos, ent, "name", "required")
		}
		if ind.Points <= 0 {
			v.add(ind.Pos, ent, "points", "must be positive, got %g", ind.Points)
		}
		if dims[ind.Dimension] == nil {
			v.add(ind.Pos, ent, "dimension", "unknown dimension %q%s", ind.Dimension, suggest(ind.Dimension, keys(dims)))
			continue
		}
		sums[ind.Dimension] += ind.Points
	}
	for _, d := range v.rs.Dimensions {
		if got := sums[d.ID]; math.Abs(got-d.Points) > eps && len(v.rs.Indicators) > 0 {
			v.add(d.Pos, fmt.Sprintf("dimension %q", d.ID), "points", "%g, but its indicators add up to %g", d.Points, got)
		}
	}
}

func (v *validator) columns() {
	seen := map[string]Pos{}
	names := map[string]string{}
	for _, c := range v.rs.Columns {
		ent := fmt.Sprintf("column %q", c.ID)
		if !idRE.MatchString(c.ID) {
			v.add(c.Pos, ent, "id", "must match [a-z0-9-]+")
		}
		if p, dup := seen[c.ID]; dup {
			v.add(c.Pos, ent, "id", "duplicate id (first at %s)", p)
		}
		seen[c.ID] = c.Pos
		if strings.TrimSpace(c.Name) == "" {
			v.add(c.Pos, ent, "name", "required")
		}
		if c.Shape != ShapePage && c.Shape != ShapeList {
			v.add(c.Pos, ent, "shape", "must be \"page\" or \"list\", got %q", c.Shape)
		}
		if len(c.UnitTypes) == 0 {
			v.add(c.Pos, ent, "unit_types", "required: list the unit types that keep the column, or \"all\"")
		}
		v.knownUnitTypes(c.Pos, ent, c.UnitTypes)
		for _, n := range c.Names() {
			key := NormalizeName(n)
			if key == "" {
				v.add(c.Pos, ent, "aliases", "empty name")
				continue
			}
			if other, dup := names[key]; dup && other != c.ID {
				v.add(c.Pos, ent, "aliases", "name %q is also a name of column %q", n, other)
			}
			names[key] = c.ID
		}
	}
}

func (v *validator) knownUnitTypes(p Pos, ent string, types []string) {
	for _, t := range types {
		if t != AllUnitTypes && v.rs.UnitType(t) == nil && !v.hasUnitType(t) {
			ids := []string{AllUnitTypes}
			for _, u := range v.rs.UnitTypes {
				ids = append(ids, u.ID)
			}
			v.add(p, ent, "unit_types", "unknown unit type %q%s", t, suggest(t, ids))
		}
	}
}

func (v *validator) hasUnitType(t string) bool {
	for _, u := range v.rs.UnitTypes {
		if u.ID == t {
			return true
		}
	}
	return false
}

func (v *validator) checks() {
	seen := map[string]Pos{}
	cols := map[string]*Column{}
	for i := range v.rs.Columns {
		cols[v.rs.Columns[i].ID] = &v.rs.Columns[i]
	}
	inds := map[string]*Indicator{}
	for i := range v.rs.Indicators {
		inds[v.rs.Indicators[i].ID] = &v.rs.Indicators[i]
	}
	for i := range v.rs.Checks {
		c := &v.rs.Checks[i]
		ent := fmt.Sprintf("rule %q", c.ID)
		at := func(key string) Pos {
			if p, ok := c.Keys[key]; ok {
				return p
			}
			return c.Pos
		}
		if !checkIDRE.MatchString(c.ID) {
			v.add(at("id"), ent, "id", "must match [a-z0-9._-]+")
		}
		if p, dup := seen[c.ID]; dup {
			v.add(at("id"), ent, "id", "duplicate id (first at %s)", p)
		}
		seen[c.ID] = c.Pos
		spec, ok := checkKinds[c.Kind]
		if !ok {
			v.add(at("kind"), ent, "kind", "unknown kind %q%s", c.Kind, suggest(string(c.Kind), CheckKinds()))
			continue
		}
		allowed := map[string]bool{}
		for _, k := range commonKeys {
			allowed[k] = true
		}
		for _, k := range kindKeys[c.Kind] {
			allowed[k] = true
		}
		for key, p := range c.Keys {
			if !allowed[key] {
				v.add(p, ent, key, "does not apply to kind %s", c.Kind)
			}
		}
		var col *Column
		switch {
		case spec.needsColumn && c.Column == "":
			v.add(c.Pos, ent, "column", "required for kind %s", c.Kind)
		case !spec.needsColumn && c.Column != "":
			v.add(at("column"), ent, "column", "kind %s checks the whole unit and takes no column", c.Kind)
		case c.Column != "":
			if col = cols[c.Column]; col == nil {
				v.add(at("column"), ent, "column", "unknown column %q%s", c.Column, suggest(c.Column, keys(cols)))
			}
		}
		if col != nil {
			if listOnlyKinds[c.Kind] && col.Shape != ShapeList {
				v.add(at("kind"), ent, "kind", "%s needs a list column; %q is a page", c.Kind, col.ID)
			}
			if c.Kind == KindFields && col.Shape != ShapePage {
				v.add(at("kind"), ent, "kind", "fields needs a page column; %q is a list", col.ID)
			}
		}
		v.knownUnitTypes(at("unit_types"), ent, c.UnitTypes)
		switch c.Severity {
		case SeverityVeto, SeverityDeduction, SeverityNotice:
		default:
			v.add(at("severity"), ent, "severity", "must be veto, deduction or notice, got %q", c.Severity)
		}
		switch c.BlankCells {
		case "", SeverityVeto, SeverityDeduction, SeverityNotice:
		default:
			v.add(at("blank_cells"), ent, "blank_cells", "must be veto, deduction or notice, got %q", c.BlankCells)
		}
		if c.Points < 0 {
			v.add(at("points"), ent, "points", "must not be negative, got %g", c.Points)
		}
		if c.Kind == KindCountVeto {
			v.countVeto(c, ent, at)
		} else {
			v.indicatorRef(c, ent, at, inds)
		}
		v.params(c, ent, at, cols)
	}
}

func (v *validator) indicatorRef(c *Check, ent string, at func(string) Pos, inds map[string]*Indicator) {
	if c.Indicator == "" {
		if c.Severity == SeverityDeduction {
			v.add(c.Pos, ent, "indicator", "required: a deduction must belong to an indicator")
		}
		return
	}
	ind := inds[c.Indicator]
	if ind == nil {
		v.add(at("indicator"), ent, "indicator", "unknown indicator %q%s", c.Indicator, suggest(c.Indicator, keys(inds)))
		return
	}
	if c.Points > ind.Points+eps {
		v.add(at("points"), ent, "points", "%g exceeds the %g points of indicator %q", c.Points, ind.Points, ind.ID)
	}
	if c.PortalPoints > ind.Points+eps {
		v.add(at("portal_points"), ent, "portal_points", "%g exceeds the %g points of indicator %q", c.PortalPoints, ind.Points, ind.ID)
	}
	if c.Severity == SeverityDeduction && c.Points == 0 {
		v.add(at("points"), ent, "points", "a deduction needs points above 0")
	}
}

func (v *validator) countVeto(c *Check, ent string, at func(string) Pos) {
	if c.Severity != SeverityVeto {
		v.add(at("severity"), ent, "severity", "count_veto is always a veto")
	}
	if c.Indicator != "" {
		v.add(at("indicator"), ent, "indicator", "count_veto deducts no points and takes no indicator")
	}
	if !c.Finding.Known() {
		kinds := make([]string, len(FindingKinds))
		for i, k := range FindingKinds {
			kinds[i] = string(k)
		}
		v.add(at("finding"), ent, "finding", "unknown finding kind %q%s", c.Finding, suggest(string(c.Finding), kinds))
	}
	if c.AtLeast < 1 {
		v.add(at("at_least"), ent, "at_least", "must be 1 or more")
	}
}

func (v *validator) params(c *Check, ent string, at func(string) Pos, cols map[string]*Column) {
	switch c.Kind {
	case KindFields, KindDocumentMetadata:
		if len(c.Fields) == 0 {
			v.add(at("fields"), ent, "fields", "at least one field is needed")
		}
		for i, f := range c.Fields {
			if strings.TrimSpace(f.Name) == "" {
				v.add(at("fields"), ent, fmt.Sprintf("fields[%d].name", i), "required")
			}
		}
	case KindMaxAge:
		if c.MaxAge <= 0 {
			v.add(at("max_age"), ent, "max_age", "required and above 0 days")
		}
		if w := c.WarnFraction(); w < 0 || w >= 1 {
			v.add(at("warn"), ent, "warn", "must be a fraction from 0 to below 1, got %g", w)
		}
	case KindPeriodic:
		switch c.Period {
		case PeriodMonth, PeriodQuarter, PeriodYear:
		default:
			v.add(at("period"), ent, "period", "must be month, quarter or year, got %q", c.Period)
		}
		if c.Cover != CoverWhole && c.Cover != CoverTouched {
			v.add(at("cover"), ent, "cover", "must be whole or touched, got %q", c.Cover)
		}
	case KindPublicationDelay, KindInterpretation:
		if c.WorkingDays <= 0 {
			v.add(at("working_days"), ent, "working_days", "required and above 0")
		}
		if c.Kind == KindInterpretation {
			if col := cols[c.Of]; col == nil {
				v.add(at("of"), ent, "of", "unknown column %q: name the column whose documents need interpretation", c.Of)
			} else if col.Shape != ShapeList {
				v.add(at("of"), ent, "of", "column %q is a page, not a list of documents", c.Of)
			}
		}
	case KindPrivacy:
		v.privacyParams(c, ent, at)
	case KindReportMissing, KindReportLate:
		if _, ok := c.Due["default"]; !ok {
			v.add(at("due"), ent, "due", "needs a \"default\" deadline such as \"01-31\"")
		}
		for t := range c.Due {
			if t != "default" && !v.hasUnitType(t) {
				v.add(at("due"), ent, "due", "unknown unit type %q", t)
			}
		}
	}
	if c.Score != nil && (*c.Score < 0 || *c.Score > v.rs.Total) {
		v.add(at("score"), ent, "score", "must be between 0 and the total %g", v.rs.Total)
	}
	if c.Score != nil && c.Severity != SeverityVeto {
		v.add(at("score"), ent, "score", "only a veto forces the score")
	}
}

func (v *validator) grades(at Pos) {
	if len(v.rs.Grades) == 0 {
		v.add(at, "", "grades", "at least one grade band is needed")
		return
	}
	seen := map[string]bool{}
	lowest := math.Inf(1)
	for _, g := range v.rs.Grades {
		ent := fmt.Sprintf("grade %q", g.Name)
		if strings.TrimSpace(g.Name) == "" {
			v.add(g.Pos, ent, "name", "required")
		}
		if seen[g.Name] {
			v.add(g.Pos, ent, "name", "duplicate grade")
		}
		seen[g.Name] = true
		if g.Min < 0 || g.Min > v.rs.Total {
			v.add(g.Pos, ent, "min", "must be between 0 and the total %g, got %g", v.rs.Total, g.Min)
		}
		lowest = math.Min(lowest, g.Min)
	}
	if lowest > 0 {
		v.add(v.rs.Grades[len(v.rs.Grades)-1].Pos, "", "grades", "no band starts at 0: a total below %g would have no grade", lowest)
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}
