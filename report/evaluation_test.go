package report

import (
	"bytes"
	"encoding/xml"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"
)

type htmlNode = html.Node

func parseHTML(t *testing.T, b []byte) *html.Node {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// findAll returns the element nodes under n that match, in document order.
func findAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasClass(n *html.Node, class string) bool {
	for _, c := range strings.Fields(attr(n, "class")) {
		if c == class {
			return true
		}
	}
	return false
}

// textOf is the text under the nodes.
func textOf(nodes ...*html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	return b.String()
}

func writeEvaluation(t *testing.T, in EvaluationInput) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteEvaluationHTML(&buf, BuildEvaluation(in)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestBuildEvaluation(t *testing.T) {
	e := BuildEvaluation(docEvaluationInput())
	if e.Average != 69.42 || e.Vetoed != 1 || e.AuditDate.String() != "2026-03-02" {
		t.Errorf("average %v, vetoed %d, audit date %s", e.Average, e.Vetoed, e.AuditDate)
	}
	wantGrades := []GradeCount{{"优秀", 3}, {"良好", 0}, {"合格", 1}, {"不合格", 2}}
	if diff := cmp.Diff(wantGrades, e.Grades); diff != "" {
		t.Errorf("grades (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(SeverityCounts{Veto: 1, Deduction: 24, Notice: 2}, e.Severities); diff != "" {
		t.Errorf("severities (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(StatusCounts{New: 20, Persisting: 7, Resolved: 2}, e.Statuses); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	var types []string
	for _, u := range e.UnitTypes {
		types = append(types, u.ID)
	}
	if diff := cmp.Diff([]string{"district", "bureau", "township", "street"}, types); diff != "" {
		t.Errorf("unit types (-want +got):\n%s", diff)
	}
	// Completeness: (40+40+37+25+16+0)/6 = 26.33, 65.8% of 40; townships (25+0)/2.
	c := e.DimensionAverages[0]
	if c.Average != 26.33 || c.Percent != 65.8 || c.ByType[2].Average != 12.5 || c.ByType[2].Percent != 31.3 {
		t.Errorf("completeness = %+v", c)
	}
	if e.TopKinds[0].Kind != "column.stale" || e.TopKinds[0].Count != 6 || e.TopKinds[0].Units != 3 {
		t.Errorf("top kind = %+v", e.TopKinds[0])
	}
	for _, k := range e.TopKinds {
		if k.Kind == "column.expiring" {
			t.Error("notices counted among the problems")
		}
	}
	var improved, declined []string
	for _, r := range e.Improved {
		improved = append(improved, r.Unit)
	}
	for _, r := range e.Declined {
		declined = append(declined, r.Unit)
	}
	if diff := cmp.Diff([]string{"yanqi", "gov"}, improved); diff != "" {
		t.Errorf("improved (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"quanhe", "finance"}, declined); diff != "" {
		t.Errorf("declined (-want +got):\n%s", diff)
	}
	if e.Appendix[0].Findings != 1 || e.Appendix[4].Findings != 11 || e.Appendix[4].Points != 45 {
		t.Errorf("appendix = %+v", e.Appendix)
	}

	first := docEvaluationInput()
	first.Previous, first.Resolved = nil, nil
	f := BuildEvaluation(first)
	if f.HasPrevious || f.Improved != nil || f.Statuses != (StatusCounts{}) {
		t.Errorf("without a previous audit: %v %v %+v", f.HasPrevious, f.Improved, f.Statuses)
	}
}

func TestEvaluation_Golden(t *testing.T) {
	en := docEvaluationInput()
	en.Lang = "en"
	first := docEvaluationInput()
	first.Previous, first.Resolved = nil, nil
	bare := docEvaluationInput()
	bare.Dimensions, bare.Grades, bare.UnitTypes, bare.District = nil, nil, nil, ""
	for _, tt := range []struct {
		file string
		in   EvaluationInput
	}{
		{"evaluation-zh.html", docEvaluationInput()},
		{"evaluation-en.html", en},
		{"evaluation-first-zh.html", first},
		{"evaluation-bare-zh.html", bare},
	} {
		t.Run(tt.file, func(t *testing.T) {
			golden(t, tt.file, writeEvaluation(t, tt.in))
		})
	}
}

// TestEvaluation_Charts: every chart is inline SVG, well-formed, with one
// data bar per value.
func TestEvaluation_Charts(t *testing.T) {
	in := docEvaluationInput()
	e := BuildEvaluation(in)
	out := writeEvaluation(t, in)
	doc := parseHTML(t, out)
	svgs := findAll(doc, func(n *html.Node) bool { return n.Data == "svg" && n.Namespace == "svg" })
	want := []struct {
		title string
		bars  int
	}{
		{"等级分布", len(e.Grades)},
		{"各维度平均得分率", len(e.Dimensions)},
		{"各类单位分维度平均得分率", len(e.Dimensions) * len(e.UnitTypes)},
		{"问题数最多的问题类型", len(e.TopKinds)},
	}
	if len(svgs) != len(want) {
		t.Fatalf("%d svg elements, want %d", len(svgs), len(want))
	}
	for i, svg := range svgs {
		if got := attr(svg, "aria-label"); got != want[i].title {
			t.Errorf("chart %d is %q, want %q", i, got, want[i].title)
		}
		bars := findAll(svg, func(n *html.Node) bool { return n.Data == "rect" && hasClass(n, "bar") })
		if len(bars) != want[i].bars {
			t.Errorf("%s: %d bars, want %d", want[i].title, len(bars), want[i].bars)
		}
		for _, b := range bars {
			if attr(b, "width") == "" || attr(b, "height") == "" || strings.HasPrefix(attr(b, "width"), "-") {
				t.Errorf("%s: bar without a size: %v", want[i].title, b.Attr)
			}
		}
	}
	// The grade chart's bars are as long as the counts: 3, 0, 1, 2.
	gradeBars := findAll(svgs[0], func(n *html.Node) bool { return n.Data == "rect" && hasClass(n, "bar") })
	if w0, w3 := attr(gradeBars[0], "width"), attr(gradeBars[1], "width"); w3 != "0" || w0 == "0" {
		t.Errorf("grade bars %s and %s, want a long one and an empty one", w0, w3)
	}

	// Each <svg>…</svg> is well-formed XML too.
	for _, m := range regexp.MustCompile(`(?s)<svg .*?</svg>`).FindAll(out, -1) {
		dec := xml.NewDecoder(bytes.NewReader(m))
		dec.Strict = true
		for {
			_, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("svg is not well-formed: %v\n%s", err, m)
			}
		}
	}
}

func TestEvaluation_ChartsEscapeLabels(t *testing.T) {
	in := docEvaluationInput()
	in.Grades = nil
	for i := range in.Scores {
		if in.Scores[i].Grade == "合格" {
			in.Scores[i].Grade = "<script>alert(1)</script>&"
		}
	}
	in.Scores[0].UnitName = "<script>alert(1)</script>|档案馆"
	out := string(writeEvaluation(t, in))
	if strings.Contains(out, "<script") {
		t.Error("a raw <script> tag came through")
	}
	if !strings.Contains(out, `<text class="label" x=`) || !strings.Contains(out, "&lt;script&gt;alert(1)&lt;/script&gt;&amp;</text>") {
		t.Error("the grade label is not escaped in the chart")
	}
}

func TestEvaluation_NoPrevious(t *testing.T) {
	in := docEvaluationInput()
	in.Previous, in.Resolved = nil, nil
	out := string(writeEvaluation(t, in))
	for _, s := range []string{"本次为首次评估，没有可比较的上次评估。", "本次为首次评估，所有问题均为新发现。"} {
		if !strings.Contains(out, s) {
			t.Errorf("missing %q", s)
		}
	}
	for _, s := range []string{"分数变化", "得分上升最多的单位", "↑", "↓"} {
		if strings.Contains(out, s) {
			t.Errorf("without a previous audit the report still shows %q", s)
		}
	}
}

// TestDocuments_SelfContained: every document is valid HTML5 that loads
// nothing: no script at all, no stylesheet or image from elsewhere; the only
// URLs are the evidence links of notices.
func TestDocuments_SelfContained(t *testing.T) {
	docs := map[string][]byte{}
	docs["evaluation"] = writeEvaluation(t, docEvaluationInput())
	for _, lang := range []string{"zh", "en"} {
		in := docNoticeInput()
		in.Lang = lang
		var buf bytes.Buffer
		if err := WriteNoticesHTML(&buf, BuildNotices(in)); err != nil {
			t.Fatal(err)
		}
		docs["notices-"+lang] = buf.Bytes()
	}
	evidenceURLs := map[string]bool{}
	for _, f := range docFindings() {
		evidenceURLs[f.URL] = true
	}
	for name, out := range docs {
		t.Run(name, func(t *testing.T) {
			if !bytes.HasPrefix(out, []byte("<!DOCTYPE html>\n<html lang=\"")) {
				t.Errorf("does not start with a doctype and <html lang>: %q", out[:min(len(out), 40)])
			}
			doc := parseHTML(t, out)
			if h := findAll(doc, func(n *html.Node) bool { return n.Data == "html" }); len(h) != 1 || attr(h[0], "lang") == "" {
				t.Error("no lang attribute")
			}
			if m := findAll(doc, func(n *html.Node) bool { return n.Data == "meta" && strings.EqualFold(attr(n, "charset"), "utf-8") }); len(m) != 1 {
				t.Error("no <meta charset=utf-8>")
			}
			if s := findAll(doc, func(n *html.Node) bool { return n.Data == "script" }); len(s) > 0 {
				t.Errorf("%d <script> elements", len(s))
			}
			for _, n := range findAll(doc, func(*html.Node) bool { return true }) {
				for _, a := range n.Attr {
					if strings.HasPrefix(a.Key, "on") {
						t.Errorf("<%s> has an event handler %s", n.Data, a.Key)
					}
					switch a.Key {
					case "src", "srcset", "href", "xlink:href", "action", "poster", "data":
						if n.Data == "a" && a.Key == "href" && evidenceURLs[a.Val] {
							continue
						}
						t.Errorf("<%s %s=%q> refers to a resource", n.Data, a.Key, a.Val)
					}
				}
				switch n.Data {
				case "link", "img", "iframe", "object", "embed", "image", "use":
					t.Errorf("<%s> element", n.Data)
				}
			}
			css := textOf(findAll(doc, func(n *html.Node) bool { return n.Data == "style" })...)
			for _, bad := range []string{"@import", "url(", "@font-face", "http:", "https:"} {
				if strings.Contains(css, bad) {
					t.Errorf("style sheet contains %q", bad)
				}
			}
		})
	}
}

func TestDocuments_Empty(t *testing.T) {
	for _, lang := range []string{"zh", "en"} {
		out := writeEvaluation(t, EvaluationInput{Lang: lang})
		if !bytes.Contains(out, []byte("</html>")) {
			t.Errorf("%s: empty evaluation cut short", lang)
		}
		if ns := BuildNotices(NoticeInput{Lang: lang}); len(ns) != 0 {
			t.Errorf("%s: %d notices from nothing", lang, len(ns))
		}
		var buf bytes.Buffer
		if err := WriteNoticesHTML(&buf, nil); err != nil || !bytes.Contains(buf.Bytes(), []byte("</html>")) {
			t.Errorf("%s: no notices: %v", lang, err)
		}
	}
}
