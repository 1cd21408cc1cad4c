package crawler

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"gongkai/evidence"
	"gongkai/internal/pii"
)

// Inspection is what the crawler reads from one page: for rule authors
// checking a site, and for anyone debugging a finding.
type Inspection struct {
	URL         string              `json:"url"`
	FinalURL    string              `json:"final_url,omitempty"`
	Status      int                 `json:"status,omitempty"`
	Class       evidence.FetchClass `json:"class,omitempty"`
	Error       string              `json:"error,omitempty"`
	ContentType string              `json:"content_type,omitempty"`
	Charset     string              `json:"charset"`
	// CharsetMismatch is true when the declared charset did not fit the bytes.
	CharsetMismatch bool `json:"charset_mismatch,omitempty"`
	// Repaired is true when the HTML parser refused the page and it was
	// read after dropping runaway formatting tags.
	Repaired bool `json:"repaired,omitempty"`
	// Truncated is true when the body was cut at the size cap: what is
	// shown is what was read before the cut.
	Truncated bool `json:"truncated,omitempty"`
	// Certificate says why the server's certificate was refused, as
	// "problem: error"; the page was then fetched without verifying it.
	// Empty when the certificate was verified (or the page is http).
	Certificate string `json:"certificate,omitempty"`
	Title       string `json:"title"`
	// Redirect is where the page sends a browser without a click (meta
	// refresh, frameset, script); the crawler reads that page instead.
	Redirect string            `json:"redirect,omitempty"`
	Meta     map[string]string `json:"meta,omitempty"`
	// Columns are the links whose text matches a column name of the plan.
	Columns []ColumnLink `json:"columns,omitempty"`
	// ColumnsFound is, per column, the link discovery would follow from
	// this page (one per column, by the crawler's preference).
	ColumnsFound []ColumnLink `json:"columns_found,omitempty"`
	// ScriptList says how the page builds its list by script (a template,
	// a CMS list API, a list hidden in a comment); empty when the list is
	// in the HTML.
	ScriptList string `json:"script_list,omitempty"`
	// Hubs are the links the crawler would follow to find columns.
	Hubs         []string          `json:"hubs,omitempty"`
	Items        []evidence.Item   `json:"items"`
	PageLinks    []string          `json:"page_links"`
	Labels       []evidence.Label  `json:"labels"`
	DocumentMeta map[string]string `json:"document_meta,omitempty"`
	Written      evidence.Date     `json:"written"`
	Published    evidence.Date     `json:"published"`
	Quoted       []string          `json:"quoted,omitempty"`
	Links        int               `json:"links"`
	Attachments  []string          `json:"attachments,omitempty"`
	// Content is what the content detector sees in the page's text (its
	// attachments are not fetched), when the plan asks for a content
	// scan. Like every text here, its numbers are masked.
	Content *evidence.ContentScan `json:"content,omitempty"`
}

// ColumnLink is a link matched to a column.
type ColumnLink struct {
	Column  string `json:"column"`
	Matched string `json:"matched"`
	Exact   bool   `json:"exact"`
	Text    string `json:"text"`
	URL     string `json:"url"`
}

// FetchPage fetches one page with the crawler's politeness (robots.txt
// honoured unless the options ignore it) and parses it. The page is nil
// when the fetch failed; the record says how.
func (c *Crawler) FetchPage(ctx context.Context, raw string) (*Page, evidence.Fetch, error) {
	p, fe, _, err := c.fetchPage(ctx, raw)
	return p, fe, err
}

// fetchPage is FetchPage that also returns the request whose certificate
// was refused before the page was fetched without verification; nil when
// none was.
func (c *Crawler) fetchPage(ctx context.Context, raw string) (*Page, evidence.Fetch, *evidence.Fetch, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, evidence.Fetch{}, nil, fmt.Errorf("fetch %q: want an absolute http(s) URL", raw)
	}
	o := c.opts
	ut, err := c.unitTransport("")
	if err != nil {
		return nil, evidence.Fetch{}, nil, err
	}
	f, err := newFetcher(ctx, &o, ut, scope{strings.ToLower(u.Host): true}, o.IgnoreRobots)
	if err != nil {
		return nil, evidence.Fetch{}, nil, err
	}
	r := f.get(ctx, u, evidence.RoleColumn, modeOpenPage)
	var cert *evidence.Fetch
	if cr := f.certFailure(); cr != nil {
		cert = &cr.fetch
	}
	if r.body == nil {
		return nil, r.fetch, cert, nil
	}
	base := u
	if r.fetch.FinalURL != "" {
		if fu, err := url.Parse(r.fetch.FinalURL); err == nil {
			base = fu
		}
	}
	p, err := ParsePage(base, r.body, r.fetch.ContentType)
	if err != nil {
		return nil, r.fetch, cert, fmt.Errorf("parse %s: %w", raw, err)
	}
	return p, r.fetch, cert, nil
}

// Inspect fetches one page and reads it as the crawler would, with plan's
// names and metadata fields.
func (c *Crawler) Inspect(ctx context.Context, raw string, plan *Plan) (*Inspection, error) {
	p, fe, cert, err := c.fetchPage(ctx, raw)
	if err != nil {
		return nil, fmt.Errorf("inspect: %w", err)
	}
	in := &Inspection{URL: raw, FinalURL: fe.FinalURL, Status: fe.Status, Class: fe.Class,
		Error: fe.Error, ContentType: fe.ContentType, Charset: fe.Charset, Truncated: fe.Truncated}
	if cert != nil {
		in.Certificate = string(cert.Cert) + ": " + cert.Error
	}
	if p != nil {
		fillInspection(in, p, plan)
	}
	return in, nil
}

// InspectBytes reads a saved page; base resolves its relative links.
func InspectBytes(base *url.URL, body []byte, contentType string, plan *Plan) (*Inspection, error) {
	p, err := ParsePage(base, body, contentType)
	if err != nil {
		return nil, err
	}
	in := &Inspection{URL: base.String(), ContentType: contentType}
	fillInspection(in, p, plan)
	return in, nil
}

func fillInspection(in *Inspection, p *Page, plan *Plan) {
	if plan == nil {
		plan = &Plan{}
	}
	m := newMatcher(plan.Columns, plan.Hubs)
	ref := plan.Ref
	in.Charset, in.CharsetMismatch, in.Repaired = p.Charset, p.CharsetMismatch, p.Repaired
	in.Title = p.Title()
	in.Meta = p.Meta()
	if r := p.Redirect(); r != nil {
		in.Redirect = r.String()
	}
	for _, a := range p.Anchors() {
		in.Links++
		if isAttachment(a.URL.Path) {
			in.Attachments = append(in.Attachments, a.URL.String())
		}
		if mt, ok := m.column(a.Text); ok {
			in.Columns = append(in.Columns, ColumnLink{Column: mt.column, Matched: mt.name, Exact: mt.exact, Text: a.Text, URL: a.URL.String()})
		} else if m.hub(a.Text) {
			in.Hubs = append(in.Hubs, a.URL.String())
		}
	}
	found := map[string]*found{}
	m.discoverOn(p, 0, nil, found, map[string]bool{})
	for _, c := range plan.Columns {
		if f := found[c.ID]; f != nil {
			in.ColumnsFound = append(in.ColumnsFound, ColumnLink{Column: c.ID, Matched: f.d.Matched, Text: f.d.LinkText, URL: f.url})
		}
	}
	in.ScriptList = p.ScriptList()
	in.Items = p.Items(ListContext{Ref: ref, NavNames: m.navNames()})
	for _, l := range p.PageLinks() {
		in.PageLinks = append(in.PageLinks, l.String())
	}
	known := knownLabels(plan.MetaFields)
	for _, c := range plan.Columns {
		for k := range knownLabels(c.Fields) {
			known[k] = true
		}
	}
	in.Labels = p.Labels(LabelContext{Known: known})
	in.DocumentMeta = metaFromLabels(in.Labels, plan.MetaFields)
	in.Written = ParseDateValue(in.DocumentMeta["成文日期"])
	in.Published = p.PublishedDate(in.DocumentMeta, in.Labels)
	in.Quoted = p.Quoted()
	if c := newContent(plan.Content); c != nil {
		u := &unitCrawl{content: c}
		pin, lines := pageInput(p, nil, in.Title)
		in.Content = &evidence.ContentScan{}
		u.scanText(in.Content, pin, lines, c.plan.Names)
	}
	maskInspection(in)
}

// maskInspection masks the personal numbers in what an inspection shows,
// as the evidence masks them.
func maskInspection(in *Inspection) {
	m := pii.MaskCandidates
	in.Title = m(in.Title)
	for _, mm := range []map[string]string{in.Meta, in.DocumentMeta} {
		for k, v := range mm {
			mm[k] = m(v)
		}
	}
	for i := range in.Items {
		in.Items[i].Title = m(in.Items[i].Title)
	}
	for i := range in.Labels {
		in.Labels[i].Label, in.Labels[i].Value = m(in.Labels[i].Label), m(in.Labels[i].Value)
	}
	for i := range in.Quoted {
		in.Quoted[i] = m(in.Quoted[i])
	}
	for i := range in.Columns {
		in.Columns[i].Text = m(in.Columns[i].Text)
	}
}
