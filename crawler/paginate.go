package crawler

import (
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"

	"gongkai/internal/textnorm"
)

// Pagination. List pages lead on by "下一页"/"next"/">" links, by numbered
// page links, or by CMS scripts that render the pager in the browser: TRS
// WCM's createPageHTML(12, 0, "index", "html") means index.html is page 0
// and index_1.html … index_11.html follow. PageLinks returns every further
// page the current one implies, next link first; the caller bounds and
// de-duplicates them.

var (
	nextWords = map[string]bool{
		"下一页": true, "下页": true, "后一页": true, "下一頁": true, "next": true, "nextpage": true, "下一页>": true,
	}
	nextSymbols = map[string]bool{">": true, "›": true, "»": true, ">>": true, "＞": true, "下一页>>": true, "下一页»": true}
	lastWords   = map[string]bool{"尾页": true, "末页": true, "最后一页": true, "last": true}
	// createPageHTML(pageCount, currentPage, "prefix", "suffix"), optionally
	// preceded by a container id and followed by a row count.
	createPageRE = regexp.MustCompile(`createPageHTML\s*\(([^)]*)\)`)
	countPageRE  = regexp.MustCompile(`(?i)var\s+countPage\s*=\s*(\d+)`)
	prefixRE     = regexp.MustCompile(`(?i)var\s+(?:prefix|pagePrefix)\s*=\s*["']([\w-]+)["']`)
	suffixRE     = regexp.MustCompile(`(?i)var\s+(?:suffix|pageSuffix)\s*=\s*["']([\w]+)["']`)
	pagerClassRE = regexp.MustCompile(`(?i)(page|pag|fenye|pager|pagination|turn)`)
)

// PageLinks returns the further list pages p links to or implies, in the
// order to read them: the next page first, then numbered pages, then pages
// a TRS script implies. Only http(s) URLs are returned.
func (p *Page) PageLinks() []*url.URL {
	var next, numbered, last []*url.URL
	for _, a := range p.Anchors() {
		raw := strings.TrimSpace(textnorm.Fold(a.Text))
		norm := textnorm.Name(a.Text)
		cls := attr(a.Node, "class") + " " + attr(a.Node, "id") + " " + attr(a.Node, "rel")
		switch {
		case nextWords[norm] || nextSymbols[raw] || strings.Contains(strings.ToLower(cls), "next"):
			next = append(next, a.URL)
		case lastWords[norm]:
			last = append(last, a.URL)
		case isNumber(norm) && len(norm) <= 4 && (inPager(a.Node) || siblingNumbers(a.Node)) && sameList(a.URL, p.URL):
			numbered = append(numbered, a.URL)
		}
	}
	all := append(next, numbered...)
	all = append(all, p.scriptPages()...)
	if st := p.jpage(); st != nil {
		if u := st.next(); u != nil {
			all = append(all, u)
		}
	}
	all = append(all, last...)
	seen := map[string]bool{}
	var out []*url.URL
	for _, u := range all {
		if s := u.String(); !seen[s] {
			seen[s] = true
			out = append(out, u)
		}
	}
	return out
}

// sameList reports whether u can be another page of the list at page:
// on its host, in its directory (index_2.html, list_2.shtml, a query on
// the same path). Numbered links elsewhere are a menu (years 2008 … 2024
// leading to other columns), not a pager.
func sameList(u, page *url.URL) bool {
	if !strings.EqualFold(u.Host, page.Host) {
		return false
	}
	dir := func(p string) string {
		if strings.HasSuffix(p, "/") {
			return p
		}
		return path.Dir(p) + "/"
	}
	return dir(u.Path) == dir(page.Path) || strings.HasPrefix(u.Path, dir(page.Path))
}

// inPager reports whether a link sits in an element whose class or id says pager.
func inPager(n *html.Node) bool {
	for i, p := 0, n.Parent; p != nil && i < 4; i, p = i+1, p.Parent {
		if pagerClassRE.MatchString(attr(p, "class") + " " + attr(p, "id")) {
			return true
		}
	}
	return false
}

// siblingNumbers reports whether a numbered link has numbered links beside it.
func siblingNumbers(n *html.Node) bool {
	parent := n.Parent
	if parent == nil {
		return false
	}
	if parent.Type == html.ElementNode && (parent.Data == "li" || parent.Data == "span") && parent.Parent != nil {
		parent = parent.Parent
	}
	count := 0
	var walk func(*html.Node, int)
	walk = func(m *html.Node, depth int) {
		if depth > 2 || count > 1 {
			return
		}
		if m.Type == html.ElementNode && m.Data == "a" && m != n && isNumber(textnorm.Name(textOf(m))) {
			count++
		}
		for c := m.FirstChild; c != nil; c = c.NextSibling {
			walk(c, depth+1)
		}
	}
	walk(parent, 0)
	return count >= 1
}

// scriptPages reads TRS-style pager scripts.
func (p *Page) scriptPages() []*url.URL {
	var out []*url.URL
	p.Doc.Find("script").Each(func(_ int, s *goquery.Selection) {
		src := s.Text()
		count, current, prefix, suffix := 0, 0, "index", "html"
		found := false
		if m := createPageRE.FindStringSubmatch(src); m != nil {
			ints, strs := splitArgs(m[1])
			if len(ints) >= 1 {
				count, found = ints[0], true
				if len(ints) >= 2 {
					current = ints[1]
				}
				// Strings after the numbers are prefix and suffix; a string
				// before them is the pager's container id.
				if len(strs) >= 2 {
					prefix, suffix = strs[len(strs)-2], strs[len(strs)-1]
				}
			}
		} else if m := countPageRE.FindStringSubmatch(src); m != nil {
			count, _ = strconv.Atoi(m[1])
			found = true
			if pm := prefixRE.FindStringSubmatch(src); pm != nil {
				prefix = pm[1]
			}
			if sm := suffixRE.FindStringSubmatch(src); sm != nil {
				suffix = sm[1]
			}
		}
		if !found || count <= 1 || count > 10000 || !safeName(prefix) || !safeName(suffix) {
			return
		}
		dir := path.Dir(p.URL.Path)
		if strings.HasSuffix(p.URL.Path, "/") {
			dir = strings.TrimSuffix(p.URL.Path, "/")
		}
		for i := 0; i < count; i++ {
			if i == current {
				continue
			}
			name := fmt.Sprintf("%s_%d.%s", prefix, i, suffix)
			if i == 0 {
				name = prefix + "." + suffix
			}
			u := *p.URL
			u.Path = path.Join(dir, name)
			u.RawQuery = ""
			out = append(out, &u)
		}
	})
	return out
}

var argRE = regexp.MustCompile(`\s*(?:"([^"]*)"|'([^']*)'|([0-9]+)|([A-Za-z_$][\w$.]*))\s*`)

// splitArgs splits a JavaScript argument list into its integers and strings,
// in order.
func splitArgs(s string) (ints []int, strs []string) {
	for _, part := range strings.Split(s, ",") {
		m := argRE.FindStringSubmatch(part)
		if m == nil {
			continue
		}
		switch {
		case m[3] != "":
			n, _ := strconv.Atoi(m[3])
			ints = append(ints, n)
		case m[1] != "" || strings.HasPrefix(strings.TrimSpace(part), `"`):
			strs = append(strs, m[1])
		case m[2] != "" || strings.HasPrefix(strings.TrimSpace(part), `'`):
			strs = append(strs, m[2])
		}
	}
	return ints, strs
}

func safeName(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}
