package evidence

// AnnualReport is an annual report on government-information-disclosure work, read
// into the model of the State Council's format (docs/spec.md#annual-report-identities). The parser records
// what the report prints; it does not check identities.
type AnnualReport struct {
	// Year is the year reported on (read from the title), 0 when unknown.
	Year int `json:"year"`
	// Format is the version of the format in force for the report's year:
	// "2021" (reports on 2021 on), "2019" (on 2019 and 2020) or "2008"
	// (reports under the 2008 Regulations, on 2018 and before).
	Format string `json:"format"`
	// Title is the report's title.
	Title string `json:"title"`
	// Published is the publication date from the list or the page.
	Published Date `json:"published"`
	// Sections lists the section numbers whose headings were found: 1..6
	// of the 2019 format's six sections; for the 2008 format, 1..6 of the
	// contents its Article 32 lists (主动公开, 依申请公开, 收费及减免,
	// 复议和诉讼, 问题及改进, 其他事项).
	Sections []int `json:"sections"`
	// Tables maps a table id ("2", "3", "4") to its figures.
	Tables map[string]*AnnualReportTable `json:"tables,omitempty"`
	// Attachments are report-like files the page links to (a report
	// published as a PDF or Word file beside a short page).
	Attachments []string `json:"attachments,omitempty"`
	// Source says what the report was read from: "html" (a page), "pdf",
	// "docx" or "doc" (an attachment); empty means html.
	Source string `json:"source,omitempty"`
	// SourceURL is the attachment read, when Source is not html.
	SourceURL string `json:"source_url,omitempty"`
	// Unread says why the report (or its attachment) could not be read:
	// a scanned PDF without a text layer, a reader not installed, a file
	// too large. What could not be read is no finding against the unit:
	// a judge gives a notice asking for a manual check.
	Unread string `json:"unread,omitempty"`
	// Notes are parse notes (a row not recognised, text in a number cell).
	Notes []string `json:"notes,omitempty"`
}

// AnnualReportTable holds the cells of one report table by row and column key.
// Table 3 rows: new, carried_in, open, partial, refused.1..8 (refused: a
// printed subtotal), unable.1..3 (unable), unprocessed.1..5 (unprocessed),
// other (2019) or other.1..3 (2021; other: a printed subtotal), total,
// carried_out; its columns: natural, business, research, charity, legal,
// other_org, total. Table 4 rows: review, suit_direct, suit_after; columns:
// upheld, corrected, other, pending, total. Table 2 keeps the labels printed.
type AnnualReportTable struct {
	// Rows maps a canonical row key to its cells by canonical column key.
	Rows map[string]map[string]Cell `json:"rows"`
	// FromText is true when the figures were read from prose, not a table:
	// the table itself is absent.
	FromText bool `json:"from_text,omitempty"`
	// Unread says why the table's figures could not be read reliably (a
	// PDF whose columns could not be aligned); its figures are then not
	// judged.
	Unread string `json:"unread,omitempty"`
}

// Cell is one figure of a report table.
type Cell struct {
	// Value is the integer printed; meaningful only when Number.
	Value int64 `json:"value"`
	// Number is true when an integer was read (possibly negative).
	Number bool `json:"number"`
	// Blank is true when the cell was empty or held no figure (—, /, 无):
	// a blank is not a zero.
	Blank bool `json:"blank,omitempty"`
	// Raw is the text printed when it was not a clean integer.
	Raw string `json:"raw,omitempty"`
}
