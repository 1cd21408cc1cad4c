package pii

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// id returns a valid identity number for the first 17 digits.
func id(d17 string) string { return d17 + string(CheckChar(d17)) }

// badID returns the 17 digits with a wrong check character.
func badID(d17 string) string {
	c := CheckChar(d17)
	for _, x := range "0123456789X" {
		if byte(x) != c {
			return d17 + string(x)
		}
	}
	return ""
}

// card completes a card number's Luhn digit.
func card(prefix string) string {
	for d := '0'; d <= '9'; d++ {
		if Luhn(prefix + string(d)) {
			return prefix + string(d)
		}
	}
	return ""
}

var (
	id1   = id("11010519900307123") // born 1990-03-07 in Chaoyang, Beijing
	id2   = id("11011620011231004") // Huairou, born 2001-12-31
	idX   = func() string { return findX() }()
	card1 = card("622202020011223344")
)

// findX returns a valid identity number ending in X.
func findX() string {
	for n := 100; n < 1000; n++ {
		d := fmt.Sprintf("11010519850101%03d", n)
		if CheckChar(d) == 'X' {
			return d + "X"
		}
	}
	return ""
}

func TestValid(t *testing.T) {
	for _, s := range []string{id1, id2, idX, strings.ToLower(idX)} {
		if !ValidID18(s) {
			t.Errorf("ValidID18(%s) = false", s)
		}
	}
	for _, s := range []string{
		badID("11010519900307123"),
		id("00010519900307123")[:17] + "0", // region 00
		"110105199013071230",               // month 13
		"110105180003071231",               // born 1800
		"11010519900307123",                // 17 digits
	} {
		if ValidID18(s) {
			t.Errorf("ValidID18(%s) = true", s)
		}
	}
	if !ValidID15("110105900307123") || ValidID15("110105901307123") || ValidID15("990105900307123") {
		t.Errorf("ValidID15 wrong")
	}
	if !ValidMobile("13812345678") || ValidMobile("12812345678") || ValidMobile("01069641234") || ValidMobile("1941234567") {
		t.Errorf("ValidMobile wrong")
	}
	if !validCard(card1) || validCard(card1[:len(card1)-1]+"0") && card1[len(card1)-1] != '0' {
		t.Errorf("validCard wrong for %s", card1)
	}
}

func TestFindNumbers(t *testing.T) {
	type m struct{ Kind, Form, Masked string }
	tests := []struct {
		in   string
		want []m
	}{
		{"身份证号：" + id1, []m{{"id", "", "110105********" + id1[14:]}}},
		{"身份证号" + idX + "。", []m{{"id", "", idX[:6] + "********" + idX[14:]}}},
		{"老证号110105900307123", []m{{"id", "15", "110105*****7123"}}},
		{"电话13812345678", []m{{"mobile", "", "138****5678"}}},
		{"电话 138 1234 5678，", []m{{"mobile", "", "138****5678"}}},
		{"电话138-1234-5678", []m{{"mobile", "", "138****5678"}}},
		{"１３８１２３４５６７８", []m{{"mobile", "", "138****5678"}}},
		{"卡号" + card1, []m{{"card", "", card1[:4] + strings.Repeat("*", len(card1)-8) + card1[len(card1)-4:]}}},
		{"卡号 " + card1[:4] + " " + card1[4:8] + " " + card1[8:12] + " " + card1[12:16] + " " + card1[16:], []m{{"card", "", card1[:4] + strings.Repeat("*", len(card1)-8) + card1[len(card1)-4:]}}},
		{"2025-03-12 13812345678", []m{{"mobile", "", "138****5678"}}},
		{"手机 138 1234 5678 139 0000 1111", []m{{"mobile", "", "138****5678"}, {"mobile", "", "139****1111"}}},
		{"13812345678 13900001111、13700002222", []m{{"mobile", "", "138****5678"}, {"mobile", "", "139****1111"}, {"mobile", "", "137****2222"}}},
		{"身份证 110105 19900307 " + id1[14:], []m{{"id", "", "110105********" + id1[14:]}}},
		// Not candidates.
		{"110105********1234", nil},
		{"138****5678", nil},
		{"1101051990****1234", nil},
		{badID("11010519900307123"), nil},
		{"电话：010-69641234", nil},
		{"电话：(010)69641234", nil},
		{"01069641234", nil},
		{"订单号DD13812345678", nil},
		{"订单号2025031200018846", nil},
		{"编号A" + id1, nil},
		{id1 + "0", nil},
		{"京ICP备12345678号", nil},
		{"12812345678", nil},
		{"邮编101400", nil},
	}
	for _, tt := range tests {
		var got []m
		for _, x := range findNumbers(tt.in) {
			got = append(got, m{string(x.kind), x.form, x.masked})
			if !strings.Contains(x.masked, "*") {
				t.Errorf("%q: %q not masked", tt.in, x.masked)
			}
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("findNumbers(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestScan(t *testing.T) {
	d := New(DefaultVocabulary())
	in := Input{
		Title: "关于2025年度困难家庭补贴发放名单的公示",
		Parts: []Part{
			{Name: "正文", Rows: [][]string{
				{"现将补贴发放名单公示如下。"},
				{"公示期间如有异议，请与我局联系。联系人：王老师，联系电话：13900001111。"},
				{"李四（13700002222）已领取。"},
			}},
			{Name: "表格1", Table: true, Rows: [][]string{
				{"序号", "姓 名", "身份证号码", "联系电话", "银行卡号"},
				{"1", "张三", id1, "13812345678", card1},
				{"2", "赵六", id2, "138****5678", "6222********1234"},
				{"3", "钱七", idX, "010-69641234", ""},
			}},
			{Name: "表格2", Table: true, Rows: [][]string{
				{"科室", "办公电话"},
				{"办公室", "13600003333"},
			}},
		},
	}
	got := d.Scan(in)
	want := Result{
		Lists: []string{"名单", "公示"},
		Groups: []Group{
			{Kind: KindMobile, Count: 1, Part: "正文", Rows: []int{2}, Example: "139****1111", Context: []string{"联系人", "联系电话"}},
			{Kind: KindMobile, Count: 1, Part: "正文", Rows: []int{3}, Example: "137****2222"},
			{Kind: KindID, Count: 3, Part: "表格1", Column: "身份证号码", Rows: []int{2, 3, 4}, Example: "110105********" + id1[14:], PersonTable: true, Context: []string{"身份证"}},
			{Kind: KindMobile, Count: 1, Part: "表格1", Column: "联系电话", Rows: []int{2}, Example: "138****5678", PersonTable: true, Context: []string{"联系电话"}},
			{Kind: KindCard, Count: 1, Part: "表格1", Column: "银行卡号", Rows: []int{2}, Example: card1[:4] + strings.Repeat("*", len(card1)-8) + card1[len(card1)-4:], PersonTable: true, Context: []string{"银行卡", "卡号"}},
			{Kind: KindMobile, Count: 1, Part: "表格2", Column: "办公电话", Rows: []int{2}, Example: "136****3333", Context: []string{"办公电话"}},
		},
	}
	got.Runes = 0
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Scan (-want +got):\n%s", diff)
	}
	if got.Count(KindID) != 3 || got.Count(KindMobile) != 4 {
		t.Errorf("counts: %d ids, %d mobiles", got.Count(KindID), got.Count(KindMobile))
	}
}

// TestScan_SheetRows: a worksheet keeps its own row numbers, and a title
// row above the header names the list.
func TestScan_SheetRows(t *testing.T) {
	d := New(DefaultVocabulary())
	got := d.Scan(Input{Title: "附件1.xlsx", Parts: []Part{{Name: "工作表“Sheet1”", Table: true, RowNums: []int{1, 3, 4, 5, 7}, Rows: [][]string{
		{"2025年拟表彰人员花名册"},
		{"姓名", "身份证号", "手机"},
		{"张三", id1, "13812345678"},
		{"李四", "", "13812345679"},
		{"联系人：王老师，联系电话：13900001111"}, // below a blank row: not a person's
	}}}})
	if len(got.Groups) != 3 || got.Groups[0].Rows[0] != 4 || !got.Groups[0].PersonTable || got.Groups[1].Count != 2 || !got.Groups[1].PersonTable {
		t.Errorf("groups %+v", got.Groups)
	}
	if g := got.Groups[2]; g.PersonTable || g.Column != "" || strings.Join(g.Context, ",") != "联系人,联系电话" {
		t.Errorf("the note below the table: %+v", g)
	}
	if diff := cmp.Diff([]string{"花名册", "名册"}, got.Lists); diff != "" {
		t.Errorf("lists (-want +got):\n%s", diff)
	}
}

var digitsRE = regexp.MustCompile(`\d{7,}`)

// TestScan_Pathological: long runs of digits, spaced digits and numbers
// are read in linear time.
func TestScan_Pathological(t *testing.T) {
	d := New(DefaultVocabulary())
	huge := []string{
		strings.Repeat("1", 1<<20),
		strings.Repeat("1 ", 1<<19),
		strings.Repeat("13812345678 ", 1<<16),
		strings.Repeat("１３８１２３４５６７８，", 1<<15),
	}
	for i, s := range huge {
		res := d.Scan(Input{Parts: []Part{{Name: "正文", Rows: [][]string{{s}}}}})
		want := []int{0, 0, 1 << 16, 1 << 15}[i]
		if got := res.Count(KindMobile); got != want {
			t.Errorf("case %d: %d mobiles, want %d", i, got, want)
		}
		for _, g := range res.Groups {
			if len(g.Rows) > MaxRows {
				t.Errorf("case %d: %d rows kept", i, len(g.Rows))
			}
		}
	}
}

func TestMaskText(t *testing.T) {
	for _, s := range []string{
		"联系电话 13812345678 身份证" + id1,
		"电话：138 1234 5678",
		"编号1234567890123",
		"卡号" + card1,
	} {
		got := MaskText(s)
		if digitsRE.MatchString(got) {
			t.Errorf("MaskText(%q) = %q keeps a run of digits", s, got)
		}
		if strings.Contains(got, "1234 5678") {
			t.Errorf("MaskText(%q) = %q keeps a spaced number", s, got)
		}
	}
	if got := MaskText("2025年3月12日，第12号"); got != "2025年3月12日，第12号" {
		t.Errorf("MaskText changed %q", got)
	}
}

// FuzzScan: no input makes the detector panic, and nothing it returns
// holds a candidate unmasked.
func FuzzScan(f *testing.F) {
	for _, s := range []string{
		"身份证号：" + id1 + "，电话13812345678",
		"138 1234 5678",
		"卡号 6222 0202 0011 2233 445",
		idX + "X",
		"１３８１２３４５６７８",
		"A" + id1 + "B",
		"----1-1-1-1",
		"x1x",
	} {
		f.Add(s, "姓名")
	}
	d := New(DefaultVocabulary())
	f.Fuzz(func(t *testing.T, cell, head string) {
		res := d.Scan(Input{Title: head, Parts: []Part{
			{Name: head, Table: true, Rows: [][]string{{head, cell}, {cell, head}}},
			{Name: "正文", Rows: [][]string{{cell}}},
		}})
		for _, g := range res.Groups {
			if !strings.Contains(g.Example, "*") {
				t.Fatalf("example %q unmasked", g.Example)
			}
			for _, m := range findNumbers(g.Column) {
				t.Fatalf("column %q holds a candidate %v", g.Column, m.kind)
			}
			if g.Count < 1 || len(g.Rows) == 0 {
				t.Fatalf("group %+v", g)
			}
		}
		if m := MaskText(cell); len(findNumbers(m)) > 0 {
			t.Fatalf("MaskText(%q) = %q still holds a candidate", cell, m)
		}
	})
}

// BenchmarkScan measures the detector on text like a page's: prose with
// dates and numbers, and a table of persons.
func BenchmarkScan(b *testing.B) {
	var rows [][]string
	rows = append(rows, []string{"序号", "姓名", "身份证号码", "联系电话", "地址"})
	for i := 0; i < 200; i++ {
		rows = append(rows, []string{fmt.Sprint(i + 1), "张三", id1, "13812345678", "北京市怀柔区青春路1号院"})
	}
	var lines [][]string
	for i := 0; i < 400; i++ {
		lines = append(lines, []string{"为深入贯彻落实市、区有关工作部署，2025年3月12日召开会议，进一步做好相关工作，联系电话：010-69641234。"})
	}
	in := Input{Title: "名单", Parts: []Part{{Name: "正文", Rows: lines}, {Name: "表格1", Table: true, Rows: rows}}}
	size := 0
	for _, p := range in.Parts {
		for _, r := range p.Rows {
			for _, c := range r {
				size += len(c)
			}
		}
	}
	d := New(DefaultVocabulary())
	b.SetBytes(int64(size))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d.Scan(in)
	}
}

func TestMaskCandidates(t *testing.T) {
	for in, want := range map[string]string{
		"联系电话：13812345678（王）":         "联系电话：138****5678（王）",
		"索引号：11110116123456789A/2025": "索引号：11110116123456789A/2025",
		"电话：010-69641234":             "电话：010-69641234",
		"身份证" + id1 + "号":             "身份证110105********" + id1[14:] + "号",
	} {
		if got := MaskCandidates(in); got != want {
			t.Errorf("MaskCandidates(%q) = %q, want %q", in, got, want)
		}
	}
}
