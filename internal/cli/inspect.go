package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"gongkai/audit"
	"gongkai/crawler"
)

func newInspectCmd(env Env) *cobra.Command {
	var (
		format, rulesDir, base, unitType, charset, asOfStr string
		ignoreRobots                                       bool
	)
	c := &cobra.Command{
		Use:   "inspect URL|FILE",
		Short: "Show what the crawler reads from one page",
		Long: `inspect fetches one page (or reads a saved one) and prints what the crawler
reads from it: charset, title, the national page-design metas, links that match
a column name (and hub links it would follow), list items with titles, dates
and URLs, pagination, field labels, document metadata and quoted titles.
Column names and metadata fields come from the ruleset (the embedded default
unless --rules is given).`,
		Example: `  gongkai inspect http://127.0.0.1:8101/col/col1622/index.html
  gongkai inspect saved-page.html --base http://www.example.gov.cn/zwgk/zcwj/ --format json`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if err := checkFormat(format, "text", "json"); err != nil {
				return err
			}
			rs, err := loadRules(rulesDir)
			if err != nil {
				return fmt.Errorf("rules: %w", err)
			}
			asOf, err := parseAsOf(asOfStr, env.Now())
			if err != nil {
				return err
			}
			if rs.UnitType(unitType) == nil {
				return usagef("--unit-type %q: the ruleset knows no such unit type", unitType)
			}
			plan := audit.PlanFor(rs, asOf, unitType)
			target := args[0]
			var in *crawler.Inspection
			if strings.HasPrefix(target, "http://") || strings.HasPrefix(target, "https://") {
				cr := crawler.New(crawler.Options{Settings: crawler.Settings{IgnoreRobots: ignoreRobots, NoDelay: true}})
				defer cr.Close()
				in, err = cr.Inspect(c.Context(), target, plan)
			} else {
				body, rerr := os.ReadFile(target)
				if rerr != nil {
					return rerr
				}
				if base == "" {
					base = "http://localhost/" + filepath.Base(target)
				}
				bu, perr := url.Parse(base)
				if perr != nil || bu.Host == "" {
					return usagef("--base %q: want an absolute URL", base)
				}
				ct := "text/html"
				if charset != "" {
					ct += "; charset=" + charset
				}
				in, err = crawler.InspectBytes(bu, body, ct, plan)
			}
			if err != nil {
				return err
			}
			if format == "json" {
				enc := json.NewEncoder(env.Stdout)
				enc.SetIndent("", "  ")
				enc.SetEscapeHTML(false)
				return enc.Encode(in)
			}
			writeInspection(env.Stdout, in)
			return nil
		},
	}
	c.Flags().StringVar(&format, "format", "text", "output: text or json")
	c.Flags().StringVar(&rulesDir, "rules", "", "ruleset for column names and metadata fields (default: embedded)")
	c.Flags().StringVar(&unitType, "unit-type", "district", "unit type whose columns to match")
	c.Flags().StringVar(&base, "base", "", "URL a saved FILE was fetched from (resolves its links)")
	c.Flags().StringVar(&charset, "charset", "", "charset a saved FILE was sent with (as the HTTP header would say)")
	c.Flags().StringVar(&asOfStr, "as-of", "", "reference date for year-less dates (default: today)")
	c.Flags().BoolVar(&ignoreRobots, "ignore-robots", false, "fetch even when robots.txt forbids it")
	_ = c.RegisterFlagCompletionFunc("format", fixedCompletion("text", "json"))
	return c
}

func writeInspection(w io.Writer, in *crawler.Inspection) {
	fmt.Fprintf(w, "URL:      %s\n", in.URL)
	if in.FinalURL != "" {
		fmt.Fprintf(w, "final:    %s\n", in.FinalURL)
	}
	if in.Class != "" {
		fmt.Fprintf(w, "fetch:    %s, status %d %s\n", in.Class, in.Status, in.Error)
	}
	mismatch := ""
	if in.CharsetMismatch {
		mismatch = " (the declared charset did not fit the bytes)"
	}
	fmt.Fprintf(w, "charset:  %s%s\ntitle:    %s\n", in.Charset, mismatch, in.Title)
	if in.Certificate != "" {
		fmt.Fprintf(w, "certificate: refused (%s); the page was fetched without verifying it\n", in.Certificate)
	}
	if in.Truncated {
		fmt.Fprintf(w, "truncated: the body was cut at the size cap; what follows is what was read before the cut\n")
	}
	if in.Repaired {
		fmt.Fprintf(w, "repaired: the HTML parser refused this page (nesting too deep, e.g. runaway unclosed <font> tags); it was read without the runaway tags\n")
	}
	if in.Redirect != "" {
		fmt.Fprintf(w, "redirect: %s (meta refresh, frame or script: the crawler reads that page instead)\n", in.Redirect)
	}
	for _, k := range sortedKeys(in.Meta) {
		fmt.Fprintf(w, "meta:     %s = %s\n", k, in.Meta[k])
	}
	if len(in.Columns) > 0 {
		fmt.Fprintf(w, "\ncolumn links (%d):\n", len(in.Columns))
		for _, c := range in.Columns {
			how := "contains"
			if c.Exact {
				how = "equals"
			}
			fmt.Fprintf(w, "  %-16s %q %s %q  %s\n", c.Column, c.Text, how, c.Matched, c.URL)
		}
	}
	if len(in.Hubs) > 0 {
		fmt.Fprintf(w, "\nhub links (%d): %s\n", len(in.Hubs), strings.Join(in.Hubs, " "))
	}
	fmt.Fprintf(w, "\nlist items (%d):\n", len(in.Items))
	for _, it := range in.Items {
		d := it.Date.String()
		if d == "" {
			d = "(no date) "
		}
		fmt.Fprintf(w, "  %s  %s  %s\n", d, it.Title, it.URL)
	}
	fmt.Fprintf(w, "\npagination (%d):\n", len(in.PageLinks))
	for _, p := range in.PageLinks {
		fmt.Fprintf(w, "  %s\n", p)
	}
	fmt.Fprintf(w, "\nfield labels (%d):\n", len(in.Labels))
	for _, l := range in.Labels {
		fmt.Fprintf(w, "  %s: %s\n", l.Label, l.Value)
	}
	if len(in.DocumentMeta) > 0 {
		fmt.Fprintf(w, "\ndocument metadata:\n")
		for _, k := range sortedKeys(in.DocumentMeta) {
			fmt.Fprintf(w, "  %s: %s\n", k, in.DocumentMeta[k])
		}
		fmt.Fprintf(w, "  (成文日期 %s, 发布日期 %s)\n", in.Written, in.Published)
	}
	if len(in.Quoted) > 0 {
		fmt.Fprintf(w, "\nquoted titles: 《%s》\n", strings.Join(in.Quoted, "》《"))
	}
	fmt.Fprintf(w, "\nlinks: %d, attachments: %d\n", in.Links, len(in.Attachments))
	if c := in.Content; c != nil {
		fmt.Fprintf(w, "\ncontent scan (%d characters; attachments not fetched here):\n", c.Runes)
		if len(c.Lists) > 0 {
			fmt.Fprintf(w, "  list words: %s\n", strings.Join(c.Lists, " "))
		}
		for _, g := range c.Personal {
			where := g.Part
			if g.Column != "" {
				where += " column " + g.Column
			}
			person := ""
			if g.PersonTable {
				person = ", in a table of persons"
			}
			fmt.Fprintf(w, "  %s%s ×%d  %s rows %v%s, beside %q  e.g. %s\n", g.Kind, g.Form, g.Count, where, g.Rows, person, strings.Join(g.Context, " "), g.Example)
		}
		for _, n := range c.Names {
			fmt.Fprintf(w, "  name %s: %d current, %d after 原, %d in 《》  %s\n", n.Name, n.Current, n.Former, n.Quoted, n.Context)
		}
	}
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
