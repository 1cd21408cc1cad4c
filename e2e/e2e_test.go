package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"gongkai/audit"
	"gongkai/crawler"
	"gongkai/evidence"
	"gongkai/rules"
	"gongkai/sim"
	"gongkai/store"
)

// key is what must agree between the audit and the truth for each finding.
type key struct {
	Unit, Kind, Column, Subject, Severity string
}

func (k key) String() string {
	return fmt.Sprintf("%s %s [%s] %s (%s)", k.Unit, k.Kind, k.Column, k.Subject, k.Severity)
}

// simAudit is an audit of the simulated district.
type simAudit struct {
	got, want []key          // the audit's findings and the truth
	variants  map[string]int // markup variants by the number of units using them
	sum       *audit.Summary
	db        *store.DB
	dbPath    string
	fleet     *sim.Fleet
	kept      map[string]bool // the units audited, when not all were
}

// auditSim serves the simulated district for seed and date, audits it with
// the default ruleset into a fresh database, and returns the findings and
// the truth. Fleet and database close when t ends.
func auditSim(t *testing.T, seed int64, asOf string) *simAudit {
	t.Helper()
	return auditSimN(t, seed, asOf, 0)
}

// auditSimN is auditSim of the district's first units units (0: all).
func auditSimN(t *testing.T, seed int64, asOf string, units int) *simAudit {
	t.Helper()
	return closedWithTest(t)(newSimAudit(seed, asOf, units, filepath.Join(t.TempDir(), "e2e.db")))
}

// closedWithTest returns a function that closes a sim audit's fleet and
// database when t ends, and fails t on err.
func closedWithTest(t *testing.T) func(*simAudit, error) *simAudit {
	return func(a *simAudit, err error) *simAudit {
		t.Helper()
		if a != nil {
			t.Cleanup(func() {
				a.db.Close()
				a.fleet.Close()
			})
		}
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
}

// newSimAudit is auditSimN without a test: the caller closes fleet and db.
func newSimAudit(seed int64, asOf string, units int, dbPath string) (*simAudit, error) {
	return newSimAuditWith(simRun{seed: seed, asOf: asOf, units: units, dbPath: dbPath})
}

// simRun says which simulated audit newSimAuditWith makes.
type simRun struct {
	seed   int64
	asOf   string
	units  int    // the district's first units (0: all)
	dbPath string // the database file to create
	// render audits with the browser (crawler --render), and the truth is
	// that of an evaluator that renders pages.
	render bool
	// only, when set, keeps the units it accepts in the units file and in
	// the truth.
	only func(*sim.Unit) bool
}

// newSimAuditWith serves the district r names and audits it.
func newSimAuditWith(r simRun) (*simAudit, error) {
	ctx := context.Background()
	rs := rules.MustDefault()
	date := evidence.MustParseDate(r.asOf)
	d, err := sim.Generate(sim.Config{Seed: r.seed, AsOf: date, Rules: rs, Units: r.units, Rendered: r.render})
	if err != nil {
		return nil, err
	}
	fleet, err := d.Start()
	if err != nil {
		return nil, err
	}
	uf := fleet.UnitsFile()
	kept := map[string]bool{}
	if r.only != nil {
		all := uf.Units
		uf.Units = nil
		for _, u := range fleet.District().Units {
			if r.only(u) {
				kept[u.ID] = true
			}
		}
		for _, u := range all {
			if kept[u.ID] {
				uf.Units = append(uf.Units, u)
			}
		}
	}
	co, err := audit.CrawlOptions(crawler.Options{Settings: crawler.Settings{ReachSpacing: 10 * time.Millisecond, RetryBase: 5 * time.Millisecond, Render: r.render}}, uf)
	if err != nil {
		fleet.Close()
		return nil, err
	}
	variants := map[string]int{}
	for _, u := range fleet.District().Units {
		if r.only != nil && !kept[u.ID] {
			continue
		}
		for _, v := range u.Variants {
			variants[v]++
		}
	}
	db, err := store.Open(ctx, r.dbPath)
	if err != nil {
		fleet.Close()
		return nil, err
	}
	a := &simAudit{variants: variants, db: db, dbPath: r.dbPath, fleet: fleet, kept: kept}
	a.sum, err = audit.Run(ctx, audit.Options{Units: uf, Rules: rs, AsOf: date, DB: db, Crawler: co})
	if err != nil {
		return a, err
	}
	if err := a.readFindings(ctx); err != nil {
		return a, err
	}
	return a, nil
}

// readFindings fills got (the audit's findings) and want (the truth).
func (a *simAudit) readFindings(ctx context.Context) error {
	found, err := a.db.Findings(ctx, a.sum.ScoringID, store.FindingFilter{})
	if err != nil {
		return err
	}
	a.got, a.want = nil, nil
	for _, f := range found {
		a.got = append(a.got, key{f.Unit, string(f.Kind), f.Column, f.Subject, f.Severity})
	}
	for _, f := range a.fleet.Truth() {
		if len(a.kept) > 0 && !a.kept[f.Unit] {
			continue
		}
		a.want = append(a.want, key{f.Unit, string(f.Kind), f.Column, f.Subject, f.Severity})
	}
	sortKeys(a.got)
	sortKeys(a.want)
	return nil
}

// shared is the audit of seed 1 as of sim.DefaultAsOf, made once for every
// test that starts from it; its fleet runs until the tests end.
var shared struct {
	once   sync.Once
	dir    string
	a      *simAudit
	err    error
	closed bool
}

// sharedAudit returns the shared audit with a database of its own: a copy
// of the audit's, which the test may change. The fleet is shared: tests
// must not close it.
func sharedAudit(t *testing.T) *simAudit {
	t.Helper()
	shared.once.Do(func() {
		if shared.dir, shared.err = os.MkdirTemp("", "gongkai-e2e-"); shared.err != nil {
			return
		}
		shared.a, shared.err = newSimAudit(1, sim.DefaultAsOf, 0, filepath.Join(shared.dir, "shared.db"))
		if shared.a != nil {
			shared.a.db.Close() // checkpointed into one file, copied below
		}
	})
	if shared.err != nil {
		t.Fatalf("shared audit: %v", shared.err)
	}
	path := filepath.Join(t.TempDir(), "e2e.db")
	data, err := os.ReadFile(shared.a.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	a := *shared.a
	a.db, a.dbPath = db, path
	return &a
}

// TestMain stops the shared audit's fleet once every test has run.
func TestMain(m *testing.M) {
	code := m.Run()
	if shared.a != nil {
		shared.a.fleet.Close()
	}
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

func sortKeys(ks []key) {
	sort.Slice(ks, func(i, j int) bool { return ks[i].String() < ks[j].String() })
}

// TestAuditAgreesWithTruth is the end-to-end check: every finding the sim
// planted is reported, and nothing else, as of the sim's default date (the
// due reports in the 2021 format) and as of 2021-03-01 (in the 2019 format).
func TestAuditAgreesWithTruth(t *testing.T) {
	kinds := map[string]int{}
	for _, date := range []string{sim.DefaultAsOf, "2021-03-01"} {
		t.Run(date, func(t *testing.T) {
			a := sharedAudit(t)
			if date != sim.DefaultAsOf {
				a = auditSim(t, 1, date)
			}
			missed, spurious := diff(a.want, a.got)
			for _, k := range missed {
				t.Errorf("missed:   %s", k)
			}
			for _, k := range spurious {
				t.Errorf("spurious: %s", k)
			}
			// Every markup, discovery path, date format, pager, encoding and
			// report layout the sim knows is on some unit, so agreement
			// covers them all.
			for _, v := range sim.AllVariants() {
				if a.variants[v] == 0 {
					t.Errorf("variant %s is on no unit: the audit does not exercise it", v)
				}
			}
			here := map[string]bool{}
			for _, k := range a.want {
				kinds[k.Kind]++
				here[k.Kind] = true
			}
			t.Logf("%d findings agree across %d kinds and %d markup variants; %d requests", len(a.got), len(here), len(a.variants), a.sum.Pages)
		})
	}
	for _, kind := range rules.FindingKinds {
		if kinds[string(kind)] == 0 && !faultKinds[string(kind)] {
			t.Errorf("the truth plants no %s: the test cannot show it is found", kind)
		}
	}
}

// faultKinds are the finding kinds only a misbehaving site yields (a page
// the crawler could not use, a refused certificate): the sim's sites are
// healthy, so the fault fleet's audit (TestAudit_FaultFleet) must show
// each of them instead.
var faultKinds = map[string]bool{"site.certificate": true, "column.unread": true}

// diff returns the keys of want missing from got, and of got missing from want.
func diff(want, got []key) (missed, spurious []key) {
	in := func(ks []key) map[key]int {
		m := map[key]int{}
		for _, k := range ks {
			m[k]++
		}
		return m
	}
	w, g := in(want), in(got)
	for _, k := range want {
		if g[k] == 0 {
			missed = append(missed, k)
		}
	}
	for _, k := range got {
		if w[k] == 0 {
			spurious = append(spurious, k)
		}
	}
	return missed, spurious
}
