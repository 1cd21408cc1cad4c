package sim

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"time"

	"gongkai/evidence"
	"gongkai/rules"
)

// DefaultAsOf is the as-of date of the default simulation. Its window is the
// twelve complete months before March 2026: 2025-03-01 to 2026-02-28.
const DefaultAsOf = "2026-03-01"

// Config says which district to generate.
type Config struct {
	// Seed selects the district's content and defects; 0 means 1.
	Seed int64
	// AsOf is the evaluation date the truth is computed for; required.
	AsOf evidence.Date
	// Rules is the ruleset the truth follows; nil means rules.MustDefault().
	Rules *rules.Ruleset
	// Host is the address units listen on; "" means 127.0.0.1.
	Host string
	// BasePort makes unit i listen on BasePort+i; 0 lets the OS choose ports.
	BasePort int
	// Units is the number of units: 0 means the district's roster (47
	// units). A larger fleet, for benchmarks, adds the units of other
	// Beijing districts after the roster (each district's government,
	// bureaus, towns and street offices, in the roster's proportions), with
	// unique ids and names; a smaller one keeps the roster's first Units.
	// Roles, defects and variants are dealt over the whole fleet as over
	// the district, and the truth covers every unit.
	Units int
	// Scale multiplies the number of items of the list columns that grow
	// with time (news, notices, documents and their interpretations, key
	// areas, planning, personnel, statistics, budget, gazette): the extra
	// items are older, so each unit gets more list pages and item pages
	// while its freshness, and so its truth, keeps the same shape. 0 or 1
	// is the district's volume (the 47 units serve about 7,300 distinct
	// URLs); Units 200 with Scale 2 serve about 51,000 (see PageCount), the
	// benchmark fleet.
	Scale float64
	// Round is the audit round: 0 or 1 is the district as first audited;
	// 2, 3, … are the same district at later audits (see rounds.go): the
	// same units, sites, content and URLs, where about half of the
	// previous round's planted defects were fixed and about one unit in
	// ten gained a new one. Round k is meant to be audited 7·(k-1) days
	// after round 1, so its AsOf is usually FirstAsOf + 7·(k-1) days.
	Round int
	// FirstAsOf is the as-of date of round 1, whose content every later
	// round starts from; zero means AsOf − 7·(Round−1) days (the weekly
	// schedule). It may not be after AsOf.
	FirstAsOf evidence.Date
	// Rendered says the evaluator renders pages that build their lists by
	// script (crawler --render): their lists are then judged like any
	// other. Without it the truth expects such a list to be reported as
	// not read (a notice) and nothing else judged of it.
	Rendered bool
}

// maxScale bounds Config.Scale.
const maxScale = 50

// District is a generated simulated district: its units with their content
// and planted defects, and the ground truth. It is a pure model; Start
// serves it.
type District struct {
	// Name is the district's display name (怀柔区).
	Name string
	// Seed is the seed the district was generated from.
	Seed int64
	// AsOf is the evaluation date of the truth.
	AsOf evidence.Date
	// WindowFrom and WindowTo bound the evaluation window (both inclusive).
	WindowFrom, WindowTo evidence.Date
	// Rules is the ruleset the truth follows.
	Rules *rules.Ruleset
	// Units are the district's units in roster order.
	Units []*Unit
	// Host and BasePort are where Start listens (see Config).
	Host     string
	BasePort int
	// Scale is the item volume the district was generated at (see Config).
	Scale float64
	// Round is the audit round (1 for the district as first audited) and
	// FirstAsOf the as-of date of round 1 (AsOf itself in round 1).
	Round     int
	FirstAsOf evidence.Date
	// Rendered says the truth is that of an evaluator rendering pages (see
	// Config).
	Rendered bool

	truth  []truthFinding
	lapsed []UnitDefect // round j-1's defects the date ended in round j

	pageCountOnce sync.Once
	pageCount     int
}

// Unit returns the unit with id, or nil.
func (d *District) Unit(id string) *Unit {
	for _, u := range d.Units {
		if u.ID == id {
			return u
		}
	}
	return nil
}

// ErrNoAsOf is returned by Generate when Config.AsOf is not set.
var ErrNoAsOf = errors.New("sim: as-of date required")

// Generate builds the district for cfg: the units, their content and
// defects, the sites' page trees and the ground truth. It does no I/O and
// reads no clock: the same cfg always yields the same district.
func Generate(cfg Config) (*District, error) {
	if cfg.AsOf.IsZero() {
		return nil, ErrNoAsOf
	}
	if !cfg.AsOf.Valid() {
		return nil, fmt.Errorf("sim: bad as-of date %v", cfg.AsOf)
	}
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	if cfg.Rules == nil {
		rs, err := rules.Default()
		if err != nil {
			return nil, fmt.Errorf("sim: load default rules: %w", err)
		}
		cfg.Rules = rs
	}
	if cfg.Host == "" {
		cfg.Host = "127.0.0.1"
	}
	if cfg.BasePort < 0 || cfg.BasePort > 65535 {
		return nil, fmt.Errorf("sim: bad base port %d", cfg.BasePort)
	}
	if cfg.Units < 0 || cfg.Units > 5000 {
		return nil, fmt.Errorf("sim: bad unit count %d (0 to 5000)", cfg.Units)
	}
	if math.IsNaN(cfg.Scale) || cfg.Scale < 0 || cfg.Scale > maxScale {
		return nil, fmt.Errorf("sim: bad scale %v (0 to %d)", cfg.Scale, maxScale)
	}
	if cfg.Scale == 0 {
		cfg.Scale = 1
	}
	if cfg.BasePort > 0 && cfg.BasePort+max(cfg.Units, len(Roster()))-1 > 65535 {
		return nil, fmt.Errorf("sim: base port %d leaves no room for every unit", cfg.BasePort)
	}
	round, first, err := roundDates(cfg)
	if err != nil {
		return nil, err
	}
	// Round 1 is generated as of its own date; later rounds move on from it.
	d := &District{
		Name:      DistrictName,
		Seed:      cfg.Seed,
		AsOf:      first,
		Rules:     cfg.Rules,
		Host:      cfg.Host,
		BasePort:  cfg.BasePort,
		Scale:     cfg.Scale,
		Round:     1,
		FirstAsOf: first,
		Rendered:  cfg.Rendered,
	}
	d.WindowFrom, d.WindowTo = window(first, cfg.Rules.WindowMonths())

	roster := rosterOf(cfg.Units)
	plans := planDistrict(d, roster, rand.New(rand.NewPCG(uint64(cfg.Seed), 0x5eed)))
	// The annual reports' looks and defects draw from a stream of their
	// own, as does each unit's report content beyond the clean reports, so
	// the rest of the district is what it would be without them.
	planReports(d, roster, plans, rand.New(rand.NewPCG(uint64(cfg.Seed), 0x2e9047)))
	builders := make([]*builder, len(roster))
	d.Units = make([]*Unit, len(roster))
	for i, entry := range roster {
		src := rand.NewPCG(uint64(cfg.Seed), uint64(i+1)*0x9e3779b97f4a7c15)
		u := &Unit{RosterEntry: entry, Index: i, Style: plans[i].style, Role: plans[i].role}
		u.style = styleByName(u.Style)
		rr := rand.New(rand.NewPCG(uint64(cfg.Seed)^0x4e6462, uint64(i+1)*0x9e3779b97f4a7c15))
		builders[i] = &builder{d: d, u: u, r: rand.New(src), src: src, rr: rr, rs: cfg.Rules, rounds: round > 1}
		d.Units[i] = u
	}
	// Each unit draws from its own stream, so units are built in parallel
	// and the district is the same whatever the schedule.
	unitErr := func(i int, err error) error {
		if err != nil {
			return fmt.Errorf("sim: unit %s: %w", d.Units[i].ID, err)
		}
		return nil
	}
	if err := parallel(len(builders), func(i int) error { return unitErr(i, builders[i].build(plans[i])) }); err != nil {
		return nil, err
	}
	// Content leaks and their decoys draw from their own stream too.
	plantContent(d, builders, rand.New(rand.NewPCG(uint64(cfg.Seed), contentStream)))
	// The markup variants draw from their own stream, so the content and
	// defects are the same with or without them.
	dealVariants(d, rand.New(rand.NewPCG(uint64(cfg.Seed), 0x7a41a47)))
	if err := parallel(len(builders), func(i int) error { return unitErr(i, builders[i].layout()) }); err != nil {
		return nil, err
	}
	if err := parallel(len(d.Units), func(i int) error { return unitErr(i, checkUnit(d, d.Units[i])) }); err != nil {
		return nil, err
	}
	if round > 1 {
		// Each round judges itself; round 1's truth is not needed.
		if err := advance(d, builders, plans, round, cfg.AsOf); err != nil {
			return nil, err
		}
		return d, nil
	}
	d.truth = evaluate(d)
	return d, nil
}

// parallel runs f(0) … f(n-1) on as many goroutines as the process may
// run at once and returns the error of the lowest index that failed.
func parallel(n int, f func(i int) error) error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < min(n, runtime.GOMAXPROCS(0)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				errs[i] = f(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// window returns the first and last day of the months complete calendar
// months before asOf's month.
func window(asOf evidence.Date, months int) (from, to evidence.Date) {
	first := evidence.NewDate(asOf.Year, asOf.Month, 1)
	return first.AddMonths(-months), first.AddDays(-1)
}

// InWindow reports whether day lies in the district's evaluation window.
func (d *District) InWindow(day evidence.Date) bool {
	return !day.Before(d.WindowFrom) && !day.After(d.WindowTo)
}

// randDate returns a uniformly chosen day from lo to hi inclusive (lo when
// hi is before lo).
func randDate(r *rand.Rand, lo, hi evidence.Date) evidence.Date {
	n := lo.DaysUntil(hi)
	if n <= 0 {
		return lo
	}
	return lo.AddDays(r.IntN(n + 1))
}

// between returns a uniformly chosen integer from lo to hi inclusive.
func between(r *rand.Rand, lo, hi int) int {
	if hi <= lo {
		return lo
	}
	return lo + r.IntN(hi-lo+1)
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

func minDate(a, b evidence.Date) evidence.Date {
	if a.Before(b) {
		return a
	}
	return b
}

func maxDate(a, b evidence.Date) evidence.Date {
	if a.After(b) {
		return a
	}
	return b
}

// monthStart and monthEnd bound the month of day.
func monthStart(day evidence.Date) evidence.Date {
	return evidence.NewDate(day.Year, day.Month, 1)
}

func monthEnd(day evidence.Date) evidence.Date {
	return monthStart(day).AddMonths(1).AddDays(-1)
}

func yearStart(y int) evidence.Date { return evidence.NewDate(y, time.January, 1) }
