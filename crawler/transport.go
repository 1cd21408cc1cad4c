package crawler

import (
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// newBaseTransport returns the HTTP transport used when none is injected:
// bounded connect and header waits, connection reuse sized for the
// configured parallelism.
func newBaseTransport(o Options) *http.Transport {
	d := &net.Dialer{Timeout: o.ConnectTimeout, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           d.DialContext,
		TLSHandshakeTimeout:   o.ConnectTimeout,
		ResponseHeaderTimeout: o.HeaderTimeout,
		ExpectContinueTimeout: time.Second,
		MaxIdleConns:          o.Concurrency * 4,
		MaxIdleConnsPerHost:   o.PerHost + 1,
		MaxConnsPerHost:       o.PerHost + 1,
		IdleConnTimeout:       30 * time.Second,
		ForceAttemptHTTP2:     true,
	}
}

// limitTransport bounds the number of requests in flight across all hosts.
// A slot is held from the request until its body is closed, so slow bodies
// count against the limit; delays between requests do not.
type limitTransport struct {
	base http.RoundTripper
	sem  chan struct{}
}

func newLimitTransport(base http.RoundTripper, n int) *limitTransport {
	return &limitTransport{base: base, sem: make(chan struct{}, n)}
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
