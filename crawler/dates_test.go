package crawler

import (
	"testing"

	"gongkai/evidence"
)

func TestFindDateIn(t *testing.T) {
	ref := evidence.MustParseDate("2020-03-01")
	tests := []struct {
		name string
		in   string
		year int
		want string // "" = no date
	}{
		{"iso", "2019-05-12", 0, "2019-05-12"},
		{"slash", "2019/5/12", 0, "2019-05-12"},
		{"dots", "2019.05.12", 0, "2019-05-12"},
		{"chinese", "2019年5月12日", 0, "2019-05-12"},
		{"chinese spaced", "2019 年 5 月 12 日", 0, "2019-05-12"},
		{"brackets", "[2019-05-12]", 0, "2019-05-12"},
		{"label", "发布日期：2019-05-12", 0, "2019-05-12"},
		{"datetime", "2019-05-12 10:31:00", 0, "2019-05-12"},
		{"full-width", "２０１９－０５－１２", 0, "2019-05-12"},
		{"full-width chinese", "２０１９年５月１２日", 0, "2019-05-12"},
		{"han numerals", "二〇一九年五月十二日", 0, "2019-05-12"},
		{"han numerals 31", "二〇一九年十二月三十一日", 0, "2019-12-31"},
		{"compact", "20190512", 0, "2019-05-12"},
		{"yearless with heading", "(05-12)", 2018, "2018-05-12"},
		{"yearless month-day", "5月12日", 2019, "2019-05-12"},
		{"yearless inferred", "(12-30)", 0, "2019-12-30"},
		{"yearless inferred this year", "(02-10)", 0, "2020-02-10"},
		{"invalid day", "2019-02-30", 0, ""},
		{"month only", "2019年5月", 0, ""},
		{"version number", "v1.2.3", 0, ""},
		{"long text yearless", "关于做好5月12日至6月1日期间防汛工作的通知补充说明", 0, ""},
		{"year in title", "2019年统计年鉴", 0, ""},
		{"phone", "010-69641234", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, ok := FindDateIn(tt.in, tt.year, ref)
			got := ""
			if ok {
				got = m.Date.String()
			}
			if got != tt.want {
				t.Errorf("FindDateIn(%q, %d) = %q, want %q", tt.in, tt.year, got, tt.want)
			}
		})
	}
}

func TestYearHeading(t *testing.T) {
	for in, want := range map[string]int{"2019年": 2019, " 2018 ": 2018, "２０１７年度": 2017, "2019年工作": 0, "共20条": 0} {
		if got := yearHeading(in); got != want {
			t.Errorf("yearHeading(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestHanNumeralYear(t *testing.T) {
	for in, want := range map[string]int{
		"北京市怀柔区2019年政府信息公开工作年度报告": 2019,
		"怀柔区财政局二〇二一年政府信息公开工作年度报告": 2021,
		"政府信息公开工作年度报告":            0,
	} {
		if got := HanNumeralYear(in); got != want {
			t.Errorf("HanNumeralYear(%q) = %d, want %d", in, got, want)
		}
	}
}

func FuzzFindDateIn(f *testing.F) {
	for _, s := range []string{"2019-05-12", "２０１９年５月１２日", "(05-12)", "二〇一九年五月十二日", "20190512", "2019/13/45"} {
		f.Add(s, 2019)
	}
	ref := evidence.MustParseDate("2020-03-01")
	f.Fuzz(func(t *testing.T, s string, year int) {
		if year < 0 || year > 3000 {
			return
		}
		m, ok := FindDateIn(s, year, ref)
		if ok && !m.Date.Valid() {
			t.Fatalf("FindDateIn(%q) returned invalid date %v", s, m.Date)
		}
	})
}
