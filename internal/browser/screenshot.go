package browser

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"math"
	"mime"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Page is a stored page to render: the bytes the crawler received and
// what it knew of them.
type Page struct {
	// URL is the address the page was fetched from; it is shown in the
	// caption, never requested.
	URL string
	// FetchedAt is when it was fetched; shown in the caption (China
	// Standard Time).
	FetchedAt time.Time
	// Body is the body as received, in its own charset.
	Body []byte
	// ContentType is the Content-Type the server sent; empty means HTML.
	ContentType string
	// Charset is the charset the crawler decoded the body with (utf-8,
	// gbk, gb18030 …); it wins over what the page declares, as the crawler
	// read it. Empty reads a body that is valid UTF-8 as UTF-8 and leaves
	// any other to the browser.
	Charset string
}

// ErrNotRenderable is returned, wrapped, for a body that is not a page or
// an image (a PDF or Word attachment, say).
var ErrNotRenderable = errors.New("not a page the browser can show")

// ShotOptions tunes a screenshot.
type ShotOptions struct {
	// Width is the window width in CSS pixels; 0 means 1280.
	Width int
	// MaxHeight cuts the page at this many CSS pixels from its top; 0
	// means 4000.
	MaxHeight int
	// Scale shrinks (or enlarges) the picture: 0.3 makes a thumbnail; 0
	// means 1.
	Scale float64
	// JPEGQuality, from 1 to 100, makes a JPEG; 0 makes a PNG.
	JPEGQuality int
	// Caption stamps the page's URL and fetch time above the picture, with
	// a line saying the picture is of the stored copy.
	Caption bool
}

// Shot is a rendered page.
type Shot struct {
	// Image is the PNG (or JPEG) picture.
	Image []byte
	// Blocked counts the requests the page made that were refused
	// (scripts, style sheets, images, fonts, frames, navigations).
	Blocked int
	// Text is the page's text as the browser laid it out, and Charset the
	// charset it decoded the page with: what the picture shows, for checks.
	Text    string
	Charset string
}

// cst is China Standard Time, in which captions print fetch times.
var cst = time.FixedZone("CST", 8*60*60)

// Screenshot renders the stored page p as the crawler received it, with
// every request it makes refused and its scripts off, and returns the
// picture of its top (up to MaxHeight).
func (b *Browser) Screenshot(ctx context.Context, p Page, o ShotOptions) (*Shot, error) {
	ctype, err := contentType(p)
	if err != nil {
		return nil, err
	}
	if o.Width <= 0 {
		o.Width = 1280
	}
	if o.MaxHeight <= 0 {
		o.MaxHeight = 4000
	}
	if o.Scale <= 0 {
		o.Scale = 1
	}
	shot := &Shot{}
	err = b.run(ctx, func(ctx context.Context, t *tab) error {
		if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
			Width: int64(o.Width), Height: 900, DeviceScaleFactor: 1,
		}); err != nil {
			return fmt.Errorf("screenshot: %w", err)
		}
		dir := t.dir()
		t.put(dir+"page", resource{body: p.Body, ctype: ctype})
		if err := chromedp.Do(ctx, chromedp.Navigate(dir+"page")); err != nil {
			return fmt.Errorf("screenshot: load the stored page: %w", err)
		}
		shot.Text, _ = chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
		shot.Charset, _ = chromedp.Run(ctx, chromedp.Evaluate[string](`document.characterSet`))
		shot.Blocked = t.refused()
		if !o.Caption {
			shot.Image, err = capture(ctx, o.Width, o.MaxHeight, o.Scale, o.JPEGQuality)
			return err
		}
		raw, err := capture(ctx, o.Width, o.MaxHeight, 1, 0)
		if err != nil {
			return err
		}
		var cap bytes.Buffer
		if err := captionPage.Execute(&cap, caption{URL: p.URL, Fetched: fetchedText(p.FetchedAt), Image: "shot.png", Width: o.Width}); err != nil {
			return fmt.Errorf("screenshot: caption: %w", err)
		}
		t.put(dir+"shot.png", resource{body: raw, ctype: "image/png"})
		t.put(dir+"caption.html", resource{body: cap.Bytes(), ctype: "text/html; charset=utf-8"})
		if err := chromedp.Do(ctx, chromedp.Navigate(dir+"caption.html")); err != nil {
			return fmt.Errorf("screenshot: caption: %w", err)
		}
		shot.Image, err = capture(ctx, o.Width, math.MaxInt32, o.Scale, o.JPEGQuality)
		return err
	})
	if err != nil {
		return nil, err
	}
	return shot, nil
}

// contentType is the Content-Type to serve p with: HTML (or text, or an
// image) with the charset the crawler decoded it with.
func contentType(p Page) (string, error) {
	mt := "text/html"
	if p.ContentType != "" {
		if m, _, err := mime.ParseMediaType(p.ContentType); err == nil {
			mt = strings.ToLower(m)
		}
	}
	switch {
	case mt == "text/html", mt == "application/xhtml+xml", mt == "text/plain":
	case strings.HasPrefix(mt, "image/") && mt != "image/svg+xml":
		return mt, nil
	default:
		return "", fmt.Errorf("%w: %s", ErrNotRenderable, mt)
	}
	switch {
	case safeCharset(p.Charset):
		return mt + "; charset=" + p.Charset, nil
	case utf8.Valid(p.Body):
		return mt + "; charset=utf-8", nil // no charset stored: valid UTF-8 is read as such
	}
	return mt, nil
}

// capture takes a picture of the page's top, maxHeight CSS pixels at most.
func capture(ctx context.Context, width, maxHeight int, scale float64, quality int) ([]byte, error) {
	m, err := chromedp.Call(ctx, page.GetLayoutMetrics, struct{}{})
	if err != nil {
		return nil, fmt.Errorf("screenshot: measure the page: %w", err)
	}
	h := 900.0
	if m.CSSContentSize != nil {
		h = m.CSSContentSize.Height
	}
	h = math.Max(1, math.Min(math.Ceil(h), float64(maxHeight)))
	yes := true
	p := page.CaptureScreenshotParams{
		Format: page.CaptureScreenshotFormatPng, CaptureBeyondViewport: &yes, FromSurface: &yes,
		Clip: &page.Viewport{X: 0, Y: 0, Width: float64(width), Height: h, Scale: scale},
	}
	if quality > 0 {
		q := int64(min(quality, 100))
		p.Format, p.Quality = page.CaptureScreenshotFormatJpeg, &q
	}
	res, err := chromedp.Call(ctx, page.CaptureScreenshot, p)
	if err != nil {
		return nil, fmt.Errorf("screenshot: %w", err)
	}
	return res.Data, nil
}

func fetchedText(t time.Time) string {
	if t.IsZero() {
		return "抓取时间不详"
	}
	return t.In(cst).Format("2006-01-02 15:04:05 MST")
}

// caption is the view of the caption page.
type caption struct {
	URL, Fetched, Image string
	Width               int
}

var captionPage = template.Must(template.New("caption").Parse(`<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>证据截图</title>
<style>
html, body { margin: 0; padding: 0; background: #fff; }
body { width: {{.Width}}px; font-family: "WenQuanYi Micro Hei", "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "SimHei", sans-serif; }
.cap { background: #1f2d3d; color: #fff; padding: 10px 16px; font-size: 15px; line-height: 1.5; }
.cap .url { font-family: "DejaVu Sans Mono", monospace; font-size: 14px; word-break: break-all; }
.cap .note { color: #c9d3dd; font-size: 13px; }
img { display: block; width: {{.Width}}px; border-bottom: 1px solid #999; }
</style></head>
<body>
<div class="cap">
<div>证据页面 <span class="url">{{.URL}}</span></div>
<div>抓取时间 {{.Fetched}}</div>
<div class="note">gongkai 存档副本：按抓取时收到的内容离线呈现，未重新访问网站，页面所引用的外部资源均未加载。</div>
</div>
<img src="{{.Image}}" alt="">
</body></html>
`))
