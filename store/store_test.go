package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"gongkai/evidence"
	"gongkai/internal/gz"
	"gongkai/scoring"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var t0 = time.Date(2020, 3, 1, 10, 0, 0, 123456789, time.FixedZone("CST", 8*3600))

func openTest(t testing.TB) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "gongkai.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func testUnits() []evidence.Unit {
	return []evidence.Unit{
		{ID: "finance", Name: "区财政局", NameEN: "District Finance Bureau", Type: "bureau", URL: "http://127.0.0.1:8101/", Contact: "张三 010-6964xxxx"},
		{ID: "town-a", Name: "甲镇", Type: "township", URL: "http://127.0.0.1:8102/"},
	}
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// testEvidence returns evidence of unit with n fetches beyond the portal,
// a link check and a reach attempt that repeats the portal fetch.
func testEvidence(unit evidence.Unit, n int) *evidence.UnitEvidence {
	portalBody := []byte("<html><title>" + unit.Name + "</title></html>")
	portal := evidence.Fetch{
		URL: unit.URL, Method: "GET", Role: evidence.RolePortal, Status: 200, Class: evidence.ClassOK,
		FetchedAt: t0, DurationMS: 12, Attempts: 1, ContentType: "text/html; charset=gbk", Charset: "gb18030",
		Size: int64(len(portalBody)), SHA256: sha(portalBody), ETag: `"x"`, Meta: map[string]string{"SiteName": unit.Name},
	}
	broken := evidence.Fetch{
		URL: unit.URL + "files/a.pdf", Method: "HEAD", Role: evidence.RoleLinkCheck, Status: 404,
		Class: evidence.ClassStatus, Error: "404 Not Found", FetchedAt: t0.Add(time.Minute), DurationMS: 3, Attempts: 1,
	}
	ue := &evidence.UnitEvidence{
		Unit:     unit,
		Started:  t0,
		Finished: t0.Add(5 * time.Minute),
		Reach:    evidence.Reachability{Reachable: true, Attempts: []evidence.Fetch{portal}},
		Columns: []evidence.Column{
			{
				ID: "documents", Found: true, URL: unit.URL + "zcwj/",
				Discovery: evidence.Discovery{Method: "link", LinkText: "政策文件", Matched: "政策文件", FoundOn: unit.URL},
				Status:    200, Class: evidence.ClassOK, Pages: []string{unit.URL + "zcwj/"},
				Items: []evidence.Item{{
					Title: "关于印发《某某办法》的通知", URL: unit.URL + "zcwj/1.html",
					Date: evidence.MustParseDate("2019-05-12"), DateText: "[2019-05-12]", Page: unit.URL + "zcwj/",
					Doc: &evidence.Document{
						URL: unit.URL + "zcwj/1.html", Status: 200, Class: evidence.ClassOK, Title: "某某办法",
						Meta:    map[string]string{"索引号": "000/2019-1", "发文字号": "财〔2019〕1号"},
						Written: evidence.MustParseDate("2019-05-01"), Published: evidence.MustParseDate("2019-05-12"),
						Links: []string{unit.URL + "files/a.pdf"}, Quoted: []string{"某某办法"},
					},
				}},
			},
			{ID: "annual-report", Found: true, URL: unit.URL + "ndbg/", Items: []evidence.Item{{
				Title: "2019年政府信息公开工作年度报告", URL: unit.URL + "ndbg/2019.html", Page: unit.URL + "ndbg/",
				Doc: &evidence.Document{URL: unit.URL + "ndbg/2019.html", AnnualReport: &evidence.AnnualReport{
					Year: 2019, Format: "2019", Title: "2019年报", Sections: []int{1, 2, 3, 4, 5, 6},
					Tables: map[string]*evidence.AnnualReportTable{"3": {Rows: map[string]map[string]evidence.Cell{
						"new": {"total": {Value: 197, Number: true}, "natural": {Blank: true, Raw: "—"}},
					}}},
				}},
			}}},
			{ID: "guide", Found: false, Discovery: evidence.Discovery{Searched: []string{unit.URL}},
				Labels: []evidence.Label{{Label: "办公时间", Value: "工作日"}}},
		},
		Links: []evidence.Link{
			{URL: unit.URL + "files/a.pdf", FoundOn: []string{unit.URL + "zcwj/1.html"}, Columns: []string{"documents"},
				Attachment: true, Checked: true, Fetch: &broken},
			{URL: "http://example.org/", FoundOn: []string{unit.URL}, OnPortal: true, External: true},
		},
		Fetches: []evidence.Fetch{portal},
		Notes:   []string{"page budget spent at " + unit.URL + "gzdt/index_9.html"},
	}
	for i := 0; i < n; i++ {
		ue.Fetches = append(ue.Fetches, evidence.Fetch{
			URL: fmt.Sprintf("%sgzdt/index_%d.html", unit.URL, i), Method: "GET", Role: evidence.RoleListPage,
			Status: 200, Class: evidence.ClassOK, FetchedAt: t0.Add(time.Duration(i) * time.Second),
			DurationMS: 20, Attempts: 1, ContentType: "text/html", Charset: "utf-8", Size: 4096,
			SHA256: fmt.Sprintf("%064x", i),
		})
	}
	// The link check is also in Fetches, as a crawler records it.
	ue.Fetches = append(ue.Fetches, broken)
	return ue
}

func TestOpen(t *testing.T) {
	ctx := context.Background()

	t.Run("from scratch", func(t *testing.T) {
		db := openTest(t)
		var version, appID int
		var mode string
		var fk int
		for _, q := range []struct {
			sql  string
			dest any
		}{
			{"PRAGMA user_version", &version},
			{"PRAGMA application_id", &appID},
			{"PRAGMA journal_mode", &mode},
			{"PRAGMA foreign_keys", &fk},
		} {
			if err := db.db.QueryRowContext(ctx, q.sql).Scan(q.dest); err != nil {
				t.Fatalf("%s: %v", q.sql, err)
			}
		}
		if version != SchemaVersion() || appID != applicationID || mode != "wal" || fk != 1 {
			t.Errorf("user_version %d, application_id %#x, journal_mode %q, foreign_keys %d; want %d, %#x, wal, 1",
				version, appID, mode, fk, SchemaVersion(), applicationID)
		}
		for _, table := range []string{"audits", "units", "unit_evidence", "fetches", "bodies", "scorings", "scores", "findings"} {
			var n int
			if err := db.db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?`, table).Scan(&n); err != nil || n != 1 {
				t.Errorf("table %s: count %d, err %v", table, n, err)
			}
		}
	})

	t.Run("empty file is version 0", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "empty.db")
		if err := os.WriteFile(path, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		db, err := Open(ctx, path)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		defer db.Close()
		if _, err := db.Audits(ctx); err != nil {
			t.Errorf("Audits: %v", err)
		}
	})

	t.Run("reopen is idempotent", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "g.db")
		for i := 0; i < 3; i++ {
			db, err := Open(ctx, path)
			if err != nil {
				t.Fatalf("Open #%d: %v", i, err)
			}
			if _, err := db.BeginAudit(ctx, AuditMeta{StartedAt: t0, AsOf: evidence.DateOf(t0)}, testUnits()); err != nil {
				t.Fatal(err)
			}
			db.Close()
		}
		db, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if as, _ := db.Audits(ctx); len(as) != 3 {
			t.Errorf("got %d audits after three opens, want 3", len(as))
		}
	})

	t.Run("newer schema is refused", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "new.db")
		db, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.db.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", SchemaVersion()+1)); err != nil {
			t.Fatal(err)
		}
		db.Close()
		_, err = Open(ctx, path)
		var ve *VersionError
		if !errors.As(err, &ve) || ve.Have != SchemaVersion()+1 || ve.Want != SchemaVersion() {
			t.Fatalf("Open newer: got %v, want *VersionError{%d, %d}", err, SchemaVersion()+1, SchemaVersion())
		}
		if !strings.Contains(err.Error(), "upgrade gongkai") {
			t.Errorf("error %q does not say to upgrade", err)
		}
	})

	t.Run("other application's file is refused", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "other.db")
		raw, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := raw.Exec(`PRAGMA application_id = 42; CREATE TABLE t (x)`); err != nil {
			t.Fatal(err)
		}
		raw.Close()
		if _, err := Open(ctx, path); err == nil || !strings.Contains(err.Error(), "not a gongkai database") {
			t.Fatalf("Open other: got %v, want not a gongkai database", err)
		}
	})

	t.Run("path with spaces and a question mark", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "审计 #1?.db")
		db, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
		if _, err := os.Stat(path); err != nil {
			t.Errorf("database not at %q: %v", path, err)
		}
	})
}

// openAt creates a database at path migrated to version v only, then runs
// the fixture SQL in it: a file as an older gongkai left it.
func openAt(t *testing.T, path string, v int, fixture string) {
	t.Helper()
	ctx := context.Background()
	db, err := open(ctx, path, migrations[:v])
	if err != nil {
		t.Fatalf("open at version %d: %v", v, err)
	}
	defer db.Close()
	if fixture != "" {
		b, err := os.ReadFile(fixture)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.db.ExecContext(ctx, string(b)); err != nil {
			t.Fatalf("load %s: %v", fixture, err)
		}
	}
}

func TestMigrate(t *testing.T) {
	ctx := context.Background()
	v2 := migration{name: "add test notes", sql: `CREATE TABLE test_notes (finding_id INTEGER NOT NULL REFERENCES findings (id), verdict TEXT NOT NULL) STRICT;`}
	v3 := migration{name: "add audit trigger", sql: `ALTER TABLE audits ADD COLUMN trigger_source TEXT NOT NULL DEFAULT 'manual';`}
	bad := migration{name: "broken step", sql: `CREATE TABLE reviews2 (x INTEGER); SELECT * FROM no_such_table;`}

	tests := []struct {
		name        string
		from        int // schema version the file is left at; 0 is a new file
		fixture     string
		steps       []migration
		wantVersion int
		wantErr     string
	}{
		{name: "v0 to current", from: 0, steps: migrations, wantVersion: SchemaVersion()},
		{name: "v1 fixture to current", from: 1, fixture: "testdata/v1.sql", steps: migrations, wantVersion: SchemaVersion()},
		{name: "v1 fixture through two later steps", from: 1, fixture: "testdata/v1.sql",
			steps: append(append([]migration{}, migrations...), v2, v3), wantVersion: SchemaVersion() + 2},
		{name: "failed step leaves the version before it", from: 1, fixture: "testdata/v1.sql",
			steps:   append(append([]migration{}, migrations...), v2, bad),
			wantErr: fmt.Sprintf("migrate to schema version %d (broken step)", SchemaVersion()+2), wantVersion: SchemaVersion() + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "g.db")
			if tt.from > 0 {
				openAt(t, path, tt.from, tt.fixture)
			}
			db, err := open(ctx, path, tt.steps)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("open: got %v, want error containing %q", err, tt.wantErr)
				}
				// Reopen at the steps that work to look at the version.
				db, err = open(ctx, path, tt.steps[:tt.wantVersion])
				if err != nil {
					t.Fatal(err)
				}
				var n int
				db.db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE name = 'reviews2'`).Scan(&n)
				if n != 0 {
					t.Errorf("the failed step's table exists: not rolled back")
				}
			} else if err != nil {
				t.Fatalf("open: %v", err)
			}
			defer db.Close()
			var version int
			if err := db.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
				t.Fatal(err)
			}
			if version != tt.wantVersion {
				t.Errorf("user_version = %d, want %d", version, tt.wantVersion)
			}
			if tt.fixture == "" {
				return
			}
			// The old rows read back through the current API.
			a, err := db.Audit(ctx, 1)
			if err != nil {
				t.Fatal(err)
			}
			if a.Status != AuditComplete || a.AsOf != evidence.MustParseDate("2020-03-01") || a.Units != 2 || a.Note != "fixture" {
				t.Errorf("fixture audit = %+v", a)
			}
			sc, err := db.CurrentScoring(ctx, 1)
			if err != nil {
				t.Fatal(err)
			}
			scores, err := db.Scores(ctx, sc.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(scores) != 2 || scores[0].Unit != "finance" || scores[1].VetoReasons[0] != "网站无法访问" {
				t.Errorf("fixture scores = %+v", scores)
			}
			f, err := db.Finding(ctx, 7)
			if err != nil {
				t.Fatal(err)
			}
			if f.Kind != "column.stale" || len(f.Evidence) != 1 || f.Evidence[0].Status != 200 || f.FirstSeen.String() != "2020-03-01" {
				t.Errorf("fixture finding 7 = %+v", f)
			}
			// New findings never reuse the fixture's ids.
			id, err := db.BeginAudit(ctx, AuditMeta{StartedAt: t0, AsOf: evidence.MustParseDate("2020-04-01")}, testUnits())
			if err != nil {
				t.Fatal(err)
			}
			sid, err := db.SaveScoring(ctx, id, &scoring.Result{AsOf: evidence.MustParseDate("2020-04-01"),
				Findings: []scoring.Finding{{Unit: "finance", Kind: "column.stale", Column: "news", Severity: "deduction"}}}, t0)
			if err != nil {
				t.Fatal(err)
			}
			fs, err := db.Findings(ctx, sid, FindingFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(fs) != 1 || fs[0].ID <= 8 || fs[0].Status != FindingPersisting || fs[0].FirstSeen.String() != "2020-03-01" {
				t.Errorf("finding after fixture = %+v", fs)
			}
		})
	}
}

func TestDB_UnitEvidence(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	units := testUnits()
	id, err := db.BeginAudit(ctx, AuditMeta{StartedAt: t0, AsOf: evidence.MustParseDate("2020-03-01")}, units)
	if err != nil {
		t.Fatal(err)
	}
	ue := testEvidence(units[0], 5)
	if err := db.SaveUnitEvidence(ctx, id, ue, nil); err != nil {
		t.Fatalf("SaveUnitEvidence: %v", err)
	}

	t.Run("round trip", func(t *testing.T) {
		got, err := db.UnitEvidence(ctx, id, "finance")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(ue, got, cmpopts.IgnoreFields(evidence.UnitEvidence{}, "Bodies")); diff != "" {
			t.Errorf("evidence round trip (-saved +read):\n%s", diff)
		}
	})

	t.Run("fetch rows deduplicated", func(t *testing.T) {
		all, err := db.Fetches(ctx, id, "finance", "")
		if err != nil {
			t.Fatal(err)
		}
		// portal + 5 list pages + link check; the reach attempt and the
		// link's fetch repeat records already in Fetches.
		if len(all) != 7 {
			t.Fatalf("got %d fetch rows, want 7", len(all))
		}
		want := ue.Fetches[0]
		want.Meta, want.ETag = nil, ""
		if diff := cmp.Diff(want, all[0].Fetch); diff != "" {
			t.Errorf("portal fetch row (-want +got):\n%s", diff)
		}
		if all[0].Unit != "finance" || all[0].AuditID != id {
			t.Errorf("fetch row names unit %q audit %d", all[0].Unit, all[0].AuditID)
		}
		var pages, errs int
		var reachable bool
		db.db.QueryRowContext(ctx, `SELECT pages, errors, reachable FROM unit_evidence WHERE audit_id = ? AND unit_id = ?`, id, "finance").Scan(&pages, &errs, &reachable)
		if pages != 7 || errs != 1 || !reachable {
			t.Errorf("unit_evidence pages %d errors %d reachable %v, want 7 1 true", pages, errs, reachable)
		}
	})

	t.Run("fetches by url", func(t *testing.T) {
		got, err := db.Fetches(ctx, id, "", units[0].URL+"files/a.pdf")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Status != 404 || got[0].Class != evidence.ClassStatus {
			t.Errorf("fetches of the pdf = %+v", got)
		}
	})

	t.Run("saving again replaces", func(t *testing.T) {
		again := testEvidence(units[0], 2)
		if err := db.SaveUnitEvidence(ctx, id, again, nil); err != nil {
			t.Fatal(err)
		}
		all, _ := db.Fetches(ctx, id, "finance", "")
		if len(all) != 4 {
			t.Errorf("got %d fetch rows after saving again, want 4", len(all))
		}
		if err := db.SaveUnitEvidence(ctx, id, ue, nil); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("not found", func(t *testing.T) {
		if _, err := db.UnitEvidence(ctx, id, "town-a"); !errors.Is(err, ErrNotFound) {
			t.Errorf("UnitEvidence of unsaved unit: got %v, want ErrNotFound", err)
		}
		stranger := evidence.Unit{ID: "stranger", Name: "外单位", Type: "bureau", URL: "http://x/"}
		if err := db.SaveUnitEvidence(ctx, id, testEvidence(stranger, 1), nil); !errors.Is(err, ErrNotFound) {
			t.Errorf("SaveUnitEvidence of a unit off the roster: got %v, want ErrNotFound", err)
		}
		if _, err := db.Body(ctx, sha([]byte("never kept"))); !errors.Is(err, ErrNotFound) {
			t.Errorf("Body: got %v, want ErrNotFound", err)
		}
	})
}

func TestDB_Bodies(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	units := testUnits()
	page := []byte(strings.Repeat("<p>本单位不涉及此类信息</p>", 200))
	other := []byte("<html>维护中</html>")

	for i := 0; i < 2; i++ {
		id, err := db.BeginAudit(ctx, AuditMeta{StartedAt: t0, AsOf: evidence.MustParseDate("2020-03-01")}, units)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range units {
			keep := map[string][]byte{sha(page): gz.Compress(page)}
			if u.ID == "town-a" {
				keep[sha(other)] = gz.Compress(other)
			}
			if err := db.SaveUnitEvidence(ctx, id, testEvidence(u, 1), keep); err != nil {
				t.Fatal(err)
			}
		}
	}
	var n, size int
	if err := db.db.QueryRowContext(ctx, `SELECT count(*), sum(length(body)) FROM bodies`).Scan(&n, &size); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("bodies holds %d rows after four saves of two bodies, want 2", n)
	}
	if size >= len(page) {
		t.Errorf("stored bodies take %d bytes, not compressed (page is %d)", size, len(page))
	}
	for _, want := range [][]byte{page, other} {
		got, err := db.Body(ctx, sha(want))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("Body(%s) = %q, want %q", sha(want)[:8], got, want)
		}
	}

	t.Run("mismatched hash is refused", func(t *testing.T) {
		id, _ := db.BeginAudit(ctx, AuditMeta{StartedAt: t0}, units)
		err := db.SaveUnitEvidence(ctx, id, testEvidence(units[0], 1), map[string][]byte{sha(page): gz.Compress(other)})
		if err == nil || !strings.Contains(err.Error(), "content hashes to") {
			t.Fatalf("got %v, want a hash mismatch", err)
		}
		if _, err := db.UnitEvidence(ctx, id, units[0].ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("evidence saved despite the refused body: %v", err)
		}
	})
}

// audit is one step of a status scenario: an audit with its final status,
// scored with findings that have the given fingerprints ("unit|kind|column|").
type auditStep struct {
	asOf   string
	status string // final status; "" leaves it running
	found  []scoring.Finding
	// want maps a finding's column to "status first_seen".
	want map[string]string
	// wantResolved lists the columns of the findings resolved since.
	wantResolved []string
}

func finding(unit, column string, points float64) scoring.Finding {
	return scoring.Finding{Unit: unit, UnitName: unit + "名", Kind: "column.stale", Rule: column + "-age",
		Column: column, Severity: "deduction", Points: points, Nominal: points, URL: "http://u/" + column,
		Detail: "过期", Basis: "条例", Dimension: "timeliness", Indicator: column,
		Evidence: []scoring.Ref{{URL: "http://u/" + column, FetchedAt: t0.UTC(), Status: 200, Class: evidence.ClassOK, Note: "最新一条"}}}
}

func TestDB_FindingStatuses(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	units := testUnits()
	steps := []auditStep{
		{asOf: "2020-01-01", status: AuditComplete,
			found: []scoring.Finding{finding("finance", "news", 2), finding("finance", "budget", 1)},
			want:  map[string]string{"news": "new 2020-01-01", "budget": "new 2020-01-01"}},
		// Incomplete: never the previous audit.
		{asOf: "2020-02-01", status: AuditIncomplete,
			found:        []scoring.Finding{finding("finance", "news", 2), finding("finance", "planning", 1)},
			want:         map[string]string{"news": "persisting 2020-01-01", "planning": "new 2020-02-01"},
			wantResolved: []string{"budget"}},
		{asOf: "2020-03-01", status: AuditComplete,
			found:        []scoring.Finding{finding("finance", "news", 2), finding("finance", "planning", 1)},
			want:         map[string]string{"news": "persisting 2020-01-01", "planning": "new 2020-03-01"},
			wantResolved: []string{"budget"}},
		// budget comes back: new again, its first_seen restarts.
		{asOf: "2020-04-01", status: AuditComplete,
			found:        []scoring.Finding{finding("finance", "news", 2), finding("finance", "budget", 1)},
			want:         map[string]string{"news": "persisting 2020-01-01", "budget": "new 2020-04-01"},
			wantResolved: []string{"planning"}},
		// Still running: compared with the audit of 2020-04-01.
		{asOf: "2020-05-01",
			found:        []scoring.Finding{finding("finance", "budget", 1)},
			want:         map[string]string{"budget": "persisting 2020-04-01"},
			wantResolved: []string{"news"}},
	}
	for i, st := range steps {
		t.Run(st.asOf, func(t *testing.T) {
			asOf := evidence.MustParseDate(st.asOf)
			id, err := db.BeginAudit(ctx, AuditMeta{StartedAt: asOf.Time(), AsOf: asOf}, units)
			if err != nil {
				t.Fatal(err)
			}
			res := &scoring.Result{AsOf: asOf, Findings: st.found, Units: []scoring.UnitScore{
				{Unit: "finance", UnitName: "区财政局", Total: 100 - float64(i), Rank: 2},
				{Unit: "town-a", UnitName: "甲镇", Total: 100, Rank: 1},
			}}
			sid, err := db.SaveScoring(ctx, id, res, asOf.Time())
			if err != nil {
				t.Fatal(err)
			}
			if st.status != "" {
				if err := db.FinishAudit(ctx, id, st.status, asOf.Time().Add(time.Hour)); err != nil {
					t.Fatal(err)
				}
			}
			got, err := db.Findings(ctx, sid, FindingFilter{})
			if err != nil {
				t.Fatal(err)
			}
			gotStatus := map[string]string{}
			for _, f := range got {
				gotStatus[f.Column] = f.Status + " " + f.FirstSeen.String()
				if f.AuditID != id || f.ScoringID != sid {
					t.Errorf("finding %d: audit %d scoring %d, want %d %d", f.ID, f.AuditID, f.ScoringID, id, sid)
				}
			}
			if diff := cmp.Diff(st.want, gotStatus); diff != "" {
				t.Errorf("statuses (-want +got):\n%s", diff)
			}
			resolved, err := db.ResolvedFindings(ctx, sid)
			if err != nil {
				t.Fatal(err)
			}
			var gotResolved []string
			for _, f := range resolved {
				if f.Status != FindingResolved {
					t.Errorf("resolved finding %d has status %q", f.ID, f.Status)
				}
				gotResolved = append(gotResolved, f.Column)
			}
			if diff := cmp.Diff(st.wantResolved, gotResolved); diff != "" {
				t.Errorf("resolved (-want +got):\n%s", diff)
			}
			viaFilter, err := db.Findings(ctx, sid, FindingFilter{Status: FindingResolved})
			if err != nil || len(viaFilter) != len(resolved) {
				t.Errorf("Findings(status resolved) = %d findings, %v; want %d", len(viaFilter), err, len(resolved))
			}
		})
	}

	t.Run("rescoring makes the newest scoring current", func(t *testing.T) {
		last, err := db.LatestAudit(ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		if last.AsOf.String() != "2020-04-01" {
			t.Fatalf("latest complete audit as of %s, want 2020-04-01", last.AsOf)
		}
		// Rescore 2020-04-01 without the budget finding; the running audit
		// after it is then compared with the new scoring.
		sid, err := db.SaveScoring(ctx, last.ID, &scoring.Result{AsOf: last.AsOf,
			Findings: []scoring.Finding{finding("finance", "news", 2)}}, t0)
		if err != nil {
			t.Fatal(err)
		}
		cur, err := db.CurrentScoring(ctx, last.ID)
		if err != nil || cur.ID != sid {
			t.Fatalf("CurrentScoring = %+v, %v; want id %d", cur, err, sid)
		}
		running, _ := db.LatestAudit(ctx, false)
		rsc, _ := db.CurrentScoring(ctx, running.ID)
		resolved, _ := db.ResolvedFindings(ctx, rsc.ID)
		if len(resolved) != 1 || resolved[0].Column != "news" {
			t.Errorf("resolved against the rescoring = %+v, want news", resolved)
		}
	})

	t.Run("filters", func(t *testing.T) {
		running, _ := db.LatestAudit(ctx, false)
		prev, _ := db.PreviousAudit(ctx, running.ID)
		psc, err := db.CurrentScoring(ctx, prev.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			f    FindingFilter
			want int
		}{
			{FindingFilter{}, 1},
			{FindingFilter{Unit: "finance"}, 1},
			{FindingFilter{Unit: "town-a"}, 0},
			{FindingFilter{Kind: "column.stale", Severity: "deduction", Status: FindingPersisting}, 1},
			{FindingFilter{Status: FindingNew}, 0},
		} {
			got, err := db.Findings(ctx, psc.ID, tt.f)
			if err != nil || len(got) != tt.want {
				t.Errorf("Findings(%+v) = %d, %v; want %d", tt.f, len(got), err, tt.want)
			}
		}
	})
}

func TestDB_ScoresAndFinding(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	units := testUnits()
	res := &scoring.Result{
		AsOf: evidence.MustParseDate("2020-03-01"), WindowFrom: evidence.MustParseDate("2019-03-01"),
		WindowTo: evidence.MustParseDate("2020-02-29"), RulesetName: "默认", RulesetVersion: "2026.1", RulesetHash: "h",
		Units: []scoring.UnitScore{
			{Unit: "finance", UnitName: "区财政局", UnitType: "bureau", Total: 97.5, Deducted: 2.5, Grade: "优秀", Rank: 1,
				Dimensions: []scoring.DimensionScore{{ID: "completeness", Name: "完整性", Score: 37.5, Max: 40, Deduct: 2.5}},
				Findings:   map[string]int{"deduction": 1}},
			{Unit: "town-a", UnitName: "甲镇", UnitType: "township", Total: 0, Deducted: 0, Veto: true,
				VetoReasons: []string{"网站无法访问"}, Grade: "不合格", Rank: 2, Findings: map[string]int{"veto": 1}},
		},
		Findings: []scoring.Finding{finding("finance", "news", 2.5)},
	}
	first, err := db.BeginAudit(ctx, AuditMeta{StartedAt: t0, AsOf: res.AsOf, RulesetName: "默认", UnitsFile: "units.yaml", Note: "周检"}, units)
	if err != nil {
		t.Fatal(err)
	}
	if prev, err := db.PreviousScores(ctx, first); err != nil || prev != nil {
		t.Errorf("PreviousScores with no previous audit = %v, %v; want nil, nil", prev, err)
	}
	if _, err := db.PreviousAudit(ctx, first); !errors.Is(err, ErrNotFound) {
		t.Errorf("PreviousAudit: got %v, want ErrNotFound", err)
	}
	sid, err := db.SaveScoring(ctx, first, res, t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.FinishAudit(ctx, first, AuditComplete, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}

	got, err := db.Scores(ctx, sid)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(res.Units, got); diff != "" {
		t.Errorf("scores (-saved +read):\n%s", diff)
	}
	sc, err := db.Scoring(ctx, sid)
	if err != nil {
		t.Fatal(err)
	}
	wantSc := &Scoring{ID: sid, AuditID: first, CreatedAt: t0.UTC(), AsOf: res.AsOf, WindowFrom: res.WindowFrom,
		WindowTo: res.WindowTo, RulesetName: "默认", RulesetVersion: "2026.1", RulesetHash: "h"}
	if diff := cmp.Diff(wantSc, sc); diff != "" {
		t.Errorf("scoring (-want +got):\n%s", diff)
	}
	fs, _ := db.Findings(ctx, sid, FindingFilter{})
	f, err := db.Finding(ctx, fs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	want := StoredFinding{Finding: res.Findings[0], ID: fs[0].ID, ScoringID: sid, AuditID: first,
		Status: FindingNew, FirstSeen: res.AsOf}
	if diff := cmp.Diff(want, *f); diff != "" {
		t.Errorf("finding (-want +got):\n%s", diff)
	}
	if _, err := db.Finding(ctx, 9999); !errors.Is(err, ErrNotFound) {
		t.Errorf("Finding(9999): got %v, want ErrNotFound", err)
	}

	a, err := db.Audit(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	wantA := &Audit{ID: first, StartedAt: t0.UTC(), FinishedAt: t0.Add(time.Hour).UTC(), AsOf: res.AsOf,
		Status: AuditComplete, RulesetName: "默认", UnitsFile: "units.yaml", Note: "周检", Units: 2}
	if diff := cmp.Diff(wantA, a); diff != "" {
		t.Errorf("audit (-want +got):\n%s", diff)
	}
	roster, err := db.Units(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(units, roster); diff != "" {
		t.Errorf("roster (-want +got):\n%s", diff)
	}

	second, _ := db.BeginAudit(ctx, AuditMeta{StartedAt: t0, AsOf: res.AsOf}, units)
	prev, err := db.PreviousScores(ctx, second)
	if err != nil {
		t.Fatal(err)
	}
	if len(prev) != 2 || prev["finance"].Total != 97.5 || prev["town-a"].Rank != 2 {
		t.Errorf("PreviousScores = %+v", prev)
	}
	if _, err := db.CurrentScoring(ctx, second); !errors.Is(err, ErrNotFound) {
		t.Errorf("CurrentScoring of an unscored audit: got %v, want ErrNotFound", err)
	}
}

func TestDB_Audits(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	if _, err := db.LatestAudit(ctx, false); !errors.Is(err, ErrNotFound) {
		t.Errorf("LatestAudit of an empty database: got %v, want ErrNotFound", err)
	}
	if _, err := db.Audit(ctx, 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("Audit(1): got %v, want ErrNotFound", err)
	}
	var ids []int64
	for i := 0; i < 4; i++ {
		id, err := db.BeginAudit(ctx, AuditMeta{StartedAt: t0.Add(time.Duration(i) * time.Hour), AsOf: evidence.DateOf(t0)}, testUnits())
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := db.FinishAudit(ctx, ids[0], AuditComplete, t0); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishAudit(ctx, ids[1], AuditIncomplete, t0); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishAudit(ctx, ids[2], "done", t0); err == nil {
		t.Error("FinishAudit accepted status \"done\"")
	}
	if err := db.FinishAudit(ctx, 999, AuditComplete, t0); !errors.Is(err, ErrNotFound) {
		t.Errorf("FinishAudit(999): got %v, want ErrNotFound", err)
	}

	n, err := db.MarkRunningIncomplete(ctx)
	if err != nil || n != 2 {
		t.Fatalf("MarkRunningIncomplete = %d, %v; want 2", n, err)
	}
	if n, _ := db.MarkRunningIncomplete(ctx); n != 0 {
		t.Errorf("second MarkRunningIncomplete marked %d", n)
	}
	all, err := db.Audits(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range all {
		got = append(got, fmt.Sprintf("%d %s", a.ID, a.Status))
	}
	want := []string{"4 incomplete", "3 incomplete", "2 incomplete", "1 complete"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("audits (-want +got):\n%s", diff)
	}
	latest, err := db.LatestAudit(ctx, false)
	if err != nil || latest.ID != ids[3] {
		t.Errorf("LatestAudit(false) = %+v, %v", latest, err)
	}
	latest, err = db.LatestAudit(ctx, true)
	if err != nil || latest.ID != ids[0] {
		t.Errorf("LatestAudit(true) = %+v, %v", latest, err)
	}
	if !all[0].FinishedAt.IsZero() {
		t.Errorf("an audit marked incomplete got a finish time %v", all[0].FinishedAt)
	}

	// Only an incomplete audit reopens, to be resumed.
	if err := db.ReopenAudit(ctx, ids[0]); !errors.Is(err, ErrNotResumable) {
		t.Errorf("ReopenAudit of a complete audit: %v", err)
	}
	if err := db.ReopenAudit(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("ReopenAudit(999): %v", err)
	}
	if err := db.ReopenAudit(ctx, ids[1]); err != nil {
		t.Fatal(err)
	}
	if a, _ := db.Audit(ctx, ids[1]); a.Status != AuditRunning || !a.FinishedAt.IsZero() {
		t.Errorf("reopened audit: %s, finished %v", a.Status, a.FinishedAt)
	}
	if err := db.ReopenAudit(ctx, ids[1]); !errors.Is(err, ErrNotResumable) {
		t.Errorf("ReopenAudit of a running audit: %v", err)
	}
	if stored, err := db.StoredUnits(ctx, ids[1]); err != nil || len(stored) != 0 {
		t.Errorf("StoredUnits of an audit without evidence: %v, %v", stored, err)
	}
	if err := db.IntegrityCheck(ctx); err != nil {
		t.Error(err)
	}
}

func TestDB_ConcurrentReaders(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "g.db")
	writer, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	// A second handle, as `gongkai serve` reading while `gongkai audit` writes.
	reader, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()

	var units []evidence.Unit
	for i := 0; i < 30; i++ {
		units = append(units, evidence.Unit{ID: fmt.Sprintf("u%02d", i), Name: fmt.Sprintf("单位%d", i), Type: "bureau", URL: fmt.Sprintf("http://127.0.0.1:%d/", 9000+i)})
	}
	id, err := writer.BeginAudit(ctx, AuditMeta{StartedAt: t0, AsOf: evidence.DateOf(t0)}, units)
	if err != nil {
		t.Fatal(err)
	}

	done := make(chan struct{})
	errc := make(chan error, 16)
	var wg sync.WaitGroup
	for r := 0; r < 4; r++ {
		db := reader
		if r%2 == 1 {
			db = writer
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-done:
					return
				default:
				}
				if _, err := db.LatestAudit(ctx, false); err != nil {
					errc <- err
					return
				}
				if _, err := db.Fetches(ctx, id, units[n%len(units)].ID, ""); err != nil {
					errc <- err
					return
				}
			}
		}()
	}
	// Two goroutines writing through the same handle.
	var wwg sync.WaitGroup
	for w := 0; w < 2; w++ {
		wwg.Add(1)
		go func(w int) {
			defer wwg.Done()
			for i := w; i < len(units); i += 2 {
				if err := writer.SaveUnitEvidence(ctx, id, testEvidence(units[i], 50), nil); err != nil {
					errc <- err
					return
				}
			}
		}(w)
	}
	wwg.Wait()
	close(done)
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
	got, err := reader.Fetches(ctx, id, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if want := len(units) * 52; len(got) != want {
		t.Errorf("got %d fetch rows, want %d", len(got), want)
	}
}

func TestDB_IntegrityCheck(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	units := testUnits()
	id, _ := db.BeginAudit(ctx, AuditMeta{StartedAt: t0, AsOf: evidence.DateOf(t0)}, units)
	body := []byte("<html>证据</html>")
	for _, u := range units {
		if err := db.SaveUnitEvidence(ctx, id, testEvidence(u, 20), map[string][]byte{sha(body): gz.Compress(body)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.SaveScoring(ctx, id, &scoring.Result{AsOf: evidence.DateOf(t0),
		Units:    []scoring.UnitScore{{Unit: "finance", Rank: 1}},
		Findings: []scoring.Finding{finding("finance", "news", 1)}}, t0); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishAudit(ctx, id, AuditComplete, t0); err != nil {
		t.Fatal(err)
	}
	var ok string
	if err := db.db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
		t.Errorf("integrity_check = %q, %v", ok, err)
	}
	rows, err := db.db.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if rows.Next() {
		t.Error("foreign_key_check reports violations")
	}
}

func BenchmarkSaveUnitEvidence(b *testing.B) {
	ctx := context.Background()
	db := openTest(b)
	units := make([]evidence.Unit, b.N)
	for i := range units {
		units[i] = evidence.Unit{ID: fmt.Sprintf("u%d", i), Name: "区财政局", Type: "bureau", URL: fmt.Sprintf("http://127.0.0.1:%d/", 8000+i%1000)}
	}
	id, err := db.BeginAudit(ctx, AuditMeta{StartedAt: t0, AsOf: evidence.DateOf(t0)}, units)
	if err != nil {
		b.Fatal(err)
	}
	ues := make([]*evidence.UnitEvidence, b.N)
	for i := range ues {
		ues[i] = testEvidence(units[i], 248) // 250 fetch rows with the portal and the link check
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := db.SaveUnitEvidence(ctx, id, ues[i], nil); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*250), "ns/fetch")
}
