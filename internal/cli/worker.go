package cli

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/spf13/cobra"

	"gongkai/crawler"
	"gongkai/dist"
	"gongkai/source"
)

func newWorkerCmd(env Env) *cobra.Command {
	var (
		url, name, metricsListen       string
		jobs, concurrency, inlineLimit int
		lockTTL, lockWait              time.Duration
		verbose                        bool
	)
	c := &cobra.Command{
		Use:   "worker --nats URL [--jobs N] [--concurrency N] [--metrics-listen ADDR]",
		Short: "Crawl units for distributed audits: pull jobs from NATS JetStream, publish evidence",
		Long: `worker pulls unit jobs from the NATS JetStream work queue that
"gongkai audit --nats" (or serve with nats:) fills, crawls each unit with the
audit's own politeness settings (they come with the job), and publishes the
unit's evidence on the results stream; it acknowledges a job only once its
result is stored there. One host is crawled by one worker at a time (a lock
in the JetStream key-value bucket GONGKAI_HOSTS). Run as many workers, on as
many machines, as the hosts and the bandwidth allow; stop one with SIGTERM
(its jobs go back to the queue at once) or lose it (they come back after the
ack wait).`,
		Example: `  gongkai worker --nats nats://10.0.0.5:4222
  gongkai worker --nats nats://10.0.0.5:4222 --jobs 128 --concurrency 32 --metrics-listen :9742`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if url == "" {
				return usagef("--nats is required: the NATS server URL (nats://host:4222)")
			}
			log := logger(env, verbose)
			reg := prometheus.NewRegistry()
			reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
			ctx := c.Context()
			w, err := dist.NewWorker(ctx, dist.WorkerOptions{
				URL: url, Name: name, Jobs: jobs, LockTTL: lockTTL, LockWait: lockWait,
				Crawler:  crawler.Options{Concurrency: concurrency, Logger: log},
				Registry: reg, Logger: log, InlineLimit: inlineLimit,
			})
			if err != nil {
				return err
			}
			defer w.Close()
			if metricsListen != "" {
				ln, err := net.Listen("tcp", metricsListen)
				if err != nil {
					return fmt.Errorf("--metrics-listen: %w", err)
				}
				mux := http.NewServeMux()
				mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
				srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
				go func() { _ = srv.Serve(ln) }()
				defer srv.Close()
				fmt.Fprintf(env.Stderr, "gongkai worker: metrics http://%s/metrics\n", ln.Addr())
			}
			fmt.Fprintf(env.Stderr, "gongkai worker: pulling jobs from %s (stream %s, consumer %s)\n", url, dist.JobsStream, dist.WorkerConsumer)
			return w.Run(ctx)
		},
	}
	fl := c.Flags()
	fl.StringVar(&url, "nats", "", "NATS server `url`, e.g. nats://10.0.0.5:4222 (comma-separated for a cluster)")
	fl.StringVar(&name, "name", "", "worker name in logs, results and host locks (default: hostname-pid)")
	fl.IntVar(&jobs, "jobs", 64, "units crawled at once")
	fl.IntVar(&concurrency, "concurrency", 0, "requests in flight across all hosts (default 16)")
	fl.DurationVar(&lockTTL, "lock-ttl", dist.DefaultLockTTL, "lease of a host lock when this worker creates the bucket (refreshed every third of it)")
	fl.DurationVar(&lockWait, "lock-wait", 2*time.Second, "how long a job waits for a busy host before going back to the queue")
	fl.StringVar(&metricsListen, "metrics-listen", "", "serve Prometheus metrics (gongkai_worker_*) at this address's /metrics")
	fl.IntVar(&inlineLimit, "inline-limit", 0, "largest result sent in the message itself; larger ones go through the object store (default: the server's payload limit less 8 KiB)")
	_ = fl.MarkHidden("inline-limit")
	fl.BoolVarP(&verbose, "verbose", "v", false, "log each job")
	return c
}

// natsFlags are audit's flags for a distributed audit.
type natsFlags struct {
	url        string
	ackWait    time.Duration
	maxDeliver int
}

func (f *natsFlags) register(c *cobra.Command) {
	c.Flags().StringVar(&f.url, "nats", "", "distribute the crawl: publish one job per unit on the NATS JetStream server at this `url` for gongkai workers (docs/distributed.md)")
	c.Flags().DurationVar(&f.ackWait, "nats-ack-wait", dist.DefaultAckWait, "with --nats: a job unacknowledged this long (its worker died) is delivered again")
	c.Flags().IntVar(&f.maxDeliver, "nats-max-deliver", dist.DefaultMaxDeliver, "with --nats: crawl attempts per unit before its job is dead-lettered and the unit reported not audited")
}

// source returns the distributed audit's source and a func that prints its
// summary line and closes it; with no --nats, a nil source.
func (f *natsFlags) source(log *slog.Logger) (source.Source, func(io.Writer, bool), error) {
	if f.url == "" {
		return nil, func(io.Writer, bool) {}, nil
	}
	if f.maxDeliver < 1 {
		return nil, nil, usagef("--nats-max-deliver %d: want 1 or more", f.maxDeliver)
	}
	co, err := dist.NewCoordinator(dist.CoordinatorOptions{URL: f.url, AckWait: f.ackWait, MaxDeliver: f.maxDeliver, Logger: log})
	if err != nil {
		return nil, nil, err
	}
	return co.Source(), func(w io.Writer, print bool) {
		defer co.Close()
		if !print {
			return
		}
		s := co.Stats()
		fmt.Fprintf(w, "nats %s: %d jobs queued, %d results stored (%d via the object store), %d redelivered, %d duplicates dropped, %d dead-lettered; workers: %s\n",
			f.url, s.Queued, s.Stored, s.ViaObjectStore, s.Redelivered, s.Duplicates, s.DeadLettered, strings.Join(s.Workers, " "))
	}, nil
}
