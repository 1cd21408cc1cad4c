// Package server is `gongkai serve`: audits on a schedule (cron syntax),
// never two at once; Prometheus metrics on an injected registry; a web
// dashboard and a JSON API over the database; and an authenticated trigger.
// It joins the audit, store and report packages and keeps none of their
// logic: an audit run here is the same audit `gongkai audit` runs.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/robfig/cron/v3"

	"gongkai/audit"
	"gongkai/crawler"
	"gongkai/evidence"
	"gongkai/rules"
	"gongkai/scoring"
	"gongkai/source"
	"gongkai/store"
	"gongkai/units"
)

// Options configure a Service.
type Options struct {
	// Config is the validated configuration.
	Config Config
	// Token is the bearer token POST /api/audits requires; empty disables
	// the trigger (every request gets 401).
	Token string
	// Registry receives the metrics (the service's, Go's and the process's)
	// and is what /metrics serves.
	Registry *prometheus.Registry
	// Crawler is the base of every audit's crawl options (the units file's
	// crawl settings go on top); zero is gongkai's polite defaults.
	Crawler crawler.Options
	// CacheBytes bounds the page cache kept between audits, which makes
	// the next audit's requests conditional (304 Not Modified); 0 means
	// 64 MiB, negative turns the cache off.
	CacheBytes int
	// Logger receives the service's log; nil discards it.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Version is reported in gongkai_build_info.
	Version string
	// ReadHeaderTimeout bounds how long a client may take to send its
	// request's header (a slow-loris client is cut off); 0 means 10 s.
	ReadHeaderTimeout time.Duration
	// Source, when set, supplies the audits' evidence instead of the
	// local crawler (a distributed audit: package dist, config nats:).
	Source source.Source
	// Browser renders the evidence screenshots of the finding pages
	// (/api/findings/{id}/screenshot.png); nil answers them 503.
	Browser Browser
}

// Errors of Trigger.
var (
	// ErrBusy is returned when an audit is already running.
	ErrBusy = errors.New("an audit is already running")
	// ErrNotServing is returned before Serve starts or after it ends.
	ErrNotServing = errors.New("the service is not serving")
)

// Service runs audits on schedule and serves their results.
type Service struct {
	opts    Options
	cfg     Config
	loc     *time.Location
	db      *store.DB
	log     *slog.Logger
	now     func() time.Time
	metrics *metrics
	cache   crawler.Cache
	sched   cron.Schedule
	handler http.Handler

	mu       sync.Mutex
	rules    *rules.Ruleset // the ruleset of the last run (or of the start)
	serveCtx context.Context
	running  *RunStatus
	cancel   context.CancelFunc
	last     *RunStatus
	runs     sync.WaitGroup
	snap     *Snapshot
	probing  bool // a round of probes is under way
}

// RunStatus describes one audit run of the service.
type RunStatus struct {
	// Source says what started it: schedule, api, start.
	Source string `json:"source"`
	// Started and Finished bound the run; Finished is zero while it runs.
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished,omitzero"`
	// AsOf is the run's evaluation date.
	AsOf evidence.Date `json:"as_of,omitzero"`
	// Units and UnitsDone measure progress.
	Units     int `json:"units"`
	UnitsDone int `json:"units_done"`
	// Result is complete, incomplete or failed once the run ended.
	Result string `json:"result,omitempty"`
	// AuditID is the audit the run stored; 0 when it failed before that.
	AuditID int64 `json:"audit,omitempty"`
	// Error says why a run failed or stopped early.
	Error string `json:"error,omitempty"`
}

// New opens the database (migrating it), marks audits a previous process
// left running as incomplete, checks that the units file and ruleset load,
// and registers the metrics. It starts nothing: Serve does.
func New(ctx context.Context, o Options) (*Service, error) {
	if err := o.Config.Validate(); err != nil {
		return nil, fmt.Errorf("config:\n%w", err)
	}
	if o.Registry == nil {
		return nil, errors.New("server: no metrics registry")
	}
	s := &Service{opts: o, cfg: o.Config, loc: o.Config.Location(), log: o.Logger, now: o.Now}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.cfg.Schedule != "" {
		sched, err := ParseSchedule(s.cfg.Schedule)
		if err != nil {
			return nil, err
		}
		s.sched = sched
	}
	uf, rs, err := s.load()
	if err != nil {
		return nil, err
	}
	if err := audit.CheckUnits(uf, rs); err != nil {
		return nil, fmt.Errorf("units file:\n%w", err)
	}
	s.rules = rs
	switch {
	case o.CacheBytes == 0:
		s.cache = crawler.NewMemoryCache(64 << 20)
	case o.CacheBytes > 0:
		s.cache = crawler.NewMemoryCache(o.CacheBytes)
	}
	db, err := store.Open(ctx, s.cfg.DB)
	if err != nil {
		return nil, err
	}
	s.db = db
	if n, err := db.MarkRunningIncomplete(ctx); err != nil {
		db.Close()
		return nil, err
	} else if n > 0 {
		s.log.Warn("audits left running by an earlier process marked incomplete", "audits", n)
	}
	snap := newSnapshotCollector(s.Snapshot, s.grades, s.lastRun)
	if s.metrics, err = newMetrics(o.Registry, snap, o.Version); err != nil {
		db.Close()
		return nil, fmt.Errorf("register metrics: %w", err)
	}
	s.handler = s.routes()
	return s, nil
}

// Close closes the database. Call it after Serve has returned.
func (s *Service) Close() error { return s.db.Close() }

// DB returns the service's database.
func (s *Service) DB() *store.DB { return s.db }

// Handler returns the service's HTTP handler: dashboard, API and /metrics.
func (s *Service) Handler() http.Handler { return s.handler }

// ListenAndServe listens on the configured address and serves until ctx
// is done (see Serve).
func (s *Service) ListenAndServe(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.cfg.Listen, err)
	}
	return s.Serve(ctx, ln)
}

// Serve serves HTTP on ln and runs the schedule until ctx is done; then it
// stops the schedule, cancels a running audit (which is kept, marked
// incomplete), waits for it, and shuts the HTTP server down.
func (s *Service) Serve(ctx context.Context, ln net.Listener) error {
	s.mu.Lock()
	if s.serveCtx != nil {
		s.mu.Unlock()
		return errors.New("server: Serve called twice")
	}
	s.serveCtx = ctx
	s.mu.Unlock()

	headerTimeout := s.opts.ReadHeaderTimeout
	if headerTimeout <= 0 {
		headerTimeout = 10 * time.Second
	}
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: headerTimeout,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	s.log.Info("serving", "addr", ln.Addr().String(), "schedule", s.cfg.Schedule, "timezone", s.cfg.Timezone)

	var c *cron.Cron
	if s.sched != nil {
		c = cron.New(cron.WithLocation(s.loc), cron.WithParser(cronParser))
		c.Schedule(s.sched, cron.FuncJob(func() { s.startRun("schedule") }))
		c.Start()
		s.setNext()
	}
	if s.cfg.RunOnStart {
		s.startRun("start")
	}
	var probes sync.WaitGroup
	if every, _ := s.cfg.Probing(); every > 0 {
		probes.Add(1)
		go func() {
			defer probes.Done()
			s.probeLoop(ctx, every)
		}()
	}

	var err error
	select {
	case <-ctx.Done():
	case err = <-served:
		err = fmt.Errorf("http server: %w", err)
	}
	if c != nil {
		<-c.Stop().Done()
	}
	s.mu.Lock()
	if s.cancel != nil {
		s.log.Info("stopping: cancelling the running audit")
		s.cancel()
	}
	s.mu.Unlock()
	s.runs.Wait()
	probes.Wait()
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if serr := srv.Shutdown(shut); serr != nil && err == nil {
		err = fmt.Errorf("http shutdown: %w", serr)
	}
	s.mu.Lock()
	s.serveCtx = nil
	s.mu.Unlock()
	s.log.Info("stopped")
	return err
}

// Trigger starts an audit now unless one is running (ErrBusy). source
// says who asked; it is kept in the audit's note.
func (s *Service) Trigger(source string) (*RunStatus, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.serveCtx == nil || s.serveCtx.Err() != nil {
		return nil, ErrNotServing
	}
	if s.running != nil {
		s.metrics.skipped.Inc()
		return nil, ErrBusy
	}
	ctx, cancel := context.WithCancel(s.serveCtx)
	st := &RunStatus{Source: source, Started: s.now()}
	s.running, s.cancel = st, cancel
	s.runs.Add(1)
	s.metrics.inFlight.Set(1)
	go s.run(ctx, st)
	cp := *st
	return &cp, nil
}

// startRun is Trigger for the schedule: a busy service skips the run.
func (s *Service) startRun(source string) {
	if _, err := s.Trigger(source); err != nil {
		s.log.Warn("audit not started", "source", source, "reason", err)
	}
	s.setNext()
}

// setNext publishes when the schedule runs next and its interval.
func (s *Service) setNext() {
	if s.sched == nil {
		return
	}
	next := s.sched.Next(s.now().In(s.loc))
	s.metrics.nextAudit.Set(float64(next.Unix()))
	s.metrics.interval.Set(s.sched.Next(next).Sub(next).Seconds())
}

// Status returns the running audit (nil when none) and the last one ended
// in this process (nil when none).
func (s *Service) Status() (running, last *RunStatus) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running != nil {
		cp := *s.running
		running = &cp
	}
	if s.last != nil {
		cp := *s.last
		last = &cp
	}
	return running, last
}

// Wait blocks until no audit runs.
func (s *Service) Wait() { s.runs.Wait() }

// NextRun returns when the schedule runs next; zero when nothing is scheduled.
func (s *Service) NextRun() time.Time {
	if s.sched == nil {
		return time.Time{}
	}
	return s.sched.Next(s.now().In(s.loc))
}

// run performs one audit. It never panics out: a panic is a failed run.
func (s *Service) run(ctx context.Context, st *RunStatus) {
	defer s.runs.Done()
	start := s.now()
	var (
		result = resultFailed
		runErr error
		sum    *audit.Summary
	)
	defer func() {
		if r := recover(); r != nil {
			result, runErr = resultFailed, fmt.Errorf("panic: %v", r)
			s.log.Error("audit panicked", "panic", r, "stack", string(debug.Stack()))
		}
		d := s.now().Sub(start)
		s.metrics.duration.Observe(d.Seconds())
		s.metrics.lastDuration.Set(d.Seconds())
		s.metrics.audits.WithLabelValues(result).Inc()
		s.metrics.inFlight.Set(0)
		s.metrics.units.Set(0)
		s.metrics.unitsDone.Set(0)
		s.mu.Lock()
		st.Finished, st.Result = s.now(), result
		if runErr != nil {
			st.Error = runErr.Error()
		}
		if sum != nil {
			st.AuditID = sum.AuditID
		}
		s.last, s.running, s.cancel = st, nil, nil
		s.snap = nil // read the database again
		s.mu.Unlock()
		if runErr != nil {
			s.log.Error("audit ended", "source", st.Source, "result", result, "audit", st.AuditID, "duration", d.Round(time.Millisecond), "error", runErr)
		} else {
			s.log.Info("audit ended", "source", st.Source, "result", result, "audit", st.AuditID, "duration", d.Round(time.Millisecond))
		}
	}()

	uf, rs, err := s.load()
	if err != nil {
		runErr = err
		return
	}
	asOf := evidence.DateOf(start.In(s.loc))
	if s.cfg.AsOf != "" {
		asOf = evidence.MustParseDate(s.cfg.AsOf)
	}
	co, err := audit.CrawlOptions(s.opts.Crawler, uf)
	if err != nil {
		runErr = err
		return
	}
	co.Cache = s.cache
	co.Logger = s.log
	s.mu.Lock()
	s.rules = rs
	st.AsOf, st.Units = asOf, len(uf.Units)
	s.mu.Unlock()
	s.metrics.units.Set(float64(len(uf.Units)))
	s.metrics.unitsDone.Set(0)
	s.log.Info("audit started", "source", st.Source, "as_of", asOf.String(), "units", len(uf.Units))
	_, window := s.cfg.Probing()
	sum, runErr = audit.Run(ctx, audit.Options{
		Units: uf, Rules: rs, AsOf: asOf, DB: s.db, Crawler: co, Now: s.now, Logger: s.log,
		Note: "serve: " + st.Source, ReachWindow: window, ReachRequired: s.cfg.UnreachableAfter,
		Source: s.opts.Source,
		OnUnit: func(ue *evidence.UnitEvidence, _ scoring.UnitScore) {
			s.metrics.observeUnit(ue)
			s.mu.Lock()
			st.UnitsDone++
			s.mu.Unlock()
		},
	})
	switch {
	case runErr == nil:
		result = resultComplete
	case errors.Is(runErr, audit.ErrIncomplete) || ctx.Err() != nil:
		result = resultIncomplete
	}
}

// probeLoop probes every unit's URL every interval until ctx is done,
// skipping a round while an audit runs (the audit tries the URLs itself).
func (s *Service) probeLoop(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if running, _ := s.Status(); running != nil {
				continue
			}
			if err := s.Probe(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("reachability probes", "error", err)
			}
		}
	}
}

// probeWorkers bounds the probes in flight (one per unit).
const probeWorkers = 8

// Probe makes one round of reachability probes: every unit of the units
// file is tried once (with the crawler's retries and timeouts) and the
// result stored, to count in the observation window of the next audits.
// Probes older than twice the window are pruned.
func (s *Service) Probe(ctx context.Context) error {
	s.mu.Lock()
	if s.probing {
		s.mu.Unlock()
		return nil
	}
	s.probing = true
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.probing = false
		s.mu.Unlock()
	}()
	uf, _, err := s.load()
	if err != nil {
		return err
	}
	co, err := audit.CrawlOptions(s.opts.Crawler, uf)
	if err != nil {
		return err
	}
	co.Logger = s.log
	cr := crawler.New(co)
	defer cr.Close()
	s.metrics.probeOK.Reset() // units that left the roster leave the metric
	work := make(chan int)
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		firstE error
		failed int
	)
	for range probeWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				u := &uf.Units[i]
				f := cr.Probe(ctx, audit.TargetFor(u, nil))
				if ctx.Err() != nil {
					continue // a probe cut short by the stop says nothing of the site
				}
				result := "ok"
				if f.Class != evidence.ClassOK {
					result = "failed"
				}
				s.metrics.probes.WithLabelValues(result).Inc()
				s.metrics.probeOK.WithLabelValues(u.ID).Set(boolFloat(result == "ok"))
				err := s.db.SaveProbe(context.WithoutCancel(ctx), u.ID, f)
				mu.Lock()
				if result == "failed" {
					failed++
				}
				if err != nil && firstE == nil {
					firstE = err
				}
				mu.Unlock()
			}
		}()
	}
	for i := range uf.Units {
		select {
		case work <- i:
		case <-ctx.Done():
		}
	}
	close(work)
	wg.Wait()
	s.metrics.lastProbe.Set(float64(s.now().UnixNano()) / 1e9)
	if _, window := s.cfg.Probing(); window > 0 {
		if _, err := s.db.PruneProbes(context.WithoutCancel(ctx), s.now().Add(-2*window)); err != nil && firstE == nil {
			firstE = err
		}
	}
	s.log.Info("reachability probes", "units", len(uf.Units), "failed", failed)
	return firstE
}

// load reads the units file and the ruleset as configured.
func (s *Service) load() (*units.File, *rules.Ruleset, error) {
	var (
		rs  *rules.Ruleset
		err error
	)
	if s.cfg.Rules == "" {
		rs, err = rules.Default()
	} else {
		rs, err = rules.Load(s.cfg.Rules)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("rules: %w", err)
	}
	rs = rs.WithWindow(s.cfg.WindowMonths)
	uf, err := units.Load(s.cfg.Units)
	if err != nil {
		return nil, nil, fmt.Errorf("units file:\n%w", err)
	}
	for _, w := range uf.Warnings {
		s.log.Warn("units file", "warning", w.Error())
	}
	return uf, rs, nil
}

// Snapshot returns the latest complete audit, read again when an audit
// ended since or the last read is older than snapshotTTL.
func (s *Service) Snapshot(ctx context.Context) (*Snapshot, error) {
	s.mu.Lock()
	snap := s.snap
	s.mu.Unlock()
	now := s.now()
	if snap != nil && now.Sub(snap.Read) < snapshotTTL && !now.Before(snap.Read) {
		return snap, nil
	}
	snap, err := readSnapshot(ctx, s.db, now)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.snap = snap
	s.mu.Unlock()
	return snap, nil
}

func (s *Service) grades() []rules.Grade {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rules.Grades
}

func (s *Service) lastRun() lastRun {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.last == nil {
		return lastRun{}
	}
	return lastRun{set: true, ok: s.last.Result == resultComplete}
}
