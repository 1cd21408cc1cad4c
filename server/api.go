package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"gongkai/report"
	"gongkai/store"
)

// routes builds the service's handler: the web dashboard (web.go), the
// JSON API under /api/, /metrics and /healthz, all behind securityHeaders.
func (s *Service) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.opts.Registry, promhttp.HandlerOpts{
		ErrorHandling: promhttp.ContinueOnError, ErrorLog: slogPrinter{s}, Timeout: 20 * time.Second,
	}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /api/status", s.apiStatus)
	mux.HandleFunc("GET /api/audits", s.apiAudits)
	mux.HandleFunc("POST /api/audits", s.apiTrigger)
	mux.HandleFunc("GET /api/ranking", s.apiRanking)
	mux.HandleFunc("GET /api/problems", s.apiProblems)
	mux.HandleFunc("GET /api/units/{id}", s.apiUnit)
	mux.HandleFunc("GET /api/units/{id}/history", s.apiHistory)
	mux.HandleFunc("GET /api/findings/{id}", s.apiFinding)
	mux.HandleFunc("GET /api/findings/{id}/body", s.apiFindingBody)
	mux.HandleFunc("GET /api/findings/{id}/screenshot.png", s.apiFindingScreenshot)
	mux.HandleFunc("GET /api/audits/{id}/export.xlsx", s.apiExport)
	mux.HandleFunc("GET /api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such API endpoint: "+r.Method+" "+r.URL.Path)
	})
	s.webRoutes(mux)
	return securityHeaders(mux)
}

// slogPrinter adapts the service log to promhttp's error log.
type slogPrinter struct{ s *Service }

func (p slogPrinter) Println(v ...any) {
	p.s.log.Error("metrics", "error", strings.TrimSpace(fmt.Sprintln(v...)))
}

// contentSecurityPolicy allows nothing from elsewhere: the dashboard's
// styles, script and images are its own, and nothing may frame it.
const contentSecurityPolicy = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// securityHeaders sets the headers every answer carries.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// writeJSON writes v as indented JSON with status code.
func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// apiError is the body of every API error.
type apiError struct {
	Error string `json:"error"`
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, apiError{msg})
}

// fail answers with the status an error calls for.
func (s *Service) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, errNoUnit):
		writeError(w, http.StatusNotFound, err.Error())
	case errors.Is(err, errNoAudit):
		writeError(w, http.StatusNotFound, "no complete audit yet: the first scheduled or triggered audit will fill this in")
	case errors.Is(err, errBadRequest):
		writeError(w, http.StatusBadRequest, err.Error())
	default:
		s.log.Error("request failed", "path", r.URL.Path, "error", err)
		writeError(w, http.StatusInternalServerError, "internal error (see the service log)")
	}
}

var errBadRequest = errors.New("bad request")

// badRequest wraps a message as a 400.
type badRequest string

func (b badRequest) Error() string { return string(b) }
func (b badRequest) Is(target error) bool {
	return target == errBadRequest
}

// auditParam reads ?audit=N; 0 when absent.
func auditParam(r *http.Request) (int64, error) {
	v := r.URL.Query().Get("audit")
	if v == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, badRequest("audit=" + strconv.Quote(v) + ": want an audit id")
	}
	return id, nil
}

// idParam reads the path's {id} as a positive integer.
func idParam(r *http.Request) (int64, error) {
	v := r.PathValue("id")
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, badRequest("id " + strconv.Quote(v) + ": want a number")
	}
	return id, nil
}

// StatusView is what GET /api/status answers.
type StatusView struct {
	// Running is the audit running now; nil when none.
	Running *RunStatus `json:"running"`
	// Last is the last audit this process ran; nil when none.
	Last *RunStatus `json:"last"`
	// Schedule and Timezone are the configured schedule; NextRun when it
	// fires next (absent when nothing is scheduled).
	Schedule string    `json:"schedule"`
	Timezone string    `json:"timezone"`
	NextRun  time.Time `json:"next_run,omitzero"`
	// Latest is the latest complete audit; nil when none.
	Latest *AuditView `json:"latest"`
	// Trigger says whether POST /api/audits is enabled (GONGKAI_TOKEN set).
	Trigger bool `json:"trigger_enabled"`
}

func (s *Service) status(r *http.Request) (*StatusView, error) {
	running, last := s.Status()
	v := &StatusView{Running: running, Last: last, Schedule: s.cfg.Schedule, Timezone: s.cfg.Timezone,
		NextRun: s.NextRun(), Trigger: s.opts.Token != ""}
	a, err := s.db.LatestAudit(r.Context(), true)
	switch {
	case err == nil:
		av := auditView(a)
		v.Latest = &av
	case !errors.Is(err, store.ErrNotFound):
		return nil, err
	}
	return v, nil
}

func (s *Service) apiStatus(w http.ResponseWriter, r *http.Request) {
	v, err := s.status(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Service) apiAudits(w http.ResponseWriter, r *http.Request) {
	list, err := s.db.Audits(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]AuditView, len(list))
	for i := range list {
		out[i] = auditView(&list[i])
	}
	writeJSON(w, http.StatusOK, out)
}

// authorized checks the request's bearer token in constant time.
func (s *Service) authorized(r *http.Request) bool {
	if s.opts.Token == "" {
		return false
	}
	h := r.Header.Get("Authorization")
	const prefix = "Bearer "
	if len(h) < len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return false
	}
	got := sha256.Sum256([]byte(strings.TrimSpace(h[len(prefix):])))
	want := sha256.Sum256([]byte(s.opts.Token))
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}

func (s *Service) apiTrigger(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="gongkai"`)
		msg := "a bearer token is required (Authorization: Bearer <GONGKAI_TOKEN>)"
		if s.opts.Token == "" {
			msg = "the trigger is disabled: start serve with GONGKAI_TOKEN set"
		}
		writeError(w, http.StatusUnauthorized, msg)
		return
	}
	st, err := s.Trigger("api")
	switch {
	case errors.Is(err, ErrBusy):
		running, _ := s.Status()
		writeJSON(w, http.StatusConflict, struct {
			Error   string     `json:"error"`
			Running *RunStatus `json:"running"`
		}{err.Error(), running})
	case err != nil:
		writeError(w, http.StatusServiceUnavailable, err.Error())
	default:
		w.Header().Set("Location", "/api/status")
		writeJSON(w, http.StatusAccepted, st)
	}
}

func (s *Service) apiRanking(w http.ResponseWriter, r *http.Request) {
	id, err := auditParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.rankingView(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Service) apiProblems(w http.ResponseWriter, r *http.Request) {
	id, err := auditParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	filter := store.FindingFilter{Unit: q.Get("unit"), Kind: q.Get("kind"), Severity: q.Get("severity"),
		Status: q.Get("status"), Dismissed: "exclude"}
	switch filter.Status {
	case "", store.FindingNew, store.FindingPersisting, store.FindingResolved:
	default:
		s.fail(w, r, badRequest("status="+strconv.Quote(filter.Status)+": want new, persisting or resolved"))
		return
	}
	switch filter.Severity {
	case "", "veto", "deduction", "notice":
	default:
		s.fail(w, r, badRequest("severity="+strconv.Quote(filter.Severity)+": want veto, deduction or notice"))
		return
	}
	if q.Get("dismissed") == "include" {
		filter.Dismissed = ""
	}
	_, sc, err := s.scoredAudit(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out, err := s.problems(r.Context(), sc.ID, filter)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Service) apiUnit(w http.ResponseWriter, r *http.Request) {
	id, err := auditParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.unitView(r.Context(), id, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, unitJSON(v))
}

func (s *Service) apiHistory(w http.ResponseWriter, r *http.Request) {
	h, err := s.db.UnitHistory(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(h) == 0 {
		s.fail(w, r, errNoUnit)
		return
	}
	writeJSON(w, http.StatusOK, historyJSON(h))
}

func (s *Service) apiFinding(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	fe, err := report.LoadFindingEvidence(r.Context(), s.db, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, findingJSON(fe))
}

// apiFindingBody serves the stored page behind a finding as plain text:
// crawled HTML is never rendered on the dashboard's origin.
func (s *Service) apiFindingBody(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	fe, err := report.LoadFindingEvidence(r.Context(), s.db, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if fe.PersonalData {
		writeError(w, http.StatusForbidden, personalRefusal)
		return
	}
	body, ref, ok, err := fe.KeptBody(r.Context(), s.db)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !ok {
		writeError(w, http.StatusNotFound, "no body was kept for this finding")
		return
	}
	charset := "utf-8"
	for _, v := range fe.Evidence {
		if v.Ref.SHA256 == ref.SHA256 {
			for _, f := range v.Fetches {
				if f.SHA256 == ref.SHA256 && safeCharset(f.Charset) {
					charset = f.Charset
				}
			}
		}
	}
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset="+charset)
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("X-Gongkai-Source-URL", strings.ToValidUTF8(ref.URL, ""))
	h.Set("X-Gongkai-SHA256", ref.SHA256)
	w.Write(body)
}

// personalRefusal answers a request for a kept body that discloses
// personal data.
const personalRefusal = "the page kept for this finding discloses personal data: it is not served; an evaluator reads it with gongkai evidence --body on the database's host"

// safeCharset reports whether a crawled charset name can go into a
// Content-Type header as it is (letters, digits, - _ . : only).
func safeCharset(cs string) bool {
	if cs == "" || len(cs) > 40 {
		return false
	}
	for _, r := range cs {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.:", r)) {
			return false
		}
	}
	return true
}
