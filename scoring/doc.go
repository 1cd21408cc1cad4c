// Package scoring judges evidence against a ruleset as of a date: it turns
// what the crawler saw into findings with evidence and detail lines, deducts
// points under indicator caps, applies vetoes, grades and ranks.
//
// Scoring is pure and deterministic: it does no I/O, reads no clock (the
// as-of date is a parameter) and never imports the crawler or the store.
// The same evidence, ruleset and date always give the same Result.
package scoring
