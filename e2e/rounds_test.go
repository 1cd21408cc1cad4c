package e2e

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gongkai/audit"
	"gongkai/crawler"
	"gongkai/evidence"
	"gongkai/report"
	"gongkai/rules"
	"gongkai/sim"
	"gongkai/store"
)

// TestHistory_TwoRounds: two audits of the district a week apart, with
// about half the problems fixed between them, on the same URLs. The second
// audit's problem list has new, persisting and resolved entries exactly as
// the sim fixed, kept and added its defects; its notices mark the repeated
// problems; its evaluation report compares with the first.
func TestHistory_TwoRounds(t *testing.T) {
	ctx := context.Background()
	rs := rules.MustDefault()
	base, err := sim.FreeBasePort(60)
	if err != nil {
		t.Skipf("no free port range: %v", err)
	}
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "rounds.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	first := evidence.MustParseDate(sim.DefaultAsOf)
	var truths [2]map[key]bool
	var sums [2]*audit.Summary
	for round := 1; round <= 2; round++ {
		asOf := first.AddDays(7 * (round - 1))
		d, err := sim.Generate(sim.Config{Seed: 1, AsOf: asOf, Rules: rs, BasePort: base, Round: round, Units: 20})
		if err != nil {
			t.Fatal(err)
		}
		fleet, err := d.Start()
		if err != nil {
			t.Fatal(err)
		}
		uf := fleet.UnitsFile()
		co, _ := audit.CrawlOptions(crawler.Options{Settings: crawler.Settings{ReachSpacing: 10 * time.Millisecond, RetryBase: 5 * time.Millisecond}}, uf)
		sum, err := audit.Run(ctx, audit.Options{Units: uf, Rules: rs, AsOf: asOf, DB: db, Crawler: co})
		fleet.Close()
		if err != nil {
			t.Fatal(err)
		}
		sums[round-1] = sum
		truths[round-1] = map[key]bool{}
		for _, f := range fleet.Truth() {
			truths[round-1][key{f.Unit, string(f.Kind), f.Column, f.Subject, f.Severity}] = true
		}
	}
	cur, err := db.Findings(ctx, sums[1].ScoringID, store.FindingFilter{})
	if err != nil {
		t.Fatal(err)
	}
	resolved, err := db.ResolvedFindings(ctx, sums[1].ScoringID)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, f := range cur {
		k := key{f.Unit, string(f.Kind), f.Column, f.Subject, f.Severity}
		if !truths[1][k] {
			t.Errorf("round 2 reports %s, not in its truth", k)
		}
		want := store.FindingNew
		if truths[0][k] {
			want = store.FindingPersisting
		}
		if f.Status != want {
			t.Errorf("%s: status %s, want %s", k, f.Status, want)
		}
		if f.Status == store.FindingPersisting && f.FirstSeen != first {
			t.Errorf("%s: first seen %s, want %s", k, f.FirstSeen, first)
		}
		counts[f.Status]++
	}
	for _, f := range resolved {
		k := key{f.Unit, string(f.Kind), f.Column, f.Subject, f.Severity}
		if truths[1][k] {
			t.Errorf("%s resolved but still in round 2's truth", k)
		}
		counts["resolved"]++
	}
	if counts["new"] == 0 || counts["persisting"] == 0 || counts["resolved"] == 0 {
		t.Errorf("statuses %v: want new, persisting and resolved entries", counts)
	}
	t.Logf("round 2: %v", counts)

	// Notices mark the repeated problems.
	a, _ := db.Audit(ctx, sums[1].AuditID)
	sc, _ := db.CurrentScoring(ctx, sums[1].AuditID)
	scores, _ := db.Scores(ctx, sc.ID)
	prev, _ := db.PreviousScores(ctx, a.ID)
	notices := report.BuildNotices(report.NoticeInput{District: "怀柔区", Audit: *a, Scoring: *sc, Scores: scores, Findings: cur, Columns: rs.Columns})
	repeated := 0
	for _, n := range notices {
		for _, p := range n.Problems {
			if p.Persisting {
				repeated++
			}
		}
	}
	if len(notices) == 0 || repeated == 0 {
		t.Errorf("%d notices mark %d repeated problems", len(notices), repeated)
	}
	var md bytes.Buffer
	if err := report.WriteNoticeMarkdown(&md, notices[0]); err != nil {
		t.Fatal(err)
	}
	if prev == nil {
		t.Fatal("no previous scores for round 2")
	}
	var html bytes.Buffer
	ev := report.BuildEvaluation(report.EvaluationInput{District: "怀柔区", Audit: *a, Scoring: *sc, Scores: scores, Previous: prev,
		Findings: cur, Resolved: resolved, Dimensions: rs.Dimensions, Grades: rs.Grades, UnitTypes: rs.UnitTypes})
	if err := report.WriteEvaluationHTML(&html, ev); err != nil {
		t.Fatal(err)
	}
	if len(ev.Improved) == 0 || !strings.Contains(html.String(), "<svg") {
		t.Errorf("the evaluation report shows %d improved units", len(ev.Improved))
	}
}
