package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// OpenReadOnly opens an existing database file read-only, without
// migrating it and whatever its schema version or application: to check it
// (Info, Check, Space) or copy it (Backup) as it is. Writing through it
// fails.
func OpenReadOnly(ctx context.Context, path string) (*DB, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("open database read-only: %w", err)
	}
	u := url.URL{Path: path}
	sqldb, err := sql.Open("sqlite", "file:"+u.EscapedPath()+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return nil, fmt.Errorf("open database %s read-only: %w", path, err)
	}
	sqldb.SetMaxIdleConns(2)
	if err := sqldb.PingContext(ctx); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("open database %s read-only: %w", path, err)
	}
	return &DB{db: sqldb, path: path}, nil
}

// FileInfo is what a database file says about itself.
type FileInfo struct {
	// ApplicationID is PRAGMA application_id: IsGongkai tells whether it
	// is gongkai's (0 is an empty or foreign SQLite file).
	ApplicationID int64 `json:"application_id"`
	// SchemaVersion is PRAGMA user_version: the number of migrations applied.
	SchemaVersion int `json:"schema_version"`
	// PageSize is in bytes; Pages counts the pages of the database and
	// FreePages those of them not in use.
	PageSize  int64 `json:"page_size"`
	Pages     int64 `json:"pages"`
	FreePages int64 `json:"free_pages"`
	// JournalMode is "wal" for a database in use by gongkai; a copy made by
	// Backup is "delete" until gongkai opens it.
	JournalMode string `json:"journal_mode"`
	// AutoVacuum is "none", "full" or "incremental".
	AutoVacuum string `json:"auto_vacuum"`
}

// IsGongkai says whether the file is marked as a gongkai database.
func (fi *FileInfo) IsGongkai() bool { return fi.ApplicationID == applicationID }

// Bytes is the size of the database in pages (the file's size once the WAL
// is checkpointed).
func (fi *FileInfo) Bytes() int64 { return fi.PageSize * fi.Pages }

// Info reads the file's header facts.
func (db *DB) Info(ctx context.Context) (*FileInfo, error) {
	var (
		fi FileInfo
		av int
	)
	for _, q := range []struct {
		pragma string
		dest   any
	}{
		{"application_id", &fi.ApplicationID},
		{"user_version", &fi.SchemaVersion},
		{"page_size", &fi.PageSize},
		{"page_count", &fi.Pages},
		{"freelist_count", &fi.FreePages},
		{"journal_mode", &fi.JournalMode},
		{"auto_vacuum", &av},
	} {
		if err := db.db.QueryRowContext(ctx, "PRAGMA "+q.pragma).Scan(q.dest); err != nil {
			return nil, fmt.Errorf("read %s: %w", q.pragma, err)
		}
	}
	fi.AutoVacuum = [...]string{"none", "full", "incremental"}[min(max(av, 0), 2)]
	return &fi, nil
}

// CheckReport is what Check found. Each list is empty when all is well.
type CheckReport struct {
	// Quick says quick_check ran instead of integrity_check.
	Quick bool `json:"quick"`
	// Integrity lists what PRAGMA integrity_check (or quick_check) reported.
	Integrity []string `json:"integrity"`
	// ForeignKeys lists the rows whose parent row is missing.
	ForeignKeys []string `json:"foreign_keys"`
}

// OK says whether the check found nothing wrong.
func (r *CheckReport) OK() bool { return len(r.Integrity) == 0 && len(r.ForeignKeys) == 0 }

// Check runs PRAGMA integrity_check (quick_check when quick: it skips
// checking that indexes match their tables, and is faster on a large file)
// and PRAGMA foreign_key_check. A file too damaged to answer makes the
// error a line of the report.
func (db *DB) Check(ctx context.Context, quick bool) (*CheckReport, error) {
	r := &CheckReport{Quick: quick}
	pragma := "integrity_check"
	if quick {
		pragma = "quick_check"
	}
	lines, err := pragmaLines(ctx, db.db, "PRAGMA "+pragma)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		lines = []string{err.Error()}
	}
	for _, l := range lines {
		if l != "ok" {
			r.Integrity = append(r.Integrity, l)
		}
	}
	rows, err := db.db.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		r.ForeignKeys = append(r.ForeignKeys, err.Error())
		return r, nil
	}
	defer rows.Close()
	for rows.Next() {
		var (
			table, parent string
			rowid         sql.NullInt64
			fk            int
		)
		if err := rows.Scan(&table, &rowid, &parent, &fk); err != nil {
			r.ForeignKeys = append(r.ForeignKeys, err.Error())
			break
		}
		row := "a row"
		if rowid.Valid {
			row = fmt.Sprintf("row %d", rowid.Int64)
		}
		r.ForeignKeys = append(r.ForeignKeys, fmt.Sprintf("%s %s refers to a missing %s row", table, row, parent))
	}
	if err := rows.Err(); err != nil {
		r.ForeignKeys = append(r.ForeignKeys, err.Error())
	}
	return r, nil
}

func pragmaLines(ctx context.Context, q querier, pragma string) ([]string, error) {
	rows, err := q.QueryContext(ctx, pragma)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return out, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// RunningAudits returns the audits whose status is running: being written
// by a process now, or left so by one that was killed.
func (db *DB) RunningAudits(ctx context.Context) ([]Audit, error) {
	all, err := db.Audits(ctx)
	if err != nil {
		return nil, err
	}
	var out []Audit
	for _, a := range all {
		if a.Status == AuditRunning {
			out = append(out, a)
		}
	}
	return out, nil
}

// Backup writes a consistent copy of the database to path with VACUUM INTO.
// The copy is one read transaction, so an audit writing meanwhile goes on
// (WAL) and the copy holds what was committed when it began; it is compact
// (no free pages) and one file (journal mode delete; gongkai switches it to
// WAL when it opens it). The copy is written beside path under a temporary
// name, synced, checked (integrity_check, foreign keys, application id,
// schema version) and only then given its name, so path never holds a
// partial copy. An existing path is an error wrapping fs.ErrExist unless
// replace is set; path never names the database itself.
func (db *DB) Backup(ctx context.Context, path string, replace bool) (*FileInfo, error) {
	src, err := db.Info(ctx)
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if !src.IsGongkai() {
		return nil, fmt.Errorf("backup: %s is not a gongkai database (application_id %#x)", db.path, src.ApplicationID)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("backup to %s: %w", path, err)
	}
	if err := notTheDatabase(db.path, abs); err != nil {
		return nil, err
	}
	if _, err := os.Lstat(abs); err == nil && !replace {
		return nil, fmt.Errorf("backup to %s: %w", path, fs.ErrExist)
	}
	tmp, err := os.CreateTemp(filepath.Dir(abs), "."+filepath.Base(abs)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("backup to %s: %w", path, err)
	}
	tmpPath := tmp.Name()
	tmp.Close()
	done := false
	defer func() {
		if !done {
			for _, suffix := range []string{"", "-journal", "-wal", "-shm"} {
				os.Remove(tmpPath + suffix)
			}
		}
	}()
	// VACUUM INTO writes into an empty file; the temporary name is ours.
	if _, err := db.db.ExecContext(ctx, `VACUUM INTO ?`, tmpPath); err != nil {
		return nil, fmt.Errorf("backup to %s: copy: %w", path, err)
	}
	if err := syncFile(tmpPath); err != nil {
		return nil, fmt.Errorf("backup to %s: %w", path, err)
	}
	info, err := verifyCopy(ctx, tmpPath, src.SchemaVersion)
	if err != nil {
		return nil, fmt.Errorf("backup to %s: the copy does not check: %w", path, err)
	}
	if replace {
		err = os.Rename(tmpPath, abs)
	} else {
		// A link fails when the name exists: never overwrite what appeared
		// in the meantime.
		err = os.Link(tmpPath, abs)
		if err == nil {
			os.Remove(tmpPath)
		} else if errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("backup to %s: %w", path, fs.ErrExist)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("backup to %s: %w", path, err)
	}
	done = true
	if err := syncFile(filepath.Dir(abs)); err != nil {
		return nil, fmt.Errorf("backup to %s: %w", path, err)
	}
	return info, nil
}

// notTheDatabase refuses a backup path that is the database or one of its
// side files.
func notTheDatabase(dbPath, out string) error {
	dbAbs, err := filepath.Abs(dbPath)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		if out == dbAbs+suffix {
			return fmt.Errorf("backup to %s: that is the database itself", out)
		}
	}
	a, errA := os.Stat(dbAbs)
	b, errB := os.Stat(out)
	if errA == nil && errB == nil && os.SameFile(a, b) {
		return fmt.Errorf("backup to %s: that is the database itself", out)
	}
	return nil
}

// verifyCopy opens a copy read-only and checks it whole.
func verifyCopy(ctx context.Context, path string, wantVersion int) (*FileInfo, error) {
	cp, err := OpenReadOnly(ctx, path)
	if err != nil {
		return nil, err
	}
	defer cp.Close()
	info, err := cp.Info(ctx)
	if err != nil {
		return nil, err
	}
	if !info.IsGongkai() || info.SchemaVersion != wantVersion {
		return nil, fmt.Errorf("application_id %#x, schema version %d; want %#x, %d",
			info.ApplicationID, info.SchemaVersion, applicationID, wantVersion)
	}
	rep, err := cp.Check(ctx, false)
	if err != nil {
		return nil, err
	}
	if !rep.OK() {
		return nil, fmt.Errorf("%s", strings.Join(append(rep.Integrity, rep.ForeignKeys...), "; "))
	}
	return info, nil
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("sync %s: %w", path, err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", path, err)
	}
	return nil
}

// ErrBusy is returned, wrapped, when an operation needs the database to
// itself and another connection is writing it.
var ErrBusy = errors.New("database is busy")

// isBusy says whether err is SQLite's SQLITE_BUSY or SQLITE_LOCKED.
func isBusy(err error) bool {
	var coded interface{ Code() int }
	if errors.As(err, &coded) {
		c := coded.Code() & 0xff
		return c == 5 || c == 6
	}
	return false
}

// ErrNoIncrementalVacuum is returned by Reclaim on a database created
// without incremental auto-vacuum (by a gongkai before it switched it on):
// its free pages stay in the file, for later audits to reuse, until a VACUUM.
var ErrNoIncrementalVacuum = errors.New("the database does not use incremental vacuum")

// Reclaim gives the database's free pages back to the file system with
// PRAGMA incremental_vacuum, step pages per transaction so that writers in
// other processes wait at most one short step, and returns the pages given
// back. The file shrinks when the WAL is next checkpointed.
func (db *DB) Reclaim(ctx context.Context, step int) (int64, error) {
	if step < 1 {
		step = 1024
	}
	info, err := db.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("reclaim: %w", err)
	}
	if info.AutoVacuum != "incremental" {
		return 0, fmt.Errorf("reclaim: %w (auto_vacuum %s)", ErrNoIncrementalVacuum, info.AutoVacuum)
	}
	var given int64
	for {
		if err := ctx.Err(); err != nil {
			return given, fmt.Errorf("reclaim: %w", err)
		}
		var before, after int64
		err := db.write(ctx, func(tx *sql.Tx) error {
			if err := tx.QueryRowContext(ctx, `PRAGMA freelist_count`).Scan(&before); err != nil {
				return err
			}
			if before == 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA incremental_vacuum(%d)`, step)); err != nil {
				return err
			}
			return tx.QueryRowContext(ctx, `PRAGMA freelist_count`).Scan(&after)
		})
		if isBusy(err) {
			return given, fmt.Errorf("reclaim: %w: another process held the write lock past the busy timeout (%v); the free pages stay for later audits to reuse", ErrBusy, err)
		}
		if err != nil {
			return given, fmt.Errorf("reclaim: %w", err)
		}
		if before == 0 || after >= before {
			return given, nil
		}
		given += before - after
	}
}

// Vacuum rebuilds the database file with VACUUM: every free page is given
// back and a database created without incremental auto-vacuum is switched
// to it, so that later prunes shrink the file online (Reclaim). VACUUM holds
// the write lock for the whole rebuild (minutes for gigabytes) and needs
// free disk space of about the database's size: it is refused, with an
// error wrapping ErrBusy, while an audit is running or another connection
// is writing; run it with `serve` stopped.
func (db *DB) Vacuum(ctx context.Context) error {
	running, err := db.RunningAudits(ctx)
	if err != nil {
		return fmt.Errorf("vacuum: %w", err)
	}
	if len(running) > 0 {
		a := running[0]
		return fmt.Errorf("vacuum: audit %d is running (started %s; gongkai serve or audit is writing, or was killed: audit --resume): %w",
			a.ID, a.StartedAt.UTC().Format("2006-01-02 15:04"), ErrBusy)
	}
	db.writeMu.Lock()
	defer db.writeMu.Unlock()
	conn, err := db.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("vacuum: %w", err)
	}
	defer conn.Close()
	// The mode VACUUM gives the file is the connection's.
	for _, q := range []string{`PRAGMA auto_vacuum = INCREMENTAL`, `VACUUM`} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			if isBusy(err) {
				return fmt.Errorf("vacuum: another process is writing the database: %w", ErrBusy)
			}
			return fmt.Errorf("vacuum: %w", err)
		}
	}
	return nil
}

// The groups of Space.
const (
	// SpaceEvidence: what prune removes (fetch rows, serialised unit
	// evidence, kept pages, their references and indexes).
	SpaceEvidence = "evidence"
	// SpaceJudgement: findings, scores, scorings, reviews and rulesets,
	// never pruned.
	SpaceJudgement = "findings and scores"
	// SpaceOther: audits, rosters, probes and SQLite's own tables.
	SpaceOther = "other"
)

// spaceGroups maps each table to its group; an index goes with its table.
var spaceGroups = map[string]string{
	"unit_evidence": SpaceEvidence, "fetches": SpaceEvidence, "bodies": SpaceEvidence, "body_refs": SpaceEvidence,
	"scorings": SpaceJudgement, "scores": SpaceJudgement, "findings": SpaceJudgement,
	"reviews": SpaceJudgement, "rulesets": SpaceJudgement,
}

// TableSpace is the space one table or index takes.
type TableSpace struct {
	// Name is the table's or index's name; Table the table it belongs to.
	Name  string `json:"name"`
	Table string `json:"table"`
	// Group is SpaceEvidence, SpaceJudgement or SpaceOther.
	Group string `json:"group"`
	// Bytes is the size of its pages, overflow pages included.
	Bytes int64 `json:"bytes"`
}

// Space is where the database's bytes go.
type Space struct {
	FileInfo
	// Tables lists every table and index, largest first.
	Tables []TableSpace `json:"tables"`
	// Groups sums Tables by group.
	Groups map[string]int64 `json:"groups"`
	// Audits counts the audits; AuditsPruned those with pruned evidence.
	Audits       int `json:"audits"`
	AuditsPruned int `json:"audits_pruned"`
	// UnitsKept and UnitsPruned count the units of all audits whose
	// evidence is stored, and kept or pruned.
	UnitsKept   int `json:"units_kept"`
	UnitsPruned int `json:"units_pruned"`
	// UnitsScored counts the units of all scored audits (the rows a unit's
	// score and findings take are per unit and audit).
	UnitsScored int `json:"units_scored"`
	// Roster counts the units of all audits (a unit once per audit).
	Roster int `json:"roster"`
	// Findings counts the findings of every scoring.
	Findings int `json:"findings"`
}

// Space measures the pages of every table and index (SQLite's dbstat: it
// reads the whole file) and counts audits and units.
func (db *DB) Space(ctx context.Context) (*Space, error) {
	info, err := db.Info(ctx)
	if err != nil {
		return nil, fmt.Errorf("measure space: %w", err)
	}
	sp := &Space{FileInfo: *info, Groups: map[string]int64{}}
	tables := map[string]string{}
	rows, err := db.db.QueryContext(ctx, `SELECT name, tbl_name FROM sqlite_schema WHERE type IN ('table', 'index')`)
	if err != nil {
		return nil, fmt.Errorf("measure space: %w", err)
	}
	for rows.Next() {
		var name, table string
		if err := rows.Scan(&name, &table); err != nil {
			rows.Close()
			return nil, fmt.Errorf("measure space: %w", err)
		}
		tables[name] = table
	}
	rows.Close()
	rows, err = db.db.QueryContext(ctx, `SELECT name, pgsize FROM dbstat WHERE aggregate = TRUE`)
	if err != nil {
		return nil, fmt.Errorf("measure space: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var ts TableSpace
		if err := rows.Scan(&ts.Name, &ts.Bytes); err != nil {
			return nil, fmt.Errorf("measure space: %w", err)
		}
		ts.Table = tables[ts.Name]
		if ts.Table == "" {
			ts.Table = ts.Name
		}
		ts.Group = spaceGroups[ts.Table]
		if ts.Group == "" {
			ts.Group = SpaceOther
		}
		sp.Tables = append(sp.Tables, ts)
		sp.Groups[ts.Group] += ts.Bytes
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("measure space: %w", err)
	}
	sort.Slice(sp.Tables, func(i, j int) bool { return sp.Tables[i].Bytes > sp.Tables[j].Bytes })
	err = db.db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM audits),
		(SELECT count(*) FROM audits WHERE evidence_pruned_units > 0),
		(SELECT count(*) FROM unit_evidence WHERE length(evidence) > 0),
		(SELECT count(*) FROM unit_evidence WHERE length(evidence) = 0),
		(SELECT count(*) FROM units u WHERE EXISTS (SELECT 1 FROM scorings s WHERE s.audit_id = u.audit_id)),
		(SELECT count(*) FROM findings),
		(SELECT count(*) FROM units)`).Scan(&sp.Audits, &sp.AuditsPruned, &sp.UnitsKept, &sp.UnitsPruned,
		&sp.UnitsScored, &sp.Findings, &sp.Roster)
	if err != nil {
		return nil, fmt.Errorf("measure space: %w", err)
	}
	return sp, nil
}
