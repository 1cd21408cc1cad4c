package server

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestParseConfig(t *testing.T) {
	full := `# gongkai serve
units: units.yaml
rules: rules/
db: /var/lib/gongkai/gongkai.db
schedule: "30 3 * * *"
listen: ":9741"
timezone: Asia/Shanghai
as_of: 2026-12-31
window_months: 12
run_on_start: true
probe_interval: 30m
reach_window: 72h
unreachable_after: 10
`
	got, err := ParseConfig("gongkai.yaml", []byte(full))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{Units: "units.yaml", Rules: "rules/", DB: "/var/lib/gongkai/gongkai.db", Schedule: "30 3 * * *",
		Listen: ":9741", Timezone: "Asia/Shanghai", AsOf: "2026-12-31", WindowMonths: 12, RunOnStart: true, Source: "gongkai.yaml",
		ProbeInterval: "30m", ReachWindow: "72h", UnreachableAfter: 10}
	if d := cmp.Diff(want, got, cmpopts.IgnoreFields(Config{}, "Pos", "Keys")); d != "" {
		t.Errorf("full config (-want +got):\n%s", d)
	}
	if p := got.Keys["schedule"]; p.Line != 5 {
		t.Errorf("schedule key at %v, want line 5", p)
	}

	// What the file leaves out keeps the defaults.
	got, err = ParseConfig("min.yaml", []byte("units: u.yaml\n"))
	if err != nil {
		t.Fatal(err)
	}
	def := DefaultConfig()
	if got.DB != def.DB || got.Listen != def.Listen || got.Schedule != def.Schedule || got.Timezone != def.Timezone {
		t.Errorf("defaults not kept: %+v", got)
	}
	// An explicitly empty schedule turns the schedule off.
	got, err = ParseConfig("off.yaml", []byte("units: u.yaml\nschedule: \"\"\n"))
	if err != nil || got.Schedule != "" {
		t.Errorf("empty schedule: %q, %v", got.Schedule, err)
	}
}

func TestParseConfig_Errors(t *testing.T) {
	tests := []struct {
		name, yaml string
		// want are substrings of the error, each with its file:line.
		want []string
	}{
		{"unknown key", "units: u.yaml\nshedule: \"@daily\"\n", []string{"c.yaml:2:1", "shedule", "schedule"}},
		{"wrong type", "units: u.yaml\nwindow_months: twelve\n", []string{"c.yaml:2:16", "window_months"}},
		{"bad schedule", "units: u.yaml\nschedule: \"61 * * * *\"\n", []string{"c.yaml:2", "schedule", "61 * * * *"}},
		{"bad listen", "units: u.yaml\nlisten: localhost\n", []string{"c.yaml:2", "listen", "host:port"}},
		{"bad zone", "units: u.yaml\ntimezone: Mars/Olympus\n", []string{"c.yaml:2", "timezone", "Mars/Olympus"}},
		{"bad as-of", "units: u.yaml\nas_of: 2026-13-01\n", []string{"c.yaml:2", "as_of", "YYYY-MM-DD"}},
		{"window out of range", "units: u.yaml\nwindow_months: 500\n", []string{"c.yaml:2", "window_months"}},
		{"bad probe interval", "units: u.yaml\nprobe_interval: 5s\n", []string{"c.yaml:2", "probe_interval", "a minute or more"}},
		{"bad reach window", "units: u.yaml\nreach_window: a week\n", []string{"c.yaml:2", "reach_window"}},
		{"bad unreachable after", "units: u.yaml\nunreachable_after: -1\n", []string{"c.yaml:2", "unreachable_after"}},
		{"no units", "db: x.db\n", []string{"c.yaml:1", "units", "required"}},
		{"empty db", "units: u.yaml\ndb: \"\"\n", []string{"c.yaml:2", "db"}},
		{"syntax", "units: [u.yaml\n", []string{"c.yaml:"}},
		{"not a mapping", "- units\n", []string{"c.yaml:1", "mapping"}},
		{"token in the file", "units: u.yaml\ntoken: s3cret\n", []string{"c.yaml:2", "token"}},
		{"every error at once", "units: u.yaml\nlisten: nope\ntimezone: Nowhere\n", []string{"c.yaml:2", "c.yaml:3"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseConfig("c.yaml", []byte(tc.yaml))
			if err == nil {
				t.Fatalf("no error for\n%s", tc.yaml)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestLoadConfig(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "gongkai.yaml")
	if err := os.WriteFile(path, []byte("units: u.yaml\nlisten: nope\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadConfig(path)
	if err == nil || !strings.Contains(err.Error(), path+":2:") {
		t.Errorf("LoadConfig error = %v, want it at %s:2", err, path)
	}
	if _, err := LoadConfig(filepath.Join(dir, "missing.yaml")); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("missing file: %v", err)
	}
}

func TestConfigValidate_NamesFlags(t *testing.T) {
	c := DefaultConfig()
	c.Listen = "nope"
	err := c.Validate()
	if err == nil || !strings.Contains(err.Error(), "--units") || !strings.Contains(err.Error(), "--listen") {
		t.Errorf("Validate() = %v, want errors naming --units and --listen", err)
	}
	c.Units, c.Listen, c.WindowMonths = "u.yaml", ":0", -1
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "--window-months") {
		t.Errorf("Validate() = %v, want --window-months", err)
	}
	c.WindowMonths = 0
	if err := c.Validate(); err != nil {
		t.Errorf("valid config: %v", err)
	}
}

func TestParseSchedule(t *testing.T) {
	base := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC) // a Wednesday
	tests := []struct {
		spec string
		next time.Time
	}{
		{"0 2 * * 1", time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC)},
		{"@daily", time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)},
		{"@every 6h", base.Add(6 * time.Hour)},
		{"*/15 * * * *", time.Date(2026, 11, 25, 10, 15, 0, 0, time.UTC)},
	}
	for _, tc := range tests {
		s, err := ParseSchedule(tc.spec)
		if err != nil {
			t.Errorf("%q: %v", tc.spec, err)
			continue
		}
		if got := s.Next(base); !got.Equal(tc.next) {
			t.Errorf("%q: next after %v = %v, want %v", tc.spec, base, got, tc.next)
		}
	}
	for _, bad := range []string{"0 2 * *", "0 0 2 * * 1", "@fortnightly", "every day"} {
		if _, err := ParseSchedule(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

// TestReadConfig_ValuesCheckedAfterFlags: ReadConfig leaves the values to
// Validate, which names the file's line for what the file set.
func TestReadConfig_ValuesCheckedAfterFlags(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gongkai.yaml")
	if err := os.WriteFile(path, []byte("db: g.db\nlisten: nope\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := ReadConfig(path)
	if err != nil {
		t.Fatalf("ReadConfig checked values: %v", err)
	}
	err = c.Validate()
	if err == nil || !strings.Contains(err.Error(), path+":2:9: listen") || !strings.Contains(err.Error(), "units (or --units)") {
		t.Errorf("Validate() = %v; want the listen line and the missing units", err)
	}
	if err := os.WriteFile(path, []byte("db: g.db\nlisten: [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadConfig(path); err == nil || !strings.Contains(err.Error(), path+":") {
		t.Errorf("ReadConfig of broken YAML: %v", err)
	}
}
