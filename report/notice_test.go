package report

import (
	"bytes"
	"strings"
	"testing"

	"gongkai/evidence"
	"gongkai/rules"
	"gongkai/scoring"

	"github.com/google/go-cmp/cmp"
)

func TestBuildNotices(t *testing.T) {
	ns := BuildNotices(docNoticeInput())

	t.Run("units with deductions or a veto, in rank order", func(t *testing.T) {
		var got []string
		for _, n := range ns {
			got = append(got, n.Unit)
		}
		// archives lost no points (its only finding is a notice); bohai
		// lost none either but was vetoed.
		want := []string{"gov", "finance", "yanqi", "quanhe", "bohai"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("notices (-want +got):\n%s", diff)
		}
	})
	t.Run("numbering", func(t *testing.T) {
		for i, n := range ns {
			if n.Seq != i+1 || n.Count != len(ns) {
				t.Errorf("%s: seq %d of %d, want %d of %d", n.Unit, n.Seq, n.Count, i+1, len(ns))
			}
		}
		if got, want := ns[1].Number, "怀柔区公开评〔2026〕3-02号"; got != want {
			t.Errorf("finance's number = %q, want %q", got, want)
		}
		if got, want := ns[1].FileName(), "notice-02-finance"; got != want {
			t.Errorf("FileName = %q, want %q", got, want)
		}
		again := BuildNotices(docNoticeInput())
		for i := range ns {
			if again[i].Number != ns[i].Number {
				t.Errorf("numbering is not deterministic: %q then %q", ns[i].Number, again[i].Number)
			}
		}
		in := docNoticeInput()
		in.District = ""
		if got, want := BuildNotices(in)[0].Number, "本区公开评〔2026〕3-01号"; got != want {
			t.Errorf("number without a district = %q, want %q", got, want)
		}
	})
	t.Run("audit date is the start in China Standard Time", func(t *testing.T) {
		// Started 2026-03-01 18:30 UTC, which is 2026-03-02 02:30 in Beijing.
		if got := ns[0].AuditDate.String(); got != "2026-03-02" {
			t.Errorf("audit date = %s, want 2026-03-02", got)
		}
	})
	t.Run("deadline", func(t *testing.T) {
		if got := ns[0].Deadline.String(); got != "2026-03-17" || ns[0].DeadlineDays != 15 {
			t.Errorf("default deadline = %s (%d days), want 2026-03-17 (15 days)", got, ns[0].DeadlineDays)
		}
		in := docNoticeInput()
		in.DeadlineDays = 30
		if got := BuildNotices(in)[0].Deadline.String(); got != "2026-04-01" {
			t.Errorf("30-day deadline = %s, want 2026-04-01", got)
		}
	})
	t.Run("totals add up to the unit's deduction", func(t *testing.T) {
		scores := map[string]float64{}
		for _, u := range docScores() {
			scores[u.Unit] = u.Deducted
		}
		for _, n := range ns {
			sum := 0.0
			for _, p := range n.Problems {
				sum += p.Points
			}
			if round2(sum) != scores[n.Unit] || n.Listed != n.Deducted || n.Deducted != scores[n.Unit] {
				t.Errorf("%s: problems add up to %v, listed %v, deducted %v, want %v", n.Unit, sum, n.Listed, n.Deducted, scores[n.Unit])
			}
		}
	})
	t.Run("persisting problems are marked", func(t *testing.T) {
		fin := ns[1]
		var persisting []int64
		for _, p := range fin.Problems {
			if p.Persisting {
				persisting = append(persisting, p.ID)
			}
		}
		if diff := cmp.Diff([]int64{111, 112}, persisting); diff != "" {
			t.Errorf("persisting (-want +got):\n%s", diff)
		}
		if fin.Repeated != 2 || fin.Problems[1].FirstSeen.String() != "2025-09-01" {
			t.Errorf("repeated %d, first seen %s", fin.Repeated, fin.Problems[1].FirstSeen)
		}
		var md bytes.Buffer
		if err := WriteNoticeMarkdown(&md, fin); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(md.String(), "重复问题，自2025-09-01起") {
			t.Errorf("the Markdown notice does not mark the repeated problem:\n%s", md.String())
		}
	})
	t.Run("vetoes and notices are listed apart", func(t *testing.T) {
		if len(ns[0].Infos) != 1 || ns[0].Infos[0].Kind != "column.expiring" || len(ns[0].Problems) != 1 {
			t.Errorf("gov: %d problems, infos %+v", len(ns[0].Problems), ns[0].Infos)
		}
		bohai := ns[4]
		if !bohai.Veto || len(bohai.Vetoes) != 1 || len(bohai.Problems) != 0 || bohai.Vetoes[0].KindName != "网站无法访问" {
			t.Errorf("bohai: veto %v, vetoes %+v, problems %d", bohai.Veto, bohai.Vetoes, len(bohai.Problems))
		}
	})
	t.Run("evidence", func(t *testing.T) {
		p := ns[1].Problems[0]
		if p.ColumnName != "机构职能" || p.KindName != "必备要素缺失" || p.URL != "http://czj.example.gov.cn/zwgk/jgzn/" {
			t.Errorf("item = %+v", p)
		}
		if got := cstTime(p.FetchedAt); got != "2026-03-02 04:36 CST" {
			t.Errorf("fetched at %s, want 2026-03-02 04:36 CST", got)
		}
		if ns[1].Contact != "张三 010-69641234" || ns[1].UnitNameEN != "District Finance Bureau" {
			t.Errorf("roster not applied: %q %q", ns[1].Contact, ns[1].UnitNameEN)
		}
	})
	t.Run("english", func(t *testing.T) {
		in := docNoticeInput()
		in.Lang = "en"
		n := BuildNotices(in)[1]
		if n.Lang != "en" || n.Number != ns[1].Number || n.Problems[0].ColumnName != "Institutional functions" ||
			n.Problems[0].KindName != "Required field missing" || n.Problems[0].Detail != ns[1].Problems[0].Detail {
			t.Errorf("english notice: %+v", n)
		}
	})
}

func TestNotices_Golden(t *testing.T) {
	zhIn := docNoticeInput()
	enIn := docNoticeInput()
	enIn.Lang = "en"
	zhNotices, enNotices := BuildNotices(zhIn), BuildNotices(enIn)
	tests := []struct {
		file  string
		write func(*bytes.Buffer) error
	}{
		{"notices-zh.html", func(b *bytes.Buffer) error { return WriteNoticesHTML(b, zhNotices) }},
		{"notice-en.html", func(b *bytes.Buffer) error { return WriteNoticeHTML(b, enNotices[1]) }},
		{"notice-zh.md", func(b *bytes.Buffer) error { return WriteNoticeMarkdown(b, zhNotices[1]) }},
		{"notice-en.md", func(b *bytes.Buffer) error { return WriteNoticeMarkdown(b, enNotices[1]) }},
		{"notice-veto-zh.md", func(b *bytes.Buffer) error { return WriteNoticeMarkdown(b, zhNotices[4]) }},
		{"notice-many-zh.md", func(b *bytes.Buffer) error { return WriteNoticeMarkdown(b, zhNotices[3]) }},
		{"notice-info-en.md", func(b *bytes.Buffer) error { return WriteNoticeMarkdown(b, enNotices[0]) }},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			var buf bytes.Buffer
			if err := tt.write(&buf); err != nil {
				t.Fatal(err)
			}
			golden(t, tt.file, buf.Bytes())
		})
	}
}

func TestNotices_PageBreaks(t *testing.T) {
	var buf bytes.Buffer
	ns := BuildNotices(docNoticeInput())
	if err := WriteNoticesHTML(&buf, ns); err != nil {
		t.Fatal(err)
	}
	doc := parseHTML(t, buf.Bytes())
	articles := findAll(doc, func(n *htmlNode) bool { return n.Data == "article" })
	if len(articles) != len(ns) {
		t.Fatalf("%d articles, want %d", len(articles), len(ns))
	}
	css := textOf(findAll(doc, func(n *htmlNode) bool { return n.Data == "style" })...)
	for _, rule := range []string{"@page { size: A4 portrait;", ".doc + .doc { break-before: page;", "thead { display: table-header-group; }", "tr, .keep { break-inside: avoid;"} {
		if !strings.Contains(css, rule) {
			t.Errorf("style sheet lacks %q", rule)
		}
	}
}

// TestNotices_Escaping: page text and unit names are data, never markup.
func TestNotices_Escaping(t *testing.T) {
	const evil = "<script>alert(1)</script>|x"
	in := docNoticeInput()
	in.Scores[2].UnitName = "区财政局" + evil
	in.Findings[3].Detail = "缺少办公时间" + evil + "\n第二行"
	in.Findings[3].Basis = "依据|" + evil
	in.Findings[3].URL = "javascript:alert(1)"
	in.Findings[3].Evidence = nil
	in.Units = map[string]evidence.Unit{"finance": {ID: "finance", Contact: "张三" + evil}}
	for _, lang := range []string{"zh", "en"} {
		in.Lang = lang
		n := BuildNotices(in)[1]
		t.Run("html "+lang, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteNoticeHTML(&buf, n); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			if strings.Contains(out, "<script") {
				t.Errorf("a raw <script> tag came through:\n%s", out)
			}
			if strings.Contains(out, `href="javascript:`) {
				t.Error("a javascript: URL became a link")
			}
			if !strings.Contains(out, "区财政局&lt;script&gt;alert(1)&lt;/script&gt;|x") {
				t.Error("the unit name is not escaped as text")
			}
			if n := strings.Count(out, "&lt;script&gt;alert(1)&lt;/script&gt;"); n < 4 {
				t.Errorf("escaped text appears %d times, want the name, detail, basis and contact", n)
			}
		})
		t.Run("markdown "+lang, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteNoticeMarkdown(&buf, n); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			if strings.Contains(out, "<script") {
				t.Errorf("a raw <script> tag came through:\n%s", out)
			}
			var row string
			for _, line := range strings.Split(out, "\n") {
				if strings.HasPrefix(line, "| 1 |") {
					row = line
				}
			}
			if row == "" {
				t.Fatalf("no first problem row:\n%s", out)
			}
			// 7 cells: 8 unescaped pipes; the detail's pipe and newline are escaped.
			if got := strings.Count(strings.ReplaceAll(row, `\|`, ""), "|"); got != 8 {
				t.Errorf("row has %d cell delimiters, want 8: %s", got, row)
			}
			if !strings.Contains(row, `&lt;script>alert(1)&lt;/script>\|x<br>第二行`) {
				t.Errorf("detail not escaped as expected: %s", row)
			}
		})
	}
}

func TestNoticeFileName(t *testing.T) {
	tests := []struct {
		n    Notice
		want string
	}{
		{Notice{Seq: 7, Count: 12, Unit: "finance"}, "notice-07-finance"},
		{Notice{Seq: 7, Count: 120, Unit: "finance"}, "notice-007-finance"},
		{Notice{Seq: 1, Count: 1, Unit: "../../etc/passwd"}, "notice-01-etc-passwd"},
		{Notice{Seq: 2, Count: 3, Unit: "Town A:区"}, "notice-02-town-a"},
		{Notice{Seq: 3, Count: 3, Unit: "区"}, "notice-03-unit"},
	}
	for _, tt := range tests {
		if got := tt.n.FileName(); got != tt.want {
			t.Errorf("FileName(%q) = %q, want %q", tt.n.Unit, got, tt.want)
		}
	}
}

func TestKindName(t *testing.T) {
	kinds := rules.FindingKinds
	if len(kindNames) != len(kinds) {
		t.Errorf("%d kinds named, rules.FindingKinds has %d", len(kindNames), len(kinds))
	}
	for _, k := range kinds {
		zhName, enName := KindName(k, "zh"), KindName(k, "en")
		if zhName == k || enName == k {
			t.Errorf("%s has no name", k)
		}
		if zhName != scoring.KindName(k) {
			t.Errorf("%s: %q here, %q in scoring's veto reasons", k, zhName, scoring.KindName(k))
		}
	}
	if got := KindName("new.kind", ""); got != "new.kind" {
		t.Errorf("unknown kind named %q", got)
	}
}

func TestNotices_ListedDiffers(t *testing.T) {
	in := docNoticeInput()
	in.Findings = append(in.Findings[:4], in.Findings[5:]...) // a finance finding dismissed
	n := BuildNotices(in)[1]
	if n.Listed != 7.5 || n.Deducted != 8.5 {
		t.Fatalf("listed %v, deducted %v", n.Listed, n.Deducted)
	}
	var buf bytes.Buffer
	if err := WriteNoticeMarkdown(&buf, n); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "注：本表所列扣分合计7.5分；得分按计分结果扣除8.5分计算。") {
		t.Errorf("no note on the difference:\n%s", buf.String())
	}
}

// TestNotices_Thumbnail: an item's picture is embedded as a data: URL
// under its evidence; bytes that are not a JPEG or PNG are not shown.
func TestNotices_Thumbnail(t *testing.T) {
	ns := BuildNotices(docNoticeInput())
	n := ns[0]
	for _, x := range ns {
		if len(x.Problems) >= 2 {
			n = x
			break
		}
	}
	n.Problems[0].Thumbnail = []byte("\xff\xd8\xff\xe0fake-jpeg")
	n.Problems[1].Thumbnail = []byte("<svg onload=alert(1)>")
	var buf bytes.Buffer
	if err := WriteNoticeHTML(&buf, n); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if c := strings.Count(out, `<img class="thumb" src="data:image/jpeg;base64,/9j/4GZha2UtanBlZw=="`); c != 1 {
		t.Errorf("%d thumbnails, want 1:\n%s", c, out)
	}
	if strings.Contains(out, "onload") || strings.Count(out, "<img") != 1 {
		t.Error("bytes that are not a picture were embedded")
	}
}
