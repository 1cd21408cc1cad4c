package server

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"gongkai/report"
	"gongkai/scoring"
	"gongkai/store"
)

// The ranking page, /: the latest complete audit or ?audit=N, with the
// service's status.

// statusBox is the service's state as the ranking page shows it.
type statusBox struct {
	Running  *RunStatus
	Progress int // percent of the running audit's units done
	Last     *RunStatus
	// LastLabel names the last run's result.
	LastLabel string
	Schedule  string
	NextRun   time.Time
	Latest    *AuditView
}

// newStatusBox shows st.
func newStatusBox(st *StatusView) statusBox {
	b := statusBox{Running: st.Running, Last: st.Last, Schedule: st.Schedule, NextRun: st.NextRun, Latest: st.Latest}
	if r := st.Running; r != nil && r.Units > 0 {
		b.Progress = 100 * r.UnitsDone / r.Units
	}
	if st.Last != nil {
		b.LastLabel = label(resultLabels, st.Last.Result)
	}
	return b
}

// rankingPage is the data of the ranking page.
type rankingPage struct {
	pageBase
	Status statusBox
	// View is the ranking; nil before the first complete audit.
	View *RankingView
	// Query is ?audit=N when an audit was asked for, else "".
	Query string
	// Latest says the page shows the latest complete audit.
	Latest     bool
	AuditLabel string
	Dims       []dimHeader
	Rows       []rankRow
	Grades     []gradeCount
	Mean       float64
	Vetoes     []rankRow
	Findings   int
}

// dimHeader is a dimension column of the ranking.
type dimHeader struct {
	ID, Name, NameEN string
	Max              float64
}

// rankRow is one unit's line in the ranking.
type rankRow struct {
	report.RankingRow
	// Unassessed marks a unit not assessed (scoring.NotAssessedGrade): no score.
	Unassessed bool
	TypeName   string
	GradeClass string
	Dims       []dimCell
	ScoreTrend trend
	RankTrend  trend
}

// dimCell is a unit's score in one dimension; Lost marks one below full.
type dimCell struct {
	Text string
	Lost bool
}

// gradeCount is how many units earned a grade.
type gradeCount struct {
	Name, Class string
	Count       int
}

// webRanking serves / : the ranking of the latest complete audit, or of
// ?audit=N, with the service's status; an empty state before any audit.
func (s *Service) webRanking(w http.ResponseWriter, r *http.Request) {
	id, err := auditParam(r)
	if err != nil {
		s.webFail(w, r, err)
		return
	}
	st, err := s.status(r)
	if err != nil {
		s.webFail(w, r, err)
		return
	}
	p := &rankingPage{pageBase: s.pageBase("排名", "ranking"), Status: newStatusBox(st), Query: auditQuery(id)}
	p.Refresh = st.Running != nil
	rv, err := s.rankingView(r.Context(), id)
	switch {
	case errors.Is(err, errNoAudit):
		s.render(w, r, http.StatusOK, "ranking", p)
		return
	case err != nil && id > 0 && errors.Is(err, store.ErrNotFound):
		s.webFail(w, r, s.explainAudit(r, id, err))
		return
	case err != nil:
		s.webFail(w, r, err)
		return
	}
	p.View = rv
	p.Latest = st.Latest != nil && st.Latest.ID == rv.Audit.ID
	p.AuditLabel = label(auditLabels, rv.Audit.Status)
	p.fill(names{s.ruleset()})
	s.render(w, r, http.StatusOK, "ranking", p)
}

// explainAudit says why audit id has no ranking: it does not exist, it
// is still running, or it stopped before it was scored.
func (s *Service) explainAudit(r *http.Request, id int64, err error) error {
	a, aerr := s.db.Audit(r.Context(), id)
	switch {
	case aerr != nil:
		return fmt.Errorf("audit %d: %w", id, aerr)
	case a.Status == store.AuditRunning:
		return fmt.Errorf("audit %d is still running; its ranking comes when it ends: %w", id, store.ErrNotFound)
	}
	return err
}

// fill lays out the ranking of p.View: its rows, grade counts and summary.
func (p *rankingPage) fill(n names) {
	rv := p.View
	for _, d := range rv.Dimensions {
		p.Dims = append(p.Dims, dimHeader{ID: d.ID, Name: d.Name, NameEN: d.NameEN, Max: d.Max})
	}
	counts := map[string]int{}
	var order []string
	for _, g := range n.rs.Grades {
		order = append(order, g.Name)
	}
	total, assessed := 0.0, 0
	for _, row := range rv.Ranking {
		rr := rankRow{RankingRow: row, TypeName: n.unitType(row.UnitType), GradeClass: n.gradeClass(row.Grade),
			ScoreTrend: scoreTrend(row.ScoreChange, rv.Previous != nil), RankTrend: rankTrend(row.RankChange, rv.Previous != nil),
			Unassessed: row.Grade == scoring.NotAssessedGrade}
		for _, d := range rv.Dimensions {
			v, ok := row.Dimensions[d.ID]
			c := dimCell{Text: "—"}
			if ok && !rr.Unassessed {
				c = dimCell{Text: fmtNum(v), Lost: d.Max > 0 && v < d.Max}
			}
			rr.Dims = append(rr.Dims, c)
		}
		p.Rows = append(p.Rows, rr)
		if row.Veto {
			p.Vetoes = append(p.Vetoes, rr)
		}
		if !slices.Contains(order, row.Grade) {
			order = append(order, row.Grade)
		}
		counts[row.Grade]++
		if !rr.Unassessed {
			total += row.Score
			assessed++
		}
		p.Findings += row.Findings
	}
	for _, g := range order {
		p.Grades = append(p.Grades, gradeCount{Name: g, Class: n.gradeClass(g), Count: counts[g]})
	}
	if assessed > 0 {
		p.Mean = total / float64(assessed) // units not assessed have no score
	}
}
