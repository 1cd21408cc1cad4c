package pii

import (
	"strings"
	"unicode/utf8"
)

// match is one candidate number in a string.
type match struct {
	start, end int // byte offsets in the string scanned
	kind       Kind
	form       string
	masked     string
}

// group is a run of digits in a token, with its byte offsets.
type group struct {
	digits     string
	start, end int
}

// token is a run of digit groups joined by single separators (a space or a
// hyphen: 138 1234 5678, 6222-0202-0011-2233), possibly ending in X (the
// identity number's check character), bounded by no ASCII letter or digit.
type token struct {
	groups []group
	x      bool // ends in X or x, right after the last group
	end    int
}

// tokens returns the number tokens of s.
func tokens(s string) []token {
	var out []token
	at := func(i int) (rune, int) {
		if i >= len(s) {
			return 0, 0
		}
		if c := s[i]; c < utf8.RuneSelf {
			return rune(c), 1
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		return fold(r), n
	}
	prev := rune(0) // the rune before i, folded
	for i := 0; i < len(s); {
		r, n := at(i)
		if !isDigit(r) {
			prev = r
			i += n
			continue
		}
		if isAlnum(prev) {
			// Digits glued to a word or a longer code: part of it.
			for i < len(s) {
				if r, n = at(i); !isAlnum(r) {
					break
				}
				prev = r
				i += n
			}
			continue
		}
		var t token
		j := i
		for {
			k, wide := j, false
			for k < len(s) {
				c, m := at(k)
				if !isDigit(c) {
					break
				}
				wide = wide || m > 1
				k += m
			}
			d := s[j:k]
			if wide {
				var b strings.Builder
				for _, c := range d {
					b.WriteRune(fold(c))
				}
				d = b.String()
			}
			t.groups = append(t.groups, group{digits: d, start: j, end: k})
			c, m := at(k)
			if c == 'X' || c == 'x' {
				t.x = true
				k += m
			} else if c == ' ' || c == '-' {
				if c2, _ := at(k + m); isDigit(c2) {
					j = k + m
					continue
				}
			}
			t.end = k
			j = k
			break
		}
		if c, _ := at(j); isAlnum(c) {
			for j < len(s) {
				c, m := at(j)
				if !isAlnum(c) {
					break
				}
				prev = c
				j += m
			}
		} else {
			out = append(out, t)
			prev = '0'
		}
		i = j
	}
	return out
}

// findNumbers returns the candidate numbers of s, in order.
func findNumbers(s string) []match {
	var out []match
	for _, t := range tokens(s) {
		out = append(out, t.candidates()...)
	}
	return out
}

// candidates reads a token's groups from left to right: groups that make
// a number the way people space one (138 1234 5678; 6222 0202 0011 2233
// 445; 110105 19900307 1234) are read together, any other group on its
// own; so a run of spaced numbers yields each of them.
func (t token) candidates() []match {
	var out []match
	gs := t.groups
	xAt := -1 // the group the final X follows
	if t.x {
		xAt = len(gs) - 1
	}
	join := func(i, n int) (string, bool) {
		var b strings.Builder
		for _, g := range gs[i : i+n] {
			b.WriteString(g.digits)
		}
		return b.String(), xAt == i+n-1
	}
	lens := func(i int, want ...int) bool {
		if i+len(want) > len(gs) {
			return false
		}
		for k, n := range want {
			if len(gs[i+k].digits) != n {
				return false
			}
		}
		return true
	}
	emit := func(m match, i, n int) {
		m.start, m.end = gs[i].start, gs[i+n-1].end
		if xAt == i+n-1 {
			m.end = t.end
		}
		out = append(out, m)
	}
	for i := 0; i < len(gs); {
		var spans [][]int // (groups) patterns to try at i, longest first
		if lens(i, 6, 8, 4) || xAt == i+2 && lens(i, 6, 8, 3) {
			spans = append(spans, []int{3})
		}
		if lens(i, 4, 4, 4, 4) {
			if i+4 < len(gs) && len(gs[i+4].digits) <= 3 {
				spans = append(spans, []int{5})
			}
			spans = append(spans, []int{4})
		}
		if lens(i, 3, 4, 4) {
			spans = append(spans, []int{3})
		}
		done := false
		for _, sp := range spans {
			n := sp[0]
			d, x := join(i, n)
			if m, ok := classify(d, x); ok {
				emit(m, i, n)
				i += n
				done = true
				break
			}
		}
		if done {
			continue
		}
		if m, ok := classify(gs[i].digits, xAt == i); ok {
			emit(m, i, 1)
		}
		i++
	}
	return out
}

// classify says what a run of digits (with a final X when x) is.
func classify(d string, x bool) (match, bool) {
	n := len(d)
	switch {
	case x && n == 17 || !x && n == 18:
		full := d
		if x {
			full += "X"
		}
		if ValidID18(full) {
			return match{kind: KindID, masked: full[:6] + strings.Repeat("*", 8) + full[14:]}, true
		}
		if !x && validCard(d) {
			return match{kind: KindCard, masked: maskCard(d)}, true
		}
	case x:
	case n == 15 && ValidID15(d):
		return match{kind: KindID, form: "15", masked: d[:6] + strings.Repeat("*", 5) + d[11:]}, true
	case n == 11 && ValidMobile(d):
		return match{kind: KindMobile, masked: d[:3] + "****" + d[7:]}, true
	case n >= 16 && n <= 19 && validCard(d):
		return match{kind: KindCard, masked: maskCard(d)}, true
	}
	return match{}, false
}

func maskCard(d string) string { return d[:4] + strings.Repeat("*", len(d)-8) + d[len(d)-4:] }

// provinces are the first two digits of identity numbers: provinces,
// autonomous regions and municipalities; 71 Taiwan, 81 Hong Kong, 82
// Macao and 83 the residence permits of Taiwan residents.
var provinces = map[string]bool{
	"11": true, "12": true, "13": true, "14": true, "15": true,
	"21": true, "22": true, "23": true,
	"31": true, "32": true, "33": true, "34": true, "35": true, "36": true, "37": true,
	"41": true, "42": true, "43": true, "44": true, "45": true, "46": true,
	"50": true, "51": true, "52": true, "53": true, "54": true,
	"61": true, "62": true, "63": true, "64": true, "65": true,
	"71": true, "81": true, "82": true, "83": true,
}

// validRegion reports whether the first six digits are a plausible region
// code: a province, and a prefecture and county other than 0000 (but the
// Hong Kong, Macao and Taiwan residence permits' 810000, 820000, 830000).
func validRegion(d string) bool {
	if !provinces[d[:2]] {
		return false
	}
	return d[2:6] != "0000" || d[0] == '8'
}

// ValidID18 reports whether s (17 digits and a digit or X) is an identity
// number: a region code, a birth date from 1900 to 2099, and the GB 11643
// check character.
func ValidID18(s string) bool {
	if len(s) != 18 {
		return false
	}
	for i := 0; i < 17; i++ {
		if !isDigit(rune(s[i])) {
			return false
		}
	}
	last := s[17]
	if !isDigit(rune(last)) && last != 'X' && last != 'x' {
		return false
	}
	if !validRegion(s) || !validDate(atoi(s[6:10]), atoi(s[10:12]), atoi(s[12:14])) {
		return false
	}
	return CheckChar(s[:17]) == upper(last)
}

// CheckChar returns the GB 11643 check character of the first 17 digits
// of an identity number.
func CheckChar(d17 string) byte {
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(d17[i]-'0') * weights[i]
	}
	return "10X98765432"[sum%11]
}

// ValidID15 reports whether s is a 15-digit identity number: a region
// code and a birth date in the 1900s (YYMMDD).
func ValidID15(s string) bool {
	if len(s) != 15 || !allDigits(s) || !validRegion(s) {
		return false
	}
	return validDate(1900+atoi(s[6:8]), atoi(s[8:10]), atoi(s[10:12]))
}

// mobilePrefixes are the first three digits of mainland mobile numbers in
// use (voice and data).
var mobilePrefixes = func() map[string]bool {
	m := map[string]bool{}
	for _, p := range []string{
		"130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
		"145", "146", "147", "148", "149",
		"150", "151", "152", "153", "155", "156", "157", "158", "159",
		"162", "165", "166", "167",
		"170", "171", "172", "173", "174", "175", "176", "177", "178",
		"180", "181", "182", "183", "184", "185", "186", "187", "188", "189",
		"190", "191", "192", "193", "195", "196", "197", "198", "199",
	} {
		m[p] = true
	}
	return m
}()

// ValidMobile reports whether s is 11 digits with a mobile prefix in use.
func ValidMobile(s string) bool { return len(s) == 11 && allDigits(s) && mobilePrefixes[s[:3]] }

// validCard reports whether d (16 to 19 digits) passes the Luhn check and
// starts as bank cards do (3 to 6, or 9 for older domestic debit cards).
func validCard(d string) bool {
	if len(d) < 16 || len(d) > 19 || !allDigits(d) {
		return false
	}
	switch d[0] {
	case '3', '4', '5', '6', '9':
	default:
		return false
	}
	return Luhn(d)
}

// Luhn reports whether the digits d pass the Luhn check.
func Luhn(d string) bool {
	sum := 0
	double := false
	for i := len(d) - 1; i >= 0; i-- {
		n := int(d[i] - '0')
		if double {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
		double = !double
	}
	return sum%10 == 0
}

func validDate(y, m, d int) bool {
	if y < 1900 || y > 2099 || m < 1 || m > 12 || d < 1 {
		return false
	}
	days := [13]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}
	if m == 2 && (y%4 == 0 && y%100 != 0 || y%400 == 0) {
		return d <= 29
	}
	return d <= days[m]
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func upper(c byte) byte {
	if c == 'x' {
		return 'X'
	}
	return c
}

// MaskCandidates masks the candidates in s, as Scan masks them, and
// leaves every other character as it is: what evidence keeps of a page's
// labels, titles and text.
func MaskCandidates(s string) string {
	if !hasDigits(s, 11) {
		return s
	}
	ms := findNumbers(s)
	if len(ms) == 0 {
		return s
	}
	var b strings.Builder
	at := 0
	for _, m := range ms {
		b.WriteString(s[at:m.start])
		b.WriteString(m.masked)
		at = m.end
	}
	b.WriteString(s[at:])
	return b.String()
}

// MaskText masks the personal numbers in a short free text (a column
// header, a quoted line): every candidate as Scan would mask it, and every other run
// of seven or more digits down to its first three and last two, so that
// no number that might be a person's survives in what is kept or shown.
func MaskText(s string) string {
	if !hasDigits(s, 7) {
		return s
	}
	type span struct {
		start, end int
		repl       string
	}
	var spans []span
	for _, m := range findNumbers(s) {
		spans = append(spans, span{m.start, m.end, m.masked})
	}
	covered := func(i int) bool {
		for _, sp := range spans {
			if i >= sp.start && i < sp.end {
				return true
			}
		}
		return false
	}
	// Plain runs of seven digits or more that are no candidate.
	start := -1
	var run strings.Builder
	var extra []span
	closeRun := func(end int) {
		if start >= 0 && run.Len() >= 7 && !covered(start) {
			d := run.String()
			extra = append(extra, span{start, end, d[:3] + strings.Repeat("*", len(d)-5) + d[len(d)-2:]})
		}
		start = -1
		run.Reset()
	}
	for i, r := range s {
		if f := fold(r); isDigit(f) {
			if start < 0 {
				start = i
			}
			run.WriteRune(f)
			continue
		}
		closeRun(i)
	}
	closeRun(len(s))
	spans = append(spans, extra...)
	if len(spans) == 0 {
		return s
	}
	// Apply in order of position.
	for i := 1; i < len(spans); i++ {
		for k := i; k > 0 && spans[k].start < spans[k-1].start; k-- {
			spans[k], spans[k-1] = spans[k-1], spans[k]
		}
	}
	var b strings.Builder
	at := 0
	for _, sp := range spans {
		if sp.start < at {
			continue
		}
		b.WriteString(s[at:sp.start])
		b.WriteString(sp.repl)
		at = sp.end
	}
	b.WriteString(s[at:])
	return b.String()
}

// hasDigits reports whether s holds at least n digits (ASCII or full-width).
func hasDigits(s string, n int) bool {
	k := 0
	for _, r := range s {
		if isDigit(fold(r)) {
			if k++; k >= n {
				return true
			}
		}
	}
	return false
}
