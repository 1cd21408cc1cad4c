package e2e

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"gongkai/audit"
	"gongkai/crawler"
	"gongkai/evidence"
	"gongkai/rules"
	"gongkai/scoring"
	"gongkai/sim"
	"gongkai/store"
)

// reaudit audits the same running fleet again into the same database.
func reaudit(t *testing.T, a *simAudit, asOf evidence.Date) *audit.Summary {
	t.Helper()
	uf := a.fleet.UnitsFile()
	co, err := audit.CrawlOptions(crawler.Options{Settings: crawler.Settings{ReachSpacing: 10 * time.Millisecond, RetryBase: 5 * time.Millisecond}}, uf)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := audit.Run(context.Background(), audit.Options{Units: uf, Rules: rules.MustDefault(), AsOf: asOf, DB: a.db, Crawler: co})
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func scoreOf(t *testing.T, db *store.DB, scoringID int64, unit string) scoring.UnitScore {
	t.Helper()
	scores, err := db.Scores(context.Background(), scoringID)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range scores {
		if s.Unit == unit {
			return s
		}
	}
	t.Fatalf("no score for %s", unit)
	return scoring.UnitScore{}
}

// TestReview_DismissCarriesForward: a dismissed finding leaves the score and
// the problem list, keeps its record, and the decision carries to the next
// audit of the same, unchanged evidence.
func TestReview_DismissCarriesForward(t *testing.T) {
	ctx := context.Background()
	a := auditSimN(t, 1, sim.DefaultAsOf, 12) // audited twice: a dozen units are enough
	db := a.db
	// Recomputing an unreviewed scoring reproduces it exactly.
	stored, _ := db.Scores(ctx, a.sum.ScoringID)
	if _, err := audit.Recompute(ctx, db, a.sum.ScoringID); err != nil {
		t.Fatal(err)
	}
	again, _ := db.Scores(ctx, a.sum.ScoringID)
	for i := range stored {
		if stored[i].Unit != again[i].Unit || stored[i].Total != again[i].Total || stored[i].Rank != again[i].Rank || stored[i].Grade != again[i].Grade {
			t.Fatalf("recompute changed %s: %+v -> %+v", stored[i].Unit, stored[i], again[i])
		}
	}
	// Dismiss a deduction.
	found, err := db.Findings(ctx, a.sum.ScoringID, store.FindingFilter{Kind: "field.missing"})
	if err != nil || len(found) == 0 {
		t.Fatalf("no field.missing finding: %v", err)
	}
	f := found[0]
	before := scoreOf(t, db, a.sum.ScoringID, f.Unit)
	if _, err := db.AddReview(ctx, store.Review{FindingID: f.ID, Decision: store.DecisionDismissed, Reason: "字段以图片形式展示",
		Reviewer: "李四", DecidedAt: time.Now(), EvidenceKey: scoring.EvidenceKey(&f.Finding)}); err != nil {
		t.Fatal(err)
	}
	if _, err := audit.Recompute(ctx, db, a.sum.ScoringID); err != nil {
		t.Fatal(err)
	}
	after := scoreOf(t, db, a.sum.ScoringID, f.Unit)
	if after.Total != before.Total+f.Points || f.Points == 0 {
		t.Errorf("dismissing a %v-point finding moved %s from %v to %v", f.Points, f.Unit, before.Total, after.Total)
	}
	list, _ := db.Findings(ctx, a.sum.ScoringID, store.FindingFilter{Unit: f.Unit, Dismissed: "exclude"})
	for _, g := range list {
		if g.ID == f.ID {
			t.Errorf("the dismissed finding is still on the problem list")
		}
	}
	kept, _ := db.Finding(ctx, f.ID)
	if kept.Review == nil || kept.Review.Decision != store.DecisionDismissed || kept.Review.Reason == "" {
		t.Errorf("the record lost its decision: %+v", kept.Review)
	}
	// The next audit of the same sites carries the decision.
	sum2 := reaudit(t, a, evidence.MustParseDate(sim.DefaultAsOf))
	next, _ := db.Findings(ctx, sum2.ScoringID, store.FindingFilter{Unit: f.Unit, Kind: string(f.Kind)})
	carried := false
	for _, g := range next {
		if g.Key() == f.Key() {
			if g.Review == nil || g.Review.Decision != store.DecisionDismissed || g.Review.CarriedFrom == 0 || g.Status != store.FindingPersisting {
				t.Errorf("the next audit's finding: status %s, review %+v", g.Status, g.Review)
			}
			carried = true
		}
	}
	if !carried {
		t.Fatalf("the next audit lost the finding %s", f.Key())
	}
	if s := scoreOf(t, db, sum2.ScoringID, f.Unit); s.Total != after.Total {
		t.Errorf("the next audit scores %s %v, want %v (decision carried)", f.Unit, s.Total, after.Total)
	}
}

// TestReview_ChangedEvidenceIsJudgedAfresh: a decision does not carry when
// the evidence it was made on has changed.
func TestReview_ChangedEvidenceIsJudgedAfresh(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rs := rules.MustDefault()
	unit := evidence.Unit{ID: "u", Name: "测试局", Type: "bureau", URL: "http://u.test/"}
	mk := func(detail, sha string) *scoring.Result {
		f := scoring.Finding{Unit: "u", UnitName: "测试局", Kind: "column.stale", Rule: "news.max-age", Column: "news",
			Severity: "deduction", Nominal: 3, Points: 3, Indicator: "news-updates", Dimension: "timeliness", Detail: detail,
			Evidence: []scoring.Ref{{URL: "http://u.test/news/", Status: 200, Class: evidence.ClassOK, SHA256: sha}}}
		res := scoring.NewResult(rs, evidence.MustParseDate("2020-03-01"))
		res.Findings = []scoring.Finding{f}
		us := scoring.Tally(rs, unit, res.Findings)
		res.Units = []scoring.UnitScore{us}
		return scoring.Finalize(rs, res)
	}
	run := func(res *scoring.Result) (int64, map[string]store.Review) {
		id, err := db.BeginAudit(ctx, store.AuditMeta{StartedAt: time.Now(), AsOf: res.AsOf}, []evidence.Unit{unit})
		if err != nil {
			t.Fatal(err)
		}
		carry, err := audit.CarryDecisions(ctx, db, rs, res, map[string]evidence.Unit{"u": unit})
		if err != nil {
			t.Fatal(err)
		}
		sid, err := db.SaveScoring(ctx, id, res, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := db.CarryReviews(ctx, sid, carry); err != nil {
			t.Fatal(err)
		}
		db.FinishAudit(ctx, id, store.AuditComplete, time.Now())
		return sid, carry
	}
	first, _ := run(mk("最新一条发布于2019-11-02", "aaa"))
	fs, _ := db.Findings(ctx, first, store.FindingFilter{})
	if _, err := db.AddReview(ctx, store.Review{FindingID: fs[0].ID, Decision: store.DecisionDismissed, Reason: "r",
		DecidedAt: time.Now(), EvidenceKey: scoring.EvidenceKey(&fs[0].Finding)}); err != nil {
		t.Fatal(err)
	}
	if _, carry := run(mk("最新一条发布于2019-11-02", "aaa")); len(carry) != 1 {
		t.Errorf("unchanged evidence: decision not carried")
	}
	if _, carry := run(mk("最新一条发布于2019-11-02", "bbb")); len(carry) != 0 {
		t.Errorf("a changed page: decision carried anyway")
	}
	if _, carry := run(mk("最新一条发布于2019-10-30", "aaa")); len(carry) != 0 {
		t.Errorf("a changed detail: decision carried anyway")
	}
}
