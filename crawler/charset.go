package crawler

import (
	"bytes"
	"mime"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

// Charsets. Chinese government pages are UTF-8 or GBK/GB2312/GB18030,
// declared in the Content-Type header, in a <meta> tag, or not at all; and
// the declaration is sometimes wrong. decodeBody finds the charset in that
// order (BOM, header, meta), checks the claim against the bytes, and falls
// back to sniffing: valid UTF-8 is UTF-8, anything else from a Chinese site
// is read as GB18030 (a superset of GBK and GB2312).

var metaCharsetRE = regexp.MustCompile(`(?i)<meta[^>]+charset\s*=\s*["']?\s*([a-z0-9_\-]+)`)

// decoded is a body turned into UTF-8 with how that was decided.
type decoded struct {
	text    []byte
	charset string // canonical name: utf-8, gb18030, windows-1252, ...
	// declared is the charset the page claimed ("" when none).
	declared string
	// mismatch is true when the claim did not fit the bytes.
	mismatch bool
}

// decodeBody converts body to UTF-8.
func decodeBody(body []byte, contentType string) decoded {
	if bytes.HasPrefix(body, []byte("\xef\xbb\xbf")) {
		return decoded{text: body[3:], charset: "utf-8", declared: "utf-8"}
	}
	if bytes.HasPrefix(body, []byte("\xff\xfe")) || bytes.HasPrefix(body, []byte("\xfe\xff")) {
		enc := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM)
		if out, err := enc.NewDecoder().Bytes(body); err == nil {
			return decoded{text: out, charset: "utf-16", declared: "utf-16"}
		}
	}
	declared := headerCharset(contentType)
	if declared == "" {
		head := body
		if len(head) > 4096 {
			head = head[:4096]
		}
		if m := metaCharsetRE.FindSubmatch(head); m != nil {
			declared = strings.ToLower(string(m[1]))
		}
	}
	name, enc := lookupCharset(declared)
	validUTF8 := utf8.Valid(body)
	switch {
	case name == "utf-8" && validUTF8:
		return decoded{text: body, charset: "utf-8", declared: declared}
	case name == "utf-8":
		// Claimed UTF-8 but the bytes are not: a GBK page with a wrong claim.
		if out, ok := decodeWith(simplifiedchinese.GB18030, body); ok {
			return decoded{text: out, charset: "gb18030", declared: declared, mismatch: true}
		}
		return decoded{text: bytes.ToValidUTF8(body, []byte("\uFFFD")), charset: "utf-8", declared: declared, mismatch: true}
	case enc != nil:
		if isGB(name) && validUTF8 && hasMultibyte(body) {
			// Claimed GBK but the bytes are valid UTF-8 with CJK: trust the bytes.
			return decoded{text: body, charset: "utf-8", declared: declared, mismatch: true}
		}
		if out, ok := decodeWith(enc, body); ok {
			return decoded{text: out, charset: name, declared: declared}
		}
	}
	// Undeclared (or unknown label): sniff.
	if validUTF8 {
		return decoded{text: body, charset: "utf-8", declared: declared, mismatch: declared != ""}
	}
	if out, ok := decodeWith(simplifiedchinese.GB18030, body); ok {
		return decoded{text: out, charset: "gb18030", declared: declared, mismatch: declared != ""}
	}
	return decoded{text: bytes.ToValidUTF8(body, []byte("\uFFFD")), charset: "unknown", declared: declared, mismatch: true}
}

func headerCharset(contentType string) string {
	if contentType == "" {
		return ""
	}
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		if i := strings.Index(strings.ToLower(contentType), "charset="); i >= 0 {
			return strings.Trim(strings.ToLower(contentType[i+8:]), `"' ;`)
		}
		return ""
	}
	return strings.ToLower(params["charset"])
}

// lookupCharset maps a declared label to a canonical name and decoder. GBK
// and GB2312 map to GB18030, their superset, so every byte a server sends
// under those labels decodes.
func lookupCharset(label string) (string, encoding.Encoding) {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "":
		return "", nil
	case "utf-8", "utf8":
		return "utf-8", nil
	case "gbk", "gb2312", "gb_2312-80", "gb18030", "x-gbk", "cp936", "euc-cn", "csgb2312", "hz-gb-2312":
		return "gb18030", simplifiedchinese.GB18030
	}
	enc, err := htmlindex.Get(label)
	if err != nil {
		return "", nil
	}
	name, _ := htmlindex.Name(enc)
	if name == "utf-8" {
		return "utf-8", nil
	}
	return name, enc
}

func isGB(name string) bool { return name == "gb18030" }

func hasMultibyte(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

// decodeWith decodes body with enc; it fails when the result carries many
// replacement characters (the wrong charset).
func decodeWith(enc encoding.Encoding, body []byte) ([]byte, bool) {
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return nil, false
	}
	bad := bytes.Count(out, []byte("\uFFFD"))
	if bad > 0 && bad*50 > utf8.RuneCount(out) {
		return nil, false
	}
	return out, true
}
