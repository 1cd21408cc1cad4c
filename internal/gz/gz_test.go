package gz

import (
	"bytes"
	"errors"
	"io"
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

func TestCompressFrom(t *testing.T) {
	in := strings.Repeat("政府信息公开", 1000)
	packed, err := CompressFrom(func(w io.Writer) error {
		_, err := io.WriteString(w, in)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := Decompress(packed)
	if err != nil || string(out) != in {
		t.Errorf("round trip: %v", err)
	}
	boom := errors.New("boom")
	if _, err := CompressFrom(func(io.Writer) error { return boom }); !errors.Is(err, boom) {
		t.Errorf("error = %v, want boom", err)
	}
}
