package dist

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"
	"github.com/prometheus/client_golang/prometheus"

	"gongkai/crawler"
	"gongkai/evidence"
	"gongkai/source"
)

// CoordinatorOptions configure the coordinator side of distributed audits.
type CoordinatorOptions struct {
	// URL is the NATS server URL.
	URL string
	// AckWait is how long a job (and a result) may go unacknowledged
	// before JetStream delivers it again; workers renew it while they
	// crawl, so it bounds how soon a killed worker's unit is retried.
	// 0 means 30s.
	AckWait time.Duration
	// MaxDeliver is how many crawl attempts a unit's job gets before it is
	// dead-lettered and the unit reported not audited; 0 means 5.
	MaxDeliver int
	// LockTTL is the host-lock lease, used when the coordinator creates the
	// KV bucket; 0 means 30s.
	LockTTL time.Duration
	// Registry receives the gongkai_dist_ metrics; nil registers none.
	Registry prometheus.Registerer
	// Logger receives the coordinator's log; nil discards it.
	Logger *slog.Logger
}

// Coordinator publishes an audit's unit jobs and gathers their results; its
// Source plugs into audit.Run. It is safe for one audit at a time.
type Coordinator struct {
	o       CoordinatorOptions
	log     *slog.Logger
	nc      *nats.Conn
	js      jetstream.JetStream
	metrics *coordMetrics

	mu    sync.Mutex
	stats Stats
}

// Stats count what the coordinator did in its audits.
type Stats struct {
	// Queued is the jobs published.
	Queued int
	// Stored is the results stored.
	Stored int
	// Duplicates is the results dropped because their unit was in already.
	Duplicates int
	// Redelivered is the stored results that came from a job's second or
	// later delivery.
	Redelivered int
	// DeadLettered is the units whose jobs were dead-lettered.
	DeadLettered int
	// ViaObjectStore is the results that came through the object store.
	ViaObjectStore int
	// Workers are the names of the workers whose results were stored.
	Workers []string
}

// NotAuditedError lists the units of an audit whose jobs were
// dead-lettered: they were not audited (they are not judged unreachable).
type NotAuditedError struct {
	// Units are the unit ids, sorted.
	Units []string
	// Reasons maps a unit id to why its job was dead-lettered.
	Reasons map[string]string
}

func (e *NotAuditedError) Error() string {
	var parts []string
	for _, u := range e.Units {
		parts = append(parts, u+" ("+e.Reasons[u]+")")
	}
	return fmt.Sprintf("%d units not audited, their jobs dead-lettered: %s", len(e.Units), strings.Join(parts, ", "))
}

// NewCoordinator connects to NATS and registers the metrics. The streams
// are set up at each audit, so the server may come up later.
func NewCoordinator(o CoordinatorOptions) (*Coordinator, error) {
	if o.URL == "" {
		return nil, errors.New("coordinator: no NATS URL")
	}
	if o.AckWait <= 0 {
		o.AckWait = DefaultAckWait
	}
	if o.MaxDeliver <= 0 {
		o.MaxDeliver = DefaultMaxDeliver
	}
	if o.LockTTL <= 0 {
		o.LockTTL = DefaultLockTTL
	}
	c := &Coordinator{o: o, log: o.Logger}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	var err error
	if c.metrics, err = newCoordMetrics(o.Registry); err != nil {
		return nil, err
	}
	if c.nc, c.js, err = connect(o.URL, "gongkai coordinator", c.log); err != nil {
		return nil, err
	}
	return c, nil
}

// Close closes the NATS connection.
func (c *Coordinator) Close() { c.nc.Close() }

// Stats returns what the coordinator did so far.
func (c *Coordinator) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.stats
	s.Workers = append([]string(nil), s.Workers...)
	return s
}

// Source returns the source.Source that has the units crawled by workers.
func (c *Coordinator) Source() source.Source { return c.run }

// Settings returns the effective ack wait and max deliver.
func (c *Coordinator) Settings() (ackWait time.Duration, maxDeliver int) {
	return c.o.AckWait, c.o.MaxDeliver
}

// run is the Source: set up the audit's streams and consumers, publish
// the jobs (on resume only those with neither a job nor a result on the
// bus), then collect results and dead letters until every unit is in or
// dead-lettered.
func (c *Coordinator) run(ctx context.Context, job source.Job, emit source.Emit) error {
	key := AuditKey(job.AuditID, job.Started)
	log := c.log.With("audit_key", key)
	bus, err := c.setUp(ctx, key, job.Resumed)
	if err != nil {
		return err
	}

	// The advisory JetStream sends when a job's deliveries are spent: a
	// backstop for a job whose last delivery killed its worker.
	adv, err := c.nc.Subscribe("$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES."+JobsStream+"."+WorkerConsumer, func(m *nats.Msg) {
		c.onMaxDeliveries(ctx, bus.jobs, m, log)
	})
	if err != nil {
		return fmt.Errorf("nats: subscribe to max-deliveries advisories: %w", err)
	}
	defer adv.Unsubscribe()

	if err := c.publishJobs(ctx, key, job, bus.jobs, bus.results, log); err != nil {
		return err
	}
	in := c.pullAll(ctx, bus)
	defer in.stop()
	col := newCollector(c, bus.objs, job.Targets, emit, log)
	for col.pending() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case m := <-in.results:
			col.result(ctx, m)
		case m := <-in.dead:
			col.dead(m)
		}
	}
	in.stop()
	col.wait()
	if err := col.notAudited(); err != nil {
		return err
	}
	if ctx.Err() == nil {
		c.cleanup(ctx, key, bus.results, bus.dead, log)
	}
	return nil
}

// auditBus is what an audit uses on the bus: the three streams, the jobs
// consumer all workers share, the audit's own results and dead-letter
// consumers, and the object store of large results.
type auditBus struct {
	jobs, results, dead         jetstream.Stream
	jobsCons, resCons, deadCons jetstream.Consumer
	objs                        jetstream.ObjectStore
}

// setUp makes sure the streams, the jobs consumer and the audit's
// consumers exist (waiting out a NATS server coming up); on resume it
// first drops an earlier run's dead letters, so their units are published
// again.
func (c *Coordinator) setUp(ctx context.Context, key string, resumed bool) (*auditBus, error) {
	b := &auditBus{}
	err := retry(ctx, 2*time.Minute, func(ctx context.Context) error {
		if err := ensureStreams(ctx, c.js, c.o.LockTTL); err != nil {
			return err
		}
		var err error
		if b.jobsCons, err = c.js.CreateOrUpdateConsumer(ctx, JobsStream, workerConsumerConfig(c.o.AckWait, c.o.MaxDeliver)); err != nil {
			return fmt.Errorf("jobs consumer: %w", err)
		}
		if b.jobs, err = c.js.Stream(ctx, JobsStream); err != nil {
			return err
		}
		if b.results, err = c.js.Stream(ctx, ResultsStream); err != nil {
			return err
		}
		if b.dead, err = c.js.Stream(ctx, DeadStream); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("nats: set up JetStream: %w", err)
	}
	if resumed {
		// Dead letters of an earlier run are retried: their units have
		// neither job nor result, so they are published again.
		err := retry(ctx, time.Minute, func(ctx context.Context) error {
			return b.dead.Purge(ctx, jetstream.WithPurgeSubject(deadPrefix+key+".>"))
		})
		if err != nil {
			return nil, fmt.Errorf("nats: purge old dead letters: %w", err)
		}
	}
	err = retry(ctx, time.Minute, func(ctx context.Context) error {
		var err error
		cfg := jetstream.ConsumerConfig{Durable: "results-" + key, Description: "gongkai coordinator: results of audit " + key,
			AckPolicy: jetstream.AckExplicitPolicy, AckWait: c.o.AckWait, FilterSubject: resultsPrefix + key + ".>",
			MaxAckPending: 256}
		if b.resCons, err = c.js.CreateOrUpdateConsumer(ctx, ResultsStream, cfg); err != nil {
			return fmt.Errorf("results consumer: %w", err)
		}
		cfg.Durable, cfg.FilterSubject, cfg.Description = "dead-"+key, deadPrefix+key+".>", "gongkai coordinator: dead letters of audit "+key
		if b.deadCons, err = c.js.CreateOrUpdateConsumer(ctx, DeadStream, cfg); err != nil {
			return fmt.Errorf("dead-letter consumer: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("nats: %w", err)
	}
	if b.objs, err = c.js.ObjectStore(ctx, EvidenceBucket); err != nil {
		return nil, fmt.Errorf("nats: object store: %w", err)
	}
	return b, nil
}

// incoming are the audit's results and dead letters as the pulls fetch
// them, with the jobs consumer watched for the queue gauges meanwhile.
type incoming struct {
	results, dead chan jetstream.Msg
	cancel        context.CancelFunc
	pulls         sync.WaitGroup
}

// pullAll starts fetching the audit's results and dead letters, and
// watching the jobs consumer, until stop.
func (c *Coordinator) pullAll(ctx context.Context, b *auditBus) *incoming {
	pctx, cancel := context.WithCancel(ctx)
	in := &incoming{results: make(chan jetstream.Msg), dead: make(chan jetstream.Msg), cancel: cancel}
	in.pulls.Add(3)
	go func() { defer in.pulls.Done(); pull(pctx, b.resCons, in.results) }()
	go func() { defer in.pulls.Done(); pull(pctx, b.deadCons, in.dead) }()
	go func() { defer in.pulls.Done(); c.watch(pctx, b.jobsCons) }()
	return in
}

// stop ends the pulls and waits for them (a message fetched meanwhile
// is given back); calling it again does nothing more.
func (in *incoming) stop() {
	in.cancel()
	in.pulls.Wait()
}

// collector takes an audit's results and dead letters as they come: it
// emits each unit's first result, drops duplicates, and records the
// units whose jobs were dead-lettered. Only the loop of run calls it; the
// stored callbacks it hands out run on the audit's store workers.
type collector struct {
	c    *Coordinator
	objs jetstream.ObjectStore
	emit source.Emit
	log  *slog.Logger
	// todo are the units to collect; resolved those in or given up, and
	// deadRsn why each unit given up was.
	todo     map[string]bool
	resolved map[string]bool
	deadRsn  map[string]string
	// stored counts the emitted results whose storing is not done.
	stored sync.WaitGroup
}

func newCollector(c *Coordinator, objs jetstream.ObjectStore, targets []crawler.Target, emit source.Emit, log *slog.Logger) *collector {
	col := &collector{c: c, objs: objs, emit: emit, log: log, todo: map[string]bool{}, resolved: map[string]bool{}, deadRsn: map[string]string{}}
	for _, t := range targets {
		col.todo[t.Unit.ID] = true
	}
	return col
}

// pending reports whether some unit is neither in nor given up.
func (col *collector) pending() bool { return len(col.resolved) < len(col.todo) }

// result takes a result: a duplicate (its unit is in already, in this run
// or before a resume) is acked and dropped, an undecodable one dropped,
// and the first of its unit emitted; it is acked once stored (and given
// back if storing failed).
func (col *collector) result(ctx context.Context, m jetstream.Msg) {
	c, log := col.c, col.log
	unit := unitOfSubject(m.Subject())
	if !col.todo[unit] || col.resolved[unit] && col.deadRsn[unit] == "" {
		c.metrics.results.WithLabelValues("duplicate").Inc()
		c.count(func(s *Stats) { s.Duplicates++ })
		c.dropObject(col.objs, m)
		_ = m.Ack()
		return
	}
	ue, err := c.decode(ctx, col.objs, m)
	if err != nil {
		log.Error("undecodable result: dropped", "unit", unit, "error", err)
		c.metrics.results.WithLabelValues("bad").Inc()
		_ = m.Term()
		return
	}
	if col.deadRsn[unit] != "" {
		// A late result for a unit already given up: take it.
		delete(col.deadRsn, unit)
	}
	col.resolved[unit] = true
	if d, _ := strconv.Atoi(m.Headers().Get(HeaderDelivery)); d > 1 {
		c.metrics.redelivered.Inc()
		c.count(func(s *Stats) { s.Redelivered++ })
	}
	worker := m.Headers().Get(HeaderWorker)
	col.stored.Add(1)
	col.emit(ue, func(err error) {
		defer col.stored.Done()
		if err != nil {
			c.metrics.results.WithLabelValues("failed").Inc()
			_ = m.Nak()
			return
		}
		c.metrics.results.WithLabelValues("stored").Inc()
		c.count(func(s *Stats) {
			s.Stored++
			if !contains(s.Workers, worker) && worker != "" {
				s.Workers = append(s.Workers, worker)
			}
		})
		if err := retry(context.WithoutCancel(ctx), c.o.AckWait, func(ctx context.Context) error { return m.DoubleAck(ctx) }); err != nil {
			log.Warn("ack of a stored result failed: it will come again and be dropped", "unit", unit, "error", err)
		}
		c.dropObject(col.objs, m)
	})
}

// dead takes a dead letter: its unit, unless in already, is given up
// (a late result may still bring it in).
func (col *collector) dead(m jetstream.Msg) {
	unit := unitOfSubject(m.Subject())
	if col.todo[unit] && !col.resolved[unit] {
		reason := m.Headers().Get(HeaderReason)
		if reason == "" {
			reason = "deliveries spent"
		}
		col.resolved[unit] = true
		col.deadRsn[unit] = reason
		col.c.metrics.dead.Inc()
		col.c.count(func(s *Stats) { s.DeadLettered++ })
		col.log.Warn("unit not audited: its job was dead-lettered", "unit", unit, "reason", reason)
	}
	_ = m.Ack()
}

// wait waits until every emitted result is stored (or failed to be).
func (col *collector) wait() { col.stored.Wait() }

// notAudited returns a *NotAuditedError naming the units given up; nil
// when there are none.
func (col *collector) notAudited() error {
	if len(col.deadRsn) == 0 {
		return nil
	}
	e := &NotAuditedError{Reasons: col.deadRsn}
	for u := range col.deadRsn {
		e.Units = append(e.Units, u)
	}
	sort.Strings(e.Units)
	return e
}

// publishJobs publishes one job per target. On resume a unit whose job is
// result waits in the results stream is not published again, and a job
// still queued is replaced by a fresh one.
func (c *Coordinator) publishJobs(ctx context.Context, key string, job source.Job, jobs, results jetstream.Stream, log *slog.Logger) error {
	settings := job.Crawler.Settings
	skipped := 0
	for _, t := range job.Targets {
		unit := t.Unit.ID
		msgID := key + "/" + unit
		if job.Resumed {
			// A result waiting in the results stream is taken as it is. A
			// job still queued is replaced by a fresh one: its deliveries
			// may be spent with nobody left to dead-letter it (the
			// advisory came while no coordinator listened), and a worker
			// still crawling it only makes a duplicate result, dropped.
			var (
				haveResult bool
				queuedSeq  uint64
			)
			err := retry(ctx, time.Minute, func(ctx context.Context) error {
				haveResult, queuedSeq = false, 0
				if _, err := results.GetLastMsgForSubject(ctx, ResultSubject(key, unit)); err == nil {
					haveResult = true
					return nil
				} else if !errors.Is(err, jetstream.ErrMsgNotFound) {
					return err
				}
				raw, err := jobs.GetLastMsgForSubject(ctx, JobSubject(key, unit))
				if err == nil {
					queuedSeq = raw.Sequence
					return nil
				}
				if !errors.Is(err, jetstream.ErrMsgNotFound) {
					return err
				}
				return nil
			})
			if err != nil {
				return fmt.Errorf("nats: look up unit %s: %w", unit, err)
			}
			if haveResult {
				skipped++
				continue
			}
			if queuedSeq != 0 {
				if err := jobs.DeleteMsg(ctx, queuedSeq); err != nil && !errors.Is(err, jetstream.ErrMsgNotFound) {
					return fmt.Errorf("nats: replace the queued job of unit %s: %w", unit, err)
				}
			}
			msgID += "/r" + nuid.Next()
		}
		data, err := EncodeJob(&Job{Audit: key, Target: t, Crawl: settings, MaxDeliver: c.o.MaxDeliver, AckWait: c.o.AckWait})
		if err != nil {
			return err
		}
		m := nats.NewMsg(JobSubject(key, unit))
		m.Data = data
		err = retry(ctx, 2*time.Minute, func(ctx context.Context) error {
			_, err := c.js.PublishMsg(ctx, m, jetstream.WithMsgID(msgID))
			return err
		})
		if err != nil {
			return fmt.Errorf("nats: publish job of unit %s: %w", unit, err)
		}
		c.metrics.queued.Inc()
		c.count(func(s *Stats) { s.Queued++ })
	}
	log.Info("jobs published", "stream", JobsStream, "jobs", len(job.Targets)-skipped, "already_on_bus", skipped,
		"ack_wait", c.o.AckWait, "max_deliver", c.o.MaxDeliver)
	return nil
}

// decode reads a result message (fetching it from the object store when
// it went there).
func (c *Coordinator) decode(ctx context.Context, objs jetstream.ObjectStore, m jetstream.Msg) (*evidence.UnitEvidence, error) {
	data := m.Data()
	if name := m.Headers().Get(HeaderObject); name != "" {
		err := retry(ctx, time.Minute, func(ctx context.Context) error {
			var err error
			data, err = objs.GetBytes(ctx, name)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("object %s: %w", name, err)
		}
		c.count(func(s *Stats) { s.ViaObjectStore++ })
	}
	ue, err := DecodeResult(data)
	if err != nil {
		return nil, err
	}
	if want := unitOfSubject(m.Subject()); ue.Unit.ID != want {
		return nil, fmt.Errorf("result on %s holds unit %q", m.Subject(), ue.Unit.ID)
	}
	return ue, nil
}

// dropObject deletes a result's object, if it had one.
func (c *Coordinator) dropObject(objs jetstream.ObjectStore, m jetstream.Msg) {
	if name := m.Headers().Get(HeaderObject); name != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = objs.Delete(ctx, name)
	}
}

// onMaxDeliveries dead-letters the job an advisory names, if it is still
// in the stream (a worker normally dead-letters it first).
func (c *Coordinator) onMaxDeliveries(ctx context.Context, jobs jetstream.Stream, m *nats.Msg, log *slog.Logger) {
	var adv struct {
		StreamSeq  uint64 `json:"stream_seq"`
		Deliveries int    `json:"deliveries"`
	}
	if err := json.Unmarshal(m.Data, &adv); err != nil || adv.StreamSeq == 0 {
		return
	}
	go func() {
		// The advisory comes with the last delivery, which its worker
		// dead-letters at once; act only if the job is still there after
		// two ack waits (that worker was lost too). One was not enough on
		// a loaded machine: the worker, alive, was still publishing its
		// dead letter when the backstop wrote one saying it was lost.
		select {
		case <-ctx.Done():
			return
		case <-time.After(2 * c.o.AckWait):
		}
		raw, err := jobs.GetMsg(ctx, adv.StreamSeq)
		if err != nil {
			return // acked (dead-lettered by a worker) meanwhile
		}
		j, err := DecodeJob(raw.Data)
		if err != nil {
			return
		}
		reason := fmt.Sprintf("%d deliveries spent, the last one's worker lost", adv.Deliveries)
		if err := publishDead(ctx, c.js, j, raw.Data, adv.StreamSeq, reason); err != nil {
			log.Error("dead letter from advisory not published", "unit", j.Target.Unit.ID, "error", err)
			return
		}
		_ = jobs.DeleteMsg(ctx, adv.StreamSeq)
	}()
}

// watch samples the jobs consumer for the queue gauges.
func (c *Coordinator) watch(ctx context.Context, cons jetstream.Consumer) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		actx, cancel := context.WithTimeout(ctx, 2*time.Second)
		if ci, err := cons.Info(actx); err == nil {
			c.metrics.pending.Set(float64(ci.NumPending))
			c.metrics.inFlight.Set(float64(ci.NumAckPending))
		}
		cancel()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// cleanup removes a complete audit's consumers and messages from the bus.
func (c *Coordinator) cleanup(ctx context.Context, key string, results, dead jetstream.Stream, log *slog.Logger) {
	for _, d := range []struct {
		stream, consumer string
		s                jetstream.Stream
		subj             string
	}{{ResultsStream, "results-" + key, results, resultsPrefix + key + ".>"}, {DeadStream, "dead-" + key, dead, deadPrefix + key + ".>"}} {
		if err := c.js.DeleteConsumer(ctx, d.stream, d.consumer); err != nil {
			log.Warn("delete consumer", "consumer", d.consumer, "error", err)
		}
		if err := d.s.Purge(ctx, jetstream.WithPurgeSubject(d.subj)); err != nil {
			log.Warn("purge", "subject", d.subj, "error", err)
		}
	}
	c.metrics.pending.Set(0)
	c.metrics.inFlight.Set(0)
}

// pull fetches messages from cons into out until ctx is done, riding out
// disconnections.
func pull(ctx context.Context, cons jetstream.Consumer, out chan<- jetstream.Msg) {
	for ctx.Err() == nil {
		batch, err := cons.Fetch(32, jetstream.FetchMaxWait(time.Second))
		if err != nil {
			select {
			case <-ctx.Done():
				return
			case <-time.After(250 * time.Millisecond):
			}
			continue
		}
		for m := range batch.Messages() {
			select {
			case out <- m:
			case <-ctx.Done():
				// Given back at once for the next run.
				_ = m.Nak()
			}
		}
		if err := batch.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) && ctx.Err() == nil {
			select {
			case <-ctx.Done():
			case <-time.After(250 * time.Millisecond):
			}
		}
	}
}

func (c *Coordinator) count(f func(*Stats)) {
	c.mu.Lock()
	f(&c.stats)
	c.mu.Unlock()
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
