package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gongkai/evidence"
	"gongkai/scoring"
	"gongkai/sim"
	"gongkai/store"
)

// syntheticAudits stores n complete audits of units synthetic units with
// fetches requests each and no finding.
func syntheticAudits(t *testing.T, path string, n, units, fetches int) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for a := range n {
		at := time.Date(2026, 2, 1+a, 2, 0, 0, 0, time.UTC)
		var roster []evidence.Unit
		res := &scoring.Result{AsOf: evidence.DateOf(at)}
		for i := range units {
			u := evidence.Unit{ID: fmt.Sprintf("old-%02d", i), Name: "旧单位", Type: "bureau", URL: fmt.Sprintf("http://127.0.0.1:%d/", 7000+i)}
			roster = append(roster, u)
			res.Units = append(res.Units, scoring.UnitScore{Unit: u.ID, UnitName: u.Name, Total: 100, Rank: 1})
		}
		id, err := db.BeginAudit(ctx, store.AuditMeta{StartedAt: at, AsOf: evidence.DateOf(at)}, roster)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range roster {
			ue := &evidence.UnitEvidence{Unit: u, Started: at, Finished: at, Reach: evidence.Reachability{Reachable: true}}
			for j := range fetches {
				ue.Fetches = append(ue.Fetches, evidence.Fetch{URL: fmt.Sprintf("%sp/%d.html", u.URL, j), Method: "GET",
					Role: evidence.RoleListPage, Status: 200, Class: evidence.ClassOK, FetchedAt: at})
			}
			if err := db.SaveUnitEvidence(ctx, id, ue, nil); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.SaveScoring(ctx, id, res, at); err != nil {
			t.Fatal(err)
		}
		if err := db.FinishAudit(ctx, id, store.AuditComplete, at); err != nil {
			t.Fatal(err)
		}
	}
}

// gongkaiOut runs the test binary as `gongkai args...` to its end and
// returns its exit code and output.
func gongkaiOut(t *testing.T, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "GONGKAI_TEST_MAIN=1")
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), string(out)
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, string(out)
}

// TestDB_BesideAuditProcess runs `gongkai db prune`, `db backup` and `db
// check` as processes while a `gongkai audit` process stores units into
// the same database: the audit completes, the prune removes what it
// should, and database and copy check clean.
func TestDB_BesideAuditProcess(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "gongkai.db")
	syntheticAudits(t, db, 2, 40, 200) // audit 1 goes, audit 2 is the latest complete
	unitsPath := simDistrict(t)
	g := start(t, nil, "audit", "--units", unitsPath, "--db", db, "--as-of", sim.DefaultAsOf, "-v", "--format", "json",
		"--delay", "5ms", "--concurrency", "3", "--retries", "0", "--reach-attempts", "1", "--reach-spacing", "10ms")
	deadline := time.Now().Add(60 * time.Second)
	for strings.Count(g.stderr.String(), "unit audited") < 1 {
		if time.Now().After(deadline) {
			t.Fatalf("the audit stored no unit in 60 s:\n%s", g.stderr)
		}
		time.Sleep(10 * time.Millisecond)
	}
	code, out := gongkaiOut(t, "db", "prune", "--db", db, "--keep", "1")
	if code != 0 || !strings.Contains(out, "audit 1 (as of 2026-02-01, complete): prune 40 of 40 units") ||
		!strings.Contains(out, "audit 3 (as of 2026-03-01, running): kept: running") {
		t.Errorf("prune beside the audit: %d\n%s", code, out)
	}
	backup := filepath.Join(dir, "backup.db")
	if code, out := gongkaiOut(t, "db", "backup", "--db", db, "--out", backup); code != 0 {
		t.Errorf("backup beside the audit: %d\n%s", code, out)
	}
	running := strings.Count(g.stderr.String(), "unit audited") < 12
	if code := g.wait(t, 120*time.Second); code != 0 {
		t.Fatalf("the audit beside prune and backup: exit %d\n%s", code, g.stderr)
	}
	if !running {
		t.Logf("the audit ended before prune and backup did")
	}
	for _, path := range []string{db, backup} {
		if code, out := gongkaiOut(t, "db", "check", "--db", path); code != 0 {
			t.Errorf("check of %s: %d\n%s", path, code, out)
		}
	}
	ctx := context.Background()
	d, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	a, err := d.Audit(ctx, 3)
	if err != nil || a.Status != store.AuditComplete || a.Pruned() {
		t.Errorf("the audit written beside the prune: %+v, %v", a, err)
	}
	if stored, _ := d.StoredUnits(ctx, 3); len(stored) != a.Units {
		t.Errorf("audit 3 stored %d of %d units", len(stored), a.Units)
	}
	if a, _ := d.Audit(ctx, 1); a.EvidencePrunedUnits != 40 {
		t.Errorf("audit 1 after prune: %d units pruned, want 40", a.EvidencePrunedUnits)
	}
}
