// Package crawler visits unit sites and records what it sees as evidence:
// it fetches the portal, finds the disclosure columns by their names through
// the navigation, reads list items with their dates across pages, reads
// document pages' metadata, annual reports and interpretations, and checks
// the links and attachments on the pages it read.
//
// It is built on gocolly/colly (requests, robots.txt, per-host limits,
// redirects, body caps) and PuerkitoBio/goquery (parsing), with its own
// layers for global concurrency, retries with backoff, charset detection and
// fetch classification. It is told what to look for by plain parameters (a
// Plan), never by the rules, and it decides nothing: whether a column is
// stale or a link matters is for package scoring. It never imports the
// store, the rules or the scoring.
package crawler

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gongkai/evidence"
	"gongkai/internal/gz"
	"gongkai/internal/textnorm"
)

// ItemRead says what to read from a list column's item pages.
type ItemRead string

// The item reads.
const (
	// ReadNone reads no item pages.
	ReadNone ItemRead = ""
	// ReadDocument reads document pages: metadata, links, quoted titles.
	ReadDocument ItemRead = "document"
	// ReadLinks reads item pages for their links and quoted titles
	// (interpretations).
	ReadLinks ItemRead = "links"
	// ReadAnnualReport reads annual report pages.
	ReadAnnualReport ItemRead = "report"
)

// ColumnSpec tells the crawler about one column to find and read.
type ColumnSpec struct {
	// ID is the column id, copied into the evidence.
	ID string
	// Names are the column's name and aliases, as sites show them.
	Names []string
	// Shape is page or list.
	Shape evidence.Shape
	// Read says which item pages to read.
	Read ItemRead
	// Fields are the fields a page column must show, with their aliases:
	// they guide the label reader (a tab or a line that says only
	// 工作分工 heads the text under it).
	Fields []MetaField
}

// Plan is what to look for on every unit.
type Plan struct {
	// Columns to find, in the order the evidence lists them.
	Columns []ColumnSpec
	// Hubs are link texts that lead to the disclosure directory.
	Hubs []string
	// MetaFields are the document metadata fields to read, with aliases.
	MetaFields []MetaField
	// Ref is the reference date for year-less dates (the as-of date);
	// zero means the crawl date.
	Ref evidence.Date
	// Since is the oldest date of interest: list pages past it are not
	// read, and item pages older than it are not fetched. Zero means no bound.
	Since evidence.Date
	// CheckExternal also checks links that leave the unit's hosts.
	CheckExternal bool
	// Content asks for the text of the item pages read (and of their
	// attachments) to be scanned for personal numbers and listed names;
	// nil scans nothing.
	Content *ContentPlan
}

// Target is one unit to crawl.
type Target struct {
	// Unit identifies the unit; its URL is the portal.
	Unit evidence.Unit
	// Hosts are further hosts (host or host:port) the unit's pages live on.
	Hosts []string
	// Overrides maps a column id to its URL; such columns are not searched for.
	Overrides map[string]string
	// IgnoreRobots opts this unit out of robots.txt.
	IgnoreRobots bool
	// CA holds PEM certificates of authorities trusted for this unit's
	// hosts besides the system's (a district that runs its own CA); empty
	// trusts the system's alone.
	CA string `json:",omitempty"`
	// Plan says what to look for on this unit.
	Plan *Plan
}

// Crawler crawls units. It is safe for concurrent use; one Crawler shares
// one connection pool per kind of TLS trust and one global concurrency
// limit across all units.
type Crawler struct {
	opts    Options
	tr      *transports
	browser renderBrowser // started on the first render
}

// New returns a Crawler with o's settings (zero fields take their defaults).
func New(o Options) *Crawler {
	o = o.withDefaults()
	return &Crawler{opts: o, tr: newTransports(o)}
}

// Close releases the crawler's idle connections and stops the browser of
// its renders, if one was started. The crawler may be used again
// afterwards, but not to render.
func (c *Crawler) Close() {
	c.browser.close()
	c.tr.closeIdle()
}

// unitTransport returns a transport for one unit's requests, trusting the
// system's roots and ca (PEM; "" for none) until the unit's certificate
// fails. A ca that holds no certificate is an error (the units file is
// checked when loaded, so this means a target built by hand).
func (c *Crawler) unitTransport(ca string) (*unitTransport, error) {
	verified, err := c.tr.verified(ca)
	if err != nil {
		return nil, err
	}
	ut := &unitTransport{verified: verified}
	switch c.opts.Transport.(type) {
	case nil, *http.Transport:
		ut.insecureTr = c.tr.insecure()
	}
	return ut, nil
}

// Options returns the effective options (defaults applied).
func (c *Crawler) Options() Options { return c.opts }

// CrawlAll crawls targets concurrently (Options.UnitsInFlight at a time) and
// calls emit with each unit's evidence as it finishes, from one goroutine at
// a time. It returns when every unit is done or ctx is cancelled; units not
// started by then are not emitted.
func (c *Crawler) CrawlAll(ctx context.Context, targets []Target, emit func(*evidence.UnitEvidence)) {
	sem := make(chan struct{}, c.opts.UnitsInFlight)
	var wg sync.WaitGroup
	var emitMu sync.Mutex
	for _, t := range targets {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return
		}
		wg.Add(1)
		go func(t Target) {
			defer wg.Done()
			defer func() { <-sem }()
			ev := c.Crawl(ctx, t)
			emitMu.Lock()
			defer emitMu.Unlock()
			emit(ev)
		}(t)
	}
	wg.Wait()
}

// Crawl crawls one unit and returns what it saw. It never fails: whatever
// went wrong is in the evidence (failed fetches, notes).
func (c *Crawler) Crawl(ctx context.Context, t Target) *evidence.UnitEvidence {
	plan := t.Plan
	if plan == nil {
		plan = &Plan{}
	}
	o := c.opts
	ctx, cancel := context.WithTimeout(ctx, o.UnitTimeout)
	defer cancel()
	u := &unitCrawl{
		c:      c,
		o:      &o,
		plan:   plan,
		target: t,
		ev: &evidence.UnitEvidence{
			Unit:    t.Unit,
			Started: o.Now().UTC(),
			Bodies:  map[string][]byte{},
		},
		pages:   map[string]*pageResult{},
		links:   map[string]*evidence.Link{},
		content: newContent(plan.Content),
	}
	u.run(ctx)
	maskEvidence(u.ev)
	u.ev.Finished = o.Now().UTC()
	if o.Progress != nil {
		o.Progress(Event{Unit: t.Unit.ID, Done: true})
	}
	return u.ev
}

// Probe makes one reachability attempt on t's unit URL, as the first
// attempt of an audit does (with its retries; robots.txt honoured unless t
// or the options ignore it), and returns its record, with role probe.
// `serve` probes units between audits so that the observation window of
// reachability spans days, not the minutes of one audit.
func (c *Crawler) Probe(ctx context.Context, t Target) evidence.Fetch {
	o := c.opts
	fail := func(class evidence.FetchClass, msg string) evidence.Fetch {
		return evidence.Fetch{URL: t.Unit.URL, Method: "GET", Role: evidence.RoleProbe, Class: class, Error: msg, FetchedAt: o.Now().UTC()}
	}
	u, err := url.Parse(t.Unit.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fail(evidence.ClassRefused, "not an http(s) URL")
	}
	sc := scope{strings.ToLower(u.Host): true}
	for _, h := range t.Hosts {
		sc[strings.ToLower(h)] = true
	}
	ut, err := c.unitTransport(t.CA)
	if err != nil {
		return fail(evidence.ClassRefused, err.Error())
	}
	f, err := newFetcher(ctx, &o, ut, sc, o.IgnoreRobots || t.IgnoreRobots)
	if err != nil {
		return fail(evidence.ClassDown, err.Error())
	}
	r := f.get(ctx, u, evidence.RoleProbe, modeOpenPage)
	r.fetch.Role = evidence.RoleProbe
	return r.fetch
}

// unitCrawl is the state of one unit's crawl.
type unitCrawl struct {
	c      *Crawler
	o      *Options
	plan   *Plan
	target Target
	ev     *evidence.UnitEvidence
	f      *fetcher

	mu        sync.Mutex
	pages     map[string]*pageResult // fetched pages by URL
	links     map[string]*evidence.Link
	kept      int
	pageCount atomic.Int64
	template  map[string]bool
	portal    map[string]bool // URLs linked from the portal
	known     map[string]bool // normalised metadata label names
	content   *content        // nil: no content scan
}

// pageResult is a fetched page and its record.
type pageResult struct {
	fetch *evidence.Fetch
	page  *Page
	body  []byte // the raw body, for the caller only (never kept)
}

func (u *unitCrawl) run(ctx context.Context) {
	portalURL, err := url.Parse(u.target.Unit.URL)
	if err != nil || (portalURL.Scheme != "http" && portalURL.Scheme != "https") {
		u.note("unit URL %q is not an http(s) URL", u.target.Unit.URL)
		return
	}
	sc := scope{strings.ToLower(portalURL.Host): true}
	for _, h := range u.target.Hosts {
		sc[strings.ToLower(h)] = true
	}
	for _, raw := range u.target.Overrides {
		if ou, err := url.Parse(raw); err == nil && ou.Host != "" {
			sc[strings.ToLower(ou.Host)] = true
		}
	}
	ut, err := u.c.unitTransport(u.target.CA)
	if err != nil {
		u.note("cannot set up the unit's transport: %v", err)
		return
	}
	f, err := newFetcher(ctx, u.o, ut, sc, u.o.IgnoreRobots || u.target.IgnoreRobots)
	if err != nil {
		u.note("cannot set up the fetcher: %v", err)
		return
	}
	u.f = f
	f.onRobots = u.record
	f.onCertificate = u.certificate
	u.known = knownLabels(u.plan.MetaFields)

	portal := u.reach(ctx, portalURL)
	if portal == nil {
		return
	}
	u.template = portal.TemplateText()
	u.portal = map[string]bool{}
	for _, a := range portal.Anchors() {
		u.portal[a.URL.String()] = true
	}
	u.collectLinks(portal, "", true)

	found := u.discover(ctx, portal)
	u.ev.Columns = make([]evidence.Column, len(u.plan.Columns))
	var wg sync.WaitGroup
	work := make(chan int)
	for w := 0; w < max(1, u.o.PerHost); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				u.ev.Columns[i] = u.readColumn(ctx, u.plan.Columns[i], found[u.plan.Columns[i].ID])
			}
		}()
	}
	for i := range u.plan.Columns {
		work <- i
	}
	close(work)
	wg.Wait()
	u.checkLinks(ctx)
}

// reach fetches the portal, trying again over the observation window, and
// records every attempt. It returns the parsed portal, or nil when the unit
// could not be reached.
func (u *unitCrawl) reach(ctx context.Context, portalURL *url.URL) *Page {
	for attempt := 1; attempt <= u.o.ReachAttempts; attempt++ {
		r := u.f.get(ctx, portalURL, evidence.RolePortal, modeOpenPage)
		u.record(r)
		u.ev.Reach.Attempts = append(u.ev.Reach.Attempts, r.fetch)
		if r.page != nil {
			u.ev.Reach.Reachable = true
			if r.fetch.FinalURL != "" {
				if fu, err := url.Parse(r.fetch.FinalURL); err == nil {
					u.f.scope[strings.ToLower(fu.Host)] = true
				}
			}
			pr := u.storePage(portalURL.String(), r)
			end := u.follow(ctx, pr, evidence.RolePortal, true)
			if end.page != nil {
				return end.page
			}
			// The page the portal sends the browser to failed: a browser
			// shows that failure, not the stub, so the attempt ends there.
			u.ev.Reach.Reachable = false
			u.ev.Reach.Attempts[len(u.ev.Reach.Attempts)-1] = *end.fetch
			r = &response{fetch: *end.fetch}
		}
		switch r.fetch.Class {
		case evidence.ClassBlocked, evidence.ClassRobots, evidence.ClassRefused, evidence.ClassTooLarge,
			evidence.ClassUnreadable, evidence.ClassCertificate:
			return nil // the server answered; trying again changes nothing
		}
		if attempt < u.o.ReachAttempts {
			select {
			case <-ctx.Done():
				return nil
			case <-timeAfter(u.o.ReachSpacing):
			}
		}
	}
	return nil
}

// discover locates the columns: overrides first, then links on the portal
// and on hub pages, breadth first.
func (u *unitCrawl) discover(ctx context.Context, portal *Page) map[string]*found {
	m := newMatcher(u.plan.Columns, u.plan.Hubs)
	result := map[string]*found{}
	for id, raw := range u.target.Overrides {
		result[id] = &found{url: raw, d: evidence.Discovery{Method: "override"}}
	}
	exactAt := map[string]bool{}
	searched := []string{portal.URL.String()}
	visited := map[string]bool{portal.URL.String(): true, u.target.Unit.URL: true}
	level := []*Page{portal}
	hubsRead := 0
	for depth := 0; depth <= u.o.DiscoveryDepth && len(level) > 0; depth++ {
		var next []string
		for _, p := range level {
			next = append(next, m.discoverOn(p, depth, u.f.scope, result, exactAt)...)
		}
		if len(result) >= len(u.plan.Columns) || depth == u.o.DiscoveryDepth {
			break
		}
		level = nil
		for _, h := range next {
			if visited[h] || hubsRead >= u.o.MaxHubPages || ctx.Err() != nil {
				continue
			}
			visited[h] = true
			hu, _ := url.Parse(h)
			pr := u.fetchPage(ctx, hu, evidence.RoleHub)
			hubsRead++
			searched = append(searched, h)
			if pr.page != nil {
				u.collectLinks(pr.page, "", false)
				level = append(level, pr.page)
			}
		}
	}
	for _, c := range u.plan.Columns {
		if result[c.ID] == nil {
			result[c.ID] = &found{d: evidence.Discovery{Searched: searched}}
		}
	}
	return result
}

// readColumn fetches a found column and reads it by its shape.
func (u *unitCrawl) readColumn(ctx context.Context, spec ColumnSpec, fd *found) evidence.Column {
	col := evidence.Column{ID: spec.ID, Discovery: fd.d}
	if fd.url == "" {
		return col
	}
	cu, err := url.Parse(fd.url)
	if err != nil {
		u.note("column %s: bad URL %q", spec.ID, fd.url)
		return col
	}
	col.URL = cu.String()
	pr := u.fetchPage(ctx, cu, evidence.RoleColumn)
	col.Status, col.Class = pr.fetch.Status, pr.fetch.Class
	if pr.page == nil {
		return col
	}
	col.Found = true
	col.Pages = []string{col.URL}
	u.collectLinks(pr.page, spec.ID, false)
	col.Text = pr.page.ContentText(u.template)
	if spec.Shape == evidence.ShapePage {
		u.readPageColumn(ctx, spec, &col, pr.page)
		return col
	}
	col.ScriptList = pr.page.ScriptList()
	page := pr.page
	if col.ScriptList != "" && u.o.Render {
		if rp := u.render(ctx, pr); rp != nil {
			page, col.Rendered = rp, true
		}
	}
	u.readList(ctx, spec, &col, page, pr.fetch.SHA256)
	return col
}

// render renders a fetched page in the crawler's browser, answering its
// requests through the unit's fetcher, and returns the rendered page; nil
// (with a note) when it could not be rendered.
func (u *unitCrawl) render(ctx context.Context, pr *pageResult) *Page {
	if err := u.c.browser.start(u.o.UserAgent); err != nil {
		u.note("%s builds its list by script and was not rendered: %v", pr.page.URL, err)
		return nil
	}
	ask := func(ctx context.Context, target *url.URL) answer {
		if !u.f.scope.allows(target) {
			return answer{} // the browser stays on the unit's hosts
		}
		if int(u.pageCount.Add(1)) > u.o.MaxPagesPerUnit {
			return answer{}
		}
		r := u.f.get(ctx, target, evidence.RoleRender, modeFile)
		u.record(r)
		if r.body == nil || r.fetch.Class != evidence.ClassOK {
			return answer{}
		}
		return answer{status: 200, contentType: r.fetch.ContentType, body: r.body, ok: true}
	}
	doc, err := u.c.browser.render(ctx, pr.page.URL.String(), pr.body, pr.fetch.ContentType, renderLimits{requests: u.o.RenderRequests, timeout: u.o.RenderTimeout}, ask)
	if err != nil {
		u.note("%s was not rendered: %v", pr.page.URL, err)
		return nil
	}
	p, err := ParsePage(pr.page.URL, doc, "text/html; charset=utf-8")
	if err != nil {
		u.note("rendered %s could not be read: %v", pr.page.URL, err)
		return nil
	}
	return p
}

// readPageColumn reads a page column's labels. Many sites keep even a page
// column as a list holding one article: then the newest articles are read
// too.
func (u *unitCrawl) readPageColumn(ctx context.Context, spec ColumnSpec, col *evidence.Column, p *Page) {
	lc := LabelContext{Template: u.template, Titles: map[string]bool{}, Known: knownLabels(spec.Fields)}
	for _, n := range spec.Names {
		lc.Titles[textnorm.Name(n)] = true
	}
	col.Labels = p.Labels(lc)
	if len(col.Labels) >= 3 {
		return
	}
	items := p.Items(u.listContext())
	for i, it := range items {
		if i >= 2 {
			break
		}
		iu, err := url.Parse(it.URL)
		if err != nil {
			continue
		}
		pr := u.fetchPage(ctx, iu, evidence.RoleColumn)
		if pr.page == nil {
			col.Unread = append(col.Unread, it.URL)
			continue
		}
		u.collectLinks(pr.page, col.ID, false)
		col.Pages = append(col.Pages, it.URL)
		col.Labels = append(col.Labels, pr.page.Labels(lc)...)
		if t := pr.page.ContentText(u.template); t != "" {
			col.Text = strings.TrimSpace(col.Text + "\n" + t)
		}
	}
}

func (u *unitCrawl) listContext() ListContext {
	ref := u.plan.Ref
	if ref.IsZero() {
		ref = evidence.DateOf(u.o.Now())
	}
	return ListContext{Ref: ref, NavNames: newMatcher(u.plan.Columns, u.plan.Hubs).navNames(), PortalLinks: u.portal}
}

// readList reads a list column across its pages, then its item pages.
func (u *unitCrawl) readList(ctx context.Context, spec ColumnSpec, col *evidence.Column, first *Page, firstSHA string) {
	lc := u.listContext()
	seenItem := map[string]bool{}
	visited := map[string]bool{first.URL.String(): true, col.URL: true}
	seenBody := map[string]bool{firstSHA: true}
	queue := []*url.URL{}
	page := first
	for n := 1; page != nil; n++ {
		items := page.Items(lc)
		fresh := 0
		oldest := true
		for _, it := range items {
			if seenItem[it.URL] {
				continue
			}
			seenItem[it.URL] = true
			fresh++
			col.Items = append(col.Items, it)
			if it.Date.IsZero() || !it.Date.Before(u.plan.Since) {
				oldest = false
			}
		}
		// Follow the page's pager unless the page brought nothing new (a
		// trap) or everything on it is older than the window (the rest is
		// older still).
		pastWindow := !u.plan.Since.IsZero() && len(items) > 0 && oldest && descending(items)
		if fresh > 0 && !pastWindow {
			for _, l := range page.PageLinks() {
				s := l.String()
				if visited[s] || !u.f.scope.allows(l) || l.Host != first.URL.Host {
					continue
				}
				visited[s] = true
				queue = append(queue, l)
			}
		}
		page = nil
		for len(queue) > 0 && ctx.Err() == nil {
			if n >= u.o.MaxPagesPerColumn {
				col.Truncated = true
				u.note("column %s: stopped after %d list pages at %s (next: %s)", spec.ID, n, first.URL, queue[0])
				queue = nil
				break
			}
			next := queue[0]
			queue = queue[1:]
			pr := u.fetchPage(ctx, next, evidence.RoleListPage)
			if pr.page == nil {
				col.Unread = append(col.Unread, next.String())
				continue
			}
			if seenBody[pr.fetch.SHA256] {
				continue // the same page under another URL
			}
			seenBody[pr.fetch.SHA256] = true
			col.Pages = append(col.Pages, next.String())
			u.collectLinks(pr.page, spec.ID, false)
			page = pr.page
			break
		}
	}
	u.readItems(ctx, spec, col)
}

// descending reports whether items run newest first.
func descending(items []evidence.Item) bool {
	var firstD, lastD evidence.Date
	for _, it := range items {
		if it.Date.IsZero() {
			continue
		}
		if firstD.IsZero() {
			firstD = it.Date
		}
		lastD = it.Date
	}
	return !firstD.Before(lastD)
}

// readItems reads the item pages a column needs: documents in the window
// (metadata), interpretations (links and quoted titles), annual reports.
func (u *unitCrawl) readItems(ctx context.Context, spec ColumnSpec, col *evidence.Column) {
	if spec.Read == ReadNone {
		return
	}
	role := evidence.RoleDocument
	switch spec.Read {
	case ReadLinks:
		role = evidence.RoleItem
	case ReadAnnualReport:
		role = evidence.RoleAnnualReport
	}
	read := 0
	for i := range col.Items {
		it := &col.Items[i]
		if read >= u.o.MaxItemPages || ctx.Err() != nil {
			break
		}
		if spec.Read == ReadAnnualReport && !looksLikeAnnualReport(it.Title) {
			continue
		}
		if spec.Read != ReadAnnualReport && !it.Date.IsZero() && it.Date.Before(u.plan.Since) {
			continue
		}
		iu, err := url.Parse(it.URL)
		if err != nil || !u.f.scope.allows(iu) {
			continue
		}
		read++
		if spec.Read == ReadAnnualReport && isAttachment(iu.Path) {
			// The list links the report's file itself.
			it.Doc = u.readReportFile(ctx, iu, it)
			continue
		}
		pr := u.fetchPage(ctx, iu, role)
		doc := &evidence.Document{URL: it.URL, Status: pr.fetch.Status, Class: pr.fetch.Class}
		it.Doc = doc
		if pr.page == nil {
			continue
		}
		u.collectLinks(pr.page, spec.ID, false)
		doc.Title = pr.page.Title()
		doc.Labels = pr.page.Labels(LabelContext{Template: u.template, Known: u.known})
		doc.Meta = metaFromLabels(doc.Labels, u.plan.MetaFields)
		doc.Written = ParseDateValue(doc.Meta["成文日期"])
		doc.Published = pr.page.PublishedDate(doc.Meta, doc.Labels)
		doc.Links = pr.page.ContentLinks()
		doc.Quoted = pr.page.Quoted()
		if u.content != nil {
			// A report's files are the report reader's (readReportFile).
			doc.Content = u.scanPage(ctx, pr.page, strings.TrimSpace(it.Title+" "+doc.Title), spec.Read != ReadAnnualReport)
		}
		if spec.Read == ReadAnnualReport {
			doc.AnnualReport = ParseAnnualReport(pr.page)
			if doc.AnnualReport.Year == 0 {
				doc.AnnualReport.Year = HanNumeralYear(it.Title)
				doc.AnnualReport.Format = annualReportFormat(doc.AnnualReport)
			}
			doc.AnnualReport.Published = it.Date
			if doc.AnnualReport.Published.IsZero() {
				doc.AnnualReport.Published = doc.Published
			}
			if len(doc.AnnualReport.Sections) == 0 && len(doc.AnnualReport.Tables) == 0 && len(doc.AnnualReport.Attachments) > 0 {
				// A short page with the report attached: the file is
				// the report.
				au, err := url.Parse(doc.AnnualReport.Attachments[0])
				if err == nil && u.f.scope.allows(au) {
					file := u.readReportFile(ctx, au, it)
					file.AnnualReport.Published = doc.AnnualReport.Published
					doc.AnnualReport = file.AnnualReport
				}
			}
		}
	}
}

// readReportFile fetches an annual report published as a file (PDF,
// DOCX, DOC) and reads it; a file that could not be fetched or read is a
// report that says why in Unread.
func (u *unitCrawl) readReportFile(ctx context.Context, fu *url.URL, it *evidence.Item) *evidence.Document {
	r := u.f.get(ctx, fu, evidence.RoleAnnualReport, modeFile)
	u.record(r)
	u.storePage(fu.String(), r)
	doc := &evidence.Document{URL: fu.String(), Status: r.fetch.Status, Class: r.fetch.Class, Title: it.Title}
	switch {
	case r.fetch.Class == evidence.ClassTooLarge || r.fetch.Truncated:
		doc.AnnualReport = &evidence.AnnualReport{Title: it.Title, SourceURL: fu.String(), Unread: fmt.Sprintf("the file is larger than the %d-byte cap and was not read", u.o.MaxBodyBytes)}
	case r.body == nil || r.fetch.Class != evidence.ClassOK:
		doc.AnnualReport = &evidence.AnnualReport{Title: it.Title, SourceURL: fu.String(), Unread: "the file could not be fetched: " + describeClass(r.fetch)}
	default:
		doc.AnnualReport = ReadAnnualReportFile(ctx, fu, r.body, it.Title)
	}
	if doc.AnnualReport.Year == 0 {
		doc.AnnualReport.Year = HanNumeralYear(it.Title)
		doc.AnnualReport.Format = annualReportFormat(doc.AnnualReport)
	}
	doc.AnnualReport.Published = it.Date
	return doc
}

// describeClass says in a few words how a fetch failed.
func describeClass(f evidence.Fetch) string {
	if f.Error != "" {
		return fmt.Sprintf("%s (%s)", f.Class, f.Error)
	}
	if f.Status != 0 {
		return fmt.Sprintf("%s (HTTP %d)", f.Class, f.Status)
	}
	return string(f.Class)
}

func looksLikeAnnualReport(title string) bool {
	t := textnorm.Name(title)
	return strings.Contains(t, "报告") || strings.Contains(t, "年报")
}

// fetchPage fetches a page of the unit. A page that failed before is not
// asked for again; a page read before is fetched again when asked for again
// (rare: two columns on one page), since parsed pages are not kept: a
// unit's memory stays bounded by the pages being read, not by those read.
func (u *unitCrawl) fetchPage(ctx context.Context, pu *url.URL, role evidence.Role) *pageResult {
	key := pu.String()
	u.mu.Lock()
	if pr, ok := u.pages[key]; ok && pr.fetch.Class != evidence.ClassOK {
		u.mu.Unlock()
		return pr
	}
	u.mu.Unlock()
	if int(u.pageCount.Add(1)) > u.o.MaxPagesPerUnit {
		fe := evidence.Fetch{URL: key, Method: http.MethodGet, Role: role, Class: evidence.ClassRefused,
			Error: fmt.Sprintf("page budget of %d pages spent", u.o.MaxPagesPerUnit), FetchedAt: u.o.Now().UTC()}
		u.note("page budget of %d pages spent; %s not read", u.o.MaxPagesPerUnit, key)
		u.record(&response{fetch: fe})
		return &pageResult{fetch: &fe}
	}
	r := u.f.get(ctx, pu, role, modePage)
	u.record(r)
	return u.follow(ctx, u.storePage(key, r), role, false)
}

// maxClientRedirects bounds the meta refreshes, frames and script
// redirects followed from one page.
const maxClientRedirects = 3

// follow goes where a page sends the browser without a click (a meta
// refresh, a frameset, a script setting the location: Page.Redirect) and
// returns the page arrived at; each hop is a fetch of its own in the
// evidence. The portal (open) may lead to another host, which then joins
// the unit's hosts, as an HTTP redirect of the portal does; other pages
// are followed only within the unit's hosts. When a hop fails, the result
// is that failure, not the page that led to it.
func (u *unitCrawl) follow(ctx context.Context, pr *pageResult, role evidence.Role, open bool) *pageResult {
	seen := map[string]bool{}
	for hop := 0; hop < maxClientRedirects && pr.page != nil && ctx.Err() == nil; hop++ {
		target := pr.page.Redirect()
		if target == nil || seen[target.String()] {
			break
		}
		seen[target.String()] = true
		if open {
			// The portal is read before any other request of the unit:
			// nothing reads the scope concurrently yet.
			u.f.scope[strings.ToLower(target.Host)] = true
		} else if !u.f.scope.allows(target) {
			u.note("%s leads to %s, outside the unit's hosts; not followed", pr.page.URL, target)
			break
		}
		u.note("%s sends the browser to %s (meta refresh, frame or script); followed", pr.page.URL, target)
		r := u.f.get(ctx, target, role, modePage)
		u.record(r)
		pr = u.storePage(target.String(), r)
		if pr.page == nil {
			break // the caller sees the failure where the browser would
		}
	}
	return pr
}

// certificate records a request to the unit's hosts whose certificate was
// refused, and the unit's TLS evidence with the first such request.
// insecure says whether the unit's pages are read without verification
// from now on.
func (u *unitCrawl) certificate(r *response, insecure bool) {
	u.record(r)
	u.mu.Lock()
	first := u.ev.TLS == nil
	if first {
		u.ev.TLS = &evidence.TLS{URL: r.fetch.URL, Problem: r.fetch.Cert, Error: r.fetch.Error, Insecure: insecure}
	}
	u.mu.Unlock()
	if first {
		u.note("the certificate of %s was refused (%s: %s); the unit's pages are read without verifying it", r.fetch.URL, r.fetch.Cert, r.fetch.Error)
	}
}

// storePage remembers a fetch (not its parsed page) for link checks and
// returns the result with the page for the caller.
func (u *unitCrawl) storePage(key string, r *response) *pageResult {
	u.mu.Lock()
	defer u.mu.Unlock()
	fe := r.fetch
	kept := &pageResult{fetch: &fe}
	u.pages[key] = kept
	if fe.FinalURL != "" {
		if _, ok := u.pages[fe.FinalURL]; !ok {
			u.pages[fe.FinalURL] = kept
		}
	}
	return &pageResult{fetch: &fe, page: r.page, body: r.body}
}

// keptRoles are the roles of pages whose bodies may back a finding: the
// portal and hubs (a missing column), a column's first page (empty, stale,
// gaps, fields), documents and reports. Further list pages, item pages and
// link checks are recorded without their bodies.
var keptRoles = map[evidence.Role]bool{
	evidence.RolePortal: true, evidence.RoleHub: true, evidence.RoleColumn: true,
	evidence.RoleDocument: true, evidence.RoleAnnualReport: true,
}

// record appends a fetch to the evidence and keeps its body when it may
// back a finding and the budget allows.
func (u *unitCrawl) record(r *response) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if r.fetch.Role != evidence.RoleLinkCheck {
		// A link check's record lives in its Link; keeping it here too
		// would double the evidence of a unit with many links.
		u.ev.Fetches = append(u.ev.Fetches, r.fetch)
	}
	if r.body != nil && r.fetch.SHA256 != "" && keptRoles[r.fetch.Role] {
		if _, ok := u.ev.Bodies[r.fetch.SHA256]; !ok && u.kept+len(r.body) <= u.o.KeepBodyBytes {
			u.ev.Bodies[r.fetch.SHA256] = gz.Compress(r.body)
			u.kept += len(r.body)
		}
	}
	if u.o.Progress != nil {
		u.o.Progress(Event{Unit: u.target.Unit.ID, Failed: r.fetch.Class != evidence.ClassOK})
	}
	if r.fetch.Class != evidence.ClassOK {
		u.o.Logger.Debug("fetch failed", "unit", u.target.Unit.ID, "url", r.fetch.URL, "status", r.fetch.Status, "class", r.fetch.Class, "error", r.fetch.Error)
	}
}

func (u *unitCrawl) note(format string, args ...any) {
	u.mu.Lock()
	defer u.mu.Unlock()
	msg := fmt.Sprintf(format, args...)
	u.ev.Notes = append(u.ev.Notes, msg)
	u.o.Logger.Warn("crawl note", "unit", u.target.Unit.ID, "note", msg)
}

// collectLinks records the links of a crawled page for checking.
func (u *unitCrawl) collectLinks(p *Page, column string, onPortal bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	page := p.URL.String()
	for _, a := range p.Anchors() {
		s := a.URL.String()
		l := u.links[s]
		if l == nil {
			l = &evidence.Link{URL: s, External: !u.f.scope.allows(a.URL), Attachment: isAttachment(a.URL.Path)}
			u.links[s] = l
		}
		if len(l.FoundOn) < 5 && !contains(l.FoundOn, page) {
			l.FoundOn = append(l.FoundOn, page)
		}
		if onPortal {
			l.OnPortal = true
		}
		if column != "" && !contains(l.Columns, column) {
			l.Columns = append(l.Columns, column)
		}
	}
}

// checkLinks checks each distinct link once: pages already fetched count as
// checked; the rest get HEAD (GET when HEAD fails), in parallel up to the
// per-host limit.
func (u *unitCrawl) checkLinks(ctx context.Context) {
	var todo []*evidence.Link
	u.mu.Lock()
	for s, l := range u.links {
		if pr, ok := u.pages[s]; ok && pr.fetch.Class != evidence.ClassRefused {
			fe := *pr.fetch
			l.Checked, l.Fetch = true, &fe
			continue
		}
		if l.External && !u.plan.CheckExternal {
			continue
		}
		todo = append(todo, l)
	}
	u.mu.Unlock()
	sort.Slice(todo, func(i, j int) bool { return todo[i].URL < todo[j].URL })
	if len(todo) > u.o.MaxLinkChecks {
		u.note("link budget of %d checks spent; %d links not checked", u.o.MaxLinkChecks, len(todo)-u.o.MaxLinkChecks)
		todo = todo[:u.o.MaxLinkChecks]
	}
	work := make(chan *evidence.Link)
	var wg sync.WaitGroup
	for w := 0; w < max(1, u.o.PerHost); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for l := range work {
				lu, err := url.Parse(l.URL)
				if err != nil {
					continue
				}
				r := u.f.get(ctx, lu, evidence.RoleLinkCheck, modeCheck)
				u.record(r)
				fe := r.fetch
				u.mu.Lock()
				l.Checked, l.Fetch = true, &fe
				u.mu.Unlock()
			}
		}()
	}
	for _, l := range todo {
		if ctx.Err() != nil {
			break
		}
		work <- l
	}
	close(work)
	wg.Wait()
	u.mu.Lock()
	defer u.mu.Unlock()
	u.ev.Links = make([]evidence.Link, 0, len(u.links))
	for _, l := range u.links {
		u.ev.Links = append(u.ev.Links, *l)
	}
	sort.Slice(u.ev.Links, func(i, j int) bool { return u.ev.Links[i].URL < u.ev.Links[j].URL })
}

// timeAfter is time.After, a seam for tests.
var timeAfter = func(d time.Duration) <-chan time.Time { return time.After(d) }
