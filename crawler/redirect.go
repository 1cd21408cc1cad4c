package crawler

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"

	"gongkai/internal/textnorm"
)

// Pages that send the browser elsewhere. Many portals' root page holds
// nothing but <meta http-equiv="refresh" content="0;url=/col/col123/">, a
// script setting window.location (sometimes choosing by user agent or host
// name), or a <frameset> (or one full-page <iframe>) whose frame is the
// real site. A browser shows the site; a crawler that stops at the root
// page sees nothing. Redirect reads where such a page leads, and links
// whose href is "#" or javascript: take their target from a location
// assignment in their onclick.

var (
	// jsNavRE finds the URL of a script navigation: location = "…",
	// window.location.href = '…', location.replace("…"), window.open('…').
	jsNavRE = regexp.MustCompile(`(?:(?:window|document|self|top|parent)\.)?location(?:\.href)?\s*=\s*["']([^"'\s]+)["']|location\.(?:replace|assign)\s*\(\s*["']([^"'\s]+)["']\s*\)|window\.open\s*\(\s*["']([^"'\s]+)["']`)
	// refreshRE reads a meta refresh's content: "0;url=/x", "0; URL='/x'".
	refreshRE = regexp.MustCompile(`(?i)^\s*([0-9]+)(?:\.[0-9]*)?\s*(?:[;,]\s*(?:url\s*=\s*)?['"]?([^'"]*)['"]?)?\s*$`)
	// writtenRefreshRE finds a meta refresh a script writes into the page
	// (document.write('<meta http-equiv="Refresh" content="0;URL=…">')).
	writtenRefreshRE = regexp.MustCompile(`(?i)http-equiv=\\?["']?refresh\\?["']?\s+content=\\?["']?\s*[0-9]+\s*;\s*url\s*=\s*([^"'\\\s>]+)`)
	// mobileRE marks a target meant for phones.
	mobileRE = regexp.MustCompile(`(?i)(^|[/._-])(m|wap|mobile|sj|phone|h5|touch)([/._-]|$)`)
)

// maxRefreshDelay is the longest meta refresh delay still read as a
// redirect; a longer one reloads a page that has its own content.
const maxRefreshDelay = 10

// Redirect returns where the page sends a browser without a click: a meta
// refresh, a frameset's main frame, a lone full-page iframe, or a script
// that sets the location on a page with next to no content of its own.
// It returns nil for a page that shows its own content, and never the
// page itself.
func (p *Page) Redirect() *url.URL {
	for _, u := range []*url.URL{p.metaRefresh(), p.frameTarget(), p.scriptTarget()} {
		if u != nil && !samePage(u, p.URL) {
			return u
		}
	}
	return nil
}

func (p *Page) metaRefresh() *url.URL {
	var out *url.URL
	p.Doc.Find("meta[http-equiv]").EachWithBreak(func(_ int, s *goquery.Selection) bool {
		eq, _ := s.Attr("http-equiv")
		if !strings.EqualFold(strings.TrimSpace(eq), "refresh") {
			return true
		}
		content, _ := s.Attr("content")
		m := refreshRE.FindStringSubmatch(content)
		if m == nil || strings.TrimSpace(m[2]) == "" {
			return true
		}
		if d, err := strconv.Atoi(m[1]); err != nil || d > maxRefreshDelay {
			return true
		}
		out = p.Resolve(m[2])
		return out == nil
	})
	return out
}

// frameTarget returns the main frame of a frameset, or the iframe of a
// page whose body holds nothing else.
func (p *Page) frameTarget() *url.URL {
	frames := p.Doc.Find("frameset frame[src]")
	if frames.Length() == 0 {
		iframes := p.Doc.Find("body iframe[src]")
		if iframes.Length() != 1 || p.ownContent() {
			return nil
		}
		frames = iframes
	}
	var best *url.URL
	bestScore := -1
	frames.Each(func(i int, s *goquery.Selection) {
		src, _ := s.Attr("src")
		u := p.Resolve(src)
		if u == nil {
			return
		}
		name := strings.ToLower(s.AttrOr("name", "") + " " + s.AttrOr("id", ""))
		score := 1
		switch {
		case strings.Contains(name, "main") || strings.Contains(name, "content") || strings.Contains(name, "body"):
			score = 3
		case strings.Contains(name, "top") || strings.Contains(name, "head") || strings.Contains(name, "foot") || strings.Contains(name, "bottom") || strings.Contains(name, "left") || strings.Contains(name, "menu"):
			score = 0
		}
		if score > bestScore {
			best, bestScore = u, score
		}
	})
	return best
}

// scriptTarget returns where a script sends a page that has next to no
// content of its own. Of several targets (one per user agent or host
// name) it prefers the page's own host and a target not meant for phones.
func (p *Page) scriptTarget() *url.URL {
	if p.ownContent() {
		return nil
	}
	var targets []*url.URL
	p.Doc.Find("script").Each(func(_ int, s *goquery.Selection) {
		if _, ok := s.Attr("src"); ok {
			return
		}
		code := s.Text()
		for _, m := range writtenRefreshRE.FindAllStringSubmatch(code, -1) {
			if u := p.Resolve(m[1]); u != nil {
				targets = append(targets, u)
			}
		}
		for _, m := range jsNavRE.FindAllStringSubmatch(code, -1) {
			raw := m[1] + m[2] + m[3]
			if u := p.Resolve(raw); u != nil {
				targets = append(targets, u)
			}
		}
	})
	var best *url.URL
	bestScore := -1
	for _, u := range targets {
		score := 0
		if strings.EqualFold(u.Hostname(), p.URL.Hostname()) {
			score += 2
		}
		if !mobileRE.MatchString(u.Host + u.Path) {
			score++
		}
		if score > bestScore {
			best, bestScore = u, score
		}
	}
	return best
}

// ownContent reports whether the page shows content of its own: some text
// or links beyond a line or two.
func (p *Page) ownContent() bool {
	if len(p.Anchors()) > 3 {
		return true
	}
	runes := 0
	for _, seg := range p.Segments() {
		runes += utf8.RuneCountInString(seg.Text)
	}
	return runes > 120
}

// scriptHref returns the URL a javascript: href or an onclick navigates
// to, or "".
func scriptHref(href, onclick string) string {
	for _, js := range []string{href, onclick} {
		if m := jsNavRE.FindStringSubmatch(js); m != nil {
			return m[1] + m[2] + m[3]
		}
	}
	return ""
}

// isScriptHref reports whether an href leads nowhere by itself: empty,
// "#…" or javascript:.
func isScriptHref(href string) bool {
	h := strings.ToLower(strings.TrimSpace(textnorm.Fold(href)))
	return h == "" || strings.HasPrefix(h, "#") || strings.HasPrefix(h, "javascript:")
}
