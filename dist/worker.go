package dist

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"runtime/debug"
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
	"gongkai/internal/testhook"
)

// WorkerOptions configure a worker.
type WorkerOptions struct {
	// URL is the NATS server URL (nats://host:4222; a comma-separated
	// list for a cluster).
	URL string
	// Name identifies the worker in logs, results and host locks; ""
	// means hostname-pid.
	Name string
	// Jobs is how many units the worker crawls at once; 0 means 64. With
	// per-host delays a unit mostly waits, so many proceed together; the
	// global Crawler.Concurrency bounds the requests in flight.
	Jobs int
	// Crawler is the base of every crawl: its Concurrency (requests in
	// flight across all hosts), Transport, Logger and clock are the
	// worker's; politeness and limits come with each job.
	Crawler crawler.Options
	// LockTTL is the lease of a host lock, used when the worker creates
	// the KV bucket (an existing bucket keeps its TTL); 0 means 30s. A
	// lock is refreshed every third of it while its unit is crawled.
	LockTTL time.Duration
	// LockWait is how long a job waits for a busy host before it is put
	// back at the end of the queue; 0 means 2s.
	LockWait time.Duration
	// NakDelay is the pause before a failed job is delivered again,
	// multiplied by the failures so far; 0 means 1s.
	NakDelay time.Duration
	// InlineLimit is the largest result sent in the message itself; larger
	// ones go through the object store. 0 means the server's payload limit
	// less 8 KiB for headers.
	InlineLimit int
	// Registry receives the gongkai_worker_ metrics; nil registers none.
	Registry prometheus.Registerer
	// Logger receives the worker's log; nil discards it.
	Logger *slog.Logger
	// Ready, when set, is called once the worker is connected and pulls jobs.
	Ready func()
}

// Worker pulls unit jobs from JetStream, crawls them and publishes their
// evidence. Create one with NewWorker and run it with Run.
type Worker struct {
	o       WorkerOptions
	log     *slog.Logger
	nc      *nats.Conn
	js      jetstream.JetStream
	cons    jetstream.Consumer
	kv      jetstream.KeyValue
	objs    jetstream.ObjectStore
	jobs    jetstream.Stream
	ackWait time.Duration
	lockTTL time.Duration
	metrics *workerMetrics

	mu       sync.Mutex
	crawlers map[crawler.Settings]*crawler.Crawler
}

// NewWorker connects to NATS and makes sure the streams, the jobs
// consumer, the host-lock bucket and the object store exist (creating
// them with the defaults when no coordinator has yet). It waits for the
// server while ctx allows.
func NewWorker(ctx context.Context, o WorkerOptions) (*Worker, error) {
	if o.URL == "" {
		return nil, errors.New("worker: no NATS URL")
	}
	if o.Name == "" {
		h, _ := os.Hostname()
		o.Name = fmt.Sprintf("%s-%d", h, os.Getpid())
	}
	if o.Jobs <= 0 {
		o.Jobs = 64
	}
	if o.LockTTL <= 0 {
		o.LockTTL = DefaultLockTTL
	}
	if o.LockWait <= 0 {
		o.LockWait = 2 * time.Second
	}
	if o.NakDelay <= 0 {
		o.NakDelay = time.Second
	}
	w := &Worker{o: o, log: o.Logger, crawlers: map[crawler.Settings]*crawler.Crawler{}}
	if w.log == nil {
		w.log = slog.New(slog.DiscardHandler)
	}
	w.log = w.log.With("worker", o.Name)
	var err error
	if w.metrics, err = newWorkerMetrics(o.Registry); err != nil {
		return nil, err
	}
	if w.nc, w.js, err = connect(o.URL, "gongkai worker "+o.Name, w.log); err != nil {
		return nil, err
	}
	err = retry(ctx, 10*time.Minute, func(ctx context.Context) error {
		if err := ensureStreams(ctx, w.js, o.LockTTL); err != nil {
			return err
		}
		cons, err := w.js.Consumer(ctx, JobsStream, WorkerConsumer)
		if errors.Is(err, jetstream.ErrConsumerNotFound) {
			cons, err = w.js.CreateConsumer(ctx, JobsStream, workerConsumerConfig(DefaultAckWait, DefaultMaxDeliver))
			if errors.Is(err, jetstream.ErrConsumerExists) {
				cons, err = w.js.Consumer(ctx, JobsStream, WorkerConsumer)
			}
		}
		if err != nil {
			return fmt.Errorf("jobs consumer: %w", err)
		}
		w.cons = cons
		if w.jobs, err = w.js.Stream(ctx, JobsStream); err != nil {
			return fmt.Errorf("stream %s: %w", JobsStream, err)
		}
		if w.kv, err = w.js.KeyValue(ctx, HostsBucket); err != nil {
			return fmt.Errorf("kv %s: %w", HostsBucket, err)
		}
		st, err := w.kv.Status(ctx)
		if err != nil {
			return fmt.Errorf("kv %s: %w", HostsBucket, err)
		}
		w.lockTTL = st.TTL()
		if w.objs, err = w.js.ObjectStore(ctx, EvidenceBucket); err != nil {
			return fmt.Errorf("object store %s: %w", EvidenceBucket, err)
		}
		return nil
	})
	if err != nil {
		w.nc.Close()
		return nil, fmt.Errorf("worker: set up JetStream on %s: %w", o.URL, err)
	}
	if w.lockTTL <= 0 {
		w.lockTTL = o.LockTTL
	}
	w.ackWait = DefaultAckWait
	if ci := w.cons.CachedInfo(); ci != nil && ci.Config.AckWait > 0 {
		w.ackWait = ci.Config.AckWait
	}
	return w, nil
}

// Close closes the worker's crawlers and its NATS connection.
func (w *Worker) Close() {
	w.mu.Lock()
	for _, c := range w.crawlers {
		c.Close()
	}
	w.mu.Unlock()
	w.nc.Close()
}

// Run pulls and handles jobs, o.Jobs at a time, until ctx is done; jobs in
// hand then are given back (nak) for another worker. It returns nil on a
// stop.
func (w *Worker) Run(ctx context.Context) error {
	w.log.Info("worker pulling jobs", "stream", JobsStream, "consumer", WorkerConsumer, "jobs", w.o.Jobs,
		"ack_wait", w.ackWait, "lock_ttl", w.lockTTL)
	if w.o.Ready != nil {
		w.o.Ready()
	}
	sem := make(chan struct{}, w.o.Jobs)
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		select {
		case <-ctx.Done():
			return nil
		case sem <- struct{}{}:
		}
		msg, err := w.cons.Next(jetstream.FetchMaxWait(time.Second))
		if err != nil {
			<-sem
			if !errors.Is(err, nats.ErrTimeout) && ctx.Err() == nil {
				w.log.Debug("pull", "error", err)
				select {
				case <-ctx.Done():
				case <-time.After(250 * time.Millisecond):
				}
			}
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			w.handle(ctx, msg)
		}()
	}
}

// crawlerFor returns the crawler for a job's settings, one per distinct
// settings, so the global concurrency limit holds across the jobs.
func (w *Worker) crawlerFor(s crawler.Settings) *crawler.Crawler {
	w.mu.Lock()
	defer w.mu.Unlock()
	c := w.crawlers[s]
	if c == nil {
		c = crawler.New(jobOptions(w.o.Crawler, s))
		w.crawlers[s] = c
	}
	return c
}

// jobOptions are the options a job's unit is crawled with: the job's
// settings, as the coordinator had them, on the worker's base (its
// concurrency, cache, transport, clock and logger). A worker told to
// ignore robots.txt ignores it for every job.
func jobOptions(base crawler.Options, s crawler.Settings) crawler.Options {
	o := base
	o.Settings = s
	o.IgnoreRobots = s.IgnoreRobots || base.IgnoreRobots
	return o
}

// handle runs one job: dead-letter it if its attempts are spent, take its
// hosts' locks, crawl, publish the result, and ack only once the result
// is stored in the results stream.
func (w *Worker) handle(ctx context.Context, msg jetstream.Msg) {
	md, err := msg.Metadata()
	if err != nil {
		w.log.Error("job without metadata", "error", err)
		_ = msg.Term()
		return
	}
	job, err := DecodeJob(msg.Data())
	if err != nil {
		w.log.Error("bad job: dropped", "subject", msg.Subject(), "error", err)
		w.metrics.jobs.WithLabelValues("bad").Inc()
		_ = msg.Term()
		return
	}
	unit := job.Target.Unit.ID
	log := w.log.With("audit", job.Audit, "unit", unit, "delivery", md.NumDelivered)
	prior, _ := strconv.Atoi(msg.Headers().Get(HeaderFailures))
	failures := prior + int(md.NumDelivered) - 1
	maxDeliver := job.MaxDeliver
	if maxDeliver <= 0 {
		maxDeliver = DefaultMaxDeliver
	}
	if failures >= maxDeliver {
		w.deadLetter(ctx, msg, job, md, fmt.Sprintf("failed %d deliveries", failures), log)
		return
	}
	w.metrics.inFlight.Inc()
	defer w.metrics.inFlight.Dec()

	// Keep the job ours while we wait for locks, crawl and publish: renew
	// it every third of the ack wait the coordinator set (the consumer's
	// as this worker last saw it when the job does not say).
	ackWait := w.ackWait
	if job.AckWait > 0 {
		ackWait = job.AckWait
	}
	hbCtx, stopHB := context.WithCancel(ctx)
	var hbWG sync.WaitGroup
	hbWG.Add(1)
	go func() {
		defer hbWG.Done()
		t := time.NewTicker(max(ackWait/3, 100*time.Millisecond))
		defer t.Stop()
		for {
			select {
			case <-hbCtx.Done():
				return
			case <-t.C:
				_ = msg.InProgress()
			}
		}
	}()
	defer func() { stopHB(); hbWG.Wait() }()

	locks, err := w.lock(ctx, job.Target, failures, log)
	if errors.Is(err, errHostBusy) {
		w.requeue(ctx, msg, job, failures, log)
		return
	}
	if err != nil {
		w.fail(ctx, msg, failures, log, fmt.Errorf("host lock: %w", err))
		return
	}
	defer locks.release()

	if testhook.FailUnit != nil && testhook.FailUnit(unit) {
		w.fail(ctx, msg, failures, log, errors.New("failing on purpose (testhook.FailUnit)"))
		return
	}
	log.Info("crawling", "url", job.Target.Unit.URL)
	ue, err := w.crawl(ctx, job)
	if ctx.Err() != nil {
		// Stopping: give the job back at once, the crawl is partial.
		_ = msg.Nak()
		w.metrics.jobs.WithLabelValues("aborted").Inc()
		return
	}
	if err != nil {
		w.fail(ctx, msg, failures, log, err)
		return
	}
	if lost := locks.lost(); lost != "" {
		log.Warn("host lock lost during the crawl (lease expired)", "host", lost)
	}
	fetches := ue.AllFetches()
	for _, f := range fetches {
		w.metrics.pages.Inc()
		if f.Class != evidence.ClassOK {
			w.metrics.errors.Inc()
		}
	}
	if err := w.publish(ctx, job, md, failures+1, ue); err != nil {
		w.fail(ctx, msg, failures, log, fmt.Errorf("publish result: %w", err))
		return
	}
	// The result is stored: now the job may go. A lost ack only means the
	// job runs again and the coordinator drops the duplicate.
	if err := retry(ctx, w.ackWait, func(ctx context.Context) error { return msg.DoubleAck(ctx) }); err != nil {
		log.Warn("ack of a done job failed: it will run again", "error", err)
	}
	w.metrics.jobs.WithLabelValues("ok").Inc()
	log.Info("unit done", "requests", len(fetches))
}

// crawl crawls a job's unit; a panic in the crawler is a failed attempt,
// not a dead worker.
func (w *Worker) crawl(ctx context.Context, job *Job) (ue *evidence.UnitEvidence, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("crawler panic: %v\n%s", r, debug.Stack())
		}
	}()
	return w.crawlerFor(job.Crawl).Crawl(ctx, job.Target), nil
}

// fail gives a job back with a delay growing with its failures.
func (w *Worker) fail(ctx context.Context, msg jetstream.Msg, failures int, log *slog.Logger, err error) {
	w.metrics.jobs.WithLabelValues("failed").Inc()
	log.Warn("job failed: it will be delivered again", "failures", failures+1, "error", err)
	if ctx.Err() != nil {
		_ = msg.Nak()
		return
	}
	_ = msg.NakWithDelay(time.Duration(failures+1) * w.o.NakDelay)
}

// requeue puts a job whose host is busy back at the end of the queue
// without spending one of its attempts: a copy carrying its failures is
// published, then the original acked (a crash between the two only makes a
// duplicate, which the coordinator drops).
func (w *Worker) requeue(ctx context.Context, msg jetstream.Msg, job *Job, failures int, log *slog.Logger) {
	m := nats.NewMsg(msg.Subject())
	m.Data = msg.Data()
	m.Header.Set(HeaderFailures, strconv.Itoa(failures))
	err := retry(ctx, w.ackWait/2, func(ctx context.Context) error {
		_, err := w.js.PublishMsg(ctx, m, jetstream.WithMsgID(job.Audit+"/"+job.Target.Unit.ID+"/q"+nuid.Next()))
		return err
	})
	if err != nil {
		log.Warn("requeue of a job whose host is busy failed", "error", err)
		_ = msg.NakWithDelay(w.o.LockWait)
		return
	}
	_ = msg.Ack()
	w.metrics.jobs.WithLabelValues("requeued").Inc()
	log.Info("host busy: job requeued")
}

// deadLetter publishes a job whose attempts are spent on the dead-letter
// subject and removes it from the queue.
func (w *Worker) deadLetter(ctx context.Context, msg jetstream.Msg, job *Job, md *jetstream.MsgMetadata, reason string, log *slog.Logger) {
	err := publishDead(ctx, w.js, job, msg.Data(), md.Sequence.Stream, reason)
	if err != nil {
		log.Error("dead letter not published: the job stays", "error", err)
		_ = msg.NakWithDelay(w.o.NakDelay)
		return
	}
	_ = msg.Ack()
	w.metrics.jobs.WithLabelValues("dead_lettered").Inc()
	log.Warn("job dead-lettered", "reason", reason, "subject", DeadSubject(job.Audit, job.Target.Unit.ID))
}

// publishDead publishes a dead letter for a job; its message id makes a
// second one for the same job (a worker's and the advisory's) a duplicate.
func publishDead(ctx context.Context, js jetstream.JetStream, job *Job, data []byte, seq uint64, reason string) error {
	m := nats.NewMsg(DeadSubject(job.Audit, job.Target.Unit.ID))
	m.Data = data
	m.Header.Set(HeaderReason, reason)
	return retry(ctx, time.Minute, func(ctx context.Context) error {
		_, err := js.PublishMsg(ctx, m, jetstream.WithMsgID(fmt.Sprintf("dead/%s/%s/%d", job.Audit, job.Target.Unit.ID, seq)))
		return err
	})
}

// publish sends a unit's result: in the message when it fits, else
// through the object store with the object's name in a header. The message
// id makes a retried publish of the same delivery a duplicate.
func (w *Worker) publish(ctx context.Context, job *Job, md *jetstream.MsgMetadata, attempt int, ue *evidence.UnitEvidence) error {
	data, err := EncodeResult(ue)
	if err != nil {
		return err
	}
	unit := job.Target.Unit.ID
	m := nats.NewMsg(ResultSubject(job.Audit, unit))
	m.Header.Set(HeaderDelivery, strconv.Itoa(attempt))
	m.Header.Set(HeaderWorker, w.o.Name)
	limit := w.o.InlineLimit
	if limit <= 0 {
		limit = int(w.nc.MaxPayload()) - 8<<10
	}
	until := 2 * time.Minute
	if len(data) > limit {
		name := fmt.Sprintf("%s/%s/%d-%d", job.Audit, unit, md.Sequence.Stream, md.NumDelivered)
		err := retry(ctx, until, func(ctx context.Context) error {
			_, err := w.objs.PutBytes(ctx, name, data)
			return err
		})
		if err != nil {
			return fmt.Errorf("object %s: %w", name, err)
		}
		m.Header.Set(HeaderObject, name)
		w.metrics.objects.Inc()
	} else {
		m.Data = data
	}
	id := fmt.Sprintf("%s/%s/%d-%d", job.Audit, unit, md.Sequence.Stream, md.NumDelivered)
	return retry(ctx, until, func(ctx context.Context) error {
		_, err := w.js.PublishMsg(ctx, m, jetstream.WithMsgID(id))
		return err
	})
}

// errHostBusy says another worker holds one of a unit's hosts.
var errHostBusy = errors.New("host busy")

// heldLocks are the host locks a job holds, refreshed in the background.
type heldLocks struct {
	w     *Worker
	mu    sync.Mutex
	revs  map[string]uint64
	lostK string
	stop  context.CancelFunc
	done  chan struct{}
}

// hostsOf lists a target's hosts (the unit URL's and the extra ones),
// lower-case, sorted, each once.
func hostsOf(t crawler.Target) []string {
	set := map[string]bool{}
	if u, err := url.Parse(t.Unit.URL); err == nil && u.Host != "" {
		set[strings.ToLower(u.Host)] = true
	}
	for _, h := range t.Hosts {
		set[strings.ToLower(h)] = true
	}
	out := make([]string, 0, len(set))
	for h := range set {
		out = append(out, h)
	}
	sort.Strings(out)
	return out
}

// lock takes every host of t, waiting up to LockWait for busy ones; all
// or none: on errHostBusy nothing is held. A job delivered again after a
// failure takes over a lock held for its own unit: JetStream redelivered
// it because its holder stopped renewing the job (killed, or cut off), so
// waiting out the lock's lease would only delay the retry.
func (w *Worker) lock(ctx context.Context, t crawler.Target, failures int, log *slog.Logger) (*heldLocks, error) {
	hosts := hostsOf(t)
	owner := []byte(w.o.Name + " " + t.Unit.ID)
	deadline := time.Now().Add(w.o.LockWait)
	for {
		revs := map[string]uint64{}
		var busy string
		var ferr error
		for _, h := range hosts {
			k := hostKey(h)
			var rev uint64
			err := retry(ctx, w.ackWait/2, func(ctx context.Context) error {
				var err error
				rev, err = w.kv.Create(ctx, k, owner)
				if !errors.Is(err, jetstream.ErrKeyExists) {
					return err
				}
				rev = 0 // busy, unless the holder was this unit's earlier attempt
				if failures == 0 {
					return nil
				}
				e, gerr := w.kv.Get(ctx, k)
				if gerr != nil || !strings.HasSuffix(string(e.Value()), " "+t.Unit.ID) || string(e.Value()) == string(owner) {
					return nil
				}
				if nrev, uerr := w.kv.Update(ctx, k, owner, e.Revision()); uerr == nil {
					log.Info("host lock taken over from the unit's earlier attempt", "host", h, "holder", string(e.Value()))
					rev = nrev
				}
				return nil
			})
			if err != nil {
				ferr = fmt.Errorf("lock %s: %w", h, err)
				break
			}
			if rev == 0 {
				busy = h
				break
			}
			revs[k] = rev
		}
		if busy == "" && ferr == nil {
			cctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
			l := &heldLocks{w: w, revs: revs, stop: cancel, done: make(chan struct{})}
			go l.refresh(cctx, owner)
			return l, nil
		}
		for k, rev := range revs {
			_ = w.kv.Delete(context.WithoutCancel(ctx), k, jetstream.LastRevision(rev))
		}
		if ferr != nil {
			return nil, ferr
		}
		w.metrics.lockWaits.Inc()
		if time.Now().After(deadline) {
			log.Info("host busy", "host", busy)
			return nil, errHostBusy
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// refresh renews the leases every third of the TTL until released.
func (l *heldLocks) refresh(ctx context.Context, owner []byte) {
	defer close(l.done)
	t := time.NewTicker(max(l.w.lockTTL/3, 100*time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		l.mu.Lock()
		for k, rev := range l.revs {
			actx, cancel := context.WithTimeout(ctx, 5*time.Second)
			nrev, err := l.w.kv.Update(actx, k, owner, rev)
			cancel()
			if err == nil {
				l.revs[k] = nrev
			} else if errors.Is(err, jetstream.ErrKeyExists) || errors.Is(err, jetstream.ErrKeyNotFound) {
				l.lostK = k // expired and maybe taken: keep crawling, say so
			}
		}
		l.mu.Unlock()
	}
}

// lost names a host whose lock expired during the crawl; "" when none.
func (l *heldLocks) lost() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lostK
}

// release stops the refreshes and frees the hosts.
func (l *heldLocks) release() {
	l.stop()
	<-l.done
	l.mu.Lock()
	defer l.mu.Unlock()
	for k, rev := range l.revs {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = l.w.kv.Delete(ctx, k, jetstream.LastRevision(rev))
		cancel()
	}
}
