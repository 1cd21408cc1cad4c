// Package store keeps gongkai's history in one SQLite file: the audits run,
// the roster each audit used, the evidence seen of every unit (compressed,
// so an audit can be judged again without crawling), every request made,
// the bodies of pages that back findings (deduplicated by content hash), and
// each scoring of an audit with its unit scores and findings.
//
// Findings get stable ids, used by `gongkai evidence ID` and `review ID`, and
// a status against the previous complete audit: new, persisting (with the
// date the problem was first seen carried forward) or resolved.
//
// The store records and retrieves plain data from packages evidence and
// scoring. It interprets nothing: it does not crawl, judge, score or rank,
// and it never imports the crawler. The only things it computes are
// bookkeeping: which audit is the previous one, and whether a finding's
// fingerprint (scoring.Finding.Key) was there before.
//
// Evidence is what grows: `gongkai db prune` (Plan, Prune) removes the
// fetch rows, kept pages and serialised evidence of old audits' units,
// unit by unit in short transactions, and keeps the findings, scores,
// reviews and rosters; reading pruned evidence gives a *PrunedError. Backup
// copies the database while others write it (VACUUM INTO), Check runs
// SQLite's integrity and foreign key checks, Space measures the tables.
//
// Open applies the schema's migrations; a database written by an older
// gongkai is upgraded in place and one written by a newer gongkai is
// refused with a *VersionError. The file uses WAL, so readers (the
// dashboard, `gongkai problems`) never block the writer of an audit.
package store
