package crawler

import (
	"log/slog"
	"net/http"
	"time"
)

// Options configure a crawler: its Settings (politeness and limits, the
// part a units file, the flags and a distributed job carry) and what is
// the crawling process's own: its global concurrency, cache and seams.
type Options struct {
	// Settings are the crawl's politeness and limits.
	Settings
	// Concurrency is the number of requests in flight across all hosts; 0 means 16.
	Concurrency int
	// UnitsInFlight is the number of units crawled at once. 0 means 256
	// with per-host delays (units mostly wait on their delays, so many
	// proceed together), and without delays enough units to keep the
	// global concurrency busy (2·Concurrency/PerHost, at least 8): more
	// would only hold memory.
	UnitsInFlight int
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
