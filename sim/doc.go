// Package sim is a simulated district for testing gongkai end to end. It
// models Beijing's Huairou District (怀柔区): the district government, its
// bureaus, towns, townships and street offices, each with a disclosure
// website (政府信息公开) made by one of several imitated content-management
// systems (TRS WCM, Hanweb, hand-made pages). Each site is served on its own
// loopback listener, and the sim knows its ground truth: the exact list of
// findings an evaluator applying a ruleset as of a date must report.
//
// Everything is generated deterministically from a seed and an as-of date:
// the same Config always yields byte-identical pages and the same truth. The
// sim plants defects per unit (missing, empty and stale columns, gaps, missing
// fields, documents without metadata, late or uninterpreted documents, broken
// links, unreachable sites, a vetoed unit) and keeps a few units clean.
//
// The truth is computed by the sim's own evaluator over its own model (item
// dates, fields shown, document metadata, the links each rendered page
// carries and what the sim answers for them), reading every parameter (ages,
// periods, fields, points, working days, the holiday calendar) from the
// ruleset. It is an independent ground truth: the package must never import
// gongkai/crawler, gongkai/scoring, gongkai/store or gongkai/audit, and must
// never read the clock or the global random source.
//
// sim is for tests and demonstrations only. It serves loopback addresses, is
// not hardened against hostile clients, and is not a model of any real site's
// content.
package sim
