package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"gongkai/evidence"
	"gongkai/scoring"
)

func TestDB_UnitHistoryAndStats(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	units := testUnits()
	type step struct {
		asOf    string
		status  string
		finance float64
		rescore float64 // a second scoring of the audit, when not 0
	}
	steps := []step{
		{asOf: "2020-01-01", status: AuditComplete, finance: 90},
		{asOf: "2020-02-01", status: AuditIncomplete, finance: 10}, // never in the history
		{asOf: "2020-03-01", status: AuditComplete, finance: 80, rescore: 85},
		{asOf: "2020-04-01", finance: 70}, // still running
	}
	var lastComplete int64
	for _, st := range steps {
		asOf := evidence.MustParseDate(st.asOf)
		id, err := db.BeginAudit(ctx, AuditMeta{StartedAt: asOf.Time(), AsOf: asOf}, units)
		if err != nil {
			t.Fatal(err)
		}
		save := func(total float64) {
			res := &scoring.Result{AsOf: asOf, Units: []scoring.UnitScore{
				{Unit: "finance", UnitName: "区财政局", Total: total, Grade: "良好", Rank: 2},
				{Unit: "town-a", UnitName: "甲镇", Total: 100, Grade: "优秀", Rank: 1},
			}}
			if _, err := db.SaveScoring(ctx, id, res, asOf.Time()); err != nil {
				t.Fatal(err)
			}
		}
		save(st.finance)
		if st.rescore != 0 {
			save(st.rescore)
		}
		if err := db.SaveUnitEvidence(ctx, id, testEvidence(units[0], 3), nil); err != nil {
			t.Fatal(err)
		}
		if st.status != "" {
			if err := db.FinishAudit(ctx, id, st.status, asOf.Time().Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		if st.status == AuditComplete {
			lastComplete = id
		}
	}

	got, err := db.UnitHistory(ctx, "finance")
	if err != nil {
		t.Fatal(err)
	}
	var scores []string
	for _, p := range got {
		scores = append(scores, fmt.Sprintf("%s %g", p.AsOf, p.Score))
		if p.Units != 2 || p.Rank != 2 || p.Grade != "良好" || p.FinishedAt.IsZero() {
			t.Errorf("history point %+v: want 2 units, rank 2, 良好, a finish time", p)
		}
	}
	if diff := cmp.Diff([]string{"2020-01-01 90", "2020-03-01 85"}, scores); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
	if none, err := db.UnitHistory(ctx, "nobody"); err != nil || len(none) != 0 {
		t.Errorf("history of an unknown unit = %v, %v; want none", none, err)
	}

	stats, err := db.UnitStats(ctx, lastComplete)
	if err != nil {
		t.Fatal(err)
	}
	st, ok := stats[units[0].ID]
	if !ok || len(stats) != 1 || st.Fetches == 0 || !st.Reachable {
		t.Errorf("UnitStats = %+v; want one reachable unit with its fetches", stats)
	}
}
