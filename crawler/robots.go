package crawler

import (
	"context"
	"net/url"
	"strings"
	"sync"

	"github.com/temoto/robotstxt"

	"gongkai/evidence"
)

// robots is the robots.txt layer. colly checks robots.txt for GET only and
// keeps the file out of sight; gongkai checks every request, HEAD link
// checks included, and records each robots.txt fetch as evidence so an
// evaluator can show why a page was not read. A robots.txt that answers
// 4xx or 5xx, or not at all, restricts nothing: the file's absence or a
// server fault is not a prohibition.
type robots struct {
	mu    sync.Mutex
	hosts map[string]*robotsEntry
}

type robotsEntry struct {
	once  sync.Once
	group *robotstxt.Group
}

func newRobots() *robots { return &robots{hosts: map[string]*robotsEntry{}} }

// allowed reports whether the user agent may fetch u, fetching the host's
// robots.txt on first use with fetch.
func (r *robots) allowed(ctx context.Context, u *url.URL, agent string, fetch func(context.Context, *url.URL) *response) bool {
	key := u.Scheme + "://" + strings.ToLower(u.Host)
	r.mu.Lock()
	e := r.hosts[key]
	if e == nil {
		e = &robotsEntry{}
		r.hosts[key] = e
	}
	r.mu.Unlock()
	e.once.Do(func() {
		ru := &url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/robots.txt"}
		resp := fetch(ctx, ru)
		if resp.fetch.Class != evidence.ClassOK || resp.fetch.Status < 200 || resp.fetch.Status >= 300 {
			return
		}
		data, err := robotstxt.FromStatusAndBytes(resp.fetch.Status, resp.body)
		if err != nil {
			return
		}
		e.group = data.FindGroup(agent)
	})
	if e.group == nil {
		return true
	}
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	return e.group.Test(p)
}
