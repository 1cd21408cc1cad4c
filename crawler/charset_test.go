package crawler

import (
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

func gbk(t *testing.T, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeBody(t *testing.T) {
	const title = "政府信息公开指南"
	page := func(meta string) string {
		return "<html><head>" + meta + "<title>" + title + "</title></head><body>办公时间：周一至周五</body></html>"
	}
	tests := []struct {
		name         string
		body         []byte
		contentType  string
		wantCharset  string
		wantMismatch bool
	}{
		{"utf8 header", []byte(page("")), "text/html; charset=utf-8", "utf-8", false},
		{"utf8 undeclared", []byte(page("")), "text/html", "utf-8", false},
		{"utf8 bom", append([]byte("\xef\xbb\xbf"), page("")...), "", "utf-8", false},
		{"gbk header", gbk(t, page("")), "text/html; charset=GBK", "gb18030", false},
		{"gb2312 meta", gbk(t, page(`<meta http-equiv="Content-Type" content="text/html; charset=gb2312">`)), "text/html", "gb18030", false},
		{"gb18030 html5 meta", gbk(t, page(`<meta charset="GB18030">`)), "", "gb18030", false},
		{"gbk undeclared", gbk(t, page("")), "text/html", "gb18030", false},
		{"gbk claimed utf-8", gbk(t, page("")), "text/html; charset=utf-8", "gb18030", true},
		{"utf8 claimed gbk", []byte(page(`<meta charset="gbk">`)), "text/html", "utf-8", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := decodeBody(tt.body, tt.contentType)
			if d.charset != tt.wantCharset {
				t.Errorf("charset = %q, want %q", d.charset, tt.wantCharset)
			}
			if d.mismatch != tt.wantMismatch {
				t.Errorf("mismatch = %v, want %v", d.mismatch, tt.wantMismatch)
			}
			if !strings.Contains(string(d.text), title) || !strings.Contains(string(d.text), "办公时间") {
				t.Errorf("decoded text lost the Chinese: %q", d.text)
			}
		})
	}
}
