package crawler

import (
	"log/slog"
	"net/http"
	"time"
)

// Options configure the crawler's politeness, limits and seams. The zero
// value of each field means the polite default given in its comment:
// defaults are meant for small government servers, and a units file or
// flags loosen them for a local fleet.
type Options struct {
	// UserAgent names the crawler; "" means "gongkai/<version> (+Contact)".
	UserAgent string
	// Contact is a URL or address for site owners, sent in the User-Agent;
	// "" means "https://github.com/gongkai/gongkai".
	Contact string
	// Delay is the pause after each request to a host; 0 means 1s. Use
	// NoDelay to turn delays off.
	Delay time.Duration
	// NoDelay turns per-host delays off (a local fleet).
	NoDelay bool
	// PerHost is the number of requests in flight per host; 0 means 1.
	PerHost int
	// Concurrency is the number of requests in flight across all hosts; 0 means 16.
	Concurrency int
	// UnitsInFlight is the number of units crawled at once. 0 means 256
	// with per-host delays (units mostly wait on their delays, so many
	// proceed together), and without delays enough units to keep the
	// global concurrency busy (2·Concurrency/PerHost, at least 8): more
	// would only hold memory.
	UnitsInFlight int
	// ConnectTimeout bounds a TCP (and TLS) connect; 0 means 10s.
	ConnectTimeout time.Duration
	// HeaderTimeout bounds the wait for response headers; 0 means 20s.
	HeaderTimeout time.Duration
	// PageTimeout bounds one request from start to last body byte; 0 means 45s.
	PageTimeout time.Duration
	// UnitTimeout bounds the whole crawl of one unit; 0 means 20m.
	UnitTimeout time.Duration
	// Retries is the number of retries after a transient failure (5xx, 429,
	// timeout, reset); 0 means 2. Use NoRetries to turn retries off.
	Retries int
	// NoRetries turns retries off.
	NoRetries bool
	// RetryBase is the first backoff; it doubles each retry, with ±50%
	// jitter; 0 means 500ms.
	RetryBase time.Duration
	// MaxRetryAfter caps how long a Retry-After header may make us wait;
	// longer waits give up instead; 0 means 30s.
	MaxRetryAfter time.Duration
	// MaxBodyBytes caps a body; longer bodies are cut (and marked); 0 means 8 MiB.
	MaxBodyBytes int
	// MaxRedirects caps redirects per request; 0 means 5.
	MaxRedirects int
	// MaxPagesPerColumn caps list pages read per column; 0 means 20.
	MaxPagesPerColumn int
	// MaxPagesPerUnit caps page fetches (not link checks) per unit; 0 means 600.
	MaxPagesPerUnit int
	// MaxItemPages caps item pages read per column (documents,
	// interpretations, reports); 0 means 60.
	MaxItemPages int
	// MaxLinkChecks caps link checks per unit; 0 means 2000.
	MaxLinkChecks int
	// MaxAttachments caps the attachments read per unit for their text
	// (when the plan asks for a content scan): files linked from the item
	// pages read, on the unit's hosts; 0 means 40. The others are only
	// checked as links. Use NoAttachments to read none.
	MaxAttachments int
	// NoAttachments reads no attachment for its text.
	NoAttachments bool
	// MaxAttachmentBytes caps one attachment read for its text; a larger
	// file is only checked as a link; 0 means 8 MiB. It never exceeds
	// MaxBodyBytes.
	MaxAttachmentBytes int
	// MaxHubPages caps navigation pages searched for columns; 0 means 8.
	MaxHubPages int
	// DiscoveryDepth is how many navigation levels below the portal are
	// searched for columns; 0 means 2.
	DiscoveryDepth int
	// IgnoreRobots turns robots.txt off for every unit (units can opt out
	// one by one in the units file).
	IgnoreRobots bool
	// KeepBodyBytes caps the raw bodies kept per unit for evidence; 0 means 2 MiB.
	KeepBodyBytes int
	// ReachAttempts is how many times an unanswering unit URL is tried; 0 means 3.
	ReachAttempts int
	// ReachSpacing is the pause between reachability attempts; 0 means 2s.
	ReachSpacing time.Duration
	// Render reads lists that pages build by script by rendering those
	// pages in headless Chromium, every request answered by the crawler
	// (render.go); false reads the HTML as sent.
	Render bool
	// RenderRequests caps the requests one render may make besides the
	// page itself; 0 means 40.
	RenderRequests int
	// RenderTimeout bounds one render; 0 means 20s.
	RenderTimeout time.Duration
	// Cache, when set, keeps pages between audits so unchanged pages are
	// revalidated (304) rather than downloaded again; nil keeps nothing.
	Cache Cache
	// Transport is the HTTP transport underneath; nil means a tuned
	// http.Transport. Tests inject one here.
	Transport http.RoundTripper
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives structured crawl events; nil discards them.
	Logger *slog.Logger
	// Progress, when set, is called after every request with the unit id.
	Progress func(Event)
}

// Event is a progress report.
type Event struct {
	// Unit is the unit id.
	Unit string
	// Done is true once when the unit's crawl finishes.
	Done bool
	// Failed is true when the request failed.
	Failed bool
}

// Version is the crawler version sent in the User-Agent.
const Version = "0.1"

func (o Options) withDefaults() Options {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defDur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	if o.Contact == "" {
		o.Contact = "https://github.com/gongkai/gongkai"
	}
	if o.UserAgent == "" {
		o.UserAgent = "gongkai/" + Version + " (government disclosure audit; +" + o.Contact + ")"
	}
	if o.NoDelay {
		o.Delay = 0
	} else {
		defDur(&o.Delay, time.Second)
	}
	def(&o.PerHost, 1)
	def(&o.Concurrency, 16)
	if o.Delay == 0 {
		def(&o.UnitsInFlight, max(8, 2*o.Concurrency/o.PerHost))
	} else {
		def(&o.UnitsInFlight, 256)
	}
	defDur(&o.ConnectTimeout, 10*time.Second)
	defDur(&o.HeaderTimeout, 20*time.Second)
	defDur(&o.PageTimeout, 45*time.Second)
	defDur(&o.UnitTimeout, 20*time.Minute)
	if o.NoRetries {
		o.Retries = 0
	} else {
		def(&o.Retries, 2)
	}
	defDur(&o.RetryBase, 500*time.Millisecond)
	defDur(&o.MaxRetryAfter, 30*time.Second)
	def(&o.MaxBodyBytes, 8<<20)
	def(&o.MaxRedirects, 5)
	def(&o.MaxPagesPerColumn, 20)
	def(&o.MaxPagesPerUnit, 600)
	def(&o.MaxItemPages, 60)
	def(&o.MaxLinkChecks, 2000)
	def(&o.MaxHubPages, 8)
	if o.NoAttachments {
		o.MaxAttachments = 0
	} else {
		def(&o.MaxAttachments, 40)
	}
	def(&o.MaxAttachmentBytes, 8<<20)
	o.MaxAttachmentBytes = min(o.MaxAttachmentBytes, o.MaxBodyBytes)
	def(&o.DiscoveryDepth, 2)
	def(&o.KeepBodyBytes, 2<<20)
	def(&o.ReachAttempts, 3)
	def(&o.RenderRequests, 40)
	defDur(&o.RenderTimeout, 20*time.Second)
	defDur(&o.ReachSpacing, 2*time.Second)
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}
