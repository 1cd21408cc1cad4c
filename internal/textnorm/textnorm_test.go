package textnorm

import "testing"

func TestName(t *testing.T) {
	same := [][]string{
		{"【政府信息公开指南】", "政府信息 公开指南", "政府信息公开指南>>", "政府信息公开指南", "　政府信息公开指南 ："},
		{"ＡＢＣ１２", "abc12", "A b C 1 2"},
	}
	for _, group := range same {
		want := Name(group[0])
		for _, s := range group[1:] {
			if got := Name(s); got != want {
				t.Errorf("Name(%q) = %q, want %q", s, got, want)
			}
		}
	}
}

func TestSpace(t *testing.T) {
	tests := map[string]string{
		"  a \n\t b  ":  "a b",
		"办公　　时间：":       "办公 时间:",
		"２０１９年\u00a0５月": "2019年 5月",
		"":              "",
	}
	for in, want := range tests {
		if got := Space(in); got != want {
			t.Errorf("Space(%q) = %q, want %q", in, got, want)
		}
	}
}
