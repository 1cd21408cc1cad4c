package crawler

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"gongkai/evidence"
)

// gzipBomb returns a gzip stream of mib MiB of HTML, small on the wire:
// one compressed member of about a MiB, repeated (gzip readers read
// concatenated members as one stream).
func gzipBomb(t *testing.T, mib int) []byte {
	t.Helper()
	var member bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&member, gzip.BestCompression)
	chunk := []byte(strings.Repeat("<p>公开</p>", (1<<20)/len("<p>公开</p>")))
	if _, err := zw.Write(chunk); err != nil {
		t.Fatal(err)
	}
	zw.Close()
	return bytes.Repeat(member.Bytes(), mib)
}

// TestFetch_CompressionBombs sends bodies that inflate to hundreds of
// megabytes under every way of saying gzip: each is cut at the body cap
// counted in inflated bytes, recorded too-large, and memory stays bounded.
func TestFetch_CompressionBombs(t *testing.T) {
	bomb := gzipBomb(t, 256)
	serve := func(encoding, contentType string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if encoding != "" {
				w.Header().Set("Content-Encoding", encoding)
			}
			w.Header().Set("Content-Type", contentType)
			w.Write(bomb)
		}
	}
	mux := http.NewServeMux()
	mux.Handle("/gzip", serve("gzip", "text/html; charset=utf-8"))
	mux.Handle("/x-gzip", serve("x-gzip", "text/html; charset=utf-8"))
	mux.Handle("/upper", serve("GZIP", "text/html; charset=utf-8"))
	mux.Handle("/report.pdf", serve("", "application/x-gzip"))
	mux.HandleFunc("/small", func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			http.Error(w, "gzip was not asked for", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		zw := gzip.NewWriter(w)
		zw.Write([]byte("<html><body><h1>小页面</h1></body></html>"))
		zw.Close()
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	const cap = 1 << 20
	o := Options{Settings: Settings{NoDelay: true, NoRetries: true, MaxBodyBytes: cap, PageTimeout: 20 * time.Second}}
	tests := []struct {
		path  string
		m     mode
		class evidence.FetchClass
		size  int64
	}{
		{"/gzip", modePage, evidence.ClassTooLarge, cap},
		{"/x-gzip", modePage, evidence.ClassTooLarge, cap},
		{"/upper", modePage, evidence.ClassTooLarge, cap},
		// A file sent as gzip is kept as sent, never inflated.
		{"/report.pdf", modeFile, evidence.ClassOK, int64(len(bomb))},
		{"/small", modePage, evidence.ClassOK, int64(len("<html><body><h1>小页面</h1></body></html>"))},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			r := fetchOne(t, o, srv.URL+tt.path, tt.m)
			runtime.ReadMemStats(&after)
			f := r.fetch
			if f.Class != tt.class || f.Size != tt.size || f.Truncated != (tt.class == evidence.ClassTooLarge) {
				t.Errorf("class %s, %d bytes, truncated %v (%s); want %s, %d bytes", f.Class, f.Size, f.Truncated, f.Error, tt.class, tt.size)
			}
			if tt.class == evidence.ClassTooLarge && r.page != nil {
				t.Errorf("a page cut at the cap was handed on as a page")
			}
			// Allocation, not the heap: what reading the body cost.
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
				t.Errorf("the fetch allocated %d MiB", alloc>>20)
			}
		})
	}
}
