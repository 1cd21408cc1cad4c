package attach

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"unicode/utf16"

	"github.com/richardlehane/mscfb"
)

// XLS. An Excel 97-2003 workbook is a compound file (OLE2) holding a
// Workbook stream of BIFF8 records: each a type, a length and data. The
// globals come first, with a BOUNDSHEET record per sheet (its name and
// where its records start) and the shared string table (SST, continued in
// CONTINUE records when long); each worksheet's records then give its
// cells: LABELSST (a string of the table), LABEL and RSTRING (a string of
// their own), NUMBER, RK and MULRK (numbers), FORMULA (a cached result,
// the text in the STRING record after it). xlsSheets reads those and no
// more: values, not formats.

// errBIFFVersion means the workbook is not BIFF8 (Excel 5 or older).
var errBIFFVersion = errors.New("not an Excel 97-2003 (BIFF8) workbook")

// BIFF8 record types read.
const (
	recBOF        = 0x0809
	recEOF        = 0x000A
	recBoundSheet = 0x0085
	recSST        = 0x00FC
	recContinue   = 0x003C
	recLabelSST   = 0x00FD
	recLabel      = 0x0204
	recRString    = 0x00D6
	recNumber     = 0x0203
	recRK         = 0x027E
	recMulRK      = 0x00BD
	recFormula    = 0x0006
	recString     = 0x0207
)

// IsCompound reports whether data is an OLE2 compound file holding a
// stream named stream (WordDocument for a Word 97-2003 document, Workbook
// for an Excel 97-2003 workbook): a cheap test before LibreOffice is
// started on a file that could only fail.
func IsCompound(data []byte, stream string) bool {
	doc, err := mscfb.New(bytes.NewReader(data))
	if err != nil {
		return false
	}
	for f, err := doc.Next(); err == nil; f, err = doc.Next() {
		if f.Name == stream {
			return true
		}
	}
	return false
}

// record is one BIFF record.
type record struct {
	typ  uint16
	data []byte
	pos  int // offset of the record in the stream
}

// maxWorkbook bounds the Workbook stream read.
const maxWorkbook = 64 << 20

func xlsSheets(data []byte) ([]Sheet, error) {
	doc, err := mscfb.New(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("read xls: %w", err)
	}
	var stream []byte
	for f, err := doc.Next(); err == nil; f, err = doc.Next() {
		if f.Name == "Book" && stream == nil {
			return nil, errBIFFVersion
		}
		if f.Name != "Workbook" {
			continue
		}
		if f.Size > maxWorkbook || f.Size > int64(len(data)) {
			// A stream is never larger than its file: a damaged one
			// would have its sectors read round in a cycle.
			return nil, fmt.Errorf("read xls: Workbook stream of %d bytes is too large", f.Size)
		}
		stream, err = io.ReadAll(io.LimitReader(f, f.Size))
		if err != nil {
			return nil, fmt.Errorf("read xls: %w", err)
		}
		break
	}
	if stream == nil {
		return nil, errors.New("read xls: no Workbook stream")
	}
	return biffSheets(stream)
}

// records splits a BIFF stream into records, from offset at to the EOF
// record that ends the substream (or the stream's end).
func records(stream []byte, at int) []record {
	var out []record
	for at+4 <= len(stream) {
		typ := binary.LittleEndian.Uint16(stream[at:])
		n := int(binary.LittleEndian.Uint16(stream[at+2:]))
		if at+4+n > len(stream) {
			break
		}
		out = append(out, record{typ: typ, data: stream[at+4 : at+4+n], pos: at})
		at += 4 + n
		if typ == recEOF {
			break
		}
	}
	return out
}

type boundSheet struct {
	name string
	pos  int
}

func biffSheets(stream []byte) ([]Sheet, error) {
	globals := records(stream, 0)
	if len(globals) == 0 || globals[0].typ != recBOF || len(globals[0].data) < 4 {
		return nil, errors.New("read xls: no BOF record")
	}
	if v := binary.LittleEndian.Uint16(globals[0].data); v != 0x0600 {
		return nil, errBIFFVersion
	}
	var sheets []boundSheet
	var sst []string
	for i := 0; i < len(globals); i++ {
		r := globals[i]
		switch r.typ {
		case recBoundSheet:
			if len(r.data) < 8 || r.data[5] != 0 { // worksheets only
				continue
			}
			name, _ := shortString(r.data[6:])
			sheets = append(sheets, boundSheet{name: name, pos: int(binary.LittleEndian.Uint32(r.data))})
		case recSST:
			segs := [][]byte{r.data}
			for i+1 < len(globals) && globals[i+1].typ == recContinue {
				i++
				segs = append(segs, globals[i].data)
			}
			sst = readSST(segs)
		}
	}
	var out []Sheet
	cells := 0
	for _, bs := range sheets {
		if bs.pos <= 0 || bs.pos >= len(stream) {
			continue
		}
		sh, n := biffSheet(bs.name, records(stream, bs.pos), sst, MaxCells-cells)
		out = append(out, sh)
		if cells += n; cells >= MaxCells {
			return out, ErrTruncated
		}
	}
	return out, nil
}

// biffSheet reads one worksheet's cells, at most max of them.
func biffSheet(name string, recs []record, sst []string, max int) (Sheet, int) {
	type key struct{ row, col int }
	cells := map[key]string{}
	set := func(row, col int, v string) {
		if len(cells) < max {
			cells[key{row, col}] = v
		}
	}
	rc := func(d []byte) (int, int) {
		return int(binary.LittleEndian.Uint16(d)), int(binary.LittleEndian.Uint16(d[2:]))
	}
	pending := key{-1, -1} // a formula whose string result follows
	for _, r := range recs {
		d := r.data
		switch r.typ {
		case recLabelSST:
			if len(d) >= 10 {
				row, col := rc(d)
				if i := int(binary.LittleEndian.Uint32(d[6:])); i < len(sst) {
					set(row, col, sst[i])
				}
			}
		case recLabel, recRString:
			if len(d) >= 9 {
				row, col := rc(d)
				s, _ := longString(d[6:])
				set(row, col, s)
			}
		case recNumber:
			if len(d) >= 14 {
				row, col := rc(d)
				set(row, col, formatNumber(math.Float64frombits(binary.LittleEndian.Uint64(d[6:]))))
			}
		case recRK:
			if len(d) >= 10 {
				row, col := rc(d)
				set(row, col, formatNumber(rkValue(binary.LittleEndian.Uint32(d[6:]))))
			}
		case recMulRK:
			if len(d) >= 6 {
				row, col := rc(d)
				for p := 4; p+6 <= len(d)-2; p += 6 {
					set(row, col, formatNumber(rkValue(binary.LittleEndian.Uint32(d[p+2:]))))
					col++
				}
			}
		case recFormula:
			if len(d) >= 14 {
				row, col := rc(d)
				v := d[6:14]
				if v[6] == 0xFF && v[7] == 0xFF {
					if v[0] == 0 {
						pending = key{row, col}
					}
					continue
				}
				set(row, col, formatNumber(math.Float64frombits(binary.LittleEndian.Uint64(v))))
			}
		case recString:
			if pending.row >= 0 {
				s, _ := longString(d)
				set(pending.row, pending.col, s)
				pending = key{-1, -1}
			}
		}
	}
	keys := make([]key, 0, len(cells))
	for k := range cells {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].row != keys[j].row {
			return keys[i].row < keys[j].row
		}
		return keys[i].col < keys[j].col
	})
	sh := Sheet{Name: name}
	for i := 0; i < len(keys); {
		row := keys[i].row
		var cols []string
		for ; i < len(keys) && keys[i].row == row; i++ {
			for len(cols) < keys[i].col {
				cols = append(cols, "")
			}
			cols = append(cols, cells[keys[i]])
		}
		if !blank(cols) {
			sh.Rows = append(sh.Rows, cols)
			sh.RowNums = append(sh.RowNums, row+1)
		}
	}
	return sh, len(cells)
}

// rkValue decodes an RK number: a 30-bit integer or the top 30 bits of a
// double, possibly divided by 100.
func rkValue(rk uint32) float64 {
	var v float64
	if rk&2 != 0 {
		v = float64(int32(rk) >> 2)
	} else {
		v = math.Float64frombits(uint64(rk&0xFFFFFFFC) << 32)
	}
	if rk&1 != 0 {
		v /= 100
	}
	return v
}

// formatNumber writes a cell's number as a spreadsheet shows it in the
// General format: an integer in full up to 15 digits, else with 15
// significant digits (a 19-digit card number stored as a number is lost).
func formatNumber(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'G', 15, 64)
}

// shortString reads a ShortXLUnicodeString: an 8-bit length, flags, chars.
func shortString(d []byte) (string, int) {
	if len(d) < 2 {
		return "", len(d)
	}
	return chars(d[2:], int(d[0]), d[1]&1 != 0)
}

// longString reads an XLUnicodeString: a 16-bit length, flags, chars.
func longString(d []byte) (string, int) {
	if len(d) < 3 {
		return "", len(d)
	}
	s, n := chars(d[3:], int(binary.LittleEndian.Uint16(d)), d[2]&1 != 0)
	return s, n + 3
}

// chars decodes n characters: UTF-16LE when high, else one byte each
// (Latin-1). It returns the bytes used.
func chars(d []byte, n int, high bool) (string, int) {
	if high {
		n = min(n, len(d)/2)
		u := make([]uint16, n)
		for i := range u {
			u[i] = binary.LittleEndian.Uint16(d[2*i:])
		}
		return string(utf16.Decode(u)), 2 * n
	}
	n = min(n, len(d))
	r := make([]rune, n)
	for i := range r {
		r[i] = rune(d[i])
	}
	return string(r), n
}

// sstReader reads the shared string table across its CONTINUE records.
type sstReader struct {
	segs [][]byte
	si   int
	off  int
}

func (r *sstReader) avail() int {
	for r.si < len(r.segs) && r.off >= len(r.segs[r.si]) {
		r.si++
		r.off = 0
	}
	if r.si >= len(r.segs) {
		return 0
	}
	return len(r.segs[r.si]) - r.off
}

func (r *sstReader) byte() (byte, bool) {
	if r.avail() == 0 {
		return 0, false
	}
	b := r.segs[r.si][r.off]
	r.off++
	return b, true
}

func (r *sstReader) u16() (int, bool) {
	a, ok1 := r.byte()
	b, ok2 := r.byte()
	return int(a) | int(b)<<8, ok1 && ok2
}

func (r *sstReader) u32() (int, bool) {
	a, ok1 := r.u16()
	b, ok2 := r.u16()
	return a | b<<16, ok1 && ok2
}

func (r *sstReader) skip(n int) {
	for n > 0 && r.avail() > 0 {
		k := min(n, r.avail())
		r.off += k
		n -= k
	}
}

// chars reads n characters; a CONTINUE record that breaks them starts
// with a flags byte of its own.
func (r *sstReader) chars(n int, high bool) (string, bool) {
	var out []rune
	var u []uint16
	for n > 0 {
		if r.off >= len(r.segs[r.si]) {
			r.si++
			r.off = 0
			if r.si >= len(r.segs) || len(r.segs[r.si]) == 0 {
				return string(out), false
			}
			high = r.segs[r.si][0]&1 != 0
			r.off = 1
		}
		seg := r.segs[r.si]
		if high {
			for n > 0 && r.off+2 <= len(seg) {
				u = append(u[:0], binary.LittleEndian.Uint16(seg[r.off:]))
				out = append(out, utf16.Decode(u)...)
				r.off += 2
				n--
			}
			if n > 0 && r.off+1 == len(seg) {
				return string(out), false // a character split in two: damaged
			}
		} else {
			for n > 0 && r.off < len(seg) {
				out = append(out, rune(seg[r.off]))
				r.off++
				n--
			}
		}
	}
	return string(out), true
}

// readSST reads the shared strings (XLUnicodeRichExtendedString each: a
// 16-bit length, flags, optional run and extension counts, the chars,
// then the runs and extension, skipped).
func readSST(segs [][]byte) []string {
	r := &sstReader{segs: segs}
	r.skip(4) // total count
	unique, ok := r.u32()
	if !ok {
		return nil
	}
	out := make([]string, 0, min(unique, 1<<20))
	for i := 0; i < unique; i++ {
		n, ok1 := r.u16()
		flags, ok2 := r.byte()
		if !ok1 || !ok2 {
			break
		}
		runs, ext := 0, 0
		if flags&8 != 0 {
			runs, _ = r.u16()
		}
		if flags&4 != 0 {
			ext, _ = r.u32()
		}
		s, ok := r.chars(n, flags&1 != 0)
		out = append(out, s)
		if !ok {
			break
		}
		r.skip(4*runs + ext)
	}
	return out
}
