package units

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	f, err := Parse("u.yaml", []byte(`
district: 怀柔区
crawl: {delay: 100ms, parallelism: 2}
units:
  - id: finance
    name: 区财政局
    type: bureau
    url: http://127.0.0.1:8101/
    columns: {annual-report: "http://127.0.0.1:8101/zwgk/ndbg/"}
    contact: 张三 010-69640000
    ignore_robots: true
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Units) != 1 || f.Units[0].Columns["annual-report"] == "" || !f.Units[0].IgnoreRobots || f.Crawl.Delay != "100ms" {
		t.Errorf("parsed %+v", f)
	}
	if err := f.Check([]string{"bureau"}, []string{"annual-report"}); err != nil {
		t.Errorf("check: %v", err)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"duplicate id", "units:\n  - {id: a, name: 甲, type: bureau, url: 'http://x/'}\n  - {id: a, name: 乙, type: bureau, url: 'http://y/'}\n", `u.yaml:3:10: unit "a": id: duplicate id (first at u.yaml:2:5)`},
		{"bad url", "units:\n  - {id: a, name: 甲, type: bureau, url: 'ftp://x/'}\n", `unit "a": url: bad URL "ftp://x/": want an absolute http:// or https:// URL`},
		{"relative url", "units:\n  - {id: a, name: 甲, type: bureau, url: '/x'}\n", `want an absolute http:// or https:// URL`},
		{"bad id", "units:\n  - {id: A_1, name: 甲, type: bureau, url: 'http://x/'}\n", `unit "A_1": id: must match [a-z0-9-]+`},
		{"unknown key", "units:\n  - {id: a, name: 甲, type: bureau, url: 'http://x/', colums: {}}\n", `unknown field "colums" (did you mean "columns"?)`},
		{"wrong type", "units:\n  - {id: a, name: 甲, type: bureau, url: 'http://x/', ignore_robots: maybe}\n", `ignore_robots: want true or false`},
		{"missing name", "units:\n  - {id: a, type: bureau, url: 'http://x/'}\n", `unit "a": name: required`},
		{"syntax", "units:\n  - id: [\n", `u.yaml:2:1: YAML syntax`},
		{"no units", "district: x\n", `units: no units listed`},
		{"not a mapping", "- a\n- b\n", `a units file is a mapping`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("u.yaml", []byte(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	f, err := Parse("u.yaml", []byte("units:\n  - {id: a, name: 甲, type: burea, url: 'http://x/', columns: {newz: 'http://x/n/'}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	err = f.Check([]string{"bureau", "street"}, []string{"news"})
	for _, want := range []string{`u.yaml:2:28: unit "a": type: unknown unit type "burea"`, `(did you mean "bureau"?)`, `unknown column "newz" (did you mean "news"?)`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("check error %v lacks %q", err, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("units:\n  - {id: a, name: 甲, type: bureau, url: 'http://x/'}\n"))
	f.Add([]byte("district: x\ncrawl: {delay: 1s}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		uf, err := Parse("f.yaml", data)
		if err == nil && (uf == nil || len(uf.Units) == 0) {
			t.Fatal("accepted a file without units")
		}
	})
}

// caPEM makes a self-signed CA certificate named cn, in PEM.
func caPEM(t *testing.T, cn string) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// TestLoad_CAFile reads the CA bundles a units file names, relative to its
// folder, into each unit's CA: the crawl-level one for every unit, a
// unit's own on top.
func TestLoad_CAFile(t *testing.T) {
	dir := t.TempDir()
	district, own := caPEM(t, "区CA"), caPEM(t, "局CA")
	os.MkdirAll(filepath.Join(dir, "certs"), 0o755)
	os.WriteFile(filepath.Join(dir, "certs", "district.pem"), []byte(district), 0o644)
	os.WriteFile(filepath.Join(dir, "own.pem"), []byte(own), 0o644)
	path := filepath.Join(dir, "units.yaml")
	os.WriteFile(path, []byte(`crawl: {ca_file: certs/district.pem}
units:
  - {id: a, name: 甲, type: bureau, url: 'https://a.example/'}
  - {id: b, name: 乙, type: bureau, url: 'https://b.example/', ca_file: own.pem}
`), 0o644)
	f, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if f.Units[0].CA != district {
		t.Errorf("unit a's CA %q: want the district's bundle", f.Units[0].CA)
	}
	if b := f.Units[1].CA; !strings.Contains(b, district) || !strings.Contains(b, own) {
		t.Errorf("unit b's CA %q: want the district's bundle and its own", b)
	}
}

// TestLoad_CAFileErrors refuses a CA bundle that cannot be read or holds
// no certificate, at the key that names it, every problem at once.
func TestLoad_CAFileErrors(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "empty.pem"), []byte("no certificates here\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "key.pem"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1}}), 0o644)
	os.WriteFile(filepath.Join(dir, "bad.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("garbage")}), 0o644)
	path := filepath.Join(dir, "units.yaml")
	os.WriteFile(path, []byte(`crawl:
  ca_file: missing.pem
units:
  - {id: a, name: 甲, type: bureau, url: 'https://a.example/', ca_file: empty.pem}
  - {id: b, name: 乙, type: bureau, url: 'https://b.example/', ca_file: key.pem}
  - {id: c, name: 丙, type: bureau, url: 'https://c.example/', ca_file: bad.pem}
`), 0o644)
	_, err := Load(path)
	if err == nil {
		t.Fatal("loaded")
	}
	want := []string{
		path + `:2:12: crawl.ca_file: read ` + filepath.Join(dir, "missing.pem") + `: no such file or directory`,
		path + `:4:72: unit "a": ca_file: ` + filepath.Join(dir, "empty.pem") + ` holds no PEM certificate`,
		path + `:5:72: unit "b": ca_file: ` + filepath.Join(dir, "key.pem") + `: a PRIVATE KEY block where certificates are wanted`,
		path + `:6:72: unit "c": ca_file: ` + filepath.Join(dir, "bad.pem") + `: certificate 1: x509: malformed certificate`,
	}
	if got := err.Error(); got != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
}
