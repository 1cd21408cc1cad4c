// Package servertest runs a real `gongkai serve` (server.Service) in tests:
// over a live simulated district, with its own database and metrics
// registry, listening on a loopback port. Tests audit the sim through it
// and then look at what it serves (pages, API, /metrics).
package servertest

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
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

	stop func() error
	// What NextRound needs to bring the next round up.
	seed     int64
	units    int
	round    int
	basePort int
	district func(*sim.District)
	first    evidence.Date
}

// Options change the environment.
type Options struct {
	// Seed and Round select the sim (0 means 1 for both).
	Seed  int64
	Round int
	// Units is the number of the district's units served; 0 means all 47.
	// A dozen audit in a fraction of the time, which matters under -race.
	Units int
	// Schedule is the service's schedule; "" means none.
	Schedule string
	// Token is the trigger token; "" means "test-token".
	Token string
	// NoToken starts the service without a token (the trigger disabled).
	NoToken bool
	// Crawler replaces the fast crawl options tests use by default (no
	// delay, one reachability attempt) when it is not zero.
	Crawler *crawler.Options
	// Delay, when positive, is the pause between requests to one host
	// written into the units file (the sim's file turns delays off, and a
	// units file's crawl settings win over the service's own), so that an
	// audit takes a while.
	Delay time.Duration
	// ReadHeaderTimeout is the service's (0: its default).
	ReadHeaderTimeout time.Duration
	// Config, when set, edits the service's config before it starts.
	Config func(*server.Config)
	// District, when set, edits the generated district before it starts,
	// and every round NextRound brings up (tests plant text on its pages).
	District func(*sim.District)
	// FixedPorts starts the sim on a fixed range of ports
	// (sim.FreeBasePort), as NextRound needs to serve the next round on
	// the same URLs.
	FixedPorts bool
	// Browser renders the service's evidence screenshots; nil turns them
	// off.
	Browser server.Browser
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
	base := 0
	if o.FixedPorts {
		var err error
		if base, err = sim.FreeBasePort(len(sim.Roster())); err != nil {
			t.Fatal(err)
		}
	}
	d, err := sim.Generate(sim.Config{Seed: seed, AsOf: asOf, Round: o.Round, BasePort: base, Units: o.Units})
	if err != nil {
		t.Fatal(err)
	}
	if o.District != nil {
		o.District(d)
	}
	fleet, err := d.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fleet.Close() })
	dir := t.TempDir()
	unitsPath := filepath.Join(dir, "units.yaml")
	uf := fleet.UnitsFile()
	if o.Delay > 0 {
		uf.Crawl.Delay, uf.Crawl.NoDelay = o.Delay, false
		uf.Crawl.PerHost = 1
	}
	data, err := uf.Marshal()
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
	if o.NoToken {
		token = ""
	}
	cfg := server.DefaultConfig()
	cfg.Units = unitsPath
	cfg.DB = filepath.Join(dir, "gongkai.db")
	cfg.Schedule = o.Schedule
	cfg.Listen = "127.0.0.1:0"
	cfg.AsOf = sim.DefaultAsOf
	// An unanswering unit is unreachable at once, as in `gongkai audit`,
	// unless a test sets up the observation window.
	cfg.UnreachableAfter = 0
	if o.Config != nil {
		o.Config(&cfg)
	}
	co := crawler.Options{Settings: crawler.Settings{ReachAttempts: 1, ReachSpacing: 10 * time.Millisecond, RetryBase: 5 * time.Millisecond}}
	if o.Crawler != nil {
		co = *o.Crawler
	}
	reg := prometheus.NewRegistry()
	svc, err := server.New(context.Background(), server.Options{
		Config: cfg, Token: token, Registry: reg, Version: "test", Crawler: co,
		ReadHeaderTimeout: o.ReadHeaderTimeout, Browser: o.Browser,
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
	var (
		once    sync.Once
		stopErr error
	)
	stop := func() error {
		once.Do(func() {
			cancel()
			select {
			case stopErr = <-served:
			case <-time.After(30 * time.Second):
				stopErr = errors.New("serve did not stop within 30 s")
			}
		})
		return stopErr
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("serve: %v", err)
		}
		svc.Close()
	})
	e := &Env{Service: svc, URL: "http://" + ln.Addr().String(), Registry: reg, Fleet: fleet,
		UnitsPath: unitsPath, Config: cfg, Token: token, stop: stop,
		seed: seed, units: o.Units, round: d.Round, basePort: base, district: o.District, first: d.FirstAsOf}
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

// Stop stops the service as SIGTERM does (cancelling Serve's context) and
// returns what Serve returned. The database stays open until t ends.
func (e *Env) Stop() error { return e.stop() }

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

// NextRound replaces the sim by its next audit round (sim.Config.Round)
// on the same ports and as of the same date, so that the next audit sees
// about half the problems fixed, a few new ones and the rest persisting.
// It needs Options.FixedPorts.
func (e *Env) NextRound(t testing.TB) {
	t.Helper()
	if e.basePort == 0 {
		t.Fatal("servertest: NextRound needs Options.FixedPorts")
	}
	asOf := evidence.MustParseDate(sim.DefaultAsOf)
	d, err := sim.Generate(sim.Config{Seed: e.seed, AsOf: asOf, FirstAsOf: e.first, Round: e.round + 1, BasePort: e.basePort, Units: e.units})
	if err != nil {
		t.Fatal(err)
	}
	if e.district != nil {
		e.district(d)
	}
	e.Fleet.Close()
	fleet, err := d.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fleet.Close() })
	data, err := fleet.UnitsFile().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(e.UnitsPath, data, 0o644); err != nil {
		t.Fatal(err)
	}
	e.Fleet, e.round = fleet, d.Round
}
