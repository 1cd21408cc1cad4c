// Package yamlstrict decodes YAML into Go values strictly and reports every
// problem at once with its file, line and column: unknown keys (with a
// suggestion), duplicate keys, wrong types. gongkai's rule files, units file
// and service config all go through it, so they all fail the same readable
// way: `file:line:col: rule "id": field: problem`.
//
// Struct fields are matched by their `yaml` tag. A field of type Pos is
// filled with the position of the struct's mapping; a field named Keys of
// type map[string]Pos records which keys were given and where their values
// stand. Types implementing NodeDecoder read themselves.
package yamlstrict

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Pos is a place in a file.
type Pos struct {
	File string
	Line int
	Col  int
}

// String formats p as file:line:col.
func (p Pos) String() string {
	if p.File == "" {
		return fmt.Sprintf("%d:%d", p.Line, p.Col)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// At returns the position of node n in file.
func At(file string, n *yaml.Node) Pos { return Pos{File: file, Line: n.Line, Col: n.Column} }

// Error is one problem in a file, with its place and the entity it belongs
// to. It prints as `file:line:col: rule "id": field: problem`.
type Error struct {
	// Pos is where the problem was written.
	Pos Pos
	// Entity names the thing holding the problem, e.g. `rule "news.max-age"`;
	// empty for top-level problems.
	Entity string
	// Field is the key holding the problem; empty when the entity itself is wrong.
	Field string
	// Msg says what is wrong.
	Msg string
}

// Error implements error.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Pos.String())
	b.WriteString(": ")
	if e.Entity != "" {
		b.WriteString(e.Entity)
		b.WriteString(": ")
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is every problem found, in file order once sorted.
type Errors []*Error

// Error joins the problems, one per line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Sort orders problems by file, line and column, keeping order otherwise.
func (es Errors) Sort() {
	sort.SliceStable(es, func(i, j int) bool {
		a, b := es[i].Pos, es[j].Pos
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
}

// NodeDecoder is implemented by types that read themselves from a YAML node.
// A returned error is placed at the node, or at the node a NodeError names.
type NodeDecoder interface {
	DecodeYAMLNode(n *yaml.Node) error
}

// NodeError is an error a NodeDecoder places at a node inside the one it decodes.
type NodeError struct {
	Node *yaml.Node
	Msg  string
}

func (e *NodeError) Error() string { return e.Msg }

// Entity says how errors inside structs of one type are labelled: Label and
// the value of the IDKey key, e.g. `rule "news.max-age"`.
type Entity struct {
	Label string
	IDKey string
}

// Decoder fills Go values from YAML nodes strictly. Decoding goes on after
// an error so that every problem is reported at once.
type Decoder struct {
	// File names the file in positions.
	File string
	// Entities labels errors inside structs of the given types.
	Entities map[reflect.Type]Entity
	// Errs collects the problems.
	Errs Errors
}

var (
	durationType    = reflect.TypeOf(time.Duration(0))
	posType         = reflect.TypeOf(Pos{})
	keysType        = reflect.TypeOf(map[string]Pos{})
	nodeDecoderType = reflect.TypeOf((*NodeDecoder)(nil)).Elem()
)

// Errorf records a problem at node n.
func (d *Decoder) Errorf(n *yaml.Node, entity, field, format string, args ...any) {
	d.Errs = append(d.Errs, &Error{Pos: At(d.File, n), Entity: entity, Field: field, Msg: fmt.Sprintf(format, args...)})
}

// Parse reads data as one YAML document and returns its root node, or an
// Error with the line of a syntax error. An empty document gives a nil node.
func Parse(file string, data []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, syntaxError(file, err)
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	return doc.Content[0], nil
}

// Decode fills the value v points to from n.
func (d *Decoder) Decode(n *yaml.Node, v any) {
	d.decode(n, reflect.ValueOf(v).Elem(), "", "")
}

func (d *Decoder) decode(n *yaml.Node, v reflect.Value, entity, field string) {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return
		}
		n = n.Content[0]
	}
	if v.CanAddr() && v.Addr().Type().Implements(nodeDecoderType) {
		if isNull(n) {
			return
		}
		if err := v.Addr().Interface().(NodeDecoder).DecodeYAMLNode(n); err != nil {
			at := n
			var ne *NodeError
			if errors.As(err, &ne) && ne.Node != nil {
				at = ne.Node
			}
			d.Errorf(at, entity, field, "%s", err.Error())
		}
		return
	}
	if isNull(n) {
		return
	}
	if v.Type() == durationType {
		dur, err := time.ParseDuration(n.Value)
		if n.Kind != yaml.ScalarNode {
			d.Errorf(n, entity, field, "want a duration such as \"100ms\", \"2s\" or \"1m30s\", got %s", Describe(n))
			return
		}
		if err != nil {
			d.Errorf(n, entity, field, "bad duration %q: want one such as \"100ms\", \"2s\" or \"1m30s\"", n.Value)
			return
		}
		v.SetInt(int64(dur))
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		d.decode(n, v.Elem(), entity, field)
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			d.Errorf(n, entity, field, "want text, got %s", Describe(n))
			return
		}
		v.SetString(n.Value)
	case reflect.Bool:
		b, ok := scalarBool(n)
		if !ok {
			d.Errorf(n, entity, field, "want true or false, got %s", Describe(n))
			return
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int64:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
			d.Errorf(n, entity, field, "want a whole number, got %s", Describe(n))
			return
		}
		i, err := strconv.ParseInt(n.Value, 0, 64)
		if err != nil || i > math.MaxInt32 || i < math.MinInt32 {
			d.Errorf(n, entity, field, "number %s out of range", n.Value)
			return
		}
		v.SetInt(i)
	case reflect.Float64:
		if n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") {
			d.Errorf(n, entity, field, "want a number, got %s", Describe(n))
			return
		}
		f, err := strconv.ParseFloat(n.Value, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			d.Errorf(n, entity, field, "bad number %q", n.Value)
			return
		}
		v.SetFloat(f)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.Errorf(n, entity, field, "want a list, got %s", Describe(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, c := range n.Content {
			d.decode(c, s.Index(i), entity, field)
		}
		v.Set(s)
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			d.Errorf(n, entity, field, "want a mapping, got %s", Describe(n))
			return
		}
		if v.Type().Key().Kind() != reflect.String {
			d.Errorf(n, entity, field, "cannot decode into %s", v.Type())
			return
		}
		m := reflect.MakeMap(v.Type())
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			if seen[k.Value] {
				d.Errorf(k, entity, field, "duplicate key %q", k.Value)
				continue
			}
			seen[k.Value] = true
			ev := reflect.New(v.Type().Elem()).Elem()
			sub := k.Value
			if field != "" {
				sub = field + "." + k.Value
			}
			d.decode(val, ev, entity, sub)
			m.SetMapIndex(reflect.ValueOf(k.Value).Convert(v.Type().Key()), ev)
		}
		v.Set(m)
	case reflect.Struct:
		d.decodeStruct(n, v, entity, field)
	default:
		d.Errorf(n, entity, field, "cannot decode into %s", v.Type())
	}
}

func (d *Decoder) decodeStruct(n *yaml.Node, v reflect.Value, entity, field string) {
	if n.Kind != yaml.MappingNode {
		d.Errorf(n, entity, field, "want a mapping, got %s", Describe(n))
		return
	}
	t := v.Type()
	if e, ok := d.Entities[t]; ok {
		entity = fmt.Sprintf("%s %q", e.Label, MappingValue(n, e.IDKey))
		field = ""
	}
	fields := map[string][]int{}
	var known []string
	var collect func(t reflect.Type, index []int)
	collect = func(t reflect.Type, index []int) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tags := strings.Split(f.Tag.Get("yaml"), ",")
			at := append(append([]int(nil), index...), i)
			switch {
			case f.Anonymous && f.Type.Kind() == reflect.Struct && slices.Contains(tags[1:], "inline"):
				collect(f.Type, at)
				continue
			case f.Type == posType:
				v.FieldByIndex(at).Set(reflect.ValueOf(At(d.File, n)))
				continue
			case f.Type == keysType && f.Name == "Keys":
				continue
			case tags[0] == "" || tags[0] == "-" || !f.IsExported():
				continue
			}
			fields[tags[0]] = at
			known = append(known, tags[0])
		}
	}
	collect(t, nil)
	keys := map[string]Pos{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		key := k.Value
		path := key
		if field != "" {
			path = field + "." + key
		}
		idx, ok := fields[key]
		if !ok {
			d.Errorf(k, entity, field, "unknown field %q%s", key, Suggest(key, known))
			continue
		}
		if _, dup := keys[key]; dup {
			d.Errorf(k, entity, path, "given twice")
			continue
		}
		keys[key] = At(d.File, val)
		d.decode(val, v.FieldByIndex(idx), entity, path)
	}
	if kp := v.FieldByName("Keys"); kp.IsValid() && kp.Type() == keysType && kp.CanSet() {
		kp.Set(reflect.ValueOf(keys))
	}
}

// MappingValue returns the scalar value of key in mapping n, or "".
func MappingValue(n *yaml.Node, key string) string {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key && n.Content[i+1].Kind == yaml.ScalarNode {
			return n.Content[i+1].Value
		}
	}
	return ""
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

func scalarBool(n *yaml.Node) (bool, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		return false, false
	}
	b, err := strconv.ParseBool(strings.ToLower(n.Value))
	return b, err == nil
}

// Describe says in words what node n holds, for error messages.
func Describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!str":
			return fmt.Sprintf("text %q", n.Value)
		case "!!int", "!!float":
			return fmt.Sprintf("number %s", n.Value)
		case "!!bool":
			return fmt.Sprintf("boolean %s", n.Value)
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "something else"
}

// Suggest proposes the closest of known for a misspelt key, as
// ` (did you mean "x"?)`, or "" when none is close.
func Suggest(key string, known []string) string {
	best, bestD := "", 3
	for _, k := range known {
		if dist := editDistance(key, k); dist < bestD {
			best, bestD = k, dist
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func syntaxError(file string, err error) *Error {
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{Pos: Pos{File: file, Line: line, Col: 1}, Msg: "YAML syntax: " + m[2]}
	}
	return &Error{Pos: Pos{File: file, Line: 1, Col: 1}, Msg: "YAML syntax: " + strings.TrimPrefix(msg, "yaml: ")}
}
