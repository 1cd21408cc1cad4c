package scoring

// The interpretation check (document.uninterpreted): each policy document
// has an interpretation tied to it, published in time.

import (
	"fmt"
	"strings"

	"gongkai/evidence"
	"gongkai/internal/textnorm"
	"gongkai/rules"
)

func (j *judge) interpretation(c *rules.Check) {
	var interps []interp
	for _, in := range j.items(j.column(c.Column)) {
		interps = append(interps, newInterp(in))
	}
	for _, it := range j.documents(c, c.Of) {
		pub := published(it)
		if pub.IsZero() {
			continue
		}
		deadline := j.rs.Calendar.AddWorkdays(pub, c.WorkingDays)
		if deadline.After(j.asOf) {
			continue // not yet due
		}
		titles := docTitles(it)
		var late *evidence.Item
		ok := false
		for k := range interps {
			in := &interps[k]
			if !in.ties(it.URL, titles) {
				continue
			}
			if d := published(in.item); d.IsZero() || !d.After(deadline) {
				ok = true
				break
			}
			late = &in.item
		}
		if ok {
			continue
		}
		detail := fmt.Sprintf("文件《%s》于%s公开，截至%s（%d个工作日内）未见对应的政策解读", shorten(it.Title, 40), pub, deadline, c.WorkingDays)
		if late != nil {
			detail = fmt.Sprintf("文件《%s》于%s公开，解读《%s》%s才发布，超过%d个工作日的时限", shorten(it.Title, 40), pub, shorten(late.Title, 30), published(*late), c.WorkingDays)
		}
		j.add(c, draft{kind: rules.FindingDocumentUninterpreted, column: c.Column, subject: it.URL, url: it.URL,
			detail: detail, refs: []Ref{j.ref(it.URL, "文件页面")}})
	}
}

// interp is an interpretation item with what ties it to documents: the
// links on its page and the titles it quotes in 《》, normalised.
type interp struct {
	item   evidence.Item
	links  map[string]bool
	quoted map[string]bool
}

func newInterp(in evidence.Item) interp {
	x := interp{item: in, links: map[string]bool{}, quoted: map[string]bool{}}
	qs := quotes(in.Title)
	if in.Doc != nil {
		for _, l := range in.Doc.Links {
			x.links[l] = true
		}
		qs = append(qs, in.Doc.Quoted...)
	}
	for _, q := range qs {
		if n := textnorm.Name(q); n != "" {
			x.quoted[n] = true
		}
	}
	return x
}

// ties reports whether the interpretation is tied to the document at url
// with the normalised titles: by a link from the interpretation's page, or
// by quoting the document's title (or a title the document quotes) in 《》.
func (x *interp) ties(url string, titles []string) bool {
	if x.links[url] {
		return true
	}
	for _, t := range titles {
		if x.quoted[t] {
			return true
		}
	}
	return false
}

// docTitles returns a document's normalised titles: its list title, its
// page title, and the titles quoted in 《》 in either.
func docTitles(doc evidence.Item) []string {
	var out []string
	for _, t := range []string{doc.Title, docTitle(doc)} {
		if n := textnorm.Name(t); n != "" {
			out = append(out, n)
		}
		for _, q := range quotes(t) {
			if n := textnorm.Name(q); n != "" {
				out = append(out, n)
			}
		}
	}
	return out
}

func docTitle(it evidence.Item) string {
	if it.Doc != nil {
		return it.Doc.Title
	}
	return ""
}

// quotes returns the titles quoted in 《》 in s.
func quotes(s string) []string {
	var out []string
	for {
		i := strings.Index(s, "《")
		if i < 0 {
			return out
		}
		rest := s[i+len("《"):]
		k := strings.Index(rest, "》")
		if k < 0 {
			return out
		}
		out = append(out, rest[:k])
		s = rest[k+len("》"):]
	}
}
