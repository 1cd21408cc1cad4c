package sim

import (
	"bytes"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"gongkai/evidence"
	"gongkai/rules"
)

var update = flag.Bool("update", false, "rewrite testdata/truth.golden.json")

var (
	defaultOnce sync.Once
	defaultDist *District
	defaultErr  error
)

// defaultDistrict is the district of the default seed and as-of date,
// generated once for the tests that only read it.
func defaultDistrict(t *testing.T) *District {
	t.Helper()
	defaultOnce.Do(func() {
		defaultDist, defaultErr = Generate(Config{AsOf: evidence.MustParseDate(DefaultAsOf), Rules: rules.MustDefault()})
	})
	if defaultErr != nil {
		t.Fatalf("Generate: %v", defaultErr)
	}
	return defaultDist
}

// hostless resolves truth URLs on http://<unit id>/, as in the golden file.
func hostless(u *Unit) string { return "http://" + u.ID + "/" }

func truthJSON(t *testing.T, d *District) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteTruth(&buf, d.Truth(hostless)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestGenerate_Errors(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"no as-of", Config{}},
		{"bad as-of", Config{AsOf: evidence.NewDate(2026, 2, 30)}},
		{"bad port", Config{AsOf: evidence.MustParseDate(DefaultAsOf), BasePort: 70000}},
		{"negative units", Config{AsOf: evidence.MustParseDate(DefaultAsOf), Units: -1}},
		{"negative scale", Config{AsOf: evidence.MustParseDate(DefaultAsOf), Scale: -1}},
		{"NaN scale", Config{AsOf: evidence.MustParseDate(DefaultAsOf), Scale: math.NaN()}},
		{"no room for ports", Config{AsOf: evidence.MustParseDate(DefaultAsOf), BasePort: 65500}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Generate(tt.cfg); err == nil {
				t.Fatal("Generate succeeded, want an error")
			}
		})
	}
}

func TestGenerate_Deterministic(t *testing.T) {
	d1 := defaultDistrict(t)
	d2, err := Generate(Config{Seed: 1, AsOf: evidence.MustParseDate(DefaultAsOf)})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(truthJSON(t, d1), truthJSON(t, d2)) {
		t.Error("same config gave different truth")
	}
	for i, u1 := range d1.Units {
		u2 := d2.Units[i]
		p1, p2 := u1.Paths(), u2.Paths()
		if !slices.Equal(p1, p2) {
			t.Errorf("unit %s: same config gave different paths", u1.ID)
			continue
		}
		// A sample of pages: every 17th path, the portal and the hub.
		sample := []string{"/", u1.HubPath, "/robots.txt", "/no/such/page.html"}
		for j := 0; j < len(p1); j += 17 {
			sample = append(sample, p1[j])
		}
		for _, p := range sample {
			if p == "" {
				continue
			}
			r1, r2 := u1.Get(p), u2.Get(p)
			if r1.Status != r2.Status || r1.ContentType != r2.ContentType || !bytes.Equal(r1.Body, r2.Body) {
				t.Errorf("unit %s: %s differs between two generations", u1.ID, p)
			}
		}
	}

	d3, err := Generate(Config{Seed: 2, AsOf: evidence.MustParseDate(DefaultAsOf)})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(truthJSON(t, d1), truthJSON(t, d3)) {
		t.Error("seeds 1 and 2 gave the same truth")
	}
	if bytes.Equal(d1.Units[5].Get("/").Body, d3.Units[5].Get("/").Body) {
		t.Error("seeds 1 and 2 gave the same portal page")
	}
}

func TestGenerate_Roster(t *testing.T) {
	d := defaultDistrict(t)
	types := map[string]int{}
	ids := map[string]bool{}
	styles := map[string]int{}
	for _, u := range d.Units {
		types[u.Type]++
		styles[u.Style]++
		if ids[u.ID] {
			t.Errorf("duplicate unit id %s", u.ID)
		}
		ids[u.ID] = true
		if d.Rules.UnitType(u.Type) == nil {
			t.Errorf("unit %s: type %q not in the ruleset", u.ID, u.Type)
		}
	}
	want := map[string]int{"district": 1, "bureau": 30, "township": 14, "street": 2}
	for k, n := range want {
		if types[k] != n {
			t.Errorf("%d units of type %s, want %d", types[k], k, n)
		}
	}
	for _, s := range StyleNames() {
		if styles[s] < 10 {
			t.Errorf("only %d units in style %s", styles[s], s)
		}
	}
	if got, want := d.WindowFrom.String()+".."+d.WindowTo.String(), "2025-03-01..2026-02-28"; got != want {
		t.Errorf("window %s, want %s", got, want)
	}
}

// findingKinds are the kinds the default truth must show at least twice.
var findingKinds = []string{
	"site.unreachable", "column.missing", "column.empty", "column.stale", "column.expiring",
	"column.gap", "field.missing", "document.metadata", "document.late",
	"document.uninterpreted", "link.broken",
	"report.missing", "report.late", "report.incomplete", "report.inconsistent",
}

func TestTruth_Coverage(t *testing.T) {
	d := defaultDistrict(t)
	truth := d.Truth(hostless)
	count := map[string]int{}
	notices := map[string]int{}
	for _, f := range truth {
		count[string(f.Kind)]++
		if f.Severity == "notice" {
			notices[string(f.Kind)]++
		}
	}
	for _, k := range findingKinds {
		if count[k] < 2 {
			t.Errorf("kind %s appears %d times, want at least 2", k, count[k])
		}
	}
	if notices["column.empty"] < 2 {
		t.Errorf("%d explained-empty notices, want at least 2", notices["column.empty"])
	}
	planted := map[DefectKind]int{}
	for _, u := range d.Units {
		for _, df := range u.Defects {
			planted[df.Kind]++
		}
	}
	for _, k := range []DefectKind{DefectBrokenPortal, DefectBrokenPage, DefectBrokenAttach, DefectExplainedEmpty, DefectUnreachable} {
		if planted[k] < 2 {
			t.Errorf("defect %s planted %d times, want at least 2", k, planted[k])
		}
	}
	gazette := 0
	for _, f := range truth {
		if f.Kind == "column.gap" && f.Column == "gazette" {
			gazette++
		}
	}
	if gazette == 0 {
		t.Error("no gazette gap in the truth")
	}
}

func TestTruth_Roles(t *testing.T) {
	d := defaultDistrict(t)
	byUnit := map[string][]TruthFinding{}
	for _, f := range d.Truth(hostless) {
		byUnit[f.Unit] = append(byUnit[f.Unit], f)
	}
	var veto *rules.Check
	for i := range d.Rules.Checks {
		if c := &d.Rules.Checks[i]; c.Kind == rules.KindCountVeto && c.Finding == "column.empty" {
			veto = c
		}
	}
	roles := map[Role]int{}
	cleanStyles := map[string]bool{}
	for _, u := range d.Units {
		roles[u.Role]++
		if u.Role == RoleClean {
			cleanStyles[u.Style] = true
		}
		fs := slices.DeleteFunc(byUnit[u.ID], u.FromMarkup)
		switch u.Role {
		case RoleClean:
			if len(fs) > 0 || len(u.Defects) > 0 {
				t.Errorf("clean unit %s has %d findings and %d defects: %v", u.ID, len(fs), len(u.Defects), fs)
			}
		case RoleUnreachable:
			if len(fs) != 1 || fs[0].Kind != "site.unreachable" || fs[0].Severity != "veto" || fs[0].Column != "" || fs[0].Subject != "" {
				t.Errorf("unreachable unit %s: findings %v, want one site.unreachable", u.ID, fs)
			}
		case RoleVeto:
			empty := 0
			for _, f := range fs {
				if f.Kind == "column.empty" && f.Severity == "deduction" {
					empty++
				}
			}
			if veto == nil || empty < veto.AtLeast {
				t.Errorf("veto unit %s has %d empty columns", u.ID, empty)
			}
		case RoleDefective:
			if n := len(u.Defects); n < 1 || n > maxDefects {
				t.Errorf("unit %s carries %d defects, want 1 to %d", u.ID, n, maxDefects)
			}
			if len(fs) == 0 {
				t.Errorf("defective unit %s has no findings", u.ID)
			}
		}
	}
	if len(cleanStyles) != len(StyleNames()) {
		t.Errorf("clean units in styles %v, want every style", cleanStyles)
	}
	if roles[RoleClean] < 5 || roles[RoleVeto] != 1 || roles[RoleUnreachable] < 1 || roles[RoleUnreachable] > 2 {
		t.Errorf("roles %v: want at least 5 clean, one veto, one or two unreachable", roles)
	}
}

// TestTruth_DefectsFound checks that every planted defect shows in the
// truth as a finding of its kind, on its column and subject.
func TestTruth_DefectsFound(t *testing.T) {
	for _, seed := range []int64{1, 2, 3} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			d, err := Generate(Config{Seed: seed, AsOf: evidence.MustParseDate(DefaultAsOf)})
			if err != nil {
				t.Fatal(err)
			}
			truth := d.Truth(hostless)
			for _, u := range d.Units {
				for _, df := range u.Defects {
					subject := df.Subject
					if strings.HasPrefix(subject, "/") {
						subject = "http://" + u.ID + subject
					}
					found := slices.ContainsFunc(truth, func(f TruthFinding) bool {
						return f.Unit == u.ID && f.Kind == df.Kind.Finding() && f.Column == df.Column &&
							(df.Subject == "" || f.Subject == subject)
					})
					if !found {
						t.Errorf("unit %s: defect %s on %q %q (%s) has no finding", u.ID, df.Kind, df.Column, df.Subject, df.Note)
					}
				}
				if u.Role == RoleClean {
					for _, f := range truth {
						if f.Unit == u.ID && !u.FromMarkup(f) {
							t.Errorf("clean unit %s: finding %s %s %s", u.ID, f.Kind, f.Column, f.Subject)
						}
					}
				}
			}
		})
	}
}

// TestTruth_FollowsRuleset checks each finding's rule, points, severity and
// basis against the ruleset.
func TestTruth_FollowsRuleset(t *testing.T) {
	d := defaultDistrict(t)
	rs := d.Rules
	byID := map[string]*rules.Check{}
	for i := range rs.Checks {
		byID[rs.Checks[i].ID] = &rs.Checks[i]
	}
	for _, f := range d.Truth(hostless) {
		c := byID[f.Rule]
		if c == nil {
			t.Errorf("finding %d: unknown rule %q", f.ID, f.Rule)
			continue
		}
		u := d.Unit(f.Unit)
		if !rs.CheckApplies(c, u.Type) {
			t.Errorf("finding %d: rule %s does not apply to %s units", f.ID, c.ID, u.Type)
		}
		if f.Column != c.Column && c.Kind != rules.KindLinkHealth && c.Kind != rules.KindPrivacy && c.Kind != rules.KindOutdatedName {
			t.Errorf("finding %d: column %q, rule %s checks %q", f.ID, f.Column, c.ID, c.Column)
		}
		kind := c.FindingKind()
		if c.Kind == rules.KindMaxAge && f.Kind == "column.expiring" {
			kind = "column.expiring"
		}
		if f.Kind != kind {
			t.Errorf("finding %d: kind %s, rule %s makes %s", f.ID, f.Kind, c.ID, kind)
		}
		wantSev, wantPts := string(c.Severity), c.Points
		switch {
		case f.Kind == "column.expiring" || (f.Kind == "column.empty" && f.Severity == "notice") || u.FromMarkup(f):
			wantSev, wantPts = "notice", 0
		case f.Kind == "link.broken" && f.URL == strings.TrimSuffix(hostless(u), "/")+u.PortalPath() && c.PortalPoints > 0:
			wantPts = c.PortalPoints
		case f.Kind == "report.incomplete" && strings.Contains(f.Detail, "空白单元格"):
			wantSev, wantPts = string(c.BlankCells), c.Points
			if wantSev == "" || wantSev == "notice" {
				wantSev, wantPts = "notice", 0
			}
		}
		if f.Severity != wantSev || f.Points != wantPts {
			t.Errorf("finding %d (%s %s): severity %s points %g, want %s %g", f.ID, f.Unit, f.Kind, f.Severity, f.Points, wantSev, wantPts)
		}
		if f.Basis != rs.Basis(c) || f.Basis == "" {
			t.Errorf("finding %d: basis %q, want the rule's", f.ID, f.Basis)
		}
		if f.Status != "new" || f.FirstSeen != DefaultAsOf {
			t.Errorf("finding %d: status %q first seen %q", f.ID, f.Status, f.FirstSeen)
		}
		if f.Detail == "" || !strings.HasPrefix(f.URL, hostless(u)) {
			t.Errorf("finding %d: detail %q url %q", f.ID, f.Detail, f.URL)
		}
	}
}

// TestTruth_Golden compares the default truth with its golden file;
// refresh it with go test ./sim -update.
func TestTruth_Golden(t *testing.T) {
	got := truthJSON(t, defaultDistrict(t))
	path := filepath.Join("testdata", "truth.golden.json")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test ./sim -update): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("truth differs from %s; run go test ./sim -update and review the diff", path)
	}
}

func TestWriteTruth_Empty(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteTruth(&buf, nil); err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(buf.String()); got != "[]" {
		t.Errorf("WriteTruth(nil) = %q, want []", got)
	}
}

// TestGenerate_OtherAsOf generates districts at other dates and checks the
// same invariants, so the sim does not lean on the default date.
func TestGenerate_OtherAsOf(t *testing.T) {
	for _, asOf := range []string{"2025-01-15", "2025-07-31", "2026-04-10"} {
		t.Run(asOf, func(t *testing.T) {
			d, err := Generate(Config{AsOf: evidence.MustParseDate(asOf)})
			if err != nil {
				t.Fatal(err)
			}
			truth := d.Truth(hostless)
			for _, u := range d.Units {
				if u.Role != RoleClean {
					continue
				}
				for _, f := range truth {
					if f.Unit == u.ID && !u.FromMarkup(f) {
						t.Errorf("clean unit %s: %s %s %s: %s", u.ID, f.Kind, f.Column, f.Subject, f.Detail)
					}
				}
			}
		})
	}
}
