package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"time"

	"github.com/spf13/cobra"

	"gongkai/audit"
	"gongkai/crawler"
	"gongkai/evidence"
	"gongkai/report"
	"gongkai/rules"
	"gongkai/scoring"
	"gongkai/source"
	"gongkai/store"
	"gongkai/units"
)

// crawlFlags are the politeness flags shared by audit and demo.
type crawlFlags struct {
	retries      int
	reachTries   int
	reachSpacing time.Duration
	cpuProfile   string
	memProfile   string
	memoryLimit  int64
	skipEvidence bool
	delay        time.Duration
	perHost      int
	concurrency  int
	contact      string
	ignoreRobots bool
	unitTimeout  time.Duration
	render       bool
	attachments  int
	attachMB     int
}

func (f *crawlFlags) register(c *cobra.Command) {
	// delay and retries are read only when given (apply), so their
	// registered defaults are the crawler's, for the help to show.
	c.Flags().DurationVar(&f.delay, "delay", time.Second, "pause between requests to one host; 0 turns delays off")
	c.Flags().IntVar(&f.perHost, "per-host", 0, "requests in flight per host (default 1)")
	c.Flags().IntVar(&f.concurrency, "concurrency", 0, "requests in flight across all hosts (default 16)")
	c.Flags().StringVar(&f.contact, "contact", "", "URL or address for site owners, sent in the User-Agent")
	c.Flags().BoolVar(&f.ignoreRobots, "ignore-robots", false, "ignore robots.txt on every unit (only with the owners' consent)")
	c.Flags().DurationVar(&f.unitTimeout, "unit-timeout", 0, "time bound for one unit's crawl (default 20m)")
	c.Flags().IntVar(&f.attachments, "max-attachments", 40, "attachments read per unit for the content checks (personal data), on the unit's hosts (0: none; the rest are only checked as links)")
	c.Flags().IntVar(&f.attachMB, "max-attachment-mb", 8, "largest attachment read for its text, in MiB (never above the 8 MiB body cap)")
	// The names these flags had before they took their settings' names.
	c.Flags().IntVar(&f.attachments, "attachments", 40, "")
	c.Flags().IntVar(&f.attachMB, "attachment-mb", 8, "")
	_ = c.Flags().MarkDeprecated("attachments", "use --max-attachments")
	_ = c.Flags().MarkDeprecated("attachment-mb", "use --max-attachment-mb")
	c.Flags().BoolVar(&f.render, "render", false, "render pages whose lists are built by script in headless Chromium (Debian's chromium), every request answered by the crawler")
	c.Flags().IntVar(&f.retries, "retries", 2, "retries after a transient failure; 0 turns retries off")
	c.Flags().IntVar(&f.reachTries, "reach-attempts", 0, "attempts on an unanswering unit URL before it counts as unreachable (default 3)")
	c.Flags().DurationVar(&f.reachSpacing, "reach-spacing", 0, "pause between reachability attempts (default 2s)")
	c.Flags().Int64Var(&f.memoryLimit, "memory-limit", 200, "soft memory limit in MiB for the Go heap (0: none); the GC works harder near it")
	c.Flags().StringVar(&f.cpuProfile, "cpuprofile", "", "write a CPU profile here")
	c.Flags().StringVar(&f.memProfile, "memprofile", "", "write a heap profile here at the end")
	c.Flags().BoolVar(&f.skipEvidence, "skip-evidence", false, "store no evidence (to measure what storing costs; the audit cannot be re-scored)")
	_ = c.Flags().MarkHidden("skip-evidence")
	_ = c.Flags().MarkHidden("cpuprofile")
	_ = c.Flags().MarkHidden("memprofile")
}

// settings returns the crawl settings the flags give (the flag --per-host
// is the setting per_host, and so on; --max-attachment-mb is
// max_attachment_bytes in MiB); settings no flag gives
// stay zero.
func (f *crawlFlags) settings(c *cobra.Command) crawler.Settings {
	var s crawler.Settings
	if c.Flags().Changed("delay") {
		s.Delay, s.NoDelay = f.delay, f.delay == 0
	}
	if f.perHost > 0 {
		s.PerHost = f.perHost
	}
	s.Contact = f.contact
	s.IgnoreRobots = f.ignoreRobots
	if f.unitTimeout > 0 {
		s.UnitTimeout = f.unitTimeout
	}
	if c.Flags().Changed("retries") {
		s.Retries, s.NoRetries = f.retries, f.retries <= 0
	}
	if f.reachTries > 0 {
		s.ReachAttempts = f.reachTries
	}
	if f.reachSpacing > 0 {
		s.ReachSpacing = f.reachSpacing
	}
	s.Render = f.render
	if c.Flags().Changed("max-attachments") || c.Flags().Changed("attachments") {
		s.MaxAttachments, s.NoAttachments = f.attachments, f.attachments <= 0
	}
	if (c.Flags().Changed("max-attachment-mb") || c.Flags().Changed("attachment-mb")) && f.attachMB > 0 {
		s.MaxAttachmentBytes = f.attachMB << 20
	}
	return s
}

// apply puts the flags given on top of o (defaults < units file < flags).
func (f *crawlFlags) apply(c *cobra.Command, o crawler.Options) crawler.Options {
	o.Settings = o.Settings.Merge(f.settings(c))
	if f.concurrency > 0 {
		o.Concurrency = f.concurrency
	}
	return o
}

// profile sets the memory limit and starts the profiles the flags ask for;
// the returned func ends them.
func (f *crawlFlags) profile() (func(), error) {
	stop := func() {}
	if f.memoryLimit > 0 {
		debug.SetMemoryLimit(f.memoryLimit << 20)
	}
	if f.cpuProfile != "" {
		out, err := os.Create(f.cpuProfile)
		if err != nil {
			return stop, err
		}
		if err := pprof.StartCPUProfile(out); err != nil {
			return stop, err
		}
		stop = func() { pprof.StopCPUProfile(); out.Close() }
	}
	mem := f.memProfile
	return func() {
		stop()
		if mem != "" {
			if out, err := os.Create(mem); err == nil {
				runtime.GC()
				_ = pprof.WriteHeapProfile(out)
				out.Close()
			}
		}
	}, nil
}

// loadRules returns the ruleset in dir, or the embedded default when dir is "".
func loadRules(dir string) (*rules.Ruleset, error) {
	if dir == "" {
		return rules.Default()
	}
	return rules.Load(dir)
}

func newAuditCmd(env Env) *cobra.Command {
	var (
		unitsPath, dbPath, rulesDir, asOfStr, note, format string
		verbose, resume                                    bool
		cf                                                 crawlFlags
		window                                             int
		nf                                                 natsFlags // distributed audits (worker.go)
	)
	c := &cobra.Command{
		Use:   "audit --units FILE [--db FILE] [--rules DIR] [--as-of DATE]",
		Short: "Crawl every unit, judge it, store the audit and print the ranking",
		Long: `audit crawls every unit of the units file, judges what it finds with the
ruleset (the embedded default unless --rules names a directory) as of the
audit date, stores evidence, findings and scores in the database, and prints
the ranking. The exit code is 0 for a completed audit, whatever it found.`,
		Example: `  gongkai audit --units units.yaml --db gongkai.db
  gongkai audit --units units.yaml --db gongkai.db --as-of 2020-03-01 --rules ./myrules`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if unitsPath == "" {
				return usagef("--units is required: the units file to audit (see docs/spec.md#units-file)")
			}
			asOf, err := parseAsOf(asOfStr, env.Now())
			if err != nil {
				return err
			}
			if resume && note != "" {
				return usagef("--note: a resumed audit keeps its own note")
			}
			rs, err := loadRules(rulesDir)
			if err != nil {
				return fmt.Errorf("rules: %w", err)
			}
			if window < 0 || window > 120 {
				return usagef("--window-months %d: want 1 to 120", window)
			}
			rs = rs.WithWindow(window)
			uf, err := units.Load(unitsPath)
			if err != nil {
				return fmt.Errorf("units file:\n%w", err)
			}
			warnUnits(env, uf)
			if err := checkFormat(format, "text", "json", "csv", "md"); err != nil {
				return err
			}
			co, err := audit.CrawlOptions(crawler.Options{}, uf)
			if err != nil {
				return err
			}
			co = cf.apply(c, co)
			stop, err := cf.profile()
			if err != nil {
				return err
			}
			defer stop()
			return runAudit(c.Context(), env, auditRun{
				units: uf, rules: rs, asOf: asOf, dbPath: dbPath, crawl: co, note: note,
				format: format, verbose: verbose, skipEvidence: cf.skipEvidence,
				resume: resume, asOfGiven: asOfStr != "", nats: &nf,
			})
		},
	}
	c.Flags().StringVar(&unitsPath, "units", "", "units file (YAML) listing the units to audit")
	c.Flags().StringVar(&dbPath, "db", "gongkai.db", "SQLite database to store the audit in")
	c.Flags().StringVar(&rulesDir, "rules", "", "ruleset directory or file (default: the embedded ruleset)")
	c.Flags().StringVar(&asOfStr, "as-of", "", "audit date YYYY-MM-DD (default: today)")
	c.Flags().StringVar(&note, "note", "", "note kept with the audit")
	c.Flags().IntVar(&window, "window-months", 0, "evaluation window in months before the as-of month (default: the ruleset's)")
	c.Flags().StringVar(&format, "format", "text", "ranking output: text, json, csv or md")
	c.Flags().BoolVarP(&verbose, "verbose", "v", false, "log each unit as it is audited")
	c.Flags().BoolVar(&resume, "resume", false, "finish the database's latest audit, left incomplete (interrupted or killed): units already stored are kept, the rest are crawled")
	cf.register(c)
	nf.register(c)
	_ = c.MarkFlagFilename("units", "yaml", "yml")
	_ = c.MarkFlagFilename("db", "db")
	_ = c.MarkFlagDirname("rules")
	_ = c.RegisterFlagCompletionFunc("format", fixedCompletion("text", "json", "csv", "md"))
	return c
}

// warnUnits prints what the units file says in a way gongkai still
// reads but will not always (an old key's name).
func warnUnits(env Env, uf *units.File) {
	for _, w := range uf.Warnings {
		fmt.Fprintf(env.Stderr, "gongkai: warning: %s\n", w)
	}
}

func fixedCompletion(vals ...string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return vals, cobra.ShellCompDirectiveNoFileComp
	}
}

func checkFormat(f string, allowed ...string) error {
	for _, a := range allowed {
		if f == a {
			return nil
		}
	}
	return usagef("--format %q: want one of %v", f, allowed)
}

// auditRun is one audit to run and print.
type auditRun struct {
	units   *units.File
	rules   *rules.Ruleset
	asOf    evidence.Date
	dbPath  string
	crawl   crawler.Options
	note    string
	format  string
	verbose bool
	quiet   bool // no ranking printed
	// skipEvidence stores no evidence (benchmarks only).
	skipEvidence bool
	// resume finishes the latest incomplete audit instead of starting one;
	// asOfGiven says whether --as-of was given (else the audit's own date).
	resume, asOfGiven bool
	// nats, when its URL is set, distributes the crawl (worker.go).
	nats *natsFlags
}

func runAudit(ctx context.Context, env Env, r auditRun) error {
	db, err := store.Open(ctx, r.dbPath)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer db.Close()
	log := logger(env, r.verbose)
	r.crawl.Logger = log
	var prog *progress
	if env.StderrTerminal && !r.verbose {
		prog = newProgress(env.Stderr, len(r.units.Units), env.Now)
		r.crawl.Progress = prog.event
	}
	var resumeID int64
	if r.resume {
		a, err := resumable(ctx, db, log)
		if err != nil {
			return err
		}
		if !r.asOfGiven {
			r.asOf = a.AsOf
		}
		resumeID = a.ID
	}
	// A distributed audit: the units are crawled by workers over NATS.
	var src source.Source
	natsDone := func(io.Writer, bool) {}
	if r.nats != nil {
		if src, natsDone, err = r.nats.source(log); err != nil {
			return err
		}
	}
	sum, err := audit.Run(ctx, audit.Options{
		Units: r.units, Rules: r.rules, AsOf: r.asOf, DB: db, Crawler: r.crawl,
		Note: r.note, Now: env.Now, Logger: log, SkipEvidence: r.skipEvidence, Resume: resumeID,
		Source: src,
	})
	if prog != nil {
		prog.finish()
	}
	natsDone(env.Stderr, true)
	if err != nil {
		if sum != nil && errors.Is(err, audit.ErrIncomplete) {
			return fmt.Errorf("audit %d stopped: %w", sum.AuditID, err)
		}
		return err
	}
	if r.quiet {
		return nil
	}
	prev, err := db.PreviousScores(ctx, sum.AuditID)
	if err != nil {
		return err
	}
	if err := printRanking(env.Stdout, r.format, sum.Result.Units, prev, r.rules); err != nil {
		return err
	}
	if r.format == "text" {
		fmt.Fprintf(env.Stdout, "\naudit %d: %d units, %d findings, %d requests (%d failed) in %s; stored in %s (writing took %s)\n",
			sum.AuditID, len(sum.Result.Units), len(sum.Result.Findings), sum.Pages, sum.Errors, sum.Duration.Round(time.Millisecond), r.dbPath, sum.StoreTime.Round(time.Millisecond))
	}
	return nil
}

// resumable returns the database's latest audit for --resume: it must be
// incomplete, or left running by a process that was killed (which audit
// --resume, the only auditor on its database, marks incomplete first).
func resumable(ctx context.Context, db *store.DB, log *slog.Logger) (*store.Audit, error) {
	if n, err := db.MarkRunningIncomplete(ctx); err != nil {
		return nil, err
	} else if n > 0 {
		log.Warn("audits left running by a stopped process marked incomplete", "audits", n)
	}
	a, err := db.LatestAudit(ctx, false)
	if errors.Is(err, store.ErrNotFound) {
		return nil, usagef("--resume: the database has no audit to resume")
	}
	if err != nil {
		return nil, err
	}
	if a.Status == store.AuditComplete {
		return nil, usagef("--resume: the latest audit (%d, as of %s) is complete: nothing to resume", a.ID, a.AsOf)
	}
	return a, nil
}

func printRanking(w io.Writer, format string, scores []scoring.UnitScore, prev map[string]scoring.UnitScore, rs *rules.Ruleset) error {
	rows := report.RankingFrom(scores, prev)
	dims := report.DimensionsFrom(scores)
	if rs != nil {
		for i := range dims {
			if d := rs.Dimension(dims[i].ID); d != nil {
				dims[i].NameEN = d.NameEN
			}
		}
	}
	if format == "text" {
		return report.WriteRankingText(w, rows, dims, report.Options{})
	}
	return report.WriteRanking(w, format, rows, dims, report.Options{})
}

// openExisting opens a database that must already exist (read commands
// never create one).
func openExisting(ctx context.Context, path string) (*store.DB, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("no database at %s (run \"gongkai audit\" or \"gongkai demo\" first): %w", path, err)
	}
	db, err := store.Open(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	return db, nil
}

// pickAudit returns the audit with id, or the latest complete one (the
// latest of any status when none is complete).
func pickAudit(ctx context.Context, db *store.DB, id int64) (*store.Audit, error) {
	if id > 0 {
		a, err := db.Audit(ctx, id)
		if err != nil {
			return nil, err
		}
		return a, nil
	}
	a, err := db.LatestAudit(ctx, true)
	if errors.Is(err, store.ErrNotFound) {
		a, err = db.LatestAudit(ctx, false)
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("the database holds no audit yet")
	}
	return a, err
}

func newRescoreCmd(env Env) *cobra.Command {
	var (
		dbPath, rulesDir, asOfStr, format string
		auditID                           int64
		window                            int
	)
	c := &cobra.Command{
		Use:   "rescore [--db FILE] [--audit N] [--rules DIR] [--as-of DATE]",
		Short: "Judge a stored audit again (another ruleset or date) without crawling",
		Long: `rescore re-judges the evidence stored for an audit with a ruleset (the
embedded default unless --rules is given) as of a date (the audit's own unless
--as-of is given), stores the result as a new scoring of the same crawl, and
prints the ranking. It makes no HTTP request.`,
		Example: `  gongkai rescore --db gongkai.db --rules ./edited-rules
  gongkai rescore --db gongkai.db --audit 3 --as-of 2020-01-15`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if err := checkFormat(format, "text", "json", "csv", "md"); err != nil {
				return err
			}
			rs, err := loadRules(rulesDir)
			if err != nil {
				return fmt.Errorf("rules: %w", err)
			}
			if window < 0 || window > 120 {
				return usagef("--window-months %d: want 1 to 120", window)
			}
			rs = rs.WithWindow(window)
			db, err := openExisting(c.Context(), dbPath)
			if err != nil {
				return err
			}
			defer db.Close()
			a, err := pickAudit(c.Context(), db, auditID)
			if err != nil {
				return err
			}
			asOf := a.AsOf
			if asOfStr != "" {
				if asOf, err = parseAsOf(asOfStr, env.Now()); err != nil {
					return err
				}
			}
			id, res, err := audit.Rescore(c.Context(), db, a.ID, rs, asOf, env.Now())
			if err != nil {
				return err
			}
			prev, err := db.PreviousScores(c.Context(), a.ID)
			if err != nil {
				return err
			}
			if err := printRanking(env.Stdout, format, res.Units, prev, rs); err != nil {
				return err
			}
			if format == "text" {
				fmt.Fprintf(env.Stdout, "\nscoring %d of audit %d as of %s with %s (%s): %d findings\n", id, a.ID, asOf, rs.Name, short(rs.Hash), len(res.Findings))
			}
			return nil
		},
	}
	c.Flags().StringVar(&dbPath, "db", "gongkai.db", "SQLite database holding the audit")
	c.Flags().Int64Var(&auditID, "audit", 0, "audit id (default: the latest complete audit)")
	c.Flags().StringVar(&rulesDir, "rules", "", "ruleset directory or file (default: the embedded ruleset)")
	c.Flags().StringVar(&asOfStr, "as-of", "", "audit date YYYY-MM-DD (default: the audit's own)")
	c.Flags().IntVar(&window, "window-months", 0, "evaluation window in months before the as-of month (default: the ruleset's)")
	c.Flags().StringVar(&format, "format", "text", "ranking output: text, json, csv or md")
	return c
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
