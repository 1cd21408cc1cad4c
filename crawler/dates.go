package crawler

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gongkai/evidence"
	"gongkai/internal/textnorm"
)

// Date reading. Government pages print dates as 2019-05-12, 2019/5/12,
// 2019.05.12, 2019年5月12日, [2019-05-12], (05-12) with the year from a
// heading, 发布日期：2019-05-12, in full-width digits, and in documents as
// 二〇一九年五月十二日. The readers here find such dates in free text.

var (
	// fullDateRE matches a date with a year. Separators may differ between
	// the parts (2019年05-12 occurs); the day may carry 日 or 号.
	fullDateRE = regexp.MustCompile(`(^|[^0-9])(((?:19|20)[0-9]{2})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})(?:\s*[日号])?)($|[^0-9])`)
	// shortDateRE matches a year-less date: 05-12, 5月12日, 05/12.
	shortDateRE = regexp.MustCompile(`(^|[^0-9.])([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})(?:\s*[日号])?($|[^0-9.])`)
	// compactDateRE matches 20190512 standing alone.
	compactDateRE = regexp.MustCompile(`(^|[^0-9])((?:19|20)[0-9]{2})([01][0-9])([0-3][0-9])($|[^0-9])`)
	// yearHeadingRE matches a year heading such as "2019年" or "2019".
	yearHeadingRE = regexp.MustCompile(`^((?:19|20)[0-9]{2})\s*年?度?$`)
	// hanDateRE matches a date in Chinese numerals, e.g. 二〇一九年五月十二日.
	hanDateRE = regexp.MustCompile(`([〇零一二三四五六七八九○Ｏ]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日`)
)

// DateMatch is a date found in text with the text that printed it.
type DateMatch struct {
	Date evidence.Date
	Text string
}

// digitCount counts ASCII and full-width digits.
func digitCount(s string) int {
	n := 0
	for _, r := range s {
		if r >= '0' && r <= '9' || r >= '０' && r <= '９' {
			n++
		}
	}
	return n
}

// FindDate returns the first full date (with a year) in s.
func FindDate(s string) (DateMatch, bool) {
	if digitCount(s) < 4 && !strings.ContainsAny(s, "〇○零Ｏ") {
		return DateMatch{}, false // no year in digits or in Chinese numerals: skip the regexps
	}
	f := textnorm.Fold(s)
	if m := fullDateRE.FindStringSubmatch(f); m != nil {
		y, _ := strconv.Atoi(m[3])
		mo, _ := strconv.Atoi(m[4])
		d, _ := strconv.Atoi(m[5])
		if dt := evidence.NewDate(y, time.Month(mo), d); dt.Valid() {
			return DateMatch{Date: dt, Text: m[2]}, true
		}
	}
	if m := hanDateRE.FindStringSubmatch(f); m != nil {
		y := hanYear(m[1])
		mo, d := hanNumber(m[2]), hanNumber(m[3])
		if dt := evidence.NewDate(y, time.Month(mo), d); y > 0 && dt.Valid() {
			return DateMatch{Date: dt, Text: m[0]}, true
		}
	}
	if m := compactDateRE.FindStringSubmatch(f); m != nil {
		y, _ := strconv.Atoi(m[2])
		mo, _ := strconv.Atoi(m[3])
		d, _ := strconv.Atoi(m[4])
		if dt := evidence.NewDate(y, time.Month(mo), d); dt.Valid() {
			return DateMatch{Date: dt, Text: strings.TrimSpace(trimEdges(m[0]))}, true
		}
	}
	return DateMatch{}, false
}

// FindDateIn is FindDate that also accepts a year-less date (05-12, 5月12日)
// when s is short enough to be a date cell. The year comes from year (a
// heading above the list) when non-zero; otherwise it is the latest year
// that puts the date on or before ref.
func FindDateIn(s string, year int, ref evidence.Date) (DateMatch, bool) {
	if m, ok := FindDate(s); ok {
		return m, true
	}
	if digitCount(s) < 2 {
		return DateMatch{}, false
	}
	f := strings.TrimSpace(textnorm.Fold(s))
	if utf8.RuneCountInString(f) > 24 {
		return DateMatch{}, false
	}
	m := shortDateRE.FindStringSubmatch(f)
	if m == nil {
		return DateMatch{}, false
	}
	mo, _ := strconv.Atoi(m[2])
	d, _ := strconv.Atoi(m[3])
	if year == 0 {
		if ref.IsZero() {
			return DateMatch{}, false
		}
		year = ref.Year
		if evidence.NewDate(year, time.Month(mo), d).After(ref) {
			year--
		}
	}
	dt := evidence.NewDate(year, time.Month(mo), d)
	if !dt.Valid() {
		return DateMatch{}, false
	}
	return DateMatch{Date: dt, Text: strings.TrimSpace(trimEdges(m[0]))}, true
}

// ParseDateValue reads a metadata value such as "2019年5月12日" or
// "2019-05-12 10:30"; it returns the zero Date when none is found.
func ParseDateValue(s string) evidence.Date {
	if m, ok := FindDate(s); ok {
		return m.Date
	}
	return evidence.Date{}
}

// yearHeading returns the year of a heading such as "2019年", or 0.
func yearHeading(s string) int {
	f := strings.TrimSpace(textnorm.Fold(s))
	if m := yearHeadingRE.FindStringSubmatch(f); m != nil {
		y, _ := strconv.Atoi(m[1])
		return y
	}
	return 0
}

// isStandaloneDate reports whether s is essentially only a date (with
// brackets, a label such as 发布日期 or a time of day around it).
func isStandaloneDate(s string, year int, ref evidence.Date) (DateMatch, bool) {
	f := strings.TrimSpace(textnorm.Fold(s))
	if f == "" || utf8.RuneCountInString(f) > 32 {
		return DateMatch{}, false
	}
	return FindDateIn(f, year, ref)
}

func trimEdges(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return r < '0' || r > '9' })
}

var hanDigits = map[rune]int{'〇': 0, '零': 0, '○': 0, 'Ｏ': 0, 'O': 0, '一': 1, '二': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}

// hanYear reads a year written digit by digit: 二〇一九 → 2019.
func hanYear(s string) int {
	y := 0
	for _, r := range s {
		d, ok := hanDigits[r]
		if !ok {
			return 0
		}
		y = y*10 + d
	}
	return y
}

// hanNumber reads 1..31 in Chinese numerals: 五, 十, 十二, 二十, 三十一.
func hanNumber(s string) int {
	rs := []rune(s)
	switch len(rs) {
	case 1:
		if rs[0] == '十' {
			return 10
		}
		return hanDigits[rs[0]]
	case 2:
		if rs[0] == '十' {
			return 10 + hanDigits[rs[1]]
		}
		if rs[1] == '十' {
			return hanDigits[rs[0]] * 10
		}
	case 3:
		if rs[1] == '十' {
			return hanDigits[rs[0]]*10 + hanDigits[rs[2]]
		}
	}
	return 0
}

// HanNumeralYear reads a year in Arabic or Chinese numerals from text such as
// "2019年" or "二〇一九年"; it returns 0 when none is found.
func HanNumeralYear(s string) int {
	f := textnorm.Fold(s)
	if m := reportYearRE.FindStringSubmatch(f); m != nil {
		y, _ := strconv.Atoi(m[1])
		return y
	}
	if m := hanYearRE.FindStringSubmatch(f); m != nil {
		return hanYear(m[1])
	}
	return 0
}

var (
	reportYearRE = regexp.MustCompile(`((?:19|20)[0-9]{2})\s*(?:年|度|政府信息|信息公开)`)
	hanYearRE    = regexp.MustCompile(`([〇零一二三四五六七八九○Ｏ]{4})\s*年`)
)
