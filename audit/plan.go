package audit

import (
	"slices"

	"gongkai/crawler"
	"gongkai/evidence"
	"gongkai/internal/pii"
	"gongkai/rules"
	"gongkai/scoring"
	"gongkai/units"
)

// PlanFor turns a ruleset into the crawler's plain instructions for units of
// unitType: which columns to find by which names, what to read from their
// item pages, which document metadata to read, how far back items matter.
func PlanFor(rs *rules.Ruleset, asOf evidence.Date, unitType string) *crawler.Plan {
	from, _ := scoring.Window(asOf, rs.WindowMonths())
	p := &crawler.Plan{Hubs: rs.Hubs, Ref: asOf, Since: from}
	reads := map[string]crawler.ItemRead{}
	fields := map[string][]crawler.MetaField{}
	metaSeen := map[string]bool{}
	for _, c := range rs.ChecksFor(unitType) {
		switch c.Kind {
		case rules.KindFields:
			for _, f := range c.Fields {
				fields[c.Column] = append(fields[c.Column], crawler.MetaField{Name: f.Name, Aliases: f.Aliases})
			}
		case rules.KindDocumentMetadata, rules.KindPublicationDelay:
			reads[c.Column] = crawler.ReadDocument
		case rules.KindInterpretation:
			reads[c.Of] = crawler.ReadDocument
			reads[c.Column] = crawler.ReadLinks
		case rules.KindReportMissing, rules.KindReportLate, rules.KindReportIncomplete, rules.KindReportInconsistent:
			reads[c.Column] = crawler.ReadAnnualReport
		case rules.KindLinkHealth:
			p.CheckExternal = p.CheckExternal || c.External
		case rules.KindPrivacy:
			if p.Content == nil {
				p.Content = &crawler.ContentPlan{}
			}
			v := c.Vocabulary()
			if p.Content.Personal == nil {
				p.Content.Personal = &v
			} else {
				p.Content.Personal = union(p.Content.Personal, v)
			}
			p.Content.Attachments = p.Content.Attachments || c.ReadsAttachments()
		case rules.KindOutdatedName:
			if p.Content == nil {
				p.Content = &crawler.ContentPlan{}
			}
			if p.Content.Names == nil {
				p.Content.Names = rs.ListedNames()
			}
		}
		if c.Kind == rules.KindDocumentMetadata {
			for _, f := range c.Fields {
				if !metaSeen[f.Name] {
					metaSeen[f.Name] = true
					p.MetaFields = append(p.MetaFields, crawler.MetaField{Name: f.Name, Aliases: f.Aliases})
				}
			}
		}
	}
	// The dates a judge needs even when no metadata check names them.
	for _, f := range []crawler.MetaField{
		{Name: "成文日期", Aliases: []string{"成文时间"}},
		{Name: "发布日期", Aliases: []string{"发布时间", "公开日期", "生成日期"}},
		{Name: "主题分类", Aliases: []string{"主题", "分类"}},
		{Name: "公开方式", Aliases: []string{"公开属性", "公开形式"}},
	} {
		if !metaSeen[f.Name] {
			metaSeen[f.Name] = true
			p.MetaFields = append(p.MetaFields, f)
		}
	}
	for _, c := range rs.ColumnsFor(unitType) {
		shape := evidence.ShapeList
		if c.Shape == rules.ShapePage {
			shape = evidence.ShapePage
		}
		p.Columns = append(p.Columns, crawler.ColumnSpec{ID: c.ID, Names: c.Names(), Shape: shape, Read: reads[c.ID], Fields: fields[c.ID]})
	}
	return p
}

// union returns the words of a and b, each once, a's first.
func union(a *pii.Vocabulary, b pii.Vocabulary) *pii.Vocabulary {
	join := func(x, y []string) []string {
		out := append([]string(nil), x...)
		for _, w := range y {
			if !slices.Contains(out, w) {
				out = append(out, w)
			}
		}
		return out
	}
	return &pii.Vocabulary{
		PersonHeaders: join(a.PersonHeaders, b.PersonHeaders), ListWords: join(a.ListWords, b.ListWords),
		ContactWords: join(a.ContactWords, b.ContactWords), CardWords: join(a.CardWords, b.CardWords), IDWords: join(a.IDWords, b.IDWords),
	}
}

// TargetFor turns a units-file entry into a crawl target with its plan.
func TargetFor(u *units.Unit, plan *crawler.Plan) crawler.Target {
	return crawler.Target{
		Unit:         UnitOf(u),
		Hosts:        u.Hosts,
		Overrides:    u.Columns,
		IgnoreRobots: u.IgnoreRobots,
		CA:           u.CA,
		Plan:         plan,
	}
}

// UnitOf returns the evidence identity of a units-file entry.
func UnitOf(u *units.Unit) evidence.Unit {
	return evidence.Unit{ID: u.ID, Name: u.Name, NameEN: u.NameEN, Type: u.Type, URL: u.URL, Contact: u.Contact}
}
