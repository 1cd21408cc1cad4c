package server_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"gongkai/internal/servertest"
	"gongkai/report"
	"gongkai/server"
)

// get fetches url and returns the response (body read) and the body.
func get(t *testing.T, url string) (*http.Response, []byte) {
	t.Helper()
	return do(t, http.MethodGet, url, "")
}

func do(t *testing.T, method, url, token string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// TestAPI_BeforeTheFirstAudit: the endpoints answer, with 404 and a
// message where there is nothing yet.
func TestAPI_BeforeTheFirstAudit(t *testing.T) {
	e := servertest.Start(t, servertest.Options{Units: 4})
	for path, code := range map[string]int{
		"/api/status": 200, "/api/audits": 200, "/api/ranking": 404, "/api/problems": 404,
		"/api/units/hrq-fgw": 404, "/api/findings/1": 404, "/healthz": 200, "/metrics": 200,
	} {
		resp, body := get(t, e.URL+path)
		if resp.StatusCode != code {
			t.Errorf("GET %s: %s, want %d: %s", path, resp.Status, code, body)
		}
	}
	_, body := get(t, e.URL+"/api/status")
	var st server.StatusView
	if err := json.Unmarshal(body, &st); err != nil {
		t.Fatal(err)
	}
	if st.Latest != nil || st.Running != nil || !st.Trigger {
		t.Errorf("status before any audit: %s", body)
	}
}

func TestAPI(t *testing.T) {
	e := servertest.Start(t, servertest.Options{Units: 4})
	e.Audit(t)

	var rv server.RankingView
	resp, body := get(t, e.URL+"/api/ranking")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("GET /api/ranking: %s %s", resp.Status, resp.Header.Get("Content-Type"))
	}
	if err := json.Unmarshal(body, &rv); err != nil {
		t.Fatal(err)
	}
	if rv.Audit.ID != 1 || rv.Audit.Status != "complete" || len(rv.Ranking) != 4 || len(rv.Dimensions) == 0 || rv.Previous != nil {
		t.Fatalf("ranking: audit %+v, %d rows, %d dimensions", rv.Audit, len(rv.Ranking), len(rv.Dimensions))
	}
	for i, r := range rv.Ranking {
		if r.Rank < 1 || r.Rank > i+1 || r.Grade == "" {
			t.Errorf("row %d: rank %d grade %q", i, r.Rank, r.Grade)
		}
	}
	// A unit with problems: the last of the ranking.
	worst := rv.Ranking[len(rv.Ranking)-1].Unit

	var probs []report.Problem
	_, body = get(t, e.URL+"/api/problems?unit="+worst)
	if err := json.Unmarshal(body, &probs); err != nil {
		t.Fatal(err)
	}
	if len(probs) == 0 {
		t.Fatalf("no problems for %s, the last of the ranking", worst)
	}
	for _, p := range probs {
		if p.Unit != worst || p.Status != "new" {
			t.Errorf("problem %+v: want unit %s, status new", p, worst)
		}
	}

	var uv server.UnitView
	_, body = get(t, e.URL+"/api/units/"+worst)
	if err := json.Unmarshal(body, &uv); err != nil {
		t.Fatal(err)
	}
	if uv.Unit.ID != worst || uv.Score.Unit != worst || len(uv.Problems) != len(probs) || len(uv.History) != 1 || uv.Stat == nil || uv.Stat.Fetches == 0 {
		t.Errorf("unit view: unit %q, score %q, %d problems (want %d), %d history points, crawl %+v",
			uv.Unit.ID, uv.Score.Unit, len(uv.Problems), len(probs), len(uv.History), uv.Stat)
	}

	fid := probs[0].ID
	resp, body = get(t, fmt.Sprintf("%s/api/findings/%d", e.URL, fid))
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"evidence"`) {
		t.Errorf("GET /api/findings/%d: %s %.200s", fid, resp.Status, body)
	}

	tests := []struct {
		path string
		code int
		// want is a substring of the body.
		want string
	}{
		{"/api/ranking?audit=1", 200, `"ranking"`},
		{"/api/ranking?audit=abc", 400, "audit id"},
		{"/api/ranking?audit=-3", 400, "audit id"},
		{"/api/ranking?audit=99", 404, "error"},
		{"/api/problems?status=new&severity=deduction", 200, `"kind"`},
		{"/api/problems?status=resolved", 200, "[]"},
		{"/api/problems?status=fixed", 400, "new, persisting or resolved"},
		{"/api/problems?severity=high", 400, "veto, deduction or notice"},
		{"/api/problems?unit=no-such-unit", 200, "[]"},
		{"/api/units/no-such-unit", 404, "error"},
		{"/api/units/" + worst + "/history", 200, `"score"`},
		{"/api/units/no-such-unit/history", 404, "error"},
		{"/api/findings/abc", 400, "want a number"},
		{"/api/findings/0", 400, "want a number"},
		{"/api/findings/999999", 404, "error"},
		{"/api/audits", 200, `"complete"`},
		{"/api/status", 200, `"latest"`},
		{"/api/nothing/here", 404, "no such API endpoint"},
	}
	for _, tc := range tests {
		resp, body := get(t, e.URL+tc.path)
		if resp.StatusCode != tc.code || !strings.Contains(string(body), tc.want) {
			t.Errorf("GET %s: %s %.200s; want %d with %q", tc.path, resp.Status, body, tc.code, tc.want)
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("GET %s: Content-Type %q", tc.path, ct)
		}
	}
}

// TestAPI_FindingBody: the stored page is served as text, sandboxed,
// never as HTML on the dashboard's origin.
func TestAPI_FindingBody(t *testing.T) {
	e := servertest.Start(t, servertest.Options{Units: 4})
	e.Audit(t)
	var probs []report.Problem
	_, body := get(t, e.URL+"/api/problems")
	if err := json.Unmarshal(body, &probs); err != nil {
		t.Fatal(err)
	}
	served := 0
	for _, p := range probs {
		resp, body := get(t, fmt.Sprintf("%s/api/findings/%d/body", e.URL, p.ID))
		if resp.StatusCode == 404 {
			continue // a finding about an absence keeps no page
		}
		served++
		if resp.StatusCode != 200 {
			t.Fatalf("body of finding %d: %s", p.ID, resp.Status)
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; charset=") {
			t.Errorf("body Content-Type %q", ct)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "sandbox") {
			t.Errorf("body CSP %q, want a sandbox", csp)
		}
		if resp.Header.Get("X-Gongkai-SHA256") == "" || len(body) == 0 {
			t.Errorf("body of finding %d: %d bytes, sha %q", p.ID, len(body), resp.Header.Get("X-Gongkai-SHA256"))
		}
		if served >= 5 {
			break
		}
	}
	if served == 0 {
		t.Errorf("none of %d findings has a stored body", len(probs))
	}
}

// TestAPI_Trigger: POST /api/audits needs the bearer token.
func TestAPI_Trigger(t *testing.T) {
	e := servertest.Start(t, servertest.Options{Units: 4, Token: "s3cret-token"})
	url := e.URL + "/api/audits"
	for _, auth := range []string{"", "Bearer", "Bearer wrong", "Basic czNjcmV0LXRva2Vu", "Bearer s3cret-token-and-more", "s3cret-token"} {
		resp, body := do(t, http.MethodPost, url, auth)
		if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("POST with Authorization %q: %s (WWW-Authenticate %q) %s", auth, resp.Status, resp.Header.Get("WWW-Authenticate"), body)
		}
	}
	if running, _ := e.Service.Status(); running != nil {
		t.Fatalf("an unauthorised request started an audit: %+v", running)
	}
	resp, body := do(t, http.MethodPost, url, "Bearer s3cret-token")
	if resp.StatusCode != http.StatusAccepted || resp.Header.Get("Location") != "/api/status" || !strings.Contains(string(body), `"source": "api"`) {
		t.Errorf("authorised POST: %s, Location %q, %s", resp.Status, resp.Header.Get("Location"), body)
	}
	resp, body = do(t, http.MethodPost, url, "bearer s3cret-token")
	if resp.StatusCode != http.StatusConflict || !strings.Contains(string(body), `"running"`) {
		t.Errorf("POST while running: %s %s; want 409 with the running audit", resp.Status, body)
	}
	if resp, _ := do(t, http.MethodDelete, url, "Bearer s3cret-token"); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("DELETE /api/audits: %s", resp.Status)
	}
	e.Service.Wait()
	if _, last := e.Service.Status(); last == nil || last.Source != "api" || last.Result != "complete" {
		t.Errorf("triggered run: %+v", last)
	}
}

// TestAPI_TriggerDisabledWithoutToken: with no GONGKAI_TOKEN nobody can
// start an audit, not even with an empty bearer.
func TestAPI_TriggerDisabledWithoutToken(t *testing.T) {
	e := servertest.Start(t, servertest.Options{Units: 4, NoToken: true})
	for _, auth := range []string{"", "Bearer ", "Bearer test-token"} {
		resp, body := do(t, http.MethodPost, e.URL+"/api/audits", auth)
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(body), "GONGKAI_TOKEN") {
			t.Errorf("POST with %q: %s %s", auth, resp.Status, body)
		}
	}
	_, body := get(t, e.URL+"/api/status")
	if !strings.Contains(string(body), `"trigger_enabled": false`) {
		t.Errorf("status: %s", body)
	}
}

// TestSecurityHeaders: every answer, page, API or metrics, carries them.
func TestSecurityHeaders(t *testing.T) {
	e := servertest.Start(t, servertest.Options{Units: 4})
	for _, path := range []string{"/", "/api/status", "/api/nothing", "/metrics", "/healthz", "/no/such/page"} {
		resp, _ := get(t, e.URL+path)
		h := resp.Header
		if !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'") ||
			h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Frame-Options") != "DENY" ||
			h.Get("Referrer-Policy") == "" {
			t.Errorf("GET %s: headers %v", path, h)
		}
	}
}

// TestServe_SlowClientCutOff: a client that trickles its request header
// (slow loris) is disconnected after the header timeout, and the service
// keeps answering others.
func TestServe_SlowClientCutOff(t *testing.T) {
	e := servertest.Start(t, servertest.Options{Units: 4, ReadHeaderTimeout: 300 * time.Millisecond})
	conn, err := net.Dial("tcp", strings.TrimPrefix(e.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	if _, err := conn.Write([]byte("GET /api/status HTTP/1.1\r\nHost: x\r\n")); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 512)
	for {
		// A byte of header now and then does not keep the connection.
		conn.Write([]byte("X"))
		n, err := conn.Read(buf)
		if err != nil || n > 0 {
			break
		}
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the slow client was held %v", d)
	}
	if resp, _ := get(t, e.URL+"/healthz"); resp.StatusCode != 200 {
		t.Errorf("healthz after the slow client: %s", resp.Status)
	}
}
