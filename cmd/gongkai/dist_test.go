package main

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"gongkai/dist"
	"gongkai/internal/natstest"
	"gongkai/sim"
	"gongkai/store"
)

// distFixture is one sim, one NATS server and the single-process audit
// of the sim the distributed audits must equal.
type distFixture struct {
	units string
	nats  *natstest.Server
	want  []string
}

// Fast crawl flags for the sim; the politeness ones come from the
// coordinator to the workers with each job.
var distFast = []string{"--as-of", sim.DefaultAsOf, "--reach-attempts", "1", "--reach-spacing", "10ms", "--retries", "0"}

func newDistFixture(t *testing.T) *distFixture {
	t.Helper()
	f := &distFixture{nats: natstest.Start(t), units: simDistrict(t)}
	db := filepath.Join(t.TempDir(), "single.db")
	g := start(t, nil, append([]string{"audit", "--units", f.units, "--db", db, "--delay", "0", "--format", "json"}, distFast...)...)
	if code := g.wait(t, 120*time.Second); code != 0 {
		t.Fatalf("single-process audit: exit %d\n%s", code, g.stderr)
	}
	d, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	f.want = findingKeys(t, d, 1)
	if len(f.want) == 0 {
		t.Fatal("the single-process audit found nothing: the comparison would be empty")
	}
	return f
}

// worker starts `gongkai worker` on the fixture's NATS server.
func (f *distFixture) worker(t *testing.T, name string, extra ...string) *gongkai {
	t.Helper()
	return f.workerEnv(t, nil, name, extra...)
}

// workerEnv starts `gongkai worker` with env added to its environment
// (GONGKAI_TEST_FAIL_UNITS: TestMain's hook).
func (f *distFixture) workerEnv(t *testing.T, env []string, name string, extra ...string) *gongkai {
	t.Helper()
	return start(t, env, append([]string{"worker", "--nats", f.nats.URL(), "--name", name, "-v", "--jobs", "3", "--lock-wait", "200ms", "--lock-ttl", "3s"}, extra...)...)
}

// coordinator starts `gongkai audit --nats` on db.
func (f *distFixture) coordinator(t *testing.T, db string, extra ...string) *gongkai {
	t.Helper()
	args := append([]string{"audit", "--units", f.units, "--db", db, "--nats", f.nats.URL(), "--nats-ack-wait", "2s", "-v", "--format", "json"}, distFast...)
	return start(t, nil, append(args, extra...)...)
}

// check asserts that audit id of db is complete, sound, and finds what the
// single-process audit found.
func (f *distFixture) check(t *testing.T, db string, id int64) {
	t.Helper()
	ctx := context.Background()
	d, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
	a, err := d.Audit(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != store.AuditComplete {
		t.Fatalf("audit %d is %s, want complete", id, a.Status)
	}
	got := findingKeys(t, d, id)
	if strings.Join(got, "\n") != strings.Join(f.want, "\n") {
		t.Errorf("the distributed audit has %d findings, the single-process one %d; they differ:\n got: %v\nwant: %v", len(got), len(f.want), got, f.want)
	}
}

// waitLog waits until cond holds on g's stderr.
func waitLog(t *testing.T, g *gongkai, what string, d time.Duration, cond func(string) bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond(g.stderr.String()) {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within %v:\n%s", what, d, g.stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var summaryRE = regexp.MustCompile(`(\d+) jobs queued, (\d+) results stored \((\d+) via the object store\), (\d+) redelivered, (\d+) duplicates dropped, (\d+) dead-lettered`)

// summary reads the coordinator's nats summary line: queued, stored,
// via object store, redelivered, duplicates, dead-lettered.
func summary(t *testing.T, g *gongkai) [6]int {
	t.Helper()
	m := summaryRE.FindStringSubmatch(g.stderr.String())
	if m == nil {
		t.Fatalf("no nats summary line:\n%s", g.stderr)
	}
	var out [6]int
	for i := range out {
		out[i], _ = strconv.Atoi(m[i+1])
	}
	return out
}

// TestDist runs distributed audits of one sim on a real nats-server with
// worker processes and compares each with the single-process audit.
func TestDist(t *testing.T) {
	f := newDistFixture(t)

	// Three workers (one sends its results through the object store), a
	// coordinator; one worker is killed with SIGKILL in the middle of a
	// unit: its jobs come back after the ack wait, and the audit completes
	// equal to the single-process one.
	t.Run("kill-worker", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "dist.db")
		w1 := f.worker(t, "w1")
		w2 := f.worker(t, "w2")
		w3 := f.worker(t, "w3", "--inline-limit", "1024")
		for _, w := range []*gongkai{w1, w2, w3} {
			waitLog(t, w, "worker start", 20*time.Second, func(s string) bool { return strings.Contains(s, "worker pulling jobs") })
		}
		co := f.coordinator(t, db, "--delay", "30ms")
		// Kill w1 while it crawls a unit.
		waitLog(t, w1, "unit in w1's hands", 60*time.Second, func(s string) bool {
			return strings.Count(s, "msg=crawling") > strings.Count(s, "msg=\"unit done\"")
		})
		if err := w1.cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		w1.wait(t, 10*time.Second)
		if code := co.wait(t, 120*time.Second); code != 0 {
			t.Fatalf("coordinator: exit %d\n%s", code, co.stderr)
		}
		s := summary(t, co)
		if s[0] != 12 || s[1] != 12 || s[5] != 0 {
			t.Errorf("summary %v: want 12 queued, 12 stored, none dead", s)
		}
		// w1's unit was crawled again: its result came from a redelivery
		// (or, had w1 published just before dying, the second one was a
		// duplicate, dropped).
		if s[3]+s[4] < 1 {
			t.Errorf("no result came from a redelivered job after w1 was killed: %v\n%s", s, co.stderr)
		}
		if s[2] < 1 {
			t.Errorf("no result came through the object store (w3 has --inline-limit 1024): %v", s)
		}
		f.check(t, db, 1)
	})

	// A job that always fails is dead-lettered after --nats-max-deliver
	// attempts; the audit ends incomplete naming the unit not audited (no
	// finding made up for it); a resume with a healthy worker completes it.
	t.Run("dead-letter", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "dist.db")
		const bad = "finance"
		f.workerEnv(t, []string{"GONGKAI_TEST_FAIL_UNITS=" + bad}, "bad")
		co := f.coordinator(t, db, "--delay", "0", "--nats-max-deliver", "2")
		if code := co.wait(t, 120*time.Second); code == 0 {
			t.Fatalf("an audit with a dead-lettered unit exited 0:\n%s", co.stderr)
		}
		log := co.stderr.String()
		for _, want := range []string{"audit incomplete", "1 units not audited", bad + " (failed 2 deliveries)"} {
			if !strings.Contains(log, want) {
				t.Errorf("the coordinator does not say %q:\n%s", want, log)
			}
		}
		if s := summary(t, co); s[5] != 1 || s[1] != 11 {
			t.Errorf("summary %v: want 11 stored, 1 dead-lettered", s)
		}
		ctx := context.Background()
		d, err := store.Open(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		a, err := d.Audit(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		stored, err := d.StoredUnits(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		d.Close()
		if a.Status != store.AuditIncomplete || len(stored) != 11 || stored[bad] {
			t.Fatalf("audit %s with %d units stored (%s among them: %v); want incomplete, 11, not %s", a.Status, len(stored), bad, stored[bad], bad)
		}
		// The dead letter is on its subject.
		nc, err := nats.Connect(f.nats.URL())
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		js, _ := jetstream.New(nc)
		ds, err := js.Stream(ctx, dist.DeadStream)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ds.GetLastMsgForSubject(ctx, dist.DeadSubject(dist.AuditKey(1, a.StartedAt), bad)); err != nil {
			t.Errorf("no dead letter on %s: %v", dist.DeadSubject(dist.AuditKey(1, a.StartedAt), bad), err)
		}

		f.worker(t, "good")
		co = f.coordinator(t, db, "--delay", "0", "--resume")
		if code := co.wait(t, 120*time.Second); code != 0 {
			t.Fatalf("resume: exit %d\n%s", code, co.stderr)
		}
		f.check(t, db, 1)
	})

	// serve with --nats runs its audit through the workers, and its
	// /metrics shows the gongkai_dist_ series.
	t.Run("serve", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "serve.db")
		addr := freeAddr(t)
		f.worker(t, "s1")
		g := start(t, nil, append([]string{"serve", "--units", f.units, "--db", db, "--listen", addr, "--nats", f.nats.URL(),
			"--schedule", "", "--run-on-start", "--delay", "0", "--probe-interval", "0", "--unreachable-after", "0", "--reach-window", "0"}, distFast...)...)
		want := `gongkai_dist_results_total{result="stored"} 12`
		deadline := time.Now().Add(60 * time.Second)
		var metrics string
		for !strings.Contains(metrics, want) {
			if time.Now().After(deadline) {
				t.Fatalf("/metrics never showed %s:\n%s\nserve's log:\n%s", want, metrics, g.stderr)
			}
			time.Sleep(100 * time.Millisecond)
			if resp, err := http.Get("http://" + addr + "/metrics"); err == nil {
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				metrics = string(b)
			}
		}
		for _, m := range []string{"gongkai_dist_jobs_queued_total 12", "gongkai_dist_jobs_dead_lettered_total 0", "gongkai_dist_jobs_in_flight"} {
			if !strings.Contains(metrics, m) {
				t.Errorf("/metrics lacks %q", m)
			}
		}
		// The audit completes (scored) shortly after its last unit is stored.
		for deadline := time.Now().Add(30 * time.Second); !strings.Contains(g.stderr.String(), "result=complete"); {
			if time.Now().After(deadline) {
				t.Fatalf("serve's audit did not complete:\n%s", g.stderr)
			}
			time.Sleep(50 * time.Millisecond)
		}
		_ = g.cmd.Process.Signal(syscall.SIGTERM)
		g.wait(t, 20*time.Second)
		f.check(t, db, 1)
	})

	// The coordinator is killed with SIGKILL mid-audit and the NATS server
	// restarted (same port and store): the workers reconnect, and `audit
	// --nats --resume` takes the results waiting on its durable consumer
	// and completes the audit.
	t.Run("restarts", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "dist.db")
		f.worker(t, "r1")
		f.worker(t, "r2")
		co := f.coordinator(t, db, "--delay", "30ms")
		waitLog(t, co, "4 units stored", 60*time.Second, func(s string) bool { return strings.Count(s, "unit audited") >= 4 })
		if err := co.cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		co.wait(t, 10*time.Second)
		f.nats.Stop()
		time.Sleep(500 * time.Millisecond)
		f.nats.Restart(t)
		co = f.coordinator(t, db, "--delay", "30ms", "--resume")
		if code := co.wait(t, 120*time.Second); code != 0 {
			t.Fatalf("resume: exit %d\n%s", code, co.stderr)
		}
		f.check(t, db, 1)
		if !strings.Contains(co.stderr.String(), "audit resumed") {
			t.Errorf("the second coordinator did not resume:\n%s", co.stderr)
		}
	})
}
