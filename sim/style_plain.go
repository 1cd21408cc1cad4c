package sim

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// plainStyle imitates hand-made sites: UTF-8 with no charset declared
// anywhere, a portal that links some columns (one only by an image button
// whose alt text names it) and a disclosure directory page linking the
// rest, items in <div class="item"> blocks dated 2025年7月12日 (some sites
// in full-width digits), numbered page links (index.html, list_2.html …),
// link texts wrapped in <span> or <em>, and document metadata as <dl>
// pairs or "发布日期：2025-07-12" lines.
type plainStyle struct{}

func (plainStyle) Name() string { return "plain" }

func (plainStyle) Plan(u *Unit, r *rand.Rand) {
	u.v = variant{dlMeta: chance(r, 0.5), fullWidth: chance(r, 0.25), tableFields: chance(r, 0.4), portalNews: between(r, 5, 8)}
	u.HubLabel = pick(r, []string{"信息公开目录", "政务公开", "信息公开"})
	u.HubPath = "/xxgk/index.html"
	per := between(r, 15, 20)
	for i, c := range u.Columns {
		c.Dir = colDir(c, i)
		c.PerPage = per
		if c.State == ColumnMissing {
			continue
		}
		c.Path = "/xxgk/" + c.Dir + "/index.html"
		if c.IsList() {
			c.PagePaths = []string{c.Path}
			for p := 2; p <= pageCount(len(c.Items), per); p++ {
				c.PagePaths = append(c.PagePaths, fmt.Sprintf("/xxgk/%s/list_%d.html", c.Dir, p))
			}
		}
		for _, it := range c.Items {
			d := it.Date
			it.Path = fmt.Sprintf("/xxgk/%s/%d/%02d%02d%04d.html", c.Dir, d.Year, int(d.Month), d.Day, it.Num)
			for k, a := range it.Attachments {
				a.Path = fmt.Sprintf("/uploads/%d/%02d/%d_%d%s", d.Year, int(d.Month), it.Num, k+1, a.ext)
			}
		}
		for k, l := range c.Links {
			if l.ext != "" {
				l.Path = fmt.Sprintf("/uploads/files/%s_%d%s", c.Dir, k+1, l.ext)
			} else {
				l.Path = "/" + l.slug + ".html"
			}
		}
	}
	for _, l := range u.PortalLinks {
		l.Path = "/zt/" + l.slug + ".html"
	}
}

func (plainStyle) Sections(u *Unit) []*Section {
	return []*Section{
		{Label: "办事服务", Path: "/bsfw.html"},
		{Label: "互动交流", Path: "/hdjl.html"},
		{Label: "联系我们", Path: "/lxwm.html", Footer: true},
	}
}

func (plainStyle) Assets(u *Unit) []*Asset {
	out := []*Asset{
		textAsset("/style.css", "text/css", "body{font-size:14px;margin:0}.item{border-bottom:1px dashed #ccc;padding:4px}\n"),
		imageAsset("/img/top.jpg"),
	}
	if c := imageColumn(u); c != nil {
		out = append(out, imageAsset("/img/btn_"+c.Dir+".gif"))
	}
	for _, l := range u.Leaders {
		out = append(out, imageAsset("/img/"+l.Photo))
	}
	return out
}

var fullDigits = strings.NewReplacer("0", "０", "1", "１", "2", "２", "3", "３", "4", "４", "5", "５", "6", "６", "7", "７", "8", "８", "9", "９")

// wrap wraps a link text in <span> or <em>, as hand-made pages do.
func wrap(i int, text string) string {
	switch i % 3 {
	case 0:
		return "<span>" + esc(text) + "</span>"
	case 1:
		return "<em>" + esc(text) + "</em>"
	}
	return esc(text)
}

func (p plainStyle) Render(u *Unit, rt *route) string {
	var b w
	title := pageTitle(u, rt)
	b.p(`<html>`)
	b.p(`<head>`)
	if title == u.FullName {
		b.p(`<title>%s</title>`, esc(title))
	} else {
		b.p(`<title>%s - %s</title>`, esc(title), esc(u.FullName))
	}
	if t := baseTag(u, rt); t != "" {
		b.p("%s", t)
	}
	b.p(`<link rel="stylesheet" type="text/css" href="/style.css">`)
	b.p(`</head>`)
	b.p(`<body>`)
	b.p(`<div id="top"><img src="/img/top.jpg" width="960" height="120" alt="%s"></div>`, esc(u.FullName))
	b.WriteString(`<div id="menu"><a href="/">首页</a> | `)
	fmt.Fprintf(&b, `<a href="%s"><span>%s</span></a> | `, u.link(u.HubPath), esc(hubText(u, u.HubLabel)))
	for _, s := range p.Sections(u) {
		if !s.Footer {
			fmt.Fprintf(&b, `<a href="%s">%s</a> | `, s.Path, s.Label)
		}
	}
	b.p(`</div>`)
	switch rt.kind {
	case routePortal:
		p.portal(&b, u)
	case routeHub:
		p.crumbs(&b, u, "")
		b.p(`<h2>%s</h2>`, esc(u.HubLabel))
		b.p(`<table width="960" border="1" cellspacing="0" cellpadding="6">`)
		for i, c := range linkedColumns(u) {
			inner, title := colLink(u, c, i, func(t string) string { return wrap(i, t) })
			b.p(`<tr><td><a href="%s"%s>%s</a></td></tr>`, u.link(c.Path), titleAttr(title), inner)
		}
		b.p(`</table>`)
	case routeList:
		c := rt.col
		p.crumbs(&b, u, c.Label)
		b.p(`<h2>%s</h2>`, esc(c.Label))
		key := c.PagePaths[rt.page]
		renderSidebar(&b, u, key, 1)
		if c.State == ColumnExplained {
			b.p(`<div class="list">`)
			b.p(`<p>%s</p>`, esc(c.Explanation))
			b.p(`</div>`)
		} else {
			renderList(&b, u, c, rt.page)
		}
		switch {
		case len(c.PagePaths) <= 1:
		case u.f.pager == VarPageNumbered:
			b.WriteString(`<div class="pages">页码：`)
			for i := range c.PagePaths {
				if i == rt.page {
					fmt.Fprintf(&b, ` <b>%d</b>`, i+1)
				} else {
					fmt.Fprintf(&b, ` <a href="%s">%d</a>`, u.pageHref(c, i), i+1)
				}
			}
			b.p(`</div>`)
		default:
			prevNextPager(&b, u, c, rt.page)
		}
		renderSidebar(&b, u, key, 2)
	case routePage:
		p.crumbs(&b, u, rt.col.Label)
		b.p(`<h2>%s</h2>`, esc(rt.col.Label))
		p.blocks(&b, u, rt.col)
	case routeItem:
		p.crumbs(&b, u, rt.col.Label)
		p.article(&b, u, rt)
	case routeSection:
		p.crumbs(&b, u, "")
		b.p(`<h2>%s</h2><p>%s%s。</p>`, esc(rt.section.Label), esc(u.FullName), esc(rt.section.Label))
	default:
		b.p(`<h2>404</h2><p>页面不存在，可能已被删除或移动。</p><p><a href="/">返回首页</a></p>`)
	}
	b.p(`<hr>`)
	b.p(`<div id="foot">`)
	for _, s := range p.Sections(u) {
		if s.Footer {
			b.p(`<a href="%s">%s</a>`, s.Path, s.Label)
		}
	}
	b.p(`<p>%s 版权所有　地址：%s</p>`, esc(u.FullName), esc(u.Profile.Address))
	b.p(`<p>网站标识码：%s　%s　%s</p>`, u.Profile.SiteCode, u.Profile.ICP, u.Profile.Police)
	b.p(`<p>电子邮箱：<a href="mailto:%s">%s</a></p>`, u.Profile.Email, u.Profile.Email)
	b.p(`</div>`)
	b.p(`</body>`)
	b.p(`</html>`)
	return b.String()
}

func (plainStyle) crumbs(b *w, u *Unit, last string) {
	b.WriteString(`<div class="crumb">您现在的位置：<a href="/">首页</a>`)
	if last != "" {
		fmt.Fprintf(b, ` &gt; <a href="%s">%s</a> &gt; %s`, u.HubPath, esc(u.HubLabel), esc(truncate(last, 20)))
	} else {
		b.WriteString(` &gt; ` + esc(u.HubLabel))
	}
	b.p(`</div>`)
}

func (p plainStyle) portal(b *w, u *Unit) {
	b.p(`<table width="960" align="center" border="0"><tr><td valign="top" width="260">`)
	b.p(`<div class="box"><h3>信息公开</h3><ul>`)
	cols := linkedColumns(u)
	for i, c := range cols[:min(len(cols), plainPortalColumns)] {
		inner, title := colLink(u, c, i, func(t string) string { return wrap(i, t) })
		b.p(`<li><a href="%s"%s>%s</a></li>`, u.link(c.Path), titleAttr(title), inner)
	}
	b.p(`</ul>`)
	b.p(`<p><a href="%s">更多栏目……</a></p>`, u.link(u.HubPath))
	if c := imageColumn(u); c != nil {
		b.p(`<p><a href="%s"><img src="/img/btn_%s.gif" width="240" height="50" border="0" alt="%s"></a></p>`, u.link(c.Path), c.Dir, esc(c.Label))
	}
	b.p(`</div>`)
	if len(u.PortalLinks) > 0 {
		b.p(`<div class="box"><h3>专题</h3>`)
		for _, l := range u.PortalLinks {
			b.p(`<p><a href="%s">%s</a></p>`, l.Path, esc(l.Text))
		}
		b.p(`</div>`)
	}
	b.p(`</td><td valign="top">`)
	if c := u.Column("news"); c != nil && c.State != ColumnMissing && !c.ImageLink {
		items := listPage(c, 0)
		for _, it := range items[:min(len(items), u.v.portalNews)] {
			b.p(`<div class="item"><a href="%s">%s</a> <span class="date">%s</span></div>`, u.link(it.Path), esc(it.Title), esc(shortDate(u, it.Date)))
		}
	}
	b.p(`</td></tr></table>`)
}

func (plainStyle) blocks(b *w, u *Unit, c *Column) {
	dl := false
	endDL := func() {
		if dl {
			b.p(`</dl>`)
			dl = false
		}
	}
	for _, x := range pageBlocks(u, c) {
		switch {
		case x.Leader != nil:
			endDL()
			b.p(`<div class="leader"><img src="/img/%s" width="100" alt="%s"><h3>%s</h3>`, x.Leader.Photo, esc(x.Leader.Name), esc(x.Leader.Name))
			for i, f := range x.Fields {
				b.p(`<p>%s：%s</p>`, esc(x.Labels[i]), esc(leaderLine(x.Leader, f)))
			}
			b.p(`</div>`)
		case x.Field != "" && u.v.tableFields:
			if !dl {
				b.p(`<dl>`)
				dl = true
			}
			b.p(`<dt>%s</dt><dd>%s</dd>`, esc(x.Label), escLines(x.Lines, "<br>"))
		case x.Field != "":
			b.p(`<h3>%s</h3>`, esc(x.Label))
			for _, l := range x.Lines {
				b.p(`<p>%s</p>`, esc(l))
			}
		case x.Heading != "":
			endDL()
			b.p(`<h4>%s</h4>`, esc(x.Heading))
		default:
			endDL()
			b.p(`<p>%s</p>`, esc(x.Text))
		}
	}
	endDL()
	for _, l := range c.Links {
		b.p(`<p><a href="%s">%s</a></p>`, l.Path, esc(l.Text))
	}
}

func (p plainStyle) article(b *w, u *Unit, rt *route) {
	it := rt.item
	b.p(`<h1>%s</h1>`, esc(it.Title))
	if it.Doc != nil {
		rows := docMeta(it, docFields(u), isoDate)
		switch {
		case u.f.meta == VarMetaLabelStrong:
			b.p(`<div class="meta">`)
			for _, r := range rows {
				b.p(`<p><strong>%s</strong>：%s</p>`, esc(r.Label), esc(r.Value))
			}
			b.p(`</div>`)
		case u.f.meta == VarMetaLabelElement:
			b.p(`<dl class="meta">`)
			for _, r := range rows {
				b.p(`<dd><label><font>%s：</font></label><div class="display-block">%s</div></dd>`, esc(spaceOut(r.Label)), esc(r.Value))
			}
			b.p(`</dl>`)
		case u.v.dlMeta:
			b.p(`<dl class="meta">`)
			for _, r := range rows {
				b.p(`<dt>%s</dt><dd>%s</dd>`, esc(r.Label), esc(r.Value))
			}
			b.p(`</dl>`)
		default:
			b.p(`<div class="meta">`)
			for _, r := range rows {
				b.p(`<p>%s：%s</p>`, esc(r.Label), esc(r.Value))
			}
			b.p(`</div>`)
		}
	} else {
		b.p(`<p class="date">发布日期：%s</p>`, isoDate(it.Date))
	}
	b.p(`<div class="text">`)
	for _, x := range articleText(it) {
		b.p(`<p>%s</p>`, esc(x))
	}
	personTable(b, it)
	if it.AnnualReport != nil {
		reportBody(b, it.AnnualReport, func(h string) string { return `<h3>` + h + `</h3>` })
	}
	b.p(`</div>`)
	for _, a := range it.Attachments {
		b.p(`<p>附件：<a href="%s">%s</a></p>`, a.Path, esc(a.Text))
	}
	if x := interpretationLink(it); x != nil {
		b.p(`<p>相关解读：<a href="%s">%s</a></p>`, u.link(x.Path), esc(x.Title))
	}
	if x := interpretedDoc(it); x != nil {
		b.p(`<p>相关文件：<a href="%s">%s</a></p>`, u.link(x.Path), esc(x.Title))
	}
}

// spaceOut writes a label as sites that pad it do: 索 引 号 with en spaces
// for three characters, 文　　号 with ideographic spaces for two.
func spaceOut(label string) string {
	rs := []rune(label)
	switch len(rs) {
	case 2:
		return string(rs[0]) + "\u3000\u3000" + string(rs[1])
	case 3:
		return string(rs[0]) + "\u2002" + string(rs[1]) + "\u2002" + string(rs[2])
	}
	return label
}
