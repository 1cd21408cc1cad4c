package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"gongkai/evidence"
)

// The statuses of an audit.
const (
	// AuditRunning is an audit being crawled or scored.
	AuditRunning = "running"
	// AuditComplete is an audit that crawled every unit and was scored; only
	// complete audits serve as the previous audit for statuses and changes.
	AuditComplete = "complete"
	// AuditIncomplete is an audit that stopped early (cancelled, failed, or
	// left running by a killed process).
	AuditIncomplete = "incomplete"
)

// AuditMeta describes an audit as it begins.
type AuditMeta struct {
	// StartedAt is when the audit began.
	StartedAt time.Time
	// AsOf is the evaluation date the audit is judged at.
	AsOf evidence.Date
	// RulesetName, RulesetVersion and RulesetHash name the ruleset the
	// audit was started with (a later re-scoring may use another).
	RulesetName    string
	RulesetVersion string
	RulesetHash    string
	// UnitsFile is the path of the units file; empty when not from a file.
	UnitsFile string
	// Note is free text kept with the audit ("annual evaluation 2019");
	// empty for none.
	Note string
}

// Audit is a stored audit.
type Audit struct {
	// ID is the audit's id, never reused.
	ID int64
	// StartedAt is when the audit began; FinishedAt when it ended, zero
	// while it runs (or when a killed run was marked incomplete).
	StartedAt  time.Time
	FinishedAt time.Time
	// AsOf is the evaluation date.
	AsOf evidence.Date
	// Status is AuditRunning, AuditComplete or AuditIncomplete.
	Status string
	// RulesetName, RulesetVersion and RulesetHash name the ruleset the
	// audit was started with.
	RulesetName    string
	RulesetVersion string
	RulesetHash    string
	// UnitsFile is the units file's path; empty when not from a file.
	UnitsFile string
	// Note is the audit's free text; empty for none.
	Note string
	// Units is the number of units on the audit's roster.
	Units int
	// EvidencePrunedAt is when `gongkai db prune` last removed evidence of
	// the audit (PruneUnit); zero when all its evidence is kept.
	EvidencePrunedAt time.Time
	// EvidencePrunedUnits is the number of its units whose evidence was
	// pruned; their findings and scores are kept.
	EvidencePrunedUnits int
}

// Pruned says whether some of the audit's evidence was pruned: it cannot
// be re-scored, and the requests and pages behind some of its findings are
// gone (ErrPruned).
func (a *Audit) Pruned() bool { return a.EvidencePrunedUnits > 0 }

// BeginAudit records a new running audit and its roster, and returns the
// audit's id. Unit ids must be unique.
func (db *DB) BeginAudit(ctx context.Context, meta AuditMeta, units []evidence.Unit) (int64, error) {
	var id int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `
			INSERT INTO audits (started_at, as_of, status, ruleset_name, ruleset_version,
				ruleset_hash, units_file, note)
			VALUES (?, ?, 'running', ?, ?, ?, ?, ?)`,
			formatTime(meta.StartedAt), meta.AsOf.String(), meta.RulesetName,
			meta.RulesetVersion, meta.RulesetHash, meta.UnitsFile, meta.Note)
		if err != nil {
			return fmt.Errorf("insert audit: %w", err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("insert audit: %w", err)
		}
		stmt, err := tx.PrepareContext(ctx, `
			INSERT INTO units (audit_id, unit_id, pos, name, name_en, type, url, contact)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return fmt.Errorf("insert units: %w", err)
		}
		defer stmt.Close()
		for i, u := range units {
			if _, err := stmt.ExecContext(ctx, id, u.ID, i, u.Name, u.NameEN, u.Type, u.URL, u.Contact); err != nil {
				return fmt.Errorf("insert unit %q: %w", u.ID, err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("begin audit: %w", err)
	}
	return id, nil
}

// FinishAudit sets the audit's final status (AuditComplete or
// AuditIncomplete) and the time it finished.
func (db *DB) FinishAudit(ctx context.Context, auditID int64, status string, finishedAt time.Time) error {
	if status != AuditComplete && status != AuditIncomplete {
		return fmt.Errorf("finish audit %d: status %q: want %q or %q", auditID, status, AuditComplete, AuditIncomplete)
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE audits SET status = ?, finished_at = ? WHERE id = ?`,
			status, formatTime(finishedAt), auditID)
		if err != nil {
			return fmt.Errorf("finish audit %d: %w", auditID, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("finish audit %d: %w", auditID, err)
		} else if n == 0 {
			return fmt.Errorf("finish audit %d: %w", auditID, ErrNotFound)
		}
		return nil
	})
}

// MarkRunningIncomplete marks every audit still 'running' as 'incomplete'
// and returns how many it marked. A process that was killed mid-audit
// leaves its audit running; call this when starting the only process that
// audits with the database, never while another may be auditing.
func (db *DB) MarkRunningIncomplete(ctx context.Context) (int, error) {
	var n int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE audits SET status = 'incomplete' WHERE status = 'running'`)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("mark running audits incomplete: %w", err)
	}
	return int(n), nil
}

const auditColumns = `a.id, a.started_at, a.finished_at, a.as_of, a.status, a.ruleset_name,
	a.ruleset_version, a.ruleset_hash, a.units_file, a.note,
	(SELECT count(*) FROM units u WHERE u.audit_id = a.id),
	a.evidence_pruned_at, a.evidence_pruned_units`

func scanAudit(sc interface{ Scan(...any) error }) (*Audit, error) {
	var (
		a             Audit
		started, asOf string
		finished      sql.NullString
		pruned        sql.NullString
		err           error
	)
	if err := sc.Scan(&a.ID, &started, &finished, &asOf, &a.Status, &a.RulesetName,
		&a.RulesetVersion, &a.RulesetHash, &a.UnitsFile, &a.Note, &a.Units,
		&pruned, &a.EvidencePrunedUnits); err != nil {
		return nil, err
	}
	if a.EvidencePrunedAt, err = nullTime(pruned); err != nil {
		return nil, err
	}
	if a.StartedAt, err = parseTime(started); err != nil {
		return nil, err
	}
	if a.FinishedAt, err = nullTime(finished); err != nil {
		return nil, err
	}
	if a.AsOf, err = parseDate(asOf); err != nil {
		return nil, err
	}
	return &a, nil
}

// Audit returns the audit with id, or an error wrapping ErrNotFound.
func (db *DB) Audit(ctx context.Context, id int64) (*Audit, error) {
	a, err := scanAudit(db.db.QueryRowContext(ctx, `SELECT `+auditColumns+` FROM audits a WHERE a.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("audit %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read audit %d: %w", id, err)
	}
	return a, nil
}

// LatestAudit returns the newest audit, or the newest complete one when
// completeOnly; an error wrapping ErrNotFound when there is none.
func (db *DB) LatestAudit(ctx context.Context, completeOnly bool) (*Audit, error) {
	q := `SELECT ` + auditColumns + ` FROM audits a ORDER BY a.id DESC LIMIT 1`
	if completeOnly {
		q = `SELECT ` + auditColumns + ` FROM audits a WHERE a.status = 'complete' ORDER BY a.id DESC LIMIT 1`
	}
	a, err := scanAudit(db.db.QueryRowContext(ctx, q))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("latest audit: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read latest audit: %w", err)
	}
	return a, nil
}

// PreviousAudit returns the complete audit that precedes auditID (the one
// with the highest id below it), or an error wrapping ErrNotFound. It is the
// audit that statuses, first-seen dates and changes are measured against.
func (db *DB) PreviousAudit(ctx context.Context, auditID int64) (*Audit, error) {
	a, err := scanAudit(db.db.QueryRowContext(ctx, `SELECT `+auditColumns+` FROM audits a
		WHERE a.status = 'complete' AND a.id < ? ORDER BY a.id DESC LIMIT 1`, auditID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("audit before %d: %w", auditID, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read audit before %d: %w", auditID, err)
	}
	return a, nil
}

// Audits returns every audit, newest first.
func (db *DB) Audits(ctx context.Context) ([]Audit, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT `+auditColumns+` FROM audits a ORDER BY a.id DESC`)
	if err != nil {
		return nil, fmt.Errorf("list audits: %w", err)
	}
	defer rows.Close()
	var out []Audit
	for rows.Next() {
		a, err := scanAudit(rows)
		if err != nil {
			return nil, fmt.Errorf("list audits: %w", err)
		}
		out = append(out, *a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list audits: %w", err)
	}
	return out, nil
}

// Units returns the audit's roster in the units file's order.
func (db *DB) Units(ctx context.Context, auditID int64) ([]evidence.Unit, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT unit_id, name, name_en, type, url, contact
		FROM units WHERE audit_id = ? ORDER BY pos`, auditID)
	if err != nil {
		return nil, fmt.Errorf("list units of audit %d: %w", auditID, err)
	}
	defer rows.Close()
	var out []evidence.Unit
	for rows.Next() {
		var u evidence.Unit
		if err := rows.Scan(&u.ID, &u.Name, &u.NameEN, &u.Type, &u.URL, &u.Contact); err != nil {
			return nil, fmt.Errorf("list units of audit %d: %w", auditID, err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list units of audit %d: %w", auditID, err)
	}
	return out, nil
}

// previousScoring returns the current scoring of the complete audit before
// auditID; ok is false when there is no such audit or it has no scoring.
func previousScoring(ctx context.Context, q querier, auditID int64) (scoringID int64, ok bool, err error) {
	err = q.QueryRowContext(ctx, `
		SELECT s.id FROM scorings s
		WHERE s.audit_id = (SELECT a.id FROM audits a
			WHERE a.status = 'complete' AND a.id < ? ORDER BY a.id DESC LIMIT 1)
		ORDER BY s.id DESC LIMIT 1`, auditID).Scan(&scoringID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("find previous scoring: %w", err)
	}
	return scoringID, true, nil
}

// ErrNotResumable is returned by ReopenAudit for an audit that is not
// incomplete (complete, or still running in another process).
var ErrNotResumable = errors.New("audit not resumable")

// ReopenAudit marks an incomplete audit running again, to resume it. Only
// an incomplete audit can be reopened: a complete one is final, and a
// running one may belong to another process (MarkRunningIncomplete first
// when it was left by a killed one).
func (db *DB) ReopenAudit(ctx context.Context, auditID int64) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		var status string
		err := tx.QueryRowContext(ctx, `SELECT status FROM audits WHERE id = ?`, auditID).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("reopen audit %d: %w", auditID, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("reopen audit %d: %w", auditID, err)
		}
		if status != AuditIncomplete {
			return fmt.Errorf("reopen audit %d: it is %s: %w", auditID, status, ErrNotResumable)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE audits SET status = 'running', finished_at = NULL WHERE id = ?`, auditID); err != nil {
			return fmt.Errorf("reopen audit %d: %w", auditID, err)
		}
		return nil
	})
}

// StoredUnits returns the ids of the units of an audit whose evidence is
// stored (all of them for a complete audit; those crawled before the stop
// for an incomplete one).
func (db *DB) StoredUnits(ctx context.Context, auditID int64) (map[string]bool, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT unit_id FROM unit_evidence WHERE audit_id = ?`, auditID)
	if err != nil {
		return nil, fmt.Errorf("stored units of audit %d: %w", auditID, err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("stored units of audit %d: %w", auditID, err)
		}
		out[id] = true
	}
	return out, rows.Err()
}

// IntegrityCheck runs SQLite's PRAGMA integrity_check and returns nil when
// it answers ok, or an error listing what it found.
func (db *DB) IntegrityCheck(ctx context.Context) error {
	rows, err := db.db.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return fmt.Errorf("integrity check: %w", err)
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("integrity check: %s", strings.Join(problems, "; "))
	}
	return nil
}
