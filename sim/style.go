package sim

import (
	"fmt"
	"html"
	"math/rand/v2"
	"strings"

	"gongkai/evidence"
	"gongkai/rules"
)

// Style is a kind of site: the URL scheme and the markup of one imitated
// content-management system. A style lays a unit's model out as paths
// (Plan) and renders each page; it decides nothing about content or defects.
// To add a style, implement the interface and list it in StyleNames and
// styleByName.
type Style interface {
	// Name is the style's id (trs, hanweb, plain).
	Name() string
	// Plan assigns paths to the unit's hub, columns, list pages, items,
	// attachments and links. It runs after content and defects are in place.
	Plan(u *Unit, r *rand.Rand)
	// Sections returns the generic (non-disclosure) pages the style links
	// from its navigation and footers.
	Sections(u *Unit) []*Section
	// Assets returns the static files (images, styles, scripts) its pages load.
	Assets(u *Unit) []*Asset
	// Render renders the page of a route as text; a route of kind 0 is the
	// 404 page. The unit's features (variants dealt by the district) shape
	// the markup; the unit's encoding (Unit.encode) makes the bytes sent.
	Render(u *Unit, r *route) string
}

// StyleNames lists the styles, the district government's first.
func StyleNames() []string { return []string{"trs", "hanweb", "plain"} }

func styleByName(name string) Style {
	switch name {
	case "hanweb":
		return hanwebStyle{}
	case "plain":
		return plainStyle{}
	}
	return trsStyle{}
}

var esc = html.EscapeString

// truncate shortens s to n runes with an ellipsis, as list pages do.
func truncate(s string, n int) string {
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	return string(rs[:n-1]) + "…"
}

func isoDate(d evidence.Date) string { return d.String() }

func slashDate(d evidence.Date) string {
	return fmt.Sprintf("%d/%d/%d", d.Year, int(d.Month), d.Day)
}

// linkedColumns returns the columns the site links by text, in display
// order: every column that is not missing, not linked only by an image and
// not left for the units file to name.
func linkedColumns(u *Unit) []*Column {
	var out []*Column
	for _, c := range u.Columns {
		if c.State != ColumnMissing && !c.ImageLink && !c.Override {
			out = append(out, c)
		}
	}
	return out
}

// imageColumn returns the column linked only by an image, or nil.
func imageColumn(u *Unit) *Column {
	for _, c := range u.Columns {
		if c.State != ColumnMissing && c.ImageLink && !c.Override {
			return c
		}
	}
	return nil
}

// listPage returns the items of page i of a list column.
func listPage(c *Column, i int) []*Item {
	if c.State != ColumnPresent || c.PerPage <= 0 {
		return nil
	}
	lo := i * c.PerPage
	hi := min(lo+c.PerPage, len(c.Items))
	if lo >= hi {
		return nil
	}
	return c.Items[lo:hi]
}

// pageCount returns the number of list pages a column needs.
func pageCount(n, per int) int {
	if n <= 0 || per <= 0 {
		return 1
	}
	return (n + per - 1) / per
}

// fieldValues returns the lines shown for a canonical field of a page column.
func fieldValues(u *Unit, name string) []string {
	switch name {
	case "办公地址":
		return []string{u.Profile.Address}
	case "办公时间":
		return []string{u.Profile.Hours}
	case "联系电话":
		return []string{u.Profile.Phone}
	case "主要职责":
		out := make([]string, len(u.Duties))
		for i, d := range u.Duties {
			out[i] = d
			if i+1 < len(cnDigits) {
				out[i] = fmt.Sprintf("（%s）%s", cnDigits[i+1], d)
			}
		}
		return out
	case "内设机构":
		return []string{strings.Join(u.Offices, "、")}
	case "负责人":
		if len(u.Leaders) > 0 {
			l := headLeader(u)
			return []string{l.Name + "（" + l.Position + "）"}
		}
	}
	return []string{"见本页相关内容。"}
}

// headLeader returns the unit's head (not the party secretary).
func headLeader(u *Unit) Leader {
	for _, l := range u.Leaders {
		if strings.HasSuffix(l.Position, u.Head) && !strings.Contains(l.Position, "副") {
			return l
		}
	}
	return u.Leaders[0]
}

// leaderValue returns the text of a per-leader field.
func leaderValue(l Leader, name string) string {
	switch name {
	case "职务":
		return l.Position
	case "分工":
		return l.Duties
	case "简历":
		return l.Resume
	}
	return ""
}

// isLeaderField reports whether a field is shown per leader.
func isLeaderField(name string) bool { return name == "职务" || name == "分工" || name == "简历" }

// metaRow is one label/value pair of a document's metadata block.
type metaRow struct{ Label, Value string }

// docMeta returns the metadata pairs a document page shows, in the order
// printed, using dateFmt for dates.
func docMeta(it *Item, fields []rules.Field, dateFmt func(evidence.Date) string) []metaRow {
	d := it.Doc
	var rows []metaRow
	val := func(name string) string {
		switch name {
		case "索引号":
			return d.Index
		case "发文机关":
			return d.Issuer
		case "发文字号":
			return d.Number
		case "成文日期":
			return dateFmt(d.Written)
		case "发布日期":
			return dateFmt(it.Date)
		}
		return "—"
	}
	for _, f := range fields {
		if l := d.Labels[f.Name]; l != "" {
			rows = append(rows, metaRow{l, val(f.Name)})
		}
		if f.Name == "索引号" {
			rows = append(rows, metaRow{"主题分类", d.Topic})
		}
	}
	rows = append(rows, metaRow{"公开方式", d.Openness})
	return rows
}

// interpretationLink returns the interpretation page a document page links
// to as 相关解读, or nil when there is none listed.
func interpretationLink(it *Item) *Item {
	if it.Doc == nil || it.Doc.Interpretation == nil || it.Doc.Interpretation.Path == "" {
		return nil
	}
	return it.Doc.Interpretation
}

// interpretedDoc returns the document an interpretation page links to, or
// nil when it ties by title only or the document is not listed.
func interpretedDoc(it *Item) *Item {
	if it.Tie != TieLink || it.Interprets == nil || it.Interprets.Path == "" {
		return nil
	}
	return it.Interprets
}

// relPath returns target relative to the directory of from, as TRS writes
// links ("./202507/t20250712_1.html", "../zcjd/...").
func relPath(from, target string) string {
	fromDir := from[:strings.LastIndex(from, "/")+1]
	if strings.HasPrefix(target, fromDir) {
		return "./" + target[len(fromDir):]
	}
	fp := strings.Split(strings.Trim(fromDir, "/"), "/")
	tp := strings.Split(strings.TrimPrefix(target, "/"), "/")
	i := 0
	for i < len(fp) && i < len(tp)-1 && fp[i] == tp[i] {
		i++
	}
	return strings.Repeat("../", len(fp)-i) + strings.Join(tp[i:], "/")
}

// pageTitle is the heading of a route's page.
func pageTitle(u *Unit, r *route) string {
	switch r.kind {
	case routePortal:
		return u.FullName
	case routeHub:
		return u.HubLabel
	case routeInnerHub:
		return u.InnerHubLabel
	case routeList, routePage:
		return r.col.Label
	case routeItem:
		return r.item.Title
	case routeSection:
		return r.section.Label
	}
	return "页面未找到"
}

// w is a small string builder for markup.
type w struct{ strings.Builder }

func (b *w) p(format string, args ...any) {
	fmt.Fprintf(&b.Builder, format, args...)
	b.WriteByte('\n')
}

// articleText returns the paragraphs of an item's page: its body, and for a
// document the signature.
func articleText(it *Item) []string {
	if it.Doc == nil {
		return it.Body
	}
	return append(append([]string(nil), it.Body...), it.Doc.Signature()...)
}
