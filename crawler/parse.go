package crawler

import (
	"bytes"
	"fmt"

	"golang.org/x/net/html"
)

// Tolerant parsing. The HTML5 parser refuses a document nested deeper than
// 512 elements, and Word-pasted pages reach that easily: hundreds of
// unclosed <font> or <span> tags, each reopened by the parser's active
// formatting elements in every following block. Such a page is readable in
// a browser, so gongkai reads it too: when the parser refuses a page, the
// page's tokens are passed through once more without the inline formatting
// tags (whose text stays), and if that is not enough, without the start
// tags nested past a safe depth. The page is then marked repaired.

// formattingTags are inline elements whose tags can be dropped without
// losing text or structure that gongkai reads.
var formattingTags = map[string]bool{
	"font": true, "b": true, "big": true, "i": true, "s": true, "small": true, "strike": true,
	"strong": true, "tt": true, "u": true, "em": true, "span": true, "nobr": true, "sub": true,
	"sup": true, "o:p": true, "ins": true, "del": true, "mark": true, "abbr": true, "cite": true,
}

// voidTags never hold content and never open an element.
var voidTags = map[string]bool{
	"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true, "img": true,
	"input": true, "link": true, "meta": true, "param": true, "source": true, "track": true, "wbr": true,
}

// safeDepth is the nesting kept by the second repair.
const safeDepth = 200

// parseHTML parses a decoded page. It returns the tree and whether the
// page had to be repaired to be read.
func parseHTML(text []byte) (*html.Node, bool, error) {
	doc, err := html.Parse(bytes.NewReader(text))
	if err == nil {
		return doc, false, nil
	}
	first := err
	for _, repair := range []func([]byte) []byte{dropFormatting, limitDepth} {
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
	var out bytes.Buffer
	out.Grow(len(text))
	z := html.NewTokenizer(bytes.NewReader(text))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return out.Bytes()
		}
		if tt == html.StartTagToken || tt == html.EndTagToken || tt == html.SelfClosingTagToken {
			name, _ := z.TagName()
			if formattingTags[string(name)] {
				continue
			}
		}
		out.Write(z.Raw())
	}
}

// limitDepth removes the start tags (and their end tags) of elements
// opened past safeDepth.
func limitDepth(text []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(text))
	z := html.NewTokenizer(bytes.NewReader(text))
	var open []string
	dropped := map[string]int{}
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return out.Bytes()
		}
		switch tt {
		case html.StartTagToken:
			name, _ := z.TagName()
			n := string(name)
			if !voidTags[n] {
				if len(open) >= safeDepth {
					dropped[n]++
					continue
				}
				open = append(open, n)
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			n := string(name)
			if dropped[n] > 0 {
				dropped[n]--
				continue
			}
			for i := len(open) - 1; i >= 0; i-- {
				if open[i] == n {
					open = open[:i]
					break
				}
			}
		}
		out.Write(z.Raw())
	}
}
