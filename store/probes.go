package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"gongkai/evidence"
)

// SaveProbe keeps one reachability probe of a unit's URL (made by `serve`
// between audits), to count in the observation window of later audits.
func (db *DB) SaveProbe(ctx context.Context, unitID string, f evidence.Fetch) error {
	data, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("save probe of %s: %w", unitID, err)
	}
	ok := 0
	if f.Class == evidence.ClassOK {
		ok = 1
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO probes (unit_id, url, at, ok, fetch) VALUES (?, ?, ?, ?, ?)`,
			unitID, f.URL, formatTime(f.FetchedAt), ok, string(data))
		if err != nil {
			return fmt.Errorf("save probe of %s: %w", unitID, err)
		}
		return nil
	})
}

// Probes returns the probes of a unit's URL made in [from, to), oldest
// first. Probes of another URL (the unit moved) do not count.
func (db *DB) Probes(ctx context.Context, unitID, url string, from, to time.Time) ([]evidence.Fetch, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT fetch FROM probes WHERE unit_id = ? AND url = ? AND at >= ? AND at < ? ORDER BY at, id`,
		unitID, url, formatTime(from), formatTime(to))
	if err != nil {
		return nil, fmt.Errorf("probes of %s: %w", unitID, err)
	}
	defer rows.Close()
	var out []evidence.Fetch
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, fmt.Errorf("probes of %s: %w", unitID, err)
		}
		var f evidence.Fetch
		if err := json.Unmarshal([]byte(data), &f); err != nil {
			return nil, fmt.Errorf("probes of %s: %w", unitID, err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// PruneProbes deletes the probes made before t and returns how many.
func (db *DB) PruneProbes(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM probes WHERE at < ?`, formatTime(before))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("prune probes: %w", err)
	}
	return n, nil
}
