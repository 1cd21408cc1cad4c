package cli

import (
	"bytes"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"gongkai/evidence"
	"gongkai/rules"
	"gongkai/sim"
	"gongkai/sim/faults"
	"gongkai/units"
)

// simFlags are the flags that shape a simulated district.
type simFlags struct {
	seed     int64
	units    int
	scale    float64
	asOf     string
	host     string
	basePort int
	round    int
}

func (f *simFlags) register(c *cobra.Command) {
	c.Flags().Int64Var(&f.seed, "seed", 1, "seed of the simulated district (same seed and date, same sites)")
	c.Flags().StringVar(&f.asOf, "sim-date", "", "the simulated district's date YYYY-MM-DD, its as-of date (default "+sim.DefaultAsOf+", a week later each round)")
	c.Flags().StringVar(&f.host, "listen-host", "127.0.0.1", "host the unit sites listen on")
	c.Flags().IntVar(&f.basePort, "base-port", 0, "unit i listens on base-port+i (default: ports from the OS)")
	c.Flags().IntVar(&f.units, "units", 0, "number of units (default: the district's roster of 47; more adds synthetic units)")
	c.Flags().Float64Var(&f.scale, "scale", 0, "multiply the items of list columns (default 1; the benchmark fleet uses 200 units at scale 2)")
	c.Flags().IntVar(&f.round, "round", 1, "audit round: 2 and later fix about half the problems and add a few, a week apart")
}

// start generates the district the flags describe and serves it.
func (f *simFlags) start() (sim.Config, *sim.Fleet, error) {
	cfg, err := f.config()
	if err != nil {
		return cfg, nil, err
	}
	d, err := sim.Generate(cfg)
	if err != nil {
		return cfg, nil, err
	}
	fleet, err := d.Start()
	return cfg, fleet, err
}

func (f *simFlags) config() (sim.Config, error) {
	if f.round < 1 || f.round > 52 {
		return sim.Config{}, usagef("--round %d: want 1 to 52", f.round)
	}
	date := f.asOf
	if date == "" {
		// Round k of the default district is audited a week after round k-1.
		date = evidence.MustParseDate(sim.DefaultAsOf).AddDays(7 * (f.round - 1)).String()
	}
	d, err := evidence.ParseDate(date)
	if err != nil {
		return sim.Config{}, usagef("--sim-date: %v", err)
	}
	rs, err := rules.Default()
	if err != nil {
		return sim.Config{}, err
	}
	return sim.Config{Seed: f.seed, AsOf: d, Rules: rs, Host: f.host, BasePort: f.basePort, Units: f.units, Scale: f.scale, Round: f.round}, nil
}

func newSimCmd(env Env) *cobra.Command {
	var (
		sf                 simFlags
		unitsOut, truthOut string
		faultFleet         bool
	)
	c := &cobra.Command{
		Use:   "sim [--units-out FILE] [--truth-out FILE]",
		Short: "Serve a simulated district of unit sites with seeded defects, until interrupted",
		Long: `sim serves a simulated district modelled on Beijing's Huairou District: a
district government, bureaus, towns, townships and streets, each a website on
loopback with disclosure columns in several CMS styles (one GBK-encoded) and
seeded defects. It writes the units file to audit it with, and the ground
truth: the problem list an evaluator must report, as of the sim's date.`,
		Example: `  gongkai sim --units-out units.yaml --truth-out truth.json &
  gongkai audit --units units.yaml --db sim.db --as-of 2026-03-01`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if faultFleet {
				return serveFaults(c, env, sf, unitsOut, truthOut)
			}
			cfg, fleet, err := sf.start()
			if err != nil {
				return err
			}
			defer fleet.Close()
			if err := writeFleetFiles(fleet.UnitsFile(), fleet.Truth, unitsOut, truthOut); err != nil {
				return err
			}
			uf := fleet.UnitsFile()
			fmt.Fprintf(env.Stdout, "serving %d unit sites of %s (seed %d, as of %s); first: %s\n", len(uf.Units), uf.District, cfg.Seed, cfg.AsOf, uf.Units[0].URL)
			if unitsOut != "" {
				fmt.Fprintf(env.Stdout, "units file: %s\naudit it:   gongkai audit --units %s --db sim.db --as-of %s\n", unitsOut, unitsOut, cfg.AsOf)
			}
			if truthOut != "" {
				fmt.Fprintf(env.Stdout, "truth:      %s (%d findings)\n", truthOut, len(fleet.Truth()))
			}
			fmt.Fprintln(env.Stdout, "press Ctrl-C to stop")
			<-c.Context().Done()
			return nil
		},
	}
	sf.register(c)
	c.Flags().StringVar(&unitsOut, "units-out", "", "write the units file here")
	c.Flags().StringVar(&truthOut, "truth-out", "", "write the ground-truth problem list (JSON) here")
	c.Flags().BoolVar(&faultFleet, "faults", false, "serve the fault fleet instead: one unit per hostile-site fault (slow, trickling, resets, 5xx bursts, redirect loops, 50 MB page, malformed HTML, false charset, traps, robots.txt, runaway tags, self-signed certificate, gzip bomb)")
	return c
}

// serveFaults serves the fault fleet (sim/faults) until interrupted.
func serveFaults(c *cobra.Command, env Env, sf simFlags, unitsOut, truthOut string) error {
	cfg, err := sf.config()
	if err != nil {
		return err
	}
	fleet, err := faults.Start(faults.Config{Seed: cfg.Seed, AsOf: cfg.AsOf})
	if err != nil {
		return err
	}
	defer fleet.Close()
	if err := writeFleetFiles(fleet.UnitsFile(), fleet.Truth, unitsOut, truthOut); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "serving the fault fleet: %d unit sites, one fault each (seed %d, as of %s)\n", len(fleet.Units()), cfg.Seed, cfg.AsOf)
	for _, u := range fleet.Units() {
		fmt.Fprintf(env.Stdout, "  %-16s %-28s %s\n", u.Fault, u.URL, faults.Describe(u.Fault))
	}
	if unitsOut != "" {
		fmt.Fprintf(env.Stdout, "audit it: gongkai audit --units %s --db faults.db --as-of %s --unit-timeout 1m\n", unitsOut, cfg.AsOf)
	}
	fmt.Fprintln(env.Stdout, "press Ctrl-C to stop")
	<-c.Context().Done()
	return nil
}

// writeFleetFiles writes a served fleet's units file to unitsOut and its
// ground truth to truthOut; an empty path skips that file.
func writeFleetFiles(uf *units.File, truth func() []sim.TruthFinding, unitsOut, truthOut string) error {
	if unitsOut != "" {
		data, err := uf.Marshal()
		if err != nil {
			return err
		}
		if err := os.WriteFile(unitsOut, data, 0o644); err != nil {
			return fmt.Errorf("write units file: %w", err)
		}
	}
	if truthOut != "" {
		var buf bytes.Buffer
		if err := sim.WriteTruth(&buf, truth()); err != nil {
			return err
		}
		if err := os.WriteFile(truthOut, buf.Bytes(), 0o644); err != nil {
			return fmt.Errorf("write truth: %w", err)
		}
	}
	return nil
}
