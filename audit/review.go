package audit

import (
	"context"
	"errors"
	"fmt"

	"gongkai/evidence"
	"gongkai/rules"
	"gongkai/scoring"
	"gongkai/store"
)

// Review decisions (复核). A unit contests a finding; an evaluator dismisses
// or confirms it. A dismissed finding leaves the unit's score, the problem
// list and the notices; its record stays. A decision is carried to the same
// problem in later audits (and re-scorings) for as long as the evidence it
// was made on is unchanged (scoring.EvidenceKey); new evidence is judged
// afresh.

// keepRuleset stores the ruleset's files under its hash, so the scoring
// can be recomputed with exactly these rules.
func keepRuleset(ctx context.Context, db *store.DB, rs *rules.Ruleset) error {
	files := make([]store.RulesetFile, len(rs.Files))
	for i, f := range rs.Files {
		files[i] = store.RulesetFile{Name: f.Name, Data: f.Data}
	}
	return db.SaveRuleset(ctx, rs.Hash, rs.Name, rs.Version, files)
}

// CarryDecisions finds the decisions that carry to res's findings (same
// fingerprint, same evidence key) and, where a carried decision dismisses
// a finding, scores the unit again without it. It returns the decisions to
// record once the scoring is saved.
func CarryDecisions(ctx context.Context, db *store.DB, rs *rules.Ruleset, res *scoring.Result, roster map[string]evidence.Unit) (map[string]store.Review, error) {
	fps := make([]string, 0, len(res.Findings))
	for i := range res.Findings {
		fps = append(fps, res.Findings[i].Key())
	}
	latest, err := db.LatestDecisions(ctx, fps)
	if err != nil {
		return nil, err
	}
	carry := map[string]store.Review{}
	dismissed := map[string]bool{}
	touched := map[string]bool{}
	for i := range res.Findings {
		f := &res.Findings[i]
		d, ok := latest[f.Key()]
		if !ok || d.EvidenceKey != scoring.EvidenceKey(f) {
			continue
		}
		carry[f.Key()] = d
		if d.Decision == store.DecisionDismissed {
			dismissed[f.Key()] = true
			touched[f.Unit] = true
		}
	}
	if len(touched) > 0 {
		retally(rs, res, roster, func(f *scoring.Finding) bool { return dismissed[f.Key()] }, touched)
	}
	return carry, nil
}

// retally scores the touched units again from their findings, leaving out
// the dismissed ones (whose points become 0), and ranks all units again.
func retally(rs *rules.Ruleset, res *scoring.Result, roster map[string]evidence.Unit, dismissed func(*scoring.Finding) bool, touched map[string]bool) {
	byUnit := map[string][]int{}
	for i := range res.Findings {
		byUnit[res.Findings[i].Unit] = append(byUnit[res.Findings[i].Unit], i)
	}
	for ui := range res.Units {
		u := &res.Units[ui]
		if !touched[u.Unit] {
			continue
		}
		var kept []scoring.Finding
		var idx []int
		for _, i := range byUnit[u.Unit] {
			f := res.Findings[i]
			if dismissed(&f) {
				res.Findings[i].Points = 0
				continue
			}
			kept = append(kept, f)
			idx = append(idx, i)
		}
		unit := roster[u.Unit]
		if unit.ID == "" {
			unit = evidence.Unit{ID: u.Unit, Name: u.UnitName, Type: u.UnitType}
		}
		score := scoring.Tally(rs, unit, kept)
		// Tally sorted kept into check order and set its points: copy the
		// points back by key.
		points := map[string]float64{}
		for _, f := range kept {
			points[f.Key()] = f.Points
		}
		for _, i := range idx {
			res.Findings[i].Points = points[res.Findings[i].Key()]
		}
		score.Rank = u.Rank
		*u = score
	}
	scoring.Rank(res.Units)
}

// Recompute scores a stored scoring again from its stored findings, the
// review decisions on them and the ruleset it was made with (kept in the
// database by hash), and stores the scores and points. It is what a review
// decision sets off; on a scoring without decisions it reproduces the
// stored scores exactly.
func Recompute(ctx context.Context, db *store.DB, scoringID int64) (*scoring.Result, error) {
	sc, err := db.Scoring(ctx, scoringID)
	if err != nil {
		return nil, fmt.Errorf("recompute: %w", err)
	}
	rs, err := storedRuleset(ctx, db, sc.RulesetHash)
	if err != nil {
		return nil, fmt.Errorf("recompute scoring %d: %w", scoringID, err)
	}
	if wf, wt := sc.WindowFrom, sc.WindowTo; !wf.IsZero() && !wt.IsZero() {
		// Keep the window the scoring was made with.
		months := (wt.Year-wf.Year)*12 + int(wt.Month) - int(wf.Month) + 1
		rs = rs.WithWindow(months)
	}
	found, err := db.Findings(ctx, scoringID, store.FindingFilter{})
	if err != nil {
		return nil, fmt.Errorf("recompute: %w", err)
	}
	scores, err := db.Scores(ctx, scoringID)
	if err != nil {
		return nil, fmt.Errorf("recompute: %w", err)
	}
	roster, err := db.Units(ctx, sc.AuditID)
	if err != nil {
		return nil, fmt.Errorf("recompute: %w", err)
	}
	units := map[string]evidence.Unit{}
	for _, u := range roster {
		units[u.ID] = u
	}
	res := &scoring.Result{AsOf: sc.AsOf, WindowFrom: sc.WindowFrom, WindowTo: sc.WindowTo,
		RulesetName: sc.RulesetName, RulesetVersion: sc.RulesetVersion, RulesetHash: sc.RulesetHash, Units: scores}
	ids := map[string]int64{}
	dismissed := map[string]bool{}
	touched := map[string]bool{}
	for _, f := range found {
		res.Findings = append(res.Findings, f.Finding)
		ids[f.Key()] = f.ID
		touched[f.Unit] = true
		if f.Review != nil && f.Review.Decision == store.DecisionDismissed {
			dismissed[f.Key()] = true
		}
	}
	for _, u := range scores {
		touched[u.Unit] = true
	}
	retally(rs, res, units, func(f *scoring.Finding) bool { return dismissed[f.Key()] }, touched)
	points := map[int64]float64{}
	for _, f := range res.Findings {
		points[ids[f.Key()]] = f.Points
	}
	if err := db.ReplaceScores(ctx, scoringID, res.Units, points); err != nil {
		return nil, fmt.Errorf("recompute: %w", err)
	}
	return res, nil
}

// storedRuleset parses the ruleset kept under hash; a database written
// before rulesets were kept falls back to the embedded default when the
// hash is the default's.
func storedRuleset(ctx context.Context, db *store.DB, hash string) (*rules.Ruleset, error) {
	files, err := db.RulesetFiles(ctx, hash)
	if errors.Is(err, store.ErrNotFound) {
		if def, derr := rules.Default(); derr == nil && def.Hash == hash {
			return def, nil
		}
		return nil, fmt.Errorf("the ruleset %s is not kept in the database (an audit from before rulesets were kept): rescore it with --rules", short(hash))
	}
	if err != nil {
		return nil, err
	}
	var rf []rules.File
	for _, f := range files {
		rf = append(rf, rules.File{Name: f.Name, Data: f.Data})
	}
	return rules.Parse(rf)
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
