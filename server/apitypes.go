package server

import (
	"time"

	"gongkai/evidence"
	"gongkai/report"
	"gongkai/scoring"
	"gongkai/store"
)

// The API's JSON is made of the types below and of the views in data.go
// and package report: the store's row types stay behind the API, so the
// database's layout can change without the API changing with it.

// FindingJSON is what GET /api/findings/{id} answers: a finding with each
// evidence reference, the requests made for its URL in the finding's
// audit, and the review decisions on the finding.
type FindingJSON struct {
	Finding  FindingRecord  `json:"finding"`
	Evidence []EvidenceJSON `json:"evidence"`
	Reviews  []ReviewJSON   `json:"reviews"`
	// Pruned, when not nil, says that the evidence of the finding's unit
	// in its audit was pruned (gongkai db prune).
	Pruned *PrunedJSON `json:"evidence_pruned,omitempty"`
	// PersonalData is true when a page kept as evidence of the finding
	// discloses personal data: the API does not serve its body.
	PersonalData bool `json:"personal_data,omitempty"`
}

// FindingRecord is a finding of a scoring with its place in the audits.
type FindingRecord struct {
	scoring.Finding
	ID        int64  `json:"id"`
	ScoringID int64  `json:"scoring_id"`
	AuditID   int64  `json:"audit_id"`
	Status    string `json:"status"`
	// FirstSeen is the as-of date of the earliest audit in an unbroken
	// run of complete audits that had the finding.
	FirstSeen evidence.Date `json:"first_seen"`
	// Review is the latest review decision on the finding; nil when none.
	Review *ReviewJSON `json:"review,omitempty"`
}

// EvidenceJSON is one evidence reference with the requests of its URL.
type EvidenceJSON struct {
	Ref     scoring.Ref `json:"ref"`
	Fetches []FetchJSON `json:"fetches"`
	Kept    bool        `json:"body_kept"`
}

// FetchJSON is one request made in an audit for a unit.
type FetchJSON struct {
	ID      int64  `json:"id"`
	AuditID int64  `json:"audit_id"`
	Unit    string `json:"unit"`
	evidence.Fetch
}

// ReviewJSON is a review decision on a finding.
type ReviewJSON struct {
	ID          int64     `json:"id"`
	FindingID   int64     `json:"finding_id"`
	Fingerprint string    `json:"fingerprint,omitempty"`
	EvidenceKey string    `json:"evidence_key,omitempty"`
	Decision    string    `json:"decision"`
	Reason      string    `json:"reason"`
	Reviewer    string    `json:"reviewer"`
	DecidedAt   time.Time `json:"decided_at"`
	CarriedFrom int64     `json:"carried_from,omitempty"`
}

// PrunedJSON says whose evidence was pruned, and when.
type PrunedJSON struct {
	AuditID int64     `json:"audit"`
	Unit    string    `json:"unit,omitempty"`
	Units   int       `json:"units,omitempty"`
	Of      int       `json:"of,omitempty"`
	At      time.Time `json:"at,omitzero"`
}

// HistoryJSON is a unit's standing in one complete audit (GET
// /api/units/{id}/history, and the history of GET /api/units/{id}).
type HistoryJSON struct {
	AuditID    int64         `json:"audit"`
	AsOf       evidence.Date `json:"as_of"`
	FinishedAt time.Time     `json:"finished_at"`
	Score      float64       `json:"score"`
	Grade      string        `json:"grade"`
	Rank       int           `json:"rank"`
	Veto       bool          `json:"veto"`
	// Units is the number of units ranked in that audit.
	Units int `json:"units"`
}

// CrawlStatJSON is what the crawl of a unit saw.
type CrawlStatJSON struct {
	Reachable bool `json:"reachable"`
	Fetches   int  `json:"fetches"`
	Errors    int  `json:"errors"`
}

// UnitJSON is what GET /api/units/{id} answers (UnitView for the API).
type UnitJSON struct {
	Audit    AuditView                `json:"audit"`
	Unit     evidence.Unit            `json:"unit"`
	Score    report.RankingRow        `json:"score"`
	Problems []report.Problem         `json:"problems"`
	History  []HistoryJSON            `json:"history"`
	Stat     *CrawlStatJSON           `json:"crawl,omitempty"`
	Dims     []report.DimensionHeader `json:"dimensions"`
}

func findingJSON(fe *report.FindingEvidence) FindingJSON {
	out := FindingJSON{Finding: findingRecord(fe.Finding), Evidence: make([]EvidenceJSON, len(fe.Evidence)),
		Reviews: make([]ReviewJSON, len(fe.Reviews)), PersonalData: fe.PersonalData}
	for i, v := range fe.Evidence {
		e := EvidenceJSON{Ref: v.Ref, Kept: v.Kept, Fetches: make([]FetchJSON, len(v.Fetches))}
		for j, f := range v.Fetches {
			e.Fetches[j] = FetchJSON{ID: f.ID, AuditID: f.AuditID, Unit: f.Unit, Fetch: f.Fetch}
		}
		out.Evidence[i] = e
	}
	for i := range fe.Reviews {
		out.Reviews[i] = reviewJSON(&fe.Reviews[i])
	}
	if p := fe.Pruned; p != nil {
		out.Pruned = &PrunedJSON{AuditID: p.AuditID, Unit: p.Unit, Units: p.Units, Of: p.Of, At: p.At}
	}
	return out
}

func findingRecord(f *store.StoredFinding) FindingRecord {
	r := FindingRecord{Finding: f.Finding, ID: f.ID, ScoringID: f.ScoringID, AuditID: f.AuditID, Status: f.Status, FirstSeen: f.FirstSeen}
	if f.Review != nil {
		rv := reviewJSON(f.Review)
		r.Review = &rv
	}
	return r
}

func reviewJSON(r *store.Review) ReviewJSON {
	return ReviewJSON{ID: r.ID, FindingID: r.FindingID, Fingerprint: r.Fingerprint, EvidenceKey: r.EvidenceKey,
		Decision: r.Decision, Reason: r.Reason, Reviewer: r.Reviewer, DecidedAt: r.DecidedAt, CarriedFrom: r.CarriedFrom}
}

func historyJSON(h []store.HistoryPoint) []HistoryJSON {
	out := make([]HistoryJSON, len(h))
	for i, p := range h {
		out[i] = HistoryJSON{AuditID: p.AuditID, AsOf: p.AsOf, FinishedAt: p.FinishedAt, Score: p.Score,
			Grade: p.Grade, Rank: p.Rank, Veto: p.Veto, Units: p.Units}
	}
	return out
}

func unitJSON(v *UnitView) UnitJSON {
	out := UnitJSON{Audit: v.Audit, Unit: v.Unit, Score: v.Score, Problems: v.Problems, History: historyJSON(v.History), Dims: v.Dims}
	if v.Stat != nil {
		out.Stat = &CrawlStatJSON{Reachable: v.Stat.Reachable, Fetches: v.Stat.Fetches, Errors: v.Stat.Errors}
	}
	return out
}
