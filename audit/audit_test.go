package audit

import (
	"testing"
	"time"

	"gongkai/crawler"
	"gongkai/evidence"
	"gongkai/rules"
	"gongkai/units"
)

func TestPlanFor(t *testing.T) {
	rs := rules.MustDefault()
	asOf := evidence.MustParseDate("2020-03-01")
	p := PlanFor(rs, asOf, "bureau")
	reads := map[string]crawler.ItemRead{}
	for _, c := range p.Columns {
		reads[c.ID] = c.Read
	}
	if len(p.Columns) != 14 || reads["gazette"] != "" {
		t.Errorf("bureau plan has %d columns (gazette read %q)", len(p.Columns), reads["gazette"])
	}
	if reads["documents"] != crawler.ReadDocument || reads["interpretations"] != crawler.ReadLinks || reads["annual-report"] != crawler.ReadReport {
		t.Errorf("item reads = %v", reads)
	}
	if p.Since != evidence.MustParseDate("2019-03-01") || p.Ref != asOf {
		t.Errorf("since %s ref %s", p.Since, p.Ref)
	}
	if len(p.MetaFields) < 5 || p.MetaFields[0].Name != "索引号" {
		t.Errorf("meta fields = %+v", p.MetaFields)
	}
	if tp := PlanFor(rs, asOf, "township"); len(tp.Columns) != 9 {
		t.Errorf("township plan has %d columns", len(tp.Columns))
	}
}

func TestCrawlOptions(t *testing.T) {
	f := &units.File{Source: "u.yaml", Crawl: &units.Crawl{Delay: "0s", Parallelism: 4, Concurrency: 64, Contact: "mailto:x@y"}}
	o, err := CrawlOptions(crawler.Options{Delay: time.Second}, f)
	if err != nil || !o.NoDelay || o.PerHost != 4 || o.Concurrency != 64 || o.Contact != "mailto:x@y" {
		t.Errorf("options %+v, err %v", o, err)
	}
	f.Crawl.Delay = "soon"
	if _, err := CrawlOptions(crawler.Options{}, f); err == nil {
		t.Errorf("bad delay accepted")
	}
}
