package sim

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"

	"gongkai/evidence"
)

// Markup shared by the styles and shaped by the unit's features: list rows,
// dates, pagers, the 最新动态 widget, column link texts, <base href> and
// the character encoding.

const (
	// trsTitleRunes is where TRS list pages cut link texts (the title
	// attribute keeps the whole title).
	trsTitleRunes = 30
	// plainPortalColumns is how many columns a hand-made portal lists
	// before "更多栏目"; the others are on the directory page only.
	plainPortalColumns = 6
)

// listDate formats a list date in the unit's date variant.
func listDate(u *Unit, d evidence.Date) string {
	iso := isoDate(d)
	switch u.f.date {
	case VarDateSlash:
		return slashDate(d)
	case VarDateDots:
		return fmt.Sprintf("%d.%02d.%02d", d.Year, int(d.Month), d.Day)
	case VarDateCN:
		return cnDate(d)
	case VarDateBracket:
		return "[" + iso + "]"
	case VarDateLabel:
		return "发布日期：" + iso
	case VarDateFullWidth:
		if u.v.fullWidth || u.f.alt == 0 {
			return fullDigits.Replace(cnDate(d))
		}
		return strings.ReplaceAll(fullDigits.Replace(iso), "-", "－")
	case VarDateYearless:
		if u.f.alt == 0 {
			return fmt.Sprintf("(%02d-%02d)", int(d.Month), d.Day)
		}
		return fmt.Sprintf("%02d-%02d", int(d.Month), d.Day)
	}
	return iso
}

// shortDate formats a date shown outside a column's list (the portal's news,
// the 最新动态 widget): the list format, but never year-less or labelled,
// since no year heading stands above it.
func shortDate(u *Unit, d evidence.Date) string {
	switch u.f.date {
	case VarDateYearless, VarDateLabel:
		return isoDate(d)
	}
	return listDate(u, d)
}

// baseDir is the directory a unit's <base href> names.
func baseDir(u *Unit) string {
	if u.Style == "plain" {
		return "/xxgk/"
	}
	return "/"
}

// baseTag returns the <base> element of a page of a unit whose pages carry
// one, on the host the request named ("" when rendered without a request:
// then the base is a path).
func baseTag(u *Unit, rt *route) string {
	if !u.f.baseHref {
		return ""
	}
	if rt.host == "" {
		return fmt.Sprintf(`<base href="%s" />`, baseDir(u))
	}
	return fmt.Sprintf(`<base href="http://%s%s" />`, esc(rt.host), baseDir(u))
}

// link returns the href a unit's page writes for a path on its own host:
// the path itself, or, under <base href>, the path relative to the base
// directory when it lies under it.
func (u *Unit) link(target string) string {
	if u.f.baseHref {
		if dir := baseDir(u); strings.HasPrefix(target, dir) && len(target) > len(dir) {
			return target[len(dir):]
		}
	}
	return target
}

// itemHref returns the href of an item (or any page under a column) on the
// page at from: relative to the page on TRS sites, relative to the base
// under <base href>, the path otherwise.
func (u *Unit) itemHref(from, target string) string {
	switch {
	case u.f.baseHref:
		return u.link(target)
	case u.Style == "trs":
		return relPath(from, target)
	}
	return target
}

// pageHref returns the href from a list page to page to of column c.
func (u *Unit) pageHref(c *Column, to int) string {
	switch u.Style {
	case "hanweb":
		q := ""
		if to > 0 {
			q = fmt.Sprintf("?pageIndex=%d", to+1)
		}
		if u.f.baseHref {
			return u.link(c.Path) + q
		}
		if q == "" {
			return "index.html"
		}
		return q
	case "plain":
		p := c.PagePaths[to]
		if u.f.baseHref {
			return u.link(p)
		}
		return p[strings.LastIndex(p, "/")+1:]
	}
	return c.PagePaths[to]
}

// itemText is an item's link text in a list: cut on TRS sites.
func itemText(u *Unit, it *Item) string {
	if u.Style == "trs" {
		return truncate(it.Title, trsTitleRunes)
	}
	return it.Title
}

// itemTitle is the title attribute of an item's link (with its leading
// space), or "" where the style writes none.
func itemTitle(u *Unit, it *Item) string {
	if u.Style == "plain" {
		return ""
	}
	return fmt.Sprintf(` title="%s"`, esc(it.Title))
}

// listContainer returns the opening and closing tags around list rows.
func listContainer(u *Unit) (open, close string) {
	switch u.f.list {
	case VarListTableRows:
		return `<table width="100%" border="0" cellspacing="0" cellpadding="0" class="list">`, `</table>`
	case VarListDivBlocks, VarListFlatRun, VarListDL, VarListDLRows:
		return `<div class="list">`, `</div>`
	}
	return `<ul class="list">`, `</ul>`
}

// renderList writes the items of page of list column c in the unit's list
// markup and date format; a year-less format groups them under year
// headings.
func renderList(b *w, u *Unit, c *Column, page int) {
	from := c.Path
	if page < len(c.PagePaths) {
		from = c.PagePaths[page]
	}
	items := listPage(c, page)
	groups := [][]*Item{items}
	yearless := u.f.date == VarDateYearless
	if yearless && len(items) > 0 {
		groups = nil
		for _, it := range items {
			if n := len(groups); n == 0 || groups[n-1][0].Date.Year != it.Date.Year {
				groups = append(groups, nil)
			}
			groups[len(groups)-1] = append(groups[len(groups)-1], it)
		}
	}
	if c.ID == u.f.scriptCol {
		// The list is filled by a script from the site's JSON service:
		// the page holds none of it.
		b.p(`<ul class="list" id="gk-list"></ul>`)
		b.p(`<script type="text/javascript" src="%s" data-col="%s"></script>`, scriptListJS, c.ID)
		return
	}
	open, close := listContainer(u)
	if u.f.decoy && len(items) > 0 {
		// The template the page's script would fill, unbound: no item.
		// (Beside an empty list it would leave an evaluator unable to tell
		// an empty column from an unread one.)
		b.p(`<ul class="list" id="list-tpl" style="display:none"><li ms-repeat="list"><a ms-attr-href="el.url" title="{{el.title}}">{{el.title}}</a><span>{{el.pubDate}}</span></li></ul>`)
	}
	for _, g := range groups {
		if yearless && len(g) > 0 {
			if u.f.alt == 0 {
				b.p(`<h3 class="year-tit">%d年</h3>`, g[0].Date.Year)
			} else {
				b.p(`<div class="year">%d</div>`, g[0].Date.Year)
			}
		}
		b.p("%s", open)
		for k, it := range g {
			if u.f.list == VarListMultiUL && k > 0 && k%5 == 0 {
				b.p("%s", close)
				b.p(`<div class="line"></div>`)
				b.p("%s", open)
			}
			listRow(b, u, from, it)
		}
		b.p("%s", close)
	}
}

func listRow(b *w, u *Unit, from string, it *Item) {
	href, title, text, date := u.itemHref(from, it.Path), itemTitle(u, it), esc(itemText(u, it)), esc(listDate(u, it.Date))
	switch u.f.list {
	case VarListTableRows:
		b.p(`<tr><td class="bt"><img src="/images/dot.gif" /> <a href="%s" target="_blank"%s>%s</a></td><td class="rq" width="90" align="right">%s</td></tr>`, href, title, text, date)
	case VarListDivBlocks:
		b.p(`<div class="item"><a href="%s" target="_blank"%s><span>%s</span></a> <span class="date">%s</span></div>`, href, title, text, date)
	case VarListDateFirst:
		b.p(`<li><span class="time">%s</span><a href="%s" target="_blank"%s>%s</a></li>`, date, href, title, text)
	case VarListDateInLink:
		b.p(`<li><a href="%s" target="_blank"%s><span class="tit">%s</span><span class="date">%s</span></a></li>`, href, title, text, date)
	case VarListFlatRun:
		if u.f.alt == 0 {
			b.p(`<a href="%s" target="_blank"%s>%s</a><span>%s</span><br/>`, href, title, text, date)
		} else {
			b.p(`<a href="%s"%s>%s</a>&nbsp;&nbsp;%s<br/>`, href, title, text, date)
		}
	case VarListDL:
		b.p(`<dl><dt><a href="%s" target="_blank"%s>%s</a></dt><dd>%s</dd></dl>`, href, title, text, date)
	case VarListDLRows:
		b.p(`<dl class="clearfix"><dd class="tit"><a href="%s" target="_blank"%s>%s</a></dd><dd class="time">%s</dd></dl>`, href, title, text, date)
	default: // VarListLiSpan, VarListMultiUL
		b.p(`<li><a href="%s" target="_blank"%s>%s</a><span>%s</span></li>`, href, title, text, date)
	}
}

// pagerLabels are the first, previous, next and last link texts of the
// unit's pager.
func pagerLabels(u *Unit) (first, prev, next, last string) {
	switch u.f.pager {
	case VarPageXiaye:
		return "首页", "上页", "下页", "末页"
	case VarPageEn:
		if u.f.alt == 0 {
			return "First", "Prev", "Next", "Last"
		}
		return "« First", "‹ Prev", "Next ›", "Last »"
	case VarPageGt:
		if u.f.alt == 0 {
			return "首页", "<", ">", "尾页"
		}
		return "首页", "«", "»", "尾页"
	}
	return "首页", "上一页", "下一页", "尾页"
}

// prevNextPager writes a hand-made pager: the page number and the previous
// and next links only.
func prevNextPager(b *w, u *Unit, c *Column, page int) {
	n := len(c.PagePaths)
	if n <= 1 {
		return
	}
	_, prev, next, _ := pagerLabels(u)
	b.WriteString(`<div class="pages">`)
	fmt.Fprintf(b, `第%d/%d页 `, page+1, n)
	link := func(to int, text string) string {
		if u.f.pager == VarPageOnclick {
			return fmt.Sprintf(`<a href="javascript:;" onclick="location.href='%s'">%s</a>`, u.pageHref(c, to), esc(text))
		}
		return fmt.Sprintf(`<a href="%s">%s</a>`, u.pageHref(c, to), esc(text))
	}
	if page > 0 {
		fmt.Fprintf(b, `%s `, link(page-1, prev))
	} else {
		fmt.Fprintf(b, `<span class="disabled">%s</span> `, esc(prev))
	}
	if page < n-1 {
		b.WriteString(link(page+1, next))
	} else {
		fmt.Fprintf(b, `<span class="disabled">%s</span>`, esc(next))
	}
	b.p(`</div>`)
}

// sidebarItems returns the news items of the unit's 最新动态 widget (the
// ones its portal shows), or nil when its list pages carry none.
func sidebarItems(u *Unit) []*Item {
	if u.f.sidebar == 0 {
		return nil
	}
	c := u.Column("news")
	if c == nil || c.State != ColumnPresent || c.Override {
		return nil
	}
	items := listPage(c, 0)
	return items[:min(len(items), u.v.portalNews)]
}

// renderSidebar writes the 最新动态 widget on a list page at key when the
// unit's list pages carry it at where (1 before the list, 2 after).
func renderSidebar(b *w, u *Unit, key string, where int) {
	items := sidebarItems(u)
	if u.f.sidebar != where || len(items) == 0 {
		return
	}
	news := u.Column("news")
	b.p(`<div class="side-box"><div class="side-tit"><span>最新动态</span><a href="%s" class="more">更多</a></div><ul class="side-list">`, u.itemHref(key, news.Path))
	for _, it := range items {
		b.p(`<li><a href="%s" target="_blank" title="%s">%s</a><span class="date">%s</span></li>`,
			u.itemHref(key, it.Path), esc(it.Title), esc(truncate(it.Title, 20)), esc(shortDate(u, it.Date)))
	}
	b.p(`</ul></div>`)
}

// colLink returns the inner HTML of a navigation link to column c, the
// i-th of its list, and its title attribute ("" for none); text escapes
// and wraps a visible text as the style does.
func colLink(u *Unit, c *Column, i int, text func(string) string) (inner, title string) {
	if c.ID == u.f.titleAttr {
		inner = `<i class="icon icon-` + c.Dir + `"></i>`
		if u.f.titleText != "" {
			inner += text(u.f.titleText)
		}
		return inner, c.Label
	}
	label := c.Label
	if u.f.decorated {
		switch i % 4 {
		case 0:
			label = "【" + label + "】"
		case 1:
			label += ">>"
		case 2:
			label = "· " + label
		default:
			if c.IsList() {
				label = fmt.Sprintf("%s(%d)", label, len(c.Items))
			} else {
				label += ">>"
			}
		}
	}
	return text(label), ""
}

// titleAttr renders a title attribute with its leading space, or "".
func titleAttr(t string) string {
	if t == "" {
		return ""
	}
	return ` title="` + esc(t) + `"`
}

// hubText is the text of a link to a hub page: its label, with a full-width
// space before the last two characters on decorated sites (政务　公开).
func hubText(u *Unit, label string) string {
	rs := []rune(label)
	if !u.f.decorated || len(rs) < 4 {
		return label
	}
	return string(rs[:len(rs)-2]) + "　" + string(rs[len(rs)-2:])
}

// contentType is the Content-Type header of the unit's HTML pages.
func (u *Unit) contentType() string {
	switch u.f.enc {
	case VarEncUTF8Header:
		return "text/html; charset=UTF-8"
	case VarEncGBKHeader:
		return "text/html; charset=GBK"
	}
	return "text/html"
}

// charset names the encoding of the unit's HTML pages: utf-8, gbk or gb18030.
func (u *Unit) charset() string {
	switch u.f.enc {
	case VarEncGBKMeta, VarEncGBKHeader, VarEncGBKUndeclared:
		return "gbk"
	case VarEncGB18030Meta:
		return "gb18030"
	}
	return "utf-8"
}

// encode turns a rendered page into the bytes sent.
func (u *Unit) encode(page string) ([]byte, error) {
	var enc encoding.Encoding
	switch u.charset() {
	case "gbk":
		enc = simplifiedchinese.GBK
	case "gb18030":
		enc = simplifiedchinese.GB18030
	default:
		return []byte(page), nil
	}
	s, err := encoding.HTMLEscapeUnsupported(enc.NewEncoder()).String(page)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", u.charset(), err)
	}
	return []byte(s), nil
}

// Lists filled by script (variant list-script-only): the page holds an
// empty list and a script that asks the site's JSON service for the
// column's items and writes them in, as TRS and Vue-built lists do
// (jilin-ggzy-list, nmpa-datasearch-list). An evaluator reads it only by
// rendering the page; without that it can say only that it did not read
// the list.

// scriptListJS and scriptListAPI are the script and the service.
const (
	scriptListJS  = "/js/gklist.js"
	scriptListAPI = "/api/list"
)

// scriptListSource fills the list from the service.
const scriptListSource = `(function () {
  var me = document.currentScript, col = me.getAttribute("data-col");
  fetch("/api/list?col=" + encodeURIComponent(col)).then(function (r) { return r.json(); }).then(function (d) {
    var ul = document.getElementById("gk-list");
    d.items.forEach(function (it) {
      var li = document.createElement("li"), a = document.createElement("a"), s = document.createElement("span");
      a.href = it.url; a.title = it.title; a.textContent = it.title; s.textContent = it.date;
      li.appendChild(a); li.appendChild(s); ul.appendChild(li);
    });
  });
})();
`

// scriptListJSON is the service's answer for a column: every item.
func scriptListJSON(u *Unit, query string) []byte {
	q, _ := url.ParseQuery(query)
	type item struct {
		URL   string `json:"url"`
		Title string `json:"title"`
		Date  string `json:"date"`
	}
	out := struct {
		Items []item `json:"items"`
	}{Items: []item{}}
	if c := u.Column(q.Get("col")); c != nil && c.ID == u.f.scriptCol {
		for _, it := range c.Items {
			out.Items = append(out.Items, item{URL: it.Path, Title: it.Title, Date: it.Date.String()})
		}
	}
	b, _ := json.Marshal(out)
	return b
}
