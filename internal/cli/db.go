package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"gongkai/store"
)

func newDBCmd(env Env) *cobra.Command {
	c := &cobra.Command{
		Use:   "db",
		Short: "Look after the database: prune old evidence, back up, check, measure",
		Long: `db looks after the SQLite database that serve and audit write, while they
write it: prune removes the evidence of old audits (findings, scores and
history stay), backup makes a consistent copy, check runs SQLite's integrity
checks and compares the schema version with this gongkai's, stats says where
the bytes go. See docs/database.md.`,
		Args: cobra.NoArgs,
	}
	c.AddCommand(newDBPruneCmd(env), newDBBackupCmd(env), newDBCheckCmd(env), newDBStatsCmd(env))
	return c
}

func newDBPruneCmd(env Env) *cobra.Command {
	var (
		dbPath         string
		keep           int
		keepAudits     []int64
		dryRun, vacuum bool
	)
	c := &cobra.Command{
		Use:   "prune --db FILE --keep N [--keep-audit ID]... [--dry-run] [--vacuum]",
		Short: "Remove the evidence of old audits, keeping findings, scores and history",
		Long: `prune removes the bulky evidence (every request's record, the kept pages and
the serialised evidence of each unit) of audits older than the --keep latest
complete audits. Findings, scores, reviews, rosters and history are never
pruned, so rankings, problem lists, notices, reports, trends and review
decisions of old audits work as before; a pruned audit can no longer be
re-scored, and "evidence ID" of its findings says that its requests were
pruned.

Kept whole, besides the --keep latest complete audits: audits named with
--keep-audit, a running audit, and the latest audit when it is incomplete
(audit --resume needs it). Of every other audit, the evidence of a unit is
kept when a problem still open in the latest complete audit was first seen
there, or when a person reviewed one of its findings there.

prune runs beside serve: it removes one unit per transaction, so an audit
writing meanwhile waits milliseconds at most. Freed pages are given back to
the file system at once on databases created by this gongkai (incremental
vacuum); on older ones they are reused by the next audits, and --vacuum
rebuilds the file (it needs the database to itself: stop serve first).`,
		Example: `  gongkai db prune --db gongkai.db --keep 8 --dry-run
  gongkai db prune --db gongkai.db --keep 8
  gongkai db prune --db gongkai.db --keep 8 --keep-audit 31 --vacuum`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if !c.Flags().Changed("keep") {
				return usagef("--keep is required: how many of the latest complete audits keep all their evidence (at least 1)")
			}
			if keep < 1 {
				return usagef("--keep %d: keep at least the latest complete audit (1)", keep)
			}
			if dryRun && vacuum {
				return usagef("--vacuum with --dry-run: a dry run changes nothing")
			}
			ctx := c.Context()
			db, err := openExisting(ctx, dbPath)
			if err != nil {
				return err
			}
			defer db.Close()
			for _, id := range keepAudits {
				if _, err := db.Audit(ctx, id); err != nil {
					return usagef("--keep-audit %d: %v", id, err)
				}
			}
			return runPrune(ctx, env.Stdout, db, store.PruneOptions{Keep: keep, KeepAudits: keepAudits}, dryRun, vacuum, env.Now())
		},
	}
	c.Flags().StringVar(&dbPath, "db", "gongkai.db", "SQLite database to prune")
	c.Flags().IntVar(&keep, "keep", 0, "how many of the latest complete audits keep all their evidence (required, at least 1)")
	c.Flags().Int64SliceVar(&keepAudits, "keep-audit", nil, "an audit `id` whose evidence is kept whole (repeat, or comma-separated)")
	// pflag takes "[]" for a default only on some slice types: an empty
	// int64 slice would print "(default [])".
	c.Flags().Lookup("keep-audit").DefValue = ""
	c.Flags().BoolVar(&dryRun, "dry-run", false, "print what would be removed, and change nothing")
	c.Flags().BoolVar(&vacuum, "vacuum", false, "rebuild the file with VACUUM afterwards (needs the database to itself: stop serve)")
	_ = c.MarkFlagFilename("db", "db")
	return c
}

func runPrune(ctx context.Context, w io.Writer, db *store.DB, o store.PruneOptions, dryRun, vacuum bool, now time.Time) error {
	plan, err := db.Plan(ctx, o)
	if err != nil {
		return err
	}
	for _, ap := range plan.Audits {
		writePrunePlan(w, ap, o.Keep)
	}
	audits, fetches := 0, int64(0)
	for _, ap := range plan.Audits {
		if len(ap.Prune) > 0 {
			audits++
		}
		fetches += ap.Fetches
	}
	what := fmt.Sprintf("the evidence of %d units of %d audits: %s fetch rows, %d stored pages, about %s",
		plan.Units(), audits, count(fetches), plan.Bodies, mb(plan.Bytes()))
	if dryRun {
		fmt.Fprintf(w, "dry run: would remove %s; nothing changed\n", what)
		return nil
	}
	if plan.Units() == 0 && !vacuum {
		fmt.Fprintf(w, "nothing to prune\n")
		return nil
	}
	before, err := db.Info(ctx)
	if err != nil {
		return err
	}
	res, err := db.Prune(ctx, plan, now, nil)
	if res != nil && res.Units > 0 {
		fmt.Fprintf(w, "removed the evidence of %d units: %s fetch rows, %d stored pages, %s of serialised evidence and pages\n",
			res.Units, count(res.Fetches), res.Bodies, mb(res.EvidenceBytes+res.BodyBytes))
	}
	for _, id := range res.Skipped {
		fmt.Fprintf(w, "audit %d was left alone: it was running when its turn came\n", id)
	}
	if err != nil {
		return err
	}
	freed, err := db.Info(ctx)
	if err != nil {
		return err
	}
	freedBytes := (freed.FreePages - before.FreePages) * freed.PageSize
	if vacuum {
		if err := db.Vacuum(ctx); err != nil {
			if errors.Is(err, store.ErrBusy) {
				return fmt.Errorf("%w\nthe evidence is pruned; its %s of free pages are reused by the next audits. To shrink the file, stop gongkai serve (and any audit) and run \"gongkai db prune --keep %d --vacuum\" again", err, mb(freed.FreePages*freed.PageSize), o.Keep)
			}
			return err
		}
		after, err := db.Info(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "database: %s → %s (VACUUM; auto_vacuum now %s)\n", mb(before.Bytes()), mb(after.Bytes()), after.AutoVacuum)
		return nil
	}
	given, err := db.Reclaim(ctx, 1024)
	switch {
	case errors.Is(err, store.ErrNoIncrementalVacuum):
		fmt.Fprintf(w, "freed %s; the file keeps its size (%s, of which %s free pages the next audits reuse):\n"+
			"it was created without incremental vacuum; \"gongkai db prune --keep %d --vacuum\" with serve stopped shrinks it once and switches it on\n",
			mb(freedBytes), mb(freed.Bytes()), mb(freed.FreePages*freed.PageSize), o.Keep)
	case err != nil:
		return err
	default:
		after, err := db.Info(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "freed %s; database: %s → %s (incremental vacuum gave %s pages back)\n",
			mb(freedBytes), mb(before.Bytes()), mb(after.Bytes()), count(given))
	}
	return nil
}

// writePrunePlan prints what a prune does to one audit.
func writePrunePlan(w io.Writer, ap store.AuditPrune, keep int) {
	a := ap.Audit
	fmt.Fprintf(w, "audit %d (as of %s, %s): ", a.ID, a.AsOf, a.Status)
	switch {
	case ap.Kept == store.KeepLatest:
		if keep == 1 {
			fmt.Fprintf(w, "kept: the latest complete audit\n")
		} else {
			fmt.Fprintf(w, "kept: one of the %d latest complete audits\n", keep)
		}
		return
	case ap.Kept != "":
		fmt.Fprintf(w, "kept: %s\n", ap.Kept)
		return
	case len(ap.Prune) == 0:
		fmt.Fprintf(w, "kept: every unit's evidence backs an open or reviewed finding")
	default:
		of := len(ap.Prune) + len(ap.KeepUnits)
		fmt.Fprintf(w, "prune %d of %d units (%s fetch rows, %s)", len(ap.Prune), of, count(ap.Fetches), mb(ap.EvidenceBytes+ap.FetchBytes))
		if a.Status == store.AuditIncomplete {
			fmt.Fprintf(w, ", incomplete and not the latest: audit --resume cannot reach it")
		}
	}
	if len(ap.KeepUnits) > 0 {
		byWhy := map[string][]string{}
		for u, why := range ap.KeepUnits {
			byWhy[why] = append(byWhy[why], u)
		}
		var parts []string
		for _, why := range []string{store.KeepOpen, store.KeepReviewed} {
			us := byWhy[why]
			if len(us) == 0 {
				continue
			}
			sort.Strings(us)
			list := strings.Join(us[:min(len(us), 5)], ", ")
			if len(us) > 5 {
				list += fmt.Sprintf(" and %d more", len(us)-5)
			}
			parts = append(parts, fmt.Sprintf("%d where %s (%s)", len(us), why, list))
		}
		fmt.Fprintf(w, "; keep %s", strings.Join(parts, "; "))
	}
	fmt.Fprintln(w)
}

func newDBBackupCmd(env Env) *cobra.Command {
	var (
		dbPath, out string
		force       bool
	)
	c := &cobra.Command{
		Use:   "backup --db FILE --out FILE [--force]",
		Short: "Write a consistent copy of the database, also while serve writes it",
		Long: `backup copies the database with SQLite's VACUUM INTO: one read transaction,
so serve and audit go on writing while it runs, and the copy holds what was
committed when it began. The copy is compact, one file, written under a
temporary name beside --out, synced, checked (integrity_check, foreign keys,
schema version) and only then named --out. An existing --out is refused
unless --force. The database is not migrated: the copy has its schema version.`,
		Example: `  gongkai db backup --db gongkai.db --out /backup/gongkai-$(date +%F).db`,
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if out == "" {
				return usagef("--out is required: the file to write the copy to")
			}
			ctx := c.Context()
			if _, err := os.Stat(dbPath); err != nil {
				return fmt.Errorf("no database at %s: %w", dbPath, err)
			}
			db, err := store.OpenReadOnly(ctx, dbPath)
			if err != nil {
				return err
			}
			defer db.Close()
			start := env.Now()
			info, err := db.Backup(ctx, out, force)
			if errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("--out %s exists: give --force to replace it", out)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "backup of %s written to %s: %s, schema version %d, integrity ok (%s)\n",
				dbPath, out, mb(info.Bytes()), info.SchemaVersion, env.Now().Sub(start).Round(time.Millisecond))
			return nil
		},
	}
	c.Flags().StringVar(&dbPath, "db", "gongkai.db", "SQLite database to copy")
	c.Flags().StringVar(&out, "out", "", "file to write the copy to (required)")
	c.Flags().BoolVar(&force, "force", false, "replace --out when it exists")
	_ = c.MarkFlagFilename("db", "db")
	_ = c.MarkFlagFilename("out", "db")
	return c
}

func newDBCheckCmd(env Env) *cobra.Command {
	var (
		dbPath string
		quick  bool
	)
	c := &cobra.Command{
		Use:   "check --db FILE [--quick]",
		Short: "Check the database's integrity and schema version",
		Long: `check opens the database read-only (it migrates nothing), runs SQLite's
PRAGMA integrity_check (quick_check with --quick: faster on a large file, it
does not check that indexes match their tables) and foreign_key_check, and
compares the schema version with this gongkai's. It exits 1 when it finds a
problem, each printed with what to do.`,
		Example: `  gongkai db check --db gongkai.db
  gongkai db check --db /backup/gongkai-2026-11-27.db --quick`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if _, err := os.Stat(dbPath); err != nil {
				return fmt.Errorf("no database at %s: %w", dbPath, err)
			}
			return runCheck(c.Context(), env.Stdout, dbPath, quick)
		},
	}
	c.Flags().StringVar(&dbPath, "db", "gongkai.db", "SQLite database to check")
	c.Flags().BoolVar(&quick, "quick", false, "quick_check instead of integrity_check")
	_ = c.MarkFlagFilename("db", "db")
	return c
}

// restoreHint is what to do with a damaged file.
const restoreHint = "the file is damaged: restore the latest backup (gongkai db backup) or Litestream replica, see docs/database.md"

func runCheck(ctx context.Context, w io.Writer, path string, quick bool) error {
	var problems, notes []string
	db, err := store.OpenReadOnly(ctx, path)
	if err != nil {
		problems = append(problems, fmt.Sprintf("cannot open it as a SQLite database (is it the right file?): %v", err))
		return writeCheck(w, path, problems, notes)
	}
	defer db.Close()
	info, err := db.Info(ctx)
	if err != nil {
		problems = append(problems, fmt.Sprintf("not a readable SQLite database: %v", err), restoreHint)
		return writeCheck(w, path, problems, notes)
	}
	current := false
	switch want := store.SchemaVersion(); {
	case info.ApplicationID == 0 && info.SchemaVersion == 0:
		problems = append(problems, "holds no gongkai schema (an empty database): is it the right file?")
	case !info.IsGongkai():
		problems = append(problems, fmt.Sprintf("not a gongkai database (application_id %#x): gongkai will not open it", info.ApplicationID))
	case info.SchemaVersion > want:
		problems = append(problems, fmt.Sprintf("schema version %d is newer than this gongkai's %d: this gongkai is too old for it; use the gongkai that wrote it, or upgrade", info.SchemaVersion, want))
	case info.SchemaVersion < want:
		notes = append(notes, fmt.Sprintf("schema version %d, older than this gongkai's %d: the next gongkai command that opens it (audit, serve, problems, db prune …) migrates it in place; take a backup first (gongkai db backup)", info.SchemaVersion, want))
	default:
		current = true
		notes = append(notes, fmt.Sprintf("schema version %d, this gongkai's", info.SchemaVersion))
	}
	rep, err := db.Check(ctx, quick)
	if err != nil {
		return err
	}
	name := "integrity_check"
	if quick {
		name = "quick_check"
	}
	if len(rep.Integrity) == 0 {
		notes = append(notes, name+": ok")
	}
	for _, l := range rep.Integrity {
		problems = append(problems, name+": "+l)
	}
	if len(rep.ForeignKeys) == 0 {
		notes = append(notes, "foreign keys: ok")
	}
	for i, l := range rep.ForeignKeys {
		if i == 10 {
			problems = append(problems, fmt.Sprintf("foreign keys: %d more rows like these", len(rep.ForeignKeys)-10))
			break
		}
		problems = append(problems, "foreign keys: "+l)
	}
	if len(rep.Integrity) > 0 || len(rep.ForeignKeys) > 0 {
		problems = append(problems, restoreHint)
	}
	notes = append(notes, fmt.Sprintf("%s in %s pages of %d bytes, %s free; journal %s, auto_vacuum %s",
		mb(info.Bytes()), count(info.Pages), info.PageSize, count(info.FreePages), info.JournalMode, info.AutoVacuum))
	if current && len(rep.Integrity) == 0 {
		if note, err := auditsNote(ctx, db); err == nil {
			notes = append(notes, note...)
		} else {
			problems = append(problems, fmt.Sprintf("cannot list the audits: %v", err))
		}
	}
	return writeCheck(w, path, problems, notes)
}

// auditsNote summarises the audits: how many, running ones, pruned ones.
func auditsNote(ctx context.Context, db *store.DB) ([]string, error) {
	audits, err := db.Audits(ctx)
	if err != nil {
		return nil, err
	}
	status := map[string]int{}
	var out []string
	pruned, units := 0, 0
	for _, a := range audits {
		status[a.Status]++
		if a.Status == store.AuditRunning {
			out = append(out, fmt.Sprintf("audit %d is running (started %s): being written now, or left by a killed process (audit --resume finishes it)",
				a.ID, a.StartedAt.UTC().Format("2006-01-02 15:04")))
		}
		if a.Pruned() {
			pruned++
			units += a.EvidencePrunedUnits
		}
	}
	line := fmt.Sprintf("audits: %d (%d complete, %d incomplete, %d running)", len(audits),
		status[store.AuditComplete], status[store.AuditIncomplete], status[store.AuditRunning])
	if pruned > 0 {
		line += fmt.Sprintf("; evidence pruned from %d of them (%d units)", pruned, units)
	}
	return append([]string{line}, out...), nil
}

func writeCheck(w io.Writer, path string, problems, notes []string) error {
	if len(problems) == 0 {
		fmt.Fprintf(w, "%s: ok\n", path)
	} else {
		fmt.Fprintf(w, "%s: %s\n", path, plural(len(problems)-countHints(problems), "problem"))
		for _, p := range problems {
			fmt.Fprintf(w, "  PROBLEM %s\n", p)
		}
	}
	for _, n := range notes {
		fmt.Fprintf(w, "  %s\n", n)
	}
	if len(problems) > 0 {
		return fmt.Errorf("check %s: %s", path, plural(len(problems)-countHints(problems), "problem"))
	}
	return nil
}

func countHints(problems []string) int {
	n := 0
	for _, p := range problems {
		if p == restoreHint {
			n++
		}
	}
	return n
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func newDBStatsCmd(env Env) *cobra.Command {
	var dbPath, format string
	c := &cobra.Command{
		Use:   "stats --db FILE [--format text|json]",
		Short: "Say where the database's bytes go: evidence, findings and scores, per audit and unit",
		Long: `stats measures every table and index (SQLite's dbstat, which reads the whole
file) and prints the bytes of evidence (what prune removes), of findings and
scores (never pruned) and the rest, in all and per audit and unit.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if err := checkFormat(format, "text", "json"); err != nil {
				return err
			}
			ctx := c.Context()
			db, err := openExisting(ctx, dbPath)
			if err != nil {
				return err
			}
			defer db.Close()
			sp, err := db.Space(ctx)
			if err != nil {
				return err
			}
			st := statsOf(sp)
			if format == "json" {
				enc := json.NewEncoder(env.Stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(st)
			}
			writeStats(env.Stdout, dbPath, st)
			return nil
		},
	}
	c.Flags().StringVar(&dbPath, "db", "gongkai.db", "SQLite database to measure")
	c.Flags().StringVar(&format, "format", "text", "output: text or json")
	_ = c.RegisterFlagCompletionFunc("format", fixedCompletion("text", "json"))
	return c
}

// dbStats is the output of `db stats`.
type dbStats struct {
	*store.Space
	// UnitsPerAudit is the average roster.
	UnitsPerAudit float64 `json:"units_per_audit"`
	// EvidencePerUnit is the evidence's bytes per unit whose evidence is
	// kept; EvidencePerAudit that times UnitsPerAudit.
	EvidencePerUnit  float64 `json:"evidence_per_unit"`
	EvidencePerAudit float64 `json:"evidence_per_audit"`
	// JudgementPerUnit is the findings' and scores' bytes per unit scored;
	// JudgementPerAudit that times UnitsPerAudit.
	JudgementPerUnit  float64 `json:"judgement_per_unit"`
	JudgementPerAudit float64 `json:"judgement_per_audit"`
}

func statsOf(sp *store.Space) *dbStats {
	st := &dbStats{Space: sp}
	if sp.Audits > 0 {
		st.UnitsPerAudit = float64(sp.Roster) / float64(sp.Audits)
	}
	if sp.UnitsKept > 0 {
		st.EvidencePerUnit = float64(sp.Groups[store.SpaceEvidence]) / float64(sp.UnitsKept)
	}
	if sp.UnitsScored > 0 {
		st.JudgementPerUnit = float64(sp.Groups[store.SpaceJudgement]) / float64(sp.UnitsScored)
	}
	st.EvidencePerAudit = st.EvidencePerUnit * st.UnitsPerAudit
	st.JudgementPerAudit = st.JudgementPerUnit * st.UnitsPerAudit
	return st
}

func writeStats(w io.Writer, path string, st *dbStats) {
	sp := st.Space
	fmt.Fprintf(w, "%s: %s (%s pages of %d bytes, %s free), schema version %d, auto_vacuum %s\n",
		path, mb(sp.Bytes()), count(sp.Pages), sp.PageSize, count(sp.FreePages), sp.SchemaVersion, sp.AutoVacuum)
	fmt.Fprintf(w, "audits: %d of %.0f units on average; evidence kept for %d units, pruned for %d (of %d audits); %d units scored, %d findings\n\n",
		sp.Audits, st.UnitsPerAudit, sp.UnitsKept, sp.UnitsPruned, sp.AuditsPruned, sp.UnitsScored, sp.Findings)
	fmt.Fprintf(w, "%-22s %10s %12s %10s\n", "", "bytes", "per audit", "per unit")
	fmt.Fprintf(w, "%-22s %10s %12s %10s   (per unit whose evidence is kept)\n", store.SpaceEvidence,
		mb(sp.Groups[store.SpaceEvidence]), mb(int64(st.EvidencePerAudit)), kb(st.EvidencePerUnit))
	fmt.Fprintf(w, "%-22s %10s %12s %10s   (per unit scored)\n", store.SpaceJudgement,
		mb(sp.Groups[store.SpaceJudgement]), mb(int64(st.JudgementPerAudit)), kb(st.JudgementPerUnit))
	fmt.Fprintf(w, "%-22s %10s\n", store.SpaceOther, mb(sp.Groups[store.SpaceOther]))
	fmt.Fprintf(w, "%-22s %10s\n\n", "free pages", mb(sp.FreePages*sp.PageSize))
	fmt.Fprintf(w, "largest tables and indexes:\n")
	for i, t := range sp.Tables {
		if i == 8 {
			break
		}
		fmt.Fprintf(w, "  %-32s %10s  %s\n", t.Name, mb(t.Bytes), t.Group)
	}
}

// mb formats bytes in MB (10^6), or kB below one MB.
func mb(n int64) string {
	if n < 1e6 {
		return kb(float64(n))
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}

func kb(n float64) string { return fmt.Sprintf("%.1f kB", n/1e3) }

// count formats n with thousands separators.
func count(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return s
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
