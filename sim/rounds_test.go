package sim

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"gongkai/evidence"
)

var (
	round2Once sync.Once
	round2Dist *District
	round2Err  error
)

// round2District is round 2 of the default district, audited a week after
// round 1, generated once for the tests that only read it.
func round2District(t *testing.T) *District {
	t.Helper()
	round2Once.Do(func() {
		round2Dist, round2Err = Generate(Config{AsOf: evidence.MustParseDate(DefaultAsOf).AddDays(7), Round: 2})
	})
	if round2Err != nil {
		t.Fatalf("Generate round 2: %v", round2Err)
	}
	return round2Dist
}

func TestRounds_Config(t *testing.T) {
	asOf := evidence.MustParseDate(DefaultAsOf)
	// Round 0 is the default district (its golden truth); round 1 named
	// outright, with its own date as the first, is the same.
	d, err := Generate(Config{AsOf: asOf, Round: 1, FirstAsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(truthJSON(t, d), truthJSON(t, defaultDistrict(t))) {
		t.Error("round 1 differs from the default district")
	}
	if d.Round != 1 || d.FirstAsOf != asOf || defaultDistrict(t).Round != 1 {
		t.Errorf("round %d first %v", d.Round, d.FirstAsOf)
	}
	for name, cfg := range map[string]Config{
		"negative round":        {AsOf: asOf, Round: -1},
		"round too large":       {AsOf: asOf, Round: maxRound + 1},
		"first after as-of":     {AsOf: asOf, Round: 2, FirstAsOf: asOf.AddDays(1)},
		"round 1 on other date": {AsOf: asOf, Round: 1, FirstAsOf: asOf.AddDays(-7)},
		"bad first":             {AsOf: asOf, Round: 2, FirstAsOf: evidence.NewDate(2026, 2, 30)},
	} {
		if _, err := Generate(cfg); err == nil {
			t.Errorf("%s: Generate succeeded, want an error", name)
		}
	}
}

// TestRounds_Round2 checks round 2 of the default district against round 1:
// about half the defects fixed, every kind both fixed and kept, a few new
// ones (one on a unit clean before), persisting defects with the same
// findings, and nothing else changed.
func TestRounds_Round2(t *testing.T) {
	d1, d2 := defaultDistrict(t), round2District(t)
	if d2.Round != 2 || d2.FirstAsOf != d1.AsOf || d2.AsOf != d1.AsOf.AddDays(7) {
		t.Errorf("round %d as of %v, first %v", d2.Round, d2.AsOf, d2.FirstAsOf)
	}
	fixed, added, kept := d2.Diff(d1)
	logRound(t, d1, d2, fixed, added, kept)
	all := len(d1.Defects())
	if len(fixed)+len(kept) != all {
		t.Errorf("%d fixed + %d kept, want the %d defects of round 1", len(fixed), len(kept), all)
	}
	if f := float64(len(fixed)) / float64(all); f < 0.35 || f > 0.65 {
		t.Errorf("%d of %d defects fixed, want about half", len(fixed), all)
	}
	if len(d2.lapsed) > 0 {
		t.Errorf("defects lapsed a week later: %v", d2.lapsed)
	}
	checkKindsSplit(t, d1.Defects(), fixed, kept)
	checkAdded(t, d1, d2, added)
	checkRound(t, d2)
	checkTransition(t, d1, d2)
	checkEveryLinkAnswers(t, d2)
	checkVariants(t, d2)
}

// TestRounds_Round3 plays the default district one round further.
func TestRounds_Round3(t *testing.T) {
	d2 := round2District(t)
	d3, err := Generate(Config{AsOf: d2.FirstAsOf.AddDays(14), Round: 3})
	if err != nil {
		t.Fatal(err)
	}
	fixed, added, kept := d3.Diff(d2)
	logRound(t, d2, d3, fixed, added, kept)
	if len(fixed) == 0 || len(kept) == 0 || len(fixed)+len(kept) != len(d2.Defects()) {
		t.Errorf("%d fixed and %d kept of %d", len(fixed), len(kept), len(d2.Defects()))
	}
	checkKindsSplit(t, d2.Defects(), fixed, kept)
	checkAdded(t, d2, d3, added)
	checkRound(t, d3)
	checkTransition(t, d2, d3)
	checkVariants(t, d3)
}

// TestRounds_OtherDates plays rounds whose dates cross a month (the window
// moves) and the annual reports' deadline, and a round 2 of a small fleet
// audited on round 1's date: every round's defects show in its truth and
// its truth shows nothing else.
func TestRounds_OtherDates(t *testing.T) {
	for _, tc := range []struct {
		first, asOf string
		round, n    int
	}{
		{"2026-01-27", "2026-02-10", 3, 0},
		{DefaultAsOf, DefaultAsOf, 2, 12},
	} {
		t.Run(fmt.Sprintf("%s+%d", tc.asOf, tc.round), func(t *testing.T) {
			d, err := Generate(Config{AsOf: evidence.MustParseDate(tc.asOf), FirstAsOf: evidence.MustParseDate(tc.first), Round: tc.round, Units: tc.n})
			if err != nil {
				t.Fatal(err)
			}
			if d.Round != tc.round || d.AsOf.String() != tc.asOf || d.FirstAsOf.String() != tc.first {
				t.Errorf("round %d as of %v first %v", d.Round, d.AsOf, d.FirstAsOf)
			}
			checkRound(t, d)
		})
	}
}

// TestRounds_SameURLs serves rounds 1 and 2 on the same base port: the
// units keep their URLs and every finding both truths hold its URL. Round
// 2 generated again (on ports) is the round 2 of the other tests.
func TestRounds_SameURLs(t *testing.T) {
	asOf := evidence.MustParseDate(DefaultAsOf)
	n := len(defaultDistrict(t).Units)
	port, err := FreeBasePort(n)
	if err != nil {
		t.Skipf("no free ports: %v", err)
	}
	var truths [2][]TruthFinding
	var urls [2][]string
	for i, round := range []int{1, 2} {
		d, err := Generate(Config{AsOf: asOf.AddDays(7 * (round - 1)), Round: round, BasePort: port})
		if err != nil {
			t.Fatal(err)
		}
		if round == 2 {
			d2 := round2District(t)
			if !bytes.Equal(truthJSON(t, d), truthJSON(t, d2)) || !slices.Equal(d.Defects(), d2.Defects()) {
				t.Error("round 2 is not deterministic")
			}
			for i, u := range d.Units {
				if !slices.Equal(u.Paths(), d2.Units[i].Paths()) {
					t.Errorf("unit %s: round 2 paths differ between two generations", u.ID)
				}
			}
		}
		f, err := d.Start()
		if err != nil {
			t.Skipf("ports taken meanwhile: %v", err)
		}
		truths[i], urls[i] = f.Truth(), f.URLs()
		f.Close()
	}
	if !slices.Equal(urls[0], urls[1]) {
		t.Fatalf("unit URLs differ between rounds: %v / %v", urls[0][:2], urls[1][:2])
	}
	if want := fmt.Sprintf("http://127.0.0.1:%d/", port); urls[0][0] != want {
		t.Errorf("first unit at %s, want %s", urls[0][0], want)
	}
	type where struct{ url, subject string }
	before := map[string]where{}
	for _, f := range truths[0] {
		before[f.Unit+"|"+string(f.Kind)+"|"+f.Column+"|"+f.Subject] = where{f.URL, f.Subject}
	}
	same := 0
	for _, f := range truths[1] {
		if w, ok := before[f.Unit+"|"+string(f.Kind)+"|"+f.Column+"|"+f.Subject]; ok {
			same++
			if w.url != f.URL {
				t.Errorf("%s %s %s: URL %s in round 1, %s in round 2", f.Unit, f.Kind, f.Subject, w.url, f.URL)
			}
		}
	}
	if same == 0 {
		t.Error("no finding persists")
	}
}

func TestFreeBasePort(t *testing.T) {
	if _, err := FreeBasePort(0); err == nil {
		t.Error("FreeBasePort(0) succeeded")
	}
	p, err := FreeBasePort(5)
	if err != nil {
		t.Skipf("no free ports: %v", err)
	}
	if p <= 0 || p+4 > 65535 {
		t.Errorf("FreeBasePort(5) = %d", p)
	}
}

// logRound logs the numbers of a round by defect kind.
func logRound(t *testing.T, prev, d *District, fixed, added, kept []UnitDefect) {
	t.Helper()
	count := func(xs []UnitDefect) map[DefectKind]int {
		m := map[DefectKind]int{}
		for _, x := range xs {
			m[x.Kind]++
		}
		return m
	}
	f, a, k := count(fixed), count(added), count(kept)
	var kinds []string
	for _, m := range []map[DefectKind]int{f, a, k} {
		for kind := range m {
			if !slices.Contains(kinds, string(kind)) {
				kinds = append(kinds, string(kind))
			}
		}
	}
	sort.Strings(kinds)
	var b strings.Builder
	fmt.Fprintf(&b, "round %d (%s) from round %d (%s): %d defects, %d fixed, %d kept, %d added, %d findings",
		d.Round, d.AsOf, prev.Round, prev.AsOf, len(prev.Defects()), len(fixed), len(kept), len(added), len(d.truth))
	for _, kind := range kinds {
		dk := DefectKind(kind)
		fmt.Fprintf(&b, "\n  %-24s fixed %2d  kept %2d  added %d", kind, f[dk], k[dk], a[dk])
	}
	t.Log(b.String())
}

// checkKindsSplit checks that every defect kind occurring at least twice
// in the earlier round is both fixed and kept.
func checkKindsSplit(t *testing.T, before, fixed, kept []UnitDefect) {
	t.Helper()
	n, f, k := map[DefectKind]int{}, map[DefectKind]int{}, map[DefectKind]int{}
	for _, x := range before {
		n[x.Kind]++
	}
	for _, x := range fixed {
		f[x.Kind]++
	}
	for _, x := range kept {
		k[x.Kind]++
	}
	for kind, c := range n {
		if c >= 2 && (f[kind] == 0 || k[kind] == 0) {
			t.Errorf("defect %s: %d of %d fixed, %d kept; want some of each", kind, f[kind], c, k[kind])
		}
	}
}

// checkAdded checks the new defects of round d: about one unit in ten, one
// unit at most once, one of them clean in the round before.
func checkAdded(t *testing.T, prev, d *District, added []UnitDefect) {
	t.Helper()
	reach := 0
	for _, u := range d.Units {
		if u.Role != RoleUnreachable {
			reach++
		}
	}
	if len(added) == 0 || len(added) > reach/10+1 {
		t.Errorf("%d new defects on %d reachable units, want about one in ten", len(added), reach)
	}
	units := map[string]bool{}
	clean := false
	for _, x := range added {
		if units[x.Unit] {
			t.Errorf("unit %s gained two defects", x.Unit)
		}
		units[x.Unit] = true
		clean = clean || prev.Unit(x.Unit).Role == RoleClean
		if !strings.Contains(x.Note, fmt.Sprintf("第%d轮", d.Round)) {
			t.Errorf("new defect %s: note %q does not name the round", x.Key(), x.Note)
		}
	}
	if !clean {
		t.Error("no new defect on a unit that was clean")
	}
}

// unitSubject resolves a defect's subject as the hostless truth writes it.
func unitSubject(u *Unit, s string) string {
	if strings.HasPrefix(s, "/") {
		return "http://" + u.ID + s
	}
	return s
}

// shows reports whether finding f is the one defect df produces.
func shows(u *Unit, df Defect, f TruthFinding) bool {
	return f.Unit == u.ID && f.Kind == df.Kind.Finding() && f.Column == df.Column &&
		(df.Subject == "" || f.Subject == unitSubject(u, df.Subject))
}

// follows reports whether finding f follows from defect df: it is df's
// own, or a consequence of a column left old (a stale or expiring column
// lacks the periods after its newest item, and the document dated there
// has no interpretation).
func follows(u *Unit, df Defect, f TruthFinding) bool {
	if shows(u, df, f) {
		return true
	}
	if f.Unit != u.ID || (df.Kind != DefectStale && df.Kind != DefectExpiring) {
		return false
	}
	return f.Kind == "column.gap" && f.Column == df.Column ||
		f.Kind == "document.uninterpreted" && df.Column == "documents"
}

// checkRound checks a round's truth against its planted defects: each
// defect shows, each finding follows from a defect, clean units have
// none, and each unit's role fits its defects.
func checkRound(t *testing.T, d *District) {
	t.Helper()
	truth := d.Truth(hostless)
	byUnit := map[string][]TruthFinding{}
	for _, f := range truth {
		byUnit[f.Unit] = append(byUnit[f.Unit], f)
	}
	for _, u := range d.Units {
		fs := byUnit[u.ID]
		for _, df := range u.Defects {
			if !slices.ContainsFunc(fs, func(f TruthFinding) bool { return shows(u, df, f) }) {
				t.Errorf("round %d unit %s: defect %s %q %q (%s) has no finding", d.Round, u.ID, df.Kind, df.Column, df.Subject, df.Note)
			}
		}
		for _, f := range fs {
			if !u.FromMarkup(f) && !slices.ContainsFunc(u.Defects, func(df Defect) bool { return follows(u, df, f) }) {
				t.Errorf("round %d unit %s: finding %s %s %s follows from no defect: %s", d.Round, u.ID, f.Kind, f.Column, f.Subject, f.Detail)
			}
		}
		switch u.Role {
		case RoleClean:
			if len(u.Defects) > 0 {
				t.Errorf("round %d: clean unit %s has defects %v", d.Round, u.ID, u.Defects)
			}
		case RoleUnreachable:
			if len(fs) != 1 || fs[0].Kind != "site.unreachable" {
				t.Errorf("round %d: unreachable unit %s: findings %v", d.Round, u.ID, fs)
			}
		case RoleDefective, RoleVeto:
			if len(u.Defects) == 0 || (u.Role == RoleDefective && len(u.Defects) > maxDefects+1) {
				t.Errorf("round %d: %s unit %s carries %d defects", d.Round, u.Role, u.ID, len(u.Defects))
			}
		}
	}
}

// checkTransition checks what changed from round prev to round d: a kept
// defect shows the same finding (unit, kind, column, subject) in both
// truths, a fixed one shows in neither, and every finding that came or
// went follows from a defect that came or went (or from a column kept
// old, which a band item may have brought a period).
func checkTransition(t *testing.T, prev, d *District) {
	t.Helper()
	key := func(f TruthFinding) string { return f.Unit + "|" + string(f.Kind) + "|" + f.Column + "|" + f.Subject }
	keys := func(d *District) map[string]TruthFinding {
		m := map[string]TruthFinding{}
		for _, f := range d.Truth(hostless) {
			m[key(f)] = f
		}
		return m
	}
	before, after := keys(prev), keys(d)
	fixed, added, kept := d.Diff(prev)
	for _, x := range kept {
		u := d.Unit(x.Unit)
		for k, f := range after {
			if shows(u, x.Defect, f) {
				if _, ok := before[k]; !ok {
					t.Errorf("kept defect %s: finding %s is new", x.Key(), k)
				}
			}
		}
		if !slices.ContainsFunc(slices.Collect(maps.Values(before)), func(f TruthFinding) bool { return shows(u, x.Defect, f) }) {
			t.Errorf("kept defect %s had no finding before", x.Key())
		}
	}
	for _, x := range fixed {
		u := d.Unit(x.Unit)
		for k, f := range after {
			if shows(u, x.Defect, f) {
				t.Errorf("fixed defect %s: finding %s remains", x.Key(), k)
			}
		}
	}
	explained := func(f TruthFinding, causes []UnitDefect, d *District) bool {
		for _, x := range causes {
			if x.Unit == f.Unit && follows(d.Unit(x.Unit), x.Defect, f) {
				return true
			}
		}
		return false
	}
	old := func(xs []UnitDefect) []UnitDefect {
		return slices.DeleteFunc(slices.Clone(xs), func(x UnitDefect) bool { return x.Kind != DefectStale && x.Kind != DefectExpiring })
	}
	for k, f := range after {
		if _, ok := before[k]; !ok && !d.Unit(f.Unit).FromMarkup(f) && !explained(f, append(added, old(kept)...), d) {
			t.Errorf("round %d: new finding %s follows from no new defect", d.Round, k)
		}
	}
	for k, f := range before {
		if _, ok := after[k]; !ok && !explained(f, append(fixed, old(kept)...), prev) {
			t.Errorf("round %d: finding %s is gone, but no defect was fixed for it", d.Round, k)
		}
	}

	// The sites are the same: an item listed in both rounds on the same
	// date has the same path, and so has every link.
	for i, u := range d.Units {
		p := prev.Units[i]
		if u.ID != p.ID || u.Style != p.Style {
			t.Errorf("unit %s: id or style changed", u.ID)
		}
		for j, c := range u.Columns {
			pc := p.Columns[j]
			if c.Path != "" && pc.Path != "" && c.Path != pc.Path {
				t.Errorf("unit %s column %s: path %s, was %s", u.ID, c.ID, c.Path, pc.Path)
			}
			was := map[string]*Item{}
			for _, it := range pc.Items {
				was[it.Title] = it
			}
			for _, it := range c.Items {
				if w := was[it.Title]; w != nil && w.Date == it.Date && w.Path != it.Path {
					t.Errorf("unit %s: item %q moved from %s to %s", u.ID, it.Title, w.Path, it.Path)
				}
			}
			for k, l := range c.Links {
				if pc.Path != "" && c.Path != "" && l.Path != pc.Links[k].Path {
					t.Errorf("unit %s column %s: link %s, was %s", u.ID, c.ID, l.Path, pc.Links[k].Path)
				}
			}
		}
		for k, l := range u.PortalLinks {
			if l.Path != p.PortalLinks[k].Path {
				t.Errorf("unit %s: portal link %s, was %s", u.ID, l.Path, p.PortalLinks[k].Path)
			}
		}
	}
}

// checkVariants checks that every markup variant is still on some unit.
func checkVariants(t *testing.T, d *District) {
	t.Helper()
	seen := map[string]bool{}
	for _, u := range d.Units {
		for _, v := range u.Variants {
			seen[v] = true
		}
	}
	for _, v := range AllVariants() {
		if !seen[v] {
			t.Errorf("round %d: variant %s is on no unit", d.Round, v)
		}
	}
}
