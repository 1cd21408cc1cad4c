package e2e

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestLayers holds the separation of docs/spec.md#layers: evidence imports only the
// standard library; scoring never imports the crawler or the store and does
// no I/O; the crawler never imports the store, the rules or the scoring; the
// sim is an independent ground truth; outputs never crawl; the distributed
// transport moves evidence and never judges or stores it; the browser that
// prints the documents knows nothing of audits and fetches nothing.
func TestLayers(t *testing.T) {
	forbidden := map[string][]string{
		"evidence": {"gongkai/", "github.com/", "golang.org/"},
		"scoring":  {"gongkai/crawler", "gongkai/store", "gongkai/audit", "net", "net/http", "os", "os/exec", "io/ioutil", "database/sql"},
		"crawler":  {"gongkai/store", "gongkai/rules", "gongkai/scoring", "gongkai/audit", "gongkai/report"},
		"rules":    {"gongkai/crawler", "gongkai/scoring", "gongkai/store", "net/http"},
		"store":    {"gongkai/crawler", "gongkai/rules", "gongkai/audit", "net/http"},
		"report":   {"gongkai/crawler", "gongkai/audit", "net/http", "gongkai/internal/browser", "github.com/chromedp/", "os/exec"},
		// The browser prints and renders bytes it is handed: it knows no
		// audit, finding or database, and makes no request of its own.
		"internal/browser": {"gongkai/", "net/http", "database/sql"},
		"sim":              {"gongkai/crawler", "gongkai/scoring", "gongkai/store", "gongkai/audit", "gongkai/report"},
		// dist carries plain evidence between processes: it never judges,
		// stores or serves.
		"dist": {"gongkai/scoring", "gongkai/store", "gongkai/rules", "gongkai/report", "gongkai/server", "database/sql"},
	}
	for pkg, bad := range forbidden {
		dir := filepath.Join("..", pkg)
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			name := e.Name()
			if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(dir, name), nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range f.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				for _, b := range bad {
					if path == b || strings.HasSuffix(b, "/") && strings.HasPrefix(path, b) {
						t.Errorf("%s/%s imports %s, which its layer forbids", pkg, name, path)
					}
				}
			}
		}
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
