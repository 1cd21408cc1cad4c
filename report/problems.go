package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"gongkai/evidence"
	"gongkai/rules"
	"gongkai/scoring"
)

// Problem is one row of the problem list (问题清单), docs/spec.md#problem-list. Its JSON form is
// part of the output contract.
type Problem struct {
	// ID is the finding's stable id in the database (gongkai evidence ID).
	ID int64 `json:"id"`
	// Unit and UnitName identify the unit.
	Unit     string `json:"unit"`
	UnitName string `json:"unit_name"`
	// Kind is the finding kind of docs/spec.md#finding-kinds; Rule the check that found it.
	Kind rules.FindingKind `json:"kind"`
	Rule string            `json:"rule"`
	// Column is the column id; empty for site.unreachable and portal links.
	Column string `json:"column"`
	// Subject narrows the problem within its column; empty when the
	// column says all.
	Subject string `json:"subject"`
	// Severity is veto, deduction or notice.
	Severity string `json:"severity"`
	// Points is what the problem took off the total (after caps); Nominal
	// the rule's deduction before caps, 0 when not known.
	Points  float64 `json:"points"`
	Nominal float64 `json:"nominal,omitempty"`
	// URL is the page that shows the problem.
	URL string `json:"url"`
	// Detail says what was seen and what was wanted; Basis the rule's legal
	// or methodological basis.
	Detail string `json:"detail"`
	Basis  string `json:"basis"`
	// Dimension and Indicator place the deduction; empty when not known.
	Dimension string `json:"dimension,omitempty"`
	Indicator string `json:"indicator,omitempty"`
	// Status is new, persisting or resolved, against the previous audit.
	Status string `json:"status"`
	// FirstSeen is the as-of date of the audit that first saw the problem.
	FirstSeen evidence.Date `json:"first_seen"`
	// Evidence lists the fetches behind the problem; nil when not given.
	Evidence []scoring.Ref `json:"evidence,omitempty"`
}

// problemColumns are the CSV columns, in order: the required keys of the
// JSON form.
var problemColumns = []string{
	"id", "unit", "unit_name", "kind", "rule", "column", "subject", "severity",
	"points", "url", "detail", "basis", "status", "first_seen",
}

// WriteProblems writes the problem list in format json, csv or md.
//
// JSON is an indented array of Problem objects ([] when empty). CSV has a
// header row of the required keys (id, unit, unit_name, kind, rule, column,
// subject, severity, points, url, detail, basis, status, first_seen) and one
// row per problem; opts.BOM prefixes a byte-order mark. Markdown groups the
// problems by unit, in the order of their first row, with one table per unit.
func WriteProblems(w io.Writer, format string, rows []Problem, opts Options) error {
	l, err := opts.lang()
	if err != nil {
		return err
	}
	switch format {
	case FormatJSON:
		return writeJSON(w, rows)
	case FormatCSV:
		return writeProblemsCSV(w, rows, opts)
	case FormatMarkdown:
		return writeProblemsMD(w, rows, opts, l)
	}
	return unknownFormat(format)
}

// writeJSON writes v as indented JSON; a nil slice is written as [].
func writeJSON[T any](w io.Writer, rows []T) error {
	if rows == nil {
		rows = []T{}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rows); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}

func writeProblemsCSV(w io.Writer, rows []Problem, opts Options) error {
	if opts.BOM {
		if _, err := io.WriteString(w, bom); err != nil {
			return fmt.Errorf("write csv: %w", err)
		}
	}
	cw := csv.NewWriter(w)
	cw.Write(problemColumns)
	for i := range rows {
		p := &rows[i]
		cw.Write([]string{
			strconv.FormatInt(p.ID, 10), csvText(p.Unit), csvText(p.UnitName), csvText(string(p.Kind)),
			csvText(p.Rule), csvText(p.Column), csvText(p.Subject), csvText(p.Severity), num(p.Points),
			csvText(p.URL), csvText(p.Detail), csvText(p.Basis), csvText(p.Status), p.FirstSeen.String(),
		})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

func severityLabel(l lang, s string) string {
	if l == en {
		return s
	}
	switch s {
	case "veto":
		return "否决"
	case "deduction":
		return "扣分"
	case "notice":
		return "提示"
	}
	return s
}

func statusLabel(l lang, p *Problem) string {
	switch p.Status {
	case "new":
		return l.pick("新发现", "new")
	case "persisting":
		if p.FirstSeen.IsZero() {
			return l.pick("未整改", "persisting")
		}
		return l.pick("未整改（自 "+p.FirstSeen.String()+"）", "persisting (since "+p.FirstSeen.String()+")")
	case "resolved":
		return l.pick("已整改", "resolved")
	}
	return p.Status
}

// unitHeading is "区财政局 (finance)" followed by the unit's score when known.
func unitHeading(l lang, unit, name string, s UnitSummary, known bool) string {
	h := mdInline(name) + " (" + mdInline(unit) + ")"
	if name == "" {
		h = mdInline(unit)
	}
	if !known {
		return h
	}
	h += " — " + l.pick(num(s.Score)+" 分", "score "+num(s.Score))
	if s.Grade != "" {
		h += l.pick("，"+mdInline(s.Grade), ", grade "+mdInline(s.Grade))
	}
	if s.Veto {
		h += l.pick("（否决）", " (veto)")
	}
	if s.Rank > 0 {
		h += l.pick(fmt.Sprintf("，第 %d 名", s.Rank), fmt.Sprintf(", rank %d", s.Rank))
	}
	return h
}

func writeProblemsMD(w io.Writer, rows []Problem, opts Options, l lang) error {
	ew := &errWriter{w: w}
	title := opts.Title
	if title == "" {
		title = l.pick("问题清单", "Problem list")
	}
	ew.printf("# %s\n\n", mdInline(title))

	var order []string
	byUnit := map[string][]*Problem{}
	open, resolved := 0, 0
	for i := range rows {
		p := &rows[i]
		if _, ok := byUnit[p.Unit]; !ok {
			order = append(order, p.Unit)
		}
		byUnit[p.Unit] = append(byUnit[p.Unit], p)
		if p.Status == "resolved" {
			resolved++
		} else {
			open++
		}
	}
	switch {
	case len(rows) == 0:
		ew.print(l.pick("未发现问题。\n", "No problems found.\n"))
	case resolved > 0:
		ew.print(l.pick(
			fmt.Sprintf("共 %d 条问题，涉及 %d 个单位；另有 %d 条已整改。\n", open, len(order), resolved),
			fmt.Sprintf("%d problems in %d units; %d resolved since the previous audit.\n", open, len(order), resolved)))
	default:
		ew.print(l.pick(
			fmt.Sprintf("共 %d 条问题，涉及 %d 个单位。\n", open, len(order)),
			fmt.Sprintf("%d problems in %d units.\n", open, len(order))))
	}

	header := l.pick("| 编号 | 类型 | 栏目 | 对象 | 性质 | 扣分 | 状态 | 说明 | 网址 |",
		"| ID | Kind | Column | Subject | Severity | Points | Status | Detail | URL |")
	for _, unit := range order {
		ps := byUnit[unit]
		sum, known := opts.Units[unit]
		ew.printf("\n## %s\n\n", unitHeading(l, unit, ps[0].UnitName, sum, known))
		ew.print(header + "\n")
		ew.print("|---:|---|---|---|---|---:|---|---|---|\n")
		for _, p := range ps {
			ew.printf("| %d | %s | %s | %s | %s | %s | %s | %s | %s |\n",
				p.ID, mdCell(string(p.Kind)), mdCell(p.Column), mdCell(p.Subject),
				mdCell(severityLabel(l, p.Severity)), num(p.Points), mdCell(statusLabel(l, p)),
				mdCell(p.Detail), mdCell(p.URL))
		}
	}
	return ew.errOr("write markdown")
}
