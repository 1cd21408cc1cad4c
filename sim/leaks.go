package sim

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"gongkai/evidence"
	"gongkai/rules"
)

// Content compliance. Some units publish what they must not: a list of
// persons with their identity numbers, mobile numbers or bank card
// numbers unmasked, in a document's page or in a file it attaches (XLSX,
// XLS, CSV in GBK, DOCX, PDF); or publish wrongly: a document written
// years after a reform that still names an abolished organ as acting.
// Each leaking page or file is one planted defect (privacy-leak), each
// such document one (outdated-name). Decoys, on clean units too, must not
// be reported: lists masked in every common way (in pages and in files of
// every format), identity numbers that fail their check character, order
// numbers, office telephone numbers, a unit's own contact mobile on its
// contact line, and old names after 原, inside 《》 or in a document
// written before the reform. Everything is drawn from a stream of its own
// (contentStream), so the rest of the district is what it would be
// without it.

// Disclosure is a list of persons a document publishes in its page or in
// an attachment.
type Disclosure struct {
	// Title heads the list (名单's title line, a sheet's first row).
	Title string
	// Header names the columns.
	Header []string
	// Rows are the persons' cells as published.
	Rows [][]string
	// Notes are lines after the list: a contact line, a reference number.
	Notes []string
	// Leaks counts, by kind (id, mobile, card), the numbers published
	// unmasked that an evaluator must report; empty for a decoy.
	Leaks map[string]int

	masked [][]string // the rows with every number masked: what a fix publishes
}

// leaking reports whether the list discloses numbers that count.
func (d *Disclosure) leaking() bool { return d != nil && len(d.Leaks) > 0 }

// fix publishes the list masked.
func (d *Disclosure) fix() {
	d.Rows, d.Leaks = d.masked, nil
}

// NameLine is a sentence of a document's text that names an organ of the
// ruleset's outdated names.
type NameLine struct {
	// Old is the name printed; Successor the organ that took its functions.
	Old, Successor string
	// Use is "current" (as an actor), "former" (after 原) or "quoted"
	// (inside 《》, an older document's title).
	Use string
	// Line is the sentence's index in the item's Body.
	Line int
}

// DefectPrivacy and DefectOutdatedName are the content defects.
const (
	DefectPrivacy      DefectKind = "privacy-leak"
	DefectOutdatedName DefectKind = "outdated-name"
)

// contentStream seeds the content's random stream.
const contentStream = 0xc0de7e47

// The formats a list of persons is published in: a page, or a file.
var leakFormats = []string{"page", ".xlsx", ".xls", ".csv", ".docx", ".pdf"}

// maxReadAttachments is the attachments a unit may list in the window and
// still have every one read by an evaluator with the default bound (40).
const maxReadAttachments = 30

// plantContent plants the content defects and decoys over the district.
func plantContent(d *District, bs []*builder, r *rand.Rand) {
	order := r.Perm(len(bs))
	// Privacy leaks: every format once, at most two per unit, on units
	// that may carry more defects; the page on a GBK site when one takes it.
	formats := slices.Clone(leakFormats)
	r.Shuffle(len(formats), func(i, j int) { formats[i], formats[j] = formats[j], formats[i] })
	byPriority := slices.Clone(order)
	slices.SortStableFunc(byPriority, func(x, y int) int { return boolInt(bs[y].u.Style == "hanweb") - boolInt(bs[x].u.Style == "hanweb") })
	for _, f := range formats {
		for _, i := range byPriority {
			b := bs[i]
			if b.leaks < 2 && b.canPlantContent(rules.KindPrivacy) && b.plantLeak(r, f) {
				break
			}
		}
	}
	// Outdated names: two documents on two units.
	n := 0
	for _, i := range order {
		if n == 2 {
			break
		}
		if b := bs[i]; b.leaks == 0 && b.canPlantContent(rules.KindOutdatedName) && b.plantOldName(r, "current") {
			n++
		}
	}
	// Decoys: lists masked in a page and in every file format, and old
	// names used rightly, spread over units of every role that lists
	// documents.
	decoys := append(slices.Clone(leakFormats), "原", "《》", "old")
	k := 0
	for _, i := range order {
		b := bs[i]
		if b.u.Role == RoleUnreachable || b.u.Role == RoleVeto || len(b.freeDocs()) == 0 {
			continue
		}
		for try := 0; try < 2; try++ {
			// The next kind this unit takes (an old document needs a
			// reform after it: none may be).
			for j := 0; j < len(decoys); j++ {
				kind := decoys[k%len(decoys)]
				k++
				if b.plantDecoy(r, kind) {
					break
				}
			}
		}
	}
}

// canPlantContent reports whether the unit may carry a content defect
// the ruleset's check of kind finds.
func (b *builder) canPlantContent(kind rules.CheckKind) bool {
	u := b.u
	return u.Role == RoleDefective && len(u.Defects) < maxDefects && b.rs.CheckFor("", kind, u.Type) != nil && len(b.freeDocs()) > 0
}

// freeDocs returns the unit's documents an evaluator reads (listed in the
// window) that carry no defect or decoy yet, oldest first.
func (b *builder) freeDocs() []*Item {
	docs := b.u.Column("documents")
	if docs == nil || docs.State != ColumnPresent || b.taken[docs.ID] {
		return nil
	}
	var out []*Item
	for _, it := range docs.Items {
		if it.Doc != nil && !b.usedDoc[it] && b.d.InWindow(it.Date) && it.Persons == nil && len(it.Names) == 0 {
			out = append(out, it)
		}
	}
	slices.SortStableFunc(out, func(x, y *Item) int { return x.Date.Compare(y.Date) })
	return out
}

// attachmentsRead counts the attachments of the documents an evaluator
// reads.
func (b *builder) attachmentsRead() int {
	n := 0
	if docs := b.u.Column("documents"); docs != nil {
		for _, it := range docs.Items {
			if it.Doc != nil && !it.Date.Before(b.d.WindowFrom) {
				n += len(it.Attachments)
			}
		}
	}
	return n
}

// plantLeak publishes a list of persons with their numbers unmasked in
// format f (a page, or a file's extension) on a free document.
func (b *builder) plantLeak(r *rand.Rand, f string) bool {
	if f != "page" && (b.attachmentsRead() >= maxReadAttachments || !b.rs.CheckFor("", rules.KindPrivacy, b.u.Type).ReadsAttachments()) {
		return false
	}
	docs := b.freeDocs()
	if len(docs) == 0 {
		return false
	}
	it := pick(r, docs)
	b.usedDoc[it] = true
	list := personList(r, b.u, it.Date.Year, true)
	what := "页面"
	var target defectTarget
	if f == "page" {
		it.Persons = list
		it.Body = slices.Insert(it.Body, 1, "现将"+list.Title+"公布如下：")
		target.item = it
	} else {
		l := &Link{Text: fmt.Sprintf("附件%d：%s%s", len(it.Attachments)+1, list.Title, f), Status: 200, ext: f, File: list}
		it.Attachments = append(it.Attachments, l)
		what = "附件（" + strings.TrimPrefix(f, ".") + "）"
		target.link = l
	}
	target.defect = b.addDefect(Defect{Kind: DefectPrivacy, Column: "documents", Note: fmt.Sprintf("文件%s公开未脱敏的%s", what, leakNote(list))})
	b.targets = append(b.targets, target)
	b.leaks++
	return true
}

// leakNote says what a list discloses: 身份证号码5个、手机号码5个.
func leakNote(d *Disclosure) string {
	var parts []string
	for _, k := range []string{evidence.PersonalID, evidence.PersonalMobile, evidence.PersonalCard} {
		if n := d.Leaks[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s%d个", map[string]string{evidence.PersonalID: "身份证号码", evidence.PersonalMobile: "手机号码", evidence.PersonalCard: "银行卡号"}[k], n))
		}
	}
	return strings.Join(parts, "、")
}

// ownDate is a document's own date as its page shows it: 成文日期, else
// its publication date.
func ownDate(it *Item) evidence.Date {
	if it.Doc != nil && it.Doc.Labels["成文日期"] != "" {
		return it.Doc.Written
	}
	return it.Date
}

// plantOldName writes a sentence naming an outdated organ into a free
// document: "current" as an actor in a document written well after the
// name ceased (a defect); "former" after 原 and "quoted" inside 《》 in
// any document, "old" as an actor in a document written before it ceased
// (decoys).
func (b *builder) plantOldName(r *rand.Rand, use string) bool {
	rs := b.rs
	chk := rs.CheckFor("", rules.KindOutdatedName, b.u.Type)
	if chk == nil || len(rs.OutdatedNames) == 0 {
		return false
	}
	docs := b.freeDocs()
	if len(docs) == 0 {
		return false
	}
	it := pick(r, docs)
	own := ownDate(it)
	var cands []*rules.OutdatedName
	for i := range rs.OutdatedNames {
		e := &rs.OutdatedNames[i]
		cut := e.Ceased.AddDays(int(chk.Grace))
		switch use {
		case "current":
			if own.After(cut.AddDays(30)) {
				cands = append(cands, e)
			}
		case "old":
			if own.Before(e.Ceased.AddDays(-30)) {
				cands = append(cands, e)
			}
		default:
			cands = append(cands, e)
		}
	}
	if len(cands) == 0 {
		return false
	}
	e := pick(r, cands)
	old := pick(r, e.Names())
	successor := finalSuccessor(rs, e)
	topic := it.Doc.topic
	var line string
	switch use {
	case "current", "old":
		line = fmt.Sprintf(pick(r, []string{"根据%s有关工作部署，结合本单位实际，进一步做好%s工作。", "按照%s的统一要求，各单位要认真做好%s相关工作。"}), old, topic)
	case "former":
		line = fmt.Sprintf("%s职责已由%s（原%s）承担，各单位按新的职责分工做好%s工作。", topic, successor, old, topic)
	case "quoted":
		line = fmt.Sprintf("请参照《%s关于加强%s工作的通知》有关规定执行。", old, topic)
	}
	b.usedDoc[it] = true
	at := min(1, len(it.Body))
	it.Body = slices.Insert(it.Body, at, line)
	for _, nl := range it.Names {
		if nl.Line >= at {
			nl.Line++
		}
	}
	nl := &NameLine{Old: old, Successor: successor, Use: use, Line: at}
	if use == "old" {
		nl.Use = "current"
	}
	it.Names = append(it.Names, nl)
	if use == "current" {
		i := b.addDefect(Defect{Kind: DefectOutdatedName, Column: "documents",
			Note: fmt.Sprintf("成文于%s的文件仍称“%s”（%s起为%s）", own, old, e.Ceased.Text, successor)})
		b.targets = append(b.targets, defectTarget{defect: i, item: it})
		return true
	}
	what := map[string]string{"former": "“原”字之后", "quoted": "《》内的文件名称", "old": "成文于" + own.String() + "（机构调整之前）的文件"}[use]
	b.u.Decoys = append(b.u.Decoys, fmt.Sprintf("已撤销机构名称“%s”出现在%s：不应报告", old, what))
	return true
}

// finalSuccessor follows a name's successors to one the ruleset does not
// list as outdated itself (中国银行业监督管理委员会, then 中国银行保险监督
// 管理委员会, now 国家金融监督管理总局): a sentence naming the successor
// must not name an outdated organ.
func finalSuccessor(rs *rules.Ruleset, e *rules.OutdatedName) string {
	s := e.Successor
	for i := 0; i < 10; i++ {
		next := rs.OutdatedNameFor(s)
		if next == nil {
			break
		}
		s = next.Successor
	}
	return s
}

// plantDecoy plants one decoy: a masked list in format f (a page or a
// file), or an old name used rightly ("原", "《》", "old").
func (b *builder) plantDecoy(r *rand.Rand, f string) bool {
	switch f {
	case "原":
		return b.plantOldName(r, "former")
	case "《》":
		return b.plantOldName(r, "quoted")
	case "old":
		return b.plantOldName(r, "old")
	}
	if f != "page" && b.attachmentsRead() >= maxReadAttachments {
		return false
	}
	docs := b.freeDocs()
	if len(docs) == 0 {
		return false
	}
	it := pick(r, docs)
	b.usedDoc[it] = true
	list := personList(r, b.u, it.Date.Year, false)
	if f == "page" {
		it.Persons = list
		it.Body = slices.Insert(it.Body, 1, "现将"+list.Title+"公示如下：")
	} else {
		it.Attachments = append(it.Attachments, &Link{Text: fmt.Sprintf("附件%d：%s%s", len(it.Attachments)+1, list.Title, f), Status: 200, ext: f, File: list})
	}
	where := "页面"
	if f != "page" {
		where = "附件（" + strings.TrimPrefix(f, ".") + "）"
	}
	b.u.Decoys = append(b.u.Decoys, fmt.Sprintf("文件%s公布的名单已脱敏（另有校验位错误的号码、业务编号、办公电话和单位联系人手机）：不应报告", where))
	return true
}

// --- lists of persons ---

// listShape is one kind of list a unit publishes, with its columns.
type listShape struct {
	title  string
	header []string
	// cells makes a row's cells for person p, masked or not.
	cells func(r *rand.Rand, p person, masked bool) []string
	// leaks are the kinds an unmasked row discloses.
	leaks []string
}

type person struct {
	name, id, mobile, card, badID string
}

var listShapes = []listShape{
	{title: "困难家庭临时救助金发放名单", header: []string{"序号", "姓名", "身份证号码", "银行卡号", "救助金额（元）"},
		cells: func(r *rand.Rand, p person, m bool) []string {
			return []string{"", p.name, maskedIf(m, p.id, maskID(r, p.id)), maskedIf(m, p.card, maskCard(r, p.card)), fmt.Sprint(between(r, 5, 30) * 100)}
		}, leaks: []string{evidence.PersonalID, evidence.PersonalCard}},
	{title: "公开招聘工作人员拟聘用人员名单", header: []string{"序号", "姓名", "性别", "身份证号码", "联系电话", "拟聘岗位"},
		cells: func(r *rand.Rand, p person, m bool) []string {
			return []string{"", p.name, pick(r, []string{"男", "女"}), maskedIf(m, p.id, maskID(r, p.id)), maskedIf(m, p.mobile, maskMobile(r, p.mobile)), pick(r, []string{"综合管理岗", "专业技术岗", "财务岗", "网格员"})}
		}, leaks: []string{evidence.PersonalID, evidence.PersonalMobile}},
	{title: "优秀志愿者拟表彰人员名单", header: []string{"序号", "姓名", "所在社区", "手机号码"},
		cells: func(r *rand.Rand, p person, m bool) []string {
			return []string{"", p.name, pick(r, []string{"富乐社区", "北园社区", "青春路社区", "开放路社区"}), maskedIf(m, p.mobile, maskMobile(r, p.mobile))}
		}, leaks: []string{evidence.PersonalMobile}},
}

func maskedIf(m bool, plain, masked string) string {
	if m {
		return masked
	}
	return plain
}

// personList makes a list of three to eight persons, unmasked (a leak)
// or masked (a decoy, which also carries an identity number failing its
// check character, a reference number, an office number and the unit's
// contact mobile on its contact line).
func personList(r *rand.Rand, u *Unit, year int, leak bool) *Disclosure {
	shape := pick(r, listShapes)
	d := &Disclosure{Title: fmt.Sprintf("%s%d年度%s", u.Name, year, shape.title), Header: shape.header}
	n := between(r, 3, 8)
	var ps []person
	for i := 0; i < n; i++ {
		ps = append(ps, newPerson(r))
	}
	for i, p := range ps {
		row := shape.cells(r, p, !leak)
		row[0] = fmt.Sprint(i + 1)
		d.Rows = append(d.Rows, row)
		masked := shape.cells(r, p, true)
		masked[0] = row[0]
		d.masked = append(d.masked, masked)
	}
	if leak {
		d.Leaks = map[string]int{}
		for _, k := range shape.leaks {
			d.Leaks[k] = n
		}
	} else if slices.Contains(shape.header, "身份证号码") {
		// A number that fails its check character is no identity number.
		bad := newPerson(r)
		row := shape.cells(r, bad, true)
		row[0] = fmt.Sprint(n + 1)
		row[slices.Index(shape.header, "身份证号码")] = bad.badID
		d.Rows = append(d.Rows, row)
		d.masked = append(d.masked, row)
	}
	d.Notes = []string{
		fmt.Sprintf("公示期间如有异议，请与%s联系。联系人：%s老师，联系电话：%s，监督电话：%s。", u.FullName, string([]rune(personName(r))[:1]), newPerson(r).mobile, phoneNumber(r)),
		fmt.Sprintf("业务编号：%d%02d%02d%08d", 2025, between(r, 1, 12), between(r, 1, 28), r.IntN(100000000)),
	}
	return d
}

// regions are identity number prefixes: Huairou and other Beijing
// districts, and a few provinces.
var regions = []string{"110116", "110116", "110105", "110108", "110228", "130823", "131082", "370102", "410105"}

var mobilePrefixes = []string{"130", "131", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "158", "159", "176", "177", "180", "182", "185", "186", "187", "188", "189", "199"}

func newPerson(r *rand.Rand) person {
	birth := evidence.NewDate(between(r, 1955, 2003), 1, 1).AddDays(r.IntN(365))
	d17 := fmt.Sprintf("%s%04d%02d%02d%03d", pick(r, regions), birth.Year, int(birth.Month), birth.Day, r.IntN(1000))
	id := d17 + string(idCheck(d17))
	bad := d17 + string("0123456789X"[(strings.IndexByte("0123456789X", idCheck(d17))+1+r.IntN(10))%11])
	card := fmt.Sprintf("6222%02d%012d", between(r, 0, 99), r.Int64N(1_000_000_000_000))
	return person{
		name:   personName(r),
		id:     id,
		badID:  bad,
		mobile: pick(r, mobilePrefixes) + fmt.Sprintf("%08d", r.IntN(100000000)),
		card:   card + string(luhnDigit(card)),
	}
}

// idCheck is the GB 11643 check character of 17 digits.
func idCheck(d17 string) byte {
	w := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	s := 0
	for i := 0; i < 17; i++ {
		s += int(d17[i]-'0') * w[i]
	}
	return "10X98765432"[s%11]
}

// luhnDigit is the digit that completes digits for the Luhn check.
func luhnDigit(digits string) byte {
	s := 0
	for i := len(digits) - 1; i >= 0; i-- {
		n := int(digits[i] - '0')
		if (len(digits)-1-i)%2 == 0 {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		s += n
	}
	return byte('0' + (10-s%10)%10)
}

// The common ways of masking: the middle hidden by stars, as published.
func maskID(r *rand.Rand, id string) string {
	switch r.IntN(3) {
	case 0:
		return id[:6] + "********" + id[14:]
	case 1:
		return id[:10] + "****" + id[14:]
	}
	return id[:3] + "***********" + id[14:]
}

func maskMobile(r *rand.Rand, m string) string {
	if r.IntN(2) == 0 {
		return m[:3] + "****" + m[7:]
	}
	return m[:3] + "-****-" + m[7:]
}

func maskCard(r *rand.Rand, c string) string {
	if r.IntN(2) == 0 {
		return c[:4] + " **** **** " + c[len(c)-4:]
	}
	return c[:6] + strings.Repeat("*", len(c)-10) + c[len(c)-4:]
}

// personTable writes an item's list of persons into its page.
func personTable(b *w, it *Item) {
	d := it.Persons
	if d == nil {
		return
	}
	b.p(`<p style="text-align:center"><strong>%s</strong></p>`, esc(d.Title))
	b.p(`<table class="list" border="1" cellspacing="0" cellpadding="4" width="100%%">`)
	b.WriteString("<tr>")
	for _, h := range d.Header {
		fmt.Fprintf(b, "<th>%s</th>", esc(h))
	}
	b.p("</tr>")
	for _, row := range d.Rows {
		b.WriteString("<tr>")
		for _, c := range row {
			fmt.Fprintf(b, "<td>%s</td>", esc(c))
		}
		b.p("</tr>")
	}
	b.p("</table>")
	for _, n := range d.Notes {
		b.p("<p>%s</p>", esc(n))
	}
}

// disclosureFile writes an attached list in its file's format; nil for a
// link carrying none.
func disclosureFile(l *Link) []byte {
	if l.File == nil {
		return nil
	}
	switch l.ext {
	case ".xlsx":
		return xlsxFile(l.File)
	case ".xls":
		return xlsFile(l.File)
	case ".csv":
		return csvFile(l.File)
	case ".docx":
		return docxFile(l.File)
	case ".pdf":
		return pdfFile(l.File)
	}
	return nil
}

// --- the truth ---

// contentTruth judges the documents an evaluator reads (listed from the
// window's start to the as-of date) against check c: a finding for each
// page or attachment disclosing numbers (privacy), or for each document
// naming an outdated organ as acting after its cut-off and the check's
// grace (outdated_name).
func contentTruth(d *District, u *Unit, c *rules.Check) []truthFinding {
	docs := u.Column("documents")
	if docs == nil || docs.Gone() {
		return nil
	}
	var out []truthFinding
	seen := map[string]bool{}
	for _, it := range docs.Items {
		if it.Doc == nil || it.Date.Before(d.WindowFrom) || it.Date.After(d.AsOf) {
			continue
		}
		switch c.Kind {
		case rules.KindPrivacy:
			if it.Persons.leaking() && !seen[it.Path] {
				seen[it.Path] = true
				out = append(out, truthFinding{check: c, column: docs.ID, subject: it.Path, subjPath: true, path: it.Path, points: c.Points,
					detail: fmt.Sprintf("文件“%s”页面公开未脱敏的%s", it.Title, leakNote(it.Persons))})
			}
			if !c.ReadsAttachments() {
				continue
			}
			for _, a := range it.Attachments {
				if a.File.leaking() && !a.Broken() && !seen[a.Path] {
					seen[a.Path] = true
					out = append(out, truthFinding{check: c, column: docs.ID, subject: a.Path, subjPath: true, path: a.Path, points: c.Points,
						detail: fmt.Sprintf("文件“%s”的附件“%s”公开未脱敏的%s", it.Title, a.Text, leakNote(a.File))})
				}
			}
		case rules.KindOutdatedName:
			own := ownDate(it)
			var named []string
			for _, nl := range it.Names {
				e := d.Rules.OutdatedNameFor(nl.Old)
				if nl.Use != "current" || e == nil || !own.After(e.Ceased.AddDays(int(c.Grace))) {
					continue
				}
				named = append(named, fmt.Sprintf("“%s”（已调整为%s）", nl.Old, nl.Successor))
			}
			if len(named) > 0 {
				out = append(out, truthFinding{check: c, column: docs.ID, subject: it.Path, subjPath: true, path: it.Path, points: c.Points,
					detail: fmt.Sprintf("成文于%s的文件“%s”仍以%s作为现行机构表述", own, it.Title, strings.Join(named, "、"))})
			}
		}
	}
	return out
}

// fixContent undoes a content defect: the list is published masked, the
// organ named by its successor.
func (b *builder) fixContent(df Defect) {
	switch df.Kind {
	case DefectPrivacy:
		if it := b.doc(df.Subject); it != nil && it.Persons != nil {
			it.Persons.fix()
		}
		if l := b.link(df.Subject); l != nil && l.File != nil {
			l.File.fix()
		}
	case DefectOutdatedName:
		if it := b.doc(df.Subject); it != nil {
			for _, nl := range it.Names {
				if nl.Use == "current" {
					it.Body[nl.Line] = strings.ReplaceAll(it.Body[nl.Line], nl.Old, nl.Successor)
					nl.Use = "fixed"
				}
			}
		}
	}
}

// contentDoc returns the document a content defect is on (its page, or
// the page attaching its file), or nil.
func (b *builder) contentDoc(df Defect) *Item {
	if it := b.doc(df.Subject); it != nil {
		return it
	}
	if docs := b.u.Column("documents"); docs != nil {
		for _, it := range docs.Items {
			if slices.ContainsFunc(it.Attachments, func(a *Link) bool { return a.Path == df.Subject }) {
				return it
			}
		}
	}
	return nil
}
