package crawler

import (
	"unicode/utf8"

	"gongkai/evidence"
	"gongkai/internal/textnorm"
)

// A document's publication date, as a reader finds it: the 发布日期 its
// metadata block prints (by the ruleset's names for it); else a date the
// page labels more loosely (日期, 时间, 发表时间); else the date on the
// info line under the title (来源：新华社 · 2023-12-01 14:43); and only
// when the page shows none, the PubDate meta, which several CMSs set to the
// time the page was last generated, later than the document's own date.

// looseDateLabels label a page's own date without being a metadata field.
var looseDateLabels = map[string]bool{"日期": true, "时间": true, "发表时间": true, "发表日期": true, "发布于": true, "公布时间": true, "公布日期": true, "上传时间": true}

// infoWords mark the info line under a title.
var infoWords = []string{"来源", "作者", "浏览", "点击", "阅读", "字号", "字体", "打印", "分享"}

// PublishedDate returns the page's publication date: meta["发布日期"] (the
// metadata block, read with the ruleset's aliases), else a loosely
// labelled date, else the date of the info line near the title, else the
// PubDate meta. The zero Date means the page shows none.
func (p *Page) PublishedDate(meta map[string]string, labels []evidence.Label) evidence.Date {
	if d := ParseDateValue(meta["发布日期"]); !d.IsZero() {
		return d
	}
	for _, l := range labels {
		if looseDateLabels[textnorm.Name(l.Label)] {
			if d := ParseDateValue(l.Value); !d.IsZero() {
				return d
			}
		}
	}
	if d := p.infoLineDate(); !d.IsZero() {
		return d
	}
	return ParseDateValue(p.Meta()["PubDate"])
}

// infoLineDate returns the date standing alone, or beside 来源/作者, in the
// lines just after the page's title (its h1, or the first segment that
// says its <title> or ArticleTitle).
func (p *Page) infoLineDate() evidence.Date {
	titles := p.titleNames(nil)
	segs := p.Segments()
	start := -1
	for i, s := range segs {
		if s.Chrome {
			continue
		}
		if n := textnorm.Name(s.Text); isH1(s) || utf8.RuneCountInString(n) >= 6 && titles[n] {
			start = i
			break
		}
	}
	if start < 0 {
		return evidence.Date{}
	}
	for i := start + 1; i < len(segs) && i <= start+8; i++ {
		t := segs[i].Text
		if utf8.RuneCountInString(t) > 80 {
			break // the body text has begun
		}
		if dm, ok := isStandaloneDate(t, 0, evidence.Date{}); ok {
			return dm.Date
		}
		if dm, ok := FindDate(t); ok && containsAny(t, infoWords) {
			return dm.Date
		}
	}
	return evidence.Date{}
}
