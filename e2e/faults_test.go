package e2e

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"gongkai/audit"
	"gongkai/crawler"
	"gongkai/evidence"
	"gongkai/rules"
	"gongkai/scoring"
	"gongkai/sim/faults"
	"gongkai/store"
)

// faultTimeouts are the crawl bounds of the fault-fleet audit: short, so
// the test is quick, and what bounds the audit's time; not so short that a
// healthy page of a loaded machine (tests under -race) misses them.
var faultTimeouts = crawler.Options{
	Settings: crawler.Settings{
		HeaderTimeout: 3 * time.Second, PageTimeout: 5 * time.Second, UnitTimeout: 30 * time.Second,
		ReachAttempts: 2, ReachSpacing: 50 * time.Millisecond, RetryBase: 5 * time.Millisecond,
		MaxRetryAfter: time.Second,
	},
}

// TestAudit_FaultFleet audits a fleet where every unit's site misbehaves in
// one way (sim/faults) and holds the audit to the promise: it ends, complete,
// within its configured bound; each fault costs a finding or an error
// recorded against the faulty URL; faults the crawler gets past leave the
// unit's findings exactly its truth.
func TestAudit_FaultFleet(t *testing.T) {
	t.Parallel() // it mostly waits on slow sites: let the other tests run meanwhile
	ctx := context.Background()
	fl, err := faults.Start(faults.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fl.Close() })
	uf := fl.UnitsFile()
	co, err := audit.CrawlOptions(faultTimeouts, uf)
	if err != nil {
		t.Fatal(err)
	}
	var logBuf bytes.Buffer
	var logMu sync.Mutex
	co.Logger = slog.New(slog.NewTextHandler(lockedWriter{&logBuf, &logMu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "faults.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })

	evs := map[string]*evidence.UnitEvidence{}
	var mu sync.Mutex
	start := time.Now()
	sum, err := audit.Run(ctx, audit.Options{
		Units: uf, Rules: rules.MustDefault(), AsOf: fl.District().AsOf, DB: db, Crawler: co,
		OnUnit: func(ue *evidence.UnitEvidence, _ scoring.UnitScore) {
			mu.Lock()
			evs[ue.Unit.ID] = ue
			mu.Unlock()
		},
	})
	took := time.Since(start)
	if err != nil {
		t.Fatalf("the audit of the fault fleet failed: %v", err)
	}
	// Units crawl at once, so the audit's bound is one unit's, plus the
	// judging and storing.
	if bound := faultTimeouts.UnitTimeout + 10*time.Second; took > bound {
		t.Errorf("the audit took %v, over its bound %v", took, bound)
	}
	logMu.Lock()
	log := logBuf.String()
	logMu.Unlock()
	found, err := db.Findings(ctx, sum.ScoringID, store.FindingFilter{})
	if err != nil {
		t.Fatal(err)
	}
	scores, err := db.Scores(ctx, sum.ScoringID)
	if err != nil {
		t.Fatal(err)
	}
	scoreByUnit := map[string]scoring.UnitScore{}
	for _, us := range scores {
		scoreByUnit[us.Unit] = us
	}
	byUnit := map[string][]store.StoredFinding{}
	for _, f := range found {
		byUnit[f.Unit] = append(byUnit[f.Unit], f)
	}
	truth := map[string][]key{}
	for _, f := range fl.Truth() {
		truth[f.Unit] = append(truth[f.Unit], key{f.Unit, string(f.Kind), f.Column, f.Subject, f.Severity})
	}

	for _, u := range fl.Units() {
		t.Run(string(u.Fault), func(t *testing.T) {
			ue := evs[u.Unit.ID]
			if ue == nil {
				t.Fatalf("unit %s was not audited", u.Unit.ID)
			}
			fetches := ue.AllFetches()
			// at lists the fetches of url (with or without a query).
			at := func(url string) []evidence.Fetch {
				var out []evidence.Fetch
				for _, f := range fetches {
					if f.URL == url || strings.HasPrefix(f.URL, url+"?") {
						out = append(out, *f)
					}
				}
				return out
			}
			kinds := map[string]store.StoredFinding{}
			for _, f := range byUnit[u.Unit.ID] {
				kinds[string(f.Kind)] = f
			}
			// The fault is named: by a finding on its URL, or by an
			// error recorded against it.
			named := false
			for _, f := range byUnit[u.Unit.ID] {
				if u.Target != "" && (f.URL == u.Target || strings.Contains(f.Subject, u.Target)) {
					named = true
				}
				for _, ref := range f.Evidence {
					if u.Target != "" && ref.URL == u.Target {
						named = true
					}
				}
			}
			// failed: an error or a note is recorded against it, which
			// the log must show too.
			failed := false
			for _, f := range append(at(u.Target), ue.Reach.Attempts...) {
				if f.Error != "" || f.Truncated || f.Class != evidence.ClassOK {
					failed = true
				}
			}
			for _, n := range ue.Notes {
				if u.Target != "" && strings.Contains(n, u.Target) {
					failed = true
				}
			}
			if u.Target != "" && !faults.Recovers(u.Fault) && !named && !failed {
				t.Errorf("nothing names %s: no finding on it, no error or note recorded against it", u.Target)
			}
			if failed && !faults.Recovers(u.Fault) && !strings.Contains(log, u.Target) && !strings.Contains(log, u.URL) {
				t.Errorf("the audit's log does not name %s", u.Target)
			}

			switch u.Fault {
			case faults.SlowHeaders, faults.Reset:
				if ue.Reach.Reachable || len(ue.Reach.Attempts) != faultTimeouts.ReachAttempts {
					t.Errorf("reachable %v after %d attempts; want unreachable after %d", ue.Reach.Reachable, len(ue.Reach.Attempts), faultTimeouts.ReachAttempts)
				}
				for _, a := range ue.Reach.Attempts {
					if a.Class != evidence.ClassDown || a.Error == "" || a.URL != u.URL {
						t.Errorf("attempt %+v: want down, with its error, on %s", a, u.URL)
					}
				}
				if f, ok := kinds["site.unreachable"]; !ok || f.Severity != "veto" && f.Points == 0 {
					t.Errorf("findings %v: want site.unreachable with a cost", keysOf(byUnit[u.Unit.ID]))
				}
			case faults.RobotsForbid:
				if ue.Reach.Reachable || len(ue.Reach.Attempts) != 1 || ue.Reach.Attempts[0].Class != evidence.ClassRobots {
					t.Errorf("reach %+v: want one attempt, forbidden by robots.txt", ue.Reach)
				}
				exactly(t, []key{{u.Unit.ID, "site.unreachable", "", "", "notice"}}, byUnit[u.Unit.ID])
				// Not seen, not held against it: no score, ranked last
				// (with the other units not assessed).
				us := scoreByUnit[u.Unit.ID]
				last := 0
				for _, o := range scores {
					last = max(last, o.Rank)
				}
				if us.Grade != scoring.NotAssessedGrade || us.Total != 0 || us.Rank != last {
					t.Errorf("score %+v: want grade %s, no points, rank %d (last)", us, scoring.NotAssessedGrade, last)
				}
			case faults.SlowBody:
				for _, f := range at(u.Target) {
					// The page timeout is reported as the client's timeout or as
					// the request context's deadline, depending on where the
					// read was when it struck.
					errText := strings.ToLower(f.Error)
					if f.Class != evidence.ClassDown || !strings.Contains(errText, "timeout") && !strings.Contains(errText, "deadline exceeded") {
						t.Errorf("fetch of the trickling page: %s %q; want down by the page timeout", f.Class, f.Error)
					}
					// Each attempt is cut at the page timeout.
					if bound := time.Duration(max(f.Attempts, 1)) * (faultTimeouts.PageTimeout + time.Second); time.Duration(f.DurationMS)*time.Millisecond > bound {
						t.Errorf("%d attempts at the trickling page took %d ms, past %v", f.Attempts, f.DurationMS, bound)
					}
				}
			case faults.RedirectLoop:
				fs := at(u.Target)
				if len(fs) == 0 || !strings.Contains(fs[0].Error, "redirect") {
					t.Errorf("fetches of the looping page: %+v; want a redirect error", fs)
				}
			case faults.Huge:
				fs := at(u.Target)
				if len(fs) == 0 {
					t.Fatal("the 50 MB page was not fetched")
				}
				for _, f := range fs {
					if !f.Truncated || f.Class != evidence.ClassTooLarge || f.Size != 8<<20 {
						t.Errorf("50 MB page: class %s, %d bytes, truncated %v; want it cut at the 8 MiB cap", f.Class, f.Size, f.Truncated)
					}
				}
				// The column is not judged on a part of its page: one
				// notice names the page; the rest is the unit's truth.
				col := columnAt(u)
				want := []key{{u.Unit.ID, "column.unread", col, "", "notice"}}
				for _, k := range truth[u.Unit.ID] {
					if k.Column != col {
						want = append(want, k)
					}
				}
				exactly(t, want, byUnit[u.Unit.ID])
			case faults.RunawayTags:
				repaired := false
				for _, a := range ue.Reach.Attempts {
					repaired = repaired || a.Repaired
				}
				if !ue.Reach.Reachable || !repaired {
					t.Errorf("reach %+v: want the portal read, marked repaired", ue.Reach)
				}
			case faults.BadCertificate:
				if ue.TLS == nil || ue.TLS.Problem != evidence.CertUnknownAuthority || !ue.TLS.Insecure || !ue.Reach.Reachable {
					t.Fatalf("TLS %+v, reachable %v: want the self-signed certificate refused and the site read", ue.TLS, ue.Reach.Reachable)
				}
				// The truth, read without verification, and the certificate
				// as the ruleset judges it.
				c := rules.MustDefault().CheckFor("", rules.KindCertificate, u.Unit.Type)
				want := append([]key{{u.Unit.ID, "site.certificate", "", "", string(c.Severity)}}, truth[u.Unit.ID]...)
				exactly(t, want, byUnit[u.Unit.ID])
			case faults.GzipBomb:
				// Cut at the cap, inflated bytes counted; not tried again;
				// not assessed rather than vetoed as unreachable.
				if ue.Reach.Reachable || len(ue.Reach.Attempts) != 1 {
					t.Fatalf("reach %+v: want one attempt", ue.Reach)
				}
				if a := ue.Reach.Attempts[0]; a.Class != evidence.ClassTooLarge || !a.Truncated || a.Size != 8<<20 {
					t.Errorf("attempt: class %s, %d bytes, truncated %v; want too-large, cut at 8 MiB", a.Class, a.Size, a.Truncated)
				}
				exactly(t, []key{{u.Unit.ID, "site.unreachable", "", "", "notice"}}, byUnit[u.Unit.ID])
				if us := scoreByUnit[u.Unit.ID]; us.Grade != scoring.NotAssessedGrade {
					t.Errorf("grade %s, want %s", us.Grade, scoring.NotAssessedGrade)
				}
			case faults.Truncated:
				fs := at(u.Target)
				if len(fs) == 0 || fs[0].Class == evidence.ClassOK && !fs[0].Truncated {
					t.Errorf("fetches of the cut page: %+v; want it failed or marked cut", fs)
				}
			case faults.Malformed:
				if !ue.Reach.Reachable {
					t.Errorf("a malformed portal made the unit unreachable")
				}
				if len(byUnit[u.Unit.ID]) == 0 {
					t.Errorf("no finding for a portal cut off mid-page")
				}
			case faults.PaginationTrap:
				pages := 0
				for _, f := range at(u.Target) {
					if strings.Contains(f.URL, "page=") {
						pages++
					}
				}
				if pages == 0 || pages > 20 {
					t.Errorf("%d pages of the endless list read; want some, at most the 20-page bound", pages)
				}
			case faults.CalendarTrap:
				if n := len(at(u.Target)); n > 3 {
					t.Errorf("%d calendar pages fetched: the crawler walked into the calendar", n)
				}
			}
			if faults.Recovers(u.Fault) {
				exactly(t, truth[u.Unit.ID], byUnit[u.Unit.ID])
			}
		})
	}
	// Every verdict agrees with its evidence, faults and all.
	t.Run("agreement", func(t *testing.T) {
		checkAgreement(t, db, sum.AuditID, sum.ScoringID, rules.MustDefault(), fl.District().AsOf)
	})
	// The kinds only misbehaving sites yield are shown here.
	seen := map[string]bool{}
	for _, f := range found {
		seen[string(f.Kind)] = true
	}
	for k := range faultKinds {
		if !seen[k] {
			t.Errorf("the fault fleet yields no %s: nothing shows it is found", k)
		}
	}
	t.Logf("fault fleet: %d units audited in %v, %d requests, %d findings", len(uf.Units), took.Round(time.Millisecond), sum.Pages, len(found))
}

// exactly checks that a unit's findings are want, no more, no less.
func exactly(t *testing.T, want []key, found []store.StoredFinding) {
	t.Helper()
	var got []key
	for _, f := range found {
		got = append(got, key{f.Unit, string(f.Kind), f.Column, f.Subject, f.Severity})
	}
	want = append([]key(nil), want...)
	sortKeys(got)
	sortKeys(want)
	missed, spurious := diff(want, got)
	for _, k := range missed {
		t.Errorf("missed:   %s", k)
	}
	for _, k := range spurious {
		t.Errorf("spurious: %s", k)
	}
}

// columnAt returns the id of the column whose page a fault is planted on.
func columnAt(u *faults.Unit) string {
	for _, c := range u.Unit.Columns {
		if c.Path != "" && strings.HasSuffix(u.Target, c.Path) && strings.TrimSuffix(u.Target, c.Path)+"/" == u.URL {
			return c.ID
		}
	}
	return ""
}

// keysOf lists findings as kind [column] for messages.
func keysOf(fs []store.StoredFinding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, string(f.Kind)+" ["+f.Column+"]")
	}
	return out
}

// lockedWriter serialises writes to a buffer.
type lockedWriter struct {
	b  *bytes.Buffer
	mu *sync.Mutex
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}
