package attach

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

// TestReadSheets_XLS reads a workbook LibreOffice wrote in the Excel 97
// format (testdata/persons.xls: a title row, a header, 150 persons with
// numbers stored as numbers and text long enough that the shared string
// table continues over CONTINUE records, and a second sheet).
func TestReadSheets_XLS(t *testing.T) {
	data, err := os.ReadFile("testdata/persons.xls")
	if err != nil {
		t.Fatal(err)
	}
	if k := Sniff("a.xls", data); k != KindXLS {
		t.Fatalf("Sniff = %q", k)
	}
	sheets, err := xlsSheets(data) // the direct reader, not LibreOffice
	if err != nil {
		t.Fatal(err)
	}
	if len(sheets) != 2 || sheets[0].Name != "名单" || sheets[1].Name != "说明" {
		t.Fatalf("sheets %d: %+v", len(sheets), names(sheets))
	}
	s := sheets[0]
	if len(s.Rows) != 152 {
		t.Fatalf("%d rows", len(s.Rows))
	}
	if diff := cmp.Diff([]string{"序号", "姓名", "身份证号码", "联系电话", "住址"}, s.Rows[1]); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	last := s.Rows[151]
	if last[0] != "150" || last[1] != "测试人员149" || last[3] != "13800000149" || !strings.HasPrefix(last[4], "北京市怀柔区第149号楼") || len(last[2]) != 18 {
		t.Errorf("last row %q", last)
	}
	if s.RowNums[0] != 1 || s.RowNums[151] != 152 {
		t.Errorf("row numbers %d %d", s.RowNums[0], s.RowNums[151])
	}
	if diff := cmp.Diff([][]string{{"", "联系人：王老师 010-69641234"}}, sheets[1].Rows); diff != "" {
		t.Errorf("second sheet (-want +got):\n%s", diff)
	}
}

func names(ss []Sheet) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Name)
	}
	return out
}

func TestReadSheets_XLSX(t *testing.T) {
	f := excelize.NewFile()
	f.SetSheetRow("Sheet1", "A1", &[]any{"姓名", "联系电话", "卡号"})
	f.SetSheetRow("Sheet1", "A3", &[]any{"张三", 13812345678, "6222020200112233445"})
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	sheets, err := ReadSheets(context.Background(), Sniff("x.xlsx", buf.Bytes()), buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	want := []Sheet{{Name: "Sheet1", Rows: [][]string{{"姓名", "联系电话", "卡号"}, {"张三", "13812345678", "6222020200112233445"}}, RowNums: []int{1, 3}}}
	if diff := cmp.Diff(want, sheets); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestReadSheets_CSV(t *testing.T) {
	text := "序号,姓名,手机号码\r\n1,张三,13812345678\r\n\r\n2,\"李,四\",13900001111\r\n"
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	u16, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(strings.ReplaceAll(text, ",", "\t"))
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]string{"utf-8": text, "utf-8 bom": "\xef\xbb\xbf" + text, "gbk": gbk, "utf-16 tabs": u16} {
		got, err := ReadSheets(context.Background(), KindCSV, []byte(data))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		li := "李,四"
		if name == "utf-16 tabs" {
			li = "李\t四"
		}
		want := []Sheet{{Rows: [][]string{{"序号", "姓名", "手机号码"}, {"1", "张三", "13812345678"}, {"2", li, "13900001111"}}, RowNums: []int{1, 2, 4}}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
}

// TestReadSheets_Damaged: a damaged file is an error, never a panic.
func TestReadSheets_Damaged(t *testing.T) {
	data, err := os.ReadFile("testdata/persons.xls")
	if err != nil {
		t.Fatal(err)
	}
	for i, bad := range [][]byte{
		nil,
		[]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\"附件.xls\""), // the sim's placeholder
		data[:4096],
		append(append([]byte(nil), data[:len(data)/2]...), make([]byte, len(data)/2)...),
	} {
		if _, err := xlsSheets(bad); err == nil && i < 3 {
			t.Errorf("case %d: no error", i)
		}
	}
	if _, err := ReadSheets(context.Background(), KindXLSX, []byte("PK\x03\x04 not a zip")); err == nil {
		t.Errorf("bad xlsx: no error")
	}
}

// TestBIFFStrings: the shared string table read across CONTINUE records,
// with a compressed string broken by one into 16-bit characters.
func TestBIFFStrings(t *testing.T) {
	sst := []byte{3, 0, 0, 0, 3, 0, 0, 0}
	sst = append(sst, 2, 0, 0, 'a', 'b')               // "ab", compressed
	sst = append(sst, 2, 0, 1, 0x00, 0x4e, 0x09, 0x4e) // "一三" in UTF-16
	sst = append(sst, 4, 0, 0, 'x', 'y')               // "xy…" continued
	cont := []byte{1, 0x20, 0x5f, 0x87, 0x65}          // … "张文" after a flags byte
	got := readSST([][]byte{sst, cont})
	if diff := cmp.Diff([]string{"ab", "一三", "xy张文"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := rkValue(uint32(100<<2 | 3)); got != 1 {
		t.Errorf("rk 100/100 = %v", got)
	}
	if got := formatNumber(13812345678); got != "13812345678" {
		t.Errorf("formatNumber = %s", got)
	}
	if got := formatNumber(6222020200112233445); strings.Contains(got, "6222020200112233445") {
		t.Errorf("formatNumber kept %s", got)
	}
}

func TestConvertToolError(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := convert(context.Background(), nil, "xls", "xlsx")
	var te *ToolError
	if !errors.As(err, &te) || te.Package != "libreoffice-calc-nogui" {
		t.Errorf("err = %v", err)
	}
}

// FuzzReadSheets: no file makes the spreadsheet readers panic.
func FuzzReadSheets(f *testing.F) {
	data, err := os.ReadFile("testdata/persons.xls")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data, uint8(0))
	f.Add([]byte("姓名,电话\n张三,13812345678\n"), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, kind uint8) {
		switch kind % 2 {
		case 0:
			xlsSheets(data)
			biffSheets(data)
		default:
			csvSheet(data)
		}
	})
}
