package crawler

import (
	"strings"
	"unicode/utf8"

	"gongkai/evidence"
	"gongkai/internal/textnorm"
)

// Discovery. A column is found by a link whose text (or image alt) matches
// one of its names after folding width, case, whitespace and punctuation:
// equal first, else containing the name (政府信息公开指南（2020版）). When a
// link contains names of two columns, the name at the end of the link text
// wins (政策文件解读 is an interpretation), then the longer name. Links whose
// text names a hub (信息公开, 公开目录) are followed, breadth first, up to
// the configured depth.

// matcher matches link texts against column names and hub phrases.
type matcher struct {
	names []nameEntry
	hubs  []string
}

type nameEntry struct {
	column string
	raw    string
	norm   string
	runes  int
}

// match is one link matched to a column.
type match struct {
	column string
	name   string
	exact  bool
	rank   int // higher is better among contained matches
}

func newMatcher(cols []ColumnSpec, hubs []string) *matcher {
	m := &matcher{}
	for _, c := range cols {
		for _, n := range c.Names {
			if k := textnorm.Name(n); k != "" {
				m.names = append(m.names, nameEntry{column: c.ID, raw: n, norm: k, runes: utf8.RuneCountInString(k)})
			}
		}
	}
	for _, h := range hubs {
		if k := textnorm.Name(h); k != "" {
			m.hubs = append(m.hubs, k)
		}
	}
	return m
}

// navNames returns the set of normalised column names and hub phrases.
func (m *matcher) navNames() map[string]bool {
	out := map[string]bool{}
	for _, n := range m.names {
		out[n.norm] = true
	}
	for _, h := range m.hubs {
		out[h] = true
	}
	return out
}

// column matches a link text to a column.
func (m *matcher) column(text string) (match, bool) {
	t := textnorm.Name(text)
	tr := utf8.RuneCountInString(t)
	if t == "" || tr > 30 {
		return match{}, false
	}
	var best match
	found := false
	for _, n := range m.names {
		if t == n.norm {
			return match{column: n.column, name: n.raw, exact: true}, true
		}
		if tr > n.runes+8 || !strings.Contains(t, n.norm) {
			continue
		}
		rank := n.runes
		if strings.HasSuffix(t, n.norm) {
			rank += 1000
		} else if strings.HasPrefix(t, n.norm) {
			rank += 500
		}
		if !found || rank > best.rank {
			best = match{column: n.column, name: n.raw, rank: rank}
			found = true
		}
	}
	return best, found
}

// hub reports whether a link text names a hub page.
func (m *matcher) hub(text string) bool {
	t := textnorm.Name(text)
	if t == "" || utf8.RuneCountInString(t) > 14 {
		return false
	}
	for _, h := range m.hubs {
		if strings.Contains(t, h) {
			return true
		}
	}
	return false
}

// found is a column located by discovery.
type found struct {
	url string
	d   evidence.Discovery
}

// discoverOn matches the links of one page and returns the hub links to
// follow. Earlier (shallower) finds win; at the same depth an exact match
// beats a contained one. A nil scope allows every host (inspect).
func (m *matcher) discoverOn(p *Page, depth int, sc scope, result map[string]*found, exactAt map[string]bool) []string {
	var hubs []string
	for _, a := range p.Anchors() {
		if sc != nil && !sc.allows(a.URL) {
			continue
		}
		text := a.Text
		if mt, ok := m.column(text); ok {
			prev := result[mt.column]
			if prev == nil || prev.d.Depth == depth && mt.exact && !exactAt[mt.column] {
				result[mt.column] = &found{url: a.URL.String(), d: evidence.Discovery{
					Method: "link", LinkText: text, Matched: mt.name, FoundOn: p.URL.String(), Depth: depth,
				}}
				exactAt[mt.column] = mt.exact
			}
			continue
		}
		if a.TitleAttr != "" && a.TitleAttr != text {
			if mt, ok := m.column(a.TitleAttr); ok && result[mt.column] == nil {
				result[mt.column] = &found{url: a.URL.String(), d: evidence.Discovery{
					Method: "link", LinkText: a.TitleAttr, Matched: mt.name, FoundOn: p.URL.String(), Depth: depth,
				}}
				exactAt[mt.column] = mt.exact
				continue
			}
		}
		if m.hub(text) {
			hubs = append(hubs, a.URL.String())
		}
	}
	return hubs
}
