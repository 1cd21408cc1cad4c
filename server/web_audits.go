package server

import (
	"net/http"
	"time"

	"gongkai/store"
)

// The audit list, /audits.

// auditsPage is the data of the audit list.
type auditsPage struct {
	pageBase
	Status statusBox
	Rows   []auditRow
}

// auditRow is one audit in the list.
type auditRow struct {
	AuditView
	Label    string
	Linked   bool
	Duration string
}

// webAudits serves /audits: every audit, newest first.
func (s *Service) webAudits(w http.ResponseWriter, r *http.Request) {
	st, err := s.status(r)
	if err != nil {
		s.webFail(w, r, err)
		return
	}
	list, err := s.db.Audits(r.Context())
	if err != nil {
		s.webFail(w, r, err)
		return
	}
	p := &auditsPage{pageBase: s.pageBase("审计记录", "audits"), Status: newStatusBox(st)}
	p.Refresh = st.Running != nil
	for i := range list { // newest first
		v := auditView(&list[i])
		row := auditRow{AuditView: v, Label: label(auditLabels, v.Status), Linked: v.Status != store.AuditRunning}
		if !v.FinishedAt.IsZero() && !v.StartedAt.IsZero() {
			row.Duration = v.FinishedAt.Sub(v.StartedAt).Round(time.Second).String()
		}
		p.Rows = append(p.Rows, row)
	}
	s.render(w, r, http.StatusOK, "audits", p)
}
