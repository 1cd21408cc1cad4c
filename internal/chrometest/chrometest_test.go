package chrometest

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestLoad: the browser reports console errors and failed resources, and
// prints to PDF and PNG.
func TestLoad(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/clean":
			fmt.Fprint(w, `<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>测试</title></head><body><h1>你好</h1></body></html>`)
		case "/favicon.ico":
			w.WriteHeader(http.StatusNoContent)
		case "/broken":
			fmt.Fprint(w, `<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>坏</title></head><body><img src="/missing.png"><script>console.error("boom")</script></body></html>`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	b := Require(t)
	p, err := b.Load(srv.URL+"/clean", true, true)
	if err != nil {
		t.Fatal(err)
	}
	if p.Title != "测试" || len(p.Problems) != 0 || !bytes.HasPrefix(p.PDF, []byte("%PDF")) || !bytes.HasPrefix(p.PNG, []byte("\x89PNG")) {
		t.Errorf("clean page: title %q problems %q pdf %d png %d", p.Title, p.Problems, len(p.PDF), len(p.PNG))
	}
	p, err = b.Load(srv.URL+"/broken", false, false)
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(p.Problems, "\n")
	if !strings.Contains(joined, "boom") || !strings.Contains(joined, "missing.png") {
		t.Errorf("broken page problems: %q", p.Problems)
	}
}
