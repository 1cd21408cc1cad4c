// Package servertest runs a real `gongkai serve` (server.Service) in tests:
// over a live simulated district, with its own database and metrics
// registry, listening on a loopback port. Tests audit the sim through it
// and then look at what it serves (pages, API, /metrics).
package servertest

import (
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"gongkai/crawler"
	"gongkai/evidence"
	"gongkai/server"
	"gongkai/sim"
)

// Env is a running service over a running sim.
type Env struct {
	// Service is the running service; URL its base URL (no trailing slash).
	Service *server.Service
	URL     string
	// Registry is the service's metrics registry.
	Registry *prometheus.Registry
	// Fleet is the sim; UnitsPath its units file; Config the service's.
	Fleet     *sim.Fleet
	UnitsPath string
	Config    server.Config
	// Token is the trigger's bearer token.
	Token string
}

// Options change the environment.
type Options struct {
	// Seed and Round select the sim (0 means 1 for both).
	Seed  int64
	Round int
	// Schedule is the service's schedule; "" means none.
	Schedule string
	// Token is the trigger token; "" means "test-token".
	Token string
}

// Start generates the sim, starts it, and starts a service over it. Both
// stop when t ends.
func Start(t testing.TB, o Options) *Env {
	t.Helper()
	seed := o.Seed
	if seed == 0 {
		seed = 1
	}
	asOf := evidence.MustParseDate(sim.DefaultAsOf)
	d, err := sim.Generate(sim.Config{Seed: seed, AsOf: asOf, Round: o.Round})
	if err != nil {
		t.Fatal(err)
	}
	fleet, err := d.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fleet.Close() })
	dir := t.TempDir()
	unitsPath := filepath.Join(dir, "units.yaml")
	data, err := fleet.UnitsFile().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(unitsPath, data, 0o644); err != nil {
		t.Fatal(err)
	}
	token := o.Token
	if token == "" {
		token = "test-token"
	}
	cfg := server.DefaultConfig()
	cfg.Units = unitsPath
	cfg.DB = filepath.Join(dir, "gongkai.db")
	cfg.Schedule = o.Schedule
	cfg.Listen = "127.0.0.1:0"
	cfg.AsOf = sim.DefaultAsOf
	reg := prometheus.NewRegistry()
	svc, err := server.New(context.Background(), server.Options{
		Config: cfg, Token: token, Registry: reg, Version: "test",
		Crawler: crawler.Options{ReachAttempts: 1, ReachSpacing: 10 * time.Millisecond, RetryBase: 5 * time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- svc.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-served:
			if err != nil {
				t.Errorf("serve: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("serve did not stop within 30 s")
		}
		svc.Close()
	})
	e := &Env{Service: svc, URL: "http://" + ln.Addr().String(), Registry: reg, Fleet: fleet,
		UnitsPath: unitsPath, Config: cfg, Token: token}
	// Serve sets up asynchronously; it answers /healthz once it accepts
	// triggers too.
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(e.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the service did not start serving: %v", err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return e
}

// Audit runs one audit through the service and waits for it; it fails t
// unless the audit completed.
func (e *Env) Audit(t testing.TB) *server.RunStatus {
	t.Helper()
	if _, err := e.Service.Trigger("test"); err != nil {
		t.Fatalf("trigger: %v", err)
	}
	e.Service.Wait()
	_, last := e.Service.Status()
	if last == nil || last.Result != "complete" {
		t.Fatalf("audit did not complete: %+v", last)
	}
	return last
}
