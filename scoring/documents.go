package scoring

// The document checks: the metadata a document page shows
// (document.metadata) and how long it took to publish (document.late).

import (
	"fmt"
	"strings"

	"gongkai/evidence"
	"gongkai/internal/textnorm"
	"gongkai/rules"
)

// documents returns the items of column id that have a document page read,
// limited to the window when the check says so.
func (j *judge) documents(c *rules.Check, id string) []evidence.Item {
	col := j.column(id)
	var out []evidence.Item
	for _, it := range j.items(col) {
		if it.Doc == nil || it.Doc.Class != evidence.ClassOK {
			continue
		}
		d := it.Date
		if d.IsZero() {
			d = it.Doc.Published
		}
		if c.OnlyInWindow() && (d.IsZero() || d.Before(j.from) || d.After(j.to)) {
			continue
		}
		out = append(out, it)
	}
	return out
}

func (j *judge) documentMetadata(c *rules.Check) {
	for _, it := range j.documents(c, c.Column) {
		var missing []string
		for _, f := range c.Fields {
			if !docHas(it.Doc, f) {
				missing = append(missing, f.Name)
			}
		}
		if len(missing) == 0 {
			continue
		}
		j.add(c, draft{kind: rules.FindingDocumentMetadata, column: c.Column, subject: it.URL, url: it.URL,
			detail: fmt.Sprintf("文件《%s》页面缺少%s", shorten(it.Title, 40), quoteList(missing)),
			refs:   []Ref{j.ref(it.URL, "文件页面")}})
	}
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = "“" + n + "”"
	}
	return strings.Join(q, "、")
}

// docHas reports whether a document page shows field f with a value.
func docHas(d *evidence.Document, f rules.Field) bool {
	if v, ok := d.Meta[f.Name]; ok && strings.TrimSpace(v) != "" {
		return true
	}
	for _, l := range d.Labels {
		if strings.TrimSpace(l.Value) == "" {
			continue
		}
		ln := textnorm.Name(l.Label)
		for _, n := range f.Names() {
			if ln == textnorm.Name(n) {
				return true
			}
		}
	}
	return false
}

// published returns a document's publication date: the page's 发布日期,
// else the date on the list.
func published(it evidence.Item) evidence.Date {
	if it.Doc != nil && !it.Doc.Published.IsZero() {
		return it.Doc.Published
	}
	return it.Date
}

func (j *judge) publicationDelay(c *rules.Check) {
	for _, it := range j.documents(c, c.Column) {
		pub := published(it)
		if it.Doc.Written.IsZero() || pub.IsZero() {
			continue
		}
		n := j.rs.Calendar.WorkdaysBetween(it.Doc.Written, pub)
		if n <= c.WorkingDays {
			continue
		}
		j.add(c, draft{kind: rules.FindingDocumentLate, column: c.Column, subject: it.URL, url: it.URL,
			detail: fmt.Sprintf("文件《%s》成文于%s，%s才公开，相隔%d个工作日，超过%d个工作日的时限", shorten(it.Title, 40), it.Doc.Written, pub, n, c.WorkingDays),
			refs:   []Ref{j.ref(it.URL, "文件页面")}})
	}
}
