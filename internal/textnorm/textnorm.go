// Package textnorm folds Chinese web text for comparison: full-width forms
// to ASCII, whitespace collapsed, punctuation dropped. Both the rules (which
// hold column and field names) and the crawler (which reads link texts and
// labels) use it, so a name in a rule file and the same name on a page
// always compare equal. It imports only the standard library.
package textnorm

import (
	"strings"
	"unicode"
)

// Fold maps full-width ASCII variants (U+FF01..U+FF5E) to ASCII and the
// ideographic space (U+3000) and no-break space to a plain space. Other
// runes are kept.
func Fold(s string) string {
	if isPlain(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		b.WriteRune(FoldRune(r))
	}
	return b.String()
}

// FoldRune is Fold for one rune.
func FoldRune(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		return r - 0xFF01 + '!'
	case r == 0x3000 || r == 0x00A0 || r == 0x2002 || r == 0x2003 || r == 0x2009:
		return ' '
	}
	return r
}

func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// Name prepares a name for comparison: folded, Latin letters lowercased,
// whitespace, punctuation, symbols and format characters dropped. So
// "【政府信息公开指南】", "政府信息 公开指南" and "政府信息公开指南>>" compare equal.
func Name(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		r = FoldRune(r)
		if unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.Is(unicode.Cf, r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// Space folds s and collapses every run of whitespace to one space,
// trimming both ends.
func Space(s string) string { return Collapse(Fold(s)) }

// Collapse collapses every run of whitespace (the ideographic space and
// no-break space included) to one space and trims both ends, keeping every
// other rune as written: a title keeps its full-width （） and ：.
func Collapse(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) || r == 0x200B || r == 0xFEFF {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}
