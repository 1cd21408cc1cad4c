package sim

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// reportLook is how a unit's annual reports are marked up: real reports
// are typed by different hands into different CMS editors, so the same
// format shows in many shapes. The zero value is the plain official shape.
type reportLook struct {
	number    int    // section numbers: 0 一、 1 （一） 2 第一部分 3 1.
	tag       int    // section headings: 0 the style's own, 1 <h2>, 2 <p><strong>, 3 <div class="title">
	thead     bool   // tables 三 and 四 put their header rows in <thead> with <th> cells
	wrap      bool   // tables wrapped in <div class="table-wrap">
	subtotals int    // table 三 prints group subtotals: 0 no, 1 as 小计 rows, 2 as rows of the group itself
	fullWidth bool   // the 总计 column of table 三 in full-width digits
	thousands bool   // figures from 1,000 written with thousands separators
	word      bool   // pasted from Word: <ucapcontent>, MsoNormal paragraphs, <o:p>, <font>, labels split over spans
	file      string // published as a file: fileNone, filePDF (linked from the list) or fileDOCX (on a short page)
	scanned   bool   // the PDF is a scan: its pages are pictures, with no text layer
}

// Report markup choices, by reportLook field.
const (
	numberCN = iota
	numberParen
	numberPart
	numberArabic
)

const (
	tagStyle = iota
	tagH2
	tagStrong
	tagDiv
)

const (
	subtotalsNone = iota
	subtotalsXiaoji
	subtotalsGroupRow
)

// sectionHeading returns section i's heading in the report's numbering.
func (a *AnnualReport) sectionHeading(i int) string {
	name := reportSections[i]
	switch a.look.number {
	case numberParen:
		return "（" + cnNumerals[i] + "）" + name
	case numberPart:
		return "第" + cnNumerals[i] + "部分　" + name
	case numberArabic:
		return fmt.Sprintf("%d.%s", i+1, name)
	}
	return cnNumerals[i] + "、" + name
}

// headingMarkup wraps a section heading in the report's heading markup, or
// the style's (def) when the report has none of its own.
func (a *AnnualReport) headingMarkup(h string, def func(string) string) string {
	switch a.look.tag {
	case tagH2:
		return "<h2>" + h + "</h2>"
	case tagStrong:
		return "<p><strong>" + h + "</strong></p>"
	case tagDiv:
		return `<div class="title">` + h + "</div>"
	}
	return def(h)
}

// The kinds of table 3 rows.
type t3Kind int

const (
	t3New t3Kind = iota
	t3Carried
	t3Leaf
	t3Sub
	t3Total
	t3Next
)

// t3Row is one row of table 3 as printed: its key, what it is, its
// group (for leaves and subtotals in a group), its label and the texts
// of its seven cells (six applicant columns and 总计).
type t3Row struct {
	key   string
	kind  t3Kind
	group string
	label string
	cells [7]string
}

// Row keys of table 3: leaves are "leaf:<i>" (i in ResultRows order) and
// printed subtotals "sub:<group>".
const (
	keyNew     = "new"
	keyCarried = "carried"
	keyTotal   = "total"
	keyNext    = "next"
)

func leafKey(i int) string       { return "leaf:" + strconv.Itoa(i) }
func subKey(group string) string { return "sub:" + group }

// t3Labels are the printed labels of the rows outside the results.
var t3Labels = map[string]string{
	keyNew:     "一、本年新收政府信息公开申请数量",
	keyCarried: "二、上年结转政府信息公开申请数量",
	keyTotal:   "（七）总计",
	keyNext:    "四、结转下年度继续办理",
}

// subtotalGroups returns the groups of the format that may print a
// subtotal: 不予公开, 无法提供, 不予处理, and from 2021 其他处理.
func subtotalGroups(format string) []string {
	var out []string
	for _, r := range ResultRows(format) {
		if r.Group != "" && !slices.Contains(out, r.Group) {
			out = append(out, r.Group)
		}
	}
	return out
}

// figure writes a figure in the report's way: thousands separators from
// 1,000 when the report uses them, full-width digits when fw.
func (a *AnnualReport) figure(v int, fw bool) string {
	s := strconv.Itoa(v)
	if a.look.thousands && (v >= 1000 || v <= -1000) {
		neg := v < 0
		digits := strconv.Itoa(max(v, -v))
		var b strings.Builder
		for i, ch := range digits {
			if i > 0 && (len(digits)-i)%3 == 0 {
				b.WriteByte(',')
			}
			b.WriteRune(ch)
		}
		s = b.String()
		if neg {
			s = "-" + s
		}
	}
	if fw {
		s = fullDigits.Replace(s)
	}
	return s
}

// cell returns the text of the cell at key, showing v unless the report
// shows some other text there.
func (a *AnnualReport) cell(key string, v int, fw bool) string {
	if t, ok := a.Text[key]; ok {
		return t
	}
	return a.figure(v, fw)
}

func t3CellKey(row string, c int) string { return "t3:" + row + ":" + strconv.Itoa(c) }
func t4CellKey(i int) string             { return "t4:" + strconv.Itoa(i) }
func t2CellKey(row string, i int) string { return "t2:" + row + ":" + strconv.Itoa(i) }

// setText makes the report show text in the cell at key.
func (a *AnnualReport) setText(key, text string) {
	if a.Text == nil {
		a.Text = map[string]string{}
	}
	a.Text[key] = text
}

// groupSum returns the sum of a group's leaves by applicant column.
func (a *AnnualReport) groupSum(group string) [6]int {
	var s [6]int
	for i, r := range ResultRows(a.Format) {
		if r.Group == group {
			for c := range s {
				s[c] += a.Results[i][c]
			}
		}
	}
	return s
}

// t3Rows returns table 3's figure rows as printed, in order: 本年新收,
// 上年结转, the results (with the group subtotals the report prints), 总计
// and 结转下年度, less the rows the report leaves out.
func (a *AnnualReport) t3Rows() []t3Row {
	var out []t3Row
	add := func(key string, kind t3Kind, group, label string, v [6]int) {
		if slices.Contains(a.NoRows, key) {
			return
		}
		row := t3Row{key: key, kind: kind, group: group, label: label}
		for c := 0; c < 7; c++ {
			x := sum6(v)
			if c < 6 {
				x = v[c]
			}
			row.cells[c] = a.cell(t3CellKey(key, c), x, c == 6 && a.look.fullWidth)
		}
		out = append(out, row)
	}
	add(keyNew, t3New, "", t3Labels[keyNew], a.New)
	add(keyCarried, t3Carried, "", t3Labels[keyCarried], a.Carried)
	rows := ResultRows(a.Format)
	for i, r := range rows {
		if r.Group != "" && (i == 0 || rows[i-1].Group != r.Group) && a.look.subtotals != subtotalsNone {
			add(subKey(r.Group), t3Sub, r.Group, r.Group, a.groupSum(r.Group))
		}
		add(leafKey(i), t3Leaf, r.Group, r.Label, a.Results[i])
	}
	var total [6]int
	for c := range total {
		total[c] = a.ResultTotal(c)
	}
	add(keyTotal, t3Total, "", t3Labels[keyTotal], total)
	add(keyNext, t3Next, "", t3Labels[keyNext], a.CarryNext)
	return out
}

// t4Cells returns table 4's fifteen cells as printed.
func (a *AnnualReport) t4Cells() [15]string {
	var out [15]string
	for i, v := range a.Review {
		out[i] = a.cell(t4CellKey(i), v, false)
	}
	return out
}

// t4Groups name table 4's three groups of five cells.
var t4Groups = []string{"行政复议", "行政诉讼（未经复议直接起诉）", "行政诉讼（复议后起诉）"}

// t4Heads name the five cells of each group of table 4.
var t4Heads = []string{"结果维持", "结果纠正", "其他结果", "尚未审结", "总计"}

// t2Cells returns the figure cells of a table 2 row as printed.
func (a *AnnualReport) t2Cells(row string) []string {
	var out []string
	for i, v := range a.Table2[row] {
		out = append(out, a.cell(t2CellKey(row, i), v, false))
	}
	return out
}

// reportBody renders an annual report's sections and tables; heading wraps
// each section heading in the style's markup, unless the report brings
// its own.
func reportBody(b *w, rep *AnnualReport, heading func(string) string) {
	if rep.look.file == fileDOCX {
		b.p(`<p>附件：<a href="%s">%s.docx</a></p>`, rep.filePath, esc(rep.title))
		return
	}
	if rep.look.word {
		var inner w
		reportSectionsBody(&inner, rep, heading)
		b.p("<ucapcontent>%s</ucapcontent>", wordMarkup(inner.String()))
		return
	}
	reportSectionsBody(b, rep, heading)
}

// wordCellRE matches a table cell and wordParaRE a paragraph of the
// report as the sim writes them.
var (
	wordCellRE = regexp.MustCompile(`<td([^>]*)>([^<]*)</td>`)
	wordParaRE = regexp.MustCompile(`<p>([^<]*)</p>`)
)

// wordMarkup turns a report's markup into what Word pastes into a CMS
// editor: every cell's text in a MsoNormal paragraph, split over two runs
// in the middle of a word (申请人情</span><span>况), figures in <font>, an
// empty <o:p> closing each paragraph (the real reports of the corpus:
// shuyang-fgj-report-2023, putian-kjj-report-2020).
func wordMarkup(html string) string {
	split := func(t string) string {
		rs := []rune(t)
		if len(rs) < 2 {
			return `<span lang=EN-US style='font-family:仿宋_GB2312'>` + t + `</span>`
		}
		k := len(rs) / 2
		return `<span style='font-size:10.5pt;font-family:仿宋_GB2312'>` + string(rs[:k]) + `</span><span style='font-size:10.5pt;font-family:仿宋_GB2312'>` + string(rs[k:]) + `</span>`
	}
	html = wordCellRE.ReplaceAllStringFunc(html, func(m string) string {
		sm := wordCellRE.FindStringSubmatch(m)
		text := sm[2]
		inner := split(text)
		if text != "" && strings.Trim(text, "0123456789,－-—/０１２３４５６７８９ ") == "" {
			inner = `<font face="仿宋_GB2312">` + text + `</font>`
		}
		return `<td` + sm[1] + ` valign=center style='border:solid windowtext 1.0pt;mso-border-alt:solid windowtext .5pt'><p class=MsoNormal align=center style='text-align:center'>` + inner + `<span lang=EN-US><o:p></o:p></span></p></td>`
	})
	return wordParaRE.ReplaceAllStringFunc(html, func(m string) string {
		text := wordParaRE.FindStringSubmatch(m)[1]
		return `<p class=MsoNormal style='text-indent:32.0pt;mso-char-indent-count:2.0'>` + split(text) + `<span lang=EN-US><o:p></o:p></span></p>`
	})
}

// reportSectionsBody renders a report's sections and tables.
func reportSectionsBody(b *w, rep *AnnualReport, heading func(string) string) {
	for i := range reportSections {
		if !rep.NoHeading[i] {
			b.p("%s", rep.headingMarkup(rep.sectionHeading(i), heading))
		}
		switch i {
		case 0:
			for _, para := range rep.Overview {
				b.p("<p>%s</p>", esc(para))
			}
		case 1, 2, 3:
			switch {
			case rep.Prose:
				for _, para := range rep.proseSection(i) {
					b.p("<p>%s</p>", esc(para))
				}
			case rep.NoTable[i-1]:
				b.p("<p>%s</p>", esc(noTableText[i-1]))
			case i == 1:
				reportTable2(b, rep)
			case i == 2:
				reportTable3(b, rep)
			default:
				reportTable4(b, rep)
			}
		case 4:
			for _, para := range rep.Problems {
				b.p("<p>%s</p>", esc(para))
			}
		case 5:
			for _, para := range rep.Other {
				b.p("<p>%s</p>", esc(para))
			}
		}
	}
}

// noTableText stands where a report leaves a table out.
var noTableText = []string{
	"本年度主动公开政府信息情况已在门户网站相关栏目公布。",
	"本年度依申请公开工作依法有序开展。",
	"本年度政府信息公开工作未发生需要说明的复议、诉讼事项。",
}

// proseFigures is the sentence in which a prose report gives table 3's
// figures (本年新收, 上年结转, 办结 = 总计 of the results, 结转下年度).
func (a *AnnualReport) proseFigures() string {
	total := 0
	for c := 0; c < 6; c++ {
		total += a.ResultTotal(c)
	}
	return fmt.Sprintf("%d年，本单位共收到政府信息公开申请%d件，其中上年结转%d件，均按照法律法规要求按期答复，办结%d件，结转下年度%d件。",
		a.Year, sum6(a.New), sum6(a.Carried), total, sum6(a.CarryNext))
}

// proseSection returns the paragraphs a prose report prints in sections
// 二, 三 and 四 instead of the tables.
func (a *AnnualReport) proseSection(i int) []string {
	switch i {
	case 1:
		docs := a.Table2["规范性文件"]
		if a.Format == "2021" {
			docs = a.Table2["行政规范性文件"]
		}
		made, valid := 0, 0
		if len(docs) == 3 {
			made, valid = docs[0], docs[2]
		}
		return []string{fmt.Sprintf("全年制发规范性文件%d件，现行有效规范性文件%d件；通过门户网站及时公开行政许可、行政处罚、行政强制等信息。", made, valid)}
	case 2:
		return []string{"规范依申请公开工作流程，畅通信函、网上申请等受理渠道，确保答复及时、准确、规范。", a.proseFigures()}
	}
	reviews := a.Review[4]
	suits := a.Review[9] + a.Review[14]
	return []string{fmt.Sprintf("全年因政府信息公开引起的行政复议%d件、行政诉讼%d件。", reviews, suits)}
}

// tableOpen and tableClose open and close a report table in the report's
// markup.
func (a *AnnualReport) tableOpen(b *w) {
	if a.look.wrap {
		b.p(`<div class="table-wrap">`)
	}
	b.p(`<table class="ndbg-table" border="1" cellspacing="0" cellpadding="0" width="100%%">`)
}

func (a *AnnualReport) tableClose(b *w) {
	b.p("</table>")
	if a.look.wrap {
		b.p("</div>")
	}
}

// headRows prints a table's header rows: in <thead> with <th> cells when
// the report uses them, else as the first rows of <tbody> (which then
// stays open for the figures).
func (a *AnnualReport) headRows(b *w, rows []string) {
	if !a.look.thead {
		b.p("<tbody>")
		for _, r := range rows {
			b.p("<tr>%s</tr>", r)
		}
		return
	}
	b.p("<thead>")
	for _, r := range rows {
		r = strings.ReplaceAll(strings.ReplaceAll(r, "<td", "<th"), "</td>", "</th>")
		b.p("<tr>%s</tr>", r)
	}
	b.p("</thead>")
	b.p("<tbody>")
}

// reportTable2 renders table 2 (主动公开政府信息情况).
func reportTable2(b *w, a *AnnualReport) {
	a.tableOpen(b)
	b.p("<tbody>")
	for _, g := range table2Groups(a.Format) {
		b.p(`<tr><td colspan="4" style="background:#dbe5f1">%s</td></tr>`, g.head)
		b.WriteString("<tr><td>信息内容</td>")
		for i, c := range g.cols {
			b.WriteString(spanCell(c, i, len(g.cols)))
		}
		b.p("</tr>")
		for _, row := range g.rows {
			b.WriteString("<tr><td>" + row + "</td>")
			for i, v := range a.t2Cells(row) {
				b.WriteString(spanCell(esc(v), i, len(g.cols)))
			}
			b.p("</tr>")
		}
	}
	b.p("</tbody>")
	a.tableClose(b)
}

// spanCell renders cell i of n in a group whose table has three figure
// columns: the last cell spans what is left.
func spanCell(text string, i, n int) string {
	if i == n-1 && n < 3 {
		return fmt.Sprintf(`<td colspan="%d">%s</td>`, 3-i, text)
	}
	return "<td>" + text + "</td>"
}

// reportTable3 renders table 3 (收到和处理政府信息公开申请情况) with the
// rowspan/colspan header of the official format.
func reportTable3(b *w, a *AnnualReport) {
	rows := a.t3Rows()
	a.tableOpen(b)
	a.headRows(b, []string{
		`<td colspan="3" rowspan="3">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td><td colspan="7">申请人情况</td>`,
		`<td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td><td rowspan="2">总计</td>`,
		`<td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td>`,
	})
	results := 0
	inGroup := map[string]int{}
	for _, r := range rows {
		switch r.kind {
		case t3Leaf, t3Sub, t3Total:
			results++
			if r.group != "" {
				inGroup[r.group]++
			}
		}
	}
	first, group := true, ""
	for _, r := range rows {
		b.WriteString("<tr>")
		switch r.kind {
		case t3New, t3Carried, t3Next:
			fmt.Fprintf(b, `<td colspan="3">%s</td>`, r.label)
		default:
			if first {
				fmt.Fprintf(b, `<td rowspan="%d">三、本年度办理结果</td>`, results)
				first = false
			}
			switch {
			case r.group == "":
				fmt.Fprintf(b, `<td colspan="2">%s</td>`, r.label)
			case a.look.subtotals == subtotalsGroupRow && r.kind == t3Sub:
				fmt.Fprintf(b, `<td colspan="2">%s</td>`, r.group)
			case a.look.subtotals == subtotalsGroupRow:
				fmt.Fprintf(b, `<td colspan="2">　　%s</td>`, r.label)
			default:
				if r.group != group {
					fmt.Fprintf(b, `<td rowspan="%d">%s</td>`, inGroup[r.group], r.group)
				}
				label := r.label
				if r.kind == t3Sub {
					label = "小计"
				}
				fmt.Fprintf(b, `<td>%s</td>`, label)
			}
		}
		group = r.group
		for _, c := range r.cells {
			fmt.Fprintf(b, "<td>%s</td>", esc(c))
		}
		b.p("</tr>")
	}
	b.p("</tbody>")
	a.tableClose(b)
}

// reportTable4 renders table 4 (行政复议、行政诉讼情况): one row of 15 cells.
func reportTable4(b *w, a *AnnualReport) {
	var heads strings.Builder
	for _, h := range t4Heads {
		heads.WriteString("<td>" + h + "</td>")
	}
	a.tableOpen(b)
	a.headRows(b, []string{
		`<td colspan="5">行政复议</td><td colspan="10">行政诉讼</td>`,
		`<td rowspan="2">结果维持</td><td rowspan="2">结果纠正</td><td rowspan="2">其他结果</td><td rowspan="2">尚未审结</td><td rowspan="2">总计</td><td colspan="5">未经复议直接起诉</td><td colspan="5">复议后起诉</td>`,
		heads.String() + heads.String(),
	})
	b.WriteString("<tr>")
	for _, v := range a.t4Cells() {
		fmt.Fprintf(b, "<td>%s</td>", esc(v))
	}
	b.p("</tr>")
	b.p("</tbody>")
	a.tableClose(b)
}
