package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"gongkai/evidence"
	"gongkai/internal/gz"
	"gongkai/scoring"
)

// pruneAudit is one audit of a history that prune tests build.
type pruneAudit struct {
	// status is the audit's final status; AuditRunning leaves it running.
	status string
	// found maps a unit to the columns of its findings; a complete audit
	// is scored, the others are not.
	found map[string][]string
	// reviewed lists "unit/column" findings a person reviewed in this
	// audit; carried those whose decision was carried from an earlier one.
	reviewed, carried []string
}

var pruneUnits = []evidence.Unit{
	{ID: "a", Name: "甲局", Type: "bureau", URL: "http://127.0.0.1:8201/"},
	{ID: "b", Name: "乙局", Type: "bureau", URL: "http://127.0.0.1:8202/"},
	{ID: "c", Name: "丙镇", Type: "township", URL: "http://127.0.0.1:8203/"},
}

// pageOf is the body a unit keeps in one audit only; sharedOf the one it
// keeps in every audit.
func pageOf(audit int64, unit string) []byte {
	return []byte(fmt.Sprintf("<html>audit %d unit %s</html>", audit, unit))
}
func sharedOf(unit string) []byte { return []byte("<html>every audit of " + unit + "</html>") }

// buildHistory stores the audits in db, oldest first, and returns their ids.
func buildHistory(t *testing.T, db *DB, history []pruneAudit) []int64 {
	t.Helper()
	ctx := context.Background()
	var ids []int64
	for i, pa := range history {
		asOf := evidence.MustParseDate("2020-01-01").AddDays(7 * i)
		id, err := db.BeginAudit(ctx, AuditMeta{StartedAt: asOf.Time(), AsOf: asOf, RulesetHash: "h"}, pruneUnits)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
		for _, u := range pruneUnits {
			keep := map[string][]byte{}
			for _, b := range [][]byte{pageOf(id, u.ID), sharedOf(u.ID)} {
				keep[sha(b)] = gz.Compress(b)
			}
			if err := db.SaveUnitEvidence(ctx, id, testEvidence(u, 4), keep); err != nil {
				t.Fatal(err)
			}
		}
		if pa.status != AuditComplete {
			if pa.status == AuditIncomplete {
				if err := db.FinishAudit(ctx, id, AuditIncomplete, asOf.Time()); err != nil {
					t.Fatal(err)
				}
			}
			continue
		}
		res := &scoring.Result{AsOf: asOf, RulesetHash: "h"}
		for r, u := range pruneUnits {
			res.Units = append(res.Units, scoring.UnitScore{Unit: u.ID, UnitName: u.Name, Total: 100 - float64(len(pa.found[u.ID])), Rank: r + 1})
			for _, col := range pa.found[u.ID] {
				res.Findings = append(res.Findings, finding(u.ID, col, 1))
			}
		}
		sid, err := db.SaveScoring(ctx, id, res, asOf.Time())
		if err != nil {
			t.Fatal(err)
		}
		fs, err := db.Findings(ctx, sid, FindingFilter{})
		if err != nil {
			t.Fatal(err)
		}
		byName := map[string]StoredFinding{}
		for _, f := range fs {
			byName[f.Unit+"/"+f.Column] = f
		}
		for _, name := range pa.reviewed {
			f := byName[name]
			if _, err := db.AddReview(ctx, Review{FindingID: f.ID, Decision: DecisionDismissed, Reason: "页面缓存", DecidedAt: asOf.Time()}); err != nil {
				t.Fatalf("review %s: %v", name, err)
			}
		}
		for _, name := range pa.carried {
			f := byName[name]
			last, err := db.LatestDecisions(ctx, []string{f.Key()})
			if err != nil || last[f.Key()].ID == 0 {
				t.Fatalf("no decision to carry to %s: %v", name, err)
			}
			r := last[f.Key()]
			r.FindingID, r.CarriedFrom = f.ID, r.ID
			if _, err := db.AddReview(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.FinishAudit(ctx, id, AuditComplete, asOf.Time().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	return ids
}

// dbRecord is everything prune must leave as it is.
type dbRecord struct {
	Audits   []Audit
	Scorings map[int64][]Scoring
	Scores   map[int64][]scoring.UnitScore
	Findings map[int64][]StoredFinding
	Resolved map[int64][]StoredFinding
	Reviews  map[int64][]Review
	History  map[string][]HistoryPoint
	Stats    map[int64]map[string]UnitStat
	Rosters  map[int64][]evidence.Unit
}

func recordOf(t *testing.T, db *DB) dbRecord {
	t.Helper()
	ctx := context.Background()
	r := dbRecord{Scorings: map[int64][]Scoring{}, Scores: map[int64][]scoring.UnitScore{}, Findings: map[int64][]StoredFinding{},
		Resolved: map[int64][]StoredFinding{}, Reviews: map[int64][]Review{}, History: map[string][]HistoryPoint{},
		Stats: map[int64]map[string]UnitStat{}, Rosters: map[int64][]evidence.Unit{}}
	var err error
	if r.Audits, err = db.Audits(ctx); err != nil {
		t.Fatal(err)
	}
	for _, a := range r.Audits {
		if r.Rosters[a.ID], err = db.Units(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		if r.Stats[a.ID], err = db.UnitStats(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		rows, err := db.db.QueryContext(ctx, `SELECT id FROM scorings WHERE audit_id = ? ORDER BY id`, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		var sids []int64
		for rows.Next() {
			var id int64
			rows.Scan(&id)
			sids = append(sids, id)
		}
		rows.Close()
		for _, sid := range sids {
			sc, err := db.Scoring(ctx, sid)
			if err != nil {
				t.Fatal(err)
			}
			r.Scorings[a.ID] = append(r.Scorings[a.ID], *sc)
			if r.Scores[sid], err = db.Scores(ctx, sid); err != nil {
				t.Fatal(err)
			}
			if r.Findings[sid], err = db.Findings(ctx, sid, FindingFilter{}); err != nil {
				t.Fatal(err)
			}
			if r.Resolved[sid], err = db.ResolvedFindings(ctx, sid); err != nil {
				t.Fatal(err)
			}
			for _, f := range r.Findings[sid] {
				if r.Reviews[f.ID], err = db.Reviews(ctx, f.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	for _, u := range pruneUnits {
		if r.History[u.ID], err = db.UnitHistory(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

func TestDB_Prune(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	x := map[string][]string{"a": {"news"}}
	tests := []struct {
		name    string
		history []pruneAudit
		opts    PruneOptions
		// kept maps an audit (1-based) kept whole to why.
		kept map[int]string
		// pruned maps an audit to its units whose evidence goes.
		pruned map[int][]string
		// keptUnits maps an audit pruned in part to its units kept, and why.
		keptUnits map[int]map[string]string
	}{
		{
			name: "resolved only",
			history: []pruneAudit{
				{status: AuditComplete, found: x},
				{status: AuditComplete},
				{status: AuditComplete},
			},
			opts:   PruneOptions{Keep: 1},
			kept:   map[int]string{3: KeepLatest},
			pruned: map[int][]string{1: {"a", "b", "c"}, 2: {"a", "b", "c"}},
		},
		{
			name: "open problem keeps where it was first seen",
			history: []pruneAudit{
				{status: AuditComplete, found: map[string][]string{"a": {"news"}, "b": {"budget"}}},
				{status: AuditComplete, found: x},
				{status: AuditComplete, found: x},
			},
			opts:      PruneOptions{Keep: 1},
			kept:      map[int]string{3: KeepLatest},
			pruned:    map[int][]string{1: {"b", "c"}, 2: {"a", "b", "c"}},
			keptUnits: map[int]map[string]string{1: {"a": KeepOpen}},
		},
		{
			name: "a problem back after a fix is first seen again",
			history: []pruneAudit{
				{status: AuditComplete, found: x},
				{status: AuditComplete},
				{status: AuditComplete, found: x},
				{status: AuditComplete, found: x},
			},
			opts:      PruneOptions{Keep: 1},
			kept:      map[int]string{4: KeepLatest},
			pruned:    map[int][]string{1: {"a", "b", "c"}, 2: {"a", "b", "c"}, 3: {"b", "c"}},
			keptUnits: map[int]map[string]string{3: {"a": KeepOpen}},
		},
		{
			name: "reviewed finding, resolved since; a carried decision keeps nothing",
			history: []pruneAudit{
				{status: AuditComplete, found: x, reviewed: []string{"a/news"}},
				{status: AuditComplete, found: x, carried: []string{"a/news"}},
				{status: AuditComplete},
			},
			opts:      PruneOptions{Keep: 1},
			kept:      map[int]string{3: KeepLatest},
			pruned:    map[int][]string{1: {"b", "c"}, 2: {"a", "b", "c"}},
			keptUnits: map[int]map[string]string{1: {"a": KeepReviewed}},
		},
		{
			name: "the latest audit incomplete can be resumed",
			history: []pruneAudit{
				{status: AuditComplete},
				{status: AuditComplete},
				{status: AuditIncomplete},
			},
			opts:   PruneOptions{Keep: 1},
			kept:   map[int]string{2: KeepLatest, 3: KeepResumable},
			pruned: map[int][]string{1: {"a", "b", "c"}},
		},
		{
			name: "an incomplete audit superseded cannot",
			history: []pruneAudit{
				{status: AuditComplete},
				{status: AuditIncomplete},
				{status: AuditComplete},
			},
			opts:   PruneOptions{Keep: 1},
			kept:   map[int]string{3: KeepLatest},
			pruned: map[int][]string{1: {"a", "b", "c"}, 2: {"a", "b", "c"}},
		},
		{
			name: "a running audit is left alone",
			history: []pruneAudit{
				{status: AuditComplete},
				{status: AuditComplete},
				{status: AuditRunning},
			},
			opts:   PruneOptions{Keep: 1},
			kept:   map[int]string{2: KeepLatest, 3: KeepRunning},
			pruned: map[int][]string{1: {"a", "b", "c"}},
		},
		{
			name: "keep two, and one named",
			history: []pruneAudit{
				{status: AuditComplete},
				{status: AuditComplete},
				{status: AuditComplete},
				{status: AuditComplete},
			},
			opts:   PruneOptions{Keep: 2, KeepAudits: []int64{1}},
			kept:   map[int]string{1: KeepAsked, 3: KeepLatest, 4: KeepLatest},
			pruned: map[int][]string{2: {"a", "b", "c"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openTest(t)
			ids := buildHistory(t, db, tt.history)
			before := recordOf(t, db)
			plan, err := db.Plan(ctx, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			gotKept, gotPruned, gotUnits := map[int]string{}, map[int][]string{}, map[int]map[string]string{}
			for _, ap := range plan.Audits {
				n := int(ap.Audit.ID)
				if ap.Kept != "" {
					gotKept[n] = ap.Kept
				}
				if len(ap.Prune) > 0 {
					gotPruned[n] = ap.Prune
				}
				if ap.KeepUnits != nil {
					gotUnits[n] = ap.KeepUnits
				}
			}
			if diff := cmp.Diff(tt.kept, gotKept); diff != "" {
				t.Errorf("audits kept whole (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.pruned, gotPruned); diff != "" {
				t.Errorf("units pruned (-want +got):\n%s", diff)
			}
			if tt.keptUnits == nil {
				tt.keptUnits = map[int]map[string]string{}
			}
			if diff := cmp.Diff(tt.keptUnits, gotUnits); diff != "" {
				t.Errorf("units kept (-want +got):\n%s", diff)
			}

			res, err := db.Prune(ctx, plan, at, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.Units != plan.Units() {
				t.Errorf("pruned %d units, the plan said %d", res.Units, plan.Units())
			}
			if res.Bodies != plan.Bodies || res.BodyBytes != plan.BodyBytes {
				t.Errorf("pruned %d bodies (%d bytes), the plan said %d (%d)", res.Bodies, res.BodyBytes, plan.Bodies, plan.BodyBytes)
			}
			if res.EvidenceBytes == 0 && plan.Units() > 0 {
				t.Errorf("pruning %d units removed no evidence bytes", plan.Units())
			}

			// What goes is gone, with a clear error; what stays is whole.
			for i, id := range ids {
				gone := map[string]bool{}
				for _, u := range tt.pruned[i+1] {
					gone[u] = true
				}
				for _, u := range pruneUnits {
					ue, err := db.UnitEvidence(ctx, id, u.ID)
					fetches, ferr := db.Fetches(ctx, id, u.ID, "")
					if ferr != nil {
						t.Fatal(ferr)
					}
					_, berr := db.Body(ctx, sha(pageOf(id, u.ID)))
					if gone[u.ID] {
						var pe *PrunedError
						if !errors.As(err, &pe) || !errors.Is(err, ErrPruned) || pe.AuditID != id || pe.Unit != u.ID || !pe.At.Equal(at) {
							t.Errorf("audit %d unit %s: UnitEvidence after prune: %v; want a *PrunedError", id, u.ID, err)
						}
						if msg := fmt.Sprint(err); !strings.Contains(msg, fmt.Sprintf("audit %d", id)) || !strings.Contains(msg, "pruned on 2026-11-27") {
							t.Errorf("pruned error %q names neither the audit nor the date", msg)
						}
						if len(fetches) != 0 || !errors.Is(berr, ErrNotFound) {
							t.Errorf("audit %d unit %s: %d fetch rows, body %v after prune", id, u.ID, len(fetches), berr)
						}
						continue
					}
					if err != nil || ue.Unit.ID != u.ID || len(fetches) == 0 || berr != nil {
						t.Errorf("audit %d unit %s kept: evidence %v, %d fetch rows, body %v", id, u.ID, err, len(fetches), berr)
					}
				}
			}
			for _, u := range pruneUnits {
				if _, err := db.Body(ctx, sha(sharedOf(u.ID))); err != nil {
					t.Errorf("the body every audit of %s kept is gone: %v", u.ID, err)
				}
			}

			// Findings, scores, reviews, history and rosters are as they were;
			// the audits record the prune.
			after := recordOf(t, db)
			for i := range before.Audits {
				a := &before.Audits[i]
				if n := len(tt.pruned[int(a.ID)]); n > 0 {
					a.EvidencePrunedAt, a.EvidencePrunedUnits = at.UTC(), n
				}
			}
			if diff := cmp.Diff(before, after); diff != "" {
				t.Errorf("prune changed what it must keep (-before +after):\n%s", diff)
			}
			if err := db.IntegrityCheck(ctx); err != nil {
				t.Error(err)
			}
			if rep, err := db.Check(ctx, false); err != nil || !rep.OK() {
				t.Errorf("check after prune: %+v, %v", rep, err)
			}

			// A second prune finds nothing more to remove.
			again, err := db.Plan(ctx, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if again.Units() != 0 || again.Bodies != 0 {
				t.Errorf("a second plan prunes %d units and %d bodies", again.Units(), again.Bodies)
			}
		})
	}
}

func TestDB_PlanRefusesKeepZero(t *testing.T) {
	db := openTest(t)
	for _, keep := range []int{0, -1} {
		if _, err := db.Plan(context.Background(), PruneOptions{Keep: keep}); err == nil {
			t.Errorf("Plan(keep %d) accepted", keep)
		}
	}
	plan, err := db.Plan(context.Background(), PruneOptions{Keep: 1})
	if err != nil || len(plan.Audits) != 0 || plan.Units() != 0 {
		t.Errorf("plan of an empty database: %+v, %v", plan, err)
	}
}

func TestDB_PruneUnit(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	ids := buildHistory(t, db, []pruneAudit{{status: AuditComplete}, {status: AuditRunning}})
	if _, err := db.PruneUnit(ctx, ids[1], "a", t0); !errors.Is(err, errAuditRunning) {
		t.Errorf("PruneUnit of a running audit: %v", err)
	}
	if _, err := db.PruneUnit(ctx, 99, "a", t0); !errors.Is(err, ErrNotFound) {
		t.Errorf("PruneUnit of audit 99: %v", err)
	}
	if _, err := db.PruneUnit(ctx, ids[0], "nobody", t0); !errors.Is(err, ErrNotFound) {
		t.Errorf("PruneUnit of an unknown unit: %v", err)
	}
	first, err := db.PruneUnit(ctx, ids[0], "a", t0)
	if err != nil || first.Fetches != 6 || first.Bodies != 1 {
		t.Errorf("PruneUnit: %+v, %v; want 6 fetch rows and 1 body (the shared one stays)", first, err)
	}
	second, err := db.PruneUnit(ctx, ids[0], "a", t0)
	if err != nil || second != (UnitPruned{}) {
		t.Errorf("PruneUnit again: %+v, %v; want nothing", second, err)
	}
	a, _ := db.Audit(ctx, ids[0])
	if a.EvidencePrunedUnits != 1 || !a.Pruned() || a.EvidenceErr() == nil {
		t.Errorf("audit after one unit pruned: %+v", a)
	}
	if msg := a.EvidenceErr().Error(); !strings.Contains(msg, "1 of its 3 units") {
		t.Errorf("audit's pruned error: %q", msg)
	}
	// A unit saved afterwards into a running audit may keep the body the
	// prune just deleted: saving brings it back.
	b := pageOf(ids[0], "a")
	if err := db.SaveUnitEvidence(ctx, ids[1], testEvidence(pruneUnits[0], 1), map[string][]byte{sha(b): gz.Compress(b)}); err != nil {
		t.Fatal(err)
	}
	if got, err := db.Body(ctx, sha(b)); err != nil || string(got) != string(b) {
		t.Errorf("body saved again: %q, %v", got, err)
	}
}

// TestDB_PruneWhileWriting prunes while another handle saves units, as
// `gongkai db prune` does next to `gongkai serve`: neither fails, and the
// database checks.
func TestDB_PruneWhileWriting(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	var history []pruneAudit
	for range 4 {
		history = append(history, pruneAudit{status: AuditComplete})
	}
	buildHistory(t, db, history)
	writer, err := Open(ctx, db.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	var units []evidence.Unit
	for i := range 60 {
		units = append(units, evidence.Unit{ID: fmt.Sprintf("w%02d", i), Name: "单位", Type: "bureau", URL: fmt.Sprintf("http://127.0.0.1:%d/", 9100+i)})
	}
	id, err := writer.BeginAudit(ctx, AuditMeta{StartedAt: t0, AsOf: evidence.DateOf(t0)}, units)
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() {
		for _, u := range units {
			shared := sharedOf("a") // a body the pruned audits kept too
			if err := writer.SaveUnitEvidence(ctx, id, testEvidence(u, 100), map[string][]byte{sha(shared): gz.Compress(shared)}); err != nil {
				errc <- err
				return
			}
		}
		errc <- writer.FinishAudit(ctx, id, AuditComplete, t0)
	}()
	plan, err := db.Plan(ctx, PruneOptions{Keep: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Prune(ctx, plan, t0, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Reclaim(ctx, 16); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatalf("the writer failed: %v", err)
	}
	if rep, err := db.Check(ctx, false); err != nil || !rep.OK() {
		t.Fatalf("check: %+v, %v", rep, err)
	}
	if stored, _ := db.StoredUnits(ctx, id); len(stored) != len(units) {
		t.Errorf("the audit written meanwhile stored %d of %d units", len(stored), len(units))
	}
	if _, err := db.Body(ctx, sha(sharedOf("a"))); err != nil {
		t.Errorf("a body the new audit keeps is gone: %v", err)
	}
}

func TestDB_Reclaim(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	buildHistory(t, db, []pruneAudit{{status: AuditComplete}, {status: AuditComplete}})
	if _, err := db.db.ExecContext(ctx, `UPDATE unit_evidence SET evidence = zeroblob(200000) WHERE audit_id = 1`); err != nil {
		t.Fatal(err)
	}
	before, _ := db.Info(ctx)
	if before.AutoVacuum != "incremental" {
		t.Fatalf("a new database has auto_vacuum %s, want incremental", before.AutoVacuum)
	}
	plan, _ := db.Plan(ctx, PruneOptions{Keep: 1})
	if _, err := db.Prune(ctx, plan, t0, nil); err != nil {
		t.Fatal(err)
	}
	freed, _ := db.Info(ctx)
	if freed.FreePages == 0 {
		t.Fatalf("prune freed no page")
	}
	given, err := db.Reclaim(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	after, _ := db.Info(ctx)
	if given != freed.FreePages || after.FreePages != 0 || after.Pages != freed.Pages-given {
		t.Errorf("reclaim gave back %d pages: pages %d→%d, free %d→%d", given, freed.Pages, after.Pages, freed.FreePages, after.FreePages)
	}

	t.Run("a database without incremental vacuum", func(t *testing.T) {
		conn, err := db.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{`PRAGMA auto_vacuum = NONE`, `VACUUM`} {
			if _, err := conn.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		conn.Close()
		if info, _ := db.Info(ctx); info.AutoVacuum != "none" {
			t.Fatalf("auto_vacuum %s after switching it off", info.AutoVacuum)
		}
		if _, err := db.Reclaim(ctx, 10); !errors.Is(err, ErrNoIncrementalVacuum) {
			t.Errorf("Reclaim: %v; want ErrNoIncrementalVacuum", err)
		}
	})
}

func TestDB_Vacuum(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/old.db"
	// A database as gongkai made them before incremental vacuum.
	old, err := open(ctx, path, migrations)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := old.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`PRAGMA auto_vacuum = NONE`, `VACUUM`} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	conn.Close()
	old.Close()
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if info, _ := db.Info(ctx); info.AutoVacuum != "none" {
		t.Fatalf("setup: auto_vacuum %s", info.AutoVacuum)
	}
	ids := buildHistory(t, db, []pruneAudit{{status: AuditComplete}, {status: AuditRunning}})

	// A running audit: refused.
	if err := db.Vacuum(ctx); !errors.Is(err, ErrBusy) || !strings.Contains(err.Error(), fmt.Sprintf("audit %d is running", ids[1])) {
		t.Fatalf("Vacuum with a running audit: %v", err)
	}
	if err := db.FinishAudit(ctx, ids[1], AuditIncomplete, t0); err != nil {
		t.Fatal(err)
	}
	// Another connection holding the write lock: busy.
	other, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	tx, err := other.db.BeginTx(ctx, nil) // IMMEDIATE: the write lock
	if err != nil {
		t.Fatal(err)
	}
	db.db.SetMaxOpenConns(1) // the pragma below is the connection's
	if _, err := db.db.ExecContext(ctx, `PRAGMA busy_timeout = 100`); err != nil {
		t.Fatal(err)
	}
	if err := db.Vacuum(ctx); !errors.Is(err, ErrBusy) {
		t.Errorf("Vacuum while another connection writes: %v; want ErrBusy", err)
	}
	tx.Rollback()
	if err := db.Vacuum(ctx); err != nil {
		t.Fatal(err)
	}
	if info, _ := db.Info(ctx); info.AutoVacuum != "incremental" || info.FreePages != 0 {
		t.Errorf("after VACUUM: auto_vacuum %s, %d free pages; want incremental, 0", info.AutoVacuum, info.FreePages)
	}
}

// TestDB_PruneBusy: a prune that cannot get the write lock within the busy
// timeout says so, and what it pruned stays pruned.
func TestDB_PruneBusy(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	buildHistory(t, db, []pruneAudit{{status: AuditComplete}, {status: AuditComplete}})
	plan, err := db.Plan(ctx, PruneOptions{Keep: 1})
	if err != nil || plan.Units() != 3 {
		t.Fatalf("plan: %+v, %v", plan, err)
	}
	other, err := Open(ctx, db.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	tx, err := other.db.BeginTx(ctx, nil) // IMMEDIATE: the write lock
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	db.db.SetMaxOpenConns(1)
	if _, err := db.db.ExecContext(ctx, `PRAGMA busy_timeout = 50`); err != nil {
		t.Fatal(err)
	}
	res, err := db.Prune(ctx, plan, t0, nil)
	if !errors.Is(err, ErrBusy) || !strings.Contains(err.Error(), "run prune again") || res.Units != 0 {
		t.Fatalf("prune while another connection writes: %+v, %v", res, err)
	}
	tx.Rollback()
	if res, err := db.Prune(ctx, plan, t0, nil); err != nil || res.Units != 3 {
		t.Errorf("prune again: %+v, %v", res, err)
	}
}
