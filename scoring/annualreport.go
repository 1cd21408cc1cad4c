package scoring

import (
	"fmt"
	"sort"
	"strings"

	"gongkai/evidence"
	"gongkai/rules"
)

// The annual report's checks: what makes a report incomplete, and the
// identities its figures must keep (docs/spec.md#annual-report-identities). Each instance is named, so a
// finding says which identity broke with which figures, and two reports
// compare instance by instance.

// AnnualReportIssue is one thing wrong with a report.
type AnnualReportIssue struct {
	// Kind is report.incomplete or report.inconsistent.
	Kind rules.FindingKind `json:"kind"`
	// Identity names the instance ("section 3", "table 3 balance, 自然人").
	Identity string `json:"identity"`
	// Detail says it in Chinese with the figures.
	Detail string `json:"detail"`
	// Notice is true for what gongkai could not judge (a report or a
	// table it could not read): a notice asking for a manual check, never
	// a deduction.
	Notice bool `json:"notice,omitempty"`
	// Blanks is true for a table's blank cells, whose severity the
	// ruleset sets (blank_cells; a notice by default).
	Blanks bool `json:"blanks,omitempty"`
}

var sectionNames = [7]string{"", "一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
	"四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"}

// sectionNames2008 are the contents the 2008 Regulations (Art. 32) asked of
// a report on 2018 or before.
var sectionNames2008 = [7]string{"", "主动公开政府信息的情况", "依申请公开政府信息和不予公开政府信息的情况", "政府信息公开的收费及减免情况",
	"因政府信息公开申请行政复议、提起行政诉讼的情况", "政府信息公开工作存在的主要问题及改进情况", "其他需要报告的事项"}

// t3Cols are table 3's columns in the format's order.
var t3Cols = []struct{ key, name string }{
	{"natural", "自然人"}, {"business", "商业企业"}, {"research", "科研机构"}, {"charity", "社会公益组织"},
	{"legal", "法律服务机构"}, {"other_org", "其他"}, {"total", "总计"},
}

// t3Subgroups are the result groups with sub-rows; 其他处理 has sub-rows
// only in the 2021 format.
var t3Subgroups = []struct {
	key, name string
	n         int
}{
	{"refused", "不予公开", 8}, {"unable", "无法提供", 3}, {"unprocessed", "不予处理", 5}, {"other", "其他处理", 3},
}

var t3RowNames = map[string]string{
	"new": "本年新收", "carried_in": "上年结转", "open": "予以公开", "partial": "部分公开",
	"total": "办理结果总计", "carried_out": "结转下年度", "other": "其他处理",
}

func t3RowName(key string) string {
	if n, ok := t3RowNames[key]; ok {
		return n
	}
	for _, g := range t3Subgroups {
		if key == g.key {
			return g.name + "小计"
		}
		if strings.HasPrefix(key, g.key+".") {
			return g.name + "第" + strings.TrimPrefix(key, g.key+".") + "项"
		}
	}
	return key
}

// leafRows returns table 3's leaf result rows for a format.
func leafRows(format string) []string {
	rows := []string{"open", "partial"}
	for _, g := range t3Subgroups {
		if g.key == "other" && format != "2021" {
			rows = append(rows, "other")
			continue
		}
		for i := 1; i <= g.n; i++ {
			rows = append(rows, fmt.Sprintf("%s.%d", g.key, i))
		}
	}
	return rows
}

// requiredRows are table 3's rows every report must print.
func requiredRows(format string) []string {
	out := []string{"new", "carried_in"}
	out = append(out, leafRows(format)...)
	return append(out, "total", "carried_out")
}

var t4Groups = []struct{ key, name string }{{"review", "行政复议"}, {"suit_direct", "行政诉讼（未经复议直接起诉）"}, {"suit_after", "行政诉讼（复议后起诉）"}}
var t4Cols = []struct{ key, name string }{{"upheld", "结果维持"}, {"corrected", "结果纠正"}, {"other", "其他结果"}, {"pending", "尚未审结"}, {"total", "总计"}}

// AnalyzeAnnualReport lists what is wrong with report r: missing sections and
// tables, blank cells, missing rows (report.incomplete), and every broken
// identity (report.inconsistent), including the carry-over from prev, the
// report of the year before (nil when not found). An identity whose
// figures are blank or absent is not judged.
func AnalyzeAnnualReport(r, prev *evidence.AnnualReport) []AnnualReportIssue {
	var out []AnnualReportIssue
	add := func(kind rules.FindingKind, id, format string, args ...any) {
		out = append(out, AnnualReportIssue{Kind: kind, Identity: id, Detail: fmt.Sprintf(format, args...)})
	}
	if r == nil {
		return nil
	}
	where := "年报"
	if r.SourceURL != "" {
		where = "年报附件（" + r.SourceURL + "）"
	}
	if r.Unread != "" {
		out = append(out, AnnualReportIssue{Kind: rules.FindingReportIncomplete, Identity: "unread", Notice: true,
			Detail: fmt.Sprintf("%d年度%s未能自动读取：%s；不作扣分，请人工核查", r.Year, where, r.Unread)})
		return out
	}
	has := map[int]bool{}
	for _, s := range r.Sections {
		has[s] = true
	}
	if r.Format == "2008" {
		// A report under the 2008 Regulations: judged by the contents they
		// asked for; their statistics had no fixed tables.
		for n := 1; n <= 6; n++ {
			if !has[n] {
				add(rules.FindingReportIncomplete, fmt.Sprintf("section %d", n), "%d年度年报（2008年条例格式）缺少“%s”的内容", r.Year, sectionNames2008[n])
			}
		}
		return out
	}
	for n := 1; n <= 6; n++ {
		if !has[n] {
			add(rules.FindingReportIncomplete, fmt.Sprintf("section %d", n), "%d年度年报缺少第%s部分", r.Year, sectionNames[n])
		}
	}
	for _, id := range []string{"2", "3", "4"} {
		t := r.Tables[id]
		if t == nil || t.FromText {
			add(rules.FindingReportIncomplete, "table "+id, "%d年度年报缺少表%s（%s）", r.Year, tableNo(id), tableName(id))
			continue
		}
		if t.Unread != "" {
			out = append(out, AnnualReportIssue{Kind: rules.FindingReportIncomplete, Identity: "table " + id + " unread", Notice: true,
				Detail: fmt.Sprintf("%d年度%s表%s的数据未能可靠读取（%s）；不作扣分，请人工核查", r.Year, where, tableNo(id), t.Unread)})
			continue
		}
		if blanks := blankCells(id, t); len(blanks) > 0 {
			out = append(out, AnnualReportIssue{Kind: rules.FindingReportIncomplete, Identity: "table " + id + " blanks", Blanks: true,
				Detail: fmt.Sprintf("%d年度年报表%s有%d个空白单元格（空白不等于0）：%s", r.Year, tableNo(id), len(blanks), strings.Join(firstN(blanks, 6), "、"))})
		}
	}
	if t := r.Tables["3"]; t != nil && !t.FromText && t.Unread == "" {
		var missing []string
		for _, row := range requiredRows(r.Format) {
			if _, ok := t.Rows[row]; !ok {
				missing = append(missing, t3RowName(row))
			}
		}
		if len(missing) > 0 {
			add(rules.FindingReportIncomplete, "table 3 rows", "%d年度年报表三缺少%d行：%s", r.Year, len(missing), strings.Join(firstN(missing, 6), "、"))
		}
	}
	out = append(out, identities(r, prev)...)
	return out
}

func tableNo(id string) string {
	return map[string]string{"2": "二", "3": "三", "4": "四"}[id]
}

func tableName(id string) string {
	return map[string]string{"2": "主动公开政府信息情况", "3": "收到和处理政府信息公开申请情况", "4": "政府信息公开行政复议、行政诉讼情况"}[id]
}

func firstN(s []string, n int) []string {
	if len(s) <= n {
		return s
	}
	return append(s[:n:n], fmt.Sprintf("等%d处", len(s)))
}

// blankCells lists a table's blank cells by row and column name.
func blankCells(id string, t *evidence.AnnualReportTable) []string {
	var out []string
	rows := make([]string, 0, len(t.Rows))
	for r := range t.Rows {
		rows = append(rows, r)
	}
	sort.Strings(rows)
	for _, r := range rows {
		cols := make([]string, 0, len(t.Rows[r]))
		for c := range t.Rows[r] {
			cols = append(cols, c)
		}
		sort.Strings(cols)
		for _, c := range cols {
			if t.Rows[r][c].Blank {
				name := r + "/" + c
				if id == "3" {
					name = t3RowName(r) + "·" + t3ColName(c)
				}
				out = append(out, name)
			}
		}
	}
	return out
}

func t3ColName(key string) string {
	for _, c := range t3Cols {
		if c.key == key {
			return c.name
		}
	}
	return key
}

// fig reads a cell as a figure; ok is false for a blank, absent or
// unreadable cell.
func fig(t *evidence.AnnualReportTable, row, col string) (int64, bool) {
	if t == nil {
		return 0, false
	}
	c, ok := t.Rows[row][col]
	if !ok || !c.Number {
		return 0, false
	}
	return c.Value, true
}

// sumOf adds the figures of rows in column col; ok is false when one is missing.
func sumOf(t *evidence.AnnualReportTable, rows []string, col string) (int64, bool) {
	var s int64
	for _, r := range rows {
		v, ok := fig(t, r, col)
		if !ok {
			return 0, false
		}
		s += v
	}
	return s, true
}

func identities(r, prev *evidence.AnnualReport) []AnnualReportIssue {
	var out []AnnualReportIssue
	bad := func(id, format string, args ...any) {
		out = append(out, AnnualReportIssue{Kind: rules.FindingReportInconsistent, Identity: id, Detail: fmt.Sprintf(format, args...)})
	}
	y := r.Year
	if t := r.Tables["3"]; t != nil && t.Unread == "" {
		leaves := leafRows(r.Format)
		// 1. balance per column.
		for _, c := range t3Cols {
			n, ok1 := fig(t, "new", c.key)
			in, ok2 := fig(t, "carried_in", c.key)
			tot, ok3 := fig(t, "total", c.key)
			out2, ok4 := fig(t, "carried_out", c.key)
			if ok1 && ok2 && ok3 && ok4 && n+in != tot+out2 {
				bad("table 3 balance, "+c.name, "%d年度年报表三“%s”列：本年新收%d＋上年结转%d＝%d，不等于办理结果总计%d＋结转下年度%d＝%d", y, c.name, n, in, n+in, tot, out2, tot+out2)
			}
		}
		// 2. row sums.
		rows := make([]string, 0, len(t.Rows))
		for k := range t.Rows {
			rows = append(rows, k)
		}
		sort.Strings(rows)
		parts := []string{"natural", "business", "research", "charity", "legal", "other_org"}
		for _, row := range rows {
			tot, ok := fig(t, row, "total")
			if !ok {
				continue
			}
			sum, ok3 := int64(0), true
			for _, p := range parts {
				v, okp := fig(t, row, p)
				if !okp {
					ok3 = false
					break
				}
				sum += v
			}
			if ok3 && sum != tot {
				bad("table 3 row sum, "+t3RowName(row), "%d年度年报表三“%s”行：自然人与五类法人或其他组织之和为%d，不等于总计%d", y, t3RowName(row), sum, tot)
			}
		}
		// 3. results per column.
		for _, c := range t3Cols {
			tot, ok := fig(t, "total", c.key)
			s, ok2 := sumOf(t, leaves, c.key)
			if ok && ok2 && s != tot {
				bad("table 3 results, "+c.name, "%d年度年报表三“%s”列：各项办理结果之和为%d，不等于总计%d", y, c.name, s, tot)
			}
		}
		// 4. printed subtotals.
		for _, g := range t3Subgroups {
			if g.key == "other" && r.Format != "2021" {
				continue
			}
			if _, printed := t.Rows[g.key]; !printed {
				continue
			}
			var subs []string
			for i := 1; i <= g.n; i++ {
				subs = append(subs, fmt.Sprintf("%s.%d", g.key, i))
			}
			for _, c := range t3Cols {
				st, ok := fig(t, g.key, c.key)
				s, ok2 := sumOf(t, subs, c.key)
				if ok && ok2 && s != st {
					bad("table 3 subtotal, "+g.name+", "+c.name, "%d年度年报表三“%s”小计“%s”列为%d，不等于其各项之和%d", y, g.name, c.name, st, s)
				}
			}
		}
		// 6. non-negative integers.
		for _, row := range rows {
			for _, c := range t3Cols {
				if cell, ok := t.Rows[row][c.key]; ok && notNonNegInt(cell) {
					bad("table 3 cell, "+t3RowName(row)+", "+c.name, "%d年度年报表三“%s”行“%s”列为%q，应为非负整数", y, t3RowName(row), c.name, cellText(cell))
				}
			}
		}
		// 7. carry-over from the year before.
		if prev != nil && prev.Tables["3"] != nil {
			pt := prev.Tables["3"]
			for _, c := range t3Cols {
				po, ok1 := fig(pt, "carried_out", c.key)
				ci, ok2 := fig(t, "carried_in", c.key)
				if ok1 && ok2 && po != ci {
					bad("carry-over, "+c.name, "“%s”列：%d年度年报结转下年度%d件，%d年度年报上年结转%d件，二者应相等", c.name, prev.Year, po, y, ci)
				}
			}
		}
	}
	if t := r.Tables["4"]; t != nil && t.Unread == "" {
		// 5. each group's total.
		for _, g := range t4Groups {
			tot, ok := fig(t, g.key, "total")
			var parts []int64
			ok2 := true
			for _, c := range t4Cols[:4] {
				v, okc := fig(t, g.key, c.key)
				if !okc {
					ok2 = false
					break
				}
				parts = append(parts, v)
			}
			if ok && ok2 {
				sum := parts[0] + parts[1] + parts[2] + parts[3]
				if sum != tot {
					bad("table 4 total, "+g.name, "%d年度年报表四“%s”：结果维持%d＋结果纠正%d＋其他结果%d＋尚未审结%d＝%d，不等于总计%d", y, g.name, parts[0], parts[1], parts[2], parts[3], sum, tot)
				}
			}
		}
		for _, g := range t4Groups {
			for _, c := range t4Cols {
				if cell, ok := t.Rows[g.key][c.key]; ok && notNonNegInt(cell) {
					bad("table 4 cell, "+g.name+", "+c.name, "%d年度年报表四“%s·%s”为%q，应为非负整数", y, g.name, c.name, cellText(cell))
				}
			}
		}
	}
	return out
}

// notNonNegInt reports a cell holding a negative number or a non-integer
// (a blank is incomplete, not inconsistent).
func notNonNegInt(c evidence.Cell) bool {
	if c.Number {
		return c.Value < 0
	}
	return !c.Blank && c.Raw != ""
}

func cellText(c evidence.Cell) string {
	if c.Number {
		return fmt.Sprint(c.Value)
	}
	return c.Raw
}
