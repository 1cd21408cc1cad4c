package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"gongkai/evidence"
	"gongkai/rules"
	"gongkai/scoring"
	"gongkai/store"
)

// DefaultDeadlineDays is the rectification period of a deduction notice when
// NoticeInput.DeadlineDays is 0: the deadline is the audit date plus this
// many calendar days.
const DefaultDeadlineDays = 15

// cst is China Standard Time (UTC+8, no daylight saving), in which notices
// print dates and fetch times. A fixed zone keeps the output independent of
// the machine's time zone database.
var cst = time.FixedZone("CST", 8*60*60)

// NoticeInput is what BuildNotices needs: one scoring of one audit, its
// scores and findings, and the roster.
type NoticeInput struct {
	// District is the district's display name (怀柔区); empty prints 本区
	// ("the district" in English).
	District string
	// Audit is the audit the notices are about; its start time (in China
	// Standard Time) is the audit date. A zero start time falls back to the
	// audit's as-of date.
	Audit store.Audit
	// Scoring is the audit's scoring the notices report; its as-of date and
	// ruleset are printed. Zero fields fall back to the audit's.
	Scoring store.Scoring
	// Scores are the unit scores of the scoring, in rank order.
	Scores []scoring.UnitScore
	// Findings are the scoring's findings to report, in the order to print
	// them (dismissed findings already removed by the caller). Findings of
	// units without a notice are ignored.
	Findings []store.StoredFinding
	// Units is the roster by unit id, for contact lines and English names;
	// nil prints neither.
	Units map[string]evidence.Unit
	// Columns are the ruleset's columns, for column names; nil prints
	// column ids.
	Columns []rules.Column
	// DeadlineDays is the rectification period in calendar days from the
	// audit date; 0 means DefaultDeadlineDays.
	DeadlineDays int
	// Lang is "en" for English labels; anything else (the zero value
	// included) is Chinese. Data (names, details, basis) is never
	// translated.
	Lang string
}

// Notice is one deduction notice (扣分通知书, docs/spec.md#deduction-notices): what one unit's
// notice prints, gathered by BuildNotices. The writers make from it the
// view their templates execute against.
type Notice struct {
	// Lang is "zh" or "en": the language of the labels.
	Lang string
	// Seq is the notice's place, from 1, among the audit's notices in rank
	// order; Count is the number of notices, which sets the width of the
	// sequence in Number and FileName (at least two digits).
	Seq   int
	Count int
	// Number is the notice number: District + 公开评〔year〕audit-seq号, e.g.
	// 怀柔区公开评〔2026〕3-07号, with the year of the audit date.
	Number string
	// District is the district's display name (本区, or "the district" in
	// English, when none was given); Issuer is the issuing office, the
	// district's 政务公开办公室 (区政务公开办公室 when no district was given).
	District string
	Issuer   string
	// Unit, UnitName and UnitNameEN identify the addressee; UnitNameEN is
	// empty when the roster gives none.
	Unit       string
	UnitName   string
	UnitNameEN string
	// Contact is the unit's contact line from the roster; empty prints none.
	Contact string
	// AuditID is the audit's id; AuditDate its start date in China Standard
	// Time, which is also the date the notice is signed; AsOf the scoring's
	// evaluation date.
	AuditID   int64
	AuditDate evidence.Date
	AsOf      evidence.Date
	// RulesetName and RulesetVersion name the ruleset that judged.
	RulesetName    string
	RulesetVersion string
	// Score, Deducted, Grade, Veto and VetoReasons are the unit's score;
	// Rank its rank among Units units.
	Score       float64
	Deducted    float64
	Grade       string
	Veto        bool
	VetoReasons []string
	Rank        int
	Units       int
	// Problems are the findings that deduct points (severity deduction), in
	// input order; Listed is the sum of their points, equal to Deducted
	// unless findings were dismissed.
	Problems []NoticeItem
	Listed   float64
	// Vetoes are the veto findings and Infos the notices (no points), both
	// listed below the table.
	Vetoes []NoticeItem
	Infos  []NoticeItem
	// Repeated is the number of Problems and Vetoes found by an earlier
	// audit too (status persisting).
	Repeated int
	// DeadlineDays is the rectification period and Deadline its last day:
	// AuditDate plus DeadlineDays.
	DeadlineDays int
	Deadline     evidence.Date
}

// NoticeItem is one finding on a notice.
type NoticeItem struct {
	// Seq is the item's number within its list, from 1.
	Seq int
	// ID is the finding's id in the database.
	ID int64
	// Kind is the finding kind and KindName its display name.
	Kind     rules.FindingKind
	KindName string
	// Column is the column id and ColumnName its display name; both empty
	// for findings about the whole site.
	Column     string
	ColumnName string
	// Subject narrows the finding (a period, field, URL or year); Detail
	// says what was seen; Basis is the rule's basis.
	Subject string
	Detail  string
	Basis   string
	// URL is the evidence page (the finding's URL, else its first
	// evidence's); FetchedAt is when the first evidence was fetched, zero
	// when the finding carries none.
	URL       string
	FetchedAt time.Time
	// Points is what the finding took off; Nominal the rule's deduction
	// before the indicator's cap (0 when unknown).
	Points  float64
	Nominal float64
	// Persisting is true when an earlier audit found the problem too, first
	// on FirstSeen.
	Persisting bool
	FirstSeen  evidence.Date
	// Thumbnail is a small JPEG or PNG picture of the evidence page as it
	// was fetched, shown under its URL; nil shows none. BuildNotices leaves
	// it nil: the caller renders the pictures (gongkai notices
	// --screenshots).
	Thumbnail []byte
}

// auditDate is the date an audit started, in China Standard Time, or its
// as-of date when the start is unknown.
func auditDate(a store.Audit) evidence.Date {
	if a.StartedAt.IsZero() {
		return a.AsOf
	}
	return evidence.DateOf(a.StartedAt.In(cst))
}

// scoringMeta returns the as-of date and ruleset of the scoring, falling
// back to the audit's.
func scoringMeta(a store.Audit, s store.Scoring) (asOf evidence.Date, name, version string) {
	asOf, name, version = s.AsOf, s.RulesetName, s.RulesetVersion
	if asOf.IsZero() {
		asOf = a.AsOf
	}
	if name == "" && version == "" {
		name, version = a.RulesetName, a.RulesetVersion
	}
	return asOf, name, version
}

// BuildNotices gathers one notice for every unit that lost points
// (Deducted > 0) or was vetoed (a veto fails the unit whatever its points),
// in the rank order of in.Scores.
//
// Notices are numbered District + 公开评〔Y〕A-SS号: Y is the year of the
// audit date, A the audit id and SS the notice's place in rank order
// (01, 02, …; three digits from the hundredth notice on). The same audit
// and scores always give the same numbers; a unit's number changes only
// when a better-ranked unit gains or loses its notice.
func BuildNotices(in NoticeInput) []Notice {
	l := parseLang(in.Lang)
	district := in.District
	if district == "" {
		district = l.pick("本区", "the district")
	}
	prefix := in.District // of notice numbers, which are Chinese in either language
	if prefix == "" {
		prefix = "本区"
	}
	issuer := in.District + "政务公开办公室"
	if in.District == "" {
		issuer = "区政务公开办公室"
	}
	if l == en {
		issuer = "District Government Affairs Openness Office"
		if in.District != "" {
			issuer = "Government Affairs Openness Office of " + in.District
		}
	}
	date := auditDate(in.Audit)
	asOf, rsName, rsVersion := scoringMeta(in.Audit, in.Scoring)
	days := in.DeadlineDays
	if days <= 0 {
		days = DefaultDeadlineDays
	}
	columns := make(map[string]string, len(in.Columns))
	for _, c := range in.Columns {
		name := c.Name
		if l == en && c.NameEN != "" {
			name = c.NameEN
		}
		columns[c.ID] = name
	}
	byUnit := map[string][]*store.StoredFinding{}
	for i := range in.Findings {
		f := &in.Findings[i]
		byUnit[f.Unit] = append(byUnit[f.Unit], f)
	}

	var out []Notice
	for _, u := range in.Scores {
		if round2(u.Deducted) <= 0 && !u.Veto {
			continue
		}
		roster := in.Units[u.Unit]
		n := Notice{
			Lang: l.pick("zh", "en"), District: district, Issuer: issuer,
			Unit: u.Unit, UnitName: u.UnitName, UnitNameEN: roster.NameEN, Contact: roster.Contact,
			AuditID: in.Audit.ID, AuditDate: date, AsOf: asOf, RulesetName: rsName, RulesetVersion: rsVersion,
			Score: u.Total, Deducted: u.Deducted, Grade: u.Grade, Veto: u.Veto, VetoReasons: u.VetoReasons,
			Rank: u.Rank, Units: len(in.Scores), DeadlineDays: days, Deadline: date.AddDays(days),
		}
		if n.UnitName == "" {
			n.UnitName = roster.Name
		}
		if n.UnitName == "" {
			n.UnitName = u.Unit
		}
		for _, f := range byUnit[u.Unit] {
			item := noticeItem(l, f, columns)
			switch f.Severity {
			case "deduction":
				item.Seq = len(n.Problems) + 1
				n.Problems = append(n.Problems, item)
				n.Listed += f.Points
			case "veto":
				item.Seq = len(n.Vetoes) + 1
				n.Vetoes = append(n.Vetoes, item)
			default:
				item.Seq = len(n.Infos) + 1
				n.Infos = append(n.Infos, item)
				continue
			}
			if item.Persisting {
				n.Repeated++
			}
		}
		n.Listed = round2(n.Listed)
		out = append(out, n)
	}
	width := len(strconv.Itoa(len(out)))
	if width < 2 {
		width = 2
	}
	for i := range out {
		n := &out[i]
		n.Seq, n.Count = i+1, len(out)
		n.Number = fmt.Sprintf("%s公开评〔%d〕%d-%0*d号", prefix, date.Year, in.Audit.ID, width, n.Seq)
	}
	return out
}

func noticeItem(l lang, f *store.StoredFinding, columns map[string]string) NoticeItem {
	item := NoticeItem{
		ID: f.ID, Kind: f.Kind, KindName: l.kindName(f.Kind), Column: f.Column, ColumnName: columns[f.Column],
		Subject: f.Subject, Detail: f.Detail, Basis: f.Basis, URL: f.URL, Points: f.Points, Nominal: f.Nominal,
		Persisting: f.Status == store.FindingPersisting, FirstSeen: f.FirstSeen,
	}
	if item.ColumnName == "" {
		item.ColumnName = f.Column
	}
	if len(f.Evidence) > 0 {
		item.FetchedAt = f.Evidence[0].FetchedAt
		if item.URL == "" {
			item.URL = f.Evidence[0].URL
		}
	}
	return item
}

// FileName is a file name for the notice without an extension, such as
// notice-07-finance: the sequence and the unit id, reduced to lowercase
// ASCII letters, digits and hyphens so that it is safe on any system.
func (n Notice) FileName() string {
	width := len(strconv.Itoa(n.Count))
	if width < 2 {
		width = 2
	}
	return fmt.Sprintf("notice-%0*d-%s", width, n.Seq, safeName(n.Unit))
}

// safeName keeps [a-z0-9-] of s (uppercase is lowered, anything else
// becomes '-'), at most 64 bytes; "unit" when nothing is left.
func safeName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if b.Len() >= 64 {
			break
		}
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	out := strings.Trim(b.String(), "-")
	if out == "" {
		return "unit"
	}
	return out
}

// zhDate formats d as 2026年3月2日.
func zhDate(d evidence.Date) string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d年%d月%d日", d.Year, int(d.Month), d.Day)
}

// longDate formats d for prose: 2026年3月2日 or 2026-03-02.
func (l lang) longDate(d evidence.Date) string {
	if l == en {
		return d.String()
	}
	return zhDate(d)
}

// cstTime formats t in China Standard Time: 2026-03-02 10:15 CST.
func cstTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(cst).Format("2006-01-02 15:04 MST")
}

// WriteNoticeHTML writes one notice as a self-contained, print-ready HTML
// page (A4 portrait, inline CSS, no script, no external resource).
func WriteNoticeHTML(w io.Writer, n Notice) error {
	return WriteNoticesHTML(w, []Notice{n})
}

// WriteNoticesHTML writes notices into one printable HTML file, each
// starting on a new page. The page's language is the first notice's.
func WriteNoticesHTML(w io.Writer, ns []Notice) error {
	if err := noticeHTML.ExecuteTemplate(w, "page", noticesView(ns)); err != nil {
		return fmt.Errorf("write notice html: %w", err)
	}
	return nil
}

// WriteNoticeMarkdown writes one notice as Markdown; page text is escaped
// so that it cannot break the tables or inject HTML.
func WriteNoticeMarkdown(w io.Writer, n Notice) error {
	if err := noticeMD.ExecuteTemplate(w, "notice.md.tmpl", noticePageOf(n)); err != nil {
		return fmt.Errorf("write notice markdown: %w", err)
	}
	return nil
}
