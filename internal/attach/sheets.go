package attach

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Sheet is one worksheet of a workbook, or the one table of a CSV file,
// as text: what a reader of the file sees in its cells.
type Sheet struct {
	// Name is the worksheet's name; "" for a CSV file.
	Name string
	// Rows are the non-blank rows, each a list of cells (blank cells kept
	// as "" so that columns line up).
	Rows [][]string
	// RowNums are the rows' numbers as the spreadsheet shows them (1-based).
	RowNums []int
}

// MaxCells bounds the cells ReadSheets returns from one file; a larger
// file is read up to it and ErrTruncated returned with the sheets.
const MaxCells = 2_000_000

// ErrTruncated means a file held more than MaxCells cells: the sheets
// returned with it hold the first MaxCells.
var ErrTruncated = errors.New("the file holds more cells than are read")

// ReadSheets reads the worksheets of a workbook (XLSX, or XLS: Excel
// 97-2003, read directly, or through LibreOffice when the direct reader
// cannot) or a CSV file (UTF-8, UTF-16 with a byte-order mark, or GBK and
// GB18030, told from the bytes; comma, tab or semicolon separated). Cells
// hold their values as stored, not as formatted: a number is its digits.
func ReadSheets(ctx context.Context, kind Kind, data []byte) ([]Sheet, error) {
	switch kind {
	case KindXLSX:
		return xlsxSheets(data)
	case KindXLS:
		sheets, err := xlsSheets(data)
		if !errors.Is(err, errBIFFVersion) {
			return sheets, err
		}
		// An Excel 5 or older workbook: LibreOffice reads those.
		x, cerr := convert(ctx, data, "xls", "xlsx")
		if cerr != nil {
			return nil, fmt.Errorf("read xls: %v; %w", err, cerr)
		}
		return xlsxSheets(x)
	case KindCSV:
		return csvSheet(data)
	}
	return nil, fmt.Errorf("read sheets: %q is no spreadsheet", kind)
}

// maxUnzip bounds what an XLSX may unzip to (a zip bomb is refused).
const maxUnzip = 256 << 20

func xlsxSheets(data []byte) ([]Sheet, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: maxUnzip, UnzipXMLSizeLimit: 32 << 20})
	if err != nil {
		return nil, fmt.Errorf("read xlsx: %w", err)
	}
	defer f.Close()
	var out []Sheet
	cells := 0
	for _, name := range f.GetSheetList() {
		rows, err := f.Rows(name)
		if err != nil {
			return out, fmt.Errorf("read xlsx sheet %q: %w", name, err)
		}
		sh := Sheet{Name: name}
		n := 0
		for rows.Next() {
			n++
			cols, err := rows.Columns(excelize.Options{RawCellValue: true})
			if err != nil {
				rows.Close()
				return out, fmt.Errorf("read xlsx sheet %q: %w", name, err)
			}
			if blank(cols) {
				continue
			}
			cells += len(cols)
			if cells > MaxCells {
				rows.Close()
				return append(out, sh), ErrTruncated
			}
			sh.Rows = append(sh.Rows, cols)
			sh.RowNums = append(sh.RowNums, n)
		}
		rows.Close()
		out = append(out, sh)
	}
	return out, nil
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// csvSheet reads a CSV file in whatever encoding and separator it uses.
func csvSheet(data []byte) ([]Sheet, error) {
	text, err := decodeText(data)
	if err != nil {
		return nil, fmt.Errorf("read csv: %w", err)
	}
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = separator(text)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = false
	sh := Sheet{}
	cells := 0
	for n := 1; ; n++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return []Sheet{sh}, fmt.Errorf("read csv line %d: %w", n, err)
		}
		if blank(rec) {
			continue
		}
		if cells += len(rec); cells > MaxCells {
			return []Sheet{sh}, ErrTruncated
		}
		line, _ := r.FieldPos(0)
		sh.Rows = append(sh.Rows, rec)
		sh.RowNums = append(sh.RowNums, line)
	}
	return []Sheet{sh}, nil
}

// decodeText decodes a text file: UTF-16 when it starts with a byte-order
// mark, UTF-8 when the bytes are UTF-8 (a BOM dropped), else GB18030 (a
// superset of GBK and GB2312, which Chinese Excel writes CSV in).
func decodeText(data []byte) (string, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		out, _, err := transform.Bytes(unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder(), data)
		return string(out), err
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		return string(data[3:]), nil
	case utf8.Valid(data):
		return string(data), nil
	}
	out, _, err := transform.Bytes(simplifiedchinese.GB18030.NewDecoder(), data)
	return string(out), err
}

// separator tells a CSV file's separator from its first line: the most
// frequent of comma, tab and semicolon (comma when none).
func separator(text string) rune {
	line, _, _ := strings.Cut(text, "\n")
	best, n := ',', 0
	for _, c := range []rune{',', '\t', ';'} {
		if k := strings.Count(line, string(c)); k > n {
			best, n = c, k
		}
	}
	return best
}
