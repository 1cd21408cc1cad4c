package units

import (
	"strings"
	"testing"
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
