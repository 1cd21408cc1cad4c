package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"gongkai/evidence"
	"gongkai/internal/textnorm"
	"gongkai/rules"
)

// builder makes one unit's model: clean content first, then the planted
// defects, then the style's layout.
type builder struct {
	d  *District
	u  *Unit
	r  *rand.Rand
	rr *rand.Rand // the annual reports' own stream (see reports)
	rs *rules.Ruleset

	banned  []string        // normalised column and hub names titles must avoid
	titles  map[string]bool // titles (and quoted titles) in use
	taken   map[string]bool // columns carrying a column-level defect
	needed  map[string]bool // columns that must stay present
	usedDoc map[*Item]bool  // documents carrying a defect or a decoy
	meta    map[string]string
	dropped []string       // names of the fields left off pages so far
	room    int            // extra defects the want being planted may add
	targets []defectTarget // defects whose subject is a path known after Plan

	// For later audit rounds (rounds.go); unused in round 1.
	src       *rand.PCG // r's source, so Plan can be replayed …
	planState rand.PCG  // … from the state it started in
	rounds    bool      // keep what the rounds need
	ref       *cleanRef // the content before any defect was planted
	future    []futureReport
	lastYear  int    // the latest year an annual report was made for …
	lastCarry [6]int // … and what it carried over to the next
	docSeq    map[int]int
	leaks     int             // privacy leaks planted
	dueDecoy  *Item           // the document whose interpretation is not yet due (a decoy) …
	dueNote   string          // … and the decoy's note
	known     map[*Item]bool  // every item listed in some round
	spent     map[string]bool // column|subject of every defect planted so far
}

type defectTarget struct {
	defect int
	item   *Item
	link   *Link
}

// firstReportYear is the first year annual reports are published for (the
// 2019 format's first year).
const firstReportYear = 2019

func (b *builder) build(p unitPlan) error {
	u := b.u
	b.titles = map[string]bool{}
	b.taken = map[string]bool{}
	b.needed = map[string]bool{}
	b.usedDoc = map[*Item]bool{}
	for i := range b.rs.Columns {
		for _, n := range b.rs.Columns[i].Names() {
			b.banned = append(b.banned, textnorm.Name(n))
		}
	}
	for _, h := range b.rs.Hubs {
		b.banned = append(b.banned, textnorm.Name(h))
	}

	b.profile()
	b.people()
	b.columns()
	if err := b.content(); err != nil {
		return err
	}
	b.portalLinks()
	switch u.Role {
	case RoleUnreachable:
		b.keepClean()
		u.Defects = []Defect{{Kind: DefectUnreachable, Note: "服务器接受连接后立即关闭，不返回任何内容"}}
	case RoleVeto:
		b.decoys()
		b.keepClean()
		if err := b.plantVeto(); err != nil {
			return err
		}
	case RoleDefective:
		b.decoys()
		b.keepClean()
		if err := b.plantAll(p.wants); err != nil {
			return err
		}
	default:
		b.decoys()
		b.keepClean()
	}
	if u.Role != RoleUnreachable {
		b.reports(p.report)
	}
	b.finalize()
	return nil
}

// layout lays the unit's model out once the district dealt its variants:
// the style's paths, the defects' subjects, the routes and the variants
// the site shows.
func (b *builder) layout() error {
	u := b.u
	b.planState = *b.src
	u.style.Plan(u, b.r)
	resolveFeatures(u)
	placeReportFiles(u)
	for _, t := range b.targets {
		switch {
		case t.item != nil:
			u.Defects[t.defect].Subject = t.item.Path
		case t.link != nil:
			u.Defects[t.defect].Subject = t.link.Path
		}
	}
	if err := u.buildRoutes(u.style.Assets(u)); err != nil {
		return err
	}
	u.Variants = tagVariants(u)
	return nil
}

// checksOf returns the checks the ruleset applies to column id for the unit.
func (b *builder) checksOf(id string) []*rules.Check {
	var out []*rules.Check
	for _, c := range b.rs.ChecksFor(b.u.Type) {
		if c.Column == id {
			out = append(out, c)
		}
	}
	return out
}

// check returns the unit's check of kind on column id, or nil.
func (b *builder) check(id string, kind rules.CheckKind) *rules.Check {
	return b.rs.CheckFor(id, kind, b.u.Type)
}

// interpretationCheck returns the unit's interpretation check, or nil.
func (b *builder) interpretationCheck() *rules.Check {
	for _, c := range b.rs.ChecksFor(b.u.Type) {
		if c.Kind == rules.KindInterpretation {
			return c
		}
	}
	return nil
}

func (b *builder) profile() {
	u, r := b.u, b.r
	p := &u.Profile
	p.Address = addressFor(r, u.RosterEntry)
	p.Postcode = "101400"
	if u.Type == "township" {
		p.Postcode = fmt.Sprintf("1014%02d", between(r, 5, 99))
	}
	p.Phone = phoneNumber(r)
	p.Fax = phoneNumber(r)
	p.Hours = pick(r, hoursText)
	p.Email = strings.ReplaceAll(u.ID, "-", "") + "@bjhr.gov.cn"
	p.SiteCode = fmt.Sprintf("110116%04d", 1+u.Index)
	p.ICP = fmt.Sprintf("京ICP备%08d号-%d", between(r, 5000000, 19999999), between(r, 1, 3))
	p.Police = fmt.Sprintf("京公网安备 110116%08d号", between(r, 2000000, 2009999))
	p.OrgCode = fmt.Sprintf("11110116%09d%c", r.IntN(1000000000), 'A'+rune(r.IntN(26)))
}

func (b *builder) people() {
	u, r := b.u, b.r
	var positions []string
	if u.Secretary != "" {
		positions = append(positions, u.Secretary)
	}
	switch u.Type {
	case "district":
		positions = append(positions, u.Head, "常务"+u.Deputy)
	case "bureau":
		positions = append(positions, "党组书记、"+u.Head)
	default:
		positions = append(positions, u.Head)
	}
	for i, n := 0, between(r, 2, 3); i < n; i++ {
		positions = append(positions, u.Deputy)
	}
	offices := slices.Clone(officeNames[u.Type])
	r.Shuffle(len(offices), func(i, j int) { offices[i], offices[j] = offices[j], offices[i] })
	u.Offices = offices[:between(r, 5, len(offices))]
	for i, pos := range positions {
		l := Leader{Name: personName(r), Position: pos, Photo: fmt.Sprintf("ld%02d.jpg", i+1)}
		if i == 0 {
			l.Duties = "主持全面工作。"
		} else {
			l.Duties = fmt.Sprintf("负责%s、%s工作，分管%s、%s。", topicFor(r, u.RosterEntry), pick(r, genericTopics), pick(r, u.Offices), pick(r, u.Offices))
		}
		l.Resume = resumeFor(r, u.RosterEntry, pos)
		u.Leaders = append(u.Leaders, l)
	}
	u.Duties = dutyFor(r, u.RosterEntry)
}

// columns creates every column the unit's type must keep, choosing the
// label the site shows and, for page columns, the field labels.
func (b *builder) columns() {
	u, r := b.u, b.r
	aliasP := 0.2
	if u.Style == "plain" {
		aliasP = 0.5
	}
	for _, spec := range b.rs.ColumnsFor(u.Type) {
		c := &Column{ID: spec.ID, Spec: spec, Label: spec.Name, State: ColumnPresent, FieldLabels: map[string]string{}}
		if len(spec.Aliases) > 0 && chance(r, aliasP) {
			c.Label = pick(r, spec.Aliases)
		}
		if chk := b.check(spec.ID, rules.KindDocumentMetadata); chk != nil {
			c.fields = chk.Fields
		}
		if spec.Shape == rules.ShapePage {
			if chk := b.check(spec.ID, rules.KindFields); chk != nil {
				for _, f := range chk.Fields {
					label := f.Name
					if len(f.Aliases) > 0 && chance(r, 0.25) {
						label = pick(r, f.Aliases)
					}
					c.FieldOrder = append(c.FieldOrder, f.Name)
					c.FieldLabels[f.Name] = label
				}
			}
		}
		u.Columns = append(u.Columns, c)
	}
	// Hand-made sites link one column only by an image button.
	if u.Style == "plain" {
		for _, id := range []string{"interpretations", "notices"} {
			if c := u.Column(id); c != nil {
				c.ImageLink = true
				break
			}
		}
	}
}

// title makes a unique title that names no column and no hub, so list items
// never pass for navigation.
func (b *builder) title(make titleMaker, day evidence.Date) string {
	for try := 0; try < 40; try++ {
		t := make(b.r, day)
		if !b.titles[t] && b.allowed(t) {
			b.titles[t] = true
			return t
		}
	}
	for n := 2; ; n++ {
		t := fmt.Sprintf("%s（%d）", make(b.r, day), n)
		if !b.titles[t] && (b.allowed(t) || n > 200) {
			b.titles[t] = true
			return t
		}
	}
}

// allowed reports whether a title avoids every column and hub name.
func (b *builder) allowed(t string) bool {
	n := textnorm.Name(t)
	for _, x := range b.banned {
		if strings.Contains(n, x) {
			return false
		}
	}
	return true
}

// scaled multiplies a count of items by the district's scale.
func (b *builder) scaled(n int) int {
	if b.d.Scale <= 1 {
		return n
	}
	return int(math.Round(float64(n) * b.d.Scale))
}

func (b *builder) nextNum() int {
	b.u.seq++
	return b.u.seq
}

// content fills every column with clean content, then makes sure each
// column meets its periodic and max-age checks.
func (b *builder) content() error {
	u := b.u
	order := slices.Clone(u.Columns)
	// Interpretations follow the documents they explain.
	slices.SortStableFunc(order, func(x, y *Column) int {
		return boolInt(x.ID == "interpretations") - boolInt(y.ID == "interpretations")
	})
	for _, c := range order {
		switch c.ID {
		case "documents":
			b.fillDocuments(c)
		case "interpretations":
			b.fillInterpretations(c)
		case "annual-report":
			b.fillReports(c)
		case "statistics":
			b.fillStatistics(c)
		case "budget":
			b.fillBudget(c)
		case "gazette":
			b.fillGazette(c)
		case "news":
			b.fillArticles(c, b.scaled(between(b.r, 24, 40)), 1, 6, 7)
		case "notices":
			b.fillArticles(c, b.scaled(between(b.r, 10, 22)), 6, 30, 30)
		case "key-areas":
			b.fillArticles(c, b.scaled(between(b.r, 8, 18)), 10, 45, 45)
		case "planning":
			b.fillArticles(c, b.scaled(between(b.r, 4, 7)), 60, 200, 120)
		case "personnel":
			b.fillArticles(c, b.scaled(between(b.r, 4, 10)), 20, 90, 90)
		case "guide", "functions", "leaders":
		case "application":
		default:
			if c.IsList() {
				b.fillArticles(c, b.scaled(between(b.r, 5, 12)), 10, 40, 30)
			}
		}
		if c.ID == "guide" || c.ID == "application" {
			ext := pick(b.r, []string{".doc", ".docx"})
			c.Links = append(c.Links, &Link{Text: "政府信息公开申请表" + ext, Status: 200, ext: ext})
		}
		if c.ID == "application" {
			c.Links = append(c.Links, &Link{Text: "在线提交申请", Status: 200, slug: "zxsq"})
		}
		if c.IsList() {
			b.fixup(c)
		}
	}
	return nil
}

func boolInt(v bool) int {
	if v {
		return 1
	}
	return 0
}

// fresh returns how old the newest item of a clean column may be: pref
// days, or less when the column's max-age check wants it.
func (b *builder) fresh(id string, pref int) int {
	if chk := b.check(id, rules.KindMaxAge); chk != nil {
		return max(1, min(pref, freshAge(chk)))
	}
	return pref
}

func (b *builder) maker(c *Column) titleMaker {
	e := b.u.RosterEntry
	switch c.ID {
	case "news":
		return newsTitle(e)
	case "notices":
		return noticeTitle(e)
	case "key-areas":
		return keyAreaTitle(e)
	case "planning":
		return planningTitle(e)
	case "personnel":
		return personnelTitle(e)
	case "statistics":
		return statisticsTitle(e)
	case "gazette":
		return gazetteTitle(e)
	case "budget":
		return budgetTitle(e)
	}
	return genericTitle(e)
}

// makeItem makes one clean item of column c dated day.
func (b *builder) makeItem(c *Column, day evidence.Date) *Item {
	switch c.ID {
	case "documents":
		return b.document(day)
	case "interpretations":
		return b.freeInterpretation(day)
	}
	return b.article(c, day)
}

func (b *builder) article(c *Column, day evidence.Date) *Item {
	t := b.title(b.maker(c), day)
	it := &Item{Title: t, Date: day, Source: b.u.FullName, Num: b.nextNum(),
		Body: articleBody(b.r, b.u.RosterEntry, t, day)}
	if c.ID == "gazette" {
		it.Body = gazetteBody(b.u.RosterEntry, day)
	}
	if (c.ID == "notices" || c.ID == "personnel") && chance(b.r, 0.2) {
		ext := pick(b.r, []string{".docx", ".xls", ".pdf"})
		it.Attachments = append(it.Attachments, &Link{Text: "附件：" + pick(b.r, []string{"报名表", "申报表", "名单", "明细表"}) + ext, Status: 200, ext: ext})
	}
	return it
}

func (b *builder) fillArticles(c *Column, n, stepLo, stepHi, fresh int) {
	day := b.d.AsOf.AddDays(-between(b.r, 1, b.fresh(c.ID, fresh)))
	for i := 0; i < n; i++ {
		c.Items = append(c.Items, b.makeItem(c, day))
		day = day.AddDays(-between(b.r, stepLo, stepHi))
	}
}

// fixup makes a clean column meet its periodic and max-age checks whatever
// the ruleset's parameters.
func (b *builder) fixup(c *Column) {
	asOf := b.d.AsOf
	for _, chk := range b.checksOf(c.ID) {
		switch chk.Kind {
		case rules.KindPeriodic:
			for _, p := range requiredPeriods(chk, b.d.WindowFrom, b.d.WindowTo) {
				lo := maxDate(p.From, b.d.WindowFrom)
				hi := minDate(minDate(p.To, b.d.WindowTo), asOf.AddDays(-1))
				if hi.Before(lo) || itemIn(c.Items, lo, hi) {
					continue
				}
				c.Items = append(c.Items, b.makeItem(c, randDate(b.r, lo, hi)))
			}
		case rules.KindMaxAge:
			if n := newest(c.Items); n == nil || n.Date.DaysUntil(asOf) > freshAge(chk) {
				c.Items = append(c.Items, b.makeItem(c, asOf.AddDays(-between(b.r, 1, freshAge(chk)))))
			}
		}
	}
}

func itemIn(items []*Item, lo, hi evidence.Date) bool {
	for _, it := range items {
		if !it.Date.Before(lo) && !it.Date.After(hi) {
			return true
		}
	}
	return false
}

func newest(items []*Item) *Item {
	var n *Item
	for _, it := range items {
		if n == nil || it.Date.After(n.Date) {
			n = it
		}
	}
	return n
}

// workdayOnOrBefore moves day back to a working day.
func (b *builder) workdayOnOrBefore(day evidence.Date) evidence.Date {
	for i := 0; i < 15 && !b.rs.Calendar.IsWorkday(day); i++ {
		day = day.AddDays(-1)
	}
	return day
}

// --- documents and interpretations ---

var policySuffixes = []string{"管理办法", "实施方案", "工作方案", "若干措施", "实施细则", "工作指引", "考核办法", "专项整治方案", "工作规则"}

// policyName names a local policy of district on topic t: 怀柔区<topic><suffix>.
func policyName(r *rand.Rand, district, t string, day evidence.Date) string {
	prefix := district
	if strings.HasPrefix(t, strings.TrimSuffix(district, "区")) {
		prefix = ""
	}
	if chance(r, 0.3) {
		return fmt.Sprintf("%s%s三年行动方案（%d—%d年）", prefix, t, day.Year, day.Year+2)
	}
	suffix := pick(r, policySuffixes)
	if strings.HasSuffix(t, "管理") && strings.HasPrefix(suffix, "管理") {
		suffix = strings.TrimPrefix(suffix, "管理")
	}
	return prefix + t + suffix
}

// docTitle makes a unique document title, the title it quotes in 《》 (or
// ""), its issuer and its topic.
func (b *builder) docTitle(day evidence.Date) (title, quoted, issuer, topic string) {
	e := b.u.RosterEntry
	make := func(r *rand.Rand, day evidence.Date) string {
		topic = topicFor(r, e)
		issuer = e.FullName
		if e.Type == "district" && chance(r, 0.5) {
			issuer += "办公室"
		}
		quoted = ""
		switch r.IntN(3) {
		case 0:
			quoted = policyName(r, e.District, topic, day)
			return issuer + "关于印发《" + quoted + "》的通知"
		case 1:
			return pick(r, []string{
				"关于进一步加强" + topic + "工作的通知",
				fmt.Sprintf("关于做好%d年%s工作的通知", day.Year, topic),
				"关于开展" + topic + "专项整治的通知",
				"关于调整" + topic + "有关事项的通知",
				"关于建立" + topic + "工作机制的意见",
			})
		default:
			return policyName(r, e.District, topic, day)
		}
	}
	for {
		t := b.title(make, day)
		if quoted == "" || (!b.titles[quoted] && b.allowed(quoted)) {
			if quoted != "" {
				b.titles[quoted] = true
			}
			return t, quoted, issuer, topic
		}
	}
}

// document makes a clean document published on day (moved to a working
// day): full metadata, written a few days before.
func (b *builder) document(day evidence.Date) *Item {
	u, r := b.u, b.r
	day = b.workdayOnOrBefore(day)
	title, quoted, issuer, topic := b.docTitle(day)
	labels := map[string]string{}
	for k, v := range b.metaLabels() {
		labels[k] = v
	}
	doc := &Document{
		Issuer:   issuer,
		Written:  day.AddDays(-between(r, 0, 7)),
		Topic:    topicClass(u.RosterEntry),
		Openness: "主动公开",
		Quoted:   quoted,
		Labels:   labels,
		topic:    topic,
	}
	it := &Item{Title: title, Date: day, Doc: doc, Source: issuer, Num: b.nextNum()}
	it.Body = docBody(issuer, topic, quoted)
	for i, n := 0, r.IntN(3); i < n; i++ {
		ext := pick(r, []string{".pdf", ".docx", ".xls", ".pdf"})
		name := pick(r, []string{"任务分工表", "申报材料清单", "政策文件原文", "工作台账模板", "项目明细表"})
		it.Attachments = append(it.Attachments, &Link{Text: fmt.Sprintf("附件%d：%s%s", i+1, name, ext), Status: 200, ext: ext})
	}
	return it
}

// metaLabels returns the unit's metadata labels (one template per site,
// chosen on first use): each field's name or one of its aliases.
func (b *builder) metaLabels() map[string]string {
	if b.meta != nil {
		return b.meta
	}
	b.meta = map[string]string{}
	if chk := b.check("documents", rules.KindDocumentMetadata); chk != nil {
		for _, f := range chk.Fields {
			label := f.Name
			if len(f.Aliases) > 0 && chance(b.r, 0.3) {
				label = pick(b.r, f.Aliases)
			}
			b.meta[f.Name] = label
		}
	}
	return b.meta
}

// docBody writes a document's text; the signature (issuer and 成文日期) is
// added when the page is rendered, so a planted late date shows there too.
func docBody(issuer, topic, quoted string) []string {
	out := []string{"各有关单位："}
	if quoted != "" {
		out = append(out, "现将"+"《"+quoted+"》"+"印发给你们，请结合实际认真贯彻执行。")
	} else {
		out = append(out, fmt.Sprintf("为深入贯彻落实市、区有关工作部署，进一步做好%s工作，结合本区实际，现将有关事项通知如下。", topic))
	}
	return append(out,
		"一、提高思想认识。各单位要充分认识做好此项工作的重要意义，切实加强组织领导，明确责任分工。",
		"二、抓好贯彻落实。各单位要对照任务要求，细化工作措施，建立工作台账，确保各项任务按时完成。",
		"三、加强督促检查。将工作落实情况纳入年度绩效考核，定期通报工作进展。",
		"特此通知。",
	)
}

func (b *builder) fillDocuments(c *Column) {
	r := b.r
	day := b.d.AsOf.AddDays(-between(r, 2, b.fresh(c.ID, 45)))
	for i, n := 0, b.scaled(between(r, 14, 26)); i < n; i++ {
		c.Items = append(c.Items, b.document(day))
		day = day.AddDays(-between(r, 8, 40))
	}
}

// interpretationDelay returns the working days a clean interpretation may
// follow its document: up to two fewer than the check allows.
func (b *builder) interpretationDelay() int {
	if chk := b.interpretationCheck(); chk != nil {
		return max(0, min(2, chk.WorkingDays-1))
	}
	return 2
}

// fillInterpretations writes an interpretation for each document, tied by
// link or by quoting its title, published within the allowed days.
func (b *builder) fillInterpretations(c *Column) {
	docs := b.u.Column("documents")
	if docs == nil {
		return
	}
	r := b.r
	for _, doc := range docs.Items {
		day := b.rs.Calendar.AddWorkdays(doc.Date, between(r, 0, b.interpretationDelay()))
		if !day.Before(b.d.AsOf) {
			continue
		}
		c.Items = append(c.Items, b.interpretation(doc, day))
	}
	for i, n := 0, r.IntN(3); i < n; i++ {
		c.Items = append(c.Items, b.freeInterpretation(b.d.AsOf.AddDays(-between(r, 10, 400))))
	}
}

// interpretation makes an interpretation of doc published on day.
func (b *builder) interpretation(doc *Item, day evidence.Date) *Item {
	r, e := b.r, b.u.RosterEntry
	it := &Item{Date: day, Interprets: doc, Source: e.FullName, Num: b.nextNum()}
	quote := ""
	// A title that quotes a title never nests 《》: a document whose title
	// quotes another is tied by that quoted title or by a link.
	switch {
	case doc.Doc.Quoted != "" && chance(r, 0.5):
		quote = doc.Doc.Quoted
	case doc.Doc.Quoted == "" && chance(r, 0.4):
		quote = doc.Title
	}
	if quote != "" {
		it.Tie = TieQuote
		it.Title = b.title(func(r *rand.Rand, _ evidence.Date) string {
			return fmt.Sprintf(pick(r, []string{"关于《%s》的解读", "《%s》解读", "一图读懂《%s》", "《%s》问答"}), quote)
		}, day)
		it.Body = []string{
			fmt.Sprintf("近日，%s印发《%s》。为便于社会公众更好地理解有关内容，现解读如下。", doc.Doc.Issuer, quote),
		}
	} else {
		it.Tie = TieLink
		it.Title = b.title(func(r *rand.Rand, day evidence.Date) string {
			t := doc.Doc.topic
			return pick(r, []string{
				fmt.Sprintf("图解：%d年%s重点举措", day.Year, t),
				"一图读懂" + t + "新规",
				t + "有关政策问答",
				"解读：" + t + "新变化",
				fmt.Sprintf("%s新举措要点（%d年%d月）", t, day.Year, int(day.Month)),
			})
		}, day)
		it.Body = []string{fmt.Sprintf("近日，%s印发了%s方面的文件。为便于社会公众更好地理解，现就有关内容解读如下。", doc.Doc.Issuer, doc.Doc.topic)}
	}
	it.Body = append(it.Body,
		"一、出台背景。为贯彻落实市、区有关部署，进一步规范和加强相关工作，结合本区实际制定本文件。",
		"二、主要内容。文件明确了工作目标、重点任务和保障措施，对责任分工和时间节点作出具体安排。",
		"三、适用范围。适用于本区行政区域内的相关单位和个人。",
	)
	if doc.Doc.Interpretation == nil {
		doc.Doc.Interpretation = it
	}
	return it
}

// freeInterpretation makes an interpretation of a municipal document that
// the unit does not list.
func (b *builder) freeInterpretation(day evidence.Date) *Item {
	e := b.u.RosterEntry
	t := b.title(func(r *rand.Rand, _ evidence.Date) string {
		return fmt.Sprintf(pick(r, []string{"《北京市%s若干措施》解读", "《北京市%s实施意见》问答"}), topicFor(r, e))
	}, day)
	return &Item{Title: t, Date: b.workdayOnOrBefore(day), Source: e.FullName, Num: b.nextNum(),
		Body: []string{"市有关部门近日出台相关文件，现将主要内容解读如下。", "一、主要内容。", "二、适用对象。"}}
}

// --- annual reports, gazette, statistics, budget ---

func (b *builder) fillReports(c *Column) {
	r, u := b.r, b.u
	due := rules.MonthDay{Month: 1, Day: 31}
	if chk := b.check(c.ID, rules.KindReportMissing); chk != nil {
		due = chk.DueFor(u.Type)
	}
	var carried [6]int
	carried[0] = between(r, 0, 2)
	// An early as-of date judges reports from before the 2019 format's
	// first year: the due one and the one before it.
	if y, _ := dueYear(reportDue(b.rs, u.Type), b.d.AsOf); y-1 < firstReportYear {
		b.earlyReports(c, y-1, due, carried)
	}
	for y := firstReportYear; y < b.d.AsOf.Year; y++ {
		rep := genReport(r, u.RosterEntry, y, carried)
		carried = rep.CarryNext
		deadline := evidence.NewDate(y+1, time.Month(due.Month), due.Day)
		lo := evidence.NewDate(y+1, time.January, 10)
		hi := deadline.AddDays(-6)
		if lo.DaysUntil(deadline) > 60 {
			hi = deadline.AddDays(-11)
		} else {
			hi = minDate(lo.AddDays(15), hi)
		}
		pub := randDate(r, lo, hi)
		b.lastYear, b.lastCarry = y, carried
		if !pub.Before(b.d.AsOf) {
			if b.rounds {
				// Published after round 1's date: a later round may list it.
				b.future = append(b.future, futureReport{rep: rep, pub: pub})
			}
			continue
		}
		year := fmt.Sprint(y)
		if chance(r, 0.25) {
			year = cnYear(y)
		}
		title := u.FullName + year + "年政府信息公开工作年度报告"
		b.titles[title] = true
		c.Items = append(c.Items, &Item{Title: title, Date: pub, AnnualReport: rep, Source: u.FullName, Num: b.nextNum()})
	}
}

func (b *builder) fillGazette(c *Column) {
	for q := yearStart(b.d.AsOf.Year - b.scaled(3)); ; q = q.AddMonths(3) {
		day := q.AddMonths(3).AddDays(-1 - between(b.r, 0, 20))
		if !day.Before(b.d.AsOf) {
			break
		}
		c.Items = append(c.Items, b.article(c, day))
	}
}

func gazetteBody(e RosterEntry, day evidence.Date) []string {
	return []string{
		"目录",
		"【区政府令与区政府文件】",
		"北京市" + e.District + "人民政府关于进一步优化营商环境的若干意见",
		"北京市" + e.District + "人民政府办公室关于做好防汛工作的通知",
		"【部门文件】",
		"区有关部门规范性文件选登",
		"【人事任免】",
		fmt.Sprintf("%d年%d月区政府人事任免事项", day.Year, int(day.Month)),
	}
}

func (b *builder) fillStatistics(c *Column) {
	start := monthStart(b.d.WindowFrom).AddMonths(-12 - (b.scaled(24) - 24))
	for m := start; m.Before(b.d.AsOf); m = m.AddMonths(1) {
		day := m.AddDays(between(b.r, 7, 21))
		if !day.Before(b.d.AsOf) {
			continue
		}
		c.Items = append(c.Items, b.article(c, day))
	}
}

func budgetTitle(e RosterEntry) titleMaker {
	return func(r *rand.Rand, day evidence.Date) string {
		y := day.Year
		name := e.Name
		if e.Type == "district" {
			name = "北京市" + e.District
		}
		if day.Month >= time.July {
			return pick(r, []string{
				fmt.Sprintf("%s%d年部门决算", name, y-1),
				fmt.Sprintf("%s%d年决算公开说明", name, y-1),
				fmt.Sprintf("%s%d年“三公”经费决算情况说明", name, y-1),
			})
		}
		return pick(r, []string{
			fmt.Sprintf("%s%d年部门预算", name, y),
			fmt.Sprintf("%s%d年预算公开说明", name, y),
			fmt.Sprintf("%s%d年“三公”经费预算情况说明", name, y),
		})
	}
}

func (b *builder) fillBudget(c *Column) {
	r := b.r
	for y := firstReportYear - (b.scaled(b.d.AsOf.Year-firstReportYear+1) - (b.d.AsOf.Year - firstReportYear + 1)); y <= b.d.AsOf.Year; y++ {
		for _, day := range []evidence.Date{
			evidence.NewDate(y, time.February, between(r, 5, 25)),
			evidence.NewDate(y, time.August, between(r, 10, 30)),
		} {
			if day.Before(b.d.AsOf) {
				c.Items = append(c.Items, b.article(c, day))
			}
		}
	}
}

// portalLinks puts two or three topic banners on the portal.
func (b *builder) portalLinks() {
	topics := []struct{ slug, text string }{
		{"yshj", "优化营商环境专题"}, {"jsjb", "接诉即办专栏"}, {"ljfl", "垃圾分类专题"},
		{"kxc", "怀柔科学城建设"}, {"xczx", "乡村振兴专题"}, {"fzzf", "法治政府建设专题"},
	}
	idx := b.r.Perm(len(topics))
	for _, i := range idx[:between(b.r, 2, 3)] {
		b.u.PortalLinks = append(b.u.PortalLinks, &Link{Text: topics[i].text, Status: 200, slug: topics[i].slug})
	}
}

// sortItems sorts list items newest first (the later made first on a day).
func sortItems(items []*Item) {
	slices.SortStableFunc(items, func(x, y *Item) int {
		if cmp := y.Date.Compare(x.Date); cmp != 0 {
			return cmp
		}
		return y.Num - x.Num
	})
}

// finalize sorts list items newest first and numbers the documents.
func (b *builder) finalize() {
	for _, c := range b.u.Columns {
		sortItems(c.Items)
	}
	if c := b.u.Column("documents"); c != nil {
		seq := map[int]int{}
		for i := len(c.Items) - 1; i >= 0; i-- {
			it := c.Items[i]
			y := it.Doc.Written.Year
			seq[y]++
			it.Doc.Number = fmt.Sprintf("%s发〔%d〕%d号", b.u.Abbr, y, seq[y])
			it.Doc.Index = fmt.Sprintf("%s/%d-%05d", b.u.Profile.OrgCode, it.Date.Year, 10*seq[y]+b.r.IntN(10))
		}
		b.docSeq = seq
	}
}
