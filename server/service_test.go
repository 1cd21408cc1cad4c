package server_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"gongkai/internal/servertest"
	"gongkai/server"
	"gongkai/store"
)

// gauge reads one series of a metric family from the service's registry.
func gauge(t *testing.T, e *servertest.Env, name string, labels ...string) float64 {
	t.Helper()
	mfs, err := e.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	metric:
		for _, m := range mf.GetMetric() {
			for i := 0; i+1 < len(labels); i += 2 {
				found := false
				for _, lp := range m.GetLabel() {
					if lp.GetName() == labels[i] && lp.GetValue() == labels[i+1] {
						found = true
					}
				}
				if !found {
					continue metric
				}
			}
			switch {
			case m.Gauge != nil:
				return m.Gauge.GetValue()
			case m.Counter != nil:
				return m.Counter.GetValue()
			case m.Untyped != nil:
				return m.Untyped.GetValue()
			}
		}
	}
	t.Fatalf("no series %s%v", name, labels)
	return 0
}

// TestTrigger_NeverTwoAtOnce: while an audit runs, a second trigger (by
// the API or the schedule) is refused and counted, not queued.
func TestTrigger_NeverTwoAtOnce(t *testing.T) {
	e := servertest.Start(t, servertest.Options{Units: 4})
	first, err := e.Service.Trigger("test")
	if err != nil {
		t.Fatal(err)
	}
	if first.Source != "test" || first.Started.IsZero() {
		t.Errorf("run status %+v", first)
	}
	if _, err := e.Service.Trigger("again"); !errors.Is(err, server.ErrBusy) {
		t.Errorf("second trigger: %v, want ErrBusy", err)
	}
	if running, _ := e.Service.Status(); running == nil || running.Source != "test" {
		t.Errorf("running = %+v, want the first run", running)
	}
	if got := gauge(t, e, "gongkai_audits_in_flight"); got != 1 {
		t.Errorf("audits in flight = %v while running", got)
	}
	e.Service.Wait()
	running, last := e.Service.Status()
	if running != nil || last == nil || last.Result != "complete" || last.AuditID != 1 || last.UnitsDone != last.Units {
		t.Errorf("after the run: running %+v, last %+v", running, last)
	}
	if got := gauge(t, e, "gongkai_audits_skipped_total"); got != 1 {
		t.Errorf("skipped = %v, want 1", got)
	}
	if got := gauge(t, e, "gongkai_audits_in_flight"); got != 0 {
		t.Errorf("audits in flight = %v after the run", got)
	}
	list, err := e.Service.DB().Audits(context.Background())
	if err != nil || len(list) != 1 {
		t.Errorf("audits stored: %d, %v; want exactly 1", len(list), err)
	}
}

// TestService_SurvivesFailingAudit: a units file broken between audits
// fails that run (counted, logged with the file's line) and the service
// audits again once it is fixed.
func TestService_SurvivesFailingAudit(t *testing.T) {
	e := servertest.Start(t, servertest.Options{Units: 4})
	good, err := os.ReadFile(e.UnitsPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(e.UnitsPath, []byte("units:\n  - id: [broken\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Service.Trigger("test"); err != nil {
		t.Fatal(err)
	}
	e.Service.Wait()
	_, last := e.Service.Status()
	if last == nil || last.Result != "failed" || !strings.Contains(last.Error, e.UnitsPath+":") {
		t.Fatalf("run with a broken units file: %+v; want failed, naming %s:line", last, e.UnitsPath)
	}
	if got := gauge(t, e, "gongkai_audits_total", "result", "failed"); got != 1 {
		t.Errorf("failed audits = %v", got)
	}
	if got := gauge(t, e, "gongkai_last_audit_success"); got != 0 {
		t.Errorf("last audit success = %v after a failure", got)
	}
	if err := os.WriteFile(e.UnitsPath, good, 0o644); err != nil {
		t.Fatal(err)
	}
	st := e.Audit(t)
	if st.AuditID != 1 {
		t.Errorf("the failed run stored an audit: the next one is %d", st.AuditID)
	}
	if got := gauge(t, e, "gongkai_last_audit_success"); got != 1 {
		t.Errorf("last audit success = %v after a complete audit", got)
	}
	if got := gauge(t, e, "gongkai_last_successful_audit_timestamp_seconds"); got < float64(time.Now().Add(-time.Minute).Unix()) {
		t.Errorf("last successful audit at %v", got)
	}
}

// TestService_Schedule: the cron schedule starts audits by itself and
// publishes when it runs next.
func TestService_Schedule(t *testing.T) {
	// A polite crawl makes the audit outlast the schedule's second.
	e := servertest.Start(t, servertest.Options{Units: 4, Schedule: "@every 1s", Delay: 10 * time.Millisecond})
	if next := gauge(t, e, "gongkai_next_audit_timestamp_seconds"); next < float64(time.Now().Unix()) {
		t.Errorf("next audit at %v, before now", next)
	}
	if iv := gauge(t, e, "gongkai_audit_interval_seconds"); iv != 1 {
		t.Errorf("audit interval %v s, want 1", iv)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		_, last := e.Service.Status()
		if last != nil {
			if last.Source != "schedule" || last.Result != "complete" {
				t.Errorf("scheduled run: %+v", last)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no scheduled audit ended within 60 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The schedule fired while the audit ran: those runs were skipped.
	if got := gauge(t, e, "gongkai_audits_skipped_total"); got < 1 {
		t.Errorf("skipped = %v: an audit takes over a second, so the schedule must have skipped", got)
	}
}

// TestServe_StopCancelsTheRunningAudit: stopping the service (SIGTERM in
// `gongkai serve`) cancels the audit in progress, which stays in the
// database marked incomplete; a new service on the database starts clean.
func TestServe_StopCancelsTheRunningAudit(t *testing.T) {
	e := servertest.Start(t, servertest.Options{Units: 4, Delay: 50 * time.Millisecond})
	if _, err := e.Service.Trigger("test"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		running, _ := e.Service.Status()
		if running != nil && running.UnitsDone > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the audit did not get going")
		}
		time.Sleep(20 * time.Millisecond)
	}
	start := time.Now()
	if err := e.Stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("stopping took %v", d)
	}
	_, last := e.Service.Status()
	if last == nil || last.Result != "incomplete" || last.AuditID == 0 || last.UnitsDone >= last.Units {
		t.Fatalf("stopped run: %+v; want incomplete, stored, part done", last)
	}
	a, err := e.Service.DB().Audit(context.Background(), last.AuditID)
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != store.AuditIncomplete || a.FinishedAt.IsZero() {
		t.Errorf("stored audit: status %q, finished %v", a.Status, a.FinishedAt)
	}
	if got := gauge(t, e, "gongkai_audits_total", "result", "incomplete"); got != 1 {
		t.Errorf("incomplete audits = %v", got)
	}
	if _, err := e.Service.Trigger("late"); !errors.Is(err, server.ErrNotServing) {
		t.Errorf("trigger after stop: %v, want ErrNotServing", err)
	}
}

// TestService_ObservationWindow: an unanswering unit is judged unreachable
// only once the probes between audits and the audit's own attempts add up
// to the configured failures; before that it gets a notice without points.
// Every attempt is kept as the finding's evidence.
func TestService_ObservationWindow(t *testing.T) {
	e := servertest.Start(t, servertest.Options{Units: 4, Config: func(c *server.Config) {
		c.ReachWindow, c.UnreachableAfter = "1h", 4
	}})
	ctx := context.Background()
	if err := e.Service.Probe(ctx); err != nil {
		t.Fatal(err)
	}
	down := ""
	for _, u := range e.Fleet.District().Units {
		if u.Role == "unreachable" {
			down = u.ID
			break
		}
	}
	if down == "" {
		t.Fatal("the sim has no unreachable unit among the first 12")
	}
	if got := gauge(t, e, "gongkai_unit_probe_success", "unit", down); got != 0 {
		t.Errorf("probe success of %s = %v", down, got)
	}
	if got := gauge(t, e, "gongkai_probes_total", "result", "failed"); got < 1 {
		t.Errorf("failed probes = %v", got)
	}
	// severityOf returns the unit's site.unreachable finding in the latest audit.
	severityOf := func() (string, int) {
		t.Helper()
		sc, err := e.Service.DB().LatestAudit(ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		cur, err := e.Service.DB().CurrentScoring(ctx, sc.ID)
		if err != nil {
			t.Fatal(err)
		}
		fs, err := e.Service.DB().Findings(ctx, cur.ID, store.FindingFilter{Unit: down, Kind: "site.unreachable"})
		if err != nil || len(fs) != 1 {
			t.Fatalf("site.unreachable findings of %s: %d, %v", down, len(fs), err)
		}
		return fs[0].Severity, len(fs[0].Evidence)
	}
	// One probe and the audit's one attempt: 2 of the 4 failures needed.
	e.Audit(t)
	if sev, n := severityOf(); sev != "notice" || n != 2 {
		t.Errorf("after 1 probe: %s with %d attempts as evidence; want a notice with 2", sev, n)
	}
	if got := gauge(t, e, "gongkai_unit_assessed", "unit", down); got != 0 {
		t.Errorf("%s assessed = %v with its site unseen and not yet judged unreachable", down, got)
	}
	for range 2 {
		if err := e.Service.Probe(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// Three probes and the audit's attempt: unreachable.
	e.Audit(t)
	if sev, n := severityOf(); sev != "veto" || n != 4 {
		t.Errorf("after 3 probes: %s with %d attempts as evidence; want a veto with 4", sev, n)
	}
}
