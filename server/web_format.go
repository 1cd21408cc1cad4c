package server

import (
	"math"
	"net/url"
	"slices"
	"strconv"

	"gongkai/rules"
	"gongkai/store"
)

// Display helpers the pages share: names from the ruleset, grade
// colours, numbers, links, trends and labels.

// ruleset returns the ruleset the service last loaded, for display names
// and grade colours.
func (s *Service) ruleset() *rules.Ruleset {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rules
}

// names resolves ids to display names with the service's ruleset; an id
// the ruleset does not know is shown as it is.
type names struct{ rs *rules.Ruleset }

func (n names) unitType(id string) string {
	if t := n.rs.UnitType(id); t != nil && t.Name != "" {
		return t.Name
	}
	return id
}

func (n names) column(id string) string {
	if c := n.rs.Column(id); c != nil && c.Name != "" {
		return c.Name
	}
	return id
}

func (n names) dimension(id string) string {
	if d := n.rs.Dimension(id); d != nil && d.Name != "" {
		return d.Name
	}
	return id
}

func (n names) indicator(id string) string {
	if i := n.rs.Indicator(id); i != nil && i.Name != "" {
		return i.Name
	}
	return id
}

// gradeClass colours a grade from green (the best band, g0) to red (the
// worst, g3); gx is a grade the ruleset does not know.
func (n names) gradeClass(grade string) string {
	i := slices.IndexFunc(n.rs.Grades, func(g rules.Grade) bool { return g.Name == grade })
	k := len(n.rs.Grades)
	switch {
	case i < 0:
		return "gx"
	case k > 1 && i == k-1:
		return "g3"
	case i > 2:
		return "g2"
	}
	return "g" + strconv.Itoa(i)
}

// fmtNum prints a score or points without trailing zeros, to two decimals.
func fmtNum(x float64) string {
	x = math.Round(x*100) / 100
	if x == 0 {
		x = 0 // no "-0"
	}
	return strconv.FormatFloat(x, 'f', -1, 64)
}

// safeURL returns s when it is an absolute http or https URL, else "":
// crawled and configured URLs become links only then.
func safeURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return s
}

// trend is a change since the previous audit as the pages show it: an
// arrow, a class colouring it (up, down, flat, none) and the figure.
type trend struct {
	Class, Arrow, Text, Title string
}

// scoreTrend renders a score change; hadPrev says whether there is a
// previous audit at all (a unit not in it is then new).
func scoreTrend(p *float64, hadPrev bool) trend {
	switch {
	case p == nil && hadPrev:
		return trend{Class: "none", Text: "新", Title: "上次审计中没有该单位 (not in the previous audit)"}
	case p == nil:
		return trend{Class: "none", Text: "—", Title: "没有上次审计 (no previous audit)"}
	}
	v := math.Round(*p*100) / 100
	switch {
	case v > 0:
		return trend{Class: "up", Arrow: "▲", Text: "+" + fmtNum(v), Title: "比上次审计高 " + fmtNum(v) + " 分"}
	case v < 0:
		return trend{Class: "down", Arrow: "▼", Text: fmtNum(v), Title: "比上次审计低 " + fmtNum(-v) + " 分"}
	}
	return trend{Class: "flat", Arrow: "–", Title: "与上次审计持平"}
}

// rankTrend renders a rank change (positive: the unit moved up).
func rankTrend(p *int, hadPrev bool) trend {
	switch {
	case p == nil && hadPrev:
		return trend{Class: "none", Text: "新", Title: "上次审计中没有该单位 (not in the previous audit)"}
	case p == nil:
		return trend{Class: "none", Text: "—", Title: "没有上次审计 (no previous audit)"}
	case *p > 0:
		return trend{Class: "up", Arrow: "▲", Text: strconv.Itoa(*p), Title: "上升 " + strconv.Itoa(*p) + " 名"}
	case *p < 0:
		return trend{Class: "down", Arrow: "▼", Text: strconv.Itoa(-*p), Title: "下降 " + strconv.Itoa(-*p) + " 名"}
	}
	return trend{Class: "flat", Arrow: "–", Title: "名次不变"}
}

var (
	severityLabels = map[string]string{"veto": "否决", "deduction": "扣分", "notice": "提示"}
	statusLabels   = map[string]string{store.FindingNew: "新发现", store.FindingPersisting: "未整改", store.FindingResolved: "已整改"}
	auditLabels    = map[string]string{store.AuditComplete: "已完成", store.AuditIncomplete: "未完成", store.AuditRunning: "进行中"}
	resultLabels   = map[string]string{resultComplete: "已完成", resultIncomplete: "未完成", resultFailed: "失败"}
	decisionLabels = map[string]string{store.DecisionConfirmed: "维持", store.DecisionDismissed: "撤销"}
)

// label is k's display name in m, or k itself.
func label(m map[string]string, k string) string {
	if v, ok := m[k]; ok {
		return v
	}
	return k
}

// auditQuery is the query naming audit id on links; "" for the latest.
func auditQuery(id int64) string {
	if id == 0 {
		return ""
	}
	return "?audit=" + strconv.FormatInt(id, 10)
}
