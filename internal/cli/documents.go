package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/spf13/cobra"

	"gongkai/evidence"
	"gongkai/internal/browser"
	"gongkai/report"
	"gongkai/rules"
	"gongkai/store"
)

// loadDocumentData returns what the notices and the evaluation report are
// made from: the audit, its current scoring, the roster, and the ruleset
// the scoring used (kept in the database), for names of columns,
// dimensions, grades and unit types.
func loadDocumentData(ctx context.Context, db *store.DB, auditID int64) (*store.Audit, *store.Scoring, map[string]evidence.Unit, *rules.Ruleset, error) {
	a, err := pickAudit(ctx, db, auditID)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	sc, err := db.CurrentScoring(ctx, a.ID)
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("audit %d has no scoring (it stopped early): %w", a.ID, err)
	}
	roster, err := db.Units(ctx, a.ID)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	units := map[string]evidence.Unit{}
	for _, u := range roster {
		units[u.ID] = u
	}
	rs, err := rulesetOf(ctx, db, sc)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	return a, sc, units, rs, nil
}

// rulesetOf returns the ruleset scoring sc used when the database keeps it,
// else the default one: the names of columns, dimensions, grades and unit
// types come from it.
func rulesetOf(ctx context.Context, db *store.DB, sc *store.Scoring) (*rules.Ruleset, error) {
	if files, ferr := db.RulesetFiles(ctx, sc.RulesetHash); ferr == nil {
		var rf []rules.File
		for _, f := range files {
			rf = append(rf, rules.File{Name: f.Name, Data: f.Data})
		}
		if kept, perr := rules.Parse(rf); perr == nil {
			return kept, nil
		}
	}
	return rules.Default()
}

func newNoticesCmd(env Env) *cobra.Command {
	var (
		dbPath, out, lang, district, browserPath string
		auditID                                  int64
		deadline                                 int
		pdf, screenshots                         bool
	)
	c := &cobra.Command{
		Use:   "notices --out DIR [--db FILE] [--audit N] [--lang zh|en] [--deadline DAYS] [--pdf] [--screenshots]",
		Short: "Write a deduction notice (扣分通知书) for every unit that lost points",
		Long: `notices writes, for every unit that lost points in an audit (the latest
complete one unless --audit is given), a print-ready A4 HTML notice and a
Markdown notice: its number, the audit and as-of dates, each problem with its
evidence URL and fetch time, points and basis, the total deducted, score, grade
and rank, the rectification deadline, and the problems repeated from the
previous audit marked as such. It also writes all-notices.html to print them
all at once. Findings dismissed on review are left out.

With --pdf each notice is also printed to an A4 PDF beside its HTML, with
the notice number and page numbers in the footer; with --screenshots each
problem's evidence cell shows a picture of the page as it was fetched,
rendered from the stored body with nothing fetched again. Both use headless
Chromium (Debian's chromium, and a Chinese font such as fonts-wqy-microhei);
without it the HTML and Markdown are written and the command says what to
install.`,
		Example: `  gongkai notices --db gongkai.db --out notices/
  gongkai notices --db gongkai.db --out notices/ --pdf --screenshots
  gongkai notices --db gongkai.db --out notices-en/ --lang en --deadline 10`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if out == "" {
				return usagef("--out is required: the directory to write the notices into")
			}
			if err := checkFormat(lang, "zh", "en"); err != nil {
				return usagef("--lang %q: want zh or en", lang)
			}
			if deadline < 0 || deadline > 365 {
				return usagef("--deadline %d: want 1 to 365 days", deadline)
			}
			ctx := c.Context()
			db, err := openExisting(ctx, dbPath)
			if err != nil {
				return err
			}
			defer db.Close()
			a, sc, units, rs, err := loadDocumentData(ctx, db, auditID)
			if err != nil {
				return err
			}
			scores, err := db.Scores(ctx, sc.ID)
			if err != nil {
				return err
			}
			found, err := db.Findings(ctx, sc.ID, store.FindingFilter{Dismissed: "exclude"})
			if err != nil {
				return err
			}
			notices := report.BuildNotices(report.NoticeInput{
				District: district, Audit: *a, Scoring: *sc, Scores: scores, Findings: found,
				Units: units, Columns: rs.Columns, DeadlineDays: deadline, Lang: lang,
			})
			var (
				br            *browser.Browser
				brErr         error
				thumbs, fails int
			)
			if pdf || screenshots {
				if br, brErr = startBrowser(ctx, env, browserPath); brErr == nil {
					defer br.Close()
				} else if !errors.Is(brErr, browser.ErrNoBrowser) {
					return brErr
				}
			}
			if screenshots && br != nil {
				if thumbs, fails, err = addThumbnails(ctx, db, br, notices); err != nil {
					return err
				}
			}
			if err := os.MkdirAll(out, 0o755); err != nil {
				return fmt.Errorf("notices: %w", err)
			}
			write := func(name string, fn func(*os.File) error) error {
				f, err := os.Create(filepath.Join(out, name))
				if err != nil {
					return fmt.Errorf("notices: %w", err)
				}
				if err := fn(f); err != nil {
					f.Close()
					return fmt.Errorf("notices: write %s: %w", name, err)
				}
				return f.Close()
			}
			for _, n := range notices {
				if err := write(n.FileName()+".html", func(f *os.File) error { return report.WriteNoticeHTML(f, n) }); err != nil {
					return err
				}
				if err := write(n.FileName()+".md", func(f *os.File) error { return report.WriteNoticeMarkdown(f, n) }); err != nil {
					return err
				}
			}
			if err := write("all-notices.html", func(f *os.File) error { return report.WriteNoticesHTML(f, notices) }); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "%d notices for audit %d (as of %s) in %s; print them all from %s\n",
				len(notices), a.ID, sc.AsOf, out, filepath.Join(out, "all-notices.html"))
			if screenshots && br != nil {
				fmt.Fprintf(env.Stdout, "%d problems show a picture of their evidence page", thumbs)
				if fails > 0 {
					fmt.Fprintf(env.Stdout, " (%d stored pages could not be rendered: not HTML, or too broken)", fails)
				}
				fmt.Fprintln(env.Stdout)
			}
			if pdf && br != nil {
				if err := printNotices(ctx, br, notices, out); err != nil {
					return fmt.Errorf("notices: %w", err)
				}
				fmt.Fprintf(env.Stdout, "%d PDF notices in %s\n", len(notices), out)
			}
			if brErr != nil {
				return noBrowser(brErr, "the HTML notices are in "+out)
			}
			return nil
		},
	}
	c.Flags().StringVar(&dbPath, "db", "gongkai.db", "SQLite database holding the audits")
	c.Flags().Int64Var(&auditID, "audit", 0, "audit id (default: the latest complete audit)")
	c.Flags().StringVar(&out, "out", "", "directory to write the notices into")
	c.Flags().StringVar(&lang, "lang", "zh", "language of the notices: zh or en")
	c.Flags().IntVar(&deadline, "deadline", report.DefaultDeadlineDays, "days from the audit date to rectify")
	c.Flags().StringVar(&district, "district", "", "district name on the notices (default: 本区)")
	c.Flags().BoolVar(&pdf, "pdf", false, "also print each notice to an A4 PDF (headless Chromium)")
	c.Flags().BoolVar(&screenshots, "screenshots", false, "show a picture of each problem's evidence page, as fetched (headless Chromium)")
	browserFlag(c, &browserPath)
	_ = c.MarkFlagDirname("out")
	_ = c.RegisterFlagCompletionFunc("lang", fixedCompletion("zh", "en"))
	return c
}

func newReportCmd(env Env) *cobra.Command {
	var (
		dbPath, out, lang, district, browserPath string
		auditID                                  int64
		pdf                                      bool
	)
	c := &cobra.Command{
		Use:   "report --out FILE.html [--db FILE] [--audit N] [--lang zh|en] [--pdf]",
		Short: "Write the district's evaluation report (评估报告) as one printable HTML file",
		Long: `report writes the evaluation report of an audit (the latest complete one unless
--audit is given): the ranking with changes since the previous audit, the grade
distribution, scores by dimension, the most frequent problems, the units that
improved or fell back, and an appendix by unit, with charts as inline SVG and
no external assets, ready to print. With --pdf it is also printed to an A4
PDF beside the HTML (evaluation.pdf), with page numbers, by headless
Chromium (Debian's chromium).`,
		Example: `  gongkai report --db gongkai.db --out evaluation.html
  gongkai report --db gongkai.db --out evaluation.html --pdf`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if out == "" {
				return usagef("--out is required: the HTML file to write")
			}
			if err := checkFormat(lang, "zh", "en"); err != nil {
				return usagef("--lang %q: want zh or en", lang)
			}
			ctx := c.Context()
			db, err := openExisting(ctx, dbPath)
			if err != nil {
				return err
			}
			defer db.Close()
			a, sc, _, rs, err := loadDocumentData(ctx, db, auditID)
			if err != nil {
				return err
			}
			scores, err := db.Scores(ctx, sc.ID)
			if err != nil {
				return err
			}
			prev, err := db.PreviousScores(ctx, a.ID)
			if err != nil {
				return err
			}
			found, err := db.Findings(ctx, sc.ID, store.FindingFilter{Dismissed: "exclude"})
			if err != nil {
				return err
			}
			resolved, err := db.ResolvedFindings(ctx, sc.ID)
			if err != nil {
				return err
			}
			ev := report.BuildEvaluation(report.EvaluationInput{
				District: district, Audit: *a, Scoring: *sc, Scores: scores, Previous: prev,
				Findings: found, Resolved: resolved, Dimensions: rs.Dimensions, Grades: rs.Grades,
				UnitTypes: rs.UnitTypes, Lang: lang,
			})
			var html bytes.Buffer
			if err := report.WriteEvaluationHTML(&html, ev); err != nil {
				return fmt.Errorf("report: %w", err)
			}
			if err := writeFile(out, func(w io.Writer) error { _, err := w.Write(html.Bytes()); return err }); err != nil {
				return fmt.Errorf("report: %w", err)
			}
			fmt.Fprintf(env.Stdout, "evaluation report of audit %d (as of %s, %d units) in %s\n", a.ID, sc.AsOf, len(scores), out)
			if !pdf {
				return nil
			}
			br, err := startBrowser(ctx, env, browserPath)
			if errors.Is(err, browser.ErrNoBrowser) {
				return noBrowser(err, "the HTML report is in "+out)
			} else if err != nil {
				return err
			}
			defer br.Close()
			footer := district + "政府信息公开评估报告"
			if lang == "en" {
				footer = "Evaluation report, audit " + strconv.FormatInt(a.ID, 10)
			}
			doc, err := br.PDF(ctx, browser.Document{HTML: html.Bytes(), Footer: footer, Lang: lang})
			if err != nil {
				return fmt.Errorf("report: %w", err)
			}
			if err := writeFile(pdfPath(out), func(w io.Writer) error { _, err := w.Write(doc); return err }); err != nil {
				return fmt.Errorf("report: %w", err)
			}
			fmt.Fprintf(env.Stdout, "printed to %s\n", pdfPath(out))
			return nil
		},
	}
	c.Flags().StringVar(&dbPath, "db", "gongkai.db", "SQLite database holding the audits")
	c.Flags().Int64Var(&auditID, "audit", 0, "audit id (default: the latest complete audit)")
	c.Flags().StringVar(&out, "out", "", "HTML file to write")
	c.Flags().StringVar(&lang, "lang", "zh", "language: zh or en")
	c.Flags().StringVar(&district, "district", "", "district name in the title (default: 本区)")
	c.Flags().BoolVar(&pdf, "pdf", false, "also print the report to an A4 PDF beside the HTML (headless Chromium)")
	browserFlag(c, &browserPath)
	_ = c.RegisterFlagCompletionFunc("lang", fixedCompletion("zh", "en"))
	return c
}
