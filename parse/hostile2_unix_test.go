//go:build unix

package parse

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// within runs fn and fails the test if it takes more than a few seconds:
// what it checks is that nothing blocks. fn runs in another goroutine, so
// it reports failures with t.Error, not t.Fatal.
func within(t *testing.T, what string, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); fn() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: still blocked after 10 s", what)
	}
}

// TestWalkFIFO: a FIFO named on the command line, or given to Open as
// --dxl does, is refused at once with its type, not opened (which would
// wait for a writer forever); AllowDevices reads it; in a folder it is
// skipped as before.
func TestWalkFIFO(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	var out walkOut
	within(t, "Walk of a FIFO", func() { out = walk(t, Limits{}, nil, fifo) })
	check(t, "texts", out.texts, nil)
	check(t, "skipped", out.skipped, []string{
		fifo + ": skipped: named pipe (fifo): not read; give it as stdin (-) or pass --allow-devices",
	})
	within(t, "Open of a FIFO", func() {
		_, err := Open(fifo, nil)
		if want := fifo + ": named pipe (fifo): not read; give it as stdin (-) or pass --allow-devices"; err == nil || err.Error() != want {
			t.Errorf("Open(fifo) = %v, want %s", err, want)
		}
	})
	within(t, "Walk of a folder with a FIFO", func() { out = walk(t, Limits{}, nil, dir) })
	check(t, "folder skipped", out.skipped, []string{fifo + ": skipped: named pipe (fifo)"})

	// Allowed on purpose: read as a stream, once its writer comes.
	go func() {
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		_, _ = w.WriteString(lines(fwLine, syncLine))
		_ = w.Close()
	}()
	within(t, "Walk of an allowed FIFO", func() { out = walk(t, Limits{AllowDevices: true}, nil, fifo) })
	check(t, "allowed recs", out.recs, []string{fifo + ":1 fwtab", fifo + ":2 sync"})
	check(t, "allowed skipped", out.skipped, nil)
}

// TestWalkFIFOSwapped: a regular file replaced by a FIFO between the
// listing and the open is not waited on either (openFile does not block).
func TestWalkFIFOSwapped(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	w := &walker{lim: Limits{}.withDefaults(), fn: func(Source, *Reader) error { return errors.New("read") }}
	within(t, "file() of a FIFO", func() {
		if err := w.file(Source{Path: fifo, Name: fifo}, fifo); err != nil {
			t.Error(err)
		}
	})
	if len(w.skipped) != 1 || !strings.Contains(w.skipped[0].Reason, "named pipe (fifo): not read") {
		t.Errorf("skipped %v", w.skipped)
	}
}

// TestWalkDevZero: /dev/zero is refused as a character device; allowed on
// purpose, it is read up to the per-input limit and stops with a message,
// through Walk and through OpenLimits.
func TestWalkDevZero(t *testing.T) {
	const zero = "/dev/zero"
	if st, err := os.Stat(zero); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		t.Skip("no /dev/zero")
	}
	var out walkOut
	within(t, "Walk of /dev/zero", func() { out = walk(t, Limits{}, nil, zero) })
	check(t, "refused", out.skipped, []string{zero + ": skipped: character device: not read; give it as stdin (-) or pass --allow-devices"})

	lim := Limits{AllowDevices: true, MaxDecompressed: 1 << 20, MaxLineLen: 4096}
	within(t, "Walk of an allowed /dev/zero", func() { out = walk(t, lim, nil, zero) })
	check(t, "texts", out.texts, []string{zero + " - () lines=0"})
	check(t, "stopped", out.skipped, []string{zero + ":1: stopped: more than 1048576 bytes read from a stream that is not a regular file (the limit per input); rest of input not read"})

	within(t, "OpenLimits of /dev/zero", func() {
		if _, err := Open(zero, nil); err == nil || !strings.Contains(err.Error(), "character device: not read") {
			t.Errorf("Open(/dev/zero) = %v", err)
		}
		in, err := OpenLimits(zero, nil, lim)
		if err != nil {
			t.Error(err)
			return
		}
		defer in.Close()
		n, err := io.Copy(io.Discard, in)
		if n != 1<<20 || err == nil || err.Error() != "more than 1048576 bytes read from a stream that is not a regular file (the limit per input)" {
			t.Errorf("read %d bytes, %v", n, err)
		}
	})
}
