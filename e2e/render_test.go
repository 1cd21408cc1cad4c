package e2e

import (
	"path/filepath"
	"slices"
	"testing"

	"gongkai/internal/chrometest"
	"gongkai/rules"
	"gongkai/sim"
)

// TestAuditAgreesWithTruth_Rendered audits, with the browser (--render), the
// units whose list a script fills from a JSON service (variant
// list-script-only): the lists are then read like any other, and the audit
// agrees with the truth of an evaluator that renders pages, where without
// the browser each such list is only a notice (TestAuditAgreesWithTruth).
func TestAuditAgreesWithTruth_Rendered(t *testing.T) {
	chrometest.RequireBinary(t)
	if testing.Short() {
		t.Skip("starts Chromium for every script-built list")
	}
	scripted := func(u *sim.Unit) bool { return slices.Contains(u.Variants, sim.VarListScriptOnly) }
	a := closedWithTest(t)(newSimAuditWith(simRun{seed: 1, asOf: sim.DefaultAsOf, dbPath: filepath.Join(t.TempDir(), "e2e.db"), render: true, only: scripted}))
	if len(a.kept) == 0 {
		t.Fatal("no unit of the district has a script-built list")
	}
	missed, spurious := diff(a.want, a.got)
	for _, k := range missed {
		t.Errorf("missed:   %s", k)
	}
	for _, k := range spurious {
		t.Errorf("spurious: %s", k)
	}
	byID := map[string]*sim.Unit{}
	for _, u := range a.fleet.District().Units {
		byID[u.ID] = u
	}
	for _, k := range a.got {
		f := sim.TruthFinding{Unit: k.Unit, Kind: rules.FindingKind(k.Kind), Column: k.Column, Severity: k.Severity}
		if byID[k.Unit].FromMarkup(f) {
			t.Errorf("rendered, a script-built list is still reported unread: %s", k)
		}
	}
	t.Logf("%d units with script-built lists, %d findings agree; %d requests", len(a.kept), len(a.got), a.sum.Pages)
}
