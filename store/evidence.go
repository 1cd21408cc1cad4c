package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"gongkai/evidence"
	"gongkai/internal/gz"
)

// StoredFetch is one recorded request with the audit and unit it was made for.
type StoredFetch struct {
	// ID is the row's id, unique within the database.
	ID int64 `json:"id"`
	// AuditID and Unit say which audit and unit the request was made for.
	AuditID int64  `json:"audit_id"`
	Unit    string `json:"unit"`
	// Fetch is the request as recorded. Its Meta, ETag and LastModified are
	// not kept in the fetch rows (they are in the unit's evidence); they are
	// always empty here.
	evidence.Fetch
}

// SaveUnitEvidence stores what was seen of one unit in one transaction: the
// evidence itself (compressed JSON, the record used to score again), one
// row per request (ue.Fetches, the link checks' fetches and the reach
// attempts, identical records stored once), and the kept bodies, keyed by
// the hex SHA-256 of their raw bytes and shared across audits, each with a
// reference from the unit (body_refs: what pruning counts before it deletes
// a body). Bodies come gzip-compressed (internal/gz, as the crawler keeps
// them) and are stored as they come; a body that is not gzip or whose bytes
// do not match its key is refused.
//
// Saving a unit again in the same audit replaces what was saved before. The
// unit must be on the audit's roster (BeginAudit).
func (db *DB) SaveUnitEvidence(ctx context.Context, auditID int64, ue *evidence.UnitEvidence, keepBodies map[string][]byte) error {
	if ue == nil {
		return errors.New("save unit evidence: nil evidence")
	}
	unit := ue.Unit.ID
	blob, err := encodeEvidence(ue)
	if err != nil {
		return fmt.Errorf("save evidence of unit %q: encode: %w", unit, err)
	}
	fetches := ue.AllFetches()
	failed := 0
	for _, f := range fetches {
		if f.Class.Failed() {
			failed++
		}
	}
	// Check the bodies before taking the write lock.
	bodies, err := checkBodies(keepBodies)
	if err != nil {
		return fmt.Errorf("save evidence of unit %q: %w", unit, err)
	}

	err = db.write(ctx, func(tx *sql.Tx) error {
		exec := func(query string, args ...any) error {
			st, err := db.stmt(ctx, tx, query)
			if err != nil {
				return err
			}
			_, err = st.ExecContext(ctx, args...)
			return err
		}
		st, err := db.stmt(ctx, tx, `SELECT 1 FROM units WHERE audit_id = ? AND unit_id = ?`)
		if err != nil {
			return fmt.Errorf("find unit: %w", err)
		}
		var one int
		err = st.QueryRowContext(ctx, auditID, unit).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("unit %q of audit %d: %w", unit, auditID, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("find unit: %w", err)
		}
		if err := exec(`DELETE FROM fetches WHERE audit_id = ? AND unit_id = ?`, auditID, unit); err != nil {
			return fmt.Errorf("delete old fetches: %w", err)
		}
		if err := exec(`DELETE FROM unit_evidence WHERE audit_id = ? AND unit_id = ?`, auditID, unit); err != nil {
			return fmt.Errorf("delete old evidence: %w", err)
		}
		if err := exec(`
			INSERT INTO unit_evidence (audit_id, unit_id, started_at, finished_at, reachable, pages, errors, evidence)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			auditID, unit, formatTime(ue.Started), formatTime(ue.Finished), boolInt(ue.Reach.Reachable),
			len(fetches), failed, blob); err != nil {
			return fmt.Errorf("insert evidence: %w", err)
		}
		if err := db.insertFetches(ctx, tx, auditID, unit, fetches); err != nil {
			return fmt.Errorf("insert fetches: %w", err)
		}
		if err := db.insertBodies(ctx, tx, auditID, unit, bodies); err != nil {
			return fmt.Errorf("insert bodies: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("save evidence of unit %q: %w", unit, err)
	}
	return nil
}

func encodeEvidence(ue *evidence.UnitEvidence) ([]byte, error) {
	return gz.CompressFrom(func(w io.Writer) error { return json.NewEncoder(w).Encode(ue) })
}

// fetchBatches are the numbers of fetch rows one INSERT carries, largest
// first: one statement per batch instead of per row is several times
// faster, and a few fixed sizes keep the statements prepared once.
var fetchBatches = []int{64, 8, 1}

const fetchCols = 17

// fetchInsert returns the INSERT statement for n fetch rows.
func fetchInsert(n int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", fetchCols), ",") + ")"
	return `INSERT INTO fetches (audit_id, unit_id, url, final_url, method, role, status, class, error,
		fetched_at, duration_ms, attempts, content_type, charset, size, truncated, sha256) VALUES ` +
		strings.TrimSuffix(strings.Repeat(row+",", n), ",")
}

func (db *DB) insertFetches(ctx context.Context, tx *sql.Tx, auditID int64, unit string, fetches []*evidence.Fetch) error {
	args := make([]any, 0, fetchBatches[0]*fetchCols)
	for _, size := range fetchBatches {
		if len(fetches) < size {
			continue
		}
		st, err := db.stmt(ctx, tx, fetchInsert(size))
		if err != nil {
			return err
		}
		for ; len(fetches) >= size; fetches = fetches[size:] {
			args = args[:0]
			for _, f := range fetches[:size] {
				args = append(args, auditID, unit, f.URL, f.FinalURL, f.Method, string(f.Role),
					f.Status, string(f.Class), f.Error, formatTime(f.FetchedAt), f.DurationMS, f.Attempts,
					f.ContentType, f.Charset, f.Size, boolInt(f.Truncated), f.SHA256)
			}
			if _, err := st.ExecContext(ctx, args...); err != nil {
				return fmt.Errorf("fetches of %s: %w", unit, err)
			}
		}
	}
	return nil
}

// body is a body ready to insert.
type body struct {
	sha  string
	size int
	gz   []byte
}

// checkBodies checks each body against its key.
func checkBodies(keep map[string][]byte) ([]body, error) {
	if len(keep) == 0 {
		return nil, nil
	}
	out := make([]body, 0, len(keep))
	for sha, packed := range keep {
		raw, err := gz.Decompress(packed)
		if err != nil {
			return nil, fmt.Errorf("body %q: not gzip-compressed: %w", sha, err)
		}
		sum := sha256.Sum256(raw)
		if got := hex.EncodeToString(sum[:]); got != sha {
			return nil, fmt.Errorf("body %q: content hashes to %s", sha, got)
		}
		out = append(out, body{sha: sha, size: len(raw), gz: packed})
	}
	return out, nil
}

// insertBodies stores the bodies the database lacks and references each
// from the unit. Every body is inserted (or ignored, when present) in the
// unit's own transaction, never skipped on a look-up made before it: a
// prune may have deleted the body since, and the reference must not point
// at nothing.
func (db *DB) insertBodies(ctx context.Context, tx *sql.Tx, auditID int64, unit string, bodies []body) error {
	if len(bodies) == 0 {
		return nil
	}
	ins, err := db.stmt(ctx, tx, `INSERT OR IGNORE INTO bodies (sha256, size, body) VALUES (?, ?, ?)`)
	if err != nil {
		return err
	}
	ref, err := db.stmt(ctx, tx, `INSERT OR IGNORE INTO body_refs (audit_id, unit_id, sha256) VALUES (?, ?, ?)`)
	if err != nil {
		return err
	}
	for _, b := range bodies {
		if _, err := ins.ExecContext(ctx, b.sha, b.size, b.gz); err != nil {
			return fmt.Errorf("%s: %w", b.sha, err)
		}
		if _, err := ref.ExecContext(ctx, auditID, unit, b.sha); err != nil {
			return fmt.Errorf("reference %s: %w", b.sha, err)
		}
	}
	return nil
}

// UnitEvidence returns the evidence saved for a unit in an audit, as it was
// saved (Bodies is nil: read kept bodies with Body), an error wrapping
// ErrNotFound when none was saved, or a *PrunedError (ErrPruned) when it
// was pruned.
func (db *DB) UnitEvidence(ctx context.Context, auditID int64, unitID string) (*evidence.UnitEvidence, error) {
	var (
		blob   []byte
		pruned sql.NullString
	)
	err := db.db.QueryRowContext(ctx, `SELECT ue.evidence, a.evidence_pruned_at
		FROM unit_evidence ue JOIN audits a ON a.id = ue.audit_id
		WHERE ue.audit_id = ? AND ue.unit_id = ?`, auditID, unitID).Scan(&blob, &pruned)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("evidence of unit %q in audit %d: %w", unitID, auditID, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read evidence of unit %q in audit %d: %w", unitID, auditID, err)
	}
	if len(blob) == 0 {
		at, _ := nullTime(pruned)
		return nil, &PrunedError{AuditID: auditID, Unit: unitID, At: at}
	}
	raw, err := gz.Decompress(blob)
	if err != nil {
		return nil, fmt.Errorf("decompress evidence of unit %q in audit %d: %w", unitID, auditID, err)
	}
	var ue evidence.UnitEvidence
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&ue); err != nil {
		return nil, fmt.Errorf("decode evidence of unit %q in audit %d: %w", unitID, auditID, err)
	}
	return &ue, nil
}

// Fetches returns the requests recorded in an audit, in the order saved.
// unitID narrows them to one unit and url to requests whose URL or final
// URL is url; empty means any.
func (db *DB) Fetches(ctx context.Context, auditID int64, unitID, url string) ([]StoredFetch, error) {
	rows, err := db.db.QueryContext(ctx, `
		SELECT id, audit_id, unit_id, url, final_url, method, role, status, class, error,
			fetched_at, duration_ms, attempts, content_type, charset, size, truncated, sha256
		FROM fetches
		WHERE audit_id = ?1 AND (?2 = '' OR unit_id = ?2) AND (?3 = '' OR url = ?3 OR final_url = ?3)
		ORDER BY id`, auditID, unitID, url)
	if err != nil {
		return nil, fmt.Errorf("list fetches: %w", err)
	}
	defer rows.Close()
	var out []StoredFetch
	for rows.Next() {
		var (
			f         StoredFetch
			role      string
			class     string
			fetchedAt string
			truncated int
		)
		if err := rows.Scan(&f.ID, &f.AuditID, &f.Unit, &f.URL, &f.FinalURL, &f.Method, &role,
			&f.Status, &class, &f.Error, &fetchedAt, &f.DurationMS, &f.Attempts, &f.ContentType,
			&f.Charset, &f.Size, &truncated, &f.SHA256); err != nil {
			return nil, fmt.Errorf("list fetches: %w", err)
		}
		f.Role, f.Class, f.Truncated = evidence.Role(role), evidence.FetchClass(class), truncated != 0
		if f.FetchedAt, err = parseTime(fetchedAt); err != nil {
			return nil, fmt.Errorf("list fetches: %w", err)
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list fetches: %w", err)
	}
	return out, nil
}

// Body returns the raw bytes of the kept body with the given hex SHA-256,
// or an error wrapping ErrNotFound when it was not kept.
func (db *DB) Body(ctx context.Context, sha string) ([]byte, error) {
	var packed []byte
	err := db.db.QueryRowContext(ctx, `SELECT body FROM bodies WHERE sha256 = ?`, sha).Scan(&packed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("body %s: %w", sha, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read body %s: %w", sha, err)
	}
	raw, err := gz.Decompress(packed)
	if err != nil {
		return nil, fmt.Errorf("decompress body %s: %w", sha, err)
	}
	return raw, nil
}
