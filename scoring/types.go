package scoring

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"time"

	"gongkai/evidence"
	"gongkai/rules"
)

// Finding is one problem found on one unit: what is wrong, under which rule,
// with which evidence, and what it costs.
type Finding struct {
	// Unit and UnitName identify the unit.
	Unit     string `json:"unit"`
	UnitName string `json:"unit_name"`
	// Kind is the finding kind of docs/spec.md#finding-kinds (column.stale, link.broken, ...).
	Kind rules.FindingKind `json:"kind"`
	// Rule is the id of the check that produced the finding.
	Rule string `json:"rule"`
	// Column is the column whose check failed or whose page shows the
	// problem; empty for site.unreachable and links on the portal.
	Column string `json:"column"`
	// Subject narrows the finding within its column: a period, a field name,
	// a document or link URL, a report year; empty when the column says all.
	Subject string `json:"subject"`
	// Part names the part of the subject when one subject holds several
	// findings of one kind: the section, table or identity of an annual
	// report. Empty otherwise.
	Part string `json:"part,omitempty"`
	// Severity is veto, deduction or notice.
	Severity string `json:"severity"`
	// Points is what the finding took off the total, after the indicator's
	// cap; 0 for notices and vetoes.
	Points float64 `json:"points"`
	// Nominal is the rule's deduction for one such finding, before caps.
	Nominal float64 `json:"nominal"`
	// URL is the page that shows the problem (the evidence's main URL).
	URL string `json:"url"`
	// Detail says in a sentence what was seen and what was wanted, so the
	// unit can act on it.
	Detail string `json:"detail"`
	// Basis is the legal or methodological basis of the rule.
	Basis string `json:"basis"`
	// Dimension and Indicator place the deduction in the score.
	Dimension string `json:"dimension"`
	Indicator string `json:"indicator"`
	// Evidence lists the fetches behind the finding.
	Evidence []Ref `json:"evidence,omitempty"`
}

// Key identifies the same problem across audits: unit, kind, column and
// subject (and the part, when there is one).
func (f *Finding) Key() string {
	k := f.Unit + "|" + string(f.Kind) + "|" + f.Column + "|" + f.Subject
	if f.Part != "" {
		k += "|" + f.Part
	}
	return k
}

// EvidenceKey summarises what a finding was judged on: its detail (which
// carries the dates and figures seen) and the pages behind it (URL, status
// and body hash). A review decision is carried to later audits while the
// evidence key stays the same.
func EvidenceKey(f *Finding) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00", f.Key(), f.Detail)
	refs := make([]string, 0, len(f.Evidence))
	for _, r := range f.Evidence {
		refs = append(refs, fmt.Sprintf("%s\x00%d\x00%s\x00%s", r.URL, r.Status, r.Class, r.SHA256))
	}
	sort.Strings(refs)
	for _, r := range refs {
		fmt.Fprintf(h, "%s\x01", r)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Ref points to a fetch that backs a finding.
type Ref struct {
	URL       string              `json:"url"`
	FetchedAt time.Time           `json:"fetched_at"`
	Status    int                 `json:"status"`
	Class     evidence.FetchClass `json:"class"`
	// SHA256 names the stored body, when one was kept.
	SHA256 string `json:"sha256,omitempty"`
	// Note says what the fetch shows ("最新一条发布于2019-11-02").
	Note string `json:"note,omitempty"`
}

// DimensionScore is a unit's score in one dimension.
type DimensionScore struct {
	ID     string  `json:"id"`
	Name   string  `json:"name"`
	Score  float64 `json:"score"`
	Max    float64 `json:"max"`
	Deduct float64 `json:"deducted"`
}

// UnitScore is a unit's judgement: total, dimensions, veto, grade and rank.
type UnitScore struct {
	Unit     string `json:"unit"`
	UnitName string `json:"unit_name"`
	UnitType string `json:"unit_type"`
	// Total is the score out of the ruleset's total.
	Total float64 `json:"score"`
	// Deducted is the sum of points taken off.
	Deducted float64 `json:"deducted"`
	// Dimensions are the per-dimension scores, in ruleset order.
	Dimensions []DimensionScore `json:"dimensions"`
	// Veto is true when a veto fired; VetoReasons say which, in words.
	Veto        bool     `json:"veto"`
	VetoReasons []string `json:"veto_reasons,omitempty"`
	// Grade is the grade band earned (the lowest band under a veto).
	Grade string `json:"grade"`
	// Rank is 1 for the best unit; ties share a rank.
	Rank int `json:"rank"`
	// Findings counts the unit's findings by severity.
	Findings map[string]int `json:"findings"`
}

// Result is the judgement of one audit's evidence under one ruleset as of one date.
type Result struct {
	// AsOf is the evaluation date; WindowFrom and WindowTo bound the window
	// (both inclusive).
	AsOf       evidence.Date `json:"as_of"`
	WindowFrom evidence.Date `json:"window_from"`
	WindowTo   evidence.Date `json:"window_to"`
	// Ruleset names the ruleset that judged.
	RulesetName    string `json:"ruleset_name"`
	RulesetVersion string `json:"ruleset_version"`
	RulesetHash    string `json:"ruleset_hash"`
	// Units are the unit scores in rank order (ties by unit id).
	Units []UnitScore `json:"units"`
	// Findings are every finding, ordered by unit, column, kind and subject.
	Findings []Finding `json:"findings"`
}
