package server

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"gongkai/evidence"
	"gongkai/rules"
	"gongkai/scoring"
	"gongkai/store"
)

// Snapshot is the latest complete audit as the database holds it: what
// /metrics reports per unit and what the dashboard's front page shows. It
// is read again when an audit ends and at most every snapshotTTL otherwise
// (reviews recorded by another process change scores too).
type Snapshot struct {
	// Audit is the latest complete audit and Scoring its current scoring;
	// both nil when no audit has completed.
	Audit   *store.Audit
	Scoring *store.Scoring
	// Scores are the unit scores in rank order; Prev the previous complete
	// audit's, by unit id (nil when there is none).
	Scores []scoring.UnitScore
	Prev   map[string]scoring.UnitScore
	// Units is the audit's roster, by unit id.
	Units map[string]evidence.Unit
	// Stats are the crawl figures by unit id.
	Stats map[string]store.UnitStat
	// Findings counts the findings that stand (not dismissed on review),
	// by unit id, then by kind and severity.
	Findings map[string]map[KindSeverity]int
	// LastEnded is the newest audit that ended (complete or incomplete);
	// nil when none has.
	LastEnded *store.Audit
	// Read is when the snapshot was read.
	Read time.Time
}

// KindSeverity is a finding kind with a severity.
type KindSeverity struct {
	Kind     rules.FindingKind
	Severity string
}

// snapshotTTL bounds how stale a snapshot may be.
const snapshotTTL = 15 * time.Second

// readSnapshot reads the latest complete audit.
func readSnapshot(ctx context.Context, db *store.DB, now time.Time) (*Snapshot, error) {
	s := &Snapshot{Read: now}
	audits, err := db.Audits(ctx)
	if err != nil {
		return nil, err
	}
	for i := range audits {
		a := &audits[i]
		if s.LastEnded == nil && a.Status != store.AuditRunning {
			s.LastEnded = a
		}
		if s.Audit == nil && a.Status == store.AuditComplete {
			s.Audit = a
		}
	}
	if s.Audit == nil {
		return s, nil
	}
	id := s.Audit.ID
	if s.Scoring, err = db.CurrentScoring(ctx, id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			s.Audit = nil
			return s, nil
		}
		return nil, err
	}
	if s.Scores, err = db.Scores(ctx, s.Scoring.ID); err != nil {
		return nil, err
	}
	if s.Prev, err = db.PreviousScores(ctx, id); err != nil {
		return nil, err
	}
	roster, err := db.Units(ctx, id)
	if err != nil {
		return nil, err
	}
	s.Units = make(map[string]evidence.Unit, len(roster))
	for _, u := range roster {
		s.Units[u.ID] = u
	}
	if s.Stats, err = db.UnitStats(ctx, id); err != nil {
		return nil, err
	}
	found, err := db.Findings(ctx, s.Scoring.ID, store.FindingFilter{Dismissed: "exclude"})
	if err != nil {
		return nil, err
	}
	s.Findings = map[string]map[KindSeverity]int{}
	for _, f := range found {
		m := s.Findings[f.Unit]
		if m == nil {
			m = map[KindSeverity]int{}
			s.Findings[f.Unit] = m
		}
		m[KindSeverity{f.Kind, f.Severity}]++
	}
	return s, nil
}

// unitIDs returns the snapshot's unit ids in rank order.
func (s *Snapshot) unitIDs() []string {
	ids := make([]string, 0, len(s.Scores))
	for _, sc := range s.Scores {
		ids = append(ids, sc.Unit)
	}
	return ids
}

// sortedKinds returns a unit's finding counts in kind, severity order.
func sortedKinds(m map[KindSeverity]int) []KindSeverity {
	out := make([]KindSeverity, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind < out[j].Kind
		}
		return out[i].Severity < out[j].Severity
	})
	return out
}

// snapshotError wraps a failure to read the snapshot.
func snapshotError(err error) error { return fmt.Errorf("read the latest audit: %w", err) }
