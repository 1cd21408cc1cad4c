// Package pii finds numbers that identify a person in text a government
// page or file discloses: resident identity card numbers (居民身份证号码,
// GB 11643: 18 characters with a valid check digit, a birth date and a
// region prefix; also the old 15-digit form), mobile numbers (11 digits
// with a prefix in use) and bank card numbers (16 to 19 digits passing the
// Luhn check), each with where it stands and what surrounds it: the table
// and row, the column's header, whether the table lists persons (a column
// headed 姓名), and which words of a vocabulary stand near it (联系电话,
// 银行卡号, 身份证).
//
// It reports candidates, masked (110105********1234, 138****5678): no
// unmasked number ever leaves the package. It judges nothing: whether a
// mobile number on a line labelled 联系电话 is the unit's own contact
// line, published on purpose, or a citizen's, is for the ruleset to say
// (package scoring). Numbers already masked by the publisher are not
// candidates. The package is pure: no I/O, no clock, no global state.
package pii

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Kind is a kind of personal number.
type Kind string

// The kinds.
const (
	// KindID is a resident identity card number (18 characters, or the
	// 15-digit form issued before 1999).
	KindID Kind = "id"
	// KindMobile is a mainland mobile number.
	KindMobile Kind = "mobile"
	// KindCard is a bank card number.
	KindCard Kind = "card"
)

// Vocabulary lists the words whose presence around a number the detector
// records. The zero Vocabulary records none; DefaultVocabulary is what the
// default ruleset uses.
type Vocabulary struct {
	// PersonHeaders are column headers that name persons (姓名): a table
	// with such a column lists persons.
	PersonHeaders []string
	// ListWords mark a page or file as a list of persons when its title,
	// headings or sheet names carry one (名单, 公示).
	ListWords []string
	// ContactWords label a unit's contact line (联系电话, 咨询电话).
	ContactWords []string
	// CardWords say a number is a card or account (银行卡, 账号).
	CardWords []string
	// IDWords say a number is an identity number (身份证).
	IDWords []string
}

// DefaultVocabulary returns the vocabulary of the default ruleset.
func DefaultVocabulary() Vocabulary {
	return Vocabulary{
		PersonHeaders: []string{"姓名", "名字", "户主", "申请人", "持卡人", "收款人", "领取人", "救助对象", "补贴对象", "当事人"},
		ListWords:     []string{"名单", "公示", "花名册", "名册", "人员信息", "人员名册", "明细表"},
		ContactWords:  []string{"联系人", "联系电话", "联系方式", "咨询电话", "监督电话", "举报电话", "投诉电话", "值班电话", "办公电话", "服务热线"},
		CardWords:     []string{"银行卡", "卡号", "账号", "帐号", "账户", "帐户"},
		IDWords:       []string{"身份证", "证件号", "身份号码"},
	}
}

// Part is one table or one run of text lines of a page or file.
type Part struct {
	// Name says where the part is, as a reader finds it: 表格1, 正文,
	// 工作表“Sheet1”, 第2页.
	Name string
	// Table is true when Rows are table rows: the first row with two or
	// more filled cells (among the first five) heads the columns.
	Table bool
	// Rows are the rows, each a list of cells; a line of text is a row of
	// one cell.
	Rows [][]string
	// RowNums numbers the rows as the reader shows them (a worksheet's
	// row numbers); nil numbers them from 1.
	RowNums []int
}

// Input is the text of one page or file, in parts.
type Input struct {
	// Title is the page's title or the file's name.
	Title string
	// Headings are headings and title lines, searched for list words.
	Headings []string
	// Parts are the tables and text runs, in order.
	Parts []Part
}

// Group is a set of candidates of one kind that stand in the same place
// and the same context: a column of a table, or lines of text with the
// same words before the number.
type Group struct {
	// Kind is the kind of number.
	Kind Kind
	// Form is "15" for the 15-digit identity number; "" otherwise.
	Form string
	// Count is the number of candidates (the same number twice counts twice).
	Count int
	// Part names the table or text run (Part.Name).
	Part string
	// Column is the header of the candidates' column, masked and cut to
	// 16 runes; "" outside tables.
	Column string
	// Rows are the row numbers of the first candidates (at most MaxRows).
	Rows []int
	// Example is the first candidate, masked.
	Example string
	// PersonTable is true when the table has a column headed by a person
	// header.
	PersonTable bool
	// Context lists the vocabulary words (contact, card and identity
	// words) in the column's header and before the number on its line.
	Context []string
}

// MaxRows bounds the row numbers a Group keeps.
const MaxRows = 20

// Result is what a scan found.
type Result struct {
	// Runes is the number of runes scanned.
	Runes int
	// Lists are the list words seen in the title, headings and part names.
	Lists []string
	// Groups are the candidates, grouped, in order of first appearance.
	Groups []Group
}

// Count returns the number of candidates of kind k.
func (r *Result) Count(k Kind) int {
	n := 0
	for _, g := range r.Groups {
		if g.Kind == k {
			n += g.Count
		}
	}
	return n
}

// Detector scans inputs with one vocabulary. It is safe for concurrent use.
type Detector struct {
	v Vocabulary
}

// New returns a detector recording the words of v.
func New(v Vocabulary) *Detector {
	clean := func(ws []string) []string {
		var out []string
		for _, w := range ws {
			if w = strings.TrimSpace(w); w != "" && !slices.Contains(out, w) {
				out = append(out, w)
			}
		}
		return out
	}
	return &Detector{v: Vocabulary{
		PersonHeaders: clean(v.PersonHeaders), ListWords: clean(v.ListWords), ContactWords: clean(v.ContactWords),
		CardWords: clean(v.CardWords), IDWords: clean(v.IDWords),
	}}
}

// contextRunes is how far before a number on its line the detector looks
// for words.
const contextRunes = 24

// Scan finds the candidates of in.
func (d *Detector) Scan(in Input) Result {
	var res Result
	lists := map[string]bool{}
	noteLists := func(s string) {
		s = squeeze(s)
		for _, w := range d.v.ListWords {
			if strings.Contains(s, w) && !lists[w] {
				lists[w] = true
				res.Lists = append(res.Lists, w)
			}
		}
	}
	noteLists(in.Title)
	for _, h := range in.Headings {
		noteLists(h)
	}
	index := map[string]int{}
	for _, p := range in.Parts {
		noteLists(p.Name)
		header := -1
		var heads []string
		person := false
		if p.Table {
			header = headerRow(p.Rows)
			if header >= 0 {
				heads = p.Rows[header]
				for _, h := range heads {
					if d.anyWord(squeeze(h), d.v.PersonHeaders) != "" {
						person = true
					}
				}
				for _, r := range p.Rows[:header] {
					noteLists(strings.Join(r, ""))
				}
			}
		}
		gap := false // a blank row after the header ended the table
		for ri, row := range p.Rows {
			num := ri + 1
			if ri < len(p.RowNums) {
				num = p.RowNums[ri]
			}
			if ri > 0 && ri < len(p.RowNums) && p.RowNums[ri] > p.RowNums[ri-1]+1 && ri > header {
				gap = true
			}
			// A row of the table: after its header, before a blank row,
			// with two cells or more (a line of text below a sheet's
			// table fills one).
			inTable := header >= 0 && ri > header && !gap && filled(row) >= 2
			for ci, cell := range row {
				res.Runes += utf8.RuneCountInString(cell)
				if !hasDigitRun(cell) {
					continue
				}
				col := ""
				if inTable && ci < len(heads) {
					col = heads[ci]
				}
				for _, m := range findNumbers(cell) {
					ctx := d.context(squeeze(col) + " " + before(cell, m.start))
					key := string(m.kind) + "\x00" + m.form + "\x00" + p.Name + "\x00" + col + "\x00" + strings.Join(ctx, ",") + "\x00" + fmt.Sprint(person && inTable)
					gi, ok := index[key]
					if !ok {
						gi = len(res.Groups)
						index[key] = gi
						res.Groups = append(res.Groups, Group{
							Kind: m.kind, Form: m.form, Part: p.Name, Column: cut(MaskText(cut(strings.TrimSpace(col), 64)), 16),
							Example: m.masked, PersonTable: person && inTable, Context: ctx,
						})
					}
					g := &res.Groups[gi]
					g.Count++
					if len(g.Rows) < MaxRows && (len(g.Rows) == 0 || g.Rows[len(g.Rows)-1] != num) {
						g.Rows = append(g.Rows, num)
					}
				}
			}
		}
	}
	return res
}

// filled counts a row's non-blank cells.
func filled(row []string) int {
	n := 0
	for _, c := range row {
		if strings.TrimSpace(c) != "" {
			n++
		}
	}
	return n
}

// headerRow returns the index of the row heading a table's columns: the
// first of the first five with two or more filled cells; -1 when none.
func headerRow(rows [][]string) int {
	for i, r := range rows {
		if i >= 5 {
			break
		}
		n := 0
		for _, c := range r {
			if strings.TrimSpace(c) != "" {
				n++
			}
		}
		if n >= 2 {
			return i
		}
	}
	return -1
}

// context returns the vocabulary words (contact, card, identity) in s.
func (d *Detector) context(s string) []string {
	var out []string
	for _, ws := range [][]string{d.v.ContactWords, d.v.CardWords, d.v.IDWords} {
		for _, w := range ws {
			if strings.Contains(s, w) && !slices.Contains(out, w) {
				out = append(out, w)
			}
		}
	}
	return out
}

func (d *Detector) anyWord(s string, ws []string) string {
	for _, w := range ws {
		if strings.Contains(s, w) {
			return w
		}
	}
	return ""
}

// before returns the text of s before byte offset i on the same line, at
// most contextRunes runes, from the last sentence break on.
func before(s string, i int) string {
	// A window of the last runes only: a long cell holding many numbers
	// is read in linear time.
	from := max(0, i-contextRunes*utf8.UTFMax)
	for from < i && !utf8.RuneStart(s[from]) {
		from++
	}
	s = s[from:i]
	if k := strings.LastIndexAny(s, "。；;！!？?\n"); k >= 0 {
		_, n := utf8.DecodeRuneInString(s[k:])
		s = s[k+n:]
	}
	if utf8.RuneCountInString(s) > contextRunes {
		r := []rune(s)
		s = string(r[len(r)-contextRunes:])
	}
	return squeeze(s)
}

// squeeze drops whitespace (标 签 spaced out on many pages) and folds
// full-width forms.
func squeeze(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		r = fold(r)
		switch r {
		case ' ', '\t', '\n', '\r':
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// fold maps full-width digits, letters and the ideographic space to ASCII.
func fold(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		return r - 0xFF01 + '!'
	case r == 0x3000 || r == 0x00A0:
		return ' '
	}
	return r
}

func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// hasDigitRun reports whether s holds the eleven digits the shortest
// candidate (a mobile number) needs: a cheap test that skips most cells.
func hasDigitRun(s string) bool { return hasDigits(s, 11) }

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

func isAlnum(r rune) bool {
	return isDigit(r) || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
}
