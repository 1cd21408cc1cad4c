package dashboards

import "embed"

// Names of the files in Files.
const (
	// DashboardFile is the Grafana dashboard, for Grafana's "Import
	// dashboard" (it asks for the Prometheus data source).
	DashboardFile = "gongkai.json"
	// AlertsFile is the Prometheus rule file with the alert rules.
	AlertsFile = "alerts.yml"
	// AlertsTestFile is the unit test of AlertsFile for
	// `promtool test rules`; it names AlertsFile by a relative path, so
	// the two belong in one directory.
	AlertsTestFile = "alerts_test.yml"
)

// Files holds DashboardFile, AlertsFile and AlertsTestFile at its root.
//
//go:embed gongkai.json alerts.yml alerts_test.yml
var Files embed.FS
