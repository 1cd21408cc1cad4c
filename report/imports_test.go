package report

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImports holds the layer line: report renders plain data of evidence,
// scoring and the store and imports no other gongkai package (never the
// crawler, never scoring's logic beyond its types).
func TestImports(t *testing.T) {
	allowed := map[string]bool{"gongkai/evidence": true, "gongkai/scoring": true, "gongkai/store": true}
	checkImports(t, allowed)
}

func checkImports(t *testing.T, allowed map[string]bool) {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(path, "gongkai/") && !allowed[path] {
				t.Errorf("%s imports %s", name, path)
			}
		}
	}
}
