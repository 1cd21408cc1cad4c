package sim

import (
	"fmt"
	"math/rand/v2"
	"net/url"
	"strconv"
	"strings"
)

// hanwebStyle imitates Hanweb (大汉) sites: GBK bodies whose charset is
// declared only in a <meta http-equiv> tag (gb2312; the HTTP header says
// just text/html), columns linked straight from the portal's left menu,
// lists as table rows with [2025-07-12] or 2025/7/12 dates, paging by
// ?pageIndex=N links with 首页/上一页/下一页/尾页, items under
// /art/Y/M/D/art_<col>_<n>.html and document metadata as label/value spans,
// some labels spaced out (索 引 号).
type hanwebStyle struct{}

func (hanwebStyle) Name() string { return "hanweb" }

// hanwebBase is the first column number of a unit's Hanweb site: columns
// follow it, sections are at +20, page links at +100, topic pages at +200.
func hanwebBase(u *Unit) int { return 1100 + 37*u.Index }

func (hanwebStyle) Plan(u *Unit, r *rand.Rand) {
	u.v = variant{dateFmt: r.IntN(2), spaced: chance(r, 0.5), portalNews: between(r, 6, 8), chinaMeta: chance(r, 0.5)}
	base := hanwebBase(u)
	u.HubLabel = "政务公开"
	u.HubPath = fmt.Sprintf("/col/col%d/index.html", base)
	per := between(r, 15, 20)
	art := 30000 + r.IntN(60000)
	for i, c := range u.Columns {
		c.Num = base + 1 + i
		c.Dir = fmt.Sprintf("col%d", c.Num)
		c.PerPage = per
		if c.State == ColumnMissing {
			continue
		}
		c.Path = fmt.Sprintf("/col/col%d/index.html", c.Num)
		if c.IsList() && u.f.pager == VarPageJpage {
			// jpage: the page holds the first group of three pages; each
			// further group comes from the list proxy.
			c.PerPage = per * jpageGroup
			c.PagePaths = []string{c.Path}
			for g := 1; g < pageCount(len(c.Items), c.PerPage); g++ {
				c.PagePaths = append(c.PagePaths, jpageProxy(u, c, g*c.PerPage+1, (g+1)*c.PerPage, per))
			}
		} else if c.IsList() {
			c.PagePaths = []string{c.Path}
			for p := 2; p <= pageCount(len(c.Items), per); p++ {
				c.PagePaths = append(c.PagePaths, fmt.Sprintf("%s?pageIndex=%d", c.Path, p))
			}
		}
		for _, it := range c.Items {
			d := it.Date
			it.Path = fmt.Sprintf("/art/%d/%d/%d/art_%d_%d.html", d.Year, int(d.Month), d.Day, c.Num, art+it.Num)
			for k, a := range it.Attachments {
				a.Path = fmt.Sprintf("/picture/0/%02d%02d%02d%05d%d%s", d.Year%100, int(d.Month), d.Day, it.Num, k+1, a.ext)
			}
		}
		for k, l := range c.Links {
			if l.ext != "" {
				l.Path = fmt.Sprintf("/attach/0/%d%02d%s", c.Num, k+1, l.ext)
			} else {
				l.Path = fmt.Sprintf("/col/col%d/index.html", base+100+3*i+k)
			}
		}
	}
	for i, l := range u.PortalLinks {
		l.Path = fmt.Sprintf("/col/col%d/index.html", base+200+i)
		l.Image = "/picture/0/zt_" + l.slug + ".jpg"
	}
}

func (hanwebStyle) Sections(u *Unit) []*Section {
	base := hanwebBase(u)
	return []*Section{
		{Label: "新闻中心", Path: fmt.Sprintf("/col/col%d/index.html", base+20)},
		{Label: "政务服务", Path: fmt.Sprintf("/col/col%d/index.html", base+21)},
		{Label: "互动交流", Path: fmt.Sprintf("/col/col%d/index.html", base+22)},
		{Label: "网站地图", Path: fmt.Sprintf("/col/col%d/index.html", base+23), Footer: true},
		{Label: "联系我们", Path: fmt.Sprintf("/col/col%d/index.html", base+24), Footer: true},
	}
}

func (hanwebStyle) Assets(u *Unit) []*Asset {
	out := []*Asset{
		textAsset("/images/hanweb.css", "text/css", "body{margin:0;font-size:12px;font-family:\"宋体\"}td{font-size:12px}\n"),
		textAsset("/module/jslib/jquery/jquery.js", "application/javascript", "/*! jQuery v1.8.3 jquery.com | jquery.org/license */\n"),
		imageAsset("/images/top.jpg"),
		imageAsset("/images/dot.gif"),
	}
	for _, l := range u.PortalLinks {
		out = append(out, imageAsset(l.Image))
	}
	for _, l := range u.Leaders {
		out = append(out, imageAsset("/picture/0/"+l.Photo))
	}
	if u.f.pager == VarPageJpage {
		out = append(out, textAsset("/module/web/jpage/jpage.js", "application/javascript", "/* jpage: pages a data store, asks dataproxy.jsp for the next group */\n"))
	}
	return out
}

func (h hanwebStyle) Render(u *Unit, rt *route) string {
	var b w
	title := pageTitle(u, rt)
	h.open(&b, u, rt, title)
	switch rt.kind {
	case routePortal:
		h.portal(&b, u)
	case routeHub:
		h.frame(&b, u, u.HubLabel, func() {
			b.p(`<table width="100%%" border="0" cellspacing="0" cellpadding="0" class="gk-ml">`)
			cols := linkedColumns(u)
			for i := 0; i < len(cols); i += 3 {
				b.WriteString("<tr>")
				for j := i; j < i+3 && j < len(cols); j++ {
					inner, title := colLink(u, cols[j], j, esc)
					fmt.Fprintf(&b, `<td width="33%%"><img src="/images/dot.gif" /> <a href="%s" target="_blank"%s>%s</a></td>`, u.link(cols[j].Path), titleAttr(title), inner)
				}
				b.p("</tr>")
			}
			b.p(`</table>`)
		})
	case routeList:
		c := rt.col
		h.frame(&b, u, c.Label, func() {
			key := c.PagePaths[rt.page]
			renderSidebar(&b, u, key, 1)
			if c.State == ColumnExplained {
				b.p(`<div class="nodata" style="padding:30px;text-align:center">%s</div>`, esc(c.Explanation))
			} else if u.f.pager == VarPageJpage {
				jpageList(&b, u, c)
			} else {
				renderList(&b, u, c, rt.page)
				h.pager(&b, u, c, rt.page)
			}
			renderSidebar(&b, u, key, 2)
		})
	case routePage:
		h.frame(&b, u, rt.col.Label, func() { h.blocks(&b, u, rt.col) })
	case routeItem:
		h.frame(&b, u, rt.col.Label, func() { h.article(&b, u, rt) })
	case routeSection:
		h.frame(&b, u, rt.section.Label, func() {
			b.p(`<p>%s%s相关工作。</p>`, esc(u.FullName), esc(rt.section.Label))
		})
	default:
		b.p(`<table width="1000" align="center"><tr><td height="300" align="center"><p>对不起，您要访问的页面不存在！</p><p><a href="/">返回首页</a></p></td></tr></table>`)
	}
	h.close(&b, u)
	return b.String()
}

func (hanwebStyle) open(b *w, u *Unit, rt *route, title string) {
	b.p(`<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">`)
	b.p(`<html xmlns="http://www.w3.org/1999/xhtml">`)
	b.p(`<head>`)
	switch u.f.enc {
	case VarEncGBKMeta:
		b.p(`<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />`)
	case VarEncGB18030Meta:
		b.p(`<meta charset="gb18030" />`)
	}
	if t := baseTag(u, rt); t != "" {
		b.p("%s", t)
	}
	if title == u.FullName {
		b.p(`<title>%s</title>`, esc(u.FullName))
	} else {
		b.p(`<title>%s %s</title>`, esc(u.FullName), esc(title))
	}
	b.p(`<meta name="keywords" content="%s,%s" />`, esc(u.Name), esc(strings.TrimSuffix(u.District, "区")))
	b.p(`<link href="/images/hanweb.css" rel="stylesheet" type="text/css" />`)
	b.p(`<script language="javascript" src="/module/jslib/jquery/jquery.js"></script>`)
	b.p(`</head>`)
	b.p(`<body>`)
	b.p(`<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0"><tr><td><img src="/images/top.jpg" width="1000" height="140" alt="%s" /></td></tr></table>`, esc(u.FullName))
	b.WriteString(`<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0" class="nav"><tr>`)
	b.WriteString(`<td><a href="/">首&nbsp;&nbsp;页</a></td>`)
	secs := hanwebStyle{}.Sections(u)
	fmt.Fprintf(b, `<td><a href="%s">%s</a></td>`, secs[0].Path, secs[0].Label)
	fmt.Fprintf(b, `<td><a href="%s">%s</a></td>`, u.link(u.HubPath), esc(hubText(u, u.HubLabel)))
	for _, s := range secs[1:] {
		if !s.Footer {
			fmt.Fprintf(b, `<td><a href="%s">%s</a></td>`, s.Path, s.Label)
		}
	}
	b.p(`</tr></table>`)
}

func (hanwebStyle) close(b *w, u *Unit) {
	b.p(`<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0" class="bottom"><tr><td align="center">`)
	for _, s := range (hanwebStyle{}).Sections(u) {
		if s.Footer {
			b.p(`<a href="%s">%s</a>&nbsp;|&nbsp;`, s.Path, s.Label)
		}
	}
	b.p(`<a href="javascript:void(0)" onclick="window.external.addFavorite(location.href,document.title)">加入收藏</a><br />`)
	b.p(`版权所有：%s&nbsp;&nbsp;地址：%s&nbsp;&nbsp;邮编：%s<br />`, esc(u.FullName), esc(u.Profile.Address), u.Profile.Postcode)
	b.p(`网站标识码：%s&nbsp;&nbsp;%s&nbsp;&nbsp;%s<br />`, u.Profile.SiteCode, u.Profile.ICP, u.Profile.Police)
	b.p(`技术支持：南京大汉网络有限公司`)
	b.p(`</td></tr></table>`)
	b.p(`</body>`)
	b.p(`</html>`)
}

// leftMenu lists every linked column, as Hanweb portals and list pages do.
func (hanwebStyle) leftMenu(b *w, u *Unit) {
	b.p(`<div class="left-title">政府信息公开</div>`)
	b.p(`<ul class="left-menu">`)
	for i, c := range linkedColumns(u) {
		inner, title := colLink(u, c, i, esc)
		b.p(`<li><a href="%s" target="_blank"%s>%s</a></li>`, u.link(c.Path), titleAttr(title), inner)
	}
	b.p(`</ul>`)
}

func (h hanwebStyle) frame(b *w, u *Unit, title string, body func()) {
	b.p(`<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0"><tr>`)
	b.p(`<td width="220" valign="top" class="left">`)
	h.leftMenu(b, u)
	b.p(`</td>`)
	b.p(`<td valign="top" class="right">`)
	b.p(`<div class="dqwz">您当前的位置：<a href="/">首页</a> &gt;&gt; <a href="%s">%s</a> &gt;&gt; %s</div>`, u.HubPath, esc(u.HubLabel), esc(truncate(title, 24)))
	body()
	b.p(`</td></tr></table>`)
}

func (h hanwebStyle) portal(b *w, u *Unit) {
	b.p(`<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0"><tr>`)
	b.p(`<td width="220" valign="top" class="left">`)
	h.leftMenu(b, u)
	b.p(`</td><td valign="top" class="center">`)
	if c := u.Column("news"); c != nil && c.State != ColumnMissing {
		b.p(`<table width="100%%" border="0" cellspacing="0" cellpadding="0"><tr><td class="lm-title"><a href="%s">%s</a></td><td align="right"><a href="%s">more&gt;&gt;</a></td></tr></table>`, c.Path, esc(c.Label), c.Path)
		b.p(`<table width="100%%" border="0" cellspacing="0" cellpadding="0">`)
		items := listPage(c, 0)
		for _, it := range items[:min(len(items), u.v.portalNews)] {
			b.p(`<tr><td><img src="/images/dot.gif" /> <a href="%s" target="_blank" title="%s">%s</a></td><td width="80">%s</td></tr>`, u.link(it.Path), esc(it.Title), esc(truncate(it.Title, 24)), esc(shortDate(u, it.Date)))
		}
		b.p(`</table>`)
	}
	b.p(`</td><td width="240" valign="top" class="right">`)
	for _, l := range u.PortalLinks {
		b.p(`<div class="zt"><a href="%s" target="_blank"><img src="%s" width="240" height="60" alt="%s" /></a></div>`, l.Path, l.Image, esc(l.Text))
	}
	b.p(`</td></tr></table>`)
}

func (hanwebStyle) pager(b *w, u *Unit, c *Column, page int) {
	n := len(c.PagePaths)
	first, prev, next, last := pagerLabels(u)
	b.WriteString(`<div class="page" align="center">`)
	fmt.Fprintf(b, `共%d条&nbsp;分%d页&nbsp;当前第%d页&nbsp;`, len(c.Items), n, page+1)
	if page > 0 {
		fmt.Fprintf(b, `<a href="%s">%s</a>&nbsp;<a href="%s">%s</a>&nbsp;`, u.pageHref(c, 0), esc(first), u.pageHref(c, page-1), esc(prev))
	} else {
		fmt.Fprintf(b, `%s&nbsp;%s&nbsp;`, esc(first), esc(prev))
	}
	if page < n-1 {
		fmt.Fprintf(b, `<a href="%s">%s</a>&nbsp;<a href="%s">%s</a>`, u.pageHref(c, page+1), esc(next), u.pageHref(c, n-1), esc(last))
	} else {
		fmt.Fprintf(b, `%s&nbsp;%s`, esc(next), esc(last))
	}
	b.p(`</div>`)
}

func (hanwebStyle) blocks(b *w, u *Unit, c *Column) {
	b.p(`<div class="bt-title">%s</div>`, esc(c.Label))
	b.p(`<div id="zoom">`)
	for _, x := range pageBlocks(u, c) {
		switch {
		case x.Leader != nil:
			b.p(`<table width="100%%" border="0" cellspacing="0" cellpadding="4" class="ld">`)
			b.p(`<tr><td rowspan="%d" width="130"><img src="/picture/0/%s" width="120" height="160" alt="%s" /></td><td><b>%s</b></td></tr>`, len(x.Fields)+1, x.Leader.Photo, esc(x.Leader.Name), esc(x.Leader.Name))
			for i, f := range x.Fields {
				b.p(`<tr><td>%s：%s</td></tr>`, esc(x.Labels[i]), esc(leaderLine(x.Leader, f)))
			}
			b.p(`</table>`)
		case x.Field != "" && len(x.Lines) == 1:
			b.p(`<p>%s：%s</p>`, esc(x.Label), esc(x.Lines[0]))
		case x.Field != "":
			b.p(`<p><strong>%s</strong></p>`, esc(x.Label))
			for _, l := range x.Lines {
				b.p(`<p style="text-indent:2em">%s</p>`, esc(l))
			}
		case x.Heading != "":
			b.p(`<p><b>%s</b></p>`, esc(x.Heading))
		default:
			b.p(`<p style="text-indent:2em">%s</p>`, esc(x.Text))
		}
	}
	for _, l := range c.Links {
		b.p(`<p><a href="%s" target="_blank">%s</a></p>`, l.Path, esc(l.Text))
	}
	b.p(`</div>`)
}

// hanwebLabel spaces out three-character labels (索 引 号) when the site does.
func hanwebLabel(u *Unit, label string) string {
	rs := []rune(label)
	if u.v.spaced && len(rs) == 3 {
		return strings.Join(strings.Split(label, ""), " ")
	}
	return label
}

func (h hanwebStyle) article(b *w, u *Unit, rt *route) {
	it := rt.item
	if it.Doc != nil {
		dateFmt := isoDate
		if u.v.chinaMeta {
			dateFmt = cnDate
		}
		rows := docMeta(it, docFields(u), dateFmt)
		b.p(`<div class="xxgk_top">`)
		for i := 0; i < len(rows); i += 2 {
			b.WriteString(`<div class="row">`)
			for j := i; j < i+2 && j < len(rows); j++ {
				colon := "："
				if j%3 == 2 {
					colon = " ："
				}
				fmt.Fprintf(b, `<span class="w50">%s%s%s</span>`, esc(hanwebLabel(u, rows[j].Label)), colon, esc(rows[j].Value))
			}
			b.p(`</div>`)
		}
		b.p(`</div>`)
	}
	b.p(`<div class="title" align="center"><h2>%s</h2></div>`, esc(it.Title))
	if it.Doc == nil {
		b.p(`<div class="info" align="center">发布日期：%s&nbsp;&nbsp;来源：%s&nbsp;&nbsp;浏览次数：<span id="hits">%d</span>&nbsp;&nbsp;字体：[<a href="javascript:doZoom(16)">大</a> <a href="javascript:doZoom(14)">中</a> <a href="javascript:doZoom(12)">小</a>]</div>`,
			isoDate(it.Date), esc(it.Source), 100+it.Num*13%900)
	}
	b.p(`<div id="zoom">`)
	for _, p := range articleText(it) {
		b.p(`<p style="text-indent:2em">%s</p>`, esc(p))
	}
	personTable(b, it)
	if it.AnnualReport != nil {
		reportBody(b, it.AnnualReport, func(h string) string { return `<p style="text-indent:2em"><b>` + h + `</b></p>` })
	}
	b.p(`</div>`)
	for _, a := range it.Attachments {
		b.p(`<p>附件：<a href="%s" target="_blank">%s</a></p>`, a.Path, esc(a.Text))
	}
	if x := interpretationLink(it); x != nil {
		b.p(`<p>相关解读：<a href="%s" target="_blank">%s</a></p>`, u.link(x.Path), esc(x.Title))
	}
	if x := interpretedDoc(it); x != nil {
		b.p(`<p>相关文件：<a href="%s" target="_blank">%s</a></p>`, u.link(x.Path), esc(x.Title))
	}
	b.p(`<div align="center"><a href="javascript:window.print()">【打印本页】</a>&nbsp;<a href="javascript:window.close()">【关闭窗口】</a></div>`)
}

// Hanweb's jpage lists (variant page-jpage): the column page ships the
// first group of records (three pages) in a data store the browser's
// jpage.js shows, and asks the list proxy for the next groups:
// dataproxy.jsp?startrecord=46&endrecord=90&perpage=15 with the column's
// own parameters. Real sites answer both GET and POST; the sim answers GET.

// jpageGroup is how many pages of records a group holds.
const jpageGroup = 3

// jpageProxyPath is the list proxy of a Hanweb site.
const jpageProxyPath = "/module/web/jpage/dataproxy.jsp"

// jpageParams are a column's proxy parameters, as its page names them.
func jpageParams(u *Unit, c *Column) string {
	return fmt.Sprintf("col=1&appid=1&webid=%d&path=/&columnid=%d&unitid=%d&webname=%s&permissiontype=0",
		hanwebBase(u)%97+1, c.Num, 4000000+c.Num, url.QueryEscape(u.FullName))
}

// jpageProxy is the proxy request for records start..end of column c.
func jpageProxy(u *Unit, c *Column, start, end, perPage int) string {
	return fmt.Sprintf("%s?startrecord=%d&endrecord=%d&perpage=%d&%s", jpageProxyPath, start, end, perPage, jpageParams(u, c))
}

// jpageRecord is one record: an item's row in a table of its own, as
// Hanweb writes it.
func jpageRecord(u *Unit, it *Item) string {
	return fmt.Sprintf(`<table width="100%%" border="0" cellspacing="0" cellpadding="0"><tr><td class="bt"><a href="%s" title="%s" target="_blank">%s</a></td><td class="bt_time">%s</td></tr></table>`,
		it.Path, esc(it.Title), esc(it.Title), esc(listDate(u, it.Date)))
}

// jpageList writes a column page's jpage list: the data store of the first
// group and the script that pages it.
func jpageList(b *w, u *Unit, c *Column) {
	unit := 4000000 + c.Num
	b.p(`<div id="%d"><script type="text/xml"><datastore>`, unit)
	b.p(`<nextgroup><![CDATA[<a href="%s?page=1&%s"></a>]]></nextgroup>`, jpageProxyPath, jpageParams(u, c))
	b.p(`<recordset>`)
	for _, it := range listPage(c, 0) {
		b.p(`<record><![CDATA[%s]]></record>`, jpageRecord(u, it))
	}
	b.p(`</recordset></datastore></script>`)
	b.p(`<script language="javascript" src="/module/web/jpage/jpage.js"></script>`)
	b.p(`<script>$(document).ready(function(){ $('#%d').jpage({ dataStore: dataStore, perPage: %d, totalRecord: %d, proxyUrl: '%s', groupSize: %d }); });</script></div>`,
		unit, c.PerPage/jpageGroup, len(c.Items), jpageProxyPath, jpageGroup)
}

// jpageAnswer is the proxy's answer for a request's query: the records
// asked for, as a data store.
func jpageAnswer(u *Unit, query string) string {
	q, _ := url.ParseQuery(query)
	num, _ := strconv.Atoi(q.Get("columnid"))
	start, _ := strconv.Atoi(q.Get("startrecord"))
	end, _ := strconv.Atoi(q.Get("endrecord"))
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n<datastore>\n<recordset>\n")
	for _, c := range u.Columns {
		if c.Num != num || c.State != ColumnPresent || !c.IsList() {
			continue
		}
		for i := max(start, 1); i <= min(end, len(c.Items)); i++ {
			b.WriteString("<record><![CDATA[" + jpageRecord(u, c.Items[i-1]) + "]]></record>\n")
		}
	}
	b.WriteString("</recordset>\n</datastore>\n")
	return b.String()
}
