package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"gongkai/internal/browser"
	"gongkai/report"
	"gongkai/store"
)

// browserFlag registers --browser, the Chromium binary of the commands
// that print or take pictures.
func browserFlag(c *cobra.Command, path *string) {
	c.Flags().StringVar(path, "browser", "", "Chromium binary for PDFs and screenshots (default: chromium on PATH)")
}

// startBrowser starts Chromium for a command that asked for PDFs or
// pictures. Without a browser the error wraps browser.ErrNoBrowser and
// names the Debian package; the command still writes its HTML.
func startBrowser(ctx context.Context, env Env, path string) (*browser.Browser, error) {
	b, err := browser.Start(ctx, browser.Options{Path: path})
	if err != nil {
		return nil, err
	}
	if _, ok := browser.CJKFont(); !ok {
		fmt.Fprintf(env.Stderr, "gongkai: warning: no Chinese font found; install Debian's fonts-wqy-microhei (or fonts-noto-cjk), else Chinese prints as boxes\n")
	}
	return b, nil
}

// browserPage is a stored page as the browser takes it.
func browserPage(p *report.StoredPage) browser.Page {
	return browser.Page{URL: p.URL, FetchedAt: p.FetchedAt, Body: p.Body, ContentType: p.ContentType, Charset: p.Charset}
}

// Thumbnails: the top 1,000 CSS pixels of the page at 1,280 wide, scaled to
// 384 pixels, as a JPEG.
var thumbOptions = browser.ShotOptions{Width: 1280, MaxHeight: 1000, Scale: 0.3, JPEGQuality: 70}

// addThumbnails renders a thumbnail of each item's evidence page (one per
// stored body, shared by the items that cite it) into the notices. Pages
// whose body was not kept, or that are not pages (a PDF attachment), get
// none; it returns how many items got one and how many pages could not
// be rendered.
func addThumbnails(ctx context.Context, db *store.DB, b *browser.Browser, notices []report.Notice) (added, failed int, err error) {
	type job struct {
		items []*report.NoticeItem
		page  *report.StoredPage
	}
	bySHA := map[string]*job{}
	var jobs []*job
	for i := range notices {
		n := &notices[i]
		for _, list := range [][]report.NoticeItem{n.Problems, n.Vetoes, n.Infos} {
			for k := range list {
				it := &list[k]
				fe, err := report.LoadFindingEvidence(ctx, db, it.ID)
				if err != nil {
					return 0, 0, err
				}
				if fe.PersonalData {
					continue // a picture of it would disclose the data again
				}
				p, ok, err := fe.StoredPage(ctx, db)
				if err != nil {
					return 0, 0, err
				}
				if !ok {
					continue
				}
				j := bySHA[p.SHA256]
				if j == nil {
					j = &job{page: p}
					bySHA[p.SHA256] = j
					jobs = append(jobs, j)
				}
				j.items = append(j.items, it)
			}
		}
	}
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		next = make(chan *job)
	)
	for range 2 { // the browser's tabs
		wg.Go(func() {
			for j := range next {
				shot, err := b.Screenshot(ctx, browserPage(j.page), thumbOptions)
				mu.Lock()
				if err != nil {
					failed++
				} else {
					for _, it := range j.items {
						it.Thumbnail = shot.Image
						added++
					}
				}
				mu.Unlock()
			}
		})
	}
	for _, j := range jobs {
		if ctx.Err() != nil {
			break
		}
		next <- j
	}
	close(next)
	wg.Wait()
	return added, failed, ctx.Err()
}

// printNotices prints each notice to dir/NAME.pdf, two at a time (the
// browser's tabs).
func printNotices(ctx context.Context, b *browser.Browser, notices []report.Notice, dir string) error {
	errs := make([]error, len(notices))
	next := make(chan int)
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for i := range next {
				errs[i] = printNotice(ctx, b, notices[i], dir)
			}
		})
	}
	for i := range notices {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	return errors.Join(errs...)
}

func printNotice(ctx context.Context, b *browser.Browser, n report.Notice, dir string) error {
	var html bytes.Buffer
	if err := report.WriteNoticeHTML(&html, n); err != nil {
		return err
	}
	pdf, err := b.PDF(ctx, browser.Document{HTML: html.Bytes(), Footer: n.Number, Lang: n.Lang})
	if err != nil {
		return fmt.Errorf("print notice %s: %w", n.Number, err)
	}
	return writeFile(filepath.Join(dir, n.FileName()+".pdf"), func(w io.Writer) error {
		_, err := w.Write(pdf)
		return err
	})
}

// pdfPath is the PDF beside an HTML file: report.html -> report.pdf.
func pdfPath(htmlPath string) string {
	ext := filepath.Ext(htmlPath)
	if strings.EqualFold(ext, ".html") || strings.EqualFold(ext, ".htm") {
		return strings.TrimSuffix(htmlPath, ext) + ".pdf"
	}
	return htmlPath + ".pdf"
}

// noBrowser is the one line a command ends with when it was asked for
// PDFs or pictures and no browser is installed: what is missing, what to
// install, and what was written all the same.
func noBrowser(err error, wrote string) error {
	return fmt.Errorf("%w; %s", err, wrote)
}
