package rules

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

//go:embed default/*.yaml
var defaultFS embed.FS

var (
	defaultOnce sync.Once
	defaultRS   *Ruleset
	defaultErr  error
)

// Default returns the embedded default ruleset (docs/spec.md#columns-catalogue). It is loaded once;
// callers must not modify it.
func Default() (*Ruleset, error) {
	defaultOnce.Do(func() {
		defaultRS, defaultErr = LoadFS(defaultFS, "default")
	})
	return defaultRS, defaultErr
}

// MustDefault is Default for programs and tests that cannot go on without
// it; the embedded ruleset is tested, so it panics only on a broken build.
func MustDefault() *Ruleset {
	rs, err := Default()
	if err != nil {
		panic(fmt.Sprintf("embedded default ruleset: %v", err))
	}
	return rs
}

// Dump writes the embedded default rule files into dir, creating it, with
// schema.json beside them (the files name it for editors). It refuses to
// overwrite existing files.
func Dump(dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("dump rules: %w", err)
	}
	entries, err := fs.ReadDir(defaultFS, "default")
	if err != nil {
		return nil, fmt.Errorf("dump rules: %w", err)
	}
	files := map[string][]byte{"schema.json": Schema()}
	names := []string{"schema.json"}
	for _, e := range entries {
		data, err := fs.ReadFile(defaultFS, "default/"+e.Name())
		if err != nil {
			return nil, fmt.Errorf("dump rules: %w", err)
		}
		files[e.Name()] = data
		names = append(names, e.Name())
	}
	var written []string
	for _, name := range names {
		data := files[name]
		dst := filepath.Join(dir, name)
		f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return written, fmt.Errorf("dump rules: %w", err)
		}
		if _, err := f.Write(data); err != nil {
			f.Close()
			return written, fmt.Errorf("dump rules: write %s: %w", dst, err)
		}
		if err := f.Close(); err != nil {
			return written, fmt.Errorf("dump rules: close %s: %w", dst, err)
		}
		written = append(written, dst)
	}
	return written, nil
}
