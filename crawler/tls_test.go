package crawler

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"gongkai/evidence"
)

// selfSigned makes a self-signed certificate valid until notAfter for the
// IP addresses ips, and its PEM.
func selfSigned(t *testing.T, notAfter time.Time, ips ...net.IP) (tls.Certificate, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "测试单位 CA"},
		NotBefore:             notAfter.Add(-365 * 24 * time.Hour),
		NotAfter:              notAfter,
		IPAddresses:           ips,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key},
		string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// quietLog discards a test server's log.
var quietLog = log.New(io.Discard, "", 0)

// tlsSite serves h over TLS with cert.
func tlsSite(t *testing.T, h http.Handler, cert tls.Certificate) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.Config.ErrorLog = quietLog // refused handshakes are what the tests make
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// TestFetch_Certificates classifies failed handshakes by their reason and
// reads the page again without verification, recording the failure.
func TestFetch_Certificates(t *testing.T) {
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<html><body><h1>证书测试页面</h1></body></html>")
	})
	loopback := net.ParseIP("127.0.0.1")
	good, goodPEM := selfSigned(t, time.Now().Add(time.Hour), loopback)
	expired, expiredPEM := selfSigned(t, time.Now().Add(-time.Hour), loopback)
	elsewhere, elsewherePEM := selfSigned(t, time.Now().Add(time.Hour), net.ParseIP("10.9.8.7"))
	// A server that answers a TLS hello with plain HTTP.
	plain := httptest.NewServer(page)
	defer plain.Close()
	// A server whose only cipher suite the client does not offer (as with
	// servers that offer only SM2 国密 suites).
	noSuite := httptest.NewUnstartedServer(page)
	noSuite.TLS = &tls.Config{Certificates: []tls.Certificate{good}, MaxVersion: tls.VersionTLS12,
		CipherSuites: []uint16{tls.TLS_RSA_WITH_AES_128_CBC_SHA}}
	noSuite.Config.ErrorLog = quietLog
	noSuite.StartTLS()
	defer noSuite.Close()

	tests := []struct {
		name string
		url  string
		ca   string
		// problem is the refused first request's reason; "" when the
		// certificate was verified.
		problem evidence.CertProblem
		// class is the page's final class.
		class evidence.FetchClass
	}{
		{"verified with the unit's CA", tlsSite(t, page, good).URL, goodPEM, "", evidence.ClassOK},
		{"self-signed", tlsSite(t, page, good).URL, "", evidence.CertUnknownAuthority, evidence.ClassOK},
		{"expired", tlsSite(t, page, expired).URL, expiredPEM, evidence.CertExpired, evidence.ClassOK},
		{"wrong host", tlsSite(t, page, elsewhere).URL, elsewherePEM, evidence.CertWrongHost, evidence.ClassOK},
		{"plain HTTP on the https port", strings.Replace(plain.URL, "http:", "https:", 1), "", evidence.CertHandshake, evidence.ClassCertificate},
		{"no shared cipher suite", noSuite.URL, goodPEM, evidence.CertHandshake, evidence.ClassCertificate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(Options{Settings: Settings{NoDelay: true, NoRetries: true, PageTimeout: 5 * time.Second}})
			defer c.Close()
			ut, err := c.unitTransport(tt.ca)
			if err != nil {
				t.Fatal(err)
			}
			u, _ := url.Parse(tt.url + "/")
			f, err := newFetcher(context.Background(), &c.opts, ut, scope{u.Host: true}, true)
			if err != nil {
				t.Fatal(err)
			}
			var recorded []evidence.Fetch
			f.onCertificate = func(r *response, insecure bool) {
				if !insecure {
					t.Errorf("the crawler could not turn verification off")
				}
				recorded = append(recorded, r.fetch)
			}
			r := f.get(context.Background(), u, evidence.RolePortal, modeOpenPage)
			if r.fetch.Class != tt.class {
				t.Errorf("final fetch: class %s (%s), want %s", r.fetch.Class, r.fetch.Error, tt.class)
			}
			if tt.problem == "" {
				if len(recorded) != 0 || r.fetch.Insecure || f.certFailure() != nil {
					t.Errorf("a verified certificate was refused: %+v", recorded)
				}
				return
			}
			if len(recorded) != 1 || recorded[0].Class != evidence.ClassCertificate || recorded[0].Cert != tt.problem || recorded[0].Insecure {
				t.Fatalf("recorded %+v; want one verified request refused for %s", recorded, tt.problem)
			}
			if !r.fetch.Insecure || r.fetch.Cert != tt.problem && r.fetch.Class == evidence.ClassCertificate {
				t.Errorf("final fetch %+v: want it made without verification", r.fetch)
			}
			if tt.class == evidence.ClassOK && r.page == nil {
				t.Errorf("no page read without verification")
			}
		})
	}
}

// TestCrawl_BadCertificate crawls the scenario site over TLS with a
// certificate nobody vouches for: the failure is the unit's TLS evidence,
// the unit's pages are read without verification, and the unit is read as
// over http. Trusting the site's CA (ca_file) reads it verified.
func TestCrawl_BadCertificate(t *testing.T) {
	cert, caPEM := selfSigned(t, time.Now().Add(time.Hour), net.ParseIP("127.0.0.1"))
	srv := tlsSite(t, scenarioSite(&requestLog{}), cert)
	c := New(Options{Settings: Settings{NoDelay: true, ReachSpacing: time.Millisecond, RetryBase: time.Millisecond}})
	defer c.Close()
	plainSrv := scenario(t, &requestLog{})
	defer plainSrv.Close()
	overHTTP := c.Crawl(context.Background(), Target{Unit: evidence.Unit{ID: "t", URL: plainSrv.URL + "/"}, Plan: testPlan()})

	t.Run("refused", func(t *testing.T) {
		ev := c.Crawl(context.Background(), Target{Unit: evidence.Unit{ID: "t", URL: srv.URL + "/"}, Plan: testPlan()})
		if ev.TLS == nil || ev.TLS.Problem != evidence.CertUnknownAuthority || !ev.TLS.Insecure || !strings.HasPrefix(ev.TLS.URL, srv.URL) {
			t.Fatalf("TLS evidence %+v; want the unknown authority recorded, pages read without verification", ev.TLS)
		}
		if !ev.Reach.Reachable {
			t.Errorf("a site with a bad certificate was recorded unreachable: %+v", ev.Reach)
		}
		refused := 0
		for _, f := range ev.Fetches {
			switch {
			case f.Class == evidence.ClassCertificate:
				refused++
				if f.URL != ev.TLS.URL || f.Insecure {
					t.Errorf("refused fetch %+v", f)
				}
			case !f.Insecure:
				t.Errorf("fetch %s made with verification after the certificate failed", f.URL)
			}
		}
		if refused != 1 {
			t.Errorf("%d refused fetches recorded; want the first only (verification is off after it)", refused)
		}
		for i, col := range ev.Columns {
			want := overHTTP.Columns[i]
			if col.Found != want.Found || len(col.Items) != len(want.Items) || len(col.Labels) != len(want.Labels) {
				t.Errorf("column %s: found %v, %d items, %d labels; over http %v, %d, %d", col.ID, col.Found, len(col.Items), len(col.Labels), want.Found, len(want.Items), len(want.Labels))
			}
		}
	})
	t.Run("trusted with the unit's CA", func(t *testing.T) {
		ev := c.Crawl(context.Background(), Target{Unit: evidence.Unit{ID: "t", URL: srv.URL + "/"}, CA: caPEM, Plan: testPlan()})
		if ev.TLS != nil || !ev.Reach.Reachable {
			t.Fatalf("TLS evidence %+v, reachable %v; want the certificate verified", ev.TLS, ev.Reach.Reachable)
		}
		for _, f := range ev.AllFetches() {
			if f.Insecure || f.Class == evidence.ClassCertificate {
				t.Errorf("fetch %s: class %s, insecure %v", f.URL, f.Class, f.Insecure)
			}
		}
	})
	t.Run("a CA bundle without certificates", func(t *testing.T) {
		ev := c.Crawl(context.Background(), Target{Unit: evidence.Unit{ID: "t", URL: srv.URL + "/"}, CA: "not a certificate", Plan: testPlan()})
		if len(ev.Fetches) != 0 || len(ev.Notes) != 1 || !strings.Contains(ev.Notes[0], "no PEM certificate") {
			t.Errorf("fetches %d, notes %q; want nothing fetched and the bundle named", len(ev.Fetches), ev.Notes)
		}
	})
}
