package crawler_test

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"gongkai/audit"
	"gongkai/crawler"
	"gongkai/evidence"
	"gongkai/internal/textnorm"
	"gongkai/rules"
	"gongkai/scoring"
)

// The corpus of real pages (testdata/real, README there): every page read
// as gongkai reads it must give exactly its golden reading, written by a
// person reading the page. Only the facets a golden gives are compared.

// realWant is a golden reading.
type realWant struct {
	URL          string            `json:"url"`
	Kind         string            `json:"kind"`
	Charset      string            `json:"charset,omitempty"`
	Items        *[]realItem       `json:"items,omitempty"`
	PageLinks    *[]string         `json:"page_links,omitempty"`
	ScriptList   *bool             `json:"script_list,omitempty"`
	DocumentMeta map[string]string `json:"document_meta,omitempty"`
	Written      *string           `json:"written,omitempty"`
	Published    *string           `json:"published,omitempty"`
	Fields       *[]string         `json:"fields,omitempty"`
	Columns      map[string]string `json:"columns,omitempty"`
	Redirect     *string           `json:"redirect,omitempty"`
	Report       *realReport       `json:"report,omitempty"`
}

type realItem struct {
	Title string `json:"title"`
	Date  string `json:"date"`
	URL   string `json:"url"`
}

type realReport struct {
	Year     int                                `json:"year"`
	Format   string                             `json:"format"`
	Sections []int                              `json:"sections"`
	Table3   map[string]map[string]*json.Number `json:"table3,omitempty"`
	Table4   map[string]map[string]*json.Number `json:"table4,omitempty"`
}

// realAsOf is the reference date for year-less dates in the corpus: after
// every page was saved.
var realAsOf = evidence.MustParseDate("2026-12-01")

func TestRealPages(t *testing.T) {
	rs, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	plan := audit.PlanFor(rs, realAsOf, "district")
	var fields []rules.Field
	var pageNames []string
	for _, c := range rs.ChecksFor("district") {
		if c.Kind == rules.KindFields {
			fields = append(fields, c.Fields...)
		}
	}
	for _, c := range rs.ColumnsFor("district") {
		if c.Shape == rules.ShapePage {
			for _, n := range c.Names() {
				pageNames = append(pageNames, textnorm.Name(n))
			}
		}
	}
	wants, _ := filepath.Glob(filepath.Join("testdata", "real", "*.want.json"))
	if len(wants) < 30 {
		t.Fatalf("only %d pages in the corpus", len(wants))
	}
	exact := 0
	for _, wf := range wants {
		name := strings.TrimSuffix(filepath.Base(wf), ".want.json")
		ok := t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(wf)
			if err != nil {
				t.Fatal(err)
			}
			var want realWant
			dec := json.NewDecoder(strings.NewReader(string(b)))
			dec.UseNumber()
			dec.DisallowUnknownFields()
			if err := dec.Decode(&want); err != nil {
				t.Fatalf("%s: %v", wf, err)
			}
			if _, err := os.Stat(filepath.Join("testdata", "real", name+".prov.yaml")); err != nil {
				t.Errorf("no provenance: %v", err)
			}
			body, path := readPage(t, name)
			u, err := url.Parse(want.URL)
			if err != nil || u.Host == "" {
				u, _ = url.Parse("http://unknown.example.gov.cn/" + filepath.Base(path))
			}
			got := realWant{URL: want.URL, Kind: want.Kind}
			if want.Kind == "report" && !strings.HasSuffix(path, ".html") && !strings.HasSuffix(path, ".htm") {
				r := crawler.ReadAnnualReportFile(context.Background(), u, body, "")
				got.Report = reportOf(r, want.Report)
			} else {
				in, err := crawler.InspectBytes(u, body, "text/html", plan)
				if err != nil {
					t.Fatal(err)
				}
				fill(&got, &want, in, fields, pageNames)
				if want.Report != nil {
					p, err := crawler.ParsePage(u, body, "text/html")
					if err != nil {
						t.Fatal(err)
					}
					got.Report = reportOf(crawler.ParseAnnualReport(p), want.Report)
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s reads differently from its golden (-want +got):\n%s", name, diff)
			}
		})
		if ok {
			exact++
		}
	}
	t.Logf("corpus: %d of %d pages read exactly as their goldens", exact, len(wants))
}

// readPage returns the bytes of the corpus file NAME.*.
func readPage(t *testing.T, name string) ([]byte, string) {
	t.Helper()
	for _, ext := range []string{".html", ".htm", ".pdf", ".docx", ".doc"} {
		p := filepath.Join("testdata", "real", name+ext)
		if b, err := os.ReadFile(p); err == nil {
			return b, p
		}
	}
	t.Fatalf("no page file for %s", name)
	return nil, ""
}

// fill copies into got the facets want gives, as the crawler read them.
func fill(got, want *realWant, in *crawler.Inspection, fields []rules.Field, pageNames []string) {
	if want.Charset != "" {
		got.Charset = in.Charset
	}
	if want.Items != nil {
		items := []realItem{}
		for _, it := range in.Items {
			items = append(items, realItem{Title: it.Title, Date: it.Date.String(), URL: it.URL})
		}
		got.Items = &items
	}
	if want.PageLinks != nil {
		links := append([]string{}, in.PageLinks...)
		sort.Strings(links)
		sort.Strings(*want.PageLinks)
		if links == nil {
			links = []string{}
		}
		got.PageLinks = &links
	}
	if want.ScriptList != nil {
		v := in.ScriptList != ""
		got.ScriptList = &v
	}
	if want.DocumentMeta != nil {
		got.DocumentMeta = map[string]string{}
		for k, v := range in.DocumentMeta {
			got.DocumentMeta[k] = textnorm.Space(v)
		}
	}
	if want.Written != nil {
		s := in.Written.String()
		got.Written = &s
	}
	if want.Published != nil {
		s := in.Published.String()
		got.Published = &s
	}
	if want.Fields != nil {
		shown := []string{}
		for _, f := range scoring.ShownFields(in.Labels, fields, pageNames) {
			if !slices.Contains(shown, f) {
				shown = append(shown, f)
			}
		}
		sort.Strings(shown)
		sort.Strings(*want.Fields)
		got.Fields = &shown
	}
	if want.Columns != nil {
		got.Columns = map[string]string{}
		for _, c := range in.ColumnsFound {
			got.Columns[c.Column] = c.URL
		}
	}
	if want.Redirect != nil {
		s := in.Redirect
		got.Redirect = &s
	}
}

// reportOf projects a parsed report onto the golden's facets.
func reportOf(r *evidence.AnnualReport, want *realReport) *realReport {
	if r == nil || want == nil {
		return nil
	}
	out := &realReport{Year: r.Year, Format: r.Format, Sections: r.Sections}
	if out.Sections == nil {
		out.Sections = []int{}
	}
	table := func(id string, w map[string]map[string]*json.Number) map[string]map[string]*json.Number {
		if w == nil {
			return nil
		}
		t := r.Tables[id]
		res := map[string]map[string]*json.Number{}
		if t == nil {
			return res
		}
		for row, cells := range t.Rows {
			res[row] = map[string]*json.Number{}
			for col, c := range cells {
				if c.Number {
					n := json.Number(strings.TrimSpace(jsonInt(c.Value)))
					res[row][col] = &n
				} else {
					res[row][col] = nil
				}
			}
		}
		return res
	}
	out.Table3 = table("3", want.Table3)
	out.Table4 = table("4", want.Table4)
	return out
}

func jsonInt(v int64) string {
	b, _ := json.Marshal(v)
	return string(b)
}
