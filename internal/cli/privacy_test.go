package cli

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gongkai/evidence"
	"gongkai/internal/pii"
	"gongkai/internal/servertest"
	"gongkai/report"
	"gongkai/rules"
	"gongkai/server"
	"gongkai/sim"
)

// simNumbers serves the simulated district's first units units and
// returns its units file and every personal number its pages and files
// publish unmasked (leaks, and the contact mobiles on contact lines).
func simNumbers(t *testing.T, units int) (string, []string) {
	t.Helper()
	d, err := sim.Generate(sim.Config{Seed: 1, AsOf: evidence.MustParseDate(sim.DefaultAsOf), Units: units})
	if err != nil {
		t.Fatal(err)
	}
	fleet, err := d.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fleet.Close() })
	data, err := fleet.UnitsFile().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "units.yaml")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var nums []string
	digits := regexp.MustCompile(`\d{17}[\dX]|\d{11,19}`)
	add := func(l *sim.Disclosure) {
		if l == nil {
			return
		}
		var texts []string
		for _, r := range l.Rows {
			texts = append(texts, r...)
		}
		texts = append(texts, l.Notes...)
		for _, s := range texts {
			for _, n := range digits.FindAllString(s, -1) {
				if pii.MaskCandidates(n) != n && !seen[n] {
					seen[n] = true
					nums = append(nums, n)
				}
			}
		}
	}
	for _, u := range d.Units {
		for _, c := range u.Columns {
			for _, it := range c.Items {
				add(it.Persons)
				for _, a := range it.Attachments {
					add(a.File)
				}
			}
		}
	}
	return path, nums
}

// TestNoPersonalDataInOutputs audits units of the sim that leak personal
// data in pages and files, then reads every output gongkai makes of the
// audit (the audit's own output and log, problem lists, rankings, the
// workbook, notices, the evaluation report, evidence, inspect, and the
// service's API, dashboard and metrics) and finds none of the numbers
// unmasked. Only `gongkai evidence --body` shows the page as fetched, and
// it warns.
func TestNoPersonalDataInOutputs(t *testing.T) {
	if testing.Short() {
		t.Skip("audits the simulated district")
	}
	units, nums := simNumbers(t, 30)
	if len(nums) < 20 {
		t.Fatalf("the sim publishes only %d personal numbers", len(nums))
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "p.db")
	var outputs []struct{ name, text string }
	keep := func(name, text string) { outputs = append(outputs, struct{ name, text string }{name, text}) }
	cmd := func(args ...string) string {
		t.Helper()
		code, out, errs := run(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s", args, code, errs)
		}
		keep(strings.Join(args, " "), out+errs)
		return out
	}
	cmd("audit", "--units", units, "--db", db, "--as-of", sim.DefaultAsOf, "-v")

	var problems []report.Problem
	if err := json.Unmarshal([]byte(cmd("problems", "--db", db, "--format", "json")), &problems); err != nil {
		t.Fatal(err)
	}
	var privacy []report.Problem
	pages, files := 0, 0
	for _, p := range problems {
		if p.Kind == "content.privacy" {
			privacy = append(privacy, p)
			if strings.HasSuffix(p.Subject, ".html") || strings.HasSuffix(p.Subject, ".htm") {
				pages++
			} else {
				files++
			}
		}
	}
	if pages == 0 || files < 3 {
		t.Fatalf("the audit found %d leaking pages and %d files: the test needs both", pages, files)
	}
	for _, f := range []string{"csv", "md"} {
		cmd("problems", "--db", db, "--format", f)
		cmd("ranking", "--db", db, "--format", f)
	}
	cmd("ranking", "--db", db)
	xlsx := map[string]string{"problems": filepath.Join(dir, "p.xlsx"), "ranking": filepath.Join(dir, "r.xlsx"), "export": filepath.Join(dir, "e.xlsx")}
	cmd("problems", "--db", db, "--format", "xlsx", "--out", xlsx["problems"])
	cmd("ranking", "--db", db, "--format", "xlsx", "--out", xlsx["ranking"])
	cmd("export", "--db", db, "--out", xlsx["export"])
	for name, path := range xlsx {
		keep(name+" workbook", unzipText(t, path))
	}
	cmd("notices", "--db", db, "--out", filepath.Join(dir, "notices"))
	cmd("report", "--db", db, "--out", filepath.Join(dir, "report.html"))
	// Every output of a finding is read for the privacy findings, for any
	// finding on a page or file they name, and for the first finding of
	// every kind (reading all of them, hundreds, takes minutes under -race
	// and adds no path: outputs differ by kind, not by finding).
	leaking := map[string]bool{}
	for _, p := range privacy {
		leaking[p.Subject] = true
	}
	kindSeen := map[rules.FindingKind]bool{}
	var sample []report.Problem
	for _, p := range problems {
		if p.Kind == "content.privacy" || leaking[p.Subject] || leaking[p.URL] || !kindSeen[p.Kind] {
			sample = append(sample, p)
		}
		kindSeen[p.Kind] = true
	}
	for _, p := range sample {
		cmd("evidence", fmt.Sprint(p.ID), "--db", db)
		cmd("evidence", fmt.Sprint(p.ID), "--db", db, "--format", "json")
	}
	for _, p := range privacy {
		if !strings.HasSuffix(p.Subject, ".html") {
			continue
		}
		cmd("inspect", p.Subject)
		cmd("inspect", p.Subject, "--format", "json")
		break
	}
	filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && (strings.HasSuffix(path, ".md") || strings.HasSuffix(path, ".html")) {
			b, _ := os.ReadFile(path)
			keep(path, string(b))
		}
		return nil
	})

	// The service over the same database: its API, pages and metrics.
	e := servertest.Start(t, servertest.Options{Units: 2, Config: func(c *server.Config) { c.DB = db }})
	get := func(path string, want int) string {
		t.Helper()
		resp, err := http.Get(e.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want {
			t.Fatalf("GET %s: %d, want %d: %s", path, resp.StatusCode, want, b)
		}
		if strings.Contains(resp.Header.Get("Content-Type"), "spreadsheet") {
			f := filepath.Join(dir, "api.xlsx")
			os.WriteFile(f, b, 0o644)
			return unzipText(t, f)
		}
		return string(b)
	}
	for _, path := range []string{"/", "/audits", "/api/status", "/api/audits", "/api/ranking", "/api/problems", "/metrics", "/api/audits/1/export.xlsx"} {
		keep("GET "+path, get(path, 200))
	}
	unitsSeen := map[string]bool{}
	for _, p := range sample {
		keep("finding page", get(fmt.Sprintf("/findings/%d", p.ID), 200))
		keep("finding API", get(fmt.Sprintf("/api/findings/%d", p.ID), 200))
		if !unitsSeen[p.Unit] {
			unitsSeen[p.Unit] = true
			keep("unit page", get("/units/"+p.Unit, 200))
			keep("unit API", get("/api/units/"+p.Unit, 200))
		}
	}
	for _, p := range privacy {
		// The page as fetched is not served, nor pictured.
		get(fmt.Sprintf("/api/findings/%d/body", p.ID), http.StatusForbidden)
		get(fmt.Sprintf("/api/findings/%d/screenshot.png", p.ID), http.StatusForbidden)
	}

	for _, o := range outputs {
		for _, n := range nums {
			if strings.Contains(o.text, n) {
				t.Errorf("%s shows %s unmasked", o.name, n)
			}
		}
	}

	// evidence --body shows the page as fetched, and warns.
	p := privacy[0]
	code, out, errs := run(t, "evidence", fmt.Sprint(p.ID), "--db", db, "--body")
	if code != 0 || !strings.Contains(errs, "discloses personal data") {
		t.Errorf("evidence --body: %d, stderr %q", code, errs)
	}
	leaked := false
	for _, n := range nums {
		leaked = leaked || strings.Contains(out, n)
	}
	if !leaked && strings.HasSuffix(p.Subject, ".html") {
		t.Errorf("the kept page of %s holds none of the numbers: the test proves nothing", p.Subject)
	}
	if _, text, _ := run(t, "evidence", fmt.Sprint(p.ID), "--db", db); !strings.Contains(text, "discloses personal data") {
		t.Errorf("evidence does not say the kept page discloses personal data:\n%s", text)
	}
	t.Logf("%d outputs read, %d personal numbers sought, %d leaking pages and %d files found", len(outputs), len(nums), pages, files)
}

// unzipText returns the text of every part of a zip file (a workbook).
func unzipText(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var b strings.Builder
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(&b, rc)
		rc.Close()
	}
	return b.String()
}
