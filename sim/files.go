package sim

import (
	"bytes"
	"fmt"
	"html"
	"strings"
	"unicode/utf16"
)

// Documents offices publish as files: a PDF with a text layer (as WPS or
// Word export it) and a DOCX. The writers here are small and exact: they
// write what the sim means, so that a reader's result can be checked
// against the sim's model.

// pdfRun is a piece of text placed on a page: its left edge x and
// baseline y in points, its font size.
type pdfRun struct {
	x, y, size float64
	text       string
}

// pdfDoc lays text out on A4 pages, top to bottom.
type pdfDoc struct {
	pages [][]pdfRun
	y     float64
	// landscape turns the A4 pages on their side.
	landscape bool
	// scanned writes each run as the dark bar a scanner's picture of the
	// line would show, with no text layer, as a scanned report is.
	scanned bool
}

const (
	pdfWidth, pdfHeight  = 595.0, 842.0
	pdfMargin, pdfBottom = 52.0, 60.0
)

// size returns the page's width and height in points.
func (d *pdfDoc) size() (w, h float64) {
	if d.landscape {
		return pdfHeight, pdfWidth
	}
	return pdfWidth, pdfHeight
}

// page starts a new page, at its first line.
func (d *pdfDoc) page() {
	_, h := d.size()
	d.pages = append(d.pages, nil)
	d.y = h - pdfMargin
}

// line starts a new line of height lead; it begins a new page when the
// page is full.
func (d *pdfDoc) line(lead float64) {
	if len(d.pages) == 0 || d.y-lead < pdfBottom {
		d.page()
		return
	}
	d.y -= lead
}

// at places text at x on the current line.
func (d *pdfDoc) at(x, size float64, text string) {
	if text == "" {
		return
	}
	p := len(d.pages) - 1
	d.pages[p] = append(d.pages[p], pdfRun{x: x, y: d.y, size: size, text: text})
}

// para writes a paragraph wrapped to the page width, size points.
func (d *pdfDoc) para(size float64, text string) {
	w, _ := d.size()
	per := int((w - 100) / size)
	rs := []rune(text)
	for len(rs) > 0 {
		n := min(per, len(rs))
		d.line(size * 1.6)
		d.at(50, size, string(rs[:n]))
		rs = rs[n:]
	}
}

// bytes writes the PDF: one Type0 font with Identity-H encoding whose
// character ids are the text's UTF-16 code units and whose ToUnicode map is
// the identity, so the text layer reads back as written (the font itself
// is not embedded: a viewer substitutes SimSun).
func (d *pdfDoc) bytes() []byte {
	var objs []string
	add := func(s string) int { objs = append(objs, s); return len(objs) }
	catalog := add("") // filled below
	pages := add("")
	var cmap strings.Builder
	cmap.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n")
	var ranges []string
	for hi := 0; hi < 256; hi++ {
		if hi >= 0xD8 && hi <= 0xDF {
			continue // surrogates
		}
		ranges = append(ranges, fmt.Sprintf("<%02X00> <%02XFF> <%02X00>", hi, hi, hi))
	}
	for len(ranges) > 0 {
		n := min(100, len(ranges))
		fmt.Fprintf(&cmap, "%d beginbfrange\n%s\nendbfrange\n", n, strings.Join(ranges[:n], "\n"))
		ranges = ranges[n:]
	}
	cmap.WriteString("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")
	toUnicode := add(fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", cmap.Len(), cmap.String()))
	descriptor := add("<< /Type /FontDescriptor /FontName /SimSun /Flags 4 /FontBBox [0 -141 1000 859] /ItalicAngle 0 /Ascent 859 /Descent -141 /CapHeight 700 /StemV 80 >>")
	cid := add(fmt.Sprintf("<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor %d 0 R /DW 1000 /W [32 126 500 65377 65439 500] /CIDToGIDMap /Identity >>", descriptor))
	font := add(fmt.Sprintf("<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H /DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>", cid, toUnicode))
	var kids []string
	for _, runs := range d.pages {
		var cs strings.Builder
		for _, r := range runs {
			if d.scanned {
				w := float64(len([]rune(r.text))) * r.size * 0.9
				fmt.Fprintf(&cs, "0.25 g %.1f %.1f %.1f %.1f re f\n", r.x, r.y-r.size*0.1, w, r.size*0.8)
				continue
			}
			fmt.Fprintf(&cs, "BT /F1 %.1f Tf %.1f %.1f Td <", r.size, r.x, r.y)
			for _, u := range utf16.Encode([]rune(r.text)) {
				fmt.Fprintf(&cs, "%04X", u)
			}
			cs.WriteString("> Tj ET\n")
		}
		content := add(fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", cs.Len(), cs.String()))
		w, h := d.size()
		page := add(fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %.0f %.0f] /Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>", pages, w, h, font, content))
		kids = append(kids, fmt.Sprintf("%d 0 R", page))
	}
	objs[catalog-1] = fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R >>", pages)
	objs[pages-1] = fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(kids))
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, catalog, xref)
	return b.Bytes()
}

// docxDoc is the body of a Word document: paragraphs and tables.
type docxDoc struct {
	body strings.Builder
}

// para adds a paragraph; bold for a heading.
func (d *docxDoc) para(text string, bold bool) {
	d.body.WriteString("<w:p>")
	if bold {
		d.body.WriteString("<w:pPr><w:rPr><w:b/></w:rPr></w:pPr>")
	}
	d.body.WriteString(run(text, bold))
	d.body.WriteString("</w:p>")
}

func run(text string, bold bool) string {
	b := ""
	if bold {
		b = "<w:rPr><w:b/></w:rPr>"
	}
	return `<w:r>` + b + `<w:t xml:space="preserve">` + html.EscapeString(text) + `</w:t></w:r>`
}

// docxCell is a table cell: its text, the grid columns it spans, and
// whether it starts (restart) or continues (merged) a vertical merge.
type docxCell struct {
	text            string
	span            int
	restart, merged bool
}

// table adds a table of rows of cells.
func (d *docxDoc) table(rows [][]docxCell) {
	d.body.WriteString("<w:tbl><w:tblPr><w:tblBorders><w:top w:val=\"single\"/><w:bottom w:val=\"single\"/><w:insideH w:val=\"single\"/><w:insideV w:val=\"single\"/></w:tblBorders></w:tblPr>")
	for _, row := range rows {
		d.body.WriteString("<w:tr>")
		for _, c := range row {
			d.body.WriteString("<w:tc><w:tcPr>")
			if c.span > 1 {
				fmt.Fprintf(&d.body, `<w:gridSpan w:val="%d"/>`, c.span)
			}
			switch {
			case c.restart:
				d.body.WriteString(`<w:vMerge w:val="restart"/>`)
			case c.merged:
				d.body.WriteString(`<w:vMerge/>`)
			}
			d.body.WriteString("</w:tcPr><w:p>")
			if !c.merged && c.text != "" {
				d.body.WriteString(run(c.text, false))
			}
			d.body.WriteString("</w:p></w:tc>")
		}
		d.body.WriteString("</w:tr>")
	}
	d.body.WriteString("</w:tbl>")
}

// bytes writes the DOCX package.
func (d *docxDoc) bytes() []byte {
	return zipFile([][2]string{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`},
		{"word/document.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + d.body.String() + `<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>`},
	})
}
