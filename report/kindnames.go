package report

// kindNames gives each finding kind (docs/spec.md#finding-kinds) its name on notices and in
// the evaluation report, in Chinese and English. The Chinese names are the
// ones scoring uses in veto reasons (scoring.KindName); a test keeps them
// equal.
var kindNames = map[string][2]string{
	"site.unreachable":       {"网站无法访问", "Site unreachable"},
	"site.certificate":       {"网站证书无效", "Site certificate invalid"},
	"column.missing":         {"栏目缺失", "Column missing"},
	"column.unread":          {"栏目未能读取", "Column not read"},
	"column.empty":           {"空白栏目", "Empty column"},
	"column.stale":           {"栏目未按期更新", "Column not updated"},
	"column.gap":             {"周期性信息缺期", "Periodic item missing"},
	"field.missing":          {"必备要素缺失", "Required field missing"},
	"document.metadata":      {"文件要素缺失", "Document metadata missing"},
	"document.uninterpreted": {"文件未解读", "Document not interpreted"},
	"document.late":          {"文件公开超期", "Document published late"},
	"report.missing":         {"年报未公布", "Annual report not published"},
	"report.late":            {"年报逾期公布", "Annual report late"},
	"report.incomplete":      {"年报内容不全", "Annual report incomplete"},
	"report.inconsistent":    {"年报数据不一致", "Annual report inconsistent"},
	"link.broken":            {"不可用链接", "Broken link"},
	"column.expiring":        {"栏目即将超期", "Column about to go stale"},
	"content.privacy":        {"个人信息泄露", "Personal data disclosed"},
	"content.outdated-name":  {"使用已撤销机构名称", "Abolished organ named as current"},
}

// KindName returns the display name of a finding kind (docs/spec.md#finding-kinds) in lang
// ("en" for English, anything else Chinese): KindName("column.stale", "zh")
// is 栏目未按期更新. An unknown kind is returned as it is.
func KindName(kind, lang string) string {
	return parseLang(lang).kindName(kind)
}

func (l lang) kindName(kind string) string {
	n, ok := kindNames[kind]
	if !ok {
		return kind
	}
	if l == en {
		return n[1]
	}
	return n[0]
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
