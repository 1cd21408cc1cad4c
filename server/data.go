package server

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gongkai/evidence"
	"gongkai/report"
	"gongkai/store"
)

// AuditView is an audit as the API shows it.
type AuditView struct {
	ID         int64         `json:"id"`
	Status     string        `json:"status"`
	StartedAt  time.Time     `json:"started_at"`
	FinishedAt time.Time     `json:"finished_at,omitzero"`
	AsOf       evidence.Date `json:"as_of"`
	Ruleset    RulesetView   `json:"ruleset"`
	Units      int           `json:"units"`
	Note       string        `json:"note,omitempty"`
	// EvidencePrunedAt and EvidencePrunedUnits say when `gongkai db prune`
	// last removed evidence of the audit, and of how many units; absent
	// when all of it is kept.
	EvidencePrunedAt    time.Time `json:"evidence_pruned_at,omitzero"`
	EvidencePrunedUnits int       `json:"evidence_pruned_units,omitempty"`
}

// RulesetView names a ruleset.
type RulesetView struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Hash    string `json:"hash"`
}

func auditView(a *store.Audit) AuditView {
	return AuditView{
		ID: a.ID, Status: a.Status, StartedAt: a.StartedAt, FinishedAt: a.FinishedAt, AsOf: a.AsOf,
		Ruleset: RulesetView{a.RulesetName, a.RulesetVersion, a.RulesetHash}, Units: a.Units, Note: a.Note,
		EvidencePrunedAt: a.EvidencePrunedAt, EvidencePrunedUnits: a.EvidencePrunedUnits,
	}
}

// RankingView is an audit's ranking with the changes since the previous
// complete audit.
type RankingView struct {
	Audit AuditView `json:"audit"`
	// Previous is the audit the changes are measured against; nil for the first.
	Previous   *AuditView               `json:"previous,omitempty"`
	Dimensions []report.DimensionHeader `json:"dimensions"`
	Ranking    []report.RankingRow      `json:"ranking"`
}

// UnitView is one unit in one audit: its standing, its problems (those
// resolved since the previous audit last) and its history.
type UnitView struct {
	Audit    AuditView                `json:"audit"`
	Unit     evidence.Unit            `json:"unit"`
	Score    report.RankingRow        `json:"score"`
	Problems []report.Problem         `json:"problems"`
	History  []store.HistoryPoint     `json:"history"`
	Stat     *store.UnitStat          `json:"crawl,omitempty"`
	Dims     []report.DimensionHeader `json:"dimensions"`
}

// errNoAudit is returned when no complete audit exists yet.
var errNoAudit = errors.New("no complete audit yet")

// scoredAudit returns audit id (the latest complete one when id is 0) and
// its current scoring.
func (s *Service) scoredAudit(ctx context.Context, id int64) (*store.Audit, *store.Scoring, error) {
	var (
		a   *store.Audit
		err error
	)
	if id == 0 {
		a, err = s.db.LatestAudit(ctx, true)
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil, errNoAudit
		}
	} else {
		a, err = s.db.Audit(ctx, id)
	}
	if err != nil {
		return nil, nil, err
	}
	sc, err := s.db.CurrentScoring(ctx, a.ID)
	if err != nil {
		why := "it stopped early"
		if a.Status == store.AuditRunning {
			why = "it is still running"
		}
		return nil, nil, fmt.Errorf("audit %d has no scoring (%s): %w", a.ID, why, err)
	}
	return a, sc, nil
}

// rankingView builds the ranking of audit id (0: the latest complete).
func (s *Service) rankingView(ctx context.Context, id int64) (*RankingView, error) {
	a, sc, err := s.scoredAudit(ctx, id)
	if err != nil {
		return nil, err
	}
	scores, err := s.db.Scores(ctx, sc.ID)
	if err != nil {
		return nil, err
	}
	prev, err := s.db.PreviousScores(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	v := &RankingView{Audit: auditView(a), Dimensions: report.DimensionsFrom(scores), Ranking: report.RankingFrom(scores, prev)}
	if pa, err := s.db.PreviousAudit(ctx, a.ID); err == nil {
		pv := auditView(pa)
		v.Previous = &pv
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if v.Dimensions == nil {
		v.Dimensions = []report.DimensionHeader{}
	}
	if v.Ranking == nil {
		v.Ranking = []report.RankingRow{}
	}
	return v, nil
}

// problems lists an audit's problems with filter, then (unless the filter
// names a status other than resolved) the problems resolved since the
// previous audit that match it.
func (s *Service) problems(ctx context.Context, scoringID int64, filter store.FindingFilter) ([]report.Problem, error) {
	found, err := s.db.Findings(ctx, scoringID, filter)
	if err != nil {
		return nil, err
	}
	if filter.Status == "" {
		resolved, err := s.db.ResolvedFindings(ctx, scoringID)
		if err != nil {
			return nil, err
		}
		for _, r := range resolved {
			if (filter.Unit == "" || r.Unit == filter.Unit) && (filter.Kind == "" || string(r.Kind) == filter.Kind) &&
				(filter.Severity == "" || r.Severity == filter.Severity) {
				found = append(found, r)
			}
		}
	}
	out := report.ProblemsFrom(found)
	if out == nil {
		out = []report.Problem{}
	}
	return out, nil
}

// errNoUnit is returned for a unit not on an audit's roster.
var errNoUnit = errors.New("no such unit in the audit")

// unitView builds unit unitID's page data in audit id (0: latest complete).
func (s *Service) unitView(ctx context.Context, id int64, unitID string) (*UnitView, error) {
	rv, err := s.rankingView(ctx, id)
	if err != nil {
		return nil, err
	}
	v := &UnitView{Audit: rv.Audit, Dims: rv.Dimensions}
	found := false
	for _, r := range rv.Ranking {
		if r.Unit == unitID {
			v.Score, found = r, true
		}
	}
	if !found {
		return nil, fmt.Errorf("unit %q in audit %d: %w", unitID, rv.Audit.ID, errNoUnit)
	}
	roster, err := s.db.Units(ctx, rv.Audit.ID)
	if err != nil {
		return nil, err
	}
	for _, u := range roster {
		if u.ID == unitID {
			v.Unit = u
		}
	}
	sc, err := s.db.CurrentScoring(ctx, rv.Audit.ID)
	if err != nil {
		return nil, err
	}
	if v.Problems, err = s.problems(ctx, sc.ID, store.FindingFilter{Unit: unitID, Dismissed: "exclude"}); err != nil {
		return nil, err
	}
	if v.History, err = s.db.UnitHistory(ctx, unitID); err != nil {
		return nil, err
	}
	if v.History == nil {
		v.History = []store.HistoryPoint{}
	}
	stats, err := s.db.UnitStats(ctx, rv.Audit.ID)
	if err != nil {
		return nil, err
	}
	if st, ok := stats[unitID]; ok {
		v.Stat = &st
	}
	return v, nil
}
