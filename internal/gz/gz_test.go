package gz

import (
	"bytes"
	"strings"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	for _, in := range [][]byte{nil, []byte("x"), []byte(strings.Repeat("政府信息公开", 1000))} {
		out, err := Decompress(Compress(in))
		if err != nil || !bytes.Equal(out, in) {
			t.Errorf("round trip of %d bytes: %v", len(in), err)
		}
	}
	if _, err := Decompress([]byte("not gzip")); err == nil {
		t.Errorf("garbage decompressed")
	}
}
