package crawler

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gocolly/colly/v2"

	"gongkai/evidence"
)

var (
	// errRobots: robots.txt forbids the URL; nothing was requested.
	errRobots = errors.New("forbidden by robots.txt")
	// errRefused: the crawler declined the request (host out of scope, a
	// scheme other than http(s), a budget spent).
	errRefused = errors.New("refused by the crawler")
)

// redirectError stops a redirect chain that is too long (or a loop). The
// server did answer, so the fetch is an error status, not "down".
type redirectError struct {
	n      int
	status int
}

func (e *redirectError) Error() string { return fmt.Sprintf("stopped after %d redirects", e.n) }

// scope is the set of hosts (host:port) a unit's pages may be fetched from.
type scope map[string]bool

func (s scope) allows(u *url.URL) bool {
	return (u.Scheme == "http" || u.Scheme == "https") && s[strings.ToLower(u.Host)]
}

// fetcher makes a unit's requests through colly: pages through a collector
// restricted to the unit's hosts, link checks through one that may leave
// them. Both share one per-host limit rule, so politeness holds across them.
type fetcher struct {
	opts   *Options
	pages  *colly.Collector
	links  *colly.Collector
	scope  scope
	robots *robots // nil when robots.txt is ignored
	// tr carries the unit's requests; it turns certificate verification
	// off for the unit's hosts once their certificate failed.
	tr *unitTransport
	// onRobots records robots.txt fetches.
	onRobots func(*response)
	// onCertificate records a request to the unit's hosts whose TLS
	// handshake failed while certificates were verified; nil records
	// nothing. It is called before the request is made again without
	// verification (insecure is false when that cannot be done).
	onCertificate func(r *response, insecure bool)

	certMu sync.Mutex
	cert   *response // the first such request; nil when none
}

// raw is what one colly request produced.
type raw struct {
	// cached is the kept page sent for revalidation; nil when none.
	cached      *CachedPage
	status      int
	contentType string
	header      http.Header
	body        []byte
	finalURL    string
	err         error
	aborted     bool // stopped after headers on purpose
	wantBody    bool
	anyType     bool // a file: the body is wanted whatever its type
	limit       int  // a body larger than this is too large; 0: the body cap
	tooLarge    bool
}

const rawKey = "gongkai.raw"

func newFetcher(ctx context.Context, o *Options, tr *unitTransport, sc scope, ignoreRobots bool) (*fetcher, error) {
	tr.ownHost = func(host string) bool { return sc[host] }
	rule := &colly.LimitRule{DomainGlob: "*", Parallelism: o.PerHost, Delay: o.Delay}
	mk := func(restrict bool) (*colly.Collector, error) {
		// colly reads COLLY_* environment variables in NewCollector; every
		// setting that matters is set again below, so code wins.
		c := colly.NewCollector()
		c.UserAgent = o.UserAgent
		c.AllowURLRevisit = true
		c.MaxBodySize = o.MaxBodyBytes
		// gongkai's robots layer checks every request, HEAD included,
		// and records robots.txt as evidence (see robots.go).
		c.IgnoreRobotsTxt = true
		c.ParseHTTPErrorResponse = true
		c.DetectCharset = false
		c.MaxDepth = 0
		c.MaxRequests = 0
		c.CacheDir = ""
		c.Async = false
		c.Context = ctx
		c.AllowedDomains = nil
		c.DisallowedDomains = nil
		c.URLFilters = nil
		c.DisallowedURLFilters = nil
		c.WithTransport(tr)
		c.SetRequestTimeout(o.PageTimeout)
		c.SetRedirectHandler(func(req *http.Request, via []*http.Request) error {
			if len(via) >= o.MaxRedirects {
				status := 0
				if req.Response != nil {
					status = req.Response.StatusCode
				}
				return &redirectError{n: len(via), status: status}
			}
			if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
				return fmt.Errorf("redirect to %s: %w", req.URL.Scheme, errRefused)
			}
			if restrict && !sc.allows(req.URL) {
				return fmt.Errorf("redirect to %s outside the unit's hosts: %w", req.URL.Host, errRefused)
			}
			return nil
		})
		if err := c.Limit(rule); err != nil {
			return nil, fmt.Errorf("limit rule: %w", err)
		}
		c.OnResponseHeaders(func(r *colly.Response) {
			rw, _ := r.Ctx.GetAny(rawKey).(*raw)
			if rw == nil {
				return
			}
			rw.status = r.StatusCode
			rw.header = r.Headers.Clone()
			rw.finalURL = r.Request.URL.String()
			rw.contentType = r.Headers.Get("Content-Type")
			// Keep the raw bytes: colly would transcode bodies whose header
			// names a charset; gongkai hashes the bytes as sent and decodes
			// them itself (header, meta and sniffing; wrong claims caught).
			if ct := rw.contentType; ct != "" {
				if mt, _, err := mime.ParseMediaType(ct); err == nil {
					r.Headers.Set("Content-Type", mt)
				}
			}
			if !rw.wantBody || !rw.anyType && !isHTMLType(rw.contentType) && rw.contentType != "" {
				rw.aborted = true
				r.Request.Abort()
				return
			}
			limit := int64(o.MaxBodyBytes) * 4
			if rw.limit > 0 {
				limit = int64(rw.limit)
			}
			if n, err := strconv.ParseInt(r.Headers.Get("Content-Length"), 10, 64); err == nil && n > limit {
				rw.tooLarge = true
				rw.aborted = true
				r.Request.Abort()
			}
		})
		c.OnResponse(func(r *colly.Response) {
			rw, _ := r.Ctx.GetAny(rawKey).(*raw)
			if rw == nil {
				return
			}
			rw.status = r.StatusCode
			rw.body = r.Body
			rw.finalURL = r.Request.URL.String()
		})
		c.OnError(func(r *colly.Response, err error) {
			rw, _ := r.Ctx.GetAny(rawKey).(*raw)
			if rw == nil {
				return
			}
			if r.StatusCode != 0 {
				rw.status = r.StatusCode
			}
			if r.Request != nil && r.Request.URL != nil {
				rw.finalURL = r.Request.URL.String()
			}
			rw.err = err
		})
		return c, nil
	}
	pages, err := mk(true)
	if err != nil {
		return nil, err
	}
	links, err := mk(false)
	if err != nil {
		return nil, err
	}
	f := &fetcher{opts: o, pages: pages, links: links, scope: sc, tr: tr}
	if !ignoreRobots {
		f.robots = newRobots()
	}
	return f, nil
}

func isHTMLType(ct string) bool {
	ct = strings.ToLower(ct)
	return ct == "" || strings.Contains(ct, "html") || strings.Contains(ct, "text/plain") || strings.Contains(ct, "xml")
}

// classifyBytes bounds the pages whose text is read for classification.
const classifyBytes = 48 << 10

// response is one finished fetch: its evidence record, raw body and (for
// HTML pages) the parsed page.
type response struct {
	fetch evidence.Fetch
	body  []byte
	page  *Page
}

// mode says how to fetch a URL.
type mode int

const (
	// modePage fetches a page of the unit (GET, parsed), only within the
	// unit's hosts, redirects included.
	modePage mode = iota
	// modeOpenPage fetches the portal: GET, parsed, and a redirect may lead
	// to another host, which then joins the unit's hosts.
	modeOpenPage
	// modeCheck checks a link: HEAD, then GET for the headers only.
	modeCheck
	// modeFile fetches an attachment of the unit (GET, whatever its type,
	// not parsed), only within the unit's hosts.
	modeFile
	// modeAttachment is modeFile for an attachment read for its text: a
	// body larger than Options.MaxAttachmentBytes is too large.
	modeAttachment
)

// get fetches u for role. Pages are fetched with GET and parsed; link checks
// use HEAD and fall back to GET (headers only) when HEAD fails. Transient
// failures are retried with exponential backoff and jitter, and Retry-After
// is honoured up to Options.MaxRetryAfter. A request to the unit's hosts
// whose certificate is refused is recorded and made again without
// verification (fallBack).
func (f *fetcher) get(ctx context.Context, u *url.URL, role evidence.Role, m mode) *response {
	r := f.getOnce(ctx, u, role, m)
	if f.fallBack(r, u, m) {
		r = f.getOnce(ctx, u, role, m)
	}
	return r
}

// fallBack deals with a request to the unit's hosts whose TLS handshake
// failed while certificates were verified: the failure is recorded
// (onCertificate) and verification is turned off for the unit's hosts, so
// that the unit's content is still read and judged; the certificate is a
// finding of its own, not a site that is down. It reports whether to make
// the request again. A handshake that fails without verification too is
// final.
func (f *fetcher) fallBack(r *response, u *url.URL, m mode) bool {
	if r.fetch.Class != evidence.ClassCertificate || r.fetch.Insecure || !f.scope.allows(u) {
		return false
	}
	if m == modeOpenPage && r.fetch.FinalURL != "" {
		// The portal's redirect joins the unit's hosts, as it would have
		// had the handshake succeeded.
		if fu, err := url.Parse(r.fetch.FinalURL); err == nil && fu.Host != "" {
			f.scope[strings.ToLower(fu.Host)] = true
		}
	}
	f.certMu.Lock()
	defer f.certMu.Unlock()
	if f.cert == nil {
		f.cert = r
	}
	on := f.tr.insecureOn()
	if f.onCertificate != nil {
		f.onCertificate(r, on)
	}
	return on
}

// certFailure returns the first request to the unit's hosts whose
// certificate was refused, or nil.
func (f *fetcher) certFailure() *response {
	f.certMu.Lock()
	defer f.certMu.Unlock()
	return f.cert
}

// getOnce is get without the certificate fallback.
func (f *fetcher) getOnce(ctx context.Context, u *url.URL, role evidence.Role, m mode) *response {
	o := f.opts
	start := o.Now()
	insecure := false
	wantBody := m != modeCheck
	coll := f.pages
	if m != modePage && m != modeFile && m != modeAttachment {
		coll = f.links
	}
	limit := 0
	if m == modeAttachment {
		limit = o.MaxAttachmentBytes
	}
	method := http.MethodGet
	if !wantBody {
		method = http.MethodHead
	}
	if f.robots != nil && !f.robots.allowed(ctx, u, o.UserAgent, f.fetchRobots) {
		rw := &raw{err: fmt.Errorf("%s: %w", u.Path, errRobots)}
		return f.finish(u, role, method, rw, 0, start, false)
	}
	var cached *CachedPage
	if wantBody && o.Cache != nil {
		if cp, ok := o.Cache.Get(u.String()); ok && (cp.ETag != "" || cp.LastModified != "") {
			cached = &cp
		}
	}
	var rw *raw
	attempts := 0
	for {
		attempts++
		insecure = u.Scheme == "https" && f.tr.insecure(u.Host)
		rw = f.once(coll, method, u, wantBody, m == modeFile || m == modeAttachment, limit, cached)
		if !wantBody && method == http.MethodHead && (rw.status >= 400 || rw.status == 0 && rw.err != nil && !errors.Is(rw.err, errRefused) && !errors.Is(rw.err, errRobots)) {
			// HEAD refused or unsupported: ask again with GET, headers only.
			method = http.MethodGet
			rw = f.once(coll, method, u, false, false, 0, nil)
		}
		if attempts > o.Retries || !transient(rw.status, rw.err) || ctx.Err() != nil {
			break
		}
		wait := backoff(o.RetryBase, attempts)
		if ra, ok := retryAfter(rw.header, o.Now()); ok {
			if ra > o.MaxRetryAfter {
				break
			}
			wait = max(wait, ra)
		}
		o.Logger.Debug("retrying", "url", u.String(), "status", rw.status, "error", errorText(rw.err), "wait", wait)
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
		if ctx.Err() != nil {
			break
		}
	}
	return f.finish(u, role, method, rw, attempts, start, insecure)
}

// fetchRobots fetches a robots.txt through the open collector, with retries
// but without a robots check of its own. A robots.txt whose certificate is
// refused is read without verification, as the pages are: its rules hold
// whatever the certificate.
func (f *fetcher) fetchRobots(ctx context.Context, u *url.URL) *response {
	r := f.fetchRobotsOnce(ctx, u)
	if f.fallBack(r, u, modeCheck) {
		r = f.fetchRobotsOnce(ctx, u)
	}
	if f.onRobots != nil {
		f.onRobots(r)
	}
	return r
}

func (f *fetcher) fetchRobotsOnce(ctx context.Context, u *url.URL) *response {
	start := f.opts.Now()
	insecure := u.Scheme == "https" && f.tr.insecure(u.Host)
	rw := f.once(f.links, http.MethodGet, u, true, false, 0, nil)
	for attempt := 1; attempt <= f.opts.Retries && transient(rw.status, rw.err) && ctx.Err() == nil; attempt++ {
		time.Sleep(backoff(f.opts.RetryBase, attempt))
		rw = f.once(f.links, http.MethodGet, u, true, false, 0, nil)
	}
	return f.finish(u, evidence.RoleRobots, http.MethodGet, rw, 1, start, insecure)
}

// once makes a single colly request; with a cached page it asks the server
// to answer 304 when the page has not changed.
func (f *fetcher) once(coll *colly.Collector, method string, u *url.URL, wantBody, anyType bool, limit int, cached *CachedPage) *raw {
	rw := &raw{wantBody: wantBody, anyType: anyType, limit: limit, cached: cached}
	if coll == f.pages && !f.scope.allows(u) {
		rw.err = fmt.Errorf("%s is outside the unit's hosts: %w", u.Host, errRefused)
		return rw
	}
	cctx := colly.NewContext()
	cctx.Put(rawKey, rw)
	var hdr http.Header
	if cached != nil {
		hdr = http.Header{}
		if cached.ETag != "" {
			hdr.Set("If-None-Match", cached.ETag)
		}
		if cached.LastModified != "" {
			hdr.Set("If-Modified-Since", cached.LastModified)
		}
	}
	err := coll.Request(method, u.String(), nil, cctx, hdr)
	if rw.status == http.StatusNotModified && cached != nil {
		// Unchanged: the kept page stands for the body.
		rw.body, rw.contentType, err = cached.Body, cached.ContentType, nil
		if rw.header != nil {
			rw.header.Set("Content-Type", cached.ContentType)
			if rw.header.Get("ETag") == "" {
				rw.header.Set("ETag", cached.ETag)
			}
			if rw.header.Get("Last-Modified") == "" {
				rw.header.Set("Last-Modified", cached.LastModified)
			}
		}
		rw.aborted = false
	}
	switch {
	case errors.Is(err, colly.ErrRobotsTxtBlocked):
		rw.err = errRobots
	case errors.Is(err, colly.ErrForbiddenDomain), errors.Is(err, colly.ErrForbiddenURL):
		rw.err = fmt.Errorf("%v: %w", err, errRefused)
	case rw.aborted:
		rw.err = nil // stopped after the headers on purpose
	case err != nil && rw.err == nil:
		rw.err = err
	}
	var re *redirectError
	if errors.As(rw.err, &re) && rw.status == 0 {
		rw.status = re.status
	}
	return rw
}

// finish turns what a request produced into its record and, for pages,
// the parsed page. insecure says whether the request was made without
// verifying the server's certificate.
func (f *fetcher) finish(u *url.URL, role evidence.Role, method string, rw *raw, attempts int, start time.Time, insecure bool) *response {
	o := f.opts
	fe := evidence.Fetch{
		URL:         u.String(),
		Method:      method,
		Role:        role,
		Status:      rw.status,
		FetchedAt:   o.Now().UTC(),
		DurationMS:  o.Now().Sub(start).Milliseconds(),
		Attempts:    attempts,
		ContentType: rw.contentType,
		Error:       errorText(rw.err),
		Insecure:    insecure,
	}
	if rw.finalURL != "" && rw.finalURL != fe.URL {
		fe.FinalURL = rw.finalURL
	}
	if rw.header != nil {
		fe.ETag = rw.header.Get("ETag")
		fe.LastModified = rw.header.Get("Last-Modified")
	}
	resp := &response{body: rw.body}
	if o.Cache != nil && rw.wantBody && rw.body != nil && rw.status == http.StatusOK && rw.err == nil && (fe.ETag != "" || fe.LastModified != "") && !(len(rw.body) >= o.MaxBodyBytes) {
		o.Cache.Put(fe.URL, CachedPage{ETag: fe.ETag, LastModified: fe.LastModified, ContentType: rw.contentType, Body: rw.body})
	}
	if rw.limit > 0 && len(rw.body) > rw.limit {
		// No length announced, and more than the limit arrived.
		rw.tooLarge = true
	}
	if rw.body != nil {
		sum := sha256.Sum256(rw.body)
		fe.SHA256 = hex.EncodeToString(sum[:])
		fe.Size = int64(len(rw.body))
		fe.Truncated = len(rw.body) >= o.MaxBodyBytes
	}
	var text string
	var parseErr error
	// An attachment read for its text is parsed as a page only when the
	// server says it is HTML (an error page in a file's place): a CSV sent
	// as text/plain is a file.
	asPage := isHTMLType(rw.contentType) && (rw.limit == 0 || strings.Contains(strings.ToLower(rw.contentType), "html"))
	if rw.body != nil && rw.wantBody && asPage && !fe.Truncated {
		base := u
		if fe.FinalURL != "" {
			if fu, err := url.Parse(fe.FinalURL); err == nil {
				base = fu
			}
		}
		p, err := ParsePage(base, rw.body, rw.contentType)
		if err == nil {
			resp.page = p
			fe.Charset = p.Charset
			fe.Repaired = p.Repaired
			fe.Meta = p.Meta()
			if len(rw.body) <= classifyBytes {
				// Challenge, maintenance and error pages are short; only
				// short pages need their text read for classification.
				text = p.Doc.Text()
			}
		} else {
			parseErr = err
		}
	}
	fe.Class = classify(rw.status, rw.err, text)
	if fe.Class == evidence.ClassCertificate {
		fe.Cert = certProblem(rw.err)
	}
	if parseErr != nil && fe.Class == evidence.ClassOK {
		fe.Class = evidence.ClassUnreadable
		fe.Error = parseErr.Error()
	}
	switch {
	case rw.tooLarge:
		fe.Class = evidence.ClassTooLarge
		limit := o.MaxBodyBytes
		if rw.limit > 0 {
			limit = rw.limit
		}
		fe.Error = fmt.Sprintf("body larger than %d bytes (Content-Length %s)", limit, rw.header.Get("Content-Length"))
	case fe.Truncated && rw.err == nil && fe.Class == evidence.ClassOK:
		// What was read is a part of the page, and the part says nothing
		// of the rest: the page could not be used (Size says how much was
		// read; the body is kept for the evidence).
		fe.Class = evidence.ClassTooLarge
		fe.Error = fmt.Sprintf("body cut at the %d-byte cap", o.MaxBodyBytes)
	}
	if rw.err != nil && rw.status != 0 && fe.Class == evidence.ClassOK {
		// Headers arrived but the body broke off.
		fe.Class = evidence.ClassDown
	}
	if fe.Class != evidence.ClassOK {
		resp.page = nil
	}
	resp.fetch = fe
	return resp
}

var jitterMu sync.Mutex

// backoff returns base·2^(n-1) with ±50% jitter.
func backoff(base time.Duration, n int) time.Duration {
	d := base << (n - 1)
	jitterMu.Lock()
	j := 0.5 + rand.Float64()
	jitterMu.Unlock()
	return time.Duration(float64(d) * j)
}

// retryAfter reads a Retry-After header (seconds or an HTTP date).
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	if h == nil {
		return 0, false
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}
