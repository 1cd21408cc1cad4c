package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// layer is what one package may not depend on.
type layer struct {
	// never lists what the package may not reach at all: not directly, not
	// through any package it imports (go list's Deps). A path ending in
	// "/" stands for every package under it.
	never []string
	// notDirect lists what the package may not import itself, though a
	// package it imports may (net/http comes with a driver or a library).
	notDirect []string
}

// layers places every package of the module; a new package must be given
// its place here (TestLayers fails on one it does not know).
var layers = map[string]layer{
	// evidence is the vocabulary every layer shares: the standard library only.
	"evidence": {never: []string{"gongkai/", "github.com/", "golang.org/", "modernc.org/"}},
	// scoring judges evidence with the rules, as data: it never crawls,
	// stores or reads the network, and does no I/O.
	"scoring": {never: []string{"gongkai/crawler", "gongkai/store", "gongkai/audit", "gongkai/source", "gongkai/dist",
		"gongkai/report", "gongkai/server", "net/http", "os/exec", "database/sql", "modernc.org/"},
		notDirect: []string{"net", "os", "io/ioutil"}},
	// The crawler sees and records; it never judges or stores.
	"crawler": {never: []string{"gongkai/store", "gongkai/rules", "gongkai/scoring", "gongkai/audit", "gongkai/report",
		"gongkai/source", "gongkai/dist", "gongkai/units", "gongkai/server", "database/sql", "modernc.org/"}},
	"rules": {never: []string{"gongkai/crawler", "gongkai/scoring", "gongkai/store", "gongkai/audit", "net/http", "database/sql"}},
	// The store keeps what it is given and never judges it (it decodes
	// the scoring's types, hence rules beneath them).
	"store": {never: []string{"gongkai/crawler", "gongkai/audit", "gongkai/source", "gongkai/dist", "gongkai/report",
		"gongkai/server", "net/http"}, notDirect: []string{"gongkai/rules"}},
	// Outputs never crawl, and print through no browser.
	"report": {never: []string{"gongkai/crawler", "gongkai/audit", "gongkai/source", "gongkai/dist", "gongkai/server",
		"gongkai/internal/browser", "github.com/chromedp/"}, notDirect: []string{"net/http", "os/exec"}},
	// The browser prints and renders bytes it is handed: it knows no
	// audit, finding or database, and makes no request of its own.
	"internal/browser": {never: []string{"gongkai/", "database/sql"}, notDirect: []string{"net/http"}},
	// The sim is an independent ground truth.
	"sim":        {never: []string{"gongkai/crawler", "gongkai/scoring", "gongkai/store", "gongkai/audit", "gongkai/report", "gongkai/source", "gongkai/dist", "gongkai/server", "modernc.org/"}},
	"sim/faults": {never: []string{"gongkai/crawler", "gongkai/scoring", "gongkai/store", "gongkai/audit", "gongkai/report", "gongkai/source", "gongkai/dist", "gongkai/server", "modernc.org/"}},
	// A source crawls for an audit; a worker binary built on it needs no
	// database, no rules and no scoring.
	"source": {never: []string{"gongkai/scoring", "gongkai/store", "gongkai/rules", "gongkai/audit", "gongkai/report",
		"gongkai/units", "gongkai/server", "database/sql", "modernc.org/"}},
	// dist carries plain evidence between processes: it never judges,
	// stores or serves, and a worker builds without SQLite.
	"dist": {never: []string{"gongkai/scoring", "gongkai/store", "gongkai/rules", "gongkai/audit", "gongkai/report",
		"gongkai/units", "gongkai/server", "database/sql", "modernc.org/"}},
	// The units file is read before anything is judged, crawled or
	// stored: it holds the crawl settings (crawler/politeness), not the
	// crawler.
	"units": {never: []string{"gongkai/crawler", "gongkai/store", "gongkai/scoring", "gongkai/rules", "gongkai/audit", "gongkai/report",
		"gongkai/source", "gongkai/dist", "gongkai/server", "database/sql", "modernc.org/"}},
	// audit is where crawler, scoring and store meet; it does not know how
	// evidence travels between machines, nor what is served or printed.
	"audit": {never: []string{"gongkai/dist", "gongkai/server", "gongkai/report", "gongkai/sim", "gongkai/internal/cli", "github.com/nats-io/"}},
	// The service runs audits from any source; the CLI picks the source
	// (dist's coordinator) and hands it in.
	"server": {never: []string{"gongkai/dist", "gongkai/sim", "gongkai/internal/cli", "github.com/nats-io/"}},
	// The commands: anything beneath them.
	"internal/cli": {never: []string{"gongkai/e2e"}},
	// cmd/ is thin: main calls the CLI (TestLayers also bounds its size).
	"cmd/gongkai": {notDirect: []string{"gongkai/audit", "gongkai/crawler", "gongkai/dist", "gongkai/evidence", "gongkai/report",
		"gongkai/rules", "gongkai/scoring", "gongkai/server", "gongkai/sim", "gongkai/source", "gongkai/store", "gongkai/units", "github.com/"}},
	// The crawl settings are plain data, read by the units file, the
	// flags and a distributed job alike.
	"crawler/politeness": {never: []string{"gongkai/", "github.com/"}},
	// Seams only tests set (a worker failing on purpose).
	"internal/testhook": {never: []string{"gongkai/", "github.com/"}},
	// Small helpers stand beneath every layer.
	"internal/attach":     {never: helperNever},
	"internal/gz":         {never: helperNever},
	"internal/pii":        {never: helperNever},
	"internal/textnorm":   {never: helperNever},
	"internal/yamlstrict": {never: helperNever},
	"dashboards":          {never: []string{"gongkai/"}},
	// Test helpers and the end-to-end tests: only tests import them
	// (checked below); what they reach is free.
	"internal/chrometest": {},
	"internal/natstest":   {},
	"internal/officetest": {},
	"internal/servertest": {},
	"e2e":                 {},
}

// helperNever is what the small internal helpers never reach: any layer.
var helperNever = []string{"gongkai/audit", "gongkai/crawler", "gongkai/dist", "gongkai/report", "gongkai/rules", "gongkai/scoring",
	"gongkai/server", "gongkai/sim", "gongkai/source", "gongkai/store", "gongkai/units", "gongkai/internal/cli", "database/sql", "modernc.org/"}

// testOnly are packages only tests may import.
var testOnly = []string{"gongkai/internal/chrometest", "gongkai/internal/natstest", "gongkai/internal/officetest", "gongkai/internal/servertest", "gongkai/e2e"}

// goPackage is what go list says of a package.
type goPackage struct {
	ImportPath string
	GoFiles    []string
	Imports    []string
	Deps       []string
}

// listPackages runs go list on the module: every package with its
// imports and its transitive dependencies (tests left out).
func listPackages(t *testing.T) []goPackage {
	t.Helper()
	cmd := exec.Command("go", "list", "-json=ImportPath,GoFiles,Imports,Deps", "gongkai/...")
	cmd.Dir = ".."
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	var pkgs []goPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p goPackage
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 10 {
		t.Fatalf("go list found %d packages", len(pkgs))
	}
	return pkgs
}

// matches reports whether import path p is b or, for b ending in "/",
// under it.
func matches(p, b string) bool {
	return p == b || strings.HasSuffix(b, "/") && strings.HasPrefix(p, b)
}

// TestLayers holds the separation of docs/spec.md#layers: evidence imports only the
// standard library; scoring never imports the crawler or the store and
// does no I/O; the crawler never imports the store, the rules or the
// scoring; the sim is an independent ground truth; outputs never crawl;
// the distributed transport moves evidence and never judges or stores it,
// so a worker builds without SQLite; the browser that prints the documents
// knows nothing of audits and fetches nothing; cmd/ only calls the CLI.
// The rules hold over the whole dependency graph (go list's Deps), not
// only a package's own imports.
func TestLayers(t *testing.T) {
	pkgs := listPackages(t)
	for _, p := range pkgs {
		name := strings.TrimPrefix(p.ImportPath, "gongkai/")
		l, ok := layers[name]
		if !ok {
			t.Errorf("package %s has no layer: give it one in e2e/layers_test.go", p.ImportPath)
			continue
		}
		for _, b := range l.never {
			for _, d := range p.Deps {
				if matches(d, b) {
					t.Errorf("%s depends on %s (directly or through what it imports), which its layer forbids", name, d)
				}
			}
		}
		for _, b := range l.notDirect {
			for _, d := range p.Imports {
				if matches(d, b) {
					t.Errorf("%s imports %s, which its layer forbids", name, d)
				}
			}
		}
		for _, d := range p.Imports {
			if slices.Contains(testOnly, d) && !slices.Contains(testOnly, p.ImportPath) {
				t.Errorf("%s imports the test helper %s", name, d)
			}
		}
	}
	for name := range layers {
		if !slices.ContainsFunc(pkgs, func(p goPackage) bool { return p.ImportPath == "gongkai/"+name }) {
			t.Errorf("layers names %s, which go list does not find", name)
		}
	}
	// cmd/ is thin: main only calls the CLI.
	files, _ := filepath.Glob(filepath.Join("..", "cmd", "gongkai", "*.go"))
	lines := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		lines += bytes.Count(b, []byte("\n"))
	}
	if lines == 0 || lines > 40 {
		t.Errorf("cmd/gongkai holds %d lines besides its tests: main should only call internal/cli", lines)
	}
}

// TestScoringReadsNoClock: scoring takes its date as a parameter.
func TestScoringReadsNoClock(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "scoring", "*.go"))
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "time.Now") {
			t.Errorf("%s reads the clock", f)
		}
	}
}
