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
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"gongkai/crawler/politeness"
)

func TestParse(t *testing.T) {
	f, err := Parse("u.yaml", []byte(`
district: 怀柔区
crawl: {delay: 100ms, per_host: 2}
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
	if len(f.Units) != 1 || f.Units[0].Columns["annual-report"] == "" || !f.Units[0].IgnoreRobots || f.Crawl.Delay != 100*time.Millisecond || f.Crawl.PerHost != 2 {
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

// TestCrawl_Settings: the crawl: block reads every crawler setting under
// its key, the one its JSON (a distributed job) uses too; "delay: 0s"
// turns delays off; a bad or negative value is an error at its key.
func TestCrawl_Settings(t *testing.T) {
	var want politeness.Settings
	v := reflect.ValueOf(&want).Elem()
	var lines []string
	for i := 0; i < v.NumField(); i++ {
		f, sf := v.Field(i), v.Type().Field(i)
		key := strings.Split(sf.Tag.Get("yaml"), ",")[0]
		if j := strings.Split(sf.Tag.Get("json"), ",")[0]; j != key || key == "" {
			t.Errorf("Settings.%s: yaml key %q, json key %q: one name for both", sf.Name, key, j)
		}
		var val string
		switch {
		case f.Type() == reflect.TypeOf(time.Duration(0)):
			d := time.Duration(i+1) * time.Second
			f.SetInt(int64(d))
			val = d.String()
		case f.Kind() == reflect.String:
			f.SetString("text " + key)
			val = `"text ` + key + `"`
		case f.Kind() == reflect.Bool:
			f.SetBool(true)
			val = "true"
		case f.Kind() == reflect.Int:
			f.SetInt(int64(i + 1))
			val = strconv.Itoa(i + 1)
		default:
			t.Fatalf("Settings.%s: teach the test its kind %s", sf.Name, f.Kind())
		}
		lines = append(lines, "  "+key+": "+val)
	}
	src := "crawl:\n" + strings.Join(lines, "\n") + "\n  concurrency: 9\nunits: [{id: a, name: 甲, type: bureau, url: \"http://127.0.0.1:1/\"}]\n"
	f, err := Parse("u.yaml", []byte(src))
	if err != nil {
		t.Fatalf("%v\n%s", err, src)
	}
	if f.Crawl.Settings != want || f.Crawl.Concurrency != 9 {
		t.Errorf("read %+v, want %+v", f.Crawl.Settings, want)
	}
	// Written back, the file reads the same.
	data, err := f.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse("back.yaml", data)
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	if back.Crawl.Settings != want {
		t.Errorf("written and read back: %+v, want %+v", back.Crawl.Settings, want)
	}

	f, err = Parse("u.yaml", []byte("crawl: {delay: 0s, retries: 0, per_host: 3}\nunits: [{id: a, name: 甲, type: bureau, url: \"http://127.0.0.1:1/\"}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !f.Crawl.NoDelay || !f.Crawl.NoRetries || f.Crawl.NoAttachments || f.Crawl.PerHost != 3 {
		t.Errorf("zeros given: %+v", f.Crawl.Settings)
	}
	for _, c := range []struct{ src, want string }{
		{"crawl: {delay: soon}", `u.yaml:1:16: crawl.delay: bad duration "soon"`},
		{"crawl: {per_host: -1}", "u.yaml:1:19: crawl.per_host: must not be negative"},
		{"crawl: {page_timeout: -2s}", "u.yaml:1:23: crawl.page_timeout: must not be negative"},
	} {
		_, err := Parse("u.yaml", []byte(c.src+"\nunits: [{id: a, name: 甲, type: bureau, url: \"http://127.0.0.1:1/\"}]\n"))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.src, err, c.want)
		}
	}
}

// TestCrawl_DeprecatedKey: parallelism, the old name of per_host, is read
// as per_host with a warning naming file:line and the new key; both at
// once is an error.
func TestCrawl_DeprecatedKey(t *testing.T) {
	const unitsList = "units: [{id: a, name: 甲, type: bureau, url: \"http://127.0.0.1:1/\"}]\n"
	f, err := Parse("u.yaml", []byte("district: x\ncrawl:\n  delay: 1s\n  parallelism: 2\n"+unitsList))
	if err != nil {
		t.Fatal(err)
	}
	if f.Crawl.PerHost != 2 {
		t.Errorf("parallelism: 2 read as per_host %d", f.Crawl.PerHost)
	}
	if len(f.Warnings) != 1 || f.Warnings[0].Error() != "u.yaml:4:3: crawl.parallelism: deprecated: write per_host instead (read as per_host)" {
		t.Errorf("warnings %v", f.Warnings)
	}
	_, err = Parse("u.yaml", []byte("crawl: {parallelism: 2, per_host: 3}\n"+unitsList))
	if err == nil || !strings.Contains(err.Error(), "u.yaml:1:9: crawl.parallelism: given with per_host") {
		t.Errorf("both names: %v", err)
	}
}
