package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"gongkai/report"
	"gongkai/store"
)

// A finding's evidence page, /findings/{id}.

// findingPage is the data of a finding's evidence page.
type findingPage struct {
	pageBase
	FE                                                 *report.FindingEvidence
	F                                                  *store.StoredFinding
	KindName, ColumnName, DimensionName, IndicatorName string
	SeverityLabel, StatusLabel                         string
	// Link is the finding's URL when it is http(s).
	Link     string
	Evidence []evidenceRow
	// Body is the link to the stored page behind the finding, and Shot to
	// its picture; "" when none was kept.
	Body string
	Shot string
	// UnitLink leads to the unit's page in the finding's audit.
	UnitLink string
}

// evidenceRow is one evidence reference with its fetches.
type evidenceRow struct {
	report.EvidenceView
	Link    string
	Fetches []fetchRow
}

// fetchRow is one request behind an evidence reference.
type fetchRow struct {
	store.StoredFetch
	Link, FinalLink string
	Failed          bool
}

// Decision names a review decision.
func (p *findingPage) Decision(d string) string { return label(decisionLabels, d) }

// webFinding serves /findings/{id}: a finding with its evidence, the
// requests behind it and the reviews on it.
func (s *Service) webFinding(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r)
	if err != nil {
		s.webFail(w, r, err)
		return
	}
	fe, err := report.LoadFindingEvidence(r.Context(), s.db, id)
	if err != nil {
		s.webFail(w, r, err)
		return
	}
	f := fe.Finding
	n := names{s.ruleset()}
	p := &findingPage{pageBase: s.pageBase(fmt.Sprintf("问题 #%d", f.ID), "ranking"), FE: fe, F: f,
		KindName: report.KindName(f.Kind, "zh"), ColumnName: n.column(f.Column), DimensionName: n.dimension(f.Dimension),
		IndicatorName: n.indicator(f.Indicator), SeverityLabel: label(severityLabels, f.Severity),
		StatusLabel: label(statusLabels, f.Status), Link: safeURL(f.URL),
		UnitLink: "/units/" + url.PathEscape(f.Unit) + auditQuery(f.AuditID)}
	for _, ev := range fe.Evidence {
		row := evidenceRow{EvidenceView: ev, Link: safeURL(ev.Ref.URL)}
		for _, sf := range ev.Fetches {
			row.Fetches = append(row.Fetches, fetchRow{StoredFetch: sf, Link: safeURL(sf.URL), FinalLink: safeURL(sf.FinalURL), Failed: sf.Class.Failed()})
		}
		if ev.Kept && p.Body == "" && !fe.PersonalData {
			p.Body = "/api/findings/" + strconv.FormatInt(f.ID, 10) + "/body"
			p.Shot = "/api/findings/" + strconv.FormatInt(f.ID, 10) + "/screenshot.png"
		}
		p.Evidence = append(p.Evidence, row)
	}
	s.render(w, r, http.StatusOK, "finding", p)
}
