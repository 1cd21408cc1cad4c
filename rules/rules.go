// Package rules is the model of a gongkai ruleset: unit types, the columns a
// unit must keep, the checks attached to them with their points, caps,
// dimensions and legal basis, the veto and the grade bands. It loads rule
// files (YAML) strictly, reports every error with its file, line and column,
// and embeds the default ruleset that encodes docs/spec.md#columns-catalogue.
//
// The package describes judgement; it does not judge (that is package
// scoring) and it does not crawl.
package rules

import "sort"

// Ruleset is a loaded, validated set of rules. The zero value is not usable;
// get one from Load, LoadFS, Parse or Default.
type Ruleset struct {
	// Name is the ruleset's display name.
	Name string `yaml:"name"`
	// Version is the ruleset's version label, printed with findings.
	Version string `yaml:"version"`
	// Total is the full score (100 by default).
	Total float64 `yaml:"total"`
	// Window configures the evaluation window.
	Window Window `yaml:"window"`
	// UnitTypes are the kinds of unit the ruleset knows.
	UnitTypes []UnitType `yaml:"unit_types"`
	// Dimensions group indicators; their points add up to Total.
	Dimensions []Dimension `yaml:"dimensions"`
	// Indicators are the scoring items; their points add up to their dimension's.
	Indicators []Indicator `yaml:"indicators"`
	// Columns are the disclosure columns units keep.
	Columns []Column `yaml:"columns"`
	// Checks are the generic checks attached to columns and units.
	Checks []Check `yaml:"checks"`
	// Grades are the grade bands, highest first.
	Grades []Grade `yaml:"grades"`
	// Calendar lists public holidays and make-up working days.
	Calendar Calendar `yaml:"calendar"`
	// ExplainedEmpty are phrases by which a unit states why a column holds
	// nothing (本单位不涉及此类信息); such a column is not empty.
	ExplainedEmpty []string `yaml:"explained_empty"`
	// Hubs are link texts that lead from a portal to the disclosure
	// directory (信息公开, 政务公开, 公开目录); the crawler follows them.
	Hubs []string `yaml:"hubs"`
	// OutdatedNames are the names of organs abolished or renamed by
	// institutional reform, which outdated_name checks look for.
	OutdatedNames []OutdatedName `yaml:"outdated_names"`

	// Hash is the hex SHA-256 of the files the ruleset was loaded from.
	Hash string `yaml:"-"`
	// Sources are the files it was loaded from.
	Sources []string `yaml:"-"`
	// Files are the files' names (base names) and bytes, so an audit can keep
	// the exact ruleset it was judged with and judge again with it later.
	Files []File `yaml:"-"`

	columnByID     map[string]*Column
	indicatorByID  map[string]*Indicator
	dimensionByID  map[string]*Dimension
	unitTypeByID   map[string]*UnitType
	outdatedByName map[string]*OutdatedName
}

// Window sets the evaluation window: the Months complete calendar months
// before the as-of date's month.
type Window struct {
	// Months is the window length; 0 means 12.
	Months int `yaml:"months"`
}

// UnitType is a kind of unit (district, bureau, township, street).
type UnitType struct {
	ID     string `yaml:"id"`
	Name   string `yaml:"name"`
	NameEN string `yaml:"name_en"`
	Pos    Pos    `yaml:"-"`
}

// Dimension is a scoring dimension (完整性, 及时性, 规范性, 可用性).
type Dimension struct {
	ID     string  `yaml:"id"`
	Name   string  `yaml:"name"`
	NameEN string  `yaml:"name_en"`
	Points float64 `yaml:"points"`
	Pos    Pos     `yaml:"-"`
}

// Indicator is a scoring item with a number of points. Deductions under one
// indicator never exceed its points.
type Indicator struct {
	ID        string  `yaml:"id"`
	Name      string  `yaml:"name"`
	NameEN    string  `yaml:"name_en"`
	Dimension string  `yaml:"dimension"`
	Points    float64 `yaml:"points"`
	// Basis is the legal or methodological basis, printed on notices when a
	// check does not give its own.
	Basis string `yaml:"basis"`
	Pos   Pos    `yaml:"-"`
}

// Shape is a column's shape: a page of fields or a list of items.
type Shape string

// The column shapes.
const (
	ShapePage Shape = "page"
	ShapeList Shape = "list"
)

// AllUnitTypes is the unit_types entry that means every unit type.
const AllUnitTypes = "all"

// Column is a disclosure column a unit keeps.
type Column struct {
	ID     string `yaml:"id"`
	Name   string `yaml:"name"`
	NameEN string `yaml:"name_en"`
	// Aliases are other names sites give the column; matched like Name.
	Aliases []string `yaml:"aliases"`
	Shape   Shape    `yaml:"shape"`
	// UnitTypes lists the unit types that must keep the column ("all" for every type).
	UnitTypes []string `yaml:"unit_types"`
	Pos       Pos      `yaml:"-"`
}

// Names returns the column's name followed by its aliases.
func (c *Column) Names() []string {
	return append([]string{c.Name}, c.Aliases...)
}

// AppliesTo reports whether units of unitType must keep the column.
func (c *Column) AppliesTo(unitType string) bool { return typeListHas(c.UnitTypes, unitType) }

// Grade is a grade band: a total of at least Min earns Name.
type Grade struct {
	Name   string  `yaml:"name"`
	NameEN string  `yaml:"name_en"`
	Min    float64 `yaml:"min"`
	Pos    Pos     `yaml:"-"`
}

// Column returns the column with id, or nil.
func (r *Ruleset) Column(id string) *Column { return r.columnByID[id] }

// Indicator returns the indicator with id, or nil.
func (r *Ruleset) Indicator(id string) *Indicator { return r.indicatorByID[id] }

// Dimension returns the dimension with id, or nil.
func (r *Ruleset) Dimension(id string) *Dimension { return r.dimensionByID[id] }

// UnitType returns the unit type with id, or nil.
func (r *Ruleset) UnitType(id string) *UnitType { return r.unitTypeByID[id] }

// WindowMonths returns the window length in months (12 when unset).
func (r *Ruleset) WindowMonths() int {
	if r.Window.Months <= 0 {
		return 12
	}
	return r.Window.Months
}

// ColumnsFor returns the columns units of unitType must keep, in ruleset order.
func (r *Ruleset) ColumnsFor(unitType string) []*Column {
	var out []*Column
	for i := range r.Columns {
		if r.Columns[i].AppliesTo(unitType) {
			out = append(out, &r.Columns[i])
		}
	}
	return out
}

// ChecksFor returns the checks that apply to units of unitType, in ruleset order.
func (r *Ruleset) ChecksFor(unitType string) []*Check {
	var out []*Check
	for i := range r.Checks {
		if r.CheckApplies(&r.Checks[i], unitType) {
			out = append(out, &r.Checks[i])
		}
	}
	return out
}

// CheckApplies reports whether check c applies to units of unitType: its own
// unit_types (when given) and its column's must both include the type.
func (r *Ruleset) CheckApplies(c *Check, unitType string) bool {
	if len(c.UnitTypes) > 0 && !typeListHas(c.UnitTypes, unitType) {
		return false
	}
	if c.Column != "" {
		col := r.Column(c.Column)
		if col == nil || !col.AppliesTo(unitType) {
			return false
		}
	}
	return true
}

// CheckFor returns the first check of kind on column (column may be "" for
// unit-wide checks) that applies to unitType, or nil.
func (r *Ruleset) CheckFor(column string, kind CheckKind, unitType string) *Check {
	for i := range r.Checks {
		c := &r.Checks[i]
		if c.Kind == kind && c.Column == column && r.CheckApplies(c, unitType) {
			return c
		}
	}
	return nil
}

// GradeFor returns the grade band a total earns.
func (r *Ruleset) GradeFor(total float64) *Grade {
	gs := make([]*Grade, len(r.Grades))
	for i := range r.Grades {
		gs[i] = &r.Grades[i]
	}
	sort.SliceStable(gs, func(i, j int) bool { return gs[i].Min > gs[j].Min })
	for _, g := range gs {
		if total >= g.Min-1e-9 {
			return g
		}
	}
	return gs[len(gs)-1]
}

// FailGrade returns the lowest grade band, given to vetoed units.
func (r *Ruleset) FailGrade() *Grade {
	low := &r.Grades[0]
	for i := range r.Grades {
		if r.Grades[i].Min < low.Min {
			low = &r.Grades[i]
		}
	}
	return low
}

// Basis returns the basis printed for check c: its own, else its indicator's.
func (r *Ruleset) Basis(c *Check) string {
	if c.Basis != "" {
		return c.Basis
	}
	if ind := r.Indicator(c.Indicator); ind != nil {
		return ind.Basis
	}
	return ""
}

func typeListHas(list []string, unitType string) bool {
	for _, t := range list {
		if t == AllUnitTypes || t == unitType {
			return true
		}
	}
	return false
}

func (r *Ruleset) index() {
	r.columnByID = map[string]*Column{}
	r.indicatorByID = map[string]*Indicator{}
	r.dimensionByID = map[string]*Dimension{}
	r.unitTypeByID = map[string]*UnitType{}
	r.outdatedByName = map[string]*OutdatedName{}
	for i := range r.OutdatedNames {
		for _, n := range r.OutdatedNames[i].Names() {
			if _, dup := r.outdatedByName[n]; !dup {
				r.outdatedByName[n] = &r.OutdatedNames[i]
			}
		}
	}
	for i := range r.Columns {
		if _, dup := r.columnByID[r.Columns[i].ID]; !dup {
			r.columnByID[r.Columns[i].ID] = &r.Columns[i]
		}
	}
	for i := range r.Indicators {
		if _, dup := r.indicatorByID[r.Indicators[i].ID]; !dup {
			r.indicatorByID[r.Indicators[i].ID] = &r.Indicators[i]
		}
	}
	for i := range r.Dimensions {
		if _, dup := r.dimensionByID[r.Dimensions[i].ID]; !dup {
			r.dimensionByID[r.Dimensions[i].ID] = &r.Dimensions[i]
		}
	}
	for i := range r.UnitTypes {
		if _, dup := r.unitTypeByID[r.UnitTypes[i].ID]; !dup {
			r.unitTypeByID[r.UnitTypes[i].ID] = &r.UnitTypes[i]
		}
	}
}

// WithWindow returns a copy of the ruleset whose evaluation window is
// months long (a command-line override); the receiver is not changed.
// months <= 0 returns the receiver.
func (r *Ruleset) WithWindow(months int) *Ruleset {
	if months <= 0 || months == r.WindowMonths() {
		return r
	}
	c := *r
	c.Window.Months = months
	return &c
}
