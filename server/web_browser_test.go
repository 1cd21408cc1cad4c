package server_test

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gongkai/internal/chrometest"
)

// testDashboardInChromium is TestDashboard's browser check, run on its
// service (whose audits take long to repeat): headless Chromium loads the
// ranking from the running service, saves a screenshot of it
// (dashboard-ranking.png in $GONGKAI_ARTIFACTS when set, and in a temporary
// directory always), then loads each of pages and an unknown path. The
// browser must report nothing (no console error, no content security
// policy violation, no failed load, the page's own 404 aside) and no table
// cell whose text runs out of it.
func testDashboardInChromium(t *testing.T, base string, pages []string) {
	b := chrometest.Require(t)

	p, err := b.Load(base+"/", false, true)
	if err != nil {
		t.Fatal(err)
	}
	checkBrowserPage(t, "/", p, false)
	if !strings.Contains(p.Title, "排名") {
		t.Errorf("the ranking's title is %q", p.Title)
	}
	img, err := png.Decode(bytes.NewReader(p.PNG))
	if err != nil {
		t.Fatalf("the ranking's screenshot (%d bytes) is no PNG: %v", len(p.PNG), err)
	}
	if w, h := img.Bounds().Dx(), img.Bounds().Dy(); w < 1000 || h < 600 {
		t.Errorf("the ranking's screenshot is %dx%d", w, h)
	}
	saveArtifact(t, "dashboard-ranking.png", p.PNG)

	for _, path := range pages {
		p, err := b.Load(base+path, false, false)
		if err != nil {
			t.Error(err)
			continue
		}
		checkBrowserPage(t, path, p, false)
	}

	p, err = b.Load(base+"/no/such/page", false, false)
	if err != nil {
		t.Fatal(err)
	}
	checkBrowserPage(t, "/no/such/page", p, true)
	if !strings.Contains(p.Title, "页面不存在") {
		t.Errorf("the 404 page's title is %q", p.Title)
	}
}

// checkBrowserPage fails t on what the browser reported for path; with
// notFound, the page's own 404 status (which Chromium logs as a failed
// load of the document) is expected and allowed once.
func checkBrowserPage(t *testing.T, path string, p *chrometest.Page, notFound bool) {
	t.Helper()
	problems := p.Problems
	if notFound {
		problems = nil
		seen := false
		for _, m := range p.Problems {
			if !seen && strings.Contains(m, "404") && strings.Contains(m, path) {
				seen = true
				continue
			}
			problems = append(problems, m)
		}
	}
	if len(problems) > 0 {
		t.Errorf("GET %s: the browser reported %q", path, problems)
	}
	if len(p.Overflowing) > 0 {
		t.Errorf("GET %s: table cells whose text runs out of them: %q", path, p.Overflowing)
	}
}

// saveArtifact writes a test's picture into a temporary directory and,
// when GONGKAI_ARTIFACTS names a directory, there too.
func saveArtifact(t *testing.T, name string, data []byte) {
	t.Helper()
	dirs := []string{t.TempDir()}
	if d := os.Getenv("GONGKAI_ARTIFACTS"); d != "" {
		dirs = append(dirs, d)
	}
	for _, d := range dirs {
		if err := os.WriteFile(filepath.Join(d, name), data, 0o644); err != nil {
			t.Errorf("save %s: %v", name, err)
		}
	}
	t.Logf("%s: %d bytes (GONGKAI_ARTIFACTS=%q)", name, len(data), os.Getenv("GONGKAI_ARTIFACTS"))
}
