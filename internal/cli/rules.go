package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"gongkai/rules"
)

func newRulesCmd(env Env) *cobra.Command {
	c := &cobra.Command{
		Use:   "rules",
		Short: "Check a ruleset, or write out the default one to edit",
	}
	check := &cobra.Command{
		Use:   "check [DIR|FILE]",
		Short: "Validate a ruleset offline; every problem is listed with file:line:col",
		Example: `  gongkai rules check ./myrules
  gongkai rules check          # the embedded default`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			dir := ""
			if len(args) == 1 {
				dir = args[0]
			}
			rs, err := loadRules(dir)
			if err != nil {
				if es, ok := err.(rules.Errors); ok {
					for _, e := range es {
						fmt.Fprintln(env.Stdout, e)
					}
					return fmt.Errorf("%d problem(s) in the ruleset", len(es))
				}
				return err
			}
			fmt.Fprintf(env.Stdout, "ok: %s %s (%d columns, %d indicators, %d checks; sha256 %s)\n",
				rs.Name, rs.Version, len(rs.Columns), len(rs.Indicators), len(rs.Checks), short(rs.Hash))
			return nil
		},
	}
	dump := &cobra.Command{
		Use:     "dump DIR",
		Short:   "Write the embedded default ruleset into DIR, to copy and edit",
		Example: `  gongkai rules dump ./myrules && $EDITOR ./myrules/checks.yaml && gongkai rules check ./myrules`,
		Args:    cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			files, err := rules.Dump(args[0])
			for _, f := range files {
				fmt.Fprintln(env.Stdout, f)
			}
			return err
		},
	}
	c.AddCommand(check, dump)
	return c
}
