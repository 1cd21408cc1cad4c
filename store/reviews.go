package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"gongkai/internal/gz"
	"gongkai/scoring"
)

// The review decisions.
const (
	// DecisionDismissed: the finding does not stand; it leaves the score,
	// the problem list and the notices (its record stays).
	DecisionDismissed = "dismissed"
	// DecisionConfirmed: the finding stands after review.
	DecisionConfirmed = "confirmed"
)

// Review is a decision on a contested finding (复核).
type Review struct {
	ID        int64 `json:"id"`
	FindingID int64 `json:"finding_id"`
	// Fingerprint is the problem's key across audits.
	Fingerprint string `json:"fingerprint,omitempty"`
	// EvidenceKey summarises the evidence decided on (scoring.EvidenceKey).
	EvidenceKey string `json:"evidence_key,omitempty"`
	// Decision is DecisionDismissed or DecisionConfirmed.
	Decision  string    `json:"decision"`
	Reason    string    `json:"reason"`
	Reviewer  string    `json:"reviewer"`
	DecidedAt time.Time `json:"decided_at"`
	// CarriedFrom is the decision this one carries from an earlier audit;
	// 0 for a decision made by a person.
	CarriedFrom int64 `json:"carried_from,omitempty"`
}

// AddReview records a decision on a finding and returns its id. The
// fingerprint is taken from the finding.
func (db *DB) AddReview(ctx context.Context, r Review) (int64, error) {
	if r.Decision != DecisionDismissed && r.Decision != DecisionConfirmed {
		return 0, fmt.Errorf("add review: decision %q: want %s or %s", r.Decision, DecisionDismissed, DecisionConfirmed)
	}
	if strings.TrimSpace(r.Reason) == "" {
		return 0, errors.New("add review: a reason is required")
	}
	var id int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		var fp string
		if err := tx.QueryRowContext(ctx, `SELECT fingerprint FROM findings WHERE id = ?`, r.FindingID).Scan(&fp); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("finding %d: %w", r.FindingID, ErrNotFound)
			}
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO reviews (finding_id, fingerprint, evidence_key, decision,
			reason, reviewer, decided_at, carried_from) VALUES (?, ?, ?, ?, ?, ?, ?, NULLIF(?, 0))`,
			r.FindingID, fp, r.EvidenceKey, r.Decision, r.Reason, r.Reviewer, formatTime(r.DecidedAt), r.CarriedFrom)
		if err != nil {
			return err
		}
		id, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("add review: %w", err)
	}
	return id, nil
}

// Reviews returns the decisions on a finding, oldest first.
func (db *DB) Reviews(ctx context.Context, findingID int64) ([]Review, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT id, finding_id, fingerprint, evidence_key, decision, reason,
		reviewer, decided_at, coalesce(carried_from, 0) FROM reviews WHERE finding_id = ? ORDER BY id`, findingID)
	if err != nil {
		return nil, fmt.Errorf("reviews of finding %d: %w", findingID, err)
	}
	return scanReviews(rows)
}

func scanReviews(rows *sql.Rows) ([]Review, error) {
	defer rows.Close()
	var out []Review
	for rows.Next() {
		var (
			r  Review
			at string
		)
		if err := rows.Scan(&r.ID, &r.FindingID, &r.Fingerprint, &r.EvidenceKey, &r.Decision, &r.Reason,
			&r.Reviewer, &at, &r.CarriedFrom); err != nil {
			return nil, err
		}
		t, err := parseTime(at)
		if err != nil {
			return nil, err
		}
		r.DecidedAt = t
		out = append(out, r)
	}
	return out, rows.Err()
}

// LatestDecisions returns, for each of the fingerprints, the latest decision
// recorded on any finding with that fingerprint.
func (db *DB) LatestDecisions(ctx context.Context, fingerprints []string) (map[string]Review, error) {
	out := map[string]Review{}
	if len(fingerprints) == 0 {
		return out, nil
	}
	stmt, err := db.db.PrepareContext(ctx, `SELECT id, finding_id, fingerprint, evidence_key, decision, reason,
		reviewer, decided_at, coalesce(carried_from, 0) FROM reviews WHERE fingerprint = ? ORDER BY id DESC LIMIT 1`)
	if err != nil {
		return nil, fmt.Errorf("latest decisions: %w", err)
	}
	defer stmt.Close()
	for _, fp := range fingerprints {
		rows, err := stmt.QueryContext(ctx, fp)
		if err != nil {
			return nil, fmt.Errorf("latest decisions: %w", err)
		}
		rs, err := scanReviews(rows)
		if err != nil {
			return nil, fmt.Errorf("latest decisions: %w", err)
		}
		if len(rs) == 1 {
			out[fp] = rs[0]
		}
	}
	return out, nil
}

// CarryReviews records, for every finding of the scoring whose fingerprint
// is in carry, a decision carried from carry's (same decision, reason,
// reviewer and time; CarriedFrom set).
func (db *DB) CarryReviews(ctx context.Context, scoringID int64, carry map[string]Review) error {
	if len(carry) == 0 {
		return nil
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, fingerprint FROM findings WHERE scoring_id = ?`, scoringID)
		if err != nil {
			return fmt.Errorf("carry reviews: %w", err)
		}
		type pair struct {
			id int64
			fp string
		}
		var todo []pair
		for rows.Next() {
			var p pair
			if err := rows.Scan(&p.id, &p.fp); err != nil {
				rows.Close()
				return fmt.Errorf("carry reviews: %w", err)
			}
			if _, ok := carry[p.fp]; ok {
				todo = append(todo, p)
			}
		}
		rows.Close()
		for _, p := range todo {
			r := carry[p.fp]
			if _, err := tx.ExecContext(ctx, `INSERT INTO reviews (finding_id, fingerprint, evidence_key, decision,
				reason, reviewer, decided_at, carried_from) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
				p.id, p.fp, r.EvidenceKey, r.Decision, r.Reason, r.Reviewer, formatTime(r.DecidedAt), r.ID); err != nil {
				return fmt.Errorf("carry review to finding %d: %w", p.id, err)
			}
		}
		return nil
	})
}

// ReplaceScores replaces a scoring's unit scores (recomputed after review
// decisions) and sets the points its findings now take, by finding id.
func (db *DB) ReplaceScores(ctx context.Context, scoringID int64, units []scoring.UnitScore, points map[int64]float64) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM scores WHERE scoring_id = ?`, scoringID); err != nil {
			return fmt.Errorf("replace scores: %w", err)
		}
		if err := insertScores(ctx, tx, scoringID, units); err != nil {
			return fmt.Errorf("replace scores: %w", err)
		}
		stmt, err := tx.PrepareContext(ctx, `UPDATE findings SET points = ? WHERE id = ? AND scoring_id = ?`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for id, p := range points {
			if _, err := stmt.ExecContext(ctx, p, id, scoringID); err != nil {
				return fmt.Errorf("finding %d points: %w", id, err)
			}
		}
		return nil
	})
}

// RulesetFile is one file of a stored ruleset.
type RulesetFile struct {
	Name string `json:"name"`
	Data []byte `json:"data"`
}

// SaveRuleset keeps a ruleset's files under its hash (once).
func (db *DB) SaveRuleset(ctx context.Context, hash, name, version string, files []RulesetFile) error {
	b, err := json.Marshal(files)
	if err != nil {
		return fmt.Errorf("save ruleset: %w", err)
	}
	err = db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO rulesets (hash, name, version, files) VALUES (?, ?, ?, ?)`,
			hash, name, version, gz.Compress(b))
		return err
	})
	if err != nil {
		return fmt.Errorf("save ruleset %s: %w", hash, err)
	}
	return nil
}

// RulesetFiles returns the files of the ruleset with hash, or an error
// wrapping ErrNotFound.
func (db *DB) RulesetFiles(ctx context.Context, hash string) ([]RulesetFile, error) {
	var packed []byte
	err := db.db.QueryRowContext(ctx, `SELECT files FROM rulesets WHERE hash = ?`, hash).Scan(&packed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("ruleset %s: %w", hash, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read ruleset %s: %w", hash, err)
	}
	raw, err := gz.Decompress(packed)
	if err != nil {
		return nil, fmt.Errorf("read ruleset %s: %w", hash, err)
	}
	var files []RulesetFile
	if err := json.Unmarshal(raw, &files); err != nil {
		return nil, fmt.Errorf("read ruleset %s: %w", hash, err)
	}
	return files, nil
}
