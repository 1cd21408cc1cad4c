package scoring

import (
	"fmt"
	"net/url"
	"strings"

	"gongkai/evidence"
	"gongkai/rules"
)

// Pages the crawler could not use. A page cut at the size cap, refused by
// the crawler (a budget spent, a host out of scope), forbidden by
// robots.txt, stopped by an anti-bot challenge, unreadable even after
// repair, or behind a TLS handshake that failed even without verification
// says nothing of what the page holds. Judging the column on it would
// turn what was not seen into an absence, so such a page yields a notice
// naming it and the reason, and the column it belongs to is not judged.
// (A page that is down or answers an error status is the site's fault and
// is judged as such.)

// unusable says why a fetch of a page the crawler could not use failed,
// in words for a detail; "" when the page was seen, or failed by the
// site's own fault.
func unusable(f evidence.Fetch) string {
	switch f.Class {
	case evidence.ClassTooLarge:
		if f.Truncated {
			return fmt.Sprintf("页面超过大小上限，读取%d字节后截断", f.Size)
		}
		return "页面声明的长度超过大小上限，未读取"
	case evidence.ClassUnreadable:
		return "页面无法解析为网页（已尝试修复）"
	case evidence.ClassRefused:
		switch {
		case strings.Contains(f.Error, "budget"):
			return "单位的页面预算已用完，评估程序未请求该页面"
		case strings.Contains(f.Error, "outside the unit's hosts"):
			return "页面不在单位的网站范围内，评估程序未请求"
		case strings.Contains(f.Error, "redirect to"):
			return "页面重定向到非 http(s) 地址，评估程序未跟随"
		}
		return "评估程序未请求该页面（" + shorten(f.Error, 80) + "）"
	case evidence.ClassRobots:
		return "robots.txt 禁止访问"
	case evidence.ClassBlocked:
		return fmt.Sprintf("网站防护拦截（HTTP %d 挑战页）", f.Status)
	case evidence.ClassCertificate:
		return "无法建立加密连接（" + certName(f.Cert) + "）"
	}
	return ""
}

// certNames names the certificate problems in details.
var certNames = map[evidence.CertProblem]string{
	evidence.CertExpired:          "证书已过期或尚未生效",
	evidence.CertUnknownAuthority: "证书由不受信任的机构签发（自签名或证书链不全）",
	evidence.CertWrongHost:        "证书与网站域名不符",
	evidence.CertInvalid:          "证书无效",
	evidence.CertHandshake:        "加密握手失败（如仅支持国密算法或未启用 HTTPS）",
}

func certName(p evidence.CertProblem) string {
	if n, ok := certNames[p]; ok {
		return n
	}
	return "证书未通过验证"
}

// unreadColumns finds the columns a page of which the crawler could not
// use (the column's own page, or a further list page, or an article read
// for its fields): each gets one column.unread notice naming the page and
// the reason, under the column's presence check (or its first check), and
// none of its checks is run.
func (j *judge) unreadColumns(checks []*rules.Check) {
	done := map[string]bool{}
	for _, c := range checks {
		if c.Column == "" || done[c.Column] {
			continue
		}
		done[c.Column] = true
		col := j.ue.Column(c.Column)
		if col == nil {
			continue
		}
		pages := j.unusablePages(col)
		if len(pages) == 0 {
			continue
		}
		j.skip[c.Column] = true
		owner := j.rs.CheckFor(c.Column, rules.KindPresence, j.ue.Unit.Type)
		if owner == nil {
			owner = c
		}
		first := pages[0]
		which := "栏目页面"
		if col.Found {
			which = "栏目的后续页面"
		}
		detail := fmt.Sprintf("“%s”%s %s 未能读取：%s", j.columnName(c.Column), which, first.URL, unusable(first))
		if len(pages) > 1 {
			detail += fmt.Sprintf("（另有%d个页面未能读取）", len(pages)-1)
		}
		detail += "；该栏目本次不作判断，不扣分"
		var refs []Ref
		for _, p := range pages {
			refs = append(refs, Ref{URL: p.URL, FetchedAt: p.FetchedAt, Status: p.Status, Class: p.Class, SHA256: p.SHA256, Note: unusable(p)})
		}
		j.add(owner, draft{kind: rules.FindingColumnUnread, column: c.Column, url: first.URL,
			detail: detail, severity: rules.SeverityNotice, refs: refs})
	}
}

// unusablePages returns the fetches of col's pages that the crawler could
// not use, the column's own page first.
func (j *judge) unusablePages(col *evidence.Column) []evidence.Fetch {
	var out []evidence.Fetch
	if !col.Found && col.URL != "" {
		f := evidence.Fetch{URL: col.URL, Status: col.Status, Class: col.Class}
		if fe := j.ue.FetchOf(col.URL); fe != nil && fe.Class == col.Class {
			f = *fe
		}
		if unusable(f) != "" {
			out = append(out, f)
		}
	}
	for _, u := range col.Unread {
		if fe := j.ue.FetchOf(u); fe != nil && unusable(*fe) != "" {
			out = append(out, *fe)
		}
	}
	return out
}

// certificate reports a unit whose certificate failed verification. The
// unit's pages were read without verification, so the rest of its
// findings stand; the certificate is a finding of its own.
func (j *judge) certificate(c *rules.Check) {
	t := j.ue.TLS
	if t == nil {
		return
	}
	failed := evidence.Fetch{URL: t.URL, Class: evidence.ClassCertificate, Cert: t.Problem, Error: t.Error}
	for _, f := range j.ue.Fetches {
		if f.URL == t.URL && f.Class == evidence.ClassCertificate {
			failed = f
			break
		}
	}
	site := t.URL
	if u, err := url.Parse(t.URL); err == nil && u.Host != "" {
		site = u.Scheme + "://" + u.Host + "/"
	}
	read := "评估程序关闭证书验证后照常读取并评估了网站内容"
	if !t.Insecure {
		read = "评估程序未能关闭证书验证，网站内容未能读取"
	}
	j.add(c, draft{kind: rules.FindingSiteCertificate, url: site,
		detail: fmt.Sprintf("网站 %s 的安全证书未通过验证：%s；%s", site, certName(t.Problem), read),
		refs:   []Ref{{URL: failed.URL, FetchedAt: failed.FetchedAt, Class: failed.Class, Note: shorten(failed.Error, 120)}}})
}
