// Package units loads the units file (docs/spec.md#units-file): the district's units, each
// with its type, portal URL, optional column overrides and crawl settings.
// Loading is strict and reports every problem with file:line:col before any
// request is made; checking unit types and column ids against a ruleset is a
// separate step (Check), since the file does not know the ruleset.
package units

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"

	"gongkai/crawler/politeness"
	"gongkai/internal/yamlstrict"

	"gopkg.in/yaml.v3"
)

// File is a loaded units file.
type File struct {
	// District is the district's display name; empty when not given.
	District string `yaml:"district,omitempty"`
	// Crawl loosens or tightens the crawler's politeness for every unit;
	// nil fields keep gongkai's defaults.
	Crawl *Crawl `yaml:"crawl,omitempty"`
	// Units are the audited units, in file order.
	Units []Unit `yaml:"units"`
	// Source is the file's path ("" when parsed from bytes without a name).
	Source string `yaml:"-"`
	// Warnings are what the file says in a way gongkai still reads but
	// will not always: a setting under its old name (DeprecatedKeys).
	// Each names file:line:col and the key to write instead.
	Warnings Errors `yaml:"-"`
}

// Crawl holds the crawl settings a units file may set for its fleet: any
// of politeness.Settings (crawler.Settings) under its key (delay, per_host, retries,
// max_pages_per_unit, ...), the global concurrency and a CA bundle. Keys
// not given keep gongkai's defaults. "delay: 0s" turns delays off (as
// no_delay: true does), "retries: 0" retries (no_retries) and
// "max_attachments: 0" attachment reading (no_attachments).
type Crawl struct {
	politeness.Settings `yaml:",inline"`
	// Concurrency is the number of requests in flight across all hosts.
	Concurrency int `yaml:"concurrency,omitempty"`
	// CAFile is a PEM file of certificate authorities trusted for every
	// unit besides the system's (a district that runs its own CA),
	// relative to the units file's folder; empty trusts the system's alone.
	CAFile string `yaml:"ca_file,omitempty"`
	// Keys records where each key's value stands.
	Keys map[string]yamlstrict.Pos `yaml:"-"`
}

// DeprecatedKeys maps the old names of crawl: settings to their names
// now. A file using an old name is read as if it used the new one, with a
// warning (File.Warnings); giving both is an error.
var DeprecatedKeys = map[string]string{
	"parallelism": "per_host",
}

// zeroTurnsOff maps the settings whose explicit 0 in a units file turns
// the thing off to the switch that does (the crawler reads a 0 as "the
// default").
var zeroTurnsOff = map[string]string{"delay": "no_delay", "retries": "no_retries", "max_attachments": "no_attachments"}

// Unit is one audited unit.
type Unit struct {
	ID      string `yaml:"id"`
	Name    string `yaml:"name"`
	NameEN  string `yaml:"name_en,omitempty"`
	Type    string `yaml:"type"`
	URL     string `yaml:"url"`
	Contact string `yaml:"contact,omitempty"`
	// Columns maps a column id to its URL; such columns are not searched for.
	Columns map[string]string `yaml:"columns,omitempty"`
	// Hosts lists further host names (or host:port) the unit's pages live on.
	Hosts []string `yaml:"hosts,omitempty"`
	// IgnoreRobots opts the unit out of robots.txt (its owner agreed to the audit).
	IgnoreRobots bool `yaml:"ignore_robots,omitempty"`
	// CAFile is a PEM file of certificate authorities trusted for this
	// unit's hosts besides the system's and the crawl-level ca_file,
	// relative to the units file's folder; empty for none.
	CAFile string `yaml:"ca_file,omitempty"`
	// CA holds the PEM certificates of the crawl-level and the unit's own
	// ca_file, as Load (or ReadCAs) read them; empty when neither is given.
	CA string `yaml:"-"`
	// Pos is where the unit was written.
	Pos yamlstrict.Pos `yaml:"-"`
	// Keys records where each key's value stands.
	Keys map[string]yamlstrict.Pos `yaml:"-"`
}

// At returns the position of key in the unit, or the unit's own position.
func (u *Unit) At(key string) yamlstrict.Pos {
	if p, ok := u.Keys[key]; ok {
		return p
	}
	return u.Pos
}

// Error is a problem in a units file (file:line:col: unit "id": field: problem).
type Error = yamlstrict.Error

// Errors lists every problem in a units file.
type Errors = yamlstrict.Errors

var idRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

var entities = map[reflect.Type]yamlstrict.Entity{
	reflect.TypeOf(Unit{}): {Label: "unit", IDKey: "id"},
}

// Load reads and validates the units file at path, with the CA bundles it
// names (ReadCAs, relative to the file's folder).
func Load(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load units: %w", err)
	}
	f, err := Parse(path, data)
	if err != nil {
		return nil, err
	}
	if err := f.ReadCAs(filepath.Dir(path)); err != nil {
		return nil, err
	}
	return f, nil
}

// ReadCAs reads the CA bundles the file names (crawl.ca_file and each
// unit's ca_file), relative paths against dir, into each unit's CA. A file
// that cannot be read or holds no PEM certificate is an error at the key
// that names it; every such error is reported at once.
func (f *File) ReadCAs(dir string) error {
	var errs Errors
	read := map[string]string{}
	load := func(name string, at yamlstrict.Pos, ent, field string) string {
		path := name
		if !filepath.IsAbs(path) {
			path = filepath.Join(dir, path)
		}
		if pemText, ok := read[path]; ok {
			return pemText
		}
		pemText, err := readCA(path)
		if err != nil {
			errs = append(errs, &Error{Pos: at, Entity: ent, Field: field, Msg: err.Error()})
		}
		read[path] = pemText
		return pemText
	}
	var common string
	if f.Crawl != nil && f.Crawl.CAFile != "" {
		at := f.Crawl.Keys["ca_file"]
		if at.Line == 0 {
			at = yamlstrict.Pos{File: f.Source, Line: 1, Col: 1}
		}
		common = load(f.Crawl.CAFile, at, "", "crawl.ca_file")
	}
	for i := range f.Units {
		u := &f.Units[i]
		u.CA = common
		if u.CAFile != "" {
			if own := load(u.CAFile, u.At("ca_file"), fmt.Sprintf("unit %q", u.ID), "ca_file"); own != "" {
				u.CA = strings.TrimSpace(common+"\n"+own) + "\n"
			}
		}
	}
	if len(errs) > 0 {
		errs.Sort()
		return errs
	}
	return nil
}

// readCA reads a PEM file and checks that it holds at least one
// certificate and nothing that is not one.
func readCA(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			return "", fmt.Errorf("read %s: %w", path, pe.Err)
		}
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	n := 0
	rest := data
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			return "", fmt.Errorf("%s: a %s block where certificates are wanted", path, block.Type)
		}
		if _, err := x509.ParseCertificate(block.Bytes); err != nil {
			return "", fmt.Errorf("%s: certificate %d: %w", path, n+1, err)
		}
		n++
	}
	if n == 0 {
		return "", fmt.Errorf("%s holds no PEM certificate", path)
	}
	return string(data), nil
}

// Parse reads and validates a units file from bytes; name is used in errors.
func Parse(name string, data []byte) (*File, error) {
	root, err := yamlstrict.Parse(name, data)
	if err != nil {
		return nil, yamlstrict.Errors{err.(*yamlstrict.Error)}
	}
	if root == nil || root.Kind != yaml.MappingNode {
		line, col := 1, 1
		if root != nil {
			line, col = root.Line, root.Column
		}
		return nil, Errors{{Pos: yamlstrict.Pos{File: name, Line: line, Col: col}, Msg: "a units file is a mapping with a units: list"}}
	}
	f := &File{Source: name}
	errs := f.renameDeprecated(root)
	d := &yamlstrict.Decoder{File: name, Entities: entities}
	d.Decode(root, f)
	errs = append(errs, d.Errs...)
	f.Crawl.offWhenZero()
	errs = append(errs, f.validate(root)...)
	if len(errs) > 0 {
		errs.Sort()
		return nil, errs
	}
	return f, nil
}

func (f *File) validate(root *yaml.Node) Errors {
	var errs Errors
	add := func(p yamlstrict.Pos, u *Unit, field, format string, args ...any) {
		ent := ""
		if u != nil {
			ent = fmt.Sprintf("unit %q", u.ID)
		}
		errs = append(errs, &Error{Pos: p, Entity: ent, Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	if len(f.Units) == 0 {
		add(yamlstrict.At(f.Source, root), nil, "units", "no units listed")
	}
	seen := map[string]yamlstrict.Pos{}
	for i := range f.Units {
		u := &f.Units[i]
		switch {
		case u.ID == "":
			add(u.Pos, u, "id", "required")
		case !idRE.MatchString(u.ID):
			add(u.At("id"), u, "id", "must match [a-z0-9-]+ (lower-case letters, digits, hyphens)")
		}
		if p, dup := seen[u.ID]; dup && u.ID != "" {
			add(u.At("id"), u, "id", "duplicate id (first at %s)", p)
		}
		seen[u.ID] = u.Pos
		if strings.TrimSpace(u.Name) == "" {
			add(u.Pos, u, "name", "required")
		}
		if u.Type == "" {
			add(u.Pos, u, "type", "required")
		}
		if u.URL == "" {
			add(u.Pos, u, "url", "required")
		} else if err := checkURL(u.URL); err != nil {
			add(u.At("url"), u, "url", "%v", err)
		}
		for _, col := range sortedKeys(u.Columns) {
			if err := checkURL(u.Columns[col]); err != nil {
				add(u.At("columns"), u, "columns."+col, "%v", err)
			}
		}
		for _, h := range u.Hosts {
			if h == "" || strings.ContainsAny(h, "/ ") {
				add(u.At("hosts"), u, "hosts", "bad host %q: want a host name or host:port", h)
			}
		}
	}
	if f.Crawl != nil {
		for _, key := range f.Crawl.Negative() {
			at, ok := f.Crawl.Keys[key]
			if !ok {
				at = yamlstrict.At(f.Source, root)
			}
			add(at, nil, "crawl."+key, "must not be negative")
		}
	}
	return errs
}

// renameDeprecated gives the crawl: settings written under an old name
// (DeprecatedKeys) their new name, with a warning each; a setting given
// under both names is an error.
func (f *File) renameDeprecated(root *yaml.Node) Errors {
	var errs Errors
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value != "crawl" || root.Content[i+1].Kind != yaml.MappingNode {
			continue
		}
		crawl := root.Content[i+1]
		for j := 0; j+1 < len(crawl.Content); j += 2 {
			k := crawl.Content[j]
			now, old := DeprecatedKeys[k.Value]
			if !old {
				continue
			}
			at := yamlstrict.At(f.Source, k)
			if yamlstrict.MappingValue(crawl, now) != "" {
				errs = append(errs, &Error{Pos: at, Field: "crawl." + k.Value,
					Msg: fmt.Sprintf("given with %s, its new name: keep %s alone", now, now)})
				crawl.Content = slices.Delete(crawl.Content, j, j+2)
				j -= 2
				continue
			}
			f.Warnings = append(f.Warnings, &Error{Pos: at, Field: "crawl." + k.Value,
				Msg: fmt.Sprintf("deprecated: write %s instead (read as %s)", now, now)})
			k.Value = now
		}
	}
	return errs
}

// offWhenZero turns on the switch of each setting the file gave as 0
// (zeroTurnsOff: "delay: 0s" means no delay, not the default delay).
func (c *Crawl) offWhenZero() {
	if c == nil {
		return
	}
	v := reflect.ValueOf(&c.Settings).Elem()
	for key, off := range zeroTurnsOff {
		if _, given := c.Keys[key]; !given {
			continue
		}
		if f := settingsField(v, key); f.IsValid() && f.IsZero() {
			settingsField(v, off).SetBool(true)
		}
	}
}

// Negative lists the keys of the crawl settings set below zero: none may be.
func (c *Crawl) Negative() []string {
	var out []string
	if c.Concurrency < 0 {
		out = append(out, "concurrency")
	}
	v := reflect.ValueOf(c.Settings)
	for i := 0; i < v.NumField(); i++ {
		if f := v.Field(i); f.CanInt() && f.Int() < 0 {
			out = append(out, yamlKey(v.Type().Field(i)))
		}
	}
	sort.Strings(out)
	return out
}

// settingsField returns the field of politeness.Settings v whose YAML key is key.
func settingsField(v reflect.Value, key string) reflect.Value {
	for i := 0; i < v.NumField(); i++ {
		if yamlKey(v.Type().Field(i)) == key {
			return v.Field(i)
		}
	}
	return reflect.Value{}
}

func yamlKey(f reflect.StructField) string {
	return strings.Split(f.Tag.Get("yaml"), ",")[0]
}

// checkURL accepts absolute http and https URLs with a host.
func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("bad URL %q: %v", s, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("bad URL %q: want an absolute http:// or https:// URL", s)
	}
	if u.Host == "" {
		return fmt.Errorf("bad URL %q: no host", s)
	}
	return nil
}

// Check verifies the file against what a ruleset knows: every unit type is
// one of unitTypes and every overridden column one of columns.
func (f *File) Check(unitTypes, columns []string) error {
	types := map[string]bool{}
	for _, t := range unitTypes {
		types[t] = true
	}
	cols := map[string]bool{}
	for _, c := range columns {
		cols[c] = true
	}
	var errs Errors
	for i := range f.Units {
		u := &f.Units[i]
		ent := fmt.Sprintf("unit %q", u.ID)
		if !types[u.Type] {
			errs = append(errs, &Error{Pos: u.At("type"), Entity: ent, Field: "type",
				Msg: fmt.Sprintf("unknown unit type %q (the ruleset knows %s)%s", u.Type, strings.Join(unitTypes, ", "), yamlstrict.Suggest(u.Type, unitTypes))})
		}
		for _, c := range sortedKeys(u.Columns) {
			if !cols[c] {
				errs = append(errs, &Error{Pos: u.At("columns"), Entity: ent, Field: "columns",
					Msg: fmt.Sprintf("unknown column %q%s", c, yamlstrict.Suggest(c, columns))})
			}
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// Marshal writes f as a units file.
func (f *File) Marshal() ([]byte, error) {
	return yaml.Marshal(f)
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
