package crawler

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"gongkai/evidence"
	"gongkai/internal/textnorm"
)

// Field labels. Page columns (指南, 机构职能, 领导信息) and document pages
// print their fields as label/value pairs in many markups: table cells
// (<td>索引号：</td><td>…</td>, two pairs a row), <th>/<td>, <dt>/<dd>,
// "发文机关：区财政局" runs inside spans or lines, and headings followed by
// paragraphs (<strong>主要职责</strong>). Labels collects them all; the
// judge decides which labels satisfy which required field.

var (
	// numberingRE strips heading numbers: 一、 （一） 1. 1、 (1)
	numberingRE = regexp.MustCompile(`^\s*(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十0-9]+[)）]|[0-9]+[、.．)）])\s*`)
	quoteRE     = regexp.MustCompile(`《([^《》]{2,80})》`)
)

const (
	maxLabels     = 120
	maxLabelRunes = 12
	maxValueRunes = 200
	maxTextRunes  = 8000
)

// positionRE matches a line of positions held: 中共柘城县委副书记、县人民政府县长,
// 党组书记、局长. Each part ends with a post's name.
var positionRE = regexp.MustCompile(`^(?:[\p{Han}（）()]{0,24}?(?:书记|县长|区长|市长|镇长|乡长|局长|主任|主席|委员|组长|部长|厅长|处长|科长|所长|站长|队长|院长|校长|馆长|经理|常委|秘书长|巡视员|调研员|检察长|政委|专员|督学|总师|工程师|党组成员|成员)[、，,/ ]*){1,5}$`)

// nameRoleRE matches a leader's name with the posts held in brackets:
// （一）林良明（党组书记、局长）.
var nameRoleRE = regexp.MustCompile(`^[\p{Han}·]{2,4}\s*[（(]([^（）()]{2,40})[）)]$`)

// roleLine reads the line of positions printed under a leader's name (a
// short heading), or in brackets after it, as the leader's 职务: leader
// pages print the posts there without a label.
func (r *labelReader) roleLine(i int) (string, bool) {
	seg := r.segs[i]
	if m := nameRoleRE.FindStringSubmatch(numberingRE.ReplaceAllString(textnorm.Fold(seg.Text), "")); m != nil && positionRE.MatchString(m[1]) {
		return m[1], true
	}
	if i == 0 {
		return "", false
	}
	prev := r.segs[i-1]
	name := []rune(strings.ReplaceAll(textnorm.Name(prev.Text), " ", ""))
	if !prev.Heading || len(name) < 2 || len(name) > 4 || seg.Heading || seg.Chrome || utf8.RuneCountInString(seg.Text) > 48 {
		return "", false
	}
	if !positionRE.MatchString(strings.TrimSpace(seg.Text)) {
		return "", false
	}
	return seg.Text, true
}

// isH1 reports whether a segment is an <h1>: a page's title.
func isH1(s Segment) bool {
	return s.Node != nil && s.Node.DataAtom == atom.H1
}

// LabelContext tells the label reader what it cannot see on the page.
type LabelContext struct {
	// Template is the site's template text (the portal's segments): a
	// segment found there is the site's, not the page's, and starts no
	// field; a label's value is never dropped for appearing there too
	// (a document's 发布机构 is the unit whose name heads every page).
	Template map[string]bool
	// Known are normalised label names (the metadata fields and their
	// aliases) that guide where a label starts in running text.
	Known map[string]bool
	// Titles are normalised names that title the page (the column's name
	// and aliases): a heading equal to one is the page's title, never a
	// field.
	Titles map[string]bool
}

// Labels returns the field labels on the page's content with their
// values, from every split real pages use: "标签：值" in one run of text,
// a label element (strong, b, label, font, span, th, td, dt) followed by
// its value in a text node or an element, the next cell of a table row,
// two pairs a row, and the value on the line after the label. A heading
// (h1..h6, th, dt, a bold run standing alone) is a label whose value is the
// text under it; the page's own title is not a label. Chrome (header,
// footer, navigation) and the site's template text start no label, so a
// footer's "电话：" never counts as a page's field.
func (p *Page) Labels(lc LabelContext) []evidence.Label {
	r := labelReader{lc: lc, segs: p.Segments(), seen: map[string]bool{}, titles: p.titleNames(lc.Titles)}
	return r.read()
}

// titleNames returns the normalised names that title the page: given
// ones, its <title> (and the parts of a "column_site" title), the
// ArticleTitle and ColumnName metas and its first <h1>. The first heading
// of the content is the page's title when it says one of them; a heading
// further down is a field even when it repeats the column's name (机构设置
// over a list of departments).
func (p *Page) titleNames(given map[string]bool) map[string]bool {
	out := map[string]bool{}
	for k := range given {
		out[k] = true
	}
	add := func(s string) {
		if n := textnorm.Name(s); n != "" {
			out[n] = true
		}
	}
	title := textnorm.Space(p.Doc.Find("title").First().Text())
	add(title)
	for _, part := range strings.FieldsFunc(title, func(r rune) bool { return r == '_' || r == '-' || r == '|' || r == '—' }) {
		add(part)
	}
	meta := p.Meta()
	add(meta["ArticleTitle"])
	add(meta["ColumnName"])
	add(p.Doc.Find("h1").First().Text())
	return out
}

// labelReader reads the label/value pairs of one page's segments.
type labelReader struct {
	lc     LabelContext
	segs   []Segment
	titles map[string]bool
	out    []evidence.Label
	seen   map[string]bool
	headed bool // a heading of the content was met
}

func (r *labelReader) add(label, value string) {
	label = cleanLabel(label)
	if label == "" || len(r.out) >= maxLabels {
		return
	}
	value = truncRunes(strings.TrimSpace(value), maxValueRunes)
	key := label + "\x00" + value
	if r.seen[key] {
		return
	}
	r.seen[key] = true
	r.out = append(r.out, evidence.Label{Label: label, Value: value})
}

// namesField reports whether a segment heads what follows it without
// being marked up as a heading: a line that says nothing but a known field
// name (工作分工 on a tab, 主要职责 on a line of its own), or a short
// numbered line (一、主要职责, （三）内设机构职责).
func (r *labelReader) namesField(s Segment) bool {
	if s.Cell != nil || utf8.RuneCountInString(s.Text) > maxLabelRunes+4 {
		return false
	}
	if r.lc.Known[textnorm.Name(strings.TrimRight(s.Text, ":："))] {
		return true
	}
	f := textnorm.Fold(s.Text)
	if !numberingRE.MatchString(f) || strings.ContainsAny(f, "。，；,;:：") {
		return false
	}
	rest := numberingRE.ReplaceAllString(f, "")
	return utf8.RuneCountInString(textnorm.Name(rest)) >= 2 && utf8.RuneCountInString(rest) <= maxLabelRunes
}

// startsLabel reports whether a segment begins with a label: a heading, a
// label cell, a known field name standing alone, or text opening with
// "标签：".
func (r *labelReader) startsLabel(s Segment) bool {
	if s.Heading || r.namesField(s) {
		return true
	}
	if s.Cell != nil && s.Cell.DataAtom != atom.Dd && isLabelCell(s.Cell, s.Text) {
		return true
	}
	pairs := inlinePairs(s, r.lc.Known)
	return len(pairs) > 0 && strings.HasPrefix(textnorm.Name(numberingRE.ReplaceAllString(textnorm.Fold(s.Text), "")), textnorm.Name(pairs[0][0]))
}

// valueAt returns the segment after i when it sits in the same table row
// (or definition list) and is not itself a label.
func (r *labelReader) valueAt(i int) (string, bool) {
	segs := r.segs
	if i+1 >= len(segs) || segs[i].Row == nil || segs[i+1].Row != segs[i].Row || segs[i+1].Cell == segs[i].Cell || segs[i+1].Chrome {
		return "", false
	}
	next := segs[i+1]
	if segs[i].Cell.DataAtom == atom.Th && next.Cell != nil && next.Cell.DataAtom == atom.Th {
		return "", false // a header row names columns, it pairs nothing
	}
	if len(inlinePairs(next, r.lc.Known)) > 0 && next.Cell != nil && next.Cell.DataAtom != atom.Dd {
		return "", false
	}
	return next.Text, true
}

// nextLine returns the segment after i as the value of a label that ended
// its own line ("索 引 号：" in one element, the value in the next): the
// next segment, when it is content and not a label itself.
func (r *labelReader) nextLine(i int) (string, bool) {
	if i+1 >= len(r.segs) {
		return "", false
	}
	next := r.segs[i+1]
	if next.Chrome || r.startsLabel(next) || next.LinkRunes*10 >= utf8.RuneCountInString(next.Text)*8 {
		return "", false
	}
	return next.Text, true
}

// under returns the text under a heading at i: the segments that follow
// until the next label, heading, chrome or template text, capped; and how
// many segments it took.
func (r *labelReader) under(i int) (string, int) {
	var b strings.Builder
	n := 0
	for j := i + 1; j < len(r.segs) && n < 6 && utf8.RuneCountInString(b.String()) < maxValueRunes; j++ {
		s := r.segs[j]
		if s.Chrome || r.startsLabel(s) || n > 0 && r.lc.Template[s.Text] {
			break
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s.Text)
		n++
	}
	return b.String(), n
}

func (r *labelReader) read() []evidence.Label {
	segs := r.segs
	for i := 0; i < len(segs); i++ {
		seg := segs[i]
		if seg.Chrome || r.lc.Template[seg.Text] {
			continue
		}
		pairs := inlinePairs(seg, r.lc.Known)
		if len(pairs) > 0 {
			for k, pr := range pairs {
				if pr[1] == "" && k == len(pairs)-1 {
					if v, ok := r.valueAt(i); ok {
						r.add(pr[0], v)
						i++
						break
					}
					if v, ok := r.nextLine(i); ok {
						r.add(pr[0], v)
						i++
						break
					}
				}
				r.add(pr[0], pr[1])
			}
			continue
		}
		if seg.Cell != nil && isLabelCell(seg.Cell, seg.Text) {
			if v, ok := r.valueAt(i); ok {
				r.add(seg.Text, v)
				i++
				continue
			}
		}
		if role, ok := r.roleLine(i); ok {
			r.add("职务", role)
			continue
		}
		if (seg.Heading || r.namesField(seg)) && utf8.RuneCountInString(seg.Text) <= 16 {
			first := !r.headed
			r.headed = true
			if first && r.titles[textnorm.Name(seg.Text)] || isH1(seg) {
				continue // the page's title, not a field
			}
			v := ""
			if seg.Cell == nil || !isCellText(seg.Cell, seg.Text) || soleCell(seg.Cell) {
				// A heading that is a column's header cell (a header row)
				// has no value under it; a heading alone in its row, or
				// inside a layout cell, does.
				v, _ = r.under(i)
			}
			r.add(seg.Text, v)
		}
	}
	return r.out
}

// isCellText reports whether text is all the text of cell c.
func isCellText(c *html.Node, text string) bool {
	return textnorm.Name(textOf(c)) == textnorm.Name(text)
}

// soleCell reports whether c is the only cell of its row with text.
func soleCell(c *html.Node) bool {
	if c.Parent == nil {
		return true
	}
	for s := c.Parent.FirstChild; s != nil; s = s.NextSibling {
		if s != c && s.Type == html.ElementNode && textnorm.Name(textOf(s)) != "" {
			return false
		}
	}
	return true
}

// isLabelCell reports whether a cell reads as a label: a <th> or <dt>, or
// short text without digits or links (a value cell follows it).
func isLabelCell(c *html.Node, txt string) bool {
	if txt == "" || c.DataAtom == atom.Dd {
		return false
	}
	if c.DataAtom == atom.Th || c.DataAtom == atom.Dt {
		return utf8.RuneCountInString(txt) <= maxLabelRunes+4
	}
	return utf8.RuneCountInString(txt) <= 8 && !strings.ContainsAny(txt, "0123456789") && countLinks(c) == 0
}

// labelRune reports whether r can be part of a label.
func labelRune(r rune) bool {
	return unicode.Is(unicode.Han, r) || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == ' ' || r == '（' || r == '）' || r == '(' || r == ')'
}

// inlinePairs finds every "标签：值" pair in a segment; a value runs to the
// next label. Where text runs into a label without a space
// ("北京市怀柔区财政局发文字号："), the label starts at a known label name
// (known, normalised) that ends at the colon, else at the furthest inline
// element boundary, space or punctuation within maxLabelRunes of the colon.
func inlinePairs(seg Segment, known map[string]bool) [][2]string {
	text := seg.Text
	type lab struct{ start, end, colon, after int }
	var labs []lab
	allowed := map[int]bool{0: true}
	for _, b := range seg.Breaks {
		allowed[b] = true
	}
	for i, r := range text {
		if r != ':' && r != '：' {
			continue
		}
		// Walk back over label runes.
		end := i
		for end > 0 {
			r, n := utf8.DecodeLastRuneInString(text[:end])
			if r != ' ' {
				break
			}
			end -= n
		}
		if end == 0 {
			continue
		}
		if last, _ := utf8.DecodeLastRuneInString(text[:end]); !labelRune(last) || last == ' ' {
			continue
		}
		start, runes := end, 0
		var cands []int
		for start > 0 && runes < maxLabelRunes {
			r, n := utf8.DecodeLastRuneInString(text[:start])
			if !labelRune(r) {
				break
			}
			start -= n
			runes++
			if allowed[start] || start == 0 {
				cands = append(cands, start)
			} else if prev, _ := utf8.DecodeLastRuneInString(text[:start]); prev == ' ' || unicode.IsPunct(prev) || unicode.IsSymbol(prev) {
				cands = append(cands, start)
			}
		}
		chosen := -1
		// A known label name ending at the colon wins (the longest), also
		// run into a sentence with a copula: "管委会主要职能为：…".
		for k := start; k < end && chosen < 0; {
			for _, e := range []int{end, copulaEnd(text, k, end)} {
				if e > k && known[textnorm.Name(text[k:e])] {
					chosen, end = k, e
					break
				}
			}
			_, n := utf8.DecodeRuneInString(text[k:])
			k += n
		}
		if chosen < 0 && len(cands) > 0 {
			chosen = cands[len(cands)-1] // the furthest boundary
		}
		if chosen < 0 {
			if start > 0 {
				continue // a colon inside running text, no label before it
			}
			chosen = start
		}
		label := strings.TrimSpace(text[chosen:end])
		if utf8.RuneCountInString(strings.ReplaceAll(label, " ", "")) < 2 || isURLScheme(label) {
			continue
		}
		_, n := utf8.DecodeRuneInString(text[i:])
		labs = append(labs, lab{start: chosen, end: end, colon: i, after: i + n})
	}
	var out [][2]string
	for k, l := range labs {
		if k > 0 && l.start < labs[k-1].after {
			continue
		}
		stop := len(text)
		if k+1 < len(labs) {
			stop = labs[k+1].start
		}
		out = append(out, [2]string{strings.TrimSpace(text[l.start:l.end]), strings.TrimSpace(text[l.after:stop])})
	}
	return out
}

// copulaEnd returns where text[start:end] ends without a closing 为 or 是
// ("主要职能为"), or start when it has none.
func copulaEnd(text string, start, end int) int {
	if r, n := utf8.DecodeLastRuneInString(text[start:end]); r == '为' || r == '是' {
		return end - n
	}
	return start
}

func isURLScheme(s string) bool {
	low := strings.ToLower(strings.TrimSpace(s))
	return low == "http" || low == "https" || low == "ftp" || low == "mailto"
}

// cleanLabel trims a label: numbering, colons, brackets and spaces.
func cleanLabel(s string) string {
	s = numberingRE.ReplaceAllString(textnorm.Fold(s), "")
	s = strings.TrimSpace(strings.Trim(strings.TrimSpace(s), ":：【】[]<>《》\"' \t"))
	s = strings.Join(strings.Fields(s), "")
	if s == "" || utf8.RuneCountInString(s) > maxLabelRunes+4 {
		return ""
	}
	return s
}

func truncRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n])
}

// ContentText returns the page's content text: text outside chrome and
// outside links, without segments that also appear in seen (the site's
// template text gathered from other pages), capped.
func (p *Page) ContentText(seen map[string]bool) string {
	var b strings.Builder
	runes := 0
	for _, seg := range p.Segments() {
		if seg.Chrome || seen[seg.Text] {
			continue
		}
		n := utf8.RuneCountInString(seg.Text)
		if seg.LinkRunes*10 >= n*8 {
			continue // a run of links: navigation
		}
		if runes+n > maxTextRunes {
			break
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(seg.Text)
		runes += n
	}
	return b.String()
}

// TemplateText returns the set of text segments of p, to be subtracted
// from other pages of the same site as template text.
func (p *Page) TemplateText() map[string]bool {
	out := map[string]bool{}
	for _, seg := range p.Segments() {
		out[seg.Text] = true
	}
	return out
}

// MetaField names a document metadata field and the labels it goes by.
type MetaField struct {
	Name    string
	Aliases []string
}

// DocumentMeta reads a document page's metadata block into canonical field
// names. A label matches a field when, normalised, it equals the field's
// name or one of its aliases.
func (p *Page) DocumentMeta(fields []MetaField, template map[string]bool) map[string]string {
	return metaFromLabels(p.Labels(LabelContext{Template: template, Known: knownLabels(fields)}), fields)
}

// knownLabels returns the normalised names and aliases of fields.
func knownLabels(fields []MetaField) map[string]bool {
	out := map[string]bool{}
	for _, f := range fields {
		out[textnorm.Name(f.Name)] = true
		for _, a := range f.Aliases {
			out[textnorm.Name(a)] = true
		}
	}
	return out
}

func metaFromLabels(labels []evidence.Label, fields []MetaField) map[string]string {
	byName := map[string]string{}
	for _, f := range fields {
		byName[textnorm.Name(f.Name)] = f.Name
		for _, a := range f.Aliases {
			byName[textnorm.Name(a)] = f.Name
		}
	}
	out := map[string]string{}
	for _, l := range labels {
		canon, ok := byName[textnorm.Name(l.Label)]
		if !ok || l.Value == "" {
			continue
		}
		if _, dup := out[canon]; !dup {
			out[canon] = l.Value
		}
	}
	if len(out) == 0 {
		return nil // as the evidence reads back from JSON
	}
	return out
}

// ContentLinks returns the absolute URLs linked from the page outside chrome.
func (p *Page) ContentLinks() []string {
	var out []string
	seen := map[string]bool{}
	for _, a := range p.Anchors() {
		if p.inChrome(a.Node) {
			continue
		}
		s := a.URL.String()
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// Quoted returns the titles quoted in 《》 in the page's title and content.
func (p *Page) Quoted() []string {
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		for _, m := range quoteRE.FindAllStringSubmatch(textnorm.Fold(s), -1) {
			q := strings.TrimSpace(m[1])
			if !seen[q] {
				seen[q] = true
				out = append(out, q)
			}
		}
	}
	add(p.Title())
	for _, seg := range p.Segments() {
		if !seg.Chrome {
			add(seg.Text)
		}
		if len(out) > 50 {
			break
		}
	}
	return out
}

// isAttachment reports whether a URL names a downloadable file.
func isAttachment(path string) bool {
	low := strings.ToLower(path)
	for _, ext := range []string{".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".et", ".zip", ".rar", ".7z", ".ppt", ".pptx", ".ofd", ".txt", ".csv", ".jpg", ".png"} {
		if strings.HasSuffix(low, ext) {
			return true
		}
	}
	return false
}
