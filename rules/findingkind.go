package rules

// FindingKind names a kind of finding (docs/spec.md#finding-kinds): what a check found wrong
// with a unit, as stored, served and shown. Its value is the string that
// stored findings, the API's JSON and the outputs carry ("column.stale");
// code names kinds by the constants below, so a misspelt kind does not
// compile.
type FindingKind string

// The finding kinds, in the order of FindingKinds.
const (
	FindingSiteUnreachable       FindingKind = "site.unreachable"
	FindingSiteCertificate       FindingKind = "site.certificate"
	FindingColumnMissing         FindingKind = "column.missing"
	FindingColumnUnread          FindingKind = "column.unread"
	FindingColumnEmpty           FindingKind = "column.empty"
	FindingColumnStale           FindingKind = "column.stale"
	FindingColumnGap             FindingKind = "column.gap"
	FindingFieldMissing          FindingKind = "field.missing"
	FindingDocumentMetadata      FindingKind = "document.metadata"
	FindingDocumentUninterpreted FindingKind = "document.uninterpreted"
	FindingDocumentLate          FindingKind = "document.late"
	FindingReportMissing         FindingKind = "report.missing"
	FindingReportLate            FindingKind = "report.late"
	FindingReportIncomplete      FindingKind = "report.incomplete"
	FindingReportInconsistent    FindingKind = "report.inconsistent"
	FindingLinkBroken            FindingKind = "link.broken"
	FindingColumnExpiring        FindingKind = "column.expiring"
	FindingContentPrivacy        FindingKind = "content.privacy"
	FindingContentOutdatedName   FindingKind = "content.outdated-name"
)

// findingKindNames is the one table of the kinds' names: Chinese (notices,
// the evaluation report, veto reasons, the web pages) and English (the
// English outputs), in the order of FindingKinds.
var findingKindNames = []struct {
	kind   FindingKind
	zh, en string
}{
	{FindingSiteUnreachable, "网站无法访问", "Site unreachable"},
	{FindingSiteCertificate, "网站证书无效", "Site certificate invalid"},
	{FindingColumnMissing, "栏目缺失", "Column missing"},
	{FindingColumnUnread, "栏目未能读取", "Column not read"},
	{FindingColumnEmpty, "空白栏目", "Empty column"},
	{FindingColumnStale, "栏目未按期更新", "Column not updated"},
	{FindingColumnGap, "周期性信息缺期", "Periodic item missing"},
	{FindingFieldMissing, "必备要素缺失", "Required field missing"},
	{FindingDocumentMetadata, "文件要素缺失", "Document metadata missing"},
	{FindingDocumentUninterpreted, "文件未解读", "Document not interpreted"},
	{FindingDocumentLate, "文件公开超期", "Document published late"},
	{FindingReportMissing, "年报未公布", "Annual report not published"},
	{FindingReportLate, "年报逾期公布", "Annual report late"},
	{FindingReportIncomplete, "年报内容不全", "Annual report incomplete"},
	{FindingReportInconsistent, "年报数据不一致", "Annual report inconsistent"},
	{FindingLinkBroken, "不可用链接", "Broken link"},
	{FindingColumnExpiring, "栏目即将超期", "Column about to go stale"},
	{FindingContentPrivacy, "个人信息泄露", "Personal data disclosed"},
	{FindingContentOutdatedName, "使用已撤销机构名称", "Abolished organ named as current"},
}

// FindingKinds lists the finding kinds of docs/spec.md#finding-kinds, the output contract.
var FindingKinds = func() []FindingKind {
	out := make([]FindingKind, len(findingKindNames))
	for i, n := range findingKindNames {
		out[i] = n.kind
	}
	return out
}()

// Known reports whether k is one of FindingKinds.
func (k FindingKind) Known() bool {
	for _, n := range findingKindNames {
		if n.kind == k {
			return true
		}
	}
	return false
}

// Chinese returns the kind's Chinese name: FindingColumnStale.Chinese() is
// 栏目未按期更新. An unknown kind is returned as it is.
func (k FindingKind) Chinese() string {
	for _, n := range findingKindNames {
		if n.kind == k {
			return n.zh
		}
	}
	return string(k)
}

// English returns the kind's English name: FindingColumnStale.English() is
// "Column not updated". An unknown kind is returned as it is.
func (k FindingKind) English() string {
	for _, n := range findingKindNames {
		if n.kind == k {
			return n.en
		}
	}
	return string(k)
}
