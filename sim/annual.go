package sim

import (
	"fmt"
	"math/rand/v2"
)

// reportSections are the six section headings of the State Council's
// annual report format (SPEC §7).
var reportSections = []string{
	"一、总体情况",
	"二、主动公开政府信息情况",
	"三、收到和处理政府信息公开申请情况",
	"四、政府信息公开行政复议、行政诉讼情况",
	"五、存在的主要问题及改进情况",
	"六、其他需要报告的事项",
}

// ApplicantColumns are the applicant columns of table 3, before 总计:
// 自然人 and the five kinds of 法人或其他组织.
var ApplicantColumns = []string{"自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"}

// ResultRow is one leaf row of table 3's 本年度办理结果.
type ResultRow struct {
	// Group is the numbered group ((三)不予公开 ...) or "" for a row that
	// stands alone ((一)予以公开).
	Group string
	// Label is the row's label.
	Label string
}

var resultGroups = []struct {
	group string
	rows  []string
}{
	{"", []string{"（一）予以公开"}},
	{"", []string{"（二）部分公开（区分处理的，只计这一情形，不计其他情形）"}},
	{"（三）不予公开", []string{"1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”", "4.保护第三方合法权益", "5.属于三类内部事务信息", "6.属于四类过程性信息", "7.属于行政执法案卷", "8.属于行政查询事项"}},
	{"（四）无法提供", []string{"1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确"}},
	{"（五）不予处理", []string{"1.信访举报投诉类申请", "2.重复申请", "3.要求提供公开出版物", "4.无正当理由大量反复申请", "5.要求行政机关确认或重新出具已获取信息"}},
}

var otherRows2021 = []string{
	"1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
	"2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
	"3.其他",
}

// ResultRows returns the leaf rows of table 3's results in the given format
// ("2019" or "2021"): （六）其他处理 is one row in 2019 and three from 2021.
func ResultRows(format string) []ResultRow {
	var out []ResultRow
	for _, g := range resultGroups {
		for _, r := range g.rows {
			out = append(out, ResultRow{Group: g.group, Label: r})
		}
	}
	if format == "2019" {
		return append(out, ResultRow{Label: "（六）其他处理"})
	}
	for _, r := range otherRows2021 {
		out = append(out, ResultRow{Group: "（六）其他处理", Label: r})
	}
	return out
}

// resultWeights weigh how often each leaf result occurs, in ResultRows order.
func resultWeights(format string) []float64 {
	w := []float64{45, 10, 0.3, 0.5, 0.5, 1, 2, 2, 1, 1, 20, 3, 2, 3, 2, 0.5, 0.5, 1}
	if format == "2019" {
		return append(w, 5)
	}
	return append(w, 3, 0.3, 2)
}

// AnnualReport is the content of one annual report on disclosure work.
type AnnualReport struct {
	// Year is the year reported on.
	Year int
	// Format is "2019" (years 2019–2020) or "2021" (from 2021).
	Format string
	// Overview, Problems and Other are the paragraphs of sections 一, 五, 六.
	Overview, Problems, Other []string
	// Table2 maps a row label of table 2 to its figures.
	Table2 map[string][]int
	// New, Carried and CarryNext are rows 一, 二 and 四 of table 3 by
	// applicant column.
	New, Carried, CarryNext [6]int
	// Results are the leaf rows of 本年度办理结果, in ResultRows order.
	Results [][6]int
	// Review is table 4's fifteen cells.
	Review [15]int
}

// ResultTotal returns （七）总计 for applicant column c.
func (a *AnnualReport) ResultTotal(c int) int {
	n := 0
	for _, r := range a.Results {
		n += r[c]
	}
	return n
}

func sum6(v [6]int) int { return v[0] + v[1] + v[2] + v[3] + v[4] + v[5] }

// reportFormat returns the format the State Council prescribes for year.
func reportFormat(year int) string {
	if year < 2021 {
		return "2019"
	}
	return "2021"
}

type t2group struct {
	head string
	cols []string
	rows []string
}

func table2Groups(format string) []t2group {
	if format == "2019" {
		return []t2group{
			{"第二十条第（一）项", []string{"本年新制作数量", "本年新公开数量", "对外公开总数量"}, []string{"规章", "规范性文件"}},
			{"第二十条第（五）项", []string{"上一年项目数量", "本年增/减", "处理决定数量"}, []string{"行政许可", "其他对外管理服务事项"}},
			{"第二十条第（六）项", []string{"上一年项目数量", "本年增/减", "处理决定数量"}, []string{"行政处罚", "行政强制"}},
			{"第二十条第（八）项", []string{"上一年项目数量", "本年增/减"}, []string{"行政事业性收费"}},
			{"第二十条第（九）项", []string{"采购项目数量", "采购总金额"}, []string{"政府集中采购"}},
		}
	}
	return []t2group{
		{"第二十条第（一）项", []string{"本年制发件数", "本年废止件数", "现行有效件数"}, []string{"规章", "行政规范性文件"}},
		{"第二十条第（五）项", []string{"本年处理决定数量"}, []string{"行政许可"}},
		{"第二十条第（六）项", []string{"本年处理决定数量"}, []string{"行政处罚", "行政强制"}},
		{"第二十条第（八）项", []string{"本年收费金额（单位：万元）"}, []string{"行政事业性收费"}},
	}
}

// genReport makes a consistent report for year, carrying over carried
// applications from the year before.
func genReport(r *rand.Rand, e RosterEntry, year int, carried [6]int) *AnnualReport {
	a := &AnnualReport{Year: year, Format: reportFormat(year), Carried: carried, Table2: map[string][]int{}}
	scale := map[string]int{"district": 160, "bureau": 25, "township": 6, "street": 8}[e.Type]
	orgScale := []float64{1, 0.12, 0.01, 0.02, 0.03, 0.03}
	for c := range a.New {
		hi := int(float64(scale) * orgScale[c] * 1.5)
		a.New[c] = between(r, 0, hi)
		if c == 0 {
			a.New[c] = between(r, scale/3, scale+scale/2)
		}
		in := a.New[c] + a.Carried[c]
		if in > 0 && chance(r, 0.3) {
			a.CarryNext[c] = between(r, 0, min(3, in))
		}
	}
	rows := ResultRows(a.Format)
	weights := resultWeights(a.Format)
	total := 0.0
	for _, x := range weights {
		total += x
	}
	a.Results = make([][6]int, len(rows))
	for c := range a.New {
		n := a.New[c] + a.Carried[c] - a.CarryNext[c]
		for k := 0; k < n; k++ {
			x := r.Float64() * total
			i := 0
			for ; i < len(weights)-1 && x >= weights[i]; i++ {
				x -= weights[i]
			}
			a.Results[i][c]++
		}
	}
	// Table 4: reviews and suits, few or none.
	reviews := map[string]int{"district": 6, "bureau": 2, "township": 1, "street": 1}[e.Type]
	for g := 0; g < 3; g++ {
		t := 0
		for k := 0; k < 4; k++ {
			v := 0
			if chance(r, 0.35) {
				v = between(r, 0, reviews)
			}
			a.Review[g*5+k] = v
			t += v
		}
		a.Review[g*5+4] = t
	}
	// Table 2.
	docs := map[string]int{"district": 12, "bureau": 4, "township": 1, "street": 1}[e.Type]
	made := between(r, 0, docs)
	if a.Format == "2019" {
		a.Table2["规章"] = []int{0, 0, 0}
		a.Table2["规范性文件"] = []int{made, made, made + between(r, 5, 40)}
		a.Table2["行政许可"] = []int{between(r, 0, 30), between(r, 0, 3), between(r, 0, 900)}
		a.Table2["其他对外管理服务事项"] = []int{between(r, 0, 20), between(r, 0, 2), between(r, 0, 300)}
		a.Table2["行政处罚"] = []int{between(r, 0, 200), between(r, 0, 5), between(r, 0, 600)}
		a.Table2["行政强制"] = []int{between(r, 0, 10), 0, between(r, 0, 30)}
		a.Table2["行政事业性收费"] = []int{between(r, 0, 5), 0}
		a.Table2["政府集中采购"] = []int{between(r, 0, 40), between(r, 0, 3000)}
	} else {
		a.Table2["规章"] = []int{0, 0, 0}
		a.Table2["行政规范性文件"] = []int{made, between(r, 0, 2), made + between(r, 5, 40)}
		a.Table2["行政许可"] = []int{between(r, 0, 900)}
		a.Table2["行政处罚"] = []int{between(r, 0, 600)}
		a.Table2["行政强制"] = []int{between(r, 0, 30)}
		a.Table2["行政事业性收费"] = []int{between(r, 0, 200)}
	}
	newTotal := sum6(a.New)
	published := between(r, 40, 120) * map[string]int{"district": 20, "bureau": 3, "township": 1, "street": 1}[e.Type]
	a.Overview = []string{
		fmt.Sprintf("%d年，%s认真贯彻落实《中华人民共和国政府信息公开条例》，围绕区委、区政府中心工作，扎实推进政务公开工作。现将本年度政府信息公开工作情况报告如下。", year, e.FullName),
		fmt.Sprintf("（一）主动公开情况。全年通过门户网站主动公开政府信息%d条，及时公开政策文件、财政预决算、重点领域等信息。", published),
		fmt.Sprintf("（二）依申请公开情况。全年共收到政府信息公开申请%d件，上年结转%d件，已全部依法按时答复，结转下年度继续办理%d件。", newTotal, sum6(a.Carried), sum6(a.CarryNext)),
		"（三）政府信息管理。严格落实公开前审查机制，动态更新公开目录，做好政府信息的规范管理。",
		"（四）平台建设。加强门户网站栏目建设和日常维护，确保信息发布及时、准确。",
		"（五）监督保障。将政务公开工作纳入年度绩效考核，开展业务培训，强化工作落实。",
	}
	a.Problems = []string{
		"本年度政府信息公开工作仍存在一些不足：一是部分栏目更新不够及时；二是政策解读形式还不够丰富。",
		fmt.Sprintf("%d年，将进一步健全工作机制，加强栏目日常巡查，丰富解读形式，不断提升政务公开工作质量。", year+1),
	}
	a.Other = []string{"本年度未收取信息处理费。", "无其他需要报告的事项。"}
	return a
}

// reportTable2 renders table 2 (主动公开政府信息情况).
func reportTable2(b *w, a *AnnualReport) {
	b.p(`<table class="ndbg-table" border="1" cellspacing="0" cellpadding="0" width="100%%">`)
	b.p("<tbody>")
	for _, g := range table2Groups(a.Format) {
		b.p(`<tr><td colspan="4" style="background:#dbe5f1">%s</td></tr>`, g.head)
		b.WriteString("<tr><td>信息内容</td>")
		for i, c := range g.cols {
			b.WriteString(spanCell(c, i, len(g.cols)))
		}
		b.p("</tr>")
		for _, row := range g.rows {
			b.WriteString("<tr><td>" + row + "</td>")
			for i, v := range a.Table2[row] {
				b.WriteString(spanCell(fmt.Sprint(v), i, len(g.cols)))
			}
			b.p("</tr>")
		}
	}
	b.p("</tbody>")
	b.p("</table>")
}

// spanCell renders cell i of n in a group whose table has three figure
// columns: the last cell spans what is left.
func spanCell(text string, i, n int) string {
	if i == n-1 && n < 3 {
		return fmt.Sprintf(`<td colspan="%d">%s</td>`, 3-i, text)
	}
	return "<td>" + text + "</td>"
}

// reportTable3 renders table 3 (收到和处理政府信息公开申请情况) with the
// rowspan/colspan header of the official format.
func reportTable3(b *w, a *AnnualReport) {
	cells := func(v [6]int) string {
		var s w
		for _, x := range v {
			fmt.Fprintf(&s, "<td>%d</td>", x)
		}
		fmt.Fprintf(&s, "<td>%d</td>", sum6(v))
		return s.String()
	}
	rows := ResultRows(a.Format)
	b.p(`<table class="ndbg-table" border="1" cellspacing="0" cellpadding="0" width="100%%">`)
	b.p("<tbody>")
	b.p(`<tr><td colspan="3" rowspan="3">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td><td colspan="7">申请人情况</td></tr>`)
	b.p(`<tr><td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td><td rowspan="2">总计</td></tr>`)
	b.p(`<tr><td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>`)
	b.p(`<tr><td colspan="3">一、本年新收政府信息公开申请数量</td>%s</tr>`, cells(a.New))
	b.p(`<tr><td colspan="3">二、上年结转政府信息公开申请数量</td>%s</tr>`, cells(a.Carried))
	first := true
	group := ""
	for i, row := range rows {
		b.WriteString("<tr>")
		if first {
			fmt.Fprintf(b, `<td rowspan="%d">三、本年度办理结果</td>`, len(rows)+1)
			first = false
		}
		switch {
		case row.Group == "":
			fmt.Fprintf(b, `<td colspan="2">%s</td>`, row.Label)
		case row.Group != group:
			n := 0
			for _, r2 := range rows {
				if r2.Group == row.Group {
					n++
				}
			}
			fmt.Fprintf(b, `<td rowspan="%d">%s</td><td>%s</td>`, n, row.Group, row.Label)
		default:
			fmt.Fprintf(b, `<td>%s</td>`, row.Label)
		}
		group = row.Group
		b.p("%s</tr>", cells(a.Results[i]))
	}
	var total [6]int
	for c := range total {
		total[c] = a.ResultTotal(c)
	}
	b.p(`<tr><td colspan="2">（七）总计</td>%s</tr>`, cells(total))
	b.p(`<tr><td colspan="3">四、结转下年度继续办理</td>%s</tr>`, cells(a.CarryNext))
	b.p("</tbody>")
	b.p("</table>")
}

// reportTable4 renders table 4 (行政复议、行政诉讼情况): one row of 15 cells.
func reportTable4(b *w, a *AnnualReport) {
	heads := `<td>结果维持</td><td>结果纠正</td><td>其他结果</td><td>尚未审结</td><td>总计</td>`
	b.p(`<table class="ndbg-table" border="1" cellspacing="0" cellpadding="0" width="100%%">`)
	b.p("<tbody>")
	b.p(`<tr><td colspan="5">行政复议</td><td colspan="10">行政诉讼</td></tr>`)
	b.p(`<tr><td rowspan="2">结果维持</td><td rowspan="2">结果纠正</td><td rowspan="2">其他结果</td><td rowspan="2">尚未审结</td><td rowspan="2">总计</td><td colspan="5">未经复议直接起诉</td><td colspan="5">复议后起诉</td></tr>`)
	b.p("<tr>%s%s</tr>", heads, heads)
	b.WriteString("<tr>")
	for _, v := range a.Review {
		fmt.Fprintf(b, "<td>%d</td>", v)
	}
	b.p("</tr>")
	b.p("</tbody>")
	b.p("</table>")
}
