package server

import (
	"errors"
	"math"
	"net/http"

	"gongkai/report"
	"gongkai/store"
)

// A unit's page, /units/{id}.

// unitPage is the data of a unit's page.
type unitPage struct {
	pageBase
	V     *UnitView
	Query string
	// Latest says the page shows the latest complete audit.
	Latest     bool
	TypeName   string
	GradeClass string
	Site       string
	ScoreTrend trend
	RankTrend  trend
	Ranked     int
	Dims       []dimBar
	Problems   []problemRow
	Open       int
	Resolved   int
	Chart      *report.LineChart
	History    []historyRow
}

// dimBar is a unit's score in one dimension, drawn as a bar.
type dimBar struct {
	Name, NameEN string
	Score, Max   float64
	// Width is the bar's length in percent of the track.
	Width float64
	Lost  bool
}

// problemRow is one problem on a unit's page.
type problemRow struct {
	report.Problem
	KindName, ColumnName, DimensionName string
	SeverityLabel, StatusLabel          string
	// Link is the problem's URL when it is http(s).
	Link string
}

// historyRow is the unit's standing in one audit.
type historyRow struct {
	store.HistoryPoint
	GradeClass string
	Current    bool
}

// webUnit serves /units/{id}: the unit's standing, dimensions, problems
// and score history in the latest complete audit or ?audit=N.
func (s *Service) webUnit(w http.ResponseWriter, r *http.Request) {
	id, err := auditParam(r)
	if err != nil {
		s.webFail(w, r, err)
		return
	}
	unitID := r.PathValue("id")
	v, err := s.unitView(r.Context(), id, unitID)
	if err != nil {
		if id > 0 && errors.Is(err, store.ErrNotFound) {
			err = s.explainAudit(r, id, err)
		}
		s.webFail(w, r, err)
		return
	}
	latest, err := s.db.LatestAudit(r.Context(), true)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.webFail(w, r, err)
		return
	}
	n := names{s.ruleset()}
	title := v.Unit.Name
	if title == "" {
		title = v.Score.UnitName
	}
	p := &unitPage{pageBase: s.pageBase(title, "ranking"), V: v, Query: auditQuery(id), Latest: latest != nil && latest.ID == v.Audit.ID,
		TypeName: n.unitType(v.Score.UnitType), GradeClass: n.gradeClass(v.Score.Grade), Site: safeURL(v.Unit.URL)}
	prev, err := s.db.PreviousAudit(r.Context(), v.Audit.ID)
	switch {
	case err == nil, errors.Is(err, store.ErrNotFound):
	default:
		s.webFail(w, r, err)
		return
	}
	hadPrev := prev != nil
	p.ScoreTrend, p.RankTrend = scoreTrend(v.Score.ScoreChange, hadPrev), rankTrend(v.Score.RankChange, hadPrev)
	for _, h := range v.History {
		if h.AuditID == v.Audit.ID {
			p.Ranked = h.Units
		}
	}
	for _, d := range v.Dims {
		score, ok := v.Score.Dimensions[d.ID]
		if !ok {
			continue
		}
		b := dimBar{Name: d.Name, NameEN: d.NameEN, Score: score, Max: d.Max, Lost: d.Max > 0 && score < d.Max}
		if d.Max > 0 {
			b.Width = math.Round(1000*math.Max(0, math.Min(score/d.Max, 1))) / 10
		}
		p.Dims = append(p.Dims, b)
	}
	for _, pr := range v.Problems {
		row := problemRow{Problem: pr, KindName: report.KindName(pr.Kind, "zh"), ColumnName: n.column(pr.Column),
			DimensionName: n.dimension(pr.Dimension), SeverityLabel: label(severityLabels, pr.Severity),
			StatusLabel: label(statusLabels, pr.Status), Link: safeURL(pr.URL)}
		if pr.Column == "" {
			row.ColumnName = ""
		}
		p.Problems = append(p.Problems, row)
		if pr.Status == store.FindingResolved {
			p.Resolved++
		} else {
			p.Open++
		}
	}
	for i := len(v.History) - 1; i >= 0; i-- {
		h := v.History[i]
		p.History = append(p.History, historyRow{HistoryPoint: h, GradeClass: n.gradeClass(h.Grade), Current: h.AuditID == v.Audit.ID})
	}
	total := 0.0
	for _, d := range v.Dims {
		total += d.Max
	}
	p.Chart = historyChart(v.History, v.Audit.ID, unitID, total, n)
	s.render(w, r, http.StatusOK, "unit", p)
}
