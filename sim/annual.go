package sim

import (
	"fmt"
	"math/rand/v2"
)

// reportSections are the six section headings of the State Council's
// annual report format (docs/spec.md#annual-report-identities), without their numbers.
var reportSections = []string{
	"总体情况",
	"主动公开政府信息情况",
	"收到和处理政府信息公开申请情况",
	"政府信息公开行政复议、行政诉讼情况",
	"存在的主要问题及改进情况",
	"其他需要报告的事项",
}

// cnNumerals are the numerals of the sections' numbers.
var cnNumerals = []string{"一", "二", "三", "四", "五", "六", "七", "八", "九", "十"}

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

	// How the report is published. The zero value is the full report in
	// the format: six headed sections and three tables.

	// Prose is true when the figures are given as prose, without tables
	// (as many reports were): the report lacks tables 二, 三 and 四, and
	// section 三 states 本年新收, 上年结转, 办结 and 结转下年度 in a sentence.
	Prose bool
	// NoHeading leaves out a section's heading line (its content stays).
	NoHeading [6]bool
	// NoTable leaves out table 二, 三 or 四 (index 0, 1, 2).
	NoTable [3]bool
	// NoRows are the keys of table 3 rows left out (see t3Rows).
	NoRows []string
	// Text shows a cell with this text instead of its figure; keys are
	// "t2:<row label>:<i>", "t3:<row key>:<column 0–6>" and "t4:<cell 0–14>".
	Text map[string]string

	look     reportLook
	filePath string // where its file is served (look.file), set at layout
	title    string // the item's title, for its file's link
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

func applicationsParagraph(newTotal, carried, next int) string {
	return fmt.Sprintf("（二）依申请公开情况。全年共收到政府信息公开申请%d件，上年结转%d件，已全部依法按时答复，结转下年度继续办理%d件。", newTotal, carried, next)
}

// refresh rewrites the overview's paragraph on applications after the
// figures changed.
func (a *AnnualReport) refresh() {
	if len(a.Overview) > 2 && !a.Prose {
		a.Overview[2] = applicationsParagraph(sum6(a.New), sum6(a.Carried), sum6(a.CarryNext))
	}
}

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
		applicationsParagraph(newTotal, sum6(a.Carried), sum6(a.CarryNext)),
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
