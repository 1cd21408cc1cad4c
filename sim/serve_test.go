package sim

import (
	"bytes"
	"html"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"gongkai/rules"
	"gongkai/units"
)

// TestSite_EveryLinkAnswers renders every page of every site and follows
// every link on the unit's own host: each link answers 200 except the
// planted broken ones, and each of those sits on exactly one page, a page
// an evaluator crawls.
func TestSite_EveryLinkAnswers(t *testing.T) {
	checkEveryLinkAnswers(t, defaultDistrict(t))
}

func checkEveryLinkAnswers(t *testing.T, d *District) {
	t.Helper()
	for _, u := range d.Units {
		if u.Role == RoleUnreachable {
			continue
		}
		planted := map[string]bool{}
		for _, df := range u.Defects {
			if df.Kind.Finding() == "link.broken" {
				planted[df.Subject] = true
			}
		}
		crawled := map[string]bool{}
		keys, _ := crawledPages(d, u)
		for _, k := range keys {
			crawled[k] = true
		}
		broken := map[string][]string{}
		for _, key := range u.Paths() {
			if key == "/index.html" { // the portal again
				continue
			}
			for _, target := range u.pageLinks(key) {
				if st, _ := linkStatus(u, target); st != 200 {
					broken[target] = append(broken[target], key)
				}
			}
		}
		for target, pages := range broken {
			switch {
			case !planted[target]:
				t.Errorf("unit %s: %s links to %s, which does not answer 200", u.ID, pages[0], target)
			case len(pages) != 1:
				t.Errorf("unit %s: broken link %s is on %d pages %v, want one", u.ID, target, len(pages), pages)
			case !crawled[pages[0]]:
				t.Errorf("unit %s: broken link %s is on %s, which an evaluator does not crawl", u.ID, target, pages[0])
			}
		}
		for p := range planted {
			if broken[p] == nil {
				t.Errorf("unit %s: planted broken link %s is on no page", u.ID, p)
			}
		}
	}
}

// TestSite_PagesEncode checks that every HTML page of a unit whose pages
// are not UTF-8 encodes in its charset and decodes back to the same text
// (characters the charset lacks written as character references).
func TestSite_PagesEncode(t *testing.T) {
	d := defaultDistrict(t)
	for _, u := range d.Units {
		if u.Role == RoleUnreachable || u.charset() == "utf-8" {
			continue
		}
		dec := simplifiedchinese.GBK.NewDecoder()
		if u.charset() == "gb18030" {
			dec = simplifiedchinese.GB18030.NewDecoder()
		}
		if c := u.Column("leaders"); u.charset() == "gb18030" && c != nil && c.State == ColumnPresent {
			// The leaders page names someone with a character GBK lacks.
			body := u.Get(c.Path).Body
			gb18030, _ := simplifiedchinese.GB18030.NewDecoder().Bytes(body)
			gbk, _ := simplifiedchinese.GBK.NewDecoder().Bytes(body)
			if !strings.Contains(string(gb18030), "㛃") || strings.Contains(string(gbk), "㛃") {
				t.Errorf("unit %s: the leaders page does not need GB18030 to read", u.ID)
			}
		}
		for _, key := range u.Paths() {
			page := u.html(key)
			if page == "" {
				continue
			}
			body, err := u.encode(page)
			if err != nil {
				t.Fatalf("unit %s %s: %v", u.ID, key, err)
			}
			back, err := dec.Bytes(body)
			if err != nil || html.UnescapeString(string(back)) != html.UnescapeString(page) {
				t.Fatalf("unit %s %s: %s round trip changed the page (err %v)", u.ID, key, u.charset(), err)
			}
		}
	}
}

// TestSite_TitlesNameNoColumn checks that no list item title names a column
// or a hub, so items never pass for navigation (annual reports and gazette
// issues excepted: their titles are what they are).
func TestSite_TitlesNameNoColumn(t *testing.T) {
	d := defaultDistrict(t)
	b := &builder{rs: d.Rules}
	for i := range d.Rules.Columns {
		for _, n := range d.Rules.Columns[i].Names() {
			b.banned = append(b.banned, rules.NormalizeName(n))
		}
	}
	for _, h := range d.Rules.Hubs {
		b.banned = append(b.banned, rules.NormalizeName(h))
	}
	for _, u := range d.Units {
		for _, c := range u.Columns {
			if c.ID == "annual-report" || c.ID == "gazette" {
				continue
			}
			for _, it := range c.Items {
				if !b.allowed(it.Title) {
					t.Errorf("unit %s column %s: title %q names a column or hub", u.ID, c.ID, it.Title)
				}
			}
		}
	}
}

func get(t *testing.T, c *http.Client, method, url string) (*http.Response, []byte, error) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

func TestFleet(t *testing.T) {
	d := defaultDistrict(t)
	f, err := d.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := f.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}()
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}

	t.Run("portals", func(t *testing.T) {
		for _, u := range d.Units {
			// The portal: the root, or where a root that only redirects
			// leads (variants portal-*).
			resp, body, err := get(t, client, "GET", strings.TrimSuffix(f.URL(u.ID), "/")+u.PortalPath())
			if u.Role == RoleUnreachable {
				if err == nil {
					t.Errorf("unreachable unit %s answered %d", u.ID, resp.StatusCode)
				}
				continue
			}
			if err != nil || resp.StatusCode != 200 {
				t.Errorf("unit %s portal: %v %v", u.ID, resp, err)
				continue
			}
			if len(body) < 1000 {
				t.Errorf("unit %s portal is %d bytes", u.ID, len(body))
			}
		}
	})

	t.Run("charsets", func(t *testing.T) {
		seen := map[string]bool{}
		for _, u := range d.Units {
			if u.Role == RoleUnreachable {
				continue
			}
			resp, body, err := get(t, client, "GET", strings.TrimSuffix(f.URL(u.ID), "/")+u.PortalPath())
			if err != nil {
				t.Fatal(err)
			}
			ct := resp.Header.Get("Content-Type")
			lower := bytes.ToLower(body)
			var enc string
			for _, v := range u.Variants {
				if strings.HasPrefix(v, "enc-") {
					seen[v] = true
					enc = v
				}
			}
			switch enc {
			case VarEncUTF8Header:
				if !strings.Contains(strings.ToLower(ct), "charset=utf-8") {
					t.Errorf("unit %s: Content-Type %q, want utf-8 declared", u.ID, ct)
				}
			case VarEncUTF8Undeclared, VarEncGBKUndeclared:
				if ct != "text/html" || bytes.Contains(lower, []byte("charset")) {
					t.Errorf("unit %s (%s): Content-Type %q: want no charset anywhere", u.ID, enc, ct)
				}
			case VarEncGBKMeta:
				if ct != "text/html" || !bytes.Contains(body, []byte(`charset=gb2312`)) {
					t.Errorf("unit %s: Content-Type %q and meta: want text/html and a gb2312 meta", u.ID, ct)
				}
			case VarEncGBKHeader:
				if ct != "text/html; charset=GBK" || bytes.Contains(lower, []byte("charset")) {
					t.Errorf("unit %s: Content-Type %q: want GBK declared in the header only", u.ID, ct)
				}
			case VarEncGB18030Meta:
				if ct != "text/html" || !bytes.Contains(body, []byte(`<meta charset="gb18030" />`)) {
					t.Errorf("unit %s: Content-Type %q: want text/html and a gb18030 meta", u.ID, ct)
				}
			default:
				t.Errorf("unit %s: no encoding variant in %v", u.ID, u.Variants)
			}
			if u.charset() == "utf-8" {
				if !bytes.Contains(body, []byte(u.FullName)) {
					t.Errorf("unit %s: UTF-8 body lacks the unit's name", u.ID)
				}
				continue
			}
			if bytes.Contains(body, []byte(u.FullName)) {
				t.Errorf("unit %s: %s body is not encoded: the name appears as UTF-8", u.ID, enc)
			}
			dec := simplifiedchinese.GBK.NewDecoder()
			if u.charset() == "gb18030" {
				dec = simplifiedchinese.GB18030.NewDecoder()
			}
			text, err := dec.Bytes(body)
			if err != nil || !strings.Contains(string(text), u.FullName) || !strings.Contains(string(text), "政府信息公开") {
				t.Errorf("unit %s: body does not decode from %s to the unit's name (%v)", u.ID, u.charset(), err)
			}
		}
		for _, v := range []string{VarEncUTF8Header, VarEncUTF8Undeclared, VarEncGBKMeta, VarEncGBKHeader, VarEncGB18030Meta, VarEncGBKUndeclared} {
			if !seen[v] {
				t.Errorf("no unit serves %s", v)
			}
		}
	})

	t.Run("robots and 404", func(t *testing.T) {
		for _, u := range d.Units {
			if u.Role == RoleUnreachable {
				continue
			}
			resp, body, err := get(t, client, "GET", f.URL(u.ID)+"robots.txt")
			if err != nil || resp.StatusCode != 200 || !bytes.Contains(body, []byte("User-agent: *")) || bytes.Contains(bytes.ToLower(body), []byte("crawl-delay")) {
				t.Errorf("unit %s robots.txt: %v %v %q", u.ID, resp, err, body)
			}
			resp, _, err = get(t, client, "GET", f.URL(u.ID)+"col/nosuchcolumn/index.html")
			if err != nil || resp.StatusCode != 404 {
				t.Errorf("unit %s unknown path: %v %v, want 404", u.ID, resp, err)
			}
			resp, _, err = get(t, client, "POST", f.URL(u.ID))
			if err != nil || resp.StatusCode != http.StatusMethodNotAllowed {
				t.Errorf("unit %s POST: %v %v, want 405", u.ID, resp, err)
			}
		}
	})

	t.Run("broken links fail", func(t *testing.T) {
		n := 0
		for _, tf := range f.Truth() {
			if tf.Kind != "link.broken" {
				continue
			}
			n++
			for _, m := range []string{"HEAD", "GET"} {
				resp, _, err := get(t, client, m, tf.Subject)
				if err == nil && resp.StatusCode < 400 {
					t.Errorf("%s %s answered %d, want a failure", m, tf.Subject, resp.StatusCode)
				}
			}
		}
		if n == 0 {
			t.Error("no broken links in the truth")
		}
	})

	t.Run("item links answer", func(t *testing.T) {
		for _, u := range d.Units {
			if u.Role == RoleUnreachable {
				continue
			}
			for _, c := range u.Columns {
				for i, it := range c.Items {
					if i >= 2 {
						break
					}
					targets := []string{it.Path}
					for _, a := range it.Attachments {
						if !a.Broken() {
							targets = append(targets, a.Path)
						}
					}
					for _, p := range targets {
						resp, body, err := get(t, client, "GET", strings.TrimSuffix(f.URL(u.ID), "/")+p)
						if err != nil || resp.StatusCode != 200 || len(body) == 0 {
							t.Errorf("unit %s %s: %v %v", u.ID, p, resp, err)
						}
					}
				}
			}
		}
	})

	t.Run("head", func(t *testing.T) {
		u := d.Units[0]
		resp, body, err := get(t, client, "HEAD", f.URL(u.ID))
		if err != nil || resp.StatusCode != 200 || len(body) != 0 || resp.ContentLength <= 0 {
			t.Errorf("HEAD portal: %v %v body %d", resp, err, len(body))
		}
	})

	t.Run("units file", func(t *testing.T) {
		uf := f.UnitsFile()
		data, err := uf.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		back, err := units.Parse("sim.yaml", data)
		if err != nil {
			t.Fatalf("units file does not parse: %v\n%s", err, data)
		}
		var types, cols []string
		for _, ut := range d.Rules.UnitTypes {
			types = append(types, ut.ID)
		}
		for _, c := range d.Rules.Columns {
			cols = append(cols, c.ID)
		}
		if err := back.Check(types, cols); err != nil {
			t.Fatal(err)
		}
		if len(back.Units) != len(d.Units) || back.Crawl == nil || !back.Crawl.NoDelay || back.Crawl.Concurrency != 64 {
			t.Errorf("units file: %d units, crawl %+v", len(back.Units), back.Crawl)
		}
		overrides := 0
		for i, un := range back.Units {
			if un.URL != f.URLs()[i] || un.ID != d.Units[i].ID {
				t.Errorf("unit %d: %s at %s", i, un.ID, un.URL)
			}
			for _, c := range d.Units[i].Columns {
				want := ""
				if c.Override {
					want = strings.TrimSuffix(un.URL, "/") + c.Path
					overrides++
				}
				if un.Columns[c.ID] != want {
					t.Errorf("unit %s column %s: units file gives %q, want %q", un.ID, c.ID, un.Columns[c.ID], want)
				}
			}
		}
		if overrides == 0 {
			t.Error("the units file names no column")
		}
	})

	t.Run("truth urls", func(t *testing.T) {
		for _, tf := range f.Truth() {
			if !strings.HasPrefix(tf.URL, f.URL(tf.Unit)) {
				t.Errorf("finding %d: url %s not on %s", tf.ID, tf.URL, f.URL(tf.Unit))
			}
		}
	})
}

func TestFleet_BasePort(t *testing.T) {
	d, err := Generate(Config{AsOf: defaultDistrict(t).AsOf, BasePort: 0})
	if err != nil {
		t.Fatal(err)
	}
	// Pick a free base port by asking the OS for one, then release it: the
	// units take it and the ports after it.
	f, err := d.Start()
	if err != nil {
		t.Fatal(err)
	}
	first := f.URLs()[0]
	f.Close()
	var port int
	if _, err := fmtSscanPort(first, &port); err != nil {
		t.Fatal(err)
	}
	d.BasePort = port
	f, err = d.Start()
	if err != nil {
		t.Skipf("ports after %d are taken: %v", port, err)
	}
	defer f.Close()
	for i, u := range f.URLs() {
		var p int
		if _, err := fmtSscanPort(u, &p); err != nil || p != port+i {
			t.Errorf("unit %d at %s, want port %d", i, u, port+i)
		}
	}
}

// fmtSscanPort reads the port of a base URL such as http://127.0.0.1:8101/.
func fmtSscanPort(base string, port *int) (int, error) {
	u, err := url.Parse(base)
	if err != nil {
		return 0, err
	}
	p, err := strconv.Atoi(u.Port())
	*port = p
	return p, err
}
