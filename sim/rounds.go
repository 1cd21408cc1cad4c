package sim

import (
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"gongkai/evidence"
	"gongkai/internal/textnorm"
	"gongkai/rules"
)

// Audit rounds. A district office audits its units again and again (weekly,
// say); between two audits the units fix some of their problems, a few new
// ones appear, and the rest stay. Config.Round k ≥ 2 is round 1's district
// (generated as of Config.FirstAsOf) played forward k-1 times, round j as
// of FirstAsOf + 7·(j-1) days and the last round as of Config.AsOf. Each
// step from round j-1 to round j, drawing from streams of its own:
//
//  1. fixes about half of round j-1's planted defects: for each defect
//     kind with n of them, n/2 (rounded either way, at least one and at
//     most n-1; one alone is fixed or not at random), preferring those
//     that would not last anyway (an expiring column that would turn
//     stale, a gap, document or attachment leaving the window, a report
//     no longer due); every missing field of one page is fixed or kept
//     together, and a report written in prose stays so (a habit, and the
//     district's one example of variant report-prose). A fix restores
//     what the content was before the defect was planted: the column
//     comes back with its items (and so without the gaps its staleness
//     left), the period's items return, the field label, the metadata,
//     the 成文日期 and the interpretations are restored, the broken link
//     answers 200, the report is published as it was meant to be, the
//     unreachable site answers again;
//  2. plants a new defect on about one reachable unit in ten (one of them,
//     when there is one, a unit that was clean in round j-1) on content
//     already there, so the URLs stay: an attachment, a page's download
//     or a portal banner that no longer answers, a document page that
//     lost a metadata field, an interpretation taken down, a field left
//     off a page;
//  3. lets time pass from round j-1's date to round j's: columns without
//     a defect that keeps them old gain fresh items where their max-age
//     or periodic checks would otherwise fail (news gains an item every
//     week), documents that fall due are interpreted, annual reports
//     published in the meantime are listed, and a kept expiring column
//     stays in its warning band. New items are dated from round j-1's
//     date on whenever their purpose allows.
//
// Everything else stays: the units, styles, variants, content and paths,
// so a persisting defect has the same unit, kind, column and subject (and
// the same URL with a fixed BasePort) in both rounds. The truth of each
// round is computed for its own date; a planted defect whose finding the
// new date ends (a gap period or document that left the window, a report
// year no longer judged) lapses and leaves Unit.Defects like a fixed one.
// With the weekly schedule nothing lapses until a round's date crosses a
// month (the window moves) or a report deadline (every report defect
// lapses: the next year's report is judged, as published). A defect's
// Note says what was done when it was planted, in the round it names.
//
// Rounds played on other dates than the weekly ones (Config.FirstAsOf)
// take round j < k on the weekly date (or on AsOf when that is earlier):
// round k agrees with a round j generated on its own only on the weekly
// schedule.

const (
	// roundDays is the recommended interval between two audit rounds.
	roundDays = 7
	// maxRound bounds Config.Round.
	maxRound = 100
)

// roundDates validates the round settings of cfg and returns the round and
// the as-of date of round 1.
func roundDates(cfg Config) (round int, first evidence.Date, err error) {
	round = max(cfg.Round, 1)
	if cfg.Round < 0 || cfg.Round > maxRound {
		return 0, first, fmt.Errorf("sim: bad round %d (1 to %d)", cfg.Round, maxRound)
	}
	first = cfg.FirstAsOf
	switch {
	case first.IsZero():
		first = cfg.AsOf.AddDays(-roundDays * (round - 1))
	case !first.Valid():
		return 0, first, fmt.Errorf("sim: bad first as-of date %v", first)
	case first.After(cfg.AsOf):
		return 0, first, fmt.Errorf("sim: first as-of date %v is after the as-of date %v", first, cfg.AsOf)
	case round == 1 && first != cfg.AsOf:
		return 0, first, fmt.Errorf("sim: round 1 is audited as of its first as-of date, not %v", cfg.AsOf)
	}
	return round, first, nil
}

// UnitDefect is a planted defect with the id of the unit carrying it.
type UnitDefect struct {
	// Unit is the unit's id.
	Unit string
	Defect
}

// Key identifies the defect across rounds, as a finding is identified
// across audits: unit|kind|column|subject.
func (x UnitDefect) Key() string {
	return x.Unit + "|" + string(x.Kind) + "|" + x.Column + "|" + x.Subject
}

// Defects returns the district's planted defects in unit order.
func (d *District) Defects() []UnitDefect {
	var out []UnitDefect
	for _, u := range d.Units {
		for _, df := range u.Defects {
			out = append(out, UnitDefect{Unit: u.ID, Defect: df})
		}
	}
	return out
}

// Diff compares the district's planted defects with those of an earlier
// round prev of the same district (by Key): the defects of prev that are
// gone (fixed, or lapsed with the date), those that are new, and those
// kept (as they are in d).
func (d *District) Diff(prev *District) (fixed, added, kept []UnitDefect) {
	before := map[string]bool{}
	for _, x := range prev.Defects() {
		before[x.Key()] = true
	}
	now := map[string]bool{}
	for _, x := range d.Defects() {
		now[x.Key()] = true
		if before[x.Key()] {
			kept = append(kept, x)
		} else {
			added = append(added, x)
		}
	}
	for _, x := range prev.Defects() {
		if !now[x.Key()] {
			fixed = append(fixed, x)
		}
	}
	return fixed, added, kept
}

// FreeBasePort returns a port p such that p to p+n-1 could all be listened
// on (on 127.0.0.1) a moment ago, for Config.BasePort: a fleet started on
// it serves every round of a district on the same URLs. It is best effort:
// another process may take a port before the fleet starts.
func FreeBasePort(n int) (int, error) {
	if n < 1 || n > 10000 {
		return 0, fmt.Errorf("sim: bad port count %d", n)
	}
	for try := 0; try < 64; try++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, fmt.Errorf("sim: find free ports: %w", err)
		}
		base := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		if base+n-1 > 65535 {
			continue
		}
		var lns []net.Listener
		ok := true
		for i := 0; i < n && ok; i++ {
			l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(base+i)))
			if err != nil {
				ok = false
				break
			}
			lns = append(lns, l)
		}
		for _, l := range lns {
			l.Close()
		}
		if ok {
			return base, nil
		}
	}
	return 0, errors.New("sim: found no run of free ports")
}

// cleanRef is a unit's content before any defect was planted on it, grown
// with the content later rounds added: what fixing a defect restores.
type cleanRef struct {
	items   map[*Column][]*Item
	fields  map[*Column]map[string]string
	dates   map[*Item]evidence.Date
	docs    map[*Item]docRef
	reports map[*Item]*AnnualReport
}

// docRef is a document's clean metadata.
type docRef struct {
	labels  map[string]string
	written evidence.Date
	interp  *Item
}

// futureReport is an annual report made but published after the date of
// the round being built.
type futureReport struct {
	rep *AnnualReport
	pub evidence.Date
}

// keepClean records the unit's clean content before defects are planted,
// when later rounds are to be played.
func (b *builder) keepClean() {
	if !b.rounds {
		return
	}
	ref := &cleanRef{
		items:   map[*Column][]*Item{},
		fields:  map[*Column]map[string]string{},
		dates:   map[*Item]evidence.Date{},
		docs:    map[*Item]docRef{},
		reports: map[*Item]*AnnualReport{},
	}
	for _, c := range b.u.Columns {
		ref.items[c] = slices.Clone(c.Items)
		ref.fields[c] = maps.Clone(c.FieldLabels)
		for _, it := range c.Items {
			ref.remember(it)
		}
	}
	b.ref = ref
	b.known = map[*Item]bool{}
	b.spent = map[string]bool{}
}

// keepReports records the annual reports as published before a report
// defect is planted.
func (b *builder) keepReports(col *Column) {
	if b.ref == nil {
		return
	}
	for _, it := range col.Items {
		if it.AnnualReport != nil {
			b.ref.reports[it] = cloneReport(it.AnnualReport)
			b.ref.dates[it] = it.Date
		}
	}
}

func (ref *cleanRef) remember(it *Item) {
	ref.dates[it] = it.Date
	if it.Doc != nil {
		ref.docs[it] = docRef{labels: maps.Clone(it.Doc.Labels), written: it.Doc.Written, interp: it.Doc.Interpretation}
	}
}

// add records an item added to column c as clean content.
func (ref *cleanRef) add(c *Column, it *Item) {
	ref.items[c] = append(ref.items[c], it)
	ref.remember(it)
}

func cloneReport(a *AnnualReport) *AnnualReport {
	c := *a
	c.Overview = slices.Clone(a.Overview)
	c.Problems = slices.Clone(a.Problems)
	c.Other = slices.Clone(a.Other)
	c.Results = slices.Clone(a.Results)
	c.NoRows = slices.Clone(a.NoRows)
	c.Text = maps.Clone(a.Text)
	c.Table2 = make(map[string][]int, len(a.Table2))
	for k, v := range a.Table2 {
		c.Table2[k] = slices.Clone(v)
	}
	return &c
}

// player plays a district's rounds forward.
type player struct {
	d     *District
	b     []*builder
	plans []unitPlan
}

// advance plays the district generated as round 1 forward to round last,
// audited as of asOf.
func advance(d *District, builders []*builder, plans []unitPlan, last int, asOf evidence.Date) error {
	g := &player{d: d, b: builders, plans: plans}
	prev := d.AsOf
	for j := 2; j <= last; j++ {
		day := asOf
		if j < last {
			day = minDate(d.FirstAsOf.AddDays(roundDays*(j-1)), asOf)
		}
		if err := g.play(j, prev, day); err != nil {
			return err
		}
		prev = day
	}
	return nil
}

// play makes round j, as of day, from round j-1, as of prev.
func (g *player) play(j int, prev, day evidence.Date) error {
	d := g.d
	seed := uint64(d.Seed)
	r := rand.New(rand.NewPCG(seed, 0x726f756e64+uint64(j)))
	wasClean := map[*Unit]bool{}
	for i, b := range g.b {
		wasClean[b.u] = b.u.Role == RoleClean
		stream := uint64(i+1)*0x9e3779b97f4a7c15 + uint64(j)
		b.r = rand.New(rand.NewPCG(seed^0x726f756e64, stream))
		b.rr = rand.New(rand.NewPCG(seed^0x7265706f7274, stream))
		b.noteLive()
		for _, df := range b.u.Defects {
			b.spent[df.Column+"|"+df.Subject] = true
		}
	}
	d.Round = j
	d.AsOf = day
	d.WindowFrom, d.WindowTo = window(day, d.Rules.WindowMonths())

	for i, fix := range g.chooseFixes(r) {
		g.b[i].applyFixes(fix, g.plans[i])
	}
	g.plantNew(r, j, wasClean)
	for i, b := range g.b {
		b.grow(g.plans[i], prev, day)
	}

	unitErr := func(i int, err error) error {
		if err != nil {
			return fmt.Errorf("sim: round %d: unit %s: %w", j, d.Units[i].ID, err)
		}
		return nil
	}
	if err := parallel(len(g.b), func(i int) error { return unitErr(i, g.b[i].relayout()) }); err != nil {
		return err
	}
	if err := parallel(len(d.Units), func(i int) error { return unitErr(i, checkUnit(d, d.Units[i])) }); err != nil {
		return err
	}
	d.truth = evaluate(d)
	g.lapse()
	g.roles()
	return nil
}

// noteLive remembers the items the unit lists now, so a later layout can
// clear the paths of those it no longer lists.
func (b *builder) noteLive() {
	for _, c := range b.u.Columns {
		for _, it := range c.Items {
			b.known[it] = true
		}
	}
}

// fixGroup is what is fixed or kept as one: a defect, or every missing
// field of one page.
type fixGroup struct {
	unit    int
	defects []int
	fragile bool // it would not last anyway: fix it first
	pinned  bool // a habit, not a slip: keep it
}

// chooseFixes returns, per unit, the indexes of the defects the round fixes.
func (g *player) chooseFixes(r *rand.Rand) [][]int {
	byKind := map[DefectKind][]*fixGroup{}
	var kinds []DefectKind
	for i, b := range g.b {
		fields := map[string]*fixGroup{}
		for k, df := range b.u.Defects {
			if grp := fields[df.Column]; df.Kind == DefectMissingField && grp != nil {
				grp.defects = append(grp.defects, k)
				continue
			}
			// A report in prose is the unit's way of writing reports (and the
			// district's one example of variant report-prose): it stays.
			pinned := b.u.reportPlant == rdProse && df.Kind == DefectReportIncomplete
			grp := &fixGroup{unit: i, defects: []int{k}, fragile: b.fragile(df), pinned: pinned}
			if df.Kind == DefectMissingField {
				fields[df.Column] = grp
			}
			if byKind[df.Kind] == nil {
				kinds = append(kinds, df.Kind)
			}
			byKind[df.Kind] = append(byKind[df.Kind], grp)
		}
	}
	out := make([][]int, len(g.b))
	for _, k := range kinds {
		groups := byKind[k]
		n := len(groups)
		fix := r.IntN(2)
		if n > 1 {
			fix = n / 2
			if n%2 == 1 {
				fix += r.IntN(2)
			}
			fix = min(max(fix, 1), n-1)
		}
		order := r.Perm(n)
		rank := func(g *fixGroup) int { return 2*boolInt(g.pinned) + boolInt(!g.fragile) }
		slices.SortStableFunc(order, func(x, y int) int { return rank(groups[x]) - rank(groups[y]) })
		for _, x := range order[:fix] {
			if groups[x].pinned {
				break
			}
			grp := groups[x]
			out[grp.unit] = append(out[grp.unit], grp.defects...)
		}
	}
	return out
}

// fragile reports whether a defect would not last into the round's date
// (the district's date already) by itself.
func (b *builder) fragile(df Defect) bool {
	d := b.d
	switch df.Kind {
	case DefectExpiring:
		c := b.u.Column(df.Column)
		chk := b.check(df.Column, rules.KindMaxAge)
		n := newest(c.Items)
		if chk == nil || n == nil {
			return true
		}
		_, hi := expiringAges(chk)
		return n.Date.DaysUntil(d.AsOf) > hi
	case DefectGap:
		chk := b.check(df.Column, rules.KindPeriodic)
		return chk == nil || !slices.ContainsFunc(requiredPeriods(chk, d.WindowFrom, d.WindowTo), func(p period) bool { return p.Key == df.Subject })
	case DefectDocMetadata, DefectLateDocument, DefectUninterpreted:
		it := b.doc(df.Subject)
		return it == nil || !d.InWindow(it.Date)
	case DefectPrivacy, DefectOutdatedName:
		it := b.contentDoc(df)
		return it == nil || !d.InWindow(it.Date)
	case DefectBrokenAttach:
		// Attachments are planted on documents listed in the window, and
		// an evaluator reads the attachments of those.
		if docs := b.u.Column("documents"); docs != nil {
			for _, it := range docs.Items {
				if slices.ContainsFunc(it.Attachments, func(a *Link) bool { return a.Path == df.Subject }) {
					return !d.InWindow(it.Date)
				}
			}
		}
	case DefectReportMissing, DefectReportLate, DefectReportIncomplete, DefectReportInconsistent:
		y, _ := dueYear(reportDue(b.rs, b.u.Type), d.AsOf)
		return fmt.Sprint(y) != df.Subject
	}
	return false
}

// applyFixes fixes the unit's defects at the given indexes.
func (b *builder) applyFixes(idx []int, p unitPlan) {
	if len(idx) == 0 {
		return
	}
	u := b.u
	slices.Sort(idx)
	for _, k := range idx {
		b.fix(u.Defects[k], p)
	}
	var kept []Defect
	for k, df := range u.Defects {
		if !slices.Contains(idx, k) {
			kept = append(kept, df)
		}
	}
	u.Defects = kept
}

// fix undoes a defect: what it took away or changed is as it was in the
// clean content.
func (b *builder) fix(df Defect, p unitPlan) {
	u, ref := b.u, b.ref
	switch df.Kind {
	case DefectUnreachable:
		u.Role = RoleClean
		b.reports(p.report)
	case DefectMissingColumn, DefectEmptyColumn, DefectExplainedEmpty, DefectStale, DefectExpiring:
		c := u.Column(df.Column)
		c.State, c.Explanation = ColumnPresent, ""
		c.Items = slices.Clone(ref.items[c])
		for _, it := range c.Items {
			it.Date = ref.dates[it]
		}
		if c.ID == "interpretations" || c.ID == "documents" {
			b.interpretOverdue()
		}
	case DefectGap:
		c := u.Column(df.Column)
		lo, hi := periodBounds(df.Subject)
		for _, it := range ref.items[c] {
			if !it.Date.Before(lo) && !it.Date.After(hi) && !slices.Contains(c.Items, it) {
				c.Items = append(c.Items, it)
			}
		}
	case DefectMissingField:
		c := u.Column(df.Column)
		c.FieldLabels[df.Subject] = ref.fields[c][df.Subject]
	case DefectDocMetadata:
		if it := b.doc(df.Subject); it != nil {
			it.Doc.Labels = maps.Clone(ref.docs[it].labels)
		}
	case DefectLateDocument:
		if it := b.doc(df.Subject); it != nil {
			it.Doc.Written = ref.docs[it].written
		}
	case DefectUninterpreted:
		doc, interps := b.doc(df.Subject), u.Column("interpretations")
		if doc == nil || interps == nil {
			return
		}
		for _, x := range ref.items[interps] {
			if x.Interprets == doc {
				x.Date = ref.dates[x]
				if !slices.Contains(interps.Items, x) {
					interps.Items = append(interps.Items, x)
				}
			}
		}
		doc.Doc.Interpretation = ref.docs[doc].interp
		if ic := b.interpretationCheck(); ic != nil && interps.State == ColumnPresent {
			b.interpretTimely(doc, ic, evidence.Date{}, b.d.AsOf)
		}
	case DefectBrokenPortal, DefectBrokenPage, DefectBrokenAttach:
		if l := b.link(df.Subject); l != nil {
			l.Status = 200
		}
	case DefectPrivacy, DefectOutdatedName:
		b.fixContent(df)
	case DefectReportMissing, DefectReportLate, DefectReportIncomplete, DefectReportInconsistent:
		col := u.Column("annual-report")
		for _, it := range ref.items[col] {
			a := ref.reports[it]
			if a == nil {
				continue
			}
			*it.AnnualReport = *cloneReport(a)
			it.AnnualReport.refresh()
			it.Date = ref.dates[it]
			if !slices.Contains(col.Items, it) {
				col.Items = append(col.Items, it)
			}
		}
		u.reportPlant = ""
	}
}

// periodBounds returns the first and last day of a period key (2025-07,
// 2025-Q3 or 2025).
func periodBounds(key string) (from, to evidence.Date) {
	y, rest, _ := strings.Cut(key, "-")
	year, _ := strconv.Atoi(y)
	switch {
	case rest == "":
		from = yearStart(year)
		return from, from.AddMonths(12).AddDays(-1)
	case strings.HasPrefix(rest, "Q"):
		q, _ := strconv.Atoi(rest[1:])
		from = evidence.NewDate(year, time.Month(3*q-2), 1)
		return from, from.AddMonths(3).AddDays(-1)
	}
	m, _ := strconv.Atoi(rest)
	from = evidence.NewDate(year, time.Month(m), 1)
	return from, monthEnd(from)
}

// doc returns the listed document at path, or nil.
func (b *builder) doc(path string) *Item {
	if c := b.u.Column("documents"); c != nil && path != "" {
		for _, it := range c.Items {
			if it.Path == path {
				return it
			}
		}
	}
	return nil
}

// link returns the unit's link or attachment to path, or nil.
func (b *builder) link(path string) *Link {
	u := b.u
	for _, l := range u.PortalLinks {
		if l.Path == path {
			return l
		}
	}
	for _, c := range u.Columns {
		for _, l := range c.Links {
			if l.Path == path {
				return l
			}
		}
		for _, it := range c.Items {
			for _, a := range it.Attachments {
				if a.Path == path {
					return a
				}
			}
		}
	}
	return nil
}

// subjectTaken reports whether a defect of the unit has subject s.
func (b *builder) subjectTaken(s string) bool {
	return s != "" && slices.ContainsFunc(b.u.Defects, func(df Defect) bool { return df.Subject == s })
}

// unspent reports whether no defect was ever planted on the column's subject
// s, so a new one there is not an old one back.
func (b *builder) unspent(column, s string) bool { return !b.spent[column+"|"+s] }

// newKinds are the defects a round may add, on content already there.
var newKinds = []DefectKind{
	DefectBrokenAttach, DefectDocMetadata, DefectBrokenPortal,
	DefectMissingField, DefectUninterpreted, DefectBrokenPage,
}

// plantNew gives about one reachable unit in ten a new defect, the first
// on a unit clean in the round before when one takes it.
func (g *player) plantNew(r *rand.Rand, round int, wasClean map[*Unit]bool) {
	var reach []*builder
	for _, b := range g.b {
		if b.u.Role != RoleUnreachable {
			reach = append(reach, b)
		}
	}
	if len(reach) == 0 {
		return
	}
	want := max(1, (len(reach)+5)/10)
	start := r.IntN(len(newKinds))
	order := r.Perm(len(reach))
	planted := 0
	tried := map[*builder]bool{}
	try := func(b *builder) bool {
		tried[b] = true
		if b.u.Role == RoleVeto || len(b.u.Defects) >= maxDefects {
			return false
		}
		for k := range newKinds {
			if b.plantNew(newKinds[(start+planted+k)%len(newKinds)], round) {
				planted++
				return true
			}
		}
		return false
	}
	for _, i := range order {
		if wasClean[reach[i].u] && try(reach[i]) {
			break
		}
	}
	for _, i := range order {
		if planted >= want {
			break
		}
		if !tried[reach[i]] {
			try(reach[i])
		}
	}
}

// plantNew plants a new defect of kind k on content the unit already
// shows, and reports whether it could.
func (b *builder) plantNew(k DefectKind, round int) bool {
	u, r, d := b.u, b.r, b.d
	if !supports(b.rs, u.Type, k) {
		return false
	}
	note := fmt.Sprintf("第%d轮新出现：", round)
	broken := func(c *Column, l *Link, where string) bool {
		l.Status = b.pickStatus()
		col := ""
		if c != nil {
			col = c.ID
		}
		b.addDefect(Defect{Kind: k, Column: col, Subject: l.Path, Note: note + where + "“" + l.Text + "”" + statusText(l.Status)})
		return true
	}
	docs := u.Column("documents")
	listed := docs != nil && docs.State == ColumnPresent
	switch k {
	case DefectBrokenAttach:
		if !listed {
			return false
		}
		var links []*Link
		for _, it := range docs.Items {
			if !d.InWindow(it.Date) {
				continue // as in round 1: only documents in the window
			}
			for _, a := range it.Attachments {
				if !a.Broken() && a.Path != "" && b.unspent(docs.ID, a.Path) {
					links = append(links, a)
				}
			}
		}
		if len(links) == 0 {
			return false
		}
		return broken(docs, pick(r, links), "文件附件")
	case DefectBrokenPage:
		type cl struct {
			c *Column
			l *Link
		}
		var links []cl
		for _, c := range u.Columns {
			if c.State != ColumnPresent || c.IsList() || b.check(c.ID, rules.KindPresence) == nil {
				continue
			}
			for _, l := range c.Links {
				if !l.Broken() && l.Path != "" && b.unspent(c.ID, l.Path) {
					links = append(links, cl{c, l})
				}
			}
		}
		if len(links) == 0 {
			return false
		}
		x := pick(r, links)
		return broken(x.c, x.l, "页面链接")
	case DefectBrokenPortal:
		var links []*Link
		for _, l := range u.PortalLinks {
			if !l.Broken() && l.Path != "" && b.unspent("", l.Path) {
				links = append(links, l)
			}
		}
		if len(links) == 0 {
			return false
		}
		return broken(nil, pick(r, links), "首页链接")
	case DefectDocMetadata:
		chk := b.check("documents", rules.KindDocumentMetadata)
		if !listed || chk == nil {
			return false
		}
		var can []string
		for _, f := range chk.Fields {
			if slices.Contains(droppableMeta(u.Style), f.Name) {
				can = append(can, f.Name)
			}
		}
		var cands []*Item
		for _, it := range docs.Items {
			if it.Doc != nil && it.Path != "" && !b.usedDoc[it] && !b.subjectTaken(it.Path) &&
				(!chk.OnlyInWindow() || d.InWindow(it.Date)) && len(it.Doc.Missing(chk.Fields)) == 0 {
				cands = append(cands, it)
			}
		}
		if len(can) == 0 || len(cands) == 0 {
			return false
		}
		it, f := pick(r, cands), pick(r, can)
		it.Doc.Labels[f] = ""
		b.usedDoc[it] = true
		b.addDefect(Defect{Kind: k, Column: docs.ID, Subject: it.Path, Note: note + "文件页面缺少" + f})
		return true
	case DefectUninterpreted:
		ic, interps := b.interpretationCheck(), u.Column("interpretations")
		if !listed || ic == nil || interps == nil || interps.State != ColumnPresent {
			return false
		}
		var cands []*Item
		for _, it := range docs.Items {
			if it.Doc == nil || it.Path == "" || b.usedDoc[it] || b.subjectTaken(it.Path) ||
				(ic.OnlyInWindow() && !d.InWindow(it.Date)) || b.rs.Calendar.AddWorkdays(it.Date, ic.WorkingDays).After(d.AsOf) {
				continue
			}
			mine, rest, quoted := 0, 0, false
			for _, x := range interps.Items {
				switch {
				case x.Interprets == it:
					mine++
				case ties(x, it):
					quoted = true // another interpretation names it too
				default:
					rest++
				}
			}
			if mine > 0 && rest >= 2 && !quoted {
				cands = append(cands, it)
			}
		}
		if len(cands) == 0 {
			return false
		}
		it := pick(r, cands)
		interps.Items = slices.DeleteFunc(interps.Items, func(x *Item) bool { return x.Interprets == it })
		it.Doc.Interpretation = nil
		b.usedDoc[it] = true
		b.addDefect(Defect{Kind: k, Column: interps.ID, Subject: it.Path, Note: note + "解读页面已撤下，文件没有任何解读"})
		return true
	case DefectMissingField:
		var cands []*Column
		for _, c := range u.Columns {
			if c.State == ColumnPresent && !c.IsList() && c.Path != "" && b.check(c.ID, rules.KindFields) != nil {
				cands = append(cands, c)
			}
		}
		for _, i := range r.Perm(len(cands)) {
			c := cands[i]
			chk := b.check(c.ID, rules.KindFields)
			for _, fi := range r.Perm(len(chk.Fields)) {
				f := chk.Fields[fi]
				if c.FieldLabels[f.Name] == "" || !b.unspent(c.ID, f.Name) || b.shownCount(c) <= 1 || !b.dropQuietly(c, f) {
					continue
				}
				b.addDefect(Defect{Kind: k, Column: c.ID, Subject: f.Name, Note: note + "页面不再出现“" + f.Name + "”及其别名"})
				return true
			}
		}
	}
	return false
}

// dropQuietly leaves field f off column c's page when nothing else need
// change for it: no column label and no other field label of the page
// names it, and the page's text shows none of its names once it is gone.
func (b *builder) dropQuietly(c *Column, f rules.Field) bool {
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
	for _, col := range b.u.Columns {
		if hits(col.Label) {
			return false
		}
	}
	for other, l := range c.FieldLabels {
		if other != f.Name && l != "" && hits(l) {
			return false
		}
	}
	old := c.FieldLabels[f.Name]
	c.FieldLabels[f.Name] = ""
	text := textnorm.Name(pageText(b.u.html(c.Path)))
	for _, n := range f.Names() {
		if strings.Contains(text, textnorm.Name(n)) {
			c.FieldLabels[f.Name] = old
			return false
		}
	}
	b.dropped = append(b.dropped, f.Names()...)
	return true
}

// grow lets time pass on the unit from prev to day (the district's date).
func (b *builder) grow(p unitPlan, prev, day evidence.Date) {
	u := b.u
	if u.Role == RoleUnreachable {
		return
	}
	frozen := map[string]bool{}
	gaps := map[string][]string{}
	busy := map[string]bool{}
	var expiring []*Column
	for _, df := range u.Defects {
		switch df.Kind {
		case DefectMissingColumn, DefectEmptyColumn, DefectExplainedEmpty, DefectStale:
			frozen[df.Column] = true
		case DefectExpiring:
			frozen[df.Column] = true
			expiring = append(expiring, u.Column(df.Column))
		case DefectGap:
			gaps[df.Column] = append(gaps[df.Column], df.Subject)
		}
		if strings.HasPrefix(df.Subject, "/") {
			busy[df.Subject] = true
		}
	}
	b.publishReports(p, day)
	for _, c := range u.Columns {
		if c.State == ColumnPresent && c.IsList() && !frozen[c.ID] {
			b.growColumn(c, gaps[c.ID], prev, day)
		}
	}
	b.interpretDue(busy, prev, day)
	for _, c := range expiring {
		b.keepExpiring(c, prev, day)
	}
	b.normalizePeriods()
	b.tidy(day)
}

// growColumn adds the items a clean column needs to keep passing its
// periodic and max-age checks as of day, skipping the periods of kept gaps.
func (b *builder) growColumn(c *Column, gaps []string, prev, day evidence.Date) {
	d := b.d
	last := day.AddDays(-1)
	for _, chk := range b.checksOf(c.ID) {
		switch chk.Kind {
		case rules.KindPeriodic:
			for _, p := range requiredPeriods(chk, d.WindowFrom, d.WindowTo) {
				lo := maxDate(p.From, d.WindowFrom)
				hi := minDate(minDate(p.To, d.WindowTo), last)
				if slices.Contains(gaps, p.Key) || hi.Before(lo) || itemIn(c.Items, lo, hi) {
					continue
				}
				b.addClean(c, randDate(b.r, maxDate(lo, minDate(prev, hi)), hi), day)
			}
		case rules.KindMaxAge:
			fa := freshAge(chk)
			if n := newest(c.Items); n == nil || n.Date.DaysUntil(day) > fa {
				b.addClean(c, randDate(b.r, maxDate(day.AddDays(-fa), minDate(prev, last)), last), day)
			}
		}
	}
}

// addClean adds a clean item dated on to column c (and, for a document,
// its interpretation when that is published before day).
func (b *builder) addClean(c *Column, on, day evidence.Date) {
	it := b.makeItem(c, on)
	c.Items = append(c.Items, it)
	if it.Doc != nil {
		b.interpretNew(it, day, true)
	}
	b.ref.add(c, it)
}

// interpretNew gives a new document its interpretation within the allowed
// days, when that falls before day, as clean content does.
func (b *builder) interpretNew(doc *Item, day evidence.Date, clean bool) {
	interps := b.u.Column("interpretations")
	if interps == nil {
		return
	}
	on := b.rs.Calendar.AddWorkdays(doc.Date, between(b.r, 0, b.interpretationDelay()))
	if !on.Before(day) {
		return
	}
	x := b.interpretation(doc, on)
	if interps.State == ColumnPresent {
		interps.Items = append(interps.Items, x)
	}
	if clean {
		b.ref.add(interps, x)
	}
}

// interpretDue interprets, within the allowed days, the listed documents
// whose interpretation fell due after prev and by day (in the window or
// not: the window may reach them later), unless a defect takes their
// interpretation away.
func (b *builder) interpretDue(busy map[string]bool, prev, day evidence.Date) {
	ic := b.interpretationCheck()
	docs, interps := b.u.Column("documents"), b.u.Column("interpretations")
	if ic == nil || docs == nil || docs.State != ColumnPresent || interps == nil || interps.State != ColumnPresent {
		return
	}
	for _, doc := range docs.Items {
		deadline := b.rs.Calendar.AddWorkdays(doc.Date, ic.WorkingDays)
		if doc.Doc == nil || busy[doc.Path] || !deadline.After(prev) || deadline.After(day) {
			continue
		}
		b.interpretTimely(doc, ic, prev, day)
	}
}

// interpretOverdue interprets, as of the district's date, every listed
// document in the window that is due an interpretation and has none in
// time, unless a defect takes it away: a restored column or document
// must not bring back findings of its own.
func (b *builder) interpretOverdue() {
	ic := b.interpretationCheck()
	docs, interps := b.u.Column("documents"), b.u.Column("interpretations")
	if ic == nil || docs == nil || docs.State != ColumnPresent || interps == nil || interps.State != ColumnPresent {
		return
	}
	for _, doc := range docs.Items {
		if doc.Doc == nil || b.subjectTaken(doc.Path) || (ic.OnlyInWindow() && !b.d.InWindow(doc.Date)) ||
			b.rs.Calendar.AddWorkdays(doc.Date, ic.WorkingDays).After(b.d.AsOf) {
			continue
		}
		b.interpretTimely(doc, ic, evidence.Date{}, b.d.AsOf)
	}
}

// interpretTimely gives doc an interpretation within the allowed days,
// dated from prev on when it can be, unless one is there in time.
func (b *builder) interpretTimely(doc *Item, ic *rules.Check, prev, day evidence.Date) {
	interps := b.u.Column("interpretations")
	deadline := b.rs.Calendar.AddWorkdays(doc.Date, ic.WorkingDays)
	for _, x := range interps.Items {
		if (x.Interprets == doc || ties(x, doc)) && !x.Date.After(deadline) {
			return
		}
	}
	var days, any []evidence.Date
	for k := 0; k <= ic.WorkingDays; k++ {
		on := b.rs.Calendar.AddWorkdays(doc.Date, k)
		if on.After(deadline) || !on.Before(day) {
			continue
		}
		any = append(any, on)
		if !on.Before(prev) {
			days = append(days, on)
		}
	}
	if len(days) == 0 {
		days = any
	}
	if len(days) == 0 {
		return
	}
	x := b.interpretation(doc, pick(b.r, days))
	interps.Items = append(interps.Items, x)
	b.ref.add(interps, x)
	if ref, ok := b.ref.docs[doc]; ok && ref.interp == nil {
		ref.interp = doc.Doc.Interpretation
		b.ref.docs[doc] = ref
	}
	if doc == b.dueDecoy {
		// The decoy is no more: its interpretation came in time.
		b.u.Decoys = slices.DeleteFunc(b.u.Decoys, func(s string) bool { return s == b.dueNote })
		b.dueDecoy = nil
	}
}

// keepExpiring keeps a column whose expiring defect is kept inside its
// warning band as of day: when its newest item would be too old, an item
// dated inside the band is added (from prev on when the band allows).
func (b *builder) keepExpiring(c *Column, prev, day evidence.Date) {
	chk := b.check(c.ID, rules.KindMaxAge)
	n := newest(c.Items)
	if chk == nil || n == nil {
		return
	}
	lo, hi := expiringAges(chk)
	if n.Date.DaysUntil(day) <= hi {
		return
	}
	from, to := day.AddDays(-hi), day.AddDays(-lo)
	on := randDate(b.r, maxDate(from, minDate(prev, to)), to)
	it := b.makeItem(c, on)
	it.Date = on
	if it.Doc != nil {
		it.Doc.Written = on.AddDays(-between(b.r, 0, 7))
		b.interpretNew(it, day, false)
	}
	c.Items = append(c.Items, it)
}

// publishReports lists the annual reports published by day (the next
// years' made when day reaches them), in the unit's report look.
func (b *builder) publishReports(p unitPlan, day evidence.Date) {
	u, r := b.u, b.rr
	col := u.Column("annual-report")
	if col == nil || b.lastYear == 0 {
		return
	}
	due := rules.MonthDay{Month: 1, Day: 31}
	if chk := b.check(col.ID, rules.KindReportMissing); chk != nil {
		due = chk.DueFor(u.Type)
	}
	for y := b.lastYear + 1; y < day.Year; y++ {
		rep := genReport(r, u.RosterEntry, y, b.lastCarry)
		deadline := evidence.NewDate(y+1, time.Month(due.Month), due.Day)
		lo := evidence.NewDate(y+1, time.January, 10)
		hi := deadline.AddDays(-6)
		if lo.DaysUntil(deadline) > 60 {
			hi = deadline.AddDays(-11)
		} else {
			hi = minDate(lo.AddDays(15), hi)
		}
		b.future = append(b.future, futureReport{rep: rep, pub: randDate(r, lo, hi)})
		b.lastYear, b.lastCarry = y, rep.CarryNext
	}
	judged, _ := dueYear(reportDue(b.rs, u.Type), day)
	var later []futureReport
	for _, f := range b.future {
		if !f.pub.Before(day) {
			later = append(later, f)
			continue
		}
		a := f.rep
		year := fmt.Sprint(a.Year)
		if chance(r, 0.25) {
			year = cnYear(a.Year)
		}
		a.look = p.report.look
		if a.look.subtotals != subtotalsNone && a.Year != judged && chance(r, 0.3) {
			a.look.subtotals = subtotalsNone
		}
		if a.look.thousands {
			k := between(r, 1000, 1800)
			a.New[0] += k
			a.Results[0][0] += k
		}
		a.refresh()
		title := u.FullName + year + "年政府信息公开工作年度报告"
		b.titles[title] = true
		it := &Item{Title: title, Date: f.pub, AnnualReport: a, Source: u.FullName, Num: b.nextNum()}
		if col.State == ColumnPresent {
			col.Items = append(col.Items, it)
		}
		b.ref.add(col, it)
		b.ref.reports[it] = cloneReport(a)
	}
	b.future = later
}

// tidy sorts the lists newest first, numbers the documents new to the
// site, and notes the report judged as of day.
func (b *builder) tidy(day evidence.Date) {
	u := b.u
	for _, c := range u.Columns {
		sortItems(c.Items)
	}
	if docs := u.Column("documents"); docs != nil {
		var fresh []*Item
		for _, it := range append(slices.Clone(docs.Items), b.ref.items[docs]...) {
			if it.Doc != nil && it.Doc.Number == "" && !slices.Contains(fresh, it) {
				fresh = append(fresh, it)
			}
		}
		slices.SortStableFunc(fresh, func(x, y *Item) int {
			if c := x.Date.Compare(y.Date); c != 0 {
				return c
			}
			return x.Num - y.Num
		})
		if b.docSeq == nil {
			b.docSeq = map[int]int{}
		}
		for _, it := range fresh {
			y := it.Doc.Written.Year
			b.docSeq[y]++
			it.Doc.Number = fmt.Sprintf("%s发〔%d〕%d号", u.Abbr, y, b.docSeq[y])
			it.Doc.Index = fmt.Sprintf("%s/%d-%05d", u.Profile.OrgCode, it.Date.Year, 10*b.docSeq[y]+b.r.IntN(10))
		}
	}
	if col := u.Column("annual-report"); col != nil && col.State == ColumnPresent {
		u.reportYear, _ = dueYear(reportDue(b.rs, u.Type), day)
	}
}

// relayout lays the unit out again after a round changed it: the style's
// Plan replayed from the state it first started in gives every item,
// attachment, link and column the path it had, and new ones theirs.
func (b *builder) relayout() error {
	u := b.u
	b.noteLive()
	for _, items := range b.ref.items {
		for _, it := range items {
			b.known[it] = true
		}
	}
	for it := range b.known {
		it.Path = ""
		for _, a := range it.Attachments {
			a.Path = ""
		}
	}
	for _, c := range u.Columns {
		c.Path, c.PagePaths = "", nil
	}
	st := b.planState
	u.style.Plan(u, rand.New(&st))
	resolveFeatures(u)
	placeReportFiles(u)
	if err := u.buildRoutes(u.style.Assets(u)); err != nil {
		return err
	}
	u.Variants = tagVariants(u)
	return nil
}

// lapse drops the planted defects the round's truth no longer shows: the
// date moved their period, document or report out of what is judged.
func (g *player) lapse() {
	found := map[*Unit][]truthFinding{}
	for _, f := range g.d.truth {
		found[f.unit] = append(found[f.unit], f)
	}
	g.d.lapsed = nil
	for _, b := range g.b {
		u := b.u
		u.Defects = slices.DeleteFunc(u.Defects, func(df Defect) bool {
			if slices.ContainsFunc(found[u], func(f truthFinding) bool { return defectShows(df, f) }) {
				return false
			}
			g.d.lapsed = append(g.d.lapsed, UnitDefect{Unit: u.ID, Defect: df})
			return true
		})
	}
}

// defectShows reports whether finding f is the one defect df must produce.
func defectShows(df Defect, f truthFinding) bool {
	return f.kind == df.Kind.Finding() && f.column == df.Column && (df.Subject == "" || f.subject == df.Subject)
}

// roles gives each unit the role its defects make: unreachable while its
// site is down, vetoed while it keeps enough empty columns, clean without
// defects, defective otherwise.
func (g *player) roles() {
	veto := vetoEmpty
	for i := range g.d.Rules.Checks {
		if c := &g.d.Rules.Checks[i]; c.Kind == rules.KindCountVeto && c.Finding == rules.FindingColumnEmpty {
			veto = c.AtLeast
		}
	}
	for i, b := range g.b {
		u := b.u
		empty := 0
		for _, df := range u.Defects {
			if df.Kind == DefectEmptyColumn {
				empty++
			}
		}
		switch {
		case slices.ContainsFunc(u.Defects, func(df Defect) bool { return df.Kind == DefectUnreachable }):
			u.Role = RoleUnreachable
		case len(u.Defects) == 0:
			u.Role = RoleClean
		case g.plans[i].role == RoleVeto && empty >= veto:
			u.Role = RoleVeto
		default:
			u.Role = RoleDefective
		}
	}
}
