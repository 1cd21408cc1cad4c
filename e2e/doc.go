// Package e2e holds gongkai's end-to-end tests: the simulated district is
// served on loopback, audited with the real crawler into a real SQLite file,
// and the problem list is compared with the sim's ground truth.
package e2e
