package server

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"gongkai/report"
	"gongkai/rules"
	"gongkai/scoring"
	"gongkai/store"
)

// The dashboard is rendered on the server with html/template, so that
// everything crawled (titles, messages, URLs, unit names) is escaped, and
// it needs no script: the content security policy (api.go) allows only
// the embedded style sheet and images, nothing inline and nothing from
// elsewhere. Charts are inline SVG whose geometry is computed here and
// whose colours come from the style sheet's classes.

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// webPageNames are the page templates, each rendered inside layout.html.
var webPageNames = []string{"ranking", "unit", "finding", "audits", "error"}

// webPages holds the parsed page templates by name.
var webPages = mustParsePages()

// mustParsePages parses each page with the layout; the templates are
// embedded, so an error is a bug and panics at start.
func mustParsePages() map[string]*template.Template {
	base := template.Must(template.New("layout.html").Funcs(webFuncs).ParseFS(templateFiles, "templates/layout.html"))
	out := map[string]*template.Template{}
	for _, name := range webPageNames {
		out[name] = template.Must(template.Must(base.Clone()).ParseFS(templateFiles, "templates/"+name+".html"))
	}
	return out
}

// webFuncs are the few helpers the templates call; everything else is
// prepared in Go.
var webFuncs = template.FuncMap{
	"num": fmtNum,
}

// staticAsset is an embedded file served under /static/.
type staticAsset struct {
	body  []byte
	ctype string
	etag  string
}

// staticAssets are the files of static/ by name, with their types and
// ETags.
var staticAssets = mustLoadStatic()

// mustLoadStatic reads the embedded static files; like the templates,
// they are part of the binary, so an error panics at start.
func mustLoadStatic() map[string]staticAsset {
	types := map[string]string{
		".css": "text/css; charset=utf-8",
		".svg": "image/svg+xml",
		".png": "image/png",
	}
	out := map[string]staticAsset{}
	err := fs.WalkDir(staticFiles, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := staticFiles.ReadFile(p)
		if err != nil {
			return err
		}
		ctype, ok := types[path.Ext(p)]
		if !ok {
			return fmt.Errorf("static file %s: no content type for its extension", p)
		}
		sum := sha256.Sum256(body)
		out[strings.TrimPrefix(p, "static/")] = staticAsset{body: body, ctype: ctype, etag: hex.EncodeToString(sum[:8])}
		return nil
	})
	if err != nil {
		panic(fmt.Sprintf("server: embedded static files: %v", err))
	}
	return out
}

// assetURL is the URL of a static file, versioned by its content so that
// a browser never keeps an old style sheet.
func assetURL(name string) string {
	return "/static/" + name + "?v=" + staticAssets[name].etag
}

// webRoutes adds the dashboard's pages to mux: the ranking (/), the audit
// list (/audits), unit pages (/units/{id}), evidence pages
// (/findings/{id}), the embedded style sheet and icon, and an HTML 404 for
// every other GET. Pages take ?audit=N to show an earlier audit.
func (s *Service) webRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", s.webRanking)
	mux.HandleFunc("GET /audits", s.webAudits)
	mux.HandleFunc("GET /units/{id}", s.webUnit)
	mux.HandleFunc("GET /findings/{id}", s.webFinding)
	mux.HandleFunc("GET /static/{name}", webStatic)
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		serveAsset(w, r, "favicon.svg")
	})
	// Only GET: another method on a known path stays the mux's 405.
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		s.webError(w, r, http.StatusNotFound, "页面不存在", "Not found: "+r.URL.Path)
	})
}

// webStatic serves /static/{name}.
func webStatic(w http.ResponseWriter, r *http.Request) {
	serveAsset(w, r, r.PathValue("name"))
}

// serveAsset serves an embedded file with its type and ETag (answering
// If-None-Match with 304); an unknown name is a plain 404.
func serveAsset(w http.ResponseWriter, r *http.Request, name string) {
	a, ok := staticAssets[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.ctype)
	h.Set("ETag", `"`+a.etag+`"`)
	h.Set("Cache-Control", "public, max-age=3600")
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(a.body))
}

// pageBase is what every page carries: its title, the menu entry to mark,
// and the service's time zone for the times it prints.
type pageBase struct {
	Title string
	// Nav is the menu entry to mark: ranking or audits.
	Nav string
	// Refresh reloads the page every 15 s, while an audit runs.
	Refresh bool
	CSS     string
	Icon    string
	loc     *time.Location
}

// Time prints t in the service's time zone; "—" when zero.
func (p pageBase) Time(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(p.loc).Format("2006-01-02 15:04:05")
}

// Zone names the service's time zone.
func (p pageBase) Zone() string { return p.loc.String() }

// pageBase starts a page's data.
func (s *Service) pageBase(title, nav string) pageBase {
	return pageBase{Title: title, Nav: nav, CSS: assetURL("gongkai.css"), Icon: assetURL("favicon.svg"), loc: s.loc}
}

// render executes page name into a buffer and sends it with code; a
// template failure is logged and answered with a plain 500.
func (s *Service) render(w http.ResponseWriter, r *http.Request, code int, name string, data any) {
	var buf bytes.Buffer
	if err := webPages[name].ExecuteTemplate(&buf, "layout", data); err != nil {
		s.log.Error("render page", "page", name, "path", r.URL.Path, "error", err)
		http.Error(w, "internal error (see the service log)", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(code)
	w.Write(buf.Bytes())
}

// errorPage is the page of a 400, 404 or 500.
type errorPage struct {
	pageBase
	Code    int
	Status  string
	Heading string
	Detail  string
}

// webError renders the error page with code.
func (s *Service) webError(w http.ResponseWriter, r *http.Request, code int, heading, detail string) {
	p := &errorPage{pageBase: s.pageBase(heading, ""), Code: code, Status: http.StatusText(code), Heading: heading, Detail: detail}
	s.render(w, r, code, "error", p)
}

// webFail answers with the page an error calls for, as fail does for the
// API: 404 for what does not exist, 400 for a bad parameter, and a logged
// 500 for anything else.
func (s *Service) webFail(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, errNoAudit):
		s.webError(w, r, http.StatusNotFound, "尚无完成的审计", "No complete audit yet: the first scheduled or triggered audit will fill this in.")
	case errors.Is(err, store.ErrNotFound), errors.Is(err, errNoUnit):
		s.webError(w, r, http.StatusNotFound, "未找到", err.Error())
	case errors.Is(err, errBadRequest):
		s.webError(w, r, http.StatusBadRequest, "请求有误", err.Error())
	default:
		s.log.Error("page failed", "path", r.URL.Path, "error", err)
		s.webError(w, r, http.StatusInternalServerError, "内部错误", "Internal error (see the service log).")
	}
}

// ruleset returns the ruleset the service last loaded, for display names
// and grade colours.
func (s *Service) ruleset() *rules.Ruleset {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rules
}

// names resolves ids to display names with the service's ruleset; an id
// the ruleset does not know is shown as it is.
type names struct{ rs *rules.Ruleset }

func (n names) unitType(id string) string {
	if t := n.rs.UnitType(id); t != nil && t.Name != "" {
		return t.Name
	}
	return id
}

func (n names) column(id string) string {
	if c := n.rs.Column(id); c != nil && c.Name != "" {
		return c.Name
	}
	return id
}

func (n names) dimension(id string) string {
	if d := n.rs.Dimension(id); d != nil && d.Name != "" {
		return d.Name
	}
	return id
}

func (n names) indicator(id string) string {
	if i := n.rs.Indicator(id); i != nil && i.Name != "" {
		return i.Name
	}
	return id
}

// gradeClass colours a grade from green (the best band, g0) to red (the
// worst, g3); gx is a grade the ruleset does not know.
func (n names) gradeClass(grade string) string {
	i := slices.IndexFunc(n.rs.Grades, func(g rules.Grade) bool { return g.Name == grade })
	k := len(n.rs.Grades)
	switch {
	case i < 0:
		return "gx"
	case k > 1 && i == k-1:
		return "g3"
	case i > 2:
		return "g2"
	}
	return "g" + strconv.Itoa(i)
}

// fmtNum prints a score or points without trailing zeros, to two decimals.
func fmtNum(x float64) string {
	x = math.Round(x*100) / 100
	if x == 0 {
		x = 0 // no "-0"
	}
	return strconv.FormatFloat(x, 'f', -1, 64)
}

// safeURL returns s when it is an absolute http or https URL, else "":
// crawled and configured URLs become links only then.
func safeURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return s
}

// trend is a change since the previous audit as the pages show it: an
// arrow, a class colouring it (up, down, flat, none) and the figure.
type trend struct {
	Class, Arrow, Text, Title string
}

// scoreTrend renders a score change; hadPrev says whether there is a
// previous audit at all (a unit not in it is then new).
func scoreTrend(p *float64, hadPrev bool) trend {
	switch {
	case p == nil && hadPrev:
		return trend{Class: "none", Text: "新", Title: "上次审计中没有该单位 (not in the previous audit)"}
	case p == nil:
		return trend{Class: "none", Text: "—", Title: "没有上次审计 (no previous audit)"}
	}
	v := math.Round(*p*100) / 100
	switch {
	case v > 0:
		return trend{Class: "up", Arrow: "▲", Text: "+" + fmtNum(v), Title: "比上次审计高 " + fmtNum(v) + " 分"}
	case v < 0:
		return trend{Class: "down", Arrow: "▼", Text: fmtNum(v), Title: "比上次审计低 " + fmtNum(-v) + " 分"}
	}
	return trend{Class: "flat", Arrow: "–", Title: "与上次审计持平"}
}

// rankTrend renders a rank change (positive: the unit moved up).
func rankTrend(p *int, hadPrev bool) trend {
	switch {
	case p == nil && hadPrev:
		return trend{Class: "none", Text: "新", Title: "上次审计中没有该单位 (not in the previous audit)"}
	case p == nil:
		return trend{Class: "none", Text: "—", Title: "没有上次审计 (no previous audit)"}
	case *p > 0:
		return trend{Class: "up", Arrow: "▲", Text: strconv.Itoa(*p), Title: "上升 " + strconv.Itoa(*p) + " 名"}
	case *p < 0:
		return trend{Class: "down", Arrow: "▼", Text: strconv.Itoa(-*p), Title: "下降 " + strconv.Itoa(-*p) + " 名"}
	}
	return trend{Class: "flat", Arrow: "–", Title: "名次不变"}
}

var (
	severityLabels = map[string]string{"veto": "否决", "deduction": "扣分", "notice": "提示"}
	statusLabels   = map[string]string{store.FindingNew: "新发现", store.FindingPersisting: "未整改", store.FindingResolved: "已整改"}
	auditLabels    = map[string]string{store.AuditComplete: "已完成", store.AuditIncomplete: "未完成", store.AuditRunning: "进行中"}
	resultLabels   = map[string]string{resultComplete: "已完成", resultIncomplete: "未完成", resultFailed: "失败"}
	decisionLabels = map[string]string{store.DecisionConfirmed: "维持", store.DecisionDismissed: "撤销"}
)

// label is k's display name in m, or k itself.
func label(m map[string]string, k string) string {
	if v, ok := m[k]; ok {
		return v
	}
	return k
}

// auditQuery is the query naming audit id on links; "" for the latest.
func auditQuery(id int64) string {
	if id == 0 {
		return ""
	}
	return "?audit=" + strconv.FormatInt(id, 10)
}

// ---- the ranking: / ----

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

// ---- the audits: /audits ----

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

// ---- a unit: /units/{id} ----

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
	Chart      *lineChart
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

// lineChart is the geometry of the score-history chart, computed here so
// that the template only draws it. Lengths are in SVG user units.
type lineChart struct {
	W, H  float64
	Title string
	// Grid are the horizontal score lines with their labels; Bands the
	// grade thresholds within the score range.
	Grid  []chartRule
	Bands []chartRule
	// Line is the polyline through the points ("x,y x,y ...").
	Line   string
	Points []chartPoint
	// Ticks label the audits along the bottom.
	Ticks                     []chartText
	AxisX, AxisY0, AxisY1, X1 float64
}

// chartRule is a horizontal line across the chart with its label.
type chartRule struct {
	Y, LabelY   float64
	Class, Text string
}

// chartPoint is one audit's score: a dot with a tooltip, linking to the
// unit's page in that audit.
type chartPoint struct {
	X, Y    float64
	Class   string
	Tip     string
	Href    string
	Current bool
}

// chartText is a label along the bottom of the chart.
type chartText struct {
	X, Y   float64
	Text   string
	Anchor string
}

const (
	chartW      = 720.0
	chartH      = 240.0
	chartLeft   = 44.0
	chartRight  = 72.0
	chartTop    = 14.0
	chartBottom = 40.0
	chartMaxTks = 8
)

// r1 rounds to a tenth, the precision of the drawing.
func r1(x float64) float64 { return math.Round(x*10) / 10 }

// historyChart lays out a unit's score over the audits, oldest on the
// left, one point per audit, with the grade thresholds as dashed lines.
// The score axis runs to the ruleset's total and down to a round figure
// below the lowest score, so small changes show.
func historyChart(h []store.HistoryPoint, current int64, unitID string, total float64, n names) *lineChart {
	if len(h) == 0 {
		return nil
	}
	if total <= 0 {
		total = 100
	}
	lo := total
	for _, p := range h {
		lo = math.Min(lo, p.Score)
		total = math.Max(total, p.Score)
	}
	step := 10.0
	if total > 200 {
		step = math.Pow(10, math.Floor(math.Log10(total)))
	}
	lo = math.Max(0, math.Floor((lo-step/2)/step)*step)
	c := &lineChart{W: chartW, H: chartH, Title: "得分走势 Score history", AxisX: chartLeft, AxisY0: chartTop, AxisY1: chartH - chartBottom,
		X1: chartW - chartRight}
	plotW, plotH := chartW-chartLeft-chartRight, chartH-chartTop-chartBottom
	y := func(v float64) float64 { return r1(chartTop + plotH*(1-(v-lo)/(total-lo))) }
	x := func(i int) float64 {
		if len(h) == 1 {
			return r1(chartLeft + plotW/2)
		}
		return r1(chartLeft + 12 + (plotW-24)*float64(i)/float64(len(h)-1))
	}
	gridStep := niceStep(total - lo)
	lo = math.Floor(lo/gridStep) * gridStep
	for k := 0; lo+float64(k)*gridStep <= total+1e-9; k++ {
		v := lo + float64(k)*gridStep
		c.Grid = append(c.Grid, chartRule{Y: y(v), LabelY: y(v), Class: "grid", Text: fmtNum(v)})
	}
	for _, g := range n.rs.Grades {
		if g.Min > lo && g.Min < total {
			c.Bands = append(c.Bands, chartRule{Y: y(g.Min), LabelY: y(g.Min), Class: "band " + n.gradeClass(g.Name), Text: g.Name + " ≥" + fmtNum(g.Min)})
		}
	}
	every := (len(h) + chartMaxTks - 1) / chartMaxTks
	var pts []string
	for i, p := range h {
		px, py := x(i), y(p.Score)
		pts = append(pts, strconv.FormatFloat(px, 'f', -1, 64)+","+strconv.FormatFloat(py, 'f', -1, 64))
		class := "pt " + n.gradeClass(p.Grade)
		if p.Veto {
			class += " veto"
		}
		tip := fmt.Sprintf("审计 #%d · %s · %s 分 · %s · 第 %d/%d 名", p.AuditID, p.AsOf, fmtNum(p.Score), p.Grade, p.Rank, p.Units)
		c.Points = append(c.Points, chartPoint{X: px, Y: py, Class: class, Tip: tip, Current: p.AuditID == current,
			Href: "/units/" + url.PathEscape(unitID) + auditQuery(p.AuditID)})
		if i%every == 0 || i == len(h)-1 {
			c.Ticks = append(c.Ticks, chartText{X: px, Y: chartH - chartBottom + 16, Text: "#" + strconv.FormatInt(p.AuditID, 10), Anchor: "middle"},
				chartText{X: px, Y: chartH - chartBottom + 30, Text: p.AsOf.String(), Anchor: "middle"})
		}
	}
	c.Line = strings.Join(pts, " ")
	return c
}

// niceStep is a round step (1, 2, 2.5 or 5 times a power of ten) that
// cuts span into about five.
func niceStep(span float64) float64 {
	raw := span / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5} {
		if m*mag >= raw {
			return m * mag
		}
	}
	return 10 * mag
}

// ---- a finding's evidence: /findings/{id} ----

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
