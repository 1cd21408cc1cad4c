// Package report renders gongkai's outputs (docs/spec.md#output-schemas) from plain data: the
// problem list (问题清单) as JSON, CSV or Markdown, the ranking as JSON, CSV,
// Markdown or an aligned terminal table, a summary of problems by kind, the
// deduction notices (扣分通知书) sent to units as print-ready HTML or
// Markdown, the district's evaluation report (评估报告) as print-ready
// HTML with inline SVG charts, and the office's Excel workbook (ranking,
// problem list, problems by kind, a sheet per unit) with excelize.
//
// Printing the documents to PDF and picturing evidence pages is not done
// here: package internal/browser drives Chromium, and a notice only embeds
// the pictures it is given (NoticeItem.Thumbnail).
//
// Each output has its own row type (Problem, RankingRow, KindCount) whose
// JSON form is part of gongkai's output contract; small helpers build rows
// from the store's and scoring's types. Writers take an io.Writer and
// Options (language, byte-order mark) and return errors; they never print
// elsewhere.
//
// The documents are built in two steps: BuildNotices and BuildEvaluation
// gather what a document says (Notice, Evaluation), and the writers turn
// that into a view of formatted strings, table cells and chart geometry
// that an embedded template (templates/*.tmpl) lays out. The HTML is one
// self-contained file: inline CSS for A4 print, system CJK fonts, charts as
// inline SVG, no script and nothing loaded from elsewhere; the only links
// are a notice's evidence URLs. html/template escapes page text; Markdown
// cells are escaped by the same helpers as the problem list.
//
// The package renders only. It never crawls, never scores or ranks (ranks,
// grades and changes come from the rows it is given; the helpers only
// subtract the previous audit's figures and average), never opens the
// database, never reads the clock, and never imports the crawler.
package report
