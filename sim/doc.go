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
// Every unit publishes its annual reports on disclosure work (2019 format
// up to 2020, 2021 format after), generated as consistent tables. Some
// units' due report (the one an evaluator judges as of the date) is
// missing, late, incomplete (a heading, a table, a row or cells left out;
// one unit's figures given in prose only, like many real reports) or
// inconsistent (a wrong, negative or decimal figure, a wrong subtotal or
// table 四 total, last year's 结转下年度 not this year's 上年结转). The truth
// judges the report as rendered (report_judge.go explains the rules), and
// decoys (an older report with a wrong figure, last year's report
// published late) must not become findings.
//
// Some units publish what they must not (leaks.go): a list of persons with
// their identity, mobile or bank card numbers unmasked, in a document's
// page or in a file it attaches, in every format an evaluator reads (XLSX,
// XLS, CSV in GBK, DOCX, PDF with a text layer; leakfiles.go writes them),
// each leaking page or file a defect of its own; or a document written
// years after an institutional reform that still names an abolished organ
// as acting (the ruleset's outdated_names). Decoys, on clean units too,
// must not be reported: the same lists masked in every common way, an
// identity number failing its check character, reference numbers, office
// numbers and a unit's own contact mobile on its contact line, old names
// after 原, inside 《》, or in a document written before the reform.
//
// On top of its style, each site shows a few markup variants dealt by the
// district from their own random stream (Unit.Variants, AllVariants): how
// columns are linked (a two-level directory, decorated or icon-only links
// named by their title attribute, a column the units file must name), how
// lists are laid out (dates first, inside the link, flat runs, <dl>, split
// <ul>s, a 最新动态 widget of news beside every list, <base href>), how
// dates are written (2025.07.12, 发布日期：…, full-width digits, 07-12 under
// a year heading), how lists are paged (the six-argument createPageHTML,
// 下页, Next, >), how pages are encoded (GBK declared only in the header
// or nowhere, GB18030) and how annual reports are marked up (section
// headings as <h2>, <p><strong> or <div class="title">, numbered 一、,
// （一）, 第一部分 or 1.; tables with <thead>, inside <div class="table-wrap">,
// printing group subtotals as 小计 rows or as the groups' own rows;
// full-width digits, thousands separators, prose instead of tables, years
// in Chinese numerals in titles). Variants are never defects: the truth is the same
// whatever the markup, and clean units stay clean.
//
// Config.Round plays the district forward through audit rounds, as a
// district office auditing weekly sees it (rounds.go). Round 0 or 1 is the
// district above, byte for byte. Round k ≥ 2 is the same district (the
// same units, styles, variants, content and paths) where, from round k-1,
// about half of the planted defects were fixed (at least one of every
// kind occurring twice or more, and at least one kept), about one unit in
// ten gained a new defect on content it already shows (at least one of
// them a unit clean before), and the rest stayed with the same unit, kind,
// column and subject. Unit.Defects lists round k's defects, and
// District.Diff tells them apart from an earlier round's: fixed, added,
// kept. Round k is meant to be audited a week after round k-1: generate it
// with AsOf = round 1's date + 7·(k-1) days (round 1's date is then found
// by itself; Config.FirstAsOf names it for other schedules). The later
// date is lived through: news gains fresh items, documents falling due are
// interpreted, reports published meanwhile are listed, so that the truth
// of each round, computed for its own date as for round 1, still shows
// only the defects planted; a defect the date ends (a gap period or
// document leaving the window, a report no longer judged) lapses. With a
// fixed Config.BasePort (FreeBasePort finds one), unit i listens on
// BasePort+i in every round, so a persisting finding has the same URL in
// every round's truth, as an evaluator comparing audits needs.
//
// Config.Units and Config.Scale grow the district into a benchmark fleet:
// more units (other Beijing districts' governments, bureaus, towns and
// street offices) and more items per list. District.PageCount counts the
// distinct URLs a crawler reaches on it. Pages are rendered on request, so
// a fleet of 200 units and 50,000 URLs is generated in about a second and
// holds under 100 MB.
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
