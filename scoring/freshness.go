package scoring

// The freshness checks: how old a column's newest item is (column.stale,
// column.expiring) and whether every period has an item (column.gap).

import (
	"fmt"

	"gongkai/evidence"
	"gongkai/rules"
)

func (j *judge) maxAge(c *rules.Check) {
	col := j.column(c.Column)
	items := j.items(col)
	if !col.Found || len(items) == 0 {
		return
	}
	name := j.columnName(c.Column)
	var newest evidence.Date
	var newestURL string
	for _, it := range items {
		if !it.Date.IsZero() && (newest.IsZero() || it.Date.After(newest)) {
			newest, newestURL = it.Date, it.URL
		}
	}
	limit := int(c.MaxAge)
	ref := j.ref(col.URL, "栏目列表")
	if newest.IsZero() {
		j.add(c, draft{kind: rules.FindingColumnStale, column: c.Column, url: col.URL,
			detail: fmt.Sprintf("“%s”栏目%d个条目均未标注发布日期，无法判断更新，按未更新处理（要求%d天内更新）", name, len(items), limit),
			refs:   []Ref{ref}})
		return
	}
	age := newest.DaysUntil(j.asOf)
	ref.Note = fmt.Sprintf("最新一条：%s", newest)
	switch {
	case age > limit:
		j.add(c, draft{kind: rules.FindingColumnStale, column: c.Column, url: col.URL,
			detail: fmt.Sprintf("“%s”栏目最新一条发布于%s，距评估日%d天，超过%d天的更新要求", name, newest, age, limit),
			refs:   []Ref{ref, {URL: newestURL, Note: "最新条目"}}})
	case c.WarnFraction() > 0 && float64(age) > float64(limit)*(1-c.WarnFraction()):
		j.add(c, draft{kind: rules.FindingColumnExpiring, column: c.Column, url: col.URL,
			detail:   fmt.Sprintf("“%s”栏目最新一条发布于%s，距评估日%d天，将于%s超过%d天的更新要求，请及时更新", name, newest, age, newest.AddDays(limit+1), limit),
			severity: rules.SeverityNotice, refs: []Ref{ref}})
	}
}

func (j *judge) periodic(c *rules.Check) {
	col := j.column(c.Column)
	if !col.Found {
		return
	}
	items := j.items(col)
	name := j.columnName(c.Column)
	// A list read in part (pagination stopped at the page budget, a list
	// page that could not be read, further pages a script loads) says
	// nothing of the periods older than its oldest item read: those are
	// not judged.
	var known evidence.Date
	if partialList(col) {
		for _, it := range items {
			if !it.Date.IsZero() && (known.IsZero() || it.Date.Before(known)) {
				known = it.Date
			}
		}
		if known.IsZero() {
			return // nothing dated was read: no period is known
		}
	}
	for _, p := range periods(string(c.Period), j.from, j.to, c.Cover == rules.CoverTouched) {
		if !known.IsZero() && p.end.Before(known) {
			continue
		}
		covered := false
		for _, it := range items {
			if !it.Date.IsZero() && !it.Date.Before(p.start) && !it.Date.After(p.end) {
				covered = true
				break
			}
		}
		if covered {
			continue
		}
		j.add(c, draft{kind: rules.FindingColumnGap, column: c.Column, subject: p.label, url: col.URL,
			detail: fmt.Sprintf("“%s”栏目在%s（%s至%s）没有发布信息", name, periodName(c.Period, p.label), p.start, p.end),
			refs:   []Ref{j.ref(col.URL, "栏目列表")}})
	}
}

// partialList reports whether a column's list was read only in part: its
// pagination stopped at the page budget, a further list page could not be
// read, or its page builds the list by script and was not rendered.
func partialList(col *evidence.Column) bool {
	return col.Truncated || len(col.Unread) > 0 || col.ScriptList != "" && !col.Rendered
}

func periodName(kind rules.Period, label string) string {
	switch kind {
	case rules.PeriodMonth:
		var y, m int
		fmt.Sscanf(label, "%d-%d", &y, &m)
		return fmt.Sprintf("%d年%d月", y, m)
	case rules.PeriodQuarter:
		var y, q int
		fmt.Sscanf(label, "%d-Q%d", &y, &q)
		return fmt.Sprintf("%d年第%d季度", y, q)
	}
	return label + "年度"
}
