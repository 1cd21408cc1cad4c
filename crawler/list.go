package crawler

import (
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"gongkai/evidence"
	"gongkai/internal/textnorm"
)

// List extraction. A list page holds items, each a link with a date beside
// it, in whatever markup the CMS chose: <li>, table rows, <div> blocks, flat
// runs of <a> and <span>, dates before or after the link or inside it. The
// extractor does not rely on class names. It finds, for every link, the row
// that holds it and the date printed in that row outside the link text;
// groups dated rows by their container; keeps the main list (the largest
// container, plus containers of the same shape, ignoring a widget that
// repeats the portal's links); and adds the undated rows of that list as
// undated items. A page with no dated rows yields its largest run of
// sibling rows with long link texts as undated items.

// ListContext tells the extractor what it cannot see on the page.
type ListContext struct {
	// Ref is the reference date for year-less dates without a year heading:
	// the year chosen is the latest that puts the date on or before Ref.
	Ref evidence.Date
	// NavNames are normalised names (columns, hubs) whose links are
	// navigation, never items.
	NavNames map[string]bool
	// PortalLinks are the URLs linked from the unit's portal; a container
	// whose links are nearly all among them is a widget, not the list.
	PortalLinks map[string]bool
}

// rowInfo is one candidate item: a link, its row and its date.
type rowInfo struct {
	a         Anchor
	row       *html.Node // the element holding the item
	container *html.Node // the element holding the rows
	date      DateMatch
	dated     bool
	order     int
}

// pagerWords are link texts of pagination, never items.
var pagerWords = map[string]bool{
	"首页": true, "上一页": true, "下一页": true, "尾页": true, "末页": true, "上页": true, "下页": true,
	"前一页": true, "后一页": true, "最后一页": true, "第一页": true, "next": true, "prev": true, "previous": true,
	"last": true, "first": true, "more": true, "更多": true, "返回": true, "跳转": true, "go": true, "确定": true,
	"打印": true, "关闭": true, "关闭窗口": true, "打印本页": true, "收藏": true, "分享": true, "返回顶部": true,
	"网站地图": true, "联系我们": true, "无障碍": true, "长者模式": true, "繁体": true, "简体": true,
}

// Items extracts the list items of p.
func (p *Page) Items(lc ListContext) []evidence.Item {
	order, years := p.documentOrder()
	var rows []*rowInfo
	for _, a := range p.Anchors() {
		if !p.itemCandidate(a, lc) {
			continue
		}
		r := &rowInfo{a: a, order: order[a.Node]}
		r.row, r.container = p.rowOf(a.Node)
		year := yearBefore(years, r.order)
		if dm, ok := dateInside(a.Node, year, lc.Ref); ok {
			r.date, r.dated = dm, true
		} else if dm, ok := p.dateBeside(a.Node, r.row, year, lc.Ref); ok {
			r.date, r.dated = dm, true
		}
		rows = append(rows, r)
	}
	rows = onePerRow(rows)
	chosen := p.chooseList(rows, lc)
	seen := map[string]bool{}
	var items []evidence.Item
	for _, r := range chosen {
		key := r.a.URL.String()
		if seen[key] {
			continue
		}
		seen[key] = true
		it := evidence.Item{Title: itemTitle(r), URL: key, Page: p.URL.String()}
		if r.dated {
			it.Date = r.date.Date
			it.DateText = r.date.Text
		}
		items = append(items, it)
	}
	return items
}

// onePerRow keeps, of several links in one row (a title beside [PDF] or
// 下载 links), the one with the longest text: a row is one item.
func onePerRow(rows []*rowInfo) []*rowInfo {
	best := map[*html.Node]*rowInfo{}
	for _, r := range rows {
		if r.row == r.container {
			continue // a flat run: every link is its own item
		}
		if b := best[r.row]; b == nil || utf8.RuneCountInString(r.a.Text) > utf8.RuneCountInString(b.a.Text) {
			best[r.row] = r
		}
	}
	out := rows[:0:0]
	for _, r := range rows {
		if r.row == r.container || best[r.row] == r {
			out = append(out, r)
		}
	}
	return out
}

// itemCandidate filters out navigation, pagination and self links.
func (p *Page) itemCandidate(a Anchor, lc ListContext) bool {
	text := strings.TrimSpace(a.Text)
	if text == "" && a.TitleAttr == "" {
		return false
	}
	norm := textnorm.Name(text)
	if pagerWords[norm] || isNumber(norm) || lc.NavNames[norm] {
		return false
	}
	if strings.HasPrefix(norm, "第") && strings.HasSuffix(norm, "页") {
		return false
	}
	if sameDoc(a.URL, p.URL) {
		return false
	}
	return true
}

func isNumber(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func sameDoc(a, b *url.URL) bool {
	return a.Host == b.Host && strings.TrimSuffix(a.Path, "/") == strings.TrimSuffix(b.Path, "/") && a.RawQuery == b.RawQuery
}

// rowTags can be a row; td and th climb to their tr.
var rowTags = map[atom.Atom]bool{
	atom.Li: true, atom.Tr: true, atom.Dd: true, atom.Dt: true, atom.P: true, atom.Div: true,
	atom.Article: true, atom.Section: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true,
	atom.Td: true, atom.Th: true, atom.Dl: true, atom.Table: true, atom.Ul: true, atom.Ol: true, atom.Tbody: true, atom.Body: true,
}

// rowOf returns the element holding an item link and the element holding
// the rows. A <td> climbs to its <tr>; a <dt> takes its <dl> when the list
// holds one item; a block that holds several dated links is a flat run,
// its own container.
func (p *Page) rowOf(a *html.Node) (row, container *html.Node) {
	row, container = rowOf(a)
	if row == nil || row == container {
		return row, container
	}
	if row.DataAtom == atom.Dt && container != nil && container.DataAtom == atom.Dl && countLinks(container) == 1 {
		row, container = container, container.Parent
	}
	switch row.DataAtom {
	case atom.Tr, atom.Dl:
		return row, container
	}
	if countLinks(row) >= 2 && p.dateCount(row) >= 2 {
		return row, row // several dated links in one block: a flat run
	}
	return row, container
}

// dateCount counts the pieces of n that are dates, remembered per node.
func (p *Page) dateCount(n *html.Node) int {
	if p.dates == nil {
		p.dates = map[*html.Node]int{}
	}
	if c, ok := p.dates[n]; ok {
		return c
	}
	c := 0
	for _, pc := range piecesExcept(n, nil) {
		if _, ok := FindDate(pc); ok {
			c++
		} else if _, ok := isStandaloneDate(pc, 2000, evidence.Date{}); ok {
			c++
		}
	}
	p.dates[n] = c
	return c
}

func rowOf(a *html.Node) (row, container *html.Node) {
	n := a.Parent
	for n != nil && n.Type == html.ElementNode && !rowTags[n.DataAtom] {
		n = n.Parent
	}
	if n == nil || n.Type != html.ElementNode {
		return a.Parent, a.Parent
	}
	if n.DataAtom == atom.Td || n.DataAtom == atom.Th {
		if tr := n.Parent; tr != nil && tr.DataAtom == atom.Tr {
			n = tr
		}
	}
	switch n.DataAtom {
	case atom.Ul, atom.Ol, atom.Tbody, atom.Table, atom.Body, atom.Dl:
		// Links sit directly in the list container: a flat run.
		return n, n
	}
	c := n.Parent
	if c != nil && (c.DataAtom == atom.Tbody || c.DataAtom == atom.Thead) && c.Parent != nil {
		c = c.Parent
	}
	return n, c
}

// dateInside finds a date printed inside the link, in a child element of
// its own (<a><span>title</span><span>2019-05-12</span></a>).
func dateInside(a *html.Node, year int, ref evidence.Date) (DateMatch, bool) {
	for c := a.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		if dm, ok := isStandaloneDate(textOf(c), year, ref); ok {
			return dm, true
		}
	}
	return DateMatch{}, false
}

// dateBeside finds the date printed in the row outside the link. When the
// row holds other item links (a flat run), only the text between this link
// and the next (or, failing that, the previous) link counts.
func (p *Page) dateBeside(a, row *html.Node, year int, ref evidence.Date) (DateMatch, bool) {
	if row != nil && countLinks(row) <= 1 {
		pieces := piecesExcept(row, a)
		if row.DataAtom == atom.Dt {
			// <dt><a>title</a></dt><dd>date</dd>: the date is in the next <dd>.
			for sib := row.NextSibling; sib != nil; sib = sib.NextSibling {
				if sib.Type == html.ElementNode {
					if sib.DataAtom == atom.Dd {
						pieces = append(pieces, piecesExcept(sib, nil)...)
					}
					break
				}
			}
		}
		return findRowDate(pieces, year, ref)
	}
	if row != nil && countLinks(row) <= 3 && row.DataAtom == atom.Tr {
		// A table row with a title link and attachment links.
		if dm, ok := findRowDate(piecesExcept(row, a), year, ref); ok {
			return dm, true
		}
	}
	if dm, ok := findRowDate(textAfter(a, 80), year, ref); ok {
		return dm, true
	}
	return findRowDate(textBefore(a, 40), year, ref)
}

// findRowDate looks for a full date in the joined pieces, else a year-less
// date standing alone in one piece.
func findRowDate(pieces []string, year int, ref evidence.Date) (DateMatch, bool) {
	for _, pc := range pieces {
		if dm, ok := FindDate(pc); ok {
			return dm, true
		}
	}
	for _, pc := range pieces {
		if dm, ok := isStandaloneDate(pc, year, ref); ok {
			return dm, true
		}
	}
	return DateMatch{}, false
}

func countLinks(n *html.Node) int {
	c := 0
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.DataAtom == atom.A && attr(n, "href") != "" {
			c++
			return
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(n)
	return c
}

// piecesExcept returns the texts of row's elements and text runs, skipping
// the link skip; each element child is one piece.
func piecesExcept(row, skip *html.Node) []string {
	var out []string
	var cur strings.Builder
	flush := func() {
		if t := textnorm.Space(cur.String()); t != "" {
			out = append(out, t)
		}
		cur.Reset()
	}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n == skip {
			flush()
			return
		}
		switch n.Type {
		case html.TextNode:
			cur.WriteString(n.Data)
			return
		case html.ElementNode:
			if skipTags[n.DataAtom] {
				return
			}
			flush()
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if n.Type == html.ElementNode {
			flush()
		}
	}
	for c := row.FirstChild; c != nil; c = c.NextSibling {
		walk(c)
	}
	flush()
	return out
}

// textAfter collects text following n in document order until the next
// link, up to limit runes, as pieces.
func textAfter(n *html.Node, limit int) []string {
	var out []string
	total := 0
	for cur := nextNode(n, true); cur != nil && total < limit; cur = nextNode(cur, false) {
		if cur.Type == html.ElementNode && cur.DataAtom == atom.A {
			break
		}
		if cur.Type == html.TextNode && !inSkipped(cur) {
			if t := textnorm.Space(cur.Data); t != "" {
				out = append(out, t)
				total += utf8.RuneCountInString(t)
			}
		}
	}
	return out
}

// textBefore collects text preceding n until the previous link.
func textBefore(n *html.Node, limit int) []string {
	var out []string
	total := 0
	for cur := prevNode(n); cur != nil && total < limit; cur = prevNode(cur) {
		if cur.Type == html.ElementNode && cur.DataAtom == atom.A {
			break
		}
		if isAncestor(cur, n) {
			continue
		}
		if cur.Type == html.TextNode && !inSkipped(cur) && !insideLink(cur) {
			if t := textnorm.Space(cur.Data); t != "" {
				out = append([]string{t}, out...)
				total += utf8.RuneCountInString(t)
			}
		}
	}
	return out
}

func isAncestor(a, n *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p == a {
			return true
		}
	}
	return false
}

func insideLink(n *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type == html.ElementNode && p.DataAtom == atom.A {
			return true
		}
	}
	return false
}

func inSkipped(n *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type == html.ElementNode && skipTags[p.DataAtom] {
			return true
		}
	}
	return false
}

// nextNode walks the tree in document order; skipChildren skips n's subtree.
func nextNode(n *html.Node, skipChildren bool) *html.Node {
	if !skipChildren && n.FirstChild != nil {
		return n.FirstChild
	}
	for n != nil {
		if n.NextSibling != nil {
			return n.NextSibling
		}
		n = n.Parent
	}
	return nil
}

// prevNode walks the tree backwards in document order.
func prevNode(n *html.Node) *html.Node {
	if n.PrevSibling != nil {
		n = n.PrevSibling
		for n.LastChild != nil {
			n = n.LastChild
		}
		return n
	}
	return n.Parent
}

// documentOrder numbers the element nodes in document order and records the
// year headings ("2019年" standing alone in a heading or block) by position.
func (p *Page) documentOrder() (map[*html.Node]int, []yearMark) {
	order := map[*html.Node]int{}
	var years []yearMark
	i := 0
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			if skipTags[n.DataAtom] {
				return
			}
			i++
			order[n] = i
			if n.DataAtom != atom.A && (isHeadingElem(n) || blockTags[n.DataAtom] || n.DataAtom == atom.Span || n.DataAtom == atom.Caption) && leafBlock(n) {
				if y := yearHeading(textOf(n)); y != 0 {
					years = append(years, yearMark{order: i, year: y})
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range p.Doc.Nodes {
		walk(n)
	}
	return order, years
}

// leafBlock reports whether n holds only text and inline elements (no
// blocks, no links): a candidate for a heading.
func leafBlock(n *html.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && (blockTags[c.DataAtom] || c.DataAtom == atom.A) {
			return false
		}
	}
	return true
}

type yearMark struct {
	order int
	year  int
}

func yearBefore(marks []yearMark, order int) int {
	y := 0
	for _, m := range marks {
		if m.order > order {
			break
		}
		y = m.year
	}
	return y
}

// chooseList picks the rows that make up the page's main list: the dated
// group with the most dates, with the groups of the same shape (a list
// split into several blocks), less groups that belong to another column: a
// box with a "更多" link to another page, or a side box repeating the
// portal's links. When the page has several dated groups, chrome and boxes
// repeating the portal give way to the others. Without dated rows, the
// largest run of title-like links stands as an undated list.
func (p *Page) chooseList(rows []*rowInfo, lc ListContext) []*rowInfo {
	type group struct {
		node    *html.Node
		rows    []*rowInfo
		dated   int
		shape   string
		foreign bool
	}
	groups := map[*html.Node]*group{}
	var order []*group
	for _, r := range rows {
		g := groups[r.container]
		if g == nil {
			g = &group{node: r.container, shape: shapeOf(r.container)}
			groups[r.container] = g
			order = append(order, g)
		}
		g.rows = append(g.rows, r)
		if r.dated {
			g.dated++
		}
	}
	onPortal := func(g *group) bool {
		if len(lc.PortalLinks) == 0 {
			return false
		}
		on := 0
		for _, r := range g.rows {
			if lc.PortalLinks[r.a.URL.String()] {
				on++
			}
		}
		return on*10 >= len(g.rows)*8
	}
	// holders maps each element to the groups it contains, so a box is
	// read no wider than its own group.
	holders := map[*html.Node]int{}
	for _, g := range order {
		for n := g.node; n != nil; n = n.Parent {
			holders[n]++
		}
	}
	for _, g := range order {
		g.foreign = p.moreElsewhere(g.node, holders) || p.inSideBox(g.node) && onPortal(g)
	}
	var dated []*group
	for _, g := range order {
		if g.dated > 0 && !g.foreign {
			dated = append(dated, g)
		}
	}
	var best *group
	if len(dated) > 0 {
		candidates := dated
		if len(dated) > 1 {
			var keep []*group
			for _, g := range dated {
				if !p.inChrome(g.node) && !(g.dated < 10 && onPortal(g)) {
					keep = append(keep, g)
				}
			}
			if len(keep) > 0 {
				candidates = keep
			}
		}
		for _, g := range candidates {
			if best == nil || g.dated > best.dated {
				best = g
			}
		}
		var out []*rowInfo
		for _, g := range dated {
			if g != best && (g.shape != best.shape || g.shape == "") {
				continue
			}
			for _, r := range g.rows {
				if r.dated || looksLikeTitle(r.a.Text) {
					out = append(out, r)
				}
			}
		}
		return out
	}
	// No dated rows: the largest run of sibling rows with title-like links.
	for _, g := range order {
		if g.dated > 0 || g.foreign || p.inChrome(g.node) || len(g.rows) < 2 {
			continue
		}
		long := 0
		for _, r := range g.rows {
			if utf8.RuneCountInString(r.a.Text) >= 8 {
				long++
			}
		}
		if long*10 < len(g.rows)*8 {
			continue
		}
		if best == nil || len(g.rows) > len(best.rows) {
			best = g
		}
	}
	if best == nil {
		return nil
	}
	return best.rows
}

// moreWords are the texts of a box's "more" link.
var moreWords = map[string]bool{"更多": true, "查看更多": true, "more": true, "更多信息": true, "更多内容": true}

// moreElsewhere reports whether the box around n (n and up to two
// ancestors that hold no other group) has a "更多" link to another page:
// the box lists another column's items.
func (p *Page) moreElsewhere(n *html.Node, holders map[*html.Node]int) bool {
	for i := 0; n != nil && i < 3; i, n = i+1, n.Parent {
		if n.DataAtom == atom.Body || holders[n] > 1 {
			return false
		}
		found := false
		var walk func(*html.Node)
		walk = func(m *html.Node) {
			if found {
				return
			}
			if m.Type == html.ElementNode && m.DataAtom == atom.A {
				if moreWords[textnorm.Name(textOf(m))] {
					if u := p.Resolve(attr(m, "href")); u != nil && !samePage(u, p.URL) {
						found = true
					}
				}
				return
			}
			for c := m.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		walk(n)
		if found {
			return true
		}
	}
	return false
}

var sideRE = regexp.MustCompile(`(?i)(^|[\s_-])(side|sidebar|aside|side-box|sidebox|rside|lside)([\s_-]|\d|$)`)

// inSideBox reports whether n sits in an <aside> or a box whose class or id
// says side.
func (p *Page) inSideBox(n *html.Node) bool {
	for ; n != nil; n = n.Parent {
		if n.Type != html.ElementNode {
			continue
		}
		if n.DataAtom == atom.Aside || sideRE.MatchString(attr(n, "class")+" "+attr(n, "id")) {
			return true
		}
	}
	return false
}

// samePage reports whether two URLs name the same page, counting a
// directory and its index file as one.
func samePage(a, b *url.URL) bool {
	trim := func(p string) string {
		for _, idx := range []string{"index.html", "index.htm", "index.shtml", "index.jsp", "index.php", "default.html", "default.htm", "default.aspx"} {
			p = strings.TrimSuffix(p, idx)
		}
		return strings.TrimSuffix(p, "/")
	}
	return strings.EqualFold(a.Host, b.Host) && trim(a.Path) == trim(b.Path) && a.RawQuery == b.RawQuery
}

func contains[T comparable](s []T, v T) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// shapeOf describes a container by tag and class, so that a list split
// into several <ul class="list"> blocks is read whole.
func shapeOf(n *html.Node) string {
	if n == nil || n.Type != html.ElementNode {
		return ""
	}
	return n.Data + "." + attr(n, "class")
}

// inChrome reports whether n or an ancestor is chrome.
func inChrome(n *html.Node) bool {
	for ; n != nil; n = n.Parent {
		if isChrome(n) {
			return true
		}
	}
	return false
}

// inChrome is inChrome remembered per node for the page.
func (p *Page) inChrome(n *html.Node) bool {
	if n == nil {
		return false
	}
	if p.chrome == nil {
		p.chrome = map[*html.Node]bool{}
	}
	if v, ok := p.chrome[n]; ok {
		return v
	}
	v := isChrome(n) || p.inChrome(n.Parent)
	p.chrome[n] = v
	return v
}

// looksLikeTitle accepts undated rows of a dated list when their text reads
// like a title rather than a label.
func looksLikeTitle(s string) bool { return utf8.RuneCountInString(strings.TrimSpace(s)) >= 4 }

// itemTitle prefers the title attribute when the text is cut short.
func itemTitle(r *rowInfo) string {
	text := strings.TrimSpace(r.a.Text)
	if r.date.Text != "" && strings.Contains(text, r.date.Text) && len(text) > len(r.date.Text) {
		// The date sat inside the link: drop it from the title.
		text = strings.TrimSpace(strings.Replace(text, r.date.Text, "", 1))
	}
	t := r.a.TitleAttr
	cut := strings.HasSuffix(text, "…") || strings.HasSuffix(text, "...") || strings.HasSuffix(text, "..") || strings.HasSuffix(text, "……")
	if t != "" && (cut || utf8.RuneCountInString(t) > utf8.RuneCountInString(text)) {
		text = t
	}
	return strings.TrimLeft(text, "·•●■□◆◇▪▶►>》 ")
}
