package sim

import (
	"path"
	"strings"
)

// Annual reports published as files (variants report-pdf, report-docx): many
// offices attach the report as a PDF, linked straight from the list, or as
// a Word file on a short page. The file holds what the page would: the
// same sections, paragraphs and tables, cell for cell (reportBody), laid
// out as such files are: a PDF's tables as lines whose figures stand in
// columns, a DOCX's as Word tables with merged header cells.

// Report file kinds.
const (
	fileNone = ""
	filePDF  = "pdf"
	fileDOCX = "docx"
)

// t3PDFLabel is a table-3 row's label as one line: its group beside it.
func t3PDFLabel(r t3Row, a *AnnualReport) string {
	switch {
	case r.group == "":
		return r.label
	case r.kind == t3Sub:
		return r.group + " 小计"
	}
	return r.group + " " + r.label
}

// reportPDF lays a report out as a PDF.
func reportPDF(u *Unit, it *Item) []byte {
	a := it.AnnualReport
	d := pdfDoc{scanned: a.look.scanned}
	d.line(24)
	d.at(120, 16, it.Title)
	for i := range reportSections {
		if !a.NoHeading[i] {
			d.line(24)
			d.at(50, 12, a.sectionHeading(i))
		}
		switch i {
		case 0:
			for _, p := range a.Overview {
				d.para(10.5, p)
			}
		case 1, 2, 3:
			switch {
			case a.Prose:
				for _, p := range a.proseSection(i) {
					d.para(10.5, p)
				}
			case a.NoTable[i-1]:
				d.para(10.5, noTableText[i-1])
			case i == 1:
				for _, g := range table2Groups(a.Format) {
					d.line(16)
					d.at(200, 9, g.head)
					d.line(14)
					d.at(50, 9, "信息内容")
					for k, c := range g.cols {
						d.at(250+float64(k)*100, 9, c)
					}
					for _, row := range g.rows {
						d.line(14)
						d.at(50, 9, row)
						for k, v := range a.t2Cells(row) {
							d.at(270+float64(k)*100, 9, v)
						}
					}
				}
			case i == 2:
				d.line(16)
				d.at(330, 8, "申请人情况")
				d.line(12)
				d.at(50, 8, "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）")
				d.line(12)
				d.at(340, 8, "法人或其他组织")
				d.line(12)
				for k, h := range []string{"自然人", "商业企业", "科研机构", "社会公益", "法律服务", "其他", "总计"} {
					d.at(312+float64(k)*36, 8, h)
				}
				for _, r := range a.t3Rows() {
					d.line(14)
					label, size := t3PDFLabel(r, a), 8.0
					if n := len([]rune(label)); n > 32 {
						size = 260 / float64(n) // a long label in a smaller type, as Word shrinks it to fit
					}
					d.at(50, size, label)
					for k, c := range r.cells {
						d.at(320+float64(k)*36, 8, c)
					}
				}
			default:
				d.line(16)
				d.at(80, 8, "行政复议")
				d.at(330, 8, "行政诉讼")
				d.line(12)
				d.at(250, 8, "未经复议直接起诉")
				d.at(430, 8, "复议后起诉")
				d.line(12)
				for k := 0; k < 15; k++ {
					d.at(56+float64(k)*34, 7, t4Heads[k%5])
				}
				d.line(14)
				for k, c := range a.t4Cells() {
					d.at(60+float64(k)*34, 8, c)
				}
			}
		case 4:
			for _, p := range a.Problems {
				d.para(10.5, p)
			}
		case 5:
			for _, p := range a.Other {
				d.para(10.5, p)
			}
		}
	}
	return d.bytes()
}

// reportDOCX writes a report as a Word document.
func reportDOCX(u *Unit, it *Item) []byte {
	a := it.AnnualReport
	var d docxDoc
	d.para(it.Title, true)
	cell := func(text string) docxCell { return docxCell{text: text, span: 1} }
	for i := range reportSections {
		if !a.NoHeading[i] {
			d.para(a.sectionHeading(i), true)
		}
		switch i {
		case 0:
			for _, p := range a.Overview {
				d.para(p, false)
			}
		case 1, 2, 3:
			switch {
			case a.Prose:
				for _, p := range a.proseSection(i) {
					d.para(p, false)
				}
			case a.NoTable[i-1]:
				d.para(noTableText[i-1], false)
			case i == 1:
				var rows [][]docxCell
				for _, g := range table2Groups(a.Format) {
					rows = append(rows, []docxCell{{text: g.head, span: 4}})
					head := []docxCell{cell("信息内容")}
					for k, c := range g.cols {
						head = append(head, docxCell{text: c, span: spanOf(k, len(g.cols))})
					}
					rows = append(rows, head)
					for _, row := range g.rows {
						r := []docxCell{cell(row)}
						for k, v := range a.t2Cells(row) {
							r = append(r, docxCell{text: v, span: spanOf(k, len(g.cols))})
						}
						rows = append(rows, r)
					}
				}
				d.table(rows)
			case i == 2:
				rows := [][]docxCell{
					{{text: "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", span: 3, restart: true}, {text: "申请人情况", span: 7}},
					{{span: 3, merged: true}, {text: "自然人", span: 1, restart: true}, {text: "法人或其他组织", span: 5}, {text: "总计", span: 1, restart: true}},
					{{span: 3, merged: true}, {span: 1, merged: true}, cell("商业企业"), cell("科研机构"), cell("社会公益组织"), cell("法律服务机构"), cell("其他"), {span: 1, merged: true}},
				}
				for _, r := range a.t3Rows() {
					row := []docxCell{{text: t3PDFLabel(r, a), span: 3}}
					for _, c := range r.cells {
						row = append(row, cell(c))
					}
					rows = append(rows, row)
				}
				d.table(rows)
			default:
				heads := func(prefix string) []docxCell {
					var out []docxCell
					for _, h := range t4Heads {
						out = append(out, cell(prefix+h))
					}
					return out
				}
				rows := [][]docxCell{
					{{text: "行政复议", span: 5}, {text: "行政诉讼", span: 10}},
					append(heads(""), docxCell{text: "未经复议直接起诉", span: 5}, docxCell{text: "复议后起诉", span: 5}),
					append(append([]docxCell{cell(""), cell(""), cell(""), cell(""), cell("")}, heads("")...), heads("")...),
				}
				var figs []docxCell
				for _, c := range a.t4Cells() {
					figs = append(figs, cell(c))
				}
				rows = append(rows, figs)
				d.table(rows)
			}
		case 4:
			for _, p := range a.Problems {
				d.para(p, false)
			}
		case 5:
			for _, p := range a.Other {
				d.para(p, false)
			}
		}
	}
	return d.bytes()
}

// spanOf is the grid span of figure cell k of n in a table 2 group whose
// table has three figure columns: the last cell spans what is left.
func spanOf(k, n int) int {
	if k == n-1 && n < 3 {
		return 3 - k
	}
	return 1
}

// placeReportFiles gives the reports published as files their paths, once
// the style has laid the unit out: a PDF replaces its item's page (the list
// links the file), a DOCX sits beside it.
func placeReportFiles(u *Unit) {
	c := u.Column("annual-report")
	if c == nil {
		return
	}
	for _, it := range c.Items {
		if a := it.AnnualReport; a != nil {
			a.title = it.Title
			if a.look.file == filePDF {
				it.Path = strings.TrimSuffix(it.Path, path.Ext(it.Path)) + ".pdf"
			}
			a.filePath = reportFilePath(it)
		}
	}
}

// reportFilePath is where a report file is served: for a PDF, the item's
// own path (the list links the file); for a DOCX, beside the item's page.
func reportFilePath(it *Item) string {
	switch it.AnnualReport.look.file {
	case filePDF:
		return it.Path
	case fileDOCX:
		return strings.TrimSuffix(it.Path, ".html") + ".docx"
	}
	return ""
}
