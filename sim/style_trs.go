package sim

import (
	"fmt"
	"gongkai/evidence"
	"math/rand/v2"
	"slices"
	"strings"

	"gongkai/rules"
)

// trsStyle imitates TRS WCM sites: UTF-8 declared in the Content-Type
// header, a portal that leads to a disclosure hub (信息公开) listing the
// columns, list pages /col/<dir>/index.html paged by the createPageHTML
// script (index_1.html …), items ./YYYYMM/tYYYYMMDD_N.html with truncated
// link texts and full title attributes, and document pages with the
// national page-design metas and a metadata table of two pairs per row.
type trsStyle struct{}

// columnDirs are the pinyin directory names sites use for each column.
var columnDirs = map[string]string{
	"guide": "gkzn", "functions": "jgzn", "leaders": "ldxx", "documents": "zcwj",
	"interpretations": "zcjd", "planning": "ghxx", "statistics": "tjxx", "budget": "czyjs",
	"key-areas": "zdly", "personnel": "rsxx", "news": "gzdt", "notices": "tzgg",
	"annual-report": "ndbg", "gazette": "zfgb", "application": "ysqgk",
}

func colDir(c *Column, i int) string {
	if d, ok := columnDirs[c.ID]; ok {
		return d
	}
	return fmt.Sprintf("lm%02d", i+1)
}

func (trsStyle) Name() string { return "trs" }

func (trsStyle) Plan(u *Unit, r *rand.Rand) {
	u.v = variant{tableFields: chance(r, 0.5), portalNews: between(r, 6, 8), chinaMeta: chance(r, 0.3)}
	u.HubLabel = pick(r, []string{"信息公开", "政府信息公开"})
	u.HubPath = "/col/xxgk/index.html"
	if u.f.depth2 {
		// 政务公开 → 法定主动公开内容 → columns.
		u.HubLabel, u.HubPath = "政务公开", "/col/zwgk/index.html"
		u.InnerHubLabel, u.InnerHubPath = []string{"法定主动公开内容", "政府信息公开目录"}[u.f.alt], "/col/xxgk/index.html"
	}
	per := between(r, 15, 20)
	base := 4000000 + r.IntN(900000)
	for i, c := range u.Columns {
		c.Dir = colDir(c, i)
		c.PerPage = per
		if c.State == ColumnMissing {
			continue
		}
		c.Path = "/col/" + c.Dir + "/index.html"
		if c.IsList() {
			c.PagePaths = []string{c.Path}
			for p := 1; p < pageCount(len(c.Items), per); p++ {
				c.PagePaths = append(c.PagePaths, fmt.Sprintf("/col/%s/index_%d.html", c.Dir, p))
			}
		}
		for _, it := range c.Items {
			d := it.Date
			it.Path = fmt.Sprintf("/col/%s/%04d%02d/t%04d%02d%02d_%d.html", c.Dir, d.Year, int(d.Month), d.Year, int(d.Month), d.Day, base+it.Num*7)
			for k, a := range it.Attachments {
				a.Path = fmt.Sprintf("/col/%s/%04d%02d/P0%04d%02d%02d%06d%03d%s", c.Dir, d.Year, int(d.Month), d.Year, int(d.Month), d.Day, it.Num, k+1, a.ext)
			}
		}
		for k, l := range c.Links {
			if l.ext != "" {
				l.Path = fmt.Sprintf("/col/%s/P0201903%04d%06d%s", c.Dir, u.Index, k+1, l.ext)
			} else {
				l.Path = "/col/" + l.slug + "/index.html"
			}
		}
	}
	for _, l := range u.PortalLinks {
		l.Path = "/zt/" + l.slug + "/index.html"
		l.Image = "/images/zt/" + l.slug + ".jpg"
	}
}

func (trsStyle) Sections(u *Unit) []*Section {
	var hub []*Section
	if u.f.depth2 {
		hub = []*Section{
			{Label: "政策法规库", Path: "/col/zcfgk/index.html", hub: true},
			{Label: "建议提案办理", Path: "/col/jytabl/index.html", hub: true},
			{Label: "新闻发布会", Path: "/col/xwfbh/index.html", hub: true},
		}
	}
	return append(hub, []*Section{
		{Label: "新闻中心", Path: "/col/xwzx/index.html"},
		{Label: "政务服务", Path: "/col/zwfw/index.html"},
		{Label: "互动交流", Path: "/col/hdjl/index.html"},
		{Label: "专题专栏", Path: "/col/ztzl/index.html"},
		{Label: "网站地图", Path: "/col/wzdt/index.html", Footer: true},
		{Label: "联系我们", Path: "/col/lxwm/index.html", Footer: true},
		{Label: "网站声明", Path: "/col/wzsm/index.html", Footer: true},
	}...)
}

func (trsStyle) Assets(u *Unit) []*Asset {
	out := []*Asset{
		textAsset("/css/common.css", "text/css", "body{margin:0;font:14px/1.8 \"Microsoft YaHei\",SimSun;}.w1200{width:1200px;margin:0 auto}.clearfix:after{content:\"\";display:block;clear:both}\n"),
		textAsset("/js/jquery.min.js", "application/javascript", "/*! jQuery v1.12.4 | (c) jQuery Foundation | jquery.org/license */\n"),
		textAsset("/js/common.js", "application/javascript", trsScriptFor(u)),
		imageAsset("/images/logo.png"),
		imageAsset("/images/xxgk.png"),
		imageAsset("/images/ga.png"),
	}
	for _, l := range u.PortalLinks {
		out = append(out, imageAsset(l.Image))
	}
	for _, l := range u.Leaders {
		out = append(out, imageAsset("/images/ld/"+l.Photo))
	}
	return out
}

// trsScript defines the pager the list pages call, as TRS sites do; it
// writes the page links in the browser only.
const trsScript = `function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){
	if(_nPageCount == null || _nPageCount<=1){ return; }
	var nCurrIndex = _nCurrIndex || 0;
	if(nCurrIndex == 0) document.write("<span>首页</span>&nbsp;");
	else document.write("<a href=\""+_sPageName+"."+_sPageExt+"\">首页</a>&nbsp;");
	for(var i=1;i<_nPageCount;i++){
		if(nCurrIndex == i) document.write("<span>"+(i+1)+"</span>&nbsp;");
		else document.write("<a href=\""+_sPageName+"_" + i + "."+_sPageExt+"\">"+(i+1)+"</a>&nbsp;");
	}
}
function doZoom(size){ document.getElementById('zoom').style.fontSize=size+'px'; }
`

// trsScript6 is the newer pager: it writes into an element and is told the
// item count as well.
const trsScript6 = `function createPageHTML(_sId, _nPageCount, _nCurrIndex, _sPageName, _sPageExt, _nRecordCount){
	var el = document.getElementById(_sId); if(!el || _nPageCount == null || _nPageCount<=1){ return; }
	var h = "<span>共" + _nRecordCount + "条</span> ", nCurrIndex = _nCurrIndex || 0;
	h += nCurrIndex == 0 ? "<span>首页</span> " : "<a href=\""+_sPageName+"."+_sPageExt+"\">首页</a> ";
	if(nCurrIndex > 0) h += "<a href=\""+_sPageName+(nCurrIndex-1 > 0 ? "_" + (nCurrIndex-1) : "")+"."+_sPageExt+"\">上一页</a> ";
	if(nCurrIndex < _nPageCount-1) h += "<a href=\""+_sPageName+"_" + (nCurrIndex+1) +"."+_sPageExt+"\">下一页</a> ";
	h += "<a href=\""+_sPageName+"_" + (_nPageCount-1) +"."+_sPageExt+"\">尾页</a>";
	el.innerHTML = h;
}
function doZoom(size){ document.getElementById('zoom').style.fontSize=size+'px'; }
`

func trsScriptFor(u *Unit) string {
	if u.f.pager == VarPageTRSScript6 {
		return trsScript6
	}
	return trsScript
}

func (s trsStyle) Render(u *Unit, rt *route) string {
	var b w
	title := pageTitle(u, rt)
	var metas []string
	if rt.kind == routeItem {
		it := rt.item
		metas = []string{
			meta("SiteName", u.FullName), meta("SiteDomain", "www.bjhr.gov.cn"), meta("SiteIDCode", u.Profile.SiteCode),
			meta("ColumnName", rt.col.Label), meta("ColumnType", rt.col.Spec.Name),
			meta("ArticleTitle", it.Title), meta("PubDate", fmt.Sprintf("%s %02d:%02d", pubDateMeta(u, it), 8+it.Num%10, it.Num*7%60)),
			meta("ContentSource", it.Source), meta("Keywords", rt.col.Label), meta("Description", truncate(it.Title, 60)),
		}
	}
	s.open(&b, u, title, metas)
	switch rt.kind {
	case routePortal:
		s.portal(&b, u)
	case routeHub:
		if u.InnerHubPath != "" {
			s.outerHub(&b, u)
			break
		}
		s.directory(&b, u)
	case routeInnerHub:
		s.directory(&b, u)
	case routeList:
		s.crumbs(&b, u, rt.col)
		b.p(`<div class="w1200 clearfix main">`)
		s.menu(&b, u)
		renderSidebar(&b, u, rt.col.PagePaths[rt.page], 1)
		c := rt.col
		b.p(`<div class="right-con"><div class="list-tit"><h3>%s</h3></div>`, esc(c.Label))
		switch c.State {
		case ColumnExplained:
			b.p(`<div class="no-data"><p>%s</p></div>`, esc(c.Explanation))
		default:
			renderList(&b, u, c, rt.page)
		}
		if u.f.pager == VarPageTRSScript6 {
			b.p(`<div class="page" id="page_div"></div><script type="text/javascript">createPageHTML('page_div', %d, %d, 'index', 'html', %d);</script>`, max(1, len(c.PagePaths)), rt.page, len(c.Items))
		} else {
			b.p(`<div class="page"><script type="text/javascript">createPageHTML(%d, %d, "index", "html");</script></div>`, max(1, len(c.PagePaths)), rt.page)
		}
		b.p(`</div>`)
		renderSidebar(&b, u, rt.col.PagePaths[rt.page], 2)
		b.p(`</div>`)
	case routePage:
		s.crumbs(&b, u, rt.col)
		b.p(`<div class="w1200 clearfix main">`)
		s.menu(&b, u)
		b.p(`<div class="right-con"><div class="list-tit"><h3>%s</h3></div><div class="content">`, esc(rt.col.Label))
		s.blocks(&b, u, rt.col)
		b.p(`</div></div></div>`)
	case routeItem:
		s.crumbs(&b, u, rt.col)
		s.article(&b, u, rt)
	case routeSection:
		b.p(`<div class="position w1200">当前位置：<a href="/">首页</a> &gt; <span>%s</span></div>`, esc(rt.section.Label))
		b.p(`<div class="w1200 main"><h2>%s</h2><p>%s围绕群众关切，持续做好%s相关工作。</p></div>`, esc(rt.section.Label), esc(u.FullName), esc(rt.section.Label))
	default:
		b.p(`<div class="w1200 main error-page"><h2>404</h2><p>抱歉，您访问的页面不存在或已被删除！</p><p><a href="/">返回首页</a></p></div>`)
	}
	s.close(&b, u)
	return b.String()
}

// directory renders the disclosure directory: the page that links every
// column (the hub, or the inner hub of a nested directory).
func (s trsStyle) directory(b *w, u *Unit) {
	s.crumbs(b, u, nil)
	b.p(`<div class="w1200 clearfix main">`)
	s.menu(b, u)
	b.p(`<div class="right-con"><div class="xxgk-intro"><p>本目录依据《中华人民共和国政府信息公开条例》编制，按栏目集中公开本机关的政府信息。</p></div>`)
	b.p(`<div class="xxgk-grid clearfix">`)
	for i, c := range linkedColumns(u) {
		inner, title := colLink(u, c, i, esc)
		b.p(`<div class="grid-item"><a href="%s" target="_blank"%s>%s</a></div>`, c.Path, titleAttr(title), inner)
	}
	b.p(`</div></div></div>`)
}

// outerHub renders the 政务公开 page of a nested directory: it leads to the
// inner hub and to pages that are no column.
func (s trsStyle) outerHub(b *w, u *Unit) {
	b.p(`<div class="position w1200">当前位置：<a href="/">首页</a> &gt; <span>%s</span></div>`, esc(u.HubLabel))
	b.p(`<div class="w1200 clearfix main zwgk">`)
	b.p(`<div class="zwgk-banner"><h2>%s</h2><p>%s坚持以公开为常态、不公开为例外，推进决策、执行、管理、服务、结果公开。</p></div>`, esc(u.HubLabel), esc(u.FullName))
	b.p(`<div class="zwgk-entry clearfix">`)
	b.p(`<div class="entry-item big"><a href="%s"><img src="/images/xxgk.png" alt="" /><span>%s</span></a></div>`, u.InnerHubPath, esc(u.InnerHubLabel))
	for _, sec := range s.Sections(u) {
		if sec.hub {
			b.p(`<div class="entry-item"><a href="%s">%s</a></div>`, sec.Path, esc(sec.Label))
		}
	}
	b.p(`</div></div>`)
}

// pubDateMeta is the date of a page's PubDate meta: its item's date, or on a
// site that regenerates its pages (variant pubdate-meta-later) a date weeks
// after it, as the regeneration stamps it.
func pubDateMeta(u *Unit, it *Item) evidence.Date {
	if u.f.pubLater && it.Doc != nil {
		return it.Date.AddDays(17 + it.Num%20)
	}
	return it.Date
}

func meta(name, content string) string {
	return fmt.Sprintf(`<meta name="%s" content="%s" />`, name, esc(content))
}

func (trsStyle) open(b *w, u *Unit, title string, metas []string) {
	b.p(`<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">`)
	b.p(`<html xmlns="http://www.w3.org/1999/xhtml">`)
	b.p(`<head>`)
	b.p(`<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />`)
	b.p(`<meta http-equiv="X-UA-Compatible" content="IE=edge,chrome=1" />`)
	if title == u.FullName {
		b.p(`<title>%s</title>`, esc(title))
	} else {
		b.p(`<title>%s_%s</title>`, esc(title), esc(u.FullName))
	}
	for _, m := range metas {
		b.p("%s", m)
	}
	b.p(`<link href="/css/common.css" rel="stylesheet" type="text/css" />`)
	b.p(`<script type="text/javascript" src="/js/jquery.min.js"></script>`)
	b.p(`<script type="text/javascript" src="/js/common.js"></script>`)
	b.p(`</head>`)
	b.p(`<body>`)
	b.p(`<div class="top-bar"><div class="w1200 clearfix"><div class="fl">欢迎访问%s网站！</div><div class="fr"><a href="javascript:void(0);" onclick="SetHome(this,window.location)">设为首页</a> | <a href="javascript:void(0);" onclick="AddFavorite(window.location,document.title)">加入收藏</a> | <a href="javascript:;" id="wza">无障碍浏览</a> | <a href="javascript:;">长者模式</a></div></div></div>`, esc(u.FullName))
	if u.f.nameBar {
		b.p(`<div class="unit-name">%s</div>`, esc(u.FullName))
	}
	b.p(`<div class="header"><div class="w1200 clearfix"><a href="/" class="logo"><img src="/images/logo.png" alt="%s" /></a><div class="search-box"><input type="text" id="searchword" placeholder="请输入关键字" /><button type="button" onclick="return false;">搜索</button></div></div></div>`, esc(u.FullName))
	b.p(`<div class="nav"><div class="w1200"><ul class="clearfix">`)
	b.p(`<li class="on"><a href="/">首页</a></li>`)
	secs := slices.DeleteFunc(trsStyle{}.Sections(u), func(s *Section) bool { return s.hub })
	b.p(`<li><a href="%s">%s</a></li>`, secs[0].Path, secs[0].Label)
	b.p(`<li><a href="%s">%s</a></li>`, u.HubPath, esc(hubText(u, u.HubLabel)))
	for _, s := range secs[1:] {
		if !s.Footer {
			b.p(`<li><a href="%s">%s</a></li>`, s.Path, s.Label)
		}
	}
	b.p(`</ul></div></div>`)
}

func (trsStyle) close(b *w, u *Unit) {
	b.p(`<div class="footer"><div class="w1200">`)
	b.WriteString(`<div class="footer-links">`)
	for _, s := range (trsStyle{}).Sections(u) {
		if s.Footer {
			fmt.Fprintf(b, `<a href="%s">%s</a> | `, s.Path, s.Label)
		}
	}
	b.p(`<a href="javascript:;" onclick="window.scrollTo(0,0)">返回顶部</a></div>`)
	b.p(`<p>主办单位：%s　地址：%s　邮编：%s</p>`, esc(u.FullName), esc(u.Profile.Address), u.Profile.Postcode)
	b.p(`<p>网站标识码：%s　%s　<img src="/images/ga.png" alt="" />%s</p>`, u.Profile.SiteCode, u.Profile.ICP, u.Profile.Police)
	b.p(`<p>建议使用1366×768分辨率浏览本网站</p>`)
	b.p(`</div></div>`)
	b.p(`</body>`)
	b.p(`</html>`)
}

func (trsStyle) crumbs(b *w, u *Unit, c *Column) {
	b.WriteString(`<div class="position w1200">当前位置：<a href="/">首页</a> &gt; `)
	fmt.Fprintf(b, `<a href="%s">%s</a>`, u.HubPath, esc(u.HubLabel))
	if u.InnerHubPath != "" {
		fmt.Fprintf(b, ` &gt; <a href="%s">%s</a>`, u.InnerHubPath, esc(u.InnerHubLabel))
	}
	if c != nil && !c.ImageLink && !c.Override {
		fmt.Fprintf(b, ` &gt; <a href="%s">%s</a>`, c.Path, esc(c.Label))
	} else if c != nil {
		fmt.Fprintf(b, ` &gt; <span>%s</span>`, esc(c.Label))
	}
	b.p(`</div>`)
}

func (trsStyle) menu(b *w, u *Unit) {
	b.p(`<div class="left-menu"><h2>公开目录</h2><ul>`)
	for i, c := range linkedColumns(u) {
		inner, _ := colLink(u, c, i, esc)
		b.p(`<li><a href="%s" title="%s">%s</a></li>`, c.Path, esc(c.Label), inner)
	}
	b.p(`</ul></div>`)
}

func (trsStyle) portal(b *w, u *Unit) {
	b.p(`<div class="banner w1200">`)
	for _, l := range u.PortalLinks {
		b.p(`<a href="%s" target="_blank" title="%s"><img src="%s" alt="%s" /></a>`, l.Path, esc(l.Text), l.Image, esc(l.Text))
	}
	b.p(`</div>`)
	b.p(`<div class="w1200 main clearfix">`)
	if c := u.Column("news"); c != nil && c.State != ColumnMissing {
		if u.InnerHubPath != "" {
			// A nested directory: the portal's news box belongs to the news
			// centre, and no column is linked before the inner hub.
			b.p(`<div class="news-box"><div class="tit"><span class="name">%s</span><a href="%s" class="more">更多&gt;&gt;</a></div><ul>`, esc(c.Label), "/col/xwzx/index.html")
		} else {
			b.p(`<div class="news-box"><div class="tit"><a href="%s" class="name">%s</a><a href="%s" class="more">更多&gt;&gt;</a></div><ul>`, c.Path, esc(c.Label), c.Path)
		}
		items := listPage(c, 0)
		for _, it := range items[:min(len(items), u.v.portalNews)] {
			b.p(`<li><a href="%s" target="_blank" title="%s">%s</a><span>%02d-%02d</span></li>`, it.Path, esc(it.Title), esc(truncate(it.Title, 26)), int(it.Date.Month), it.Date.Day)
		}
		b.p(`</ul></div>`)
	}
	b.p(`<div class="gk-entry"><a href="%s"><img src="/images/xxgk.png" alt="%s" /></a><p>%s，依法公开政府信息，接受社会监督。</p></div>`, u.HubPath, esc(u.HubLabel), esc(u.FullName))
	b.p(`</div>`)
}

// blocks renders a page column's content.
func (trsStyle) blocks(b *w, u *Unit, c *Column) {
	table := false
	endTable := func() {
		if table {
			b.p(`</table>`)
			table = false
		}
	}
	for _, x := range pageBlocks(u, c) {
		switch {
		case x.Leader != nil:
			endTable()
			b.p(`<div class="leader clearfix"><img src="/images/ld/%s" alt="%s" /><div class="info"><h4>%s</h4>`, x.Leader.Photo, esc(x.Leader.Name), esc(x.Leader.Name))
			for i, f := range x.Fields {
				b.p(`<p><strong>%s：</strong>%s</p>`, esc(x.Labels[i]), esc(leaderLine(x.Leader, f)))
			}
			b.p(`</div></div>`)
		case x.Field != "" && u.v.tableFields:
			if !table {
				b.p(`<table class="info-table" width="100%%" border="1" cellspacing="0">`)
				table = true
			}
			b.p(`<tr><th width="20%%">%s</th><td>%s</td></tr>`, esc(x.Label), escLines(x.Lines, "<br />"))
		case x.Field != "":
			if len(x.Lines) == 1 {
				b.p(`<p><strong>%s：</strong>%s</p>`, esc(x.Label), esc(x.Lines[0]))
			} else {
				b.p(`<p><strong>%s</strong></p>`, esc(x.Label))
				for _, l := range x.Lines {
					b.p(`<p>%s</p>`, esc(l))
				}
			}
		case x.Heading != "":
			endTable()
			b.p(`<h4>%s</h4>`, esc(x.Heading))
		default:
			endTable()
			b.p(`<p>%s</p>`, esc(x.Text))
		}
	}
	endTable()
	for _, l := range c.Links {
		if l.ext != "" {
			b.p(`<p class="fj">附件：<a href="%s">%s</a></p>`, relPath(c.Path, l.Path), esc(l.Text))
		} else {
			b.p(`<p><a href="%s" target="_blank">%s</a></p>`, l.Path, esc(l.Text))
		}
	}
}

func escLines(lines []string, sep string) string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = esc(l)
	}
	return strings.Join(out, sep)
}

func (trsStyle) article(b *w, u *Unit, rt *route) {
	it := rt.item
	b.p(`<div class="w1200 main article">`)
	if it.Doc != nil {
		dateFmt := isoDate
		if u.v.chinaMeta {
			dateFmt = cnDate0
		}
		fields := docFields(u)
		rows := docMeta(it, fields, dateFmt)
		b.p(`<table class="xxgk-table" width="100%%" border="0" cellspacing="0">`)
		for i := 0; i < len(rows); i += 2 {
			b.WriteString("<tr>")
			fmt.Fprintf(b, `<td class="t1">%s：</td><td class="t2">%s</td>`, esc(rows[i].Label), esc(rows[i].Value))
			if i+1 < len(rows) {
				fmt.Fprintf(b, `<td class="t1">%s：</td><td class="t2">%s</td>`, esc(rows[i+1].Label), esc(rows[i+1].Value))
			} else {
				b.WriteString(`<td class="t1"></td><td class="t2"></td>`)
			}
			b.p("</tr>")
		}
		b.p(`<tr><td class="t1">名　　称：</td><td class="t2" colspan="3">%s</td></tr>`, esc(it.Title))
		b.p(`</table>`)
	}
	b.p(`<h1>%s</h1>`, esc(it.Title))
	if it.Doc == nil {
		b.p(`<div class="info"><span>发布时间：%s</span><span>来源：%s</span><span>字号：<a href="javascript:doZoom(18)">大</a> <a href="javascript:doZoom(16)">中</a> <a href="javascript:doZoom(14)">小</a></span></div>`, isoDate(it.Date), esc(it.Source))
	}
	b.p(`<div class="content" id="zoom">`)
	for _, p := range articleText(it) {
		b.p(`<p>%s</p>`, esc(p))
	}
	personTable(b, it)
	if it.AnnualReport != nil {
		reportBody(b, it.AnnualReport, func(h string) string { return `<p class="bt"><strong>` + h + `</strong></p>` })
	}
	b.p(`</div>`)
	if len(it.Attachments) > 0 {
		b.p(`<div class="fj"><p>附件：</p><ul>`)
		for _, a := range it.Attachments {
			b.p(`<li><a href="%s" target="_blank">%s</a></li>`, relPath(it.Path, a.Path), esc(a.Text))
		}
		b.p(`</ul></div>`)
	}
	if x := interpretationLink(it); x != nil {
		b.p(`<div class="xgjd">相关解读：<a href="%s" target="_blank">%s</a></div>`, relPath(it.Path, x.Path), esc(x.Title))
	}
	if x := interpretedDoc(it); x != nil {
		b.p(`<div class="xgwj">相关文件：<a href="%s" target="_blank">%s</a></div>`, relPath(it.Path, x.Path), esc(x.Title))
	}
	b.p(`<div class="print"><a href="javascript:window.print();">【打印本页】</a> <a href="javascript:window.close();">【关闭窗口】</a></div>`)
	b.p(`</div>`)
}

// docFields returns the unit's document metadata fields from the ruleset
// it was built for.
func docFields(u *Unit) []rules.Field {
	if c := u.Column("documents"); c != nil && c.fields != nil {
		return c.fields
	}
	return nil
}
