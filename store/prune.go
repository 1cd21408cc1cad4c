package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"
)

// ErrPruned is what a *PrunedError unwraps to: the evidence asked for was
// removed by `gongkai db prune`.
var ErrPruned = errors.New("evidence pruned")

// PrunedError says whose evidence was pruned, and when. Findings, scores
// and history of a pruned audit are kept; its requests, kept pages and the
// serialised evidence of the pruned units are not.
type PrunedError struct {
	// AuditID is the audit whose evidence was pruned.
	AuditID int64 `json:"audit"`
	// Unit is the unit whose evidence was asked for; "" when the error is
	// about the audit as a whole (Units of Of units pruned).
	Unit string `json:"unit,omitempty"`
	// Units and Of count the audit's pruned units and its units.
	Units int `json:"units,omitempty"`
	Of    int `json:"of,omitempty"`
	// At is when the audit's evidence was last pruned; zero if unknown.
	At time.Time `json:"at,omitzero"`
}

// Error names the audit, the unit or the number of units, and the date.
func (e *PrunedError) Error() string {
	when := ""
	if !e.At.IsZero() {
		when = " on " + e.At.UTC().Format("2006-01-02")
	}
	if e.Unit != "" {
		return fmt.Sprintf("audit %d: the evidence of unit %q was pruned%s (gongkai db prune)", e.AuditID, e.Unit, when)
	}
	return fmt.Sprintf("audit %d: the evidence of %d of its %d units was pruned%s (gongkai db prune)", e.AuditID, e.Units, e.Of, when)
}

// Unwrap returns ErrPruned.
func (e *PrunedError) Unwrap() error { return ErrPruned }

// EvidenceErr returns a *PrunedError when some of the audit's evidence was
// pruned, and nil when all of it is kept.
func (a *Audit) EvidenceErr() error {
	if !a.Pruned() {
		return nil
	}
	return &PrunedError{AuditID: a.ID, Units: a.EvidencePrunedUnits, Of: a.Units, At: a.EvidencePrunedAt}
}

// UnitPrunedError returns a *PrunedError when the evidence of the unit in
// the audit was pruned, and nil when it is kept or was never stored.
func (db *DB) UnitPrunedError(ctx context.Context, auditID int64, unit string) (*PrunedError, error) {
	var (
		n  int64
		at sql.NullString
	)
	err := db.db.QueryRowContext(ctx, `SELECT length(ue.evidence), a.evidence_pruned_at
		FROM unit_evidence ue JOIN audits a ON a.id = ue.audit_id
		WHERE ue.audit_id = ? AND ue.unit_id = ?`, auditID, unit).Scan(&n, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("evidence of unit %q in audit %d: %w", unit, auditID, err)
	}
	if n > 0 {
		return nil, nil
	}
	t, _ := nullTime(at)
	return &PrunedError{AuditID: auditID, Unit: unit, At: t}, nil
}

// The reasons evidence is kept, as Plan reports them.
const (
	// KeepLatest: the audit is one of the latest complete audits asked for.
	KeepLatest = "one of the latest complete audits"
	// KeepAsked: the audit was named to be kept.
	KeepAsked = "named to be kept"
	// KeepRunning: the audit is being written (an audit in progress).
	KeepRunning = "running: an audit is writing it"
	// KeepResumable: the latest audit, incomplete: `audit --resume` can
	// finish it, and needs the evidence of the units it stored.
	KeepResumable = "incomplete and the latest audit: audit --resume can finish it"
	// KeepOpen: the unit has a problem, still open in the latest complete
	// audit, whose unbroken run began in this audit (where it was first seen).
	KeepOpen = "an open problem was first seen here"
	// KeepReviewed: a finding of the unit in this audit has a review
	// decision made by a person (decisions carried to later audits point
	// back here).
	KeepReviewed = "a finding here was reviewed"
)

// PruneOptions say whose evidence a prune keeps besides the open and
// reviewed findings' (always kept).
type PruneOptions struct {
	// Keep is how many of the latest complete audits keep all their
	// evidence; at least 1.
	Keep int
	// KeepAudits are more audits that keep all their evidence; nil for none.
	KeepAudits []int64
}

// AuditPrune is what a prune does to one audit's evidence.
type AuditPrune struct {
	// Audit is the audit as it was when the plan was made.
	Audit Audit `json:"audit"`
	// Kept says why all the audit's evidence is kept; "" when some goes.
	Kept string `json:"kept,omitempty"`
	// Prune lists the units whose evidence goes, in roster order.
	Prune []string `json:"prune,omitempty"`
	// KeepUnits maps each unit whose evidence stays, in an audit pruned in
	// part, to why; nil when there is none.
	KeepUnits map[string]string `json:"keep_units,omitempty"`
	// Fetches is the number of fetch rows that go.
	Fetches int64 `json:"fetches"`
	// EvidenceBytes is the size of the units' serialised evidence that goes;
	// FetchBytes estimates that of the fetch rows and their index entries.
	EvidenceBytes int64 `json:"evidence_bytes"`
	FetchBytes    int64 `json:"fetch_bytes"`
}

// PrunePlan is what Plan found to remove.
type PrunePlan struct {
	// Options are the options the plan was made with.
	Options PruneOptions `json:"options"`
	// Audits lists every audit that holds evidence, newest first; audits
	// whose evidence is all pruned already are left out.
	Audits []AuditPrune `json:"audits"`
	// Bodies is the number of kept pages that no unit keeps once the plan
	// is carried out, and BodyBytes their compressed size.
	Bodies    int   `json:"bodies"`
	BodyBytes int64 `json:"body_bytes"`
}

// Units returns the number of units whose evidence the plan removes.
func (p *PrunePlan) Units() int {
	n := 0
	for _, a := range p.Audits {
		n += len(a.Prune)
	}
	return n
}

// Bytes estimates the bytes the plan frees: serialised evidence, fetch rows
// and bodies.
func (p *PrunePlan) Bytes() int64 {
	n := p.BodyBytes
	for _, a := range p.Audits {
		n += a.EvidenceBytes + a.FetchBytes
	}
	return n
}

type unitKey struct {
	audit int64
	unit  string
}

// Plan works out whose evidence a prune removes, and changes nothing. The
// evidence of an audit is kept whole when it is one of the o.Keep latest
// complete audits, named in o.KeepAudits, running, or incomplete and the
// latest audit (resumable). Of every other audit, a unit's evidence is kept
// when a problem of the unit still open in the latest complete audit was
// first seen in this audit (the start of its unbroken run), or when one of
// the unit's findings in this audit has a review decision made by a person;
// the rest goes. An incomplete audit that is not the latest cannot be
// resumed (`audit --resume` finishes only the latest audit), so it is
// pruned like a complete one.
func (db *DB) Plan(ctx context.Context, o PruneOptions) (*PrunePlan, error) {
	if o.Keep < 1 {
		return nil, fmt.Errorf("plan prune: keep %d: at least the latest complete audit keeps its evidence (1)", o.Keep)
	}
	audits, err := db.Audits(ctx)
	if err != nil {
		return nil, fmt.Errorf("plan prune: %w", err)
	}
	plan := &PrunePlan{Options: o}
	if len(audits) == 0 {
		return plan, nil
	}
	keep := map[int64]string{}
	complete := 0
	for _, a := range audits { // newest first
		switch {
		case a.Status == AuditRunning:
			keep[a.ID] = KeepRunning
		case a.Status == AuditComplete && complete < o.Keep:
			keep[a.ID] = KeepLatest
		case slices.Contains(o.KeepAudits, a.ID):
			keep[a.ID] = KeepAsked
		}
		if a.Status == AuditComplete {
			complete++
		}
	}
	if a := audits[0]; a.Status == AuditIncomplete {
		keep[a.ID] = KeepResumable
	}
	units, err := db.keptUnits(ctx)
	if err != nil {
		return nil, fmt.Errorf("plan prune: %w", err)
	}
	pruned := map[unitKey]bool{}
	for _, a := range audits {
		ap := AuditPrune{Audit: a, Kept: keep[a.ID]}
		stored, err := db.unitSizes(ctx, a.ID)
		if err != nil {
			return nil, fmt.Errorf("plan prune: %w", err)
		}
		if len(stored) == 0 {
			continue // nothing stored, or all of it pruned already
		}
		if ap.Kept != "" {
			plan.Audits = append(plan.Audits, ap)
			continue
		}
		roster, err := db.Units(ctx, a.ID)
		if err != nil {
			return nil, fmt.Errorf("plan prune: %w", err)
		}
		fetches, err := db.fetchSizes(ctx, a.ID)
		if err != nil {
			return nil, fmt.Errorf("plan prune: %w", err)
		}
		for _, u := range roster {
			size, ok := stored[u.ID]
			if !ok {
				continue
			}
			if why := units[unitKey{a.ID, u.ID}]; why != "" {
				if ap.KeepUnits == nil {
					ap.KeepUnits = map[string]string{}
				}
				ap.KeepUnits[u.ID] = why
				continue
			}
			ap.Prune = append(ap.Prune, u.ID)
			ap.EvidenceBytes += size
			ap.Fetches += fetches[u.ID].rows
			ap.FetchBytes += fetches[u.ID].bytes
			pruned[unitKey{a.ID, u.ID}] = true
		}
		plan.Audits = append(plan.Audits, ap)
	}
	if plan.Bodies, plan.BodyBytes, err = db.orphanedBodies(ctx, pruned); err != nil {
		return nil, fmt.Errorf("plan prune: %w", err)
	}
	return plan, nil
}

// keptUnits returns the units of audits whose evidence backs an open
// problem's first sighting or a person's review decision, with the reason.
func (db *DB) keptUnits(ctx context.Context) (map[unitKey]string, error) {
	out := map[unitKey]string{}
	// Where each problem open in the latest complete audit's current
	// scoring was last new among the complete audits' current scorings:
	// the start of its unbroken run.
	rows, err := db.db.QueryContext(ctx, `
		WITH cur AS (
			SELECT s.audit_id, max(s.id) AS sid FROM scorings s
			JOIN audits a ON a.id = s.audit_id AND a.status = 'complete'
			GROUP BY s.audit_id
		),
		latest AS (SELECT sid FROM cur ORDER BY audit_id DESC LIMIT 1),
		open AS (SELECT DISTINCT fingerprint FROM findings WHERE scoring_id = (SELECT sid FROM latest))
		SELECT max(c.audit_id), f.unit_id
		FROM findings f JOIN cur c ON c.sid = f.scoring_id
		WHERE f.status = 'new' AND f.fingerprint IN (SELECT fingerprint FROM open)
		GROUP BY f.fingerprint, f.unit_id`)
	if err != nil {
		return nil, fmt.Errorf("find open problems: %w", err)
	}
	for rows.Next() {
		var k unitKey
		if err := rows.Scan(&k.audit, &k.unit); err != nil {
			rows.Close()
			return nil, fmt.Errorf("find open problems: %w", err)
		}
		out[k] = KeepOpen
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find open problems: %w", err)
	}
	rows, err = db.db.QueryContext(ctx, `
		SELECT DISTINCT s.audit_id, f.unit_id
		FROM reviews r JOIN findings f ON f.id = r.finding_id JOIN scorings s ON s.id = f.scoring_id
		WHERE r.carried_from IS NULL`)
	if err != nil {
		return nil, fmt.Errorf("find reviewed findings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k unitKey
		if err := rows.Scan(&k.audit, &k.unit); err != nil {
			return nil, fmt.Errorf("find reviewed findings: %w", err)
		}
		if out[k] == "" {
			out[k] = KeepReviewed
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find reviewed findings: %w", err)
	}
	return out, nil
}

// unitSizes maps each unit of the audit whose evidence is stored and not
// pruned to the size of its serialised evidence.
func (db *DB) unitSizes(ctx context.Context, auditID int64) (map[string]int64, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT unit_id, length(evidence) FROM unit_evidence
		WHERE audit_id = ? AND length(evidence) > 0`, auditID)
	if err != nil {
		return nil, fmt.Errorf("evidence of audit %d: %w", auditID, err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var (
			unit string
			n    int64
		)
		if err := rows.Scan(&unit, &n); err != nil {
			return nil, fmt.Errorf("evidence of audit %d: %w", auditID, err)
		}
		out[unit] = n
	}
	return out, rows.Err()
}

type rowsSize struct{ rows, bytes int64 }

// fetchRowOverhead approximates what a fetch row takes beyond its text:
// the record header, the integers, the cell and the index entry on
// (audit_id, unit_id).
const fetchRowOverhead = 40

// fetchSizes counts the fetch rows of each unit of the audit and
// estimates their size.
func (db *DB) fetchSizes(ctx context.Context, auditID int64) (map[string]rowsSize, error) {
	rows, err := db.db.QueryContext(ctx, fmt.Sprintf(`SELECT unit_id, count(*),
		sum(length(url) + length(final_url) + length(method) + length(role) + length(class) +
			length(error) + length(fetched_at) + length(content_type) + length(charset) +
			length(sha256) + 2 * length(unit_id) + %d)
		FROM fetches WHERE audit_id = ? GROUP BY unit_id`, fetchRowOverhead), auditID)
	if err != nil {
		return nil, fmt.Errorf("fetches of audit %d: %w", auditID, err)
	}
	defer rows.Close()
	out := map[string]rowsSize{}
	for rows.Next() {
		var (
			unit string
			s    rowsSize
		)
		if err := rows.Scan(&unit, &s.rows, &s.bytes); err != nil {
			return nil, fmt.Errorf("fetches of audit %d: %w", auditID, err)
		}
		out[unit] = s
	}
	return out, rows.Err()
}

// orphanedBodies counts the bodies that only the pruned units keep.
func (db *DB) orphanedBodies(ctx context.Context, pruned map[unitKey]bool) (int, int64, error) {
	if len(pruned) == 0 {
		return 0, 0, nil
	}
	audits := map[int64]bool{}
	for k := range pruned {
		audits[k.audit] = true
	}
	candidates := map[string]bool{}
	for id := range audits {
		rows, err := db.db.QueryContext(ctx, `SELECT unit_id, sha256 FROM body_refs WHERE audit_id = ?`, id)
		if err != nil {
			return 0, 0, fmt.Errorf("bodies of audit %d: %w", id, err)
		}
		for rows.Next() {
			var unit, sha string
			if err := rows.Scan(&unit, &sha); err != nil {
				rows.Close()
				return 0, 0, fmt.Errorf("bodies of audit %d: %w", id, err)
			}
			if pruned[unitKey{id, unit}] {
				candidates[sha] = true
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, 0, fmt.Errorf("bodies of audit %d: %w", id, err)
		}
	}
	refs, err := db.db.PrepareContext(ctx, `SELECT audit_id, unit_id FROM body_refs WHERE sha256 = ?`)
	if err != nil {
		return 0, 0, fmt.Errorf("body references: %w", err)
	}
	defer refs.Close()
	var (
		n     int
		bytes int64
	)
	for sha := range candidates {
		rows, err := refs.QueryContext(ctx, sha)
		if err != nil {
			return 0, 0, fmt.Errorf("references of body %s: %w", sha, err)
		}
		orphan := true
		for rows.Next() {
			var k unitKey
			if err := rows.Scan(&k.audit, &k.unit); err != nil {
				rows.Close()
				return 0, 0, fmt.Errorf("references of body %s: %w", sha, err)
			}
			if !pruned[k] {
				orphan = false
			}
		}
		rows.Close()
		if !orphan {
			continue
		}
		var size int64
		err = db.db.QueryRowContext(ctx, `SELECT length(body) FROM bodies WHERE sha256 = ?`, sha).Scan(&size)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return 0, 0, fmt.Errorf("body %s: %w", sha, err)
		}
		n++
		bytes += size
	}
	return n, bytes, nil
}

// UnitPruned is what pruning one unit's evidence removed.
type UnitPruned struct {
	// Fetches is the number of fetch rows deleted.
	Fetches int64
	// EvidenceBytes is the size of the serialised evidence removed.
	EvidenceBytes int64
	// Bodies and BodyBytes count the kept pages deleted (no other unit kept
	// them) and their compressed size.
	Bodies    int
	BodyBytes int64
}

// errAuditRunning is what PruneUnit returns for a running audit.
var errAuditRunning = errors.New("the audit is running")

// PruneUnit removes the evidence of one unit of an audit in one short
// transaction: its fetch rows, its references to kept pages (and the pages
// no other unit keeps), and its serialised evidence, whose row stays with
// an empty blob (reachability and request counts stay). The audit records
// the time and one more pruned unit. Findings, scores, reviews and the
// roster are not touched. Pruning a unit already pruned does nothing; a
// running audit is refused (its evidence is being written).
func (db *DB) PruneUnit(ctx context.Context, auditID int64, unit string, at time.Time) (UnitPruned, error) {
	var res UnitPruned
	err := db.write(ctx, func(tx *sql.Tx) error {
		var status string
		err := tx.QueryRowContext(ctx, `SELECT status FROM audits WHERE id = ?`, auditID).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("audit %d: %w", auditID, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if status == AuditRunning {
			return fmt.Errorf("audit %d: %w", auditID, errAuditRunning)
		}
		err = tx.QueryRowContext(ctx, `SELECT length(evidence) FROM unit_evidence WHERE audit_id = ? AND unit_id = ?`,
			auditID, unit).Scan(&res.EvidenceBytes)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("evidence of unit %q in audit %d: %w", unit, auditID, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if res.EvidenceBytes == 0 {
			return nil // pruned before
		}
		r, err := tx.ExecContext(ctx, `DELETE FROM fetches WHERE audit_id = ? AND unit_id = ?`, auditID, unit)
		if err != nil {
			return fmt.Errorf("delete fetches: %w", err)
		}
		if res.Fetches, err = r.RowsAffected(); err != nil {
			return fmt.Errorf("delete fetches: %w", err)
		}
		rows, err := tx.QueryContext(ctx, `DELETE FROM body_refs WHERE audit_id = ? AND unit_id = ? RETURNING sha256`, auditID, unit)
		if err != nil {
			return fmt.Errorf("delete body references: %w", err)
		}
		var shas []string
		for rows.Next() {
			var sha string
			if err := rows.Scan(&sha); err != nil {
				rows.Close()
				return fmt.Errorf("delete body references: %w", err)
			}
			shas = append(shas, sha)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("delete body references: %w", err)
		}
		for _, sha := range shas {
			var size int64
			err := tx.QueryRowContext(ctx, `DELETE FROM bodies WHERE sha256 = ?1
				AND NOT EXISTS (SELECT 1 FROM body_refs WHERE sha256 = ?1) RETURNING length(body)`, sha).Scan(&size)
			if errors.Is(err, sql.ErrNoRows) {
				continue // another unit keeps it
			}
			if err != nil {
				return fmt.Errorf("delete body %s: %w", sha, err)
			}
			res.Bodies++
			res.BodyBytes += size
		}
		if _, err := tx.ExecContext(ctx, `UPDATE unit_evidence SET evidence = X'' WHERE audit_id = ? AND unit_id = ?`,
			auditID, unit); err != nil {
			return fmt.Errorf("empty evidence: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE audits SET evidence_pruned_at = ?,
			evidence_pruned_units = evidence_pruned_units + 1 WHERE id = ?`, formatTime(at), auditID); err != nil {
			return fmt.Errorf("record prune: %w", err)
		}
		return nil
	})
	if err != nil {
		return UnitPruned{}, fmt.Errorf("prune unit %q of audit %d: %w", unit, auditID, err)
	}
	return res, nil
}

// PruneResult is what Prune removed.
type PruneResult struct {
	// Units is the number of units whose evidence was removed.
	Units int
	// Skipped lists the audits left alone because they were running when
	// their turn came (a resumed audit).
	Skipped []int64
	UnitPruned
}

// Prune carries out a plan, one unit per transaction (PruneUnit), so that an
// audit writing at the same time never waits long; progress, when not nil,
// is called after each audit. It stops at the first error, keeping what it
// pruned so far (each unit is pruned whole or not at all): run it again to
// go on.
func (db *DB) Prune(ctx context.Context, plan *PrunePlan, at time.Time, progress func(AuditPrune, UnitPruned)) (*PruneResult, error) {
	res := &PruneResult{}
	for _, ap := range plan.Audits {
		var done UnitPruned
		for _, unit := range ap.Prune {
			if err := ctx.Err(); err != nil {
				return res, fmt.Errorf("prune: %w", err)
			}
			u, err := db.PruneUnit(ctx, ap.Audit.ID, unit, at)
			if errors.Is(err, errAuditRunning) {
				res.Skipped = append(res.Skipped, ap.Audit.ID)
				break
			}
			if isBusy(err) {
				return res, fmt.Errorf("prune: %w: another process held the write lock past the busy timeout (%v); what is pruned so far stays pruned: run prune again", ErrBusy, err)
			}
			if err != nil {
				return res, fmt.Errorf("prune: %w", err)
			}
			if u.Fetches > 0 || u.EvidenceBytes > 0 {
				res.Units++
			}
			done.Fetches += u.Fetches
			done.EvidenceBytes += u.EvidenceBytes
			done.Bodies += u.Bodies
			done.BodyBytes += u.BodyBytes
		}
		res.Fetches += done.Fetches
		res.EvidenceBytes += done.EvidenceBytes
		res.Bodies += done.Bodies
		res.BodyBytes += done.BodyBytes
		if progress != nil && len(ap.Prune) > 0 {
			progress(ap, done)
		}
	}
	return res, nil
}
