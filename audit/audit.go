// Package audit runs an audit end to end: it crawls every unit of a units
// file, judges each unit's evidence with a ruleset as soon as it arrives,
// stores evidence, findings and scores, and ranks the units. It is the one
// place where crawler, scoring and store meet; each of those stays ignorant
// of the others.
package audit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"time"

	"gongkai/crawler"
	"gongkai/evidence"
	"gongkai/rules"
	"gongkai/scoring"
	"gongkai/source"
	"gongkai/store"
	"gongkai/units"
)

// Options configure one audit.
type Options struct {
	// Units is the loaded units file.
	Units *units.File
	// Rules is the ruleset to judge with.
	Rules *rules.Ruleset
	// AsOf is the evaluation date.
	AsOf evidence.Date
	// DB receives the audit.
	DB *store.DB
	// Crawler configures the crawl; units-file crawl settings are applied
	// on top of it by CrawlOptions before Run is called.
	Crawler crawler.Options
	// Note is kept with the audit; empty for none.
	Note string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives progress and errors; nil discards them.
	Logger *slog.Logger
	// SkipEvidence leaves the units' evidence out of the database (scores
	// and findings are still stored). It exists to measure what storing the
	// evidence costs; an audit without evidence cannot be re-scored.
	SkipEvidence bool
	// OnUnit, when set, is called after each unit is stored, from one
	// goroutine at a time.
	OnUnit func(ue *evidence.UnitEvidence, us scoring.UnitScore)
	// ReachWindow, when positive, widens the observation window of an
	// unanswering unit: the probes of its URL stored in the database (by
	// `serve`, between audits) over that span before the audit are added
	// to its attempts, as evidence.
	ReachWindow time.Duration
	// ReachRequired is how many failed attempts in the window make an
	// unanswering unit unreachable; 0 means every attempt failing is enough.
	ReachRequired int
	// Resume, when not 0, is the id of an incomplete audit to finish
	// instead of starting a new one: the units whose evidence it stored
	// are judged from the database, only the others are crawled, and the
	// audit is scored and marked complete as if it had never stopped. The
	// units file, ruleset and as-of date must be the audit's own.
	Resume int64
	// Source supplies the units' evidence; nil crawls them here with the
	// local crawler (source.Local). A distributed audit (package dist)
	// supplies evidence crawled elsewhere; judging, storing and scoring
	// are the same either way.
	Source source.Source
}

// errNotStored is what a unit's stored callback gets when an earlier store
// error stopped the audit before the unit was stored.
var errNotStored = errors.New("not stored: the audit stopped on a store error")

// Summary is what an audit produced.
type Summary struct {
	AuditID   int64
	ScoringID int64
	Result    *scoring.Result
	// Pages and Errors count the requests made and those that failed.
	Pages  int
	Errors int
	// Duration is the audit's wall time.
	Duration time.Duration
	// StoreTime is the time spent encoding and writing to the database
	// (evidence, scores, findings), summed over the workers that store
	// units. Writes overlap with the crawl and with each other, so this
	// bounds what storing adds to Duration.
	StoreTime time.Duration
}

// count adds a unit's requests, and those that failed, to the summary.
func (s *Summary) count(ue *evidence.UnitEvidence) {
	for _, f := range ue.AllFetches() {
		s.Pages++
		if f.Class != evidence.ClassOK {
			s.Errors++
		}
	}
}

// ErrIncomplete is returned when an audit stops before every unit was crawled.
var ErrIncomplete = errors.New("audit incomplete")

// Run crawls, judges and stores one audit. The audit is recorded as running
// from the start, each unit's evidence is stored as soon as it is judged,
// and the audit is marked complete only when every unit is in; a cancelled
// audit is marked incomplete and Run returns ErrIncomplete.
func Run(ctx context.Context, o Options) (*Summary, error) {
	r, targets, err := newRun(ctx, o)
	if err != nil {
		return nil, err
	}
	if targets, err = r.begin(ctx, targets); err != nil {
		return nil, err
	}
	src, job, err := r.source(ctx, targets)
	if err != nil {
		return nil, err
	}
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r.stop = cancel
	pool := r.startPool(ctx, max(2, runtime.GOMAXPROCS(0)))
	srcErr := src(cctx, job, pool.emit)
	pool.close()
	return r.finish(ctx, srcErr)
}

// run is one audit in progress: what Run's steps and its store workers
// share. What the workers change is in its tally.
type run struct {
	o     Options
	log   *slog.Logger
	now   func() time.Time
	start time.Time
	// id is the audit's id in the database.
	id     int64
	roster []evidence.Unit
	// stop stops the source (a store error ends the audit).
	stop  context.CancelFunc
	tally *tally
}

// newRun checks the units file against the ruleset, and returns the
// audit's roster and targets (each unit with its type's plan), with the
// ruleset kept in the database.
func newRun(ctx context.Context, o Options) (*run, []crawler.Target, error) {
	r := &run{o: o, now: o.Now, log: o.Logger}
	if r.now == nil {
		r.now = time.Now
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	if err := o.Units.Check(unitTypeIDs(o.Rules), columnIDs(o.Rules)); err != nil {
		return nil, nil, err
	}
	r.start = r.now()
	r.roster = make([]evidence.Unit, len(o.Units.Units))
	targets := make([]crawler.Target, len(o.Units.Units))
	plans := map[string]*crawler.Plan{}
	for i := range o.Units.Units {
		u := &o.Units.Units[i]
		r.roster[i] = UnitOf(u)
		if plans[u.Type] == nil {
			plans[u.Type] = PlanFor(o.Rules, o.AsOf, u.Type)
		}
		targets[i] = TargetFor(u, plans[u.Type])
	}
	if err := keepRuleset(ctx, o.DB, o.Rules); err != nil {
		return nil, nil, err
	}
	r.tally = &tally{sum: &Summary{}, res: scoring.NewResult(o.Rules, o.AsOf), total: len(targets)}
	return r, targets, nil
}

// begin records the audit as running, or reopens the audit to resume
// (whose stored units are judged into the tally at once), and returns the
// targets still to crawl.
func (r *run) begin(ctx context.Context, targets []crawler.Target) ([]crawler.Target, error) {
	o, t := r.o, r.tally
	if o.Resume != 0 {
		r.id = o.Resume
		var err error
		if targets, err = resume(ctx, o, r.roster, targets, t.sum, t.res); err != nil {
			return nil, err
		}
		t.done = t.total - len(targets)
		r.log.Info("audit resumed", "audit", r.id, "units", t.total, "stored", t.done, "to_crawl", len(targets), "as_of", o.AsOf.String())
	} else {
		var err error
		r.id, err = o.DB.BeginAudit(ctx, store.AuditMeta{
			StartedAt: r.start, AsOf: o.AsOf, RulesetName: o.Rules.Name, RulesetVersion: o.Rules.Version,
			RulesetHash: o.Rules.Hash, UnitsFile: o.Units.Source, Note: o.Note,
		}, r.roster)
		if err != nil {
			return nil, fmt.Errorf("begin audit: %w", err)
		}
		r.log.Info("audit started", "audit", r.id, "units", len(targets), "as_of", o.AsOf.String())
	}
	t.sum.AuditID = r.id
	return targets, nil
}

// source returns the audit's source and its job: the local crawler, or
// the source the options give, which keys its messages by the audit's
// start time as stored (a resumed run reads it back identically).
func (r *run) source(ctx context.Context, targets []crawler.Target) (source.Source, source.Job, error) {
	job := source.Job{AuditID: r.id, Started: r.start, Resumed: r.o.Resume != 0, Targets: targets, Crawler: r.o.Crawler}
	if r.o.Source == nil {
		return source.Local, job, nil
	}
	a, err := r.o.DB.Audit(ctx, r.id)
	if err != nil {
		return nil, job, fmt.Errorf("audit %d: %w", r.id, err)
	}
	job.Started = a.StartedAt
	return r.o.Source, job, nil
}

// tally collects what the store workers produce: the summary, the
// result, the units stored and the first store error. Its methods are
// safe for concurrent use.
type tally struct {
	mu       sync.Mutex
	sum      *Summary
	res      *scoring.Result
	done     int
	total    int
	storeErr error
}

// failed reports whether a store error stopped the audit.
func (t *tally) failed() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.storeErr != nil
}

// fail records the audit's first store error.
func (t *tally) fail(err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.storeErr == nil {
		t.storeErr = err
	}
}

// add counts a stored unit, logs it and hands it to onUnit, one unit at a
// time.
func (t *tally) add(ue *evidence.UnitEvidence, us scoring.UnitScore, fs []scoring.Finding, took time.Duration, log *slog.Logger, onUnit func(*evidence.UnitEvidence, scoring.UnitScore)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sum.count(ue)
	t.sum.StoreTime += took
	t.res.Units = append(t.res.Units, us)
	t.res.Findings = append(t.res.Findings, fs...)
	t.done++
	log.Info("unit audited", "unit", ue.Unit.ID, "score", us.Total, "findings", len(fs), "requests", t.sum.Pages)
	if onUnit != nil {
		onUnit(ue, us)
	}
}

// emitted is a unit the source handed in, with its stored callback.
type emitted struct {
	ue     *evidence.UnitEvidence
	stored func(error)
}

// storePool judges and stores the units a source emits on a few workers,
// so that this overlaps with the crawl and with itself; only the database
// transaction is serial. The queue's buffer bounds how many crawled units
// wait, holding their bodies.
type storePool struct {
	queue chan emitted
	wg    sync.WaitGroup
}

// startPool starts workers store workers for r.
func (r *run) startPool(ctx context.Context, workers int) *storePool {
	p := &storePool{queue: make(chan emitted, workers)}
	for range workers {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			for e := range p.queue {
				r.storeUnit(ctx, e.ue, e.stored)
			}
		}()
	}
	return p
}

// emit queues a unit (the source's Emit).
func (p *storePool) emit(ue *evidence.UnitEvidence, stored func(error)) {
	p.queue <- emitted{ue, stored}
}

// close waits for the queued units to be stored, once the source is done.
func (p *storePool) close() {
	close(p.queue)
	p.wg.Wait()
}

// storeUnit judges a unit's evidence (with its observation window when
// it did not answer), stores it with the bodies its findings cite, and
// counts it; stored, when not nil, hears whether it was stored.
func (r *run) storeUnit(ctx context.Context, ue *evidence.UnitEvidence, stored func(error)) {
	o := r.o
	ack := stored
	if ack == nil {
		ack = func(error) {}
	}
	if !ue.Reach.Reachable {
		if err := observe(ctx, o, ue, r.start); err != nil {
			r.log.Error("reachability probes", "unit", ue.Unit.ID, "error", err)
		}
	}
	us, fs := scoring.ScoreUnit(o.Rules, o.AsOf, ue)
	if r.tally.failed() {
		ack(errNotStored)
		return
	}
	var took time.Duration
	if !o.SkipEvidence {
		t0 := r.now()
		err := o.DB.SaveUnitEvidence(ctx, r.id, ue, referencedBodies(ue, fs))
		took = r.now().Sub(t0)
		if err != nil {
			// The unit is not stored (its transaction rolled back): it
			// does not count as done, and a resumed audit crawls it
			// again. A stop is not a store error.
			if ctx.Err() == nil {
				r.tally.fail(fmt.Errorf("store unit %s: %w", ue.Unit.ID, err))
				r.stop()
			}
			ack(err)
			return
		}
	}
	ue.Bodies = nil
	r.tally.add(ue, us, fs, took, r.log, o.OnUnit)
	ack(nil)
}

// finish ends the audit once the source returned and every unit it
// emitted was stored: incomplete (a unit missing, a store error, a stop),
// or complete with its scoring, carried review decisions and ranking.
func (r *run) finish(ctx context.Context, srcErr error) (*Summary, error) {
	o, t, sum := r.o, r.tally, r.tally.sum
	sum.Duration = r.now().Sub(r.start)
	if t.storeErr != nil || ctx.Err() != nil || t.done < t.total {
		// Record the stop with a fresh context: the audit's own may be cancelled.
		ferr := o.DB.FinishAudit(context.WithoutCancel(ctx), r.id, store.AuditIncomplete, r.now())
		cause := t.storeErr
		if cause == nil {
			cause = fmt.Errorf("%w: %d of %d units crawled", ErrIncomplete, t.done, t.total)
		}
		return sum, errors.Join(cause, srcErr, ferr)
	}
	final := scoring.Finalize(o.Rules, t.res)
	rosterByID := map[string]evidence.Unit{}
	for _, u := range r.roster {
		rosterByID[u.ID] = u
	}
	carry, err := CarryDecisions(ctx, o.DB, o.Rules, final, rosterByID)
	if err != nil {
		_ = o.DB.FinishAudit(context.WithoutCancel(ctx), r.id, store.AuditIncomplete, r.now())
		return sum, fmt.Errorf("review decisions: %w", err)
	}
	t0 := r.now()
	scoringID, err := o.DB.SaveScoring(ctx, r.id, final, r.now())
	if err == nil {
		err = o.DB.CarryReviews(ctx, scoringID, carry)
	}
	sum.StoreTime += r.now().Sub(t0)
	if err != nil {
		_ = o.DB.FinishAudit(context.WithoutCancel(ctx), r.id, store.AuditIncomplete, r.now())
		return sum, fmt.Errorf("store scores: %w", err)
	}
	if err := o.DB.FinishAudit(ctx, r.id, store.AuditComplete, r.now()); err != nil {
		return sum, fmt.Errorf("finish audit: %w", err)
	}
	sum.ScoringID = scoringID
	sum.Result = final
	sum.Duration = r.now().Sub(r.start)
	r.log.Info("audit complete", "audit", r.id, "units", t.done, "pages", sum.Pages, "errors", sum.Errors, "duration", sum.Duration)
	return sum, nil
}

// observe puts the observation window on an unanswering unit's evidence:
// the stored probes of its URL in the window before start come first among
// its attempts, and the number of failures that makes it unreachable.
func observe(ctx context.Context, o Options, ue *evidence.UnitEvidence, start time.Time) error {
	ue.Reach.Required = o.ReachRequired
	if o.ReachWindow <= 0 {
		return nil
	}
	probes, err := o.DB.Probes(ctx, ue.Unit.ID, ue.Unit.URL, start.Add(-o.ReachWindow), start)
	if err != nil {
		return err
	}
	ue.Reach.Attempts = append(probes, ue.Reach.Attempts...)
	return nil
}

// resume checks that the incomplete audit o.Resume is the one o describes
// (same roster, ruleset and date), reopens it, judges the units it stored
// into res and sum, and returns the targets still to crawl.
func resume(ctx context.Context, o Options, roster []evidence.Unit, targets []crawler.Target, sum *Summary, res *scoring.Result) ([]crawler.Target, error) {
	id := o.Resume
	a, err := o.DB.Audit(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("resume audit %d: %w", id, err)
	}
	if a.Status == store.AuditComplete {
		return nil, fmt.Errorf("resume audit %d: it is complete: %w", id, store.ErrNotResumable)
	}
	if a.RulesetHash != o.Rules.Hash {
		return nil, fmt.Errorf("resume audit %d: it was started with ruleset %s %s (%.12s), not %s %s (%.12s): resume it with the same rules, or start a new audit",
			id, a.RulesetName, a.RulesetVersion, a.RulesetHash, o.Rules.Name, o.Rules.Version, o.Rules.Hash)
	}
	if a.AsOf != o.AsOf {
		return nil, fmt.Errorf("resume audit %d: it is as of %s, not %s", id, a.AsOf, o.AsOf)
	}
	was, err := o.DB.Units(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("resume audit %d: %w", id, err)
	}
	if len(was) != len(roster) {
		return nil, fmt.Errorf("resume audit %d: it has %d units, the units file %d: the units file changed; start a new audit", id, len(was), len(roster))
	}
	for i := range was {
		if was[i].ID != roster[i].ID || was[i].URL != roster[i].URL || was[i].Type != roster[i].Type {
			return nil, fmt.Errorf("resume audit %d: unit %d was %s (%s, %s), the units file has %s (%s, %s): the units file changed; start a new audit",
				id, i+1, was[i].ID, was[i].Type, was[i].URL, roster[i].ID, roster[i].Type, roster[i].URL)
		}
	}
	if err := o.DB.ReopenAudit(ctx, id); err != nil {
		return nil, fmt.Errorf("resume: %w", err)
	}
	stored, err := o.DB.StoredUnits(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("resume audit %d: %w", id, err)
	}
	var todo []crawler.Target
	for _, t := range targets {
		if !stored[t.Unit.ID] {
			todo = append(todo, t)
			continue
		}
		ue, err := o.DB.UnitEvidence(ctx, id, t.Unit.ID)
		if err != nil {
			return nil, fmt.Errorf("resume audit %d: unit %s: %w", id, t.Unit.ID, err)
		}
		us, fs := scoring.ScoreUnit(o.Rules, o.AsOf, ue)
		sum.count(ue)
		res.Units = append(res.Units, us)
		res.Findings = append(res.Findings, fs...)
	}
	return todo, nil
}

// referencedBodies returns the bodies of the pages the unit's findings cite.
func referencedBodies(ue *evidence.UnitEvidence, fs []scoring.Finding) map[string][]byte {
	keep := map[string][]byte{}
	for _, f := range fs {
		for _, r := range f.Evidence {
			if r.SHA256 == "" {
				continue
			}
			if b, ok := ue.Bodies[r.SHA256]; ok {
				keep[r.SHA256] = b
			}
		}
	}
	return keep
}

// Rescore judges a stored audit's evidence again, with rs as of asOf,
// without crawling, and stores the result as a new scoring of that audit.
//
// An audit whose evidence was pruned, even in part, cannot be judged again:
// the error wraps a *store.PrunedError (store.ErrPruned) naming it.
func Rescore(ctx context.Context, db *store.DB, auditID int64, rs *rules.Ruleset, asOf evidence.Date, now time.Time) (int64, *scoring.Result, error) {
	a, err := db.Audit(ctx, auditID)
	if err != nil {
		return 0, nil, fmt.Errorf("rescore: %w", err)
	}
	if err := a.EvidenceErr(); err != nil {
		return 0, nil, fmt.Errorf("rescore: %w: it cannot be judged again (its findings and scores are kept)", err)
	}
	roster, err := db.Units(ctx, auditID)
	if err != nil {
		return 0, nil, fmt.Errorf("rescore: %w", err)
	}
	res := scoring.NewResult(rs, asOf)
	for _, u := range roster {
		ue, err := db.UnitEvidence(ctx, auditID, u.ID)
		if errors.Is(err, store.ErrNotFound) {
			continue // an incomplete audit: the unit was never crawled
		}
		if err != nil {
			return 0, nil, fmt.Errorf("rescore %s: %w", u.ID, err)
		}
		us, fs := scoring.ScoreUnit(rs, asOf, ue)
		res.Units = append(res.Units, us)
		res.Findings = append(res.Findings, fs...)
	}
	final := scoring.Finalize(rs, res)
	if err := keepRuleset(ctx, db, rs); err != nil {
		return 0, nil, fmt.Errorf("rescore: %w", err)
	}
	units := map[string]evidence.Unit{}
	for _, u := range roster {
		units[u.ID] = u
	}
	carry, err := CarryDecisions(ctx, db, rs, final, units)
	if err != nil {
		return 0, nil, fmt.Errorf("rescore: %w", err)
	}
	id, err := db.SaveScoring(ctx, auditID, final, now)
	if err == nil {
		err = db.CarryReviews(ctx, id, carry)
	}
	if err != nil {
		return 0, nil, fmt.Errorf("rescore: %w", err)
	}
	return id, final, nil
}

// CheckUnits checks a units file against a ruleset: every unit's type and
// every column it names must be the ruleset's.
func CheckUnits(uf *units.File, rs *rules.Ruleset) error {
	return uf.Check(unitTypeIDs(rs), columnIDs(rs))
}

func unitTypeIDs(rs *rules.Ruleset) []string {
	out := make([]string, len(rs.UnitTypes))
	for i, t := range rs.UnitTypes {
		out[i] = t.ID
	}
	return out
}

func columnIDs(rs *rules.Ruleset) []string {
	out := make([]string, len(rs.Columns))
	for i, c := range rs.Columns {
		out[i] = c.ID
	}
	return out
}

// CrawlOptions applies a units file's crawl settings on top of base:
// every setting the file gives replaces base's (crawler.Settings.Merge),
// and so does its concurrency. A setting below zero is an error.
func CrawlOptions(base crawler.Options, f *units.File) (crawler.Options, error) {
	if f == nil || f.Crawl == nil {
		return base, nil
	}
	c := f.Crawl
	if bad := c.Negative(); len(bad) > 0 {
		return base, fmt.Errorf("%s: crawl: %s must not be negative", f.Source, strings.Join(bad, ", "))
	}
	base.Settings = base.Settings.Merge(c.Settings)
	if c.Concurrency > 0 {
		base.Concurrency = c.Concurrency
	}
	return base, nil
}
