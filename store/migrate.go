package store

import (
	"context"
	"database/sql"
	"fmt"
)

// VersionError is returned by Open when the database's schema is newer than
// this binary knows: it was written by a newer gongkai, and an older one
// must not guess at its meaning.
type VersionError struct {
	// Have is the database's schema version; Want is the newest this binary knows.
	Have, Want int
}

// Error says which versions clash and what to do.
func (e *VersionError) Error() string {
	return fmt.Sprintf("database schema version %d is newer than this gongkai supports (%d): upgrade gongkai", e.Have, e.Want)
}

// SchemaVersion returns the schema version this binary writes.
func SchemaVersion() int { return len(migrations) }

// migration is one step of the schema. Step i (0-based) takes a database
// from version i to version i+1; the version is kept in PRAGMA user_version.
// Each step runs in its own transaction together with the version bump, so
// a failed step leaves the database at the version before it.
//
// Never edit a released step: append a new one. A step cannot switch
// foreign keys off (the pragma is a no-op inside a transaction), so a table
// rebuild must keep references valid as it goes.
type migration struct {
	name string
	sql  string
}

// migrations is the ordered list of schema steps.
var migrations = []migration{
	{name: "initial schema", sql: schemaV1},
	{name: "finding parts, stored rulesets, reviews", sql: schemaV2},
	{name: "drop the fetches URL index", sql: schemaV3},
	{name: "reachability probes", sql: schemaV4},
	{name: "evidence pruning and body references", sql: schemaV5},
}

// migrate brings the database up to len(steps).
func (db *DB) migrate(ctx context.Context, steps []migration) error {
	var have int
	if err := db.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&have); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if have > len(steps) {
		return &VersionError{Have: have, Want: len(steps)}
	}
	for v := have; v < len(steps); v++ {
		err := db.write(ctx, func(tx *sql.Tx) error {
			// Another process may have migrated since we looked.
			var now int
			if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&now); err != nil {
				return err
			}
			if now > v {
				return nil
			}
			if _, err := tx.ExecContext(ctx, steps[v].sql); err != nil {
				return err
			}
			// PRAGMA takes no bound parameters; v+1 is an int we control.
			_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v+1))
			return err
		})
		if err != nil {
			return fmt.Errorf("migrate to schema version %d (%s): %w", v+1, steps[v].name, err)
		}
	}
	return nil
}

// schemaV1 is the first schema. Times are UTC text (timeLayout), dates are
// YYYY-MM-DD text, JSON columns hold the encoding/json form of the scoring
// types, and the evidence and body blobs are gzip streams.
const schemaV1 = `
PRAGMA application_id = 1735090537;

-- One row per audit run (a crawl of the roster). An audit left 'running' by a
-- killed process becomes 'incomplete' (MarkRunningIncomplete).
CREATE TABLE audits (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	started_at      TEXT    NOT NULL,
	finished_at     TEXT,
	as_of           TEXT    NOT NULL,
	status          TEXT    NOT NULL DEFAULT 'running'
	                CHECK (status IN ('running', 'complete', 'incomplete')),
	ruleset_name    TEXT    NOT NULL DEFAULT '',
	ruleset_version TEXT    NOT NULL DEFAULT '',
	ruleset_hash    TEXT    NOT NULL DEFAULT '',
	units_file      TEXT    NOT NULL DEFAULT '',
	note            TEXT    NOT NULL DEFAULT ''
) STRICT;
-- "previous complete audit" and "latest complete audit" lookups.
CREATE INDEX audits_status_id ON audits (status, id);

-- The roster as audited; pos keeps the units file's order.
CREATE TABLE units (
	audit_id INTEGER NOT NULL REFERENCES audits (id) ON DELETE CASCADE,
	unit_id  TEXT    NOT NULL,
	pos      INTEGER NOT NULL,
	name     TEXT    NOT NULL,
	name_en  TEXT    NOT NULL DEFAULT '',
	type     TEXT    NOT NULL,
	url      TEXT    NOT NULL,
	contact  TEXT    NOT NULL DEFAULT '',
	PRIMARY KEY (audit_id, unit_id)
) STRICT, WITHOUT ROWID;
-- A unit's history across audits.
CREATE INDEX units_unit ON units (unit_id, audit_id);

-- The canonical record of what was seen of a unit: evidence.UnitEvidence as
-- gzip-compressed JSON, enough to score again without crawling.
CREATE TABLE unit_evidence (
	audit_id    INTEGER NOT NULL,
	unit_id     TEXT    NOT NULL,
	started_at  TEXT    NOT NULL,
	finished_at TEXT    NOT NULL,
	reachable   INTEGER NOT NULL CHECK (reachable IN (0, 1)),
	pages       INTEGER NOT NULL,
	errors      INTEGER NOT NULL,
	evidence    BLOB    NOT NULL,
	PRIMARY KEY (audit_id, unit_id),
	FOREIGN KEY (audit_id, unit_id) REFERENCES units (audit_id, unit_id) ON DELETE CASCADE
) STRICT;

-- One row per request made for a unit (pages, link checks, reach attempts).
CREATE TABLE fetches (
	id           INTEGER PRIMARY KEY,
	audit_id     INTEGER NOT NULL,
	unit_id      TEXT    NOT NULL,
	url          TEXT    NOT NULL,
	final_url    TEXT    NOT NULL DEFAULT '',
	method       TEXT    NOT NULL DEFAULT '',
	role         TEXT    NOT NULL DEFAULT '',
	status       INTEGER NOT NULL DEFAULT 0,
	class        TEXT    NOT NULL DEFAULT '',
	error        TEXT    NOT NULL DEFAULT '',
	fetched_at   TEXT    NOT NULL,
	duration_ms  INTEGER NOT NULL DEFAULT 0,
	attempts     INTEGER NOT NULL DEFAULT 0,
	content_type TEXT    NOT NULL DEFAULT '',
	charset      TEXT    NOT NULL DEFAULT '',
	size         INTEGER NOT NULL DEFAULT 0,
	truncated    INTEGER NOT NULL DEFAULT 0 CHECK (truncated IN (0, 1)),
	sha256       TEXT    NOT NULL DEFAULT '',
	FOREIGN KEY (audit_id, unit_id) REFERENCES unit_evidence (audit_id, unit_id) ON DELETE CASCADE
) STRICT;
CREATE INDEX fetches_audit_unit ON fetches (audit_id, unit_id);
CREATE INDEX fetches_url ON fetches (url);

-- Raw bodies kept as evidence, gzip-compressed, shared by every fetch and
-- audit that saw the same bytes.
CREATE TABLE bodies (
	sha256 TEXT    PRIMARY KEY,
	size   INTEGER NOT NULL,
	body   BLOB    NOT NULL
) STRICT;

-- One judgement of an audit's evidence; the newest (highest id) of an audit
-- is its current scoring.
CREATE TABLE scorings (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	audit_id        INTEGER NOT NULL REFERENCES audits (id) ON DELETE CASCADE,
	created_at      TEXT    NOT NULL,
	as_of           TEXT    NOT NULL,
	ruleset_name    TEXT    NOT NULL DEFAULT '',
	ruleset_version TEXT    NOT NULL DEFAULT '',
	ruleset_hash    TEXT    NOT NULL DEFAULT '',
	window_from     TEXT    NOT NULL DEFAULT '',
	window_to       TEXT    NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX scorings_audit_id ON scorings (audit_id, id);

-- A unit's score in one scoring.
CREATE TABLE scores (
	scoring_id           INTEGER NOT NULL REFERENCES scorings (id) ON DELETE CASCADE,
	unit_id              TEXT    NOT NULL,
	unit_name            TEXT    NOT NULL DEFAULT '',
	unit_type            TEXT    NOT NULL DEFAULT '',
	total                REAL    NOT NULL,
	deducted             REAL    NOT NULL,
	veto                 INTEGER NOT NULL CHECK (veto IN (0, 1)),
	veto_reasons         TEXT    NOT NULL DEFAULT 'null', -- JSON array of strings
	grade                TEXT    NOT NULL DEFAULT '',
	rank                 INTEGER NOT NULL,
	dimensions           TEXT    NOT NULL DEFAULT 'null', -- JSON array of DimensionScore
	findings_by_severity TEXT    NOT NULL DEFAULT 'null', -- JSON object severity -> count
	PRIMARY KEY (scoring_id, unit_id)
) STRICT;
-- A unit's score trend across scorings.
CREATE INDEX scores_unit ON scores (unit_id, scoring_id);

-- Findings; id is stable and never reused (evidence ID, review ID).
CREATE TABLE findings (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	scoring_id  INTEGER NOT NULL REFERENCES scorings (id) ON DELETE CASCADE,
	unit_id     TEXT    NOT NULL,
	unit_name   TEXT    NOT NULL DEFAULT '',
	kind        TEXT    NOT NULL,
	rule        TEXT    NOT NULL DEFAULT '',
	column_id   TEXT    NOT NULL DEFAULT '',
	subject     TEXT    NOT NULL DEFAULT '',
	severity    TEXT    NOT NULL DEFAULT '',
	points      REAL    NOT NULL DEFAULT 0,
	nominal     REAL    NOT NULL DEFAULT 0,
	url         TEXT    NOT NULL DEFAULT '',
	detail      TEXT    NOT NULL DEFAULT '',
	basis       TEXT    NOT NULL DEFAULT '',
	dimension   TEXT    NOT NULL DEFAULT '',
	indicator   TEXT    NOT NULL DEFAULT '',
	evidence    TEXT    NOT NULL DEFAULT 'null', -- JSON array of scoring.Ref
	fingerprint TEXT    NOT NULL,                -- scoring.Finding.Key()
	first_seen  TEXT    NOT NULL,
	status      TEXT    NOT NULL CHECK (status IN ('new', 'persisting'))
) STRICT;
CREATE INDEX findings_scoring_unit ON findings (scoring_id, unit_id);
CREATE INDEX findings_scoring_fingerprint ON findings (scoring_id, fingerprint);
-- The history of one problem across audits.
CREATE INDEX findings_fingerprint ON findings (fingerprint);
`

// schemaV2 adds the part of a finding (a report's identity) to its record,
// keeps every ruleset an audit was judged with, and records review
// decisions (复核) on findings.
const schemaV2 = `
ALTER TABLE findings ADD COLUMN part TEXT NOT NULL DEFAULT '';

-- The rule files of each ruleset a scoring used, by the ruleset's hash, so
-- a score can be recomputed with the very rules that made it.
CREATE TABLE rulesets (
	hash    TEXT PRIMARY KEY,
	name    TEXT NOT NULL DEFAULT '',
	version TEXT NOT NULL DEFAULT '',
	files   BLOB NOT NULL              -- gzip JSON [{"name": ..., "data": base64}]
) STRICT;

-- Review decisions: a unit contests a finding, an evaluator decides. A
-- decision on a finding is carried to the same problem (fingerprint) in
-- later audits while its evidence key is unchanged; carried_from names the
-- decision carried.
CREATE TABLE reviews (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	finding_id   INTEGER NOT NULL REFERENCES findings (id) ON DELETE CASCADE,
	fingerprint  TEXT    NOT NULL,
	evidence_key TEXT    NOT NULL,
	decision     TEXT    NOT NULL CHECK (decision IN ('dismissed', 'confirmed')),
	reason       TEXT    NOT NULL,
	reviewer     TEXT    NOT NULL DEFAULT '',
	decided_at   TEXT    NOT NULL,
	carried_from INTEGER REFERENCES reviews (id)
) STRICT;
CREATE INDEX reviews_finding ON reviews (finding_id, id);
CREATE INDEX reviews_fingerprint ON reviews (fingerprint, id);
`

// schemaV3 drops the index on fetches' URLs: lookups go by audit and unit
// (then URL or final URL within the unit's few hundred rows), and keeping a
// second index on every fetch row cost a third of the time to store an audit.
const schemaV3 = `DROP INDEX IF EXISTS fetches_url;`

// schemaV4 keeps the reachability probes `serve` makes between audits:
// one row per probe of a unit's URL, the fetch record as JSON.
const schemaV4 = `
CREATE TABLE probes (
	id         INTEGER PRIMARY KEY,
	unit_id    TEXT    NOT NULL,
	url        TEXT    NOT NULL,
	at         TEXT    NOT NULL,
	ok         INTEGER NOT NULL CHECK (ok IN (0, 1)),
	fetch      TEXT    NOT NULL -- JSON evidence.Fetch
) STRICT;
CREATE INDEX probes_unit_at ON probes (unit_id, at);
`

// schemaV5 makes an audit's evidence prunable (gongkai db prune) while its
// findings and scores stay. A unit whose evidence was pruned keeps its
// unit_evidence row (reachable, pages and errors still describe the crawl)
// with a zero-length evidence blob, and loses its fetch rows; the audit
// records when its evidence was last pruned and of how many units.
// body_refs says which units of which audits kept which bodies, so that a
// body goes only when the last unit that kept it is pruned. Existing
// databases get a reference for every fetch row whose body is stored, which
// keeps at least every body an audit kept.
const schemaV5 = `
ALTER TABLE audits ADD COLUMN evidence_pruned_at TEXT;
ALTER TABLE audits ADD COLUMN evidence_pruned_units INTEGER NOT NULL DEFAULT 0;

CREATE TABLE body_refs (
	audit_id INTEGER NOT NULL,
	unit_id  TEXT    NOT NULL,
	sha256   TEXT    NOT NULL REFERENCES bodies (sha256),
	PRIMARY KEY (audit_id, unit_id, sha256),
	FOREIGN KEY (audit_id, unit_id) REFERENCES unit_evidence (audit_id, unit_id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
-- "does any unit still keep this body?"
CREATE INDEX body_refs_sha256 ON body_refs (sha256);

INSERT OR IGNORE INTO body_refs (audit_id, unit_id, sha256)
	SELECT f.audit_id, f.unit_id, f.sha256 FROM fetches f JOIN bodies b ON b.sha256 = f.sha256;
`
