package report

import (
	"embed"
	htmltemplate "html/template"
	texttemplate "text/template"
)

// templateFS holds the document templates. Each executes against a view
// made for it (noticeDoc, noticePage, evaluationView) and nothing else.
//
//go:embed templates/*.tmpl
var templateFS embed.FS

var (
	noticeHTML = htmltemplate.Must(htmltemplate.New("notice.html.tmpl").
			ParseFS(templateFS, "templates/notice.html.tmpl", "templates/print.html.tmpl"))
	noticeMD = texttemplate.Must(texttemplate.New("notice.md.tmpl").
			Funcs(texttemplate.FuncMap{"cell": mdCell, "inline": mdInline}).
			ParseFS(templateFS, "templates/notice.md.tmpl"))
	evaluationHTML = htmltemplate.Must(htmltemplate.New("evaluation.html.tmpl").
			ParseFS(templateFS, "templates/evaluation.html.tmpl", "templates/print.html.tmpl"))
)
