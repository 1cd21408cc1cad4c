package report

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"gongkai/internal/chrometest"
)

// TestDocumentsInChromium renders the notices and the evaluation report of
// the fixture audit in headless Chromium, to PDF and PNG, and asks that the
// browser reports nothing: no console errors, no failed loads, and no table
// cell whose text (a long URL, say) runs into the next column.
func TestDocumentsInChromium(t *testing.T) {
	b := chrometest.Require(t)
	dir := t.TempDir()
	notices := BuildNotices(docNoticeInput())
	var nbuf, ebuf bytes.Buffer
	if err := WriteNoticesHTML(&nbuf, notices); err != nil {
		t.Fatal(err)
	}
	if err := WriteEvaluationHTML(&ebuf, BuildEvaluation(docEvaluationInput())); err != nil {
		t.Fatal(err)
	}
	for name, doc := range map[string][]byte{"notices.html": nbuf.Bytes(), "evaluation.html": ebuf.Bytes()} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			if err := os.WriteFile(path, doc, 0o644); err != nil {
				t.Fatal(err)
			}
			p, err := b.Load("file://"+path, true, true)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Problems) > 0 {
				t.Errorf("the browser reported problems: %q", p.Problems)
			}
			if len(p.Overflowing) > 0 {
				t.Errorf("table cells whose text runs out of them: %q", p.Overflowing)
			}
			if !bytes.HasPrefix(p.PDF, []byte("%PDF")) || !bytes.HasPrefix(p.PNG, []byte("\x89PNG")) {
				t.Fatalf("no PDF (%d bytes) or PNG (%d bytes)", len(p.PDF), len(p.PNG))
			}
			pages := bytes.Count(p.PDF, []byte("/Type /Page\n")) + bytes.Count(p.PDF, []byte("/Type /Page\r")) + bytes.Count(p.PDF, []byte("/Type /Page "))
			if pages == 0 {
				pages = bytes.Count(p.PDF, []byte("/Type/Page")) - bytes.Count(p.PDF, []byte("/Type/Pages"))
			}
			if name == "notices.html" && pages < len(notices) {
				t.Errorf("%d notices printed on %d pages: each notice should start a page", len(notices), pages)
			}
			if out := os.Getenv("GONGKAI_ARTIFACTS"); out != "" {
				os.WriteFile(filepath.Join(out, name+".pdf"), p.PDF, 0o644)
				os.WriteFile(filepath.Join(out, name+".png"), p.PNG, 0o644)
			}
			t.Logf("%s: %d-byte PDF (%d pages), %d-byte PNG", name, len(p.PDF), pages, len(p.PNG))
		})
	}
}
