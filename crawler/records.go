package crawler

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"gongkai/internal/textnorm"
)

// List records, found by structure. A list is a run of repeated sibling
// records: elements of one tag under one parent, each holding one title
// link (and perhaps attachment or category links beside it) and usually a
// date. Which tags make the records does not matter: <li>, <tr>, one <dl>
// per item, <dt> with its <dd>, <div> or <p> blocks, or the links
// themselves in a flat run of <a>, <span> and <br>. For each title link the
// record is found by climbing from the link while the ancestor still holds
// no other title link, and keeping the highest such ancestor that has a
// sibling of its own tag holding a title link too: that is where the
// repetition is. Text between records that belongs to no record (a date
// printed after each link of a flat run, a <dd> after each <dt>) is read
// with the record it follows, or precedes when dates come first.

// linkTally counts the distinct title links below a node, saturating at 2:
// a record holds exactly one (the same URL twice, an icon and a text link
// to one page, is one).
type linkTally struct {
	n   int8
	url string
}

func (t *linkTally) add(u string) {
	switch {
	case t.n == 0:
		t.n, t.url = 1, u
	case t.n == 1 && t.url != u:
		t.n = 2
	}
}

// auxRE matches the texts of links that stand beside a title in a record
// rather than being one: attachments, formats, interpretations, details.
var auxRE = regexp.MustCompile(`(?i)^(pdf|docx?|xlsx?|wps|ofd|zip|rar|txt|下载|附件|附件下载|原文|原文下载|全文|详情|详细|查看|查看详情|解读|图解|图片解读|文字解读|视频|视频解读|音频|政策解读|相关解读|回应|更多|点击查看|阅读全文|在线申请|办理|在线办理|预览|打印)$`)

// isAux reports whether a candidate link is an auxiliary link of a record
// (a format or download link, a bracketed category tag) rather than its
// title. Such links never start a record and never count as a second
// title in one.
func isAux(a Anchor) bool {
	raw := strings.TrimSpace(textnorm.Fold(a.Text))
	norm := textnorm.Name(raw)
	if norm == "" {
		return a.TitleAttr == ""
	}
	if auxRE.MatchString(norm) {
		return true
	}
	n := utf8.RuneCountInString(norm)
	if n <= 6 && (strings.HasPrefix(raw, "[") || strings.HasPrefix(raw, "【") || strings.HasPrefix(raw, "(") || strings.HasPrefix(raw, "（")) {
		return true // [通知], 【PDF】: a tag or format beside the title
	}
	return n <= 6 && isAttachment(a.URL.Path)
}

// placeholders are the marks of unbound template placeholders: {{item.title}},
// ${url}, {$title}, <%=…%>, and their URL-encoded forms (lower case).
var placeholders = []string{"{{", "}}", "${", "{$", "<%", "%>", "%7b%7b", "%7d%7d", "%24%7b"}

// hasPlaceholder reports whether s holds an unbound template placeholder.
// It is called for every link of every page: a byte scan rules most text
// out before any substring search.
func hasPlaceholder(s string) bool {
	if strings.IndexAny(s, "{}$<%") < 0 {
		return false
	}
	if strings.Contains(s, "%") {
		s = strings.ToLower(s)
	}
	for _, p := range placeholders {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}

// templateAttrs are attributes of client-side templating that repeat an
// element per data record: a list under them is a template, not content.
var templateAttrs = []string{"ms-repeat", "ms-for", "ms-each", "v-for", "ng-repeat", "*ngfor", "x-for", "th:each", "data-ng-repeat", "wx:for", "each"}

// isTemplated reports whether n or an ancestor repeats by a template
// attribute, or n carries an unbound placeholder in its href or text.
func isTemplated(a Anchor) bool {
	if hasPlaceholder(attr(a.Node, "href")) || hasPlaceholder(a.Text) || hasPlaceholder(a.TitleAttr) {
		return true
	}
	for n := a.Node; n != nil; n = n.Parent {
		if n.Type != html.ElementNode {
			continue
		}
		for _, at := range n.Attr {
			k := at.Key
			for _, t := range templateAttrs {
				if k == t || strings.HasPrefix(k, t+"-") || strings.HasPrefix(k, t+":") {
					return true
				}
			}
		}
	}
	return false
}

// recordFinder finds the record element of each title link on a page.
type recordFinder struct {
	tally  map[*html.Node]*linkTally
	repeat map[*html.Node]bool
}

// newRecordFinder tallies the title links (by URL) of each ancestor.
func newRecordFinder(links []Anchor) *recordFinder {
	f := &recordFinder{tally: map[*html.Node]*linkTally{}, repeat: map[*html.Node]bool{}}
	for _, a := range links {
		u := a.URL.String()
		for n := a.Node; n != nil; n = n.Parent {
			t := f.tally[n]
			if t == nil {
				t = &linkTally{}
				f.tally[n] = t
			}
			t.add(u)
		}
	}
	return f
}

func (f *recordFinder) count(n *html.Node) int8 {
	if t := f.tally[n]; t != nil {
		return t.n
	}
	return 0
}

// repeats reports whether n has a sibling element of its tag that holds
// one title link: a record like n. (A sibling holding several is a list or
// a box, not a record: a page's main block beside its sidebar is no pair of
// records.)
func (f *recordFinder) repeats(n *html.Node) bool {
	if v, ok := f.repeat[n]; ok {
		return v
	}
	v := false
	if n.Parent != nil {
		for s := n.Parent.FirstChild; s != nil; s = s.NextSibling {
			if s != n && s.Type == html.ElementNode && s.Data == n.Data && f.count(s) == 1 {
				v = true
				break
			}
		}
	}
	f.repeat[n] = v
	return v
}

// chain returns a title link and its ancestors that hold no other title
// link, the link first.
func (f *recordFinder) chain(a *html.Node) []*html.Node {
	var out []*html.Node
	for n := a; n != nil && n.Type == html.ElementNode && n.DataAtom != atom.Body; n = n.Parent {
		if n != a && f.count(n) > 1 {
			break
		}
		out = append(out, n)
		if p := n.Parent; p == nil || f.count(p) > 1 {
			break
		}
	}
	return out
}

// recordOf returns the record element holding the title link a: the
// highest ancestor holding no other title link that repeats among its
// siblings (repeated true); without repetition (a list of one), the
// nearest row-like element holding no other title link.
func (f *recordFinder) recordOf(a *html.Node) (record *html.Node, repeated bool) {
	var row *html.Node
	for _, n := range f.chain(a) {
		if f.repeats(n) {
			record = n
		}
		if row == nil && n != a && rowTags[n.DataAtom] {
			row = n
		}
	}
	switch {
	case record != nil:
		return record, true
	case row != nil:
		return row, false
	}
	return a, false
}

// signature names an element by tag and class: records of one list share
// it.
func signature(n *html.Node) string { return n.Data + "." + attr(n, "class") }

// like returns the highest element of a's chain whose signature is among
// sigs (the records that repeat elsewhere on the page), or nil: a list of
// one item split off from its list (under a year heading of its own) is
// read with the rest.
func (f *recordFinder) like(a *html.Node, sigs map[string]bool) *html.Node {
	var out *html.Node
	for _, n := range f.chain(a) {
		if sigs[signature(n)] {
			out = n
		}
	}
	return out
}

// gapDirection says where the text of a record's unowned siblings goes.
type gapDirection int

const (
	gapNone     gapDirection = iota
	gapForward               // text after a record belongs to it
	gapBackward              // text before a record belongs to it (dates first)
)

// gapPieces returns the text pieces of the sibling nodes between record
// node and the next (forward) or previous (backward) record of the group.
func gapPieces(node *html.Node, isRecord func(*html.Node) bool, dir gapDirection) []string {
	var out []string
	step := func(n *html.Node) *html.Node {
		if dir == gapBackward {
			return n.PrevSibling
		}
		return n.NextSibling
	}
	for s := step(node); s != nil && !isRecord(s); s = step(s) {
		var pieces []string
		switch s.Type {
		case html.TextNode:
			if t := textnorm.Space(s.Data); t != "" {
				pieces = []string{t}
			}
		case html.ElementNode:
			if skipTags[s.DataAtom] {
				continue
			}
			if s.DataAtom == atom.A || countLinks(s) > 0 || utf8.RuneCountInString(textOf(s)) > 40 {
				// A link that is no record, or a block of its own (a
				// menu, a side box, the page's body), ends the gap: a
				// record's loose text is a date or a line, no more.
				return out
			}
			pieces = piecesExcept(s, nil)
			if t := textnorm.Space(textOf(s)); t != "" && len(pieces) == 0 {
				pieces = []string{t}
			}
		}
		if dir == gapBackward {
			out = append(pieces, out...)
		} else {
			out = append(out, pieces...)
		}
		if len(out) > 8 {
			break
		}
	}
	return out
}
