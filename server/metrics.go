package server

import (
	"context"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"gongkai/evidence"
	"gongkai/rules"
)

// Metric names. Every name has the gongkai_ prefix and a base unit; labels
// are bounded (unit id, dimension id, finding kind and severity, fetch
// class, grade, audit result), never a URL.
const (
	mAuditsInFlight      = "gongkai_audits_in_flight"
	mAuditsTotal         = "gongkai_audits_total"
	mAuditsSkipped       = "gongkai_audits_skipped_total"
	mAuditDuration       = "gongkai_audit_duration_seconds"
	mLastAuditDuration   = "gongkai_last_audit_duration_seconds"
	mLastAuditSuccess    = "gongkai_last_audit_success"
	mLastSuccessTime     = "gongkai_last_successful_audit_timestamp_seconds"
	mNextAuditTime       = "gongkai_next_audit_timestamp_seconds"
	mAuditInterval       = "gongkai_audit_interval_seconds"
	mAuditUnits          = "gongkai_audit_units"
	mAuditUnitsDone      = "gongkai_audit_units_done"
	mUnitFetches         = "gongkai_unit_fetches_total"
	mUnitFetchErrors     = "gongkai_unit_fetch_errors_total"
	mLatestAudit         = "gongkai_latest_audit_id"
	mLatestAsOf          = "gongkai_latest_audit_as_of_timestamp_seconds"
	mUnitInfo            = "gongkai_unit_info"
	mUnitScore           = "gongkai_unit_score"
	mUnitDimensionScore  = "gongkai_unit_dimension_score"
	mUnitScoreChange     = "gongkai_unit_score_change"
	mUnitGradeLevel      = "gongkai_unit_grade_level"
	mUnitRank            = "gongkai_unit_rank"
	mUnitVetoed          = "gongkai_unit_vetoed"
	mUnitReachable       = "gongkai_unit_reachable"
	mUnitFindings        = "gongkai_unit_findings"
	mUnitAuditFetches    = "gongkai_unit_audit_fetches"
	mUnitAuditFetchError = "gongkai_unit_audit_fetch_errors"
	mGradeMinScore       = "gongkai_grade_min_score"
	mBuildInfo           = "gongkai_build_info"
	mSnapshotErrors      = "gongkai_snapshot_errors_total"
	mProbes              = "gongkai_probes_total"
	mUnitAssessed        = "gongkai_unit_assessed"
	mUnitProbeSuccess    = "gongkai_unit_probe_success"
	mLastProbeTime       = "gongkai_last_probe_timestamp_seconds"
)

// metrics are the service's Prometheus metrics, registered on the registry
// the service is given.
type metrics struct {
	inFlight     prometheus.Gauge
	audits       *prometheus.CounterVec
	skipped      prometheus.Counter
	duration     prometheus.Histogram
	lastDuration prometheus.Gauge
	nextAudit    prometheus.Gauge
	interval     prometheus.Gauge
	units        prometheus.Gauge
	unitsDone    prometheus.Gauge
	fetches      *prometheus.CounterVec
	fetchErrors  *prometheus.CounterVec
	probes       *prometheus.CounterVec
	probeOK      *prometheus.GaugeVec
	lastProbe    prometheus.Gauge
}

// auditBuckets span a test audit of the sim (seconds) to a district's
// polite annual audit (hours).
var auditBuckets = []float64{1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400, 28800}

// newMetrics registers the service's metrics, the per-unit collector over
// the latest audit, and the Go and process collectors on reg.
func newMetrics(reg prometheus.Registerer, snap *snapshotCollector, version string) (*metrics, error) {
	m := &metrics{
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{Name: mAuditsInFlight,
			Help: "Audits running now (0 or 1: audits never overlap)."}),
		audits: prometheus.NewCounterVec(prometheus.CounterOpts{Name: mAuditsTotal,
			Help: "Audits run by this process, by result: complete, incomplete (stopped early, kept), failed (could not run)."}, []string{"result"}),
		skipped: prometheus.NewCounter(prometheus.CounterOpts{Name: mAuditsSkipped,
			Help: "Scheduled or requested audits not started because another was running."}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{Name: mAuditDuration,
			Help: "Wall time of the audits this process ran, whatever their result.", Buckets: auditBuckets}),
		lastDuration: prometheus.NewGauge(prometheus.GaugeOpts{Name: mLastAuditDuration,
			Help: "Wall time of the last audit this process ran."}),
		nextAudit: prometheus.NewGauge(prometheus.GaugeOpts{Name: mNextAuditTime,
			Help: "When the next scheduled audit starts (Unix time); 0 when nothing is scheduled."}),
		interval: prometheus.NewGauge(prometheus.GaugeOpts{Name: mAuditInterval,
			Help: "Time between two scheduled audits (the schedule's next two runs); 0 when nothing is scheduled."}),
		units: prometheus.NewGauge(prometheus.GaugeOpts{Name: mAuditUnits,
			Help: "Units on the roster of the running audit; 0 when none runs."}),
		unitsDone: prometheus.NewGauge(prometheus.GaugeOpts{Name: mAuditUnitsDone,
			Help: "Units of the running audit crawled and judged so far."}),
		fetches: prometheus.NewCounterVec(prometheus.CounterOpts{Name: mUnitFetches,
			Help: "Requests made for a unit (pages, link checks, reachability attempts) by the audits of this process."}, []string{"unit"}),
		fetchErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: mUnitFetchErrors,
			Help: "Requests for a unit that failed, by failure class (down, error-status, blocked, maintenance, soft-404, robots, refused, too-large)."}, []string{"unit", "class"}),
		probes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: mProbes,
			Help: "Reachability probes of the units' URLs made between audits, by result (ok, failed)."}, []string{"result"}),
		probeOK: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: mUnitProbeSuccess,
			Help: "1 when the unit's URL answered the last reachability probe, 0 when it failed."}, []string{"unit"}),
		lastProbe: prometheus.NewGauge(prometheus.GaugeOpts{Name: mLastProbeTime,
			Help: "When the last round of reachability probes ended (Unix time); 0 before the first."}),
	}
	build := prometheus.NewGauge(prometheus.GaugeOpts{Name: mBuildInfo,
		Help:        "Always 1; its labels say which gongkai runs.",
		ConstLabels: prometheus.Labels{"version": version, "goversion": runtime.Version()}})
	build.Set(1)
	for _, c := range []prometheus.Collector{
		m.inFlight, m.audits, m.skipped, m.duration, m.lastDuration, m.nextAudit, m.interval,
		m.units, m.unitsDone, m.fetches, m.fetchErrors, m.probes, m.probeOK, m.lastProbe, build, snap,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	for _, r := range []string{resultComplete, resultIncomplete, resultFailed} {
		m.audits.WithLabelValues(r) // present from the start, so rates and increases work
	}
	m.probes.WithLabelValues("ok")
	m.probes.WithLabelValues("failed")
	return m, nil
}

// observeUnit counts a crawled unit's requests.
func (m *metrics) observeUnit(ue *evidence.UnitEvidence) {
	fs := ue.AllFetches()
	m.fetches.WithLabelValues(ue.Unit.ID).Add(float64(len(fs)))
	for _, f := range fs {
		if f.Class.Failed() {
			m.fetchErrors.WithLabelValues(ue.Unit.ID, string(f.Class)).Inc()
		}
	}
	m.unitsDone.Inc()
}

// lastRun is what the service remembers of its own last audit.
type lastRun struct {
	ok  bool
	set bool
}

// snapshotCollector reports the latest complete audit, read from the
// database, per unit: scores, grade, rank, veto, reachability, findings
// and crawl figures. A unit that leaves the roster leaves the metrics.
type snapshotCollector struct {
	snapshot func(context.Context) (*Snapshot, error)
	grades   func() []rules.Grade
	last     func() lastRun

	mu   sync.Mutex
	errs int // failed reads of the snapshot

	snapErrors                                            *prometheus.Desc
	latestAudit, latestAsOf, lastSuccessTime, lastSuccess *prometheus.Desc
	info, score, dimension, change, grade, rank, vetoed   *prometheus.Desc
	reachable, findings, fetches, fetchErrors, gradeMin   *prometheus.Desc
	assessed                                              *prometheus.Desc
}

func newSnapshotCollector(snapshot func(context.Context) (*Snapshot, error), grades func() []rules.Grade, last func() lastRun) *snapshotCollector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, labels, nil)
	}
	return &snapshotCollector{
		snapshot: snapshot, grades: grades, last: last,
		latestAudit:     d(mLatestAudit, "Id of the latest complete audit, the one the per-unit metrics describe."),
		latestAsOf:      d(mLatestAsOf, "Evaluation (as-of) date of the latest complete audit, as Unix time at midnight UTC."),
		lastSuccessTime: d(mLastSuccessTime, "When the latest complete audit finished (Unix time); absent until one has."),
		lastSuccess:     d(mLastAuditSuccess, "1 when the last audit that ended completed, 0 when it failed or stopped early."),
		info:            d(mUnitInfo, "Always 1; labels give the unit's name and type.", "unit", "name", "type"),
		score:           d(mUnitScore, "The unit's total score (points) in the latest complete audit.", "unit"),
		dimension:       d(mUnitDimensionScore, "The unit's score (points) in one dimension in the latest complete audit.", "unit", "dimension"),
		change:          d(mUnitScoreChange, "Change of the unit's total score (points) since the previous complete audit; absent for a unit new to the roster.", "unit"),
		grade:           d(mUnitGradeLevel, "The unit's grade as a level: 0 is the lowest grade (不合格, also under a veto), each grade above adds 1.", "unit"),
		rank:            d(mUnitRank, "The unit's rank in the latest complete audit (1 is best; ties share a rank).", "unit"),
		vetoed:          d(mUnitVetoed, "1 when a veto fired for the unit in the latest complete audit.", "unit"),
		reachable:       d(mUnitReachable, "1 when the unit's site answered in the latest complete audit, 0 when it was unreachable.", "unit"),
		findings:        d(mUnitFindings, "Findings that stand against the unit in the latest complete audit (dismissed on review excluded), by kind and severity.", "unit", "kind", "severity"),
		fetches:         d(mUnitAuditFetches, "Requests made for the unit in the latest complete audit.", "unit"),
		fetchErrors:     d(mUnitAuditFetchError, "Requests for the unit that failed in the latest complete audit.", "unit"),
		gradeMin:        d(mGradeMinScore, "Lowest score (points) of a grade in the service's ruleset, by the grade's English name and level (as gongkai_unit_grade_level).", "grade", "level"),
		assessed:        d(mUnitAssessed, "1 when the unit was scored in the latest complete audit; 0 when its site could not be audited and the rules do not hold that against it (blocked, robots.txt, too few failures in the observation window): such a unit has no score, dimension, change or grade series.", "unit"),
		snapErrors:      d(mSnapshotErrors, "Reads of the latest audit from the database for /metrics that failed; the per-unit metrics are missing from a scrape whose read failed."),
	}
}

// Describe implements prometheus.Collector.
func (c *snapshotCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.latestAudit, c.latestAsOf, c.lastSuccessTime, c.lastSuccess,
		c.info, c.score, c.dimension, c.change, c.grade, c.rank, c.vetoed, c.reachable, c.findings,
		c.fetches, c.fetchErrors, c.gradeMin, c.snapErrors, c.assessed} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *snapshotCollector) Collect(ch chan<- prometheus.Metric) {
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	grades := c.grades()
	levels := map[string]float64{}
	for i, g := range grades {
		levels[g.Name] = float64(len(grades) - 1 - i)
		name := g.NameEN
		if name == "" {
			name = g.Name
		}
		gauge(c.gradeMin, g.Min, name, strconv.Itoa(len(grades)-1-i))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := c.snapshot(ctx)
	c.mu.Lock()
	if err != nil {
		c.errs++
	}
	errs := c.errs
	c.mu.Unlock()
	ch <- prometheus.MustNewConstMetric(c.snapErrors, prometheus.CounterValue, float64(errs))
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.score, snapshotError(err))
		return
	}
	if lr := c.last(); lr.set {
		gauge(c.lastSuccess, boolFloat(lr.ok))
	} else if s.LastEnded != nil {
		gauge(c.lastSuccess, boolFloat(s.LastEnded.Status == "complete"))
	}
	if s.Audit == nil {
		return
	}
	gauge(c.latestAudit, float64(s.Audit.ID))
	gauge(c.latestAsOf, float64(s.Audit.AsOf.Time().Unix()))
	if !s.Audit.FinishedAt.IsZero() {
		gauge(c.lastSuccessTime, float64(s.Audit.FinishedAt.UnixNano())/1e9)
	}
	for _, sc := range s.Scores {
		id := sc.Unit
		u := s.Units[id]
		name, typ := u.Name, u.Type
		if name == "" {
			name, typ = sc.UnitName, sc.UnitType
		}
		gauge(c.info, 1, id, name, typ)
		gauge(c.assessed, boolFloat(sc.Assessed()), id)
		if sc.Assessed() {
			gauge(c.score, sc.Total, id)
			for _, d := range sc.Dimensions {
				gauge(c.dimension, d.Score, id, d.ID)
			}
			if p, ok := s.Prev[id]; ok && p.Assessed() {
				gauge(c.change, sc.Total-p.Total, id)
			}
			if lv, ok := levels[sc.Grade]; ok {
				gauge(c.grade, lv, id)
			}
		}
		gauge(c.rank, float64(sc.Rank), id)
		gauge(c.vetoed, boolFloat(sc.Veto), id)
		if st, ok := s.Stats[id]; ok {
			gauge(c.reachable, boolFloat(st.Reachable), id)
			gauge(c.fetches, float64(st.Fetches), id)
			gauge(c.fetchErrors, float64(st.Errors), id)
		}
		counts := s.Findings[id]
		for _, k := range sortedKinds(counts) {
			gauge(c.findings, float64(counts[k]), id, string(k.Kind), k.Severity)
		}
	}
}

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// Audit results, the values of gongkai_audits_total's result label.
const (
	resultComplete   = "complete"
	resultIncomplete = "incomplete"
	resultFailed     = "failed"
)
