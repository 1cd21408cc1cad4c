package crawler

import (
	"bytes"
	"fmt"
	"slices"

	"golang.org/x/net/html"
)

// Tolerant parsing. The HTML5 parser refuses a document nested deeper than
// 512 elements, and real pages reach that easily: Word-pasted content with
// hundreds of unclosed <font> or <span> tags (each reopened by the parser's
// active formatting elements in every following block), a template that
// opens a <div> or a table cell per list item and never closes it. Such a
// page is readable in a browser, so gongkai reads it too: when the parser
// refuses a page, the page's tokens are passed through again without the
// inline formatting tags (whose text stays); if that is not enough,
// without the start tags past a safe depth of elements already open many
// times (the runaway ones: the list, links and cells inside stay); then
// without any start tag past the safe depth; and, as a last resort, with
// its text, links and paragraphs only (none of which nest, so the parser
// always takes the result). The page is then marked repaired.

// formattingTags are inline elements whose tags can be dropped without
// losing text or structure that gongkai reads.
var formattingTags = map[string]bool{
	"font": true, "b": true, "big": true, "i": true, "s": true, "small": true, "strike": true,
	"strong": true, "tt": true, "u": true, "em": true, "span": true, "nobr": true, "sub": true,
	"sup": true, "o:p": true, "ins": true, "del": true, "mark": true, "abbr": true, "cite": true,
	// code is a formatting element to the parser: reopened in every
	// block, it nests as deep as <font>.
	"code": true,
}

// voidTags never hold content and never open an element.
var voidTags = map[string]bool{
	"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true, "img": true,
	"input": true, "link": true, "meta": true, "param": true, "source": true, "track": true, "wbr": true,
}

// rawTextTags hold raw text, never elements: their content is kept as
// the tokenizer read it.
var rawTextTags = map[string]bool{
	"script": true, "style": true, "textarea": true, "title": true, "xmp": true, "iframe": true,
	"noembed": true, "noframes": true, "noscript": true, "plaintext": true,
}

// tableParts are the elements that exist only inside a table; the parser
// ignores them elsewhere.
var tableParts = map[string]bool{"tbody": true, "thead": true, "tfoot": true, "tr": true, "td": true, "th": true,
	"caption": true, "colgroup": true}

// flatTags are the elements flatten keeps: none can hold another of its
// kind (a new <a> or <p> closes the open one), raw text elements, and the
// document's head.
var flatTags = map[string]bool{
	"html": true, "head": true, "body": true, "title": true, "meta": true, "base": true, "link": true,
	"script": true, "style": true, "textarea": true, "a": true, "p": true, "br": true, "hr": true, "img": true,
}

// safeDepth is the nesting the depth repairs keep.
const safeDepth = 200

// runawayOpen is how many elements of one name must be open for a start
// tag of that name past safeDepth to count as runaway.
const runawayOpen = 4

// parseHTML parses a decoded page. It returns the tree and whether the
// page had to be repaired to be read.
func parseHTML(text []byte) (*html.Node, bool, error) {
	doc, err := html.Parse(bytes.NewReader(text))
	if err == nil {
		return doc, false, nil
	}
	first := err
	for _, repair := range []func([]byte) []byte{dropFormatting, dropRunaway, limitDepth, flatten} {
		text = repair(text)
		if doc, err = html.Parse(bytes.NewReader(text)); err == nil {
			return doc, true, nil
		}
	}
	return nil, false, fmt.Errorf("parse html: %w (repair failed: %v)", first, err)
}

// dropFormatting removes the start and end tags of inline formatting
// elements, keeping their text.
func dropFormatting(text []byte) []byte {
	return rewrite(text, func(tt html.TokenType, name string) bool { return !formattingTags[name] })
}

// flatten keeps a page's text, links and paragraphs, and drops every
// other tag.
func flatten(text []byte) []byte {
	return rewrite(text, func(tt html.TokenType, name string) bool { return flatTags[name] })
}

// dropRunaway removes the start tags (and their end tags) of elements
// opened past safeDepth whose name is already open runawayOpen times or
// more: the runaway nesting goes, what it holds stays.
func dropRunaway(text []byte) []byte {
	return dropDeep(text, func(s *openStack, name string) bool { return s.count[name] >= runawayOpen })
}

// limitDepth removes the start tags (and their end tags) of elements
// opened past safeDepth.
func limitDepth(text []byte) []byte {
	return dropDeep(text, func(*openStack, string) bool { return true })
}

// dropDeep removes the start tags, and their end tags, of elements opened
// past safeDepth for which drop says so.
func dropDeep(text []byte, drop func(s *openStack, name string) bool) []byte {
	s := &openStack{count: map[string]int{}}
	dropped := map[string]int{}
	return rewrite(text, func(tt html.TokenType, n string) bool {
		switch {
		case tt == html.SelfClosingTagToken, voidTags[n], rawTextTags[n]:
			return true
		case tableParts[n] && !s.open("table"):
			return true // ignored by the parser: no depth
		case tt == html.StartTagToken:
			s.implyEnds(n)
			if len(s.names) >= safeDepth && drop(s, n) {
				dropped[n]++
				return false
			}
			s.push(n)
		case tt == html.EndTagToken:
			if dropped[n] > 0 {
				// Inner elements end first: the dropped ones.
				dropped[n]--
				return false
			}
			s.pop(n)
		}
		return true
	})
}

// rewrite passes text's tokens through, dropping the tags keep refuses.
// Text outside raw text elements is written escaped anew, so that the
// text on both sides of a dropped tag cannot join into a tag or an entity
// ("<" + "<p>" + "a" must not become "<a").
func rewrite(text []byte, keep func(tt html.TokenType, name string) bool) []byte {
	var out bytes.Buffer
	out.Grow(len(text))
	z := html.NewTokenizer(bytes.NewReader(text))
	inRaw := false
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return out.Bytes()
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			n := string(name)
			inRaw = tt == html.StartTagToken && rawTextTags[n]
			if !keep(tt, n) {
				if tt != html.EndTagToken {
					out.WriteByte(' ') // words on both sides stay apart
				}
				continue
			}
			out.Write(z.Raw())
		case html.TextToken:
			if inRaw {
				out.Write(z.Raw())
			} else {
				out.WriteString(html.EscapeString(string(z.Text())))
			}
		default:
			inRaw = false
			out.Write(z.Raw())
		}
	}
}

// openStack follows a page's start and end tags as the elements they
// leave open, closing those whose end tag a new start tag implies (a new
// <li> closes the open <li>, a <tr> the open cells and row) and ending
// elements only within the scope the parser ends them in, so that its
// depth is close to the parser's.
type openStack struct {
	names []string
	count map[string]int
}

// impliedBy lists, for a start tag, the elements it closes when one of
// them is the innermost open element (inline elements aside).
var impliedBy = map[string][]string{
	"li": {"li"}, "dt": {"dt", "dd"}, "dd": {"dt", "dd"}, "option": {"option"}, "p": {"p"},
	"tr": {"td", "th", "tr"}, "td": {"td", "th"}, "th": {"td", "th"},
	"tbody": {"td", "th", "tr", "tbody", "thead", "tfoot"}, "thead": {"td", "th", "tr", "tbody", "thead", "tfoot"},
	"tfoot": {"td", "th", "tr", "tbody", "thead", "tfoot"},
}

// scopeOf lists, for an end tag, the elements it cannot close past, as
// the parser's scopes do: a </div> inside a table cell leaves the <div>
// outside the table open, a </tr> of another table leaves this one's.
func scopeOf(n string) map[string]bool {
	switch n {
	case "table":
		return nil
	case "tr", "tbody", "thead", "tfoot", "td", "th", "caption":
		return tableScope
	}
	return defaultScope
}

var (
	tableScope   = map[string]bool{"table": true, "template": true}
	defaultScope = map[string]bool{"table": true, "td": true, "th": true, "caption": true, "template": true,
		"object": true, "applet": true, "marquee": true}
)

func (s *openStack) push(n string) {
	s.names = append(s.names, n)
	s.count[n]++
}

func (s *openStack) open(n string) bool { return s.count[n] > 0 }

// pop closes the innermost open n in scope and what it holds; an end tag
// of an element that is not open in scope changes nothing.
func (s *openStack) pop(n string) {
	if s.count[n] == 0 {
		return
	}
	scope := scopeOf(n)
	for i := len(s.names) - 1; i >= 0; i-- {
		if s.names[i] == n {
			for _, m := range s.names[i:] {
				s.count[m]--
			}
			s.names = s.names[:i]
			return
		}
		if scope[s.names[i]] {
			return
		}
	}
}

// implyEnds closes the elements a start tag of n implies the end of.
func (s *openStack) implyEnds(n string) {
	closes := impliedBy[n]
	if len(closes) == 0 {
		return
	}
	for {
		i := len(s.names) - 1
		for i >= 0 && (formattingTags[s.names[i]] || s.names[i] == "a") {
			i--
		}
		if i < 0 || !slices.Contains(closes, s.names[i]) {
			return
		}
		s.pop(s.names[i])
	}
}
