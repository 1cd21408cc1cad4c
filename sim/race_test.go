//go:build race

package sim

// raceEnabled is true when the tests run under the race detector, which
// makes the benchmark fleet ten times slower to generate and count.
const raceEnabled = true
