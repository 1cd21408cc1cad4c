package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// run runs gongkai with args and returns the exit code and both streams.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := Env{
		Stdout: &out, Stderr: &errb,
		Now:    func() time.Time { return time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC) },
		Getenv: func(string) string { return "" },
	}
	code := Main(context.Background(), args, env)
	return code, out.String(), errb.String()
}

func TestHelpForEverySubcommand(t *testing.T) {
	for _, sub := range []string{"demo", "audit", "rescore", "problems", "ranking", "sim", "inspect", "annual-report", "annual-report check", "evidence", "review", "rules", "rules check", "rules dump", "db", "db prune", "db backup", "db check", "db stats", "completion bash", "export", "notices", "report"} {
		t.Run(sub, func(t *testing.T) {
			args := append(strings.Fields(sub), "--help")
			code, out, _ := run(t, args...)
			if code != 0 || !strings.Contains(out, "Usage:") {
				t.Errorf("%s --help: code %d, output %q", sub, code, out)
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	units := filepath.Join(dir, "units.yaml")
	if err := os.WriteFile(units, []byte("units:\n  - id: a\n    name: 甲\n    type: bureau\n    url: http://127.0.0.1:1/\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown command", []string{"audti"}, 2, "unknown command"},
		{"unknown flag", []string{"audit", "--unist", "x"}, 2, "unknown flag"},
		{"audit without units", []string{"audit"}, 2, "--units is required"},
		{"future as-of", []string{"audit", "--units", units, "--as-of", "2027-01-01"}, 2, "in the future"},
		{"malformed as-of", []string{"audit", "--units", units, "--as-of", "2020/3/1"}, 2, "want YYYY-MM-DD"},
		{"bad format", []string{"problems", "--format", "xml"}, 2, "--format"},
		{"missing database", []string{"problems", "--db", filepath.Join(dir, "none.db")}, 1, "no database"},
		{"missing units file", []string{"audit", "--units", filepath.Join(dir, "none.yaml"), "--db", filepath.Join(dir, "x.db")}, 1, "units file"},
		{"dump needs a dir", []string{"rules", "dump"}, 2, "accepts 1 arg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errs := run(t, tt.args...)
			if code != tt.code || !strings.Contains(errs, tt.want) {
				t.Errorf("code %d (want %d), stderr %q (want %q)", code, tt.code, errs, tt.want)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "none.db")); err == nil {
		t.Errorf("a read command created a database")
	}
}

func TestRulesCheckAndDump(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "rules")
	code, out, errs := run(t, "rules", "dump", dir)
	if code != 0 || !strings.Contains(out, "checks.yaml") {
		t.Fatalf("dump: %d %q %q", code, out, errs)
	}
	if code, out, _ := run(t, "rules", "check", dir); code != 0 || !strings.HasPrefix(out, "ok:") {
		t.Fatalf("check of the dumped default: %d %q", code, out)
	}
	if code, _, errs := run(t, "rules", "dump", dir); code == 0 || !strings.Contains(errs, "exists") {
		t.Errorf("dump over existing files: %d %q", code, errs)
	}
	// Plant one mistake of each sort, in two files, and expect each listed
	// with its own line.
	plant := func(file, old, new string) {
		t.Helper()
		path := filepath.Join(dir, file)
		data, _ := os.ReadFile(path)
		if !strings.Contains(string(data), old) {
			t.Fatalf("%s lacks %q", file, old)
		}
		if err := os.WriteFile(path, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	plant("checks.yaml", "max_age: 14d", "max_age: 14x")
	plant("checks.yaml", "kind: presence", "kind: presense")
	plant("checks.yaml", "id: guide.non-empty", "id: guide.present")
	plant("checks.yaml", "indicator: links\n", "indicator: link\n")
	plant("checks.yaml", "    kind: periodic\n", "    kind: periodic\n    colour: red\n")
	plant("columns.yaml", "unit_types: [district]", "unit_types: [distrct]")
	plant("indicators.yaml", "    dimension: usability\n    points: 8", "    dimension: usability\n    points: 7")
	code, out, _ = run(t, "rules", "check", dir)
	if code != 1 {
		t.Errorf("check of a broken ruleset exited %d", code)
	}
	for _, want := range []string{
		`checks.yaml:`,
		`rule "news.max-age": max_age: bad duration "14x"`,
		`unknown kind "presense" (did you mean "presence"?)`,
		`rule "guide.present": id: duplicate id`,
		`rule "links.healthy": indicator: unknown indicator "link"`,
		`unknown field "colour"`,
		`columns.yaml:`,
		`column "gazette": unit_types: unknown unit type "distrct"`,
		`dimension "usability": points: 10, but its indicators add up to 9`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if !regexp.MustCompile(`^\S+\.yaml:\d+:\d+: `).MatchString(line) {
			t.Errorf("problem without file:line:col: %q", line)
		}
	}
}

// TestDemoThenReadCommands runs the demo into a temporary database, then the
// read commands on it.
func TestDemoThenReadCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("audits the simulated district")
	}
	db := filepath.Join(t.TempDir(), "demo.db")
	code, out, errs := run(t, "demo", "--db", db)
	if code != 0 {
		t.Fatalf("demo: %d\n%s\n%s", code, out, errs)
	}
	for _, want := range []string{"排名", "Problems by kind", "gongkai problems --db " + db} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	code, out, errs = run(t, "problems", "--db", db, "--format", "json")
	if code != 0 {
		t.Fatalf("problems: %d %s", code, errs)
	}
	var problems []map[string]any
	if err := json.Unmarshal([]byte(out), &problems); err != nil || len(problems) == 0 {
		t.Fatalf("problems json: %v (%d rows)", err, len(problems))
	}
	for _, k := range []string{"id", "unit", "unit_name", "kind", "rule", "column", "subject", "severity", "points", "url", "detail", "basis", "status", "first_seen"} {
		if _, ok := problems[0][k]; !ok {
			t.Errorf("problem lacks %q: %v", k, problems[0])
		}
	}
	code, out, _ = run(t, "ranking", "--db", db, "--format", "json")
	var ranking []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &ranking) != nil || len(ranking) != 47 {
		t.Fatalf("ranking json: code %d, %d rows", code, len(ranking))
	}
	code, out, _ = run(t, "rescore", "--db", db, "--format", "csv")
	if code != 0 || !strings.Contains(out, "rank") {
		t.Errorf("rescore: %d %q", code, out)
	}
	// Review: dismiss a finding of the current scoring; the problem list
	// drops it, evidence shows it.
	_, out, _ = run(t, "problems", "--db", db, "--format", "json")
	problems = nil
	if err := json.Unmarshal([]byte(out), &problems); err != nil {
		t.Fatal(err)
	}
	var target map[string]any
	for _, p := range problems {
		if p["severity"] == "deduction" && p["kind"] == "column.stale" {
			target = p
			break
		}
	}
	id := fmt.Sprint(target["id"])
	code, out, errs = run(t, "review", id, "--dismiss", "--reason", "页面缓存导致", "--by", "李四", "--db", db)
	if code != 0 || !strings.Contains(out, "dismissed by 李四") || !strings.Contains(out, "score") {
		t.Fatalf("review: %d %q %q", code, out, errs)
	}
	if code, _, errs := run(t, "review", id, "--db", db, "--reason", "x"); code != 2 || !strings.Contains(errs, "--dismiss or --confirm") {
		t.Errorf("review without a decision: %d %q", code, errs)
	}
	_, out, _ = run(t, "problems", "--db", db, "--format", "json")
	if strings.Contains(out, `"id": `+id+`,`) {
		t.Errorf("the dismissed finding %s is still listed", id)
	}
	_, out, _ = run(t, "problems", "--db", db, "--format", "json", "--include-dismissed")
	if !strings.Contains(out, `"id": `+id+`,`) {
		t.Errorf("--include-dismissed does not list finding %s", id)
	}
	code, out, errs = run(t, "evidence", id, "--db", db)
	if code != 0 || !strings.Contains(out, "evidence 1: http") || !strings.Contains(out, "dismissed by 李四") || !strings.Contains(out, "GET column") {
		t.Errorf("evidence: %d %q %q", code, out, errs)
	}
	code, out, _ = run(t, "evidence", id, "--db", db, "--body")
	if code != 0 || !strings.Contains(strings.ToLower(out), "<html") {
		t.Errorf("evidence --body: %d %.200q", code, out)
	}
	if code, _, _ := run(t, "evidence", "999999", "--db", db); code != 1 {
		t.Errorf("evidence of an unknown finding exited %d", code)
	}
	code, out, _ = run(t, "problems", "--db", db, "--kind", "link.broken", "--format", "csv", "--bom")
	if code != 0 || !strings.HasPrefix(out, "\ufeff") || strings.Count(out, "column.stale") != 0 {
		t.Errorf("filtered csv: %d %q", code, out[:min(len(out), 200)])
	}
}

func TestInspect(t *testing.T) {
	fixture := filepath.Join("..", "..", "crawler", "testdata", "pages", "hanweb-datastore.gbk.html")
	code, out, errs := run(t, "inspect", fixture, "--base", "http://czj.example.gov.cn/col/col1005/index.html", "--as-of", "2020-03-15")
	if code != 0 {
		t.Fatalf("inspect file: %d %s", code, errs)
	}
	for _, want := range []string{"charset:  gb18030", "list items (3)", "2020-02-20  怀柔区财政局2020年部门预算  http://czj.example.gov.cn/art/2020/2/20/art_1005_52001.html", "column links"} {
		if !strings.Contains(out, want) {
			t.Errorf("inspect output lacks %q:\n%s", want, out)
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<html><body><dl><dt>发文字号：</dt><dd>怀财发〔2020〕1号</dd><dt>成文日期：</dt><dd>2020年1月2日</dd></dl></body></html>`)
	}))
	defer srv.Close()
	code, out, errs = run(t, "inspect", srv.URL+"/doc.html", "--format", "json")
	if code != 0 {
		t.Fatalf("inspect URL: %d %s", code, errs)
	}
	var in map[string]any
	if err := json.Unmarshal([]byte(out), &in); err != nil {
		t.Fatal(err)
	}
	if in["written"] != "2020-01-02" || in["class"] != "ok" {
		t.Errorf("inspect json: %v", in)
	}
	if code, _, _ := run(t, "inspect", "ftp://x/"); code != 1 {
		t.Errorf("ftp URL accepted")
	}
}

func TestAnnualReportCheck(t *testing.T) {
	seed := filepath.Join("..", "..", "testdata", "seed", "huairou-2019-annual-report.txt")
	code, out, errs := run(t, "annual-report", "check", seed, "--published", "2020-04-02", "--unit-type", "district")
	if code != 0 {
		t.Fatalf("seed: %d %s", code, errs)
	}
	for _, want := range []string{"year:     2019", "sections: [1 2 3 4 5 6]", "197", "report.late", "晚于2020-03-31", "缺少表三"} {
		if !strings.Contains(out, want) {
			t.Errorf("seed output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "report.inconsistent") {
		t.Errorf("197 + 4 = 200 + 1 holds, yet:\n%s", out)
	}
	fixture := filepath.Join("..", "..", "crawler", "testdata", "reports", "report-2021.html")
	body, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	// Plant an inconsistency: 本年新收 of 自然人 120 becomes 121.
	broken := strings.Replace(string(body), "<td colspan=\"3\">一、本年新收政府信息公开申请数量</td><td>120</td>", "<td colspan=\"3\">一、本年新收政府信息公开申请数量</td><td>121</td>", 1)
	if broken == string(body) {
		t.Fatal("plant failed")
	}
	path := filepath.Join(t.TempDir(), "broken.html")
	os.WriteFile(path, []byte(broken), 0o644)
	code, out, errs = run(t, "annual-report", "check", path, "--format", "json")
	if code != 0 {
		t.Fatalf("check: %d %s", code, errs)
	}
	var res struct {
		Report map[string]any   `json:"report"`
		Issues []map[string]any `json:"issues"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, i := range res.Issues {
		got = append(got, i["identity"].(string))
	}
	want := []string{"table 3 balance, 自然人", "table 3 row sum, 本年新收"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("issues (-want +got):\n%s", diff)
	}
}

// TestServeFlagsOverrideTheConfig: a flag replaces the file's value, and an
// error about it names the flag rather than the file's line.
func TestServeFlagsOverrideTheConfig(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "gongkai.yaml")
	if err := os.WriteFile(cfg, []byte("units: u.yaml\nlisten: nope\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := run(t, "serve", "--config", cfg)
	if code != exitUsage || !strings.Contains(stderr, cfg+":2:") {
		t.Errorf("bad listen in the file: exit %d, %s", code, stderr)
	}
	code, _, stderr = run(t, "serve", "--config", cfg, "--listen", "still-nope")
	if code != exitUsage || !strings.Contains(stderr, "--listen") || strings.Contains(stderr, cfg+":2:") {
		t.Errorf("bad --listen over the file's: exit %d, %s", code, stderr)
	}
	// A good --listen fixes the file's; serve then fails on the missing units file.
	code, _, stderr = run(t, "serve", "--config", cfg, "--listen", "127.0.0.1:0", "--db", filepath.Join(dir, "g.db"))
	if code == exitOK || !strings.Contains(stderr, "u.yaml") || strings.Contains(stderr, "listen") {
		t.Errorf("good --listen over the file's: exit %d, %s", code, stderr)
	}
}

// TestAudit_BadInputRefusedBeforeAnyRequest: every kind of mistake in a
// units file, a rules directory or the as-of date stops `audit` with the
// file:line (or the flag) and a non-zero exit, before a single request
// reaches the units' sites.
func TestAudit_BadInputRefusedBeforeAnyRequest(t *testing.T) {
	var requests atomic.Int32
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		fmt.Fprint(w, "<html><body>ok</body></html>")
	}))
	defer site.Close()
	dir := t.TempDir()
	good := fmt.Sprintf("units:\n  - id: finance\n    name: 区财政局\n    type: bureau\n    url: %s/\n", site.URL)
	rulesDir := filepath.Join(dir, "rules")
	if code, _, errs := run(t, "rules", "dump", rulesDir); code != 0 {
		t.Fatal(errs)
	}
	checks := filepath.Join(rulesDir, "checks.yaml")
	data, _ := os.ReadFile(checks)
	if err := os.WriteFile(checks, []byte(strings.Replace(string(data), "kind: presence", "kind: presense", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, units string
		args        []string
		// want are substrings of stderr; "@" stands for the units file.
		want []string
	}{
		{"yaml syntax", "units:\n  - id: [finance\n", nil, []string{"@:"}},
		{"not a list", "units: finance\n", nil, []string{"@:1:"}},
		{"duplicate ids", good + "  - id: finance\n    name: 另一个\n    type: bureau\n    url: " + site.URL + "/x/\n", nil, []string{"@:6:", "duplicate"}},
		{"unknown type", strings.Replace(good, "type: bureau", "type: buro", 1), nil, []string{"@:4:", "buro"}},
		{"ftp URL", strings.Replace(good, "url: "+site.URL+"/", "url: ftp://example.org/", 1), nil, []string{"@:5:", "url"}},
		{"URL without host", strings.Replace(good, "url: "+site.URL+"/", "url: /zwgk/", 1), nil, []string{"@:5:", "url"}},
		{"wrong type", strings.Replace(good, "name: 区财政局", "name: [区财政局]", 1), nil, []string{"@:3:", "name"}},
		{"unknown key", good + "    colour: red\n", nil, []string{"@:6:", "colour"}},
		{"missing name", strings.Replace(good, "    name: 区财政局\n", "", 1), nil, []string{"@:2:", "name"}},
		{"unknown column override", good + "    columns:\n      guidance: " + site.URL + "/g/\n", nil, []string{"@:7:", "guidance"}},
		{"missing CA bundle", good + "    ca_file: district-ca.pem\n", nil, []string{"@:6:", "ca_file", "district-ca.pem", "no such file"}},
		{"broken rules", good, []string{"--rules", rulesDir}, []string{"checks.yaml:", "presense"}},
		{"malformed as-of", good, []string{"--as-of", "2026-02-30"}, []string{"--as-of"}},
		{"future as-of", good, []string{"--as-of", "2027-01-01"}, []string{"--as-of", "future"}},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, fmt.Sprintf("units-%d.yaml", i))
			if err := os.WriteFile(path, []byte(tc.units), 0o644); err != nil {
				t.Fatal(err)
			}
			db := filepath.Join(dir, fmt.Sprintf("db-%d.db", i))
			code, _, stderr := run(t, append([]string{"audit", "--units", path, "--db", db}, tc.args...)...)
			if code == 0 {
				t.Fatalf("exit 0 for %s", tc.name)
			}
			for _, w := range tc.want {
				w = strings.ReplaceAll(w, "@", path)
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			if n := requests.Load(); n != 0 {
				t.Fatalf("%d requests reached the site", n)
			}
		})
	}
	// The same file without the mistake is audited (the site is reached).
	path := filepath.Join(dir, "good.yaml")
	os.WriteFile(path, []byte(good), 0o644)
	if code, _, stderr := run(t, "audit", "--units", path, "--db", filepath.Join(dir, "good.db"), "--as-of", "2026-03-01", "--reach-attempts", "1"); code != 0 || requests.Load() == 0 {
		t.Errorf("the good file: exit %d, %d requests: %s", code, requests.Load(), stderr)
	}
}

// TestAudit_DeprecatedKeyWarns: a units file that writes a crawl setting
// under its old name is read, and audit warns naming file:line and the
// new key (here the audit stops at the unknown unit type, before any
// request).
func TestAudit_DeprecatedKeyWarns(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "units.yaml")
	if err := os.WriteFile(path, []byte("crawl:\n  parallelism: 2\nunits:\n  - {id: a, name: 甲, type: nosuchtype, url: \"http://127.0.0.1:1/\"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, errs := run(t, "audit", "--units", path, "--db", filepath.Join(dir, "a.db"))
	want := "gongkai: warning: " + path + ":2:3: crawl.parallelism: deprecated: write per_host instead"
	if !strings.Contains(errs, want) {
		t.Errorf("stderr does not say %q:\n%s", want, errs)
	}
}
