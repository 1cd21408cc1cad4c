package sim

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"gongkai/crawler/politeness"
	"gongkai/units"
)

// Fleet is a started district: one listener and server per unit on the
// loopback interface. Close shuts them all down.
type Fleet struct {
	d       *District
	urls    []string
	lns     []net.Listener
	servers []*http.Server
	wg      sync.WaitGroup
	once    sync.Once
}

// Start listens for every unit (on Host, at BasePort+i or an OS-chosen
// port) and serves its site. An unreachable unit's listener accepts
// connections and closes them at once, without an answer.
func (d *District) Start() (*Fleet, error) {
	f := &Fleet{d: d}
	for i, u := range d.Units {
		port := 0
		if d.BasePort > 0 {
			port = d.BasePort + i
		}
		ln, err := net.Listen("tcp", net.JoinHostPort(d.Host, strconv.Itoa(port)))
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("sim: listen for unit %s: %w", u.ID, err)
		}
		f.lns = append(f.lns, ln)
		f.urls = append(f.urls, "http://"+ln.Addr().String()+"/")
		if u.Role == RoleUnreachable {
			f.wg.Add(1)
			go func() {
				defer f.wg.Done()
				refuse(ln)
			}()
			continue
		}
		srv := &http.Server{
			Handler:           u.Handler(),
			ReadHeaderTimeout: 10 * time.Second,
			IdleTimeout:       30 * time.Second,
			ErrorLog:          nil,
		}
		f.servers = append(f.servers, srv)
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			_ = srv.Serve(ln)
		}()
	}
	return f, nil
}

// refuse accepts connections and closes them immediately until the
// listener is closed.
func refuse(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				continue
			}
			return
		}
		c.Close()
	}
}

// Handler serves the unit's site: GET and HEAD only, the pages the sim
// renders, 404 for unknown paths, and the planted failures of broken links.
func (u *Unit) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		target := r.URL.EscapedPath()
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		resp := u.serve(r.Host, target)
		if resp.Close {
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					conn.Close()
					return
				}
			}
			panic(http.ErrAbortHandler)
		}
		h := w.Header()
		h.Set("Server", u.serverHeader())
		// LinkChecker's documented opt-in for a server to lift the
		// checker's per-host rate floor, so the benchmark's peers all run
		// without politeness, as gongkai does there.
		h.Set("LinkChecker", "unlimited")
		if resp.Status == http.StatusOK {
			// Static pages carry a validator and answer conditional
			// requests, as the CMSs' static publishing does.
			etag := fmt.Sprintf(`"%016x"`, fnv64(resp.Body))
			h.Set("ETag", etag)
			if inm := r.Header.Get("If-None-Match"); inm != "" && inm == etag {
				w.WriteHeader(http.StatusNotModified)
				return
			}
		}
		h.Set("Content-Type", resp.ContentType)
		h.Set("Content-Length", strconv.Itoa(len(resp.Body)))
		w.WriteHeader(resp.Status)
		if r.Method != http.MethodHead {
			_, _ = w.Write(resp.Body)
		}
	})
}

// fnv64 is the FNV-1a hash of b, for ETags.
func fnv64(b []byte) uint64 {
	h := fnv.New64a()
	h.Write(b)
	return h.Sum64()
}

func (u *Unit) serverHeader() string {
	switch u.Style {
	case "hanweb":
		return "Apache-Coyote/1.1"
	case "trs":
		return "nginx"
	}
	return "Microsoft-IIS/6.0"
}

// Close shuts every unit's server down and waits for them to stop.
func (f *Fleet) Close() error {
	var errs []error
	f.once.Do(func() {
		// A short grace: net/http counts a connection that never sent a
		// request as busy for 5s, and a simulated site owes nobody a wait.
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		for _, s := range f.servers {
			if err := s.Shutdown(ctx); err != nil {
				errs = append(errs, err)
				s.Close()
			}
		}
		for _, ln := range f.lns {
			ln.Close()
		}
		f.wg.Wait()
	})
	return errors.Join(errs...)
}

// District returns the district the fleet serves.
func (f *Fleet) District() *District { return f.d }

// URL returns the base URL of the unit with id ("http://127.0.0.1:PORT/"),
// or "" when there is no such unit.
func (f *Fleet) URL(id string) string {
	for i, u := range f.d.Units {
		if u.ID == id {
			return f.urls[i]
		}
	}
	return ""
}

// URLs returns the base URL of each unit, in unit order.
func (f *Fleet) URLs() []string { return append([]string(nil), f.urls...) }

// UnitsFile returns a units file (docs/spec.md#units-file) listing every unit at its live
// URL, with crawl politeness turned off: a local fleet needs none. A column
// no page links (variant discover-override) is given under columns:, as an
// evaluator who was told where it is would write it.
func (f *Fleet) UnitsFile() *units.File {
	uf := &units.File{
		District: f.d.Name,
		Crawl:    &units.Crawl{Settings: politeness.Settings{NoDelay: true, PerHost: 4}, Concurrency: 64},
	}
	for i, u := range f.d.Units {
		uf.Units = append(uf.Units, u.UnitsEntry(f.urls[i]))
	}
	return uf
}

// UnitsEntry is the unit's entry in a units file when its site is served at
// url: a column no page links (variant discover-override) is given under
// columns:, as an evaluator who was told where it is would write it.
func (u *Unit) UnitsEntry(url string) units.Unit {
	un := units.Unit{ID: u.ID, Name: u.Name, NameEN: u.NameEN, Type: u.Type, URL: url}
	for _, c := range u.Columns {
		if c.Override && c.Path != "" {
			if un.Columns == nil {
				un.Columns = map[string]string{}
			}
			un.Columns[c.ID] = strings.TrimSuffix(url, "/") + c.Path
		}
	}
	return un
}

// Truth returns the ground truth with the fleet's live URLs.
func (f *Fleet) Truth() []TruthFinding {
	return f.d.Truth(func(u *Unit) string { return f.urls[u.Index] })
}
