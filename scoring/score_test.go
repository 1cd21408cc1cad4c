package scoring

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"gongkai/evidence"
	"gongkai/rules"
)

var asOf = evidence.MustParseDate("2020-03-01")

func d(s string) evidence.Date { return evidence.MustParseDate(s) }

// cleanUnit returns the evidence of a bureau with nothing wrong as of 2020-03-01.
func cleanUnit(t testing.TB, typ string) *evidence.UnitEvidence {
	t.Helper()
	rs := rules.MustDefault()
	base := "http://unit.test/"
	ue := &evidence.UnitEvidence{
		Unit:  evidence.Unit{ID: "u1", Name: "测试局", Type: typ, URL: base},
		Reach: evidence.Reachability{Reachable: true, Attempts: []evidence.Fetch{{URL: base, Status: 200, Class: evidence.ClassOK}}},
	}
	labelsFor := map[string][]string{
		"guide":       {"办公地址", "办公时间", "联系电话"},
		"functions":   {"主要职责", "内设机构", "办公地址", "办公时间", "联系电话", "负责人"},
		"leaders":     {"职务", "分工", "简历"},
		"application": {"申请方式"},
	}
	for _, c := range rs.ColumnsFor(typ) {
		col := evidence.Column{ID: c.ID, Found: true, URL: base + c.ID + "/", Discovery: evidence.Discovery{Method: "link"}, Status: 200, Class: evidence.ClassOK}
		if c.Shape == rules.ShapePage {
			for _, l := range labelsFor[c.ID] {
				col.Labels = append(col.Labels, evidence.Label{Label: l, Value: "内容"})
			}
			col.Text = strings.Repeat("正文内容", 20)
		} else {
			// One item a month for the window and the as-of month.
			for m := 0; m < 14; m++ {
				day := d("2020-02-25").AddMonths(-m)
				col.Items = append(col.Items, evidence.Item{Title: fmt.Sprintf("%s第%d条信息标题", c.Name, m), URL: fmt.Sprintf("%s%s/%d.html", base, c.ID, m), Date: day})
			}
		}
		ue.Columns = append(ue.Columns, col)
	}
	// Documents: full metadata, published 3 days after written; each interpreted the same day.
	if docs := ue.Column("documents"); docs != nil {
		jd := ue.Column("interpretations")
		for i := range docs.Items {
			it := &docs.Items[i]
			it.Title = fmt.Sprintf("关于印发《测试办法%d》的通知", i)
			it.Doc = &evidence.Document{URL: it.URL, Status: 200, Class: evidence.ClassOK, Title: it.Title,
				Meta:    map[string]string{"索引号": "1", "发文机关": "测试局", "发文字号": "测发〔2019〕1号", "成文日期": "x", "发布日期": "x"},
				Written: it.Date.AddDays(-3), Published: it.Date}
			jd.Items[i] = evidence.Item{Title: fmt.Sprintf("《测试办法%d》政策解读", i), URL: fmt.Sprintf("%sjd/%d.html", base, i), Date: it.Date,
				Doc: &evidence.Document{URL: fmt.Sprintf("%sjd/%d.html", base, i), Status: 200, Class: evidence.ClassOK}}
		}
	}
	if ar := ue.Column("annual-report"); ar != nil {
		ar.Items = []evidence.Item{
			{Title: "测试局2019年政府信息公开工作年度报告", URL: base + "ndbg/2019.html", Date: d("2020-01-20")},
			{Title: "测试局二〇一八年政府信息公开工作年度报告", URL: base + "ndbg/2018.html", Date: d("2019-01-20")},
		}
	}
	return ue
}

type key struct{ Kind, Column, Subject, Severity string }

func keys(fs []Finding) []key {
	var out []key
	for _, f := range fs {
		out = append(out, key{string(f.Kind), f.Column, f.Subject, f.Severity})
	}
	sort.Slice(out, func(i, j int) bool { return fmt.Sprint(out[i]) < fmt.Sprint(out[j]) })
	return out
}

func TestScoreUnit(t *testing.T) {
	rs := rules.MustDefault()
	tests := []struct {
		name   string
		typ    string
		mutate func(ue *evidence.UnitEvidence)
		want   []key
		veto   bool
		total  float64 // checked when non-zero
		// unassessed: the site was not seen and it costs nothing: no score.
		unassessed bool
	}{
		{name: "clean bureau", typ: "bureau", mutate: func(*evidence.UnitEvidence) {}, total: 100},
		{name: "clean township", typ: "township", mutate: func(*evidence.UnitEvidence) {}, total: 100},
		{
			name: "unreachable", typ: "bureau",
			mutate: func(ue *evidence.UnitEvidence) {
				ue.Reach = evidence.Reachability{Attempts: []evidence.Fetch{{URL: ue.Unit.URL, Class: evidence.ClassDown, Error: "connection refused"}}}
			},
			want: []key{{"site.unreachable", "", "", "veto"}}, veto: true,
		},
		{
			name: "blocked is not down", typ: "bureau",
			mutate: func(ue *evidence.UnitEvidence) {
				ue.Reach = evidence.Reachability{Attempts: []evidence.Fetch{{URL: ue.Unit.URL, Status: 521, Class: evidence.ClassBlocked}}}
			},
			want: []key{{"site.unreachable", "", "", "notice"}}, unassessed: true,
		},
		{
			name: "fewer failures than the window requires is a notice", typ: "bureau",
			mutate: func(ue *evidence.UnitEvidence) {
				down := evidence.Fetch{URL: ue.Unit.URL, Class: evidence.ClassDown, Error: "timeout"}
				up := evidence.Fetch{URL: ue.Unit.URL, Role: evidence.RoleProbe, Class: evidence.ClassOK, Status: 200}
				ue.Reach = evidence.Reachability{Attempts: []evidence.Fetch{up, up, down, down, down}, Required: 4}
			},
			want: []key{{"site.unreachable", "", "", "notice"}}, unassessed: true,
		},
		{
			name: "enough failures in the window is unreachable", typ: "bureau",
			mutate: func(ue *evidence.UnitEvidence) {
				down := evidence.Fetch{URL: ue.Unit.URL, Class: evidence.ClassDown, Error: "timeout"}
				probe := down
				probe.Role = evidence.RoleProbe
				ue.Reach = evidence.Reachability{Attempts: []evidence.Fetch{probe, down, down, down}, Required: 4}
			},
			want: []key{{"site.unreachable", "", "", "veto"}}, veto: true,
		},
		{
			name: "forbidden by robots.txt is not down", typ: "bureau",
			mutate: func(ue *evidence.UnitEvidence) {
				ue.Reach = evidence.Reachability{Attempts: []evidence.Fetch{{URL: ue.Unit.URL, Class: evidence.ClassRobots, Error: "robots.txt forbids it"}}}
			},
			want: []key{{"site.unreachable", "", "", "notice"}}, unassessed: true,
		},
		{
			name: "missing column suppresses its other checks", typ: "bureau",
			mutate: func(ue *evidence.UnitEvidence) {
				c := ue.Column("statistics")
				*c = evidence.Column{ID: "statistics", Discovery: evidence.Discovery{Searched: []string{ue.Unit.URL}}}
			},
			want: []key{{"column.missing", "statistics", "", "deduction"}},
		},
		{
			name: "column the crawler declined to read is a notice, not missing", typ: "bureau",
			mutate: func(ue *evidence.UnitEvidence) {
				c := ue.Column("planning")
				*c = evidence.Column{ID: "planning", URL: "http://unit.test/planning/", Class: evidence.ClassRobots, Discovery: evidence.Discovery{Method: "link", LinkText: "规划信息"}}
			},
			want: []key{{"column.unread", "planning", "", "notice"}},
		},
		{
			name: "column page cut at the size cap is a notice, and nothing else of it", typ: "bureau",
			mutate: func(ue *evidence.UnitEvidence) {
				c := ue.Column("news")
				*c = evidence.Column{ID: "news", URL: "http://unit.test/news/", Status: 200, Class: evidence.ClassTooLarge, Discovery: evidence.Discovery{Method: "link", LinkText: "工作动态"}}
				ue.Fetches = append(ue.Fetches, evidence.Fetch{URL: c.URL, Role: evidence.RoleColumn, Status: 200, Class: evidence.ClassTooLarge, Truncated: true, Size: 8 << 20})
			},
			want: []key{{"column.unread", "news", "", "notice"}},
		},
		{
			name: "unreadable page column: no field findings", typ: "bureau",
			mutate: func(ue *evidence.UnitEvidence) {
				c := ue.Column("guide")
				*c = evidence.Column{ID: "guide", URL: "http://unit.test/guide/", Status: 200, Class: evidence.ClassUnreadable}
				ue.Fetches = append(ue.Fetches, evidence.Fetch{URL: c.URL, Status: 200, Class: evidence.ClassUnreadable, Error: "parse html: …"})
			},
			want: []key{{"column.unread", "guide", "", "notice"}},
		},
		{
			name: "a list page refused by the budget suspends the column's judgement", typ: "bureau",
			mutate: func(ue *evidence.UnitEvidence) {
				s := ue.Column("statistics")
				s.Items = s.Items[4:] // would be stale with gaps
				s.Unread = []string{"http://unit.test/statistics/index_1.html"}
				ue.Fetches = append(ue.Fetches, evidence.Fetch{URL: s.Unread[0], Role: evidence.RoleListPage, Class: evidence.ClassRefused, Error: "page budget of 600 pages spent"})
			},
			want: []key{{"column.unread", "statistics", "", "notice"}},
		},
		{
			name: "a list page that is down is the site's: judged on what was read", typ: "bureau",
			mutate: func(ue *evidence.UnitEvidence) {
				n := ue.Column("notices")
				n.Unread = []string{"http://unit.test/notices/index_1.html"}
				ue.Fetches = append(ue.Fetches, evidence.Fetch{URL: n.Unread[0], Role: evidence.RoleListPage, Status: 404, Class: evidence.ClassStatus})
			},
		},
		{
			name: "portal cut at the size cap: not assessed, not unreachable", typ: "bureau",
			mutate: func(ue *evidence.UnitEvidence) {
				ue.Reach = evidence.Reachability{Attempts: []evidence.Fetch{{URL: ue.Unit.URL, Status: 200, Class: evidence.ClassTooLarge, Truncated: true, Size: 8 << 20}}}
			},
			want: []key{{"site.unreachable", "", "", "notice"}}, unassessed: true,
		},
		{
			name: "unreadable portal: not assessed, not unreachable", typ: "bureau",
			mutate: func(ue *evidence.UnitEvidence) {
				ue.Reach = evidence.Reachability{Attempts: []evidence.Fetch{{URL: ue.Unit.URL, Status: 200, Class: evidence.ClassUnreadable}}}
			},
			want: []key{{"site.unreachable", "", "", "notice"}}, unassessed: true,
		},
		{
			name: "no attempt made: not assessed, never failed 0 times", typ: "bureau",
			mutate: func(ue *evidence.UnitEvidence) {
				ue.Reach = evidence.Reachability{}
				ue.Notes = []string{"cannot set up the unit's transport: the unit's CA bundle holds no PEM certificate"}
			},
			want: []key{{"site.unreachable", "", "", "notice"}}, unassessed: true,
		},
		{
			name: "bad certificate: its own finding, the content judged", typ: "bureau",
			mutate: func(ue *evidence.UnitEvidence) {
				ue.TLS = &evidence.TLS{URL: "https://unit.test/robots.txt", Problem: evidence.CertExpired, Error: "x509: certificate has expired", Insecure: true}
				ue.Fetches = append(ue.Fetches, evidence.Fetch{URL: ue.TLS.URL, Role: evidence.RoleRobots, Class: evidence.ClassCertificate, Cert: evidence.CertExpired, Error: ue.TLS.Error})
			},
			want: []key{{"site.certificate", "", "", "deduction"}}, total: 98,
		},
		{
			name: "empty and explained empty", typ: "bureau",
			mutate: func(ue *evidence.UnitEvidence) {
				ue.Column("news").Items = nil
				ue.Column("personnel").Items = nil
				ue.Column("personnel").Text = "当前位置：首页 本单位不涉及此类信息。"
			},
			want: []key{{"column.empty", "news", "", "deduction"}, {"column.empty", "personnel", "", "notice"}},
		},
		{
			name: "stale, expiring and derived gaps", typ: "bureau",
			mutate: func(ue *evidence.UnitEvidence) {
				s := ue.Column("statistics")
				s.Items = s.Items[4:] // newest now 2019-10-25: stale (> 45 days), gaps 2019-11 .. 2020-02
				n := ue.Column("news")
				n.Items = []evidence.Item{{Title: "新闻标题一条", URL: "http://unit.test/n/1.html", Date: d("2020-02-16")}} // 14 days: expiring
			},
			want: []key{
				{"column.expiring", "news", "", "notice"},
				{"column.gap", "statistics", "2019-11", "deduction"}, {"column.gap", "statistics", "2019-12", "deduction"},
				{"column.gap", "statistics", "2020-01", "deduction"}, {"column.gap", "statistics", "2020-02", "deduction"},
				{"column.stale", "statistics", "", "deduction"},
			},
		},
		{
			name: "a list read in part: older periods not judged", typ: "bureau",
			mutate: func(ue *evidence.UnitEvidence) {
				s := ue.Column("statistics")
				s.Items = s.Items[:2] // the two newest only: the rest were not read
				s.Truncated = true
			},
		},
		{
			name: "a script-built list read in part: older periods not judged", typ: "bureau",
			mutate: func(ue *evidence.UnitEvidence) {
				s := ue.Column("statistics")
				s.Items = s.Items[:2]
				s.ScriptList = "a CMS list loader (pageChnlInfo)"
			},
		},
		{
			name: "the same list read whole: the older periods are gaps", typ: "bureau",
			mutate: func(ue *evidence.UnitEvidence) {
				s := ue.Column("statistics")
				s.Items = s.Items[:2]
			},
			want: []key{{"column.gap", "statistics", "2019-03", "deduction"}, {"column.gap", "statistics", "2019-04", "deduction"}, {"column.gap", "statistics", "2019-05", "deduction"}, {"column.gap", "statistics", "2019-06", "deduction"}, {"column.gap", "statistics", "2019-07", "deduction"}, {"column.gap", "statistics", "2019-08", "deduction"}, {"column.gap", "statistics", "2019-09", "deduction"}, {"column.gap", "statistics", "2019-10", "deduction"}, {"column.gap", "statistics", "2019-11", "deduction"}, {"column.gap", "statistics", "2019-12", "deduction"}},
		},
		{
			name: "undated items count as not updated", typ: "bureau",
			mutate: func(ue *evidence.UnitEvidence) {
				n := ue.Column("notices")
				for i := range n.Items {
					n.Items[i].Date = evidence.Date{}
				}
			},
			want: []key{{"column.stale", "notices", "", "deduction"}},
		},
		{
			name: "missing fields, alias accepted, page title not a field", typ: "bureau",
			mutate: func(ue *evidence.UnitEvidence) {
				g := ue.Column("guide")
				g.Labels = []evidence.Label{{Label: "办公地址", Value: "怀柔区府前街1号"}, {Label: "联系方式", Value: "010"}}
				f := ue.Column("functions")
				f.Labels = []evidence.Label{{Label: "机构职能", Value: "负责"}, {Label: "内设机构", Value: "办公室"}, {Label: "办公地址", Value: "府前街"}, {Label: "办公时间（夏季）", Value: "8:30"}, {Label: "联系电话", Value: "010"}, {Label: "主要负责人", Value: "张三"}}
			},
			want: []key{{"field.missing", "functions", "主要职责", "deduction"}, {"field.missing", "guide", "办公时间", "deduction"}},
		},
		{
			// A heading that names a field but holds nothing under it
			// (机构设置 as the page's heading, a bare 办公时间) shows no field.
			name: "a label without its value is no field", typ: "bureau",
			mutate: func(ue *evidence.UnitEvidence) {
				g := ue.Column("guide")
				g.Labels = []evidence.Label{{Label: "办公地址", Value: "怀柔区府前街1号"}, {Label: "办公时间"}, {Label: "联系电话", Value: "010"}}
				f := ue.Column("functions")
				f.Labels = []evidence.Label{{Label: "机构设置"}, {Label: "主要职责", Value: "负责"}, {Label: "办公地址", Value: "府前街"}, {Label: "办公时间", Value: "8:30"}, {Label: "联系电话", Value: "010"}, {Label: "负责人", Value: "张三"}}
			},
			want: []key{{"field.missing", "functions", "内设机构", "deduction"}, {"field.missing", "guide", "办公时间", "deduction"}},
		},
		{
			name: "document metadata, late and uninterpreted", typ: "bureau",
			mutate: func(ue *evidence.UnitEvidence) {
				docs := ue.Column("documents")
				delete(docs.Items[1].Doc.Meta, "发文字号")
				docs.Items[2].Doc.Written = docs.Items[2].Date.AddDays(-60)
				jd := ue.Column("interpretations")
				jd.Items[3].Title = "政策解读"                          // no tie by title ...
				jd.Items[3].Doc.Links = []string{docs.Items[3].URL} // ... but by link: fine
				jd.Items[4].Title = "解读"                            // no tie at all
				jd.Items[5].Date = jd.Items[5].Date.AddDays(20)     // too late
			},
			want: []key{
				{"document.late", "documents", "http://unit.test/documents/2.html", "deduction"},
				{"document.metadata", "documents", "http://unit.test/documents/1.html", "deduction"},
				{"document.uninterpreted", "interpretations", "http://unit.test/documents/4.html", "deduction"},
				{"document.uninterpreted", "interpretations", "http://unit.test/documents/5.html", "deduction"},
			},
		},
		{
			name: "broken links: portal and column", typ: "bureau",
			mutate: func(ue *evidence.UnitEvidence) {
				ue.Links = []evidence.Link{
					{URL: "http://unit.test/a.html", FoundOn: []string{"http://unit.test/"}, OnPortal: true, Checked: true, Fetch: &evidence.Fetch{Status: 404, Class: evidence.ClassStatus}},
					{URL: "http://unit.test/b.pdf", FoundOn: []string{"http://unit.test/guide/"}, Columns: []string{"news", "guide"}, Attachment: true, Checked: true, Fetch: &evidence.Fetch{Status: 500, Class: evidence.ClassStatus}},
					{URL: "http://other.test/", External: true, Checked: true, Fetch: &evidence.Fetch{Class: evidence.ClassDown}},
					{URL: "http://unit.test/ok.html", Checked: true, Fetch: &evidence.Fetch{Status: 200, Class: evidence.ClassOK}},
					{URL: "http://unit.test/huge.html", Checked: true, Fetch: &evidence.Fetch{Status: 200, Class: evidence.ClassTooLarge}},
					{URL: "http://unit.test/soup.html", Checked: true, Fetch: &evidence.Fetch{Status: 200, Class: evidence.ClassUnreadable}},
				}
			},
			want:  []key{{"link.broken", "", "http://unit.test/a.html", "deduction"}, {"link.broken", "guide", "http://unit.test/b.pdf", "deduction"}},
			total: 98.5,
		},
		{
			name: "annual report missing", typ: "bureau",
			mutate: func(ue *evidence.UnitEvidence) {
				ue.Column("annual-report").Items = ue.Column("annual-report").Items[1:]
			},
			want: []key{{"report.missing", "annual-report", "2019", "deduction"}},
		},
		{
			name: "annual report late", typ: "bureau",
			mutate: func(ue *evidence.UnitEvidence) { ue.Column("annual-report").Items[0].Date = d("2020-02-10") },
			want:   []key{{"report.late", "annual-report", "2019", "deduction"}},
		},
		{
			name: "district report not yet due in March", typ: "district",
			mutate: func(ue *evidence.UnitEvidence) {
				ue.Column("annual-report").Items = ue.Column("annual-report").Items[1:]
			},
		},
		{
			name: "five empty columns veto", typ: "bureau",
			mutate: func(ue *evidence.UnitEvidence) {
				for _, id := range []string{"news", "notices", "planning", "personnel", "key-areas"} {
					ue.Column(id).Items = nil
				}
			},
			want: []key{
				{"column.empty", "key-areas", "", "deduction"}, {"column.empty", "news", "", "deduction"}, {"column.empty", "notices", "", "deduction"},
				{"column.empty", "personnel", "", "deduction"}, {"column.empty", "planning", "", "deduction"},
			},
			veto: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ue := cleanUnit(t, tt.typ)
			tt.mutate(ue)
			us, fs := ScoreUnit(rs, asOf, ue)
			if diff := cmp.Diff(tt.want, keys(fs)); diff != "" {
				for _, f := range fs {
					t.Logf("%s %s %s: %s", f.Kind, f.Column, f.Subject, f.Detail)
				}
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			if us.Veto != tt.veto {
				t.Errorf("veto = %v, want %v (%v)", us.Veto, tt.veto, us.VetoReasons)
			}
			if tt.veto && us.Grade != "不合格" {
				t.Errorf("vetoed grade = %s", us.Grade)
			}
			if tt.total != 0 && us.Total != tt.total {
				t.Errorf("total = %v, want %v", us.Total, tt.total)
			}
			sum := 0.0
			for _, f := range fs {
				sum += f.Points
				if f.Detail == "" || f.Rule == "" || f.Basis == "" {
					t.Errorf("finding lacks detail, rule or basis: %+v", f)
				}
			}
			if us.Assessed() == tt.unassessed {
				t.Errorf("assessed = %v (grade %s, total %v), want %v", us.Assessed(), us.Grade, us.Total, !tt.unassessed)
			}
			if tt.unassessed && (us.Total != 0 || us.Grade != NotAssessedGrade) {
				t.Errorf("unassessed unit: total %v grade %s", us.Total, us.Grade)
			}
			if !us.Veto && us.Assessed() && abs(100-sum-us.Total) > 0.01 {
				t.Errorf("points %v do not explain total %v", sum, us.Total)
			}
		})
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func TestScoreUnit_DetailSaysWhatWasSeen(t *testing.T) {
	ue := cleanUnit(t, "bureau")
	ue.Column("news").Items = []evidence.Item{{Title: "旧闻一则标题", URL: "http://unit.test/n.html", Date: d("2019-11-02")}}
	_, fs := ScoreUnit(rules.MustDefault(), asOf, ue)
	want := "“工作动态”栏目最新一条发布于2019-11-02，距评估日120天，超过14天的更新要求"
	for _, f := range fs {
		if f.Kind == "column.stale" && f.Column == "news" {
			if f.Detail != want {
				t.Errorf("detail = %q, want %q", f.Detail, want)
			}
			return
		}
	}
	t.Fatal("no stale finding for news")
}

// TestScoreUnit_CertificateAsVeto: a ruleset that makes site.certificate
// a veto fails the unit whose certificate was refused.
func TestScoreUnit_CertificateAsVeto(t *testing.T) {
	copied := *rules.MustDefault() // shared: change a copy
	rs := &copied
	rs.Checks = append([]rules.Check(nil), rs.Checks...)
	for i := range rs.Checks {
		if rs.Checks[i].Kind == rules.KindCertificate {
			rs.Checks[i].Severity = rules.SeverityVeto
		}
	}
	ue := cleanUnit(t, "bureau")
	ue.TLS = &evidence.TLS{URL: "https://unit.test/", Problem: evidence.CertWrongHost, Error: "x509: certificate is valid for other.test, not unit.test", Insecure: true}
	us, fs := ScoreUnit(rs, asOf, ue)
	if !us.Veto || us.Grade != "不合格" || len(fs) != 1 || fs[0].Kind != "site.certificate" || fs[0].Severity != "veto" {
		t.Errorf("score %+v, findings %+v: want a site.certificate veto", us, fs)
	}
	if want := "网站 https://unit.test/ 的安全证书未通过验证：证书与网站域名不符；评估程序关闭证书验证后照常读取并评估了网站内容"; len(fs) == 1 && fs[0].Detail != want {
		t.Errorf("detail %q, want %q", fs[0].Detail, want)
	}
}

func TestTally_CapsAndDimensions(t *testing.T) {
	rs := rules.MustDefault()
	unit := evidence.Unit{ID: "u", Name: "u", Type: "bureau"}
	var fs []Finding
	for i := 0; i < 30; i++ { // 30 broken links at 0.5 = 15, capped at the indicator's 8
		fs = append(fs, Finding{Kind: "link.broken", Rule: "links.healthy", Severity: "deduction", Nominal: 0.5, Indicator: "links", Dimension: "usability", Subject: fmt.Sprint(i)})
	}
	fs = append(fs, Finding{Kind: "site.certificate", Rule: "site.certificate", Severity: "deduction", Nominal: 2, Indicator: "security", Dimension: "usability"})
	us := Tally(rs, unit, fs)
	if us.Total != 90 {
		t.Errorf("total = %v, want 90 (links capped at 8, 2 for the certificate)", us.Total)
	}
	for _, dsc := range us.Dimensions {
		if dsc.ID == "usability" && dsc.Score != 0 {
			t.Errorf("usability = %v, want 0", dsc.Score)
		}
	}
	if us.Grade != "优秀" {
		t.Errorf("grade = %s", us.Grade)
	}
}

// TestTally_SupersetNeverScoresHigher: a unit whose problems are a superset
// of another's never scores higher, over random problem sets.
func TestTally_SupersetNeverScoresHigher(t *testing.T) {
	rs := rules.MustDefault()
	unit := evidence.Unit{ID: "u", Name: "u", Type: "district"}
	var pool []Finding
	for _, c := range rs.ChecksFor("district") {
		if c.Kind == rules.KindCountVeto {
			continue
		}
		ind := rs.Indicator(c.Indicator)
		dim := ""
		if ind != nil {
			dim = ind.Dimension
		}
		for i := 0; i < 6; i++ {
			sev := string(c.Severity)
			nominal := c.Points
			if sev != "deduction" {
				nominal = 0
			}
			col := c.Column
			pool = append(pool, Finding{Kind: c.FindingKind(), Rule: c.ID, Column: col, Subject: fmt.Sprint(i), Severity: sev, Nominal: nominal, Indicator: c.Indicator, Dimension: dim})
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 3000; trial++ {
		var small, big []Finding
		for _, f := range pool {
			r := rng.IntN(10)
			if r == 0 {
				small = append(small, f)
				big = append(big, f)
			} else if r < 3 {
				big = append(big, f)
			}
		}
		a := Tally(rs, unit, append([]Finding(nil), small...))
		b := Tally(rs, unit, append([]Finding(nil), big...))
		if b.Total > a.Total+1e-9 {
			t.Fatalf("trial %d: superset scores %v > subset %v", trial, b.Total, a.Total)
		}
		if a.Veto && !b.Veto {
			t.Fatalf("trial %d: subset vetoed but superset not", trial)
		}
		if gradeRank(rs, b) < gradeRank(rs, a) {
			t.Fatalf("trial %d: superset graded %s above subset %s", trial, b.Grade, a.Grade)
		}
	}
}

func gradeRank(rs *rules.Ruleset, us UnitScore) float64 {
	for _, g := range rs.Grades {
		if g.Name == us.Grade {
			return -g.Min
		}
	}
	return 0
}

func TestRank_TiesShareRank(t *testing.T) {
	units := []UnitScore{{Unit: "c", Total: 90}, {Unit: "a", Total: 95}, {Unit: "b", Total: 90}, {Unit: "d", Total: 99, Veto: true}, {Unit: "e", Total: 80},
		{Unit: "f", Grade: NotAssessedGrade}, {Unit: "g", Total: 0, Veto: true}}
	Rank(units)
	var got []string
	for _, u := range units {
		got = append(got, fmt.Sprintf("%d:%s", u.Rank, u.Unit))
	}
	// Vetoed after the others, units not assessed last (not tied with a
	// vetoed 0).
	want := []string{"1:a", "2:b", "2:c", "4:e", "5:d", "6:g", "7:f"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ranking (-want +got):\n%s", diff)
	}
}

func TestWindow(t *testing.T) {
	from, to := Window(d("2020-03-01"), 12)
	if from != d("2019-03-01") || to != d("2020-02-29") {
		t.Errorf("window = %s..%s", from, to)
	}
	ps := periods("quarter", from, to, false)
	var labels []string
	for _, p := range ps {
		labels = append(labels, p.label)
	}
	if diff := cmp.Diff([]string{"2019-Q2", "2019-Q3", "2019-Q4"}, labels); diff != "" {
		t.Errorf("whole quarters (-want +got):\n%s", diff)
	}
	years := periods("year", from, to, true)
	if len(years) != 2 || years[0].label != "2019" || years[1].label != "2020" {
		t.Errorf("touched years = %+v", years)
	}
}

func TestScore_Deterministic(t *testing.T) {
	rs := rules.MustDefault()
	mk := func() []*evidence.UnitEvidence {
		a, b := cleanUnit(t, "bureau"), cleanUnit(t, "street")
		b.Unit.ID = "u2"
		a.Column("news").Items = nil
		return []*evidence.UnitEvidence{b, a}
	}
	r1, r2 := Score(rs, asOf, mk()), Score(rs, asOf, mk())
	if diff := cmp.Diff(r1, r2); diff != "" {
		t.Errorf("two runs differ:\n%s", diff)
	}
	if r1.Units[0].Unit != "u2" || r1.Units[0].Rank != 1 {
		t.Errorf("ranking = %+v", r1.Units)
	}
}

var _ = time.Second
