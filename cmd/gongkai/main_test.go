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
	"strings"
	"syscall"
	"testing"
	"time"

	"gongkai/evidence"
	"gongkai/sim"
	"gongkai/store"
)

// TestMain lets the tests run this very binary as `gongkai`: with
// GONGKAI_TEST_MAIN=1 the test binary is the command.
func TestMain(m *testing.M) {
	if os.Getenv("GONGKAI_TEST_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// gongkai is a gongkai process started by a test.
type gongkai struct {
	cmd    *exec.Cmd
	stderr *bytes.Buffer
	done   chan error
}

// start runs the test binary as `gongkai args...` with extra environment.
func start(t *testing.T, env []string, args ...string) *gongkai {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), "GONGKAI_TEST_MAIN=1"), env...)
	g := &gongkai{cmd: cmd, stderr: &bytes.Buffer{}, done: make(chan error, 1)}
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
	d, err := sim.Generate(sim.Config{Seed: 1, AsOf: evidence.MustParseDate(sim.DefaultAsOf)})
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
