package report

import (
	"fmt"
	"io"
	"sort"
	"strconv"

	"gongkai/rules"
)

// KindCount summarises the open problems of one kind.
type KindCount struct {
	// Kind is the finding kind.
	Kind rules.FindingKind `json:"kind"`
	// Count is the number of problems of the kind.
	Count int `json:"count"`
	// Units is the number of distinct units with such a problem.
	Units int `json:"units"`
	// Points is the sum of the points they took off.
	Points float64 `json:"points"`
}

// ProblemsByKind counts the problems of each kind, leaving out resolved
// ones, most frequent first (ties by kind).
func ProblemsByKind(rows []Problem) []KindCount {
	byKind := map[rules.FindingKind]*KindCount{}
	units := map[rules.FindingKind]map[string]bool{}
	for i := range rows {
		p := &rows[i]
		if p.Status == "resolved" {
			continue
		}
		c := byKind[p.Kind]
		if c == nil {
			c = &KindCount{Kind: p.Kind}
			byKind[p.Kind] = c
			units[p.Kind] = map[string]bool{}
		}
		c.Count++
		c.Points += p.Points
		units[p.Kind][p.Unit] = true
	}
	out := make([]KindCount, 0, len(byKind))
	for kind, c := range byKind {
		c.Units = len(units[kind])
		c.Points = round2(c.Points)
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Kind < out[j].Kind
	})
	return out
}

// WriteKindsText writes the summary by kind as an aligned text table with a
// total line, for a terminal.
func WriteKindsText(w io.Writer, counts []KindCount, opts Options) error {
	l, err := opts.lang()
	if err != nil {
		return err
	}
	if len(counts) == 0 {
		if _, err := io.WriteString(w, l.pick("未发现问题。\n", "No problems found.\n")); err != nil {
			return fmt.Errorf("write summary: %w", err)
		}
		return nil
	}
	table := [][]string{{l.pick("类型", "Kind"), l.pick("问题数", "Problems"), l.pick("单位数", "Units"), l.pick("扣分", "Points")}}
	total, points := 0, 0.0
	for _, c := range counts {
		table = append(table, []string{textCell(string(c.Kind)), strconv.Itoa(c.Count), strconv.Itoa(c.Units), num(c.Points)})
		total += c.Count
		points += c.Points
	}
	table = append(table, []string{l.pick("合计", "Total"), strconv.Itoa(total), "", num(points)})
	if _, err := io.WriteString(w, textTable(table, []bool{false, true, true, true})); err != nil {
		return fmt.Errorf("write summary: %w", err)
	}
	return nil
}

// KindName returns the display name of a finding kind (docs/spec.md#finding-kinds) in lang
// ("en" for English, anything else Chinese), from the one table of names in
// rules: KindName(rules.FindingColumnStale, "zh") is 栏目未按期更新. An
// unknown kind is returned as it is.
func KindName(kind rules.FindingKind, lang string) string {
	return parseLang(lang).kindName(kind)
}

func (l lang) kindName(kind rules.FindingKind) string {
	if l == en {
		return kind.English()
	}
	return kind.Chinese()
}

// parseLang resolves a language for the document renderers, whose builders
// return no error: "en" (in any case) is English, anything else Chinese.
// Commands validate the flag before they get here.
func parseLang(s string) lang {
	l, err := Options{Lang: s}.lang()
	if err != nil {
		return zh
	}
	return l
}
