package crawler

import (
	"bytes"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/PuerkitoBio/goquery"
)

// Hanweb's jpage lists. A Hanweb (大汉) column page ships the first group
// of its list as a data store in <script type="text/xml"> (inlined into
// the page by ParsePage) and loads the rest from the list proxy:
//
//	<datastore><nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&webid=17&path=/&columnid=1005&unitid=3421&webname=…&permissiontype=0"></a>]]></nextgroup>
//	<recordset><record><![CDATA[<li>…</li>]]></record>…</recordset></datastore>
//	…$('#3421').jpage({ dataStore: dataStore, perPage: 15, totalRecord: 58 })
//
// The proxy answers dataproxy.jsp?startrecord=46&endrecord=90&perpage=15
// (with the column's parameters) by a data store of those records. The
// reader asks for the records the page does not hold, one group of three
// pages at a time, each a list page of the column: bounded, polite and
// recorded like any other. A proxy's answer is read as a page whose items
// are its records.

var (
	proxyRE       = regexp.MustCompile(`[^"'\s<>]*dataproxy\.jsp\?[^"'\s<>]*`)
	perPageRE     = regexp.MustCompile(`perPage\s*[:=]\s*['"]?([0-9]{1,4})`)
	totalRecordRE = regexp.MustCompile(`totalRecord\s*[:=]\s*['"]?([0-9]{1,7})`)
)

// jpageGroup is how many pages of records one proxy request asks for.
const jpageGroup = 3

// jpageState is what a page says of its jpage list.
type jpageState struct {
	proxy   *url.URL // the proxy with the column's parameters
	perPage int
	total   int // 0 when unknown
	have    int // records the page holds
	start   int // the first record the page holds (1 on the column page)
}

// jpage reads the jpage list of p, if any.
func (p *Page) jpage() *jpageState {
	var st *jpageState
	p.Doc.Find("script").Each(func(_ int, s *goquery.Selection) {
		code := s.Text()
		if m := proxyRE.FindString(code); m != "" && st == nil {
			if u := p.Resolve(strings.ReplaceAll(m, "&amp;", "&")); u != nil {
				st = &jpageState{proxy: u, perPage: 15, start: 1}
			}
		}
		if st == nil {
			return
		}
		if m := perPageRE.FindStringSubmatch(code); m != nil {
			st.perPage, _ = strconv.Atoi(m[1])
		}
		if m := totalRecordRE.FindStringSubmatch(code); m != nil {
			st.total, _ = strconv.Atoi(m[1])
		}
	})
	if st == nil {
		if !strings.Contains(p.URL.Path, "dataproxy.jsp") {
			return nil
		}
		// A proxy's own answer: it holds records start..end.
		q := p.URL.Query()
		st = &jpageState{proxy: p.URL, perPage: atoiOr(q.Get("perpage"), 15)}
		st.start = atoiOr(q.Get("startrecord"), 1)
	}
	st.perPage = max(1, min(st.perPage, 200))
	st.have = p.Doc.Find("div.gongkai-datastore").Children().Length()
	return st
}

func atoiOr(s string, d int) int {
	if n, err := strconv.Atoi(s); err == nil && n > 0 {
		return n
	}
	return d
}

// next returns the proxy request for the records after those the page
// holds, or nil when there are none: the column page's total is reached,
// or a proxy's answer held less than the group it was asked for.
func (st *jpageState) next() *url.URL {
	first := st.start + st.have
	if st.have == 0 || st.total > 0 && first > st.total {
		return nil
	}
	if st.start > 1 && st.have < st.perPage*jpageGroup {
		return nil // a proxy's short answer: the list ends here
	}
	u := *st.proxy
	q := u.Query()
	q.Del("page")
	q.Set("startrecord", strconv.Itoa(first))
	q.Set("endrecord", strconv.Itoa(first+st.perPage*jpageGroup-1))
	q.Set("perpage", strconv.Itoa(st.perPage))
	u.RawQuery = q.Encode()
	return &u
}

// datastoreDocument turns a proxy's XML answer (a bare <datastore>) into an
// HTML page whose records are elements, as inlineDatastores does for a
// data store inside a page. ok is false for any other body.
func datastoreDocument(text []byte) ([]byte, bool) {
	t := bytes.TrimSpace(text)
	t = bytes.TrimPrefix(t, []byte("\xef\xbb\xbf"))
	if bytes.HasPrefix(t, []byte("<?xml")) {
		if i := bytes.Index(t, []byte("?>")); i >= 0 {
			t = bytes.TrimSpace(t[i+2:])
		}
	}
	if !bytes.HasPrefix(t, []byte("<datastore")) || !bytes.Contains(t, []byte("<recordset")) {
		return nil, false
	}
	var b bytes.Buffer
	b.WriteString(`<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><div class="gongkai-datastore">`)
	for _, m := range cdataRE.FindAllSubmatch(t, -1) {
		if bytes.Contains(m[1], []byte("<a ")) || bytes.Contains(m[1], []byte("<A ")) {
			b.Write(m[1])
		}
	}
	fmt.Fprint(&b, `</div></body></html>`)
	return b.Bytes(), true
}
