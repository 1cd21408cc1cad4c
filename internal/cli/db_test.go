package cli

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gongkai/evidence"
	"gongkai/internal/servertest"
	"gongkai/scoring"
	"gongkai/server"
	"gongkai/sim"
	"gongkai/store"
)

// simUnits serves units units of the simulated district and returns its
// units file.
func simUnits(t *testing.T, units int) string {
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
	return path
}

// copyFile copies a closed database to a new file and returns its path.
func copyFile(t *testing.T, from, name string) string {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	to := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(to, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return to
}

// TestDB_Commands audits two sim units three times (the same sites: every
// problem persists), then prunes, re-scores, shows evidence, backs up and
// checks through the command line, and feeds each db command bad input.
func TestDB_Commands(t *testing.T) {
	if testing.Short() {
		t.Skip("audits the simulated district")
	}
	units := simUnits(t, 2) // two that answer: the next two are down, and take a second each
	dir := t.TempDir()
	db := filepath.Join(dir, "g.db")
	for i := 0; i < 3; i++ {
		if code, _, errs := run(t, "audit", "--units", units, "--db", db, "--as-of", sim.DefaultAsOf,
			"--reach-attempts", "1", "--reach-spacing", "10ms", "--retries", "0", "--format", "json"); code != 0 {
			t.Fatalf("audit %d: %d %s", i+1, code, errs)
		}
	}
	_, problems2, _ := run(t, "problems", "--db", db, "--audit", "2", "--format", "json")
	_, ranking2, _ := run(t, "ranking", "--db", db, "--audit", "2", "--format", "json")

	code, out, errs := run(t, "db", "check", "--db", db)
	if code != 0 || !strings.HasPrefix(out, db+": ok") || !strings.Contains(out, fmt.Sprintf("schema version %d, this gongkai's", store.SchemaVersion())) ||
		!strings.Contains(out, "audits: 3 (3 complete, 0 incomplete, 0 running)") {
		t.Fatalf("db check: %d\n%s%s", code, out, errs)
	}

	code, out, errs = run(t, "db", "prune", "--db", db, "--keep", "1", "--dry-run")
	for _, want := range []string{
		"audit 3 (as of 2026-03-01, complete): kept: the latest complete audit",
		"audit 2 (as of 2026-03-01, complete): prune 2 of 2 units",
		"audit 1 (as of 2026-03-01, complete): ",
		"where an open problem was first seen here",
		"dry run: would remove the evidence of ",
	} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("prune --dry-run: %d, output lacks %q:\n%s%s", code, want, out, errs)
		}
	}
	if stats := dbStatsJSON(t, db); stats.UnitsPruned != 0 {
		t.Fatalf("--dry-run pruned %d units", stats.UnitsPruned)
	}

	code, out, errs = run(t, "db", "prune", "--db", db, "--keep", "1")
	if code != 0 || !strings.Contains(out, "removed the evidence of ") || !strings.Contains(out, "incremental vacuum gave") {
		t.Fatalf("prune: %d\n%s%s", code, out, errs)
	}
	stats := dbStatsJSON(t, db)
	if stats.UnitsPruned < 2 || stats.AuditsPruned < 1 || stats.FreePages != 0 {
		t.Errorf("after prune: %d units pruned in %d audits, %d free pages", stats.UnitsPruned, stats.AuditsPruned, stats.FreePages)
	}
	if code, out, _ := run(t, "db", "prune", "--db", db, "--keep", "1"); code != 0 || !strings.Contains(out, "nothing to prune") {
		t.Errorf("a second prune: %d %q", code, out)
	}

	// What reads a pruned audit says so; what it keeps reads as before.
	code, _, errs = run(t, "rescore", "--db", db, "--audit", "2")
	if code != 1 || !strings.Contains(errs, "audit 2: the evidence of 2 of its 2 units was pruned on 2026-11-25 (gongkai db prune)") ||
		!strings.Contains(errs, "cannot be judged again") {
		t.Errorf("rescore of a pruned audit: %d %q", code, errs)
	}
	if code, out, errs := run(t, "rescore", "--db", db, "--audit", "3"); code != 0 || !strings.Contains(out, "scoring") {
		t.Errorf("rescore of a kept audit: %d %q %q", code, out, errs)
	}
	if _, got, _ := run(t, "problems", "--db", db, "--audit", "2", "--format", "json"); got != problems2 {
		t.Errorf("the problem list of the pruned audit changed")
	}
	if _, got, _ := run(t, "ranking", "--db", db, "--audit", "2", "--format", "json"); got != ranking2 {
		t.Errorf("the ranking of the pruned audit changed")
	}
	var found []struct {
		ID       int64             `json:"id"`
		Evidence []json.RawMessage `json:"evidence"`
	}
	if err := json.Unmarshal([]byte(problems2), &found); err != nil || len(found) == 0 {
		t.Fatalf("problems of audit 2: %v", err)
	}
	var id int64
	for _, f := range found {
		if len(f.Evidence) > 0 {
			id = f.ID
			break
		}
	}
	code, out, errs = run(t, "evidence", fmt.Sprint(id), "--db", db)
	if code != 0 || !strings.Contains(out, "in audit 2 was pruned on 2026-11-25 (gongkai db prune)") || !strings.Contains(out, "requests pruned") {
		t.Errorf("evidence of a pruned finding: %d\n%s%s", code, out, errs)
	}
	code, out, _ = run(t, "evidence", fmt.Sprint(id), "--db", db, "--format", "json")
	if code != 0 || !strings.Contains(out, `"evidence_pruned": {`) {
		t.Errorf("evidence json of a pruned finding: %d %.300s", code, out)
	}

	// Backups.
	copyPath := filepath.Join(dir, "copy.db")
	if code, out, errs := run(t, "db", "backup", "--db", db, "--out", copyPath); code != 0 || !strings.Contains(out, "integrity ok") {
		t.Fatalf("backup: %d %q %q", code, out, errs)
	}
	if code, _, errs := run(t, "db", "backup", "--db", db, "--out", copyPath); code != 1 || !strings.Contains(errs, "give --force to replace it") {
		t.Errorf("backup over a file: %d %q", code, errs)
	}
	if code, _, errs := run(t, "db", "backup", "--db", db, "--out", copyPath, "--force"); code != 0 {
		t.Errorf("backup --force: %d %q", code, errs)
	}
	if code, out, _ := run(t, "db", "check", "--db", copyPath); code != 0 || !strings.Contains(out, "journal delete") {
		t.Errorf("check of the copy: %d %q", code, out)
	}

	// Damaged and foreign files.
	future := copyFile(t, copyPath, "future.db")
	raw, err := sql.Open("sqlite", future)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(fmt.Sprintf("PRAGMA user_version = %d", store.SchemaVersion()+1)); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	older := copyFile(t, copyPath, "older.db")
	raw, _ = sql.Open("sqlite", older)
	raw.Exec(fmt.Sprintf("PRAGMA user_version = %d", store.SchemaVersion()-1))
	raw.Close()
	junk := filepath.Join(dir, "junk.db")
	os.WriteFile(junk, []byte(strings.Repeat("not a database\n", 500)), 0o644)
	empty := filepath.Join(dir, "empty.db")
	os.WriteFile(empty, nil, 0o644)
	checks := []struct {
		name, path string
		code       int
		want       []string
	}{
		{"corrupt page", corruptCopy(t, copyPath), 1, []string{"PROBLEM integrity_check: ", "restore the latest backup"}},
		{"newer schema", future, 1, []string{"1 problem", fmt.Sprintf("schema version %d is newer than this gongkai's %d: this gongkai is too old", store.SchemaVersion()+1, store.SchemaVersion())}},
		{"older schema", older, 0, []string{": ok", "migrates it in place"}},
		{"not SQLite", junk, 1, []string{"cannot open it as a SQLite database", "file is not a database"}},
		{"empty file", empty, 1, []string{"no gongkai schema"}},
		{"missing file", filepath.Join(dir, "none.db"), 1, nil},
	}
	for _, tt := range checks {
		t.Run("check "+tt.name, func(t *testing.T) {
			code, out, errs := run(t, "db", "check", "--db", tt.path)
			if code != tt.code {
				t.Errorf("exit %d, want %d\n%s%s", code, tt.code, out, errs)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
	if st, err := os.Stat(older); err != nil || st.Size() == 0 {
		t.Fatal(err)
	}
	if code, out, _ := run(t, "db", "check", "--db", older); code != 0 || !strings.Contains(out, fmt.Sprintf("schema version %d, older", store.SchemaVersion()-1)) {
		t.Errorf("check migrated the older file: %q", out)
	}

	bad := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"prune without --keep", []string{"db", "prune", "--db", db}, 2, "--keep is required"},
		{"prune --keep 0", []string{"db", "prune", "--db", db, "--keep", "0"}, 2, "keep at least the latest complete audit"},
		{"prune --keep -3", []string{"db", "prune", "--db", db, "--keep", "-3"}, 2, "--keep -3"},
		{"prune --keep x", []string{"db", "prune", "--db", db, "--keep", "x"}, 2, "invalid argument"},
		{"prune --dry-run --vacuum", []string{"db", "prune", "--db", db, "--keep", "1", "--dry-run", "--vacuum"}, 2, "a dry run changes nothing"},
		{"prune --keep-audit 99", []string{"db", "prune", "--db", db, "--keep", "1", "--keep-audit", "99"}, 2, "--keep-audit 99: audit 99: not found"},
		{"prune a missing database", []string{"db", "prune", "--db", filepath.Join(dir, "none.db"), "--keep", "1"}, 1, "no database at"},
		{"backup without --out", []string{"db", "backup", "--db", db}, 2, "--out is required"},
		{"backup onto itself", []string{"db", "backup", "--db", db, "--out", db, "--force"}, 1, "that is the database itself"},
		{"backup into a missing directory", []string{"db", "backup", "--db", db, "--out", filepath.Join(dir, "no", "x.db")}, 1, "backup to"},
		{"backup of a missing database", []string{"db", "backup", "--db", filepath.Join(dir, "none.db"), "--out", filepath.Join(dir, "y.db")}, 1, "no database at"},
		{"stats --format xml", []string{"db", "stats", "--db", db, "--format", "xml"}, 2, "--format"},
		{"db with an argument", []string{"db", "prune", "now", "--db", db, "--keep", "1"}, 2, "unknown command"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errs := run(t, tt.args...)
			if code != tt.code || !strings.Contains(errs, tt.want) {
				t.Errorf("exit %d (want %d), stderr %q (want %q)", code, tt.code, errs, tt.want)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "none.db")); err == nil {
		t.Errorf("a db command created a database")
	}
	if code, out, _ := run(t, "db", "check", "--db", db); code != 0 {
		t.Errorf("the database after all that: %s", out)
	}
}

// statsOut is what the tests read of `db stats --format json`.
type statsOut struct {
	UnitsPruned  int   `json:"units_pruned"`
	AuditsPruned int   `json:"audits_pruned"`
	FreePages    int64 `json:"free_pages"`
}

func dbStatsJSON(t *testing.T, db string) statsOut {
	t.Helper()
	code, out, errs := run(t, "db", "stats", "--db", db, "--format", "json")
	if code != 0 {
		t.Fatalf("db stats: %d %s", code, errs)
	}
	var st statsOut
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("db stats json: %v\n%s", err, out)
	}
	return st
}

// slowDown rewrites the sim's units file with a crawl delay, one request
// at a time per host: serve reads it again for the next audit.
func slowDown(t *testing.T, e *servertest.Env, delay time.Duration) {
	t.Helper()
	uf := e.Fleet.UnitsFile()
	uf.Crawl.Delay, uf.Crawl.NoDelay = delay, false
	uf.Crawl.PerHost = 1
	data, err := uf.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(e.UnitsPath, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// corruptCopy copies a closed database and overwrites the header of a leaf
// page of its fetches table.
func corruptCopy(t *testing.T, path string) string {
	t.Helper()
	bad := copyFile(t, path, "corrupt.db")
	raw, err := sql.Open("sqlite", "file:"+bad+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	var page, size int64
	err = raw.QueryRow(`SELECT pageno, pgsize FROM dbstat WHERE name = 'fetches' AND pagetype = 'leaf' LIMIT 1`).Scan(&page, &size)
	raw.Close()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(bad, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt([]byte(strings.Repeat("\xff", 12)), (page-1)*size); err != nil {
		t.Fatal(err)
	}
	return bad
}

// oldAudit stores a complete audit of n synthetic units with fetches rows
// each and no finding: all its evidence is prunable.
func oldAudit(t *testing.T, path string, n, fetches int) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	at := time.Date(2026, 2, 1, 2, 0, 0, 0, time.UTC)
	var roster []evidence.Unit
	res := &scoring.Result{AsOf: evidence.DateOf(at)}
	for i := range n {
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
				Role: evidence.RoleListPage, Status: 200, Class: evidence.ClassOK, FetchedAt: at, SHA256: fmt.Sprintf("%064x", j)})
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

// TestDBPrune_WhileServeAudits prunes, backs up and checks the database of
// a running serve while it audits: the audit completes, the prune removes
// the old audit's evidence, and backup and database check clean.
func TestDBPrune_WhileServeAudits(t *testing.T) {
	if testing.Short() {
		t.Skip("audits the simulated district")
	}
	path := filepath.Join(t.TempDir(), "serve.db")
	oldAudit(t, path, 40, 200)
	e := servertest.Start(t, servertest.Options{Units: 2, Config: func(c *server.Config) { c.DB = path }})
	e.Audit(t) // audit 2, complete: the latest complete audit, kept

	// Audit 3 crawls slowly; prune, back up and check while it runs.
	slowDown(t, e, 10*time.Millisecond)
	if _, err := e.Service.Trigger("test"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		running, _ := e.Service.Status()
		if running != nil && running.AuditID != 0 || running != nil && running.UnitsDone > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("audit 3 did not start")
		}
		time.Sleep(5 * time.Millisecond)
	}
	// Each command must see audit 3 running when it is still running
	// after the command returned (on a loaded machine the audit may end
	// first; the commands must then succeed all the same).
	runningNow := func() bool { r, _ := e.Service.Status(); return r != nil }
	code, out, errs := run(t, "db", "prune", "--db", path, "--keep", "1")
	if code != 0 || !strings.Contains(out, "audit 1 (as of 2026-02-01, complete): prune 40 of 40 units") ||
		runningNow() && !strings.Contains(out, "audit 3 (as of 2026-03-01, running): kept: running") {
		t.Errorf("prune while serve audits: %d\n%s%s", code, out, errs)
	}
	backup := filepath.Join(t.TempDir(), "b.db")
	if code, out, errs := run(t, "db", "backup", "--db", path, "--out", backup); code != 0 {
		t.Errorf("backup while serve audits: %d %q %q", code, out, errs)
	}
	if code, out, _ := run(t, "db", "check", "--db", path); code != 0 || runningNow() && !strings.Contains(out, "audit 3 is running") {
		t.Errorf("check while serve audits: %d\n%s", code, out)
	}
	stillRunning, _ := e.Service.Status()
	e.Service.Wait()
	if _, last := e.Service.Status(); last == nil || last.Result != "complete" {
		t.Fatalf("the audit pruned beside did not complete: %+v", last)
	}
	if stillRunning == nil {
		t.Logf("the audit ended before prune, backup and check did: they did not overlap it all along")
	}
	if code, out, _ := run(t, "db", "check", "--db", path); code != 0 || !strings.Contains(out, "evidence pruned from 1 of them (40 units)") {
		t.Errorf("check after: %d\n%s", code, out)
	}
	if code, out, _ := run(t, "db", "check", "--db", backup); code != 0 {
		t.Errorf("check of the backup: %d\n%s", code, out)
	}

	// The service shows what was pruned: in the audits (API and page), and
	// on the page of a finding whose unit's evidence is gone.
	var audits []server.AuditView
	getJSON(t, e.URL+"/api/audits", &audits)
	if len(audits) != 3 || audits[2].EvidencePrunedUnits != 40 || audits[2].EvidencePrunedAt.IsZero() || audits[1].EvidencePrunedUnits != 0 {
		t.Errorf("/api/audits after prune: %+v", audits)
	}
	if page := get(t, e.URL+"/audits"); !strings.Contains(page, "已清理 40 个单位") {
		t.Errorf("the audits page does not show the prune")
	}
	ctx := context.Background()
	sdb, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	sc, err := sdb.CurrentScoring(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := sdb.Findings(ctx, sc.ID, store.FindingFilter{})
	if err != nil || len(fs) == 0 {
		t.Fatalf("findings of audit 2: %v", err)
	}
	if _, err := sdb.PruneUnit(ctx, 2, fs[0].Unit, time.Now()); err != nil {
		t.Fatal(err)
	}
	if page := get(t, fmt.Sprintf("%s/findings/%d", e.URL, fs[0].ID)); !strings.Contains(page, "已于") || !strings.Contains(page, "were pruned") {
		t.Errorf("the page of a pruned finding does not say so")
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	return string(b)
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(get(t, url)), v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}
