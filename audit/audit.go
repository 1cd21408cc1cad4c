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
	now := o.Now
	if now == nil {
		now = time.Now
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := o.Units.Check(unitTypeIDs(o.Rules), columnIDs(o.Rules)); err != nil {
		return nil, err
	}
	start := now()
	roster := make([]evidence.Unit, len(o.Units.Units))
	targets := make([]crawler.Target, len(o.Units.Units))
	plans := map[string]*crawler.Plan{}
	for i := range o.Units.Units {
		u := &o.Units.Units[i]
		roster[i] = UnitOf(u)
		if plans[u.Type] == nil {
			plans[u.Type] = PlanFor(o.Rules, o.AsOf, u.Type)
		}
		targets[i] = TargetFor(u, plans[u.Type])
	}
	if err := keepRuleset(ctx, o.DB, o.Rules); err != nil {
		return nil, err
	}
	sum := &Summary{}
	res := scoring.NewResult(o.Rules, o.AsOf)
	var (
		mu       sync.Mutex // guards sum, res, storeErr and done
		storeErr error
		done     int
		total    = len(targets)
		auditID  int64
	)
	if o.Resume != 0 {
		auditID = o.Resume
		var err error
		if targets, err = resume(ctx, o, roster, targets, sum, res); err != nil {
			return nil, err
		}
		done = total - len(targets)
		log.Info("audit resumed", "audit", auditID, "units", total, "stored", done, "to_crawl", len(targets), "as_of", o.AsOf.String())
	} else {
		var err error
		auditID, err = o.DB.BeginAudit(ctx, store.AuditMeta{
			StartedAt: start, AsOf: o.AsOf, RulesetName: o.Rules.Name, RulesetVersion: o.Rules.Version,
			RulesetHash: o.Rules.Hash, UnitsFile: o.Units.Source, Note: o.Note,
		}, roster)
		if err != nil {
			return nil, fmt.Errorf("begin audit: %w", err)
		}
		log.Info("audit started", "audit", auditID, "units", len(targets), "as_of", o.AsOf.String())
	}
	sum.AuditID = auditID
	job := source.Job{AuditID: auditID, Started: start, Resumed: o.Resume != 0, Targets: targets, Crawler: o.Crawler}
	src := o.Source
	if src == nil {
		src = source.Local
	} else {
		// A remote source keys its messages by the start time as stored,
		// which a resumed run reads back identically.
		a, err := o.DB.Audit(ctx, auditID)
		if err != nil {
			return nil, fmt.Errorf("audit %d: %w", auditID, err)
		}
		job.Started = a.StartedAt
	}
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()

	// Judging and storing a unit (scoring, encoding and compressing its
	// evidence, writing it) happens on a few workers, so it overlaps with
	// the crawl and with itself; only the database transaction is serial.
	// The channel's buffer bounds how many crawled units wait, holding
	// their bodies.
	workers := max(2, runtime.GOMAXPROCS(0))
	type emitted struct {
		ue     *evidence.UnitEvidence
		stored func(error)
	}
	queue := make(chan emitted, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for e := range queue {
				ue, ack := e.ue, e.stored
				if ack == nil {
					ack = func(error) {}
				}
				if !ue.Reach.Reachable {
					if err := observe(ctx, o, ue, start); err != nil {
						log.Error("reachability probes", "unit", ue.Unit.ID, "error", err)
					}
				}
				us, fs := scoring.ScoreUnit(o.Rules, o.AsOf, ue)
				var stored time.Duration
				mu.Lock()
				failed := storeErr != nil
				mu.Unlock()
				if failed {
					ack(errNotStored)
					continue
				}
				if !o.SkipEvidence {
					t0 := now()
					err := o.DB.SaveUnitEvidence(ctx, auditID, ue, referencedBodies(ue, fs))
					stored = now().Sub(t0)
					if err != nil {
						// The unit is not stored (its transaction rolled
						// back): it does not count as done, and a resumed
						// audit crawls it again. A stop is not a store error.
						if ctx.Err() == nil {
							mu.Lock()
							if storeErr == nil {
								storeErr = fmt.Errorf("store unit %s: %w", ue.Unit.ID, err)
							}
							mu.Unlock()
							cancel()
						}
						ack(err)
						continue
					}
				}
				ue.Bodies = nil
				mu.Lock()
				sum.count(ue)
				sum.StoreTime += stored
				res.Units = append(res.Units, us)
				res.Findings = append(res.Findings, fs...)
				done++
				log.Info("unit audited", "unit", ue.Unit.ID, "score", us.Total, "findings", len(fs), "requests", sum.Pages)
				if o.OnUnit != nil {
					o.OnUnit(ue, us)
				}
				mu.Unlock()
				ack(nil)
			}
		}()
	}
	srcErr := src(cctx, job, func(ue *evidence.UnitEvidence, stored func(error)) { queue <- emitted{ue, stored} })
	close(queue)
	wg.Wait()
	sum.Duration = now().Sub(start)
	if storeErr != nil || ctx.Err() != nil || done < total {
		// Record the stop with a fresh context: the audit's own may be cancelled.
		ferr := o.DB.FinishAudit(context.WithoutCancel(ctx), auditID, store.AuditIncomplete, now())
		cause := storeErr
		if cause == nil {
			cause = fmt.Errorf("%w: %d of %d units crawled", ErrIncomplete, done, total)
		}
		return sum, errors.Join(cause, srcErr, ferr)
	}
	final := scoring.Finalize(o.Rules, res)
	rosterByID := map[string]evidence.Unit{}
	for _, u := range roster {
		rosterByID[u.ID] = u
	}
	carry, err := CarryDecisions(ctx, o.DB, o.Rules, final, rosterByID)
	if err != nil {
		_ = o.DB.FinishAudit(context.WithoutCancel(ctx), auditID, store.AuditIncomplete, now())
		return sum, fmt.Errorf("review decisions: %w", err)
	}
	t0 := now()
	scoringID, err := o.DB.SaveScoring(ctx, auditID, final, now())
	if err == nil {
		err = o.DB.CarryReviews(ctx, scoringID, carry)
	}
	sum.StoreTime += now().Sub(t0)
	if err != nil {
		_ = o.DB.FinishAudit(context.WithoutCancel(ctx), auditID, store.AuditIncomplete, now())
		return sum, fmt.Errorf("store scores: %w", err)
	}
	if err := o.DB.FinishAudit(ctx, auditID, store.AuditComplete, now()); err != nil {
		return sum, fmt.Errorf("finish audit: %w", err)
	}
	sum.ScoringID = scoringID
	sum.Result = final
	sum.Duration = now().Sub(start)
	log.Info("audit complete", "audit", auditID, "units", done, "pages", sum.Pages, "errors", sum.Errors, "duration", sum.Duration)
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
