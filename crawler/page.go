package crawler

import (
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"gongkai/internal/textnorm"
)

// Page is a fetched HTML page parsed once, with its base URL for resolving
// links. Every extractor reads from a Page; none parses again.
type Page struct {
	// URL is the page's final URL (after redirects).
	URL *url.URL
	// Base resolves relative links: <base href> when present, else URL.
	Base *url.URL
	// Doc is the parsed document.
	Doc *goquery.Document
	// Charset is the charset the body was decoded from.
	Charset string
	// CharsetMismatch is true when the declared charset did not fit the bytes.
	CharsetMismatch bool
	// Repaired is true when the HTML parser refused the page and it was
	// read after dropping runaway formatting tags (parse.go).
	Repaired bool

	segments []Segment           // cached by Segments
	anchors  []Anchor            // cached by Anchors
	chrome   map[*html.Node]bool // cached by inChrome
	more     map[*html.Node]bool // cached by moreLinks
}

// ParsePage decodes body (raw bytes, as sent with contentType) and parses it.
func ParsePage(pageURL *url.URL, body []byte, contentType string) (*Page, error) {
	dec := decodeBody(body, contentType)
	if doc, ok := datastoreDocument(dec.text); ok {
		dec.text = doc // a list proxy's answer (jpage.go)
	}
	root, repaired, err := parseHTML(dec.text)
	if err != nil {
		return nil, err
	}
	doc := goquery.NewDocumentFromNode(root)
	p := &Page{URL: pageURL, Base: pageURL, Doc: doc, Charset: dec.charset, CharsetMismatch: dec.mismatch, Repaired: repaired}
	inlineDatastores(doc)
	if href, ok := doc.Find("base[href]").First().Attr("href"); ok {
		if b, err := pageURL.Parse(strings.TrimSpace(href)); err == nil && (b.Scheme == "http" || b.Scheme == "https") {
			p.Base = b
		}
	}
	return p, nil
}

var cdataRE = regexp.MustCompile(`(?s)<!\[CDATA\[(.*?)\]\]>`)

// inlineDatastores puts the records of Hanweb-style list data stores into
// the document. Such pages ship their list as
// <script type="text/xml"><datastore><recordset><record><![CDATA[<li>…</li>]]>
// and render it in the browser; read as HTML, the list would be empty.
// The records of the data store's record set become real elements in a
// <div class="gongkai-datastore"> where the script stood.
func inlineDatastores(doc *goquery.Document) {
	doc.Find(`script[type="text/xml"]`).Each(func(_ int, s *goquery.Selection) {
		src := s.Text()
		start := strings.Index(src, "<recordset>")
		end := strings.LastIndex(src, "</recordset>")
		if start < 0 || end < start {
			return
		}
		script := s.Get(0)
		holder := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div, Attr: []html.Attribute{{Key: "class", Val: "gongkai-datastore"}}}
		for _, m := range cdataRE.FindAllStringSubmatch(src[start:end], -1) {
			nodes, err := html.ParseFragment(strings.NewReader(m[1]), holder)
			if err != nil {
				continue
			}
			for _, n := range nodes {
				holder.AppendChild(n)
			}
		}
		if script.Parent != nil { // an empty record set is an empty list, read

			script.Parent.InsertBefore(holder, script)
		}
	})
}

// Resolve turns an href into an absolute http(s) URL without fragment, or
// nil for javascript:, mailto:, tel:, data:, empty and malformed hrefs.
func (p *Page) Resolve(href string) *url.URL {
	href = strings.TrimSpace(href)
	if href == "" || strings.HasPrefix(href, "#") {
		return nil
	}
	low := strings.ToLower(href)
	for _, bad := range []string{"javascript:", "mailto:", "tel:", "data:", "about:", "file:", "ftp:"} {
		if strings.HasPrefix(low, bad) {
			return nil
		}
	}
	u, err := p.Base.Parse(href)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil
	}
	u.Fragment = ""
	u.RawFragment = ""
	return u
}

// Title returns the page's article title: the ArticleTitle meta, else the
// first h1, else <title>.
func (p *Page) Title() string {
	if t := p.Meta()["ArticleTitle"]; t != "" {
		return t
	}
	if h := textnorm.Space(p.Doc.Find("h1").First().Text()); h != "" {
		return h
	}
	return textnorm.Space(p.Doc.Find("title").First().Text())
}

// nationalMetas are the page-design metas of the national government-website
// standard, matched case-insensitively.
var nationalMetas = []string{"SiteName", "SiteDomain", "SiteIDCode", "ColumnName", "ColumnType", "ArticleTitle", "PubDate", "ContentSource", "Keywords", "Author"}

// Meta returns the national page-design metas present on the page.
func (p *Page) Meta() map[string]string {
	var out map[string]string
	p.Doc.Find("meta[name]").Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		content, _ := s.Attr("content")
		content = textnorm.Space(content)
		if content == "" {
			return
		}
		for _, m := range nationalMetas {
			if strings.EqualFold(name, m) {
				if out == nil {
					out = map[string]string{}
				}
				out[m] = content
			}
		}
	})
	return out
}

// Anchor is a link on a page.
type Anchor struct {
	// URL is the absolute target.
	URL *url.URL
	// Text is the link's visible text, else its image's alt, else its title
	// attribute, whitespace-collapsed and otherwise as written (full-width
	// punctuation kept; compare through textnorm.Name).
	Text string
	// TitleAttr is the title attribute (a full title when the text is cut).
	TitleAttr string
	// Node is the <a> element.
	Node *html.Node
}

// Anchors returns the page's links in document order. A link whose href is
// "#" or javascript: and whose onclick (or script href) sets the location
// counts with that target.
func (p *Page) Anchors() []Anchor {
	if p.anchors != nil {
		return p.anchors
	}
	out := []Anchor{}
	p.Doc.Find("a[href], area[href], a[onclick]").Each(func(_ int, s *goquery.Selection) {
		href, _ := s.Attr("href")
		if isScriptHref(href) {
			// href="#" onclick="location.href='index_2.html'"
			onclick, _ := s.Attr("onclick")
			href = scriptHref(href, onclick)
		}
		u := p.Resolve(href)
		if u == nil {
			return
		}
		title, _ := s.Attr("title")
		out = append(out, Anchor{URL: u, Text: anchorText(s), TitleAttr: textnorm.Collapse(title), Node: s.Get(0)})
	})
	p.anchors = out
	return out
}

// anchorText is a link's text, or the alt of an image inside it, or its
// title, whitespace-collapsed and otherwise as written.
func anchorText(s *goquery.Selection) string {
	if t := textnorm.Collapse(s.Text()); t != "" {
		return t
	}
	if alt, ok := s.Find("img[alt]").First().Attr("alt"); ok && strings.TrimSpace(alt) != "" {
		return textnorm.Collapse(alt)
	}
	title, _ := s.Attr("title")
	return textnorm.Collapse(title)
}

// blockTags end a run of text: text on either side belongs to different segments.
var blockTags = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Li: true, atom.Ul: true, atom.Ol: true, atom.Tr: true,
	atom.Td: true, atom.Th: true, atom.Table: true, atom.Tbody: true, atom.Thead: true,
	atom.Dl: true, atom.Dt: true, atom.Dd: true, atom.H1: true, atom.H2: true, atom.H3: true,
	atom.H4: true, atom.H5: true, atom.H6: true, atom.Br: true, atom.Section: true,
	atom.Article: true, atom.Header: true, atom.Footer: true, atom.Nav: true, atom.Aside: true,
	atom.Main: true, atom.Form: true, atom.Hr: true, atom.Blockquote: true, atom.Pre: true,
	atom.Caption: true, atom.Center: true, atom.Address: true, atom.Figure: true,
}

// skipTags hold no visible text.
var skipTags = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Head: true, atom.Select: true, atom.Option: true, atom.Textarea: true, atom.Iframe: true,
	atom.Object: true, atom.Svg: true, atom.Button: true,
}

var (
	chromeTokenRE = regexp.MustCompile(`(?i)(^|[\s_-])(header|head|footer|foot|nav|navbar|navi|menu|topbar|topnav|breadcrumbs?|crumbs?|banner|copyright|location|position|dqwz|sitemap|bottom)([\s_-]|\d|$)`)
	// chromeWholeRE matches class or id values that are chrome only when
	// they stand alone ("top" is a header; "xxgk_top" is content).
	chromeWholeRE = regexp.MustCompile(`(?i)^\s*(top|bot|ft|hd)\s*$`)
)

// isChrome reports whether n is site chrome: header, footer, navigation,
// breadcrumbs, by tag or by a class or id token.
func isChrome(n *html.Node) bool {
	if n.Type != html.ElementNode {
		return false
	}
	switch n.DataAtom {
	case atom.Header, atom.Footer, atom.Nav:
		return true
	}
	for _, a := range n.Attr {
		if (a.Key == "class" || a.Key == "id") && (chromeTokenRE.MatchString(a.Val) || chromeWholeRE.MatchString(a.Val)) {
			return true
		}
	}
	return false
}

// Segment is a run of text between block boundaries.
type Segment struct {
	// Text is the segment, whitespace-collapsed and width-folded.
	Text string
	// LinkRunes counts the runes of the segment that sit inside links (an
	// <a> with an href; a tab's <a> without one is a label, not a link).
	LinkRunes int
	// Chrome is true when the segment sits in site chrome.
	Chrome bool
	// Heading is true when the whole segment is a heading, th, dt or a
	// bold run standing alone.
	Heading bool
	// Cell is the table cell (td, th) or definition term or description
	// (dt, dd) that holds the segment; nil otherwise.
	Cell *html.Node
	// Row is the table row or definition list holding Cell; nil otherwise.
	Row *html.Node
	// Node is the heading element of a heading segment; nil otherwise.
	Node *html.Node
	// Breaks are the byte offsets in Text where an inline element began or
	// ended: "<span>发文机关：区财政局</span><span>文号：…</span>" runs
	// together in Text, and Breaks say where one span gave way to the next.
	Breaks []int
}

// breakMark stands for an inline element boundary while a segment is built.
const breakMark = '\uE000'

// cleanSegment collapses whitespace and turns break marks into offsets.
func cleanSegment(raw string) (string, []int) {
	t := textnorm.Space(raw)
	if !strings.ContainsRune(t, breakMark) {
		return t, nil
	}
	var b strings.Builder
	var breaks []int
	for _, r := range t {
		if r == breakMark {
			if n := b.Len(); n > 0 && (len(breaks) == 0 || breaks[len(breaks)-1] != n) {
				breaks = append(breaks, n)
			}
			continue
		}
		if r == ' ' && (b.Len() == 0 || strings.HasSuffix(b.String(), " ")) {
			continue
		}
		b.WriteRune(r)
	}
	out := strings.TrimSpace(b.String())
	for i, n := range breaks {
		breaks[i] = min(n, len(out))
	}
	return out, breaks
}

// Segments splits the body's visible text at block boundaries.
func (p *Page) Segments() []Segment {
	if p.segments != nil {
		return p.segments
	}
	var (
		out     []Segment
		cur     strings.Builder
		linkRn  int
		chrome  int
		heading bool
		head    *html.Node
		cell    *html.Node
	)
	flush := func() {
		t, breaks := cleanSegment(cur.String())
		if t != "" {
			seg := Segment{Text: t, LinkRunes: min(linkRn, utf8.RuneCountInString(t)), Chrome: chrome > 0, Heading: heading, Cell: cell, Breaks: breaks}
			if heading {
				seg.Node = head
			}
			if cell != nil {
				seg.Row = cell.Parent
			}
			out = append(out, seg)
		}
		cur.Reset()
		linkRn = 0
		heading = false
	}
	var walk func(n *html.Node, inLink bool)
	walk = func(n *html.Node, inLink bool) {
		switch n.Type {
		case html.TextNode:
			cur.WriteString(n.Data)
			if inLink {
				linkRn += utf8.RuneCountInString(strings.TrimSpace(n.Data))
			}
			return
		case html.ElementNode:
			if skipTags[n.DataAtom] {
				return
			}
		case html.DocumentNode:
		default:
			return
		}
		block := n.Type == html.ElementNode && blockTags[n.DataAtom]
		isHead := n.Type == html.ElementNode && isHeadingElem(n) && (!inlineHeading[n.DataAtom] || standsAlone(n))
		ch := isChrome(n)
		isCell := n.Type == html.ElementNode && (n.DataAtom == atom.Td || n.DataAtom == atom.Th || n.DataAtom == atom.Dt || n.DataAtom == atom.Dd)
		if block || isHead {
			flush()
		}
		if ch {
			chrome++
		}
		outer := cell
		if isCell {
			cell = n
		}
		inline := n.Type == html.ElementNode && !block && !isHead
		if inline {
			cur.WriteRune(breakMark)
		}
		link := inLink || (n.Type == html.ElementNode && n.DataAtom == atom.A && attr(n, "href") != "")
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, link)
		}
		if inline {
			cur.WriteRune(breakMark)
		}
		if isHead && strings.TrimSpace(cur.String()) != "" {
			heading, head = true, n
		}
		if block || isHead {
			flush()
		}
		cell = outer
		if ch {
			chrome--
		}
	}
	for _, n := range p.Doc.Nodes {
		walk(n, false)
	}
	flush()
	if out == nil {
		out = []Segment{}
	}
	p.segments = out
	return out
}

// isHeadingElem reports whether n is a heading-like element whose text can
// be a field label: h1..h6, th, dt, and strong/b/label.
func isHeadingElem(n *html.Node) bool {
	switch n.DataAtom {
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Th, atom.Dt, atom.Strong, atom.B, atom.Label:
		return true
	}
	return false
}

// inlineHeading are the heading-like elements that are inline: a bold run
// or a <label> is a heading only when it stands alone in its block;
// inside a line (<p><strong>索引号</strong>：000014348</p>) it is part of
// the line.
var inlineHeading = map[atom.Atom]bool{atom.Strong: true, atom.B: true, atom.Label: true}

// standsAlone reports whether n's text is all the text of its nearest
// block (or cell).
func standsAlone(n *html.Node) bool {
	b := n.Parent
	for b != nil && b.Type == html.ElementNode && !blockTags[b.DataAtom] {
		b = b.Parent
	}
	if b == nil || b.Type != html.ElementNode {
		return true
	}
	return textnorm.Name(textOf(b)) == textnorm.Name(textOf(n))
}

// textOf returns n's visible text, whitespace-collapsed.
func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			b.WriteString(n.Data)
		case html.ElementNode:
			if skipTags[n.DataAtom] {
				return
			}
			if blockTags[n.DataAtom] {
				b.WriteByte(' ')
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if n.Type == html.ElementNode && blockTags[n.DataAtom] {
			b.WriteByte(' ')
		}
	}
	walk(n)
	return textnorm.Space(b.String())
}

// attr returns n's attribute key, or "".
func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}
