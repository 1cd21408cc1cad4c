package crawler

import (
	"context"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"gongkai/evidence"
	"gongkai/internal/attach"
	"gongkai/internal/gz"
	"gongkai/internal/pii"
)

// Content scans. The crawler reads the text of every item page it fetches
// (documents, interpretations, reports) and, when the plan asks, of the
// files those pages attach, and records what a content check needs as
// plain evidence: the personal numbers it finds, masked by the detector
// (internal/pii) before anything is kept, with where they stand and what
// surrounds them; and the uses of the names the plan lists, with whether
// they follow 原 or stand inside 《》. Whether a number is a leak or a
// name an error is for the judge: the crawler keeps page texts out of the
// evidence (they would bloat the database and hold personal data twice)
// and records only this.

// ContentPlan tells the crawler what to look for in the text of the item
// pages it reads and of the files they attach.
type ContentPlan struct {
	// Personal is the vocabulary recorded around personal numbers (which
	// column headers name persons, which words label a contact line, a
	// card, an identity number); nil looks for no personal numbers.
	Personal *pii.Vocabulary
	// Attachments also reads the files the pages attach (PDF with a text
	// layer, DOCX, DOC, XLSX, XLS, CSV) on the unit's hosts, within
	// Options.MaxAttachments and MaxAttachmentBytes, for personal numbers.
	Attachments bool
	// Names are the names whose uses to record (organs abolished by
	// institutional reform), each alias a name of its own.
	Names []string
}

// readable are the attachment extensions whose text is read.
var readable = map[string]bool{".pdf": true, ".doc": true, ".docx": true, ".wps": true, ".xls": true, ".xlsx": true, ".et": true, ".csv": true}

// content holds a unit's content scanning.
type content struct {
	plan  *ContentPlan
	det   *pii.Detector // nil: no personal numbers sought
	mu    sync.Mutex
	files map[string]*fileOnce
	read  int  // attachments read (or being read)
	spent bool // the attachment budget is spent (noted once)
}

type fileOnce struct {
	once sync.Once
	scan *evidence.FileScan
}

func newContent(p *ContentPlan) *content {
	if p == nil {
		return nil
	}
	c := &content{plan: p, files: map[string]*fileOnce{}}
	if p.Personal != nil {
		c.det = pii.New(*p.Personal)
	}
	return c
}

// scanPage scans a read item page: its text, and its attachments when the
// plan asks and files is true.
func (u *unitCrawl) scanPage(ctx context.Context, p *Page, title string, files bool) *evidence.ContentScan {
	c := u.content
	in, lines := pageInput(p, u.template, title)
	cs := &evidence.ContentScan{}
	u.scanText(cs, in, lines, c.plan.Names)
	if files && c.plan.Attachments && c.det != nil && !u.o.NoAttachments {
		seen := map[string]bool{}
		for _, a := range p.Anchors() {
			s := a.URL.String()
			if seen[s] || p.inChrome(a.Node) || !readable[strings.ToLower(path.Ext(a.URL.Path))] || !u.f.scope.allows(a.URL) {
				continue
			}
			seen[s] = true
			if fs := u.scanFile(ctx, a.URL, a.Text); fs != nil {
				cs.Files = append(cs.Files, *fs)
			}
		}
	}
	return cs
}

// scanText fills cs from a page's or file's text, recording the uses of
// names.
func (u *unitCrawl) scanText(cs *evidence.ContentScan, in pii.Input, lines []string, names []string) {
	c := u.content
	if c.det != nil {
		res := c.det.Scan(in)
		cs.Runes = res.Runes
		cs.Lists = res.Lists
		for _, g := range res.Groups {
			cs.Personal = append(cs.Personal, evidence.PersonalGroup{
				Kind: string(g.Kind), Form: g.Form, Count: g.Count, Part: g.Part, Column: g.Column,
				Rows: g.Rows, Example: g.Example, PersonTable: g.PersonTable, Context: g.Context,
			})
		}
	} else {
		for _, l := range lines {
			cs.Runes += utf8.RuneCountInString(l)
		}
	}
	if len(names) > 0 {
		cs.Names = FindNames(lines, names)
	}
}

// pageInput splits a page's content (outside chrome, links and the site's
// template) into the detector's parts: its text lines, then each table
// with its rows and cells. It also returns every line, cells included,
// with the title first, for the name finder.
func pageInput(p *Page, template map[string]bool, title string) (pii.Input, []string) {
	in := pii.Input{Title: title}
	lines := []string{title}
	var text [][]string
	type tbl struct {
		rows  map[*html.Node]int
		cells [][]string
	}
	var order []*html.Node
	tables := map[*html.Node]*tbl{}
	var cells cellIndex
	for _, seg := range p.Segments() {
		if seg.Chrome || template[seg.Text] {
			continue
		}
		n := utf8.RuneCountInString(seg.Text)
		if seg.LinkRunes*10 >= n*8 {
			continue // a run of links: navigation, or a list of files
		}
		lines = append(lines, seg.Text)
		if seg.Heading {
			in.Headings = append(in.Headings, seg.Text)
		}
		t, col := cells.of(seg)
		if t == nil {
			text = append(text, []string{seg.Text})
			continue
		}
		tb := tables[t]
		if tb == nil {
			tb = &tbl{rows: map[*html.Node]int{}}
			tables[t] = tb
			order = append(order, t)
		}
		ri, ok := tb.rows[seg.Row]
		if !ok {
			ri = len(tb.cells)
			tb.rows[seg.Row] = ri
			tb.cells = append(tb.cells, nil)
		}
		row := tb.cells[ri]
		for len(row) <= col {
			row = append(row, "")
		}
		if row[col] != "" {
			row[col] += " "
		}
		row[col] += seg.Text
		tb.cells[ri] = row
	}
	if len(text) > 0 {
		in.Parts = append(in.Parts, pii.Part{Name: "正文", Rows: text})
	}
	for i, t := range order {
		in.Parts = append(in.Parts, pii.Part{Name: fmt.Sprintf("表格%d", i+1), Table: true, Rows: tables[t].cells})
	}
	return in, lines
}

// cellIndex tells the table and column of segments' cells, in document
// order: the column counts the cells before a cell in its row, counted on
// from the row's last cell seen, so a long row is counted once.
type cellIndex struct {
	row, cell *html.Node
	col       int
	table     *html.Node
}

// of returns the table holding a segment's cell (td or th) and the cell's
// column; nil outside tables.
func (x *cellIndex) of(seg Segment) (*html.Node, int) {
	c, row := seg.Cell, seg.Row
	if c == nil || row == nil || (c.DataAtom != atom.Td && c.DataAtom != atom.Th) || row.DataAtom != atom.Tr {
		return nil, 0
	}
	if c == x.cell {
		return x.table, x.col
	}
	from, col := row.FirstChild, 0
	if row == x.row && x.cell != nil {
		from, col = x.cell, x.col
	} else {
		x.table = nil
		for t := row.Parent; t != nil; t = t.Parent {
			if t.Type == html.ElementNode && t.DataAtom == atom.Table {
				x.table = t
				break
			}
		}
	}
	for s := from; s != nil && s != c; s = s.NextSibling {
		if s.Type == html.ElementNode && (s.DataAtom == atom.Td || s.DataAtom == atom.Th) {
			col++
		}
	}
	x.row, x.cell, x.col = row, c, col
	return x.table, col
}

// scanFile reads an attachment for its text, once per unit and URL, within
// the unit's attachment budget; nil when the budget is spent.
func (u *unitCrawl) scanFile(ctx context.Context, fu *url.URL, linkText string) *evidence.FileScan {
	c := u.content
	key := fu.String()
	c.mu.Lock()
	fo := c.files[key]
	if fo == nil {
		if c.read >= u.o.MaxAttachments {
			spent := c.spent
			c.spent = true
			c.mu.Unlock()
			if !spent {
				u.note("attachment budget of %d files spent; %s and later attachments only checked as links", u.o.MaxAttachments, key)
			}
			return nil
		}
		c.read++
		fo = &fileOnce{}
		c.files[key] = fo
	}
	c.mu.Unlock()
	fo.once.Do(func() { fo.scan = u.readFile(ctx, fu, linkText) })
	return fo.scan
}

// readFile fetches an attachment and scans its text.
func (u *unitCrawl) readFile(ctx context.Context, fu *url.URL, linkText string) *evidence.FileScan {
	key := fu.String()
	r := u.f.get(ctx, fu, evidence.RoleAttach, modeAttachment)
	u.record(r)
	u.storePage(key, r)
	fs := &evidence.FileScan{URL: key, Text: pii.MaskCandidates(strings.TrimSpace(linkText))}
	switch {
	case r.fetch.Class == evidence.ClassTooLarge || r.fetch.Truncated:
		fs.Unread = fmt.Sprintf("the file is larger than the %d-byte cap for attachments and was not read", u.o.MaxAttachmentBytes)
		return fs
	case r.body == nil || r.fetch.Class != evidence.ClassOK:
		fs.Unread = "the file could not be fetched: " + describeClass(r.fetch)
		return fs
	}
	kind := attach.Sniff(fu.Path, r.body)
	fs.Kind = string(kind)
	title := strings.TrimSpace(linkText + " " + fileName(fu))
	in, lines, err := u.fileInput(ctx, fu, kind, r.body, title)
	if err != nil && len(in.Parts) == 0 {
		fs.Unread = err.Error()
		return fs
	}
	fs.Truncated = err != nil
	// Names are judged on the documents' own pages, not in their files.
	u.scanText(&fs.ContentScan, in, lines, nil)
	if len(fs.Personal) > 0 {
		u.keepBody(r)
	}
	return fs
}

// fileName returns the last element of a URL's path, unescaped.
func fileName(fu *url.URL) string {
	name := path.Base(fu.Path)
	if n, err := url.PathUnescape(name); err == nil {
		return n
	}
	return name
}

// fileInput reads a file's text into the detector's parts. An error with
// parts means the file was read only in part.
func (u *unitCrawl) fileInput(ctx context.Context, fu *url.URL, kind attach.Kind, data []byte, title string) (pii.Input, []string, error) {
	in := pii.Input{Title: title}
	switch kind {
	case attach.KindPDF:
		text, err := attach.PDFText(ctx, data)
		if err != nil {
			return in, nil, err
		}
		return pdfInput(title, text), nil, nil
	case attach.KindDOCX, attach.KindDOC:
		docx := data
		if kind == attach.KindDOC {
			if !attach.IsCompound(data, "WordDocument") {
				return in, nil, fmt.Errorf("not a Word 97-2003 document (damaged, or another format under its name)")
			}
			var err error
			if docx, err = attach.DOCToDOCX(ctx, data); err != nil {
				return in, nil, err
			}
		}
		h, err := attach.DOCXHTML(docx)
		if err != nil {
			return in, nil, err
		}
		p, err := ParsePage(fu, h, "text/html; charset=utf-8")
		if err != nil {
			return in, nil, err
		}
		in, lines := pageInput(p, nil, title)
		return in, lines, nil
	case attach.KindXLSX, attach.KindXLS, attach.KindCSV:
		sheets, err := attach.ReadSheets(ctx, kind, data)
		for _, sh := range sheets {
			name := "表格"
			if sh.Name != "" {
				name = "工作表“" + sh.Name + "”"
			}
			in.Parts = append(in.Parts, pii.Part{Name: name, Table: true, Rows: sh.Rows, RowNums: sh.RowNums})
		}
		return in, nil, err
	}
	return in, nil, fmt.Errorf("not a file kind gongkai reads for its text (PDF, DOCX, DOC, XLSX, XLS, CSV)")
}

// cellGap splits a laid-out PDF line into cells: two spaces or more.
var cellGap = regexp.MustCompile(`\s{2,}`)

// pdfInput splits pdftotext's laid-out text into pages (form feeds),
// blocks (blank lines: a table, a paragraph), lines and cells.
func pdfInput(title, text string) pii.Input {
	in := pii.Input{Title: title}
	for i, page := range strings.Split(text, "\f") {
		name := fmt.Sprintf("第%d页", i+1)
		var rows [][]string
		var nums []int
		flush := func() {
			if len(rows) > 0 {
				in.Parts = append(in.Parts, pii.Part{Name: name, Table: true, Rows: rows, RowNums: nums})
			}
			rows, nums = nil, nil
		}
		for k, line := range strings.Split(page, "\n") {
			line = strings.TrimSpace(line)
			if line == "" {
				flush()
				continue
			}
			if i == 0 && len(in.Headings) < 3 {
				in.Headings = append(in.Headings, line)
			}
			rows = append(rows, cellGap.Split(line, -1))
			nums = append(nums, k+1)
		}
		flush()
	}
	return in
}

// maskEvidence masks the personal numbers (pii.MaskCandidates) in every
// text the evidence keeps of what pages showed: titles, labels and their
// values, metadata, column texts, report notes, page metas, crawl notes.
// The content scans are masked by the detector already; bodies, kept as
// fetched, are the one place the numbers remain.
func maskEvidence(ue *evidence.UnitEvidence) {
	m := pii.MaskCandidates
	labels := func(ls []evidence.Label) {
		for i := range ls {
			ls[i].Label, ls[i].Value = m(ls[i].Label), m(ls[i].Value)
		}
	}
	metas := func(mm map[string]string) {
		for k, v := range mm {
			mm[k] = m(v)
		}
	}
	fetches := func(fs []evidence.Fetch) {
		for i := range fs {
			metas(fs[i].Meta)
		}
	}
	fetches(ue.Fetches)
	fetches(ue.Reach.Attempts)
	for i := range ue.Links {
		if f := ue.Links[i].Fetch; f != nil {
			metas(f.Meta)
		}
	}
	for i := range ue.Notes {
		ue.Notes[i] = m(ue.Notes[i])
	}
	for ci := range ue.Columns {
		col := &ue.Columns[ci]
		col.Text = m(col.Text)
		col.Discovery.LinkText = m(col.Discovery.LinkText)
		labels(col.Labels)
		for ii := range col.Items {
			it := &col.Items[ii]
			it.Title, it.DateText = m(it.Title), m(it.DateText)
			d := it.Doc
			if d == nil {
				continue
			}
			d.Title = m(d.Title)
			metas(d.Meta)
			labels(d.Labels)
			for k := range d.Quoted {
				d.Quoted[k] = m(d.Quoted[k])
			}
			if r := d.AnnualReport; r != nil {
				r.Title = m(r.Title)
				for k := range r.Notes {
					r.Notes[k] = m(r.Notes[k])
				}
				for _, t := range r.Tables {
					for _, row := range t.Rows {
						for k, c := range row {
							if c.Raw != "" {
								c.Raw = m(c.Raw)
								row[k] = c
							}
						}
					}
				}
			}
		}
	}
}

// keepBody keeps a fetched body as evidence, within the unit's budget.
func (u *unitCrawl) keepBody(r *response) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if r.body == nil || r.fetch.SHA256 == "" {
		return
	}
	if _, ok := u.ev.Bodies[r.fetch.SHA256]; !ok && u.kept+len(r.body) <= u.o.KeepBodyBytes {
		u.ev.Bodies[r.fetch.SHA256] = gz.Compress(r.body)
		u.kept += len(r.body)
	}
}

// FindNames returns the uses of names in lines: each use counted as
// current, former (after 原, or in a list of names that 原 opens: 原国家
// 质量监督检验检疫总局、国家工商行政管理总局) or quoted (inside 《》). A
// name inside a longer listed name counts once, as the longer. A name of
// a ministry (…部) followed by 门, 署 and the like is a common noun
// (农业部门), not the ministry. Numbers in the context kept are masked.
func FindNames(lines []string, names []string) []evidence.NameUse {
	type use struct {
		name       string
		start, end int // in the line
	}
	// One search per name over the whole text, not per line: most
	// documents name none.
	text := strings.Join(lines, "\n")
	starts := make([]int, len(lines))
	for i, at := 1, 0; i < len(lines); i++ {
		at += len(lines[i-1]) + 1
		starts[i] = at
	}
	byLine := map[int][]use{}
	for _, n := range names {
		if n == "" {
			continue
		}
		for at := 0; ; {
			i := strings.Index(text[at:], n)
			if i < 0 {
				break
			}
			s, e := at+i, at+i+len(n)
			at = e
			if strings.HasSuffix(n, "部") {
				if r, _ := utf8.DecodeRuneInString(text[e:]); strings.ContainsRune("门署分位件队落首", r) {
					continue
				}
			}
			li := sort.SearchInts(starts, s+1) - 1
			byLine[li] = append(byLine[li], use{n, s - starts[li], e - starts[li]})
		}
	}
	byName := map[string]*evidence.NameUse{}
	for li := range lines {
		uses := byLine[li]
		if len(uses) == 0 {
			continue
		}
		line := lines[li]
		// The longest name wins where names overlap.
		sort.Slice(uses, func(i, j int) bool {
			if uses[i].start != uses[j].start {
				return uses[i].start < uses[j].start
			}
			return uses[i].end > uses[j].end
		})
		var kept []use
		for _, x := range uses {
			if len(kept) > 0 && x.start < kept[len(kept)-1].end {
				continue
			}
			kept = append(kept, x)
		}
		prevFormer, prevEnd := false, -1
		open, counted := 0, 0 // 《 not yet closed in line[:counted]
		for _, x := range kept {
			nu := byName[x.name]
			if nu == nil {
				nu = &evidence.NameUse{Name: x.name}
				byName[x.name] = nu
			}
			seg := line[counted:x.start]
			open = max(0, open+strings.Count(seg, "《")-strings.Count(seg, "》"))
			counted = x.start
			pre := line[max(0, x.start-8):x.start]
			former := strings.HasSuffix(strings.TrimRight(pre, " "), "原")
			if !former && prevFormer && prevEnd >= 0 {
				between := strings.TrimSpace(line[prevEnd:x.start])
				former = between == "、" || between == "和" || between == "及" || between == "与" || between == ","
			}
			switch {
			case open > 0:
				nu.Quoted++
				former = false
			case former:
				nu.Former++
			default:
				nu.Current++
				if nu.Context == "" {
					nu.Context = pii.MaskText(around(line, x.start, x.end, 15))
				}
			}
			prevFormer, prevEnd = former, x.end
		}
	}
	var out []evidence.NameUse
	for _, n := range names {
		if nu := byName[n]; nu != nil {
			out = append(out, *nu)
			delete(byName, n)
		}
	}
	return out
}

// around returns s[start:end] with up to n runes either side.
func around(s string, start, end, n int) string {
	left := []rune(s[:start])
	right := []rune(s[end:])
	pre, post := "", ""
	if len(left) > n {
		left, pre = left[len(left)-n:], "…"
	}
	if len(right) > n {
		right, post = right[:n], "…"
	}
	return pre + string(left) + s[start:end] + string(right) + post
}
