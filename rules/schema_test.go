package rules

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

var update = flag.Bool("update", false, "rewrite generated files (schema.json, README.md)")

// TestSchemaFile: the shipped rules/schema.json is the schema the code builds.
func TestSchemaFile(t *testing.T) {
	got := Schema()
	if *update {
		if err := os.WriteFile("schema.json", got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile("schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("rules/schema.json is out of date: run go test ./rules -update")
	}
}

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(Schema()))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// asJSON reads YAML as an editor's YAML language server would hand it to a
// JSON Schema validator: dates as strings.
func asJSON(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	var fix func(any) any
	fix = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				x[k] = fix(e)
			}
		case []any:
			for i, e := range x {
				x[i] = fix(e)
			}
		case time.Time:
			return x.Format(time.DateOnly)
		}
		return v
	}
	b, err := json.Marshal(fix(v))
	if err != nil {
		t.Fatal(err)
	}
	out, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSchema_DefaultRuleset: every default rule file validates.
func TestSchema_DefaultRuleset(t *testing.T) {
	sch := compileSchema(t)
	files, _ := filepath.Glob(filepath.Join("default", "*.yaml"))
	if len(files) != 6 {
		t.Fatalf("%d default files", len(files))
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(asJSON(t, data)); err != nil {
			t.Errorf("%s does not validate:\n%v", f, err)
		}
	}
}

// TestSchema_CatchesMistakes: the schema refuses what the loader refuses
// within one file.
func TestSchema_CatchesMistakes(t *testing.T) {
	sch := compileSchema(t)
	for name, doc := range map[string]string{
		"unknown top key":        "chekcs: []",
		"unknown check key":      "checks: [{id: a, kind: presence, column: news, colour: red}]",
		"unknown kind":           "checks: [{id: a, kind: presense, column: news}]",
		"param of another kind":  "checks: [{id: a, kind: presence, column: news, max_age: 3d}]",
		"missing max_age":        "checks: [{id: a, kind: max_age, column: news}]",
		"bad duration":           "checks: [{id: a, kind: max_age, column: news, max_age: soon}]",
		"bad shape":              "columns: [{id: a, name: 甲, shape: table, unit_types: [all]}]",
		"due without default":    "checks: [{id: a, kind: report_late, column: r, due: {district: 03-31}}]",
		"wrong type of points":   "checks: [{id: a, kind: presence, column: news, points: many}]",
		"bad holiday":            "calendar: {holidays: [2019/01/01]}",
		"negative grade minimum": "grades: [{name: x, min: -1}]",
	} {
		t.Run(name, func(t *testing.T) {
			if err := sch.Validate(asJSON(t, []byte(doc))); err == nil {
				t.Errorf("schema accepted %q", doc)
			}
		})
	}
	ok := "checks: [{id: a, kind: max_age, column: news, indicator: i, points: 1, max_age: 14d, warn: 0.2}]"
	if err := sch.Validate(asJSON(t, []byte(ok))); err != nil {
		t.Errorf("schema refused a good check: %v", err)
	}
	_ = strings.TrimSpace
}

// TestReadme: rules/README.md is the default ruleset rendered.
func TestReadme(t *testing.T) {
	got := Markdown(MustDefault())
	if *update {
		if err := os.WriteFile("README.md", []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("rules/README.md is out of date: run go test ./rules -update")
	}
	for _, c := range MustDefault().Checks {
		if !strings.Contains(got, "`"+c.ID+"`") {
			t.Errorf("README omits rule %s", c.ID)
		}
	}
}
