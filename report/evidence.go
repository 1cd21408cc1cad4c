package report

import (
	"context"
	"errors"
	"time"

	"gongkai/rules"
	"gongkai/scoring"
	"gongkai/store"
)

// FindingEvidence is a finding with what backs it: each evidence reference
// with the requests made for its URL in the finding's audit, and the
// review decisions on the finding. It is the JSON of `gongkai evidence
// --format json` and of the API's /api/findings/{id}.
type FindingEvidence struct {
	Finding  *store.StoredFinding `json:"finding"`
	Evidence []EvidenceView       `json:"evidence"`
	Reviews  []store.Review       `json:"reviews"`
	// Pruned, when not nil, says that the evidence of the finding's unit in
	// its audit was pruned (gongkai db prune): the references stay, the
	// requests are gone, and a page is kept only when another audit kept
	// the same bytes.
	Pruned *store.PrunedError `json:"evidence_pruned,omitempty"`
	// PersonalData is true when a page or file kept as evidence of the
	// finding discloses personal data: the finding is a content.privacy
	// finding, or one of the same judgement cites it. Such a body is shown
	// only by `gongkai evidence --body`, which warns; the dashboard and
	// the API do not serve it, and notices carry no picture of it.
	PersonalData bool `json:"personal_data,omitempty"`
}

// PersonalKind is the finding kind whose evidence discloses personal data.
const PersonalKind = rules.FindingContentPrivacy

// personalData reports whether a body of f's evidence discloses personal
// data: f is a privacy finding, or a privacy finding of the same
// judgement and unit cites a body f cites.
func personalData(ctx context.Context, db EvidenceReader, f *store.StoredFinding) (bool, error) {
	if f.Kind == PersonalKind {
		return true, nil
	}
	shas := map[string]bool{}
	for _, r := range f.Evidence {
		if r.SHA256 != "" {
			shas[r.SHA256] = true
		}
	}
	if len(shas) == 0 {
		return false, nil
	}
	leaks, err := db.Findings(ctx, f.ScoringID, store.FindingFilter{Unit: f.Unit, Kind: string(PersonalKind)})
	if err != nil {
		return false, err
	}
	for _, l := range leaks {
		for _, r := range l.Evidence {
			if shas[r.SHA256] {
				return true, nil
			}
		}
	}
	return false, nil
}

// EvidenceView is one evidence reference of a finding with the fetches of
// its URL in the finding's audit.
type EvidenceView struct {
	Ref     scoring.Ref         `json:"ref"`
	Fetches []store.StoredFetch `json:"fetches"`
	// Kept is true when the page's body is stored.
	Kept bool `json:"body_kept"`
}

// LoadFindingEvidence reads finding id and what backs it; an unknown id
// gives an error wrapping store.ErrNotFound.
func LoadFindingEvidence(ctx context.Context, db EvidenceReader, id int64) (*FindingEvidence, error) {
	f, err := db.Finding(ctx, id)
	if err != nil {
		return nil, err
	}
	out := &FindingEvidence{Finding: f, Evidence: []EvidenceView{}}
	if out.Pruned, err = db.UnitPrunedError(ctx, f.AuditID, f.Unit); err != nil {
		return nil, err
	}
	for _, r := range f.Evidence {
		fs, err := db.Fetches(ctx, f.AuditID, f.Unit, r.URL)
		if err != nil {
			return nil, err
		}
		kept := false
		if r.SHA256 != "" {
			if _, err := db.Body(ctx, r.SHA256); err == nil {
				kept = true
			} else if !errors.Is(err, store.ErrNotFound) {
				return nil, err
			}
		}
		if fs == nil {
			fs = []store.StoredFetch{}
		}
		out.Evidence = append(out.Evidence, EvidenceView{Ref: r, Fetches: fs, Kept: kept})
	}
	if out.Reviews, err = db.Reviews(ctx, id); err != nil {
		return nil, err
	}
	if out.PersonalData, err = personalData(ctx, db, f); err != nil {
		return nil, err
	}
	if out.Reviews == nil {
		out.Reviews = []store.Review{}
	}
	return out, nil
}

// KeptBody returns the first stored body among the evidence, with its
// reference; ok is false when no body was kept.
func (fe *FindingEvidence) KeptBody(ctx context.Context, db EvidenceReader) (body []byte, ref scoring.Ref, ok bool, err error) {
	for _, v := range fe.Evidence {
		if v.Kept {
			b, err := db.Body(ctx, v.Ref.SHA256)
			if err != nil {
				return nil, v.Ref, false, err
			}
			return b, v.Ref, true, nil
		}
	}
	return nil, scoring.Ref{}, false, nil
}

// StoredPage is the stored body of a finding's evidence page with what
// was recorded of its fetch: what a picture of the page is made from.
type StoredPage struct {
	// URL is the page's address; FetchedAt when it was fetched.
	URL       string
	FetchedAt time.Time
	// Body is the body as received; ContentType the header the server
	// sent; Charset the charset the crawler decoded the body with.
	Body        []byte
	ContentType string
	Charset     string
	// SHA256 names the body.
	SHA256 string
}

// StoredPage returns the first kept body among the finding's evidence with
// its fetch's URL, time, content type and charset; ok is false when no
// body was kept.
func (fe *FindingEvidence) StoredPage(ctx context.Context, db EvidenceReader) (*StoredPage, bool, error) {
	body, ref, ok, err := fe.KeptBody(ctx, db)
	if err != nil || !ok {
		return nil, false, err
	}
	p := &StoredPage{URL: ref.URL, FetchedAt: ref.FetchedAt, Body: body, SHA256: ref.SHA256}
	for _, v := range fe.Evidence {
		if v.Ref.SHA256 != ref.SHA256 {
			continue
		}
		for _, f := range v.Fetches {
			if f.SHA256 == ref.SHA256 {
				p.ContentType, p.Charset = f.ContentType, f.Charset
				if p.FetchedAt.IsZero() {
					p.FetchedAt = f.FetchedAt
				}
				return p, true, nil
			}
		}
	}
	return p, true, nil
}
