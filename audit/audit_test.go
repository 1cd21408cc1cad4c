package audit

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gongkai/crawler"
	"gongkai/evidence"
	"gongkai/rules"
	"gongkai/store"
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
	if reads["documents"] != crawler.ReadDocument || reads["interpretations"] != crawler.ReadLinks || reads["annual-report"] != crawler.ReadAnnualReport {
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
	// The content checks: the privacy check's words, its attachments, and
	// every listed name with its other forms.
	c := p.Content
	if c == nil || c.Personal == nil || !c.Attachments || len(c.Names) != len(rs.ListedNames()) || c.Names[1] != "国家工商总局" ||
		!slices.Contains(c.Personal.ContactWords, "联系电话") || !slices.Contains(c.Personal.PersonHeaders, "姓名") {
		t.Errorf("content plan %+v", c)
	}
}

func TestCrawlOptions(t *testing.T) {
	uf, err := units.Parse("u.yaml", []byte("crawl: {delay: 0s, per_host: 4, concurrency: 64, contact: \"mailto:x@y\"}\nunits: [{id: a, name: 甲局, type: bureau, url: \"http://127.0.0.1:1/\"}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	o, err := CrawlOptions(crawler.Options{Settings: crawler.Settings{Delay: time.Second}}, uf)
	if err != nil || !o.NoDelay || o.PerHost != 4 || o.Concurrency != 64 || o.Contact != "mailto:x@y" {
		t.Errorf("options %+v, err %v", o, err)
	}
	// A delay given turns delays back on over a base without them.
	f := &units.File{Source: "u.yaml", Crawl: &units.Crawl{Settings: crawler.Settings{Delay: 2 * time.Second}}}
	if o, err := CrawlOptions(crawler.Options{Settings: crawler.Settings{NoDelay: true}}, f); err != nil || o.NoDelay || o.Delay != 2*time.Second {
		t.Errorf("delay over no delay: %+v, err %v", o.Settings, err)
	}
	if _, err := units.Parse("u.yaml", []byte("crawl: {delay: soon}\nunits: [{id: a, name: 甲局, type: bureau, url: \"http://127.0.0.1:1/\"}]\n")); err == nil {
		t.Errorf("bad delay accepted")
	}
	f.Crawl.PerHost = -1
	if _, err := CrawlOptions(crawler.Options{}, f); err == nil {
		t.Errorf("negative per_host accepted")
	}
}

// TestRun_ResumeRefusesAnotherAudit: --resume finishes the audit it
// interrupted, not another: a changed roster, date or ruleset is refused
// before any request, and a complete audit does not reopen.
func TestRun_ResumeRefusesAnotherAudit(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rs := rules.MustDefault()
	asOf := evidence.MustParseDate("2026-03-01")
	uf, err := units.Parse("u.yaml", []byte("units:\n  - {id: a, name: 甲局, type: bureau, url: \"http://127.0.0.1:1/\"}\n  - {id: b, name: 乙局, type: bureau, url: \"http://127.0.0.1:2/\"}\n"))
	if err != nil {
		t.Fatal(err)
	}
	roster := []evidence.Unit{UnitOf(&uf.Units[0]), UnitOf(&uf.Units[1])}
	id, err := db.BeginAudit(ctx, store.AuditMeta{StartedAt: time.Now(), AsOf: asOf, RulesetName: rs.Name, RulesetVersion: rs.Version, RulesetHash: rs.Hash}, roster)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.FinishAudit(ctx, id, store.AuditIncomplete, time.Now()); err != nil {
		t.Fatal(err)
	}
	edited := *rs // a ruleset edited since: another hash
	edited.Hash = strings.Repeat("e", 64)
	other, _ := units.Parse("v.yaml", []byte("units:\n  - {id: a, name: 甲局, type: bureau, url: \"http://127.0.0.1:1/\"}\n  - {id: c, name: 丙局, type: bureau, url: \"http://127.0.0.1:3/\"}\n"))
	tests := []struct {
		name  string
		units *units.File
		rules *rules.Ruleset
		asOf  evidence.Date
		want  string
	}{
		{"units changed", other, rs, asOf, "the units file changed"},
		{"another date", uf, rs, evidence.MustParseDate("2026-03-08"), "as of 2026-03-01, not 2026-03-08"},
		{"another ruleset", uf, &edited, asOf, "resume it with the same rules"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Run(ctx, Options{Units: tc.units, Rules: tc.rules, AsOf: tc.asOf, DB: db, Resume: id})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Run = %v, want an error saying %q", err, tc.want)
			}
		})
	}
	if a, _ := db.Audit(ctx, id); a.Status != store.AuditIncomplete {
		t.Errorf("a refused resume left the audit %s", a.Status)
	}
	if err := db.FinishAudit(ctx, id, store.AuditComplete, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(ctx, Options{Units: uf, Rules: rs, AsOf: asOf, DB: db, Resume: id}); !errors.Is(err, store.ErrNotResumable) {
		t.Errorf("resume of a complete audit: %v", err)
	}
}
