package sim

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"gongkai/evidence"
)

var surnames = []rune("王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴孔汤")

var givenNames = []string{
	"建国", "志强", "海燕", "丽华", "晓东", "文博", "立新", "红梅", "玉兰", "国庆", "俊峰", "雪梅",
	"春生", "宏伟", "秀英", "建华", "明辉", "凤霞", "永刚", "桂芳", "振宇", "晓燕", "德明", "淑珍",
	"志军", "慧敏", "海涛", "鹏", "磊", "静", "敏", "超", "婷", "洋", "帆", "卫东", "树林", "亚楠",
}

var roads = []string{"府前街", "青春路", "迎宾中路", "开放路", "南华大街", "富乐大街", "京加路", "湖光中街", "雁栖大街", "红螺路", "北大街", "庙城路", "乐园大街", "永泰北街"}

func personName(r *rand.Rand) string {
	return string(surnames[r.IntN(len(surnames))]) + pick(r, givenNames)
}

func phoneNumber(r *rand.Rand) string {
	return fmt.Sprintf("010-69%d%d%04d", between(r, 6, 6), between(r, 1, 9), r.IntN(10000))
}

func addressFor(r *rand.Rand, e RosterEntry) string {
	name, _, _ := strings.Cut(e.Name, "（")
	switch e.Type {
	case "township":
		return fmt.Sprintf("北京市%s%s%s%d号", e.District, name, pick(r, []string{"政府街", "中心街", "镇政府路", "村委会东侧"}), between(r, 1, 88))
	default:
		return fmt.Sprintf("北京市%s%s%d号", e.District, pick(r, roads), between(r, 1, 199))
	}
}

// office hours, with and without a lunch break
var hoursText = []string{
	"周一至周五上午8:30—12:00，下午13:30—17:30（法定节假日除外）",
	"工作日9:00—12:00，13:30—17:00",
	"星期一至星期五 8:30-11:30，13:30-17:00（节假日除外）",
}

var officeNames = map[string][]string{
	"district": {"区政府办公室", "研究室", "督查室", "政务公开办公室", "法制工作科", "信息科", "机要科"},
	"bureau":   {"办公室", "综合科", "规划发展科", "财务审计科", "法制科", "人事科", "业务一科", "业务二科", "执法监督科"},
	"township": {"党政办公室", "综合保障办公室", "社会事业办公室", "城乡建设办公室", "农业发展办公室", "平安建设办公室", "综合行政执法队"},
	"street":   {"党群工作办公室", "综合保障办公室", "社区建设办公室", "城市管理办公室", "民生保障办公室", "平安建设办公室", "综合行政执法队"},
}

// dutyFor returns the unit's main responsibilities as short sentences.
func dutyFor(r *rand.Rand, e RosterEntry) []string {
	d := e.Domain
	out := []string{
		fmt.Sprintf("贯彻执行国家和本市有关%s工作的法律、法规、规章和政策，研究起草本区相关政策措施并组织实施。", d),
		fmt.Sprintf("拟订本区%s发展规划和年度计划，并组织实施和监督检查。", d),
	}
	for _, t := range e.Topics {
		out = append(out, fmt.Sprintf("组织推进%s工作，协调解决工作中的重大问题。", t))
	}
	out = append(out,
		"承担本单位安全生产、保密、档案和政务公开等工作。",
		"完成区委、区政府交办的其他任务。")
	return out
}

// resumeFor returns a leader's short resume (简历), without naming any
// metadata or field label.
func resumeFor(r *rand.Rand, e RosterEntry, position string) string {
	born := between(r, 1968, 1984)
	join := born + between(r, 21, 25)
	return fmt.Sprintf("%d年%d月生，%s，%s学历，中共党员。%d年参加工作，曾在%s工作，现任%s%s。",
		born, between(r, 1, 12), pick(r, []string{"汉族", "汉族", "汉族", "满族", "回族"}),
		pick(r, []string{"大学", "研究生", "在职研究生"}), join,
		pick(r, []string{"中共北京市怀柔区委组织部", "北京市怀柔区人民政府办公室", "北京市怀柔区发展和改革委员会", "北京市怀柔区怀柔镇人民政府", "北京市怀柔区雁栖镇人民政府", "北京市怀柔区财政局"}),
		e.FullName, position)
}

// topicClasses maps a unit's domain to the 主题分类 printed on its documents.
var topicClasses = map[string]string{
	"财政": "财政、金融、审计/财政", "审计": "财政、金融、审计/审计", "发展改革": "国民经济管理、国有资产监管/其他",
	"国资监管": "国民经济管理、国有资产监管/国有资产监管", "教育": "科技、教育/教育", "科技": "科技、教育/科技",
	"民政": "民政、扶贫、救灾/其他", "司法行政": "公安、安全、司法/司法", "公安": "公安、安全、司法/公安",
	"人力社保": "劳动、人事、监察/劳动就业", "生态环境": "城乡建设、环境保护/环境监测、保护与治理",
	"住房城乡建设": "城乡建设、环境保护/城乡建设（含住房）", "城市管理": "城乡建设、环境保护/市政",
	"交通": "交通/其他", "水务": "农业、林业、水利/水利", "农业农村": "农业、林业、水利/农业、畜牧业、渔业",
	"园林绿化": "农业、林业、水利/林业", "商务": "商贸、海关、旅游/国内贸易（含供销）", "文化和旅游": "商贸、海关、旅游/旅游",
	"卫生健康": "卫生、体育/卫生", "体育": "卫生、体育/体育", "市场监管": "市场监管、安全生产监管/市场监管",
	"应急管理": "市场监管、安全生产监管/安全生产监管", "医疗保障": "卫生、体育/卫生",
}

func topicClass(e RosterEntry) string {
	if t, ok := topicClasses[e.Domain]; ok {
		return t
	}
	return "综合政务/其他"
}

var genericTopics = []string{"安全生产", "接诉即办", "营商环境", "防汛", "党风廉政建设", "节能降耗", "普法宣传", "消防安全", "民生实事", "基层治理"}

func topicFor(r *rand.Rand, e RosterEntry) string {
	if chance(r, 0.7) {
		return pick(r, e.Topics)
	}
	return pick(r, genericTopics)
}

// cnMonth formats a month as 7月.
func cnMonth(m int) string { return fmt.Sprintf("%d月", m) }

// cnDate formats a date as 2025年7月12日.
func cnDate(d evidence.Date) string {
	return fmt.Sprintf("%d年%d月%d日", d.Year, int(d.Month), d.Day)
}

// cnDate0 formats a date as 2025年07月12日.
func cnDate0(d evidence.Date) string {
	return fmt.Sprintf("%d年%02d月%02d日", d.Year, int(d.Month), d.Day)
}

var cnDigits = []string{"〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"}

// cnYear writes a year in Chinese numerals: 二〇二五.
func cnYear(y int) string {
	var b strings.Builder
	for _, c := range fmt.Sprint(y) {
		b.WriteString(cnDigits[c-'0'])
	}
	return b.String()
}

// titleMaker makes list item titles for one column of one unit.
type titleMaker func(r *rand.Rand, day evidence.Date) string

func newsTitle(e RosterEntry) titleMaker {
	return func(r *rand.Rand, day evidence.Date) string {
		t := topicFor(r, e)
		org := e.Name
		return pick(r, []string{
			org + "召开" + t + "工作部署会",
			org + "开展" + t + "专项检查",
			org + "组织" + t + "业务培训",
			org + "主要负责同志带队检查" + t + "工作",
			org + "深入推进" + t + "工作",
			org + "召开" + t + "工作推进会",
			org + t + "工作取得阶段性成效",
			org + "举办" + t + "宣传活动",
			org + "召开" + cnMonth(int(day.Month)) + "份重点工作调度会",
			org + "部署近期" + t + "重点任务",
		})
	}
}

func noticeTitle(e RosterEntry) titleMaker {
	return func(r *rand.Rand, day evidence.Date) string {
		t := topicFor(r, e)
		return pick(r, []string{
			"关于做好" + t + "工作的通知",
			"关于开展" + t + "专项行动的通告",
			fmt.Sprintf("关于%d年%s有关事项的公告", day.Year, t),
			fmt.Sprintf("%d年%s项目拟支持名单公示", day.Year, t),
			"关于" + t + "征求意见的公告",
			fmt.Sprintf("关于%s期间%s的提示", pick(r, []string{"春节", "五一", "国庆", "汛期", "冬季"}), t),
		})
	}
}

func keyAreaTitle(e RosterEntry) titleMaker {
	return func(r *rand.Rand, day evidence.Date) string {
		t := topicFor(r, e)
		return pick(r, []string{
			fmt.Sprintf("%d年%s“双随机、一公开”抽查结果", day.Year, e.Domain),
			fmt.Sprintf("%d年第%d季度%s情况", day.Year, (int(day.Month)+2)/3, t),
			fmt.Sprintf("%s行政处罚决定（%s〔%d〕%d号）", e.Name, e.Abbr+"罚", day.Year, between(r, 1, 300)),
			fmt.Sprintf("%d年%s重点项目实施情况", day.Year, t),
			fmt.Sprintf("%s%s办理结果", e.Name, pick(r, []string{"建议提案", "行政许可", "公共服务事项"})),
		})
	}
}

func planningTitle(e RosterEntry) titleMaker {
	return func(r *rand.Rand, day evidence.Date) string {
		t := topicFor(r, e)
		return pick(r, []string{
			fmt.Sprintf("%s%d年工作要点", e.Name, day.Year),
			fmt.Sprintf("%s%d年工作总结和%d年工作安排", e.Name, day.Year-1, day.Year),
			fmt.Sprintf("%s%s三年行动方案（%d—%d年）", e.District, t, day.Year, day.Year+2),
			fmt.Sprintf("%s“十五五”时期%s专项方案", e.District, t),
			fmt.Sprintf("%d年%s工作安排", day.Year, t),
		})
	}
}

func personnelTitle(e RosterEntry) titleMaker {
	return func(r *rand.Rand, day evidence.Date) string {
		return pick(r, []string{
			fmt.Sprintf("%s%d年公开招聘事业单位工作人员公告", e.Name, day.Year),
			fmt.Sprintf("%s%d年公开招聘拟聘用人员公示", e.Name, day.Year),
			fmt.Sprintf("关于%s等同志任职的通知", personName(r)),
			fmt.Sprintf("%s%d年度公务员录用拟录用人员公示", e.Name, day.Year),
			fmt.Sprintf("%s干部任前公示", e.Name),
		})
	}
}

func statisticsTitle(e RosterEntry) titleMaker {
	return func(r *rand.Rand, day evidence.Date) string {
		prev := day.AddMonths(-1)
		span := fmt.Sprintf("%d年1—%d月", prev.Year, int(prev.Month))
		if prev.Month == 1 {
			span = fmt.Sprintf("%d年1月", prev.Year)
		}
		switch e.Type {
		case "district":
			return span + e.District + "国民经济主要指标"
		}
		switch e.Domain {
		case "统计":
			return span + e.District + "经济运行情况"
		case "财政":
			return span + e.District + "一般公共预算收支情况"
		}
		return span + e.Domain + "工作主要指标完成情况"
	}
}

func gazetteTitle(e RosterEntry) titleMaker {
	return func(r *rand.Rand, day evidence.Date) string {
		q := (int(day.Month) + 2) / 3
		return fmt.Sprintf("%s人民政府公报%d年第%d期（总第%d期）", e.District, day.Year, q, (day.Year-2015)*4+q)
	}
}

func genericTitle(e RosterEntry) titleMaker {
	return func(r *rand.Rand, day evidence.Date) string {
		return fmt.Sprintf("%s%d年%s工作情况", e.Name, day.Year, topicFor(r, e))
	}
}

// articleBody writes a few paragraphs for an article page.
func articleBody(r *rand.Rand, e RosterEntry, title string, day evidence.Date) []string {
	t := topicFor(r, e)
	out := []string{
		fmt.Sprintf("%s，%s围绕%s工作，认真落实市、区有关部署要求，细化任务分工，压实工作责任。", cnDate(day), e.Name, t),
		fmt.Sprintf("会议指出，要坚持问题导向和目标导向，聚焦%s中的重点难点，建立台账、逐项推进，确保各项任务按期完成。", t),
		pick(r, []string{
			"下一步，将持续加强统筹协调，强化督促检查，推动各项工作取得实效。",
			"各科室、各单位要提高思想认识，加强协作配合，确保工作落到实处。",
			"同时，要加强宣传引导，及时回应群众关切，营造良好社会氛围。",
		}),
	}
	return out
}
