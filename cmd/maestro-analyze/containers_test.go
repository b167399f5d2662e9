package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// unpackTgz unpacks the .tgz at src into dir (folders and regular files
// only: the sample holds nothing else) and returns the names in order.
func unpackTgz(t *testing.T, src, dir string) []string {
	t.Helper()
	f, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	var names []string
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return names
		}
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, filepath.FromSlash(h.Name))
		switch h.Typeflag {
		case tar.TypeDir:
			err = os.MkdirAll(p, 0o755)
		case tar.TypeReg:
			var data []byte
			if data, err = io.ReadAll(tr); err == nil {
				err = os.WriteFile(p, data, 0o644)
			}
		default:
			t.Fatalf("%s: unexpected type %q in the sample", h.Name, h.Typeflag)
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
	}
}

// repackTar packs the names under dir (folders end in "/") as a tar.
func repackTar(t *testing.T, dir string, names []string) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, n := range names {
		info, err := os.Stat(filepath.Join(dir, filepath.FromSlash(n)))
		if err != nil {
			t.Fatal(err)
		}
		h, err := tar.FileInfoHeader(info, "")
		if err != nil {
			t.Fatal(err)
		}
		h.Name = n
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if !info.IsDir() {
			data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(n)))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tw.Write(data); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// repackZip packs the names under dir as a zip, Deflate.
func repackZip(t *testing.T, dir string, names []string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, n := range names {
		p := filepath.Join(dir, filepath.FromSlash(n))
		info, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		h, err := zip.FileInfoHeader(info)
		if err != nil {
			t.Fatal(err)
		}
		h.Name, h.Method = n, zip.Deflate
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if !info.IsDir() {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.Write(data); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func xzBytes(t *testing.T, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw, err := xz.NewWriter(&b)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func zstdBytes(t *testing.T, data []byte) []byte {
	t.Helper()
	zw, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer zw.Close()
	return zw.EncodeAll(data, nil)
}

// bzip2Bytes compresses with the bzip2 command (the standard library has
// no bzip2 writer), skipping the test without it.
func bzip2Bytes(t *testing.T, data []byte) []byte {
	t.Helper()
	if _, err := exec.LookPath("bzip2"); err != nil {
		t.Skipf("no bzip2 command: %v", err)
	}
	cmd := exec.CommandContext(t.Context(), "bzip2", "-c")
	cmd.Stdin = bytes.NewReader(data)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// triageOut is what the container tests compare of `triage -f json`.
type triageOut struct {
	Findings []struct {
		Code     string           `json:"code"`
		Severity string           `json:"severity"`
		SGMs     []string         `json:"sgms"`
		Message  string           `json:"message"`
		Evidence []string         `json:"evidence"`
		Numbers  map[string]int64 `json:"numbers"`
	} `json:"findings"`
	Files []struct {
		Name       string           `json:"name"`
		SGM        string           `json:"sgm"`
		Rule       string           `json:"rule"`
		Recognized map[string]int64 `json:"recognized"`
	} `json:"files"`
	Skipped []string `json:"skipped"`
}

// triageJSON runs `triage -f json` on path (stdin for "-") and returns its
// report with the archive's name (path, or "<stdin>") replaced by ARCHIVE.
func triageJSON(t *testing.T, path string, stdin []byte) triageOut {
	t.Helper()
	code, out, stderr := runIn(t, string(stdin), "triage", "-f", "json", path)
	if code != exitOK || strings.Contains(stderr, "skipped") {
		t.Fatalf("triage %s: status %d, stderr %q", path, code, stderr)
	}
	name := path
	if path == "-" {
		name = "<stdin>"
	}
	var r triageOut
	// The report does not escape < and > (no HTML escaping): <stdin>! as is.
	out = strings.ReplaceAll(out, name+"!", "ARCHIVE!")
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestTriageContainers: the sample bundle repacked as .zip, .tar.xz,
// .tar.bz2 and .tar.zst (and a zip on stdin) gives the findings of the
// .tgz, with the same evidence in the same members.
func TestTriageContainers(t *testing.T) {
	dir := t.TempDir()
	tree := filepath.Join(dir, "tree")
	names := unpackTgz(t, "../../samples/bundle/bundle.tgz", tree)
	orig, err := os.ReadFile("../../samples/bundle/bundle.tgz")
	if err != nil {
		t.Fatal(err)
	}
	tgz := filepath.Join(dir, "bundle.tgz")
	if err := os.WriteFile(tgz, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	want := triageJSON(t, tgz, nil)
	if len(want.Findings) == 0 || len(want.Files) < 10 {
		t.Fatalf("the sample gives %d findings, %d files", len(want.Findings), len(want.Files))
	}
	for _, f := range want.Files {
		if !strings.HasPrefix(f.Name, "ARCHIVE!bundle/") {
			t.Fatalf("file %q", f.Name)
		}
	}
	plain := repackTar(t, tree, names)
	tests := []struct {
		name  string
		data  func(t *testing.T) []byte
		stdin bool
	}{
		{"bundle.zip", func(t *testing.T) []byte { t.Helper(); return repackZip(t, tree, names) }, false},
		{"bundle.tar.xz", func(t *testing.T) []byte { t.Helper(); return xzBytes(t, plain) }, false},
		{"bundle.tar.zst", func(t *testing.T) []byte { t.Helper(); return zstdBytes(t, plain) }, false},
		{"bundle.tar.bz2", func(t *testing.T) []byte { t.Helper(); return bzip2Bytes(t, plain) }, false},
		{"bundle.zip on stdin", func(t *testing.T) []byte { t.Helper(); return repackZip(t, tree, names) }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := tt.data(t)
			var got triageOut
			if tt.stdin {
				got = triageJSON(t, "-", data)
			} else {
				p := filepath.Join(dir, tt.name)
				if err := os.WriteFile(p, data, 0o644); err != nil {
					t.Fatal(err)
				}
				got = triageJSON(t, p, nil)
			}
			if !reflect.DeepEqual(got.Findings, want.Findings) {
				t.Errorf("findings:\n got  %+v\n want %+v", got.Findings, want.Findings)
			}
			if !reflect.DeepEqual(got.Files, want.Files) {
				t.Errorf("files:\n got  %+v\n want %+v", got.Files, want.Files)
			}
		})
	}
}

// TestTriageRefusedArchives: 7z and RAR are named on stderr and in the
// report as skipped, with what to do. As for any skipped input, triage
// goes on (status 0, when other inputs hold evidence) unless --strict.
func TestTriageRefusedArchives(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string]string{
		"x.7z":  "7z\xbc\xaf\x27\x1c\x00\x04 the rest of a 7z archive",
		"x.rar": "Rar!\x1a\x07\x01\x00 the rest of a RAR 5 archive",
	} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, name)
			if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
			format := map[string]string{"x.7z": "7z archive", "x.rar": "RAR archive"}[name]
			msg := p + ": skipped: " + format + ": not supported; unpack it and give the folder"
			// Alone, it leaves nothing to analyse: status 1, the format
			// named; beside readable input it is reported as skipped.
			code, out, stderr := runIn(t, "", "triage", "-f", "json", p)
			if code != exitError || !strings.Contains(stderr, "maestro-analyze: "+msg+"\n") || out != "" {
				t.Errorf("status %d, stdout %q, stderr %q", code, out, stderr)
			}
			code, out, stderr = runIn(t, "", "triage", "-f", "json", p, "../../samples/syncstat.txt")
			if code != exitOK || !strings.Contains(stderr, "maestro-analyze: "+msg+"\n") {
				t.Errorf("beside a syncstat: status %d, stderr %q", code, stderr)
			}
			var r triageOut
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(r.Skipped, []string{msg}) || len(r.Files) != 1 {
				t.Errorf("skipped %q, files %+v", r.Skipped, r.Files)
			}
			code, _, stderr = runIn(t, "", "--strict", "triage", p)
			if code != exitError || !strings.Contains(stderr, msg) {
				t.Errorf("--strict: status %d, stderr %q", code, stderr)
			}
		})
	}
}
