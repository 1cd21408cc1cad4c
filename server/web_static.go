package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

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
