package server

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"gongkai/internal/browser"
	"gongkai/report"
)

// Browser renders stored pages to pictures for the dashboard's evidence
// screenshots: internal/browser's Lazy starts Chromium on first use.
type Browser interface {
	Screenshot(ctx context.Context, p browser.Page, o browser.ShotOptions) (*browser.Shot, error)
}

// apiExport serves GET /api/audits/{id}/export.xlsx: the audit's ranking,
// problem list and problems by kind as one Excel workbook (?per_unit=1
// adds a sheet per unit), the workbook `gongkai export` writes.
func (s *Service) apiExport(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	perUnit := false
	switch v := r.URL.Query().Get("per_unit"); v {
	case "", "0", "false":
	case "1", "true":
		perUnit = true
	default:
		s.fail(w, r, badRequest("per_unit="+strconv.Quote(v)+": want 1 or 0"))
		return
	}
	a, sc, err := s.scoredAudit(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	wb, err := report.LoadWorkbook(r.Context(), s.db, a, sc, s.ruleset(), "", perUnit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := report.WriteWorkbook(&buf, wb); err != nil {
		s.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", report.WorkbookContentType)
	h.Set("Content-Disposition", `attachment; filename="gongkai-audit-`+strconv.FormatInt(a.ID, 10)+`.xlsx"`)
	h.Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}

// apiFindingScreenshot serves GET /api/findings/{id}/screenshot.png: the
// stored page behind the finding rendered as it was fetched, captioned
// with its URL and fetch time, with nothing fetched again. A stored body
// never changes, so the picture is cached by the body's hash.
func (s *Service) apiFindingScreenshot(w http.ResponseWriter, r *http.Request) {
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
	p, ok, err := fe.StoredPage(r.Context(), s.db)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !ok {
		writeError(w, http.StatusNotFound, "no body was kept for this finding: there is no page to picture")
		return
	}
	etag := `"` + p.SHA256[:min(len(p.SHA256), 32)] + `"`
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if s.opts.Browser == nil {
		writeError(w, http.StatusServiceUnavailable, "screenshots are off: serve runs without a browser")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 60*time.Second)
	defer cancel()
	shot, err := s.opts.Browser.Screenshot(ctx, browser.Page{URL: p.URL, FetchedAt: p.FetchedAt, Body: p.Body,
		ContentType: p.ContentType, Charset: p.Charset}, browser.ShotOptions{Caption: true})
	switch {
	case errors.Is(err, browser.ErrNoBrowser):
		writeError(w, http.StatusServiceUnavailable, err.Error())
		return
	case errors.Is(err, browser.ErrNotRenderable):
		writeError(w, http.StatusUnprocessableEntity, err.Error())
		return
	case err != nil:
		s.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "image/png")
	h.Set("ETag", etag)
	h.Set("Cache-Control", "private, max-age=86400")
	w.Write(shot.Image)
}
