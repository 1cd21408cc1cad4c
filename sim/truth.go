package sim

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"

	"gongkai/evidence"
	"gongkai/rules"
)

// TruthFinding is one finding of the ground truth, in the shape of the
// problem list (docs/spec.md#problem-list).
type TruthFinding struct {
	// ID numbers the findings from 1 in truth order.
	ID int `json:"id"`
	// Unit and UnitName identify the unit.
	Unit     string `json:"unit"`
	UnitName string `json:"unit_name"`
	// Kind is the finding kind (docs/spec.md#finding-kinds).
	Kind rules.FindingKind `json:"kind"`
	// Rule is the id of the check that produces it.
	Rule string `json:"rule"`
	// Column is the column id; "" for site.unreachable and portal links.
	Column string `json:"column"`
	// Subject is the period, field name, document URL or link URL; "" when
	// the column says all.
	Subject string `json:"subject"`
	// Severity is veto, deduction or notice.
	Severity string `json:"severity"`
	// Points is the rule's deduction for one such finding (the portal
	// points for a broken link on the portal; 0 for notices).
	Points float64 `json:"points"`
	// URL is the page that shows the problem.
	URL string `json:"url"`
	// Detail says what is wrong in a sentence the unit can act on.
	Detail string `json:"detail"`
	// Basis is the rule's legal or methodological basis.
	Basis string `json:"basis"`
	// Status is always "new": the truth knows no earlier audit.
	Status string `json:"status"`
	// FirstSeen is the as-of date.
	FirstSeen string `json:"first_seen"`
}

// WriteTruth writes findings as an indented JSON array.
func WriteTruth(w io.Writer, t []TruthFinding) error {
	if t == nil {
		t = []TruthFinding{}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(t); err != nil {
		return fmt.Errorf("write truth: %w", err)
	}
	return nil
}

// truthFinding is a finding with unit-relative paths.
type truthFinding struct {
	unit     *Unit
	kind     rules.FindingKind
	check    *rules.Check
	column   string
	subject  string
	subjPath bool // subject is a path on the unit's host
	severity rules.Severity
	points   float64
	path     string
	detail   string
}

// Truth returns the ground truth with URLs on the unit's base URL given by
// base (for example "http://127.0.0.1:8101/"), in truth order.
func (d *District) Truth(base func(u *Unit) string) []TruthFinding {
	out := make([]TruthFinding, 0, len(d.truth))
	for i, f := range d.truth {
		root := strings.TrimSuffix(base(f.unit), "/")
		subject := f.subject
		if f.subjPath {
			subject = root + subject
		}
		out = append(out, TruthFinding{
			ID: i + 1, Unit: f.unit.ID, UnitName: f.unit.Name, Kind: f.kind, Rule: f.check.ID,
			Column: f.column, Subject: subject, Severity: string(f.severity), Points: f.points,
			URL: root + f.path, Detail: f.detail, Basis: d.Rules.Basis(f.check),
			Status: "new", FirstSeen: d.AsOf.String(),
		})
	}
	return out
}

// period is one period a periodic check requires.
type period struct {
	Key      string
	From, To evidence.Date
}

// requiredPeriods lists the periods of c's granularity that the window
// [from, to] requires: those lying wholly inside it (cover whole) or
// touching it (cover touched).
func requiredPeriods(c *rules.Check, from, to evidence.Date) []period {
	var start evidence.Date
	step := 1
	key := func(p evidence.Date) string { return fmt.Sprintf("%04d-%02d", p.Year, int(p.Month)) }
	switch c.Period {
	case rules.PeriodQuarter:
		step = 3
		start = evidence.NewDate(from.Year, time.Month((int(from.Month)-1)/3*3+1), 1)
		key = func(p evidence.Date) string { return fmt.Sprintf("%04d-Q%d", p.Year, (int(p.Month)+2)/3) }
	case rules.PeriodYear:
		step = 12
		start = yearStart(from.Year)
		key = func(p evidence.Date) string { return fmt.Sprintf("%04d", p.Year) }
	default:
		start = monthStart(from)
	}
	var out []period
	for p := start; !p.After(to); p = p.AddMonths(step) {
		end := p.AddMonths(step).AddDays(-1)
		whole := !p.Before(from) && !end.After(to)
		touched := !end.Before(from) && !p.After(to)
		if (c.Cover == rules.CoverTouched && touched) || (c.Cover != rules.CoverTouched && whole) {
			out = append(out, period{Key: key(p), From: p, To: end})
		}
	}
	return out
}

// evaluate applies the ruleset to the district's model: the truth.
func evaluate(d *District) []truthFinding {
	per := make([][]truthFinding, len(d.Units))
	_ = parallel(len(d.Units), func(i int) error {
		per[i] = evaluateUnit(d, d.Units[i])
		return nil
	})
	var all []truthFinding
	for _, fs := range per {
		all = append(all, fs...)
	}
	return all
}

func evaluateUnit(d *District, u *Unit) []truthFinding {
	rs := d.Rules
	var out []truthFinding
	add := func(f truthFinding) {
		f.unit = u
		if f.severity == "" {
			f.severity = f.check.Severity
		}
		if f.kind == "" {
			f.kind = f.check.FindingKind()
		}
		if f.severity == rules.SeverityNotice {
			f.points = 0
		}
		out = append(out, f)
	}
	checks := rs.ChecksFor(u.Type)
	reports := map[rules.MonthDay]*reportJudgement{}
	if u.Role == RoleUnreachable {
		for _, c := range checks {
			if c.Kind == rules.KindReachability {
				add(truthFinding{check: c, path: "/", points: c.Points,
					detail: "网站无法访问：服务器接受连接后立即关闭，没有返回任何页面"})
			}
		}
		return out
	}
	for _, c := range checks {
		col := u.Column(c.Column)
		if c.Column != "" && col == nil {
			continue
		}
		if col != nil && col.ID == u.f.scriptCol && !d.Rendered && c.Kind != rules.KindPresence && c.Kind != rules.KindLinkHealth {
			// A list filled by script, read without rendering: the
			// evaluator says it did not read it, and judges nothing of it.
			if c.Kind == rules.KindNonEmpty {
				add(truthFinding{check: c, column: col.ID, path: col.Path, severity: rules.SeverityNotice,
					detail: fmt.Sprintf("“%s”栏目的列表由脚本生成，未能读取，不作判断", col.Spec.Name)})
			}
			continue
		}
		switch c.Kind {
		case rules.KindPresence:
			if col.State == ColumnMissing {
				add(truthFinding{check: c, column: col.ID, path: "/", points: c.Points,
					detail: fmt.Sprintf("栏目未找到：首页及信息公开目录中没有“%s”栏目的链接", col.Spec.Name)})
			}
		case rules.KindNonEmpty:
			switch col.State {
			case ColumnEmpty:
				what := "没有任何信息条目"
				if !col.IsList() {
					what = "没有内容"
				}
				add(truthFinding{check: c, column: col.ID, path: col.Path, points: c.Points,
					detail: fmt.Sprintf("“%s”栏目页面存在但%s", col.Spec.Name, what)})
			case ColumnExplained:
				add(truthFinding{check: c, column: col.ID, path: col.Path, severity: rules.SeverityNotice,
					detail: fmt.Sprintf("“%s”栏目没有信息，页面说明“%s”，仅作提示", col.Spec.Name, col.Explanation)})
			}
		case rules.KindFields:
			if col.Gone() {
				continue
			}
			for _, f := range c.Fields {
				if !slices.Contains(f.Names(), col.FieldLabels[f.Name]) {
					add(truthFinding{check: c, column: col.ID, subject: f.Name, path: col.Path, points: c.Points,
						detail: fmt.Sprintf("“%s”页面缺少“%s”", col.Spec.Name, f.Name)})
				}
			}
		case rules.KindMaxAge:
			if col.Gone() {
				continue
			}
			n := newest(col.Items)
			if n == nil {
				continue
			}
			age := n.Date.DaysUntil(d.AsOf)
			max := int(c.MaxAge)
			switch {
			case age > max:
				add(truthFinding{check: c, column: col.ID, path: col.Path, points: c.Points,
					detail: fmt.Sprintf("最新一条发布于%s，距评估日%d天，超过%d天的更新要求", n.Date, age, max)})
			case c.WarnFraction() > 0 && float64(age) > (1-c.WarnFraction())*float64(max):
				add(truthFinding{check: c, kind: rules.FindingColumnExpiring, column: col.ID, path: col.Path,
					severity: rules.SeverityNotice,
					detail:   fmt.Sprintf("最新一条发布于%s，距评估日%d天，%d天后将超过%d天的更新要求", n.Date, age, max-age+1, max)})
			}
		case rules.KindPeriodic:
			if col.Gone() {
				continue
			}
			for _, p := range requiredPeriods(c, d.WindowFrom, d.WindowTo) {
				lo, hi := maxDate(p.From, d.WindowFrom), minDate(p.To, d.WindowTo)
				if !itemIn(col.Items, lo, hi) {
					add(truthFinding{check: c, column: col.ID, subject: p.Key, path: col.Path, points: c.Points,
						detail: fmt.Sprintf("%s没有发布“%s”信息", periodName(c.Period, p), col.Spec.Name)})
				}
			}
		case rules.KindDocumentMetadata:
			if col.Gone() {
				continue
			}
			for _, it := range col.Items {
				if it.Doc == nil || (c.OnlyInWindow() && !d.InWindow(it.Date)) {
					continue
				}
				if miss := it.Doc.Missing(c.Fields); len(miss) > 0 {
					add(truthFinding{check: c, column: col.ID, subject: it.Path, subjPath: true, path: it.Path, points: c.Points,
						detail: fmt.Sprintf("文件“%s”页面缺少%s", it.Title, strings.Join(miss, "、"))})
				}
			}
		case rules.KindPublicationDelay:
			if col.Gone() {
				continue
			}
			for _, it := range col.Items {
				if it.Doc == nil || (c.OnlyInWindow() && !d.InWindow(it.Date)) || it.Doc.Labels["成文日期"] == "" {
					continue
				}
				if n := rs.Calendar.WorkdaysBetween(it.Doc.Written, it.Date); n > c.WorkingDays {
					add(truthFinding{check: c, column: col.ID, subject: it.Path, subjPath: true, path: it.Path, points: c.Points,
						detail: fmt.Sprintf("成文日期%s，发布日期%s，相隔%d个工作日，超过%d个工作日的时限", it.Doc.Written, it.Date, n, c.WorkingDays)})
				}
			}
		case rules.KindInterpretation:
			docs := u.Column(c.Of)
			if col.Gone() || docs == nil || docs.Gone() {
				continue
			}
			for _, doc := range docs.Items {
				if c.OnlyInWindow() && !d.InWindow(doc.Date) {
					continue
				}
				deadline := rs.Calendar.AddWorkdays(doc.Date, c.WorkingDays)
				if deadline.After(d.AsOf) {
					continue
				}
				var first *Item
				for _, x := range col.Items {
					if ties(x, doc) && (first == nil || x.Date.Before(first.Date)) {
						first = x
					}
				}
				if first != nil && !first.Date.After(deadline) {
					continue
				}
				detail := fmt.Sprintf("文件“%s”于%s发布，至%s（%d个工作日内）未见解读", doc.Title, doc.Date, deadline, c.WorkingDays)
				if first != nil {
					detail += fmt.Sprintf("；解读“%s”迟至%s才发布", first.Title, first.Date)
				}
				add(truthFinding{check: c, column: col.ID, subject: doc.Path, subjPath: true, path: doc.Path, points: c.Points, detail: detail})
			}
		case rules.KindLinkHealth:
			for _, f := range brokenLinks(d, u, c) {
				add(f)
			}
		case rules.KindPrivacy, rules.KindOutdatedName:
			for _, f := range contentTruth(d, u, c) {
				add(f)
			}
		case rules.KindReportMissing, rules.KindReportLate, rules.KindReportIncomplete, rules.KindReportInconsistent:
			if col.Gone() {
				continue
			}
			// Each check judges the year its own deadline makes due; the
			// checks without one (incomplete, inconsistent) take the
			// deadline of the unit's report_missing check.
			due := reportDue(rs, u.Type)
			if len(c.Due) > 0 {
				due = c.DueFor(u.Type)
			}
			j, ok := reports[due]
			if !ok {
				jj := judgeReports(d, u, col, due)
				j = &jj
				reports[due] = j
			}
			y := fmt.Sprint(j.year)
			switch {
			case c.Kind == rules.KindReportMissing && j.item == nil:
				add(truthFinding{check: c, column: col.ID, subject: y, path: col.Path, points: c.Points,
					detail: fmt.Sprintf("%d年度政府信息公开工作年度报告应于%s前公布，评估日仍未公布", j.year, j.deadline)})
			case j.item == nil:
			case c.Kind == rules.KindReportLate:
				if j.item.Date.After(j.deadline) {
					add(truthFinding{check: c, column: col.ID, subject: y, path: j.item.Path, points: c.Points,
						detail: fmt.Sprintf("%d年度年报于%s公布，晚于%s的期限", j.year, j.item.Date, j.deadline)})
				}
			case c.Kind == rules.KindReportIncomplete:
				for _, l := range j.incomplete {
					f := truthFinding{check: c, column: col.ID, subject: y, path: j.item.Path, points: c.Points, detail: l.detail}
					if l.blanks {
						f.severity = c.BlankCells
						if f.severity == "" {
							f.severity = rules.SeverityNotice
						}
					}
					if l.notice {
						f.severity, f.points = rules.SeverityNotice, 0
					}
					add(f)
				}
			case c.Kind == rules.KindReportInconsistent:
				for _, detail := range j.inconsistent {
					add(truthFinding{check: c, column: col.ID, subject: y, path: j.item.Path, points: c.Points, detail: detail})
				}
			}
		}
	}
	slices.SortStableFunc(out, func(x, y truthFinding) int {
		if c := columnRank(u, x.column) - columnRank(u, y.column); c != 0 {
			return c
		}
		if c := slices.Index(rules.FindingKinds, x.kind) - slices.Index(rules.FindingKinds, y.kind); c != 0 {
			return c
		}
		return strings.Compare(x.subject, y.subject)
	})
	return out
}

func columnRank(u *Unit, id string) int {
	if id == "" {
		return -1
	}
	for i, c := range u.Columns {
		if c.ID == id {
			return i
		}
	}
	return len(u.Columns)
}

func periodName(p rules.Period, x period) string {
	switch p {
	case rules.PeriodQuarter:
		return fmt.Sprintf("%d年第%d季度", x.From.Year, (int(x.From.Month)+2)/3)
	case rules.PeriodYear:
		return fmt.Sprintf("%d年", x.From.Year)
	}
	return fmt.Sprintf("%d年%d月", x.From.Year, int(x.From.Month))
}

var quoteRE = regexp.MustCompile(`《([^《》]+)》`)

// quotes returns the titles quoted in 《》 in s.
func quotes(s string) []string {
	var out []string
	for _, m := range quoteRE.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	return out
}

// ties reports whether interpretation x names document doc: its page links
// to the document, or its title quotes the document's full title or a
// title the document's title quotes.
func ties(x, doc *Item) bool {
	if doc.Path == "" {
		return false
	}
	if interpretedDoc(x) == doc {
		return true
	}
	names := append([]string{doc.Title}, quotes(doc.Title)...)
	for _, q := range quotes(x.Title) {
		if slices.Contains(names, q) {
			return true
		}
	}
	return false
}

// crawledPages returns the pages an evaluator reads: the portal, the hub,
// every page of each column it finds, and the item pages of the columns
// whose items it reads (documents, interpretations, annual reports), each
// with the column it belongs to ("" for the portal and the hub).
func crawledPages(d *District, u *Unit) (keys, cols []string) {
	add := func(k, c string) {
		if k != "" {
			keys = append(keys, k)
			cols = append(cols, c)
		}
	}
	add("/", "")
	if u.PortalPath() != "/" {
		add(u.PortalPath(), "")
	}
	add(u.HubPath, "")
	add(u.InnerHubPath, "")
	itemCols := map[string]bool{}
	for _, c := range d.Rules.ChecksFor(u.Type) {
		switch c.Kind {
		case rules.KindDocumentMetadata, rules.KindPublicationDelay, rules.KindInterpretation,
			rules.KindReportMissing, rules.KindReportLate, rules.KindReportIncomplete, rules.KindReportInconsistent:
			itemCols[c.Column] = true
			if c.Of != "" {
				itemCols[c.Of] = true
			}
		}
	}
	for _, c := range u.Columns {
		if c.State == ColumnMissing {
			continue
		}
		if c.IsList() {
			for _, p := range c.PagePaths {
				add(p, c.ID)
			}
		} else {
			add(c.Path, c.ID)
		}
		if itemCols[c.ID] {
			for _, it := range c.Items {
				add(it.Path, c.ID)
			}
		}
	}
	return keys, cols
}

// brokenLinks renders every crawled page, follows each link it carries on
// the unit's own host, and reports those the site does not answer with 200.
func brokenLinks(d *District, u *Unit, c *rules.Check) []truthFinding {
	var out []truthFinding
	seen := map[string]bool{}
	keys, cols := crawledPages(d, u)
	for i, key := range keys {
		for _, t := range u.pageLinks(key) {
			if seen[t] {
				continue
			}
			seen[t] = true
			st, text := linkStatus(u, t)
			if st == 200 {
				continue
			}
			pts := c.Points
			portal := key == u.PortalPath()
			if portal && c.PortalPoints > 0 {
				pts = c.PortalPoints
			}
			where := "首页"
			if !portal {
				where = "页面"
			}
			out = append(out, truthFinding{check: c, column: cols[i], subject: t, subjPath: true, path: key, points: pts,
				detail: fmt.Sprintf("%s上的链接“%s”无法访问（%s）", where, text, statusText(st))})
		}
	}
	return out
}

// linkStatus returns what the unit answers for target, and the text of the
// link when the sim planted it.
func linkStatus(u *Unit, target string) (int, string) {
	r := u.lookup(target)
	if r == nil {
		return 404, target
	}
	if r.kind == routeBroken {
		return r.link.Status, r.link.Text
	}
	return 200, ""
}

// FromMarkup reports whether finding f follows from the unit's markup
// rather than from a planted defect: a list a script fills (variant
// list-script-only), reported as not read by an evaluator that does not
// render pages, or an annual report published as a scanned PDF (variant
// report-pdf-scan), reported as not read. A clean unit may carry either;
// both are notices.
func (u *Unit) FromMarkup(f TruthFinding) bool {
	if f.Severity != string(rules.SeverityNotice) {
		return false
	}
	switch f.Kind {
	case rules.FindingColumnEmpty:
		return u.f.scriptCol != "" && f.Column == u.f.scriptCol
	case rules.FindingReportIncomplete:
		if c := u.Column(f.Column); c != nil {
			for _, it := range c.Items {
				if it.AnnualReport != nil && it.AnnualReport.look.scanned && fmt.Sprint(it.AnnualReport.Year) == f.Subject {
					return true
				}
			}
		}
	}
	return false
}
