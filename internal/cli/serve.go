package cli

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"

	"gongkai/audit"
	"gongkai/crawler"
	"gongkai/dist"
	"gongkai/internal/browser"
	"gongkai/server"
	"gongkai/source"
	"gongkai/units"
)

func newServeCmd(env Env) *cobra.Command {
	var (
		configPath, browserPath string
		over                    server.Config
		verbose                 bool
		cf                      crawlFlags
	)
	c := &cobra.Command{
		Use:   "serve [--config FILE] [--units FILE] [--db FILE] [--schedule CRON] [--listen ADDR]",
		Short: "Run audits on a schedule and serve the dashboard, JSON API and Prometheus metrics",
		Long: `serve runs audits on a schedule (cron syntax, in the configured time zone),
never two at once, and serves on one address: the web dashboard (/), the JSON
API (/api/...), Prometheus metrics (/metrics) and /healthz.

Settings come from the config file (YAML: units, rules, db, schedule, listen,
timezone, as_of, window_months, run_on_start, probe_interval, reach_window,
unreachable_after, nats); a flag overrides the file. With nats: (or --nats)
the audits are distributed: "gongkai worker"s crawl the units.

Between audits serve probes every unit's URL (hourly by default); an audit
counts the probes of the observation window (a week) with its own attempts,
and judges an unanswering unit unreachable only after 20 failures in it (the
national inspection practice); fewer give a notice without points. The
token that lets POST /api/audits start an audit comes only from the environment
variable GONGKAI_TOKEN; without it the trigger answers 401.

On SIGTERM or Ctrl-C, serve stops the schedule, cancels a running audit (kept
in the database, marked incomplete), and exits 0.`,
		Example: `  gongkai serve --config gongkai.yaml
  gongkai serve --units units.yaml --db gongkai.db --schedule "0 2 * * 1" --listen 127.0.0.1:9741
  GONGKAI_TOKEN=s3cret gongkai serve --config gongkai.yaml --run-on-start
  curl -X POST -H "Authorization: Bearer s3cret" http://127.0.0.1:9741/api/audits`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			cfg := server.DefaultConfig()
			if configPath != "" {
				var err error
				if cfg, err = server.ReadConfig(configPath); err != nil {
					return usagef("config:\n%v", err)
				}
			}
			f := c.Flags()
			// A flag given replaces the file's value; errors about it then
			// name the flag, not the file's line.
			overridden := func(name string) bool {
				if !f.Changed(name) {
					return false
				}
				delete(cfg.Keys, strings.ReplaceAll(name, "-", "_"))
				return true
			}
			set := func(name string, dst *string, v string) {
				if overridden(name) {
					*dst = v
				}
			}
			set("units", &cfg.Units, over.Units)
			set("rules", &cfg.Rules, over.Rules)
			set("db", &cfg.DB, over.DB)
			set("schedule", &cfg.Schedule, over.Schedule)
			set("listen", &cfg.Listen, over.Listen)
			set("timezone", &cfg.Timezone, over.Timezone)
			set("as-of", &cfg.AsOf, over.AsOf)
			set("probe-interval", &cfg.ProbeInterval, over.ProbeInterval)
			set("reach-window", &cfg.ReachWindow, over.ReachWindow)
			set("nats", &cfg.NATS, over.NATS)
			if overridden("unreachable-after") {
				cfg.UnreachableAfter = over.UnreachableAfter
			}
			if overridden("window-months") {
				cfg.WindowMonths = over.WindowMonths
			}
			if overridden("run-on-start") {
				cfg.RunOnStart = over.RunOnStart
			}
			if err := cfg.Validate(); err != nil {
				return usagef("config:\n%v", err)
			}
			// A service logs what it does (audits started and ended, at info);
			// -v adds each unit's line.
			log := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
			if !verbose {
				log = slog.New(unitFilter{log.Handler()})
			}
			co := cf.apply(c, crawler.Options{})
			stop, err := cf.profile()
			if err != nil {
				return err
			}
			defer stop()
			// The units file's crawl settings are applied per audit; check
			// now that they parse, so a typo fails at start.
			if uf, err := units.Load(cfg.Units); err == nil {
				warnUnits(env, uf)
				if _, err := audit.CrawlOptions(co, uf); err != nil {
					return err
				}
			}
			ctx := c.Context()
			reg := prometheus.NewRegistry()
			// Distributed audits: workers crawl, this process coordinates;
			// the gongkai_dist_ metrics join serve's.
			var src source.Source
			if cfg.NATS != "" {
				dc, err := dist.NewCoordinator(dist.CoordinatorOptions{URL: cfg.NATS, Registry: reg, Logger: log})
				if err != nil {
					return err
				}
				defer dc.Close()
				src = dc.Source()
			}
			// Evidence screenshots: Chromium starts on the first one asked for.
			shots := browser.NewLazy(browser.Options{Path: browserPath})
			defer shots.Close()
			svc, err := server.New(ctx, server.Options{
				Config: cfg, Token: env.Getenv("GONGKAI_TOKEN"), Registry: reg,
				Crawler: co, Logger: log, Now: env.Now, Version: version(), Source: src, Browser: shots,
			})
			if err != nil {
				return err
			}
			defer svc.Close()
			fmt.Fprintf(env.Stderr, "gongkai serve: dashboard http://%s/  metrics http://%s/metrics  schedule %q (%s)\n",
				cfg.Listen, cfg.Listen, cfg.Schedule, cfg.Timezone)
			return svc.ListenAndServe(ctx)
		},
	}
	fl := c.Flags()
	fl.StringVar(&configPath, "config", "", "config file (YAML); flags override it")
	browserFlag(c, &browserPath)
	fl.StringVar(&over.Units, "units", "", "units file to audit")
	fl.StringVar(&over.Rules, "rules", "", "ruleset directory or file (default: the embedded ruleset)")
	fl.StringVar(&over.DB, "db", server.DefaultDB, "SQLite database of the audits")
	fl.StringVar(&over.Schedule, "schedule", server.DefaultSchedule, `when to audit, cron syntax ("0 2 * * 1", "@daily", "@every 6h"); "" for none`)
	fl.StringVar(&over.Listen, "listen", server.DefaultListen, "HTTP listen address of the dashboard, API and /metrics")
	fl.StringVar(&over.Timezone, "timezone", server.DefaultTimezone, "time zone of the schedule and of audit dates")
	fl.StringVar(&over.AsOf, "as-of", "", "fix every audit's evaluation date YYYY-MM-DD (default: the audit's own day)")
	fl.IntVar(&over.WindowMonths, "window-months", 0, "evaluation window in months (default: the ruleset's)")
	fl.BoolVar(&over.RunOnStart, "run-on-start", false, "start an audit as soon as the service is up")
	fl.StringVar(&over.ProbeInterval, "probe-interval", server.DefaultProbeInterval, "probe every unit's URL this often between audits (a Go `duration`); 0 for no probes")
	fl.StringVar(&over.ReachWindow, "reach-window", server.DefaultReachWindow, "observation window of reachability: probes of this span (a Go `duration`) before an audit count")
	fl.IntVar(&over.UnreachableAfter, "unreachable-after", server.DefaultUnreachableAfter, "failed attempts in the window that make a unit unreachable (fewer: a notice); 0 for every attempt failing")
	fl.StringVar(&over.NATS, "nats", "", "distribute the audits' crawl over NATS JetStream workers at this `url` (nats://host:4222); none: crawl in process")
	fl.BoolVarP(&verbose, "verbose", "v", false, "log each unit as it is audited")
	cf.register(c)
	_ = c.MarkFlagFilename("config", "yaml", "yml")
	_ = c.MarkFlagFilename("units", "yaml", "yml")
	_ = c.MarkFlagFilename("db", "db")
	return c
}

// unitFilter drops the per-unit progress records of an audit.
type unitFilter struct{ slog.Handler }

func (h unitFilter) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == "unit audited" {
		return nil
	}
	return h.Handler.Handle(ctx, r)
}

func (h unitFilter) WithAttrs(as []slog.Attr) slog.Handler {
	return unitFilter{h.Handler.WithAttrs(as)}
}
func (h unitFilter) WithGroup(g string) slog.Handler { return unitFilter{h.Handler.WithGroup(g)} }

// version names the build: the module version, or the VCS revision.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := bi.Main.Version
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			if v == "" || v == "(devel)" {
				v = s.Value[:12]
			}
		}
	}
	if v == "" {
		v = "(devel)"
	}
	return v
}
