package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"gongkai/audit"
	"gongkai/internal/browser"
	"gongkai/report"
	"gongkai/scoring"
	"gongkai/store"
)

func findingArg(args []string) (int64, error) {
	id, err := strconv.ParseInt(args[0], 10, 64)
	if err != nil || id <= 0 {
		return 0, usagef("FINDING-ID %q: want the number shown as id in the problem list", args[0])
	}
	return id, nil
}

func newReviewCmd(env Env) *cobra.Command {
	var (
		dbPath, reason, by string
		dismiss, confirm   bool
	)
	c := &cobra.Command{
		Use:   "review FINDING-ID --dismiss|--confirm --reason TEXT [--by NAME]",
		Short: "Record a review decision (复核) on a contested finding",
		Long: `review records an evaluator's decision on a finding a unit contested, with
the reason, the reviewer and the time. A dismissed finding leaves the unit's
score, the problem list and the notices (its record stays, with the decision),
and the scores of that audit are recomputed from the stored findings, the
decisions and the ruleset kept with the audit. The decision carries to the same
problem in later audits for as long as its evidence is unchanged.`,
		Example: `  gongkai review 42 --dismiss --reason "栏目于评估日前已更新，系页面缓存" --by 李四
  gongkai review 42 --confirm --reason "复核后维持"`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			id, err := findingArg(args)
			if err != nil {
				return err
			}
			if dismiss == confirm {
				return usagef("give one of --dismiss or --confirm")
			}
			if reason == "" {
				return usagef("--reason is required: say why, it is printed with the decision")
			}
			ctx := c.Context()
			db, err := openExisting(ctx, dbPath)
			if err != nil {
				return err
			}
			defer db.Close()
			f, err := db.Finding(ctx, id)
			if err != nil {
				return err
			}
			decision := store.DecisionConfirmed
			if dismiss {
				decision = store.DecisionDismissed
			}
			before, err := unitScore(ctx, db, f.ScoringID, f.Unit)
			if err != nil {
				return err
			}
			rid, err := db.AddReview(ctx, store.Review{FindingID: id, Decision: decision, Reason: reason, Reviewer: by,
				DecidedAt: env.Now(), EvidenceKey: scoring.EvidenceKey(&f.Finding)})
			if err != nil {
				return err
			}
			if _, err := audit.Recompute(ctx, db, f.ScoringID); err != nil {
				return err
			}
			after, err := unitScore(ctx, db, f.ScoringID, f.Unit)
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "review %d: finding %d (%s %s %s %s) %s by %s: %s\n", rid, id, f.UnitName, f.Kind, f.Column, f.Subject, decision, orDash(by), reason)
			fmt.Fprintf(env.Stdout, "%s: score %s → %s, grade %s → %s, rank %d → %d\n", f.UnitName,
				num(before.Total), num(after.Total), before.Grade, after.Grade, before.Rank, after.Rank)
			return nil
		},
	}
	c.Flags().StringVar(&dbPath, "db", "gongkai.db", "SQLite database holding the finding")
	c.Flags().BoolVar(&dismiss, "dismiss", false, "the finding does not stand")
	c.Flags().BoolVar(&confirm, "confirm", false, "the finding stands")
	c.Flags().StringVar(&reason, "reason", "", "why (required)")
	c.Flags().StringVar(&by, "by", "", "the reviewer's name")
	return c
}

// onDate is " on DATE", or "" for a zero time.
func onDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return " on " + t.UTC().Format("2006-01-02")
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func num(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// unitScore returns a unit's score in a scoring.
func unitScore(ctx context.Context, db *store.DB, scoringID int64, unit string) (scoring.UnitScore, error) {
	scores, err := db.Scores(ctx, scoringID)
	if err != nil {
		return scoring.UnitScore{}, err
	}
	for _, s := range scores {
		if s.Unit == unit {
			return s, nil
		}
	}
	return scoring.UnitScore{}, fmt.Errorf("unit %s has no score in scoring %d", unit, scoringID)
}

func newEvidenceCmd(env Env) *cobra.Command {
	var (
		dbPath, format, shotPath, browserPath string
		body                                  bool
	)
	c := &cobra.Command{
		Use:   "evidence FINDING-ID [--body | --screenshot FILE.png]",
		Short: "Show what was fetched behind a finding: when, with what status, and the stored page",
		Long: `evidence shows a finding with the fetches behind it: each URL, when it was
fetched, the status and class of the answer, content type, charset, size and
body hash, the review decisions on the finding, and (with --body) the stored
body of the page, byte for byte as the server sent it.

--screenshot FILE.png renders that stored body in headless Chromium (Debian's
chromium) as it was fetched, in the charset the crawler decoded it with, with
every request it makes blocked and its scripts off: nothing is fetched again,
so the picture shows what the evaluator saw, not today's page. A caption
above it gives the URL and the fetch time.`,
		Example: `  gongkai evidence 42
  gongkai evidence 42 --body > page.html
  gongkai evidence 42 --screenshot finding-42.png`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			id, err := findingArg(args)
			if err != nil {
				return err
			}
			if err := checkFormat(format, "text", "json"); err != nil {
				return err
			}
			ctx := c.Context()
			db, err := openExisting(ctx, dbPath)
			if err != nil {
				return err
			}
			defer db.Close()
			fe, err := report.LoadFindingEvidence(ctx, db, id)
			if err != nil {
				return err
			}
			if shotPath != "" {
				if body {
					return usagef("give one of --body or --screenshot")
				}
				warnPersonal(env, fe)
				return screenshotEvidence(ctx, env, db, fe, shotPath, browserPath)
			}
			if body {
				warnPersonal(env, fe)
				b, _, ok, err := fe.KeptBody(ctx, db)
				if err != nil {
					return err
				}
				if !ok && fe.Pruned != nil {
					return fmt.Errorf("no body is kept for finding %d: %w", id, fe.Pruned)
				}
				if !ok {
					return fmt.Errorf("no body was kept for finding %d (bodies are kept for the pages findings cite, when the crawl kept them)", id)
				}
				_, err = env.Stdout.Write(b)
				return err
			}
			if format == "json" {
				enc := json.NewEncoder(env.Stdout)
				enc.SetIndent("", "  ")
				enc.SetEscapeHTML(false)
				return enc.Encode(fe)
			}
			writeEvidence(env.Stdout, fe)
			return nil
		},
	}
	c.Flags().StringVar(&dbPath, "db", "gongkai.db", "SQLite database holding the finding")
	c.Flags().StringVar(&format, "format", "text", "output: text or json")
	c.Flags().BoolVar(&body, "body", false, "print the stored body of the first kept page, as sent")
	c.Flags().StringVar(&shotPath, "screenshot", "", "write a PNG picture of the stored page, as fetched, with nothing fetched again")
	browserFlag(c, &browserPath)
	return c
}

// warnPersonal warns on stderr that the stored page about to be shown
// discloses personal data, unmasked.
func warnPersonal(env Env, fe *report.FindingEvidence) {
	if fe.PersonalData {
		fmt.Fprintf(env.Stderr, "gongkai: warning: the page kept for finding %d discloses personal data (identity, mobile or bank card numbers) as fetched, unmasked; keep what you write out of shared places, and delete it when the evaluation no longer needs it\n", fe.Finding.ID)
	}
}

// screenshotEvidence renders the finding's stored page to a captioned PNG.
func screenshotEvidence(ctx context.Context, env Env, db *store.DB, fe *report.FindingEvidence, path, browserPath string) error {
	p, ok, err := fe.StoredPage(ctx, db)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("no body was kept for finding %d: there is no page to picture (bodies are kept for the pages findings cite, when the crawl kept them)", fe.Finding.ID)
	}
	br, err := startBrowser(ctx, env, browserPath)
	if err != nil {
		return err
	}
	defer br.Close()
	shot, err := br.Screenshot(ctx, browserPage(p), browser.ShotOptions{Caption: true})
	if err != nil {
		return fmt.Errorf("screenshot of finding %d: %w", fe.Finding.ID, err)
	}
	if err := writeFile(path, func(w io.Writer) error { _, err := w.Write(shot.Image); return err }); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "finding %d: %s as fetched %s, rendered from the stored body (%d requests of the page blocked, nothing fetched) in %s\n",
		fe.Finding.ID, p.URL, p.FetchedAt.In(cst).Format("2006-01-02 15:04 MST"), shot.Blocked, path)
	return nil
}

// cst is China Standard Time, in which commands print fetch times.
var cst = time.FixedZone("CST", 8*60*60)

func writeEvidence(w io.Writer, fe *report.FindingEvidence) {
	f, views, reviews := fe.Finding, fe.Evidence, fe.Reviews
	fmt.Fprintf(w, "finding %d  %s (%s)  audit %d\n", f.ID, f.UnitName, f.Unit, f.AuditID)
	fmt.Fprintf(w, "  kind:     %s  (rule %s, %s)\n", f.Kind, f.Rule, f.Severity)
	if f.Column != "" || f.Subject != "" {
		fmt.Fprintf(w, "  where:    %s %s %s\n", f.Column, f.Subject, f.Part)
	}
	fmt.Fprintf(w, "  detail:   %s\n  points:   %s (nominal %s)\n  basis:    %s\n", f.Detail, num(f.Points), num(f.Nominal), f.Basis)
	fmt.Fprintf(w, "  status:   %s, first seen %s\n", f.Status, f.FirstSeen)
	if p := fe.Pruned; p != nil {
		fmt.Fprintf(w, "\nthe evidence of %s in audit %d was pruned%s (gongkai db prune): the requests and stored\n", f.Unit, p.AuditID, onDate(p.At))
		fmt.Fprintf(w, "pages behind this finding are gone; the finding, its points and the references below\n(URL, fetch time, status, body hash) are kept.\n")
	}
	for i, v := range views {
		fmt.Fprintf(w, "\nevidence %d: %s", i+1, v.Ref.URL)
		if v.Ref.Note != "" {
			fmt.Fprintf(w, "  (%s)", v.Ref.Note)
		}
		fmt.Fprintln(w)
		switch {
		case len(v.Fetches) == 0 && fe.Pruned != nil:
			if !v.Ref.FetchedAt.IsZero() {
				fmt.Fprintf(w, "  fetched at %s: %s, status %d (requests pruned)\n", v.Ref.FetchedAt.UTC().Format(time.RFC3339), orDash(string(v.Ref.Class)), v.Ref.Status)
			} else {
				fmt.Fprintf(w, "  requests pruned\n")
			}
		case len(v.Fetches) == 0:
			fmt.Fprintf(w, "  not fetched in this audit\n")
		}
		for _, fe := range v.Fetches {
			fmt.Fprintf(w, "  %s %s at %s: %s, status %d", fe.Method, fe.Role, fe.FetchedAt.UTC().Format(time.RFC3339), fe.Class, fe.Status)
			if fe.FinalURL != "" {
				fmt.Fprintf(w, ", final URL %s", fe.FinalURL)
			}
			fmt.Fprintln(w)
			if fe.ContentType != "" || fe.Size > 0 {
				fmt.Fprintf(w, "    %s, charset %s, %d bytes, sha256 %s\n", fe.ContentType, orDash(fe.Charset), fe.Size, orDash(fe.SHA256))
			}
			if fe.Error != "" {
				fmt.Fprintf(w, "    error: %s\n", fe.Error)
			}
		}
		switch {
		case v.Kept && fe.PersonalData:
			fmt.Fprintf(w, "  body kept, as fetched: it discloses personal data (print it with --body, which warns)\n")
		case v.Kept && fe.Pruned != nil:
			fmt.Fprintf(w, "  body kept: the same bytes, kept for another audit (print it with --body)\n")
		case v.Kept:
			fmt.Fprintf(w, "  body kept (print it with --body)\n")
		}
	}
	if len(reviews) > 0 {
		fmt.Fprintf(w, "\nreviews:\n")
		for _, r := range reviews {
			carried := ""
			if r.CarriedFrom != 0 {
				carried = fmt.Sprintf(" (carried from decision %d)", r.CarriedFrom)
			}
			fmt.Fprintf(w, "  %s %s by %s: %s%s\n", r.DecidedAt.UTC().Format("2006-01-02 15:04"), r.Decision, orDash(r.Reviewer), r.Reason, carried)
		}
	}
}
