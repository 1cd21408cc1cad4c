package cli

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"gongkai/audit"
	"gongkai/crawler"
	"gongkai/report"
	"gongkai/store"
)

func newDemoCmd(env Env) *cobra.Command {
	var (
		sf      simFlags
		dbPath  string
		verbose bool
		cf      crawlFlags
	)
	c := &cobra.Command{
		Use:   "demo [--db FILE]",
		Short: "Audit the embedded simulated district and show what gongkai finds",
		Long: `demo starts the simulated district in this process, audits it as of the
sim's date with the default ruleset, writes a fresh database (gongkai-demo.db
unless --db says otherwise), prints the ranking and the problems by kind, and
the commands to look further.`,
		Example: `  go run ./cmd/gongkai demo
  gongkai demo --db /tmp/demo.db --seed 7`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			ctx := c.Context()
			cfg, fleet, err := sf.start()
			if err != nil {
				return err
			}
			defer fleet.Close()
			for _, p := range []string{dbPath, dbPath + "-wal", dbPath + "-shm"} {
				if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
					return fmt.Errorf("remove old demo database: %w", err)
				}
			}
			uf := fleet.UnitsFile()
			co, err := audit.CrawlOptions(crawler.Options{Settings: crawler.Settings{ReachSpacing: 200 * time.Millisecond, RetryBase: 100 * time.Millisecond}}, uf)
			if err != nil {
				return err
			}
			co = cf.apply(c, co)
			stop, err := cf.profile()
			if err != nil {
				return err
			}
			defer stop()
			fmt.Fprintf(env.Stdout, "Simulated district %s: %d units on loopback (seed %d, as of %s)\n\n", uf.District, len(uf.Units), cfg.Seed, cfg.AsOf)
			if err := runAudit(ctx, env, auditRun{units: uf, rules: cfg.Rules, asOf: cfg.AsOf, dbPath: dbPath, crawl: co, format: "text", verbose: verbose, note: "demo"}); err != nil {
				return err
			}
			db, err := store.Open(ctx, dbPath)
			if err != nil {
				return err
			}
			defer db.Close()
			a, err := db.LatestAudit(ctx, true)
			if err != nil {
				return err
			}
			sc, err := db.CurrentScoring(ctx, a.ID)
			if err != nil {
				return err
			}
			found, err := db.Findings(ctx, sc.ID, store.FindingFilter{})
			if err != nil {
				return err
			}
			fmt.Fprintln(env.Stdout, "\nProblems by kind:")
			if err := report.WriteKindsText(env.Stdout, report.ProblemsByKind(report.ProblemsFrom(found)), report.Options{}); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, `
Look further:
  gongkai problems --db %[1]s --format md              # the problem list by unit
  gongkai problems --db %[1]s --format json            # the same, as JSON (docs/spec.md#problem-list)
  gongkai problems --db %[1]s --kind column.stale      # one kind of problem
  gongkai ranking  --db %[1]s --format csv --bom       # the ranking for a spreadsheet
  gongkai rescore  --db %[1]s --rules ./myrules        # judge again with an edited ruleset
  gongkai sim --units-out units.yaml --truth-out truth.json   # serve the district to audit yourself
`, dbPath)
			return nil
		},
	}
	sf.register(c)
	cf.register(c)
	c.Flags().StringVar(&dbPath, "db", "gongkai-demo.db", "database to write (replaced if it exists)")
	c.Flags().BoolVarP(&verbose, "verbose", "v", false, "log each unit as it is audited")
	return c
}
