package report

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// The output formats.
const (
	FormatJSON     = "json"
	FormatCSV      = "csv"
	FormatMarkdown = "md"
)

// ErrUnknownFormat is returned, wrapped, for a format other than json, csv
// or md, so that a command can treat it as a usage error.
var ErrUnknownFormat = errors.New("unknown format")

// Options tunes rendering.
type Options struct {
	// Lang is the language of headings and labels: "zh" (Chinese; the zero
	// value) or "en". Data (names, details, kinds) is never translated.
	Lang string
	// BOM writes a UTF-8 byte-order mark before CSV output, so that Excel
	// reads the Chinese text as UTF-8. Other formats ignore it.
	BOM bool
	// Title replaces the Markdown document's heading; empty uses 问题清单 or
	// 排名 (Problem list, Ranking).
	Title string
	// Units gives the score, grade and rank printed beside each unit's
	// heading in a Markdown problem list, by unit id; nil prints names only.
	Units map[string]UnitSummary
}

// UnitSummary is what a problem list's unit heading shows of the unit's score.
type UnitSummary struct {
	// Score is the unit's total.
	Score float64
	// Grade is the grade earned; empty prints none.
	Grade string
	// Rank is the unit's rank; 0 prints none.
	Rank int
	// Veto is true when a veto fired.
	Veto bool
}

// lang is the resolved language of Options.Lang.
type lang int

const (
	zh lang = iota
	en
)

func (o Options) lang() (lang, error) {
	switch strings.ToLower(o.Lang) {
	case "", "zh", "zh-cn", "cn":
		return zh, nil
	case "en":
		return en, nil
	}
	return zh, fmt.Errorf("unknown language %q: want zh or en", o.Lang)
}

// pick returns the Chinese or English string for l.
func (l lang) pick(zhText, enText string) string {
	if l == en {
		return enText
	}
	return zhText
}

func unknownFormat(format string) error {
	return fmt.Errorf("%w %q: want json, csv or md", ErrUnknownFormat, format)
}

// round2 rounds x to two decimals, the precision scores are shown with.
func round2(x float64) float64 {
	r := math.Round(x*100) / 100
	if r == 0 {
		return 0 // no "-0"
	}
	return r
}

// num formats x with at most two decimals and no trailing zeros.
func num(x float64) string { return strconv.FormatFloat(round2(x), 'f', -1, 64) }

// signed formats x with a leading + when positive.
func signed(x float64) string {
	if round2(x) > 0 {
		return "+" + num(x)
	}
	return num(x)
}

// errWriter remembers the first write error so renderers can write freely
// and check once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}

func (e *errWriter) print(s string) {
	if e.err == nil {
		_, e.err = io.WriteString(e.w, s)
	}
}

// mdCell makes s safe inside a Markdown table cell: pipes are escaped, line
// breaks become <br>, and '<' is escaped so page text cannot inject HTML.
func mdCell(s string) string {
	s = strings.ReplaceAll(s, "<", "&lt;")
	s = strings.ReplaceAll(s, "|", `\|`)
	s = strings.ReplaceAll(s, "\r\n", "<br>")
	s = strings.ReplaceAll(s, "\n", "<br>")
	s = strings.ReplaceAll(s, "\r", "<br>")
	return s
}

// mdInline makes s safe on one Markdown line (a heading or list item).
func mdInline(s string) string {
	s = strings.ReplaceAll(s, "<", "&lt;")
	return strings.Join(strings.Fields(s), " ")
}

// csvText prepares a text cell: line breaks become \n (what encoding/csv
// reads back), and a cell that a spreadsheet would run as a formula (=, +,
// -, @ or a tab first) gets a leading quote, as OWASP advises for CSV
// exports.
func csvText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	if s != "" && strings.ContainsRune("=+-@\t", rune(s[0])) {
		return "'" + s
	}
	return s
}

// bom is the UTF-8 byte-order mark.
const bom = "\uFEFF"
