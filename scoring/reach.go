package scoring

// The site's reachability (site.unreachable): whether the site could be
// seen at all, and whether the rules hold a failure against the unit.

import (
	"fmt"
	"unicode/utf8"

	"gongkai/evidence"
	"gongkai/rules"
)

func (j *judge) reachability(c *rules.Check) {
	var refs []Ref
	last := evidence.Fetch{}
	for _, a := range j.ue.Reach.Attempts {
		refs = append(refs, Ref{URL: a.URL, FetchedAt: a.FetchedAt, Status: a.Status, Class: a.Class, SHA256: a.SHA256, Note: a.Error})
		last = a
	}
	switch last.Class {
	case evidence.ClassBlocked:
		j.add(c, draft{kind: rules.FindingSiteUnreachable, url: j.ue.Unit.URL,
			detail:   fmt.Sprintf("网站防护拦截了评估访问（HTTP %d 挑战页），共尝试%d次；按规则不视为无法访问、不扣分，请单位配合放行后复评", last.Status, len(refs)),
			severity: rules.SeverityNotice, refs: refs})
		return
	case evidence.ClassRobots:
		j.add(c, draft{kind: rules.FindingSiteUnreachable, url: j.ue.Unit.URL,
			detail:   "网站 robots.txt 禁止评估程序访问；按规则不视为无法访问、不扣分，请单位放行评估程序（或在单位清单中注明 ignore_robots）后复评",
			severity: rules.SeverityNotice, refs: refs})
		return
	case evidence.ClassTooLarge, evidence.ClassUnreadable, evidence.ClassRefused, evidence.ClassCertificate:
		// The server answered, with nothing the crawler could use: not a
		// site that is down, and not a site that was seen.
		j.add(c, draft{kind: rules.FindingSiteUnreachable, url: j.ue.Unit.URL,
			detail:   fmt.Sprintf("评估程序未能读取网站首页 %s：%s；网站有响应，不视为无法访问、不扣分，本次不评估，请单位核查后复评", last.URL, unusable(last)),
			severity: rules.SeverityNotice, refs: refs})
		return
	}
	failed := j.ue.Reach.Failures()
	if failed == 0 {
		// No attempt was made (or none failed): nothing to hold against
		// the unit.
		why := "未发出请求"
		if len(j.ue.Notes) > 0 {
			why = shorten(j.ue.Notes[0], 120)
		}
		j.add(c, draft{kind: rules.FindingSiteUnreachable, url: j.ue.Unit.URL,
			detail:   fmt.Sprintf("评估程序未能访问网站（%s）；共尝试%d次，失败0次，不扣分，本次不评估", why, len(refs)),
			severity: rules.SeverityNotice, refs: refs})
		return
	}
	if j.ue.Reach.Required > 0 && failed < j.ue.Reach.Required {
		j.add(c, draft{kind: rules.FindingSiteUnreachable, url: j.ue.Unit.URL,
			detail: fmt.Sprintf("本次评估未能访问网站（最后一次：%s）；观察期内访问失败%d次（共%d次），未达认定无法访问所需的%d次，本次不扣分，待复评",
				describeFetch(last), failed, len(refs), j.ue.Reach.Required),
			severity: rules.SeverityNotice, refs: refs})
		return
	}
	j.add(c, draft{kind: rules.FindingSiteUnreachable, url: j.ue.Unit.URL,
		detail: fmt.Sprintf("网站无法访问：观察期内共尝试%d次，失败%d次（最后一次：%s）", len(refs), failed, describeFetch(last)),
		refs:   refs})
}

func describeFetch(f evidence.Fetch) string {
	switch f.Class {
	case evidence.ClassDown:
		if f.Error != "" {
			return "无响应，" + shorten(f.Error, 80)
		}
		return "无响应"
	case evidence.ClassMaintenance:
		return fmt.Sprintf("HTTP %d，网站维护页", f.Status)
	case evidence.ClassSoft404:
		return fmt.Sprintf("HTTP %d，错误页面", f.Status)
	case evidence.ClassRobots:
		return "robots.txt 禁止访问"
	case evidence.ClassRefused:
		return "评估程序拒绝访问：" + shorten(f.Error, 80)
	case evidence.ClassTooLarge, evidence.ClassUnreadable, evidence.ClassBlocked, evidence.ClassCertificate:
		return unusable(f)
	}
	if f.Status != 0 {
		return fmt.Sprintf("HTTP %d", f.Status)
	}
	return string(f.Class)
}

func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
