package scoring

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode/utf8"

	"gongkai/evidence"
	"gongkai/internal/textnorm"
	"gongkai/rules"
)

// Score judges every unit's evidence and ranks the units.
func Score(rs *rules.Ruleset, asOf evidence.Date, units []*evidence.UnitEvidence) *Result {
	res := NewResult(rs, asOf)
	for _, ue := range units {
		us, fs := ScoreUnit(rs, asOf, ue)
		res.Units = append(res.Units, us)
		res.Findings = append(res.Findings, fs...)
	}
	return Finalize(rs, res)
}

// NewResult returns an empty Result carrying the ruleset and window.
func NewResult(rs *rules.Ruleset, asOf evidence.Date) *Result {
	from, to := Window(asOf, rs.WindowMonths())
	return &Result{
		AsOf: asOf, WindowFrom: from, WindowTo: to,
		RulesetName: rs.Name, RulesetVersion: rs.Version, RulesetHash: rs.Hash,
	}
}

// minContentRunes is the least content text that makes a page column
// not empty when it shows no field labels.
const minContentRunes = 30

// judge holds one unit's judgement in progress.
type judge struct {
	rs       *rules.Ruleset
	asOf     evidence.Date
	from, to evidence.Date
	ue       *evidence.UnitEvidence
	findings []Finding
	// skip marks columns that are missing or empty: no further checks.
	skip map[string]bool
}

// ScoreUnit judges one unit's evidence as of asOf: its score and findings.
// Items dated after asOf are ignored, so an audit can be judged as of an
// earlier date.
func ScoreUnit(rs *rules.Ruleset, asOf evidence.Date, ue *evidence.UnitEvidence) (UnitScore, []Finding) {
	from, to := Window(asOf, rs.WindowMonths())
	j := &judge{rs: rs, asOf: asOf, from: from, to: to, ue: ue, skip: map[string]bool{}}
	checks := rs.ChecksFor(ue.Unit.Type)
	if !ue.Reach.Reachable {
		// Nothing else was seen (docs/spec.md#finding-kinds): site.unreachable alone.
		for _, c := range checks {
			if c.Kind == rules.KindReachability {
				j.reachability(c)
			}
		}
		return j.total(checks), j.findings
	}
	// Columns first: a page the crawler could not use, presence and
	// emptiness gate every other check.
	j.unreadColumns(checks)
	for _, c := range checks {
		if c.Kind == rules.KindPresence && !j.skip[c.Column] {
			j.presence(c)
		}
	}
	for _, c := range checks {
		if c.Kind == rules.KindNonEmpty && !j.skip[c.Column] {
			j.nonEmpty(c)
		}
	}
	for _, c := range checks {
		if c.Column != "" && j.skip[c.Column] {
			continue
		}
		switch c.Kind {
		case rules.KindFields:
			j.fields(c)
		case rules.KindMaxAge:
			j.maxAge(c)
		case rules.KindPeriodic:
			j.periodic(c)
		case rules.KindDocumentMetadata:
			j.documentMetadata(c)
		case rules.KindPublicationDelay:
			j.publicationDelay(c)
		case rules.KindInterpretation:
			j.interpretation(c)
		case rules.KindLinkHealth:
			j.links(c)
		case rules.KindCertificate:
			j.certificate(c)
		case rules.KindReportMissing, rules.KindReportLate:
			j.reportDue(c)
		case rules.KindReportIncomplete, rules.KindReportInconsistent:
			j.reportContent(c)
		case rules.KindPrivacy:
			j.privacy(c)
		case rules.KindOutdatedName:
			j.outdatedNames(c)
		}
	}
	return j.total(checks), j.findings
}

// add records a finding of check c.
func (j *judge) add(c *rules.Check, kind, column, subject, url, detail string, severity rules.Severity, refs ...Ref) {
	if severity == "" {
		severity = c.Severity
	}
	nominal := c.Points
	if severity != rules.SeverityDeduction {
		nominal = 0
	}
	ind := j.rs.Indicator(c.Indicator)
	f := Finding{
		Unit: j.ue.Unit.ID, UnitName: j.ue.Unit.Name, Kind: kind, Rule: c.ID, Column: column,
		Subject: subject, Severity: string(severity), Nominal: nominal, URL: url, Detail: detail,
		Basis: j.rs.Basis(c), Indicator: c.Indicator, Evidence: refs,
	}
	if ind != nil {
		f.Dimension = ind.Dimension
	}
	j.findings = append(j.findings, f)
}

// ref makes an evidence reference to the last fetch of url.
func (j *judge) ref(url, note string) Ref {
	r := Ref{URL: url, Note: note}
	if f := j.ue.FetchOf(url); f != nil {
		r.FetchedAt, r.Status, r.Class, r.SHA256 = f.FetchedAt, f.Status, f.Class, f.SHA256
	}
	return r
}

func (j *judge) column(id string) *evidence.Column {
	if c := j.ue.Column(id); c != nil {
		return c
	}
	return &evidence.Column{ID: id}
}

func (j *judge) columnName(id string) string {
	if c := j.rs.Column(id); c != nil {
		return c.Name
	}
	return id
}

func (j *judge) reachability(c *rules.Check) {
	var refs []Ref
	last := evidence.Fetch{}
	for _, a := range j.ue.Reach.Attempts {
		refs = append(refs, Ref{URL: a.URL, FetchedAt: a.FetchedAt, Status: a.Status, Class: a.Class, SHA256: a.SHA256, Note: a.Error})
		last = a
	}
	switch last.Class {
	case evidence.ClassBlocked:
		j.add(c, "site.unreachable", "", "", j.ue.Unit.URL,
			fmt.Sprintf("网站防护拦截了评估访问（HTTP %d 挑战页），共尝试%d次；按规则不视为无法访问、不扣分，请单位配合放行后复评", last.Status, len(refs)),
			rules.SeverityNotice, refs...)
		return
	case evidence.ClassRobots:
		j.add(c, "site.unreachable", "", "", j.ue.Unit.URL,
			"网站 robots.txt 禁止评估程序访问；按规则不视为无法访问、不扣分，请单位放行评估程序（或在单位清单中注明 ignore_robots）后复评",
			rules.SeverityNotice, refs...)
		return
	case evidence.ClassTooLarge, evidence.ClassUnreadable, evidence.ClassRefused, evidence.ClassCertificate:
		// The server answered, with nothing the crawler could use: not a
		// site that is down, and not a site that was seen.
		j.add(c, "site.unreachable", "", "", j.ue.Unit.URL,
			fmt.Sprintf("评估程序未能读取网站首页 %s：%s；网站有响应，不视为无法访问、不扣分，本次不评估，请单位核查后复评", last.URL, unusable(last)),
			rules.SeverityNotice, refs...)
		return
	}
	failed := j.ue.Reach.Failures()
	if failed == 0 {
		// No attempt was made (or none failed): nothing to hold against
		// the unit.
		why := "未发出请求"
		if len(j.ue.Notes) > 0 {
			why = shorten(j.ue.Notes[0], 120)
		}
		j.add(c, "site.unreachable", "", "", j.ue.Unit.URL,
			fmt.Sprintf("评估程序未能访问网站（%s）；共尝试%d次，失败0次，不扣分，本次不评估", why, len(refs)),
			rules.SeverityNotice, refs...)
		return
	}
	if j.ue.Reach.Required > 0 && failed < j.ue.Reach.Required {
		j.add(c, "site.unreachable", "", "", j.ue.Unit.URL,
			fmt.Sprintf("本次评估未能访问网站（最后一次：%s）；观察期内访问失败%d次（共%d次），未达认定无法访问所需的%d次，本次不扣分，待复评",
				describeFetch(last), failed, len(refs), j.ue.Reach.Required),
			rules.SeverityNotice, refs...)
		return
	}
	j.add(c, "site.unreachable", "", "", j.ue.Unit.URL,
		fmt.Sprintf("网站无法访问：观察期内共尝试%d次，失败%d次（最后一次：%s）", len(refs), failed, describeFetch(last)), "", refs...)
}

func describeFetch(f evidence.Fetch) string {
	switch f.Class {
	case evidence.ClassDown:
		if f.Error != "" {
			return "无响应，" + shorten(f.Error, 80)
		}
		return "无响应"
	case evidence.ClassMaintenance:
		return fmt.Sprintf("HTTP %d，网站维护页", f.Status)
	case evidence.ClassSoft404:
		return fmt.Sprintf("HTTP %d，错误页面", f.Status)
	case evidence.ClassRobots:
		return "robots.txt 禁止访问"
	case evidence.ClassRefused:
		return "评估程序拒绝访问：" + shorten(f.Error, 80)
	case evidence.ClassTooLarge, evidence.ClassUnreadable, evidence.ClassBlocked, evidence.ClassCertificate:
		return unusable(f)
	}
	if f.Status != 0 {
		return fmt.Sprintf("HTTP %d", f.Status)
	}
	return string(f.Class)
}

func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

func (j *judge) presence(c *rules.Check) {
	col := j.column(c.Column)
	if col.Found {
		return
	}
	j.skip[c.Column] = true
	name := j.columnName(c.Column)
	if col.URL != "" {
		j.add(c, "column.missing", c.Column, "", col.URL,
			fmt.Sprintf("“%s”栏目链接（%s）无法打开：%s", name, col.Discovery.LinkText, describeFetch(evidence.Fetch{Status: col.Status, Class: col.Class})),
			"", j.ref(col.URL, "栏目页面"))
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
	j.add(c, "column.missing", c.Column, "", j.ue.Unit.URL,
		fmt.Sprintf("未找到“%s”栏目：首页及%d个信息公开导航页面中没有名称为“%s”（或其别名）的链接", name, len(searched)-1, name),
		"", refs...)
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
		j.add(c, "column.empty", c.Column, "", col.URL,
			fmt.Sprintf("“%s”栏目的列表由脚本生成（%s），评估程序未能读取；不视为空栏目、不扣分，请人工核查或以 --render 复评", name, col.ScriptList),
			rules.SeverityNotice, j.ref(col.URL, "栏目页面"))
		return
	}
	if phrase := j.explained(col.Text); phrase != "" {
		j.add(c, "column.empty", c.Column, "", col.URL,
			fmt.Sprintf("“%s”栏目无内容，页面说明“%s”；仅作提示，不扣分", name, phrase),
			rules.SeverityNotice, j.ref(col.URL, "栏目页面"))
		return
	}
	what := "没有任何条目"
	if rc != nil && rc.Shape == rules.ShapePage {
		what = "页面没有实质内容"
	}
	j.add(c, "column.empty", c.Column, "", col.URL,
		fmt.Sprintf("“%s”栏目%s，也未说明不涉及的原因", name, what), "", j.ref(col.URL, "栏目页面"))
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

// items returns a column's items dated on or before the as-of date (undated
// items included).
func (j *judge) items(col *evidence.Column) []evidence.Item {
	var out []evidence.Item
	for _, it := range col.Items {
		if !it.Date.IsZero() && it.Date.After(j.asOf) {
			continue
		}
		out = append(out, it)
	}
	return out
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
		j.add(c, "field.missing", c.Column, f.Name, col.URL,
			fmt.Sprintf("“%s”页面缺少“%s”", j.columnName(c.Column), f.Name), "", j.ref(col.URL, "栏目页面"))
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
		j.add(c, "column.stale", c.Column, "", col.URL,
			fmt.Sprintf("“%s”栏目%d个条目均未标注发布日期，无法判断更新，按未更新处理（要求%d天内更新）", name, len(items), limit), "", ref)
		return
	}
	age := newest.DaysUntil(j.asOf)
	ref.Note = fmt.Sprintf("最新一条：%s", newest)
	switch {
	case age > limit:
		j.add(c, "column.stale", c.Column, "", col.URL,
			fmt.Sprintf("“%s”栏目最新一条发布于%s，距评估日%d天，超过%d天的更新要求", name, newest, age, limit), "", ref, Ref{URL: newestURL, Note: "最新条目"})
	case c.WarnFraction() > 0 && float64(age) > float64(limit)*(1-c.WarnFraction()):
		j.add(c, "column.expiring", c.Column, "", col.URL,
			fmt.Sprintf("“%s”栏目最新一条发布于%s，距评估日%d天，将于%s超过%d天的更新要求，请及时更新", name, newest, age, newest.AddDays(limit+1), limit),
			rules.SeverityNotice, ref)
	}
}

func (j *judge) periodic(c *rules.Check) {
	col := j.column(c.Column)
	if !col.Found {
		return
	}
	items := j.items(col)
	name := j.columnName(c.Column)
	for _, p := range periods(string(c.Period), j.from, j.to, c.Cover == rules.CoverTouched) {
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
		j.add(c, "column.gap", c.Column, p.label, col.URL,
			fmt.Sprintf("“%s”栏目在%s（%s至%s）没有发布信息", name, periodName(c.Period, p.label), p.start, p.end), "", j.ref(col.URL, "栏目列表"))
	}
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
		j.add(c, "document.metadata", c.Column, it.URL, it.URL,
			fmt.Sprintf("文件《%s》页面缺少%s", shorten(it.Title, 40), quoteList(missing)), "", j.ref(it.URL, "文件页面"))
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
		j.add(c, "document.late", c.Column, it.URL, it.URL,
			fmt.Sprintf("文件《%s》成文于%s，%s才公开，相隔%d个工作日，超过%d个工作日的时限", shorten(it.Title, 40), it.Doc.Written, pub, n, c.WorkingDays),
			"", j.ref(it.URL, "文件页面"))
	}
}

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
		j.add(c, "document.uninterpreted", c.Column, it.URL, it.URL, detail, "", j.ref(it.URL, "文件页面"))
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
		j.add(c, "link.broken", column, l.URL, page, detail, "", refs...)
		if l.OnPortal && c.PortalPoints > 0 && j.findings[before].Severity == string(rules.SeverityDeduction) {
			j.findings[before].Nominal = c.PortalPoints
		}
	}
}

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
	if it.Doc != nil && it.Doc.Report != nil && it.Doc.Report.Year != 0 {
		return it.Doc.Report.Year
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
		j.add(c, "report.missing", c.Column, subject, col.URL,
			fmt.Sprintf("截至评估日未见%d年度政府信息公开工作年度报告（应于%s前公布）", year, deadline), "", j.ref(col.URL, "年报栏目"))
	case found != nil && c.Kind == rules.KindReportLate:
		pub := published(*found)
		if pub.IsZero() || !pub.After(deadline) {
			return
		}
		j.add(c, "report.late", c.Column, subject, found.URL,
			fmt.Sprintf("%d年度年报于%s公布，晚于%s的法定期限%d天", year, pub, deadline, deadline.DaysUntil(pub)), "", j.ref(found.URL, "年报页面"))
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
		if found == nil || found.Doc == nil || found.Doc.Report == nil {
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
	if it == nil || it.Doc == nil || it.Doc.Report == nil {
		return // missing (its own check) or not read
	}
	r := it.Doc.Report
	if r.Year == 0 {
		r.Year = year
	}
	subject := fmt.Sprintf("%d", year)
	ref := j.ref(it.URL, "年报页面")
	if len(r.Sections) == 0 && len(r.Tables) == 0 && len(r.Attachments) > 0 {
		if c.Kind == rules.KindReportIncomplete {
			j.add(c, "report.incomplete", c.Column, subject, it.URL,
				fmt.Sprintf("%d年度年报以附件发布（%s），未能自动核对内容，请人工核查", year, r.Attachments[0]), rules.SeverityNotice, ref)
		}
		return
	}
	var prev *evidence.Report
	if p := j.reportItem(col, year-1); p != nil && p.Doc != nil {
		prev = p.Doc.Report
	}
	want := c.FindingKind()
	for _, issue := range AnalyzeReport(r, prev) {
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
		j.add(c, want, c.Column, subject, it.URL, issue.Detail, sev, ref)
		j.findings[len(j.findings)-1].Part = issue.Identity
	}
}

func isReportTitle(t string) bool {
	n := textnorm.Name(t)
	return strings.Contains(n, "报告") || strings.Contains(n, "年报")
}

func (j *judge) total(checks []*rules.Check) UnitScore {
	return Tally(j.rs, j.ue.Unit, j.findings)
}

// Tally turns a unit's findings into its score: points allocated under
// indicator caps in check order, dimension subtotals, vetoes and grade. It
// sets each finding's Points and sorts the findings into check order. A
// score can always be recomputed from stored findings with Tally.
func Tally(rs *rules.Ruleset, unit evidence.Unit, findings []Finding) UnitScore {
	checks := rs.ChecksFor(unit.Type)
	checkIdx := map[string]int{}
	for i := range rs.Checks {
		checkIdx[rs.Checks[i].ID] = i
	}
	sort.SliceStable(findings, func(a, b int) bool {
		fa, fb := &findings[a], &findings[b]
		if checkIdx[fa.Rule] != checkIdx[fb.Rule] {
			return checkIdx[fa.Rule] < checkIdx[fb.Rule]
		}
		if fa.Kind != fb.Kind {
			return fa.Kind < fb.Kind
		}
		if fa.Subject != fb.Subject {
			return fa.Subject < fb.Subject
		}
		return fa.Part < fb.Part
	})
	remaining := map[string]float64{}
	for i := range rs.Indicators {
		remaining[rs.Indicators[i].ID] = rs.Indicators[i].Points
	}
	dimDeduct := map[string]float64{}
	us := UnitScore{Unit: unit.ID, UnitName: unit.Name, UnitType: unit.Type, Findings: map[string]int{}}
	for i := range findings {
		f := &findings[i]
		us.Findings[f.Severity]++
		if f.Severity != string(rules.SeverityDeduction) {
			continue
		}
		take := math.Min(f.Nominal, remaining[f.Indicator])
		take = math.Max(take, 0)
		f.Points = round2(take)
		remaining[f.Indicator] -= take
		dimDeduct[f.Dimension] += take
	}
	total := 0.0
	for _, d := range rs.Dimensions {
		ded := math.Min(dimDeduct[d.ID], d.Points)
		ds := DimensionScore{ID: d.ID, Name: d.Name, Max: d.Points, Deduct: round2(ded), Score: round2(d.Points - ded)}
		us.Dimensions = append(us.Dimensions, ds)
		total += ds.Score
		us.Deducted += ded
	}
	us.Deducted = round2(us.Deducted)
	us.Total = round2(total)
	var forced *float64
	for _, c := range checks {
		switch c.Kind {
		case rules.KindCountVeto:
			n := 0
			for _, f := range findings {
				if f.Kind == c.Finding && f.Severity != string(rules.SeverityNotice) {
					n++
				}
			}
			if n >= c.AtLeast {
				us.Veto = true
				us.VetoReasons = append(us.VetoReasons, fmt.Sprintf("%s：%s %d项（达到%d项即否决）", c.ID, kindName(c.Finding), n, c.AtLeast))
				if c.Score != nil {
					forced = c.Score
				}
			}
		}
	}
	for _, f := range findings {
		if f.Severity == string(rules.SeverityVeto) {
			us.Veto = true
			us.VetoReasons = append(us.VetoReasons, fmt.Sprintf("%s：%s", f.Rule, kindName(f.Kind)))
			for _, c := range checks {
				if c.ID == f.Rule && c.Score != nil {
					forced = c.Score
				}
			}
		}
	}
	if forced != nil {
		scale := 0.0
		if us.Total > 0 {
			scale = math.Min(*forced, us.Total) / us.Total
		}
		for i := range us.Dimensions {
			us.Dimensions[i].Score = round2(us.Dimensions[i].Score * scale)
		}
		us.Total = round2(math.Min(*forced, us.Total))
	}
	us.Grade = rs.GradeFor(us.Total).Name
	if us.Veto {
		us.Grade = rs.FailGrade().Name
	}
	if !us.Veto && notAssessed(findings) {
		// Nothing of the site could be seen, and the rules do not hold it
		// against the unit (a challenge page, robots.txt, too few failures
		// in the window): no score, not the full one.
		us.Grade, us.Total, us.Deducted = NotAssessedGrade, 0, 0
		for i := range us.Dimensions {
			us.Dimensions[i].Score, us.Dimensions[i].Deduct = 0, 0
		}
	}
	return us
}

// NotAssessedGrade is the grade of a unit whose site could not be audited
// and which the rules do not judge unreachable (blocked by an anti-bot
// challenge or by robots.txt, or unanswering fewer times than the
// observation window requires): it has no score and ranks after every
// assessed unit.
const NotAssessedGrade = "未评估"

// Assessed reports whether the unit was scored (see NotAssessedGrade).
func (u *UnitScore) Assessed() bool { return u.Grade != NotAssessedGrade }

// notAssessed reports whether findings hold a site.unreachable notice: the
// site was not seen, and that costs nothing.
func notAssessed(findings []Finding) bool {
	for _, f := range findings {
		if f.Kind == "site.unreachable" && f.Severity == string(rules.SeverityNotice) {
			return true
		}
	}
	return false
}

var kindNames = map[string]string{
	"site.unreachable": "网站无法访问", "site.certificate": "网站证书无效", "column.missing": "栏目缺失",
	"column.unread": "栏目未能读取", "column.empty": "空白栏目",
	"column.stale": "栏目未按期更新", "column.gap": "周期性信息缺期", "field.missing": "必备要素缺失",
	"document.metadata": "文件要素缺失", "document.uninterpreted": "文件未解读", "document.late": "文件公开超期",
	"report.missing": "年报未公布", "report.late": "年报逾期公布", "report.incomplete": "年报内容不全",
	"report.inconsistent": "年报数据不一致", "link.broken": "不可用链接", "column.expiring": "栏目即将超期",
	"content.privacy": "个人信息泄露", "content.outdated-name": "使用已撤销机构名称",
}

// KindName returns the Chinese name of a finding kind.
func KindName(kind string) string { return kindName(kind) }

func kindName(kind string) string {
	if n, ok := kindNames[kind]; ok {
		return n
	}
	return kind
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// Rank orders units by veto (vetoed after the others, units not assessed
// last), then total (highest first), then id, and gives ties the same rank
// (1, 2, 2, 4).
func Rank(units []UnitScore) {
	sort.SliceStable(units, func(a, b int) bool {
		ua, ub := &units[a], &units[b]
		if ua.Assessed() != ub.Assessed() {
			return ua.Assessed()
		}
		if ua.Veto != ub.Veto {
			return !ua.Veto
		}
		if ua.Total != ub.Total {
			return ua.Total > ub.Total
		}
		return ua.Unit < ub.Unit
	})
	for i := range units {
		if i > 0 && units[i].Veto == units[i-1].Veto && units[i].Total == units[i-1].Total && units[i].Assessed() == units[i-1].Assessed() {
			units[i].Rank = units[i-1].Rank
		} else {
			units[i].Rank = i + 1
		}
	}
}

// sortFindings orders findings by unit, then column in ruleset order, then
// kind and subject.
func sortFindings(rs *rules.Ruleset, fs []Finding) {
	order := map[string]int{"": -1}
	for i, c := range rs.Columns {
		order[c.ID] = i
	}
	sort.SliceStable(fs, func(a, b int) bool {
		fa, fb := &fs[a], &fs[b]
		if fa.Unit != fb.Unit {
			return fa.Unit < fb.Unit
		}
		if order[fa.Column] != order[fb.Column] {
			return order[fa.Column] < order[fb.Column]
		}
		if fa.Kind != fb.Kind {
			return fa.Kind < fb.Kind
		}
		return fa.Subject < fb.Subject
	})
}

// Finalize ranks a result's units and orders its findings; call it once
// every unit has been judged with ScoreUnit.
func Finalize(rs *rules.Ruleset, res *Result) *Result {
	Rank(res.Units)
	sortFindings(rs, res.Findings)
	return res
}
