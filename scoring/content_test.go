package scoring

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"gongkai/evidence"
	"gongkai/rules"
)

// contentFindings judges a clean bureau whose first two documents carry
// the given content scans, and returns the content findings.
func contentFindings(t *testing.T, rs *rules.Ruleset, scans ...*evidence.ContentScan) ([]Finding, UnitScore) {
	t.Helper()
	ue := cleanUnit(t, "bureau")
	docs := ue.Column("documents")
	for i, s := range scans {
		docs.Items[i].Doc.Content = s
	}
	us, fs := ScoreUnit(rs, asOf, ue)
	var out []Finding
	for _, f := range fs {
		if strings.HasPrefix(string(f.Kind), "content.") {
			out = append(out, f)
		}
	}
	return out, us
}

type brief struct{ Kind, Subject, Severity string }

func briefs(fs []Finding) []brief {
	var out []brief
	for _, f := range fs {
		out = append(out, brief{string(f.Kind), f.Subject, f.Severity})
	}
	return out
}

const doc0, doc1 = "http://unit.test/documents/0.html", "http://unit.test/documents/1.html"

func TestPrivacy(t *testing.T) {
	rs := rules.MustDefault()
	id := evidence.PersonalGroup{Kind: "id", Count: 2, Part: "表格1", Column: "身份证号码", Rows: []int{2, 3}, Example: "110105********1234", PersonTable: true, Context: []string{"身份证"}}
	personMobile := evidence.PersonalGroup{Kind: "mobile", Count: 1, Part: "表格1", Column: "联系电话", Rows: []int{2}, Example: "138****5678", PersonTable: true, Context: []string{"联系电话"}}
	contact := evidence.PersonalGroup{Kind: "mobile", Count: 1, Part: "正文", Rows: []int{7}, Example: "139****1111", Context: []string{"联系人", "联系电话"}}
	loose := evidence.PersonalGroup{Kind: "mobile", Count: 1, Part: "正文", Rows: []int{3}, Example: "137****2222"}
	id15 := evidence.PersonalGroup{Kind: "id", Form: "15", Count: 1, Part: "正文", Rows: []int{4}, Example: "110105*****1234"}
	card := evidence.PersonalGroup{Kind: "card", Count: 1, Part: "正文", Rows: []int{5}, Example: "6222***********3445"}
	xlsx := "http://unit.test/files/名单.xlsx"
	tests := []struct {
		name   string
		scans  []*evidence.ContentScan
		want   []brief
		detail string
	}{
		{"a table of persons", []*evidence.ContentScan{{Personal: []evidence.PersonalGroup{id, personMobile, contact}}},
			[]brief{{"content.privacy", doc0, "deduction"}},
			"身份证号码2个（表格1第2、3行，如110105********1234）、手机号码1个（表格1第2行，如138****5678）"},
		{"many rows", []*evidence.ContentScan{{Personal: []evidence.PersonalGroup{func() evidence.PersonalGroup { g := id; g.Count, g.Rows = 7, []int{3, 4, 5, 6, 7, 8, 9}; return g }()}}},
			[]brief{{"content.privacy", doc0, "deduction"}}, "身份证号码7个（表格1第3至9行，如"},
		{"a contact line on a list page", []*evidence.ContentScan{{Lists: []string{"公示"}, Personal: []evidence.PersonalGroup{contact}}}, nil, ""},
		{"a loose mobile on a list page", []*evidence.ContentScan{{Lists: []string{"名单"}, Personal: []evidence.PersonalGroup{loose}}},
			[]brief{{"content.privacy", doc0, "deduction"}}, "手机号码1个（正文第3行，如137****2222）"},
		{"a loose mobile elsewhere", []*evidence.ContentScan{{Personal: []evidence.PersonalGroup{loose}}}, nil, ""},
		{"15 digits without context", []*evidence.ContentScan{{Personal: []evidence.PersonalGroup{id15}}}, nil, ""},
		{"15 digits beside 身份证", []*evidence.ContentScan{{Personal: []evidence.PersonalGroup{func() evidence.PersonalGroup { g := id15; g.Context = []string{"身份证"}; return g }()}}},
			[]brief{{"content.privacy", doc0, "deduction"}}, "身份证号码1个"},
		{"a Luhn number without a card word", []*evidence.ContentScan{{Personal: []evidence.PersonalGroup{card}}}, nil, ""},
		{"a card number", []*evidence.ContentScan{{Personal: []evidence.PersonalGroup{func() evidence.PersonalGroup { g := card; g.Context = []string{"卡号"}; return g }()}}},
			[]brief{{"content.privacy", doc0, "deduction"}}, "银行卡号1个"},
		{"attachments, one unread, one linked twice", []*evidence.ContentScan{
			{Files: []evidence.FileScan{{URL: xlsx, Kind: "xlsx", ContentScan: evidence.ContentScan{Personal: []evidence.PersonalGroup{id}}}, {URL: "http://unit.test/files/scan.pdf", Unread: "no text layer"}}},
			{Files: []evidence.FileScan{{URL: xlsx, Kind: "xlsx", ContentScan: evidence.ContentScan{Personal: []evidence.PersonalGroup{id}}}}},
		}, []brief{{"content.privacy", xlsx, "deduction"}}, "的附件“名单.xlsx”公开了未脱敏的个人信息"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs, _ := contentFindings(t, rs, tt.scans...)
			if diff := cmp.Diff(tt.want, briefs(fs)); diff != "" {
				t.Fatalf("(-want +got):\n%s", diff)
			}
			if len(fs) > 0 && !strings.Contains(fs[0].Detail, tt.detail) {
				t.Errorf("detail %q lacks %q", fs[0].Detail, tt.detail)
			}
			for _, f := range fs {
				if f.Column != "documents" || f.Points != 3 || f.Indicator != "content-compliance" || len(f.Evidence) == 0 {
					t.Errorf("finding %+v", f)
				}
			}
		})
	}
}

// rulesWith returns the default ruleset with checks.yaml edited.
func rulesWith(t *testing.T, old, new string) *rules.Ruleset {
	t.Helper()
	var files []rules.File
	for _, f := range rules.MustDefault().Files {
		if f.Name == "checks.yaml" {
			s := string(f.Data)
			if !strings.Contains(s, old) {
				t.Fatalf("checks.yaml lacks %q", old)
			}
			f.Data = []byte(strings.Replace(s, old, new, 1))
		}
		files = append(files, f)
	}
	rs, err := rules.Parse(files)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// TestPrivacy_Configured: a veto fails the unit; numbers and attachments
// narrow what counts; deductions stop at the indicator's points.
func TestPrivacy_Configured(t *testing.T) {
	leak := &evidence.ContentScan{
		Personal: []evidence.PersonalGroup{{Kind: "mobile", Count: 3, Part: "表格1", Rows: []int{2, 3, 4}, Example: "138****5678", PersonTable: true}},
		Files:    []evidence.FileScan{{URL: "http://unit.test/a.csv", ContentScan: evidence.ContentScan{Personal: []evidence.PersonalGroup{{Kind: "id", Count: 1, Part: "表格", Rows: []int{2}, Example: "110105********1234"}}}}},
	}
	veto := rulesWith(t, "    kind: privacy\n", "    kind: privacy\n    severity: veto\n")
	fs, us := contentFindings(t, veto, leak)
	if len(fs) != 2 || fs[0].Severity != "veto" || !us.Veto || us.Grade != "不合格" {
		t.Errorf("veto: %v, unit %+v", briefs(fs), us)
	}
	narrow := rulesWith(t, "    kind: privacy\n", "    kind: privacy\n    numbers: [id]\n    attachments: false\n")
	if fs, _ := contentFindings(t, narrow, leak); len(fs) != 0 {
		t.Errorf("numbers [id], no attachments: %v", briefs(fs))
	}
	three := &evidence.ContentScan{Files: []evidence.FileScan{
		{URL: "http://unit.test/1.csv", ContentScan: leak.Files[0].ContentScan},
		{URL: "http://unit.test/2.csv", ContentScan: leak.Files[0].ContentScan},
		{URL: "http://unit.test/3.csv", ContentScan: leak.Files[0].ContentScan},
	}}
	fs, us = contentFindings(t, rules.MustDefault(), three)
	total := 0.0
	for _, f := range fs {
		total += f.Points
	}
	if len(fs) != 3 || total != 6 || us.Total != 94 {
		t.Errorf("three leaks: %d findings, %v points, total %v", len(fs), total, us.Total)
	}
}

func TestOutdatedNames(t *testing.T) {
	rs := rules.MustDefault()
	use := func(name string, current, former, quoted int) *evidence.ContentScan {
		return &evidence.ContentScan{Names: []evidence.NameUse{{Name: name, Current: current, Former: former, Quoted: quoted, Context: "根据" + name + "要求"}}}
	}
	ue := func(written, published string, scan *evidence.ContentScan) []Finding {
		t.Helper()
		u := cleanUnit(t, "bureau")
		it := &u.Column("documents").Items[0]
		it.Doc.Content = scan
		it.Doc.Written, it.Doc.Published = evidence.Date{}, evidence.Date{}
		if written != "" {
			it.Doc.Written = d(written)
		}
		if published != "" {
			it.Doc.Published = d(published)
		}
		_, fs := ScoreUnit(rs, asOf, u)
		var out []Finding
		for _, f := range fs {
			if f.Kind == "content.outdated-name" {
				out = append(out, f)
			}
		}
		return out
	}
	// 国家工商行政管理总局 ceased 2018-03 (the 31st); grace 180 days: 2018-09-27.
	if fs := ue("2019-06-01", "", use("国家工商总局", 1, 0, 0)); len(fs) != 1 || !strings.Contains(fs[0].Detail, "成文日期2019-06-01") ||
		!strings.Contains(fs[0].Detail, "“国家工商总局”1处（该机构2018年3月起已调整为国家市场监督管理总局），如“根据国家工商总局要求”") {
		t.Errorf("a current use: %+v", fs)
	}
	if fs := ue("", "2019-06-01", use("国家工商行政管理总局", 2, 0, 0)); len(fs) != 1 || !strings.Contains(fs[0].Detail, "发布日期2019-06-01") {
		t.Errorf("dated by publication: %+v", fs)
	}
	for name, fs := range map[string][]Finding{
		"within the grace":           ue("2018-09-27", "", use("国家工商行政管理总局", 1, 0, 0)),
		"before the cut-off":         ue("2018-02-01", "2019-06-01", use("国家工商行政管理总局", 1, 0, 0)),
		"after 原":                    ue("2019-06-01", "", use("国家工商行政管理总局", 0, 2, 0)),
		"in 《》":                      ue("2019-06-01", "", use("国家工商行政管理总局", 0, 0, 1)),
		"a name no longer listed":    ue("2019-06-01", "", use("国家工商管理局", 1, 0, 0)),
		"2023 reform, 2019 document": ue("2019-06-01", "", use("中国银行保险监督管理委员会", 1, 0, 0)),
	} {
		if len(fs) != 0 {
			t.Errorf("%s: %+v", name, fs)
		}
	}
}
