package dashboards

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"gongkai/internal/servertest"
	"gongkai/server"
)

// requireEnv set to 1 turns the skips for a missing promtool or prometheus
// into failures; .ci/run sets it.
const requireEnv = "GONGKAI_REQUIRE_PROMETHEUS"

// tool returns the path of the external program name (Debian's package
// prometheus has both promtool and prometheus). It skips t when the
// program is missing, or fails t when requireEnv is 1.
func tool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv(requireEnv) == "1" {
			t.Fatalf("%s is required (%s=1): %v", name, requireEnv, err)
		}
		t.Skipf("%s not found (Debian package prometheus): %v", name, err)
	}
	return p
}

// The dashboard, as far as the tests read it.
type (
	dashboard struct {
		Inputs []struct {
			Name     string `json:"name"`
			Type     string `json:"type"`
			PluginID string `json:"pluginId"`
		} `json:"__inputs"`
		UID           string  `json:"uid"`
		Title         string  `json:"title"`
		SchemaVersion int     `json:"schemaVersion"`
		Panels        []panel `json:"panels"`
		Templating    struct {
			List []variable `json:"list"`
		} `json:"templating"`
	}
	datasource struct {
		Type string `json:"type"`
		UID  string `json:"uid"`
	}
	variable struct {
		Name       string      `json:"name"`
		Type       string      `json:"type"`
		Query      any         `json:"query"`
		Definition string      `json:"definition"`
		Datasource *datasource `json:"datasource"`
		Multi      bool        `json:"multi"`
		IncludeAll bool        `json:"includeAll"`
		AllValue   string      `json:"allValue"`
		Current    struct {
			Value any `json:"value"`
		} `json:"current"`
	}
	panel struct {
		ID          int         `json:"id"`
		Type        string      `json:"type"`
		Title       string      `json:"title"`
		Description string      `json:"description"`
		Datasource  *datasource `json:"datasource"`
		GridPos     struct {
			X, Y, W, H int
		} `json:"gridPos"`
		Targets         []target         `json:"targets"`
		Panels          []panel          `json:"panels"` // a collapsed row's
		Transformations []transformation `json:"transformations"`
	}
	transformation struct {
		ID string `json:"id"`
	}
	target struct {
		RefID      string      `json:"refId"`
		Expr       string      `json:"expr"`
		Instant    bool        `json:"instant"`
		Range      bool        `json:"range"`
		Format     string      `json:"format"`
		Datasource *datasource `json:"datasource"`
	}
)

// query is one target of a panel.
type query struct {
	Panel, PanelType, RefID, Expr string
	Instant                       bool
}

func (q query) String() string {
	return fmt.Sprintf("panel %q, query %s: %s", q.Panel, q.RefID, q.Expr)
}

func loadDashboard(t *testing.T) *dashboard {
	t.Helper()
	data, err := Files.ReadFile(DashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	var d dashboard
	if err := dec.Decode(&d); err != nil {
		t.Fatalf("%s: %v", DashboardFile, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		t.Fatalf("%s: data after the dashboard object", DashboardFile)
	}
	return &d
}

// allPanels returns the panels, rows included, and those of collapsed rows.
func (d *dashboard) allPanels() []panel {
	var ps []panel
	for _, p := range d.Panels {
		ps = append(ps, p)
		ps = append(ps, p.Panels...)
	}
	return ps
}

// queries returns every target of every panel.
func (d *dashboard) queries() []query {
	var qs []query
	for _, p := range d.allPanels() {
		for _, tg := range p.Targets {
			qs = append(qs, query{Panel: p.Title, PanelType: p.Type, RefID: tg.RefID, Expr: tg.Expr, Instant: tg.Instant})
		}
	}
	return qs
}

func (d *dashboard) variable(name string) *variable {
	for i := range d.Templating.List {
		if d.Templating.List[i].Name == name {
			return &d.Templating.List[i]
		}
	}
	return nil
}

// builtins are Grafana's variables the queries may use, with the values
// the tests give them against a Prometheus that has scraped every second
// for some seconds: each window spans all its scrapes, however slow the
// audits under test were.
var builtins = map[string]string{
	"__rate_interval": "1m",
	"__interval":      "5s",
	"__interval_ms":   "5000",
	"__range":         "5m",
	"__range_s":       "300",
	"__range_ms":      "300000",
}

// varRE matches a Grafana variable reference: $name, ${name}, ${name:format}.
var varRE = regexp.MustCompile(`\$(?:\{([A-Za-z_]\w*)(?::\w+)?\}|([A-Za-z_]\w*))`)

// expand replaces the Grafana variables in expr: the dashboard's own by
// their "All" value, the builtins by theirs. An unknown variable is an
// error.
func (d *dashboard) expand(expr string) (string, error) {
	var unknown []string
	out := varRE.ReplaceAllStringFunc(expr, func(m string) string {
		sm := varRE.FindStringSubmatch(m)
		name := sm[1] + sm[2]
		if v, ok := builtins[name]; ok {
			return v
		}
		if v := d.variable(name); v != nil && v.Type == "query" {
			if v.AllValue != "" {
				return v.AllValue
			}
			return ".*"
		}
		unknown = append(unknown, m)
		return m
	})
	if len(unknown) > 0 {
		return "", fmt.Errorf("unknown variables %v in %q", unknown, expr)
	}
	return out, nil
}

func TestDashboardStructure(t *testing.T) {
	d := loadDashboard(t)
	if d.UID == "" || d.Title == "" {
		t.Errorf("uid %q, title %q: both must be set", d.UID, d.Title)
	}
	if d.SchemaVersion < 36 {
		t.Errorf("schemaVersion %d: want at least 36 (data sources as objects)", d.SchemaVersion)
	}
	if len(d.Inputs) != 1 || d.Inputs[0].Name != "DS_PROMETHEUS" || d.Inputs[0].Type != "datasource" || d.Inputs[0].PluginID != "prometheus" {
		t.Errorf("__inputs = %+v, want the one Prometheus data source DS_PROMETHEUS", d.Inputs)
	}
	wantDS := datasource{Type: "prometheus", UID: "${datasource}"}
	if v := d.variable("datasource"); v == nil {
		t.Error("no datasource variable")
	} else if v.Type != "datasource" || v.Query != "prometheus" || v.Current.Value != "${DS_PROMETHEUS}" {
		t.Errorf("datasource variable: type %q, query %v, current %v; want a Prometheus data source defaulting to ${DS_PROMETHEUS}", v.Type, v.Query, v.Current.Value)
	}
	if v := d.variable("unit"); v == nil {
		t.Error("no unit variable")
	} else {
		if v.Type != "query" || v.Definition != "label_values(gongkai_unit_info, unit)" || !v.Multi || !v.IncludeAll {
			t.Errorf("unit variable: type %q, definition %q, multi %v, includeAll %v", v.Type, v.Definition, v.Multi, v.IncludeAll)
		}
		if v.Datasource == nil || *v.Datasource != wantDS {
			t.Errorf("unit variable's data source %+v, want %+v", v.Datasource, wantDS)
		}
	}

	ids := map[int]string{}
	titles := map[string]bool{}
	var boxes []panel
	for _, p := range d.allPanels() {
		if p.Title == "" {
			t.Errorf("panel %d has no title", p.ID)
		}
		if p.ID <= 0 {
			t.Errorf("panel %q: id %d", p.Title, p.ID)
		} else if other, ok := ids[p.ID]; ok {
			t.Errorf("panels %q and %q share id %d", other, p.Title, p.ID)
		}
		ids[p.ID] = p.Title
		if titles[p.Title] {
			t.Errorf("two panels are titled %q", p.Title)
		}
		titles[p.Title] = true
		g := p.GridPos
		if g.W <= 0 || g.H <= 0 || g.X < 0 || g.Y < 0 || g.X+g.W > 24 {
			t.Errorf("panel %q: gridPos %+v outside the 24 columns", p.Title, g)
		}
		for _, o := range boxes {
			h := o.GridPos
			if g.X < h.X+h.W && h.X < g.X+g.W && g.Y < h.Y+h.H && h.Y < g.Y+g.H {
				t.Errorf("panels %q %+v and %q %+v overlap", o.Title, h, p.Title, g)
			}
		}
		boxes = append(boxes, p)
		if p.Type == "row" {
			if len(p.Targets) > 0 {
				t.Errorf("row %q has targets", p.Title)
			}
			continue
		}
		if p.Description == "" {
			t.Errorf("panel %q has no description", p.Title)
		}
		if p.Datasource == nil || *p.Datasource != wantDS {
			t.Errorf("panel %q: data source %+v, want %+v", p.Title, p.Datasource, wantDS)
		}
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no targets", p.Title)
		}
		refs := map[string]bool{}
		for _, tg := range p.Targets {
			where := fmt.Sprintf("panel %q, query %q", p.Title, tg.RefID)
			if tg.RefID == "" || refs[tg.RefID] {
				t.Errorf("%s: refId empty or repeated", where)
			}
			refs[tg.RefID] = true
			if strings.TrimSpace(tg.Expr) == "" {
				t.Errorf("%s: no expr", where)
			}
			if tg.Datasource == nil || *tg.Datasource != wantDS {
				t.Errorf("%s: data source %+v, want %+v", where, tg.Datasource, wantDS)
			}
			// A time series panel draws range queries; the others show
			// the latest value: instant queries.
			if wantInstant := p.Type != "timeseries"; tg.Instant != wantInstant || tg.Range == wantInstant {
				t.Errorf("%s: instant %v, range %v on a %s panel", where, tg.Instant, tg.Range, p.Type)
			}
			if p.Type == "table" && tg.Format != "table" {
				t.Errorf("%s: format %q in a table", where, tg.Format)
			}
			if _, err := d.expand(tg.Expr); err != nil {
				t.Errorf("%s: %v", where, err)
			}
			for _, m := range metricNames(tg.Expr) {
				if !strings.HasPrefix(m, "gongkai_") && !strings.HasPrefix(m, "process_") {
					t.Errorf("%s: metric %s is not gongkai serve's", where, m)
				}
			}
		}
		// A table of several queries joins them by unit.
		if p.Type == "table" && len(p.Targets) > 1 && !slices.Contains(p.Transformations, transformation{ID: "merge"}) {
			t.Errorf("table %q has %d queries and no merge transformation", p.Title, len(p.Targets))
		}
	}
	// The four subjects, and the audit runs.
	for _, title := range []string{"District ranking", "Total score by unit", "Findings by kind", "Fetch errors by class", "Unreachable units", "Audits by result"} {
		if !titles[title] {
			t.Errorf("no panel %q", title)
		}
	}
}

// A rule file, as far as the tests read it.
type ruleFile struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []struct {
			Alert       string            `yaml:"alert"`
			Record      string            `yaml:"record"`
			Expr        string            `yaml:"expr"`
			For         string            `yaml:"for"`
			Labels      map[string]string `yaml:"labels"`
			Annotations map[string]string `yaml:"annotations"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

// ruleTests is a `promtool test rules` file, as far as the tests read it.
type ruleTests struct {
	RuleFiles []string `yaml:"rule_files"`
	Tests     []struct {
		AlertRuleTest []struct {
			Alertname string `yaml:"alertname"`
			ExpAlerts []any  `yaml:"exp_alerts"`
		} `yaml:"alert_rule_test"`
	} `yaml:"tests"`
}

// readYAML decodes the YAML file name of Files into v; strict, it fails on
// fields v does not have.
func readYAML(t *testing.T, name string, v any, strict bool) {
	t.Helper()
	data, err := Files.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(strict)
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

func TestAlertRules(t *testing.T) {
	var rf ruleFile
	readYAML(t, AlertsFile, &rf, true)
	var rt ruleTests
	readYAML(t, AlertsTestFile, &rt, false)
	if !slices.Equal(rt.RuleFiles, []string{AlertsFile}) {
		t.Errorf("%s tests %v, want [%s]", AlertsTestFile, rt.RuleFiles, AlertsFile)
	}
	fires, quiet := map[string]bool{}, map[string]bool{}
	for _, tc := range rt.Tests {
		for _, a := range tc.AlertRuleTest {
			if len(a.ExpAlerts) > 0 {
				fires[a.Alertname] = true
			} else {
				quiet[a.Alertname] = true
			}
		}
	}
	alerts := map[string]bool{}
	for _, g := range rf.Groups {
		for _, r := range g.Rules {
			if r.Alert == "" {
				continue
			}
			alerts[r.Alert] = true
			if r.For == "" {
				t.Errorf("%s: no for:", r.Alert)
			}
			if s := r.Labels["severity"]; s != "info" && s != "warning" && s != "critical" {
				t.Errorf("%s: severity %q, want info, warning or critical", r.Alert, s)
			}
			if r.Annotations["summary"] == "" || r.Annotations["description"] == "" {
				t.Errorf("%s: summary and description annotations are both needed", r.Alert)
			}
			if strings.Contains(r.Expr, "gongkai_unit_") && !strings.Contains(r.Annotations["summary"], "$labels.unit") {
				t.Errorf("%s: a per-unit alert whose summary does not name the unit ($labels.unit)", r.Alert)
			}
			if !fires[r.Alert] || !quiet[r.Alert] {
				t.Errorf("%s: %s must show it firing (%v) and not firing (%v)", r.Alert, AlertsTestFile, fires[r.Alert], quiet[r.Alert])
			}
		}
	}
	for _, a := range []string{"GongkaiUnitBelowPass", "GongkaiAuditFailed", "GongkaiAuditOverdue", "GongkaiSiteUnreachable"} {
		if !alerts[a] {
			t.Errorf("no alert %s", a)
		}
	}
}

// TestPromtoolRules checks the rule file and runs its unit tests, on the
// embedded files written out: they must stand on their own.
func TestPromtoolRules(t *testing.T) {
	promtool := tool(t, "promtool")
	dir := t.TempDir()
	if err := os.CopyFS(dir, Files); err != nil {
		t.Fatalf("write the files out: %v", err)
	}
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"check rules", []string{"check", "rules", AlertsFile}},
		{"test rules", []string{"test", "rules", AlertsTestFile}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(promtool, tc.args...)
			cmd.Dir = dir
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("promtool %s: %v\n%s", strings.Join(tc.args, " "), err, out)
			}
		})
	}
}

// Pieces of PromQL that metricNames drops before looking for names.
var (
	stringRE    = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|` + "`[^`]*`")
	matchersRE  = regexp.MustCompile(`\{[^}]*\}`)
	rangeRE     = regexp.MustCompile(`\[[^\]]*\]`)
	labelListRE = regexp.MustCompile(`\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)`)
	identRE     = regexp.MustCompile(`[A-Za-z_:][A-Za-z0-9_:]*`)
	keywords    = map[string]bool{"and": true, "or": true, "unless": true, "atan2": true, "bool": true,
		"offset": true, "by": true, "without": true, "on": true, "ignoring": true, "group_left": true,
		"group_right": true, "inf": true, "nan": true}
)

// metricNames returns the metric names a PromQL expression selects, in
// order of appearance, without repeats: identifiers outside strings, label
// matchers, ranges and label lists that are neither keywords nor called
// (functions, aggregations).
func metricNames(expr string) []string {
	e := stringRE.ReplaceAllString(expr, `""`)
	e = matchersRE.ReplaceAllString(e, " ")
	e = rangeRE.ReplaceAllString(e, " ")
	e = labelListRE.ReplaceAllString(e, " ")
	var names []string
	for _, loc := range identRE.FindAllStringIndex(e, -1) {
		name := e[loc[0]:loc[1]]
		if loc[0] > 0 && strings.ContainsRune("0123456789.$", rune(e[loc[0]-1])) {
			continue // 1e3, 5m, a variable
		}
		if keywords[strings.ToLower(name)] || strings.HasPrefix(strings.TrimLeft(e[loc[1]:], " \t\n"), "(") {
			continue
		}
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	return names
}

func TestMetricNames(t *testing.T) {
	for _, tc := range []struct {
		expr string
		want []string
	}{
		{`gongkai_unit_score`, []string{"gongkai_unit_score"}},
		{`sum by (kind) (gongkai_unit_findings{unit=~"$unit"})`, []string{"gongkai_unit_findings"}},
		{`rate(gongkai_unit_fetches_total{unit=~"$unit"}[$__rate_interval])`, []string{"gongkai_unit_fetches_total"}},
		{`a * on (job, instance, unit) group_left (name) b`, []string{"a", "b"}},
		{`time() - max(x) > 1.5 * (y > 0)`, []string{"x", "y"}},
		{`sum(r) or on () label_replace(vector(0), "class", "none", "", "")`, []string{"r"}},
		{`x offset 5m == bool y`, []string{"x", "y"}},
		{`count_values("level", g)`, []string{"g"}},
		{`1e3 * x and x`, []string{"x"}},
		{`sum without (le) (h_bucket{le="+Inf"}) / Inf`, []string{"h_bucket"}},
		{`histogram_quantile(0.9, sum by (le) (rate(d_bucket[5m])))`, []string{"d_bucket"}},
	} {
		if diff := cmp.Diff(tc.want, metricNames(tc.expr)); diff != "" {
			t.Errorf("metricNames(%q) (-want +got):\n%s", tc.expr, diff)
		}
	}
}

func TestExpand(t *testing.T) {
	d := loadDashboard(t)
	for _, tc := range []struct {
		expr, want string
		err        bool
	}{
		{`x{unit=~"$unit"}`, `x{unit=~".*"}`, false},
		{`x{unit=~"${unit}"}`, `x{unit=~".*"}`, false},
		{`x{unit=~"${unit:regex}"}`, `x{unit=~".*"}`, false},
		{`rate(x[$__rate_interval])`, `rate(x[1m])`, false},
		{`label_replace(x, "a", "$1", "b", "(.*)")`, `label_replace(x, "a", "$1", "b", "(.*)")`, false},
		{`x{unit=~"$nosuch"}`, "", true},
	} {
		got, err := d.expand(tc.expr)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("expand(%q) = %q, %v; want %q, error %v", tc.expr, got, err, tc.want, tc.err)
		}
	}
}

// TestAgainstService runs a real service over the sim, audits it twice,
// and checks its /metrics with promtool and the dashboard and alert rules
// with a real Prometheus scraping it.
func TestAgainstService(t *testing.T) {
	if testing.Short() {
		t.Skip("audits the sim")
	}
	d := loadDashboard(t)
	var rules ruleFile
	readYAML(t, AlertsFile, &rules, true)

	start := time.Now()
	step := func(what string) { t.Logf("%6.2fs %s", time.Since(start).Seconds(), what) }
	// A yearly schedule: next audit and interval are set, and no
	// scheduled run gets in the way.
	// Units unreachable in one audit are judged so at once (no
	// observation window of probes), so they alert as below pass.
	e := servertest.Start(t, servertest.Options{Units: 6, Schedule: "0 3 1 1 *", Config: func(c *server.Config) { c.UnreachableAfter = 0 }})
	step("service started")
	// The first audit runs while Prometheus starts; Prometheus watches
	// the second: counters grow, score changes appear.
	if _, err := e.Service.Trigger("test"); err != nil {
		t.Fatalf("trigger: %v", err)
	}
	var prom *promServer
	if bin, err := exec.LookPath("prometheus"); err == nil {
		prom = startPrometheus(t, bin, strings.TrimPrefix(e.URL, "http://"))
		prom.waitFor(t, `up{job="gongkai"} == 1`)
		step("prometheus scrapes the service")
	}
	e.Service.Wait()
	if _, last := e.Service.Status(); last == nil || last.Result != "complete" {
		t.Fatalf("the first audit did not complete: %+v", last)
	}
	step("first audit done")
	last := e.Audit(t)
	step("second audit done")
	if prom != nil {
		prom.waitFor(t, fmt.Sprintf(`gongkai_latest_audit_id == %d`, last.AuditID))
		prom.waitFor(t, `count_over_time(gongkai_latest_audit_id[1m]) >= 3`)
		step("prometheus scraped the second audit")
	}
	body := get(t, e.URL+"/metrics")

	t.Run("metric names", func(t *testing.T) {
		served := servedMetrics(body)
		for _, q := range d.queries() {
			for _, m := range metricNames(q.Expr) {
				if !served[m] {
					t.Errorf("%s: the service serves no metric %s", q, m)
				}
			}
		}
		for _, g := range rules.Groups {
			for _, r := range g.Rules {
				for _, m := range metricNames(r.Expr) {
					if !served[m] {
						t.Errorf("alert %s: the service serves no metric %s", r.Alert, m)
					}
				}
			}
		}
	})

	t.Run("promtool check metrics", func(t *testing.T) {
		promtool := tool(t, "promtool")
		cmd := exec.Command(promtool, "check", "metrics")
		cmd.Stdin = bytes.NewReader(body)
		out, err := cmd.CombinedOutput()
		if err != nil || len(bytes.TrimSpace(out)) > 0 {
			t.Errorf("promtool check metrics on /metrics: %v\n%s", err, out)
		}
	})

	t.Run("prometheus", func(t *testing.T) {
		tool(t, "prometheus")
		if prom == nil {
			t.Fatal("prometheus did not start")
		}
		t.Run("queries", func(t *testing.T) {
			end := time.Now()
			for _, q := range d.queries() {
				expr, err := d.expand(q.Expr)
				if err != nil {
					t.Errorf("%s: %v", q, err)
					continue
				}
				n, err := prom.query(expr, end)
				if err != nil {
					t.Errorf("%s: %v", q, err)
				} else if n == 0 {
					t.Errorf("%s: no data", q)
				}
				if q.Instant {
					continue
				}
				n, err = prom.queryRange(expr, prom.started, end, time.Second)
				if err != nil {
					t.Errorf("%s: range query: %v", q, err)
				} else if n == 0 {
					t.Errorf("%s: range query: no data", q)
				}
			}
		})
		t.Run("rules", func(t *testing.T) { prom.checkRules(t, rules) })
		t.Run("alerts", func(t *testing.T) { prom.checkAlerts(t) })
	})
}

// servedMetrics returns the names of the metrics in a text exposition:
// those of its samples and of its TYPE lines.
func servedMetrics(body []byte) map[string]bool {
	names := map[string]bool{}
	for _, line := range strings.Split(string(body), "\n") {
		if rest, ok := strings.CutPrefix(line, "# TYPE "); ok {
			if f := strings.Fields(rest); len(f) > 0 {
				names[f[0]] = true
			}
			continue
		}
		if line == "" || line[0] == '#' {
			continue
		}
		if i := strings.IndexAny(line, "{ "); i > 0 {
			names[line[:i]] = true
		}
	}
	return names
}

var client = &http.Client{Timeout: 10 * time.Second}

func get(t *testing.T, u string) []byte {
	t.Helper()
	resp, err := client.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s: %v", u, err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s\n%s", u, resp.Status, b)
	}
	return b
}

// promServer is a Prometheus run by a test.
type promServer struct {
	url     string
	started time.Time // when it became ready
}

// startPrometheus runs bin in a temporary directory, scraping target
// (host:port) every second as job "gongkai" and evaluating the alert rules
// every second, and waits until it is ready. It stops when t ends; its log
// is shown when t failed.
func startPrometheus(t *testing.T, bin, target string) *promServer {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, Files); err != nil {
		t.Fatalf("write the rules out: %v", err)
	}
	config := fmt.Sprintf(`global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - %s
scrape_configs:
  - job_name: gongkai
    static_configs:
      - targets: [%q]
`, AlertsFile, target)
	cfgPath := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfgPath, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	logPath := filepath.Join(dir, "prometheus.log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin,
		"--config.file="+cfgPath,
		"--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr,
		"--log.level=warn")
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		t.Fatalf("start prometheus: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait(); logf.Close() }()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
			t.Errorf("prometheus did not stop within 10 s of SIGINT")
		}
		if t.Failed() {
			log, _ := os.ReadFile(logPath)
			t.Logf("prometheus log:\n%s", log)
		}
	})
	p := &promServer{url: "http://" + addr}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := client.Get(p.url + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("prometheus exited: %v", err)
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("prometheus not ready within 30 s: %v", err)
		}
	}
	p.started = time.Now()
	return p
}

// freeAddr returns a loopback address with a port free right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// api GETs a Prometheus API path and decodes the data of a successful
// answer into data.
func (p *promServer) api(path string, params url.Values, data any) error {
	u := p.url + path
	if params != nil {
		u += "?" + params.Encode()
	}
	resp, err := client.Get(u)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var r struct {
		Status    string          `json:"status"`
		ErrorType string          `json:"errorType"`
		Error     string          `json:"error"`
		Data      json.RawMessage `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return fmt.Errorf("%s: %s: decode: %w", path, resp.Status, err)
	}
	if r.Status != "success" {
		return fmt.Errorf("%s: %s: %s", path, r.ErrorType, r.Error)
	}
	if err := json.Unmarshal(r.Data, data); err != nil {
		return fmt.Errorf("%s: decode data: %w", path, err)
	}
	return nil
}

// result is a query's result: vector and matrix results are lists, a
// scalar or string one a [time, value] pair.
type result struct {
	ResultType string            `json:"resultType"`
	Result     []json.RawMessage `json:"result"`
}

// len returns how many series the result has; a scalar counts as one.
func (r result) len() int {
	if r.ResultType == "scalar" || r.ResultType == "string" {
		return 1
	}
	return len(r.Result)
}

// query runs an instant query at ts and returns how many series it gave.
func (p *promServer) query(expr string, ts time.Time) (int, error) {
	var r result
	err := p.api("/api/v1/query", url.Values{"query": {expr}, "time": {unixString(ts)}}, &r)
	return r.len(), err
}

// queryRange runs a range query and returns how many series it gave.
func (p *promServer) queryRange(expr string, start, end time.Time, step time.Duration) (int, error) {
	var r result
	err := p.api("/api/v1/query_range", url.Values{"query": {expr}, "start": {unixString(start)},
		"end": {unixString(end)}, "step": {strconv.FormatFloat(step.Seconds(), 'f', -1, 64)}}, &r)
	return r.len(), err
}

func unixString(t time.Time) string {
	return strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', 3, 64)
}

// waitFor waits until expr gives data, for at most 30 s.
func (p *promServer) waitFor(t *testing.T, expr string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		n, err := p.query(expr, time.Now())
		if err != nil {
			t.Fatalf("query %s: %v", expr, err)
		}
		if n > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no data for %s within 30 s", expr)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// checkRules checks that Prometheus loaded every alert of the rule file
// and evaluates each without error.
func (p *promServer) checkRules(t *testing.T, rf ruleFile) {
	var want []string
	for _, g := range rf.Groups {
		for _, r := range g.Rules {
			want = append(want, r.Alert+r.Record)
		}
	}
	sort.Strings(want)
	type rule struct {
		Name      string `json:"name"`
		Health    string `json:"health"`
		LastError string `json:"lastError"`
	}
	var got []rule
	deadline := time.Now().Add(15 * time.Second)
	for {
		var data struct {
			Groups []struct {
				Rules []rule `json:"rules"`
			} `json:"groups"`
		}
		if err := p.api("/api/v1/rules", nil, &data); err != nil {
			t.Fatal(err)
		}
		got = got[:0]
		healthy := true
		for _, g := range data.Groups {
			for _, r := range g.Rules {
				got = append(got, r)
				healthy = healthy && r.Health == "ok"
			}
		}
		if healthy && len(got) > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	var names []string
	for _, r := range got {
		names = append(names, r.Name)
		if r.Health != "ok" {
			t.Errorf("rule %s: health %q: %s", r.Name, r.Health, r.LastError)
		}
	}
	sort.Strings(names)
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("rules loaded (-in %s +by Prometheus):\n%s", AlertsFile, diff)
	}
}

// checkAlerts checks the alerts against the sim: its unreachable units
// (there are some) alert, pending for now, as unreachable and below pass;
// the audits completed, so no audit alert is active.
func (p *promServer) checkAlerts(t *testing.T) {
	var r result
	if err := p.api("/api/v1/query", url.Values{"query": {`gongkai_unit_reachable == 0`}}, &r); err != nil {
		t.Fatal(err)
	}
	var down []string
	for _, raw := range r.Result {
		var s struct {
			Metric map[string]string `json:"metric"`
		}
		if err := json.Unmarshal(raw, &s); err != nil {
			t.Fatal(err)
		}
		down = append(down, s.Metric["unit"])
	}
	if len(down) == 0 {
		t.Fatal("the sim has no unreachable unit: nothing to alert on")
	}
	sort.Strings(down)
	type alert struct {
		Labels map[string]string `json:"labels"`
		State  string            `json:"state"`
	}
	var active map[string][]string // alert name → units
	deadline := time.Now().Add(15 * time.Second)
	for {
		var data struct {
			Alerts []alert `json:"alerts"`
		}
		if err := p.api("/api/v1/alerts", nil, &data); err != nil {
			t.Fatal(err)
		}
		active = map[string][]string{}
		for _, a := range data.Alerts {
			name := a.Labels["alertname"]
			active[name] = append(active[name], a.Labels["unit"])
		}
		for _, units := range active {
			sort.Strings(units)
		}
		if len(active["GongkaiSiteUnreachable"]) >= len(down) || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if diff := cmp.Diff(down, active["GongkaiSiteUnreachable"]); diff != "" {
		t.Errorf("GongkaiSiteUnreachable for units (-unreachable +alerting):\n%s", diff)
	}
	for _, u := range down {
		if !slices.Contains(active["GongkaiUnitBelowPass"], u) {
			t.Errorf("unreachable unit %s is not alerted as below pass (alerted: %v)", u, active["GongkaiUnitBelowPass"])
		}
	}
	for _, name := range []string{"GongkaiAuditFailed", "GongkaiAuditOverdue"} {
		if len(active[name]) > 0 {
			t.Errorf("%s is active after two complete audits", name)
		}
	}
}
