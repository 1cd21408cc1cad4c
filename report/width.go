package report

import (
	"strings"
	"unicode"
)

// Width returns the number of terminal cells s takes: East Asian wide and
// fullwidth characters (汉字, kana, hangul, fullwidth forms such as （）and
// ，) take two, combining marks, zero-width and control characters none,
// everything else one. Ambiguous-width characters (—, ↑, ①) count as one,
// as terminals outside CJK locales draw them.
func Width(s string) int {
	n := 0
	for _, r := range s {
		n += runeWidth(r)
	}
	return n
}

func runeWidth(r rune) int {
	switch {
	case r < 0x20 || (r >= 0x7f && r < 0xa0):
		return 0 // C0 and C1 controls
	case r < 0x300:
		return 1 // Latin, fast path
	case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		return 0 // combining marks, ZWJ, ZWSP, BOM, directional marks
	case r >= 0x1160 && r <= 0x11ff:
		return 0 // conjoining Hangul vowels and finals
	case inTable(r, wide):
		return 2
	}
	return 1
}

// wide lists the East Asian Wide (W) and Fullwidth (F) ranges of Unicode's
// EastAsianWidth.txt, merged where nothing else lies between, plus the
// common emoji presentation blocks.
var wide = [][2]rune{
	{0x1100, 0x115f},   // Hangul Jamo initials
	{0x231a, 0x231b},   // watch, hourglass
	{0x2329, 0x232a},   // angle brackets
	{0x23e9, 0x23ec},   // media controls
	{0x23f0, 0x23f0},   // alarm clock
	{0x23f3, 0x23f3},   // hourglass
	{0x25fd, 0x25fe},   // small squares
	{0x2614, 0x2615},   // umbrella, hot beverage
	{0x2648, 0x2653},   // zodiac
	{0x267f, 0x267f},   // wheelchair
	{0x2693, 0x2693},   // anchor
	{0x26a1, 0x26a1},   // high voltage
	{0x26aa, 0x26ab},   // circles
	{0x26bd, 0x26be},   // balls
	{0x26c4, 0x26c5},   // snowman, sun
	{0x26ce, 0x26ce},   // ophiuchus
	{0x26d4, 0x26d4},   // no entry
	{0x26ea, 0x26ea},   // church
	{0x26f2, 0x26f3},   // fountain, flag
	{0x26f5, 0x26f5},   // sailboat
	{0x26fa, 0x26fa},   // tent
	{0x26fd, 0x26fd},   // fuel pump
	{0x2705, 0x2705},   // check mark
	{0x270a, 0x270b},   // fists
	{0x2728, 0x2728},   // sparkles
	{0x274c, 0x274c},   // cross mark
	{0x274e, 0x274e},   // cross mark
	{0x2753, 0x2755},   // question marks
	{0x2757, 0x2757},   // exclamation
	{0x2795, 0x2797},   // plus, minus, divide
	{0x27b0, 0x27b0},   // curly loop
	{0x27bf, 0x27bf},   // double curly loop
	{0x2b1b, 0x2b1c},   // large squares
	{0x2b50, 0x2b50},   // star
	{0x2b55, 0x2b55},   // circle
	{0x2e80, 0x303e},   // CJK radicals, Kangxi, ideographic description, CJK symbols and punctuation
	{0x3041, 0x33ff},   // Hiragana, Katakana, Bopomofo, Hangul compatibility, Kanbun, enclosed CJK, CJK compatibility
	{0x3400, 0x4dbf},   // CJK extension A
	{0x4e00, 0x9fff},   // CJK unified ideographs
	{0xa000, 0xa4cf},   // Yi
	{0xa960, 0xa97f},   // Hangul Jamo extended A
	{0xac00, 0xd7a3},   // Hangul syllables
	{0xf900, 0xfaff},   // CJK compatibility ideographs
	{0xfe10, 0xfe19},   // vertical forms
	{0xfe30, 0xfe6f},   // CJK compatibility forms, small form variants
	{0xff00, 0xff60},   // fullwidth ASCII variants and brackets
	{0xffe0, 0xffe6},   // fullwidth signs
	{0x16fe0, 0x16fe4}, // ideographic symbols
	{0x17000, 0x18cff}, // Tangut, Khitan
	{0x1b000, 0x1b2ff}, // Kana supplement and extensions, Nushu
	{0x1f004, 0x1f004}, // mahjong tile
	{0x1f0cf, 0x1f0cf}, // playing card
	{0x1f18e, 0x1f18e}, // AB button
	{0x1f191, 0x1f19a}, // squared words
	{0x1f200, 0x1f2ff}, // enclosed ideographic supplement
	{0x1f300, 0x1f64f}, // pictographs, emoticons
	{0x1f680, 0x1f6ff}, // transport and map symbols
	{0x1f900, 0x1f9ff}, // supplemental symbols and pictographs
	{0x1fa70, 0x1faff}, // symbols and pictographs extended A
	{0x20000, 0x2fffd}, // CJK extensions B-F, compatibility supplement
	{0x30000, 0x3fffd}, // CJK extensions G-H
}

// inTable reports whether r lies in one of the sorted ranges.
func inTable(r rune, table [][2]rune) bool {
	lo, hi := 0, len(table)
	for lo < hi {
		m := (lo + hi) / 2
		switch {
		case r < table[m][0]:
			hi = m
		case r > table[m][1]:
			lo = m + 1
		default:
			return true
		}
	}
	return false
}

// pad returns s padded with spaces to width cells, on the right (left
// alignment) or on the left (right alignment).
func pad(s string, width int, right bool) string {
	n := width - Width(s)
	if n <= 0 {
		return s
	}
	if right {
		return strings.Repeat(" ", n) + s
	}
	return s + strings.Repeat(" ", n)
}

// textTable renders rows as aligned columns separated by two spaces;
// columns whose rightAlign entry is true are right-aligned. Trailing spaces
// are trimmed from each line.
func textTable(rows [][]string, rightAlign []bool) string {
	widths := make([]int, len(rightAlign))
	for _, row := range rows {
		for i, cell := range row {
			if w := Width(cell); w > widths[i] {
				widths[i] = w
			}
		}
	}
	var b strings.Builder
	for _, row := range rows {
		var line strings.Builder
		for i, cell := range row {
			if i > 0 {
				line.WriteString("  ")
			}
			line.WriteString(pad(cell, widths[i], rightAlign[i]))
		}
		b.WriteString(strings.TrimRight(line.String(), " "))
		b.WriteByte('\n')
	}
	return b.String()
}

// textCell makes s fit on one line of a text table and drops control
// characters, so that no text can move the terminal's cursor.
func textCell(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && !unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// PadRight pads s with spaces on the right to width terminal cells.
func PadRight(s string, width int) string { return pad(s, width, false) }

// PadLeft pads s with spaces on the left to width terminal cells.
func PadLeft(s string, width int) string { return pad(s, width, true) }
