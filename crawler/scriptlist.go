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

// jpageLoaderRE matches Hanweb's jpage loader.
var jpageLoaderRE = regexp.MustCompile(`(?i)jquery\.jpage|/jpage/|dataproxy\.jsp|\.jpage\(`)

// templateScriptRE matches script types that hold client-side templates.
var templateScriptRE = regexp.MustCompile(`(?i)^text/(x-handlebars-template|x-template|template|html|x-jsrender|x-tmpl)`)

var (
	// xhrRE finds code that asks a service for data.
	xhrRE = regexp.MustCompile(`\$\.(?:ajax|post|get|getJSON)\s*\(|\bfetch\s*\(|XMLHttpRequest|\baxios\b`)
	// listScriptRE names a script file that builds lists.
	listScriptRE = regexp.MustCompile(`(?i)(list|page|data|api|query|search|load|column|info)[^/]*\.js`)
	// libraryRE names the common libraries, which build no list.
	libraryRE = regexp.MustCompile(`(?i)(jquery|bootstrap|layer|swiper|echarts|vue|avalon|common|util|base|jsencrypt|html5|respond|ie|polyfill|analytics|stat|share|zoom|font|wza|barrier|font)[^/]*\.js`)
)

// emptyLists returns the ids (or "" for none) of the list containers the
// page leaves empty outside its chrome: a <ul>, <ol>, <tbody> or <dl>, or a
// <div> named like a list, holding no element.
func (p *Page) emptyLists() []string {
	var out []string
	p.Doc.Find("ul, ol, tbody, dl, div").Each(func(_ int, s *goquery.Selection) {
		n := s.Get(0)
		if p.inChrome(n) || s.Children().Length() > 0 || strings.TrimSpace(s.Text()) != "" {
			return
		}
		id, _ := s.Attr("id")
		cls, _ := s.Attr("class")
		if n.Data == "div" && !strings.Contains(strings.ToLower(id+" "+cls), "list") {
			return
		}
		out = append(out, id)
	})
	return out
}

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
	// A Hanweb jpage list whose data store the page carries is read
	// from that store and its proxy (jpage.go): its loader builds nothing
	// the reader misses, so an empty store is an empty list.
	stored := p.Doc.Find("div.gongkai-datastore").Length() > 0 && p.jpage() != nil
	p.Doc.Find("script").Each(func(_ int, s *goquery.Selection) {
		src, _ := s.Attr("src")
		typ, _ := s.Attr("type")
		code := s.Text()
		if stored && jpageLoaderRE.MatchString(src+" "+code) && !strings.Contains(code, "{{") {
			return
		}
		switch {
		case templateScriptRE.MatchString(strings.TrimSpace(typ)) && (strings.Contains(code, "{{") || strings.Contains(code, "<li") || strings.Contains(code, "<a")):
			add("a client-side template (" + typ + ")")
		case loaderRE.MatchString(src):
			add("a CMS list loader (" + loaderRE.FindString(src) + ")")
		case loaderRE.MatchString(code):
			add("a CMS list loader (" + loaderRE.FindString(code) + ")")
		}
	})
	if empty := p.emptyLists(); len(empty) > 0 {
		// An empty list beside a script that fills it: inline code asking
		// a service for data and naming the list, or a script file named
		// for lists that no library goes by.
		p.Doc.Find("script").Each(func(_ int, s *goquery.Selection) {
			src, _ := s.Attr("src")
			code := s.Text()
			switch {
			case src != "" && listScriptRE.MatchString(src) && !libraryRE.MatchString(src):
				add("a script filling an empty list (" + src + ")")
			case xhrRE.MatchString(code):
				for _, id := range empty {
					if id != "" && strings.Contains(code, id) {
						add("an inline script filling #" + id + " from a service")
					}
				}
			}
		})
	}
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
