package sim

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"html"
	"math"
	"strings"
	"time"
	"unicode/utf16"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// The files a unit attaches to its documents when they carry a list of
// persons (Disclosure): each format written the way office software
// writes it, small, self-contained and byte-for-byte deterministic (no
// clock, no random). XLSX and DOCX are the parts of the Open XML package
// a reader needs; XLS is a BIFF8 workbook in a compound file; CSV is in
// GBK, as Chinese Excel saves it; PDF has a text layer (a CID font whose
// ToUnicode map gives each glyph's character), laid out in columns.

// zipTime is the modification time of every part of the sim's zip files
// (zipFile, used by every Open XML writer here and in files.go).
var zipTime = time.Date(2025, time.January, 2, 9, 0, 0, 0, time.UTC)

func zipFile(parts [][2]string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p[0], Method: zip.Deflate, Modified: zipTime})
		if err != nil {
			panic(err) // writing to memory does not fail
		}
		w.Write([]byte(p[1]))
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// fileRows returns a disclosure's rows as a spreadsheet lays them out:
// the title, the header, the persons, a blank row, the notes.
func fileRows(d *Disclosure) [][]string {
	var rows [][]string
	if d.Title != "" {
		rows = append(rows, []string{d.Title})
	}
	rows = append(rows, d.Header)
	rows = append(rows, d.Rows...)
	if len(d.Notes) > 0 {
		rows = append(rows, nil)
		for _, n := range d.Notes {
			rows = append(rows, []string{n})
		}
	}
	return rows
}

// numeric reports whether a cell is stored as a number: digits only, as
// office software stores a phone number typed in (never an identity or
// card number, which a number would round).
func numeric(s string) bool {
	if s == "" || len(s) > 11 || s[0] == '0' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func colName(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}

// xlsxFile writes a workbook of one sheet, 名单, with inline strings.
func xlsxFile(d *Disclosure) []byte {
	var sheet strings.Builder
	sheet.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	for r, row := range fileRows(d) {
		fmt.Fprintf(&sheet, `<row r="%d">`, r+1)
		for c, v := range row {
			ref := fmt.Sprintf("%s%d", colName(c), r+1)
			if numeric(v) {
				fmt.Fprintf(&sheet, `<c r="%s"><v>%s</v></c>`, ref, v)
			} else if v != "" {
				fmt.Fprintf(&sheet, `<c r="%s" t="inlineStr"><is><t>%s</t></is></c>`, ref, html.EscapeString(v))
			}
		}
		sheet.WriteString(`</row>`)
	}
	sheet.WriteString(`</sheetData></worksheet>`)
	return zipFile([][2]string{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="名单" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`},
		{"xl/worksheets/sheet1.xml", sheet.String()},
	})
}

// docxFile writes a Word document: the title, the table, the notes.
func docxFile(d *Disclosure) []byte {
	var doc docxDoc
	if d.Title != "" {
		doc.para(d.Title, false)
	}
	var rows [][]docxCell
	for _, row := range append([][]string{d.Header}, d.Rows...) {
		var cells []docxCell
		for _, c := range row {
			cells = append(cells, docxCell{text: c})
		}
		rows = append(rows, cells)
	}
	doc.table(rows)
	for _, n := range d.Notes {
		doc.para(n, false)
	}
	return doc.bytes()
}

// csvFile writes the rows as CSV in GBK, with CRLF line ends.
func csvFile(d *Disclosure) []byte {
	var b strings.Builder
	for _, row := range fileRows(d) {
		for i, c := range row {
			if i > 0 {
				b.WriteByte(',')
			}
			if strings.ContainsAny(c, ",\"\r\n") {
				c = `"` + strings.ReplaceAll(c, `"`, `""`) + `"`
			}
			b.WriteString(c)
		}
		b.WriteString("\r\n")
	}
	out, err := simplifiedchinese.GBK.NewEncoder().String(b.String())
	if err != nil {
		panic(fmt.Sprintf("sim: csv text outside GBK: %v", err)) // the sim writes GBK text only
	}
	return []byte(out)
}

// --- PDF ---

// pdfFile writes A4 landscape pages: the title, the table in columns
// wide enough for their cells (its header repeated on every page, 30
// rows a page), the notes below a blank line, with a text layer (pdfDoc).
func pdfFile(d *Disclosure) []byte {
	const size, left, lead, perPage = 10.0, 40.0, 16.0, 30
	widths := make([]int, len(d.Header))
	for _, r := range append([][]string{d.Header}, d.Rows...) {
		for i, c := range r {
			if i < len(widths) {
				widths[i] = max(widths[i], len([]rune(c)))
			}
		}
	}
	doc := pdfDoc{landscape: true}
	row := func(r []string) {
		x := left
		for i, c := range r {
			doc.at(x, size, c)
			if i < len(widths) {
				x += float64(widths[i]+3) * size
			}
		}
		doc.y -= lead
	}
	doc.page()
	if d.Title != "" {
		doc.at(left, size, d.Title)
		doc.y -= 2 * lead
	}
	for i := 0; i == 0 || i < len(d.Rows); i += perPage {
		if i > 0 {
			doc.page()
		}
		row(d.Header)
		for _, r := range d.Rows[i:min(i+perPage, len(d.Rows))] {
			row(r)
		}
	}
	doc.y -= lead
	for _, n := range d.Notes {
		doc.at(left, size, n)
		doc.y -= lead
	}
	return doc.bytes()
}

// --- XLS ---

// xlsFile writes an Excel 97-2003 workbook: a BIFF8 Workbook stream (the
// strings in a shared string table, phone numbers as numbers) in an OLE2
// compound file.
func xlsFile(d *Disclosure) []byte {
	rows := fileRows(d)
	var sst []string
	index := map[string]int{}
	total := 0
	for _, r := range rows {
		for _, c := range r {
			if c == "" || numeric(c) {
				continue
			}
			total++
			if _, ok := index[c]; !ok {
				index[c] = len(sst)
				sst = append(sst, c)
			}
		}
	}
	rec := func(b *bytes.Buffer, typ uint16, data []byte) {
		binary.Write(b, binary.LittleEndian, typ)
		binary.Write(b, binary.LittleEndian, uint16(len(data)))
		b.Write(data)
	}
	le := func(vs ...any) []byte {
		var b bytes.Buffer
		for _, v := range vs {
			binary.Write(&b, binary.LittleEndian, v)
		}
		return b.Bytes()
	}
	bof := func(dt uint16) []byte {
		return le(uint16(0x0600), dt, uint16(0x0DBB), uint16(0x07CC), uint32(0), uint32(0x0206))
	}
	ustr := func(s string) []byte { // 16-bit characters
		u := utf16.Encode([]rune(s))
		b := le(uint16(len(u)), uint8(1))
		for _, c := range u {
			b = append(b, le(c)...)
		}
		return b
	}
	var sstData []byte
	sstData = append(sstData, le(uint32(total), uint32(len(sst)))...)
	for _, s := range sst {
		sstData = append(sstData, ustr(s)...)
	}
	sheetName := "名单"
	nameU := utf16.Encode([]rune(sheetName))
	boundSheet := func(pos uint32) []byte {
		b := le(pos, uint8(0), uint8(0), uint8(len(nameU)), uint8(1))
		for _, c := range nameU {
			b = append(b, le(c)...)
		}
		return b
	}
	// Globals, with the sheet's position filled in once known.
	globals := func(pos uint32) []byte {
		var g bytes.Buffer
		rec(&g, 0x0809, bof(0x0005))
		rec(&g, 0x0042, le(uint16(1200))) // CODEPAGE: UTF-16
		rec(&g, 0x0085, boundSheet(pos))
		rec(&g, 0x00FC, sstData)
		rec(&g, 0x000A, nil)
		return g.Bytes()
	}
	pos := uint32(len(globals(0)))
	var sh bytes.Buffer
	rec(&sh, 0x0809, bof(0x0010))
	maxCol := 0
	for _, r := range rows {
		maxCol = max(maxCol, len(r))
	}
	rec(&sh, 0x0200, le(uint32(0), uint32(len(rows)), uint16(0), uint16(maxCol), uint16(0)))
	for ri, r := range rows {
		for ci, c := range r {
			switch {
			case c == "":
			case numeric(c):
				var v float64
				fmt.Sscan(c, &v)
				rec(&sh, 0x0203, le(uint16(ri), uint16(ci), uint16(15), math.Float64bits(v)))
			default:
				rec(&sh, 0x00FD, le(uint16(ri), uint16(ci), uint16(15), uint32(index[c])))
			}
		}
	}
	rec(&sh, 0x000A, nil)
	stream := append(globals(pos), sh.Bytes()...)
	return compoundFile("Workbook", stream)
}

// compoundFile wraps one stream in an OLE2 compound file (version 3, 512-
// byte sectors). The stream is padded to 4096 bytes so that it lives in
// regular sectors, not the mini stream.
func compoundFile(name string, stream []byte) []byte {
	const sector = 512
	const (
		free       = 0xFFFFFFFF
		endOfChain = 0xFFFFFFFE
		fatSect    = 0xFFFFFFFD
	)
	size := len(stream)
	if size < 4096 {
		stream = append(stream, make([]byte, 4096-size)...)
		size = 4096
	}
	if pad := len(stream) % sector; pad != 0 {
		stream = append(stream, make([]byte, sector-pad)...)
	}
	nStream := len(stream) / sector
	// Sectors: the stream, then the directory, then the FAT sectors.
	dirSect := nStream
	nFat := 1
	for (nStream+1+nFat)*4 > nFat*sector {
		nFat++
	}
	fat := make([]uint32, nFat*sector/4)
	for i := range fat {
		fat[i] = free
	}
	for i := 0; i < nStream; i++ {
		fat[i] = uint32(i + 1)
	}
	fat[nStream-1] = endOfChain
	fat[dirSect] = endOfChain
	for i := 0; i < nFat; i++ {
		fat[dirSect+1+i] = fatSect
	}
	le := binary.LittleEndian
	header := make([]byte, sector)
	copy(header, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
	le.PutUint16(header[0x18:], 0x003E)
	le.PutUint16(header[0x1A:], 0x0003)
	le.PutUint16(header[0x1C:], 0xFFFE)
	le.PutUint16(header[0x1E:], 9)
	le.PutUint16(header[0x20:], 6)
	le.PutUint32(header[0x2C:], uint32(nFat))
	le.PutUint32(header[0x30:], uint32(dirSect))
	le.PutUint32(header[0x38:], 4096)
	le.PutUint32(header[0x3C:], endOfChain)
	le.PutUint32(header[0x40:], 0)
	le.PutUint32(header[0x44:], endOfChain)
	le.PutUint32(header[0x48:], 0)
	for i := 0; i < 109; i++ {
		v := uint32(free)
		if i < nFat {
			v = uint32(dirSect + 1 + i)
		}
		le.PutUint32(header[0x4C+4*i:], v)
	}
	entry := func(name string, typ byte, child, start uint32, size uint64) []byte {
		e := make([]byte, 128)
		u := utf16.Encode([]rune(name))
		for i, c := range u {
			le.PutUint16(e[2*i:], c)
		}
		le.PutUint16(e[64:], uint16(2*(len(u)+1)))
		e[66] = typ
		e[67] = 1 // black
		le.PutUint32(e[68:], free)
		le.PutUint32(e[72:], free)
		le.PutUint32(e[76:], child)
		le.PutUint32(e[116:], start)
		le.PutUint64(e[120:], size)
		return e
	}
	dir := make([]byte, 0, sector)
	dir = append(dir, entry("Root Entry", 5, 1, endOfChain, 0)...)
	dir = append(dir, entry(name, 2, free, 0, uint64(size))...)
	for len(dir) < sector {
		e := make([]byte, 128)
		le.PutUint32(e[68:], free)
		le.PutUint32(e[72:], free)
		le.PutUint32(e[76:], free)
		dir = append(dir, e...)
	}
	out := append(header, stream...)
	out = append(out, dir...)
	for _, v := range fat {
		out = le.AppendUint32(out, v)
	}
	return out
}
