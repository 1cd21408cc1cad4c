package scoring

import (
	"regexp"
	"strconv"

	"gongkai/internal/textnorm"
)

var (
	arabicYearRE = regexp.MustCompile(`((?:19|20)[0-9]{2})\s*年`)
	hanYearRE    = regexp.MustCompile(`([〇零一二三四五六七八九○O]{4})\s*年`)
	hanDigit     = map[rune]int{'〇': 0, '零': 0, '○': 0, 'O': 0, '一': 1, '二': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
)

// titleYear reads the year a report title names, in Arabic (2019年) or
// Chinese numerals (二〇一九年); 0 when none.
func titleYear(title string) int {
	f := textnorm.Fold(title)
	if m := arabicYearRE.FindStringSubmatch(f); m != nil {
		y, _ := strconv.Atoi(m[1])
		return y
	}
	if m := hanYearRE.FindStringSubmatch(f); m != nil {
		y := 0
		for _, r := range m[1] {
			y = y*10 + hanDigit[r]
		}
		return y
	}
	return 0
}
