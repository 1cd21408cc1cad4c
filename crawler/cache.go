package crawler

import (
	"bytes"
	"compress/gzip"
	"container/list"
	"io"
	"sync"
)

// Cache keeps pages between audits so that an unchanged page costs a 304:
// the crawler sends the validators it kept (If-None-Match,
// If-Modified-Since) and, when the server answers 304 Not Modified, reads
// the kept body. Scheduled audits in one process share a Cache; a one-off
// audit needs none.
type Cache interface {
	// Get returns the kept page for url.
	Get(url string) (CachedPage, bool)
	// Put keeps a page that came with a validator.
	Put(url string, p CachedPage)
}

// CachedPage is a page kept for revalidation.
type CachedPage struct {
	ETag         string
	LastModified string
	ContentType  string
	Body         []byte
}

// MemoryCache is a Cache in memory, bounded by the compressed size of the
// bodies it holds; the least recently used pages go first.
type MemoryCache struct {
	mu    sync.Mutex
	max   int
	size  int
	ll    *list.List
	items map[string]*list.Element
}

type cacheEntry struct {
	url  string
	page CachedPage // Body holds the gzip-compressed body
	size int
}

// NewMemoryCache returns a cache holding at most maxBytes of compressed bodies.
func NewMemoryCache(maxBytes int) *MemoryCache {
	return &MemoryCache{max: maxBytes, ll: list.New(), items: map[string]*list.Element{}}
}

// Get implements Cache.
func (c *MemoryCache) Get(url string) (CachedPage, bool) {
	c.mu.Lock()
	el, ok := c.items[url]
	if !ok {
		c.mu.Unlock()
		return CachedPage{}, false
	}
	c.ll.MoveToFront(el)
	e := el.Value.(*cacheEntry)
	p := e.page
	c.mu.Unlock()
	zr, err := gzip.NewReader(bytes.NewReader(p.Body))
	if err != nil {
		return CachedPage{}, false
	}
	body, err := io.ReadAll(zr)
	if err != nil {
		return CachedPage{}, false
	}
	p.Body = body
	return p, true
}

// Put implements Cache.
func (c *MemoryCache) Put(url string, p CachedPage) {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	zw.Write(p.Body)
	zw.Close()
	p.Body = buf.Bytes()
	size := len(p.Body) + len(url) + 64
	if size > c.max {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[url]; ok {
		c.size -= el.Value.(*cacheEntry).size
		c.ll.Remove(el)
		delete(c.items, url)
	}
	c.items[url] = c.ll.PushFront(&cacheEntry{url: url, page: p, size: size})
	c.size += size
	for c.size > c.max {
		last := c.ll.Back()
		e := last.Value.(*cacheEntry)
		c.ll.Remove(last)
		delete(c.items, e.url)
		c.size -= e.size
	}
}

// Len returns the number of pages kept.
func (c *MemoryCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items)
}
