package attach

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"html"
	"io"
	"strconv"
	"strings"
)

// DOCX. A Word document's body (word/document.xml) is a run of paragraphs
// (w:p, their text in w:t runs) and tables (w:tbl of w:tr of w:tc, a
// cell's width over grid columns in w:gridSpan, and cells merged down a
// column marked w:vMerge, "restart" on the first). DOCXHTML writes that
// body as plain HTML, tables as <table> with colspan and rowspan, so the
// readers of HTML pages read it as they read a page.

// maxDocXML bounds the document part read (a zip bomb is refused).
const maxDocXML = 64 << 20

// xnode is an element of the document's XML.
type xnode struct {
	name     string // local name: p, r, t, tbl, tr, tc, …
	attrs    map[string]string
	children []*xnode
	text     string // for t: its text
}

// DOCXHTML returns the body of a DOCX as HTML.
func DOCXHTML(data []byte) ([]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("read docx: %w", err)
	}
	var part *zip.File
	for _, f := range zr.File {
		if f.Name == "word/document.xml" {
			part = f
			break
		}
	}
	if part == nil {
		return nil, fmt.Errorf("read docx: no word/document.xml")
	}
	if part.UncompressedSize64 > maxDocXML {
		return nil, fmt.Errorf("read docx: document.xml of %d bytes is too large", part.UncompressedSize64)
	}
	rc, err := part.Open()
	if err != nil {
		return nil, fmt.Errorf("read docx: %w", err)
	}
	defer rc.Close()
	root, err := parseXML(io.LimitReader(rc, maxDocXML))
	if err != nil {
		return nil, fmt.Errorf("read docx: %w", err)
	}
	var b strings.Builder
	b.WriteString("<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body>\n")
	body := find(root, "body")
	if body == nil {
		return nil, fmt.Errorf("read docx: no w:body")
	}
	writeBlocks(&b, body)
	b.WriteString("</body></html>\n")
	return []byte(b.String()), nil
}

func parseXML(r io.Reader) (*xnode, error) {
	dec := xml.NewDecoder(r)
	dec.Strict = false
	root := &xnode{name: "#root"}
	stack := []*xnode{root}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return root, nil
		}
		if err != nil {
			return nil, err
		}
		top := stack[len(stack)-1]
		switch t := tok.(type) {
		case xml.StartElement:
			n := &xnode{name: t.Name.Local}
			for _, a := range t.Attr {
				if n.attrs == nil {
					n.attrs = map[string]string{}
				}
				n.attrs[a.Name.Local] = a.Value
			}
			top.children = append(top.children, n)
			stack = append(stack, n)
			if len(stack) > 256 {
				return nil, fmt.Errorf("nesting deeper than 256 elements")
			}
		case xml.EndElement:
			if len(stack) > 1 {
				stack = stack[:len(stack)-1]
			}
		case xml.CharData:
			if top.name == "t" || top.name == "instrText" {
				top.text += string(t)
			}
		}
	}
}

func find(n *xnode, name string) *xnode {
	if n.name == name {
		return n
	}
	for _, c := range n.children {
		if f := find(c, name); f != nil {
			return f
		}
	}
	return nil
}

// writeBlocks writes the paragraphs and tables under n, in order.
func writeBlocks(b *strings.Builder, n *xnode) {
	for _, c := range n.children {
		switch c.name {
		case "p":
			if t := strings.TrimSpace(paraText(c)); t != "" {
				fmt.Fprintf(b, "<p>%s</p>\n", html.EscapeString(t))
			}
		case "tbl":
			writeTable(b, c)
		case "sdt", "sdtContent", "customXml", "ins", "smartTag":
			writeBlocks(b, c)
		}
	}
}

// paraText returns a paragraph's text: its runs' w:t, tabs as spaces;
// deleted text (w:del) is not shown and is left out.
func paraText(n *xnode) string {
	var b strings.Builder
	var walk func(*xnode)
	walk = func(n *xnode) {
		switch n.name {
		case "t":
			b.WriteString(n.text)
			return
		case "tab":
			b.WriteByte(' ')
			return
		case "br", "cr":
			b.WriteByte(' ')
			return
		case "del", "instrText", "pPr", "rPr":
			return
		}
		for _, c := range n.children {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// cell is one w:tc laid out on the table's grid.
type cell struct {
	node    *xnode
	col     int
	span    int
	rowspan int
	merged  bool // continues the cell above (w:vMerge without restart)
}

func writeTable(b *strings.Builder, tbl *xnode) {
	var rows [][]*cell
	for _, tr := range tbl.children {
		if tr.name != "tr" {
			continue
		}
		var row []*cell
		col := 0
		for _, tc := range tr.children {
			if tc.name != "tc" {
				continue
			}
			c := &cell{node: tc, col: col, span: 1, rowspan: 1}
			if pr := child(tc, "tcPr"); pr != nil {
				if gs := child(pr, "gridSpan"); gs != nil {
					if v, err := strconv.Atoi(gs.attrs["val"]); err == nil && v > 1 && v <= 64 {
						c.span = v
					}
				}
				if vm := child(pr, "vMerge"); vm != nil && vm.attrs["val"] != "restart" {
					c.merged = true
				}
			}
			col += c.span
			row = append(row, c)
		}
		rows = append(rows, row)
	}
	// A merged cell adds a row to the nearest cell above it in its column.
	for r, row := range rows {
		for _, c := range row {
			if !c.merged {
				continue
			}
			for up := r - 1; up >= 0; up-- {
				if top := cellAt(rows[up], c.col); top != nil && !top.merged {
					top.rowspan++
					break
				}
			}
		}
	}
	b.WriteString("<table>\n")
	for _, row := range rows {
		b.WriteString("<tr>")
		for _, c := range row {
			if c.merged {
				continue
			}
			b.WriteString("<td")
			if c.span > 1 {
				fmt.Fprintf(b, ` colspan="%d"`, c.span)
			}
			if c.rowspan > 1 {
				fmt.Fprintf(b, ` rowspan="%d"`, c.rowspan)
			}
			b.WriteString(">")
			var inner strings.Builder
			writeBlocks(&inner, c.node)
			b.WriteString(inner.String())
			b.WriteString("</td>")
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</table>\n")
}

func cellAt(row []*cell, col int) *cell {
	for _, c := range row {
		if c.col == col {
			return c
		}
	}
	return nil
}

func child(n *xnode, name string) *xnode {
	for _, c := range n.children {
		if c.name == name {
			return c
		}
	}
	return nil
}
