package rules

import (
	"fmt"
	"sort"
	"strings"
)

// kindDocs explains each check kind for the rules README.
var kindDocs = map[CheckKind]string{
	KindReachability:       "the unit URL answers in the observation window; a portal the crawler could not use (an anti-bot challenge, robots.txt, cut at the size cap, unreadable) is a notice and the unit is not assessed",
	KindCertificate:        "the certificates of the unit's hosts pass verification (not expired, for the host, from a trusted authority, a handshake a standard browser can make); the unit's pages are read and judged either way",
	KindPresence:           "a link to the column can be found (or the units file names its URL); a column page the crawler could not use (cut at the size cap, refused by a budget or robots.txt, unreadable, an anti-bot challenge) is a `column.unread` notice and the column is not judged",
	KindNonEmpty:           "the column holds items (list) or content (page); a page that says why it holds nothing yields a notice",
	KindFields:             "the page shows each field, by its name or an alias",
	KindMaxAge:             "the newest item is at most `max_age` old at the as-of date; a notice within the last `warn` fraction",
	KindPeriodic:           "each `period` of the window (`cover`: wholly inside, or touched) has an item",
	KindDocumentMetadata:   "each document page (listed in the window) shows each field with a value",
	KindPublicationDelay:   "each document is published within `working_days` of its 成文日期",
	KindInterpretation:     "each document of column `of` (listed in the window, due by the as-of date) has an interpretation within `working_days`",
	KindLinkHealth:         "each link and attachment on the crawled pages answers; `portal_points` on the portal; `external` also checks other hosts",
	KindCountVeto:          "`at_least` findings of kind `finding` veto the unit",
	KindReportMissing:      "the annual report due by the as-of date (deadline `due` in the following year) is published",
	KindReportLate:         "the report was published by its deadline",
	KindReportIncomplete:   "the report has the sections and tables of the format in force for its year (the 2019/2021 format's six sections and three tables; the 2008 Regulations' six contents before 2019); blank cells are a notice unless `blank_cells` says deduction; a report or table gongkai could not read (a scanned PDF) is a notice asking for a manual check",
	KindReportInconsistent: "the report's figures keep the identities of the State Council's format",
	KindPrivacy:            "no page read (documents, interpretations, reports) and no file it attaches discloses an unmasked identity number, a citizen's mobile number in a list of persons, or a bank card number beside a card word; one finding per page or file (see Content checks)",
	KindOutdatedName:       "no document dated after a listed name ceased (plus `grace`) uses it as a current actor: not after 原, not inside 《》 (see Content checks)",
}

// Markdown renders the ruleset as a table a reader can audit: kinds,
// columns, dimensions and indicators with every check's points and basis,
// vetoes, grades and the calendar.
func Markdown(rs *Ruleset) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	esc := func(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ") }
	p("# The default ruleset\n\n")
	p("This page is generated from `rules/default/*.yaml` (`go test ./rules -update`); edit the YAML, not this page.\n")
	p("Copy the ruleset with `gongkai rules dump DIR`, edit it, check it with `gongkai rules check DIR`, and use it with\n")
	p("`--rules DIR` (`audit`, `rescore`, `inspect`). `schema.json` lets editors validate rule files as you type.\n\n")
	p("**%s**, version %s: out of %g points; the evaluation window is the %d complete calendar months before the as-of date's month.\n\n",
		rs.Name, rs.Version, rs.Total, rs.WindowMonths())

	p("## How a ruleset is written\n\n")
	p("A ruleset is a directory of YAML files (or one file). Lists (`unit_types`, `dimensions`, `indicators`, `columns`, `checks`,\n")
	p("`grades`, `explained_empty`, `hubs`) are joined across files; other settings (`name`, `version`, `total`, `window`,\n")
	p("`calendar`) are given once. Loading is strict and reports every problem at once as `file:line:col: rule \"id\": field: problem`.\n\n")
	p("Scoring: a unit starts from the total and loses points. Each check deducts its `points` for each finding; the deductions under one\n")
	p("**indicator** never exceed the indicator's points; indicator points add up to their **dimension**'s, and dimension points to the\n")
	p("total (the loader refuses a ruleset whose points do not add up). A veto grades the unit at the lowest band whatever its points; a\n")
	p("veto check with `score` also sets the total. A missing or empty column gets that finding only: the column's other checks are not run.\n\n")
	p("| kind | finding | parameters | it wants |\n|---|---|---|---|\n")
	kinds := CheckKinds()
	for _, k := range kinds {
		kind := CheckKind(k)
		c := Check{Kind: kind}
		params := append([]string(nil), kindKeys[kind]...)
		sort.Strings(params)
		fk := c.FindingKind()
		switch kind {
		case KindMaxAge:
			fk += ", " + FindingColumnExpiring + " (notice)"
		case KindPresence:
			fk += ", " + FindingColumnUnread + " (notice)"
		}
		if fk == "" {
			fk = "(veto only)"
		}
		p("| `%s` | `%s` | %s | %s |\n", k, fk, codeList(params), kindDocs[kind])
	}

	p("\n## Unit types\n\n| id | name | English |\n|---|---|---|\n")
	for _, u := range rs.UnitTypes {
		p("| `%s` | %s | %s |\n", u.ID, u.Name, u.NameEN)
	}

	p("\n## Columns\n\nNames are what unit sites show; aliases are matched too, after folding width, case, whitespace and punctuation.\n\n")
	p("| id | name | aliases | English | shape | unit types |\n|---|---|---|---|---|---|\n")
	for _, c := range rs.Columns {
		p("| `%s` | %s | %s | %s | %s | %s |\n", c.ID, c.Name, strings.Join(c.Aliases, "、"), c.NameEN, c.Shape, strings.Join(c.UnitTypes, ", "))
	}

	p("\n## Dimensions, indicators and checks\n\n")
	p("`points` is the deduction for one finding; the indicator's points cap what its checks can take together.\n")
	for _, d := range rs.Dimensions {
		p("\n### %s (%s): %g points\n", d.Name, d.NameEN, d.Points)
		for _, ind := range rs.Indicators {
			if ind.Dimension != d.ID {
				continue
			}
			p("\n**%s** (`%s`), %g points. Basis: %s\n\n", ind.Name, ind.ID, ind.Points, esc(ind.Basis))
			p("| rule | kind | column | points | parameters | applies to | it wants |\n|---|---|---|---:|---|---|---|\n")
			for i := range rs.Checks {
				c := &rs.Checks[i]
				if c.Indicator != ind.ID {
					continue
				}
				pts := fmt.Sprintf("%g", c.Points)
				if c.PortalPoints > 0 {
					pts += fmt.Sprintf(" (portal %g)", c.PortalPoints)
				}
				if c.Severity != SeverityDeduction {
					pts = string(c.Severity)
				}
				p("| `%s` | `%s` | %s | %s | %s | %s | %s |\n", c.ID, c.Kind, code(c.Column), pts, esc(params(c)), applies(rs, c), esc(c.Description))
				if c.Basis != "" {
					p("| | | | | | | basis: %s |\n", esc(c.Basis))
				}
			}
		}
	}

	p("\n## Vetoes\n\n| rule | kind | condition | score | basis |\n|---|---|---|---|---|\n")
	for i := range rs.Checks {
		c := &rs.Checks[i]
		if c.Severity != SeverityVeto {
			continue
		}
		cond := kindDocs[c.Kind]
		if c.Kind == KindCountVeto {
			cond = fmt.Sprintf("%d or more `%s` findings", c.AtLeast, c.Finding)
		}
		score := "as counted"
		if c.Score != nil {
			score = fmt.Sprintf("%g", *c.Score)
		}
		p("| `%s` | `%s` | %s | %s | %s |\n", c.ID, c.Kind, cond, score, esc(rs.Basis(c)))
	}

	p("\n## Grades\n\n| grade | English | from |\n|---|---|---:|\n")
	for _, g := range rs.Grades {
		p("| %s | %s | %g |\n", g.Name, g.NameEN, g.Min)
	}
	p("\nA vetoed unit gets the lowest grade and ranks after every unit without a veto; ties share a rank.\n")

	contentSection(rs, p, esc)

	p("\n## Empty columns explained\n\nA column page that says one of these is not empty (a notice, no points): %s.\n", strings.Join(rs.ExplainedEmpty, "、"))
	p("\n## Hubs\n\nLinks with these texts lead from a portal to the disclosure directory; the crawler follows them: %s.\n", strings.Join(rs.Hubs, "、"))

	p("\n## Working-day calendar\n\nWorking days are Monday to Friday, less public holidays, plus make-up working days (调休).\n\n")
	p("| year | holidays | make-up working days |\n|---|---:|---:|\n")
	years := map[int][2]int{}
	for d := range rs.Calendar.Holidays {
		y := years[d.Year]
		y[0]++
		years[d.Year] = y
	}
	for d := range rs.Calendar.Workdays {
		y := years[d.Year]
		y[1]++
		years[d.Year] = y
	}
	var ys []int
	for y := range years {
		ys = append(ys, y)
	}
	sort.Ints(ys)
	for _, y := range ys {
		p("| %d | %d | %d |\n", y, years[y][0], years[y][1])
	}
	p("\nFor a year not listed, only weekends are days off: add its holidays when the State Council publishes them.\n")
	return b.String()
}

func code(s string) string {
	if s == "" {
		return ""
	}
	return "`" + s + "`"
}

func codeList(ss []string) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = "`" + s + "`"
	}
	return strings.Join(out, ", ")
}

// params describes a check's parameters in words.
func params(c *Check) string {
	var out []string
	for _, f := range c.Fields {
		if len(f.Aliases) > 0 {
			out = append(out, fmt.Sprintf("%s (%s)", f.Name, strings.Join(f.Aliases, "、")))
		} else {
			out = append(out, f.Name)
		}
	}
	if c.MaxAge > 0 {
		out = append(out, fmt.Sprintf("max_age %s, warn %g", c.MaxAge, c.WarnFraction()))
	}
	if c.Period != "" {
		out = append(out, fmt.Sprintf("%s, %s", c.Period, c.Cover))
	}
	if c.WorkingDays > 0 {
		out = append(out, fmt.Sprintf("%d working days", c.WorkingDays))
	}
	if c.Of != "" {
		out = append(out, "of "+c.Of)
	}
	if len(c.Due) > 0 {
		var ds []string
		for _, k := range sortedDue(c.Due) {
			ds = append(ds, k+" "+c.Due[k].String())
		}
		out = append(out, "due "+strings.Join(ds, ", "))
	}
	if c.External {
		out = append(out, "external links too")
	}
	if c.Kind == KindPrivacy {
		n := "numbers id, mobile, card"
		if len(c.Numbers) > 0 {
			n = "numbers " + strings.Join(c.Numbers, ", ")
		}
		if !c.ReadsAttachments() {
			n += "; pages only, no attachments"
		}
		out = append(out, n)
	}
	if c.Kind == KindOutdatedName {
		out = append(out, fmt.Sprintf("grace %s", c.Grace))
	}
	return strings.Join(out, "; ")
}

// contentSection documents the content checks: what they judge, by which
// words, under which indicator, and the outdated names listed.
func contentSection(rs *Ruleset, p func(string, ...any), esc func(string) string) {
	var checks []*Check
	for i := range rs.Checks {
		if k := rs.Checks[i].Kind; k == KindPrivacy || k == KindOutdatedName {
			checks = append(checks, &rs.Checks[i])
		}
	}
	if len(checks) == 0 && len(rs.OutdatedNames) == 0 {
		return
	}
	p("\n## Content checks\n\n")
	p("Completeness and timeliness say whether a unit published what it must; inspections and third-party evaluations also deduct\n")
	p("for what a unit must not publish or publishes wrongly (错敏信息, 隐私泄露). Two checks judge what the crawler records of the text of\n")
	p("every item page it reads (documents, interpretations, reports) and, for personal data, of the files those pages attach on the unit's\n")
	p("hosts (PDF with a text layer, DOCX, DOC, XLSX, XLS, CSV; at most `--max-attachments` files per unit, 40 by default, of at most\n")
	p("`--attachment-mb` MB each, 8 by default). The crawler observes and masks; these checks judge. Numbers are masked before anything is\n")
	p("kept (`110105********1234`, `138****5678`), and a number the unit masked itself, in any common way, is no candidate.\n\n")
	for _, c := range checks {
		ind := rs.Indicator(c.Indicator)
		where := "no indicator"
		if ind != nil {
			where = fmt.Sprintf("indicator **%s** (`%s`, %g points)", ind.Name, ind.ID, ind.Points)
		}
		unit := "points"
		if c.Points == 1 {
			unit = "point"
		}
		sev := fmt.Sprintf("%g %s per finding under %s", c.Points, unit, where)
		if c.Severity != SeverityDeduction {
			sev = string(c.Severity) + " (" + where + ")"
		}
		switch c.Kind {
		case KindPrivacy:
			v := c.Vocabulary()
			p("**`%s`** (`privacy`, finding `content.privacy`): %s. One finding per page or attachment that discloses at least one\n", c.ID, sev)
			p("number that counts, naming how many of each kind and where (table, sheet, page, row). What counts:\n\n")
			if c.Counts(NumberID) {
				p("- an identity number (居民身份证号码): 18 characters with a valid GB 11643 check character, a birth date and a region prefix,\n")
				p("  anywhere; the 15-digit form only in a list of persons or beside an identity word (%s);\n", esc(strings.Join(v.IDWords, "、")))
			}
			if c.Counts(NumberMobile) {
				p("- a mobile number (11 digits, a prefix in use) in a list of persons: a table with a column headed %s, or a page or file\n", esc(strings.Join(v.PersonHeaders, "、")))
				p("  whose title, headings or sheet names say %s, unless its line is a contact line labelled %s outside a table\n", esc(strings.Join(v.ListWords, "、")), esc(strings.Join(v.ContactWords, "、")))
				p("  of persons (a unit's own contact line is published on purpose); office numbers with an area code never count;\n")
			}
			if c.Counts(NumberCard) {
				p("- a bank card number (16 to 19 digits passing the Luhn check) in a column or line that says %s.\n", esc(strings.Join(v.CardWords, "、")))
			}
			p("\nThe words are the check's `person_headers`, `list_words`, `contact_labels`, `card_words` and `id_words` (these are the defaults);\n")
			p("`numbers` narrows the kinds, `attachments: false` reads pages only. Set `severity: veto` to fail a unit that leaks, as some\n")
			p("evaluations do. The page or file stays in the evidence as fetched; every output shows masked values only, and\n")
			p("`gongkai evidence --body` warns that the body holds personal data.\n\n")
		case KindOutdatedName:
			p("**`%s`** (`outdated_name`, finding `content.outdated-name`): %s. A document whose own date (成文日期, else 发布日期,\n", c.ID, sev)
			p("else the list's date) is more than `grace` (%s) after a listed name ceased, and that uses the name as a current actor, is a\n", c.Grace)
			p("finding naming the name, its successor and the use. Not a finding: the name after 原 (原国家工商行政管理总局, and the names of a\n")
			p("list 原 opens), inside 《》 (the title of an older document), in a document dated before the cut-off; a ministry's name followed\n")
			p("by 门 or 署 (农业部门) is no use of the ministry.\n\n")
		}
	}
	if ind := rs.Indicator("content-compliance"); ind != nil {
		p("Why this indicator: both checks judge whether what a unit publishes is right to publish and right as published, which the\n")
		p("inspection indicators count under the standard of content (规范性) rather than under completeness or timeliness; one indicator\n")
		p("of %g points caps them together, so that a unit with many leaking pages loses that much and no more unless the evaluator makes\n", ind.Points)
		p("the check a veto. Basis: %s\n\n", esc(ind.Basis))
	}
	if len(rs.OutdatedNames) > 0 {
		p("### Outdated names\n\nFrom `outdated_names` (`names.yaml`): a name, its other forms, its successor and when it ceased (a month means its last day).\n\n")
		p("| name | other forms | successor | ceased | reform |\n|---|---|---|---|---|\n")
		for _, n := range rs.OutdatedNames {
			p("| %s | %s | %s | %s | %s |\n", esc(n.Name), esc(strings.Join(n.Aliases, "、")), esc(n.Successor), n.Ceased.Text, esc(n.Basis))
		}
	}
}

func sortedDue(m map[string]MonthDay) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// applies lists the unit types a check applies to.
func applies(rs *Ruleset, c *Check) string {
	var out []string
	for _, u := range rs.UnitTypes {
		if rs.CheckApplies(c, u.ID) {
			out = append(out, u.ID)
		}
	}
	if len(out) == len(rs.UnitTypes) {
		return "all"
	}
	return strings.Join(out, ", ")
}
