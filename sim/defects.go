package sim

import (
	"fmt"
	"slices"
	"strings"

	"gongkai/evidence"
	"gongkai/internal/textnorm"
	"gongkai/rules"
)

// plantPriority orders the wants so defects that need a column to stay
// present are planted before defects that take a column away.
func plantPriority(k DefectKind) int {
	switch k {
	case DefectDocMetadata, DefectLateDocument, DefectUninterpreted, DefectBrokenAttach:
		return 0
	case DefectMissingField, DefectBrokenPage, DefectBrokenPortal:
		return 1
	case DefectGap:
		return 2
	case DefectStale, DefectExpiring:
		return 3
	}
	return 4
}

func (b *builder) plantAll(wants []want) error {
	wants = slices.Clone(wants)
	slices.SortStableFunc(wants, func(x, y want) int {
		if x.column != "" && y.column == "" {
			return -1
		}
		if y.column != "" && x.column == "" {
			return 1
		}
		return plantPriority(x.kind) - plantPriority(y.kind)
	})
	for i, w := range wants {
		// room is how many defects this want may plant beyond one, keeping
		// one for each want still to come and the unit within maxDefects.
		b.room = maxDefects - len(b.u.Defects) - (len(wants) - i)
		if b.room < 0 {
			break
		}
		b.plant(w)
	}
	b.normalizePeriods()
	if len(b.u.Defects) == 0 {
		return fmt.Errorf("no defect could be planted (wanted %v)", wants)
	}
	return nil
}

func (b *builder) addDefect(d Defect) int {
	b.u.Defects = append(b.u.Defects, d)
	return len(b.u.Defects) - 1
}

// pickStatus chooses how a planted broken link fails: mostly 404, some 500,
// some connections closed without an answer.
func (b *builder) pickStatus() int {
	switch n := b.r.IntN(10); {
	case n < 7:
		return 404
	case n < 9:
		return 500
	}
	return StatusClose
}

func statusText(s int) string {
	if s == StatusClose {
		return "连接被关闭"
	}
	return fmt.Sprintf("HTTP %d", s)
}

// free returns the unit's columns that pass ok and carry no defect yet.
func (b *builder) free(ok func(*Column) bool) []*Column {
	var out []*Column
	for _, c := range b.u.Columns {
		if c.State == ColumnPresent && !b.taken[c.ID] && !b.needed[c.ID] && ok(c) {
			out = append(out, c)
		}
	}
	return out
}

func (b *builder) plant(w want) bool {
	u, r := b.u, b.r
	switch w.kind {
	case DefectMissingColumn, DefectEmptyColumn, DefectExplainedEmpty:
		cands := b.free(func(c *Column) bool {
			if w.column != "" && c.ID != w.column {
				return false
			}
			if c.ID == "annual-report" {
				return false
			}
			if w.kind == DefectMissingColumn {
				return b.check(c.ID, rules.KindPresence) != nil
			}
			return c.IsList() && b.check(c.ID, rules.KindNonEmpty) != nil
		})
		if len(cands) == 0 {
			return false
		}
		c := pick(r, cands)
		b.taken[c.ID] = true
		c.Items = nil
		switch w.kind {
		case DefectMissingColumn:
			c.State = ColumnMissing
			b.addDefect(Defect{Kind: w.kind, Column: c.ID, Note: "栏目不设链接，也没有页面"})
		case DefectEmptyColumn:
			c.State = ColumnEmpty
			b.addDefect(Defect{Kind: w.kind, Column: c.ID, Note: "栏目页面存在但没有任何信息"})
		default:
			c.State = ColumnExplained
			c.Explanation = pick(r, b.rs.ExplainedEmpty)
			b.addDefect(Defect{Kind: w.kind, Column: c.ID, Note: "栏目页面说明：" + c.Explanation})
		}
		return true

	case DefectStale, DefectExpiring:
		cands := b.free(func(c *Column) bool {
			chk := b.check(c.ID, rules.KindMaxAge)
			if chk == nil || len(c.Items) == 0 || (w.column != "" && c.ID != w.column) {
				return false
			}
			lo, hi := expiringAges(chk)
			return w.kind == DefectStale || lo <= hi
		})
		if len(cands) == 0 {
			return false
		}
		c := pick(r, cands)
		chk := b.check(c.ID, rules.KindMaxAge)
		age := int(chk.MaxAge) + between(r, 15, 200)
		if w.kind == DefectExpiring {
			lo, hi := expiringAges(chk)
			age = between(r, lo, hi)
		}
		b.taken[c.ID] = true
		b.cutAt(c, b.d.AsOf.AddDays(-age))
		b.addDefect(Defect{Kind: w.kind, Column: c.ID,
			Note: fmt.Sprintf("最新一条距评估日%d天（最长%d天）", age, int(chk.MaxAge))})
		return true

	case DefectGap:
		cands := b.free(func(c *Column) bool {
			return b.check(c.ID, rules.KindPeriodic) != nil && len(c.Items) > 0 && (w.column == "" || c.ID == w.column)
		})
		if len(cands) == 0 {
			return false
		}
		c := pick(r, cands)
		chk := b.check(c.ID, rules.KindPeriodic)
		last := newest(c.Items).Date
		var periods []period
		for _, p := range requiredPeriods(chk, b.d.WindowFrom, b.d.WindowTo) {
			if !p.To.Before(last) {
				continue // the newest item's period stays, so freshness does not change
			}
			if chk.Period == rules.PeriodMonth && !p.To.Before(monthStart(last).AddMonths(-1)) {
				continue // nor the month before it
			}
			periods = append(periods, p)
		}
		if len(periods) == 0 {
			return false
		}
		n := 1
		if chk.Period == rules.PeriodQuarter && len(periods) > 1 && b.room > 0 && chance(r, 0.5) {
			n = 2
		}
		b.taken[c.ID] = true
		for _, i := range r.Perm(len(periods))[:n] {
			p := periods[i]
			c.Items = slices.DeleteFunc(c.Items, func(it *Item) bool { return !it.Date.Before(p.From) && !it.Date.After(p.To) })
			b.addDefect(Defect{Kind: w.kind, Column: c.ID, Subject: p.Key, Note: "删除了" + p.Key + "期间发布的全部信息"})
		}
		return true

	case DefectMissingField:
		// A page column that carries a broken link (needed) may also lack a field.
		var cands []*Column
		for _, c := range u.Columns {
			if c.State == ColumnPresent && !c.IsList() && !b.taken[c.ID] && b.check(c.ID, rules.KindFields) != nil {
				cands = append(cands, c)
			}
		}
		if len(cands) == 0 {
			return false
		}
		c := pick(r, cands)
		chk := b.check(c.ID, rules.KindFields)
		n := 1
		if b.room > 0 && chance(r, 0.3) {
			n = 2
		}
		planted := 0
		for _, i := range r.Perm(len(chk.Fields)) {
			if planted == n || b.shownCount(c) <= 1 {
				break
			}
			f := chk.Fields[i]
			if c.FieldLabels[f.Name] == "" || !b.dropField(c, f) {
				continue
			}
			planted++
			b.addDefect(Defect{Kind: w.kind, Column: c.ID, Subject: f.Name, Note: "页面不出现“" + f.Name + "”及其别名"})
		}
		if planted == 0 {
			return false
		}
		b.needed[c.ID] = true
		b.taken[c.ID] = true
		return true

	case DefectDocMetadata, DefectLateDocument, DefectUninterpreted, DefectBrokenAttach:
		return b.plantDocument(w)

	case DefectBrokenPortal:
		olds := []struct{ slug, text string }{
			{"zt2019gq", "庆祝新中国成立70周年专题"}, {"zt2020kyq", "众志成城抗疫情专题"},
			{"wsdc2021", "网上调查"}, {"zt2022dah", "喜迎党的二十大专题"}, {"zxft2018", "在线访谈"},
		}
		var free []int
		for i, o := range olds {
			used := false
			for _, l := range u.PortalLinks {
				used = used || l.slug == o.slug
			}
			if !used {
				free = append(free, i)
			}
		}
		if len(free) == 0 {
			return false
		}
		o := olds[pick(r, free)]
		l := &Link{Text: o.text, Status: b.pickStatus(), slug: o.slug}
		u.PortalLinks = append(u.PortalLinks, l)
		i := b.addDefect(Defect{Kind: w.kind, Note: "首页链接“" + o.text + "”" + statusText(l.Status)})
		b.targets = append(b.targets, defectTarget{defect: i, link: l})
		return true

	case DefectBrokenPage:
		var cands []*Column
		for _, c := range u.Columns {
			if c.State == ColumnPresent && !c.IsList() && !b.taken[c.ID] && b.check(c.ID, rules.KindPresence) != nil {
				cands = append(cands, c)
			}
		}
		if len(cands) == 0 {
			return false
		}
		c := pick(r, cands)
		ext := pick(r, []string{".doc", ".pdf", ".docx"})
		name := pick(r, []string{"办事指南", "政府信息公开工作流程图", "收费标准说明", "申请须知"})
		l := &Link{Text: name + ext, Status: b.pickStatus(), ext: ext}
		c.Links = append(c.Links, l)
		b.needed[c.ID] = true
		i := b.addDefect(Defect{Kind: w.kind, Column: c.ID, Note: "页面附件“" + l.Text + "”" + statusText(l.Status)})
		b.targets = append(b.targets, defectTarget{defect: i, link: l})
		return true
	}
	return false
}

// shownCount is the number of fields a page column still shows.
func (b *builder) shownCount(c *Column) int {
	n := 0
	for _, l := range c.FieldLabels {
		if l != "" {
			n++
		}
	}
	return n
}

// dropField leaves field f off column c's page, relabelling any column
// whose label would still show one of f's names. It reports false (and
// changes nothing) when no relabelling avoids them.
func (b *builder) dropField(c *Column, f rules.Field) bool {
	names := append(slices.Clone(b.dropped), f.Names()...)
	hits := func(s string) bool {
		n := textnorm.Name(s)
		for _, x := range names {
			if strings.Contains(n, textnorm.Name(x)) {
				return true
			}
		}
		return false
	}
	relabel := map[*Column]string{}
	for _, col := range b.u.Columns {
		if !hits(col.Label) {
			continue
		}
		ok := false
		for _, alt := range col.Spec.Names() {
			if !hits(alt) {
				relabel[col] = alt
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	for other, l := range c.FieldLabels {
		if other != f.Name && l != "" && hits(l) {
			return false
		}
	}
	for col, l := range relabel {
		col.Label = l
	}
	c.FieldLabels[f.Name] = ""
	b.dropped = append(b.dropped, f.Names()...)
	return true
}

// droppableMeta lists the metadata fields a style can leave off a document
// page without the page still showing them elsewhere (TRS pages carry the
// issuer in the ContentSource meta, so TRS never drops it; no style drops
// 发布日期, which every article header and PubDate meta repeats).
func droppableMeta(style string) []string {
	if style == "trs" {
		return []string{"索引号", "发文字号", "成文日期"}
	}
	return []string{"索引号", "发文机关", "发文字号", "成文日期"}
}

// plantDocument plants a document-level defect on an unused document
// listed in the window.
func (b *builder) plantDocument(w want) bool {
	u, r, rs := b.u, b.r, b.rs
	docs := u.Column("documents")
	if docs == nil || docs.State != ColumnPresent || b.taken[docs.ID] {
		return false
	}
	interps := u.Column("interpretations")
	ic := b.interpretationCheck()
	if w.kind == DefectUninterpreted && (ic == nil || interps == nil || interps.State != ColumnPresent || b.taken[interps.ID] || len(interps.Items) < 3) {
		return false
	}
	var cands []*Item
	for _, it := range docs.Items {
		if b.usedDoc[it] || !b.d.InWindow(it.Date) {
			continue
		}
		if w.kind == DefectUninterpreted && rs.Calendar.AddWorkdays(it.Date, ic.WorkingDays).After(b.d.AsOf.AddDays(-3)) {
			continue
		}
		cands = append(cands, it)
	}
	if len(cands) == 0 {
		return false
	}
	it := pick(r, cands)
	b.usedDoc[it] = true
	b.needed[docs.ID] = true
	var i int
	switch w.kind {
	case DefectDocMetadata:
		chk := b.check(docs.ID, rules.KindDocumentMetadata)
		var can []string
		for _, f := range chk.Fields {
			if slices.Contains(droppableMeta(u.Style), f.Name) {
				can = append(can, f.Name)
			}
		}
		if len(can) == 0 {
			return false
		}
		n := 1
		if len(can) > 1 && chance(r, 0.35) {
			n = 2
		}
		var dropped []string
		for _, k := range r.Perm(len(can))[:n] {
			it.Doc.Labels[can[k]] = ""
			dropped = append(dropped, can[k])
		}
		slices.Sort(dropped)
		i = b.addDefect(Defect{Kind: w.kind, Column: docs.ID, Note: "文件页面缺少" + strings.Join(dropped, "、")})
	case DefectLateDocument:
		chk := b.check(docs.ID, rules.KindPublicationDelay)
		it.Doc.Written = it.Date.AddDays(-between(r, 45, 90))
		for rs.Calendar.WorkdaysBetween(it.Doc.Written, it.Date) <= chk.WorkingDays {
			it.Doc.Written = it.Doc.Written.AddDays(-15)
		}
		i = b.addDefect(Defect{Kind: w.kind, Column: docs.ID,
			Note: fmt.Sprintf("成文日期%s，发布日期%s", it.Doc.Written, it.Date)})
	case DefectUninterpreted:
		b.needed[interps.ID] = true
		late := rs.Calendar.AddWorkdays(it.Date, ic.WorkingDays+between(r, 7, 12))
		var mine []*Item
		for _, x := range interps.Items {
			if x.Interprets == it {
				mine = append(mine, x)
			}
		}
		note := "没有任何解读"
		if len(mine) > 0 && late.Before(b.d.AsOf) && chance(r, 0.5) {
			for _, x := range mine {
				x.Date = late
			}
			note = "解读迟至" + late.String() + "才发布"
		} else {
			interps.Items = slices.DeleteFunc(interps.Items, func(x *Item) bool { return x.Interprets == it })
			it.Doc.Interpretation = nil
		}
		i = b.addDefect(Defect{Kind: w.kind, Column: interps.ID, Note: note})
	case DefectBrokenAttach:
		ext := pick(r, []string{".pdf", ".docx", ".xls"})
		l := &Link{Text: fmt.Sprintf("附件%d：%s%s", len(it.Attachments)+1, pick(r, []string{"实施细则全文", "申报指南", "政策文件原文", "配套表格"}), ext),
			Status: b.pickStatus(), ext: ext}
		it.Attachments = append(it.Attachments, l)
		i = b.addDefect(Defect{Kind: w.kind, Column: docs.ID, Note: "文件附件“" + l.Text + "”" + statusText(l.Status)})
		b.targets = append(b.targets, defectTarget{defect: i, link: l})
		return true
	}
	b.targets = append(b.targets, defectTarget{defect: i, item: it})
	return true
}

// cutAt makes day the date of the column's newest item: later items are
// removed and an item dated day is added when none is.
func (b *builder) cutAt(c *Column, day evidence.Date) {
	c.Items = slices.DeleteFunc(c.Items, func(it *Item) bool { return it.Date.After(day) })
	if n := newest(c.Items); n != nil && n.Date == day {
		return
	}
	it := b.makeItem(c, day)
	it.Date = day
	if it.Doc != nil {
		it.Doc.Written = day.AddDays(-between(b.r, 0, 7))
	}
	c.Items = append(c.Items, it)
}

// plantVeto empties enough list columns to fire the empty-columns veto.
func (b *builder) plantVeto() error {
	cols := emptiable(b.rs, b.u.Type)
	if len(cols) < vetoEmpty {
		return fmt.Errorf("veto unit has only %d list columns", len(cols))
	}
	for _, k := range b.r.Perm(len(cols))[:vetoEmpty] {
		c := b.u.Column(cols[k])
		c.State = ColumnEmpty
		c.Items = nil
		b.taken[c.ID] = true
		b.addDefect(Defect{Kind: DefectEmptyColumn, Column: c.ID, Note: "栏目页面存在但没有任何信息（否决单位）"})
	}
	slices.SortStableFunc(b.u.Defects, func(x, y Defect) int { return strings.Compare(x.Column, y.Column) })
	b.normalizePeriods()
	return nil
}

// normalizePeriods removes, for each period a periodic check requires that
// has no item inside the window, every item of that period outside the
// window too, so "the period has an item" means the same whether an
// evaluator looks at the whole period or only at its part in the window.
func (b *builder) normalizePeriods() {
	for _, c := range b.u.Columns {
		chk := b.check(c.ID, rules.KindPeriodic)
		if chk == nil || c.State != ColumnPresent {
			continue
		}
		for _, p := range requiredPeriods(chk, b.d.WindowFrom, b.d.WindowTo) {
			lo, hi := maxDate(p.From, b.d.WindowFrom), minDate(p.To, b.d.WindowTo)
			if itemIn(c.Items, lo, hi) {
				continue
			}
			c.Items = slices.DeleteFunc(c.Items, func(it *Item) bool { return !it.Date.Before(p.From) && !it.Date.After(p.To) })
		}
	}
}

// decoys plant traps that must not become findings: a document listed
// before the window without 索引号 and 成文日期 and without interpretation, a
// document published so recently that its interpretation is not yet due,
// and a document listed before the window that was published late.
func (b *builder) decoys() {
	u, r := b.u, b.r
	docs := u.Column("documents")
	if docs == nil || len(docs.Items) == 0 {
		return
	}
	interps := u.Column("interpretations")
	unInterpret := func(doc *Item) {
		if interps != nil {
			interps.Items = slices.DeleteFunc(interps.Items, func(x *Item) bool { return x.Interprets == doc })
		}
		doc.Doc.Interpretation = nil
	}
	var old []*Item
	for _, it := range docs.Items {
		if it.Date.Before(b.d.WindowFrom) {
			old = append(old, it)
		}
	}
	if len(old) > 0 && chance(r, 0.4) {
		it := pick(r, old)
		b.usedDoc[it] = true
		for _, f := range []string{"索引号", "成文日期"} {
			if _, ok := it.Doc.Labels[f]; ok {
				it.Doc.Labels[f] = ""
			}
		}
		unInterpret(it)
		u.Decoys = append(u.Decoys, fmt.Sprintf("评估期前（%s）发布的文件缺少索引号、成文日期且没有解读：不应报告", it.Date))
	}
	if ic := b.interpretationCheck(); ic != nil && interps != nil && chance(r, 0.4) {
		day := b.workdayOnOrBefore(b.d.AsOf.AddDays(-1))
		if b.d.InWindow(day) && b.rs.Calendar.AddWorkdays(day, ic.WorkingDays).After(b.d.AsOf) {
			it := b.document(day)
			docs.Items = append(docs.Items, it)
			b.usedDoc[it] = true
			u.Decoys = append(u.Decoys, fmt.Sprintf("%s发布的文件尚无解读，但解读期限在评估日之后：不应报告", day))
			b.dueDecoy, b.dueNote = it, u.Decoys[len(u.Decoys)-1]
		}
	}
	if chk := b.check(docs.ID, rules.KindPublicationDelay); chk != nil && chance(r, 0.3) {
		for _, it := range old {
			if !b.usedDoc[it] {
				b.usedDoc[it] = true
				it.Doc.Written = it.Date.AddDays(-between(r, 60, 90))
				u.Decoys = append(u.Decoys, fmt.Sprintf("评估期前（%s）发布的文件超期公开：不应报告", it.Date))
				break
			}
		}
	}
}
