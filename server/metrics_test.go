package server_test

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"gongkai/internal/servertest"
)

// TestMetrics audits the sim through the service and reads /metrics the
// way Prometheus does: every family the dashboards use is there, with one
// series per unit where it should be, no URL in a label, and the linter
// finds nothing.
func TestMetrics(t *testing.T) {
	e := servertest.Start(t, servertest.Options{Units: 4})
	e.Audit(t)
	if families := scrape(t, e.URL); families["gongkai_unit_score_change"] != nil {
		t.Error("a score change after the first audit")
	}
	e.Audit(t) // the second audit has changes to show

	problems, err := testutil.GatherAndLint(e.Registry)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}

	families := scrape(t, e.URL)
	units := len(e.Fleet.UnitsFile().Units)
	perUnit := map[string]int{ // family → series per unit (0: at least one for some unit)
		"gongkai_unit_info": 1, "gongkai_unit_assessed": 1, "gongkai_unit_score": 1, "gongkai_unit_score_change": 1,
		"gongkai_unit_grade_level": 1, "gongkai_unit_rank": 1, "gongkai_unit_vetoed": 1,
		"gongkai_unit_reachable": 1, "gongkai_unit_audit_fetches": 1, "gongkai_unit_audit_fetch_errors": 1,
		"gongkai_unit_fetches_total": 1, "gongkai_unit_dimension_score": 0, "gongkai_unit_findings": 0,
		"gongkai_unit_fetch_errors_total": 0,
	}
	for name, per := range perUnit {
		mf, ok := families[name]
		if !ok {
			t.Errorf("no family %s", name)
			continue
		}
		seen := map[string]bool{}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "unit" {
					seen[l.GetValue()] = true
				}
			}
		}
		switch {
		case per == 1 && (len(mf.GetMetric()) != units || len(seen) != units):
			t.Errorf("%s: %d series over %d units, want one for each of %d", name, len(mf.GetMetric()), len(seen), units)
		case per == 0 && len(seen) == 0:
			t.Errorf("%s: no unit has a series", name)
		}
	}
	for _, name := range []string{
		"gongkai_audits_in_flight", "gongkai_audits_total", "gongkai_audits_skipped_total", "gongkai_audit_duration_seconds",
		"gongkai_last_audit_duration_seconds", "gongkai_last_audit_success", "gongkai_last_successful_audit_timestamp_seconds",
		"gongkai_next_audit_timestamp_seconds", "gongkai_audit_interval_seconds", "gongkai_latest_audit_id",
		"gongkai_latest_audit_as_of_timestamp_seconds", "gongkai_grade_min_score", "gongkai_build_info",
		"go_goroutines", "process_resident_memory_bytes",
	} {
		if _, ok := families[name]; !ok {
			t.Errorf("no family %s", name)
		}
	}
	for name, mf := range families {
		if !strings.HasPrefix(name, "gongkai_") && !strings.HasPrefix(name, "go_") && !strings.HasPrefix(name, "process_") {
			t.Errorf("family %s lacks the gongkai_ prefix", name)
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if strings.Contains(l.GetValue(), "://") || strings.HasPrefix(l.GetValue(), "/") {
					t.Errorf("%s has a URL in label %s=%q", name, l.GetName(), l.GetValue())
				}
			}
		}
	}
	if v := families["gongkai_latest_audit_id"].GetMetric()[0].GetGauge().GetValue(); v != 2 {
		t.Errorf("latest audit id %v", v)
	}
	var findings float64
	for _, m := range families["gongkai_unit_findings"].GetMetric() {
		findings += m.GetGauge().GetValue()
	}
	if findings == 0 {
		t.Error("the sim's planted defects gave no findings in the metrics")
	}
}

// scrape reads base's /metrics as Prometheus would.
func scrape(t *testing.T, base string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, body := get(t, base+"/metrics")
	if resp.StatusCode != 200 {
		t.Fatalf("GET /metrics: %s", resp.Status)
	}
	parser := expfmt.NewTextParser(model.LegacyValidation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("/metrics does not parse: %v", err)
	}
	return families
}
