// Package testhook holds the seams tests set in a process that runs the
// real command: cmd/gongkai's tests run their own binary as gongkai
// (TestMain) and set these from its environment before main runs, and a
// package's tests may set them directly. Nothing sets them in a gongkai
// binary; they are no option of any command or API.
package testhook

// FailUnit, when set, makes a distributed worker fail the jobs of the
// units it returns true for, as a failed crawl would (tests of
// dead-lettering).
var FailUnit func(unit string) bool
