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
// it, in whatever markup the CMS chose. The extractor relies on structure,
// not on tags or class names: each title link's record is found as the
// repeated sibling element holding it (records.go), in <li>, <tr>, <dl>,
// <div>, <p> or a flat run of links alike; the date is read inside the
// record outside the link, or from the text between records. Records are
// grouped by their parent and tag; the main list is the group with the most
// dates, plus groups of the same shape (a list split into several blocks),
// ignoring a widget that repeats the portal's links or a box whose 更多
// leads elsewhere; its undated records with title-like text are undated
// items. A page with no dated records yields its largest group of records
// with long link texts as undated items. Template lists with unbound
// placeholders ({{…}}, ms-repeat) yield nothing.

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

// Items extracts the list items of p: the records of its main list, one
// item per record, with the date each shows.
func (p *Page) Items(lc ListContext) []evidence.Item {
	order, years := p.documentOrder()
	var cands, titles []Anchor
	for _, a := range p.Anchors() {
		if !p.itemCandidate(a, lc) || isTemplated(a) {
			continue
		}
		cands = append(cands, a)
		if !isAux(a) {
			titles = append(titles, a)
		}
	}
	chosen := p.chooseList(p.records(titles, order, years, lc), lc)
	if len(chosen) == 0 && len(titles) < len(cands) {
		// No list of titles: a list whose links are all short (a
		// bracketed tag, a format) is read with every candidate link.
		chosen = p.chooseList(p.records(cands, order, years, lc), lc)
	}
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

// records finds the record of each title link in links and the date the
// record shows: inside the link in an element of its own, else in the
// record's text outside the link, else in the text between records that
// belongs to it (a flat run's date after each link, a <dd> after a <dt>).
func (p *Page) records(links []Anchor, order map[*html.Node]int, years []yearMark, lc ListContext) []*rowInfo {
	f := newRecordFinder(links)
	recs := make([]*html.Node, len(links))
	lone := make([]bool, len(links))
	sigs := map[string]bool{}
	for i, a := range links {
		rec, repeated := f.recordOf(a.Node)
		recs[i], lone[i] = rec, !repeated
		if repeated {
			sigs[signature(rec)] = true
		}
	}
	var rows []*rowInfo
	byRecord := map[*html.Node]*rowInfo{}
	for i, a := range links {
		rec := recs[i]
		if lone[i] {
			if like := f.like(a.Node, sigs); like != nil {
				rec = like
			}
		}
		if prev := byRecord[rec]; prev != nil {
			// Two links to one page in one record (an icon and a text
			// link): the longer text names the item.
			if utf8.RuneCountInString(a.Text) > utf8.RuneCountInString(prev.a.Text) {
				prev.a = a
			}
			continue
		}
		r := &rowInfo{a: a, row: rec, container: rec.Parent, order: order[a.Node]}
		byRecord[rec] = r
		rows = append(rows, r)
	}
	type groupKey struct {
		parent *html.Node
		tag    string
	}
	groups := map[groupKey][]*rowInfo{}
	var keys []groupKey
	for _, r := range rows {
		year := yearBefore(years, r.order)
		if dm, ok := dateInside(r.a.Node, year, lc.Ref); ok {
			r.date, r.dated = dm, true
		} else if r.row != r.a.Node {
			r.date, r.dated = findRowDate(piecesExcept(r.row, r.a.Node), year, lc.Ref)
		}
		k := groupKey{r.container, r.row.Data}
		if groups[k] == nil {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], r)
	}
	for _, k := range keys {
		readGaps(groups[k], byRecord, years, lc.Ref)
	}
	return rows
}

// readGaps dates the undated records of one group from the text between
// records: after each record, or before it when the group prints its dates
// first (whichever dates more records).
func readGaps(group []*rowInfo, byRecord map[*html.Node]*rowInfo, years []yearMark, ref evidence.Date) {
	var undated []*rowInfo
	for _, r := range group {
		if !r.dated {
			undated = append(undated, r)
		}
	}
	if len(undated) == 0 {
		return
	}
	isRecord := func(n *html.Node) bool { return byRecord[n] != nil }
	dated := func(dir gapDirection) ([]DateMatch, int) {
		out := make([]DateMatch, len(undated))
		n := 0
		for i, r := range undated {
			if dm, ok := findRowDate(gapPieces(r.row, isRecord, dir), yearBefore(years, r.order), ref); ok {
				out[i] = dm
				n++
			}
		}
		return out, n
	}
	fwd, nf := dated(gapForward)
	bwd, nb := dated(gapBackward)
	use := fwd
	if nb > nf {
		use = bwd
	}
	for i, r := range undated {
		if !use[i].Date.IsZero() {
			r.date, r.dated = use[i], true
		}
	}
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
	type groupKey struct {
		node *html.Node
		tag  string
	}
	groups := map[groupKey]*group{}
	var order []*group
	for _, r := range rows {
		k := groupKey{r.container, r.row.Data}
		g := groups[k]
		if g == nil {
			g = &group{node: r.container, shape: shapeOf(r.container)}
			if g.shape != "" {
				g.shape += "/" + r.row.Data
			}
			groups[k] = g
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
// moreLinks returns the page's "more" links (更多, more>>) to another page,
// found once per page.
func (p *Page) moreLinks() map[*html.Node]bool {
	if p.more == nil {
		p.more = map[*html.Node]bool{}
		for _, a := range p.Anchors() {
			if a.Node.DataAtom == atom.A && moreWords[textnorm.Name(a.Text)] && !samePage(a.URL, p.URL) {
				p.more[a.Node] = true
			}
		}
	}
	return p.more
}

func (p *Page) moreElsewhere(n *html.Node, holders map[*html.Node]int) bool {
	more := p.moreLinks()
	if len(more) == 0 {
		return false
	}
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
				found = more[m]
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
	if r.date.Text != "" {
		// The date sat inside the link: drop it from the title. The date
		// was read from the folded text, whose runes stand one for one
		// for the text's (２０２０年 folds to 2020年).
		rs, folded := []rune(text), []rune(textnorm.Fold(text))
		if i := strings.Index(string(folded), r.date.Text); i >= 0 && len(text) > len(r.date.Text) {
			start := utf8.RuneCountInString(string(folded)[:i])
			end := start + utf8.RuneCountInString(r.date.Text)
			text = strings.TrimSpace(string(rs[:start]) + string(rs[end:]))
		}
	}
	t := r.a.TitleAttr
	f := textnorm.Fold(text)
	cut := strings.HasSuffix(f, "…") || strings.HasSuffix(f, "..")
	if t != "" && (cut || utf8.RuneCountInString(t) > utf8.RuneCountInString(text)) {
		text = t
	}
	return strings.TrimLeft(text, "·•●■□◆◇▪▶►>》 ")
}
