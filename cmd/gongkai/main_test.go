package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"gongkai/evidence"
	"gongkai/internal/testhook"
	"gongkai/sim"
	"gongkai/store"
)

// TestMain lets the tests run this very binary as `gongkai`: with
// GONGKAI_TEST_MAIN=1 the test binary is the command.
func TestMain(m *testing.M) {
	if os.Getenv("GONGKAI_TEST_MAIN") == "1" {
		if units := os.Getenv("GONGKAI_TEST_FAIL_UNITS"); units != "" {
			fail := strings.Split(units, ",")
			testhook.FailUnit = func(unit string) bool { return slices.Contains(fail, unit) }
		}
		main()
		return
	}
	os.Exit(m.Run())
}

// gongkai is a gongkai process started by a test.
type gongkai struct {
	cmd    *exec.Cmd
	stderr *syncBuffer
	done   chan error
}

// syncBuffer is a buffer the process writes while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// start runs the test binary as `gongkai args...` with extra environment.
func start(t *testing.T, env []string, args ...string) *gongkai {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), "GONGKAI_TEST_MAIN=1"), env...)
	g := &gongkai{cmd: cmd, stderr: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = g.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { g.done <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-g.done
	})
	return g
}

// wait waits up to d for the process to exit and returns its exit code.
func (g *gongkai) wait(t *testing.T, d time.Duration) int {
	t.Helper()
	select {
	case err := <-g.done:
		g.done <- err // for the cleanup
		if err == nil {
			return 0
		}
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		t.Fatalf("wait: %v", err)
	case <-time.After(d):
		t.Fatalf("the process did not exit within %v; stderr:\n%s", d, g.stderr)
	}
	return -1
}

// simDistrict starts the sim and writes its units file; it returns the
// file's path.
func simDistrict(t *testing.T) string {
	t.Helper()
	d, err := sim.Generate(sim.Config{Seed: 1, AsOf: evidence.MustParseDate(sim.DefaultAsOf), Units: 12})
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

// freeAddr returns a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// runStatus is the part of /api/status the tests read.
type runStatus struct {
	Running *struct {
		Units     int `json:"units"`
		UnitsDone int `json:"units_done"`
	} `json:"running"`
}

// waitUnitsDone polls base's /api/status until the running audit has
// done n units.
func waitUnitsDone(t *testing.T, g *gongkai, base string, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/api/status")
		if err == nil {
			var st runStatus
			err = json.NewDecoder(resp.Body).Decode(&st)
			resp.Body.Close()
			if err == nil && st.Running != nil && st.Running.UnitsDone >= n {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no audit with %d units done within 30 s; stderr:\n%s", n, g.stderr)
}

// TestServe_SIGTERM runs `gongkai serve` as a real process, lets it start an
// audit, and sends SIGTERM: it exits 0 promptly and the audit it was running
// is in the database, marked incomplete.
func TestServe_SIGTERM(t *testing.T) {
	unitsPath := simDistrict(t)
	db := filepath.Join(t.TempDir(), "gongkai.db")
	addr := freeAddr(t)
	g := start(t, []string{"GONGKAI_TOKEN=t0ken"}, "serve", "--units", unitsPath, "--db", db, "--listen", addr,
		"--schedule", "", "--run-on-start", "--as-of", sim.DefaultAsOf,
		"--delay", "100ms", "--reach-attempts", "1", "--reach-spacing", "10ms")
	waitUnitsDone(t, g, "http://"+addr, 1)

	if err := g.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := g.wait(t, 20*time.Second); code != 0 {
		t.Fatalf("exit code %d after SIGTERM; stderr:\n%s", code, g.stderr)
	}
	log := g.stderr.String()
	for _, want := range []string{"audit started", "cancelling the running audit", "result=incomplete", "stopped"} {
		if !strings.Contains(log, want) {
			t.Errorf("the log does not say %q:\n%s", want, log)
		}
	}
	d, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	list, err := d.Audits(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Status != store.AuditIncomplete || list[0].FinishedAt.IsZero() {
		t.Errorf("audits after SIGTERM: %+v; want one, incomplete and finished", list)
	}
}

// TestServe_BadConfig: a broken config file stops serve before it
// listens, with the file's line and a usage exit code.
func TestServe_BadConfig(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "gongkai.yaml")
	if err := os.WriteFile(cfg, []byte("units: u.yaml\nschedule: \"every monday\"\nlisten: 127.0.0.1:9\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	g := start(t, nil, "serve", "--config", cfg)
	if code := g.wait(t, 20*time.Second); code == 0 {
		t.Fatalf("serve with a bad config exited 0")
	}
	if !strings.Contains(g.stderr.String(), cfg+":2:") || !strings.Contains(g.stderr.String(), "schedule") {
		t.Errorf("stderr does not name %s:2 and the field:\n%s", cfg, g.stderr)
	}
}

// findingKeys lists the findings of an audit's current scoring as
// comparable strings.
func findingKeys(t *testing.T, d *store.DB, auditID int64) []string {
	t.Helper()
	sc, err := d.CurrentScoring(context.Background(), auditID)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := d.Findings(context.Background(), sc.ID, store.FindingFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range fs {
		out = append(out, strings.Join([]string{f.Unit, string(f.Kind), f.Column, f.Subject, f.Severity}, " "))
	}
	sort.Strings(out)
	return out
}

// TestAudit_KillDashNine kills `gongkai audit` with SIGKILL halfway through
// its second audit. The database then opens and passes PRAGMA
// integrity_check, the first audit is whole, the killed one is marked
// incomplete, and `audit --resume` finishes it with the same findings a
// whole audit of the same sites gives.
func TestAudit_KillDashNine(t *testing.T) {
	ctx := context.Background()
	unitsPath := simDistrict(t)
	db := filepath.Join(t.TempDir(), "gongkai.db")
	fast := []string{"--reach-attempts", "1", "--reach-spacing", "10ms"}
	g := start(t, nil, append([]string{"audit", "--units", unitsPath, "--db", db, "--as-of", sim.DefaultAsOf, "--format", "json"}, fast...)...)
	if code := g.wait(t, 120*time.Second); code != 0 {
		t.Fatalf("first audit: exit %d\n%s", code, g.stderr)
	}
	d, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	first := findingKeys(t, d, 1)
	d.Close()

	// The second audit crawls slowly, so it is killed with units stored
	// and units to go.
	g = start(t, nil, append([]string{"audit", "--units", unitsPath, "--db", db, "--as-of", sim.DefaultAsOf, "-v", "--delay", "20ms", "--concurrency", "3"}, fast...)...)
	deadline := time.Now().Add(60 * time.Second)
	for strings.Count(g.stderr.String(), "unit audited") < 4 {
		if time.Now().After(deadline) {
			t.Fatalf("the second audit stored no 4 units in 60 s:\n%s", g.stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := g.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	g.wait(t, 10*time.Second)

	d, err = store.Open(ctx, db)
	if err != nil {
		t.Fatalf("the database does not open after kill -9: %v", err)
	}
	if err := d.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
	a, err := d.Audit(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := d.StoredUnits(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != store.AuditRunning || len(stored) < 4 || len(stored) >= a.Units {
		t.Fatalf("killed audit: status %s, %d of %d units stored; want running (left by the killed process), some stored", a.Status, len(stored), a.Units)
	}
	if got := findingKeys(t, d, 1); strings.Join(got, "\n") != strings.Join(first, "\n") {
		t.Fatalf("the complete audit changed: %d findings before, %d after", len(first), len(got))
	}
	d.Close()

	g = start(t, nil, append([]string{"audit", "--resume", "--units", unitsPath, "--db", db, "--format", "json"}, fast...)...)
	if code := g.wait(t, 120*time.Second); code != 0 {
		t.Fatalf("audit --resume: exit %d\n%s", code, g.stderr)
	}
	d, err = store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
	list, err := d.Audits(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if a, err := d.Audit(ctx, 2); len(list) != 2 || err != nil || a.Status != store.AuditComplete {
		t.Fatalf("audits after the resume: %+v; want audit 2 complete and no third", list)
	}
	if got := findingKeys(t, d, 2); strings.Join(got, "\n") != strings.Join(first, "\n") {
		t.Errorf("the resumed audit has %d findings, a whole audit %d; they differ", len(got), len(first))
	}
	// Nothing is left to resume.
	g = start(t, nil, "audit", "--resume", "--units", unitsPath, "--db", db)
	if code := g.wait(t, 20*time.Second); code != 2 || !strings.Contains(g.stderr.String(), "nothing to resume") {
		t.Errorf("a second --resume: exit %d, %s", code, g.stderr)
	}
}
