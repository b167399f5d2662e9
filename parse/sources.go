package parse

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"

	"github.com/maestro-analyze/maestro-analyze/decode"
)

// Source is one input: a file named on the command line or found in a
// folder, stdin, or a member of an archive in one of those; and, when
// known, the SGM whose output it holds and the rule that said so.
type Source struct {
	Path string     // the file as named on the command line or found in a folder; "-" for stdin
	Name string     // the name in positions, escaped with QuoteName: "<stdin>", a path, "a.tgz!b.tgz!1_02/fwtab.txt"
	SGM  decode.SGM // zero when not known from the command line or the name
	Rule string     // RuleCommandLine, RuleFileName or ""
}

// SGM attribution rules, as reports name them.
const (
	RuleCommandLine = "command line (FILE@SGM)"
	RuleFileName    = "file name"
	RuleHeader      = "header line"
)

// sgmInName finds an SGM id such as 1_03 in a path: not part of a longer
// number, so "2025_10_01" does not match.
var sgmInName = regexp.MustCompile(`(?:^|[^0-9])([1-9])_([0-9]{1,2})(?:[^0-9]|$)`)

// SGMFromName returns the SGM named in a path (`sgm-1_03.txt`,
// `1_03/fwtab.txt`, `diag.tgz!1_03/fwtab.txt`); the last match wins, as the
// file name is more specific than its folders and archives.
func SGMFromName(path string) (decode.SGM, bool) {
	m := sgmInName.FindAllStringSubmatch(filepath.ToSlash(path), -1)
	if len(m) == 0 {
		return decode.SGM{}, false
	}
	last := m[len(m)-1]
	s, err := decode.ParseSGM(last[1] + "_" + last[2])
	return s, err == nil
}

// SplitArg splits a command-line argument "FILE@1_03" into the path and
// the SGM it names (and RuleCommandLine); other arguments come back whole.
func SplitArg(a string) (path string, sgm decode.SGM, rule string) {
	if i := strings.LastIndexByte(a, '@'); i > 0 {
		if s, err := decode.ParseSGM(a[i+1:]); err == nil {
			return a[:i], s, RuleCommandLine
		}
	}
	return a, decode.SGM{}, ""
}

// named sets the SGM of src from raw, its unescaped name, unless the
// command line named it.
func named(src Source, raw string) Source {
	if src.Rule == RuleCommandLine {
		return src
	}
	src.SGM, src.Rule = decode.SGM{}, ""
	if s, ok := SGMFromName(raw); ok {
		src.SGM, src.Rule = s, RuleFileName
	}
	return src
}

// Walk reads every input the command-line arguments name and calls fn with
// a [Reader] over each text it finds, one at a time, in a deterministic
// order:
//
//   - "-", or no arguments at all, is stdin;
//   - "FILE@1_03" names the SGM of FILE and of everything in it;
//   - a folder stands for every file under it, recursively, in lexical
//     order (symbolic links and special files are skipped, not followed);
//   - gzip, xz, zstd, bzip2, tar and zip are recognized by content, not by
//     name, and opened as they are read, nested in any order up to
//     [Limits.MaxDepth] levels (a .gz in a .tar in a .tgz, a .tgz in a
//     .zip): nothing is unpacked to disk or read whole into memory, except
//     that a zip archive inside another archive or on stdin is copied to a
//     private temporary file first (a zip is read from its end), within
//     [Limits.MaxDecompressed]. 7z and RAR archives are recognized and
//     skipped: unpack them first. Archive members are named
//     "archive!member" in positions ("a.tgz!b.zip!1_02/fwtab.txt"), and the
//     SGM in a member's path ("1_03/fwtab.txt") names the SGM of its
//     records unless FILE@SGM did;
//   - a named pipe (FIFO), a device or a socket named on the command line
//     is not opened but reported as a [Skipped] entry, unless
//     [Limits.AllowDevices]: opening a FIFO waits for a writer, and a
//     device may never end. What is read of stdin, when it is not a
//     regular file, and of an allowed FIFO or device, stops after
//     [Limits.MaxDecompressed] bytes (/dev/zero never ends);
//   - text in UTF-16 with a byte-order mark is read as UTF-8.
//
// Archive members that are links, devices or pipes, or whose paths are
// absolute or contain "..", are skipped, and so are encrypted zip members
// and those in a zip method not read (Store, Deflate, bzip2, zstd and xz
// are). opt bounds what is read of each input (each file and stdin). What
// Walk skips or stops reading (a limit reached, a truncated archive, a
// read error) is returned as [Skipped] entries, in order, and the walk
// goes on with the next input: the lines read before count. A read error of the Reader ([Reader.Err]) is reported
// that way whether fn returns it or not.
//
// The Reader is valid only during the call to fn. The error is fatal: an
// argument that does not exist (checked before any input is read), or an
// error fn returned, which stops the walk.
func Walk(args []string, stdin io.Reader, opt Limits, fn func(src Source, r *Reader) error) ([]Skipped, error) {
	if len(args) == 0 {
		args = []string{"-"}
	}
	type top struct {
		src  Source
		mode fs.FileMode // the type bits, symbolic links followed
	}
	tops := make([]top, 0, len(args))
	for _, a := range args {
		path, sgm, rule := SplitArg(a)
		if path == "-" {
			tops = append(tops, top{src: Source{Path: "-", Name: StdinName, SGM: sgm, Rule: rule}})
			continue
		}
		st, err := os.Stat(path)
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return nil, fmt.Errorf("%s: %w", QuoteName(path), err)
		}
		tops = append(tops, top{src: Source{Path: path, Name: QuoteName(path), SGM: sgm, Rule: rule}, mode: st.Mode().Type()})
	}
	w := &walker{lim: opt.withDefaults(), fn: fn}
	for _, t := range tops {
		var err error
		switch {
		case t.src.Path == "-":
			if stdin == nil {
				stdin = strings.NewReader("")
			}
			in := stdin
			if isStream(in) {
				in = &streamReader{r: in, left: w.lim.MaxDecompressed, limit: w.lim.MaxDecompressed}
			}
			err = w.input(t.src, "-", in)
		case t.mode.IsDir():
			err = w.folder(t.src)
		case t.mode.IsRegular() || w.lim.AllowDevices:
			err = w.file(t.src, t.src.Path)
		default:
			w.add(Skipped{Name: t.src.Name, Reason: "skipped: " + refused(t.mode)})
		}
		if err != nil {
			return w.skipped, err
		}
	}
	return w.skipped, nil
}

// folder reads every file under the folder of root, in lexical order.
func (w *walker) folder(root Source) error {
	dir := root.Path
	if st, err := os.Lstat(dir); err == nil && st.Mode()&fs.ModeSymlink != 0 {
		dir += string(filepath.Separator) // named on the command line: follow it
	}
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		name := QuoteName(p)
		if err != nil {
			w.add(Skipped{Name: name, Reason: "skipped: " + pathErr(err)})
			return nil
		}
		switch t := d.Type(); {
		case t.IsDir():
			return nil
		case t.IsRegular():
			return w.file(Source{Path: p, Name: name, SGM: root.SGM, Rule: root.Rule}, p)
		default:
			w.add(Skipped{Name: name, Reason: "skipped: " + fileType(t)})
			return nil
		}
	})
}

// file reads the file at p, named by src: a regular file, or with
// [Limits.AllowDevices] a FIFO or a device, read within
// [Limits.MaxDecompressed] bytes as it may never end.
func (w *walker) file(src Source, p string) error {
	src = named(src, p)
	f, err := openFile(p, w.lim.AllowDevices)
	if err != nil {
		w.add(Skipped{Name: src.Name, Reason: "skipped: " + pathErr(err)})
		return nil
	}
	defer f.Close()
	st, err := f.Stat()
	regular := err == nil && st.Mode().IsRegular()
	switch {
	case regular:
		w.plain, w.path = &splitSource{f: f, size: st.Size(), progress: w.lim.Progress}, p
		defer func() { w.plain, w.path = nil, "" }()
	case err == nil && !st.IsDir() && !w.lim.AllowDevices:
		// Replaced by a FIFO or a device since it was listed.
		w.add(Skipped{Name: src.Name, Reason: "skipped: " + refused(st.Mode().Type())})
		return nil
	}
	var r io.Reader = f
	if w.lim.Progress != nil {
		r = progressReader{f, w.lim.Progress}
	}
	if !regular {
		r = &streamReader{r: r, left: w.lim.MaxDecompressed, limit: w.lim.MaxDecompressed}
	}
	return w.input(src, p, r)
}

// openFile opens the file at p for reading. Unless devices are allowed it
// opens it without blocking: p was a regular file when it was listed, and
// should it have become a FIFO since, a blocking open would wait for a
// writer forever (the caller checks the type of what it opened). An
// allowed FIFO is opened as usual, waiting for its writer.
func openFile(p string, allowDevices bool) (*os.File, error) {
	if allowDevices {
		return os.Open(p)
	}
	return os.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}

// refused says why a FIFO, a device or a socket named by path is not read
// without [Limits.AllowDevices].
func refused(t fs.FileMode) string {
	return fileType(t) + ": not read; give it as stdin (-) or pass --allow-devices"
}

// streamReader reads an input that is not a regular file (stdin, a FIFO,
// a device), which may never end, and fails with a *limitError once more
// than limit bytes have been read of it.
type streamReader struct {
	r     io.Reader
	left  int64
	limit int64
}

// Read implements io.Reader.
func (s *streamReader) Read(p []byte) (int, error) {
	if s.left < 0 {
		return 0, &limitError{limit: s.limit, stream: true}
	}
	if int64(len(p)) > s.left+1 {
		p = p[:s.left+1] // one byte more tells "exactly the limit" from "over"
	}
	n, err := s.r.Read(p)
	if int64(n) > s.left {
		n, s.left = int(s.left), -1
		return n, &limitError{limit: s.limit, stream: true}
	}
	s.left -= int64(n)
	return n, err
}

// isStream reports whether r is not known to be a regular file: stdin
// redirected from a file is one, a pipe or a terminal is not.
func isStream(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return true
	}
	st, err := f.Stat()
	return err != nil || !st.Mode().IsRegular()
}

// progressReader reports the bytes read through it.
type progressReader struct {
	r  io.Reader
	fn func(int)
}

func (p progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if n > 0 {
		p.fn(n)
	}
	return n, err
}

// pathErr is err without the operation and path of a *fs.PathError.
func pathErr(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// fileType names a file type that is not read.
func fileType(t fs.FileMode) string {
	switch {
	case t&fs.ModeSymlink != 0:
		return "symbolic link (not followed)"
	case t&fs.ModeNamedPipe != 0:
		return "named pipe (fifo)"
	case t&fs.ModeSocket != 0:
		return "socket"
	case t&fs.ModeCharDevice != 0:
		return "character device"
	case t&fs.ModeDevice != 0:
		return "block device"
	}
	return "not a regular file"
}

// maestroHost matches the SGM part of a Maestro host name such as
// "gw-ch01-02" (site 1, member 2) [assumed: the usual naming].
var maestroHost = regexp.MustCompile(`ch0?([1-9])-0?([0-9]{1,2})$`)

// SGMFromHostname returns the SGM a Maestro host name names
// ("gw-ch01-02" is 1_02) [assumed: the usual naming].
func SGMFromHostname(host string) (decode.SGM, bool) {
	m := maestroHost.FindStringSubmatch(host)
	if m == nil {
		return decode.SGM{}, false
	}
	s, err := decode.ParseSGM(m[1] + "_" + m[2])
	return s, err == nil
}
