package dist

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"gongkai/audit"
	"gongkai/crawler"
	"gongkai/evidence"
	"gongkai/internal/gz"
	"gongkai/internal/natstest"
	"gongkai/rules"
	"gongkai/sim"
	"gongkai/source"
)

// body returns a kept body as the crawler keeps it: gzip, keyed by the
// SHA-256 of the raw bytes.
func body(raw string) (string, []byte) {
	sum := sha256.Sum256([]byte(raw))
	return hex.EncodeToString(sum[:]), gz.Compress([]byte(raw))
}

// simEvidence crawls one unit of a small sim in process: real evidence
// with columns, items, documents, a report, links and bodies.
func simEvidence(t *testing.T) *evidence.UnitEvidence {
	t.Helper()
	d, err := sim.Generate(sim.Config{Seed: 1, AsOf: evidence.MustParseDate(sim.DefaultAsOf), Units: 1})
	if err != nil {
		t.Fatal(err)
	}
	fleet, err := d.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer fleet.Close()
	rs, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	u := &fleet.UnitsFile().Units[0]
	cr := crawler.New(crawler.Options{Settings: crawler.Settings{NoDelay: true, PerHost: 4, ReachAttempts: 1}})
	defer cr.Close()
	return cr.Crawl(context.Background(), audit.TargetFor(u, audit.PlanFor(rs, evidence.MustParseDate(sim.DefaultAsOf), u.Type)))
}

// TestResultRoundTrip: a unit's evidence, bodies included, comes out of
// DecodeResult as it went into EncodeResult.
func TestResultRoundTrip(t *testing.T) {
	k1, b1 := body("<html>一</html>")
	k2, b2 := body(strings.Repeat("政府信息公开", 50000))
	at := time.Date(2026, 2, 27, 8, 30, 1, 123456789, time.UTC)
	cases := []struct {
		name string
		ue   *evidence.UnitEvidence
	}{
		{"empty", &evidence.UnitEvidence{Unit: evidence.Unit{ID: "x"}, Bodies: map[string][]byte{}}},
		{"fetches-and-bodies", &evidence.UnitEvidence{
			Unit:    evidence.Unit{ID: "finance", Name: "区财政局", Type: "bureau", URL: "http://127.0.0.1:1/"},
			Started: at, Finished: at.Add(time.Second),
			Reach:   evidence.Reachability{Reachable: true, Attempts: []evidence.Fetch{{URL: "http://127.0.0.1:1/", Status: 200, Class: evidence.ClassOK, FetchedAt: at}}},
			Columns: []evidence.Column{{ID: "news", Found: true, Items: []evidence.Item{{Title: "动态", Date: evidence.MustParseDate("2026-02-01")}}}},
			Fetches: []evidence.Fetch{{URL: "http://127.0.0.1:1/a", Status: 404, Class: evidence.ClassStatus, FetchedAt: at, SHA256: k1, Meta: map[string]string{"SiteName": "怀柔"}}},
			Notes:   []string{"budget spent"},
			Bodies:  map[string][]byte{k1: b1, k2: b2},
		}},
		{"crawled", simEvidence(t)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data, err := EncodeResult(c.ue)
			if err != nil {
				t.Fatal(err)
			}
			got, err := DecodeResult(data)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(c.ue, got); d != "" {
				t.Errorf("round trip changed the evidence (-sent +got):\n%s", d)
			}
			again, _ := EncodeResult(got)
			if !bytes.Equal(again, data) {
				t.Error("encoding the decoded evidence gives other bytes")
			}
		})
	}
}

// TestDecodeResultRejects: damaged results are errors, not evidence.
func TestDecodeResultRejects(t *testing.T) {
	k, b := body("x")
	good, err := EncodeResult(&evidence.UnitEvidence{Unit: evidence.Unit{ID: "u"}, Bodies: map[string][]byte{k: b}})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"bad magic", append([]byte("XXXXX"), good[5:]...)},
		{"truncated", good[:len(good)-3]},
		{"trailing", append(append([]byte(nil), good...), 0)},
		{"huge length", append([]byte("GKUE1"), 0xff, 0xff, 0xff, 0xff, 0x0f)},
	}
	for _, c := range cases {
		if _, err := DecodeResult(c.data); err == nil {
			t.Errorf("%s: decoded without error", c.name)
		}
	}
}

// TestJobRoundTrip: a job carries the target, its plan and the crawl
// settings unchanged.
func TestJobRoundTrip(t *testing.T) {
	rs, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	plan := audit.PlanFor(rs, evidence.MustParseDate("2026-03-01"), "bureau")
	j := &Job{Audit: "a1-x", MaxDeliver: 3,
		Target: crawler.Target{Unit: evidence.Unit{ID: "u", URL: "http://h/"}, Hosts: []string{"cdn.h"}, Overrides: map[string]string{"news": "http://h/n/"}, IgnoreRobots: true, Plan: plan},
		Crawl: crawler.Options{
			Settings:    crawler.Settings{Delay: 200 * time.Millisecond, PerHost: 1, Retries: 2, ReachAttempts: 1, ReachSpacing: 10 * time.Millisecond, MaxAttachments: 5, MaxAttachmentBytes: 1 << 20},
			Concurrency: 99,
		}.Settings,
	}
	if plan.Content == nil || len(plan.Content.Names) == 0 {
		t.Fatalf("the plan carries no content scan")
	}
	data, err := EncodeJob(j)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeJob(data)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(j, got); d != "" {
		t.Errorf("job round trip (-sent +got):\n%s", d)
	}
	o := jobOptions(crawler.Options{Concurrency: 7}, got.Crawl)
	if o.Delay != 200*time.Millisecond || o.PerHost != 1 || o.Concurrency != 7 || o.ReachAttempts != 1 || o.MaxAttachments != 5 || o.MaxAttachmentBytes != 1<<20 {
		t.Errorf("applied settings: %+v", o)
	}
}

// workerOwn are the crawler options a worker keeps as its own: they do
// not travel with a job.
var workerOwn = map[string]bool{"Concurrency": true, "UnitsInFlight": true, "Transport": true, "Now": true, "Logger": true, "Progress": true, "Cache": true}

// TestSettings_ReachWorker: every crawl setting the coordinator has
// reaches the worker's crawler. Each field of crawler.Settings is set to a
// value that is not its zero, the job goes through its encoding, and the
// options the worker crawls with must hold every value; every crawler
// option is a setting or one the worker keeps as its own.
func TestSettings_ReachWorker(t *testing.T) {
	var want crawler.Settings
	v := reflect.ValueOf(&want).Elem()
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		switch f.Kind() {
		case reflect.String:
			f.SetString("value of " + v.Type().Field(i).Name)
		case reflect.Bool:
			f.SetBool(true)
		case reflect.Int, reflect.Int64:
			f.SetInt(int64(1000 + i))
		default:
			t.Fatalf("crawler.Settings.%s is a %s: teach this test to set one", v.Type().Field(i).Name, f.Kind())
		}
	}
	data, err := EncodeJob(&Job{Audit: "a1-x", Target: crawler.Target{Unit: evidence.Unit{ID: "u"}}, Crawl: crawler.Options{Settings: want, Concurrency: 3}.Settings})
	if err != nil {
		t.Fatal(err)
	}
	job, err := DecodeJob(data)
	if err != nil {
		t.Fatal(err)
	}
	got := jobOptions(crawler.Options{Concurrency: 7}, job.Crawl)
	if d := cmp.Diff(want, got.Settings); d != "" {
		t.Errorf("settings lost on the way to the worker (-coordinator +worker):\n%s", d)
	}
	if got.Concurrency != 7 {
		t.Errorf("the worker's concurrency is %d, want its own 7", got.Concurrency)
	}
	ot := reflect.TypeOf(crawler.Options{})
	for i := 0; i < ot.NumField(); i++ {
		if f := ot.Field(i); !f.Anonymous && !workerOwn[f.Name] {
			t.Errorf("crawler.Options.%s is neither a crawler.Settings field (it would travel with a job) nor one the worker keeps as its own", f.Name)
		}
	}
}

// TestHostKey: hosts become valid KV keys, distinct hosts distinct keys.
func TestHostKey(t *testing.T) {
	cases := []struct{ host, want string }{
		{"www.hr.gov.cn", "www.hr.gov.cn"},
		{"127.0.0.1:8101", "127.0.0.1_3a8101"},
		{"WWW.Example.ORG", "www.example.org"},
		{"[::1]:80", "_5b_3a_3a1_5d_3a80"},
	}
	for _, c := range cases {
		if got := hostKey(c.host); got != c.want {
			t.Errorf("hostKey(%q) = %q, want %q", c.host, got, c.want)
		}
	}
	if hostKey("a_3a") == hostKey("a:") {
		t.Error("distinct hosts share a key")
	}
}

// TestAuditKey: stable for one audit, distinct across databases' audits.
func TestAuditKey(t *testing.T) {
	at := time.Date(2026, 3, 1, 2, 0, 0, 5, time.UTC)
	if AuditKey(1, at) != AuditKey(1, at.In(time.FixedZone("CST", 8*3600))) {
		t.Error("the key depends on the time zone")
	}
	if AuditKey(1, at) == AuditKey(1, at.Add(time.Nanosecond)) || AuditKey(1, at) == AuditKey(2, at) {
		t.Error("distinct audits share a key")
	}
}

// TestCoordinatorIdempotent: results delivered twice (a job run twice) are
// stored once each; the duplicates are acked and dropped; a result sent
// through the object store arrives whole.
func TestCoordinatorIdempotent(t *testing.T) {
	srv := natstest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	co, err := NewCoordinator(CoordinatorOptions{URL: srv.URL(), AckWait: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer co.Close()
	started := time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)
	key := AuditKey(7, started)
	units := []string{"a", "b", "c"}
	var targets []crawler.Target
	for _, u := range units {
		targets = append(targets, crawler.Target{Unit: evidence.Unit{ID: u, URL: "http://127.0.0.1:9/" + u}})
	}

	// What the workers would publish: each unit twice, c's first copy
	// through the object store.
	nc, err := nats.Connect(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	if err := ensureStreams(ctx, js, time.Minute); err != nil {
		t.Fatal(err)
	}
	objs, err := js.ObjectStore(ctx, EvidenceBucket)
	if err != nil {
		t.Fatal(err)
	}
	k, b := body("<p>c</p>")
	sent := map[string]*evidence.UnitEvidence{}
	for _, u := range units {
		ue := &evidence.UnitEvidence{Unit: evidence.Unit{ID: u}, Notes: []string{"from " + u}, Bodies: map[string][]byte{}}
		if u == "c" {
			ue.Bodies[k] = b
		}
		sent[u] = ue
		data, err := EncodeResult(ue)
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i <= 2; i++ {
			m := nats.NewMsg(ResultSubject(key, u))
			m.Header.Set(HeaderDelivery, "1")
			m.Header.Set(HeaderWorker, "test")
			if u == "c" && i == 1 {
				if _, err := objs.PutBytes(ctx, key+"/c/1", data); err != nil {
					t.Fatal(err)
				}
				m.Header.Set(HeaderObject, key+"/c/1")
			} else {
				m.Data = data
			}
			if _, err := js.PublishMsg(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
	}

	var mu sync.Mutex
	got := map[string][]*evidence.UnitEvidence{}
	err = co.Source()(ctx, source.Job{AuditID: 7, Started: started, Targets: targets}, func(ue *evidence.UnitEvidence, stored func(error)) {
		mu.Lock()
		got[ue.Unit.ID] = append(got[ue.Unit.ID], ue)
		mu.Unlock()
		go stored(nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range units {
		if len(got[u]) != 1 {
			t.Fatalf("unit %s emitted %d times, want once", u, len(got[u]))
		}
		if d := cmp.Diff(sent[u], got[u][0]); d != "" {
			t.Errorf("unit %s (-sent +got):\n%s", u, d)
		}
	}
	st := co.Stats()
	if st.Stored != 3 || st.Queued != 3 || st.ViaObjectStore != 1 || st.Duplicates < 1 {
		t.Errorf("stats %+v: want 3 stored, 3 queued, 1 via the object store, duplicates dropped", st)
	}
	// The object was deleted once its result was stored.
	if _, err := objs.GetInfo(ctx, key+"/c/1"); err == nil {
		t.Error("the result's object is still in the object store")
	}
	// A complete audit leaves nothing on the bus: its consumers are gone.
	if _, err := js.Consumer(ctx, ResultsStream, "results-"+key); err == nil {
		t.Error("the audit's results consumer is still there")
	}
}
