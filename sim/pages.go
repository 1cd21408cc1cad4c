package sim

import "fmt"

// block is one part of a page column's content: a heading, a paragraph, a
// labelled field or a leader. Styles turn blocks into markup.
type block struct {
	// Heading is a section heading (not a field label).
	Heading string
	// Text is a plain paragraph.
	Text string
	// Field is the canonical field name of a field block; Label is the
	// label shown and Lines its value.
	Field string
	Label string
	Lines []string
	// Leader is set for a leader block; Fields and Labels are the
	// per-leader fields shown.
	Leader *Leader
	Fields []string
	Labels []string
}

// variant holds a site's small markup choices, fixed per unit by its style.
type variant struct {
	tableFields bool // page fields in a table rather than label lines
	dateFmt     int  // list date format
	spaced      bool // metadata labels spaced out (索 引 号)
	dlMeta      bool // metadata as <dl> rather than label lines
	fullWidth   bool // full-width digits in list dates
	portalNews  int  // news items on the portal
	chinaMeta   bool // metadata dates as 2025年07月12日
}

// pageBlocks returns the content of a page column; nil for an empty one.
func pageBlocks(u *Unit, c *Column) []block {
	if c.State != ColumnPresent {
		return nil
	}
	var out []block
	fields := func() {
		for _, n := range c.FieldOrder {
			if l := c.FieldLabels[n]; l != "" && !isLeaderField(n) {
				out = append(out, block{Field: n, Label: l, Lines: fieldValues(u, n)})
			}
		}
	}
	switch c.ID {
	case "guide":
		out = append(out,
			block{Text: fmt.Sprintf("为进一步做好政府信息公开工作，便于公民、法人和其他组织获取%s的政府信息，根据《中华人民共和国政府信息公开条例》，编制本指南。", u.FullName)},
			block{Heading: "一、主动公开"},
			block{Text: "（一）公开范围。本机关主动公开机构设置与职责、政策文件、规划计划、财政预决算、重点领域等政府信息。"},
			block{Text: "（二）公开方式。主要通过本机关门户网站公开，并辅以政务新媒体等方式。"},
			block{Text: "（三）公开时限。属于主动公开范围的政府信息，自该信息形成或者变更之日起20个工作日内予以公开。"},
			block{Heading: "二、依申请公开"},
			block{Text: fmt.Sprintf("（一）受理机构：%s政务公开工作机构。", u.FullName)},
		)
		fields()
		out = append(out,
			block{Text: "（二）申请方式。申请人可以当面、邮寄或通过互联网提出申请；申请表可在本页下载。"},
			block{Heading: "三、收费"},
			block{Text: "行政机关依申请提供政府信息，不收取费用；申请人申请数量、频次明显超过合理范围的，按照有关规定收取信息处理费。"},
			block{Heading: "四、监督和救济"},
			block{Text: "公民、法人或者其他组织认为行政机关在政府信息公开工作中侵犯其合法权益的，可以向上一级行政机关或者政府信息公开工作主管部门投诉、举报，也可以依法申请行政复议或者提起行政诉讼。"},
		)
	case "functions":
		role := map[string]string{
			"district": "是北京市" + u.District + "的地方国家行政机关",
			"bureau":   "是区政府工作部门",
			"township": "是本行政区域的基层人民政府",
			"street":   "是区政府的派出机关",
		}[u.Type]
		if role == "" {
			role = "是本区的行政机关"
		}
		out = append(out, block{Text: fmt.Sprintf("%s%s，依法履行下列工作任务。", u.FullName, role)})
		fields()
	case "leaders":
		var fs, ls []string
		for _, n := range c.FieldOrder {
			if l := c.FieldLabels[n]; l != "" {
				fs = append(fs, n)
				ls = append(ls, l)
			}
		}
		for i := range u.Leaders {
			out = append(out, block{Leader: &u.Leaders[i], Fields: fs, Labels: ls})
		}
	case "application":
		out = append(out,
			block{Heading: "申请方式"},
			block{Text: "公民、法人或者其他组织可以通过当面提交、邮寄、网上提交等方式向本机关申请获取政府信息。"},
			block{Heading: "办理流程"},
			block{Text: "本机关收到申请后，能够当场答复的当场予以答复；不能当场答复的，自收到申请之日起20个工作日内予以答复。"},
			block{Heading: "申请表下载"},
			block{Text: "请下载填写申请表后提交，或通过在线申请渠道提交。"},
		)
		fields()
	default:
		fields()
		if len(out) == 0 {
			out = append(out, block{Text: c.Label + "相关内容。"})
		}
	}
	return out
}

// leaderLine returns the text of a per-leader field.
func leaderLine(l *Leader, field string) string { return leaderValue(*l, field) }
