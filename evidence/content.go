package evidence

// ContentScan is what the crawler's content detector saw in the text of a
// page it read (and, in Files, of the files the page attaches): numbers
// that may identify a person, already masked, with where they stand and
// what surrounds them, and the uses of the names the plan listed (names
// of organs abolished by institutional reform). It records; whether a
// number is a leak or a name an error is for the judge. No unmasked
// number is ever kept here: the page's body, as fetched, is the one place
// that holds them.
type ContentScan struct {
	// Runes is the length of the visible text scanned, in runes.
	Runes int `json:"runes"`
	// Truncated is true when only part of the text could be scanned (a
	// workbook larger than the reader's cell bound).
	Truncated bool `json:"truncated,omitempty"`
	// Lists are the words that mark a list of persons (名单, 公示) seen in
	// the title, the headings, the sheet names or the rows above a table's
	// header.
	Lists []string `json:"lists,omitempty"`
	// Personal are the candidate personal numbers, grouped by place and
	// context, in order of first appearance.
	Personal []PersonalGroup `json:"personal,omitempty"`
	// Names are the uses of the listed names, in the order the plan
	// listed them; names not seen are left out.
	Names []NameUse `json:"names,omitempty"`
	// Files are the page's attachments read for their text, in page
	// order; empty in a file's own scan.
	Files []FileScan `json:"files,omitempty"`
}

// The kinds of personal number.
const (
	PersonalID     = "id"     // 居民身份证号码, 18 characters (Form "15": the old 15 digits)
	PersonalMobile = "mobile" // 手机号码
	PersonalCard   = "card"   // 银行卡号
)

// PersonalGroup is a set of candidate numbers of one kind standing in one
// place (a table's column, or lines of text) with the same context.
type PersonalGroup struct {
	// Kind is PersonalID, PersonalMobile or PersonalCard.
	Kind string `json:"kind"`
	// Form is "15" for a 15-digit identity number; "" otherwise.
	Form string `json:"form,omitempty"`
	// Count is how many there are.
	Count int `json:"count"`
	// Part is where: 表格2 (a page's second table), 正文 (its text),
	// 工作表“名单” (a worksheet), 第3页 (a PDF page).
	Part string `json:"part"`
	// Column is the header of their column, masked; "" outside tables.
	Column string `json:"column,omitempty"`
	// Rows are the rows (lines) of the first ones, as the part numbers
	// them.
	Rows []int `json:"rows,omitempty"`
	// Example is the first one, masked (110105********1234).
	Example string `json:"example"`
	// PersonTable is true when they stand in a table with a column of
	// persons (headed 姓名 or the like).
	PersonTable bool `json:"person_table,omitempty"`
	// Context lists the words seen in their column's header or before
	// them on their line: contact labels (联系电话), card words (卡号),
	// identity words (身份证).
	Context []string `json:"context,omitempty"`
}

// NameUse counts the uses of one listed name in a page's title and text.
type NameUse struct {
	// Name is the name as listed (and as printed).
	Name string `json:"name"`
	// Current counts the uses as an actor: not after 原, not inside 《》.
	Current int `json:"current,omitempty"`
	// Former counts the uses after 原 (原国家工商行政管理总局), or in a
	// list of names that 原 opens.
	Former int `json:"former,omitempty"`
	// Quoted counts the uses inside 《》: the title of an older document.
	Quoted int `json:"quoted,omitempty"`
	// Context is the first current use with the words around it, numbers
	// masked.
	Context string `json:"context,omitempty"`
}

// FileScan is the content scan of one attachment.
type FileScan struct {
	// URL is the file's URL; its request is among the unit's fetches
	// (role attachment).
	URL string `json:"url"`
	// Text is the text of the page's link to the file, numbers masked.
	Text string `json:"text,omitempty"`
	// Kind is the file's type as read: pdf, docx, doc, xlsx, xls, csv.
	Kind string `json:"kind,omitempty"`
	// Unread says why the file's text could not be read (not fetched, too
	// large, a scan without a text layer, a reader not installed, a
	// damaged file); what could not be read holds no finding.
	Unread string `json:"unread,omitempty"`
	ContentScan
}

// HasPersonal reports whether the scan (a page's own, or any of its files')
// holds candidate personal numbers.
func (s *ContentScan) HasPersonal() bool {
	if s == nil {
		return false
	}
	if len(s.Personal) > 0 {
		return true
	}
	for i := range s.Files {
		if len(s.Files[i].Personal) > 0 {
			return true
		}
	}
	return false
}
