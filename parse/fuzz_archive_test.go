package parse

import (
	"archive/tar"
	"bytes"
	"errors"
	"strings"
	"testing"
)

// FuzzArchive feeds arbitrary bytes to Walk as an input (on stdin: after
// its first buffer a file and stdin are read alike), under small limits:
// no panic, no fatal error, every line accounted for, every name and
// message free of control characters, and no more texts and entries than
// the limits allow.
func FuzzArchive(f *testing.F) {
	text := lines("localhost:", fwLine, syncLine, badLine)
	f.Add([]byte(text))
	f.Add(gz(f, []byte(text)))
	f.Add(tarOf(f, member{name: "1_01/fwtab.txt", body: text}, member{name: "l", typ: tar.TypeSymlink, link: "/etc/passwd"}))
	f.Add(tgz(f, member{name: "../x", body: text}, member{name: "y.gz", body: string(gz(f, []byte(text)))}))
	f.Add(tgz(f, member{name: "b.tgz", body: string(tgz(f, member{name: "1_02/fwtab.txt", body: text}))}))
	f.Add(encodeUTF16("\ufeff"+text, false))
	f.Add(gz(f, encodeUTF16("\ufeff"+text, true)))
	full := gz(f, []byte(text))
	f.Add(full[:len(full)-10])
	f.Add(bomb(f, 2))
	f.Add(zipOf(f, member{name: "1_01/fwtab.txt", body: text}, member{name: "l", typ: tar.TypeSymlink, link: "/etc/passwd"}, member{name: "../x", body: text}))
	f.Add(tgz(f, member{name: "a.zip", body: string(zipOf(f, member{name: "b.tgz", body: string(tgz(f, member{name: "1_02/fwtab.txt", body: text}))}))}))
	f.Add(xzOf(f, tarOf(f, member{name: "1_01/fwtab.txt", body: text}, member{name: "y.zst", body: string(zstdOf(f, []byte(text)))})))
	f.Add(zstdOf(f, tarOf(f, member{name: "1_03/fwtab.txt", body: text})))
	f.Add(bzip2Fixture(f))
	f.Add([]byte("7z\xbc\xaf\x27\x1c\x00\x04"))
	f.Add([]byte("Rar!\x1a\x07\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lim := Limits{MaxDepth: 3, MaxDecompressed: 1 << 20, MaxMembers: 32, MaxLineLen: 4096}
		texts := 0
		skipped, err := Walk([]string{"-"}, bytes.NewReader(data), lim, func(src Source, r *Reader) error {
			texts++
			if !strings.HasPrefix(src.Name, StdinName) || QuoteName(src.Name) != src.Name {
				t.Fatalf("text named %q", src.Name)
			}
			for r.Scan() {
				if _, err := r.Record(); err != nil {
					var se *SyntaxError
					if !errors.As(err, &se) || se.Pos.Name != src.Name {
						t.Fatalf("error %v (%T)", err, err)
					}
				}
			}
			s := r.Stats()
			if s.RecognizedLines()+s.IgnoredLines()+s.RejectedLines() != s.Lines {
				t.Fatalf("%s: accounting: %d + %d + %d != %d", src.Name, s.RecognizedLines(), s.IgnoredLines(), s.RejectedLines(), s.Lines)
			}
			return r.Err()
		})
		if err != nil {
			t.Fatalf("fatal error %v", err)
		}
		if texts > lim.MaxMembers+1 {
			t.Fatalf("%d texts with MaxMembers %d", texts, lim.MaxMembers)
		}
		if len(skipped) > maxSkippedPerInput+2 {
			t.Fatalf("%d skipped entries", len(skipped))
		}
		for _, s := range skipped {
			if m := s.String(); !strings.HasPrefix(m, StdinName) || QuoteName(m) != m || s.Reason == "" {
				t.Fatalf("skipped entry %q", m)
			}
		}
	})
}
