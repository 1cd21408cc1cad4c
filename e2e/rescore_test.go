package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gongkai/audit"
	"gongkai/evidence"
	"gongkai/rules"
	"gongkai/sim"
)

// TestRescore_EditedRulesetWithoutRequests: re-judging a stored audit with
// an edited ruleset changes the scores, makes no request (the sites are
// gone) and adds a scoring of the same crawl.
func TestRescore_EditedRulesetWithoutRequests(t *testing.T) {
	ctx := context.Background()
	a := sharedAudit(t) // re-scoring makes no request: the stored fetches are counted before and after
	fetchesBefore := countFetches(t, a)

	dir := filepath.Join(t.TempDir(), "rules")
	if _, err := rules.Dump(dir); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "checks.yaml")
	data, _ := os.ReadFile(path)
	edited := strings.Replace(string(data), "max_age: 14d", "max_age: 3d", 1) // news must be 3 days fresh
	if edited == string(data) {
		t.Fatal("edit did not apply")
	}
	if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	rs, err := rules.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	before, err := a.db.Scores(ctx, a.sum.ScoringID)
	if err != nil {
		t.Fatal(err)
	}
	id, res, err := audit.Rescore(ctx, a.db, a.sum.AuditID, rs, evidence.MustParseDate(sim.DefaultAsOf), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if id == a.sum.ScoringID {
		t.Fatalf("rescore replaced scoring %d instead of adding one", id)
	}
	cur, err := a.db.CurrentScoring(ctx, a.sum.AuditID)
	if err != nil || cur.ID != id || cur.RulesetHash != rs.Hash || cur.RulesetHash == rules.MustDefault().Hash {
		t.Fatalf("current scoring %+v, err %v", cur, err)
	}
	lower := 0
	prev := map[string]float64{}
	for _, u := range before {
		prev[u.Unit] = u.Total
	}
	for _, u := range res.Units {
		if u.Total > prev[u.Unit] {
			t.Errorf("%s scores higher under a stricter ruleset: %v > %v", u.Unit, u.Total, prev[u.Unit])
		}
		if u.Total < prev[u.Unit] {
			lower++
		}
	}
	if lower == 0 {
		t.Errorf("no unit lost points when news had to be 3 days fresh")
	}
	if after := countFetches(t, a); after != fetchesBefore {
		t.Errorf("rescore recorded %d new fetches", after-fetchesBefore)
	}
	t.Logf("%d of %d units lost points under the edited ruleset", lower, len(res.Units))
}

func countFetches(t *testing.T, a *simAudit) int {
	t.Helper()
	n := 0
	for _, u := range a.fleet.UnitsFile().Units {
		fs, err := a.db.Fetches(context.Background(), a.sum.AuditID, u.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		n += len(fs)
	}
	return n
}
