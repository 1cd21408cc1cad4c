package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"gongkai/crawler"
	"gongkai/evidence"
	"gongkai/report"
	"gongkai/rules"
	"gongkai/scoring"
)

func newAnnualReportCmd(env Env) *cobra.Command {
	c := &cobra.Command{
		Use:   "annual-report",
		Short: "Analyse annual reports on disclosure work (政府信息公开工作年度报告)",
	}
	var (
		year                      int
		published, format, prevIn string
		unitType, charset         string
		ignoreRobots              bool
	)
	check := &cobra.Command{
		Use:   "check FILE|URL",
		Short: "Parse one annual report and list every missing part and broken identity",
		Long: `check reads one annual report (an HTML page, a URL, a PDF, DOCX or DOC
file, or a text file whose figures are prose, such as the seed report), prints its parsed model (sections,
and the figures of tables 二, 三 and 四 in the State Council's format), and lists
what is wrong: missing sections, tables, rows and blank cells
(report.incomplete), and every broken identity with its figures
(report.inconsistent). With --previous, the carry-over from the year before is
checked too; with --published, the publication date is checked against the
deadline (31 January; 31 March for a district government).`,
		Example: `  gongkai annual-report check report.html
  gongkai annual-report check http://127.0.0.1:8101/ndbg/2025.html --previous http://127.0.0.1:8101/ndbg/2024.html
  gongkai annual-report check testdata/seed/huairou-2019-annual-report.txt --year 2019 --published 2020-03-28 --unit-type district`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if err := checkFormat(format, "text", "json"); err != nil {
				return err
			}
			var pub evidence.Date
			if published != "" {
				d, err := evidence.ParseDate(published)
				if err != nil {
					return usagef("--published: %v", err)
				}
				pub = d
			}
			cr := crawler.New(crawler.Options{Settings: crawler.Settings{NoDelay: true, IgnoreRobots: ignoreRobots}})
			defer cr.Close()
			r, err := readReport(c.Context(), cr, args[0], charset)
			if err != nil {
				return err
			}
			if year > 0 {
				r.Year = year
				switch {
				case year >= 2021:
					r.Format = "2021"
				case year >= 2019:
					r.Format = "2019"
				default:
					r.Format = "2008"
				}
			}
			if r.Year == 0 {
				return usagef("no year in the report's title: give --year")
			}
			r.Published = pub
			var prev *evidence.AnnualReport
			if prevIn != "" {
				if prev, err = readReport(c.Context(), cr, prevIn, charset); err != nil {
					return fmt.Errorf("--previous: %w", err)
				}
				if prev.Year == 0 {
					prev.Year = r.Year - 1
				}
			}
			issues := scoring.AnalyzeAnnualReport(r, prev)
			if !pub.IsZero() {
				rs, err := rules.Default()
				if err != nil {
					return err
				}
				if late := lateIssue(rs, r, unitType); late != nil {
					issues = append([]scoring.AnnualReportIssue{*late}, issues...)
				}
			}
			if format == "json" {
				enc := json.NewEncoder(env.Stdout)
				enc.SetIndent("", "  ")
				enc.SetEscapeHTML(false)
				return enc.Encode(struct {
					Report *evidence.AnnualReport      `json:"report"`
					Issues []scoring.AnnualReportIssue `json:"issues"`
				}{r, nonNil(issues)})
			}
			writeReportText(env.Stdout, r, issues)
			return nil
		},
	}
	check.Flags().IntVar(&year, "year", 0, "the year reported on (default: read from the title)")
	check.Flags().StringVar(&published, "published", "", "publication date YYYY-MM-DD, to check it against the deadline")
	check.Flags().StringVar(&unitType, "unit-type", "bureau", "unit type, for the deadline (district: 31 March; others: 31 January)")
	check.Flags().StringVar(&prevIn, "previous", "", "the year before's report (FILE or URL), to check the carry-over")
	check.Flags().StringVar(&format, "format", "text", "output: text or json")
	check.Flags().StringVar(&charset, "charset", "", "charset of a saved FILE when its page does not say")
	check.Flags().BoolVar(&ignoreRobots, "ignore-robots", false, "fetch even when robots.txt forbids it")
	_ = check.RegisterFlagCompletionFunc("format", fixedCompletion("text", "json"))
	c.AddCommand(check)
	return c
}

func nonNil(s []scoring.AnnualReportIssue) []scoring.AnnualReportIssue {
	if s == nil {
		return []scoring.AnnualReportIssue{}
	}
	return s
}

// readReport reads a report from a URL, an HTML file or a text file.
func readReport(ctx context.Context, cr *crawler.Crawler, src, charset string) (*evidence.AnnualReport, error) {
	if strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://") {
		p, fe, err := cr.FetchPage(ctx, src)
		if err != nil {
			return nil, err
		}
		if p == nil {
			return nil, fmt.Errorf("fetch %s: %s (status %d) %s", src, fe.Class, fe.Status, fe.Error)
		}
		return crawler.ParseAnnualReport(p), nil
	}
	body, err := os.ReadFile(src)
	if err != nil {
		return nil, err
	}
	ext := strings.ToLower(filepath.Ext(src))
	u, _ := url.Parse("http://localhost/" + filepath.Base(src))
	switch ext {
	case ".pdf", ".docx", ".doc", ".wps":
		// A report published as a file.
		return crawler.ReadAnnualReportFile(ctx, u, body, ""), nil
	}
	if ext == ".txt" || ext == ".md" {
		text := string(body)
		title, _, _ := strings.Cut(strings.TrimSpace(text), "\n")
		return crawler.ParseAnnualReportText(title, text), nil
	}
	ct := "text/html"
	if charset != "" {
		ct += "; charset=" + charset
	}
	p, err := crawler.ParsePage(u, body, ct)
	if err != nil {
		return nil, err
	}
	return crawler.ParseAnnualReport(p), nil
}

// lateIssue checks the publication date against the default ruleset's deadline.
func lateIssue(rs *rules.Ruleset, r *evidence.AnnualReport, unitType string) *scoring.AnnualReportIssue {
	c := rs.CheckFor("annual-report", rules.KindReportLate, unitType)
	if c == nil {
		return nil
	}
	due := c.DueFor(unitType)
	deadline := evidence.NewDate(r.Year+1, time.Month(due.Month), due.Day)
	if !r.Published.After(deadline) {
		return nil
	}
	return &scoring.AnnualReportIssue{Kind: rules.FindingReportLate, Identity: "deadline",
		Detail: fmt.Sprintf("%d年度年报于%s公布，晚于%s的法定期限%d天", r.Year, r.Published, deadline, deadline.DaysUntil(r.Published))}
}

func writeReportText(w io.Writer, r *evidence.AnnualReport, issues []scoring.AnnualReportIssue) {
	fmt.Fprintf(w, "title:    %s\nyear:     %d (format of %s)\n", r.Title, r.Year, r.Format)
	if !r.Published.IsZero() {
		fmt.Fprintf(w, "published: %s\n", r.Published)
	}
	fmt.Fprintf(w, "sections: %v of 1..6\n", r.Sections)
	for _, n := range r.Notes {
		fmt.Fprintf(w, "note:     %s\n", n)
	}
	if t := r.Tables["3"]; t != nil {
		src := "table"
		if t.FromText {
			src = "prose"
		}
		fmt.Fprintf(w, "\n表三 收到和处理政府信息公开申请情况 (from %s)\n", src)
		cols := []string{"natural", "business", "research", "charity", "legal", "other_org", "total"}
		heads := []string{"自然人", "商业企业", "科研机构", "社会公益", "法律服务", "其他", "总计"}
		fmt.Fprintf(w, "  %s", report.PadRight("", 22))
		for _, h := range heads {
			fmt.Fprintf(w, "%s", report.PadLeft(h, 9))
		}
		fmt.Fprintln(w)
		for _, row := range reportRowOrder(t) {
			fmt.Fprintf(w, "  %s", report.PadRight(row, 22))
			for _, c := range cols {
				cell, ok := t.Rows[row][c]
				text := "."
				switch {
				case !ok:
				case cell.Number:
					text = fmt.Sprint(cell.Value)
				case cell.Blank:
					text = "(blank)"
				default:
					text = cell.Raw
				}
				fmt.Fprintf(w, "%s", report.PadLeft(text, 9))
			}
			fmt.Fprintln(w)
		}
	}
	if t := r.Tables["4"]; t != nil {
		fmt.Fprintf(w, "\n表四 行政复议、行政诉讼情况\n")
		for _, g := range []string{"review", "suit_direct", "suit_after"} {
			fmt.Fprintf(w, "  %-12s", g)
			for _, c := range []string{"upheld", "corrected", "other", "pending", "total"} {
				cell := t.Rows[g][c]
				if cell.Number {
					fmt.Fprintf(w, " %s=%d", c, cell.Value)
				} else {
					fmt.Fprintf(w, " %s=(blank)", c)
				}
			}
			fmt.Fprintln(w)
		}
	}
	if t := r.Tables["2"]; t != nil {
		fmt.Fprintf(w, "\n表二 主动公开政府信息情况: %d rows\n", len(t.Rows))
	}
	fmt.Fprintf(w, "\n%d issue(s):\n", len(issues))
	for _, i := range issues {
		fmt.Fprintf(w, "  %-20s %s\n", i.Kind, i.Detail)
	}
}

// reportRowOrder lists table 3's rows in the format's order.
func reportRowOrder(t *evidence.AnnualReportTable) []string {
	order := []string{"new", "carried_in", "open", "partial", "refused"}
	for i := 1; i <= 8; i++ {
		order = append(order, fmt.Sprintf("refused.%d", i))
	}
	order = append(order, "unable", "unable.1", "unable.2", "unable.3", "unprocessed")
	for i := 1; i <= 5; i++ {
		order = append(order, fmt.Sprintf("unprocessed.%d", i))
	}
	order = append(order, "other", "other.1", "other.2", "other.3", "total", "carried_out")
	seen := map[string]bool{}
	var out []string
	for _, k := range order {
		if _, ok := t.Rows[k]; ok {
			out = append(out, k)
			seen[k] = true
		}
	}
	var rest []string
	for k := range t.Rows {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}
