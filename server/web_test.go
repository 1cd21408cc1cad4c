package server_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"gongkai/evidence"
	"gongkai/internal/gz"
	"gongkai/internal/servertest"
	"gongkai/report"
	"gongkai/rules"
	"gongkai/scoring"
	"gongkai/server"
	"gongkai/sim"
	"gongkai/store"
)

// Hostile text: what a crawled page, a units file or a tampered database
// could hold. None of it may reach a page unescaped.
const (
	hostileScript = `<script>alert(1)</script>`
	hostileAttr   = `"><img src=x onerror=alert(1)>`
	hostileURL    = `javascript:alert(1)`
)

// webFetch gets url and returns the response (body read) and the body.
func webFetch(t *testing.T, method, url string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s: %v", url, err)
	}
	return resp, string(body)
}

// webJSON gets url and decodes its JSON into v.
func webJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, body := webFetch(t, http.MethodGet, url)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s %s", url, resp.Status, body)
	}
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

// TestDashboard runs one service over the sim through its life and checks
// the dashboard at each step: before any audit; with a hostile audit
// written to its database; after two audit rounds of the sim (about half
// the problems fixed between them), where document titles planted on sim
// pages carry hostile text through the crawler; in headless Chromium
// (web_browser_test.go); and with its database gone. One service keeps the
// package fast: an audit of the sim takes seconds, many more under the
// race detector.
func TestDashboard(t *testing.T) {
	planted := 0
	e := servertest.Start(t, servertest.Options{FixedPorts: true, Units: 12, District: func(d *sim.District) {
		planted = plantHostileTitles(d)
	}})
	if planted == 0 {
		t.Fatal("no document of the sim could carry a hostile title")
	}
	someUnit := e.Fleet.UnitsFile().Units[0].ID

	t.Run("before the first audit", func(t *testing.T) {
		for _, c := range []struct {
			path, want string
			code       int
		}{
			{"/", "尚无完成的审计", 200},
			{"/audits", "尚无审计", 200},
			{"/?audit=1", "audit 1", 404},
			{"/units/" + someUnit, "尚无完成的审计", 404},
			{"/findings/1", "not found", 404},
		} {
			resp, body := webFetch(t, http.MethodGet, e.URL+c.path)
			if resp.StatusCode != c.code || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(body, c.want) {
				t.Errorf("GET %s: %s %s; want %d with %q:\n%s", c.path, resp.Status, resp.Header.Get("Content-Type"), c.code, c.want, body)
			}
			checkPage(t, c.path, body)
		}
	})

	hostile := writeHostileAudit(t, e.Service.DB())
	t.Run("hostile text is escaped", func(t *testing.T) {
		for _, path := range hostile.paths {
			resp, body := webFetch(t, http.MethodGet, e.URL+path)
			if resp.StatusCode != http.StatusOK {
				t.Errorf("GET %s: %s", path, resp.Status)
				continue
			}
			checkPage(t, path, body)
			if !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
				t.Errorf("GET %s: the hostile text is not shown (escaped) at all", path)
			}
		}
	})

	e.Audit(t)
	e.NextRound(t)
	e.Audit(t)
	latest := hostile.auditID + 2

	var problems []report.Problem
	webJSON(t, e.URL+"/api/problems", &problems)
	var resolved, kept, crawled *report.Problem
	for i := range problems {
		p := &problems[i]
		switch {
		case strings.Contains(p.Detail, hostileScript) || strings.Contains(p.Detail, hostileAttr):
			crawled = p
		case p.Status == store.FindingResolved && resolved == nil:
			resolved = p
		case p.Status == store.FindingPersisting && kept == nil && len(p.Evidence) > 0 && p.Evidence[0].SHA256 != "":
			kept = p
		}
	}
	if resolved == nil || kept == nil {
		t.Fatalf("the second round has no resolved problem or no persisting one with a kept body (%d problems)", len(problems))
	}

	t.Run("pages", func(t *testing.T) {
		unit := "/units/" + resolved.Unit
		finding := fmt.Sprintf("/findings/%d", kept.ID)
		for _, c := range []struct {
			method, path string
			code         int
			ctype        string
			want         []string
		}{
			{"GET", "/", 200, "text/html", []string{"单位排名", fmt.Sprintf("#%d", latest), "num trend ", "href=\"/units/" + someUnit + "\"", "优秀"}},
			{"HEAD", "/", 200, "text/html", nil},
			{"GET", fmt.Sprintf("/?audit=%d", latest), 200, "text/html", []string{"单位排名"}},
			{"GET", fmt.Sprintf("/?audit=%d", latest-1), 200, "text/html", []string{"这是一次较早的审计", fmt.Sprintf("href=\"/units/%s?audit=%d\"", someUnit, latest-1)}},
			{"GET", "/?audit=0", 400, "text/html", []string{"请求有误"}},
			{"GET", "/?audit=abc", 400, "text/html", []string{"want an audit id"}},
			{"GET", "/?audit=-2", 400, "text/html", nil},
			{"GET", "/?audit=99", 404, "text/html", []string{"未找到"}},
			{"GET", "/audits", 200, "text/html", []string{"审计记录", fmt.Sprintf("href=\"/?audit=%d\"", latest), "已完成"}},
			{"GET", unit, 200, "text/html", []string{resolved.UnitName, "<svg class=\"history\"", "已整改", "href=\"/findings/"}},
			{"GET", unit + fmt.Sprintf("?audit=%d", latest-1), 200, "text/html", []string{"查看最新审计"}},
			{"GET", unit + "?audit=x", 400, "text/html", nil},
			{"GET", unit + "?audit=99", 404, "text/html", nil},
			{"GET", "/units/no-such-unit", 404, "text/html", []string{"no-such-unit"}},
			{"GET", finding, 200, "text/html", []string{kept.UnitName, finding + "/body", "href=\"" + kept.Evidence[0].URL + "\""}},
			{"GET", "/api" + finding + "/body", 200, "text/plain", nil},
			{"GET", "/findings/999999", 404, "text/html", nil},
			{"GET", "/findings/abc", 400, "text/html", nil},
			{"GET", "/findings/0", 400, "text/html", nil},
			{"GET", "/no/such/page", 404, "text/html", []string{"页面不存在"}},
			{"GET", "/units/", 404, "text/html", nil},
			{"GET", "/static/gongkai.css", 200, "text/css", []string{".badge"}},
			{"GET", "/static/favicon.svg", 200, "image/svg+xml", []string{"<svg"}},
			{"GET", "/favicon.ico", 200, "image/svg+xml", nil},
			{"GET", "/static/nothing.css", 404, "", nil},
			{"GET", "/api/nothing", 404, "application/json", nil},
			{"POST", "/", 405, "", nil},
			{"DELETE", "/units/" + someUnit, 405, "", nil},
		} {
			resp, body := webFetch(t, c.method, e.URL+c.path)
			if resp.StatusCode != c.code {
				t.Errorf("%s %s: %s, want %d", c.method, c.path, resp.Status, c.code)
			}
			if ct := resp.Header.Get("Content-Type"); c.ctype != "" && !strings.HasPrefix(ct, c.ctype) {
				t.Errorf("%s %s: Content-Type %q, want %s", c.method, c.path, ct, c.ctype)
			}
			for _, w := range c.want {
				if !strings.Contains(body, w) {
					t.Errorf("%s %s: no %q in the page", c.method, c.path, w)
				}
			}
			if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") && c.method == "GET" {
				checkPage(t, c.path, body)
			}
		}
	})

	t.Run("ranking", func(t *testing.T) {
		var rv server.RankingView
		webJSON(t, e.URL+"/api/ranking", &rv)
		_, body := webFetch(t, http.MethodGet, e.URL+"/")
		doc := parsePage(t, body)
		rows := findAll(doc, func(n *html.Node) bool { return n.Data == "tr" && n.Parent != nil && n.Parent.Data == "tbody" })
		if len(rows) != len(rv.Ranking) {
			t.Fatalf("%d rows on the page, %d in the API's ranking", len(rows), len(rv.Ranking))
		}
		arrows := map[string]int{}
		for i, row := range rows {
			r := rv.Ranking[i]
			text := textOf(row)
			if !strings.HasPrefix(text, fmt.Sprint(r.Rank)) || !strings.Contains(text, r.UnitName) || !strings.Contains(text, r.Grade) {
				t.Errorf("row %d %q: want rank %d, %s, grade %s", i, text, r.Rank, r.UnitName, r.Grade)
			}
			if r.Veto != strings.Contains(text, "否决") {
				t.Errorf("row %d %q: veto %v", i, text, r.Veto)
			}
			for _, a := range []string{"▲", "▼", "–"} {
				arrows[a] += strings.Count(text, a)
			}
			if r.ScoreChange != nil && *r.ScoreChange > 0 && !strings.Contains(text, "▲ +") {
				t.Errorf("row %d %q: score up %v without ▲", i, text, *r.ScoreChange)
			}
			if r.ScoreChange != nil && *r.ScoreChange < 0 && !strings.Contains(text, "▼ -") {
				t.Errorf("row %d %q: score down %v without ▼", i, text, *r.ScoreChange)
			}
		}
		if arrows["▲"] == 0 || arrows["–"] == 0 {
			t.Errorf("arrows on the page: %v; want some units up and some unchanged after the second round", arrows)
		}
		if !strings.Contains(body, "下次计划运行") || !strings.Contains(body, "未设定计划") {
			t.Error("the page does not show the schedule")
		}
	})

	t.Run("unit page", func(t *testing.T) {
		_, body := webFetch(t, http.MethodGet, e.URL+"/units/"+resolved.Unit)
		doc := parsePage(t, body)
		circles := findAll(doc, func(n *html.Node) bool { return n.Data == "circle" })
		if len(circles) != 2 {
			t.Errorf("the history chart has %d points, want 2 (the unit's two audits)", len(circles))
		}
		for _, s := range []string{fmt.Sprintf("href=\"/findings/%d\"", resolved.ID), "已整改", "维度得分", "抓取情况"} {
			if !strings.Contains(body, s) {
				t.Errorf("unit page: no %q", s)
			}
		}
		var uv server.UnitView
		webJSON(t, e.URL+"/api/units/"+resolved.Unit, &uv)
		rows := findAll(doc, func(n *html.Node) bool { return n.Data == "tr" && hasClass(n, "st-row-") })
		if len(rows) != len(uv.Problems) {
			t.Errorf("%d problems on the page, %d in the API", len(rows), len(uv.Problems))
		}
	})

	t.Run("crawled text is escaped", func(t *testing.T) {
		if crawled == nil {
			t.Fatal("no problem carries the hostile title planted in the sim")
		}
		for _, path := range []string{"/units/" + crawled.Unit, fmt.Sprintf("/findings/%d", crawled.ID)} {
			_, body := webFetch(t, http.MethodGet, e.URL+path)
			checkPage(t, path, body)
			if !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") && !strings.Contains(body, "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;") {
				t.Errorf("GET %s: the crawled title is not shown (escaped)", path)
			}
		}
	})

	t.Run("chromium", func(t *testing.T) {
		pages := []string{"/audits", "/units/" + resolved.Unit, fmt.Sprintf("/findings/%d", kept.ID)}
		for _, p := range hostile.paths {
			if !slices.Contains(pages, p) && p != "/" {
				pages = append(pages, p)
			}
		}
		testDashboardInChromium(t, e.URL, pages)
	})

	// Last: this breaks the service.
	t.Run("database errors", func(t *testing.T) {
		if err := e.Service.DB().Close(); err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"/", "/audits", "/units/" + someUnit, fmt.Sprintf("/findings/%d", kept.ID)} {
			resp, body := webFetch(t, http.MethodGet, e.URL+path)
			if resp.StatusCode != http.StatusInternalServerError || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
				!strings.Contains(body, "内部错误") || strings.Contains(body, "closed") {
				t.Errorf("GET %s with the database closed: %s %s, want the 500 page without the error's detail:\n%s",
					path, resp.Status, resp.Header.Get("Content-Type"), body)
			}
			checkPage(t, path, body)
		}
	})
}

// plantHostileTitles gives the documents behind the sim's document
// findings hostile titles, which the crawler reads and the findings quote.
// It returns how many it changed.
func plantHostileTitles(d *sim.District) int {
	titles := []string{hostileScript, hostileAttr}
	n := 0
	for _, u := range d.Units {
		for _, df := range u.Defects {
			if df.Kind != sim.DefectDocMetadata && df.Kind != sim.DefectLateDocument || n == len(titles) {
				continue
			}
			c := u.Column(df.Column)
			if c == nil {
				continue
			}
			for _, it := range c.Items {
				if it.Path == df.Subject {
					it.Title = titles[n]
					n++
					break
				}
			}
		}
	}
	return n
}

// hostileAudit is an audit written straight to the database with hostile
// text in every field a page shows.
type hostileAudit struct {
	auditID int64
	// paths are the pages that show it.
	paths []string
}

// writeHostileAudit stores a complete audit of one unit whose name, site,
// fetches, scores, finding and review carry hostile text and URLs, as a
// tampered units file or database could.
func writeHostileAudit(t *testing.T, db *store.DB) hostileAudit {
	t.Helper()
	ctx := context.Background()
	rs := rules.MustDefault()
	now := time.Now()
	asOf := evidence.MustParseDate(sim.DefaultAsOf)
	unit := evidence.Unit{ID: "hostile", Name: hostileScript, NameEN: hostileAttr, Type: "bureau", URL: hostileURL, Contact: hostileAttr}
	id, err := db.BeginAudit(ctx, store.AuditMeta{StartedAt: now, AsOf: asOf, RulesetName: hostileScript,
		RulesetVersion: hostileAttr, RulesetHash: rs.Hash, Note: hostileScript + hostileAttr}, []evidence.Unit{unit})
	if err != nil {
		t.Fatal(err)
	}
	body := []byte("<html><body>" + hostileScript + hostileAttr + "</body></html>")
	sum := sha256.Sum256(body)
	sha := hex.EncodeToString(sum[:])
	fetch := evidence.Fetch{URL: hostileURL, FinalURL: hostileURL, Method: "GET", Role: evidence.RoleColumn, Status: 200,
		Class: evidence.ClassOK, FetchedAt: now, DurationMS: 5, Attempts: 1, ContentType: hostileAttr, Charset: "utf-8",
		Size: int64(len(body)), SHA256: sha}
	failed := evidence.Fetch{URL: "http://127.0.0.1:1/" + hostileAttr, Method: "GET", Role: evidence.RoleLinkCheck,
		Class: evidence.ClassDown, Error: hostileScript, FetchedAt: now, Attempts: 2}
	ue := &evidence.UnitEvidence{Unit: unit, Started: now, Finished: now, Reach: evidence.Reachability{Reachable: true},
		Fetches: []evidence.Fetch{fetch, failed}}
	if err := db.SaveUnitEvidence(ctx, id, ue, map[string][]byte{sha: gz.Compress(body)}); err != nil {
		t.Fatal(err)
	}
	ref := scoring.Ref{URL: hostileURL, FetchedAt: now, Status: 200, Class: evidence.ClassOK, SHA256: sha, Note: hostileScript}
	ref2 := scoring.Ref{URL: failed.URL, FetchedAt: now, Class: evidence.ClassDown, Note: hostileAttr}
	res := &scoring.Result{AsOf: asOf, WindowFrom: asOf.AddDays(-365), WindowTo: asOf, RulesetName: hostileScript,
		RulesetVersion: hostileAttr, RulesetHash: rs.Hash,
		Units: []scoring.UnitScore{{Unit: unit.ID, UnitName: unit.Name, UnitType: hostileAttr, Total: 40, Deducted: 60,
			Dimensions: []scoring.DimensionScore{{ID: "completeness", Name: hostileScript, Score: 10, Max: 40, Deduct: 30},
				{ID: hostileAttr, Name: hostileAttr, Score: 30, Max: 60, Deduct: 30}},
			Veto: true, VetoReasons: []string{hostileScript, hostileAttr}, Grade: hostileAttr, Rank: 1,
			Findings: map[string]int{"deduction": 1}}},
		Findings: []scoring.Finding{{Unit: unit.ID, UnitName: unit.Name, Kind: hostileScript, Rule: hostileAttr,
			Column: hostileAttr, Subject: hostileURL, Part: hostileScript, Severity: "deduction", Points: 60, Nominal: 60,
			URL: hostileURL, Detail: hostileScript + hostileAttr, Basis: hostileAttr, Dimension: hostileScript,
			Indicator: hostileAttr, Evidence: []scoring.Ref{ref, ref2}}},
	}
	scID, err := db.SaveScoring(ctx, id, res, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.FinishAudit(ctx, id, store.AuditComplete, now); err != nil {
		t.Fatal(err)
	}
	found, err := db.Findings(ctx, scID, store.FindingFilter{})
	if err != nil || len(found) != 1 {
		t.Fatalf("the hostile finding: %v (%d findings)", err, len(found))
	}
	if _, err := db.AddReview(ctx, store.Review{FindingID: found[0].ID, Decision: store.DecisionConfirmed,
		Reason: hostileScript, Reviewer: hostileAttr, DecidedAt: now}); err != nil {
		t.Fatal(err)
	}
	return hostileAudit{auditID: id, paths: []string{
		"/", fmt.Sprintf("/?audit=%d", id), "/audits", fmt.Sprintf("/units/hostile?audit=%d", id), fmt.Sprintf("/findings/%d", found[0].ID),
	}}
}

// checkPage parses a page and checks what the content security policy
// and escaping promise: no script, no inline style, no event handler
// attribute, no link or image whose URL has a scheme other than http(s),
// and none of the hostile text as markup.
func checkPage(t *testing.T, path, body string) {
	t.Helper()
	for _, bad := range []string{hostileScript, "<img src=x", "onerror=alert(1)>"} {
		if strings.Contains(body, bad) {
			t.Errorf("GET %s: %q unescaped in the page", path, bad)
		}
	}
	doc := parsePage(t, body)
	for _, n := range findAll(doc, func(*html.Node) bool { return true }) {
		switch n.Data {
		case "script", "style", "iframe", "object", "embed", "base", "form":
			t.Errorf("GET %s: a <%s> element", path, n.Data)
		case "img":
			if src := attr(n, "src"); !strings.HasPrefix(src, "/static/") {
				t.Errorf("GET %s: an image from %q", path, src)
			}
		}
		for _, a := range n.Attr {
			key := strings.ToLower(a.Key)
			switch {
			case strings.HasPrefix(key, "on"), key == "style", key == "srcdoc":
				t.Errorf("GET %s: <%s %s=%q>", path, n.Data, a.Key, a.Val)
			case key == "href" || key == "src" || key == "action" || key == "xlink:href":
				if !safeLink.MatchString(strings.TrimSpace(a.Val)) {
					t.Errorf("GET %s: <%s %s=%q>: not a path or an http(s) URL", path, n.Data, a.Key, a.Val)
				}
			}
		}
	}
}

// safeLink matches what a page may link to: its own paths, fragments and
// http(s) URLs.
var safeLink = regexp.MustCompile(`^(/[^/]|/$|#|https?://)`)

func parsePage(t *testing.T, body string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse page: %v", err)
	}
	return doc
}

// findAll returns the element nodes under n that match, in document order.
func findAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasClass(n *html.Node, prefix string) bool {
	for _, c := range strings.Fields(attr(n, "class")) {
		if strings.HasPrefix(c, prefix) {
			return true
		}
	}
	return false
}

// textOf is the text under n with its whitespace collapsed.
func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}
