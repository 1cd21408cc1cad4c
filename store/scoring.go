package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gongkai/evidence"
	"gongkai/scoring"
)

// The statuses of a finding, against the previous complete audit.
const (
	// FindingNew is a finding whose fingerprint the previous complete
	// audit's current scoring does not hold (or there is no previous audit).
	FindingNew = "new"
	// FindingPersisting is a finding the previous complete audit also had.
	FindingPersisting = "persisting"
	// FindingResolved is a finding of the previous complete audit that the
	// audit at hand no longer has (see ResolvedFindings).
	FindingResolved = "resolved"
)

// Scoring is one stored judgement of an audit's evidence.
type Scoring struct {
	// ID is the scoring's id; AuditID the audit whose evidence it judged.
	ID      int64
	AuditID int64
	// CreatedAt is when the scoring was made.
	CreatedAt time.Time
	// AsOf is the evaluation date; WindowFrom and WindowTo bound the
	// evaluation window (inclusive; zero when the result gave none).
	AsOf       evidence.Date
	WindowFrom evidence.Date
	WindowTo   evidence.Date
	// RulesetName, RulesetVersion and RulesetHash name the ruleset that judged.
	RulesetName    string
	RulesetVersion string
	RulesetHash    string
}

// StoredFinding is a finding as stored, with its stable id and its status
// against the previous complete audit.
type StoredFinding struct {
	scoring.Finding
	// ID is the finding's stable id, never reused.
	ID int64 `json:"id"`
	// ScoringID and AuditID say which scoring (of which audit) holds it.
	ScoringID int64 `json:"scoring_id"`
	AuditID   int64 `json:"audit_id"`
	// Status is FindingNew, FindingPersisting or FindingResolved.
	Status string `json:"status"`
	// FirstSeen is the as-of date of the earliest audit in an unbroken run
	// of complete audits that had the finding.
	FirstSeen evidence.Date `json:"first_seen"`
	// Review is the latest review decision on the finding; nil when none.
	Review *Review `json:"review,omitempty"`
}

// FindingFilter narrows Findings; each empty field matches anything.
type FindingFilter struct {
	// Unit is a unit id.
	Unit string
	// Kind is a finding kind (column.stale, ...).
	Kind string
	// Severity is veto, deduction or notice.
	Severity string
	// Status is FindingNew, FindingPersisting or FindingResolved; resolved
	// selects the findings ResolvedFindings returns.
	Status string
	// Dismissed is "exclude" (findings dismissed on review are left out),
	// "only" (only those), or "" (all).
	Dismissed string
}

func (f FindingFilter) match(s *StoredFinding) bool {
	dismissed := s.Review != nil && s.Review.Decision == DecisionDismissed
	return (f.Unit == "" || f.Unit == s.Unit) &&
		(f.Kind == "" || f.Kind == string(s.Kind)) &&
		(f.Severity == "" || f.Severity == s.Severity) &&
		(f.Status == "" || f.Status == s.Status) &&
		(f.Dismissed == "" || f.Dismissed == "exclude" && !dismissed || f.Dismissed == "only" && dismissed)
}

// SaveScoring stores a judgement of the audit's evidence in one
// transaction: the scoring, its unit scores and its findings, and returns
// the scoring's id, which becomes the audit's current scoring. Each
// finding's status and first-seen date are set against the current scoring
// of the previous complete audit (the highest complete audit id below
// auditID): a finding with the same fingerprint there is persisting and
// keeps its first-seen date; any other is new, first seen at res.AsOf.
func (db *DB) SaveScoring(ctx context.Context, auditID int64, res *scoring.Result, createdAt time.Time) (int64, error) {
	if res == nil {
		return 0, errors.New("save scoring: nil result")
	}
	var id int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `
			INSERT INTO scorings (audit_id, created_at, as_of, ruleset_name, ruleset_version,
				ruleset_hash, window_from, window_to)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			auditID, formatTime(createdAt), res.AsOf.String(), res.RulesetName, res.RulesetVersion,
			res.RulesetHash, res.WindowFrom.String(), res.WindowTo.String())
		if err != nil {
			return fmt.Errorf("insert scoring: %w", err)
		}
		if id, err = r.LastInsertId(); err != nil {
			return fmt.Errorf("insert scoring: %w", err)
		}
		if err := insertScores(ctx, tx, id, res.Units); err != nil {
			return fmt.Errorf("insert scores: %w", err)
		}
		firstSeen, err := previousFirstSeen(ctx, tx, auditID)
		if err != nil {
			return err
		}
		if err := insertFindings(ctx, tx, id, res.AsOf, res.Findings, firstSeen); err != nil {
			return fmt.Errorf("insert findings: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("save scoring of audit %d: %w", auditID, err)
	}
	return id, nil
}

func insertScores(ctx context.Context, tx *sql.Tx, scoringID int64, units []scoring.UnitScore) error {
	stmt, err := tx.PrepareContext(ctx, `
		INSERT INTO scores (scoring_id, unit_id, unit_name, unit_type, total, deducted, veto,
			veto_reasons, grade, rank, dimensions, findings_by_severity)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for i := range units {
		u := &units[i]
		reasons, err := json.Marshal(u.VetoReasons)
		if err != nil {
			return fmt.Errorf("unit %q: %w", u.Unit, err)
		}
		dims, err := json.Marshal(u.Dimensions)
		if err != nil {
			return fmt.Errorf("unit %q: %w", u.Unit, err)
		}
		counts, err := json.Marshal(u.Findings)
		if err != nil {
			return fmt.Errorf("unit %q: %w", u.Unit, err)
		}
		if _, err := stmt.ExecContext(ctx, scoringID, u.Unit, u.UnitName, u.UnitType, u.Total,
			u.Deducted, boolInt(u.Veto), string(reasons), u.Grade, u.Rank, string(dims),
			string(counts)); err != nil {
			return fmt.Errorf("unit %q: %w", u.Unit, err)
		}
	}
	return nil
}

// previousFirstSeen maps each fingerprint of the previous complete audit's
// current scoring to its first-seen date; nil when there is none.
func previousFirstSeen(ctx context.Context, q querier, auditID int64) (map[string]string, error) {
	prev, ok, err := previousScoring(ctx, q, auditID)
	if err != nil || !ok {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT fingerprint, min(first_seen) FROM findings
		WHERE scoring_id = ? GROUP BY fingerprint`, prev)
	if err != nil {
		return nil, fmt.Errorf("read previous findings: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var fp, first string
		if err := rows.Scan(&fp, &first); err != nil {
			return nil, fmt.Errorf("read previous findings: %w", err)
		}
		out[fp] = first
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read previous findings: %w", err)
	}
	return out, nil
}

func insertFindings(ctx context.Context, tx *sql.Tx, scoringID int64, asOf evidence.Date, findings []scoring.Finding, prevFirstSeen map[string]string) error {
	stmt, err := tx.PrepareContext(ctx, `
		INSERT INTO findings (scoring_id, unit_id, unit_name, kind, rule, column_id, subject,
			severity, points, nominal, url, detail, basis, dimension, indicator, evidence,
			fingerprint, first_seen, status, part)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for i := range findings {
		f := &findings[i]
		refs, err := json.Marshal(f.Evidence)
		if err != nil {
			return fmt.Errorf("finding %s: %w", f.Key(), err)
		}
		fp := f.Key()
		status, first := FindingNew, asOf.String()
		if prev, ok := prevFirstSeen[fp]; ok {
			status, first = FindingPersisting, prev
		}
		if _, err := stmt.ExecContext(ctx, scoringID, f.Unit, f.UnitName, f.Kind, f.Rule, f.Column,
			f.Subject, f.Severity, f.Points, f.Nominal, f.URL, f.Detail, f.Basis, f.Dimension,
			f.Indicator, string(refs), fp, first, status, f.Part); err != nil {
			return fmt.Errorf("finding %s: %w", fp, err)
		}
	}
	return nil
}

const scoringColumns = `id, audit_id, created_at, as_of, window_from, window_to,
	ruleset_name, ruleset_version, ruleset_hash`

func scanScoring(sc interface{ Scan(...any) error }) (*Scoring, error) {
	var (
		s                       Scoring
		created, asOf, from, to string
		err                     error
	)
	if err := sc.Scan(&s.ID, &s.AuditID, &created, &asOf, &from, &to, &s.RulesetName,
		&s.RulesetVersion, &s.RulesetHash); err != nil {
		return nil, err
	}
	if s.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if s.AsOf, err = parseDate(asOf); err != nil {
		return nil, err
	}
	if s.WindowFrom, err = parseDate(from); err != nil {
		return nil, err
	}
	if s.WindowTo, err = parseDate(to); err != nil {
		return nil, err
	}
	return &s, nil
}

// CurrentScoring returns the audit's newest scoring, or an error wrapping
// ErrNotFound when the audit has not been scored.
func (db *DB) CurrentScoring(ctx context.Context, auditID int64) (*Scoring, error) {
	s, err := scanScoring(db.db.QueryRowContext(ctx, `SELECT `+scoringColumns+` FROM scorings
		WHERE audit_id = ? ORDER BY id DESC LIMIT 1`, auditID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("scoring of audit %d: %w", auditID, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read scoring of audit %d: %w", auditID, err)
	}
	return s, nil
}

// Scoring returns the scoring with id, or an error wrapping ErrNotFound.
func (db *DB) Scoring(ctx context.Context, id int64) (*Scoring, error) {
	s, err := scanScoring(db.db.QueryRowContext(ctx, `SELECT `+scoringColumns+` FROM scorings WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("scoring %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read scoring %d: %w", id, err)
	}
	return s, nil
}

// Scores returns the unit scores of a scoring in rank order (ties by unit id).
func (db *DB) Scores(ctx context.Context, scoringID int64) ([]scoring.UnitScore, error) {
	out, err := scores(ctx, db.db, scoringID)
	if err != nil {
		return nil, fmt.Errorf("read scores of scoring %d: %w", scoringID, err)
	}
	return out, nil
}

func scores(ctx context.Context, q querier, scoringID int64) ([]scoring.UnitScore, error) {
	rows, err := q.QueryContext(ctx, `
		SELECT unit_id, unit_name, unit_type, total, deducted, veto, veto_reasons, grade, rank,
			dimensions, findings_by_severity
		FROM scores WHERE scoring_id = ? ORDER BY rank, unit_id`, scoringID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []scoring.UnitScore
	for rows.Next() {
		var (
			u                     scoring.UnitScore
			veto                  int
			reasons, dims, counts string
		)
		if err := rows.Scan(&u.Unit, &u.UnitName, &u.UnitType, &u.Total, &u.Deducted, &veto,
			&reasons, &u.Grade, &u.Rank, &dims, &counts); err != nil {
			return nil, err
		}
		u.Veto = veto != 0
		if err := json.Unmarshal([]byte(reasons), &u.VetoReasons); err != nil {
			return nil, fmt.Errorf("unit %q: veto reasons: %w", u.Unit, err)
		}
		if err := json.Unmarshal([]byte(dims), &u.Dimensions); err != nil {
			return nil, fmt.Errorf("unit %q: dimensions: %w", u.Unit, err)
		}
		if err := json.Unmarshal([]byte(counts), &u.Findings); err != nil {
			return nil, fmt.Errorf("unit %q: findings by severity: %w", u.Unit, err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// PreviousScores returns the scores of the current scoring of the complete
// audit before auditID, by unit id: the base for score and rank changes.
// It returns a nil map, and no error, when there is no previous complete
// audit or it was never scored.
func (db *DB) PreviousScores(ctx context.Context, auditID int64) (map[string]scoring.UnitScore, error) {
	prev, ok, err := previousScoring(ctx, db.db, auditID)
	if err != nil {
		return nil, fmt.Errorf("previous scores of audit %d: %w", auditID, err)
	}
	if !ok {
		return nil, nil
	}
	list, err := scores(ctx, db.db, prev)
	if err != nil {
		return nil, fmt.Errorf("previous scores of audit %d: %w", auditID, err)
	}
	out := make(map[string]scoring.UnitScore, len(list))
	for _, u := range list {
		out[u.Unit] = u
	}
	return out, nil
}

const findingColumns = `f.id, f.scoring_id, s.audit_id, f.unit_id, f.unit_name, f.kind, f.rule,
	f.column_id, f.subject, f.part, f.severity, f.points, f.nominal, f.url, f.detail, f.basis,
	f.dimension, f.indicator, f.evidence, f.first_seen, f.status,
	r.id, r.decision, r.reason, r.reviewer, r.decided_at, r.evidence_key, r.carried_from`

// findingFrom joins each finding with its latest review decision.
const findingFrom = `findings f JOIN scorings s ON s.id = f.scoring_id
	LEFT JOIN reviews r ON r.id = (SELECT max(id) FROM reviews WHERE finding_id = f.id)`

func scanFindings(rows *sql.Rows) ([]StoredFinding, error) {
	defer rows.Close()
	var out []StoredFinding
	for rows.Next() {
		var (
			f           StoredFinding
			refs, first string
			rid, carry  sql.NullInt64
			decision    sql.NullString
			reason, by  sql.NullString
			at, ekey    sql.NullString
		)
		if err := rows.Scan(&f.ID, &f.ScoringID, &f.AuditID, &f.Unit, &f.UnitName, &f.Kind, &f.Rule,
			&f.Column, &f.Subject, &f.Part, &f.Severity, &f.Points, &f.Nominal, &f.URL, &f.Detail, &f.Basis,
			&f.Dimension, &f.Indicator, &refs, &first, &f.Status,
			&rid, &decision, &reason, &by, &at, &ekey, &carry); err != nil {
			return nil, err
		}
		if rid.Valid {
			decided, err := parseTime(at.String)
			if err != nil {
				return nil, fmt.Errorf("finding %d: review time: %w", f.ID, err)
			}
			f.Review = &Review{ID: rid.Int64, FindingID: f.ID, Decision: decision.String, Reason: reason.String,
				Reviewer: by.String, DecidedAt: decided, EvidenceKey: ekey.String, CarriedFrom: carry.Int64}
		}
		if err := json.Unmarshal([]byte(refs), &f.Evidence); err != nil {
			return nil, fmt.Errorf("finding %d: evidence: %w", f.ID, err)
		}
		var err error
		if f.FirstSeen, err = parseDate(first); err != nil {
			return nil, fmt.Errorf("finding %d: first seen: %w", f.ID, err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// Findings returns the findings of a scoring that pass the filter, in the
// order the scoring listed them (unit, column, kind, subject). A filter on
// FindingResolved returns the matching ResolvedFindings instead.
func (db *DB) Findings(ctx context.Context, scoringID int64, filter FindingFilter) ([]StoredFinding, error) {
	if filter.Status == FindingResolved {
		all, err := db.ResolvedFindings(ctx, scoringID)
		if err != nil {
			return nil, err
		}
		var out []StoredFinding
		for i := range all {
			if filter.match(&all[i]) {
				out = append(out, all[i])
			}
		}
		return out, nil
	}
	rows, err := db.db.QueryContext(ctx, `SELECT `+findingColumns+`
		FROM `+findingFrom+`
		WHERE f.scoring_id = ?1
			AND (?2 = '' OR f.unit_id = ?2)
			AND (?3 = '' OR f.kind = ?3)
			AND (?4 = '' OR f.severity = ?4)
			AND (?5 = '' OR f.status = ?5)
			AND (?6 = '' OR ?6 = 'exclude' AND coalesce(r.decision, '') != 'dismissed'
				OR ?6 = 'only' AND r.decision = 'dismissed')
		ORDER BY f.id`, scoringID, filter.Unit, filter.Kind, filter.Severity, filter.Status, filter.Dismissed)
	if err != nil {
		return nil, fmt.Errorf("list findings of scoring %d: %w", scoringID, err)
	}
	out, err := scanFindings(rows)
	if err != nil {
		return nil, fmt.Errorf("list findings of scoring %d: %w", scoringID, err)
	}
	return out, nil
}

// ResolvedFindings returns the findings of the previous complete audit's
// current scoring (previous to the audit of scoringID) whose fingerprint
// scoringID does not hold: the problems fixed since. They keep their ids
// and first-seen dates, with Status set to FindingResolved. The list is
// empty when there is no previous complete audit.
func (db *DB) ResolvedFindings(ctx context.Context, scoringID int64) ([]StoredFinding, error) {
	s, err := db.Scoring(ctx, scoringID)
	if err != nil {
		return nil, fmt.Errorf("resolved findings: %w", err)
	}
	prev, ok, err := previousScoring(ctx, db.db, s.AuditID)
	if err != nil {
		return nil, fmt.Errorf("resolved findings of scoring %d: %w", scoringID, err)
	}
	if !ok {
		return nil, nil
	}
	rows, err := db.db.QueryContext(ctx, `SELECT `+findingColumns+`
		FROM `+findingFrom+`
		WHERE f.scoring_id = ?1 AND NOT EXISTS (
			SELECT 1 FROM findings g WHERE g.scoring_id = ?2 AND g.fingerprint = f.fingerprint)
		ORDER BY f.id`, prev, scoringID)
	if err != nil {
		return nil, fmt.Errorf("resolved findings of scoring %d: %w", scoringID, err)
	}
	out, err := scanFindings(rows)
	if err != nil {
		return nil, fmt.Errorf("resolved findings of scoring %d: %w", scoringID, err)
	}
	for i := range out {
		out[i].Status = FindingResolved
	}
	return out, nil
}

// Finding returns the finding with id, or an error wrapping ErrNotFound.
func (db *DB) Finding(ctx context.Context, id int64) (*StoredFinding, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT `+findingColumns+`
		FROM `+findingFrom+` WHERE f.id = ?`, id)
	if err != nil {
		return nil, fmt.Errorf("read finding %d: %w", id, err)
	}
	out, err := scanFindings(rows)
	if err != nil {
		return nil, fmt.Errorf("read finding %d: %w", id, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("finding %d: %w", id, ErrNotFound)
	}
	return &out[0], nil
}
