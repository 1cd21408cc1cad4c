package crawler

import (
	"context"
	"fmt"
	"html"
	"net/url"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"gongkai/evidence"
	"gongkai/internal/attach"
	"gongkai/internal/textnorm"
)

// Reports as laid-out text. A report published as a PDF reaches the parser
// as pdftotext -layout text: its tables are lines whose figures stand in
// columns, a blank cell is a gap in the line, and a long label wraps onto
// lines of its own above or below its figures. annualReportPageFromText rebuilds
// the page the PDF was printed from: the lines as paragraphs, and each run
// of figure lines as a <table> with a header naming the columns, so that
// ParseAnnualReport reads a PDF as it reads a page. Figures are placed in their
// columns by position (each column's place is learnt from the lines that
// fill every column); a line whose figures cannot be placed reliably makes
// its table unread rather than guessed.

// textLine is one line of laid-out text: its label and the figures that
// end it, with the rune column where each figure ends, and the label
// fragments printed on lines of their own before it (a wrapped label).
type textLine struct {
	lead  string
	label string
	tail  string // fragments printed on lines of their own after it
	nums  []string
	mids  []int // each figure's middle, in runes from the line's start
	page  int
}

// splitFigures splits a line into its label and its trailing figures.
func splitFigures(line string) textLine {
	runes := []rune(line)
	type tok struct {
		text     string
		start, e int
	}
	var toks []tok
	for i := 0; i < len(runes); {
		if unicode.IsSpace(runes[i]) {
			i++
			continue
		}
		j := i
		for j < len(runes) && !unicode.IsSpace(runes[j]) {
			j++
		}
		toks = append(toks, tok{string(runes[i:j]), i, j})
		i = j
	}
	k := len(toks)
	for k > 0 && isFigure(toks[k-1].text) {
		k--
	}
	var tl textLine
	if k < len(toks) {
		tl.label = strings.TrimSpace(string(runes[:toks[k].start]))
		for _, t := range toks[k:] {
			tl.nums = append(tl.nums, t.text)
			tl.mids = append(tl.mids, (t.start+t.e)/2)
		}
	} else {
		tl.label = strings.TrimSpace(line)
	}
	return tl
}

// isFigure reports whether a token is a figure of a table cell: digits
// (ASCII or full-width) with thousands separators, or a dash standing for
// nothing.
func isFigure(s string) bool {
	t := textnorm.Fold(s)
	if t == "—" || t == "-" || t == "/" || t == "——" {
		return true
	}
	digits := 0
	for _, r := range t {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == ',' || r == '.':
		default:
			return false
		}
	}
	return digits > 0
}

// annualReportPageFromText returns an HTML page holding the report's text as
// paragraphs and its figure lines as tables, one table per run of figure
// lines: in section 二 table 2, in 三 table 3, in 四 table 4 (by the number
// of figures a line holds where no heading says).
func annualReportPageFromText(title, text string) []byte {
	lines := strings.Split(text, "\n")
	var b strings.Builder
	b.WriteString("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>")
	b.WriteString(html.EscapeString(title))
	b.WriteString("</title></head><body>\n")
	para := func(s string) { fmt.Fprintf(&b, "<p>%s</p>\n", html.EscapeString(textnorm.Space(s))) }
	var gap []string // label fragments between two figure lines
	var run []textLine
	section, page := 0, 0
	flush := func() {
		if len(run) > 0 {
			// What follows the last figure line is the end of its label
			// (at most two lines), then text.
			k := min(len(gap), 2)
			run[len(run)-1].tail = strings.Join(gap[:k], " ")
			gap = gap[k:]
			writeFigureTable(&b, run, section)
			run = nil
		}
		for _, p := range gap {
			para(p)
		}
		gap = nil
	}
	for _, raw := range lines {
		page += strings.Count(raw, "\f")
		raw = strings.ReplaceAll(raw, "\f", "")
		if strings.TrimSpace(raw) == "" {
			continue
		}
		tl := splitFigures(raw)
		tl.page = page
		if isPageNumber(tl) {
			continue
		}
		if n := textSection(tl.label); n > 0 && len(tl.nums) == 0 {
			flush()
			section = n
			para(raw)
			continue
		}
		if len(tl.nums) >= 3 || len(tl.nums) > 0 && section == 2 && isRowLabel(tl.label) {
			if prev := &run; len(*prev) > 0 && !labelComplete((*prev)[len(*prev)-1]) {
				// A label wraps around its figure line, as many lines
				// below it as above: when the row above is not named
				// yet, the first half of the lines between two figure
				// lines ends it, the rest begins this one.
				half := len(gap) / 2
				run[len(run)-1].tail = strings.Join(gap[:half], " ")
				gap = gap[half:]
			}
			tl.lead = strings.Join(gap, " ")
			gap = nil
			run = append(run, tl)
			continue
		}
		if len(run) > 0 && len(gap) < 8 {
			// A wrapped label (or a group label) inside a table.
			gap = append(gap, strings.TrimSpace(raw))
			continue
		}
		flush()
		para(raw)
	}
	flush()
	b.WriteString("</body></html>\n")
	return []byte(b.String())
}

// textSection returns the section a line of laid-out text heads, or 0:
// in text every line looks short, so a heading needs its number (一、,
// （一）, 第一部分, 1.) and few words.
func textSection(line string) int {
	t := strings.TrimSpace(textnorm.Fold(line))
	if !headingNumRE.MatchString(t) || utf8.RuneCountInString(textnorm.Name(t)) > 32 || strings.ContainsAny(t, "。,") {
		return 0
	}
	return sectionOf(t, sectionKeys)
}

// isRowLabel reports whether a label reads as a table row's (规章,
// 行政许可) rather than as the end of a line of prose.
func isRowLabel(label string) bool {
	n := utf8.RuneCountInString(textnorm.Name(label))
	return n >= 2 && n <= 20 && !strings.ContainsAny(label, "，。；,;")
}

// labelComplete reports whether a figure line's label, with what was
// printed above it, names a row of table 三 already: the lines after it
// then begin the next row.
func labelComplete(tl textLine) bool {
	l := strings.TrimSpace(tl.lead + " " + tl.label)
	return t3Row(l, l, "") != ""
}

// isPageNumber reports whether a line is a page number (-3-, 3, 第3页).
func isPageNumber(tl textLine) bool {
	l := strings.Trim(textnorm.Fold(tl.label), "-—– ")
	if l == "" && len(tl.nums) == 1 {
		return true
	}
	return strings.HasPrefix(l, "第") && strings.HasSuffix(l, "页") && utf8.RuneCountInString(l) <= 6
}

// writeFigureTable writes a run of figure lines as the table of section:
// table 2's rows as printed, table 3's and table 4's figures aligned in
// their columns under a header naming them. Every row has two label
// cells: the fragments printed above it and its own label.
func writeFigureTable(b *strings.Builder, run []textLine, section int) {
	if section < 2 || section > 4 {
		section = 2
		for _, tl := range run {
			switch {
			case len(tl.nums) >= 10:
				section = 4
			case len(tl.nums) == 7 && section == 2:
				section = 3
			}
		}
	}
	switch section {
	case 3:
		writeAligned(b, run, 7, []string{"自然人", "法人或其他组织 商业企业", "法人或其他组织 科研机构", "法人或其他组织 社会公益组织", "法人或其他组织 法律服务机构", "法人或其他组织 其他", "总计"}, "本年新收")
	case 4:
		heads := make([]string, 0, 15)
		for _, g := range []string{"行政复议", "行政诉讼 未经复议直接起诉", "行政诉讼 复议后起诉"} {
			for _, c := range []string{"结果维持", "结果纠正", "其他结果", "尚未审结", "总计"} {
				heads = append(heads, g+" "+c)
			}
		}
		writeAligned(b, run, 15, heads, "")
	default:
		b.WriteString("<table><tr><td>信息内容（第二十条）</td></tr>\n")
		for _, tl := range run {
			b.WriteString("<tr><td>" + html.EscapeString(textnorm.Space(tl.label)) + "</td>")
			for _, n := range tl.nums {
				b.WriteString("<td>" + html.EscapeString(n) + "</td>")
			}
			b.WriteString("</tr>\n")
		}
		b.WriteString("</table>\n")
	}
}

// writeLabels opens a row with its two label cells: the label as printed
// on the figure line, and the whole label with the fragments printed
// around it.
func writeLabels(b *strings.Builder, tl textLine) {
	whole := strings.TrimSpace(tl.lead + " " + tl.label + " " + tl.tail)
	b.WriteString("<tr><td>" + html.EscapeString(textnorm.Space(tl.label)) + "</td><td>" + html.EscapeString(textnorm.Space(whole)) + "</td>")
}

// writeAligned writes lines of up to width figures as a table whose
// columns are learnt from the lines that fill all of them: a figure goes
// to the column whose end lies nearest its own, and a line whose figures
// cannot be placed (no full line to learn from, two figures in one
// column) leaves the whole table marked unread.
func writeAligned(b *strings.Builder, lines []textLine, width int, heads []string, mark string) {
	// Each page is laid out anew: learn the columns per page, from the
	// lines that fill every column (and from the whole table for a page
	// with none).
	learn := func(filter func(textLine) bool) []int {
		var full [][]int
		for _, tl := range lines {
			if len(tl.nums) == width && filter(tl) {
				full = append(full, tl.mids)
			}
		}
		if len(full) == 0 {
			return nil
		}
		cols := make([]int, width)
		for c := range cols {
			mids := make([]int, len(full))
			for i, f := range full {
				mids[i] = f[c]
			}
			sort.Ints(mids)
			cols[c] = mids[len(mids)/2]
		}
		return cols
	}
	all := learn(func(textLine) bool { return true })
	perPage := map[int][]int{}
	unread := ""
	if all == nil {
		unread = "no line of the PDF fills every column"
	}
	rows := make([][]string, len(lines))
	for r, tl := range lines {
		cells := make([]string, width)
		rows[r] = cells
		if len(tl.nums) == width {
			copy(cells, tl.nums)
			continue
		}
		if unread != "" {
			continue
		}
		cols, ok := perPage[tl.page]
		if !ok {
			cols = learn(func(x textLine) bool { return x.page == tl.page })
			if cols == nil {
				cols = all
			}
			perPage[tl.page] = cols
		}
		if !placeFigures(cells, tl, cols) {
			unread = "the figures of a line of the PDF could not be placed in their columns"
		}
	}
	b.WriteString("<table")
	if unread != "" {
		b.WriteString(` ` + unreadAttr + `="` + html.EscapeString(unread) + `"`)
	}
	b.WriteString("><tr><td></td><td>" + mark + "</td>")
	for _, h := range heads {
		b.WriteString("<td>" + html.EscapeString(h) + "</td>")
	}
	b.WriteString("</tr>\n")
	for r, tl := range lines {
		writeLabels(b, tl)
		for _, c := range rows[r] {
			b.WriteString("<td>" + html.EscapeString(c) + "</td>")
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</table>\n")
}

// placeFigures puts each figure of a line short of figures into the column
// whose middle is nearest its own; it fails when a figure lies nearer the
// middle between two columns than either column, or two figures take one.
func placeFigures(cells []string, tl textLine, cols []int) bool {
	taken := map[int]bool{}
	for i, m := range tl.mids {
		best := 0
		for c := range cols {
			if abs(cols[c]-m) < abs(cols[best]-m) {
				best = c
			}
		}
		gap := 1 << 30
		if best > 0 {
			gap = min(gap, cols[best]-cols[best-1])
		}
		if best+1 < len(cols) {
			gap = min(gap, cols[best+1]-cols[best])
		}
		if taken[best] || 2*abs(cols[best]-m) >= gap {
			return false
		}
		taken[best] = true
		cells[best] = tl.nums[i]
	}
	return true
}

// unreadAttr marks a table rebuilt from text whose figures could not be
// placed; ParseAnnualReport records the reason as the table's Unread.
const unreadAttr = "data-gongkai-unread"

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// ReadAnnualReportFile reads an annual report published as a file (PDF with a
// text layer, DOCX, DOC) into the report model, as ParseAnnualReport reads a
// page. title is the report's title as listed (its year when the file's
// own text names none). What cannot be read (a scan, a reader not
// installed, a damaged file, another kind of file) is said in Unread,
// never guessed.
func ReadAnnualReportFile(ctx context.Context, u *url.URL, data []byte, title string) *evidence.AnnualReport {
	kind := attach.Sniff(u.Path, data)
	unread := func(why string) *evidence.AnnualReport {
		r := &evidence.AnnualReport{Title: title, Year: HanNumeralYear(title), Source: string(kind), SourceURL: u.String(), Unread: why}
		r.Format = annualReportFormat(r)
		return r
	}
	var page []byte
	switch kind {
	case attach.KindPDF:
		text, err := attach.PDFText(ctx, data)
		if err != nil {
			return unread(err.Error())
		}
		if title == "" {
			title = firstTitleLine(text)
		}
		page = annualReportPageFromText(title, text)
	case attach.KindDOCX, attach.KindDOC:
		docx := data
		if kind == attach.KindDOC {
			var err error
			if docx, err = attach.DOCToDOCX(ctx, data); err != nil {
				return unread(err.Error())
			}
		}
		h, err := attach.DOCXHTML(docx)
		if err != nil {
			return unread(err.Error())
		}
		page = h
	default:
		return unread("not a file kind gongkai reads (PDF, DOCX, DOC)")
	}
	p, err := ParsePage(u, page, "text/html; charset=utf-8")
	if err != nil {
		return unread(err.Error())
	}
	r := ParseAnnualReport(p)
	if title != "" {
		r.Title = title
	}
	if y := HanNumeralYear(r.Title); y != 0 && r.Year == 0 {
		r.Year = y
		r.Format = annualReportFormat(r)
		r.Sections = annualReportSections(p, r.Format)
	}
	r.Source, r.SourceURL = string(kind), u.String()
	return r
}

// firstTitleLine returns the first line of a report's text that names it.
func firstTitleLine(text string) string {
	var prev string
	for i, line := range strings.Split(text, "\n") {
		if i > 15 {
			break
		}
		t := textnorm.Space(line)
		if strings.Contains(t, "报告") || strings.Contains(t, "年报") {
			return strings.TrimSpace(prev + " " + t)
		}
		if t != "" {
			prev = t
		}
	}
	return ""
}
