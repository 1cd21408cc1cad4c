package rules

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	"gongkai/internal/yamlstrict"

	"gopkg.in/yaml.v3"
)

// File is one rule file's name and bytes.
type File struct {
	// Name is printed in errors (a path relative to the ruleset, or as given).
	Name string
	Data []byte
}

// Load reads a ruleset from a directory of YAML files (*.yaml, *.yml, read
// in name order) or from one file.
func Load(p string) (*Ruleset, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("load rules: %w", err)
	}
	if !st.IsDir() {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("load rules: %w", err)
		}
		return Parse([]File{{Name: p, Data: data}})
	}
	files, err := readDir(os.DirFS(p), ".", func(name string) string { return filepath.Join(p, name) })
	if err != nil {
		return nil, fmt.Errorf("load rules %s: %w", p, err)
	}
	return Parse(files)
}

// LoadFS reads a ruleset from a directory (or file) dir of fsys.
func LoadFS(fsys fs.FS, dir string) (*Ruleset, error) {
	files, err := readDir(fsys, dir, func(name string) string { return path.Join(dir, name) })
	if err != nil {
		return nil, fmt.Errorf("load rules %s: %w", dir, err)
	}
	return Parse(files)
}

func readDir(fsys fs.FS, dir string, display func(string) string) ([]File, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	var files []File
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !(strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")) {
			continue
		}
		data, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		files = append(files, File{Name: display(name), Data: data})
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no rule files (*.yaml) in directory")
	}
	return files, nil
}

// Parse reads a ruleset from files' bytes, merges them (lists are joined;
// a scalar setting may be given in one file only), applies defaults and
// validates the result. The error, when not nil, is an Errors listing every
// problem with its file, line and column.
func Parse(files []File) (*Ruleset, error) {
	var errs Errors
	rs := &Ruleset{}
	setBy := map[string]Pos{}
	h := sha256.New()
	sorted := append([]File(nil), files...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	for _, f := range sorted {
		fmt.Fprintf(h, "%s\x00%d\x00", path.Base(filepath.ToSlash(f.Name)), len(f.Data))
		h.Write(f.Data)
		rs.Sources = append(rs.Sources, f.Name)
		rs.Files = append(rs.Files, File{Name: path.Base(filepath.ToSlash(f.Name)), Data: f.Data})

		root, err := yamlstrict.Parse(f.Name, f.Data)
		if err != nil {
			errs = append(errs, err.(*Error))
			continue
		}
		if root == nil {
			continue // an empty file contributes nothing
		}
		if root.Kind != yaml.MappingNode {
			errs = append(errs, &Error{Pos: Pos{File: f.Name, Line: root.Line, Col: root.Column}, Msg: "a rule file is a mapping of sections (columns:, checks:, ...)"})
			continue
		}
		d := &yamlstrict.Decoder{File: f.Name, Entities: entities}
		var part Ruleset
		d.Decode(root, &part)
		errs = append(errs, d.Errs...)
		merge(rs, &part, root, f.Name, setBy, &errs)
	}
	rs.Hash = hex.EncodeToString(h.Sum(nil))
	applyDefaults(rs)
	// Validate even after decoding problems, so every mistake is listed at
	// once; a field that failed to decode is not reported a second time.
	decoded := map[string]bool{}
	for _, e := range errs {
		decoded[e.Entity+"\x00"+topField(e.Field)] = true
	}
	for _, e := range validate(rs, setBy) {
		if !decoded[e.Entity+"\x00"+topField(e.Field)] {
			errs = append(errs, e)
		}
	}
	if len(errs) > 0 {
		errs.Sort()
		return nil, errs
	}
	rs.index()
	return rs, nil
}

// topField returns the first key of a dotted field path.
func topField(f string) string {
	if i := strings.IndexAny(f, ".["); i >= 0 {
		return f[:i]
	}
	return f
}

// listSections are joined across files; the other sections are set once.
var listSections = map[string]bool{
	"unit_types": true, "dimensions": true, "indicators": true, "columns": true,
	"checks": true, "grades": true, "explained_empty": true, "hubs": true,
	"outdated_names": true,
}

func merge(dst, src *Ruleset, root *yaml.Node, file string, setBy map[string]Pos, errs *Errors) {
	for i := 0; i+1 < len(root.Content); i += 2 {
		k := root.Content[i]
		if listSections[k.Value] {
			continue
		}
		at := Pos{File: file, Line: k.Line, Col: k.Column}
		if prev, ok := setBy[k.Value]; ok {
			*errs = append(*errs, &Error{Pos: at, Field: k.Value, Msg: "already set at " + prev.String()})
			continue
		}
		setBy[k.Value] = at
	}
	dv, sv := reflect.ValueOf(dst).Elem(), reflect.ValueOf(src).Elem()
	t := dv.Type()
	for i := 0; i < t.NumField(); i++ {
		tag := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]
		if tag == "" || tag == "-" || !t.Field(i).IsExported() {
			continue
		}
		if listSections[tag] {
			dv.Field(i).Set(reflect.AppendSlice(dv.Field(i), sv.Field(i)))
		} else if _, ok := setBy[tag]; ok && !sv.Field(i).IsZero() {
			dv.Field(i).Set(sv.Field(i))
		}
	}
}

func applyDefaults(rs *Ruleset) {
	if rs.Total == 0 {
		rs.Total = 100
	}
	for i := range rs.Checks {
		c := &rs.Checks[i]
		if c.Severity == "" {
			switch c.Kind {
			case KindReachability, KindCountVeto:
				c.Severity = SeverityVeto
			default:
				c.Severity = SeverityDeduction
			}
		}
		if c.Kind == KindPeriodic && c.Cover == "" {
			if c.Period == PeriodYear {
				c.Cover = CoverTouched
			} else {
				c.Cover = CoverWhole
			}
		}
	}
}
