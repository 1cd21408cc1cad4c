package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gongkai/evidence"
	"gongkai/internal/gz"
)

// TestDB_BackupWhileWriting copies the database again and again while
// another handle stores units without a pause: every copy opens with the
// current schema, passes integrity_check, and holds whole units only.
func TestDB_BackupWhileWriting(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "g.db")
	writer, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	var units []evidence.Unit
	for i := range 30 {
		units = append(units, evidence.Unit{ID: fmt.Sprintf("u%03d", i), Name: "单位", Type: "bureau", URL: fmt.Sprintf("http://127.0.0.1:%d/", 9000+i)})
	}
	id, err := writer.BeginAudit(ctx, AuditMeta{StartedAt: t0, AsOf: evidence.DateOf(t0)}, units)
	if err != nil {
		t.Fatal(err)
	}
	// The writer stores the units over and over (saving a unit again
	// replaces it) until the copies are made.
	stop := make(chan struct{})
	errc := make(chan error, 1)
	saved := 0
	go func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				errc <- nil
				return
			default:
			}
			u := units[i%len(units)]
			b := []byte(fmt.Sprintf("<html>%d</html>", i))
			if err := writer.SaveUnitEvidence(ctx, id, testEvidence(u, 60), map[string][]byte{sha(b): gz.Compress(b)}); err != nil {
				errc <- err
				return
			}
			saved = i + 1
		}
	}()
	src, err := OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var sizes []int
	for i := range 3 {
		time.Sleep(50 * time.Millisecond) // let some units in
		out := filepath.Join(dir, fmt.Sprintf("copy-%d.db", i))
		info, err := src.Backup(ctx, out, false)
		if err != nil {
			t.Fatalf("backup %d: %v", i, err)
		}
		if info.SchemaVersion != SchemaVersion() || !info.IsGongkai() {
			t.Errorf("copy %d: %+v", i, info)
		}
		cp, err := Open(ctx, out)
		if err != nil {
			t.Fatalf("copy %d does not open: %v", i, err)
		}
		if err := cp.IntegrityCheck(ctx); err != nil {
			t.Errorf("copy %d: %v", i, err)
		}
		stored, err := cp.StoredUnits(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		all, err := cp.Fetches(ctx, id, "", "")
		if err != nil {
			t.Fatal(err)
		}
		rows := map[string]int{}
		for _, f := range all {
			rows[f.Unit]++
		}
		for u := range stored {
			if rows[u] != 62 {
				t.Errorf("copy %d: unit %s has %d fetch rows, want 62: a unit copied in part", i, u, rows[u])
			}
		}
		sizes = append(sizes, len(stored))
		cp.Close()
	}
	close(stop)
	if err := <-errc; err != nil {
		t.Fatalf("the writer failed during the backups: %v", err)
	}
	t.Logf("units in the copies: %v; units saved meanwhile: %d", sizes, saved)
	matches, _ := filepath.Glob(filepath.Join(dir, ".*tmp-*"))
	if len(matches) > 0 {
		t.Errorf("temporary files left: %v", matches)
	}
}

func TestDB_BackupRefuses(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := openTest(t)
	buildHistory(t, db, []pruneAudit{{status: AuditComplete}})
	out := filepath.Join(dir, "copy.db")
	if _, err := db.Backup(ctx, out, false); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Backup(ctx, out, false); !errors.Is(err, fs.ErrExist) {
		t.Errorf("backup over an existing file: %v; want fs.ErrExist", err)
	}
	if _, err := db.Backup(ctx, out, true); err != nil {
		t.Errorf("backup replacing: %v", err)
	}
	for _, same := range []string{db.Path(), db.Path() + "-wal"} {
		if _, err := db.Backup(ctx, same, true); err == nil || !strings.Contains(err.Error(), "the database itself") {
			t.Errorf("backup onto %s: %v", same, err)
		}
	}
	link := filepath.Join(dir, "link.db")
	if err := os.Symlink(db.Path(), link); err == nil {
		if _, err := db.Backup(ctx, link, true); err == nil || !strings.Contains(err.Error(), "the database itself") {
			t.Errorf("backup onto a link to the database: %v", err)
		}
	}
	if _, err := db.Backup(ctx, filepath.Join(dir, "no", "such", "dir.db"), false); err == nil {
		t.Error("backup into a missing directory succeeded")
	}
	// Some other application's SQLite file.
	other := filepath.Join(dir, "other.db")
	raw, _ := sql.Open("sqlite", other)
	raw.Exec(`PRAGMA application_id = 42; CREATE TABLE t (x)`)
	raw.Close()
	odb, err := OpenReadOnly(ctx, other)
	if err != nil {
		t.Fatal(err)
	}
	defer odb.Close()
	if _, err := odb.Backup(ctx, filepath.Join(dir, "o.db"), false); err == nil || !strings.Contains(err.Error(), "not a gongkai database") {
		t.Errorf("backup of another application's file: %v", err)
	}
	matches, _ := filepath.Glob(filepath.Join(dir, ".*tmp-*"))
	if len(matches) > 0 {
		t.Errorf("temporary files left: %v", matches)
	}
}

// corrupt overwrites the header of a leaf page of the fetches table in a
// copy of the database at path, and returns the copy's path.
func corrupt(t *testing.T, path string) string {
	t.Helper()
	ctx := context.Background()
	db, err := OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	var page, size int64
	err = db.db.QueryRowContext(ctx, `SELECT pageno, pgsize FROM dbstat WHERE name = 'fetches' AND pagetype = 'leaf' LIMIT 1 OFFSET 1`).Scan(&page, &size)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	off := (page - 1) * size
	copy(data[off:off+12], []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	bad := filepath.Join(t.TempDir(), "corrupt.db")
	if err := os.WriteFile(bad, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return bad
}

func TestDB_Check(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "g.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	buildHistory(t, db, []pruneAudit{{status: AuditComplete}, {status: AuditComplete}})
	db.Close() // checkpointed: the file is whole

	t.Run("sound", func(t *testing.T) {
		ro, err := OpenReadOnly(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer ro.Close()
		for _, quick := range []bool{false, true} {
			rep, err := ro.Check(ctx, quick)
			if err != nil || !rep.OK() {
				t.Errorf("check (quick %v): %+v, %v", quick, rep, err)
			}
		}
		info, err := ro.Info(ctx)
		if err != nil || !info.IsGongkai() || info.SchemaVersion != SchemaVersion() || info.JournalMode != "wal" {
			t.Errorf("info: %+v, %v", info, err)
		}
	})

	t.Run("corrupt page", func(t *testing.T) {
		bad := corrupt(t, path)
		ro, err := OpenReadOnly(ctx, bad)
		if err != nil {
			t.Fatal(err)
		}
		defer ro.Close()
		rep, err := ro.Check(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(rep.Integrity, "\n"); rep.OK() || !strings.Contains(got, "Page") && !strings.Contains(got, "malformed") {
			t.Errorf("check of a corrupt file: %+v", rep)
		}
		quick, err := ro.Check(ctx, true)
		if err != nil || quick.OK() {
			t.Errorf("quick check of a corrupt file: %+v, %v", quick, err)
		}
	})

	t.Run("missing parent row", func(t *testing.T) {
		cp := filepath.Join(t.TempDir(), "fk.db")
		data, _ := os.ReadFile(path)
		os.WriteFile(cp, data, 0o644)
		raw, err := sql.Open("sqlite", cp)
		if err != nil {
			t.Fatal(err)
		}
		// foreign_keys is off on this connection: the delete leaves orphans.
		if _, err := raw.Exec(`DELETE FROM unit_evidence WHERE audit_id = 1 AND unit_id = 'a'`); err != nil {
			t.Fatal(err)
		}
		raw.Close()
		ro, err := OpenReadOnly(ctx, cp)
		if err != nil {
			t.Fatal(err)
		}
		defer ro.Close()
		rep, err := ro.Check(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Integrity) != 0 || len(rep.ForeignKeys) == 0 || !strings.Contains(rep.ForeignKeys[0], "missing unit_evidence row") {
			t.Errorf("check with orphan rows: %+v", rep)
		}
	})

	t.Run("not a database", func(t *testing.T) {
		junk := filepath.Join(t.TempDir(), "junk.db")
		os.WriteFile(junk, []byte(strings.Repeat("this is not SQLite\n", 400)), 0o644)
		ro, err := OpenReadOnly(ctx, junk)
		if err == nil {
			defer ro.Close()
			if _, err = ro.Info(ctx); err == nil {
				t.Fatal("a text file reads as a database")
			}
		}
		if !strings.Contains(err.Error(), "not a database") {
			t.Errorf("error %q does not say it is not a database", err)
		}
	})
}

func TestMigrate_V5BodyRefs(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v4.db")
	// A database as schema version 4 left it: one audit, a body kept by
	// unit a, a fetch of the same page by unit b, and a body no fetch has.
	db, err := open(ctx, path, migrations[:4])
	if err != nil {
		t.Fatal(err)
	}
	id, err := db.BeginAudit(ctx, AuditMeta{StartedAt: t0, AsOf: evidence.DateOf(t0)}, pruneUnits)
	if err != nil {
		t.Fatal(err)
	}
	page := []byte("<html>kept</html>")
	for _, u := range pruneUnits[:2] {
		ue := testEvidence(u, 1)
		ue.Fetches[1].SHA256 = sha(page)
		if _, err := db.db.ExecContext(ctx, `INSERT INTO unit_evidence (audit_id, unit_id, started_at, finished_at, reachable, pages, errors, evidence)
			VALUES (?, ?, '', '', 1, 1, 0, X'00')`, id, u.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.db.ExecContext(ctx, `INSERT INTO fetches (audit_id, unit_id, url, fetched_at, sha256) VALUES (?, ?, ?, '', ?)`,
			id, u.ID, u.URL, sha(page)); err != nil {
			t.Fatal(err)
		}
	}
	for _, b := range [][]byte{page, []byte("orphan")} {
		if _, err := db.db.ExecContext(ctx, `INSERT INTO bodies (sha256, size, body) VALUES (?, ?, ?)`, sha(b), len(b), gz.Compress(b)); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	db, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.db.QueryContext(ctx, `SELECT audit_id || ' ' || unit_id || ' ' || substr(sha256, 1, 8) FROM body_refs ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		got = append(got, s)
	}
	rows.Close()
	want := []string{fmt.Sprintf("%d a %s", id, sha(page)[:8]), fmt.Sprintf("%d b %s", id, sha(page)[:8])}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("body_refs after migrating: %v; want %v", got, want)
	}
	a, err := db.Audit(ctx, id)
	if err != nil || a.Pruned() || !a.EvidencePrunedAt.IsZero() {
		t.Errorf("a migrated audit: %+v, %v; want nothing pruned", a, err)
	}
	if rep, err := db.Check(ctx, false); err != nil || !rep.OK() {
		t.Errorf("check after migrating: %+v, %v", rep, err)
	}
}
