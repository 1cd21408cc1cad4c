package server

import (
	"bytes"
	"embed"
	"errors"
	"html/template"
	"net/http"
	"time"

	"gongkai/store"
)

// The dashboard is rendered on the server with html/template, so that
// everything crawled (titles, messages, URLs, unit names) is escaped, and
// it needs no script: the content security policy (api.go) allows only
// the embedded style sheet and images, nothing inline and nothing from
// elsewhere. Charts are inline SVG whose geometry is computed in Go
// (report/chart.go) and whose colours come from the style sheet's classes.
//
// This file holds what every page shares: the templates, the routes, the
// page frame and the error pages. Each page has its file (web_ranking.go,
// web_audits.go, web_unit.go, web_finding.go); web_format.go holds the
// display helpers they share and web_static.go the embedded files.

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
