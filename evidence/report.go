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
	// FromText is true when figures were read from prose rather than tables.
	FromText bool `json:"from_text,omitempty"`
	// Notes are parse notes (a row not recognised, text in a number cell).
	Notes []string `json:"notes,omitempty"`
}

// ReportTable holds the cells of one report table by row and column key.
type ReportTable struct {
	// Rows maps a canonical row key to its cells by canonical column key.
	Rows map[string]map[string]Cell `json:"rows"`
}

// Cell is one figure of a report table.
type Cell struct {
	// Value is the number printed; meaningful only when Present.
	Value int64 `json:"value"`
	// Present is false for a blank cell (a blank is not a zero).
	Present bool `json:"present"`
	// Raw is the text printed in the cell when it was not a clean number.
	Raw string `json:"raw,omitempty"`
}
