package scoring

import (
	"fmt"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"

	"gongkai/evidence"
	"gongkai/rules"
)

// Content checks judge what the crawler recorded of the text of the item
// pages it read and of their attachments (evidence.ContentScan): personal
// numbers, already masked, with their place and context, and the uses of
// listed names. The judge decides which numbers count and which uses are
// errors; it never sees a number unmasked.

// personalNames names the kinds of personal number in details.
var personalNames = map[string]string{
	evidence.PersonalID:     "身份证号码",
	evidence.PersonalMobile: "手机号码",
	evidence.PersonalCard:   "银行卡号",
}

// countsPersonal reports whether a group of candidates counts under
// privacy check c (by its words: c.Vocabulary) on a page or file whose
// list words are lists.
func countsPersonal(c *rules.Check, g evidence.PersonalGroup, lists []string) bool {
	v := c.Vocabulary()
	if !c.Counts(g.Kind) {
		return false
	}
	switch g.Kind {
	case evidence.PersonalID:
		return g.Form != "15" || g.PersonTable || anyOf(g.Context, v.IDWords)
	case evidence.PersonalMobile:
		if g.PersonTable {
			return true
		}
		return anyOf(lists, v.ListWords) && !anyOf(g.Context, v.ContactWords)
	case evidence.PersonalCard:
		return anyOf(g.Context, v.CardWords)
	}
	return false
}

func anyOf(have, want []string) bool {
	for _, h := range have {
		if slices.Contains(want, h) {
			return true
		}
	}
	return false
}

// personalDetail describes the groups of a page or file that count, by
// kind: how many, where, an example (masked); "" when none counts.
func personalDetail(c *rules.Check, groups []evidence.PersonalGroup, lists []string) string {
	type kindTally struct {
		n      int
		where  []string
		sample string
	}
	tallies := map[string]*kindTally{}
	for _, g := range groups {
		if !countsPersonal(c, g, lists) {
			continue
		}
		t := tallies[g.Kind]
		if t == nil {
			t = &kindTally{sample: g.Example}
			tallies[g.Kind] = t
		}
		t.n += g.Count
		if len(t.where) < 3 {
			t.where = append(t.where, g.Part+rowsText(g.Rows, g.Count))
		} else if len(t.where) == 3 {
			t.where = append(t.where, "等")
		}
	}
	var parts []string
	for _, k := range []string{evidence.PersonalID, evidence.PersonalMobile, evidence.PersonalCard} {
		t := tallies[k]
		if t == nil {
			continue
		}
		where := strings.Join(t.where, "、")
		where = strings.ReplaceAll(where, "、等", "等")
		parts = append(parts, fmt.Sprintf("%s%d个（%s，如%s）", personalNames[k], t.n, where, t.sample))
	}
	return strings.Join(parts, "、")
}

// rowsText says which rows: 第2、4行; 第3至9行 for a run; 第3至22行等
// when more were found than the rows kept.
func rowsText(rows []int, count int) string {
	if len(rows) == 0 {
		return ""
	}
	run := rows[len(rows)-1]-rows[0] == len(rows)-1
	switch {
	case count > len(rows):
		return fmt.Sprintf("第%d至%d行等", rows[0], rows[len(rows)-1])
	case run && len(rows) > 2:
		return fmt.Sprintf("第%d至%d行", rows[0], rows[len(rows)-1])
	case len(rows) > 5:
		return fmt.Sprintf("第%d至%d行中", rows[0], rows[len(rows)-1])
	}
	s := make([]string, len(rows))
	for i, r := range rows {
		s[i] = strconv.Itoa(r)
	}
	return "第" + strings.Join(s, "、") + "行"
}

// privacy judges the personal numbers on the pages read and in their
// attachments: one finding per page or file disclosing any that counts.
func (j *judge) privacy(c *rules.Check) {
	done := map[string]bool{}
	for ci := range j.ue.Columns {
		col := &j.ue.Columns[ci]
		for _, it := range j.items(col) {
			d := it.Doc
			if d == nil || d.Class != evidence.ClassOK || d.Content == nil {
				continue
			}
			title := shorten(firstNonEmpty(it.Title, d.Title), 40)
			if detail := personalDetail(c, d.Content.Personal, d.Content.Lists); detail != "" && !done[it.URL] {
				done[it.URL] = true
				j.add(c, draft{kind: rules.FindingContentPrivacy, column: col.ID, subject: it.URL, url: it.URL,
					detail: fmt.Sprintf("文件《%s》页面公开了未脱敏的个人信息：%s", title, detail),
					refs:   []Ref{j.ref(it.URL, "文件页面（含个人信息）")}})
			}
			if !c.ReadsAttachments() {
				continue
			}
			for _, f := range d.Content.Files {
				if f.Unread != "" || done[f.URL] {
					continue
				}
				detail := personalDetail(c, f.Personal, f.Lists)
				if detail == "" {
					continue
				}
				done[f.URL] = true
				j.add(c, draft{kind: rules.FindingContentPrivacy, column: col.ID, subject: f.URL, url: f.URL,
					detail: fmt.Sprintf("文件《%s》的附件“%s”公开了未脱敏的个人信息：%s", title, shorten(firstNonEmpty(f.Text, fileName(f.URL)), 40), detail),
					refs:   []Ref{j.ref(f.URL, "附件（含个人信息）"), j.ref(it.URL, "附件所在页面")}})
			}
		}
	}
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if strings.TrimSpace(x) != "" {
			return x
		}
	}
	return ""
}

// fileName returns the last element of a URL's path, unescaped.
func fileName(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	name := path.Base(u.Path)
	if n, err := url.PathUnescape(name); err == nil {
		return n
	}
	return name
}

// ownDate returns a document's own date and what it is: 成文日期, else
// 发布日期, else the date on the list.
func ownDate(it evidence.Item) (evidence.Date, string) {
	if d := it.Doc; d != nil {
		if !d.Written.IsZero() {
			return d.Written, "成文日期"
		}
		if !d.Published.IsZero() {
			return d.Published, "发布日期"
		}
	}
	return it.Date, "发布日期"
}

// ceasedText writes a cut-off as 2018年3月 (a month) or 2018年3月17日.
func ceasedText(c rules.Ceased) string {
	if strings.Count(c.Text, "-") == 1 {
		return fmt.Sprintf("%d年%d月", c.Year, int(c.Month))
	}
	return fmt.Sprintf("%d年%d月%d日", c.Year, int(c.Month), c.Day)
}

// outdatedNames judges the uses of listed names: a document dated after a
// name ceased, and the grace, that uses it as a current actor.
func (j *judge) outdatedNames(c *rules.Check) {
	done := map[string]bool{}
	for ci := range j.ue.Columns {
		col := &j.ue.Columns[ci]
		for _, it := range j.items(col) {
			d := it.Doc
			if d == nil || d.Class != evidence.ClassOK || d.Content == nil || done[it.URL] {
				continue
			}
			own, what := ownDate(it)
			if own.IsZero() {
				continue
			}
			var uses []string
			for _, nu := range d.Content.Names {
				e := j.rs.OutdatedNameFor(nu.Name)
				if nu.Current == 0 || e == nil || !own.After(e.Ceased.AddDays(int(c.Grace))) {
					continue
				}
				u := fmt.Sprintf("“%s”%d处（该机构%s起已调整为%s）", nu.Name, nu.Current, ceasedText(e.Ceased), e.Successor)
				if nu.Context != "" {
					u += fmt.Sprintf("，如“%s”", nu.Context)
				}
				uses = append(uses, u)
			}
			if len(uses) == 0 {
				continue
			}
			done[it.URL] = true
			j.add(c, draft{kind: rules.FindingContentOutdatedName, column: col.ID, subject: it.URL, url: it.URL,
				detail: fmt.Sprintf("文件《%s》（%s%s）仍以已撤销或更名的机构名称作为现行机构表述：%s", shorten(firstNonEmpty(it.Title, d.Title), 40), what, own, strings.Join(uses, "；")),
				refs:   []Ref{j.ref(it.URL, "文件页面")}})
		}
	}
}
