package sim

import (
	"fmt"
	"net/http"
	"net/url"
	"path"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
)

type routeKind int

const (
	routePortal routeKind = iota + 1
	routeHub
	routeList
	routePage
	routeItem
	routeSection
	routeAsset
	routeFile
	routeBroken
	routeRobots
	routeInnerHub
	routeRedirect   // a root page that only sends the browser to the portal
	routeProxy      // Hanweb's list proxy (dataproxy.jsp), answering by query
	routeReportFile // an annual report published as a PDF or DOCX
	routeListAPI    // the JSON service a list's script asks (list-script-only)
)

// route is one thing a unit's site answers for a path.
type route struct {
	kind    routeKind
	col     *Column
	page    int // list page, 0-based
	item    *Item
	link    *Link
	section *Section
	asset   *Asset
	host    string // the Host the request named ("" when rendered for the model)
	query   string // the request's query (the list proxy answers by it)
}

// Section is a non-disclosure page of a site (政务服务, 互动交流, a topic
// page): it answers 200 with boilerplate and is never crawled for columns.
type Section struct {
	// Label is the link text that leads to it.
	Label string
	// Path is its path.
	Path string
	// Footer is true for footer links (网站地图, 联系我们).
	Footer bool

	hub bool // linked only from the hub page of a nested directory
}

// Asset is a static file of a site: an image, a stylesheet, a script.
type Asset struct {
	// Path is where the site serves it.
	Path string
	// ContentType is the Content-Type header it is served with.
	ContentType string
	// Body is its content.
	Body []byte
}

// Response is what a unit's site answers for one request target.
type Response struct {
	// Status is the HTTP status; 0 with Close means the connection is closed
	// without an answer.
	Status int
	// ContentType is the Content-Type header sent.
	ContentType string
	// Body is the raw body as sent (GBK for Hanweb pages).
	Body []byte
	// Close is true when the server drops the connection without answering.
	Close bool
}

// PortalPath is the path of the unit's portal page: its root, or where a
// root page that only redirects sends the browser.
func (u *Unit) PortalPath() string {
	if u.f.portal != "" {
		return homePath
	}
	return "/"
}

// homePath is where a unit whose root page only redirects keeps its
// portal.
const homePath = "/home/index.html"

// redirector is the root page of a unit whose portal lies elsewhere, in
// the three forms real sites use: a meta refresh (daozhen-bmgk-redirect),
// a script choosing by user agent (daozhen-zwgk-redirect), a frameset.
func redirector(u *Unit) string {
	switch u.f.portal {
	case VarPortalScript:
		return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>` + esc(u.FullName) + `</title>
<script type="text/javascript">
if (/(iPhone|iPad|iPod|Android|Mobile)/i.test(navigator.userAgent)) {
	window.location.href = "/m/index.html";
} else {
	window.location.href = "` + homePath + `";
}
</script></head><body></body></html>`
	case VarPortalFrameset:
		return `<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><title>` + esc(u.FullName) + `</title></head>
<frameset rows="0,*" frameborder="0" border="0"><frame src="about:blank" name="topFrame" scrolling="no"><frame src="` + homePath + `" name="mainFrame"></frameset>
<noframes><body>您的浏览器不支持框架。</body></noframes></html>`
	}
	return `<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml"><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta http-equiv="Refresh" content="0;URL=` + homePath + `"></head></html>`
}

// robotsTxt allows every robot everywhere. It names no Crawl-delay, so a
// crawler's own politeness settings decide its pace (a benchmark sets them).
const robotsTxt = "# robots.txt\nUser-agent: *\nAllow: /\n"

// addRoute registers r at key, refusing duplicates.
func (u *Unit) addRoute(key string, r *route) error {
	if key == "" || !strings.HasPrefix(key, "/") {
		return fmt.Errorf("bad route path %q", key)
	}
	if _, dup := u.routes[key]; dup {
		return fmt.Errorf("duplicate route %q", key)
	}
	u.routes[key] = r
	return nil
}

// buildRoutes lays the unit's model out as a table of paths.
func (u *Unit) buildRoutes(assets []*Asset) error {
	u.routes = map[string]*route{}
	var errs []error
	add := func(key string, r *route) {
		if err := u.addRoute(key, r); err != nil {
			errs = append(errs, err)
		}
	}
	link := func(l *Link, col *Column) {
		switch {
		case l.Broken():
			add(l.Path, &route{kind: routeBroken, link: l, col: col})
		case isAttachment(l.Path):
			add(l.Path, &route{kind: routeFile, link: l, col: col})
		default:
			add(l.Path, &route{kind: routeSection, section: &Section{Label: l.Text, Path: l.Path}})
		}
	}
	if u.f.portal != "" {
		add("/", &route{kind: routeRedirect})
		add(homePath, &route{kind: routePortal})
	} else {
		add("/", &route{kind: routePortal})
	}
	add("/index.html", &route{kind: routePortal})
	if u.f.pager == VarPageJpage {
		add(jpageProxyPath, &route{kind: routeProxy})
	}
	if u.f.scriptCol != "" {
		add(scriptListJS, &route{kind: routeAsset, asset: textAsset(scriptListJS, "application/javascript", scriptListSource)})
		add(scriptListAPI, &route{kind: routeListAPI})
	}
	add("/robots.txt", &route{kind: routeRobots})
	if u.HubPath != "" {
		add(u.HubPath, &route{kind: routeHub})
	}
	if u.InnerHubPath != "" {
		add(u.InnerHubPath, &route{kind: routeInnerHub})
	}
	for _, s := range u.sections() {
		add(s.Path, &route{kind: routeSection, section: s})
	}
	for _, a := range assets {
		add(a.Path, &route{kind: routeAsset, asset: a})
	}
	for _, l := range u.PortalLinks {
		link(l, nil)
	}
	for _, c := range u.Columns {
		if c.State == ColumnMissing {
			continue
		}
		if c.IsList() {
			for i, p := range c.PagePaths {
				add(p, &route{kind: routeList, col: c, page: i})
			}
		} else {
			add(c.Path, &route{kind: routePage, col: c})
		}
		for _, l := range c.Links {
			link(l, c)
		}
		for _, it := range c.Items {
			if it.AnnualReport != nil && it.AnnualReport.look.file != fileNone {
				add(it.AnnualReport.filePath, &route{kind: routeReportFile, col: c, item: it})
				if it.AnnualReport.look.file == filePDF {
					continue // the list links the file: no page
				}
			}
			add(it.Path, &route{kind: routeItem, col: c, item: it})
			for _, a := range it.Attachments {
				link(a, c)
			}
		}
	}
	if len(errs) > 0 {
		return errs[0]
	}
	return nil
}

// sections returns the style's generic pages for the unit.
func (u *Unit) sections() []*Section { return u.style.Sections(u) }

// Paths returns every request target the unit's site answers (other than
// 404), sorted. Targets of planted broken links are included.
func (u *Unit) Paths() []string {
	out := make([]string, 0, len(u.routes))
	for k := range u.routes {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// lookup finds the route for a request target (path with optional query).
// A query the site does not know is ignored, as real CMSs do.
func (u *Unit) lookup(target string) *route {
	if r, ok := u.routes[target]; ok {
		return r
	}
	p, _, _ := strings.Cut(target, "?")
	if r, ok := u.routes[p]; ok && r.kind != routeBroken {
		return r
	}
	return nil
}

// Get answers a request target (a path with an optional query) the way the
// unit's server does. It is pure: the same unit always answers the same.
// Pages that carry a <base href> name a path there, as no host is known;
// the served pages name the host the request asked for.
func (u *Unit) Get(target string) Response { return u.serve("", target) }

// serve answers a request target for a request naming host.
func (u *Unit) serve(host, target string) Response {
	if u.Role == RoleUnreachable {
		return Response{Close: true}
	}
	r := u.lookup(target)
	if r == nil {
		return u.page(http.StatusNotFound, &route{kind: 0, host: host})
	}
	switch r.kind {
	case routeRobots:
		return Response{Status: 200, ContentType: "text/plain; charset=utf-8", Body: []byte(robotsTxt)}
	case routeRedirect:
		return Response{Status: 200, ContentType: "text/html; charset=utf-8", Body: []byte(redirector(u))}
	case routeListAPI:
		_, q, _ := strings.Cut(target, "?")
		return Response{Status: 200, ContentType: "application/json; charset=utf-8", Body: scriptListJSON(u, q)}
	case routeReportFile:
		if r.item.AnnualReport.look.file == filePDF {
			return Response{Status: 200, ContentType: "application/pdf", Body: reportPDF(u, r.item)}
		}
		return Response{Status: 200, ContentType: contentTypeOf(".docx"), Body: reportDOCX(u, r.item)}
	case routeProxy:
		_, q, _ := strings.Cut(target, "?")
		return Response{Status: 200, ContentType: "text/xml; charset=utf-8", Body: []byte(jpageAnswer(u, q))}
	case routeAsset:
		return Response{Status: 200, ContentType: r.asset.ContentType, Body: r.asset.Body}
	case routeFile:
		if body := disclosureFile(r.link); body != nil {
			return Response{Status: 200, ContentType: contentTypeOf(r.link.Path), Body: body}
		}
		return Response{Status: 200, ContentType: contentTypeOf(r.link.Path), Body: fileBody(r.link)}
	case routeBroken:
		switch r.link.Status {
		case StatusClose:
			return Response{Close: true}
		case http.StatusNotFound:
			return u.page(http.StatusNotFound, &route{kind: 0, host: host})
		default:
			return Response{Status: r.link.Status, ContentType: "text/html; charset=utf-8",
				Body: []byte(fmt.Sprintf("<html><head><title>%d %s</title></head><body><h1>%d %s</h1><hr><p>Server Error</p></body></html>\n",
					r.link.Status, http.StatusText(r.link.Status), r.link.Status, http.StatusText(r.link.Status)))}
		}
	}
	rr := *r
	rr.host = host
	return u.page(http.StatusOK, &rr)
}

// page renders an HTML page in the unit's style and encoding.
func (u *Unit) page(status int, r *route) Response {
	html := u.style.Render(u, r)
	body, err := u.encode(html)
	if err != nil {
		return Response{Status: http.StatusInternalServerError, ContentType: "text/plain; charset=utf-8",
			Body: []byte("sim: encode page: " + err.Error())}
	}
	return Response{Status: status, ContentType: u.contentType(), Body: body}
}

// html returns the page for a route key as text, before encoding; "" when
// the key is no HTML page.
func (u *Unit) html(key string) string {
	r := u.lookup(key)
	if r == nil {
		return ""
	}
	switch r.kind {
	case routePortal, routeHub, routeInnerHub, routeList, routePage, routeItem, routeSection:
		return u.style.Render(u, r)
	case routeProxy:
		_, q, _ := strings.Cut(key, "?")
		return jpageAnswer(u, q)
	}
	return ""
}

// pageLinks returns the request targets on the unit's own host that the
// page at key links to (href and src), in page order, without duplicates.
func (u *Unit) pageLinks(key string) []string {
	return extractLinks(u.html(key), key)
}

// pageBase returns the URL the links of a page the sim rendered resolve
// against: the page's own (on the host "unit"), or the <base href> it
// carries, resolved against it. It also returns the page without its
// <base> element.
func pageBase(html, key string) (*url.URL, string) {
	base, err := url.Parse("http://unit" + key)
	if err != nil {
		return nil, html
	}
	i := strings.Index(html, "<base ")
	if i < 0 {
		return base, html
	}
	end := strings.IndexByte(html[i:], '>')
	if end < 0 {
		return base, html
	}
	tag := html[i : i+end+1]
	html = html[:i] + html[i+end+1:]
	if hrefs := attrValues(tag, "href"); len(hrefs) > 0 {
		if ref, err := url.Parse(hrefs[0]); err == nil {
			b := base.ResolveReference(ref)
			b.Host = "unit" // a served base names the request's host
			base = b
		}
	}
	return base, html
}

// extractLinks returns the targets of the href and src attributes of a
// page the sim rendered (attributes are written lower-case and
// double-quoted), resolved against key (or the page's <base href>) and
// kept when on the unit's host.
func extractLinks(html, key string) []string {
	base, html := pageBase(html, key)
	if base == nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, raw := range attrValues(html, "href", "src") {
		raw = strings.TrimSpace(raw)
		low := strings.ToLower(raw)
		if raw == "" || strings.HasPrefix(raw, "#") || strings.HasPrefix(low, "javascript:") ||
			strings.HasPrefix(low, "mailto:") || strings.HasPrefix(low, "tel:") {
			continue
		}
		ref, err := url.Parse(strings.ReplaceAll(raw, "&amp;", "&"))
		if err != nil {
			continue
		}
		abs := base.ResolveReference(ref)
		if abs.Host != "unit" {
			continue
		}
		t := abs.EscapedPath()
		if abs.RawQuery != "" {
			t += "?" + abs.RawQuery
		}
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// attrValues returns the values of the named attributes in page order.
func attrValues(html string, names ...string) []string {
	var out []string
	for i := 0; i < len(html); i++ {
		if html[i] != ' ' && html[i] != '\n' && html[i] != '\t' {
			continue
		}
		for _, n := range names {
			rest := html[i+1:]
			if len(rest) > len(n)+1 && rest[:len(n)] == n && rest[len(n)] == '=' && rest[len(n)+1] == '"' {
				v := rest[len(n)+2:]
				if end := strings.IndexByte(v, '"'); end >= 0 {
					out = append(out, v[:end])
					i += len(n) + 2 + end
				}
				break
			}
		}
	}
	return out
}

// isAttachment reports whether a path names a downloadable file.
func isAttachment(p string) bool {
	switch strings.ToLower(path.Ext(p)) {
	case ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".zip", ".rar", ".ppt", ".pptx", ".csv":
		return true
	}
	return false
}

func contentTypeOf(p string) string {
	switch strings.ToLower(path.Ext(p)) {
	case ".pdf":
		return "application/pdf"
	case ".doc":
		return "application/msword"
	case ".docx":
		return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	case ".xls":
		return "application/vnd.ms-excel"
	case ".xlsx":
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case ".wps":
		return "application/kswps"
	case ".zip":
		return "application/zip"
	case ".csv":
		return "text/csv"
	}
	return "application/octet-stream"
}

// fileBody makes a small body that looks like the start of the file type.
func fileBody(l *Link) []byte {
	name := l.Text
	switch strings.ToLower(path.Ext(l.Path)) {
	case ".pdf":
		return []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")
	case ".docx", ".xlsx", ".pptx", ".zip":
		return append([]byte("PK\x03\x04\x14\x00\x00\x00\x08\x00"), []byte(strconv.Quote(name))...)
	case ".doc", ".xls", ".wps", ".ppt":
		return append([]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), []byte(strconv.Quote(name))...)
	}
	return []byte(name)
}

// png1x1 is a transparent 1x1 PNG, served for every image.
var png1x1 = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

func imageAsset(p string) *Asset {
	ct := "image/png"
	switch strings.ToLower(path.Ext(p)) {
	case ".jpg", ".jpeg":
		ct = "image/jpeg"
	case ".gif":
		ct = "image/gif"
	}
	return &Asset{Path: p, ContentType: ct, Body: png1x1}
}

func textAsset(p, ct, body string) *Asset {
	return &Asset{Path: p, ContentType: ct, Body: []byte(body)}
}

// ReachablePaths returns the request targets a crawler reaches on the
// unit's host by following every link (href and src) from the portal and
// from the column URLs the units file gives (variant discover-override):
// pages, list pages, attachments, images, styles and scripts, targets that
// fail included, robots.txt not; sorted. An unreachable unit's is its
// portal alone.
func (u *Unit) ReachablePaths() []string {
	seen := map[string]bool{"/": true}
	queue := []string{"/"}
	if u.Role == RoleUnreachable {
		queue = nil
	}
	for _, c := range u.Columns {
		if c.Override && c.Path != "" && !seen[c.Path] {
			seen[c.Path] = true
			queue = append(queue, c.Path)
		}
	}
	for len(queue) > 0 {
		key := queue[0]
		queue = queue[1:]
		for _, t := range u.pageLinks(key) {
			if !seen[t] {
				seen[t] = true
				queue = append(queue, t)
			}
		}
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// PageCount returns the number of distinct URLs a crawler following every
// link reaches across the district's sites: the sum of every unit's
// ReachablePaths. It renders every page once (in parallel), so a
// benchmark can state its fleet's size; the result is cached.
func (d *District) PageCount() int {
	d.pageCountOnce.Do(func() {
		counts := make([]int, len(d.Units))
		var wg sync.WaitGroup
		sem := make(chan struct{}, runtime.GOMAXPROCS(0))
		for i, u := range d.Units {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				counts[i] = len(u.ReachablePaths())
				<-sem
			}()
		}
		wg.Wait()
		for _, n := range counts {
			d.pageCount += n
		}
	})
	return d.pageCount
}
