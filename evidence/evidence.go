// Package evidence holds the plain data of what gongkai saw on a unit's site:
// the fetches it made, the columns it found, their items and pages, document
// metadata, annual reports and link checks.
//
// Evidence is the only thing that passes from crawling to judging. It is
// serialisable (JSON), so a stored audit can be judged again with another
// ruleset or as-of date without crawling. The package imports only the
// standard library and holds no behaviour beyond small accessors: it records,
// it never decides whether something is a problem.
//
// Evidence never holds a personal number unmasked (see ContentScan); the
// bodies of pages, kept as fetched, are the one exception.
package evidence

import "time"

// Unit identifies an audited unit, as given in the units file.
type Unit struct {
	// ID is the stable identifier ([a-z0-9-]+).
	ID string `json:"id"`
	// Name is the unit's Chinese name, e.g. 区财政局.
	Name string `json:"name"`
	// NameEN is the optional English name; empty when not given.
	NameEN string `json:"name_en,omitempty"`
	// Type is the unit type (district, bureau, township, street, or one the
	// ruleset adds).
	Type string `json:"type"`
	// URL is the unit's disclosure portal or site root.
	URL string `json:"url"`
	// Contact is printed on notices; empty when not given.
	Contact string `json:"contact,omitempty"`
}

// Shape says whether a column is a single page of fields or a list of items.
type Shape string

// The two column shapes.
const (
	ShapePage Shape = "page"
	ShapeList Shape = "list"
)

// FetchClass classifies the outcome of one request, as docs/spec.md#fetch-classes says: a failed
// fetch is never lumped together with other failures.
type FetchClass string

// The fetch classes.
const (
	// ClassOK is a usable response (2xx, or 304 for a revalidated page).
	ClassOK FetchClass = "ok"
	// ClassDown means no answer: refused or reset connection, DNS failure, timeout.
	ClassDown FetchClass = "down"
	// ClassStatus is an HTTP error status (>= 400) that is none of the below.
	ClassStatus FetchClass = "error-status"
	// ClassBlocked is an anti-bot challenge or WAF page (e.g. HTTP 521 with a
	// script cookie). It is reported as its own problem and never circumvented.
	ClassBlocked FetchClass = "blocked"
	// ClassMaintenance is a page saying the site is being rebuilt or maintained
	// (升级改版中, 系统维护).
	ClassMaintenance FetchClass = "maintenance"
	// ClassSoft404 is an error page served with status 200.
	ClassSoft404 FetchClass = "soft-404"
	// ClassRobots means robots.txt forbade the request; nothing was fetched.
	ClassRobots FetchClass = "robots"
	// ClassRefused means the crawler itself declined the request: a host
	// outside the unit's allowed hosts, a scheme other than http(s), or a
	// page budget spent.
	ClassRefused FetchClass = "refused"
	// ClassTooLarge means the body exceeded the size cap and was cut.
	ClassTooLarge FetchClass = "too-large"
	// ClassUnreadable means a body arrived but could not be read as a page,
	// even after repair (see Fetch.Repaired).
	ClassUnreadable FetchClass = "unreadable"
	// ClassCertificate means the TLS handshake failed: the server's
	// certificate was refused (Fetch.Cert says why) or no secure connection
	// could be agreed. Nothing was fetched.
	ClassCertificate FetchClass = "certificate"
)

// CertProblem says why a server's certificate (or the TLS handshake) was
// refused.
type CertProblem string

// The certificate problems.
const (
	// CertExpired: the certificate has expired or is not valid yet.
	CertExpired CertProblem = "expired"
	// CertUnknownAuthority: the certificate is self-signed or signed by an
	// authority the crawler does not trust (a chain the system's store
	// lacks; a district's own CA not given with ca_file).
	CertUnknownAuthority CertProblem = "unknown-authority"
	// CertWrongHost: the certificate is for other host names.
	CertWrongHost CertProblem = "wrong-host"
	// CertInvalid: the certificate is otherwise unusable (not allowed to
	// sign, constraints broken, malformed).
	CertInvalid CertProblem = "invalid"
	// CertHandshake: no secure connection could be agreed (a handshake
	// alert, no shared cipher suite or protocol version, as with servers
	// that offer only SM2 国密 suites).
	CertHandshake CertProblem = "handshake"
)

// Failed reports whether c means the page could not be used.
func (c FetchClass) Failed() bool { return c != ClassOK && c != "" }

// Role says why a page was fetched.
type Role string

// The fetch roles.
const (
	RolePortal       Role = "portal"     // the unit URL
	RoleHub          Role = "hub"        // a navigation page searched for columns
	RoleColumn       Role = "column"     // a column's first page
	RoleListPage     Role = "list-page"  // a further page of a list column
	RoleDocument     Role = "document"   // an item page read for document metadata
	RoleItem         Role = "item"       // an item page read for its links (interpretations)
	RoleAnnualReport Role = "report"     // an annual report page
	RoleLinkCheck    Role = "link-check" // a link or attachment checked for health
	RoleRobots       Role = "robots"     // robots.txt
	RoleProbe        Role = "probe"      // a reachability probe between audits (serve)
	RoleRender       Role = "render"     // a request of a page rendered in a browser (--render)
	RoleAttach       Role = "attachment" // an attachment of a read page, fetched to read its text
)

// Fetch records one request and its outcome. Every request gongkai makes is
// recorded, whether or not it succeeded.
type Fetch struct {
	// URL is the URL requested.
	URL string `json:"url"`
	// FinalURL is the URL after redirects; empty when equal to URL.
	FinalURL string `json:"final_url,omitempty"`
	// Method is GET or HEAD.
	Method string `json:"method"`
	// Role says why the page was fetched.
	Role Role `json:"role"`
	// Status is the HTTP status; 0 when no response arrived.
	Status int `json:"status"`
	// Class classifies the outcome.
	Class FetchClass `json:"class"`
	// Error describes a failure in words; empty on success.
	Error string `json:"error,omitempty"`
	// FetchedAt is when the response (or failure) arrived.
	FetchedAt time.Time `json:"fetched_at"`
	// DurationMS is the time the request took, in milliseconds, including retries.
	DurationMS int64 `json:"duration_ms"`
	// Attempts is the number of tries made (1 without retries).
	Attempts int `json:"attempts,omitempty"`
	// ContentType is the response's Content-Type header as sent.
	ContentType string `json:"content_type,omitempty"`
	// Charset is the character set the body was decoded from (utf-8, gb18030, ...);
	// empty for non-text bodies.
	Charset string `json:"charset,omitempty"`
	// Repaired is true when the HTML parser refused the page and it was read
	// after dropping runaway formatting tags.
	Repaired bool `json:"repaired,omitempty"`
	// Cert says why the TLS handshake failed (class certificate); empty
	// otherwise.
	Cert CertProblem `json:"cert,omitempty"`
	// Insecure is true when the request was made without verifying the
	// server's certificate, after the unit's certificate had failed
	// verification (UnitEvidence.TLS).
	Insecure bool `json:"insecure,omitempty"`
	// Size is the body length in bytes as received (after any cut).
	Size int64 `json:"size"`
	// Truncated is true when the body was cut at the size cap.
	Truncated bool `json:"truncated,omitempty"`
	// SHA256 is the hex digest of the raw body bytes; empty when no body.
	SHA256 string `json:"sha256,omitempty"`
	// ETag and LastModified are the validators the server sent, kept so a
	// later audit can revalidate.
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	// Meta holds the national page-design metas found on the page (SiteName,
	// SiteIDCode, ColumnName, ArticleTitle, PubDate, ContentSource); nil when none.
	Meta map[string]string `json:"meta,omitempty"`
}

// OK reports whether the fetch produced a usable page.
func (f *Fetch) OK() bool { return f.Class == ClassOK }

// Reachability records whether the unit's URL could be fetched, with every
// attempt made in the observation window.
type Reachability struct {
	// Reachable is true when at least one of the audit's own attempts got
	// a usable page.
	Reachable bool `json:"reachable"`
	// Attempts are the attempts on the unit URL, oldest first: the probes
	// made between audits in the observation window (role probe), then the
	// audit's own.
	Attempts []Fetch `json:"attempts"`
	// Required is how many failed attempts in the observation window make
	// an unanswering unit unreachable; 0 means that every attempt failing
	// is enough. Below it, the unit is not audited this time and not
	// judged unreachable either.
	Required int `json:"required,omitempty"`
}

// Failures counts the failed attempts (any not OK).
func (r *Reachability) Failures() int {
	n := 0
	for _, a := range r.Attempts {
		if a.Class != ClassOK {
			n++
		}
	}
	return n
}

// Discovery says how a column was found.
type Discovery struct {
	// Method is "override" (the units file named the URL), "link" (a link's
	// text matched a column name) or "" when the column was not found.
	Method string `json:"method,omitempty"`
	// LinkText is the text (or image alt) of the matching link, as shown.
	LinkText string `json:"link_text,omitempty"`
	// Matched is the column name or alias that the link text matched.
	Matched string `json:"matched,omitempty"`
	// FoundOn is the URL of the page holding the link.
	FoundOn string `json:"found_on,omitempty"`
	// Depth is 0 for a link on the portal, 1 for a link on a hub page, and so on.
	Depth int `json:"depth"`
	// Searched lists the pages that were searched, when the column was not found.
	Searched []string `json:"searched,omitempty"`
}

// Column is what was seen of one disclosure column.
type Column struct {
	// ID is the ruleset's column id.
	ID string `json:"id"`
	// Found is true when a page for the column was located and fetched.
	Found bool `json:"found"`
	// URL is the column's (first) page; empty when not found.
	URL string `json:"url,omitempty"`
	// Discovery explains how the column was (or was not) found.
	Discovery Discovery `json:"discovery"`
	// Status is the HTTP status of the column's first page (0 if unfetched).
	Status int `json:"status,omitempty"`
	// Class classifies the fetch of the column's first page.
	Class FetchClass `json:"class,omitempty"`
	// Pages are the URLs of the column's pages read, in order.
	Pages []string `json:"pages,omitempty"`
	// Truncated is true when pagination stopped at a page budget.
	Truncated bool `json:"truncated,omitempty"`
	// Unread are the column's further pages (list pages; the articles read
	// for a page column's fields) that were asked for and not read, each a
	// URL whose fetch is in UnitEvidence.Fetches with the reason; empty
	// when every page asked for was read. The column's first page is URL,
	// with Class.
	Unread []string `json:"unread,omitempty"`
	// ScriptList says how the column's page builds its list by script (a
	// template, a CMS list API) when it does; empty when the list is in
	// the HTML. A list that was not read this way is no evidence that the
	// column is empty.
	ScriptList string `json:"script_list,omitempty"`
	// Rendered is true when the column's page was read after rendering it
	// in a browser (crawler --render).
	Rendered bool `json:"rendered,omitempty"`
	// Items are the list items found, in page order (list columns).
	Items []Item `json:"items,omitempty"`
	// Text is the visible main text of the first page, whitespace-collapsed
	// and capped; it lets a judge look for explanations and fields.
	Text string `json:"text,omitempty"`
	// Labels are the field labels found on a page column (th, dt, strong,
	// headings, "标签：值" lines) with their values when seen.
	Labels []Label `json:"labels,omitempty"`
}

// Label is one field label on a page with the value that followed it.
type Label struct {
	// Label is the label text, trimmed of punctuation (e.g. 办公时间).
	Label string `json:"label"`
	// Value is the text that followed the label; empty when the label stood
	// alone (a heading) or had no value.
	Value string `json:"value,omitempty"`
}

// Item is one entry of a list column.
type Item struct {
	// Title is the item's full title (from the title attribute when the link
	// text is truncated).
	Title string `json:"title"`
	// URL is the absolute URL of the item's page.
	URL string `json:"url"`
	// Date is the date shown beside the item; zero when none was visible.
	Date Date `json:"date"`
	// DateText is the date as printed, for evidence.
	DateText string `json:"date_text,omitempty"`
	// Page is the URL of the list page holding the item.
	Page string `json:"page"`
	// Doc is what was read from the item's own page; nil when not fetched.
	Doc *Document `json:"doc,omitempty"`
}

// Document is what was read from an item's page: its metadata block, its
// outgoing links and the titles it quotes in 《》.
type Document struct {
	// URL is the page's URL.
	URL string `json:"url"`
	// Status and Class describe the fetch of the page.
	Status int        `json:"status"`
	Class  FetchClass `json:"class"`
	// Title is the page's article title (ArticleTitle meta, h1, or <title>).
	Title string `json:"title,omitempty"`
	// Meta maps canonical metadata names (索引号, 发文机关, 发文字号, 成文日期,
	// 发布日期, 主题分类, 公开方式) to the values printed; absent keys were not seen.
	Meta map[string]string `json:"meta,omitempty"`
	// Labels are every label/value pair read on the page, so a ruleset with
	// other aliases can judge the metadata again without crawling.
	Labels []Label `json:"labels,omitempty"`
	// Written is 成文日期 parsed; zero when absent or unreadable.
	Written Date `json:"written"`
	// Published is 发布日期 parsed; zero when absent or unreadable.
	Published Date `json:"published"`
	// Links are the absolute URLs the page links to in its content.
	Links []string `json:"links,omitempty"`
	// Quoted are the titles quoted in 《》 in the page's title and text.
	Quoted []string `json:"quoted,omitempty"`
	// AnnualReport is the annual report parsed from the page; nil for
	// other pages.
	AnnualReport *AnnualReport `json:"report,omitempty"`
	// Content is what the content detector saw in the page's text and in
	// its attachments; nil when the plan asked for no content scan.
	Content *ContentScan `json:"content,omitempty"`
}

// Link is the health check of one distinct link or attachment.
type Link struct {
	// URL is the absolute link target.
	URL string `json:"url"`
	// FoundOn lists the crawled pages that carry the link, first seen first.
	FoundOn []string `json:"found_on"`
	// OnPortal is true when the unit's portal page carries the link.
	OnPortal bool `json:"on_portal,omitempty"`
	// Columns lists the ids of the columns whose pages carry the link;
	// empty when only the portal or a hub does.
	Columns []string `json:"columns,omitempty"`
	// External is true when the link leaves the unit's allowed hosts.
	External bool `json:"external,omitempty"`
	// Attachment is true for pdf, doc(x), xls(x), wps, zip and similar files.
	Attachment bool `json:"attachment,omitempty"`
	// Checked is false when the link was not requested (an external link
	// when external checks are off, or a budget spent).
	Checked bool `json:"checked"`
	// Fetch is the check's outcome when Checked.
	Fetch *Fetch `json:"fetch,omitempty"`
}

// Broken reports whether a checked link failed: status >= 400, no answer,
// a soft-404/maintenance page, or a TLS handshake that failed. A link whose
// page answered with something the crawler could not use (too large,
// unreadable, an anti-bot challenge) or did not ask for (robots.txt, out
// of scope) is not broken.
func (l *Link) Broken() bool {
	if !l.Checked || l.Fetch == nil {
		return false
	}
	switch l.Fetch.Class {
	case ClassOK, ClassRobots, ClassRefused, ClassTooLarge, ClassBlocked, ClassUnreadable:
		return false
	}
	return true
}

// UnitEvidence is everything seen of one unit in one audit.
type UnitEvidence struct {
	// Unit is the unit as given in the units file.
	Unit Unit `json:"unit"`
	// Started and Finished bound the unit's crawl.
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	// Reach records the attempts on the unit URL.
	Reach Reachability `json:"reach"`
	// TLS records the first certificate of the unit's hosts that failed
	// verification; nil when none did (or the unit is served over http).
	TLS *TLS `json:"tls,omitempty"`
	// Columns holds one entry for every column the crawler was asked for, in
	// the order asked.
	Columns []Column `json:"columns"`
	// Links are the link checks, sorted by URL.
	Links []Link `json:"links,omitempty"`
	// Fetches lists every page request made for the unit, in order; the
	// link checks' requests are in Links (AllFetches lists both).
	Fetches []Fetch `json:"fetches"`
	// Notes are crawl events worth keeping (budget spent, robots refusal,
	// pagination loop stopped), each naming its URL.
	Notes []string `json:"notes,omitempty"`
	// Bodies holds the bodies of pages that may back a finding,
	// gzip-compressed, keyed by the SHA-256 of the raw body. It is not
	// serialised with the evidence: the store keeps the bodies that
	// findings reference.
	Bodies map[string][]byte `json:"-"`
}

// TLS records a unit's certificate that failed verification.
type TLS struct {
	// URL is the request whose handshake failed first.
	URL string `json:"url"`
	// Problem says why.
	Problem CertProblem `json:"problem"`
	// Error is the TLS error as reported.
	Error string `json:"error"`
	// Insecure is true when the unit's pages were then requested without
	// verifying certificates (each such fetch says Insecure), so its
	// content could still be read; false when the crawler could not turn
	// verification off.
	Insecure bool `json:"insecure"`
}

// Column returns the column with id, or nil.
func (u *UnitEvidence) Column(id string) *Column {
	for i := range u.Columns {
		if u.Columns[i].ID == id {
			return &u.Columns[i]
		}
	}
	return nil
}

// AllFetches returns every request made for the unit: the page fetches,
// the link checks and the reachability attempts, each once.
func (u *UnitEvidence) AllFetches() []*Fetch {
	n := len(u.Fetches) + len(u.Links) + len(u.Reach.Attempts)
	out := make([]*Fetch, 0, n)
	seen := make(map[*Fetch]bool, n)
	pageFetch := make(map[string]bool, len(u.Fetches))
	for i := range u.Fetches {
		f := &u.Fetches[i]
		out = append(out, f)
		pageFetch[f.URL+"\x00"+f.FetchedAt.String()] = true
		seen[f] = true
	}
	for i := range u.Links {
		if f := u.Links[i].Fetch; f != nil && !seen[f] && !pageFetch[f.URL+"\x00"+f.FetchedAt.String()] {
			out = append(out, f)
			seen[f] = true
		}
	}
	for i := range u.Reach.Attempts {
		f := &u.Reach.Attempts[i]
		if !pageFetch[f.URL+"\x00"+f.FetchedAt.String()] {
			out = append(out, f)
		}
	}
	return out
}

// FetchOf returns the last fetch of url (matching URL or FinalURL), or nil.
func (u *UnitEvidence) FetchOf(url string) *Fetch {
	for i := len(u.Fetches) - 1; i >= 0; i-- {
		if u.Fetches[i].URL == url || u.Fetches[i].FinalURL == url {
			return &u.Fetches[i]
		}
	}
	return nil
}
