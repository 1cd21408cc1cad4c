package report

import (
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"gongkai/evidence"
)

// Workbook is what WriteWorkbook lays out in an Excel workbook (.xlsx) for a
// disclosure office: the ranking, the problem list, the problems by kind,
// and one sheet per unit. Each part is present when its field is not nil.
type Workbook struct {
	// Title and Subject go into the workbook's document properties (shown
	// by Excel, WPS and LibreOffice under File → Properties); empty leaves
	// them out.
	Title   string
	Subject string
	// Ranking, when not nil, is laid out on the sheet 排名.
	Ranking *RankingTable
	// Problems, when not nil, is laid out on the sheets 问题清单 and 按类型,
	// and, with PerUnit, on one sheet per unit.
	Problems *ProblemTable
}

// RankingTable is the ranking a workbook shows.
type RankingTable struct {
	// Rows are the units in rank order (RankingFrom).
	Rows []RankingRow
	// Dimensions are the dimension columns, in order (DimensionsFrom).
	Dimensions []DimensionHeader
	// TypeNames maps a unit type id to its display name; nil, or a type it
	// lacks, shows the id.
	TypeNames map[string]string
}

// ProblemTable is the problem list a workbook shows.
type ProblemTable struct {
	// Rows are the problems, in the order to list them (ProblemsFrom).
	Rows []Problem
	// ColumnNames maps a column id to its display name; nil, or a column it
	// lacks, shows the id.
	ColumnNames map[string]string
	// PerUnit adds one sheet per unit with the unit's problems, named after
	// the unit, in the order units first appear in Rows.
	PerUnit bool
}

// The workbook's sheet names.
const (
	SheetRanking  = "排名"
	SheetProblems = "问题清单"
	SheetKinds    = "按类型"
)

// WorkbookContentType is the media type of the workbook, for HTTP answers.
const WorkbookContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// xlsxCell is one cell before it is written: text, a number, a date or a
// date and time, or empty.
type xlsxCell struct {
	kind cellKind
	text string
	num  float64
	time time.Time
	// link is an http(s) URL the cell links to.
	link string
}

type cellKind int

const (
	cellEmpty cellKind = iota
	cellText
	cellNumber
	cellDate
	cellDateTime
)

func textCellX(s string) xlsxCell {
	s = cleanXLSXText(s)
	if s == "" {
		return xlsxCell{}
	}
	return xlsxCell{kind: cellText, text: s}
}
func numCell(x float64) xlsxCell { return xlsxCell{kind: cellNumber, num: round2(x)} }
func dateCell(d evidence.Date) xlsxCell {
	if d.IsZero() {
		return xlsxCell{}
	}
	return xlsxCell{kind: cellDate, time: time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)}
}
func dateTimeCell(t time.Time) xlsxCell {
	if t.IsZero() {
		return xlsxCell{}
	}
	w := t.In(cst) // Excel has no time zones: the wall clock in China Standard Time
	return xlsxCell{kind: cellDateTime, time: time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), 0, time.UTC)}
}

// linkCell is a URL shown as text and, when it is an absolute http(s) URL
// short enough for Excel (2,079 characters), linked.
func linkCell(u string) xlsxCell {
	c := textCellX(u)
	if c.kind == cellText && len(u) <= 2000 && httpURL(u) {
		c.link = u
	}
	return c
}

func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// cleanXLSXText drops what a worksheet cannot hold: invalid UTF-8 and the
// control characters XML 1.0 forbids (tab and line breaks stay; \r\n
// becomes \n). Excelize cuts a cell at 32,767 characters.
func cleanXLSXText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n':
			return r
		case r == '\r':
			return '\n'
		case r < 0x20 || r == 0xFFFE || r == 0xFFFF:
			return -1
		}
		return r
	}, s)
}

// xlsxColumn is one column of a sheet: its heading, how wide it may grow,
// and whether its text wraps.
type xlsxColumn struct {
	head string
	max  float64 // widest, in character widths; 0 means 40
	wrap bool
}

// xlsxSheet is a sheet ready to write: a header row and data rows, with
// optional rows below the table (a total) that the filter leaves out.
type xlsxSheet struct {
	name    string
	columns []xlsxColumn
	rows    [][]xlsxCell
	footer  [][]xlsxCell
}

// WriteWorkbook writes wb as an Excel workbook (Office Open XML, .xlsx).
//
// Every sheet has its header row frozen and an autofilter over its table,
// columns as wide as their text (a Chinese character counts two, long text
// wraps), numbers stored as numbers, dates as dates (yyyy-mm-dd; fetch
// times in China Standard Time, yyyy-mm-dd hh:mm), and evidence URLs as
// hyperlinks (http and https only). Text is always stored as text, never
// as a formula: a crawled title starting with =, +, - or @ is shown as it
// is and cannot run. Control characters that XML forbids are dropped.
func WriteWorkbook(w io.Writer, wb Workbook) error {
	var sheets []xlsxSheet
	if wb.Ranking != nil {
		sheets = append(sheets, rankingSheet(wb.Ranking))
	}
	if wb.Problems != nil {
		sheets = append(sheets, problemSheet(SheetProblems, wb.Problems, wb.Problems.Rows, true), kindSheet(wb.Problems.Rows))
		if wb.Problems.PerUnit {
			sheets = append(sheets, unitSheets(wb.Problems, sheetNames(sheets))...)
		}
	}
	if len(sheets) == 0 {
		return fmt.Errorf("write workbook: no sheet to write")
	}
	f := excelize.NewFile()
	defer f.Close()
	st, err := newXLSXStyles(f)
	if err != nil {
		return fmt.Errorf("write workbook: %w", err)
	}
	for i, s := range sheets {
		if i == 0 {
			err = f.SetSheetName("Sheet1", s.name)
		} else {
			_, err = f.NewSheet(s.name)
		}
		if err == nil {
			err = writeSheet(f, st, s)
		}
		if err != nil {
			return fmt.Errorf("write workbook: sheet %s: %w", s.name, err)
		}
	}
	f.SetActiveSheet(0)
	if wb.Title != "" || wb.Subject != "" {
		if err := f.SetDocProps(&excelize.DocProperties{Title: cleanXLSXText(wb.Title), Subject: cleanXLSXText(wb.Subject),
			Creator: "gongkai", Language: "zh-CN"}); err != nil {
			return fmt.Errorf("write workbook: %w", err)
		}
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("write workbook: %w", err)
	}
	return nil
}

func sheetNames(sheets []xlsxSheet) map[string]bool {
	out := map[string]bool{}
	for _, s := range sheets {
		out[strings.ToLower(s.name)] = true
	}
	return out
}

// xlsxStyles are the cell styles of a workbook.
type xlsxStyles struct {
	header, text, wrap, link, number, date, dateTime, total int
}

func newXLSXStyles(f *excelize.File) (*xlsxStyles, error) {
	top := &excelize.Alignment{Vertical: "top"}
	wrap := &excelize.Alignment{Vertical: "top", WrapText: true}
	dateFmt, dateTimeFmt := "yyyy-mm-dd", "yyyy-mm-dd hh:mm"
	st := &xlsxStyles{}
	specs := []struct {
		id *int
		s  *excelize.Style
	}{
		{&st.header, &excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{Vertical: "center", WrapText: true},
			Fill:   excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E8E8E8"}},
			Border: []excelize.Border{{Type: "bottom", Color: "808080", Style: 1}}}},
		{&st.text, &excelize.Style{Alignment: top}},
		{&st.wrap, &excelize.Style{Alignment: wrap}},
		{&st.link, &excelize.Style{Alignment: top, Font: &excelize.Font{Color: "0B4A8B", Underline: "single"}}},
		{&st.number, &excelize.Style{Alignment: top}},
		{&st.date, &excelize.Style{Alignment: top, CustomNumFmt: &dateFmt}},
		{&st.dateTime, &excelize.Style{Alignment: top, CustomNumFmt: &dateTimeFmt}},
		{&st.total, &excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: top,
			Border: []excelize.Border{{Type: "top", Color: "808080", Style: 1}}}},
	}
	for _, sp := range specs {
		id, err := f.NewStyle(sp.s)
		if err != nil {
			return nil, err
		}
		*sp.id = id
	}
	return st, nil
}

// writeSheet writes one sheet: header, rows, footer, then widths, the
// frozen header and the filter.
func writeSheet(f *excelize.File, st *xlsxStyles, s xlsxSheet) error {
	widths := make([]float64, len(s.columns))
	for i, c := range s.columns {
		widths[i] = float64(Width(c.head))
	}
	put := func(row int, cells []xlsxCell, style func(i int, c xlsxCell) int) error {
		for i, c := range cells {
			ref, err := excelize.CoordinatesToCellName(i+1, row)
			if err != nil {
				return err
			}
			switch c.kind {
			case cellEmpty:
				continue
			case cellText:
				err = f.SetCellStr(s.name, ref, c.text)
				if err == nil && c.link != "" {
					err = f.SetCellHyperLink(s.name, ref, c.link, "External")
				}
				widths[i] = max(widths[i], float64(Width(longestLine(c.text))))
			case cellNumber:
				err = f.SetCellFloat(s.name, ref, c.num, -1, 64)
				widths[i] = max(widths[i], float64(len(num(c.num))))
			case cellDate:
				err = f.SetCellValue(s.name, ref, c.time)
				widths[i] = max(widths[i], 10)
			case cellDateTime:
				err = f.SetCellValue(s.name, ref, c.time)
				widths[i] = max(widths[i], 16)
			}
			if err == nil {
				err = f.SetCellStyle(s.name, ref, ref, style(i, c))
			}
			if err != nil {
				return fmt.Errorf("cell %s: %w", ref, err)
			}
		}
		return nil
	}
	head := make([]xlsxCell, len(s.columns))
	for i, c := range s.columns {
		head[i] = textCellX(c.head)
	}
	if err := put(1, head, func(int, xlsxCell) int { return st.header }); err != nil {
		return err
	}
	body := func(i int, c xlsxCell) int {
		switch {
		case c.link != "":
			return st.link
		case c.kind == cellDate:
			return st.date
		case c.kind == cellDateTime:
			return st.dateTime
		case c.kind == cellNumber:
			return st.number
		case s.columns[i].wrap:
			return st.wrap
		}
		return st.text
	}
	for r, row := range s.rows {
		if err := put(r+2, row, body); err != nil {
			return err
		}
	}
	for r, row := range s.footer {
		if err := put(len(s.rows)+3+r, row, func(int, xlsxCell) int { return st.total }); err != nil {
			return err
		}
	}
	for i, c := range s.columns {
		limit := c.max
		if limit == 0 {
			limit = 40
		}
		col, err := excelize.ColumnNumberToName(i + 1)
		if err != nil {
			return err
		}
		if err := f.SetColWidth(s.name, col, col, min(max(widths[i]+2, 6), limit)); err != nil {
			return err
		}
	}
	if err := f.SetPanes(s.name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}); err != nil {
		return err
	}
	last, err := excelize.CoordinatesToCellName(len(s.columns), len(s.rows)+1)
	if err != nil {
		return err
	}
	return f.AutoFilter(s.name, "A1:"+last, nil)
}

// longestLine is the widest line of s.
func longestLine(s string) string {
	best, bw := "", -1
	for _, line := range strings.Split(s, "\n") {
		if w := Width(line); w > bw {
			best, bw = line, w
		}
	}
	return best
}
