package dist

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// workerMetrics are a worker's gongkai_worker_ series.
type workerMetrics struct {
	jobs      *prometheus.CounterVec
	inFlight  prometheus.Gauge
	pages     prometheus.Counter
	errors    prometheus.Counter
	objects   prometheus.Counter
	lockWaits prometheus.Counter
}

func newWorkerMetrics(reg prometheus.Registerer) (*workerMetrics, error) {
	m := &workerMetrics{
		jobs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gongkai_worker_jobs_total",
			Help: "Unit jobs handled by this worker, by result: ok, failed (given back to be delivered again), requeued (host busy), dead_lettered, aborted (worker stopping), bad (undecodable)."},
			[]string{"result"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{Name: "gongkai_worker_jobs_in_flight",
			Help: "Unit jobs this worker holds now (waiting for a host lock, crawling or publishing)."}),
		pages: prometheus.NewCounter(prometheus.CounterOpts{Name: "gongkai_worker_pages_total",
			Help: "Requests made by this worker for the units it published (pages, link checks, reachability attempts)."}),
		errors: prometheus.NewCounter(prometheus.CounterOpts{Name: "gongkai_worker_fetch_errors_total",
			Help: "Requests made by this worker that failed (any class but ok)."}),
		objects: prometheus.NewCounter(prometheus.CounterOpts{Name: "gongkai_worker_results_via_object_store_total",
			Help: "Results too large for one message, sent through the object store."}),
		lockWaits: prometheus.NewCounter(prometheus.CounterOpts{Name: "gongkai_worker_host_lock_busy_total",
			Help: "Attempts to take a host lock that another job held."}),
	}
	for _, r := range []string{"ok", "failed", "requeued", "dead_lettered", "aborted", "bad"} {
		m.jobs.WithLabelValues(r)
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.jobs, m.inFlight, m.pages, m.errors, m.objects, m.lockWaits} {
			if err := reg.Register(c); err != nil {
				return nil, fmt.Errorf("register worker metrics: %w", err)
			}
		}
	}
	return m, nil
}

// coordMetrics are the coordinator's gongkai_dist_ series.
type coordMetrics struct {
	queued      prometheus.Counter
	pending     prometheus.Gauge
	inFlight    prometheus.Gauge
	redelivered prometheus.Counter
	dead        prometheus.Counter
	results     *prometheus.CounterVec
}

func newCoordMetrics(reg prometheus.Registerer) (*coordMetrics, error) {
	m := &coordMetrics{
		queued: prometheus.NewCounter(prometheus.CounterOpts{Name: "gongkai_dist_jobs_queued_total",
			Help: "Unit jobs published on the jobs stream."}),
		pending: prometheus.NewGauge(prometheus.GaugeOpts{Name: "gongkai_dist_jobs_pending",
			Help: "Unit jobs in the jobs stream not yet delivered to a worker (all audits)."}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{Name: "gongkai_dist_jobs_in_flight",
			Help: "Unit jobs delivered to a worker and not yet acknowledged (all audits)."}),
		redelivered: prometheus.NewCounter(prometheus.CounterOpts{Name: "gongkai_dist_jobs_redelivered_total",
			Help: "Results that came from a job's second or later delivery (a worker died, failed or was stopped)."}),
		dead: prometheus.NewCounter(prometheus.CounterOpts{Name: "gongkai_dist_jobs_dead_lettered_total",
			Help: "Unit jobs dead-lettered after their deliveries were spent; their units are not audited."}),
		results: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gongkai_dist_results_total",
			Help: "Results received, by outcome: stored, duplicate (dropped: the unit was already in), bad (undecodable), failed (not stored)."},
			[]string{"result"}),
	}
	for _, r := range []string{"stored", "duplicate", "bad", "failed"} {
		m.results.WithLabelValues(r)
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.queued, m.pending, m.inFlight, m.redelivered, m.dead, m.results} {
			if err := reg.Register(c); err != nil {
				var are prometheus.AlreadyRegisteredError
				if errors.As(err, &are) {
					continue
				}
				return nil, fmt.Errorf("register dist metrics: %w", err)
			}
		}
	}
	return m, nil
}
