// Package natstest runs a real nats-server with JetStream for tests: on a
// free loopback port, with a store directory that survives a restart.
// Debian's nats-server package provides the binary (.ci/run installs it);
// without it the tests skip, unless GONGKAI_REQUIRE_NATS=1 makes them fail.
// GONGKAI_NATS_SERVER names another binary.
package natstest

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Server is a nats-server process.
type Server struct {
	// Bin is the nats-server binary; Addr its host:port; Dir its store.
	Bin, Addr, Dir string

	cmd  *exec.Cmd
	done chan error
	log  *logBuffer
}

// Bin finds nats-server, or skips (fails with GONGKAI_REQUIRE_NATS=1).
func Bin(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("GONGKAI_NATS_SERVER"); p != "" {
		return p
	}
	for _, p := range []string{"nats-server", "/usr/sbin/nats-server", "/usr/bin/nats-server"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv("GONGKAI_REQUIRE_NATS") == "1" {
		t.Fatal("nats-server not found and GONGKAI_REQUIRE_NATS=1 (apt-get install nats-server)")
	}
	t.Skip("nats-server not installed (apt-get install nats-server); GONGKAI_REQUIRE_NATS=1 fails instead")
	return ""
}

// Start starts nats-server -js on a free loopback port; the test's
// cleanup stops it.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{Bin: Bin(t), Dir: t.TempDir()}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Addr = ln.Addr().String()
	ln.Close()
	s.Restart(t)
	t.Cleanup(s.Stop)
	return s
}

// URL is the server's client URL.
func (s *Server) URL() string { return "nats://" + s.Addr }

// Log is what the server printed since it last started.
func (s *Server) Log() string { return s.log.String() }

// Restart starts the server (again) on the same port and store, and waits
// until it listens.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	if s.cmd != nil {
		t.Fatal("natstest: the server is running")
	}
	host, port, _ := net.SplitHostPort(s.Addr)
	s.log = &logBuffer{}
	s.cmd = exec.Command(s.Bin, "-js", "-a", host, "-p", port, "-sd", s.Dir)
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s.done = make(chan error, 1)
	go func() { s.done <- s.cmd.Wait() }()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.DialTimeout("tcp", s.Addr, 200*time.Millisecond); err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("nats-server did not listen on %s:\n%s", s.Addr, s.log)
}

// Stop stops the server (SIGTERM, then SIGKILL after 10 s).
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
	s.cmd = nil
}

// logBuffer is a buffer the process writes while the test reads it.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
