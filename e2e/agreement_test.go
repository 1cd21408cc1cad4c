package e2e

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"

	"gongkai/crawler"
	"gongkai/evidence"
	"gongkai/rules"
	"gongkai/store"
)

// Verdicts agree with their evidence. Every finding's detail states what
// was seen: how many attempts failed and how the last one ended, the date
// of a column's newest item and its age, the period with no item, the
// working days between two dates, the figures of a report, the status of a
// broken link. The checks below read those statements back and compare
// them with the evidence the store holds for the finding (the unit's
// evidence and the stored page bodies), kind by kind, so that no verdict
// contradicts what it cites: no unit unreachable after "failing 0 times",
// no field missing whose label and value are on the stored page, no
// column stale whose newest item is not the date stated.

// agreement checks the findings of one audit against its stored evidence.
type agreement struct {
	ctx     context.Context
	db      *store.DB
	auditID int64
	rs      *rules.Ruleset
	asOf    evidence.Date
	units   map[string]*evidence.UnitEvidence
	// pages counts the stored pages read back.
	pages int
}

// checkAgreement checks every finding of scoring scoringID (of audit
// auditID) against its evidence, and reports each contradiction.
func checkAgreement(t *testing.T, db *store.DB, auditID, scoringID int64, rs *rules.Ruleset, asOf evidence.Date) {
	t.Helper()
	ctx := context.Background()
	found, err := db.Findings(ctx, scoringID, store.FindingFilter{})
	if err != nil {
		t.Fatal(err)
	}
	a := &agreement{ctx: ctx, db: db, auditID: auditID, rs: rs, asOf: asOf, units: map[string]*evidence.UnitEvidence{}}
	kinds := map[string]int{}
	for i := range found {
		f := &found[i]
		ue, err := a.unit(f.Unit)
		if err != nil {
			t.Errorf("finding %d (%s %s): %v", f.ID, f.Unit, f.Kind, err)
			continue
		}
		check, ok := agreeChecks[string(f.Kind)]
		if !ok {
			t.Errorf("finding %d: kind %s has no agreement check", f.ID, f.Kind)
			continue
		}
		kinds[string(f.Kind)]++
		var problems []string
		problems = append(problems, a.refs(ue, f)...)
		problems = append(problems, check(a, ue, f)...)
		for _, p := range problems {
			t.Errorf("%s %s [%s] %s: %s\n\tdetail: %s", f.Unit, f.Kind, f.Column, f.Subject, p, f.Detail)
		}
	}
	t.Logf("%d findings of %d kinds agree with their evidence (%d stored pages read back): %v", len(found), len(kinds), a.pages, kinds)
}

func (a *agreement) unit(id string) (*evidence.UnitEvidence, error) {
	if ue, ok := a.units[id]; ok {
		return ue, nil
	}
	ue, err := a.db.UnitEvidence(a.ctx, a.auditID, id)
	if err != nil {
		return nil, err
	}
	a.units[id] = ue
	return ue, nil
}

// agreeChecks holds, per finding kind, the check of a finding's detail
// against its unit's evidence; each returns the contradictions found.
var agreeChecks = map[string]func(a *agreement, ue *evidence.UnitEvidence, f *store.StoredFinding) []string{
	"site.unreachable":       agreeUnreachable,
	"site.certificate":       agreeCertificate,
	"column.missing":         agreeMissing,
	"column.unread":          agreeUnread,
	"column.empty":           agreeEmpty,
	"column.stale":           agreeAge,
	"column.expiring":        agreeAge,
	"column.gap":             agreeGap,
	"field.missing":          agreeField,
	"document.metadata":      agreeMetadata,
	"document.late":          agreeLate,
	"document.uninterpreted": agreeUninterpreted,
	"report.missing":         agreeReportMissing,
	"report.late":            agreeReportLate,
	"report.incomplete":      agreeReportIncomplete,
	"report.inconsistent":    agreeReportInconsistent,
	"link.broken":            agreeLink,
	"content.privacy":        agreePrivacy,
	"content.outdated-name":  agreeOutdatedName,
}

// TestAgreementChecks_CoverEveryKind: every finding kind has its check.
func TestAgreementChecks_CoverEveryKind(t *testing.T) {
	for _, k := range rules.FindingKinds {
		if agreeChecks[string(k)] == nil {
			t.Errorf("no agreement check for %s", k)
		}
	}
}

// TestFindingsAgreeWithEvidence checks every finding of the sim's audit
// against its stored evidence (the fault fleet's are checked in
// TestAudit_FaultFleet).
func TestFindingsAgreeWithEvidence(t *testing.T) {
	a := sharedAudit(t)
	checkAgreement(t, a.db, a.sum.AuditID, a.sum.ScoringID, rules.MustDefault(), a.sum.Result.AsOf)
}

// refs: each evidence reference with a fetch time is a request of the
// unit, with the status and class the reference states.
func (a *agreement) refs(ue *evidence.UnitEvidence, f *store.StoredFinding) []string {
	var out []string
	all := ue.AllFetches()
	for _, r := range f.Evidence {
		if r.FetchedAt.IsZero() {
			continue
		}
		match := false
		for _, x := range all {
			if x.URL == r.URL && x.FetchedAt.Equal(r.FetchedAt) {
				match = true
				if x.Status != r.Status || x.Class != r.Class {
					out = append(out, fmt.Sprintf("reference %s says %d %s, the request %d %s", r.URL, r.Status, r.Class, x.Status, x.Class))
				}
				break
			}
		}
		if !match {
			out = append(out, fmt.Sprintf("reference %s at %s is no request of the unit", r.URL, r.FetchedAt))
		}
	}
	return out
}

var (
	reAttempts = regexp.MustCompile(`共尝试(\d+)次`)
	reFailed   = regexp.MustCompile(`失败(\d+)次`)
	reLastHTTP = regexp.MustCompile(`最后一次：HTTP (\d+)`)
	reBytes    = regexp.MustCompile(`读取(\d+)字节`)
	reDate     = `(\d{4}-\d{2}-\d{2})`
)

// number returns the first submatch of re in s as an int, and whether it
// matched.
func number(re *regexp.Regexp, s string) (int, bool) {
	m := re.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	n, _ := strconv.Atoi(m[1])
	return n, true
}

func agreeUnreachable(a *agreement, ue *evidence.UnitEvidence, f *store.StoredFinding) []string {
	var out []string
	r := &ue.Reach
	if r.Reachable {
		out = append(out, "the unit's own attempts reached it")
	}
	if n, ok := number(reAttempts, f.Detail); ok && n != len(r.Attempts) {
		out = append(out, fmt.Sprintf("states %d attempts, the evidence holds %d", n, len(r.Attempts)))
	}
	failed, stated := number(reFailed, f.Detail)
	if stated && failed != r.Failures() {
		out = append(out, fmt.Sprintf("states %d failures, the evidence holds %d", failed, r.Failures()))
	}
	var last evidence.Fetch
	if len(r.Attempts) > 0 {
		last = r.Attempts[len(r.Attempts)-1]
	}
	if st, ok := number(reLastHTTP, f.Detail); ok && st != last.Status {
		out = append(out, fmt.Sprintf("states the last attempt answered HTTP %d, it answered %d", st, last.Status))
	}
	if n, ok := number(reBytes, f.Detail); ok && int64(n) != last.Size {
		out = append(out, fmt.Sprintf("states %d bytes read, the last attempt read %d", n, last.Size))
	}
	if f.Severity != "notice" {
		// Judged unreachable: attempts were made, failed, and the last
		// failed by the site's own doing.
		if !stated || failed == 0 || len(r.Attempts) == 0 {
			out = append(out, "unreachable without a failed attempt")
		}
		switch last.Class {
		case evidence.ClassOK, evidence.ClassBlocked, evidence.ClassRobots, evidence.ClassRefused,
			evidence.ClassTooLarge, evidence.ClassUnreadable, evidence.ClassCertificate:
			out = append(out, fmt.Sprintf("unreachable, but the last attempt was %s: the site answered", last.Class))
		}
		if r.Required > 0 && failed < r.Required {
			out = append(out, fmt.Sprintf("unreachable after %d failures, %d required", failed, r.Required))
		}
	}
	return out
}

// certPhrases are the words a detail gives each certificate problem.
var certPhrases = map[evidence.CertProblem]string{
	evidence.CertExpired: "过期", evidence.CertUnknownAuthority: "不受信任", evidence.CertWrongHost: "域名不符",
	evidence.CertInvalid: "证书无效", evidence.CertHandshake: "握手失败",
}

func agreeCertificate(a *agreement, ue *evidence.UnitEvidence, f *store.StoredFinding) []string {
	t := ue.TLS
	if t == nil {
		return []string{"no certificate of the unit was refused"}
	}
	var out []string
	if !strings.Contains(f.Detail, certPhrases[t.Problem]) {
		out = append(out, fmt.Sprintf("the certificate was refused as %s", t.Problem))
	}
	refused := false
	for _, x := range ue.Fetches {
		if x.Class == evidence.ClassCertificate && x.Cert == t.Problem && x.URL == t.URL {
			refused = true
		}
	}
	if !refused {
		out = append(out, "no request of the unit's was refused for its certificate")
	}
	if strings.Contains(f.Detail, "照常读取") && (!t.Insecure || !ue.Reach.Reachable) {
		out = append(out, "states the content was read without verification; it was not")
	}
	return out
}

var reSearched = regexp.MustCompile(`首页及(\d+)个信息公开导航页面`)

func agreeMissing(a *agreement, ue *evidence.UnitEvidence, f *store.StoredFinding) []string {
	col := ue.Column(f.Column)
	if col == nil {
		return []string{"the unit has no such column in its evidence"}
	}
	var out []string
	if col.Found {
		out = append(out, "the column was found and read")
	}
	if n, ok := number(reSearched, f.Detail); ok {
		if col.URL != "" {
			out = append(out, "states no link was found; the column's link was "+col.URL)
		}
		if want := max(len(col.Discovery.Searched)-1, 0); n != want {
			out = append(out, fmt.Sprintf("states %d hub pages searched, the evidence lists %d", n, want))
		}
	}
	if strings.Contains(f.Detail, "无法打开") {
		fe := ue.FetchOf(col.URL)
		switch {
		case fe == nil:
			out = append(out, "no request of the column's page")
		case fe.OK():
			out = append(out, "the column's page was fetched fine")
		case unusableClass(fe.Class):
			out = append(out, fmt.Sprintf("the column's page was %s: not the site's fault, so no absence", fe.Class))
		}
		if st, ok := number(regexp.MustCompile(`HTTP (\d+)`), f.Detail); ok && (fe == nil || st != fe.Status) {
			out = append(out, fmt.Sprintf("states HTTP %d", st))
		}
	}
	return out
}

// unusableClass: classes of pages the crawler could not use, which say
// nothing of what the page holds.
func unusableClass(c evidence.FetchClass) bool {
	switch c {
	case evidence.ClassTooLarge, evidence.ClassUnreadable, evidence.ClassRefused, evidence.ClassRobots,
		evidence.ClassBlocked, evidence.ClassCertificate:
		return true
	}
	return false
}

func agreeUnread(a *agreement, ue *evidence.UnitEvidence, f *store.StoredFinding) []string {
	col := ue.Column(f.Column)
	fe := ue.FetchOf(f.URL)
	var out []string
	switch {
	case col == nil:
		return []string{"the unit has no such column in its evidence"}
	case fe == nil:
		return []string{"no request of the page named"}
	case !unusableClass(fe.Class):
		out = append(out, fmt.Sprintf("the page named was %s", fe.Class))
	}
	if f.URL != col.URL && !contains(col.Unread, f.URL) {
		out = append(out, "the page named is not one of the column's")
	}
	if n, ok := number(reBytes, f.Detail); ok && int64(n) != fe.Size {
		out = append(out, fmt.Sprintf("states %d bytes read, %d were", n, fe.Size))
	}
	if f.Severity != "notice" {
		out = append(out, "a page not read costs points")
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// items returns a column's items dated on or before the as-of date (and
// the undated).
func (a *agreement) items(col *evidence.Column) []evidence.Item {
	var out []evidence.Item
	for _, it := range col.Items {
		if it.Date.IsZero() || !it.Date.After(a.asOf) {
			out = append(out, it)
		}
	}
	return out
}

func agreeEmpty(a *agreement, ue *evidence.UnitEvidence, f *store.StoredFinding) []string {
	col := ue.Column(f.Column)
	if col == nil || !col.Found {
		return []string{"the column was not read"}
	}
	var out []string
	rc := a.rs.Column(f.Column)
	if rc != nil && rc.Shape == rules.ShapePage {
		for _, l := range col.Labels {
			if strings.TrimSpace(l.Value) != "" && f.Severity != "notice" {
				out = append(out, fmt.Sprintf("the page shows %s：%s", l.Label, l.Value))
				break
			}
		}
	} else if n := len(a.items(col)); n > 0 {
		out = append(out, fmt.Sprintf("the column lists %d items", n))
	}
	return out
}

var (
	reNewest    = regexp.MustCompile(`最新一条发布于` + reDate + `，距评估日(\d+)天`)
	reLimitDays = regexp.MustCompile(`(\d+)天的更新要求`)
	reUndated   = regexp.MustCompile(`(\d+)个条目均未标注发布日期`)
)

// agreeAge checks column.stale and column.expiring.
func agreeAge(a *agreement, ue *evidence.UnitEvidence, f *store.StoredFinding) []string {
	col := ue.Column(f.Column)
	if col == nil || !col.Found {
		return []string{"the column was not read"}
	}
	var out []string
	items := a.items(col)
	var newest evidence.Date
	for _, it := range items {
		if !it.Date.IsZero() && it.Date.After(newest) {
			newest = it.Date
		}
	}
	c := a.rs.CheckFor(f.Column, rules.KindMaxAge, ue.Unit.Type)
	if c == nil {
		return []string{"no max_age check for the column"}
	}
	if n, ok := number(reLimitDays, f.Detail); ok && n != int(c.MaxAge) {
		out = append(out, fmt.Sprintf("states a limit of %d days, the rule's is %d", n, int(c.MaxAge)))
	}
	if n, ok := number(reUndated, f.Detail); ok {
		if n != len(items) || !newest.IsZero() {
			out = append(out, fmt.Sprintf("states %d undated items; the column lists %d, the newest dated %s", n, len(items), newest))
		}
		return out
	}
	m := reNewest.FindStringSubmatch(f.Detail)
	if m == nil {
		return append(out, "states no newest item")
	}
	if m[1] != newest.String() {
		out = append(out, fmt.Sprintf("states the newest item is of %s; it is of %s", m[1], newest))
	}
	age, _ := strconv.Atoi(m[2])
	if want := newest.DaysUntil(a.asOf); age != want {
		out = append(out, fmt.Sprintf("states %d days, %s is %d days before %s", age, newest, want, a.asOf))
	}
	switch {
	case f.Kind == "column.stale" && age <= int(c.MaxAge):
		out = append(out, fmt.Sprintf("stale at %d days with a limit of %d", age, int(c.MaxAge)))
	case f.Kind == "column.expiring" && age > int(c.MaxAge):
		out = append(out, fmt.Sprintf("expiring at %d days, past the limit of %d", age, int(c.MaxAge)))
	}
	return out
}

var rePeriod = regexp.MustCompile(`（` + reDate + `至` + reDate + `）没有发布信息`)

func agreeGap(a *agreement, ue *evidence.UnitEvidence, f *store.StoredFinding) []string {
	col := ue.Column(f.Column)
	if col == nil || !col.Found {
		return []string{"the column was not read"}
	}
	m := rePeriod.FindStringSubmatch(f.Detail)
	if m == nil {
		return []string{"states no period"}
	}
	from, to := evidence.MustParseDate(m[1]), evidence.MustParseDate(m[2])
	var out []string
	for _, it := range a.items(col) {
		if !it.Date.IsZero() && !it.Date.Before(from) && !it.Date.After(to) {
			out = append(out, fmt.Sprintf("the column lists %q of %s, inside %s..%s", it.Title, it.Date, from, to))
		}
	}
	if !strings.HasPrefix(m[1], f.Subject[:4]) {
		out = append(out, fmt.Sprintf("the period %s is not of %s", m[1], f.Subject))
	}
	return out
}

// fieldNames returns the names (name and aliases) of field name in the
// check of kind on column.
func (a *agreement) fieldNames(column string, kind rules.CheckKind, unitType, name string) []string {
	c := a.rs.CheckFor(column, kind, unitType)
	if c == nil {
		return []string{name}
	}
	for _, fl := range c.Fields {
		if fl.Name == name {
			return fl.Names()
		}
	}
	return []string{name}
}

func agreeField(a *agreement, ue *evidence.UnitEvidence, f *store.StoredFinding) []string {
	col := ue.Column(f.Column)
	if col == nil || !col.Found {
		return []string{"the column was not read"}
	}
	names := a.fieldNames(f.Column, rules.KindFields, ue.Unit.Type, f.Subject)
	var out []string
	if l, ok := labelWithValue(col.Labels, names); ok {
		out = append(out, fmt.Sprintf("the column's labels hold %s：%s", l.Label, l.Value))
	}
	template := a.portalTexts(ue)
	for _, page := range col.Pages {
		if shown := a.pageShows(ue, page, names, template); shown != "" {
			out = append(out, fmt.Sprintf("the stored page %s shows %q", page, shown))
		}
	}
	return out
}

func agreeMetadata(a *agreement, ue *evidence.UnitEvidence, f *store.StoredFinding) []string {
	it := item(ue.Column(f.Column), f.Subject)
	if it == nil || it.Doc == nil {
		return []string{"the document is not among the column's items read"}
	}
	if it.Doc.Class != evidence.ClassOK {
		return []string{"the document's page was not read"}
	}
	var out []string
	template := a.portalTexts(ue)
	for _, m := range regexp.MustCompile(`“([^”]+)”`).FindAllStringSubmatch(f.Detail, -1) {
		names := a.fieldNames(f.Column, rules.KindDocumentMetadata, ue.Unit.Type, m[1])
		if v := strings.TrimSpace(it.Doc.Meta[m[1]]); v != "" {
			out = append(out, fmt.Sprintf("the document's metadata holds %s：%s", m[1], v))
		}
		if l, ok := labelWithValue(it.Doc.Labels, names); ok && !strings.HasSuffix(l.Label, names[0]) {
			out = append(out, fmt.Sprintf("the document's labels hold %s：%s", l.Label, l.Value))
		}
		if shown := a.pageShows(ue, it.URL, names, template); shown != "" {
			out = append(out, fmt.Sprintf("the stored page shows %q", shown))
		}
	}
	return out
}

// item returns col's item at url, or nil.
func item(col *evidence.Column, url string) *evidence.Item {
	if col == nil {
		return nil
	}
	for i := range col.Items {
		if col.Items[i].URL == url {
			return &col.Items[i]
		}
	}
	return nil
}

// labelWithValue finds a label equal to one of names (spaces and a colon
// aside) that holds a value.
func labelWithValue(labels []evidence.Label, names []string) (evidence.Label, bool) {
	for _, l := range labels {
		if strings.TrimSpace(l.Value) == "" {
			continue
		}
		for _, n := range names {
			if squeeze(l.Label) == squeeze(n) {
				return l, true
			}
		}
	}
	return evidence.Label{}, false
}

// squeeze drops spaces (of any width) and a trailing colon.
func squeeze(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\u3000' || r == '\u00a0' || r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, s)
	return strings.TrimRight(s, ":：")
}

// portalTexts returns the texts of the unit's stored portal page: what
// the template shows on every page (a footer's 联系电话) is not the page's
// own.
func (a *agreement) portalTexts(ue *evidence.UnitEvidence) map[string]bool {
	out := map[string]bool{}
	if len(ue.Reach.Attempts) == 0 {
		return out
	}
	doc := a.stored(ue, ue.Reach.Attempts[len(ue.Reach.Attempts)-1].URL)
	if doc == nil {
		return out
	}
	doc.Find("body *").Each(func(_ int, s *goquery.Selection) {
		if s.Children().Length() == 0 {
			out[squeeze(s.Text())] = true
		}
	})
	return out
}

// stored parses the body stored for the unit's fetch of url; nil when no
// body was kept.
func (a *agreement) stored(ue *evidence.UnitEvidence, raw string) *goquery.Document {
	fe := ue.FetchOf(raw)
	if fe == nil || fe.SHA256 == "" {
		return nil
	}
	body, err := a.db.Body(a.ctx, fe.SHA256)
	if err != nil {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil
	}
	p, err := crawler.ParsePage(u, body, fe.ContentType)
	if err != nil {
		return nil
	}
	a.pages++
	return p.Doc
}

// pageShows returns the text by which the stored page at url shows one
// of names with its value, outside the template: "名称：值" at the start
// of an element's own text, or a cell or term holding the name alone
// followed by a cell or definition holding a value. "" when it does not.
func (a *agreement) pageShows(ue *evidence.UnitEvidence, url string, names []string, template map[string]bool) string {
	doc := a.stored(ue, url)
	if doc == nil {
		return ""
	}
	shown := ""
	doc.Find("body *").EachWithBreak(func(_ int, s *goquery.Selection) bool {
		own := ownText(s)
		if template[squeeze(own)] || template[squeeze(s.Text())] {
			return true
		}
		for _, n := range names {
			key := squeeze(n)
			text := squeeze(own)
			if strings.HasPrefix(text, key) {
				rest := strings.TrimPrefix(text, key)
				if hasColon(own, n) && rest != "" {
					shown = strings.TrimSpace(own)
					return false
				}
			}
			switch goquery.NodeName(s) {
			case "th", "td", "dt":
				if squeeze(s.Text()) == key {
					next := s.Next()
					if next.Length() > 0 && squeeze(next.Text()) != "" && !strings.HasSuffix(strings.TrimSpace(next.Text()), "：") {
						shown = strings.TrimSpace(s.Text()) + " " + strings.TrimSpace(next.Text())
						return false
					}
				}
			}
		}
		return true
	})
	return shown
}

// hasColon reports whether text follows name with a colon.
func hasColon(text, name string) bool {
	t := squeezeKeepColon(text)
	n := squeeze(name)
	return strings.HasPrefix(t, n+"：") || strings.HasPrefix(t, n+":")
}

func squeezeKeepColon(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\u3000' || r == '\u00a0' || r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, s)
}

// ownText returns the text of s's own text nodes, not its children's.
func ownText(s *goquery.Selection) string {
	var b strings.Builder
	for _, n := range s.Nodes {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.TextNode {
				b.WriteString(c.Data)
			}
		}
	}
	return b.String()
}

var reLate = regexp.MustCompile(`成文于` + reDate + `，` + reDate + `才公开，相隔(\d+)个工作日，超过(\d+)个工作日`)

// published returns a document's publication date as the judge takes it.
func published(it *evidence.Item) evidence.Date {
	if it.Doc != nil && !it.Doc.Published.IsZero() {
		return it.Doc.Published
	}
	return it.Date
}

func agreeLate(a *agreement, ue *evidence.UnitEvidence, f *store.StoredFinding) []string {
	it := item(ue.Column(f.Column), f.Subject)
	if it == nil || it.Doc == nil {
		return []string{"the document is not among the column's items read"}
	}
	m := reLate.FindStringSubmatch(f.Detail)
	if m == nil {
		return []string{"states no dates"}
	}
	var out []string
	if m[1] != it.Doc.Written.String() {
		out = append(out, fmt.Sprintf("states 成文 %s, the page says %s", m[1], it.Doc.Written))
	}
	if pub := published(it); m[2] != pub.String() {
		out = append(out, fmt.Sprintf("states published %s, the evidence says %s", m[2], pub))
	}
	n, _ := strconv.Atoi(m[3])
	limit, _ := strconv.Atoi(m[4])
	if want := a.rs.Calendar.WorkdaysBetween(it.Doc.Written, published(it)); n != want {
		out = append(out, fmt.Sprintf("states %d working days, the calendar counts %d", n, want))
	}
	if n <= limit {
		out = append(out, fmt.Sprintf("late at %d working days with a limit of %d", n, limit))
	}
	return out
}

var (
	reUninterpreted = regexp.MustCompile(`于` + reDate + `公开，截至` + reDate + `（(\d+)个工作日内）`)
	reLateInterp    = regexp.MustCompile(`于` + reDate + `公开，解读《.*》` + reDate + `才发布，超过(\d+)个工作日`)
)

func agreeUninterpreted(a *agreement, ue *evidence.UnitEvidence, f *store.StoredFinding) []string {
	c := a.rs.CheckFor(f.Column, rules.KindInterpretation, ue.Unit.Type)
	if c == nil {
		return []string{"no interpretation check"}
	}
	it := item(ue.Column(c.Of), f.Subject)
	if it == nil {
		return []string{"the document is not among the items read"}
	}
	pub := published(it)
	deadline := a.rs.Calendar.AddWorkdays(pub, c.WorkingDays)
	var out []string
	if m := reUninterpreted.FindStringSubmatch(f.Detail); m != nil {
		if m[1] != pub.String() || m[2] != deadline.String() {
			out = append(out, fmt.Sprintf("states %s and %s; published %s, due %s", m[1], m[2], pub, deadline))
		}
		if deadline.After(a.asOf) {
			out = append(out, "not due by the as-of date")
		}
		return out
	}
	if m := reLateInterp.FindStringSubmatch(f.Detail); m != nil {
		if m[1] != pub.String() {
			out = append(out, fmt.Sprintf("states published %s, the evidence says %s", m[1], pub))
		}
		if !evidence.MustParseDate(m[2]).After(deadline) {
			out = append(out, fmt.Sprintf("the interpretation of %s is not after the deadline %s", m[2], deadline))
		}
		return out
	}
	return []string{"states no dates"}
}

// reportItems returns the annual-report column's items of year.
func reportItems(ue *evidence.UnitEvidence, column string, year int) []*evidence.Item {
	var out []*evidence.Item
	col := ue.Column(column)
	if col == nil {
		return nil
	}
	for i := range col.Items {
		it := &col.Items[i]
		y := 0
		if it.Doc != nil && it.Doc.AnnualReport != nil {
			y = it.Doc.AnnualReport.Year
		}
		if y == year || y == 0 && strings.Contains(it.Title, strconv.Itoa(year)) {
			out = append(out, it)
		}
	}
	return out
}

var reDue = regexp.MustCompile(`应于` + reDate + `前公布`)

func agreeReportMissing(a *agreement, ue *evidence.UnitEvidence, f *store.StoredFinding) []string {
	year, _ := strconv.Atoi(f.Subject)
	var out []string
	for _, it := range reportItems(ue, f.Column, year) {
		if (strings.Contains(it.Title, "报告") || strings.Contains(it.Title, "年报")) && !it.Date.After(a.asOf) {
			out = append(out, fmt.Sprintf("the column lists %q", it.Title))
		}
	}
	if m := reDue.FindStringSubmatch(f.Detail); m == nil || evidence.MustParseDate(m[1]).After(a.asOf) {
		out = append(out, "not due by the as-of date")
	}
	return out
}

var reReportLate = regexp.MustCompile(`于` + reDate + `公布，晚于` + reDate + `的法定期限(\d+)天`)

func agreeReportLate(a *agreement, ue *evidence.UnitEvidence, f *store.StoredFinding) []string {
	year, _ := strconv.Atoi(f.Subject)
	m := reReportLate.FindStringSubmatch(f.Detail)
	if m == nil {
		return []string{"states no dates"}
	}
	pub, deadline := evidence.MustParseDate(m[1]), evidence.MustParseDate(m[2])
	var out []string
	found := false
	for _, it := range reportItems(ue, f.Column, year) {
		if published(it) == pub {
			found = true
		}
	}
	if !found {
		out = append(out, fmt.Sprintf("no report of %d published %s", year, pub))
	}
	if n, _ := strconv.Atoi(m[3]); n != deadline.DaysUntil(pub) || n <= 0 {
		out = append(out, fmt.Sprintf("states %d days late; %s is %d days after %s", n, pub, deadline.DaysUntil(pub), deadline))
	}
	return out
}

// readReport returns the report read for year, or nil.
func readReport(ue *evidence.UnitEvidence, column string, year int) *evidence.AnnualReport {
	for _, it := range reportItems(ue, column, year) {
		if it.Doc != nil && it.Doc.AnnualReport != nil {
			return it.Doc.AnnualReport
		}
	}
	return nil
}

var (
	reBlanks  = regexp.MustCompile(`表([二三四])有(\d+)个空白单元格`)
	reSection = regexp.MustCompile(`缺少第([一二三四五六])部分`)
	tableIDs  = map[string]string{"二": "2", "三": "3", "四": "4"}
	sectionNo = map[string]int{"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6}
)

func agreeReportIncomplete(a *agreement, ue *evidence.UnitEvidence, f *store.StoredFinding) []string {
	year, _ := strconv.Atoi(f.Subject)
	r := readReport(ue, f.Column, year)
	if r == nil {
		// A report published as an attachment only is a notice naming it.
		if f.Severity == "notice" {
			return nil
		}
		return []string{"no report of the year was read"}
	}
	var out []string
	if m := reSection.FindStringSubmatch(f.Detail); m != nil {
		for _, s := range r.Sections {
			if s == sectionNo[m[1]] && r.Format != "2008" {
				out = append(out, fmt.Sprintf("the report has section %d", s))
			}
		}
	}
	if m := reBlanks.FindStringSubmatch(f.Detail); m != nil {
		n, _ := strconv.Atoi(m[2])
		blanks := 0
		if t := r.Tables[tableIDs[m[1]]]; t != nil {
			for _, row := range t.Rows {
				for _, c := range row {
					if c.Blank {
						blanks++
					}
				}
			}
		}
		if n != blanks {
			out = append(out, fmt.Sprintf("states %d blank cells, table %s has %d", n, m[1], blanks))
		}
	}
	return out
}

// t3Columns are table 3's columns by the names a detail gives them (docs/spec.md#annual-report-identities).
var t3Columns = map[string]string{
	"自然人": "natural", "商业企业": "business", "科研机构": "research", "社会公益组织": "charity",
	"法律服务机构": "legal", "其他": "other_org", "总计": "total",
}

var (
	reBalance = regexp.MustCompile(`表三“([^”]+)”列：本年新收(-?\d+)＋上年结转(-?\d+)＝(-?\d+)，不等于办理结果总计(-?\d+)＋结转下年度(-?\d+)＝(-?\d+)`)
	reSumNot  = regexp.MustCompile(`之和为(-?\d+)，不等于总计(-?\d+)`)
	reT4      = regexp.MustCompile(`结果维持(-?\d+)＋结果纠正(-?\d+)＋其他结果(-?\d+)＋尚未审结(-?\d+)＝(-?\d+)，不等于总计(-?\d+)`)
	reCarry   = regexp.MustCompile(`结转下年度(-?\d+)件，\d+年度年报上年结转(-?\d+)件`)
	reSubtot  = regexp.MustCompile(`列为(-?\d+)，不等于其各项之和(-?\d+)`)
)

func ints(m []string) []int64 {
	out := make([]int64, len(m))
	for i, s := range m {
		out[i], _ = strconv.ParseInt(s, 10, 64)
	}
	return out
}

func agreeReportInconsistent(a *agreement, ue *evidence.UnitEvidence, f *store.StoredFinding) []string {
	year, _ := strconv.Atoi(f.Subject)
	r := readReport(ue, f.Column, year)
	if r == nil {
		return []string{"no report of the year was read"}
	}
	var out []string
	cell := func(table, row, col string) (int64, bool) {
		t := r.Tables[table]
		if t == nil {
			return 0, false
		}
		c, ok := t.Rows[row][col]
		return c.Value, ok && c.Number
	}
	switch {
	case reBalance.MatchString(f.Detail):
		m := reBalance.FindStringSubmatch(f.Detail)
		v := ints(m[2:])
		if v[0]+v[1] != v[2] || v[3]+v[4] != v[5] || v[2] == v[5] {
			out = append(out, "the stated sums do not hold, or are equal")
		}
		col := t3Columns[m[1]]
		for i, row := range []string{"new", "carried_in", "", "total", "carried_out"} {
			if row == "" {
				continue
			}
			if got, ok := cell("3", row, col); !ok || got != v[i] {
				out = append(out, fmt.Sprintf("states %s/%s = %d, the report reads %d", row, col, v[i], got))
			}
		}
	case reT4.MatchString(f.Detail):
		v := ints(reT4.FindStringSubmatch(f.Detail)[1:])
		if v[0]+v[1]+v[2]+v[3] != v[4] || v[4] == v[5] {
			out = append(out, "the stated sum does not hold, or equals the total")
		}
	case reSumNot.MatchString(f.Detail):
		v := ints(reSumNot.FindStringSubmatch(f.Detail)[1:])
		if v[0] == v[1] {
			out = append(out, "the stated sum equals the total")
		}
	case reSubtot.MatchString(f.Detail):
		v := ints(reSubtot.FindStringSubmatch(f.Detail)[1:])
		if v[0] == v[1] {
			out = append(out, "the stated subtotal equals the sum")
		}
	case reCarry.MatchString(f.Detail):
		v := ints(reCarry.FindStringSubmatch(f.Detail)[1:])
		if v[0] == v[1] {
			out = append(out, "the stated carry-overs are equal")
		}
	case strings.Contains(f.Detail, "应为非负整数"):
	default:
		out = append(out, "states no identity this test knows")
	}
	return out
}

var reLinkStatus = regexp.MustCompile(`（HTTP (\d+)）`)

func agreeLink(a *agreement, ue *evidence.UnitEvidence, f *store.StoredFinding) []string {
	for i := range ue.Links {
		l := &ue.Links[i]
		if l.URL != f.Subject {
			continue
		}
		var out []string
		if !l.Broken() {
			out = append(out, fmt.Sprintf("the link's check was %s %d", l.Fetch.Class, l.Fetch.Status))
		}
		if st, ok := number(reLinkStatus, f.Detail); ok && (l.Fetch == nil || st != l.Fetch.Status) {
			out = append(out, fmt.Sprintf("states HTTP %d", st))
		}
		if !l.OnPortal && !contains(l.FoundOn, f.URL) {
			out = append(out, fmt.Sprintf("the link is not on %s", f.URL))
		}
		return out
	}
	return []string{"no such link was checked"}
}

// contentScanOf returns the content scan of the page or attachment at url
// among the unit's items, with the item's document, and whether url is an
// attachment.
func contentScanOf(ue *evidence.UnitEvidence, url string) (*evidence.ContentScan, *evidence.Document, bool) {
	for ci := range ue.Columns {
		for ii := range ue.Columns[ci].Items {
			d := ue.Columns[ci].Items[ii].Doc
			if d == nil || d.Content == nil {
				continue
			}
			if ue.Columns[ci].Items[ii].URL == url {
				return d.Content, d, false
			}
			for fi := range d.Content.Files {
				if d.Content.Files[fi].URL == url {
					return &d.Content.Files[fi].ContentScan, d, true
				}
			}
		}
	}
	return nil, nil, false
}

// personalWords are the detail's words for each kind of personal number.
var personalWords = map[string]string{"身份证号码": evidence.PersonalID, "手机号码": evidence.PersonalMobile, "银行卡号": evidence.PersonalCard}

// agreePrivacy: the page or file the finding names was scanned, holds at
// least as many numbers of each kind as the detail counts, and shows the
// masked example the detail quotes; a page's stored body holds a number
// that the example masks (the leak is on the page as fetched; attachments'
// bodies are files, read by the crawler's own readers, and are not
// re-read here).
func agreePrivacy(a *agreement, ue *evidence.UnitEvidence, f *store.StoredFinding) []string {
	scan, doc, file := contentScanOf(ue, f.Subject)
	if scan == nil {
		return []string{"no content scan of " + f.Subject + " in the evidence"}
	}
	var out []string
	have := map[string]int{}
	examples := map[string]bool{}
	for _, g := range scan.Personal {
		have[g.Kind] += g.Count
		examples[g.Example] = true
	}
	for _, m := range regexp.MustCompile(`(身份证号码|手机号码|银行卡号)(\d+)个`).FindAllStringSubmatch(f.Detail, -1) {
		n, _ := strconv.Atoi(m[2])
		if k := personalWords[m[1]]; have[k] < n {
			out = append(out, fmt.Sprintf("the detail counts %d %s, the scan holds %d", n, m[1], have[k]))
		}
	}
	exRE := regexp.MustCompile(`如([0-9Xx*]{6,})`)
	for _, m := range exRE.FindAllStringSubmatch(f.Detail, -1) {
		if !examples[m[1]] {
			out = append(out, "the example "+m[1]+" is none of the scan's")
		}
		if !file && doc.Class == evidence.ClassOK {
			if body := a.stored(ue, f.Subject); body != nil && !maskedIn(m[1], body.Text()) {
				out = append(out, "the stored page holds no number the example "+m[1]+" masks")
			}
		}
	}
	if len(have) == 0 {
		out = append(out, "the scan holds no personal number")
	}
	return out
}

// maskedIn reports whether text holds a number that mask (digits with a
// run of * in the middle) masks, written with or without spaces.
func maskedIn(mask, text string) bool {
	i, j := strings.IndexByte(mask, '*'), strings.LastIndexByte(mask, '*')
	if i < 0 {
		return strings.Contains(text, mask)
	}
	re := regexp.MustCompile(regexp.QuoteMeta(mask[:i]) + `[0-9]{` + strconv.Itoa(j-i+1) + `}` + regexp.QuoteMeta(mask[j+1:]))
	return re.MatchString(strings.NewReplacer(" ", "", "\u00a0", "", "-", "").Replace(text))
}

// agreeOutdatedName: the document's scan counts current uses of each name
// the detail quotes, as many as it says; the name is in the ruleset's list
// with the successor the detail gives; the document's own date is after
// the name ceased.
func agreeOutdatedName(a *agreement, ue *evidence.UnitEvidence, f *store.StoredFinding) []string {
	scan, doc, _ := contentScanOf(ue, f.Subject)
	if scan == nil || doc == nil {
		return []string{"no content scan of " + f.Subject + " in the evidence"}
	}
	var out []string
	uses := map[string]int{}
	for _, nu := range scan.Names {
		uses[nu.Name] = nu.Current
	}
	found := 0
	for _, m := range regexp.MustCompile(`“([^”]+)”(\d+)处（该机构([0-9年月日]+)起已调整为([^）]+)）`).FindAllStringSubmatch(f.Detail, -1) {
		found++
		n, _ := strconv.Atoi(m[2])
		if uses[m[1]] != n {
			out = append(out, fmt.Sprintf("the detail counts %d current uses of %s, the scan %d", n, m[1], uses[m[1]]))
		}
		e := a.rs.OutdatedNameFor(m[1])
		switch {
		case e == nil:
			out = append(out, m[1]+" is not a listed name")
		case e.Successor != m[4]:
			out = append(out, fmt.Sprintf("%s's successor is %s, the detail says %s", m[1], e.Successor, m[4]))
		}
	}
	if found == 0 {
		out = append(out, "the detail quotes no name")
	}
	if m := regexp.MustCompile(`（(成文日期|发布日期)(\d{4}-\d{2}-\d{2})）`).FindStringSubmatch(f.Detail); m != nil {
		want := doc.Written
		if m[1] == "发布日期" {
			want = doc.Published
		}
		if !want.IsZero() && want.String() != m[2] {
			out = append(out, fmt.Sprintf("the detail dates the document %s %s, its evidence %s", m[1], m[2], want))
		}
	}
	return out
}
