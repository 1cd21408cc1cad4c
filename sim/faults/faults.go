// Package faults is the fault fleet: units of the simulated district whose
// sites each misbehave in one way a real government server does (slow
// answers, bodies trickled a byte at a time, connection resets, 5xx bursts,
// redirect loops, a 50 MB page, malformed HTML, a false charset claim,
// endless pagination and calendar traps, a robots.txt that forbids
// everything, runaway unclosed tags, a self-signed certificate, a
// compression bomb). An audit of the fleet must finish within its time
// bound, and each fault must cost a finding or an error recorded against
// the faulty URL, never a crash or a hang.
//
// The faults wrap the sim's own sites, so apart from the fault each unit is
// a complete site with known ground truth: a fault the crawler recovers
// from (a 5xx burst, a reset, a false charset) must leave the unit's
// findings exactly as the truth says.
package faults

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"

	"gongkai/crawler/politeness"
	"gongkai/evidence"
	"gongkai/sim"
	"gongkai/units"
)

// Fault is one way a site misbehaves.
type Fault string

// The faults. Where names a fault's place: the portal, one column's page,
// or every page.
const (
	// SlowHeaders: the portal sends no header for a minute (past any
	// header timeout) on every attempt: the unit is unreachable.
	SlowHeaders Fault = "slow-headers"
	// SlowBody (slow loris): a column's page sends its header at once and
	// then one byte every 200 ms, for ever.
	SlowBody Fault = "slow-body"
	// Reset: every connection to the portal is reset (TCP RST) once the
	// request is read: the unit is unreachable.
	Reset Fault = "reset"
	// ResetOnce: every page's first request is reset; a retry gets it.
	ResetOnce Fault = "reset-once"
	// Burst: every page answers 503 twice, then normally (a server
	// recovering from a burst of errors).
	Burst Fault = "5xx-burst"
	// RedirectLoop: a column's page redirects to itself, with a growing
	// query, for ever.
	RedirectLoop Fault = "redirect-loop"
	// Huge: a column's page is 50 MB of list items, sent without a length.
	Huge Fault = "huge-page"
	// Malformed: the portal is cut off mid-tag after garbage: unclosed
	// elements, stray end tags, NUL bytes, broken entities.
	Malformed Fault = "malformed-html"
	// Truncated: a column page's connection drops after a third of its
	// body, with the full Content-Length announced, on every attempt.
	Truncated Fault = "truncated"
	// WrongCharset: every page is GB18030 while the header and the page's
	// <meta> both claim UTF-8.
	WrongCharset Fault = "wrong-charset"
	// PaginationTrap: a list column's 下一页 never ends; every page brings
	// twenty new items dated the day before the audit.
	PaginationTrap Fault = "pagination-trap"
	// CalendarTrap: the portal shows an events calendar whose 下一月 and
	// 下一天 links go on for ever.
	CalendarTrap Fault = "calendar-trap"
	// RobotsForbid: robots.txt forbids everything to every agent.
	RobotsForbid Fault = "robots-forbid"
	// RunawayTags: the portal carries 600 unclosed <font> tags, as
	// Word-pasted HTML does, past the HTML parser's nesting limit.
	RunawayTags Fault = "runaway-tags"
	// BadCertificate: the site is served over HTTPS with a self-signed
	// certificate.
	BadCertificate Fault = "bad-certificate"
	// GzipBomb: the portal is about 2 MB of gzip (Content-Encoding) that
	// inflates to 2 GiB.
	GzipBomb Fault = "gzip-bomb"
)

// All lists every fault, in fleet order.
func All() []Fault {
	return []Fault{SlowHeaders, SlowBody, Reset, ResetOnce, Burst, RedirectLoop, Huge, Malformed,
		Truncated, WrongCharset, PaginationTrap, CalendarTrap, RobotsForbid, RunawayTags, BadCertificate, GzipBomb}
}

// Describe says what a fault does, for docs/reliability.md and the sim's output.
func Describe(f Fault) string {
	switch f {
	case SlowHeaders:
		return "the portal sends no header for a minute"
	case SlowBody:
		return "a column page trickles its body, one byte every 200 ms, for ever"
	case Reset:
		return "every connection to the portal is reset"
	case ResetOnce:
		return "every page's first request is reset"
	case Burst:
		return "every page answers 503 twice, then normally"
	case RedirectLoop:
		return "a column page redirects to itself for ever"
	case Huge:
		return "a column page is 50 MB, without Content-Length"
	case Malformed:
		return "the portal is garbage-laden HTML cut off mid-tag"
	case Truncated:
		return "a column page's connection drops after a third of its announced length"
	case WrongCharset:
		return "pages are GB18030 while header and <meta> claim UTF-8"
	case PaginationTrap:
		return "a list column's 下一页 never ends, twenty fresh items a page"
	case CalendarTrap:
		return "the portal's events calendar links 下一月/下一天 for ever"
	case RobotsForbid:
		return "robots.txt: Disallow: / for every agent"
	case RunawayTags:
		return "the portal carries 600 unclosed <font> tags (Word-pasted HTML)"
	case BadCertificate:
		return "the site is served over HTTPS with a self-signed certificate"
	case GzipBomb:
		return "the portal is 2 MB of gzip that inflates to 2 GiB"
	}
	return string(f)
}

// Recovers reports whether the crawler is expected to get past f, so
// that the unit's findings are exactly its truth.
func Recovers(f Fault) bool {
	switch f {
	case ResetOnce, Burst, WrongCharset, CalendarTrap, RunawayTags:
		return true
	}
	return false
}

// Unit is a unit of the fleet and its fault.
type Unit struct {
	// Unit is the sim's unit behind the fault.
	Unit *sim.Unit
	// Fault is what its site does.
	Fault Fault
	// URL is its portal; Target the URL the fault is planted on (the
	// portal, a column's page, or "" for every page).
	URL, Target string
}

// Fleet is the started fault fleet.
type Fleet struct {
	d       *sim.District
	units   []*Unit
	lns     []net.Listener
	servers []*http.Server
	done    chan struct{}
	wg      sync.WaitGroup
	once    sync.Once
}

// Config selects the fleet.
type Config struct {
	// Seed selects the sim district behind the faults; 0 means 1.
	Seed int64
	// AsOf is the district's evaluation date; zero means sim.DefaultAsOf.
	AsOf evidence.Date
	// Faults are the faults, one unit each; nil means All().
	Faults []Fault
}

// Start generates the district and serves one unit per fault on loopback.
func Start(cfg Config) (*Fleet, error) {
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	if cfg.AsOf.IsZero() {
		cfg.AsOf = evidence.MustParseDate(sim.DefaultAsOf)
	}
	if cfg.Faults == nil {
		cfg.Faults = All()
	}
	// The first units of the roster with a site (not the sim's own
	// unreachable ones), one per fault.
	d, err := sim.Generate(sim.Config{Seed: cfg.Seed, AsOf: cfg.AsOf, Units: len(cfg.Faults) + 8})
	if err != nil {
		return nil, fmt.Errorf("faults: %w", err)
	}
	f := &Fleet{d: d, done: make(chan struct{})}
	next := 0
	for _, fault := range cfg.Faults {
		for next < len(d.Units) && d.Units[next].Role == sim.RoleUnreachable {
			next++
		}
		if next == len(d.Units) {
			f.Close()
			return nil, fmt.Errorf("faults: not enough units for %d faults", len(cfg.Faults))
		}
		u := &Unit{Unit: d.Units[next], Fault: fault}
		next++
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("faults: listen for unit %s: %w", u.Unit.ID, err)
		}
		u.URL = "http://" + ln.Addr().String() + "/"
		if fault == BadCertificate {
			cert, err := selfSigned(net.ParseIP("127.0.0.1"))
			if err != nil {
				ln.Close()
				f.Close()
				return nil, fmt.Errorf("faults: certificate for unit %s: %w", u.Unit.ID, err)
			}
			ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}})
			u.URL = "https://" + ln.Addr().String() + "/"
		}
		h, target := f.handler(u)
		if target != "" {
			u.Target = strings.TrimSuffix(u.URL, "/") + target
		}
		f.units = append(f.units, u)
		f.lns = append(f.lns, ln)
		// Handshakes refused by the crawler are the point of a fault, not
		// news: the servers keep their logs to themselves.
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}
		f.servers = append(f.servers, srv)
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			_ = srv.Serve(ln)
		}()
	}
	return f, nil
}

// Units returns the fleet's units, one per fault.
func (f *Fleet) Units() []*Unit { return f.units }

// District returns the sim district behind the fleet.
func (f *Fleet) District() *sim.District { return f.d }

// UnitsFile lists the fleet's units, with politeness off as for the sim.
func (f *Fleet) UnitsFile() *units.File {
	uf := &units.File{District: f.d.Name + "（故障站点）", Crawl: &units.Crawl{Settings: politeness.Settings{NoDelay: true, PerHost: 4}, Concurrency: 64}}
	for _, u := range f.units {
		uf.Units = append(uf.Units, u.Unit.UnitsEntry(u.URL))
	}
	return uf
}

// Truth returns the ground truth of the fleet's units at their live URLs
// (what an audit finds where no fault stands in the way).
func (f *Fleet) Truth() []sim.TruthFinding {
	byID := map[string]*Unit{}
	for _, u := range f.units {
		byID[u.Unit.ID] = u
	}
	var out []sim.TruthFinding
	for _, t := range f.d.Truth(func(su *sim.Unit) string {
		if u := byID[su.ID]; u != nil {
			return u.URL
		}
		return "http://unused.invalid/"
	}) {
		if byID[t.Unit] != nil {
			out = append(out, t)
		}
	}
	return out
}

// Close stops every server, ending trickles and hung answers.
func (f *Fleet) Close() error {
	f.once.Do(func() {
		close(f.done)
		for _, s := range f.servers {
			s.Close()
		}
		for _, ln := range f.lns {
			ln.Close()
		}
	})
	f.wg.Wait()
	return nil
}

// handler wraps the unit's site with its fault; it returns the path the
// fault is planted on ("" when it is on every page).
func (f *Fleet) handler(u *Unit) (http.Handler, string) {
	site := u.Unit.Handler()
	col := listColumn(u.Unit)
	switch u.Fault {
	case SlowHeaders:
		return onPath("/", site, func(w http.ResponseWriter, r *http.Request) {
			f.sleep(r.Context(), time.Minute)
		}), "/"
	case SlowBody:
		return onPath(col, site, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusOK)
			body := "<html><head><title>慢</title></head><body>" + strings.Repeat("<p>慢慢来</p>", 10000)
			for i := 0; i < len(body); i++ {
				if _, err := io.WriteString(w, body[i:i+1]); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				if !f.sleep(r.Context(), 200*time.Millisecond) {
					return
				}
			}
		}), col
	case Reset:
		return onPath("/", site, func(w http.ResponseWriter, r *http.Request) { reset(w) }), "/"
	case ResetOnce:
		seen := &counter{n: map[string]int{}}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if seen.add(r.Method+" "+r.URL.RequestURI()) == 1 {
				reset(w)
				return
			}
			site.ServeHTTP(w, r)
		}), ""
	case Burst:
		seen := &counter{n: map[string]int{}}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if seen.add(r.Method+" "+r.URL.RequestURI()) <= 2 {
				http.Error(w, "503 Service Temporarily Unavailable", http.StatusServiceUnavailable)
				return
			}
			site.ServeHTTP(w, r)
		}), ""
	case RedirectLoop:
		return onPath(col, site, func(w http.ResponseWriter, r *http.Request) {
			n, _ := strconv.Atoi(r.URL.Query().Get("r"))
			http.Redirect(w, r, col+"?r="+strconv.Itoa(n+1), http.StatusFound)
		}), col
	case Huge:
		return onPath(col, site, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, "<html><head><title>信息列表</title></head><body><ul>\n")
			line := []byte("<li><a href=\"/x.html\">一条很长很长的信息标题，重复出现以填满五十兆字节</a><span>2026-02-27</span></li>\n")
			for sent := 0; sent < 50<<20; sent += len(line) {
				if _, err := w.Write(line); err != nil {
					return
				}
			}
			io.WriteString(w, "</ul></body></html>\n")
		}), col
	case Malformed:
		// On the portal page (the root, or where a root that only
		// redirects leads).
		portal := u.Unit.PortalPath()
		return onPath(portal, site, func(w http.ResponseWriter, r *http.Request) {
			rec := record(site, r)
			body := rec.Body.Bytes()
			cut := len(body) * 2 / 3
			junk := "</td></tr></table></div>\x00\x00<div <span>>>&nbsp&#xZZ;&#99999999;<a href=\"javascript:void(0)\" <a href='/x.html'>未闭合<script>document.write('<a href=\"/y.html\">')"
			out := append(append([]byte(junk), body[:cut]...), []byte("<a href=\"/z.html\" title=\"截断")...)
			copyHeader(w, rec)
			w.Header().Del("Content-Length")
			w.WriteHeader(rec.Code)
			w.Write(out)
		}), portal
	case Truncated:
		return onPath(col, site, func(w http.ResponseWriter, r *http.Request) {
			rec := record(site, r)
			body := rec.Body.Bytes()
			if r.Method == http.MethodHead || rec.Code != http.StatusOK || len(body) < 300 {
				replay(w, rec)
				return
			}
			copyHeader(w, rec)
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.WriteHeader(rec.Code)
			w.Write(body[:len(body)/3])
			w.(http.Flusher).Flush()
			reset(w)
		}), col
	case WrongCharset:
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := record(site, r)
			if !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
				replay(w, rec)
				return
			}
			body := rec.Body.Bytes()
			if utf8.Valid(body) {
				if enc, err := simplifiedchinese.GB18030.NewEncoder().Bytes(body); err == nil {
					body = enc
				}
			}
			body = metaCharset.ReplaceAll(body, []byte("${1}utf-8"))
			rec.Header().Set("Content-Type", "text/html; charset=utf-8")
			writeRecorded(w, r, rec, body)
		}), ""
	case PaginationTrap:
		asOf := f.d.AsOf.Time().AddDate(0, 0, -1).Format("2006-01-02")
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == col && r.URL.Query().Get("page") == "" {
				inject(w, r, site, `<div class="pager"><a href="`+col+`?page=2">下一页</a></div>`)
				return
			}
			if r.URL.Path != col {
				site.ServeHTTP(w, r)
				return
			}
			n, _ := strconv.Atoi(r.URL.Query().Get("page"))
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			var b strings.Builder
			fmt.Fprintf(&b, "<html><head><title>第%d页</title></head><body><ul class=\"list\">\n", n)
			for k := 1; k <= 20; k++ {
				fmt.Fprintf(&b, "<li><a href=\"/trap/%d-%d.html\">第%d页第%d条工作动态</a><span>%s</span></li>\n", n, k, n, k, asOf)
			}
			fmt.Fprintf(&b, "</ul><div class=\"pager\"><a href=\"%s?page=%d\">下一页</a></div></body></html>\n", col, n+1)
			io.WriteString(w, b.String())
		}), col
	case CalendarTrap:
		cal := func(day time.Time) string {
			return fmt.Sprintf(`<div class="calendar"><h3>活动日历 %s</h3><a href="/calendar?d=%s">上一天</a> <a href="/calendar?d=%s">下一天</a> <a href="/calendar?d=%s">下一月</a></div>`,
				day.Format("2006-01-02"), day.AddDate(0, 0, -1).Format("2006-01-02"), day.AddDate(0, 0, 1).Format("2006-01-02"), day.AddDate(0, 1, 0).Format("2006-01-02"))
		}
		start := f.d.AsOf.Time()
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/":
				inject(w, r, site, cal(start))
			case "/calendar":
				day, err := time.Parse("2006-01-02", r.URL.Query().Get("d"))
				if err != nil {
					day = start
				}
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				io.WriteString(w, "<html><head><title>活动日历</title></head><body>"+cal(day)+"</body></html>")
			default:
				site.ServeHTTP(w, r)
			}
		}), "/calendar"
	case RobotsForbid:
		return onPath("/robots.txt", site, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			io.WriteString(w, "User-agent: *\nDisallow: /\n")
		}), "/robots.txt"
	case RunawayTags:
		return onPath("/", site, func(w http.ResponseWriter, r *http.Request) {
			rec := record(site, r)
			body := rec.Body.Bytes()
			if rec.Code == http.StatusOK && r.Method != http.MethodHead {
				body = afterBodyTag(body, bytes.Repeat([]byte(`<font face="SimSun" size="3">`), 600))
			}
			writeRecorded(w, r, rec, body)
		}), "/"
	case BadCertificate:
		return site, "" // the listener is the fault
	case GzipBomb:
		return onPath("/", site, func(w http.ResponseWriter, r *http.Request) {
			head, member := bombParts()
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Content-Encoding", "gzip")
			w.Header().Set("Content-Length", strconv.Itoa(len(head)+bombMembers*len(member)))
			if r.Method == http.MethodHead {
				return
			}
			if _, err := w.Write(head); err != nil {
				return
			}
			for i := 0; i < bombMembers; i++ {
				if _, err := w.Write(member); err != nil {
					return // the reader stopped: the point
				}
			}
		}), "/"
	}
	return site, ""
}

// afterBodyTag returns page with add inserted right after its <body> tag
// (at the start when it has none).
func afterBodyTag(page, add []byte) []byte {
	i := bytes.Index(bytes.ToLower(page), []byte("<body"))
	if i < 0 {
		return append(append([]byte(nil), add...), page...)
	}
	k := bytes.IndexByte(page[i:], '>')
	if k < 0 {
		return append(append([]byte(nil), add...), page...)
	}
	at := i + k + 1
	out := make([]byte, 0, len(page)+len(add))
	return append(append(append(out, page[:at]...), add...), page[at:]...)
}

// bombMembers is how many 1 MiB gzip members follow the bomb's head:
// 2 GiB inflated.
const bombMembers = 2048

var bomb struct {
	once         sync.Once
	head, member []byte
}

// bombParts returns the compression bomb's gzip members: a head holding
// the start of a page, and a member of 1 MiB of blank space that
// compresses a thousandfold (a gzip stream may be members one after
// another).
func bombParts() (head, member []byte) {
	bomb.once.Do(func() {
		gz := func(b []byte) []byte {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			zw.Write(b)
			zw.Close()
			return buf.Bytes()
		}
		bomb.head = gz([]byte(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>首页</title></head><body>`))
		// Blank space compresses best: about 1 KiB a member, 2 MiB in all.
		bomb.member = gz(bytes.Repeat([]byte(" "), 1<<20))
	})
	return bomb.head, bomb.member
}

// selfSigned makes a certificate for ip signed by itself: valid, for the
// right address, from an authority nobody trusts.
func selfSigned(ip net.IP) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(now.UnixNano()),
		Subject:               pkix.Name{CommonName: "自签名证书（故障站点）"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(1, 0, 0),
		IPAddresses:           []net.IP{ip},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

// sleep waits d, or until the request or the fleet ends; it reports
// whether the whole d passed.
func (f *Fleet) sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
	case <-f.done:
	}
	return false
}

// listColumn returns the path of a present list column of u (the first
// with items), or of any present column.
func listColumn(u *sim.Unit) string {
	any := ""
	for _, c := range u.Columns {
		if c.Path == "" || c.Override {
			continue
		}
		if len(c.Items) > 0 {
			return c.Path
		}
		if any == "" {
			any = c.Path
		}
	}
	if any == "" {
		return "/"
	}
	return any
}

// onPath serves path with h and everything else with site.
func onPath(path string, site http.Handler, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == path {
			h(w, r)
			return
		}
		site.ServeHTTP(w, r)
	})
}

// counter counts requests by key.
type counter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counter) add(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n[key]++
	return c.n[key]
}

// reset closes the connection with a TCP RST.
func reset(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
}

// record runs site on r and keeps its answer.
func record(site http.Handler, r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	site.ServeHTTP(rec, r)
	return rec
}

func copyHeader(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
}

// replay sends a recorded answer as it was.
func replay(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	copyHeader(w, rec)
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}

// inject serves site's page with html added before </body>.
func inject(w http.ResponseWriter, r *http.Request, site http.Handler, html string) {
	rec := record(site, r)
	body := rec.Body.Bytes()
	if rec.Code == http.StatusOK && r.Method != http.MethodHead {
		// The sim's GBK sites get the addition in their encoding.
		add := []byte(html)
		if ct := strings.ToLower(rec.Header().Get("Content-Type")); !utf8.Valid(body) || strings.Contains(ct, "gbk") || strings.Contains(ct, "gb2312") {
			if enc, err := simplifiedchinese.GBK.NewEncoder().Bytes(add); err == nil {
				add = enc
			}
		}
		i := bytes.LastIndex(body, []byte("</body>"))
		if i < 0 {
			i = bytes.LastIndex(body, []byte("</BODY>"))
		}
		if i >= 0 {
			body = append(body[:i:i], append(add, body[i:]...)...)
		} else {
			body = append(body, add...)
		}
	}
	writeRecorded(w, r, rec, body)
}

// writeRecorded answers with a recorded response whose body a fault has
// rewritten: the recorded status and headers, the new length, no ETag
// (the body is no longer the one it tagged), and no body to a HEAD.
func writeRecorded(w http.ResponseWriter, r *http.Request, rec *httptest.ResponseRecorder, body []byte) {
	copyHeader(w, rec)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Header().Del("ETag")
	w.WriteHeader(rec.Code)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// metaCharset finds a <meta> charset declaration's value.
var metaCharset = regexp.MustCompile(`(?i)(<meta[^>]*charset\s*=\s*["']?)[-a-z0-9_]+`)
