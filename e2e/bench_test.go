package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"gongkai/audit"
	"gongkai/crawler"
	"gongkai/evidence"
	"gongkai/rules"
	"gongkai/scoring"
	"gongkai/sim"
)

// crawlDistrict crawls the simulated district once and returns its evidence.
func crawlDistrict(b *testing.B) []*evidence.UnitEvidence {
	b.Helper()
	rs := rules.MustDefault()
	asOf := evidence.MustParseDate(sim.DefaultAsOf)
	d, err := sim.Generate(sim.Config{Seed: 1, AsOf: asOf, Rules: rs})
	if err != nil {
		b.Fatal(err)
	}
	fleet, err := d.Start()
	if err != nil {
		b.Fatal(err)
	}
	defer fleet.Close()
	uf := fleet.UnitsFile()
	co, _ := audit.CrawlOptions(crawler.Options{Settings: crawler.Settings{ReachAttempts: 1, ReachSpacing: time.Millisecond}}, uf)
	var targets []crawler.Target
	for i := range uf.Units {
		u := &uf.Units[i]
		targets = append(targets, audit.TargetFor(u, audit.PlanFor(rs, asOf, u.Type)))
	}
	var out []*evidence.UnitEvidence
	c := crawler.New(co)
	defer c.Close()
	c.CrawlAll(context.Background(), targets, func(ue *evidence.UnitEvidence) {
		ue.Bodies = nil
		out = append(out, ue)
	})
	return out
}

// BenchmarkScore1000Units judges 1,000 units' evidence (the simulated
// district's crawled evidence, repeated under new unit ids) with the default
// ruleset: findings, caps, vetoes, grades and ranking. Run with -cpu 1 for
// the one-core figure.
func BenchmarkScore1000Units(b *testing.B) {
	district := crawlDistrict(b)
	units := make([]*evidence.UnitEvidence, 0, 1000)
	for i := 0; len(units) < 1000; i++ {
		ue := *district[i%len(district)]
		ue.Unit.ID = fmt.Sprintf("%s-%d", ue.Unit.ID, i)
		units = append(units, &ue)
	}
	rs := rules.MustDefault()
	asOf := evidence.MustParseDate(sim.DefaultAsOf)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		res := scoring.Score(rs, asOf, units)
		if len(res.Units) != 1000 {
			b.Fatal(len(res.Units))
		}
	}
}
