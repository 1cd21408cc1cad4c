package scoring

import (
	"gongkai/evidence"
	"gongkai/rules"
)

// Score judges every unit's evidence and ranks the units.
func Score(rs *rules.Ruleset, asOf evidence.Date, units []*evidence.UnitEvidence) *Result {
	res := NewResult(rs, asOf)
	for _, ue := range units {
		us, fs := ScoreUnit(rs, asOf, ue)
		res.Units = append(res.Units, us)
		res.Findings = append(res.Findings, fs...)
	}
	return Finalize(rs, res)
}

// NewResult returns an empty Result carrying the ruleset and window.
func NewResult(rs *rules.Ruleset, asOf evidence.Date) *Result {
	from, to := Window(asOf, rs.WindowMonths())
	return &Result{
		AsOf: asOf, WindowFrom: from, WindowTo: to,
		RulesetName: rs.Name, RulesetVersion: rs.Version, RulesetHash: rs.Hash,
	}
}

// minContentRunes is the least content text that makes a page column
// not empty when it shows no field labels.
const minContentRunes = 30

// judge holds one unit's judgement in progress.
type judge struct {
	rs       *rules.Ruleset
	asOf     evidence.Date
	from, to evidence.Date
	ue       *evidence.UnitEvidence
	findings []Finding
	// skip marks columns that are missing or empty: no further checks.
	skip map[string]bool
}

// ScoreUnit judges one unit's evidence as of asOf: its score and findings.
// Items dated after asOf are ignored, so an audit can be judged as of an
// earlier date.
func ScoreUnit(rs *rules.Ruleset, asOf evidence.Date, ue *evidence.UnitEvidence) (UnitScore, []Finding) {
	from, to := Window(asOf, rs.WindowMonths())
	j := &judge{rs: rs, asOf: asOf, from: from, to: to, ue: ue, skip: map[string]bool{}}
	checks := rs.ChecksFor(ue.Unit.Type)
	if !ue.Reach.Reachable {
		// Nothing else was seen (docs/spec.md#finding-kinds): site.unreachable alone.
		for _, c := range checks {
			if c.Kind == rules.KindReachability {
				j.reachability(c)
			}
		}
		return j.total(checks), j.findings
	}
	// Columns first: a page the crawler could not use, presence and
	// emptiness gate every other check.
	j.unreadColumns(checks)
	for _, c := range checks {
		if c.Kind == rules.KindPresence && !j.skip[c.Column] {
			j.presence(c)
		}
	}
	for _, c := range checks {
		if c.Kind == rules.KindNonEmpty && !j.skip[c.Column] {
			j.nonEmpty(c)
		}
	}
	for _, c := range checks {
		if c.Column != "" && j.skip[c.Column] {
			continue
		}
		switch c.Kind {
		case rules.KindFields:
			j.fields(c)
		case rules.KindMaxAge:
			j.maxAge(c)
		case rules.KindPeriodic:
			j.periodic(c)
		case rules.KindDocumentMetadata:
			j.documentMetadata(c)
		case rules.KindPublicationDelay:
			j.publicationDelay(c)
		case rules.KindInterpretation:
			j.interpretation(c)
		case rules.KindLinkHealth:
			j.links(c)
		case rules.KindCertificate:
			j.certificate(c)
		case rules.KindReportMissing, rules.KindReportLate:
			j.reportDue(c)
		case rules.KindReportIncomplete, rules.KindReportInconsistent:
			j.reportContent(c)
		case rules.KindPrivacy:
			j.privacy(c)
		case rules.KindOutdatedName:
			j.outdatedNames(c)
		}
	}
	return j.total(checks), j.findings
}

// draft is a finding as a check states it: add completes it with the
// unit, the rule, the points and the place in the score.
type draft struct {
	kind rules.FindingKind
	// column, subject and part identify the problem (see Finding).
	column, subject, part string
	// url is the page that shows the problem; detail says what was seen.
	url, detail string
	// severity overrides the check's own when not "".
	severity rules.Severity
	refs     []Ref
}

// add records a finding of check c.
func (j *judge) add(c *rules.Check, d draft) {
	severity := d.severity
	if severity == "" {
		severity = c.Severity
	}
	nominal := c.Points
	if severity != rules.SeverityDeduction {
		nominal = 0
	}
	ind := j.rs.Indicator(c.Indicator)
	f := Finding{
		Unit: j.ue.Unit.ID, UnitName: j.ue.Unit.Name, Kind: d.kind, Rule: c.ID, Column: d.column,
		Subject: d.subject, Part: d.part, Severity: string(severity), Nominal: nominal, URL: d.url, Detail: d.detail,
		Basis: j.rs.Basis(c), Indicator: c.Indicator, Evidence: d.refs,
	}
	if ind != nil {
		f.Dimension = ind.Dimension
	}
	j.findings = append(j.findings, f)
}

// ref makes an evidence reference to the last fetch of url.
func (j *judge) ref(url, note string) Ref {
	r := Ref{URL: url, Note: note}
	if f := j.ue.FetchOf(url); f != nil {
		r.FetchedAt, r.Status, r.Class, r.SHA256 = f.FetchedAt, f.Status, f.Class, f.SHA256
	}
	return r
}

func (j *judge) column(id string) *evidence.Column {
	if c := j.ue.Column(id); c != nil {
		return c
	}
	return &evidence.Column{ID: id}
}

func (j *judge) columnName(id string) string {
	if c := j.rs.Column(id); c != nil {
		return c.Name
	}
	return id
}

// items returns a column's items dated on or before the as-of date (undated
// items included).
func (j *judge) items(col *evidence.Column) []evidence.Item {
	var out []evidence.Item
	for _, it := range col.Items {
		if !it.Date.IsZero() && it.Date.After(j.asOf) {
			continue
		}
		out = append(out, it)
	}
	return out
}
