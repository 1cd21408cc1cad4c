package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"sync"
	"time"

	"gongkai/evidence"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// ErrNotFound is returned, wrapped, when the audit, scoring, finding, unit
// evidence or body asked for is not in the database.
var ErrNotFound = errors.New("not found")

// applicationID marks a SQLite file as a gongkai database ("gkai"), so that
// Open refuses to migrate some other application's file.
const applicationID = 0x676b6169

// DB is an open gongkai database. It is safe for concurrent use: any number
// of readers run alongside one writer (WAL), and writes from this process
// are serialised so they never wait on each other's locks.
type DB struct {
	db   *sql.DB
	path string

	// writeMu serialises write transactions within the process; the
	// busy timeout covers writers in other processes.
	writeMu sync.Mutex

	// stmtMu guards stmts, the statements of hot paths prepared once:
	// SQLite spends as long parsing a wide INSERT as running it.
	stmtMu sync.Mutex
	stmts  map[string]*sql.Stmt
}

// stmt returns query prepared once for the database, bound to tx when tx is
// not nil (the transaction closes its copy when it ends).
func (db *DB) stmt(ctx context.Context, tx *sql.Tx, query string) (*sql.Stmt, error) {
	db.stmtMu.Lock()
	st, ok := db.stmts[query]
	if !ok {
		var err error
		if st, err = db.db.PrepareContext(ctx, query); err != nil {
			db.stmtMu.Unlock()
			return nil, err
		}
		if db.stmts == nil {
			db.stmts = map[string]*sql.Stmt{}
		}
		db.stmts[query] = st
	}
	db.stmtMu.Unlock()
	if tx != nil {
		return tx.StmtContext(ctx, st), nil
	}
	return st, nil
}

// Open opens the database at path, creating it when absent (with
// incremental auto-vacuum), with WAL journaling, foreign keys enforced and a
// 5 s busy timeout, and applies any migrations the file lacks. A file written by a newer gongkai is refused
// with a *VersionError; a SQLite file of another application is refused too.
func Open(ctx context.Context, path string) (*DB, error) {
	return open(ctx, path, migrations)
}

// open opens the database at path and migrates it with steps.
func open(ctx context.Context, path string, steps []migration) (*DB, error) {
	if path == "" {
		return nil, errors.New("open database: empty path")
	}
	if err := create(ctx, path); err != nil {
		return nil, fmt.Errorf("create database %s: %w", path, err)
	}
	sqldb, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	sqldb.SetMaxIdleConns(4)
	db := &DB{db: sqldb, path: path}
	if err := db.init(ctx, steps); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	return db, nil
}

// dsn builds the modernc.org/sqlite data source name for path. Every
// connection of the pool runs the pragmas; transactions begin IMMEDIATE so
// a writer takes the write lock up front and waits (busy timeout) instead of
// failing when it upgrades a read lock.
func dsn(path string) string {
	u := url.URL{Path: path}
	return "file:" + u.EscapedPath() +
		"?_pragma=busy_timeout(5000)" +
		"&_pragma=journal_mode(WAL)" +
		"&_pragma=foreign_keys(1)" +
		"&_pragma=synchronous(NORMAL)" +
		"&_txlock=immediate"
}

// create writes the first page of a database file that does not exist or
// is empty, with incremental auto-vacuum, so that `gongkai db prune` can
// give freed pages back to the file system while others use the database
// (Reclaim). The setting takes effect only before the first page is written
// (switching to WAL writes it), and setting it on an existing file would
// take a write lock: every other open leaves it alone.
func create(ctx context.Context, path string) error {
	st, err := os.Stat(path)
	if err == nil && st.Size() > 0 || err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	u := url.URL{Path: path}
	sqldb, err := sql.Open("sqlite", "file:"+u.EscapedPath()+
		"?_pragma=auto_vacuum(INCREMENTAL)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)")
	if err != nil {
		return err
	}
	defer sqldb.Close()
	return sqldb.PingContext(ctx)
}

func (db *DB) init(ctx context.Context, steps []migration) error {
	if err := db.db.PingContext(ctx); err != nil {
		return err
	}
	var appID int64
	if err := db.db.QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID); err != nil {
		return fmt.Errorf("read application id: %w", err)
	}
	if appID != 0 && appID != applicationID {
		return fmt.Errorf("not a gongkai database (application_id %#x)", appID)
	}
	return db.migrate(ctx, steps)
}

// Close closes the database; the WAL is checkpointed into the main file.
func (db *DB) Close() error {
	db.stmtMu.Lock()
	for _, st := range db.stmts {
		st.Close()
	}
	db.stmts = nil
	db.stmtMu.Unlock()
	if err := db.db.Close(); err != nil {
		return fmt.Errorf("close database: %w", err)
	}
	return nil
}

// Path returns the file path the database was opened with.
func (db *DB) Path() string { return db.path }

// write runs fn in one write transaction, committing when fn returns nil.
func (db *DB) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	db.writeMu.Lock()
	defer db.writeMu.Unlock()
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// querier is what read helpers need: a *sql.DB or a *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Times are stored as fixed-width UTC text, so they sort as text and read
// well in the sqlite3 shell.
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("parse time %q: %w", s, err)
	}
	return t, nil
}

func nullTime(s sql.NullString) (time.Time, error) {
	if !s.Valid || s.String == "" {
		return time.Time{}, nil
	}
	return parseTime(s.String)
}

func parseDate(s string) (evidence.Date, error) {
	var d evidence.Date
	if err := d.UnmarshalText([]byte(s)); err != nil {
		return evidence.Date{}, err
	}
	return d, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
