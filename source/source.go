// Package source is the seam between an audit and whatever crawls its
// units. The audit (package audit) hands a Job to a Source and judges,
// stores and scores each unit's evidence as the Source emits it; the
// Source crawls the units here (Local) or has them crawled elsewhere
// (package dist). It knows nothing of rules, scores or the database, so a
// crawling process needs neither.
package source

import (
	"context"
	"time"

	"gongkai/crawler"
	"gongkai/evidence"
)

// Source supplies the evidence of an audit's units: it calls emit once
// with each unit's evidence (from one goroutine at a time) and returns when
// every target is emitted, or ctx is done, or it cannot go on. A unit it
// does not emit is not audited, and the audit ends incomplete; an error it
// returns is reported with the audit's own.
type Source func(ctx context.Context, job Job, emit Emit) error

// Emit hands one unit's evidence to the audit. stored, when not nil, is
// called once the unit's evidence is stored (nil) or was not (an error),
// from the goroutine that stored it.
type Emit func(ue *evidence.UnitEvidence, stored func(error))

// Job is what a Source is asked to supply.
type Job struct {
	// AuditID is the audit's id in its database.
	AuditID int64
	// Started is the audit's start time as the database records it (the
	// same when the audit is resumed).
	Started time.Time
	// Resumed is true when the audit is being resumed.
	Resumed bool
	// Targets are the units to crawl: all of them, or on resume those the
	// database does not hold yet.
	Targets []crawler.Target
	// Crawler is the audit's crawl configuration (politeness, limits).
	Crawler crawler.Options
}

// Local crawls the targets in this process.
func Local(ctx context.Context, job Job, emit Emit) error {
	cr := crawler.New(job.Crawler)
	defer cr.Close()
	cr.CrawlAll(ctx, job.Targets, func(ue *evidence.UnitEvidence) { emit(ue, nil) })
	return nil
}
