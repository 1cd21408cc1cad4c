package rules

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// CheckKind names a generic check. Checks are parameterised kinds, not code
// per column.
type CheckKind string

// The check kinds and the finding kinds (docs/spec.md#finding-kinds) they produce.
const (
	// KindReachability: the unit URL answers (site.unreachable).
	KindReachability CheckKind = "reachability"
	// KindCertificate: the certificates of the unit's hosts pass
	// verification (site.certificate). The unit's content is read and
	// judged either way.
	KindCertificate CheckKind = "certificate"
	// KindPresence: the column can be found (column.missing; column.unread
	// as a notice when a page of the column could not be used, e.g. cut at
	// the size cap, and the column is not judged).
	KindPresence CheckKind = "presence"
	// KindNonEmpty: the column holds items or content (column.empty; a column
	// that explains why it is empty yields a notice).
	KindNonEmpty CheckKind = "non_empty"
	// KindFields: a page column shows the required fields (field.missing).
	KindFields CheckKind = "fields"
	// KindMaxAge: the newest item is not older than max_age (column.stale;
	// column.expiring as a notice within the warning margin).
	KindMaxAge CheckKind = "max_age"
	// KindPeriodic: every period of the window has an item (column.gap).
	KindPeriodic CheckKind = "periodic"
	// KindDocumentMetadata: document pages carry the required metadata
	// (document.metadata).
	KindDocumentMetadata CheckKind = "document_metadata"
	// KindPublicationDelay: documents are published within working_days of
	// their 成文日期 (document.late).
	KindPublicationDelay CheckKind = "publication_delay"
	// KindInterpretation: documents are interpreted within working_days
	// (document.uninterpreted).
	KindInterpretation CheckKind = "interpretation"
	// KindLinkHealth: links and attachments answer (link.broken).
	KindLinkHealth CheckKind = "link_health"
	// KindCountVeto: at_least findings of one kind veto the unit.
	KindCountVeto CheckKind = "count_veto"
	// KindReportMissing: the annual report due by the as-of date is
	// published (report.missing).
	KindReportMissing CheckKind = "report_missing"
	// KindReportLate: the annual report was published by its deadline (report.late).
	KindReportLate CheckKind = "report_late"
	// KindReportIncomplete: the report has every section, table and cell
	// (report.incomplete).
	KindReportIncomplete CheckKind = "report_incomplete"
	// KindReportInconsistent: the report's figures keep the identities of
	// docs/spec.md#annual-report-identities (report.inconsistent).
	KindReportInconsistent CheckKind = "report_inconsistent"
	// KindPrivacy: the pages read and their attachments disclose no
	// personal number unmasked (content.privacy): identity numbers,
	// citizens' mobile numbers in lists of persons, bank card numbers.
	KindPrivacy CheckKind = "privacy"
	// KindOutdatedName: documents do not use the names of organs that an
	// institutional reform abolished as if they still acted
	// (content.outdated-name).
	KindOutdatedName CheckKind = "outdated_name"
)

// checkKinds lists the valid kinds and whether each needs a column.
var checkKinds = map[CheckKind]struct{ needsColumn bool }{
	KindReachability:       {false},
	KindCertificate:        {false},
	KindPresence:           {true},
	KindNonEmpty:           {true},
	KindFields:             {true},
	KindMaxAge:             {true},
	KindPeriodic:           {true},
	KindDocumentMetadata:   {true},
	KindPublicationDelay:   {true},
	KindInterpretation:     {true},
	KindLinkHealth:         {false},
	KindCountVeto:          {false},
	KindReportMissing:      {true},
	KindReportLate:         {true},
	KindReportIncomplete:   {true},
	KindReportInconsistent: {true},
	KindPrivacy:            {false},
	KindOutdatedName:       {false},
}

// CheckKinds returns the valid check kinds, sorted.
func CheckKinds() []string {
	out := make([]string, 0, len(checkKinds))
	for k := range checkKinds {
		out = append(out, string(k))
	}
	sort.Strings(out)
	return out
}

// Severity is how much a finding weighs.
type Severity string

// The severities.
const (
	// SeverityVeto fails the unit whatever its points.
	SeverityVeto Severity = "veto"
	// SeverityDeduction takes points off.
	SeverityDeduction Severity = "deduction"
	// SeverityNotice is reported without points.
	SeverityNotice Severity = "notice"
)

// Period is the granularity of a periodic check.
type Period string

// The periods.
const (
	PeriodMonth   Period = "month"
	PeriodQuarter Period = "quarter"
	PeriodYear    Period = "year"
)

// Cover says which periods of the window a periodic check requires.
type Cover string

// The coverage modes.
const (
	// CoverWhole requires every period lying wholly inside the window.
	CoverWhole Cover = "whole"
	// CoverTouched requires every period the window touches.
	CoverTouched Cover = "touched"
)

// Check is one generic check. Which parameters apply depends on Kind; the
// loader rejects parameters that a kind does not use.
type Check struct {
	// ID is unique in the ruleset and printed with every finding.
	ID   string    `yaml:"id"`
	Kind CheckKind `yaml:"kind"`
	// Column is the column checked; empty for unit-wide kinds.
	Column string `yaml:"column"`
	// Indicator is the indicator whose points the check deducts from.
	Indicator string `yaml:"indicator"`
	// Severity defaults to deduction (veto for reachability).
	Severity Severity `yaml:"severity"`
	// Points is the deduction per finding; capped by the indicator's points.
	Points float64 `yaml:"points"`
	// Basis overrides the indicator's basis on notices.
	Basis string `yaml:"basis"`
	// UnitTypes narrows the check to some unit types; empty means every type
	// the column applies to.
	UnitTypes []string `yaml:"unit_types"`
	// Description says in words what the check wants.
	Description string `yaml:"description"`

	// Fields (fields, document_metadata) are the required fields.
	Fields []Field `yaml:"fields"`
	// MaxAge (max_age) is the longest allowed age of the newest item.
	MaxAge Days `yaml:"max_age"`
	// Warn (max_age) is the warning margin as a fraction of MaxAge: a column
	// whose newest item is older than (1-Warn)*MaxAge gets a column.expiring
	// notice. Nil means 0.1; 0 turns warnings off.
	Warn *float64 `yaml:"warn"`
	// Period and Cover (periodic) set the coverage wanted.
	Period Period `yaml:"period"`
	Cover  Cover  `yaml:"cover"`
	// WorkingDays (publication_delay, interpretation) is the allowed delay.
	WorkingDays int `yaml:"working_days"`
	// Of (interpretation) is the column whose documents need interpretation.
	Of string `yaml:"of"`
	// PortalPoints (link_health) is the deduction for a broken link on the
	// portal page; 0 means Points.
	PortalPoints float64 `yaml:"portal_points"`
	// External (link_health) also checks links that leave the unit's hosts.
	External bool `yaml:"external"`
	// Finding and AtLeast (count_veto): AtLeast findings of kind Finding veto the unit.
	Finding FindingKind `yaml:"finding"`
	AtLeast int         `yaml:"at_least"`
	// Score (reachability and other veto checks) forces the unit's total
	// when the veto fires; nil leaves the total as counted.
	Score *float64 `yaml:"score"`
	// Due (report_missing, report_late) is the deadline in the year after the
	// year reported on, by unit type; "default" applies to the others.
	Due map[string]MonthDay `yaml:"due"`
	// InWindow (document_metadata, publication_delay, interpretation) limits
	// the check to documents listed with a date in the window; nil means true.
	InWindow *bool `yaml:"in_window"`
	// BlankCells (report_incomplete) is the severity of a report table's
	// blank cells: many real reports leave the columns of legal persons
	// blank when they hold nothing, and a blank is not a zero. Empty means
	// notice; deduction (or veto) makes them count.
	BlankCells Severity `yaml:"blank_cells"`
	// Numbers (privacy) are the kinds of personal number that count: id,
	// mobile, card; empty means all three.
	Numbers []string `yaml:"numbers"`
	// PersonHeaders (privacy) are the column headers that make a table a
	// list of persons (姓名); nil means the default list.
	PersonHeaders []string `yaml:"person_headers"`
	// ListWords (privacy) mark a page or file as a list of persons in its
	// title, headings or sheet names (名单, 公示); nil means the default list.
	ListWords []string `yaml:"list_words"`
	// ContactLabels (privacy) label a unit's own contact line (联系电话,
	// 咨询电话): a mobile number after one, outside a list of persons, is
	// published on purpose; nil means the default list.
	ContactLabels []string `yaml:"contact_labels"`
	// CardWords (privacy) say a number is a card or an account (银行卡,
	// 账号): a card number counts only beside one; nil means the default list.
	CardWords []string `yaml:"card_words"`
	// IDWords (privacy) say a number is an identity number (身份证): a
	// 15-digit one counts only beside one or in a list of persons; nil
	// means the default list.
	IDWords []string `yaml:"id_words"`
	// Attachments (privacy) also reads the files the item pages attach;
	// nil means true.
	Attachments *bool `yaml:"attachments"`
	// Grace (outdated_name) is how long after a name ceased a document may
	// still use it (templates and seals take time to change).
	Grace Days `yaml:"grace"`

	// Pos is where the check was written.
	Pos Pos `yaml:"-"`
	// Keys records which keys the file gave and where their values stand,
	// so validation can point at a parameter.
	Keys map[string]Pos `yaml:"-"`
}

// WarnFraction returns the warning margin of a max_age check.
func (c *Check) WarnFraction() float64 {
	if c.Warn == nil {
		return 0.1
	}
	return *c.Warn
}

// OnlyInWindow reports whether document checks look only at documents
// listed in the window.
func (c *Check) OnlyInWindow() bool { return c.InWindow == nil || *c.InWindow }

// DueFor returns the report deadline for unitType.
func (c *Check) DueFor(unitType string) MonthDay {
	if d, ok := c.Due[unitType]; ok {
		return d
	}
	return c.Due["default"]
}

// FindingKind returns the finding kind (docs/spec.md#finding-kinds) the check produces, or ""
// for count_veto, which produces none.
func (c *Check) FindingKind() FindingKind {
	switch c.Kind {
	case KindReachability:
		return FindingSiteUnreachable
	case KindCertificate:
		return FindingSiteCertificate
	case KindPresence:
		return FindingColumnMissing
	case KindNonEmpty:
		return FindingColumnEmpty
	case KindFields:
		return FindingFieldMissing
	case KindMaxAge:
		return FindingColumnStale
	case KindPeriodic:
		return FindingColumnGap
	case KindDocumentMetadata:
		return FindingDocumentMetadata
	case KindPublicationDelay:
		return FindingDocumentLate
	case KindInterpretation:
		return FindingDocumentUninterpreted
	case KindLinkHealth:
		return FindingLinkBroken
	case KindReportMissing:
		return FindingReportMissing
	case KindReportLate:
		return FindingReportLate
	case KindReportIncomplete:
		return FindingReportIncomplete
	case KindReportInconsistent:
		return FindingReportInconsistent
	case KindPrivacy:
		return FindingContentPrivacy
	case KindOutdatedName:
		return FindingContentOutdatedName
	}
	return ""
}

// Field is a required field with the other names it goes by.
type Field struct {
	Name    string   `yaml:"name"`
	Aliases []string `yaml:"aliases"`
}

// Names returns the field's name followed by its aliases.
func (f Field) Names() []string { return append([]string{f.Name}, f.Aliases...) }

// Days is a duration in whole days, written "14d", "2w" or a bare number of days.
type Days int

var daysRE = regexp.MustCompile(`^(\d+)\s*([dw]?)$`)

// ParseDays reads "14d", "2w" or "14".
func ParseDays(s string) (Days, error) {
	m := daysRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, fmt.Errorf("bad duration %q: want days such as \"14d\" or weeks such as \"2w\"", s)
	}
	n, err := strconv.Atoi(m[1])
	if err != nil || n > 100000 {
		return 0, fmt.Errorf("bad duration %q: out of range", s)
	}
	if m[2] == "w" {
		n *= 7
	}
	return Days(n), nil
}

// String formats d as "14d".
func (d Days) String() string { return fmt.Sprintf("%dd", int(d)) }

// MonthDay is a day of the year, written "01-31".
type MonthDay struct {
	Month int
	Day   int
}

var monthDayRE = regexp.MustCompile(`^(\d{1,2})-(\d{1,2})$`)

// ParseMonthDay reads "01-31".
func ParseMonthDay(s string) (MonthDay, error) {
	m := monthDayRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return MonthDay{}, fmt.Errorf("bad day %q: want MM-DD such as \"01-31\"", s)
	}
	mo, _ := strconv.Atoi(m[1])
	d, _ := strconv.Atoi(m[2])
	if mo < 1 || mo > 12 || d < 1 || d > daysIn(mo) {
		return MonthDay{}, fmt.Errorf("bad day %q: no such day", s)
	}
	return MonthDay{Month: mo, Day: d}, nil
}

// String formats md as "01-31".
func (md MonthDay) String() string { return fmt.Sprintf("%02d-%02d", md.Month, md.Day) }

func daysIn(month int) int {
	switch month {
	case 2:
		return 29
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
