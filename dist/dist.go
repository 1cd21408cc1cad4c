// Package dist runs audits across machines on NATS JetStream: a coordinator
// (the `gongkai audit --nats` or `serve` process holding the database)
// publishes one job per unit on a work-queue stream; `gongkai worker`
// processes pull the jobs, crawl each unit with the same crawler and
// politeness as a single-process audit, and publish the unit's evidence on
// a results stream; the coordinator stores, judges and scores it through
// the same audit.Run as a local audit (it is a source.Source).
//
// JetStream layout (names are part of the deployment contract,
// docs/distributed.md#what-is-on-the-bus):
//
//	stream GONGKAI_JOBS     gongkai.jobs.<audit>.<unit>     work queue; consumer "gongkai-workers"
//	stream GONGKAI_RESULTS  gongkai.results.<audit>.<unit>  limits (7 days); consumer "results-<audit>"
//	stream GONGKAI_DEAD     gongkai.dead.<audit>.<unit>     limits (30 days); consumer "dead-<audit>"
//	KV     GONGKAI_HOSTS    key: the host, value: the worker holding it; TTL = the lock's lease
//	object GONGKAI_EVIDENCE results too large for one message
//
// The package never imports the store, the rules or the scoring: what it
// carries is plain evidence.
package dist

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Names of the JetStream assets.
const (
	JobsStream     = "GONGKAI_JOBS"
	ResultsStream  = "GONGKAI_RESULTS"
	DeadStream     = "GONGKAI_DEAD"
	WorkerConsumer = "gongkai-workers"
	HostsBucket    = "GONGKAI_HOSTS"
	EvidenceBucket = "GONGKAI_EVIDENCE"

	jobsPrefix    = "gongkai.jobs."
	resultsPrefix = "gongkai.results."
	deadPrefix    = "gongkai.dead."
)

// Headers on results and dead letters.
const (
	// HeaderObject names the object-store object holding a result too
	// large for one message (the message body is then empty).
	HeaderObject = "Gongkai-Object"
	// HeaderDelivery is the delivery of the job (1 for the first) that
	// produced a result.
	HeaderDelivery = "Gongkai-Delivery"
	// HeaderWorker names the worker that produced a result.
	HeaderWorker = "Gongkai-Worker"
	// HeaderFailures counts the failed attempts a job had before it was
	// re-queued (a job re-queued while its host was busy keeps its count).
	HeaderFailures = "Gongkai-Failures"
	// HeaderReason says why a job was dead-lettered.
	HeaderReason = "Gongkai-Reason"
)

// Defaults of the settings.
const (
	DefaultAckWait    = 30 * time.Second
	DefaultMaxDeliver = 5
	DefaultLockTTL    = 30 * time.Second
	resultsMaxAge     = 7 * 24 * time.Hour
	deadMaxAge        = 30 * 24 * time.Hour
	evidenceTTL       = 7 * 24 * time.Hour
)

// JobSubject is the subject of a unit's job in an audit.
func JobSubject(audit, unit string) string { return jobsPrefix + audit + "." + unit }

// ResultSubject is the subject of a unit's result in an audit.
func ResultSubject(audit, unit string) string { return resultsPrefix + audit + "." + unit }

// DeadSubject is the dead-letter subject of a unit's job in an audit.
func DeadSubject(audit, unit string) string { return deadPrefix + audit + "." + unit }

// AuditKey names an audit on the bus: its id and a digest of its start
// time as stored, so two databases' audit 1 never share subjects, and a
// resumed audit finds its own.
func AuditKey(id int64, started time.Time) string {
	sum := sha256.Sum256([]byte(started.UTC().Format(time.RFC3339Nano)))
	return fmt.Sprintf("a%d-%s", id, hex.EncodeToString(sum[:4]))
}

// unitOfSubject returns the last token of a subject (the unit id).
func unitOfSubject(subj string) string {
	return subj[strings.LastIndexByte(subj, '.')+1:]
}

// hostKey turns a host (host or host:port) into a KV key: letters,
// digits, '-' and '.' stay, anything else becomes _XX (hex).
func hostKey(host string) string {
	var b strings.Builder
	for _, c := range []byte(strings.ToLower(host)) {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '.':
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "_%02x", c)
		}
	}
	return b.String()
}

// connect dials NATS with reconnection forever (a brief outage of the
// server is waited out; publishes are retried by the callers).
func connect(url, name string, log *slog.Logger) (*nats.Conn, jetstream.JetStream, error) {
	nc, err := nats.Connect(url,
		nats.Name(name),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(250*time.Millisecond),
		nats.RetryOnFailedConnect(true),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				log.Warn("nats disconnected", "error", err)
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) { log.Info("nats reconnected", "url", nc.ConnectedUrl()) }),
	)
	if err != nil {
		return nil, nil, fmt.Errorf("connect to nats %s: %w", url, err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, nil, fmt.Errorf("jetstream on %s: %w", url, err)
	}
	return nc, js, nil
}

// ensureStreams creates the streams, the KV bucket and the object store
// when they do not exist; existing ones are kept as they are.
func ensureStreams(ctx context.Context, js jetstream.JetStream, lockTTL time.Duration) error {
	streams := []jetstream.StreamConfig{
		{Name: JobsStream, Subjects: []string{jobsPrefix + ">"}, Retention: jetstream.WorkQueuePolicy,
			Storage: jetstream.FileStorage, Duplicates: 2 * time.Minute},
		{Name: ResultsStream, Subjects: []string{resultsPrefix + ">"}, Retention: jetstream.LimitsPolicy,
			Storage: jetstream.FileStorage, MaxAge: resultsMaxAge, Duplicates: 2 * time.Minute},
		{Name: DeadStream, Subjects: []string{deadPrefix + ">"}, Retention: jetstream.LimitsPolicy,
			Storage: jetstream.FileStorage, MaxAge: deadMaxAge, Duplicates: 2 * time.Minute},
	}
	for _, cfg := range streams {
		if _, err := js.Stream(ctx, cfg.Name); err == nil {
			continue
		} else if !errors.Is(err, jetstream.ErrStreamNotFound) {
			return fmt.Errorf("stream %s: %w", cfg.Name, err)
		}
		if _, err := js.CreateStream(ctx, cfg); err != nil && !errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
			return fmt.Errorf("create stream %s: %w", cfg.Name, err)
		}
	}
	if _, err := js.KeyValue(ctx, HostsBucket); errors.Is(err, jetstream.ErrBucketNotFound) {
		if _, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: HostsBucket, TTL: lockTTL,
			Description: "gongkai host locks: one worker crawls a host at a time", Storage: jetstream.FileStorage}); err != nil && !errors.Is(err, jetstream.ErrBucketExists) {
			return fmt.Errorf("create kv %s: %w", HostsBucket, err)
		}
	} else if err != nil {
		return fmt.Errorf("kv %s: %w", HostsBucket, err)
	}
	if _, err := js.ObjectStore(ctx, EvidenceBucket); errors.Is(err, jetstream.ErrBucketNotFound) {
		if _, err := js.CreateObjectStore(ctx, jetstream.ObjectStoreConfig{Bucket: EvidenceBucket, TTL: evidenceTTL,
			Description: "gongkai results too large for one message", Storage: jetstream.FileStorage}); err != nil && !errors.Is(err, jetstream.ErrBucketExists) {
			return fmt.Errorf("create object store %s: %w", EvidenceBucket, err)
		}
	} else if err != nil {
		return fmt.Errorf("object store %s: %w", EvidenceBucket, err)
	}
	return nil
}

// workerConsumerConfig is the jobs consumer all workers share.
func workerConsumerConfig(ackWait time.Duration, maxDeliver int) jetstream.ConsumerConfig {
	return jetstream.ConsumerConfig{
		Durable:       WorkerConsumer,
		Description:   "gongkai workers: one unit job at a time each",
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       ackWait,
		FilterSubject: jobsPrefix + ">",
		// One delivery more than the crawl attempts: the worker that gets
		// it dead-letters the job without crawling (see Worker).
		MaxDeliver:    maxDeliver + 1,
		MaxAckPending: 10000,
	}
}

// retry calls f until it succeeds, ctx is done or the deadline passes,
// waiting a growing pause between tries (NATS briefly unreachable).
func retry(ctx context.Context, until time.Duration, f func(context.Context) error) error {
	deadline := time.Now().Add(until)
	wait := 100 * time.Millisecond
	for {
		actx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := f(actx)
		cancel()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait = min(2*wait, 2*time.Second)
	}
}
