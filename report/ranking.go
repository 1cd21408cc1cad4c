package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// RankingRow is one unit's line in the ranking (docs/spec.md#ranking). Its JSON form is
// part of the output contract.
type RankingRow struct {
	// Rank is 1 for the best unit; ties share a rank.
	Rank int `json:"rank"`
	// Unit, UnitName and UnitType identify the unit.
	Unit     string `json:"unit"`
	UnitName string `json:"unit_name"`
	UnitType string `json:"unit_type"`
	// Score is the unit's total; Deducted the points taken off.
	Score    float64 `json:"score"`
	Deducted float64 `json:"deducted"`
	// Grade is the grade band earned.
	Grade string `json:"grade"`
	// Veto is true when a veto fired; VetoReasons say which (JSON [] when none).
	Veto        bool     `json:"veto"`
	VetoReasons []string `json:"veto_reasons"`
	// Dimensions maps a dimension id to the unit's score in it (JSON {} when none).
	Dimensions map[string]float64 `json:"dimensions"`
	// Findings is the number of the unit's findings, of every severity.
	Findings int `json:"findings"`
	// ScoreChange is the score minus the previous audit's; RankChange is the
	// previous rank minus this one, so a positive change means the unit
	// moved up. Both are nil when there is no previous audit or the unit
	// was not in it (JSON null).
	ScoreChange *float64 `json:"score_change"`
	RankChange  *int     `json:"rank_change"`
}

// DimensionHeader names a dimension column of the ranking.
type DimensionHeader struct {
	// ID is the dimension's id, the key of RankingRow.Dimensions.
	ID string `json:"id"`
	// Name is the Chinese name and NameEN the English one; an empty name
	// falls back to the other name, then to the ID.
	Name   string `json:"name"`
	NameEN string `json:"name_en,omitempty"`
	// Max is the dimension's full points; 0 prints none.
	Max float64 `json:"max"`
}

func (d DimensionHeader) label(l lang) string {
	first, second := d.Name, d.NameEN
	if l == en {
		first, second = d.NameEN, d.Name
	}
	switch {
	case first != "":
		return first
	case second != "":
		return second
	}
	return d.ID
}

// WriteRanking writes the ranking in format json, csv or md.
//
// JSON is an indented array of RankingRow objects. CSV has the columns
// rank, unit, unit_name, unit_type, score, deducted, grade, veto,
// veto_reasons (joined by "; "), one dim_<id> column per entry of dims,
// findings, score_change and rank_change (empty when unknown); opts.BOM
// prefixes a byte-order mark. Markdown is one table with ↑ and ↓ for
// changes and "—" when unknown, followed by the veto reasons.
func WriteRanking(w io.Writer, format string, rows []RankingRow, dims []DimensionHeader, opts Options) error {
	l, err := opts.lang()
	if err != nil {
		return err
	}
	switch format {
	case FormatJSON:
		out := make([]RankingRow, len(rows))
		for i, r := range rows {
			if r.VetoReasons == nil {
				r.VetoReasons = []string{}
			}
			if r.Dimensions == nil {
				r.Dimensions = map[string]float64{}
			}
			out[i] = r
		}
		return writeJSON(w, out)
	case FormatCSV:
		return writeRankingCSV(w, rows, dims, opts)
	case FormatMarkdown:
		return writeRankingMD(w, rows, dims, opts, l)
	}
	return unknownFormat(format)
}

func writeRankingCSV(w io.Writer, rows []RankingRow, dims []DimensionHeader, opts Options) error {
	if opts.BOM {
		if _, err := io.WriteString(w, bom); err != nil {
			return fmt.Errorf("write csv: %w", err)
		}
	}
	cw := csv.NewWriter(w)
	header := []string{"rank", "unit", "unit_name", "unit_type", "score", "deducted", "grade", "veto", "veto_reasons"}
	for _, d := range dims {
		header = append(header, "dim_"+d.ID)
	}
	cw.Write(append(header, "findings", "score_change", "rank_change"))
	for i := range rows {
		r := &rows[i]
		rec := []string{
			strconv.Itoa(r.Rank), csvText(r.Unit), csvText(r.UnitName), csvText(r.UnitType),
			num(r.Score), num(r.Deducted), csvText(r.Grade), strconv.FormatBool(r.Veto),
			csvText(strings.Join(r.VetoReasons, "; ")),
		}
		for _, d := range dims {
			rec = append(rec, dimCell(r, d.ID))
		}
		scoreChange, rankChange := "", ""
		if r.ScoreChange != nil {
			scoreChange = num(*r.ScoreChange)
		}
		if r.RankChange != nil {
			rankChange = strconv.Itoa(*r.RankChange)
		}
		cw.Write(append(rec, strconv.Itoa(r.Findings), scoreChange, rankChange))
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

// dimCell is the unit's score in dimension id, or "" when it has none.
func dimCell(r *RankingRow, id string) string {
	if v, ok := r.Dimensions[id]; ok {
		return num(v)
	}
	return ""
}

// arrowFloat renders a change for Markdown: ↑ up, ↓ down, — unknown.
func arrowFloat(p *float64) string {
	switch {
	case p == nil:
		return "—"
	case round2(*p) > 0:
		return "↑" + num(*p)
	case round2(*p) < 0:
		return "↓" + num(-*p)
	}
	return "0"
}

func arrowInt(p *int) string {
	if p == nil {
		return "—"
	}
	f := float64(*p)
	return arrowFloat(&f)
}

func gradeLabel(l lang, r *RankingRow) string {
	if r.Veto {
		return r.Grade + l.pick("（否决）", " (veto)")
	}
	return r.Grade
}

func writeRankingMD(w io.Writer, rows []RankingRow, dims []DimensionHeader, opts Options, l lang) error {
	ew := &errWriter{w: w}
	title := opts.Title
	if title == "" {
		title = l.pick("排名", "Ranking")
	}
	ew.printf("# %s\n\n", mdInline(title))
	if len(rows) == 0 {
		ew.print(l.pick("暂无排名。\n", "No units ranked.\n"))
		return ew.errOr("write markdown")
	}
	head := []string{l.pick("排名", "Rank"), l.pick("单位", "Unit"), l.pick("得分", "Score"), l.pick("等级", "Grade")}
	align := []string{"---:", "---", "---:", "---"}
	for _, d := range dims {
		h := d.label(l)
		if d.Max > 0 {
			h += l.pick("（"+num(d.Max)+"）", " ("+num(d.Max)+")")
		}
		head = append(head, mdCell(h))
		align = append(align, "---:")
	}
	head = append(head, l.pick("问题数", "Findings"), l.pick("分数变化", "Score change"), l.pick("排名变化", "Rank change"))
	align = append(align, "---:", "---:", "---:")
	ew.print("| " + strings.Join(head, " | ") + " |\n")
	ew.print("|" + strings.Join(align, "|") + "|\n")
	for i := range rows {
		r := &rows[i]
		cells := []string{
			strconv.Itoa(r.Rank), mdCell(r.UnitName) + " (" + mdCell(r.Unit) + ")", num(r.Score),
			mdCell(gradeLabel(l, r)),
		}
		for _, d := range dims {
			cells = append(cells, dimCell(r, d.ID))
		}
		cells = append(cells, strconv.Itoa(r.Findings), arrowFloat(r.ScoreChange), arrowInt(r.RankChange))
		ew.print("| " + strings.Join(cells, " | ") + " |\n")
	}
	first := true
	for i := range rows {
		r := &rows[i]
		if !r.Veto {
			continue
		}
		if first {
			ew.print(l.pick("\n否决原因：\n\n", "\nVetoes:\n\n"))
			first = false
		}
		reasons := strings.Join(r.VetoReasons, l.pick("；", "; "))
		if reasons == "" {
			reasons = l.pick("未说明", "not stated")
		}
		ew.printf("- %s (%s)%s%s\n", mdInline(r.UnitName), mdInline(r.Unit), l.pick("：", ": "), mdInline(reasons))
	}
	return ew.errOr("write markdown")
}

// errOr wraps the first write error, if any, with what was being written.
func (e *errWriter) errOr(what string) error {
	if e.err != nil {
		return fmt.Errorf("%s: %w", what, e.err)
	}
	return nil
}

// signedChange renders a change for a terminal: +x, -x, 0, or - when unknown.
func signedChange(p *float64) string {
	if p == nil {
		return "-"
	}
	return signed(*p)
}

// WriteRankingText writes the ranking as an aligned text table for a
// terminal, as `gongkai audit` prints it. Columns are measured in terminal
// cells (a Chinese character takes two), numbers are right-aligned, changes
// read +x / -x, and "-" marks a change that is unknown.
func WriteRankingText(w io.Writer, rows []RankingRow, dims []DimensionHeader, opts Options) error {
	l, err := opts.lang()
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		_, err := io.WriteString(w, l.pick("暂无排名。\n", "No units ranked.\n"))
		if err != nil {
			return fmt.Errorf("write ranking: %w", err)
		}
		return nil
	}
	head := []string{l.pick("排名", "Rank"), l.pick("单位", "Unit"), l.pick("代码", "ID"), l.pick("得分", "Score"), l.pick("等级", "Grade")}
	right := []bool{true, false, false, true, false}
	for _, d := range dims {
		head = append(head, textCell(d.label(l)))
		right = append(right, true)
	}
	head = append(head, l.pick("问题", "Findings"), l.pick("分数变化", "Score chg"), l.pick("排名变化", "Rank chg"))
	right = append(right, true, true, true)

	table := [][]string{head}
	for i := range rows {
		r := &rows[i]
		line := []string{strconv.Itoa(r.Rank), textCell(r.UnitName), textCell(r.Unit), num(r.Score), textCell(gradeLabel(l, r))}
		for _, d := range dims {
			line = append(line, dimCell(r, d.ID))
		}
		rankChange := "-"
		if r.RankChange != nil {
			f := float64(*r.RankChange)
			rankChange = signed(f)
		}
		table = append(table, append(line, strconv.Itoa(r.Findings), signedChange(r.ScoreChange), rankChange))
	}
	if _, err := io.WriteString(w, textTable(table, right)); err != nil {
		return fmt.Errorf("write ranking: %w", err)
	}
	return nil
}
