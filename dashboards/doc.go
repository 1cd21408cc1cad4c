// Package dashboards holds the monitoring that goes with `gongkai serve`:
// a Grafana dashboard over its Prometheus metrics (gongkai.json: ranking,
// score trends, dimensions, problems by kind, crawl health, audit runs) and
// Prometheus alert rules (alerts.yml: a unit graded below pass or losing
// points, an audit failed or overdue, a site unreachable) with their unit
// tests (alerts_test.yml, for `promtool test rules`).
//
// The files are embedded (Files) so that a command can write them out. The
// package's tests check the dashboard's structure, run promtool on the
// rules and on a live service's /metrics, and run every query of the
// dashboard against a real Prometheus scraping a real service audited
// against the simulated district.
package dashboards
