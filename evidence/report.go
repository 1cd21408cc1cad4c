package evidence

// Report is an annual report on government-information-disclosure work, read
// into the model of the State Council's format (SPEC §7). The parser records
// what the report prints; it does not check identities.
type Report struct {
	// Year is the year reported on (read from the title), 0 when unknown.
	Year int `json:"year"`
	// Format is "2019" or "2021", the version of the format chosen by year.
	Format string `json:"format"`
	// Title is the report's title.
	Title string `json:"title"`
	// Published is the publication date from the list or the page.
	Published Date `json:"published"`
	// Sections lists the section numbers (1..6) whose headings were found.
	Sections []int `json:"sections"`
	// Tables maps a table id ("2", "3", "4") to its figures.
	Tables map[string]*ReportTable `json:"tables,omitempty"`
	// Attachments are report-like files the page links to (a report
	// published as a PDF or Word file beside a short page).
	Attachments []string `json:"attachments,omitempty"`
	// Notes are parse notes (a row not recognised, text in a number cell).
	Notes []string `json:"notes,omitempty"`
}

// ReportTable holds the cells of one report table by row and column key.
// Table 3 rows: new, carried_in, open, partial, refused.1..8 (refused: a
// printed subtotal), unable.1..3 (unable), unprocessed.1..5 (unprocessed),
// other (2019) or other.1..3 (2021; other: a printed subtotal), total,
// carried_out; its columns: natural, business, research, charity, legal,
// other_org, total. Table 4 rows: review, suit_direct, suit_after; columns:
// upheld, corrected, other, pending, total. Table 2 keeps the labels printed.
type ReportTable struct {
	// Rows maps a canonical row key to its cells by canonical column key.
	Rows map[string]map[string]Cell `json:"rows"`
	// FromText is true when the figures were read from prose, not a table:
	// the table itself is absent.
	FromText bool `json:"from_text,omitempty"`
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
