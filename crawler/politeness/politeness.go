// Package politeness holds the crawler's politeness and limits
// (Settings), apart from the crawler itself so that what only reads or
// writes them, the units file above all, does not depend on the crawler.
// The crawler knows them as crawler.Settings.
package politeness

import (
	"reflect"
	"time"
)

// Settings are a crawl's politeness and limits: what it asks of a site
// and how much of it it reads. They are the one form of these settings:
// the units file's crawl: block (package units) holds them under the same
// keys, the audit flags set them, and a distributed audit sends them with
// every job so that a worker crawls a unit as a single-process audit
// would. The zero value of each field means the polite default given in
// its comment: defaults are meant for small government servers, and a
// units file or flags loosen them for a local fleet.
//
// Each field's JSON and YAML keys are the same snake_case name (the flag
// is that name with hyphens, where there is one). Durations are written
// as Go durations ("100ms", "2s") in YAML and as nanoseconds in JSON.
type Settings struct {
	// UserAgent names the crawler; "" means "gongkai/<version> (+Contact)".
	UserAgent string `json:"user_agent,omitempty" yaml:"user_agent,omitempty"`
	// Contact is a URL or address for site owners, sent in the User-Agent;
	// "" means "https://github.com/gongkai/gongkai".
	Contact string `json:"contact,omitempty" yaml:"contact,omitempty"`
	// Delay is the pause after each request to a host; 0 means 1s. Use
	// NoDelay to turn delays off.
	Delay time.Duration `json:"delay,omitempty" yaml:"delay,omitempty"`
	// NoDelay turns per-host delays off (a local fleet).
	NoDelay bool `json:"no_delay,omitempty" yaml:"no_delay,omitempty"`
	// PerHost is the number of requests in flight per host; 0 means 1.
	PerHost int `json:"per_host,omitempty" yaml:"per_host,omitempty"`
	// ConnectTimeout bounds a TCP (and TLS) connect; 0 means 10s.
	ConnectTimeout time.Duration `json:"connect_timeout,omitempty" yaml:"connect_timeout,omitempty"`
	// HeaderTimeout bounds the wait for response headers; 0 means 20s.
	HeaderTimeout time.Duration `json:"header_timeout,omitempty" yaml:"header_timeout,omitempty"`
	// PageTimeout bounds one request from start to last body byte; 0 means 45s.
	PageTimeout time.Duration `json:"page_timeout,omitempty" yaml:"page_timeout,omitempty"`
	// UnitTimeout bounds the whole crawl of one unit; 0 means 20m.
	UnitTimeout time.Duration `json:"unit_timeout,omitempty" yaml:"unit_timeout,omitempty"`
	// Retries is the number of retries after a transient failure (5xx, 429,
	// timeout, reset); 0 means 2. Use NoRetries to turn retries off.
	Retries int `json:"retries,omitempty" yaml:"retries,omitempty"`
	// NoRetries turns retries off.
	NoRetries bool `json:"no_retries,omitempty" yaml:"no_retries,omitempty"`
	// RetryBase is the first backoff; it doubles each retry, with ±50%
	// jitter; 0 means 500ms.
	RetryBase time.Duration `json:"retry_base,omitempty" yaml:"retry_base,omitempty"`
	// MaxRetryAfter caps how long a Retry-After header may make us wait;
	// longer waits give up instead; 0 means 30s.
	MaxRetryAfter time.Duration `json:"max_retry_after,omitempty" yaml:"max_retry_after,omitempty"`
	// MaxBodyBytes caps a body; longer bodies are cut (and marked); 0 means 8 MiB.
	MaxBodyBytes int `json:"max_body_bytes,omitempty" yaml:"max_body_bytes,omitempty"`
	// MaxRedirects caps redirects per request; 0 means 5.
	MaxRedirects int `json:"max_redirects,omitempty" yaml:"max_redirects,omitempty"`
	// MaxPagesPerColumn caps list pages read per column; 0 means 20.
	MaxPagesPerColumn int `json:"max_pages_per_column,omitempty" yaml:"max_pages_per_column,omitempty"`
	// MaxPagesPerUnit caps page fetches (not link checks) per unit; 0 means 600.
	MaxPagesPerUnit int `json:"max_pages_per_unit,omitempty" yaml:"max_pages_per_unit,omitempty"`
	// MaxItemPages caps item pages read per column (documents,
	// interpretations, reports); 0 means 60.
	MaxItemPages int `json:"max_item_pages,omitempty" yaml:"max_item_pages,omitempty"`
	// MaxLinkChecks caps link checks per unit; 0 means 2000.
	MaxLinkChecks int `json:"max_link_checks,omitempty" yaml:"max_link_checks,omitempty"`
	// MaxAttachments caps the attachments read per unit for their text
	// (when the plan asks for a content scan): files linked from the item
	// pages read, on the unit's hosts; 0 means 40. The others are only
	// checked as links. Use NoAttachments to read none.
	MaxAttachments int `json:"max_attachments,omitempty" yaml:"max_attachments,omitempty"`
	// NoAttachments reads no attachment for its text.
	NoAttachments bool `json:"no_attachments,omitempty" yaml:"no_attachments,omitempty"`
	// MaxAttachmentBytes caps one attachment read for its text; a larger
	// file is only checked as a link; 0 means 8 MiB. It never exceeds
	// MaxBodyBytes.
	MaxAttachmentBytes int `json:"max_attachment_bytes,omitempty" yaml:"max_attachment_bytes,omitempty"`
	// MaxHubPages caps navigation pages searched for columns; 0 means 8.
	MaxHubPages int `json:"max_hub_pages,omitempty" yaml:"max_hub_pages,omitempty"`
	// DiscoveryDepth is how many navigation levels below the portal are
	// searched for columns; 0 means 2.
	DiscoveryDepth int `json:"discovery_depth,omitempty" yaml:"discovery_depth,omitempty"`
	// IgnoreRobots turns robots.txt off for every unit (units can opt out
	// one by one in the units file).
	IgnoreRobots bool `json:"ignore_robots,omitempty" yaml:"ignore_robots,omitempty"`
	// KeepBodyBytes caps the raw bodies kept per unit for evidence; 0 means 2 MiB.
	KeepBodyBytes int `json:"keep_body_bytes,omitempty" yaml:"keep_body_bytes,omitempty"`
	// ReachAttempts is how many times an unanswering unit URL is tried; 0 means 3.
	ReachAttempts int `json:"reach_attempts,omitempty" yaml:"reach_attempts,omitempty"`
	// ReachSpacing is the pause between reachability attempts; 0 means 2s.
	ReachSpacing time.Duration `json:"reach_spacing,omitempty" yaml:"reach_spacing,omitempty"`
	// Render reads lists that pages build by script by rendering those
	// pages in headless Chromium, every request answered by the crawler
	// (crawler/render.go); false reads the HTML as sent.
	Render bool `json:"render,omitempty" yaml:"render,omitempty"`
	// RenderRequests caps the requests one render may make besides the
	// page itself; 0 means 40.
	RenderRequests int `json:"render_requests,omitempty" yaml:"render_requests,omitempty"`
	// RenderTimeout bounds one render; 0 means 20s.
	RenderTimeout time.Duration `json:"render_timeout,omitempty" yaml:"render_timeout,omitempty"`
}

// switches pairs a setting with the switch that turns it off: setting the
// value turns the switch back on.
var switches = map[string]string{"Delay": "NoDelay", "Retries": "NoRetries", "MaxAttachments": "NoAttachments"}

// Merge returns s with every setting over gives (each field of over that
// is not zero) in place of s's: the way a units file goes on top of the
// defaults and the flags on top of the units file. A value given for
// Delay, Retries or MaxAttachments turns the matching NoDelay, NoRetries
// or NoAttachments off, unless over turns it on too.
func (s Settings) Merge(over Settings) Settings {
	out := reflect.ValueOf(&s).Elem()
	ov := reflect.ValueOf(over)
	for i := 0; i < ov.NumField(); i++ {
		if f := ov.Field(i); !f.IsZero() {
			out.Field(i).Set(f)
		}
	}
	for val, off := range switches {
		if !ov.FieldByName(val).IsZero() && !ov.FieldByName(off).Bool() {
			out.FieldByName(off).SetBool(false)
		}
	}
	return s
}
