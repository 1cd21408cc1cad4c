package server_test

import (
	"bytes"
	"fmt"
	"image"
	_ "image/png"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"gongkai/internal/browser"
	"gongkai/internal/chrometest"
	"gongkai/internal/servertest"
	"gongkai/report"
)

// TestExportAndScreenshot: the dashboard links the audit's workbook and a
// finding's picture; the workbook holds the API's problem list; the
// picture is a PNG of the stored page, cached by its body's hash; without
// a browser the picture is a 503.
func TestExportAndScreenshot(t *testing.T) {
	bin := chrometest.RequireBinary(t)
	shots := browser.NewLazy(browser.Options{Path: bin, Tabs: 1})
	t.Cleanup(func() { shots.Close() })
	e := servertest.Start(t, servertest.Options{Units: 4, Browser: shots})
	st := e.Audit(t)
	id := st.AuditID

	_, page := webFetch(t, http.MethodGet, e.URL+"/")
	if want := fmt.Sprintf(`href="/api/audits/%d/export.xlsx"`, id); !strings.Contains(page, want) {
		t.Errorf("the ranking does not link the workbook (%s)", want)
	}
	resp, body := webFetch(t, http.MethodGet, fmt.Sprintf("%s/api/audits/%d/export.xlsx?per_unit=1", e.URL, id))
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != report.WorkbookContentType ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), fmt.Sprintf("gongkai-audit-%d.xlsx", id)) {
		t.Fatalf("export: %s %v", resp.Status, resp.Header)
	}
	f, err := excelize.OpenReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var problems []report.Problem
	webJSON(t, fmt.Sprintf("%s/api/problems?audit=%d", e.URL, id), &problems)
	rows, _ := f.GetRows("问题清单")
	if len(rows)-1 != len(problems) {
		t.Errorf("the workbook lists %d problems, the API %d", len(rows)-1, len(problems))
	}
	if sheets := f.GetSheetList(); len(sheets) < 4 {
		t.Errorf("per_unit=1 gave sheets %q", sheets)
	}
	for path, code := range map[string]int{
		fmt.Sprintf("/api/audits/%d/export.xlsx?per_unit=x", id): 400,
		"/api/audits/999/export.xlsx":                            404,
		"/api/audits/abc/export.xlsx":                            400,
	} {
		if resp, body := webFetch(t, http.MethodGet, e.URL+path); resp.StatusCode != code {
			t.Errorf("GET %s: %s %s, want %d", path, resp.Status, body, code)
		}
	}

	var kept int64
	for _, p := range problems {
		if len(p.Evidence) > 0 && p.Evidence[0].SHA256 != "" {
			kept = p.ID
			break
		}
	}
	if kept == 0 {
		t.Fatal("no finding with a stored page")
	}
	shot := fmt.Sprintf("/api/findings/%d/screenshot.png", kept)
	if _, page := webFetch(t, http.MethodGet, fmt.Sprintf("%s/findings/%d", e.URL, kept)); !strings.Contains(page, `href="`+shot+`"`) {
		t.Errorf("the finding page does not link its picture")
	}
	resp, body = webFetch(t, http.MethodGet, e.URL+shot)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("GET %s: %s %.200s", shot, resp.Status, body)
	}
	img, _, err := image.Decode(bytes.NewReader([]byte(body)))
	if err != nil || img.Bounds().Dx() != 1280 {
		t.Fatalf("the picture: %v", err)
	}
	req, _ := http.NewRequest(http.MethodGet, e.URL+shot, nil)
	req.Header.Set("If-None-Match", resp.Header.Get("ETag"))
	if r2, err := http.DefaultClient.Do(req); err != nil || r2.StatusCode != http.StatusNotModified {
		t.Errorf("revalidation: %v %v", r2.Status, err)
	}

	off := servertest.Start(t, servertest.Options{Units: 4})
	off.Audit(t)
	var ps []report.Problem
	webJSON(t, off.URL+"/api/problems", &ps)
	checked := false
	for _, p := range ps {
		if len(p.Evidence) > 0 && p.Evidence[0].SHA256 != "" {
			if resp, _ := webFetch(t, http.MethodGet, fmt.Sprintf("%s/api/findings/%d/screenshot.png", off.URL, p.ID)); resp.StatusCode != 503 {
				t.Errorf("without a browser: %s, want 503", resp.Status)
			}
			checked = true
			break
		}
	}
	if !checked {
		t.Error("no finding with a stored page to ask a picture of")
	}
}
