// Package cli holds gongkai's commands: it turns flags into options, calls
// the packages that do the work, and writes their results. It reads nothing
// from the process directly (arguments, streams, clock and environment come
// in an Env), so the whole command line runs in tests.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"gongkai/evidence"
)

// Env is the outside world a command sees.
type Env struct {
	Stdout io.Writer
	Stderr io.Writer
	// StdoutTerminal and StderrTerminal say whether the streams are terminals.
	StdoutTerminal bool
	StderrTerminal bool
	// Now is the clock.
	Now func() time.Time
	// Getenv reads an environment variable.
	Getenv func(string) string
}

// OSEnv returns the process's own environment.
func OSEnv() Env {
	return Env{
		Stdout: os.Stdout, Stderr: os.Stderr,
		StdoutTerminal: isTerminal(os.Stdout), StderrTerminal: isTerminal(os.Stderr),
		Now: time.Now, Getenv: os.Getenv,
	}
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Exit codes.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

// usageError marks errors in how a command was called (exit code 2).
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// Main runs gongkai with args and returns the exit code.
func Main(ctx context.Context, args []string, env Env) int {
	root := NewRoot(env)
	root.SetArgs(args)
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	fmt.Fprintf(env.Stderr, "gongkai: %v\n", err)
	var ue *usageError
	if errors.As(err, &ue) || isCobraUsage(err) {
		return exitUsage
	}
	return exitError
}

// isCobraUsage recognises cobra's own argument and flag errors.
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand", "flag needs an argument", "invalid argument", "accepts ", "requires at least", "required flag"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

// NewRoot returns the root command with every subcommand.
func NewRoot(env Env) *cobra.Command {
	root := &cobra.Command{
		Use:   "gongkai",
		Short: "Audit government information disclosure websites like a third-party evaluator",
		Long: `gongkai audits the government-information-disclosure (政府信息公开) columns of a
district's units: it crawls each unit's site, judges what it finds against a
ruleset as of an audit date, keeps every audit in SQLite, and prints rankings,
problem lists and deduction notices.

Start with "gongkai demo", which audits a simulated district.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(
		newDemoCmd(env),
		newAuditCmd(env),
		newRescoreCmd(env),
		newProblemsCmd(env),
		newRankingCmd(env),
		newSimCmd(env),
		newInspectCmd(env),
		newAnnualReportCmd(env),
		newEvidenceCmd(env),
		newReviewCmd(env),
		newNoticesCmd(env),
		newReportCmd(env),
		newExportCmd(env),
		newServeCmd(env),
		newWorkerCmd(env),
		newRulesCmd(env),
		newDBCmd(env),
	)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &usageError{fmt.Errorf("%w\nRun '%s --help' for usage.", err, c.CommandPath())}
	})
	return root
}

// parseAsOf reads an --as-of date: YYYY-MM-DD, not after today.
func parseAsOf(s string, now time.Time) (evidence.Date, error) {
	today := evidence.DateOf(now)
	if s == "" {
		return today, nil
	}
	d, err := evidence.ParseDate(s)
	if err != nil {
		return evidence.Date{}, usagef("--as-of: %v", err)
	}
	if d.After(today) {
		return evidence.Date{}, usagef("--as-of %s is in the future (today is %s): an audit judges what a site showed on or before its date", d, today)
	}
	return d, nil
}

// logger returns a text logger on stderr at the level the verbosity asks.
func logger(env Env, verbose bool) *slog.Logger {
	level := slog.LevelWarn
	if verbose {
		level = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: level}))
}
