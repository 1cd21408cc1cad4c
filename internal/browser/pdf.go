package browser

import (
	"context"
	"fmt"
	"html"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Document is an HTML document to print.
type Document struct {
	// HTML is the whole document, UTF-8. It should load nothing from
	// elsewhere: every other request is refused.
	HTML []byte
	// Footer is printed at the left of every page's footer (a notice's
	// number, say); empty prints page numbers only.
	Footer string
	// Lang is "en" for an English page count ("Page 1 of 3"); anything
	// else prints 第 1 页，共 3 页.
	Lang string
}

// PDF prints doc to PDF: A4 unless the document's CSS sets another page
// size (@page), backgrounds and colours as on screen, and page numbers in
// every page's footer, in the document's bottom margin.
func (b *Browser) PDF(ctx context.Context, doc Document) ([]byte, error) {
	var out []byte
	err := b.run(ctx, func(ctx context.Context, t *tab) error {
		url := t.dir() + "document.html"
		t.put(url, resource{body: doc.HTML, ctype: "text/html; charset=utf-8"})
		if _, err := chromedp.Call(ctx, emulation.ClearDeviceMetricsOverride, struct{}{}); err != nil {
			return fmt.Errorf("print: %w", err)
		}
		if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
			return fmt.Errorf("print: load the document: %w", err)
		}
		yes := true
		res, err := chromedp.Call(ctx, page.PrintToPDF, page.PrintToPDFParams{
			PaperWidth: 8.27, PaperHeight: 11.69, // A4, unless the document's @page says otherwise
			PreferCSSPageSize:   &yes,
			PrintBackground:     &yes,
			DisplayHeaderFooter: &yes,
			HeaderTemplate:      "<span></span>",
			FooterTemplate:      footer(doc),
		})
		if err != nil {
			return fmt.Errorf("print: %w", err)
		}
		out = res.Data
		return nil
	})
	return out, err
}

// footer is the footer template: the document's footer text on the left
// and the page count on the right. Chromium fills in the spans.
func footer(doc Document) string {
	count := `第 <span class="pageNumber"></span> 页，共 <span class="totalPages"></span> 页`
	if doc.Lang == "en" {
		count = `Page <span class="pageNumber"></span> of <span class="totalPages"></span>`
	}
	return `<div style="width:100%;margin:0 16mm;display:flex;justify-content:space-between;font-size:8pt;color:#555;` +
		`font-family:'WenQuanYi Micro Hei','Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','SimHei',sans-serif">` +
		`<span>` + html.EscapeString(doc.Footer) + `</span><span>` + count + `</span></div>`
}
