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

// Labels returns the field labels on the page's content with their values.
// Chrome (header, footer, navigation) and the site's template text (segments
// also found on the portal, given in template) are skipped, so a footer's
// "电话：" never counts as a page's field.
func (p *Page) Labels(template map[string]bool) []evidence.Label {
	return p.labels(template, nil)
}

// labels is Labels with known label names (normalised) that guide where a
// label starts in running text.
func (p *Page) labels(template map[string]bool, known map[string]bool) []evidence.Label {
	var out []evidence.Label
	seen := map[string]bool{}
	add := func(label, value string) {
		label = cleanLabel(label)
		if label == "" || len(out) >= maxLabels {
			return
		}
		value = truncRunes(strings.TrimSpace(value), maxValueRunes)
		key := label + "\x00" + value
		if seen[key] {
			return
		}
		seen[key] = true
		out = append(out, evidence.Label{Label: label, Value: value})
	}
	segs := p.Segments()
	skip := func(s Segment) bool { return s.Chrome || template[s.Text] }
	// valueAt returns the segment after i when it sits in the same table row
	// (or definition list) and is not itself a label.
	valueAt := func(i int) (string, bool) {
		if i+1 >= len(segs) || segs[i].Row == nil || segs[i+1].Row != segs[i].Row || segs[i+1].Cell == segs[i].Cell || skip(segs[i+1]) {
			return "", false
		}
		next := segs[i+1]
		if segs[i].Cell.DataAtom == atom.Th && next.Cell != nil && next.Cell.DataAtom == atom.Th {
			return "", false // a header row names columns, it pairs nothing
		}
		if len(inlinePairs(next, known)) > 0 && next.Cell != nil && next.Cell.DataAtom != atom.Dd {
			return "", false
		}
		return next.Text, true
	}
	for i := 0; i < len(segs); i++ {
		seg := segs[i]
		if skip(seg) {
			continue
		}
		pairs := inlinePairs(seg, known)
		if len(pairs) > 0 {
			for k, pr := range pairs {
				if pr[1] == "" && k == len(pairs)-1 {
					if v, ok := valueAt(i); ok {
						add(pr[0], v)
						i++
						break
					}
				}
				add(pr[0], pr[1])
			}
			continue
		}
		if seg.Cell != nil && isLabelCell(seg.Cell, seg.Text) {
			if v, ok := valueAt(i); ok {
				add(seg.Text, v)
				i++
				continue
			}
		}
		if seg.Heading && utf8.RuneCountInString(seg.Text) <= 16 {
			add(seg.Text, "")
		}
	}
	return out
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
	type lab struct{ start, colon, after int }
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
		// A known label name ending at the colon wins (the longest).
		for k := start; k < end; {
			if known[textnorm.Name(text[k:end])] {
				chosen = k
				break
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
		labs = append(labs, lab{start: chosen, colon: i, after: i + n})
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
		out = append(out, [2]string{strings.TrimSpace(text[l.start:l.colon]), strings.TrimSpace(text[l.after:stop])})
	}
	return out
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
	return metaFromLabels(p.labels(template, knownLabels(fields)), fields)
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
