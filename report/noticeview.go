package report

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"strconv"
	"strings"
)

// noticeDoc is the view the notice templates execute against: every string
// resolved in the notice's language, numbers and dates formatted. The
// templates only lay it out (and escape it).
type noticeDoc struct {
	// Lang is the html lang attribute; Title the document's title.
	Lang  string
	Title string
	// Notices are the notices, one page (or more) each.
	Notices []noticePage
}

type noticePage struct {
	Issuer, Heading, Number, Addressee string
	// Intro is the opening paragraph.
	Intro string
	// Facts are the key figures, as label and value; Sep goes between them
	// in Markdown.
	Facts []noticeFact
	Sep   string

	Head            noticeHead
	ProblemsHeading string
	Problems        []noticeRow
	NoProblems      string // said instead of an empty table
	TotalLabel      string
	Total           string
	ListedNote      string // when the listed points differ from the deduction

	VetoHeading string
	VetoIntro   string
	VetoReasons []string
	Vetoes      []noticeRow

	InfoHeading string
	InfoIntro   string
	Infos       []noticeRow

	RectifyHeading string
	Rectify        string
	Contact        string
	Date           string
}

type noticeFact struct{ Label, Value string }

// noticeHead are the column headings of the problem tables.
type noticeHead struct{ Seq, Kind, Column, Detail, Evidence, Points, Basis string }

// noticeRow is one finding in a table, every cell a string.
type noticeRow struct {
	Seq, Kind, Column, Detail string
	// Subject is "对象：…" when the subject adds something to the detail.
	Subject string
	// URL is the evidence page; Fetched when it was fetched (2026-03-02
	// 10:15 CST), empty when unknown, and FetchedLabel says so (抓取时间).
	URL, Fetched, FetchedLabel string
	// Points is the deduction and PointsNote says when a cap reduced it.
	Points, PointsNote string
	Basis              string
	// Repeated is "重复问题，自…起" for a persisting problem, else empty.
	Repeated string
	// Thumb is the evidence page's picture as a data: URL, and ThumbAlt
	// its text; empty when the item has none.
	Thumb    template.URL
	ThumbAlt string
}

func noticesView(ns []Notice) noticeDoc {
	doc := noticeDoc{Lang: "zh-CN"}
	l := zh
	if len(ns) > 0 {
		l = parseLang(ns[0].Lang)
	}
	if l == en {
		doc.Lang = "en"
	}
	switch len(ns) {
	case 0:
		doc.Title = l.pick("扣分通知书", "Deduction notices")
	case 1:
		doc.Title = ns[0].Number + " " + ns[0].UnitName + l.pick(" 扣分通知书", " deduction notice")
	default:
		doc.Title = ns[0].District + l.pick(
			fmt.Sprintf("政府信息公开评估扣分通知书（共%d份）", len(ns)),
			fmt.Sprintf(": %d deduction notices", len(ns)))
	}
	for _, n := range ns {
		doc.Notices = append(doc.Notices, noticePageOf(n))
	}
	return doc
}

// noticePageOf is the view of one notice: the HTML template lays out one
// per page, the Markdown template takes it alone.
func noticePageOf(n Notice) noticePage {
	l := parseLang(n.Lang)
	p := noticePage{
		Issuer:  n.Issuer,
		Heading: l.pick("政府信息公开评估扣分通知书", "Notice of Points Deducted in the Government Information Disclosure Evaluation"),
		Number:  n.Number,
		Date:    l.longDate(n.AuditDate),
		Sep:     l.pick("：", ": "),
		Head: noticeHead{
			Seq: l.pick("序号", "No."), Kind: l.pick("问题类型", "Problem"), Column: l.pick("栏目", "Column"),
			Detail: l.pick("问题描述", "Detail"), Evidence: l.pick("证据", "Evidence"),
			Points: l.pick("扣分", "Points"), Basis: l.pick("依据", "Basis"),
		},
	}
	name := n.UnitName
	if l == en && n.UnitNameEN != "" {
		name += " (" + n.UnitNameEN + ")"
	}
	p.Addressee = name + l.pick("：", ":")

	version := ""
	if n.RulesetVersion != "" {
		version = l.pick("（版本"+n.RulesetVersion+"）", " (version "+n.RulesetVersion+")")
	}
	ruleset, quoted := n.RulesetName+version, "“"+n.RulesetName+"”"+version
	var found string
	switch {
	case round2(n.Deducted) > 0 && n.Veto:
		found = l.pick(
			fmt.Sprintf("你单位存在下列问题，共扣%s分，得分%s分，并触发单项否决，等级为%s", num(n.Deducted), num(n.Score), n.Grade),
			fmt.Sprintf("The problems below cost your unit %s points and a veto: score %s, grade %s", num(n.Deducted), num(n.Score), n.Grade))
	case round2(n.Deducted) > 0:
		found = l.pick(
			fmt.Sprintf("你单位存在下列问题，共扣%s分，得分%s分，等级为%s", num(n.Deducted), num(n.Score), n.Grade),
			fmt.Sprintf("The problems below cost your unit %s points: score %s, grade %s", num(n.Deducted), num(n.Score), n.Grade))
	default:
		found = l.pick(
			fmt.Sprintf("你单位触发单项否决，得分%s分，等级为%s", num(n.Score), n.Grade),
			fmt.Sprintf("A veto failed your unit: score %s, grade %s", num(n.Score), n.Grade))
	}
	p.Intro = l.pick(
		fmt.Sprintf("根据评估规则%s，我办以%s为评估基准日，于%s对你单位政府信息公开情况进行了评估（评估编号%d）。经核查，%s，在全区%d个单位中排名第%d位。",
			quoted, zhDate(n.AsOf), zhDate(n.AuditDate), n.AuditID, found, n.Units, n.Rank),
		fmt.Sprintf("Under the ruleset %s, this office evaluated your unit's disclosure of government information on %s (audit %d, as of %s). %s, rank %d of %d units.",
			quoted, n.AuditDate, n.AuditID, n.AsOf, found, n.Rank, n.Units))
	if n.Repeated > 0 {
		p.Intro += l.pick(
			fmt.Sprintf("其中%d项问题在以前的评估中已经发现，至今未整改，已在表中标注为重复问题。", n.Repeated),
			repeatedEN(n.Repeated))
	}

	rank := l.pick(fmt.Sprintf("第%d名（共%d个单位）", n.Rank, n.Units), fmt.Sprintf("%d of %d", n.Rank, n.Units))
	grade := n.Grade
	if n.Veto {
		grade += l.pick("（单项否决）", " (veto)")
	}
	p.Facts = []noticeFact{
		{l.pick("评估编号", "Audit"), strconv.FormatInt(n.AuditID, 10)},
		{l.pick("评估日期", "Audit date"), n.AuditDate.String()},
		{l.pick("评估基准日", "As of"), n.AsOf.String()},
		{l.pick("评估规则", "Ruleset"), ruleset},
		{l.pick("扣分合计", "Points deducted"), num(n.Deducted)},
		{l.pick("得分", "Score"), num(n.Score)},
		{l.pick("等级", "Grade"), grade},
		{l.pick("排名", "Rank"), rank},
		{l.pick("整改期限", "Rectify by"), l.pick(
			fmt.Sprintf("%s（%d日内）", n.Deadline, n.DeadlineDays),
			fmt.Sprintf("%s (within %d days)", n.Deadline, n.DeadlineDays))},
	}

	p.ProblemsHeading = l.pick("一、扣分问题", "1. Problems with points deducted")
	for _, it := range n.Problems {
		p.Problems = append(p.Problems, noticeRowOf(l, it))
	}
	if len(n.Problems) == 0 {
		p.NoProblems = l.pick("无扣分问题。", "No problem deducted points.")
	}
	p.TotalLabel = l.pick("合计", "Total")
	p.Total = num(n.Listed)
	if round2(n.Listed-n.Deducted) != 0 {
		p.ListedNote = l.pick(
			fmt.Sprintf("注：本表所列扣分合计%s分；得分按计分结果扣除%s分计算。", num(n.Listed), num(n.Deducted)),
			fmt.Sprintf("Note: the points listed add up to %s; the score was computed with %s deducted.", num(n.Listed), num(n.Deducted)))
	}

	section := 2
	if n.Veto || len(n.Vetoes) > 0 {
		p.VetoHeading = l.pick(cnNumeral(section)+"、单项否决", strconv.Itoa(section)+". Veto")
		section++
		p.VetoIntro = l.pick(
			fmt.Sprintf("你单位触发单项否决，无论得分多少，评估等级均为%s。否决原因：", n.Grade),
			fmt.Sprintf("A veto fails your unit whatever its points (grade %s). Reasons:", n.Grade))
		p.VetoReasons = n.VetoReasons
		for _, it := range n.Vetoes {
			p.Vetoes = append(p.Vetoes, noticeRowOf(l, it))
		}
	}
	if len(n.Infos) > 0 {
		p.InfoHeading = l.pick(cnNumeral(section)+"、提示事项（不扣分，供参考）", strconv.Itoa(section)+". For information (no points deducted)")
		section++
		p.InfoIntro = l.pick("以下事项本次不扣分，请及时关注，避免在下次评估中扣分。",
			"These deducted no points this time; attend to them before the next audit.")
		for _, it := range n.Infos {
			p.Infos = append(p.Infos, noticeRowOf(l, it))
		}
	}
	p.RectifyHeading = l.pick(cnNumeral(section)+"、整改要求", strconv.Itoa(section)+". Rectification")
	p.Rectify = l.pick(
		fmt.Sprintf("请你单位对照上述问题逐项整改，于%s前完成整改，并将整改情况书面报送%s。", zhDate(n.Deadline), n.Issuer),
		fmt.Sprintf("Please rectify each problem above by %s and report the rectification in writing to the %s.", n.Deadline, n.Issuer))
	if n.Contact != "" {
		p.Contact = l.pick("你单位联系人：", "Contact at your unit: ") + n.Contact
	}
	return p
}

func noticeRowOf(l lang, it NoticeItem) noticeRow {
	r := noticeRow{
		Seq: strconv.Itoa(it.Seq), Kind: it.KindName, Column: it.ColumnName, Detail: it.Detail,
		URL: it.URL, Points: num(it.Points), Basis: it.Basis,
	}
	if r.Column == "" {
		r.Column = "—" // the whole site, or its portal page
	}
	if it.Subject != "" && !strings.Contains(it.Detail, it.Subject) && it.Subject != it.URL {
		r.Subject = l.pick("对象：", "Subject: ") + it.Subject
	}
	if !it.FetchedAt.IsZero() {
		r.Fetched, r.FetchedLabel = cstTime(it.FetchedAt), l.pick("抓取时间", "fetched")
	}
	if round2(it.Nominal-it.Points) > 0 {
		r.PointsNote = l.pick("应扣"+num(it.Nominal)+"（封顶）", "capped from "+num(it.Nominal))
	}
	if u := imageDataURL(it.Thumbnail); u != "" {
		r.Thumb, r.ThumbAlt = u, l.pick("证据页面截图（存档副本）", "Evidence page as fetched")
	}
	if it.Persisting {
		switch {
		case it.FirstSeen.IsZero():
			r.Repeated = l.pick("重复问题", "Repeated")
		default:
			r.Repeated = l.pick("重复问题，自"+it.FirstSeen.String()+"起", "Repeated since "+it.FirstSeen.String())
		}
	}
	return r
}

func repeatedEN(n int) string {
	if n == 1 {
		return " Of these, 1 was already found by an earlier audit and has not been rectified; it is marked as repeated."
	}
	return fmt.Sprintf(" Of these, %d were already found by an earlier audit and have not been rectified; they are marked as repeated.", n)
}

// cnNumeral writes 1..10 as Chinese numerals for section headings.
func cnNumeral(n int) string {
	digits := []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"}
	if n >= 0 && n <= 10 {
		return digits[n]
	}
	return strconv.Itoa(n)
}

// imageDataURL makes a data: URL of a JPEG or PNG picture the caller
// rendered; anything else (or nothing) gives "". The bytes are ours, not
// crawled text, so the URL is safe to put in a src attribute.
func imageDataURL(b []byte) template.URL {
	var mt string
	switch {
	case bytes.HasPrefix(b, []byte("\xff\xd8\xff")):
		mt = "image/jpeg"
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		mt = "image/png"
	default:
		return ""
	}
	return template.URL("data:" + mt + ";base64," + base64.StdEncoding.EncodeToString(b))
}
