package rules

import (
	"reflect"

	"gongkai/internal/yamlstrict"
)

// Pos is a place in a rule file.
type Pos = yamlstrict.Pos

// Error is one problem in a rule file. It prints as
// `file:line:col: rule "id": field: problem`.
type Error = yamlstrict.Error

// Errors is every problem found while loading a ruleset.
type Errors = yamlstrict.Errors

// entities labels errors by the entity holding them.
var entities = map[reflect.Type]yamlstrict.Entity{
	reflect.TypeOf(Check{}):        {Label: "rule", IDKey: "id"},
	reflect.TypeOf(Column{}):       {Label: "column", IDKey: "id"},
	reflect.TypeOf(Indicator{}):    {Label: "indicator", IDKey: "id"},
	reflect.TypeOf(Dimension{}):    {Label: "dimension", IDKey: "id"},
	reflect.TypeOf(UnitType{}):     {Label: "unit type", IDKey: "id"},
	reflect.TypeOf(Grade{}):        {Label: "grade", IDKey: "name"},
	reflect.TypeOf(OutdatedName{}): {Label: "outdated name", IDKey: "name"},
}

var (
	describe = yamlstrict.Describe
	suggest  = yamlstrict.Suggest
)
