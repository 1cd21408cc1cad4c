package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"gongkai/evidence"
)

// UnitStat is what the crawl of one unit in one audit came to.
type UnitStat struct {
	// Reachable says whether the unit's site answered.
	Reachable bool `json:"reachable"`
	// Fetches counts the requests made for the unit; Errors those that failed.
	Fetches int `json:"fetches"`
	Errors  int `json:"errors"`
}

// UnitStats returns, by unit id, the crawl figures of every unit whose
// evidence the audit stored.
func (db *DB) UnitStats(ctx context.Context, auditID int64) (map[string]UnitStat, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT unit_id, reachable, pages, errors FROM unit_evidence WHERE audit_id = ?`, auditID)
	if err != nil {
		return nil, fmt.Errorf("unit stats of audit %d: %w", auditID, err)
	}
	defer rows.Close()
	out := map[string]UnitStat{}
	for rows.Next() {
		var (
			id        string
			reachable int
			st        UnitStat
		)
		if err := rows.Scan(&id, &reachable, &st.Fetches, &st.Errors); err != nil {
			return nil, fmt.Errorf("unit stats of audit %d: %w", auditID, err)
		}
		st.Reachable = reachable != 0
		out[id] = st
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("unit stats of audit %d: %w", auditID, err)
	}
	return out, nil
}

// HistoryPoint is a unit's standing in one complete audit, as its current
// scoring judged it.
type HistoryPoint struct {
	AuditID    int64         `json:"audit"`
	AsOf       evidence.Date `json:"as_of"`
	FinishedAt time.Time     `json:"finished_at"`
	Score      float64       `json:"score"`
	Grade      string        `json:"grade"`
	Rank       int           `json:"rank"`
	Veto       bool          `json:"veto"`
	// Units is the number of units ranked in that audit.
	Units int `json:"units"`
}

// UnitHistory returns the unit's standing in every complete audit that
// scored it, oldest first.
func (db *DB) UnitHistory(ctx context.Context, unitID string) ([]HistoryPoint, error) {
	rows, err := db.db.QueryContext(ctx, `
		WITH current AS (
			SELECT s.audit_id, max(s.id) AS scoring_id FROM scorings s
			JOIN audits a ON a.id = s.audit_id AND a.status = 'complete'
			GROUP BY s.audit_id
		)
		SELECT c.audit_id, sc.as_of, a.finished_at, x.total, x.grade, x.rank, x.veto,
			(SELECT count(*) FROM scores y WHERE y.scoring_id = c.scoring_id)
		FROM current c
		JOIN audits a ON a.id = c.audit_id
		JOIN scorings sc ON sc.id = c.scoring_id
		JOIN scores x ON x.scoring_id = c.scoring_id AND x.unit_id = ?
		ORDER BY c.audit_id`, unitID)
	if err != nil {
		return nil, fmt.Errorf("history of unit %q: %w", unitID, err)
	}
	defer rows.Close()
	var out []HistoryPoint
	for rows.Next() {
		var (
			p        HistoryPoint
			asOf     string
			finished sql.NullString
			veto     int
		)
		if err := rows.Scan(&p.AuditID, &asOf, &finished, &p.Score, &p.Grade, &p.Rank, &veto, &p.Units); err != nil {
			return nil, fmt.Errorf("history of unit %q: %w", unitID, err)
		}
		if p.AsOf, err = parseDate(asOf); err != nil {
			return nil, fmt.Errorf("history of unit %q: %w", unitID, err)
		}
		if p.FinishedAt, err = nullTime(finished); err != nil {
			return nil, fmt.Errorf("history of unit %q: %w", unitID, err)
		}
		p.Veto = veto != 0
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("history of unit %q: %w", unitID, err)
	}
	return out, nil
}
