package browser

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg"
	_ "image/png"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"gongkai/internal/chrometest"
	"gongkai/internal/officetest"
)

// shared is the one browser the tests of this package share, as the
// commands share one for all their documents.
var shared struct {
	once sync.Once
	b    *Browser
	err  error
}

// start returns the shared Browser, or skips t without Chromium (fails
// when GONGKAI_REQUIRE_BROWSER is set).
func start(t *testing.T) *Browser {
	t.Helper()
	bin := chrometest.RequireBinary(t)
	shared.once.Do(func() { shared.b, shared.err = Start(context.Background(), Options{Path: bin}) })
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.b
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.b != nil {
		shared.b.Close()
	}
	os.Exit(code)
}

// hostilePage is a stored page that tries every way a page reaches out:
// scripts, style sheets, images, fonts, frames, a meta refresh, prefetch
// and preconnect hints, a base URL, inline script, and a form that submits
// itself. target is the server it points at.
func hostilePage(target string) string {
	return `<!DOCTYPE html>
<html><head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="0;url=` + target + `/refresh">
<base href="` + target + `/base/">
<title>区财政局 政府信息公开</title>
<link rel="stylesheet" href="` + target + `/style.css">
<link rel="preconnect" href="` + target + `">
<link rel="dns-prefetch" href="` + target + `">
<link rel="prefetch" href="` + target + `/prefetch">
<link rel="icon" href="` + target + `/favicon.ico">
<script src="` + target + `/app.js"></script>
<script>fetch("` + target + `/fetch"); new WebSocket("` + strings.Replace(target, "http", "ws", 1) + `/ws"); document.title = "ran";</script>
<style>
@font-face { font-family: Remote; src: url(` + target + `/font.woff2) format("woff2"); }
h1 { font-family: Remote, sans-serif; color: #b00; }
body { background: #fff url(` + target + `/bg.png); }
</style>
</head><body>
<h1>政府信息公开 工作动态</h1>
<ul><li><a href="a.html">关于印发《怀柔区政务公开工作要点》的通知</a> 2019-11-02</li></ul>
<img src="` + target + `/logo.png" alt="logo"><img src="relative.png" alt="">
<iframe src="` + target + `/frame.html" width="200" height="80"></iframe>
<object data="` + target + `/object.swf"></object>
<video poster="` + target + `/poster.jpg"></video>
<form action="` + target + `/submit" method="post"><input name="q" value="x" autofocus></form>
<img src="x" onerror="new Image().src='` + target + `/onerror'">
<script>document.write("SCRIPT-RAN")</script><noscript>scripts are off</noscript>
</body></html>`
}

// countingServer counts every request and connection made to it.
func countingServer(t *testing.T) (*httptest.Server, func() (requests, conns int64)) {
	var requests, conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		t.Logf("the stored page reached the network: %s %s", r.Method, r.URL)
		w.Write([]byte("body{background:red}"))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, func() (int64, int64) { return requests.Load(), conns.Load() }
}

// TestScreenshot_NothingFetched renders a stored page whose HTML tries to
// load remote scripts, style sheets, images, fonts and frames from a
// server that counts: the server sees no request and no connection, the
// dead proxy sees nothing, the page's attempts are counted as refused,
// its scripts do not run, and the picture is not blank.
func TestScreenshot_NothingFetched(t *testing.T) {
	srv, hits := countingServer(t)
	b := start(t)
	shot, err := b.Screenshot(context.Background(), Page{
		URL: srv.URL + "/col/col1622/index.html", FetchedAt: time.Date(2026, 3, 1, 2, 15, 0, 0, time.UTC),
		Body: []byte(hostilePage(srv.URL)), ContentType: "text/html", Charset: "utf-8",
	}, ShotOptions{})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // anything late would show now
	if r, c := hits(); r != 0 || c != 0 {
		t.Errorf("the page reached the network: %d requests, %d connections", r, c)
	}
	host := strings.TrimPrefix(srv.URL, "http://")
	for _, req := range b.Escaped() {
		if strings.Contains(req, host) {
			t.Errorf("a request of the page got past the interception to the dead proxy: %s", req)
		}
	}
	if shot.Blocked < 8 {
		t.Errorf("%d requests refused; the page makes at least 8", shot.Blocked)
	}
	if !strings.Contains(shot.Text, "关于印发《怀柔区政务公开工作要点》的通知") {
		t.Errorf("the page's text is not shown: %q", shot.Text)
	}
	if strings.Contains(shot.Text, "SCRIPT-RAN") || !strings.Contains(shot.Text, "scripts are off") {
		t.Errorf("the page's scripts ran: %q", shot.Text)
	}
	img := decode(t, shot.Image)
	if img.Bounds().Dx() != 1280 {
		t.Errorf("width %d, want 1280", img.Bounds().Dx())
	}
	if red := countPixels(img, func(c color.RGBA) bool { return c.R > 150 && c.G < 60 && c.B < 60 }); red < 200 {
		t.Errorf("the red heading is not drawn (%d red pixels): the picture looks blank", red)
	}
	if red := countPixels(img, func(c color.RGBA) bool { return c.R > 200 && c.G < 30 && c.B < 30 }); red > img.Bounds().Dx()*img.Bounds().Dy()/4 {
		t.Errorf("the background is red: the remote style sheet was applied")
	}
	save(t, "evidence-hostile.png", shot.Image)
}

// TestScreenshot_Charset renders a GBK page that declares UTF-8, as the
// crawler decoded it: with the charset stored, not the one declared.
func TestScreenshot_Charset(t *testing.T) {
	b := start(t)
	page := `<html><head><meta charset="utf-8"><title>x</title></head><body><p>区财政局政府信息公开指南（2026年版）</p></body></html>`
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(page))
	if err != nil {
		t.Fatal(err)
	}
	shot, err := b.Screenshot(context.Background(), Page{URL: "http://www.example.gov.cn/", Body: gbk, ContentType: "text/html", Charset: "gbk"}, ShotOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.EqualFold(shot.Charset, "gbk") || !strings.Contains(shot.Text, "区财政局政府信息公开指南（2026年版）") {
		t.Errorf("decoded as %s: %q", shot.Charset, shot.Text)
	}
	if _, err := b.Screenshot(context.Background(), Page{Body: []byte("%PDF-1.4"), ContentType: "application/pdf"}, ShotOptions{}); !errors.Is(err, ErrNotRenderable) {
		t.Errorf("a PDF attachment: %v, want ErrNotRenderable", err)
	}
}

// TestScreenshot_CaptionAndThumbnail: the caption band sits above the
// page; a thumbnail is a scaled JPEG.
func TestScreenshot_CaptionAndThumbnail(t *testing.T) {
	b := start(t)
	p := Page{URL: "http://www.example.gov.cn/zwgk/<script>alert(1)</script>", FetchedAt: time.Date(2026, 3, 1, 2, 15, 0, 0, time.UTC),
		Body: []byte(`<body style="margin:0"><div style="height:600px;background:#2f6db5"></div></body>`)}
	plain, err := b.Screenshot(context.Background(), p, ShotOptions{Width: 800})
	if err != nil {
		t.Fatal(err)
	}
	captioned, err := b.Screenshot(context.Background(), p, ShotOptions{Width: 800, Caption: true})
	if err != nil {
		t.Fatal(err)
	}
	pi, ci := decode(t, plain.Image), decode(t, captioned.Image)
	if ci.Bounds().Dy() < pi.Bounds().Dy()+50 {
		t.Errorf("captioned picture %d px high, the page alone %d: no caption band", ci.Bounds().Dy(), pi.Bounds().Dy())
	}
	band := color.RGBAModel.Convert(ci.At(4, 4)).(color.RGBA)
	if band.R > 80 || band.B < 40 {
		t.Errorf("top-left pixel %v is not the caption band", band)
	}
	save(t, "evidence-caption.png", captioned.Image)
	thumb, err := b.Screenshot(context.Background(), p, ShotOptions{Width: 800, Scale: 0.25, JPEGQuality: 70})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(thumb.Image, []byte("\xff\xd8")) {
		t.Fatalf("thumbnail is not a JPEG")
	}
	ti := decode(t, thumb.Image)
	if ti.Bounds().Dx() != 200 {
		t.Errorf("thumbnail %d px wide, want 200", ti.Bounds().Dx())
	}
}

// TestPDF prints a document of three pages: A4, Chinese text readable by
// pdftotext, page numbers in the footer, no row split across pages.
func TestPDF(t *testing.T) {
	officetest.RequirePoppler(t)
	b := start(t)
	var rows strings.Builder
	for i := 1; i <= 90; i++ {
		fmt.Fprintf(&rows, "<tr><td>%d</td><td>第%d行：栏目未按期更新<br>第%d行之二</td></tr>\n", i, i, i)
	}
	doc := `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><style>
@page { size: A4; margin: 18mm 16mm; } tr { break-inside: avoid; } td { border: 1px solid #555; padding: 4px; }
h1 { color: #c00; }</style></head><body><h1>区政务公开办公室</h1><table>` + rows.String() + `</table></body></html>`
	pdf, err := b.PDF(context.Background(), Document{HTML: []byte(doc), Footer: "怀柔区公开评〔2026〕1-01号"})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "doc.pdf")
	save(t, "doc.pdf", pdf)
	os.WriteFile(path, pdf, 0o644)
	pages, size := officetest.PDFInfo(t, path)
	if pages < 2 || !strings.Contains(size, "(A4)") {
		t.Errorf("%d pages of %s, want A4 (595 x 842 pts) and more than one page", pages, size)
	}
	text := officetest.PDFText(t, path)
	if len(text) != pages {
		t.Fatalf("pdftotext found %d pages, pdfinfo %d", len(text), pages)
	}
	for i, p := range text {
		sq := officetest.Squash(p)
		if want := fmt.Sprintf("第%d页，共%d页", i+1, pages); !strings.Contains(sq, want) {
			t.Errorf("page %d lacks its number %q:\n%s", i+1, want, p)
		}
		if !strings.Contains(sq, "怀柔区公开评〔2026〕1-01号") {
			t.Errorf("page %d lacks the footer text", i+1)
		}
	}
	// A row's two lines are on one page: no row is split.
	for i := 1; i <= 90; i++ {
		first, second := fmt.Sprintf("第%d行：", i), fmt.Sprintf("第%d行之二", i)
		on := -1
		for p, pt := range text {
			if strings.Contains(officetest.Squash(pt), first) {
				on = p
			}
		}
		if on < 0 || !strings.Contains(officetest.Squash(text[on]), second) {
			t.Errorf("row %d is missing or split across pages (first line on page %d)", i, on+1)
		}
	}
}

// TestConcurrentUse renders from several goroutines at once through the
// two tabs.
func TestConcurrentUse(t *testing.T) {
	b := start(t)
	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for i := range 6 {
		wg.Go(func() {
			body := fmt.Sprintf("<body><p>第%d页</p></body>", i)
			s, err := b.Screenshot(context.Background(), Page{Body: []byte(body), Charset: "utf-8"}, ShotOptions{Width: 400, MaxHeight: 300})
			if err == nil && !strings.Contains(s.Text, fmt.Sprintf("第%d页", i)) {
				err = fmt.Errorf("goroutine %d got %q", i, s.Text)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

func TestFind(t *testing.T) {
	_, err := Find(filepath.Join(t.TempDir(), "no-chromium"))
	if !errors.Is(err, ErrNoBrowser) || !strings.Contains(err.Error(), "apt-get install chromium") {
		t.Errorf("Find of a missing binary: %v", err)
	}
	if _, err := Start(context.Background(), Options{Path: "/nonexistent/chromium"}); !errors.Is(err, ErrNoBrowser) {
		t.Errorf("Start without a browser: %v", err)
	}
}

func decode(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decode the picture: %v", err)
	}
	return img
}

func countPixels(img image.Image, match func(color.RGBA) bool) int {
	n := 0
	r := img.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y += 2 {
		for x := r.Min.X; x < r.Max.X; x += 2 {
			if match(color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)) {
				n++
			}
		}
	}
	return n
}

// save keeps a picture in GONGKAI_ARTIFACTS, when set, to look at.
func save(t *testing.T, name string, b []byte) {
	if dir := os.Getenv("GONGKAI_ARTIFACTS"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Log(err)
		}
	}
}

// TestLazy starts the browser on first use, and not before.
func TestLazy(t *testing.T) {
	bin := chrometest.RequireBinary(t)
	l := NewLazy(Options{Path: bin, Tabs: 1})
	defer l.Close()
	if l.b != nil {
		t.Fatal("started before use")
	}
	s, err := l.Screenshot(context.Background(), Page{Body: []byte("<p>懒</p>")}, ShotOptions{Width: 300, MaxHeight: 200})
	if err != nil || !strings.Contains(s.Text, "懒") {
		t.Fatalf("%v %+v", err, s)
	}
	first := l.b
	l.b.Close() // the browser dies: the next use starts another
	if _, err := l.Screenshot(context.Background(), Page{Body: []byte("<p>再</p>")}, ShotOptions{Width: 300, MaxHeight: 200}); err != nil {
		t.Fatal(err)
	}
	if l.b == first {
		t.Error("a dead browser was reused")
	}
	none := NewLazy(Options{Path: "/nonexistent/chromium"})
	if _, err := none.PDF(context.Background(), Document{HTML: []byte("x")}); !errors.Is(err, ErrNoBrowser) {
		t.Errorf("without a browser: %v", err)
	}
}
