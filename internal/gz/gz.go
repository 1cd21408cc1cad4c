// Package gz compresses page bodies for keeping: gzip at the fastest level,
// with pooled writers. The crawler keeps evidence bodies compressed in
// memory and the store keeps them compressed on disk, in the same format,
// so a body is compressed once.
package gz

import (
	"bytes"
	"compress/gzip"
	"io"
	"sync"
)

var writers = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
	return w
}}

// Compress returns b gzip-compressed.
func Compress(b []byte) []byte {
	var buf bytes.Buffer
	buf.Grow(len(b)/4 + 64)
	w := writers.Get().(*gzip.Writer)
	w.Reset(&buf)
	w.Write(b)
	w.Close()
	writers.Put(w)
	return buf.Bytes()
}

// CompressFrom returns what write writes, gzip-compressed, without holding
// the uncompressed bytes in memory; write's error is returned as is.
func CompressFrom(write func(io.Writer) error) ([]byte, error) {
	var buf bytes.Buffer
	w := writers.Get().(*gzip.Writer)
	w.Reset(&buf)
	err := write(w)
	w.Close()
	writers.Put(w)
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Decompress returns the bytes gzip-compressed in b.
func Decompress(b []byte) ([]byte, error) {
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}
