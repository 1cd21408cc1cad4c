package yamlstrict

import (
	"reflect"
	"strings"
	"testing"
)

type item struct {
	ID    string         `yaml:"id"`
	Count int            `yaml:"count"`
	Rate  float64        `yaml:"rate"`
	On    bool           `yaml:"on"`
	Tags  []string       `yaml:"tags"`
	Pos   Pos            `yaml:"-"`
	Keys  map[string]Pos `yaml:"-"`
}

type doc struct {
	Items []item `yaml:"items"`
}

func TestDecoder(t *testing.T) {
	src := "items:\n  - id: a\n    count: 2\n    rate: 0.5\n    on: true\n    tags: [x, y]\n  - id: b\n    cuont: 3\n    count: many\n    rate: [1]\n    on: yes please\n    tags: x\n    id: c\n"
	root, err := Parse("f.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	d := &Decoder{File: "f.yaml", Entities: map[reflect.Type]Entity{reflect.TypeOf(item{}): {Label: "item", IDKey: "id"}}}
	var got doc
	d.Decode(root, &got)
	if got.Items[0].Count != 2 || got.Items[0].Rate != 0.5 || !got.Items[0].On || len(got.Items[0].Tags) != 2 {
		t.Errorf("decoded %+v", got.Items[0])
	}
	if got.Items[0].Pos.Line != 2 || got.Items[0].Keys["count"].Line != 3 {
		t.Errorf("positions %+v %+v", got.Items[0].Pos, got.Items[0].Keys)
	}
	want := []string{
		`f.yaml:8:5: item "b": unknown field "cuont" (did you mean "count"?)`,
		`f.yaml:9:12: item "b": count: want a whole number, got text "many"`,
		`f.yaml:10:11: item "b": rate: want a number, got a list`,
		`f.yaml:11:9: item "b": on: want true or false, got text "yes please"`,
		`f.yaml:12:11: item "b": tags: want a list, got text "x"`,
		`f.yaml:13:5: item "b": id: given twice`,
	}
	if len(d.Errs) != len(want) {
		t.Fatalf("got %d errors:\n%v", len(d.Errs), d.Errs)
	}
	for i, w := range want {
		if d.Errs[i].Error() != w {
			t.Errorf("error %d = %q, want %q", i, d.Errs[i], w)
		}
	}
}

func TestParse_Syntax(t *testing.T) {
	_, err := Parse("f.yaml", []byte("a: [1, 2\nb: 3\n"))
	if err == nil || !strings.HasPrefix(err.Error(), "f.yaml:") || !strings.Contains(err.Error(), "YAML syntax") {
		t.Errorf("syntax error = %v", err)
	}
}
