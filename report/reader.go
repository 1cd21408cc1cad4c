package report

import (
	"context"

	"gongkai/scoring"
	"gongkai/store"
)

// EvidenceReader is what the report reads a finding and what backs it
// through: the finding, its review decisions, the requests made for the
// pages it cites and their kept bodies. *store.DB implements it; a test
// or another store may too. An unknown finding or body is an error
// wrapping store.ErrNotFound.
type EvidenceReader interface {
	Finding(ctx context.Context, id int64) (*store.StoredFinding, error)
	Findings(ctx context.Context, scoringID int64, filter store.FindingFilter) ([]store.StoredFinding, error)
	Reviews(ctx context.Context, findingID int64) ([]store.Review, error)
	Fetches(ctx context.Context, auditID int64, unitID, url string) ([]store.StoredFetch, error)
	Body(ctx context.Context, sha string) ([]byte, error)
	UnitPrunedError(ctx context.Context, auditID int64, unit string) (*store.PrunedError, error)
}

// ScoringReader is what the report reads a scoring's workbook through:
// the scores of a scoring and of the audit before, its current findings
// and those resolved since. *store.DB implements it.
type ScoringReader interface {
	Scores(ctx context.Context, scoringID int64) ([]scoring.UnitScore, error)
	PreviousScores(ctx context.Context, auditID int64) (map[string]scoring.UnitScore, error)
	Findings(ctx context.Context, scoringID int64, filter store.FindingFilter) ([]store.StoredFinding, error)
	ResolvedFindings(ctx context.Context, scoringID int64) ([]store.StoredFinding, error)
}

var (
	_ EvidenceReader = (*store.DB)(nil)
	_ ScoringReader  = (*store.DB)(nil)
)
