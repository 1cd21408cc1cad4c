// Package officetest reads gongkai's office files back in tests with
// readers that share no code with the writers: Debian's python3-openpyxl
// for workbooks and poppler-utils (pdftotext, pdfinfo) for PDFs. A test
// that needs one calls RequireOpenpyxl or RequirePoppler; without the tool
// the test is skipped, unless GONGKAI_REQUIRE_OPENPYXL or
// GONGKAI_REQUIRE_POPPLER is set (as .ci/run sets them), in which case it
// fails.
package officetest

import (
	_ "embed"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

//go:embed dump_xlsx.py
var dumpXLSX string

// Sheet is a worksheet as openpyxl reads it.
type Sheet struct {
	// Name is the sheet's name.
	Name string `json:"name"`
	// Freeze is the top-left cell of the unfrozen pane ("A2" for a frozen
	// header row); empty when nothing is frozen.
	Freeze string `json:"freeze"`
	// Filter is the autofilter's range ("A1:O163"); empty when none.
	Filter string `json:"filter"`
	// Rows are the rows, top to bottom, each cell as openpyxl reads it.
	Rows [][]Cell `json:"rows"`
	// Widths maps a column letter to its width; absent when default.
	Widths map[string]float64 `json:"widths"`
}

// Cell is one cell as openpyxl reads it.
type Cell struct {
	// Type is openpyxl's data type: s (text), n (number), d (date), f
	// (formula), b (boolean), or "" for an empty cell.
	Type string `json:"t"`
	// Value is the value: text, a number, or an ISO date-time for dates.
	Value any `json:"v"`
	// Link is the cell's hyperlink target; empty when none.
	Link string `json:"link"`
	// Format is the cell's number format.
	Format string `json:"fmt"`
}

// Text returns the cell's value as text: numbers without trailing zeros.
func (c Cell) Text() string {
	switch v := c.Value.(type) {
	case nil:
		return ""
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

// python finds a Python 3 that imports openpyxl: Debian's /usr/bin/python3
// first (python3-openpyxl), then python3 on PATH.
func python() string {
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		path, err := exec.LookPath(p)
		if err != nil {
			continue
		}
		if exec.Command(path, "-c", "import openpyxl").Run() == nil {
			return path
		}
	}
	return ""
}

// RequireOpenpyxl returns the path of a Python with openpyxl, or skips t
// (fails it when GONGKAI_REQUIRE_OPENPYXL is set).
func RequireOpenpyxl(t testing.TB) string {
	t.Helper()
	p := python()
	if p == "" {
		if os.Getenv("GONGKAI_REQUIRE_OPENPYXL") != "" {
			t.Fatal("no python3 with openpyxl and GONGKAI_REQUIRE_OPENPYXL is set: install Debian's python3-openpyxl")
		}
		t.Skip("no python3 with openpyxl: install Debian's python3-openpyxl to read workbooks back")
	}
	return p
}

// ReadWorkbook reads every sheet of the workbook at path with openpyxl.
func ReadWorkbook(t testing.TB, path string) []Sheet {
	t.Helper()
	py := RequireOpenpyxl(t)
	script := filepath.Join(t.TempDir(), "dump_xlsx.py")
	if err := os.WriteFile(script, []byte(dumpXLSX), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(py, script, path).Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		t.Fatalf("openpyxl could not read %s: %v\n%s", path, err, msg)
	}
	var sheets []Sheet
	if err := json.Unmarshal(out, &sheets); err != nil {
		t.Fatalf("openpyxl dump of %s: %v", path, err)
	}
	return sheets
}

// RequirePoppler skips t when pdftotext or pdfinfo is missing (fails it
// when GONGKAI_REQUIRE_POPPLER is set).
func RequirePoppler(t testing.TB) {
	t.Helper()
	for _, tool := range []string{"pdftotext", "pdfinfo"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("GONGKAI_REQUIRE_POPPLER") != "" {
				t.Fatalf("no %s and GONGKAI_REQUIRE_POPPLER is set: install Debian's poppler-utils", tool)
			}
			t.Skipf("no %s: install Debian's poppler-utils to read PDFs back", tool)
		}
	}
}

// PDFText returns the text of the PDF at path, page by page, in the order
// it was drawn (pdftotext -raw: a table cell's lines stay together; pages
// are split at form feeds).
func PDFText(t testing.TB, path string) []string {
	t.Helper()
	RequirePoppler(t)
	out, err := exec.Command("pdftotext", "-raw", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v", path, err)
	}
	pages := strings.Split(string(out), "\f")
	if len(pages) > 0 && strings.TrimSpace(pages[len(pages)-1]) == "" {
		pages = pages[:len(pages)-1]
	}
	return pages
}

var pagesLine = regexp.MustCompile(`(?m)^Pages:\s+(\d+)`)

// PDFInfo returns the page count and the page size line of the PDF at
// path, as pdfinfo reports them.
func PDFInfo(t testing.TB, path string) (pages int, size string) {
	t.Helper()
	RequirePoppler(t)
	out, err := exec.Command("pdfinfo", path).Output()
	if err != nil {
		t.Fatalf("pdfinfo %s: %v", path, err)
	}
	m := pagesLine.FindSubmatch(out)
	if m == nil {
		t.Fatalf("pdfinfo %s: no page count in %q", path, out)
	}
	pages, _ = strconv.Atoi(string(m[1]))
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "Page size:") {
			size = strings.TrimSpace(strings.TrimPrefix(line, "Page size:"))
		}
	}
	return pages, size
}

// Squash removes all white space from s, so that text that pdftotext split
// over lines or spaced out can be looked for.
func Squash(s string) string {
	return strings.Join(strings.Fields(s), "")
}
