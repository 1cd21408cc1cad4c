package crawler

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"

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
	// inlineLabelRE finds "标签：" inside a run of text: 2 to 10 letters
	// (Han or Latin) ending in a colon.
	inlineLabelRE = regexp.MustCompile(`([\p{Han}A-Za-z][\p{Han}A-Za-z（）() ]{0,11}[\p{Han}A-Za-z）)])\s*[:：]`)
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
// Chrome (header, footer, navigation) is skipped.
func (p *Page) Labels() []evidence.Label {
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
	body := p.Doc.Find("body")
	// Table rows: label cells followed by value cells.
	body.Find("tr").Each(func(_ int, tr *goquery.Selection) {
		if inChrome(tr.Get(0)) {
			return
		}
		cells := tr.ChildrenFiltered("td, th")
		n := cells.Length()
		for i := 0; i < n; i++ {
			c := cells.Eq(i)
			txt := textnorm.Space(c.Text())
			lab, val, ok := splitInline(txt)
			switch {
			case ok && val != "":
				add(lab, val)
			case i+1 < n && isLabelCell(c, txt):
				add(txt, textnorm.Space(cells.Eq(i+1).Text()))
				i++
			case ok:
				add(lab, "")
			}
		}
	})
	// Definition lists.
	body.Find("dt").Each(func(_ int, dt *goquery.Selection) {
		if inChrome(dt.Get(0)) {
			return
		}
		dd := dt.NextFiltered("dd")
		add(textnorm.Space(dt.Text()), textnorm.Space(dd.Text()))
	})
	// Runs of text: "标签：值" pairs, possibly several in one run, and
	// headings standing alone.
	for _, seg := range p.Segments() {
		if seg.Chrome {
			continue
		}
		pairs := inlinePairs(seg.Text)
		for _, pr := range pairs {
			add(pr[0], pr[1])
		}
		if len(pairs) == 0 && seg.Heading && utf8.RuneCountInString(seg.Text) <= 16 {
			add(seg.Text, "")
		}
	}
	return out
}

// isLabelCell reports whether a table cell reads as a label: a <th>, or
// short text ending in a colon, or short text without digits followed by a
// value cell.
func isLabelCell(c *goquery.Selection, txt string) bool {
	if txt == "" {
		return false
	}
	if goquery.NodeName(c) == "th" {
		return true
	}
	f := strings.TrimSpace(txt)
	if strings.HasSuffix(f, ":") || strings.HasSuffix(f, "：") {
		return utf8.RuneCountInString(f) <= maxLabelRunes+1
	}
	return utf8.RuneCountInString(f) <= 8 && !strings.ContainsAny(f, "0123456789") && c.Find("a").Length() == 0
}

// splitInline splits "标签：值" into its parts.
func splitInline(s string) (label, value string, ok bool) {
	loc := inlineLabelRE.FindStringSubmatchIndex(s)
	if loc == nil || loc[0] != 0 && strings.TrimSpace(s[:loc[0]]) != "" {
		return "", "", false
	}
	return s[loc[2]:loc[3]], strings.TrimSpace(s[loc[1]:]), true
}

// inlinePairs finds every "标签：值" pair in a run of text; a value runs to
// the next label.
func inlinePairs(s string) [][2]string {
	locs := inlineLabelRE.FindAllStringSubmatchIndex(s, -1)
	var out [][2]string
	for i, loc := range locs {
		label := s[loc[2]:loc[3]]
		if isURLScheme(label) || i == 0 && loc[0] > 0 && !labelBoundary(s[:loc[0]]) {
			continue
		}
		end := len(s)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		out = append(out, [2]string{label, strings.TrimSpace(s[loc[1]:end])})
	}
	return out
}

// labelBoundary accepts a first label preceded only by numbering or punctuation.
func labelBoundary(prefix string) bool {
	return utf8.RuneCountInString(strings.TrimSpace(numberingRE.ReplaceAllString(prefix, ""))) <= 1
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
func (p *Page) DocumentMeta(fields []MetaField) map[string]string {
	return metaFromLabels(p.Labels(), fields)
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
		if inChrome(a.Node) {
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
