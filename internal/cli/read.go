package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"gongkai/report"
	"gongkai/store"
)

func newProblemsCmd(env Env) *cobra.Command {
	var (
		dbPath, format, lang, out   string
		auditID                     int64
		filter                      store.FindingFilter
		bom, withDismissed, perUnit bool
	)
	c := &cobra.Command{
		Use:   "problems [--db FILE] [--audit N] [--format json|csv|md|xlsx] [--out FILE]",
		Short: "Print the problem list (问题清单) of an audit",
		Long: `problems prints every finding of an audit (the latest complete audit unless
--audit is given) with its id, rule, evidence URL, points, basis and status
against the previous complete audit: new, persisting, or resolved.

With --format xlsx it writes an Excel workbook (--out is required): the
sheet 问题清单 (every problem with its unit, column, kind, detail, points,
basis, evidence link, fetch time, status and first seen), 按类型 (counts
and points by kind) and, with --per-unit, one sheet per unit; header rows
frozen, filters on, numbers and dates stored as such.`,
		Example: `  gongkai problems --db gongkai.db --format json
  gongkai problems --db gongkai.db --unit finance --format md
  gongkai problems --db gongkai.db --kind link.broken --format csv --bom > links.csv
  gongkai problems --db gongkai.db --format xlsx --per-unit --out problems.xlsx`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if err := checkFormat(format, "json", "csv", "md", "xlsx"); err != nil {
				return err
			}
			if format == "xlsx" && out == "" {
				return usagef("--out is required with --format xlsx: a workbook is a binary file")
			}
			if perUnit && format != "xlsx" {
				return usagef("--per-unit goes with --format xlsx")
			}
			if err := checkFormat(lang, "zh", "en"); err != nil {
				return usagef("--lang %q: want zh or en", lang)
			}
			switch filter.Status {
			case "", store.FindingNew, store.FindingPersisting, store.FindingResolved:
			default:
				return usagef("--status %q: want new, persisting or resolved", filter.Status)
			}
			switch filter.Severity {
			case "", "veto", "deduction", "notice":
			default:
				return usagef("--severity %q: want veto, deduction or notice", filter.Severity)
			}
			ctx := c.Context()
			db, a, sc, err := openScoring(ctx, dbPath, auditID)
			if err != nil {
				return err
			}
			defer db.Close()
			filter.Dismissed = "exclude"
			if withDismissed {
				filter.Dismissed = ""
			}
			found, err := db.Findings(ctx, sc.ID, filter)
			if err != nil {
				return err
			}
			if filter.Status == "" {
				resolved, err := db.ResolvedFindings(ctx, sc.ID)
				if err != nil {
					return err
				}
				for _, r := range resolved {
					if (filter.Unit == "" || r.Unit == filter.Unit) && (filter.Kind == "" || string(r.Kind) == filter.Kind) && (filter.Severity == "" || r.Severity == filter.Severity) {
						found = append(found, r)
					}
				}
			}
			if format == "xlsx" {
				rs, err := rulesetOf(ctx, db, sc)
				if err != nil {
					return err
				}
				wb := report.Workbook{
					Title:    "问题清单",
					Subject:  fmt.Sprintf("审计 %d，评估基准日 %s", a.ID, sc.AsOf),
					Problems: &report.ProblemTable{Rows: report.ProblemsFrom(found), ColumnNames: report.ColumnNames(rs), PerUnit: perUnit},
				}
				if err := writeFile(out, func(w io.Writer) error { return report.WriteWorkbook(w, wb) }); err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "%d problems of audit %d (as of %s) in %s\n", len(found), a.ID, sc.AsOf, out)
				return nil
			}
			scores, err := db.Scores(ctx, sc.ID)
			if err != nil {
				return err
			}
			return writeTo(env, out, func(w io.Writer) error {
				return report.WriteProblems(w, format, report.ProblemsFrom(found), report.Options{
					Lang: lang, BOM: bom, Units: report.SummariesFrom(scores),
					Title: fmt.Sprintf("问题清单：审计 %d（评估日 %s）", a.ID, sc.AsOf),
				})
			})
		},
	}
	c.Flags().StringVar(&dbPath, "db", "gongkai.db", "SQLite database holding the audits")
	c.Flags().Int64Var(&auditID, "audit", 0, "audit id (default: the latest complete audit)")
	c.Flags().StringVar(&format, "format", "md", "output: json, csv, md or xlsx")
	c.Flags().StringVar(&out, "out", "", "file to write (default: standard output; required for xlsx)")
	c.Flags().BoolVar(&perUnit, "per-unit", false, "xlsx: add one sheet per unit")
	c.Flags().StringVar(&lang, "lang", "zh", "headings in zh or en (md)")
	c.Flags().BoolVar(&bom, "bom", false, "start CSV with a UTF-8 byte-order mark (for spreadsheet programs)")
	c.Flags().StringVar(&filter.Unit, "unit", "", "only this unit id")
	c.Flags().StringVar(&filter.Kind, "kind", "", "only this finding kind (e.g. column.stale)")
	c.Flags().StringVar(&filter.Severity, "severity", "", "only veto, deduction or notice")
	c.Flags().StringVar(&filter.Status, "status", "", "only new, persisting or resolved")
	c.Flags().BoolVar(&withDismissed, "include-dismissed", false, "also list findings dismissed on review")
	_ = c.RegisterFlagCompletionFunc("format", fixedCompletion("json", "csv", "md", "xlsx"))
	_ = c.RegisterFlagCompletionFunc("severity", fixedCompletion("veto", "deduction", "notice"))
	_ = c.RegisterFlagCompletionFunc("status", fixedCompletion("new", "persisting", "resolved"))
	_ = c.RegisterFlagCompletionFunc("lang", fixedCompletion("zh", "en"))
	return c
}

// openScoring opens an existing database and returns the audit asked for
// (the latest complete one when auditID is 0) with its current scoring.
func openScoring(ctx context.Context, dbPath string, auditID int64) (*store.DB, *store.Audit, *store.Scoring, error) {
	db, err := openExisting(ctx, dbPath)
	if err != nil {
		return nil, nil, nil, err
	}
	a, err := pickAudit(ctx, db, auditID)
	if err != nil {
		db.Close()
		return nil, nil, nil, err
	}
	sc, err := db.CurrentScoring(ctx, a.ID)
	if err != nil {
		db.Close()
		return nil, nil, nil, fmt.Errorf("audit %d has no scoring (it stopped early): %w", a.ID, err)
	}
	return db, a, sc, nil
}

func newRankingCmd(env Env) *cobra.Command {
	var (
		dbPath, format, out string
		auditID             int64
		bom                 bool
	)
	c := &cobra.Command{
		Use:   "ranking [--db FILE] [--audit N] [--format text|json|csv|md|xlsx] [--out FILE]",
		Short: "Print the ranking of an audit, with changes since the previous one",
		Long: `ranking prints the ranking of an audit (the latest complete one unless
--audit is given): rank, score, grade, veto, the score in each dimension and
the change of score and rank since the previous complete audit. With
--format xlsx it writes the sheet 排名 of an Excel workbook (--out is
required).`,
		Example: `  gongkai ranking --db gongkai.db
  gongkai ranking --db gongkai.db --format csv --bom > ranking.csv
  gongkai ranking --db gongkai.db --format xlsx --out ranking.xlsx`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if err := checkFormat(format, "text", "json", "csv", "md", "xlsx"); err != nil {
				return err
			}
			if format == "xlsx" && out == "" {
				return usagef("--out is required with --format xlsx: a workbook is a binary file")
			}
			ctx := c.Context()
			db, a, sc, err := openScoring(ctx, dbPath, auditID)
			if err != nil {
				return err
			}
			defer db.Close()
			scores, err := db.Scores(ctx, sc.ID)
			if err != nil {
				return err
			}
			prev, err := db.PreviousScores(ctx, a.ID)
			if err != nil {
				return err
			}
			rows := report.RankingFrom(scores, prev)
			dims := report.DimensionsFrom(scores)
			switch format {
			case "xlsx":
				rs, err := rulesetOf(ctx, db, sc)
				if err != nil {
					return err
				}
				wb := report.Workbook{
					Title:   "排名",
					Subject: fmt.Sprintf("审计 %d，评估基准日 %s", a.ID, sc.AsOf),
					Ranking: &report.RankingTable{Rows: rows, Dimensions: dims, TypeNames: report.TypeNames(rs)},
				}
				if err := writeFile(out, func(w io.Writer) error { return report.WriteWorkbook(w, wb) }); err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "ranking of audit %d (as of %s, %d units) in %s\n", a.ID, sc.AsOf, len(rows), out)
				return nil
			case "text":
				return writeTo(env, out, func(w io.Writer) error { return report.WriteRankingText(w, rows, dims, report.Options{}) })
			}
			return writeTo(env, out, func(w io.Writer) error {
				return report.WriteRanking(w, format, rows, dims, report.Options{BOM: bom})
			})
		},
	}
	c.Flags().StringVar(&dbPath, "db", "gongkai.db", "SQLite database holding the audits")
	c.Flags().Int64Var(&auditID, "audit", 0, "audit id (default: the latest complete audit)")
	c.Flags().StringVar(&format, "format", "text", "output: text, json, csv, md or xlsx")
	c.Flags().StringVar(&out, "out", "", "file to write (default: standard output; required for xlsx)")
	c.Flags().BoolVar(&bom, "bom", false, "start CSV with a UTF-8 byte-order mark")
	_ = c.RegisterFlagCompletionFunc("format", fixedCompletion("text", "json", "csv", "md", "xlsx"))
	return c
}
