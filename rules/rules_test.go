package rules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gongkai/evidence"
)

func TestDefault(t *testing.T) {
	rs, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if len(rs.Columns) != 15 || rs.Total != 100 || len(rs.Grades) != 4 {
		t.Errorf("default: %d columns, total %v, %d grades", len(rs.Columns), rs.Total, len(rs.Grades))
	}
	for _, c := range rs.Columns {
		if rs.CheckFor(c.ID, KindPresence, c.UnitTypes[0]) == nil && !(c.UnitTypes[0] == AllUnitTypes && rs.CheckFor(c.ID, KindPresence, "bureau") != nil) {
			t.Errorf("column %s has no presence check", c.ID)
		}
	}
	if got := len(rs.ColumnsFor("township")); got != 9 {
		t.Errorf("township keeps %d columns, want 9", got)
	}
	if rs.Column("gazette").AppliesTo("bureau") {
		t.Errorf("gazette applies to bureaus")
	}
	if g := rs.GradeFor(89.99); g.Name != "良好" {
		t.Errorf("grade of 89.99 = %s", g.Name)
	}
	if rs.Hash == "" || len(rs.Sources) != 6 {
		t.Errorf("hash %q, sources %v", rs.Hash, rs.Sources)
	}
}

func TestCalendar(t *testing.T) {
	cal := MustDefault().Calendar
	d := evidence.MustParseDate
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2019-09-27", 1, "2019-09-29"}, // Sunday 29 Sep 2019 was a make-up working day
		{"2019-09-30", 1, "2019-10-08"}, // National Day week
		{"2025-01-24", 3, "2025-02-05"}, // Spring Festival 2025: 26 Jan worked, 28 Jan-4 Feb off
		{"2020-03-02", 5, "2020-03-09"}, // an ordinary week
	}
	for _, tt := range tests {
		if got := cal.AddWorkdays(d(tt.from), tt.n); got != d(tt.want) {
			t.Errorf("AddWorkdays(%s, %d) = %s, want %s", tt.from, tt.n, got, tt.want)
		}
	}
	if n := cal.WorkdaysBetween(d("2019-09-30"), d("2019-10-08")); n != 1 {
		t.Errorf("WorkdaysBetween over National Day = %d, want 1", n)
	}
}

// TestParseErrors: one broken file per mistake, with the exact message.
func TestParseErrors(t *testing.T) {
	base, err := os.ReadFile(filepath.Join("default", "checks.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	defaults := map[string][]byte{}
	for _, n := range []string{"ruleset.yaml", "columns.yaml", "indicators.yaml", "calendar.yaml", "names.yaml"} {
		b, err := os.ReadFile(filepath.Join("default", n))
		if err != nil {
			t.Fatal(err)
		}
		defaults[n] = b
	}
	tests := []struct {
		name    string
		file    string // which default file to break
		old     string
		new     string
		wantErr string
	}{
		{"unknown key", "checks.yaml", "    kind: max_age\n", "    kind: max_age\n    maxage: 3d\n", `rule "news.max-age": unknown field "maxage" (did you mean "max_age"?)`},
		{"bad duration", "checks.yaml", "max_age: 14d", "max_age: two weeks", `rule "news.max-age": max_age: bad duration "two weeks"`},
		{"wrong type", "checks.yaml", "points: 0.5\n", "points: half\n", `rule "statistics.monthly": points: want a number, got text "half"`},
		{"unknown column", "checks.yaml", "column: gazette\n", "column: gazete\n", `rule "gazette.present": column: unknown column "gazete" (did you mean "gazette"?)`},
		{"unknown unit type", "columns.yaml", "unit_types: [district]\n", "unit_types: [distrct]\n", `column "gazette": unit_types: unknown unit type "distrct"`},
		{"duplicate id", "checks.yaml", "id: guide.non-empty", "id: guide.present", `rule "guide.present": id: duplicate id`},
		{"points exceed indicator", "checks.yaml", "    points: 0.5\n    portal_points: 1", "    points: 11\n    portal_points: 1", `rule "links.healthy": points: 11 exceeds the 8 points of indicator "links"`},
		{"dimensions do not add up", "ruleset.yaml", "points: 10}", "points: 15}", `dimensions: points add up to 105, want the total 100`},
		{"indicators do not add up", "indicators.yaml", "    dimension: usability\n    points: 8", "    dimension: usability\n    points: 6", `dimension "usability": points: 10, but its indicators add up to 8`},
		{"certificate with a column", "checks.yaml", "    kind: certificate\n", "    kind: certificate\n    column: guide\n", `rule "site.certificate": column: kind certificate checks the whole unit and takes no column`},
		{"dangling indicator", "checks.yaml", "indicator: links\n", "indicator: link\n", `rule "links.healthy": indicator: unknown indicator "link"`},
		{"param of another kind", "checks.yaml", "    kind: presence\n    column: guide\n", "    kind: presence\n    column: guide\n    max_age: 3d\n", `rule "guide.present": max_age: does not apply to kind presence`},
		{"yaml syntax", "checks.yaml", "checks:\n", "checks:\n  - id: [broken\n", `YAML syntax`},
		{"bad holiday", "calendar.yaml", "- 2019-01-01\n", "- 2019-13-01\n", `parse date "2019-13-01"`},
		{"no zero grade", "ruleset.yaml", "{name: 不合格, name_en: Fail, min: 0}", "{name: 不合格, name_en: Fail, min: 10}", `no band starts at 0`},
		{"bad ceased", "names.yaml", "ceased: 2023-05", "ceased: May 2023", `outdated name "中国银行保险监督管理委员会": ceased: bad date "May 2023"`},
		{"ceased month 13", "names.yaml", "ceased: 2023-05", "ceased: 2023-13", `bad month "2023-13"`},
		{"no successor", "names.yaml", "    successor: 生态环境部\n", "", `outdated name "环境保护部": successor: required`},
		{"successor holds the name", "names.yaml", "successor: 自然资源部\n    ceased: 2018-03\n    basis: 2018年国务院机构改革\n  - name: 国家海洋局", "successor: 国土资源部新部\n    ceased: 2018-03\n    basis: 2018年国务院机构改革\n  - name: 国家海洋局", `successor: "国土资源部新部" contains the old name "国土资源部"`},
		{"name listed twice", "names.yaml", "aliases: [国家工商总局]", "aliases: [国家质量监督检验检疫总局]", `"国家质量监督检验检疫总局" is listed twice`},
		{"unknown number kind", "checks.yaml", "    kind: privacy\n", "    kind: privacy\n    numbers: [id, passport]\n", `rule "content.privacy": numbers: unknown kind "passport"`},
		{"empty word", "checks.yaml", "    kind: privacy\n", "    kind: privacy\n    contact_labels: [联系电话, \"\"]\n", `rule "content.privacy": contact_labels[1]: empty word`},
		{"grace on privacy", "checks.yaml", "    kind: privacy\n", "    kind: privacy\n    grace: 30d\n", `rule "content.privacy": grace: does not apply to kind privacy`},
		{"names without a list", "names.yaml", "outdated_names:\n", "unused_names:\n", `unknown field "unused_names"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var files []File
			for n, b := range defaults {
				files = append(files, File{Name: n, Data: b})
			}
			files = append(files, File{Name: "checks.yaml", Data: base})
			broke := false
			for i := range files {
				if files[i].Name == tt.file {
					s := string(files[i].Data)
					if !strings.Contains(s, tt.old) {
						t.Fatalf("%s does not contain %q", tt.file, tt.old)
					}
					files[i].Data = []byte(strings.Replace(s, tt.old, tt.new, 1))
					broke = true
				}
			}
			if !broke {
				t.Fatalf("no file %s", tt.file)
			}
			_, err := Parse(files)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error lacks %q:\n%v", tt.wantErr, err)
			}
			at := tt.file
			if tt.name == "indicators do not add up" {
				at = "ruleset.yaml" // reported where the dimension is declared
			}
			if !strings.Contains(err.Error(), at+":") {
				t.Errorf("error does not name the file %s:\n%v", tt.file, err)
			}
		})
	}
}

func TestParse_AllErrorsAtOnce(t *testing.T) {
	data := []byte(`
unit_types: [{id: bureau}]
dimensions: [{id: a, points: 100}]
indicators: [{id: i, name: I, dimension: a, points: 100}]
grades: [{name: ok, min: 0}]
columns:
  - {id: news, name: 工作动态, shape: list, unit_types: [bureau]}
checks:
  - {id: one, kind: max_age, column: news, indicator: i, points: 1, max_age: 3x}
  - {id: two, kind: nonsense, column: news}
  - {id: three, kind: presence, column: nope, indicator: i, points: 1}
`)
	_, err := Parse([]File{{Name: "r.yaml", Data: data}})
	es, ok := err.(Errors)
	if !ok || len(es) != 3 {
		t.Fatalf("want 3 errors, got %v", err)
	}
	for i, want := range []string{"r.yaml:9:", "r.yaml:10:", "r.yaml:11:"} {
		if !strings.HasPrefix(es[i].Error(), want) {
			t.Errorf("error %d = %q, want prefix %q", i, es[i], want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, n := range []string{"checks.yaml", "columns.yaml", "ruleset.yaml"} {
		b, _ := os.ReadFile(filepath.Join("default", n))
		f.Add(b)
	}
	f.Add([]byte("checks: [{id: x, kind: max_age, max_age: 3d, warn: 2}]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, err := Parse([]File{{Name: "f.yaml", Data: data}})
		if err == nil && rs == nil {
			t.Fatal("nil ruleset without error")
		}
	})
}

// TestOutdatedNames: the default list, looked up by any form; a month
// means its last day; an outdated_name check needs the list.
func TestOutdatedNames(t *testing.T) {
	rs := MustDefault()
	n := rs.OutdatedNameFor("国家工商总局")
	if n == nil || n.Name != "国家工商行政管理总局" || n.Successor != "国家市场监督管理总局" || n.Ceased.String() != "2018-03-31" {
		t.Fatalf("国家工商总局: %+v", n)
	}
	if c, err := ParseCeased("2023-05-18"); err != nil || c.String() != "2023-05-18" {
		t.Errorf("ParseCeased day: %v %v", c, err)
	}
	if c, err := ParseCeased("2024-2"); err != nil || c.String() != "2024-02-29" {
		t.Errorf("ParseCeased leap month: %v %v", c, err)
	}
	if len(rs.ListedNames()) < 2*len(rs.OutdatedNames) {
		t.Errorf("%d names for %d entries", len(rs.ListedNames()), len(rs.OutdatedNames))
	}
	var files []File
	for _, f := range rs.Files {
		if f.Name != "names.yaml" {
			files = append(files, f)
		}
	}
	_, err := Parse(files)
	if err == nil || !strings.Contains(err.Error(), "outdated_names: an outdated_name check needs the list of outdated names (names.yaml)") {
		t.Errorf("no list: %v", err)
	}
	if c := rs.CheckFor("", KindPrivacy, "street"); c == nil || !c.Counts(NumberCard) || !c.ReadsAttachments() || len(c.Vocabulary().ContactWords) == 0 {
		t.Errorf("privacy check %+v", c)
	}
}
