package crawler

import (
	"regexp"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
)

// Lists built by script. Many CMSs send a list page's frame and build the
// list in the browser: from a template bound to data fetched by XHR
// (avalon ms-repeat, Vue v-for, Angular ng-repeat, Handlebars), through a
// CMS list API (Hanweb's jpage dataproxy.jsp and jpaas loadPageData, TRS's
// search service), or from items shipped inside an HTML comment that a
// script reads. What the static page holds of such a list is not the
// list. ScriptList says which mechanism a page uses, so that an empty
// reading is reported as "not read" rather than "empty".

// loaderRE matches the script sources and inline code of the list loaders
// met on real pages.
var loaderRE = regexp.MustCompile(`(?i)jquery\.jpage|/jpage/|dataproxy\.jsp|loadPageData|pageChnlInfo|/irs/front/search|trssearch|/was5/web/search|xxgkPage|page_list\.js|zwgklist\.js|\.jpaas|getListData|queryList`)

// templateScriptRE matches script types that hold client-side templates.
var templateScriptRE = regexp.MustCompile(`(?i)^text/(x-handlebars-template|x-template|template|html|x-jsrender|x-tmpl)`)

// ScriptList returns how the page builds a list by script, or "" when it
// does not.
func (p *Page) ScriptList() string {
	var why []string
	add := func(s string) {
		for _, w := range why {
			if w == s {
				return
			}
		}
		why = append(why, s)
	}
	p.Doc.Find("script").Each(func(_ int, s *goquery.Selection) {
		src, _ := s.Attr("src")
		typ, _ := s.Attr("type")
		code := s.Text()
		switch {
		case templateScriptRE.MatchString(strings.TrimSpace(typ)) && (strings.Contains(code, "{{") || strings.Contains(code, "<li") || strings.Contains(code, "<a")):
			add("a client-side template (" + typ + ")")
		case loaderRE.MatchString(src):
			add("a CMS list loader (" + loaderRE.FindString(src) + ")")
		case loaderRE.MatchString(code):
			add("a CMS list loader (" + loaderRE.FindString(code) + ")")
		}
	})
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			if skipTags[n.DataAtom] && n.Data != "template" {
				return
			}
			for _, a := range n.Attr {
				for _, t := range templateAttrs {
					if a.Key == t {
						add("a template bound to script data (" + a.Key + ")")
					}
				}
			}
		}
		if n.Type == html.CommentNode && commentedList(n) {
			add("list items inside an HTML comment, read by script")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range p.Doc.Nodes {
		walk(n)
	}
	return strings.Join(why, "; ")
}

// commentedList reports whether a comment holds a list: several links in
// list rows, in a list container that holds nothing else.
func commentedList(c *html.Node) bool {
	if strings.Count(c.Data, "<a ") < 3 || strings.Count(c.Data, "<li") < 3 && strings.Count(c.Data, "<tr") < 3 {
		return false
	}
	parent := c.Parent
	if parent == nil {
		return false
	}
	for s := parent.FirstChild; s != nil; s = s.NextSibling {
		if s.Type == html.ElementNode && countLinks(s) > 0 {
			return false // the container lists links of its own
		}
	}
	return true
}
