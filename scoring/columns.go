package scoring

// The column checks: presence (column.missing), emptiness (column.empty)
// and the fields a page shows (field.missing).

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"gongkai/evidence"
	"gongkai/internal/textnorm"
	"gongkai/rules"
)

func (j *judge) presence(c *rules.Check) {
	col := j.column(c.Column)
	if col.Found {
		return
	}
	j.skip[c.Column] = true
	name := j.columnName(c.Column)
	if col.URL != "" {
		j.add(c, draft{kind: rules.FindingColumnMissing, column: c.Column, url: col.URL,
			detail: fmt.Sprintf("“%s”栏目链接（%s）无法打开：%s", name, col.Discovery.LinkText, describeFetch(evidence.Fetch{Status: col.Status, Class: col.Class})),
			refs:   []Ref{j.ref(col.URL, "栏目页面")}})
		return
	}
	searched := col.Discovery.Searched
	if len(searched) == 0 {
		searched = []string{j.ue.Unit.URL}
	}
	var refs []Ref
	for _, s := range searched {
		refs = append(refs, j.ref(s, "已检索的导航页面"))
	}
	j.add(c, draft{kind: rules.FindingColumnMissing, column: c.Column, url: j.ue.Unit.URL,
		detail: fmt.Sprintf("未找到“%s”栏目：首页及%d个信息公开导航页面中没有名称为“%s”（或其别名）的链接", name, len(searched)-1, name),
		refs:   refs})
}

func (j *judge) nonEmpty(c *rules.Check) {
	col := j.column(c.Column)
	if !col.Found {
		return
	}
	rc := j.rs.Column(c.Column)
	name := j.columnName(c.Column)
	empty := false
	if rc != nil && rc.Shape == rules.ShapePage {
		empty = len(col.Labels) == 0 && utf8.RuneCountInString(strings.Join(strings.Fields(col.Text), "")) < minContentRunes
	} else {
		empty = len(j.items(col)) == 0
	}
	if !empty {
		return
	}
	j.skip[c.Column] = true
	if col.ScriptList != "" && !col.Rendered && (rc == nil || rc.Shape != rules.ShapePage) {
		j.add(c, draft{kind: rules.FindingColumnEmpty, column: c.Column, url: col.URL,
			detail:   fmt.Sprintf("“%s”栏目的列表由脚本生成（%s），评估程序未能读取；不视为空栏目、不扣分，请人工核查或以 --render 复评", name, col.ScriptList),
			severity: rules.SeverityNotice, refs: []Ref{j.ref(col.URL, "栏目页面")}})
		return
	}
	if phrase := j.explained(col.Text); phrase != "" {
		j.add(c, draft{kind: rules.FindingColumnEmpty, column: c.Column, url: col.URL,
			detail:   fmt.Sprintf("“%s”栏目无内容，页面说明“%s”；仅作提示，不扣分", name, phrase),
			severity: rules.SeverityNotice, refs: []Ref{j.ref(col.URL, "栏目页面")}})
		return
	}
	what := "没有任何条目"
	if rc != nil && rc.Shape == rules.ShapePage {
		what = "页面没有实质内容"
	}
	j.add(c, draft{kind: rules.FindingColumnEmpty, column: c.Column, url: col.URL,
		detail: fmt.Sprintf("“%s”栏目%s，也未说明不涉及的原因", name, what),
		refs:   []Ref{j.ref(col.URL, "栏目页面")}})
}

// explained returns the explanation phrase a column's text carries, or "".
func (j *judge) explained(text string) string {
	t := textnorm.Name(text)
	for _, p := range j.rs.ExplainedEmpty {
		if n := textnorm.Name(p); n != "" && strings.Contains(t, n) {
			return p
		}
	}
	return ""
}

func (j *judge) fields(c *rules.Check) {
	col := j.column(c.Column)
	if !col.Found {
		return
	}
	var own []string
	if rc := j.rs.Column(c.Column); rc != nil {
		for _, n := range rc.Names() {
			own = append(own, textnorm.Name(n))
		}
	}
	for _, f := range c.Fields {
		if hasField(col.Labels, f, own) {
			continue
		}
		j.add(c, draft{kind: rules.FindingFieldMissing, column: c.Column, subject: f.Name, url: col.URL,
			detail: fmt.Sprintf("“%s”页面缺少“%s”", j.columnName(c.Column), f.Name),
			refs:   []Ref{j.ref(col.URL, "栏目页面")}})
	}
}

// ShownFields returns the names of the fields a page's labels show with a
// value, judged as the fields check judges them; own are the normalised
// names of the page's column (a label equal to one is the page's title).
// inspect and the corpus tests use it to say what a page shows.
func ShownFields(labels []evidence.Label, fields []rules.Field, own []string) []string {
	var out []string
	for _, f := range fields {
		if hasField(labels, f, own) {
			out = append(out, f.Name)
		}
	}
	return out
}

// hasField reports whether a label with a value names field f: equal to
// its name or an alias, or beginning with it (办公时间（夏季）), or ending
// with it (本局主要职责) unless the label is one of the column's own names
// (the page title). A label without a value shows no field.
func hasField(labels []evidence.Label, f rules.Field, own []string) bool {
	for _, l := range labels {
		ln := textnorm.Name(l.Label)
		if ln == "" || textnorm.Name(l.Value) == "" {
			continue
		}
		for _, name := range f.Names() {
			n := textnorm.Name(name)
			if n == "" {
				continue
			}
			if ln == n || strings.HasPrefix(ln, n) {
				return true
			}
			if strings.HasSuffix(ln, n) && !contains(own, ln) {
				return true
			}
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
