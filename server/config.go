package server

import (
	"errors"
	"fmt"
	"net"
	"os"
	"reflect"
	"strings"
	"time"
	_ "time/tzdata" // the schedule's time zone must load on machines without a zoneinfo database

	"github.com/robfig/cron/v3"
	"gopkg.in/yaml.v3"

	"gongkai/evidence"
	"gongkai/internal/yamlstrict"
)

// Config is what `gongkai serve` runs with: read from a YAML file (strictly:
// unknown keys, wrong types and bad values are reported with file:line:col),
// then overridden by command-line flags. The trigger token is never part of
// it: it comes from the environment (GONGKAI_TOKEN).
type Config struct {
	// Units is the units file audited on each run; it is read again at
	// every audit, so edits take effect without a restart.
	Units string `yaml:"units"`
	// Rules is a ruleset directory or file; empty means the embedded
	// default. Read again at every audit, like Units.
	Rules string `yaml:"rules"`
	// DB is the SQLite database the audits go to.
	DB string `yaml:"db"`
	// Schedule is when audits run, in cron syntax: five fields (minute hour
	// day-of-month month day-of-week) or a descriptor (@daily, @weekly,
	// @every 6h). Empty means no scheduled audits (only triggered ones).
	Schedule string `yaml:"schedule"`
	// Listen is the HTTP listen address (host:port) of the dashboard, the
	// JSON API and /metrics.
	Listen string `yaml:"listen"`
	// Timezone is the IANA zone the schedule runs in and audit dates are
	// taken in (an audit's as-of date is its start day there).
	Timezone string `yaml:"timezone"`
	// AsOf fixes the audits' evaluation date (YYYY-MM-DD), as for an annual
	// evaluation as of a set day; empty means each audit's start day.
	AsOf string `yaml:"as_of"`
	// WindowMonths overrides the ruleset's evaluation window; 0 keeps it.
	WindowMonths int `yaml:"window_months"`
	// RunOnStart starts an audit as soon as the service is up.
	RunOnStart bool `yaml:"run_on_start"`
	// ProbeInterval is how often every unit's URL is probed between
	// audits (a Go duration: 1h, 30m); "0" turns probes off.
	ProbeInterval string `yaml:"probe_interval"`
	// ReachWindow is the observation window of reachability: the probes of
	// that span before an audit count with the audit's own attempts.
	ReachWindow string `yaml:"reach_window"`
	// UnreachableAfter is how many failed attempts in the window make an
	// unanswering unit unreachable (a veto); fewer give a notice.
	UnreachableAfter int `yaml:"unreachable_after"`
	// NATS, when set, makes the audits distributed: the URL of a NATS
	// JetStream server (nats://host:4222) whose `gongkai worker`s crawl
	// the units (docs/distributed.md). Empty crawls in process.
	NATS string `yaml:"nats"`

	// Source is the file the config was read from; empty when none.
	Source string `yaml:"-"`
	// Pos and Keys are where the file wrote the config and its keys.
	Pos  yamlstrict.Pos            `yaml:"-"`
	Keys map[string]yamlstrict.Pos `yaml:"-"`
}

// Defaults for what a config leaves out.
const (
	DefaultDB       = "gongkai.db"
	DefaultListen   = "127.0.0.1:9741"
	DefaultSchedule = "0 2 * * 1" // Mondays at 02:00
	DefaultTimezone = "Asia/Shanghai"
	// The observation window follows the national inspection practice for
	// government websites: a site is judged unreachable from repeated
	// attempts over a week (each failing past 15 seconds), not one visit.
	DefaultProbeInterval    = "1h"
	DefaultReachWindow      = "168h"
	DefaultUnreachableAfter = 20
)

// DefaultConfig returns the configuration used for what neither the file
// nor the flags give.
func DefaultConfig() Config {
	return Config{DB: DefaultDB, Listen: DefaultListen, Schedule: DefaultSchedule, Timezone: DefaultTimezone,
		ProbeInterval: DefaultProbeInterval, ReachWindow: DefaultReachWindow, UnreachableAfter: DefaultUnreachableAfter}
}

// LoadConfig reads a config file on top of DefaultConfig and checks its
// values. Every problem is reported at once, each with its file:line:col.
func LoadConfig(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	return ParseConfig(path, data)
}

// ReadConfig reads a config file on top of DefaultConfig without checking
// its values: what flags will override may be wrong in the file. Syntax
// errors, unknown keys and wrong types are reported with file:line:col;
// Validate checks the values once the flags are applied.
func ReadConfig(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	return DecodeConfig(path, data)
}

// ParseConfig reads a config from bytes and checks its values; name is
// used in errors.
func ParseConfig(name string, data []byte) (Config, error) {
	c, err := DecodeConfig(name, data)
	if err != nil {
		return c, err
	}
	var errs yamlstrict.Errors
	for _, e := range c.check() {
		errs = append(errs, &yamlstrict.Error{Pos: c.keyPos(e.field), Field: e.field, Msg: e.msg})
	}
	if len(errs) > 0 {
		errs.Sort()
		return c, errs
	}
	return c, nil
}

// keyPos is where the file wrote field, or where the file starts.
func (c *Config) keyPos(field string) yamlstrict.Pos {
	if p, ok := c.Keys[field]; ok {
		return p
	}
	return c.Pos
}

// DecodeConfig reads a config from bytes on top of DefaultConfig,
// reporting syntax errors, unknown keys and wrong types; it does not check
// the values (see Validate).
func DecodeConfig(name string, data []byte) (Config, error) {
	c := DefaultConfig()
	c.Source = name
	root, err := yamlstrict.Parse(name, data)
	if err != nil {
		return c, yamlstrict.Errors{err.(*yamlstrict.Error)}
	}
	if root == nil {
		return c, nil // an empty file keeps the defaults
	}
	if root.Kind != yaml.MappingNode {
		return c, yamlstrict.Errors{{Pos: yamlstrict.At(name, root), Msg: "a serve config is a mapping (units:, db:, schedule:, listen: ...)"}}
	}
	d := &yamlstrict.Decoder{File: name, Entities: map[reflect.Type]yamlstrict.Entity{}}
	d.Decode(root, &c)
	c.Pos = yamlstrict.At(name, root)
	errs := d.Errs
	if len(errs) > 0 {
		errs.Sort()
		return c, errs
	}
	return c, nil
}

// fieldError is a problem with one config field.
type fieldError struct{ field, msg string }

// check validates the values; the keys are the config's yaml keys.
func (c *Config) check() []fieldError {
	var out []fieldError
	if c.Units == "" {
		out = append(out, fieldError{"units", "required: the units file to audit"})
	}
	if c.DB == "" {
		out = append(out, fieldError{"db", "must not be empty"})
	}
	if c.Schedule != "" {
		if _, err := ParseSchedule(c.Schedule); err != nil {
			out = append(out, fieldError{"schedule", err.Error()})
		}
	}
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		out = append(out, fieldError{"listen", fmt.Sprintf("%q is not host:port (e.g. 127.0.0.1:9741 or :9741)", c.Listen)})
	}
	if _, err := time.LoadLocation(c.Timezone); err != nil || c.Timezone == "" {
		out = append(out, fieldError{"timezone", fmt.Sprintf("unknown time zone %q (an IANA name such as Asia/Shanghai)", c.Timezone)})
	}
	if c.AsOf != "" {
		if _, err := evidence.ParseDate(c.AsOf); err != nil {
			out = append(out, fieldError{"as_of", fmt.Sprintf("%q: want a date YYYY-MM-DD, or nothing for each audit's own day", c.AsOf)})
		}
	}
	if d, err := time.ParseDuration(c.ProbeInterval); err != nil || d < 0 || d > 0 && d < time.Minute {
		out = append(out, fieldError{"probe_interval", fmt.Sprintf("%q: want a duration of a minute or more (30m, 1h), or 0 for no probes", c.ProbeInterval)})
	}
	if d, err := time.ParseDuration(c.ReachWindow); err != nil || d < 0 {
		out = append(out, fieldError{"reach_window", fmt.Sprintf("%q: want a duration (168h for a week), or 0 for the audit's own attempts only", c.ReachWindow)})
	}
	if c.UnreachableAfter < 0 || c.UnreachableAfter > 10000 {
		out = append(out, fieldError{"unreachable_after", fmt.Sprintf("%d: want 1 to 10000, or 0 for every attempt failing", c.UnreachableAfter)})
	}
	if c.NATS != "" && !strings.Contains(c.NATS, "://") {
		out = append(out, fieldError{"nats", fmt.Sprintf("%q: want a NATS URL such as nats://10.0.0.5:4222, or nothing to crawl in process", c.NATS)})
	}
	if c.WindowMonths < 0 || c.WindowMonths > 120 {
		out = append(out, fieldError{"window_months", fmt.Sprintf("%d: want 1 to 120, or 0 for the ruleset's", c.WindowMonths)})
	}
	return out
}

// Validate checks a config built without a file (flags only, or a file
// with flags applied on top).
func (c *Config) Validate() error {
	var errs []error
	for _, e := range c.check() {
		where := "--" + flagName(e.field)
		if p, inFile := c.Keys[e.field]; inFile && c.Source != "" {
			where = fmt.Sprintf("%s: %s", p, e.field)
		} else if e.field == "units" && c.Source != "" {
			where = fmt.Sprintf("%s: units (or --units)", c.Pos)
		}
		errs = append(errs, fmt.Errorf("%s: %s", where, e.msg))
	}
	return errors.Join(errs...)
}

func flagName(field string) string {
	switch field {
	case "window_months":
		return "window-months"
	case "run_on_start":
		return "run-on-start"
	case "as_of":
		return "as-of"
	case "probe_interval":
		return "probe-interval"
	case "reach_window":
		return "reach-window"
	case "unreachable_after":
		return "unreachable-after"
	}
	return field
}

// Probing returns the probe interval (0: no probes) and the reachability
// window (both validated by Validate).
func (c *Config) Probing() (interval, window time.Duration) {
	interval, _ = time.ParseDuration(c.ProbeInterval)
	window, _ = time.ParseDuration(c.ReachWindow)
	return interval, window
}

// Location returns the config's time zone (validated by Validate).
func (c *Config) Location() *time.Location {
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseSchedule parses a cron expression of five fields or a descriptor.
func ParseSchedule(spec string) (cron.Schedule, error) {
	s, err := cronParser.Parse(spec)
	if err != nil {
		return nil, fmt.Errorf("bad schedule %q: %v (five fields: minute hour day-of-month month day-of-week, e.g. \"0 2 * * 1\"; or @daily, @every 6h)", spec, err)
	}
	return s, nil
}
