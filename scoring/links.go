package scoring

// The link check (link.broken): links and attachments that do not open.

import (
	"fmt"
	"sort"

	"gongkai/rules"
)

func (j *judge) links(c *rules.Check) {
	order := map[string]int{}
	for i, col := range j.rs.Columns {
		order[col.ID] = i
	}
	for _, l := range j.ue.Links {
		if !l.Broken() || l.External && !c.External {
			continue
		}
		column := ""
		if !l.OnPortal && len(l.Columns) > 0 {
			cols := append([]string(nil), l.Columns...)
			sort.Slice(cols, func(a, b int) bool { return order[cols[a]] < order[cols[b]] })
			column = cols[0]
		}
		where := "首页"
		page := j.ue.Unit.URL
		if len(l.FoundOn) > 0 {
			page = l.FoundOn[0]
		}
		if !l.OnPortal {
			where = "页面 " + page
			if column != "" {
				where = "“" + j.columnName(column) + "”栏目页面"
			}
		}
		kind := "链接"
		if l.Attachment {
			kind = "附件"
		}
		detail := fmt.Sprintf("%s上的%s %s 无法访问（%s）", where, kind, l.URL, describeFetch(*l.Fetch))
		f := *l.Fetch
		refs := []Ref{
			{URL: l.URL, FetchedAt: f.FetchedAt, Status: f.Status, Class: f.Class, Note: "链接检查"},
			j.ref(page, "链接所在页面"),
		}
		before := len(j.findings)
		j.add(c, draft{kind: rules.FindingLinkBroken, column: column, subject: l.URL, url: page,
			detail: detail, refs: refs})
		if l.OnPortal && c.PortalPoints > 0 && j.findings[before].Severity == string(rules.SeverityDeduction) {
			j.findings[before].Nominal = c.PortalPoints
		}
	}
}
