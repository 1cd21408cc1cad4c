package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"gongkai/report"
)

// writeFile writes a file through fn: into a temporary file beside it,
// renamed into place once fn and the close succeed, so that a failed
// write never leaves half a workbook or PDF under the name asked for.
func writeFile(path string, fn func(io.Writer) error) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // after the rename, there is nothing to remove
	if err := fn(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// writeTo writes through fn to the file out, or to standard output when
// out is empty.
func writeTo(env Env, out string, fn func(io.Writer) error) error {
	if out == "" {
		return fn(env.Stdout)
	}
	return writeFile(out, fn)
}

func newExportCmd(env Env) *cobra.Command {
	var (
		dbPath, out, district string
		auditID               int64
		perUnit               bool
	)
	c := &cobra.Command{
		Use:   "export --out FILE.xlsx [--db FILE] [--audit N] [--per-unit]",
		Short: "Write an audit's ranking and problem list as one Excel workbook",
		Long: `export writes one Excel workbook (.xlsx) of an audit (the latest complete one
unless --audit is given), ready for Excel, WPS or LibreOffice: the sheets 排名
(ranking with dimension scores, grade, veto and changes since the previous
audit), 问题清单 (every problem with its unit, column, kind, detail, points,
basis, evidence link, fetch time, status and first seen; those resolved since
the previous audit at the end), 按类型 (counts and points by kind) and, with
--per-unit, one sheet per unit. Header rows are frozen and filters on;
numbers and dates are stored as such; crawled text is always text, never a
formula. Findings dismissed on review are left out.`,
		Example: `  gongkai export --db gongkai.db --out district.xlsx
  gongkai export --db gongkai.db --audit 3 --per-unit --out audit3.xlsx`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if out == "" {
				return usagef("--out is required: the workbook to write (district.xlsx)")
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
			wb, err := report.LoadWorkbook(ctx, db, a, sc, rs, district, perUnit)
			if err != nil {
				return err
			}
			if err := writeFile(out, func(w io.Writer) error { return report.WriteWorkbook(w, wb) }); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "audit %d (as of %s): %d units, %d problems in %s\n",
				a.ID, sc.AsOf, len(wb.Ranking.Rows), len(wb.Problems.Rows), out)
			return nil
		},
	}
	c.Flags().StringVar(&dbPath, "db", "gongkai.db", "SQLite database holding the audits")
	c.Flags().Int64Var(&auditID, "audit", 0, "audit id (default: the latest complete audit)")
	c.Flags().StringVar(&out, "out", "", "workbook to write (.xlsx)")
	c.Flags().BoolVar(&perUnit, "per-unit", false, "add one sheet per unit")
	c.Flags().StringVar(&district, "district", "", "district name in the workbook's title")
	return c
}
