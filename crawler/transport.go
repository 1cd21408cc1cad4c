package crawler

import (
	"compress/gzip"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The crawler's HTTP stack, innermost first: a tuned http.Transport per
// kind of TLS trust (the system's roots; the system's roots and a unit's
// own CA bundle; no verification, for a unit whose certificate failed),
// each under inflateTransport (gzip inflated here, so the body cap counts
// inflated bytes) and limitTransport (one global concurrency limit shared
// by all of them). A unit's requests go through its unitTransport, which
// turns verification off for the unit's hosts once their certificate has
// failed (tlsfallback in fetch.go).

// newBaseTransport returns the HTTP transport used when none is injected:
// bounded connect and header waits, connection reuse sized for the
// configured parallelism. tlsConf is the TLS configuration; nil means Go's
// default (the system's roots, verification on).
func newBaseTransport(o Options, tlsConf *tls.Config) *http.Transport {
	d := &net.Dialer{Timeout: o.ConnectTimeout, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           d.DialContext,
		TLSClientConfig:       tlsConf,
		TLSHandshakeTimeout:   o.ConnectTimeout,
		ResponseHeaderTimeout: o.HeaderTimeout,
		ExpectContinueTimeout: time.Second,
		MaxIdleConns:          o.Concurrency * 4,
		MaxIdleConnsPerHost:   o.PerHost + 1,
		MaxConnsPerHost:       o.PerHost + 1,
		IdleConnTimeout:       30 * time.Second,
		ForceAttemptHTTP2:     true,
		// inflateTransport asks for gzip and inflates it itself.
		DisableCompression: true,
	}
}

// transports builds and keeps the crawler's transports, one per TLS trust,
// all under one global concurrency limit.
type transports struct {
	o   Options
	sem chan struct{}

	mu     sync.Mutex
	byKey  map[string]http.RoundTripper
	closer []func()
}

func newTransports(o Options) *transports {
	return &transports{o: o, sem: make(chan struct{}, o.Concurrency), byKey: map[string]http.RoundTripper{}}
}

// verified returns the transport that verifies certificates against the
// system's roots and, when caPEM is not empty, the certificates it holds.
func (t *transports) verified(caPEM string) (http.RoundTripper, error) {
	if caPEM == "" {
		return t.get("system", nil)
	}
	sum := sha256.Sum256([]byte(caPEM))
	return t.get("ca:"+hex.EncodeToString(sum[:]), func() (*tls.Config, error) {
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM([]byte(caPEM)) {
			return nil, errors.New("the unit's CA bundle holds no PEM certificate")
		}
		return &tls.Config{RootCAs: pool}, nil
	})
}

// insecure returns the transport that does not verify certificates. It is
// used only for the hosts of a unit whose certificate failed verification,
// and that failure is recorded first.
func (t *transports) insecure() http.RoundTripper {
	rt, _ := t.get("insecure", func() (*tls.Config, error) {
		return &tls.Config{InsecureSkipVerify: true}, nil
	})
	return rt
}

// get returns the transport kept under key, building it with the TLS
// configuration conf returns (nil conf: Go's default).
func (t *transports) get(key string, conf func() (*tls.Config, error)) (http.RoundTripper, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if rt, ok := t.byKey[key]; ok {
		return rt, nil
	}
	var cfg *tls.Config
	if conf != nil {
		var err error
		if cfg, err = conf(); err != nil {
			return nil, err
		}
	}
	var base http.RoundTripper
	switch inj := t.o.Transport.(type) {
	case nil:
		base = newBaseTransport(t.o, cfg)
	case *http.Transport:
		// An injected transport keeps its settings; only the trust changes.
		base = inj
		if cfg != nil {
			hb := inj.Clone()
			hb.TLSClientConfig = cfg
			base = hb
		}
	default:
		// Another RoundTripper (a test's) cannot be told whom to trust.
		base = inj
	}
	if ic, ok := base.(interface{ CloseIdleConnections() }); ok {
		t.closer = append(t.closer, ic.CloseIdleConnections)
	}
	rt := &limitTransport{base: &inflateTransport{base: base}, sem: t.sem}
	t.byKey[key] = rt
	return rt, nil
}

// closeIdle releases the idle connections of every transport built.
func (t *transports) closeIdle() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, c := range t.closer {
		c()
	}
}

// unitTransport carries one unit's requests. It verifies certificates
// until the unit's own certificate has failed verification (insecureOn),
// then sends the requests to the unit's hosts without verifying, so the
// unit's content is still read; requests to other hosts (link checks)
// keep verifying.
type unitTransport struct {
	verified http.RoundTripper
	// insecureTr is nil when the crawler cannot turn verification off (an
	// injected transport that is not an *http.Transport).
	insecureTr http.RoundTripper
	// ownHost reports whether a host belongs to the unit.
	ownHost func(host string) bool
	off     atomic.Bool
}

// insecureOn turns verification off for the unit's hosts; it reports
// whether the crawler can do so.
func (t *unitTransport) insecureOn() bool {
	if t.insecureTr == nil {
		return false
	}
	t.off.Store(true)
	return true
}

// insecure reports whether requests to host skip verification.
func (t *unitTransport) insecure(host string) bool {
	return t.off.Load() && t.ownHost(strings.ToLower(host))
}

// RoundTrip implements http.RoundTripper.
func (t *unitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme == "https" && t.insecure(req.URL.Host) {
		return t.insecureTr.RoundTrip(req)
	}
	return t.verified.RoundTrip(req)
}

// inflateTransport asks for gzip and inflates it as the body is read.
// net/http would inflate too, but only "gzip" it asked for itself; colly
// inflates the rest (a Content-Encoding of "x-gzip", a gzip Content-Type)
// after its body cap, so a small compressed body could inflate without
// bound into memory. Here every body colly sees is already what it keeps,
// and the cap counts inflated bytes.
type inflateTransport struct {
	base http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (t *inflateTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Header.Get("Accept-Encoding") == "" && req.Header.Get("Range") == "" && req.Method != http.MethodHead {
		req = req.Clone(req.Context())
		req.Header.Set("Accept-Encoding", "gzip")
	}
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	switch strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding"))) {
	case "gzip", "x-gzip":
		if req.Method != http.MethodHead {
			resp.Body = &gunzipBody{src: resp.Body}
			resp.Header.Del("Content-Encoding")
			resp.Header.Del("Content-Length")
			resp.ContentLength = -1
		}
	}
	// colly must not inflate what it reads: see the type's comment.
	resp.Uncompressed = true
	return resp, nil
}

// gunzipBody inflates a gzip body lazily: nothing is read before the
// first Read, so a response stopped after its headers costs nothing.
type gunzipBody struct {
	src io.ReadCloser
	zr  *gzip.Reader
	err error
}

func (b *gunzipBody) Read(p []byte) (int, error) {
	if b.zr == nil && b.err == nil {
		b.zr, b.err = gzip.NewReader(b.src)
		if b.err != nil {
			b.err = fmt.Errorf("gzip body: %w", b.err)
		}
	}
	if b.err != nil {
		return 0, b.err
	}
	return b.zr.Read(p)
}

func (b *gunzipBody) Close() error { return b.src.Close() }

// limitTransport bounds the number of requests in flight across all hosts.
// A slot is held from the request until its body is closed, so slow bodies
// count against the limit; delays between requests do not.
type limitTransport struct {
	base http.RoundTripper
	sem  chan struct{}
}

// RoundTrip implements http.RoundTripper.
func (t *limitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	select {
	case t.sem <- struct{}{}:
	case <-req.Context().Done():
		return nil, req.Context().Err()
	}
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		<-t.sem
		return nil, err
	}
	resp.Body = &releaseBody{ReadCloser: resp.Body, release: func() { <-t.sem }}
	return resp, nil
}

// releaseBody gives back a concurrency slot when the body is closed.
type releaseBody struct {
	io.ReadCloser
	once    sync.Once
	release func()
}

func (b *releaseBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.release)
	return err
}
