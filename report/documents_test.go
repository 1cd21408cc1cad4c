package report

import (
	"time"

	"gongkai/evidence"
	"gongkai/rules"
	"gongkai/scoring"
	"gongkai/store"
)

// The documents fixture: an audit of six units of the four types as of
// 2026-03-01, started at 02:30 on 2026-03-02 China Standard Time (the
// evening before in UTC), with a previous audit to compare with.

var (
	docStarted = time.Date(2026, 3, 1, 18, 30, 0, 0, time.UTC) // 2026-03-02 02:30 CST
	docFetched = time.Date(2026, 3, 1, 18, 45, 0, 0, time.UTC) // 2026-03-02 02:45 CST
	docAsOf    = evidence.MustParseDate("2026-03-01")
)

func docAudit() store.Audit {
	return store.Audit{ID: 3, StartedAt: docStarted, FinishedAt: docStarted.Add(40 * time.Minute), AsOf: docAsOf,
		Status: store.AuditComplete, RulesetName: "政府信息公开第三方评估", RulesetVersion: "2026.1", Units: 6}
}

func docScoring() store.Scoring {
	return store.Scoring{ID: 5, AuditID: 3, CreatedAt: docStarted.Add(41 * time.Minute), AsOf: docAsOf,
		WindowFrom: evidence.MustParseDate("2025-03-01"), WindowTo: evidence.MustParseDate("2026-02-28"),
		RulesetName: "政府信息公开第三方评估", RulesetVersion: "2026.1"}
}

func docDimensions() []rules.Dimension {
	return []rules.Dimension{
		{ID: "completeness", Name: "完整性", NameEN: "Completeness", Points: 40},
		{ID: "timeliness", Name: "及时性", NameEN: "Timeliness", Points: 30},
		{ID: "standardisation", Name: "规范性", NameEN: "Standardisation", Points: 20},
		{ID: "usability", Name: "可用性", NameEN: "Usability", Points: 10},
	}
}

func docGrades() []rules.Grade {
	return []rules.Grade{
		{Name: "优秀", NameEN: "Excellent", Min: 90}, {Name: "良好", NameEN: "Good", Min: 80},
		{Name: "合格", NameEN: "Pass", Min: 60}, {Name: "不合格", NameEN: "Fail", Min: 0},
	}
}

func docUnitTypes() []rules.UnitType {
	return []rules.UnitType{
		{ID: "district", Name: "区政府", NameEN: "District government"},
		{ID: "bureau", Name: "区政府部门", NameEN: "District bureau"},
		{ID: "township", Name: "乡镇", NameEN: "Town or township"},
		{ID: "street", Name: "街道", NameEN: "Street office"},
	}
}

func docColumns() []rules.Column {
	return []rules.Column{
		{ID: "guide", Name: "政府信息公开指南", NameEN: "Disclosure guide"},
		{ID: "functions", Name: "机构职能", NameEN: "Institutional functions"},
		{ID: "documents", Name: "政府文件", NameEN: "Government documents"},
		{ID: "statistics", Name: "统计信息", NameEN: "Statistical information"},
		{ID: "budget", Name: "财政预决算", NameEN: "Budget and final accounts"},
		{ID: "news", Name: "工作动态", NameEN: "Work news"},
		{ID: "notices", Name: "通知公告", NameEN: "Notices"},
		{ID: "annual-report", Name: "政府信息公开年报", NameEN: "Annual disclosure report"},
	}
}

func dims(c, t, s, u float64) []scoring.DimensionScore {
	return []scoring.DimensionScore{
		{ID: "completeness", Name: "完整性", Score: c, Max: 40, Deduct: 40 - c},
		{ID: "timeliness", Name: "及时性", Score: t, Max: 30, Deduct: 30 - t},
		{ID: "standardisation", Name: "规范性", Score: s, Max: 20, Deduct: 20 - s},
		{ID: "usability", Name: "可用性", Score: u, Max: 10, Deduct: 10 - u},
	}
}

// docScores are the six units in rank order.
func docScores() []scoring.UnitScore {
	return []scoring.UnitScore{
		{Unit: "archives", UnitName: "区档案馆", UnitType: "bureau", Total: 100, Dimensions: dims(40, 30, 20, 10),
			Grade: "优秀", Rank: 1, Findings: map[string]int{"notice": 1}},
		{Unit: "gov", UnitName: "怀柔区人民政府", UnitType: "district", Total: 98, Deducted: 2, Dimensions: dims(40, 28, 20, 10),
			Grade: "优秀", Rank: 2, Findings: map[string]int{"deduction": 1, "notice": 1}},
		{Unit: "finance", UnitName: "区财政局", UnitType: "bureau", Total: 91.5, Deducted: 8.5, Dimensions: dims(37, 26, 19, 9.5),
			Grade: "优秀", Rank: 3, Findings: map[string]int{"deduction": 5}},
		{Unit: "yanqi", UnitName: "雁栖镇", UnitType: "township", Total: 72, Deducted: 28, Dimensions: dims(25, 20, 20, 7),
			Grade: "合格", Rank: 4, Findings: map[string]int{"deduction": 7}},
		{Unit: "quanhe", UnitName: "泉河街道", UnitType: "street", Total: 55, Deducted: 45, Dimensions: dims(16, 15, 20, 4),
			Grade: "不合格", Rank: 5, Findings: map[string]int{"deduction": 11}},
		{Unit: "bohai", UnitName: "渤海镇", UnitType: "township", Total: 0, Dimensions: dims(0, 0, 0, 0), Veto: true,
			VetoReasons: []string{"site.reachable：网站无法访问"}, Grade: "不合格", Rank: 6, Findings: map[string]int{"veto": 1}},
	}
}

// docPrevious are the previous audit's scores: bohai was not in it.
func docPrevious() map[string]scoring.UnitScore {
	return map[string]scoring.UnitScore{
		"archives": {Unit: "archives", Total: 100, Rank: 1, Grade: "优秀"},
		"gov":      {Unit: "gov", Total: 95, Rank: 2, Grade: "优秀"},
		"finance":  {Unit: "finance", Total: 93, Rank: 3, Grade: "优秀"},
		"quanhe":   {Unit: "quanhe", Total: 70, Rank: 4, Grade: "合格"},
		"yanqi":    {Unit: "yanqi", Total: 60, Rank: 5, Grade: "合格"},
	}
}

func docRoster() map[string]evidence.Unit {
	return map[string]evidence.Unit{
		"finance": {ID: "finance", Name: "区财政局", NameEN: "District Finance Bureau", Type: "bureau",
			URL: "http://czj.example.gov.cn/", Contact: "张三 010-69641234"},
		"yanqi": {ID: "yanqi", Name: "雁栖镇", Type: "township", URL: "http://yqz.example.gov.cn/"},
	}
}

// finding makes a stored finding; fs is the first-seen date, which marks
// the finding persisting when it is before the as-of date.
func finding(id int64, unit, name, kind, column, subject, severity string, points, nominal float64, dim, url, detail, basis, fs string) store.StoredFinding {
	f := store.StoredFinding{
		Finding: scoring.Finding{Unit: unit, UnitName: name, Kind: rules.FindingKind(kind), Rule: kind, Column: column, Subject: subject,
			Severity: severity, Points: points, Nominal: nominal, URL: url, Detail: detail, Basis: basis, Dimension: dim,
			Indicator: column},
		ID: id, ScoringID: 5, AuditID: 3, Status: store.FindingNew, FirstSeen: docAsOf,
	}
	if fs != "" {
		f.FirstSeen = evidence.MustParseDate(fs)
		f.Status = store.FindingPersisting
	}
	if url != "" {
		f.Evidence = []scoring.Ref{{URL: url, FetchedAt: docFetched.Add(time.Duration(id) * time.Minute), Status: 200, Class: evidence.ClassOK}}
	}
	return f
}

const (
	basisOpen  = "《中华人民共和国政府信息公开条例》第二十条：行政机关应当主动公开本行政机关的机构职能、规范性文件等政府信息。"
	basisTimes = "《政府网站发展指引》（国办发〔2017〕47号）：动态信息及时更新。"
	basisLinks = "《政府网站与政务新媒体检查指标》：链接和附件可用。"
	basisYear  = "《中华人民共和国政府信息公开条例》第四十九条：每年1月31日前公布年度报告。"
	basisVeto  = "《政府网站与政务新媒体检查指标》（国办秘函〔2019〕19号）单项否决：站点无法访问。"
)

func docFindings() []store.StoredFinding {
	return []store.StoredFinding{
		finding(101, "archives", "区档案馆", "column.expiring", "news", "", "notice", 0, 0, "timeliness",
			"http://daj.example.gov.cn/gzdt/", "“工作动态”栏目最新一条发布于2026-02-17，将于2026-03-03超过14天的更新要求", basisTimes, ""),
		finding(102, "gov", "怀柔区人民政府", "column.stale", "news", "", "deduction", 2, 2, "timeliness",
			"http://www.example.gov.cn/zwgk/gzdt/", "“工作动态”栏目最新一条发布于2026-01-20，距评估日40天，超过14天的更新要求", basisTimes, "2025-12-01"),
		finding(103, "gov", "怀柔区人民政府", "column.expiring", "notices", "", "notice", 0, 0, "timeliness",
			"http://www.example.gov.cn/zwgk/tzgg/", "“通知公告”栏目最新一条发布于2025-09-20，将于2026-03-19超过180天的更新要求", basisTimes, ""),
		finding(111, "finance", "区财政局", "field.missing", "functions", "办公时间", "deduction", 1, 1, "completeness",
			"http://czj.example.gov.cn/zwgk/jgzn/", "“机构职能”页面缺少办公时间", basisOpen, "2025-12-01"),
		finding(112, "finance", "区财政局", "document.metadata", "documents", "http://czj.example.gov.cn/zwgk/zcwj/202601/t20260105_1.html", "deduction", 1, 1, "standardisation",
			"http://czj.example.gov.cn/zwgk/zcwj/202601/t20260105_1.html", "文件缺少：索引号、发文字号", basisOpen, "2025-09-01"),
		finding(113, "finance", "区财政局", "link.broken", "documents", "http://czj.example.gov.cn/files/2026/预算.pdf", "deduction", 0.5, 0.5, "usability",
			"http://czj.example.gov.cn/zwgk/zcwj/", "“政府文件”栏目页上的附件 http://czj.example.gov.cn/files/2026/预算.pdf 无法访问（404）", basisLinks, ""),
		finding(114, "finance", "区财政局", "column.gap", "statistics", "2025-11", "deduction", 2, 2, "completeness",
			"http://czj.example.gov.cn/zwgk/tjxx/", "“统计信息”栏目缺少2025年11月的信息", basisOpen, ""),
		finding(115, "finance", "区财政局", "report.late", "annual-report", "2025", "deduction", 4, 4, "timeliness",
			"http://czj.example.gov.cn/zwgk/ndbg/", "2025年度报告发布于2026-02-10，晚于1月31日的期限", basisYear, ""),
		finding(121, "yanqi", "雁栖镇", "column.missing", "guide", "", "deduction", 6, 6, "completeness",
			"http://yqz.example.gov.cn/", "未找到“政府信息公开指南”栏目", basisOpen, ""),
		finding(122, "yanqi", "雁栖镇", "column.empty", "budget", "", "deduction", 4, 4, "completeness",
			"http://yqz.example.gov.cn/zwgk/czyjs/", "“财政预决算”栏目没有任何信息", basisOpen, "2025-06-01"),
		finding(123, "yanqi", "雁栖镇", "field.missing", "functions", "负责人", "deduction", 3, 3, "completeness",
			"http://yqz.example.gov.cn/zwgk/jgzn/", "“机构职能”页面缺少负责人", basisOpen, ""),
		finding(124, "yanqi", "雁栖镇", "column.stale", "news", "", "deduction", 5, 5, "timeliness",
			"http://yqz.example.gov.cn/zwgk/gzdt/", "“工作动态”栏目最新一条发布于2025-11-02，距评估日119天，超过14天的更新要求", basisTimes, "2025-12-01"),
		finding(125, "yanqi", "雁栖镇", "column.stale", "notices", "", "deduction", 5, 5, "timeliness",
			"http://yqz.example.gov.cn/zwgk/tzgg/", "“通知公告”栏目最新一条发布于2025-07-01，距评估日243天，超过180天的更新要求", basisTimes, ""),
		finding(126, "yanqi", "雁栖镇", "link.broken", "", "http://yqz.example.gov.cn/old/", "deduction", 3, 3, "usability",
			"http://yqz.example.gov.cn/", "首页上的链接 http://yqz.example.gov.cn/old/ 无法访问（连接超时）", basisLinks, ""),
		finding(127, "yanqi", "雁栖镇", "report.incomplete", "annual-report", "2025", "deduction", 2, 2, "completeness",
			"http://yqz.example.gov.cn/zwgk/ndbg/2026/1.html", "2025年度报告缺少第五部分“存在的主要问题及改进情况”", basisYear, ""),
		finding(131, "quanhe", "泉河街道", "column.stale", "news", "", "deduction", 5, 5, "timeliness",
			"http://qhjd.example.gov.cn/gzdt/", "“工作动态”栏目最新一条发布于2025-10-10，超过14天的更新要求", basisTimes, "2025-06-01"),
		finding(132, "quanhe", "泉河街道", "column.stale", "notices", "", "deduction", 5, 5, "timeliness",
			"http://qhjd.example.gov.cn/tzgg/", "“通知公告”栏目最新一条发布于2025-05-01，超过180天的更新要求", basisTimes, ""),
		finding(133, "quanhe", "泉河街道", "column.stale", "budget", "", "deduction", 5, 5, "timeliness",
			"http://qhjd.example.gov.cn/czyjs/", "“财政预决算”栏目最新一条发布于2024-12-30，超过365天的更新要求", basisTimes, ""),
		finding(134, "quanhe", "泉河街道", "column.empty", "guide", "", "deduction", 4, 4, "completeness",
			"http://qhjd.example.gov.cn/gkzn/", "“政府信息公开指南”栏目没有任何内容", basisOpen, "2025-09-01"),
		finding(135, "quanhe", "泉河街道", "column.empty", "functions", "", "deduction", 4, 4, "completeness",
			"http://qhjd.example.gov.cn/jgzn/", "“机构职能”栏目没有任何内容", basisOpen, ""),
		finding(136, "quanhe", "泉河街道", "report.missing", "annual-report", "2025", "deduction", 10, 10, "completeness",
			"http://qhjd.example.gov.cn/ndbg/", "截至评估日未找到2025年度报告", basisYear, ""),
		finding(137, "quanhe", "泉河街道", "field.missing", "guide", "办公地址", "deduction", 3, 3, "completeness",
			"http://qhjd.example.gov.cn/gkzn/", "“政府信息公开指南”缺少办公地址", basisOpen, ""),
		finding(138, "quanhe", "泉河街道", "field.missing", "guide", "联系电话", "deduction", 3, 3, "completeness",
			"http://qhjd.example.gov.cn/gkzn/", "“政府信息公开指南”缺少联系电话", basisOpen, ""),
		finding(139, "quanhe", "泉河街道", "link.broken", "", "http://qhjd.example.gov.cn/a.doc", "deduction", 3, 3, "usability",
			"http://qhjd.example.gov.cn/", "首页上的附件 http://qhjd.example.gov.cn/a.doc 无法访问（500）", basisLinks, ""),
		finding(140, "quanhe", "泉河街道", "link.broken", "", "http://qhjd.example.gov.cn/b.doc", "deduction", 3, 4, "usability",
			"http://qhjd.example.gov.cn/", "首页上的附件 http://qhjd.example.gov.cn/b.doc 无法访问（404）", basisLinks, ""),
		finding(141, "quanhe", "泉河街道", "link.broken", "", "http://qhjd.example.gov.cn/c.doc", "deduction", 0, 4, "usability",
			"http://qhjd.example.gov.cn/", "首页上的附件 http://qhjd.example.gov.cn/c.doc 无法访问（404）", basisLinks, ""),
		finding(151, "bohai", "渤海镇", "site.unreachable", "", "", "veto", 0, 0, "",
			"http://bhz.example.gov.cn/", "三次访问均失败：连接被拒绝", basisVeto, ""),
	}
}

// docResolved are two problems of the previous audit that are gone.
func docResolved() []store.StoredFinding {
	a := finding(90, "gov", "怀柔区人民政府", "column.missing", "gazette", "", "deduction", 0, 0, "completeness",
		"http://www.example.gov.cn/", "未找到“政府公报”栏目", basisOpen, "2025-12-01")
	b := finding(91, "yanqi", "雁栖镇", "link.broken", "", "http://yqz.example.gov.cn/x.pdf", "deduction", 0, 0, "usability",
		"http://yqz.example.gov.cn/", "首页上的附件无法访问", basisLinks, "2025-12-01")
	a.Status, b.Status = store.FindingResolved, store.FindingResolved
	return []store.StoredFinding{a, b}
}

func docNoticeInput() NoticeInput {
	return NoticeInput{District: "怀柔区", Audit: docAudit(), Scoring: docScoring(), Scores: docScores(),
		Findings: docFindings(), Units: docRoster(), Columns: docColumns()}
}

func docEvaluationInput() EvaluationInput {
	return EvaluationInput{District: "怀柔区", Audit: docAudit(), Scoring: docScoring(), Scores: docScores(),
		Previous: docPrevious(), Findings: docFindings(), Resolved: docResolved(), Dimensions: docDimensions(),
		Grades: docGrades(), UnitTypes: docUnitTypes()}
}
