package servertest

import (
	"net/http"
	"testing"
)

func TestStart_AuditsTheSim(t *testing.T) {
	e := Start(t, Options{Units: 4})
	st := e.Audit(t)
	if st.AuditID != 1 || st.Units != 4 || st.UnitsDone != 4 || st.AsOf.String() != "2026-03-01" {
		t.Errorf("run = %+v; want audit 1 of the 4 units as of 2026-03-01", st)
	}
	resp, err := http.Get(e.URL + "/api/ranking")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /api/ranking: %s", resp.Status)
	}
}
