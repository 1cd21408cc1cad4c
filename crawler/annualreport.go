package crawler

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"gongkai/evidence"
	"gongkai/internal/textnorm"
)

// Annual reports. Every administrative organ publishes a yearly report on
// its disclosure work in the State Council's format (2019, revised 2021):
// six sections, and tables for sections 二 (active disclosure), 三
// (applications: 7 columns by applicant, about 25 rows) and 四
// (reconsideration and litigation: 15 cells). ParseAnnualReport reads a report
// page into evidence.AnnualReport: the sections found, and each table's figures
// under canonical row and column keys, whatever the markup (rowspan and
// colspan, two-level headers, subtotal rows, full-width digits, thousands
// separators). It reports what is printed; the identities are checked by
// package scoring. A report whose figures are prose is read by
// ParseAnnualReportText.

// sectionKeys recognise the six sections' headings of the 2019 format
// (Chinese and English).
var sectionKeys = [][]string{
	{"总体情况", "general situation"},
	{"主动公开政府信息", "主动公开情况", "initiative to disclose", "active disclosure"},
	{"收到和处理政府信息公开申请", "依申请公开", "收到和处理", "receiving and handling", "applications for government information disclosure"},
	{"行政复议、行政诉讼", "行政复议和行政诉讼", "行政复议行政诉讼", "administrative reconsideration"},
	{"存在的主要问题", "主要问题及改进", "main problems"},
	{"其他需要报告", "other matters"},
}

// sectionKeys2008 recognise the contents the 2008 Regulations (Art. 32)
// asked of a report, in their order: active disclosure, disclosure on
// application (and refusals), fees and waivers, reconsideration and
// litigation, problems and improvements, other matters. An opening 概述
// is not one of them.
var sectionKeys2008 = [][]string{
	{"主动公开政府信息", "主动公开情况", "主动公开的情况", "主动公开工作", "主动公开"},
	{"依申请公开", "申请公开政府信息", "不予公开"},
	{"收费及减免", "收费和减免", "收费情况", "减免情况", "收取的费用", "费用情况"},
	{"行政复议", "行政诉讼", "申诉"},
	{"存在的主要问题", "存在问题", "主要问题", "改进措施", "改进情况", "工作打算"},
	{"其他需要报告", "其他事项"},
}

var headingNumRE = regexp.MustCompile(`^\s*(?:[一二三四五六七八九十]+\s*[、.．]|[（(][一二三四五六七八九十0-9]+[)）]|第[一二三四五六七八九十]+部分|[0-9]+\s*[、.．]|(?i:[ivx]+)\s*[.、]|(?i:first|second|third|fourth|fifth|sixth|one|two|three|four|five|six)\s*[,，.])`)

// ParseAnnualReport reads an annual report page.
func ParseAnnualReport(p *Page) *evidence.AnnualReport {
	r := &evidence.AnnualReport{Title: p.Title(), Tables: map[string]*evidence.AnnualReportTable{}}
	r.Year = HanNumeralYear(r.Title)
	p.Doc.Find("table").Each(func(_ int, t *goquery.Selection) {
		if t.Find("table").Length() > 0 {
			return // a layout table holding the real ones
		}
		g := buildGrid(t.Get(0))
		text := textnorm.Name(t.Text())
		switch {
		case strings.Contains(text, "本年新收") && strings.Contains(text, "自然人"):
			if r.Tables["3"] == nil {
				r.Tables["3"] = parseTable3(g, &r.Notes)
				r.Tables["3"].Unread = t.AttrOr(unreadAttr, "")
			}
		case strings.Contains(text, "行政复议") && strings.Contains(text, "行政诉讼") && (strings.Contains(text, "维持") || strings.Contains(text, "纠正")):
			if r.Tables["4"] == nil {
				r.Tables["4"] = parseTable4(g, &r.Notes)
				r.Tables["4"].Unread = t.AttrOr(unreadAttr, "")
			}
		case (strings.Contains(text, "第二十条") || strings.Contains(text, "规章")) && strings.Contains(text, "规范性文件"):
			if r.Tables["2"] == nil {
				r.Tables["2"] = parseTable2(g)
			}
		}
	})
	if r.Tables["3"] == nil {
		if t := proseTable3(textOf(p.Doc.Get(0))); t != nil {
			r.Tables["3"] = t
		}
	}
	for _, a := range p.Anchors() {
		if isAttachment(a.URL.Path) && (strings.Contains(a.Text, "报告") || strings.Contains(a.Text, "年报")) {
			r.Attachments = append(r.Attachments, a.URL.String())
		}
	}
	if r.Year == 0 {
		// A document without a title (a Word file): its first line that
		// names a report (with the line before, when the title wraps)
		// names its year.
		prev := ""
		for _, seg := range p.Segments() {
			if strings.Contains(seg.Text, "报告") || strings.Contains(seg.Text, "年报") {
				t := seg.Text
				if HanNumeralYear(t) == 0 {
					t = prev + t
				}
				if y := HanNumeralYear(t); y != 0 && utf8.RuneCountInString(t) <= 60 {
					r.Year = y
					if r.Title == "" {
						r.Title = t
					}
					break
				}
			}
			prev = seg.Text
		}
	}
	r.Format = annualReportFormat(r)
	r.Sections = annualReportSections(p, r.Format)
	return r
}

// ParseAnnualReportText reads a report given as plain text (its figures as prose).
func ParseAnnualReportText(title, text string) *evidence.AnnualReport {
	r := &evidence.AnnualReport{Title: title, Tables: map[string]*evidence.AnnualReportTable{}}
	r.Year = HanNumeralYear(title)
	if r.Year == 0 {
		r.Year = englishYear(title)
	}
	if t := proseTable3(text); t != nil {
		r.Tables["3"] = t
	}
	r.Format = annualReportFormat(r)
	keys := formatSections(r.Format)
	seen := map[int]bool{}
	for _, line := range strings.Split(text, "\n") {
		if n := sectionOf(line, keys); n > 0 && !seen[n] {
			seen[n] = true
			r.Sections = append(r.Sections, n)
		}
	}
	return r
}

var englishYearRE = regexp.MustCompile(`\b((?:19|20)[0-9]{2})\b`)

func englishYear(s string) int {
	if m := englishYearRE.FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		return y
	}
	return 0
}

// annualReportFormat picks the version of the format in force for the report's
// year: 2021 from the report year 2021 on, 2019 for 2019 and 2020, the
// 2008 Regulations' before; without a year, from the rows the 2021
// version added.
func annualReportFormat(r *evidence.AnnualReport) string {
	switch {
	case r.Year >= 2021:
		return "2021"
	case r.Year >= 2019:
		return "2019"
	case r.Year > 0:
		return "2008"
	}
	if t := r.Tables["3"]; t != nil {
		if _, ok := t.Rows["other.1"]; ok {
			return "2021"
		}
	}
	return "2019"
}

// formatSections returns the section headings of a format.
func formatSections(format string) [][]string {
	if format == "2008" {
		return sectionKeys2008
	}
	return sectionKeys
}

// annualReportSections returns the sections of format whose headings the page
// shows.
func annualReportSections(p *Page, format string) []int {
	keys := formatSections(format)
	seen := map[int]bool{}
	var out []int
	for _, seg := range p.Segments() {
		if seg.Chrome || seg.Cell != nil && !layoutCell(seg.Cell) {
			continue // a table's figures and labels are not headings
		}
		if n := sectionOf(seg.Text, keys); n > 0 && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	sort.Ints(out)
	return out
}

// layoutCell reports whether a table cell lays out a page (it holds
// paragraphs, headings or tables) rather than a figure or a label.
func layoutCell(n *html.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		switch c.DataAtom {
		case atom.P, atom.Div, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Table, atom.Ul, atom.Ol, atom.Section, atom.Article:
			return true
		}
	}
	return false
}

// sectionOf returns the section a heading line names (1..6 of keys), or
// 0. A line is a heading when it is short and numbered, or holds nothing
// but the section's name.
func sectionOf(line string, keys [][]string) int {
	t := strings.TrimSpace(textnorm.Fold(line))
	if headingNumRE.MatchString(t) {
		// A run-in heading: "（一）主动公开情况。本年度……" is headed by
		// what precedes its first full stop.
		if i := strings.Index(t, "。"); i > 0 && utf8.RuneCountInString(t[:i]) <= 30 {
			t = t[:i]
		}
	}
	limit := 60
	if !hasHan(t) {
		limit = 160 // English words are longer
	} else if strings.HasSuffix(t, "。") || strings.Contains(headingNumRE.ReplaceAllString(t, ""), ",") {
		return 0 // a sentence (a numbered point of the text), not a heading
	}
	if t == "" || utf8.RuneCountInString(t) > limit {
		return 0
	}
	numbered := headingNumRE.MatchString(t)
	low := strings.ToLower(t)
	order := sectionOrder
	if len(keys) != len(order) || keys[0][0] != sectionKeys2008[0][0] {
		order = nil
	}
	for j := range keys {
		i := j
		if order != nil {
			i = order[j]
		}
		for _, k := range keys[i] {
			if strings.Contains(low, k) && (numbered || utf8.RuneCountInString(t) <= utf8.RuneCountInString(k)+4) {
				return i + 1
			}
		}
	}
	return 0
}

// sectionOrder is the order in which the 2008 contents are tried: the
// specific ones first, since "四、依申请公开信息收取的费用情况" is about fees
// and "五、因政府信息公开申请行政复议……" about reconsideration.
var sectionOrder = []int{2, 3, 4, 5, 0, 1}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// gridCell is one position of a table with its spans expanded.
type gridCell struct {
	text   string
	header bool // a <th>
}

// buildGrid lays a table out as rows of positions, repeating a cell over
// the positions its rowspan and colspan cover.
func buildGrid(table *html.Node) [][]gridCell {
	var rows []*html.Node
	var collect func(*html.Node)
	collect = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			switch c.DataAtom {
			case atom.Tr:
				rows = append(rows, c)
			case atom.Thead, atom.Tbody, atom.Tfoot:
				collect(c)
			}
		}
	}
	collect(table)
	var grid [][]gridCell
	pending := map[[2]int]gridCell{} // (row, col) taken by a rowspan from above
	for r, tr := range rows {
		var row []gridCell
		col := 0
		place := func() {
			for {
				if c, ok := pending[[2]int{r, col}]; ok {
					row = append(row, c)
					delete(pending, [2]int{r, col})
					col++
					continue
				}
				return
			}
		}
		for td := tr.FirstChild; td != nil; td = td.NextSibling {
			if td.Type != html.ElementNode || (td.DataAtom != atom.Td && td.DataAtom != atom.Th) {
				continue
			}
			place()
			cs := spanAttr(td, "colspan")
			rs := spanAttr(td, "rowspan")
			cell := gridCell{text: textOf(td), header: td.DataAtom == atom.Th}
			for i := 0; i < cs; i++ {
				row = append(row, cell)
				for k := 1; k < rs; k++ {
					pending[[2]int{r + k, col}] = cell
				}
				col++
			}
		}
		place()
		grid = append(grid, row)
	}
	return grid
}

func spanAttr(n *html.Node, key string) int {
	v, err := strconv.Atoi(strings.TrimSpace(attr(n, key)))
	if err != nil || v < 1 {
		return 1
	}
	return min(v, 64)
}

var (
	intRE     = regexp.MustCompile(`^[+-]?[0-9]+$`)
	decimalRE = regexp.MustCompile(`^[+-]?[0-9]*\.[0-9]+$`)
)

// parseCell reads a figure: full-width digits and thousands separators are
// fine; empty, dashes and words are blank; a decimal is kept raw.
func parseCell(s string) evidence.Cell {
	t := strings.TrimSpace(textnorm.Fold(s))
	t = cellNoise.Replace(t)
	t = strings.ReplaceAll(t, "－", "-")
	switch {
	case t == "":
		return evidence.Cell{Blank: true}
	case intRE.MatchString(t):
		v, err := strconv.ParseInt(t, 10, 64)
		if err != nil {
			return evidence.Cell{Raw: s}
		}
		return evidence.Cell{Value: v, Number: true}
	case decimalRE.MatchString(t):
		return evidence.Cell{Raw: strings.TrimSpace(s)}
	}
	return evidence.Cell{Blank: true, Raw: strings.TrimSpace(s)}
}

// looksNumeric reports whether a cell holds a figure (or a blank standing
// for one) rather than a label.
func looksNumeric(s string) bool {
	t := strings.TrimSpace(textnorm.Fold(s))
	if t == "" || t == "—" || t == "-" || t == "/" || t == "–" || t == "——" || t == "无" {
		return true
	}
	c := parseCell(s)
	return c.Number || (!c.Blank && c.Raw != "")
}

// Table 3.

var t3Columns = []struct{ key, word string }{
	{"business", "商业企业"}, {"research", "科研机构"}, {"charity", "社会公益"}, {"legal", "法律服务"},
	{"natural", "自然人"}, {"total", "总计"}, {"other_org", "其他"},
}

// t3Groups name the sub-rows of table 3's result groups by keywords, in
// order; a sub-row without a keyword is placed by its number ("3.其他").
var t3Groups = []struct {
	key, word string
	subs      [][]string
}{
	{"refused", "不予公开", [][]string{{"国家秘密"}, {"法律行政法规禁止", "法律、行政法规禁止"}, {"三安全一稳定", "危及"}, {"第三方合法权益"}, {"三类内部事务", "内部事务"}, {"四类过程性", "过程性信息"}, {"行政执法案卷", "执法案卷"}, {"行政查询事项", "查询事项"}}},
	{"unable", "无法提供", [][]string{{"不掌握"}, {"没有现成信息", "另行制作"}, {"补正后申请内容仍不明确", "仍不明确"}}},
	{"unprocessed", "不予处理", [][]string{{"信访举报投诉", "信访"}, {"重复申请"}, {"公开出版物"}, {"无正当理由大量反复", "大量反复"}, {"确认或重新出具", "重新出具"}}},
	{"other", "其他处理", [][]string{{"逾期不补正", "不补正"}, {"缴纳费用", "收费通知"}, {"其他"}}},
}

var subNumRE = regexp.MustCompile(`^\s*([0-9]+)\s*[.．、]`)

// t3Row maps a row's label (the text of its label positions, joined) and
// its own last label to a canonical key, or "". group is the result group
// of the row above; a sub-row printed without its group's label (the group
// row carries the subtotal, the sub-rows follow indented) belongs to it.
func t3Row(label, last, group string) string {
	l := textnorm.Name(label)
	if key := t3RowIn(l, last); key != "" {
		return key
	}
	// A sub-row without its group's label: by its own keywords, else by its
	// number within the group above.
	own := textnorm.Name(last)
	for _, g := range t3Groups {
		for i, words := range g.subs {
			for _, w := range words {
				if w != "其他" && strings.Contains(own, textnorm.Name(w)) {
					return g.key + "." + strconv.Itoa(i+1)
				}
			}
		}
	}
	if group != "" {
		for _, g := range t3Groups {
			if g.key != group {
				continue
			}
			if m := subNumRE.FindStringSubmatch(textnorm.Fold(last)); m != nil {
				n, _ := strconv.Atoi(m[1])
				if n >= 1 && n <= len(g.subs) {
					return g.key + "." + strconv.Itoa(n)
				}
			}
		}
	}
	return ""
}

func t3RowIn(l, last string) string {
	switch {
	case strings.Contains(l, "结转下年度") || strings.Contains(l, "结转至下") || strings.Contains(l, "结转下一年"):
		return "carried_out"
	case strings.Contains(l, "上年结转") || strings.Contains(l, "上年度结转"):
		return "carried_in"
	case strings.Contains(l, "本年新收") || strings.Contains(l, "新收"):
		return "new"
	}
	for _, g := range t3Groups {
		if !strings.Contains(l, g.word) {
			continue
		}
		own := textnorm.Name(last)
		for i, words := range g.subs {
			for _, w := range words {
				if g.key == "other" && w == "其他" {
					continue // the group's own name holds 其他: by number only
				}
				if strings.Contains(own, textnorm.Name(w)) {
					return g.key + "." + strconv.Itoa(i+1)
				}
			}
		}
		// The sub-row's number, at the start of its own label or after
		// the group's ("（六）其他处理 3.其他").
		m := subNumRE.FindStringSubmatch(textnorm.Fold(last))
		if m == nil {
			m = subNumAnyRE.FindStringSubmatch(textnorm.Fold(last))
		}
		if m != nil {
			n, _ := strconv.Atoi(m[1])
			if n >= 1 && n <= len(g.subs) {
				return g.key + "." + strconv.Itoa(n)
			}
		}
		return g.key
	}
	switch {
	case strings.Contains(l, "部分公开"):
		return "partial"
	case strings.Contains(l, "予以公开"):
		return "open"
	case strings.Contains(l, "总计"):
		return "total"
	}
	return ""
}

// headerText is the normalised text of column c across the header rows
// above row first.
func headerText(g [][]gridCell, first, c int) string {
	var head strings.Builder
	for r := 0; r < first; r++ {
		if c < len(g[r]) {
			head.WriteString(g[r][c].text)
			head.WriteByte(' ')
		}
	}
	return textnorm.Name(head.String())
}

func parseTable3(g [][]gridCell, notes *[]string) *evidence.AnnualReportTable {
	t := &evidence.AnnualReportTable{Rows: map[string]map[string]evidence.Cell{}}
	// Header rows run until the first row with figures: the first with
	// three, or the 本年新收 row with any (a report that leaves the
	// organisations' columns blank prints two).
	first := len(g)
	for r, row := range g {
		nums := 0
		for _, c := range row {
			if parseCell(c.text).Number {
				nums++
			}
		}
		if nums >= 3 || nums >= 1 && strings.Contains(textnorm.Name(rowText(row)), "新收") {
			first = r
			break
		}
	}
	width := 0
	for _, row := range g {
		width = max(width, len(row))
	}
	colKey := map[int]string{}
	taken := map[string]bool{}
	for c := 0; c < width; c++ {
		h := headerText(g, first, c)
		for _, col := range t3Columns {
			if strings.Contains(h, col.word) && !taken[col.key] {
				if col.key == "other_org" && !strings.Contains(h, "法人") && !strings.Contains(h, "组织") {
					continue // 其他 outside the organisations' group is not a column
				}
				colKey[c] = col.key
				taken[col.key] = true
				break
			}
		}
	}
	if len(colKey) < 7 && width >= 8 {
		*notes = append(*notes, "表三：表头未能识别全部7列，按最后7列读取")
		colKey = map[int]string{}
		for i, k := range []string{"natural", "business", "research", "charity", "legal", "other_org", "total"} {
			colKey[width-7+i] = k
		}
	}
	group, prevKey := "", ""
	for r := first; r < len(g); r++ {
		row := g[r]
		var label []string
		last := ""
		prev := ""
		for c, cell := range row {
			if _, data := colKey[c]; data {
				continue
			}
			if cell.text != prev {
				label = append(label, cell.text)
				if strings.TrimSpace(cell.text) != "" {
					last = cell.text
				}
				prev = cell.text
			}
		}
		key := t3Row(strings.Join(label, " "), last, group)
		if key == "" && len(label) > 1 {
			// A label wrapped over several cells (a PDF's lines): read
			// them as one.
			key = t3Row(strings.Join(label, " "), strings.Join(label, ""), group)
		}
		if key == "" {
			// A label too broken to read (a PDF interleaves the group's
			// label with its rows): its number, in the format's order.
			key = nextInOrder(prevKey, strings.Join(label, " "))
		}
		if key != "" {
			prevKey = key
		}
		group = ""
		if i := strings.IndexByte(key, '.'); i > 0 {
			group = key[:i]
		} else if key == "refused" || key == "unable" || key == "unprocessed" || key == "other" {
			group = key
		}
		if key == "" {
			if anyNumber(row, colKey) {
				*notes = append(*notes, "表三：未识别的行“"+strings.Join(label, " ")+"”")
			}
			continue
		}
		cells := map[string]evidence.Cell{}
		for c, k := range colKey {
			if c < len(row) {
				cells[k] = parseCell(row[c].text)
			} else {
				cells[k] = evidence.Cell{Blank: true}
			}
		}
		isGroup := !strings.Contains(key, ".") && (key == "refused" || key == "unable" || key == "unprocessed" || key == "other")
		if isGroup && !anyNumber(row, colKey) {
			continue // a group label row without figures: no printed subtotal
		}
		if _, dup := t.Rows[key]; dup {
			*notes = append(*notes, "表三：重复的行“"+key+"”")
			continue
		}
		t.Rows[key] = cells
	}
	// A 2019 report's single 其他处理 row is a leaf, not a subtotal.
	return t
}

// subNumAnyRE finds a sub-row's number anywhere in a label.
var subNumAnyRE = regexp.MustCompile(`(?:^|[^0-9])([1-8])\s*[.．、]`)

// nextInOrder places a row whose label names no row by its number: table
// 三's result rows come in the format's order (予以公开, 部分公开, then the
// groups' numbered sub-rows), so "5." after 不予公开's 4th row is its 5th.
func nextInOrder(prev, label string) string {
	m := subNumAnyRE.FindStringSubmatch(textnorm.Fold(label))
	if m == nil || prev == "" {
		return ""
	}
	n, _ := strconv.Atoi(m[1])
	groupAt := func(i int) (string, int) { return t3Groups[i].key, len(t3Groups[i].subs) }
	if prev == "partial" && n == 1 {
		return "refused.1"
	}
	for i := range t3Groups {
		key, size := groupAt(i)
		if prev == key && n == 1 {
			return key + ".1" // a printed subtotal, then its first row
		}
		if !strings.HasPrefix(prev, key+".") {
			continue
		}
		k, _ := strconv.Atoi(strings.TrimPrefix(prev, key+"."))
		switch {
		case n == k+1 && n <= size:
			return key + "." + strconv.Itoa(n)
		case k == size && n == 1 && i+1 < len(t3Groups):
			next, _ := groupAt(i + 1)
			return next + ".1"
		}
	}
	return ""
}

func anyNumber(row []gridCell, cols map[int]string) bool {
	for c := range cols {
		if c < len(row) {
			if cl := parseCell(row[c].text); cl.Number || cl.Raw != "" && !cl.Blank {
				return true
			}
		}
	}
	return false
}

// Table 4.

func parseTable4(g [][]gridCell, notes *[]string) *evidence.AnnualReportTable {
	t := &evidence.AnnualReportTable{Rows: map[string]map[string]evidence.Cell{}}
	first := -1
	for r, row := range g {
		nums := 0
		for _, c := range row {
			if looksNumeric(c.text) && strings.TrimSpace(c.text) != "" {
				nums++
			}
		}
		if nums >= 10 {
			first = r
			break
		}
	}
	if first < 0 {
		*notes = append(*notes, "表四：没有数据行")
		return t
	}
	row := g[first]
	type pos struct{ group, col string }
	var cols []pos
	for c := range row {
		h := headerText(g, first, c)
		var p pos
		switch {
		case strings.Contains(h, "复议后起诉"):
			p.group = "suit_after"
		case strings.Contains(h, "直接起诉") || strings.Contains(h, "未经复议"):
			p.group = "suit_direct"
		case strings.Contains(h, "行政复议"):
			p.group = "review"
		}
		switch {
		case strings.Contains(h, "维持"):
			p.col = "upheld"
		case strings.Contains(h, "纠正"):
			p.col = "corrected"
		case strings.Contains(h, "其他"):
			p.col = "other"
		case strings.Contains(h, "尚未审结") || strings.Contains(h, "未审结"):
			p.col = "pending"
		case strings.Contains(h, "总计") || strings.Contains(h, "合计"):
			p.col = "total"
		}
		cols = append(cols, p)
	}
	named := 0
	for _, p := range cols {
		if p.group != "" && p.col != "" {
			named++
		}
	}
	if named < 15 {
		// Headers not read: the 15 figures in the format's order.
		var numeric []int
		for c := range row {
			if looksNumeric(row[c].text) {
				numeric = append(numeric, c)
			}
		}
		if len(numeric) < 15 {
			*notes = append(*notes, "表四：数据不足15格")
		}
		cols = make([]pos, len(row))
		groups := []string{"review", "suit_direct", "suit_after"}
		names := []string{"upheld", "corrected", "other", "pending", "total"}
		for i, c := range numeric {
			if i < 15 {
				cols[c] = pos{groups[i/5], names[i%5]}
			}
		}
	}
	for c, p := range cols {
		if p.group == "" || p.col == "" || c >= len(row) {
			continue
		}
		if t.Rows[p.group] == nil {
			t.Rows[p.group] = map[string]evidence.Cell{}
		}
		t.Rows[p.group][p.col] = parseCell(row[c].text)
	}
	return t
}

// Table 2: rows by the information they count, columns by their headers.

var t2Rows = []struct{ key, word string }{
	{"normative", "规范性文件"}, {"rules", "规章"}, {"license", "行政许可"}, {"other_service", "其他对外管理服务"},
	{"penalty", "行政处罚"}, {"enforcement", "行政强制"}, {"fees", "行政事业性收费"}, {"procurement", "政府集中采购"},
}

func parseTable2(g [][]gridCell) *evidence.AnnualReportTable {
	t := &evidence.AnnualReportTable{Rows: map[string]map[string]evidence.Cell{}}
	var header []string
	for _, row := range g {
		label, key := "", ""
		for _, c := range row {
			n := textnorm.Name(c.text)
			for _, r := range t2Rows {
				if n == textnorm.Name(r.word) || strings.Contains(n, textnorm.Name(r.word)) && utf8.RuneCountInString(n) <= 12 {
					label, key = c.text, r.key
					break
				}
			}
			if key != "" {
				break
			}
		}
		if key == "" {
			// A header row: remember the column names.
			if strings.Contains(textnorm.Name(rowText(row)), "信息内容") {
				header = header[:0]
				for _, c := range row {
					header = append(header, textnorm.Name(c.text))
				}
			}
			continue
		}
		cells := map[string]evidence.Cell{}
		for i, c := range row {
			if c.text == label || !looksNumeric(c.text) {
				continue
			}
			name := strconv.Itoa(i)
			if i < len(header) && header[i] != "" {
				name = header[i]
			}
			cells[name] = parseCell(c.text)
		}
		t.Rows[key] = cells
	}
	return t
}

func rowText(row []gridCell) string {
	var b strings.Builder
	for _, c := range row {
		b.WriteString(c.text)
		b.WriteByte(' ')
	}
	return b.String()
}

// Prose: "共收到政府信息公开申请197件，其中上年结转4件……办结200件，结转下年度办理1件",
// or in English, "received a total of 197 applications …, 4 of which were
// carried forward from the previous year … 200 were answered … 1 was
// carried forward to the next year".

var prose = []struct {
	key string
	res []*regexp.Regexp
}{
	{"new", []*regexp.Regexp{
		regexp.MustCompile(`(?:共收到|收到|新收|受理)(?:政府信息公开)?(?:申请)?(?:共计|共)?\s*([0-9][0-9,]*)\s*件`),
		regexp.MustCompile(`(?i)received a total of ([0-9][0-9,]*) applications`),
		regexp.MustCompile(`(?i)received ([0-9][0-9,]*) (?:new )?applications`),
	}},
	{"carried_in", []*regexp.Regexp{
		regexp.MustCompile(`上年(?:度)?结转(?:的)?(?:申请)?\s*([0-9][0-9,]*)\s*件`),
		regexp.MustCompile(`(?i)([0-9][0-9,]*) of which (?:were|was) carried (?:forward|over) from the previous year`),
	}},
	{"total", []*regexp.Regexp{
		regexp.MustCompile(`(?:已办结|办结|答复|已答复)(?:申请)?\s*([0-9][0-9,]*)\s*件`),
		regexp.MustCompile(`(?i)([0-9][0-9,]*) (?:were|was) answered`),
	}},
	{"carried_out", []*regexp.Regexp{
		regexp.MustCompile(`结转(?:至)?下(?:一)?年度(?:继续)?(?:办理)?\s*([0-9][0-9,]*)\s*件`),
		regexp.MustCompile(`(?i)([0-9][0-9,]*) (?:were|was) carried (?:forward|over) to the next year`),
	}},
}

// proseTable3 reads table 3's totals from prose; nil when the text gives
// neither new applications nor results.
func proseTable3(text string) *evidence.AnnualReportTable {
	f := textnorm.Fold(text)
	t := &evidence.AnnualReportTable{Rows: map[string]map[string]evidence.Cell{}, FromText: true}
	for _, p := range prose {
		for _, re := range p.res {
			if m := re.FindStringSubmatch(f); m != nil {
				c := parseCell(m[1])
				if c.Number {
					t.Rows[p.key] = map[string]evidence.Cell{"total": c}
					break
				}
			}
		}
	}
	if t.Rows["new"] == nil && t.Rows["total"] == nil {
		return nil
	}
	return t
}

// cellNoise removes what may surround a figure in a report cell: thousands
// separators, spaces and counting words.
var cellNoise = strings.NewReplacer(",", "", "，", "", " ", "", "件", "", "个", "", "项", "")
