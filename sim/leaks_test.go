package sim

import (
	"context"
	"math/rand/v2"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"

	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gongkai/evidence"
	"gongkai/internal/attach"
	"gongkai/internal/pii"
)

// TestContent_Planted: the district leaks personal data in a page and in
// a file of every format, names outdated organs in documents, and carries
// decoys of every kind; the truth reports each leak and name once.
func TestContent_Planted(t *testing.T) {
	for _, date := range []string{DefaultAsOf, "2021-03-01"} {
		d, err := Generate(Config{Seed: 1, AsOf: evidence.MustParseDate(date)})
		if err != nil {
			t.Fatal(err)
		}
		formats := map[string]int{}
		decoys := map[string]int{}
		names := 0
		for _, u := range d.Units {
			for _, df := range u.Defects {
				switch df.Kind {
				case DefectPrivacy:
					formats[strings.ToLower(filepath.Ext(df.Subject))]++
				case DefectOutdatedName:
					names++
				}
			}
			for _, x := range u.Decoys {
				for _, k := range []string{"页面", "xlsx）", "xls）", "csv）", "docx）", "pdf）", "“原”字之后", "《》内", "机构调整之前"} {
					if strings.Contains(x, k) && strings.Contains(x, "不应报告") {
						decoys[k]++
					}
				}
			}
		}
		for _, f := range []string{".html", ".xlsx", ".xls", ".csv", ".docx", ".pdf"} {
			if formats[f] == 0 {
				t.Errorf("%s: no leak in a %s", date, f)
			}
		}
		if names < 2 {
			t.Errorf("%s: %d outdated names planted", date, names)
		}
		want := []string{"页面", "xlsx）", "xls）", "csv）", "docx）", "pdf）", "“原”字之后", "《》内"}
		if date != DefaultAsOf {
			want = append(want, "机构调整之前") // a reform after the window: 2023's
		}
		for _, k := range want {
			if decoys[k] == 0 {
				t.Errorf("%s: no decoy %s", date, k)
			}
		}
		kinds := map[string]int{}
		for _, f := range d.Truth(hostless) {
			kinds[string(f.Kind)]++
		}
		if kinds["content.privacy"] != 6 || kinds["content.outdated-name"] != names {
			t.Errorf("%s: truth %d privacy, %d outdated names; planted 6 and %d", date, kinds["content.privacy"], kinds["content.outdated-name"], names)
		}
	}
}

// TestContent_Files: every file the sim attaches reads back, with the
// numbers the model holds, in the readers gongkai uses; a leak's numbers
// validate, a decoy's do not.
func TestContent_Files(t *testing.T) {
	d := defaultDistrict(t)
	ctx := context.Background()
	seen := map[string]bool{}
	for _, u := range d.Units {
		for _, c := range u.Columns {
			for _, it := range c.Items {
				for _, a := range it.Attachments {
					if a.File == nil {
						continue
					}
					body := disclosureFile(a)
					kind := attach.Sniff(a.Path, body)
					seen[a.ext] = true
					var text string
					switch kind {
					case attach.KindXLSX, attach.KindXLS, attach.KindCSV:
						sheets, err := attach.ReadSheets(ctx, kind, body)
						if err != nil {
							t.Fatalf("%s %s: %v", u.ID, a.Path, err)
						}
						for _, sh := range sheets {
							for _, r := range sh.Rows {
								text += strings.Join(r, " ") + "\n"
							}
						}
					case attach.KindDOCX:
						h, err := attach.DOCXHTML(body)
						if err != nil {
							t.Fatalf("%s %s: %v", u.ID, a.Path, err)
						}
						text = string(h)
					case attach.KindPDF:
						if _, err := exec.LookPath("pdftotext"); err != nil {
							continue
						}
						var err error
						if text, err = attach.PDFText(ctx, body); err != nil {
							t.Fatalf("%s %s: %v", u.ID, a.Path, err)
						}
					default:
						t.Fatalf("%s %s: sniffed as %q", u.ID, a.Path, kind)
					}
					flat := strings.Join(strings.Fields(text), "")
					for _, row := range a.File.Rows {
						for _, cell := range row {
							if !strings.Contains(flat, strings.Join(strings.Fields(cell), "")) {
								t.Errorf("%s %s: %q not read back", u.ID, a.Path, cell)
							}
						}
					}
					for _, n := range a.File.Notes {
						if !strings.Contains(flat, strings.Join(strings.Fields(n), "")) {
							t.Errorf("%s %s: note %q not read back", u.ID, a.Path, n)
						}
					}
					checkNumbers(t, a.File)
				}
				if it.Persons != nil {
					checkNumbers(t, it.Persons)
				}
			}
		}
	}
	if len(seen) != 5 {
		t.Errorf("file formats attached: %v", seen)
	}
}

// checkNumbers: a leaking list's identity numbers are valid, a decoy's
// are masked or fail their check character.
func checkNumbers(t *testing.T, d *Disclosure) {
	t.Helper()
	col := slices.Index(d.Header, "身份证号码")
	if col < 0 {
		return
	}
	for _, r := range d.Rows {
		v := r[col]
		switch {
		case d.leaking() && !pii.ValidID18(v):
			t.Errorf("leak %s: %q is no valid identity number", d.Title, v)
		case !d.leaking() && pii.ValidID18(v):
			t.Errorf("decoy %s: %q is a valid identity number", d.Title, v)
		}
	}
}

// TestContent_XLSOpensInLibreOffice: the sim's XLS is a workbook office
// software reads, not only gongkai's reader.
func TestContent_XLSOpensInLibreOffice(t *testing.T) {
	if _, err := exec.LookPath("soffice"); err != nil {
		t.Skip("soffice not installed")
	}
	if testing.Short() {
		t.Skip("starts LibreOffice")
	}
	r := newTestRand()
	list := personList(r, &Unit{RosterEntry: RosterEntry{Name: "区民政局", FullName: "北京市怀柔区民政局"}}, 2025, true)
	dir := t.TempDir()
	in := filepath.Join(dir, "list.xls")
	if err := os.WriteFile(in, xlsFile(list), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("soffice", "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", dir, in)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v: %s", err, out)
	}
	csv, err := os.ReadFile(filepath.Join(dir, "list.csv"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(csv)
	if !utf8Valid(csv) {
		if text, err = gbkText(csv); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range list.Rows[0] {
		if !strings.Contains(text, c) {
			t.Errorf("LibreOffice read %q without %q", text, c)
		}
	}
}

func newTestRand() *rand.Rand { return rand.New(rand.NewPCG(1, 2)) }

func utf8Valid(b []byte) bool { return utf8.Valid(b) }

func gbkText(b []byte) (string, error) {
	out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(b)
	return string(out), err
}

// BenchmarkAttachmentText measures what reading an attachment for its
// text and scanning it costs, per format, on a list of 3,000 persons
// (about 230 KB of cell text): the readers of internal/attach (PDF through
// pdftotext, a process of its own), then the detector over its rows.
// b.SetBytes counts the UTF-8 text of the cells, so MB/s is MB of
// attachment text.
func BenchmarkAttachmentText(b *testing.B) {
	r := newTestRand()
	u := &Unit{RosterEntry: RosterEntry{Name: "区民政局", FullName: "北京市怀柔区民政局"}}
	list := personList(r, u, 2025, true)
	for len(list.Rows) < 3000 {
		more := personList(r, u, 2025, true)
		list.Rows = append(list.Rows, more.Rows...)
	}
	text := 0
	for _, row := range list.Rows {
		for _, c := range row {
			text += len(c)
		}
	}
	det := pii.New(pii.DefaultVocabulary())
	ctx := context.Background()
	for _, ext := range []string{".csv", ".xlsx", ".xls", ".docx", ".pdf"} {
		data := disclosureFile(&Link{ext: ext, File: list})
		b.Run(strings.TrimPrefix(ext, "."), func(b *testing.B) {
			if ext == ".pdf" {
				if _, err := exec.LookPath("pdftotext"); err != nil {
					b.Skip("pdftotext not installed")
				}
			}
			b.SetBytes(int64(text))
			for i := 0; i < b.N; i++ {
				var parts []pii.Part
				switch ext {
				case ".pdf":
					t, err := attach.PDFText(ctx, data)
					if err != nil {
						b.Fatal(err)
					}
					var rows [][]string
					for _, line := range strings.Split(t, "\n") {
						rows = append(rows, strings.Fields(line))
					}
					parts = append(parts, pii.Part{Name: "第1页", Table: true, Rows: rows})
				case ".docx":
					h, err := attach.DOCXHTML(data)
					if err != nil {
						b.Fatal(err)
					}
					var rows [][]string
					for _, tr := range strings.Split(string(h), "<tr>") {
						rows = append(rows, strings.Split(tr, "</td><td>"))
					}
					parts = append(parts, pii.Part{Name: "表格1", Table: true, Rows: rows})
				default:
					sheets, err := attach.ReadSheets(ctx, attach.Sniff("f"+ext, data), data)
					if err != nil {
						b.Fatal(err)
					}
					for _, sh := range sheets {
						parts = append(parts, pii.Part{Name: sh.Name, Table: true, Rows: sh.Rows, RowNums: sh.RowNums})
					}
				}
				if res := det.Scan(pii.Input{Parts: parts}); res.Count(pii.KindID)+res.Count(pii.KindMobile) == 0 {
					b.Fatalf("%s: nothing found", ext)
				}
			}
		})
	}
}
