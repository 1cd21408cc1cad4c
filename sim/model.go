package sim

import (
	"gongkai/evidence"
	"gongkai/rules"
)

// Role says what part a unit plays in the simulated district.
type Role string

// The unit roles.
const (
	// RoleClean units have no findings at all.
	RoleClean Role = "clean"
	// RoleDefective units carry one to five planted defects (of them at
	// most one in the annual report due; the district government's may be
	// a sixth).
	RoleDefective Role = "defective"
	// RoleVeto units have so many empty columns that the empty-columns veto fires.
	RoleVeto Role = "veto"
	// RoleUnreachable units accept connections and close them without answering.
	RoleUnreachable Role = "unreachable"
)

// Unit is one simulated unit: who it is, how its site is made, what was
// planted in it, and the content of its columns.
type Unit struct {
	RosterEntry
	// Index is the unit's position in the district (0 is the district government).
	Index int
	// Style is the name of the markup style its site is made in (trs, hanweb, plain).
	Style string
	// Role is the part the unit plays (clean, defective, veto, unreachable).
	Role Role
	// Defects lists what was planted, in the order planted; empty for clean units.
	Defects []Defect
	// Decoys describes traps that must NOT become findings (a document listed
	// before the window without metadata, a document whose interpretation is
	// not yet due, ...). They test that an evaluator keeps to the rules.
	Decoys []string
	// Columns holds every column the ruleset asks of the unit's type, in
	// ruleset order, whatever its state.
	Columns []*Column
	// Profile holds the unit's contact details and site identifiers.
	Profile Profile
	// Leaders are the unit's leaders, shown on the leaders column.
	Leaders []Leader
	// Duties are the unit's main responsibilities (主要职责).
	Duties []string
	// Offices are the unit's internal offices (内设机构).
	Offices []string
	// PortalLinks are links shown only on the portal page (topic banners);
	// some may be planted broken.
	PortalLinks []*Link
	// HubPath is the path of the disclosure directory page (信息公开), or ""
	// when the style links every column from the portal. On a site whose
	// directory is nested (variant discover-hub-depth2) it is the outer hub
	// (政务公开), which links the inner one and no column.
	HubPath string
	// HubLabel is the link text leading to the hub page.
	HubLabel string
	// InnerHubPath is the path of the inner directory page (法定主动公开内容)
	// that alone links the columns on a nested site; "" on other sites.
	InnerHubPath string
	// InnerHubLabel is the link text leading from the hub to the inner hub.
	InnerHubLabel string
	// Variants lists the markup variants the unit's site shows (see
	// AllVariants), sorted; empty for unreachable units.
	Variants []string

	style       Style
	v           variant
	reportYear  int    // the year of the annual report judged as of the district's date
	reportPlant string // the report defect planted (an rd… id), or ""
	f           features
	routes      map[string]*route
	seq         int
}

// Column returns the unit's column with id, or nil.
func (u *Unit) Column(id string) *Column {
	for _, c := range u.Columns {
		if c.ID == id {
			return c
		}
	}
	return nil
}

// Profile is a unit's contact details and website identifiers.
type Profile struct {
	// Address is the office address (办公地址).
	Address string
	// Postcode is the postal code (邮编).
	Postcode string
	// Phone is the contact telephone (联系电话).
	Phone string
	// Fax is the fax number.
	Fax string
	// Hours are the office hours (办公时间).
	Hours string
	// Email is the contact mailbox shown in some footers.
	Email string
	// SiteCode is the 网站标识码 (10 digits).
	SiteCode string
	// ICP is the ICP filing number (京ICP备…号).
	ICP string
	// Police is the public-security filing number (京公网安备…号).
	Police string
	// OrgCode is the prefix of document index numbers (索引号).
	OrgCode string
}

// Leader is one leader shown on the leaders column.
type Leader struct {
	// Name is the leader's name.
	Name string
	// Position is the 职务 (局长, 副局长 …).
	Position string
	// Duties is the 分工 (what the leader is in charge of).
	Duties string
	// Resume is the 简历.
	Resume string
	// Photo is the photo's file name; the style decides its directory.
	Photo string
}

// ColumnState says whether and how a column is shown.
type ColumnState string

// The column states.
const (
	// ColumnPresent: linked and holding content.
	ColumnPresent ColumnState = "present"
	// ColumnMissing: no link anywhere and no page.
	ColumnMissing ColumnState = "missing"
	// ColumnEmpty: the page exists but holds no items or content.
	ColumnEmpty ColumnState = "empty"
	// ColumnExplained: the page exists and states why it holds nothing.
	ColumnExplained ColumnState = "explained"
)

// Column is one disclosure column of a unit's site.
type Column struct {
	// ID is the ruleset's column id.
	ID string
	// Spec is the ruleset's column.
	Spec *rules.Column
	// Label is the name the site shows for the column (its name or an alias).
	Label string
	// State says whether the column is present, missing, empty or explained.
	State ColumnState
	// Explanation is the sentence an explained column shows.
	Explanation string
	// Items are a list column's entries, newest first.
	Items []*Item
	// FieldLabels maps each required field's canonical name to the label the
	// page shows; a field mapped to "" is left off the page (page columns).
	FieldLabels map[string]string
	// FieldOrder is the canonical field names in the order the page shows them.
	FieldOrder []string
	// Links are downloads and other links on a page column's page (a form to
	// download, a related page); some may be planted broken.
	Links []*Link
	// ImageLink is true when the portal links the column only by an image
	// whose alt text is Label.
	ImageLink bool
	// Override is true when no page of the site links the column: an
	// evaluator finds it only through the units file, which gives its URL
	// under columns: (variant discover-override). It is not missing.
	Override bool
	// Dir is the column's directory name in its site's URL scheme.
	Dir string
	// Path is the path of the column's first page ("" when missing).
	Path string
	// PagePaths are the route keys of the column's list pages, first page first.
	PagePaths []string
	// PerPage is the number of items per list page.
	PerPage int
	// Num is a numeric column id some styles put in URLs.
	Num int

	fields []rules.Field // documents: the metadata fields the ruleset requires
}

// Gone reports whether the column has no findable content: missing, empty
// or explained.
func (c *Column) Gone() bool { return c.State != ColumnPresent }

// IsList reports whether the column is a list.
func (c *Column) IsList() bool { return c.Spec.Shape == rules.ShapeList }

// Item is one entry of a list column: an article, a document, an
// interpretation, an annual report or a gazette issue.
type Item struct {
	// Title is the full title.
	Title string
	// Date is the date shown beside the item in the list (for documents also
	// its 发布日期).
	Date evidence.Date
	// Path is the path of the item's page.
	Path string
	// Body holds the paragraphs of the item's page.
	Body []string
	// Source is the organ named as the source of the page.
	Source string
	// Attachments are files linked from the item's page; some may be planted broken.
	Attachments []*Link
	// Doc is a document's metadata (documents column).
	Doc *Document
	// Interprets is the document an interpretation explains (interpretations
	// column); nil for an interpretation of nothing listed.
	Interprets *Item
	// Tie says how an interpretation names its document: TieLink (its page
	// links to the document) or TieQuote (its title quotes the document's title).
	Tie string
	// AnnualReport is an annual report's content (annual-report column).
	AnnualReport *AnnualReport
	// Persons is a list of persons the page publishes (a document's), or nil.
	Persons *Disclosure
	// Names are the sentences of Body that name outdated organs.
	Names []*NameLine
	// Num is a per-unit serial used in URLs.
	Num int
}

// How an interpretation names its document.
const (
	TieLink  = "link"
	TieQuote = "quote"
)

// Document is a government document's metadata block.
type Document struct {
	// Index is the 索引号.
	Index string
	// Issuer is the 发文机关.
	Issuer string
	// Number is the 发文字号.
	Number string
	// Written is the 成文日期.
	Written evidence.Date
	// Topic is the 主题分类.
	Topic string
	// Openness is the 公开方式.
	Openness string
	// Quoted is the title quoted in 《》 inside the document's title, or "".
	Quoted string
	// Labels maps each metadata field's canonical name to the label the page
	// shows; a field mapped to "" is left off the page.
	Labels map[string]string
	// Interpretation is the interpretation item that ties to the document,
	// if any (the document page links to it as 相关解读).
	Interpretation *Item

	topic string
}

// Signature returns the closing lines of a document's text: the issuer and
// the 成文日期 in Chinese.
func (d *Document) Signature() []string { return []string{d.Issuer, cnDate(d.Written)} }

// Missing returns the canonical names of the metadata fields left off the
// page, in the order given.
func (d *Document) Missing(fields []rules.Field) []string {
	var out []string
	for _, f := range fields {
		if d.Labels[f.Name] == "" {
			out = append(out, f.Name)
		}
	}
	return out
}

// StatusClose is the Link.Status of a link whose target closes the
// connection without answering.
const StatusClose = -1

// Link is a link a page carries to something on the unit's own site.
type Link struct {
	// Text is the link text.
	Text string
	// Path is the target path on the unit's host.
	Path string
	// Status is what the sim answers for Path: 200, or for planted broken
	// links 404, 500 or StatusClose.
	Status int
	// Image is the path of an image shown inside the link, or "".
	Image string
	// File is the list of persons an attachment holds, or nil (the file
	// is then a placeholder of its type).
	File *Disclosure

	slug string // a page link's name, from which the style makes its path
	ext  string // an attachment's extension (".pdf")
}

// Broken reports whether the link was planted broken.
func (l *Link) Broken() bool { return l.Status != 200 }

// DefectKind names a kind of planted defect.
type DefectKind string

// The defect kinds. Each is planted only where the ruleset applies the check
// that finds it to the unit's type.
const (
	DefectUnreachable    DefectKind = "unreachable"
	DefectMissingColumn  DefectKind = "missing-column"
	DefectEmptyColumn    DefectKind = "empty-column"
	DefectExplainedEmpty DefectKind = "explained-empty"
	DefectStale          DefectKind = "stale"
	DefectExpiring       DefectKind = "expiring"
	DefectGap            DefectKind = "gap"
	DefectMissingField   DefectKind = "missing-field"
	DefectDocMetadata    DefectKind = "document-metadata"
	DefectLateDocument   DefectKind = "late-document"
	DefectUninterpreted  DefectKind = "uninterpreted-document"
	DefectBrokenPortal   DefectKind = "broken-link-portal"
	DefectBrokenPage     DefectKind = "broken-link-page"
	DefectBrokenAttach   DefectKind = "broken-link-attachment"
	// The annual report due as of the district's date: not published,
	// published late, lacking a section, table, row or cell, or with
	// figures that break an identity (the note says what was planted).
	DefectReportMissing      DefectKind = "report-missing"
	DefectReportLate         DefectKind = "report-late"
	DefectReportIncomplete   DefectKind = "report-incomplete"
	DefectReportInconsistent DefectKind = "report-inconsistent"
)

// Finding returns the finding kind (docs/spec.md#finding-kinds) a defect of kind k must produce.
func (k DefectKind) Finding() rules.FindingKind {
	switch k {
	case DefectUnreachable:
		return rules.FindingSiteUnreachable
	case DefectMissingColumn:
		return rules.FindingColumnMissing
	case DefectEmptyColumn, DefectExplainedEmpty:
		return rules.FindingColumnEmpty
	case DefectStale:
		return rules.FindingColumnStale
	case DefectExpiring:
		return rules.FindingColumnExpiring
	case DefectGap:
		return rules.FindingColumnGap
	case DefectMissingField:
		return rules.FindingFieldMissing
	case DefectDocMetadata:
		return rules.FindingDocumentMetadata
	case DefectLateDocument:
		return rules.FindingDocumentLate
	case DefectUninterpreted:
		return rules.FindingDocumentUninterpreted
	case DefectBrokenPortal, DefectBrokenPage, DefectBrokenAttach:
		return rules.FindingLinkBroken
	case DefectReportMissing:
		return rules.FindingReportMissing
	case DefectReportLate:
		return rules.FindingReportLate
	case DefectReportIncomplete:
		return rules.FindingReportIncomplete
	case DefectReportInconsistent:
		return rules.FindingReportInconsistent
	case DefectPrivacy:
		return rules.FindingContentPrivacy
	case DefectOutdatedName:
		return rules.FindingContentOutdatedName
	}
	return ""
}

// Defect is one planted defect.
type Defect struct {
	// Kind is what was planted.
	Kind DefectKind
	// Column is the column the finding belongs to ("" for the portal and
	// for unreachable units).
	Column string
	// Subject is what the finding's subject must be: a period, a field
	// name, a report's year, or the path of a document or link on the
	// unit's host ("" when the column says all).
	Subject string
	// Note says in words what was done.
	Note string
}
