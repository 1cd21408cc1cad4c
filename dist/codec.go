package dist

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"time"

	"gongkai/crawler"
	"gongkai/evidence"
	"gongkai/internal/gz"
)

// Job is one unit to crawl, as published on the jobs stream.
type Job struct {
	// Audit is the audit key (AuditKey) the job belongs to.
	Audit string `json:"audit"`
	// Target is the unit to crawl with its plan.
	Target crawler.Target `json:"target"`
	// Crawl is the audit's politeness and limits, as the coordinator's
	// crawler options hold them: the worker crawls with them, so that it
	// crawls a unit exactly as a single-process audit would. The global
	// concurrency, the units in flight, the cache and the seams are the
	// worker's own (WorkerOptions.Crawler).
	Crawl crawler.Settings `json:"crawl"`
	// MaxDeliver is how many crawl attempts the job gets before it is
	// dead-lettered.
	MaxDeliver int `json:"max_deliver"`
	// AckWait is the jobs consumer's ack wait as the coordinator set it:
	// the worker renews the job every third of it.
	AckWait time.Duration `json:"ack_wait,omitempty"`
}

// EncodeJob serialises a job (JSON).
func EncodeJob(j *Job) ([]byte, error) {
	b, err := json.Marshal(j)
	if err != nil {
		return nil, fmt.Errorf("encode job for unit %s: %w", j.Target.Unit.ID, err)
	}
	return b, nil
}

// DecodeJob reads a job written by EncodeJob.
func DecodeJob(b []byte) (*Job, error) {
	var j Job
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, fmt.Errorf("decode job: %w", err)
	}
	if j.Audit == "" || j.Target.Unit.ID == "" {
		return nil, errors.New("decode job: no audit or unit")
	}
	return &j, nil
}

// resultMagic starts every encoded result, with the format's version.
var resultMagic = []byte("GKUE1")

// EncodeResult serialises a unit's evidence with its kept bodies: the
// evidence as gzip-compressed JSON (the form the store keeps), then each
// body, already gzip-compressed by the crawler, as it is, in key order.
// The encoding is self-delimiting: magic, then length-prefixed fields.
func EncodeResult(ue *evidence.UnitEvidence) ([]byte, error) {
	if ue == nil {
		return nil, errors.New("encode result: nil evidence")
	}
	ev, err := gz.CompressFrom(func(w io.Writer) error { return json.NewEncoder(w).Encode(ue) })
	if err != nil {
		return nil, fmt.Errorf("encode evidence of unit %s: %w", ue.Unit.ID, err)
	}
	size := len(resultMagic) + len(ev) + 16
	keys := make([]string, 0, len(ue.Bodies))
	for k, b := range ue.Bodies {
		keys = append(keys, k)
		size += len(k) + len(b) + 16
	}
	sort.Strings(keys)
	out := make([]byte, 0, size)
	out = append(out, resultMagic...)
	out = binary.AppendUvarint(out, uint64(len(ev)))
	out = append(out, ev...)
	out = binary.AppendUvarint(out, uint64(len(keys)))
	for _, k := range keys {
		out = binary.AppendUvarint(out, uint64(len(k)))
		out = append(out, k...)
		b := ue.Bodies[k]
		out = binary.AppendUvarint(out, uint64(len(b)))
		out = append(out, b...)
	}
	return out, nil
}

// DecodeResult reads what EncodeResult wrote. The evidence equals the one
// encoded, Bodies included (an empty map when none were kept).
func DecodeResult(b []byte) (*evidence.UnitEvidence, error) {
	if !bytes.HasPrefix(b, resultMagic) {
		return nil, errors.New("decode result: not a gongkai result (bad magic)")
	}
	r := bufio.NewReader(bytes.NewReader(b[len(resultMagic):]))
	field := func(what string) ([]byte, error) {
		n, err := binary.ReadUvarint(r)
		if err != nil {
			return nil, fmt.Errorf("decode result: %s length: %w", what, err)
		}
		if n > uint64(len(b)) {
			return nil, fmt.Errorf("decode result: %s length %d past the end", what, n)
		}
		buf := make([]byte, n)
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, fmt.Errorf("decode result: %s: %w", what, err)
		}
		return buf, nil
	}
	ev, err := field("evidence")
	if err != nil {
		return nil, err
	}
	raw, err := gz.Decompress(ev)
	if err != nil {
		return nil, fmt.Errorf("decode result: decompress evidence: %w", err)
	}
	var ue evidence.UnitEvidence
	if err := json.Unmarshal(raw, &ue); err != nil {
		return nil, fmt.Errorf("decode result: evidence: %w", err)
	}
	n, err := binary.ReadUvarint(r)
	if err != nil {
		return nil, fmt.Errorf("decode result: body count: %w", err)
	}
	if n > uint64(len(b)) {
		return nil, fmt.Errorf("decode result: %d bodies past the end", n)
	}
	ue.Bodies = make(map[string][]byte, n)
	for i := uint64(0); i < n; i++ {
		k, err := field("body key")
		if err != nil {
			return nil, err
		}
		v, err := field("body")
		if err != nil {
			return nil, err
		}
		ue.Bodies[string(k)] = v
	}
	if _, err := r.ReadByte(); err != io.EOF {
		return nil, errors.New("decode result: trailing bytes")
	}
	return &ue, nil
}
