package sim

import (
	"fmt"
	"html"
	"slices"
	"strings"

	"gongkai/internal/textnorm"
	"gongkai/rules"
)

// pageText returns the visible text of a page the sim rendered: tags and
// scripts removed, entities decoded, image alt texts kept.
func pageText(page string) string {
	var b strings.Builder
	for i := 0; i < len(page); {
		if page[i] != '<' {
			j := strings.IndexByte(page[i:], '<')
			if j < 0 {
				j = len(page) - i
			}
			b.WriteString(page[i : i+j])
			i += j
			continue
		}
		end := strings.IndexByte(page[i:], '>')
		if end < 0 {
			break
		}
		tag := page[i : i+end+1]
		i += end + 1
		if strings.HasPrefix(tag, "<script") {
			if j := strings.Index(page[i:], "</script>"); j >= 0 {
				i += j + len("</script>")
			}
		}
		for _, alt := range attrValues(tag, "alt") {
			b.WriteString(" " + alt + " ")
		}
		b.WriteByte(' ')
	}
	return html.UnescapeString(b.String())
}

// anchor is one link of a page with its visible text (and image alt texts)
// and its title attribute.
type anchor struct{ href, text, title string }

// anchors returns the links of a page the sim rendered.
func anchors(page string) []anchor {
	var out []anchor
	for {
		i := strings.Index(page, "<a ")
		if i < 0 {
			return out
		}
		page = page[i:]
		end := strings.Index(page, "</a>")
		if end < 0 {
			return out
		}
		open := page[:strings.IndexByte(page, '>')+1]
		hrefs := attrValues(open, "href")
		if len(hrefs) > 0 {
			a := anchor{href: hrefs[0], text: pageText(page[len(open):end])}
			if t := attrValues(open, "title"); len(t) > 0 {
				a.title = html.UnescapeString(t[0])
			}
			out = append(out, a)
		}
		page = page[end+4:]
	}
}

// checkUnit verifies that a unit's rendered site says what its model says,
// so the truth computed over the model holds for the pages served:
//   - on the portal and the hubs, a link whose text or title names a column
//     leads to that column's page, and a missing column or one left to the
//     units file is named by no link;
//   - a page column lacking a field shows none of the field's names anywhere,
//     and shows every other field's label;
//   - an explained column states its explanation, and no other column page
//     states an explanation phrase.
func checkUnit(d *District, u *Unit) error {
	if u.Role == RoleUnreachable {
		return nil
	}
	type named struct {
		col  *Column
		name string
	}
	var names []named
	for _, c := range u.Columns {
		for _, n := range c.Spec.Names() {
			names = append(names, named{c, textnorm.Name(n)})
		}
	}
	for _, key := range []string{"/", u.HubPath, u.InnerHubPath} {
		if key == "" {
			continue
		}
		page := u.html(key)
		for _, a := range anchors(page) {
			for _, said := range []string{a.text, a.title} {
				text := textnorm.Name(said)
				for _, n := range names {
					if text == "" || !strings.Contains(text, n.name) {
						continue
					}
					if n.col.State == ColumnMissing || n.col.Override {
						return fmt.Errorf("page %s: link %q names column %s, which is %s", key, said, n.col.ID, map[bool]string{true: "left to the units file", false: "missing"}[n.col.Override])
					}
					if target := resolveHref(page, key, a.href); target != n.col.Path {
						return fmt.Errorf("page %s: link %q names column %s but leads to %s, not %s", key, said, n.col.ID, target, n.col.Path)
					}
				}
			}
		}
	}
	for _, c := range u.Columns {
		if !c.Override {
			continue
		}
		for _, p := range u.Paths() {
			if p != c.Path && !slices.Contains(c.PagePaths, p) && slices.Contains(u.pageLinks(p), c.Path) {
				return fmt.Errorf("page %s links column %s, which is left to the units file", p, c.ID)
			}
		}
	}
	for _, c := range u.Columns {
		if c.State == ColumnMissing {
			continue
		}
		text := textnorm.Name(pageText(u.html(c.Path)))
		if !c.IsList() && c.State == ColumnPresent {
			chk := d.Rules.CheckFor(c.ID, rules.KindFields, u.Type)
			if chk != nil {
				for _, f := range chk.Fields {
					label := c.FieldLabels[f.Name]
					if label != "" {
						if !strings.Contains(text, textnorm.Name(label)) {
							return fmt.Errorf("page %s: field %s label %q not shown", c.Path, f.Name, label)
						}
						continue
					}
					// The page names its own column (its title, menu and
					// breadcrumb): 机构设置 heading the functions page is
					// the column's name, not the field.
					rest := strings.ReplaceAll(text, textnorm.Name(c.Label), "")
					for _, n := range f.Names() {
						if strings.Contains(rest, textnorm.Name(n)) {
							return fmt.Errorf("page %s: field %s is planted missing but the page shows %q", c.Path, f.Name, n)
						}
					}
				}
			}
		}
		explained := false
		for _, p := range d.Rules.ExplainedEmpty {
			if strings.Contains(text, textnorm.Name(p)) {
				explained = true
			}
		}
		if explained != (c.State == ColumnExplained) {
			return fmt.Errorf("page %s: column %s is %s but explanation shown is %v", c.Path, c.ID, c.State, explained)
		}
	}
	return nil
}

// resolveHref resolves a link on page (rendered at key, perhaps with a
// <base href>) to a request target.
func resolveHref(page, key, href string) string {
	prefix := ""
	if i := strings.Index(page, "<base "); i >= 0 {
		prefix = page[i : i+strings.IndexByte(page[i:], '>')+1]
	}
	links := extractLinks(prefix+` href="`+href+`"`, key)
	if len(links) == 0 {
		return ""
	}
	return links[0]
}
