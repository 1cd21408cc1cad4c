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

// run is the Source: set up, publish the jobs (on resume only those with
// neither a job nor a result on the bus), then take results and dead
// letters from the audit's durable consumers until every unit is in or
// dead-lettered.
func (c *Coordinator) run(ctx context.Context, job source.Job, emit source.Emit) error {
	key := AuditKey(job.AuditID, job.Started)
	log := c.log.With("audit_key", key)
	var (
		jobs, results, dead jetstream.Stream
		resCons, deadCons   jetstream.Consumer
		jobsCons            jetstream.Consumer
	)
	resName, deadName := "results-"+key, "dead-"+key
	err := retry(ctx, 2*time.Minute, func(ctx context.Context) error {
		if err := ensureStreams(ctx, c.js, c.o.LockTTL); err != nil {
			return err
		}
		var err error
		if jobsCons, err = c.js.CreateOrUpdateConsumer(ctx, JobsStream, workerConsumerConfig(c.o.AckWait, c.o.MaxDeliver)); err != nil {
			return fmt.Errorf("jobs consumer: %w", err)
		}
		if jobs, err = c.js.Stream(ctx, JobsStream); err != nil {
			return err
		}
		if results, err = c.js.Stream(ctx, ResultsStream); err != nil {
			return err
		}
		if dead, err = c.js.Stream(ctx, DeadStream); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("nats: set up JetStream: %w", err)
	}
	if job.Resumed {
		// Dead letters of an earlier run are retried: their units have
		// neither job nor result, so they are published again below.
		err := retry(ctx, time.Minute, func(ctx context.Context) error {
			return dead.Purge(ctx, jetstream.WithPurgeSubject(deadPrefix+key+".>"))
		})
		if err != nil {
			return fmt.Errorf("nats: purge old dead letters: %w", err)
		}
	}
	err = retry(ctx, time.Minute, func(ctx context.Context) error {
		var err error
		cfg := jetstream.ConsumerConfig{Durable: resName, Description: "gongkai coordinator: results of audit " + key,
			AckPolicy: jetstream.AckExplicitPolicy, AckWait: c.o.AckWait, FilterSubject: resultsPrefix + key + ".>",
			MaxAckPending: 256}
		if resCons, err = c.js.CreateOrUpdateConsumer(ctx, ResultsStream, cfg); err != nil {
			return fmt.Errorf("results consumer: %w", err)
		}
		cfg.Durable, cfg.FilterSubject, cfg.Description = deadName, deadPrefix+key+".>", "gongkai coordinator: dead letters of audit "+key
		if deadCons, err = c.js.CreateOrUpdateConsumer(ctx, DeadStream, cfg); err != nil {
			return fmt.Errorf("dead-letter consumer: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("nats: %w", err)
	}
	objs, err := c.js.ObjectStore(ctx, EvidenceBucket)
	if err != nil {
		return fmt.Errorf("nats: object store: %w", err)
	}

	// The advisory JetStream sends when a job's deliveries are spent: a
	// backstop for a job whose last delivery killed its worker.
	adv, err := c.nc.Subscribe("$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES."+JobsStream+"."+WorkerConsumer, func(m *nats.Msg) {
		c.onMaxDeliveries(ctx, jobs, m, log)
	})
	if err != nil {
		return fmt.Errorf("nats: subscribe to max-deliveries advisories: %w", err)
	}
	defer adv.Unsubscribe()

	todo := map[string]crawler.Target{}
	for _, t := range job.Targets {
		todo[t.Unit.ID] = t
	}
	if err := c.publishJobs(ctx, key, job, jobs, results, log); err != nil {
		return err
	}

	pctx, stopPull := context.WithCancel(ctx)
	defer stopPull()
	resCh := make(chan jetstream.Msg)
	deadCh := make(chan jetstream.Msg)
	var pulls sync.WaitGroup
	pulls.Add(3)
	go func() { defer pulls.Done(); pull(pctx, resCons, resCh) }()
	go func() { defer pulls.Done(); pull(pctx, deadCons, deadCh) }()
	go func() { defer pulls.Done(); c.watch(pctx, jobsCons) }()
	defer func() { stopPull(); pulls.Wait() }()

	var (
		stored   sync.WaitGroup
		resolved = map[string]bool{}
		deadRsn  = map[string]string{}
	)
	for len(resolved) < len(todo) {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case m := <-resCh:
			unit := unitOfSubject(m.Subject())
			if _, ok := todo[unit]; !ok || resolved[unit] && deadRsn[unit] == "" {
				// Stored already (in this run, or before a resume).
				c.metrics.results.WithLabelValues("duplicate").Inc()
				c.count(func(s *Stats) { s.Duplicates++ })
				c.dropObject(objs, m)
				_ = m.Ack()
				continue
			}
			ue, err := c.decode(ctx, objs, m)
			if err != nil {
				log.Error("undecodable result: dropped", "unit", unit, "error", err)
				c.metrics.results.WithLabelValues("bad").Inc()
				_ = m.Term()
				continue
			}
			if deadRsn[unit] != "" {
				// A late result for a unit already given up: take it.
				delete(deadRsn, unit)
			}
			resolved[unit] = true
			if d, _ := strconv.Atoi(m.Headers().Get(HeaderDelivery)); d > 1 {
				c.metrics.redelivered.Inc()
				c.count(func(s *Stats) { s.Redelivered++ })
			}
			worker := m.Headers().Get(HeaderWorker)
			stored.Add(1)
			emit(ue, func(err error) {
				defer stored.Done()
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
				c.dropObject(objs, m)
			})
		case m := <-deadCh:
			unit := unitOfSubject(m.Subject())
			if _, ok := todo[unit]; ok && !resolved[unit] {
				reason := m.Headers().Get(HeaderReason)
				if reason == "" {
					reason = "deliveries spent"
				}
				resolved[unit] = true
				deadRsn[unit] = reason
				c.metrics.dead.Inc()
				c.count(func(s *Stats) { s.DeadLettered++ })
				log.Warn("unit not audited: its job was dead-lettered", "unit", unit, "reason", reason)
			}
			_ = m.Ack()
		}
	}
	stopPull()
	pulls.Wait()
	stored.Wait()
	if len(deadRsn) > 0 {
		e := &NotAuditedError{Reasons: deadRsn}
		for u := range deadRsn {
			e.Units = append(e.Units, u)
		}
		sort.Strings(e.Units)
		return e
	}
	if ctx.Err() == nil {
		c.cleanup(ctx, key, results, dead, log)
	}
	return nil
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
