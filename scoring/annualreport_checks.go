package scoring

// The annual report's checks: that the report due is published, and in
// time (report.missing, report.late), and what its content lacks or
// contradicts (report.incomplete, report.inconsistent; see AnalyzeAnnualReport).

import (
	"fmt"
	"strings"

	"gongkai/evidence"
	"gongkai/internal/textnorm"
	"gongkai/rules"
)

// dueReport returns the year of the latest annual report due by asOf under
// check c for the unit's type, and its deadline.
func (j *judge) dueReport(c *rules.Check) (int, evidence.Date) {
	due := c.DueFor(j.ue.Unit.Type)
	year := j.asOf.Year - 1
	deadline := evidence.NewDate(year+1, monthOf(due.Month), due.Day)
	if deadline.After(j.asOf) || deadline == j.asOf {
		year--
		deadline = evidence.NewDate(year+1, monthOf(due.Month), due.Day)
	}
	return year, deadline
}

// reportYear reads the year a report item reports on, from its title.
func reportYear(it evidence.Item) int {
	if it.Doc != nil && it.Doc.AnnualReport != nil && it.Doc.AnnualReport.Year != 0 {
		return it.Doc.AnnualReport.Year
	}
	return titleYear(it.Title)
}

func (j *judge) reportDue(c *rules.Check) {
	col := j.column(c.Column)
	year, deadline := j.dueReport(c)
	subject := fmt.Sprintf("%d", year)
	var found *evidence.Item
	items := j.items(col)
	for k := range items {
		if reportYear(items[k]) == year && isReportTitle(items[k].Title) {
			found = &items[k]
			break
		}
	}
	switch {
	case found == nil && c.Kind == rules.KindReportMissing:
		j.add(c, draft{kind: rules.FindingReportMissing, column: c.Column, subject: subject, url: col.URL,
			detail: fmt.Sprintf("截至评估日未见%d年度政府信息公开工作年度报告（应于%s前公布）", year, deadline),
			refs:   []Ref{j.ref(col.URL, "年报栏目")}})
	case found != nil && c.Kind == rules.KindReportLate:
		pub := published(*found)
		if pub.IsZero() || !pub.After(deadline) {
			return
		}
		j.add(c, draft{kind: rules.FindingReportLate, column: c.Column, subject: subject, url: found.URL,
			detail: fmt.Sprintf("%d年度年报于%s公布，晚于%s的法定期限%d天", year, pub, deadline, deadline.DaysUntil(pub)),
			refs:   []Ref{j.ref(found.URL, "年报页面")}})
	}
}

// reportItem returns the annual-report column's item for year, or nil.
func (j *judge) reportItem(col *evidence.Column, year int) *evidence.Item {
	items := j.items(col)
	var found *evidence.Item
	for k := range items {
		if reportYear(items[k]) != year || !isReportTitle(items[k].Title) {
			continue
		}
		if found == nil || found.Doc == nil || found.Doc.AnnualReport == nil {
			found = &items[k]
		}
	}
	return found
}

// reportContent judges the content of the report due by the as-of date:
// sections, tables, blank cells and rows (report_incomplete), identities
// and the carry-over from the year before (report_inconsistent).
func (j *judge) reportContent(c *rules.Check) {
	col := j.column(c.Column)
	due := j.rs.CheckFor(c.Column, rules.KindReportMissing, j.ue.Unit.Type)
	if due == nil {
		due = j.rs.CheckFor(c.Column, rules.KindReportLate, j.ue.Unit.Type)
	}
	if due == nil {
		return // no deadline known: no report is due
	}
	year, _ := j.dueReport(due)
	it := j.reportItem(col, year)
	if it == nil || it.Doc == nil || it.Doc.AnnualReport == nil {
		return // missing (its own check) or not read
	}
	r := it.Doc.AnnualReport
	if r.Year == 0 {
		r.Year = year
	}
	subject := fmt.Sprintf("%d", year)
	ref := j.ref(it.URL, "年报页面")
	if len(r.Sections) == 0 && len(r.Tables) == 0 && len(r.Attachments) > 0 {
		if c.Kind == rules.KindReportIncomplete {
			j.add(c, draft{kind: rules.FindingReportIncomplete, column: c.Column, subject: subject, url: it.URL,
				detail:   fmt.Sprintf("%d年度年报以附件发布（%s），未能自动核对内容，请人工核查", year, r.Attachments[0]),
				severity: rules.SeverityNotice, refs: []Ref{ref}})
		}
		return
	}
	var prev *evidence.AnnualReport
	if p := j.reportItem(col, year-1); p != nil && p.Doc != nil {
		prev = p.Doc.AnnualReport
	}
	want := c.FindingKind()
	for _, issue := range AnalyzeAnnualReport(r, prev) {
		if issue.Kind != want {
			continue
		}
		var sev rules.Severity // the check's own
		switch {
		case issue.Notice:
			sev = rules.SeverityNotice
		case issue.Blanks:
			sev = c.BlankCells
			if sev == "" {
				sev = rules.SeverityNotice
			}
		}
		j.add(c, draft{kind: want, column: c.Column, subject: subject, part: issue.Identity, url: it.URL,
			detail: issue.Detail, severity: sev, refs: []Ref{ref}})
	}
}

func isReportTitle(t string) bool {
	n := textnorm.Name(t)
	return strings.Contains(n, "报告") || strings.Contains(n, "年报")
}
