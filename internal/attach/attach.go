// Package attach reads the files government pages attach: annual reports
// and documents published as PDF, DOCX or DOC beside (or instead of) an
// HTML page, and the spreadsheets and lists (XLSX, XLS, CSV) that notices
// attach. It turns a PDF with a text layer into laid-out text (Debian's
// poppler-utils pdftotext -layout, which keeps table columns aligned), a
// DOCX into HTML with its tables as tables (read directly from the
// document's XML), a DOC into a DOCX first (LibreOffice headless, when
// installed), and a workbook or CSV file into its sheets' cells (XLSX with
// excelize, XLS 97-2003 directly from its BIFF8 records, CSV in UTF-8,
// UTF-16 or GBK). It says plainly what it could not read and why: a
// scanned PDF without a text layer, a tool that is not installed, a
// damaged file.
//
// It reads bytes already fetched; it never fetches, judges or stores.
package attach

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"time"
	"unicode"
)

// Kind is a file type attach can read.
type Kind string

// The kinds.
const (
	KindUnknown Kind = ""
	KindPDF     Kind = "pdf"
	KindDOCX    Kind = "docx"
	KindDOC     Kind = "doc"
	KindXLSX    Kind = "xlsx"
	KindXLS     Kind = "xls"
	KindCSV     Kind = "csv"
)

// Sniff tells a file's kind from its first bytes, then from its name.
func Sniff(name string, data []byte) Kind {
	switch {
	case bytes.HasPrefix(data, []byte("%PDF-")):
		return KindPDF
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		switch {
		case bytes.Contains(data[:min(len(data), 4096)], []byte("word/")):
			return KindDOCX
		case bytes.Contains(data[:min(len(data), 4096)], []byte("xl/")):
			return KindXLSX
		}
		switch ext(name) {
		case "docx":
			return KindDOCX
		case "xlsx":
			return KindXLSX
		}
	case bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}):
		// An OLE2 compound file: Word 97-2003 or Excel 97-2003.
		if ext(name) == "xls" || ext(name) == "et" {
			return KindXLS
		}
		return KindDOC
	}
	switch ext(name) {
	case "pdf":
		return KindPDF
	case "docx":
		return KindDOCX
	case "doc", "wps":
		return KindDOC
	case "xlsx":
		return KindXLSX
	case "xls", "et":
		return KindXLS
	case "csv":
		return KindCSV
	}
	return KindUnknown
}

func ext(name string) string {
	if i := strings.IndexAny(name, "?#"); i >= 0 {
		name = name[:i]
	}
	return strings.TrimPrefix(strings.ToLower(path.Ext(name)), ".")
}

// ToolError says a reader needs a program that is not installed.
type ToolError struct {
	// Tool is the program (pdftotext, soffice).
	Tool string
	// Package is the Debian package that provides it.
	Package string
}

func (e *ToolError) Error() string {
	return fmt.Sprintf("%s is not installed (Debian package %s)", e.Tool, e.Package)
}

// ErrNoText means a PDF has no text layer: a scan, to be read by a person.
var ErrNoText = errors.New("the PDF has no text layer (a scanned image)")

// timeout bounds one external reader.
const timeout = 60 * time.Second

// PDFText returns the text of a PDF laid out as on the page, so that a
// table's figures stay in their columns. It returns ErrNoText for a PDF
// whose pages are images, and a *ToolError when pdftotext is missing.
func PDFText(ctx context.Context, data []byte) (string, error) {
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		return "", &ToolError{Tool: "pdftotext", Package: "poppler-utils"}
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-layout", "-enc", "UTF-8", "-q", "-", "-")
	cmd.Stdin = bytes.NewReader(data)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("pdftotext: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	text := out.String()
	if letters(text) < 20 {
		return "", ErrNoText
	}
	return text, nil
}

// letters counts the letters and digits of s (a scan's text layer is
// empty or holds only page numbers).
func letters(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			n++
		}
	}
	return n
}

// DOCToDOCX converts a Word 97-2003 (or WPS) document to DOCX with
// LibreOffice headless; a *ToolError when it is not installed.
func DOCToDOCX(ctx context.Context, data []byte) ([]byte, error) {
	return convert(ctx, data, "doc", "docx")
}

// convert converts a file from one format to another (named by their
// extensions) with LibreOffice headless; a *ToolError when it is not
// installed.
func convert(ctx context.Context, data []byte, from, to string) ([]byte, error) {
	bin := ""
	for _, name := range []string{"soffice", "libreoffice"} {
		if p, err := exec.LookPath(name); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		pkg := "libreoffice-writer-nogui"
		if from == "xls" {
			pkg = "libreoffice-calc-nogui"
		}
		return nil, &ToolError{Tool: "soffice", Package: pkg}
	}
	dir, err := os.MkdirTemp("", "gongkai-"+from+"-")
	if err != nil {
		return nil, fmt.Errorf("convert %s: %w", from, err)
	}
	defer os.RemoveAll(dir)
	in := filepath.Join(dir, "in."+from)
	if err := os.WriteFile(in, data, 0o600); err != nil {
		return nil, fmt.Errorf("convert %s: %w", from, err)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	// A profile of its own: a user's running LibreOffice would otherwise
	// take the conversion and return at once.
	cmd := exec.CommandContext(ctx, bin, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
		"--headless", "--convert-to", to, "--outdir", dir, in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("soffice: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	out, err := os.ReadFile(filepath.Join(dir, "in."+to))
	if err != nil {
		return nil, fmt.Errorf("soffice wrote no %s: %w", to, err)
	}
	return out, nil
}
