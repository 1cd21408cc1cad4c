package sim

import (
	"math/rand/v2"
	"slices"
	"strings"
	"unicode/utf8"
)

// Markup variants: the ways real unit sites differ in how they link their
// columns, lay out lists, write dates, page, encode and mark up documents.
// Each unit records the variants its site uses in Unit.Variants; the ids
// are stable and part of the sim's contract with the tests (every id occurs
// in the default district). Variants are never defects: a clean unit in any
// variant has no findings, and the truth is the same whatever the markup.
const (
	// Discovery.
	VarDiscoverSpanEm     = "discover-span-em"     // link text inside <span>/<em>
	VarDiscoverImgAlt     = "discover-img-alt"     // a column linked only by <img alt>
	VarDiscoverHubDepth1  = "discover-hub-depth1"  // columns reached through one hub page
	VarDiscoverHubDepth2  = "discover-hub-depth2"  // portal → 政务公开 → 法定主动公开内容 → columns
	VarDiscoverDecorated  = "discover-decorated"   // 【X】, X>>, · X, X(12), 政务　公开
	VarDiscoverAlias      = "discover-alias"       // a column shown under an alias
	VarDiscoverOverride   = "discover-override"    // a column linked nowhere; its URL is in the units file
	VarDiscoverTitleAttr  = "discover-title-attr"  // icon or caption link whose title attribute names the column
	VarListLiSpan         = "list-li-span"         // <li><a>…</a><span>date</span></li>
	VarListTableRows      = "list-table-rows"      // table rows
	VarListDivBlocks      = "list-div-blocks"      // <div class="item">
	VarListDateFirst      = "list-date-first"      // the date precedes the link
	VarListDateInLink     = "list-date-in-link"    // the date inside the anchor
	VarListFlatRun        = "list-flat-run"        // <a>…</a><span>date</span><br/> with no per-item element
	VarListDL             = "list-dl"              // <dl><dt><a/></dt><dd>date</dd></dl> per item
	VarListMultiUL        = "list-multi-ul"        // several <ul class="list"> of five items
	VarListSidebarWidget  = "list-sidebar-widget"  // a 最新动态 widget of news items beside every list
	VarTitleAttrTruncated = "title-attr-truncated" // truncated link text, full title attribute
	VarBaseHref           = "base-href"            // <base href> and hrefs relative to it
	VarDateISO            = "date-iso"             // 2025-07-12
	VarDateSlash          = "date-slash"           // 2025/7/12
	VarDateDots           = "date-dots"            // 2025.07.12
	VarDateCN             = "date-cn"              // 2025年7月12日
	VarDateBracket        = "date-bracket"         // [2025-07-12]
	VarDateLabel          = "date-label"           // 发布日期：2025-07-12
	VarDateFullWidth      = "date-fullwidth"       // ２０２５年７月１２日 or ２０２５－０７－１２
	VarDateYearless       = "date-yearless"        // (07-12) under a year heading
	VarPageTRSScript      = "page-trs-script"      // createPageHTML(N, i, "index", "html")
	VarPageTRSScript6     = "page-trs-script6"     // createPageHTML('page_div', N, i, 'index', 'html', total)
	VarPageXiayiye        = "page-next-xiayiye"    // 下一页
	VarPageXiaye          = "page-next-xiaye"      // 下页
	VarPageEn             = "page-next-en"         // Next / Next ›
	VarPageGt             = "page-next-gt"         // > or »
	VarPageNumbered       = "page-numbered"        // numbered page links
	VarPageQuery          = "page-query"           // ?pageIndex=N
	VarEncUTF8Header      = "enc-utf8-header"      // UTF-8 declared in the Content-Type header
	VarEncUTF8Undeclared  = "enc-utf8-undeclared"  // UTF-8, no charset anywhere
	VarEncGBKMeta         = "enc-gbk-meta"         // GBK, <meta http-equiv> says gb2312
	VarEncGBKHeader       = "enc-gbk-header"       // GBK, charset=GBK in the header only
	VarEncGB18030Meta     = "enc-gb18030-meta"     // GB18030, <meta charset="gb18030">
	VarEncGBKUndeclared   = "enc-gbk-undeclared"   // GBK, no charset anywhere
	VarMetaTable          = "meta-table"           // document metadata in a table
	VarMetaSpans          = "meta-spans"           // label/value spans
	VarMetaDL             = "meta-dl"              // <dl> pairs
	VarMetaLines          = "meta-lines"           // 标签：值 lines
	VarMetaNational       = "meta-national"        // the national page-design <meta> tags
	VarInterpByLink       = "interp-by-link"       // an interpretation links to its document
	VarInterpByTitle      = "interp-by-title"      // an interpretation quotes its document's title in 《》

	// Annual reports: how the report an evaluator judges (the one due as of
	// the district's date) is marked up.
	VarReportHeadingH2     = "report-heading-h2"     // section headings in <h2>
	VarReportHeadingStrong = "report-heading-strong" // section headings as <p><strong>
	VarReportHeadingDiv    = "report-heading-div"    // section headings as <div class="title">
	VarReportNumberParen   = "report-number-paren"   // sections numbered （一）
	VarReportNumberPart    = "report-number-part"    // sections numbered 第一部分
	VarReportNumberArabic  = "report-number-arabic"  // sections numbered 1.
	VarReportTableThead    = "report-table-thead"    // header rows in <thead> with <th> cells
	VarReportTableWrap     = "report-table-wrap"     // tables inside <div class="table-wrap">
	VarReportSubtotals     = "report-subtotals"      // table 三 prints 小计 rows for its groups
	VarReportGroupRows     = "report-group-rows"     // table 三's group rows carry subtotals; sub-rows indented
	VarReportFullWidth     = "report-fullwidth"      // table 三's 总计 column in full-width digits
	VarReportThousands     = "report-thousands"      // figures like 1,234
	VarReportProse         = "report-prose"          // figures in prose, no tables
	VarReportTitleCNYear   = "report-title-cn-year"  // the title names the year as 二〇二五年

	// Markup families learnt from the corpus of real pages
	// (crawler/testdata/real): each is a shape a real page showed and an
	// earlier reader misread.
	VarListDLRows         = "list-dl-rows"           // one <dl> per item: <dd><a title>…</a></dd><dd>date</dd>
	VarMetaLabelStrong    = "meta-label-strong"      // <p><strong>索引号</strong>：value</p> (shanxi-news-doc)
	VarMetaLabelElement   = "meta-label-element"     // <dd><label><font>索 引 号：</font></label><div>value</div></dd>
	VarMetaValueElsewhere = "meta-value-elsewhere"   // 发文机关 is the unit's name, which every page's header prints alone
	VarPubDateMetaLater   = "pubdate-meta-later"     // the PubDate meta is the page's regeneration time (gansu-fzgg-doc)
	VarHeadingColumnName  = "heading-column-name"    // a page column headed by its name, 机构设置 (zhecheng-guide-page)
	VarPageOnclick        = "page-onclick"           // pager links href="javascript:;" onclick="location.href='…'"
	VarListTemplateDecoy  = "list-template-decoy"    // an unbound template list beside the real one (jiangxi-sthjt-list, nmpa-datasearch-list)
	VarPortalMeta         = "portal-redirect-meta"   // the root page holds only a meta refresh to the portal (daozhen-bmgk-redirect)
	VarPortalScript       = "portal-redirect-script" // a script sends phones and browsers to different portals (daozhen-zwgk-redirect)
	VarPortalFrameset     = "portal-frameset"        // the root page is a frameset whose main frame is the portal
	VarPageJpage          = "page-jpage"             // Hanweb jpage: a data store of the first group, the rest from dataproxy.jsp
	VarReportWord         = "report-word-markup"     // the report pasted from Word: <ucapcontent>, <o:p>, <font>, labels split over spans (shuyang-fgj-report-2023)
	VarReportPDF          = "report-pdf"             // the report published as a PDF the list links (hongze-report-2023)
	VarReportPDFScan      = "report-pdf-scan"        // the report published as a scanned PDF, pictures without a text layer: a notice, never judged
	VarReportDOCX         = "report-docx"            // the report published as a DOCX on a short page (pingtan-report-2019-made)
	VarListScriptOnly     = "list-script-only"       // a list a script fills from a JSON service (jilin-ggzy-list): read with --render
)

// AllVariants returns every variant id, sorted.
func AllVariants() []string {
	out := []string{
		VarDiscoverSpanEm, VarDiscoverImgAlt, VarDiscoverHubDepth1, VarDiscoverHubDepth2,
		VarDiscoverDecorated, VarDiscoverAlias, VarDiscoverOverride, VarDiscoverTitleAttr,
		VarListLiSpan, VarListTableRows, VarListDivBlocks, VarListDateFirst, VarListDateInLink,
		VarListFlatRun, VarListDL, VarListMultiUL, VarListSidebarWidget, VarTitleAttrTruncated, VarBaseHref,
		VarDateISO, VarDateSlash, VarDateDots, VarDateCN, VarDateBracket, VarDateLabel, VarDateFullWidth, VarDateYearless,
		VarPageTRSScript, VarPageTRSScript6, VarPageXiayiye, VarPageXiaye, VarPageEn, VarPageGt, VarPageNumbered, VarPageQuery,
		VarEncUTF8Header, VarEncUTF8Undeclared, VarEncGBKMeta, VarEncGBKHeader, VarEncGB18030Meta, VarEncGBKUndeclared,
		VarMetaTable, VarMetaSpans, VarMetaDL, VarMetaLines, VarMetaNational, VarInterpByLink, VarInterpByTitle,
		VarReportHeadingH2, VarReportHeadingStrong, VarReportHeadingDiv, VarReportNumberParen, VarReportNumberPart,
		VarReportNumberArabic, VarReportTableThead, VarReportTableWrap, VarReportSubtotals, VarReportGroupRows,
		VarReportFullWidth, VarReportThousands, VarReportProse, VarReportTitleCNYear,
		VarListDLRows, VarMetaLabelStrong, VarMetaLabelElement, VarMetaValueElsewhere, VarPubDateMetaLater,
		VarHeadingColumnName, VarPageOnclick, VarListTemplateDecoy, VarPortalMeta, VarPortalScript, VarPortalFrameset, VarPageJpage,
		VarReportWord, VarReportPDF, VarReportPDFScan, VarReportDOCX, VarListScriptOnly,
	}
	slices.Sort(out)
	return out
}

// features are the markup choices dealt to a unit by the district (on top
// of its style's own choices in variant). Empty strings mean the style's
// default; resolveFeatures fills them in after the style's Plan.
type features struct {
	list      string // list markup: a VarList… id
	date      string // list date format: a VarDate… id
	pager     string // pagination: a VarPage… id
	enc       string // encoding: a VarEnc… id
	sidebar   int    // 0: no 最新动态 widget; 1: before the list; 2: after it
	baseHref  bool   // pages carry <base href> and relative hrefs
	decorated bool   // column and hub link texts decorated
	depth2    bool   // the directory is nested two hubs deep (TRS)
	titleAttr string // the column linked by an icon or caption with a title attribute
	titleText string // that link's visible text ("" for an icon alone)
	alt       int    // picks between the sub-forms of a variant (0 or 1)
	meta      string // document metadata markup: "" (the style's) or a VarMeta… id
	nameBar   bool   // every page's header prints the unit's name alone
	pubLater  bool   // the PubDate meta is later than the document's 发布日期
	decoy     bool   // list pages carry an unbound template list beside the real one
	portal    string // the root page only redirects: "" or a VarPortal… id
	scriptCol string // the list column a script fills from a JSON service ("" for none)
}

// deal is one markup variant the district deals to some units.
type deal struct {
	id     string
	styles []string
	ok     func(u *Unit) bool // further eligibility; nil: any unit of the styles
	set    func(u *Unit, r *rand.Rand)
}

// dealsPerVariant is how many units each dealt variant goes to: two in the
// district, more in a larger fleet.
func dealsPerVariant(n int) int { return max(2, n/24) }

// overrideCandidates are the columns a unit may keep unlinked (its URL in
// the units file): present, not the portal's news, not an image link.
func overrideCandidates(u *Unit) []*Column {
	var out []*Column
	for _, c := range u.Columns {
		if c.State == ColumnPresent && !c.ImageLink && c.ID != "news" && c.ID != u.f.titleAttr {
			out = append(out, c)
		}
	}
	return out
}

// titleCaptions are the visible texts of a title-attribute link per column:
// texts that name no column and no hub, so only the title attribute does.
var titleCaptions = map[string]string{"annual-report": "年报专栏", "guide": "公开指引"}

func titleAttrCandidates(u *Unit) []*Column {
	var out []*Column
	for _, id := range []string{"annual-report", "guide"} {
		if c := u.Column(id); c != nil && c.State != ColumnMissing && !c.ImageLink && !c.Override {
			out = append(out, c)
		}
	}
	return out
}

// paged reports whether some list column of the unit surely spans more
// than one list page (styles put 15 to 20 items on a page).
func paged(u *Unit) bool {
	for _, c := range u.Columns {
		if c.State == ColumnPresent && c.IsList() && len(c.Items) > 20 {
			return true
		}
	}
	return false
}

// scriptCandidates are the lists a unit may have a script fill: present,
// holding items, no defect planted on them, and none whose items another
// check reads (documents, interpretations, reports) or the portal shows.
func scriptCandidates(u *Unit) []*Column {
	var out []*Column
	for _, c := range u.Columns {
		switch c.ID {
		case "documents", "interpretations", "annual-report", "news":
			continue
		}
		if c.State != ColumnPresent || !c.IsList() || len(c.Items) == 0 || c.Override || c.ImageLink {
			continue
		}
		if slices.ContainsFunc(u.Defects, func(d Defect) bool { return d.Column == c.ID }) {
			continue
		}
		out = append(out, c)
	}
	return out
}

// hasDocuments reports whether the unit lists documents (whose pages carry
// the metadata block).
func hasDocuments(u *Unit) bool {
	c := u.Column("documents")
	return c != nil && c.State == ColumnPresent && len(c.Items) > 0
}

// functionsLacksOffices reports whether the unit's 机构职能 page leaves out
// 内设机构: headed by 机构设置 (an alias of both), the page must still be
// found lacking it.
func functionsLacksOffices(u *Unit) bool {
	c := u.Column("functions")
	return c != nil && c.State == ColumnPresent && !c.Override && !c.ImageLink && c.FieldLabels != nil && c.FieldLabels["内设机构"] == ""
}

func hasNews(u *Unit) bool {
	c := u.Column("news")
	return c != nil && c.State == ColumnPresent && len(c.Items) >= 5 && !c.Override
}

var deals = []deal{
	{id: VarListDateFirst, styles: []string{"trs", "plain"}, set: func(u *Unit, _ *rand.Rand) { u.f.list = VarListDateFirst }},
	{id: VarListDateInLink, styles: []string{"trs", "plain"}, set: func(u *Unit, _ *rand.Rand) { u.f.list = VarListDateInLink }},
	{id: VarListFlatRun, styles: []string{"plain"}, set: func(u *Unit, _ *rand.Rand) { u.f.list = VarListFlatRun }},
	{id: VarListDL, styles: []string{"plain", "hanweb"}, set: func(u *Unit, _ *rand.Rand) { u.f.list = VarListDL }},
	{id: VarListMultiUL, styles: []string{"trs"}, set: func(u *Unit, _ *rand.Rand) { u.f.list = VarListMultiUL }},

	{id: VarDateDots, styles: []string{"trs", "hanweb", "plain"}, set: func(u *Unit, _ *rand.Rand) { u.f.date = VarDateDots }},
	{id: VarDateLabel, styles: []string{"hanweb", "plain", "trs"}, set: func(u *Unit, _ *rand.Rand) { u.f.date = VarDateLabel }},
	{id: VarDateYearless, styles: []string{"trs", "plain"}, set: func(u *Unit, _ *rand.Rand) { u.f.date = VarDateYearless }},
	{id: VarDateFullWidth, styles: []string{"plain"}, set: func(u *Unit, _ *rand.Rand) { u.f.date = VarDateFullWidth }},

	{id: VarPageTRSScript6, styles: []string{"trs"}, ok: paged, set: func(u *Unit, _ *rand.Rand) { u.f.pager = VarPageTRSScript6 }},
	{id: VarPageXiaye, styles: []string{"hanweb", "plain"}, ok: paged, set: func(u *Unit, _ *rand.Rand) { u.f.pager = VarPageXiaye }},
	{id: VarPageEn, styles: []string{"plain"}, ok: paged, set: func(u *Unit, _ *rand.Rand) { u.f.pager = VarPageEn }},
	{id: VarPageGt, styles: []string{"hanweb", "plain"}, ok: paged, set: func(u *Unit, _ *rand.Rand) { u.f.pager = VarPageGt }},
	{id: VarPageJpage, styles: []string{"hanweb"}, ok: paged, set: func(u *Unit, _ *rand.Rand) { u.f.pager = VarPageJpage }},

	{id: VarEncGBKHeader, styles: []string{"hanweb"}, set: func(u *Unit, _ *rand.Rand) { u.f.enc = VarEncGBKHeader }},
	{id: VarEncGB18030Meta, styles: []string{"hanweb"}, set: func(u *Unit, _ *rand.Rand) { u.f.enc = VarEncGB18030Meta }},
	{id: VarEncGBKUndeclared, styles: []string{"plain"}, set: func(u *Unit, _ *rand.Rand) { u.f.enc = VarEncGBKUndeclared }},

	{id: VarListSidebarWidget, styles: []string{"trs", "hanweb", "plain"}, ok: hasNews,
		set: func(u *Unit, r *rand.Rand) { u.f.sidebar = 1 + r.IntN(2) }},
	{id: VarBaseHref, styles: []string{"hanweb", "plain"}, set: func(u *Unit, _ *rand.Rand) { u.f.baseHref = true }},
	{id: VarDiscoverDecorated, styles: []string{"trs", "hanweb", "plain"}, set: func(u *Unit, _ *rand.Rand) { u.f.decorated = true }},
	{id: VarDiscoverHubDepth2, styles: []string{"trs"}, set: func(u *Unit, _ *rand.Rand) { u.f.depth2 = true }},
	{id: VarDiscoverTitleAttr, styles: []string{"trs", "hanweb", "plain"},
		ok: func(u *Unit) bool { return len(titleAttrCandidates(u)) > 0 },
		set: func(u *Unit, r *rand.Rand) {
			c := pick(r, titleAttrCandidates(u))
			u.f.titleAttr = c.ID
			if r.IntN(2) == 1 {
				u.f.titleText = titleCaptions[c.ID]
			}
		}},
	{id: VarListDLRows, styles: []string{"trs", "plain"}, set: func(u *Unit, _ *rand.Rand) { u.f.list = VarListDLRows }},
	{id: VarPageOnclick, styles: []string{"plain"}, ok: paged, set: func(u *Unit, _ *rand.Rand) { u.f.pager = VarPageOnclick }},
	{id: VarMetaLabelStrong, styles: []string{"plain"}, ok: hasDocuments, set: func(u *Unit, _ *rand.Rand) { u.f.meta = VarMetaLabelStrong }},
	{id: VarMetaLabelElement, styles: []string{"plain"}, ok: hasDocuments, set: func(u *Unit, _ *rand.Rand) { u.f.meta = VarMetaLabelElement }},
	{id: VarMetaValueElsewhere, styles: []string{"trs"}, ok: hasDocuments, set: func(u *Unit, _ *rand.Rand) { u.f.nameBar = true }},
	{id: VarPubDateMetaLater, styles: []string{"trs"}, ok: hasDocuments, set: func(u *Unit, _ *rand.Rand) { u.f.pubLater = true }},
	{id: VarHeadingColumnName, styles: []string{"plain", "trs"}, ok: functionsLacksOffices, set: func(u *Unit, _ *rand.Rand) { u.Column("functions").Label = "机构设置" }},
	{id: VarListTemplateDecoy, styles: []string{"trs", "hanweb", "plain"}, set: func(u *Unit, _ *rand.Rand) { u.f.decoy = true }},
	{id: VarListScriptOnly, styles: []string{"trs", "plain"}, ok: func(u *Unit) bool { return len(scriptCandidates(u)) > 0 },
		set: func(u *Unit, r *rand.Rand) { u.f.scriptCol = pick(r, scriptCandidates(u)).ID }},
	{id: VarPortalMeta, styles: []string{"trs", "hanweb", "plain"}, set: func(u *Unit, _ *rand.Rand) { u.f.portal = VarPortalMeta }},
	{id: VarPortalScript, styles: []string{"trs", "hanweb", "plain"}, set: func(u *Unit, _ *rand.Rand) { u.f.portal = VarPortalScript }},
	{id: VarPortalFrameset, styles: []string{"trs", "hanweb", "plain"}, set: func(u *Unit, _ *rand.Rand) { u.f.portal = VarPortalFrameset }},
	{id: VarDiscoverOverride, styles: []string{"trs", "hanweb", "plain"},
		ok:  func(u *Unit) bool { return len(overrideCandidates(u)) > 0 },
		set: func(u *Unit, r *rand.Rand) { pick(r, overrideCandidates(u)).Override = true }},
}

// dealVariants deals the markup variants over the district's reachable
// units: each to dealsPerVariant units, rotating over the styles that can
// show it and preferring units that carry fewer dealt variants, so the
// variants spread and no unit carries everything. It runs after the units'
// content and defects are in place and before their styles lay them out,
// and draws only from r, so the content stays what it would be without it.
func dealVariants(d *District, r *rand.Rand) {
	var units []*Unit
	for _, u := range d.Units {
		u.f.alt = r.IntN(2)
		if u.Role != RoleUnreachable {
			units = append(units, u)
		}
	}
	load := map[*Unit]int{}
	taken := func(u *Unit, id string) bool {
		switch {
		case id == VarListSidebarWidget:
			return u.f.sidebar != 0
		case id == VarBaseHref:
			return u.f.baseHref
		case id == VarDiscoverDecorated:
			return u.f.decorated
		case id == VarDiscoverHubDepth2:
			return u.f.depth2
		case id == VarDiscoverTitleAttr:
			return u.f.titleAttr != ""
		case id == VarDiscoverOverride:
			return slices.ContainsFunc(u.Columns, func(c *Column) bool { return c.Override })
		case id == VarMetaLabelStrong || id == VarMetaLabelElement:
			return u.f.meta != ""
		case id == VarMetaValueElsewhere:
			return u.f.nameBar
		case id == VarPubDateMetaLater:
			return u.f.pubLater
		case id == VarListTemplateDecoy:
			return u.f.decoy
		case strings.HasPrefix(id, "portal-"):
			return u.f.portal != ""
		case id == VarListScriptOnly:
			return u.f.scriptCol != ""
		case id == VarHeadingColumnName:
			return u.Column("functions") != nil && u.Column("functions").Label == "机构设置"
		case id[:5] == "list-":
			return u.f.list != ""
		case id[:5] == "date-":
			return u.f.date != ""
		case id[:5] == "page-":
			return u.f.pager != ""
		case id[:4] == "enc-":
			return u.f.enc != ""
		}
		return false
	}
	n := dealsPerVariant(len(units))
	for _, dl := range deals {
		start := r.IntN(len(dl.styles))
		for k := 0; k < n; k++ {
			var best *Unit
			for s := 0; s < len(dl.styles) && best == nil; s++ {
				style := dl.styles[(start+k+s)%len(dl.styles)]
				order := r.Perm(len(units))
				for _, i := range order {
					u := units[i]
					if u.Style != style || taken(u, dl.id) || (dl.ok != nil && !dl.ok(u)) {
						continue
					}
					if best == nil || load[u] < load[best] {
						best = u
					}
				}
			}
			if best == nil {
				break
			}
			dl.set(best, r)
			load[best]++
		}
	}
	for _, u := range units {
		if u.f.enc == VarEncGB18030Meta && len(u.Leaders) > 1 {
			// A name with a character GBK lacks (U+36C3, CJK Extension A, four bytes in GB18030).
			l := &u.Leaders[len(u.Leaders)-1]
			first, _ := utf8.DecodeRuneInString(l.Name)
			l.Name = string(first) + "㛃"
		}
	}
}

// resolveFeatures fills in the style's defaults for what was not dealt,
// after the style's Plan made its own choices.
func resolveFeatures(u *Unit) {
	f := &u.f
	switch u.Style {
	case "trs":
		f.list = cmpOr(f.list, VarListLiSpan)
		f.date = cmpOr(f.date, VarDateISO)
		f.pager = cmpOr(f.pager, VarPageTRSScript)
		f.enc = cmpOr(f.enc, VarEncUTF8Header)
	case "hanweb":
		f.list = cmpOr(f.list, VarListTableRows)
		if u.v.dateFmt == 1 {
			f.date = cmpOr(f.date, VarDateSlash)
		}
		f.date = cmpOr(f.date, VarDateBracket)
		f.pager = cmpOr(f.pager, VarPageXiayiye)
		f.enc = cmpOr(f.enc, VarEncGBKMeta)
	default:
		f.list = cmpOr(f.list, VarListDivBlocks)
		if u.v.fullWidth {
			f.date = cmpOr(f.date, VarDateFullWidth)
		}
		f.date = cmpOr(f.date, VarDateCN)
		f.pager = cmpOr(f.pager, VarPageNumbered)
		f.enc = cmpOr(f.enc, VarEncUTF8Undeclared)
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// tagVariants lists the variants the unit's site actually shows, sorted.
func tagVariants(u *Unit) []string {
	if u.Role == RoleUnreachable {
		return nil
	}
	set := map[string]bool{}
	f := u.f
	items, paged, long := false, false, false
	for _, c := range u.Columns {
		if c.State != ColumnPresent || !c.IsList() {
			continue
		}
		if len(c.Items) > 0 {
			items = true
		}
		if len(c.PagePaths) > 1 {
			paged = true
		}
		for _, it := range c.Items {
			if utf8.RuneCountInString(it.Title) > trsTitleRunes {
				long = true
			}
		}
	}
	linked := linkedColumns(u)
	switch u.Style {
	case "plain":
		set[VarDiscoverSpanEm] = len(linked) > 0
		set[VarDiscoverHubDepth1] = len(linked) > plainPortalColumns
	case "trs":
		set[VarDiscoverHubDepth1] = !f.depth2
		set[VarTitleAttrTruncated] = items && long
	}
	set[VarDiscoverImgAlt] = imageColumn(u) != nil
	set[VarDiscoverHubDepth2] = f.depth2
	set[VarDiscoverDecorated] = f.decorated
	set[VarDiscoverTitleAttr] = f.titleAttr != ""
	for _, c := range u.Columns {
		if c.Override {
			set[VarDiscoverOverride] = true
		}
		if c.State != ColumnMissing && !c.Override && c.Label != c.Spec.Name {
			set[VarDiscoverAlias] = true
		}
	}
	set[f.list] = items
	set[f.date] = items
	set[VarListSidebarWidget] = f.sidebar != 0 && sidebarItems(u) != nil
	set[VarBaseHref] = f.baseHref
	set[f.pager] = paged || f.pager == VarPageJpage && items
	set[VarPageQuery] = paged && u.Style == "hanweb" && f.pager != VarPageJpage
	set[f.enc] = true
	set[VarListTemplateDecoy] = f.decoy && items
	set[f.portal] = f.portal != ""
	set[VarListScriptOnly] = f.scriptCol != ""
	if c := u.Column("functions"); c != nil && c.State == ColumnPresent && c.Label == "机构设置" {
		set[VarHeadingColumnName] = true
	}
	if hasDocuments(u) {
		set[VarMetaValueElsewhere] = f.nameBar
		set[VarPubDateMetaLater] = f.pubLater
		if f.meta != "" {
			set[f.meta] = true
		}
	}
	if docs := u.Column("documents"); docs != nil && docs.State == ColumnPresent && len(docs.Items) > 0 && f.meta == "" {
		switch u.Style {
		case "trs":
			set[VarMetaTable] = true
			set[VarMetaNational] = true
		case "hanweb":
			set[VarMetaSpans] = true
		default:
			set[VarMetaDL] = u.v.dlMeta
			set[VarMetaLines] = !u.v.dlMeta
		}
	}
	if c := u.Column("interpretations"); c != nil && c.State == ColumnPresent {
		for _, it := range c.Items {
			if it.Interprets == nil || it.Interprets.Path == "" {
				continue
			}
			if interpretedDoc(it) != nil {
				set[VarInterpByLink] = true
			} else if it.Tie == TieQuote {
				set[VarInterpByTitle] = true
			}
		}
	}
	for _, v := range reportVariants(u) {
		set[v] = true
	}
	var out []string
	for id, on := range set {
		if on && id != "" {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// reportVariants lists the variants the unit's judged annual report shows.
func reportVariants(u *Unit) []string {
	col := u.Column("annual-report")
	if col == nil || col.State != ColumnPresent {
		return nil
	}
	var it *Item
	for _, x := range col.Items {
		if x.AnnualReport != nil && x.AnnualReport.Year == u.reportYear {
			it = x
		}
	}
	if it == nil {
		return nil
	}
	a := it.AnnualReport
	var out []string
	add := func(on bool, id string) {
		if on {
			out = append(out, id)
		}
	}
	add(a.look.file == filePDF && !a.look.scanned, VarReportPDF)
	add(a.look.scanned, VarReportPDFScan)
	add(a.look.file == fileDOCX, VarReportDOCX)
	add(a.look.word && a.look.file == fileNone, VarReportWord)
	if a.look.file != fileNone || a.look.word {
		return out // the page shows none of the plain markup
	}
	add(a.look.tag == tagH2, VarReportHeadingH2)
	add(a.look.tag == tagStrong, VarReportHeadingStrong)
	add(a.look.tag == tagDiv, VarReportHeadingDiv)
	add(a.look.number == numberParen, VarReportNumberParen)
	add(a.look.number == numberPart, VarReportNumberPart)
	add(a.look.number == numberArabic, VarReportNumberArabic)
	add(strings.Contains(it.Title, cnYear(a.Year)), VarReportTitleCNYear)
	add(a.Prose, VarReportProse)
	if a.Prose {
		return out
	}
	t3 := !a.NoTable[1]
	add(a.look.thead && (t3 || !a.NoTable[2]), VarReportTableThead)
	add(a.look.wrap, VarReportTableWrap)
	add(t3 && a.look.subtotals == subtotalsXiaoji, VarReportSubtotals)
	add(t3 && a.look.subtotals == subtotalsGroupRow, VarReportGroupRows)
	add(t3 && a.look.fullWidth, VarReportFullWidth)
	thousands := false
	for _, r := range a.t3Rows() {
		for _, c := range r.cells {
			thousands = thousands || strings.Contains(c, ",")
		}
	}
	add(thousands, VarReportThousands)
	return out
}
