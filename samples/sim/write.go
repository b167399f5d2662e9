package sim

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// File names inside the output directory.
const (
	FileFwTab    = "fwtab.txt"     // in sgm-<sgm>/
	FileGconn    = "gconn.txt"     // in sgm-<sgm>/
	FileFwTabAll = "fwtab-all.txt" // g_all form of every fw tab dump
	FileKdebug   = "kdebug.txt"
	FileDxl      = "dxl.txt"
	FileTruth    = "truth.json"
)

// SGMFile is the relative path of a per-SGM file: "sgm-1_01/fwtab.txt".
func SGMFile(id int, name string) string { return "sgm-" + SGMName(id) + "/" + name }

// Kinds are the file kinds [Scenario.WriteKind] accepts.
var Kinds = []string{"fwtab", "gconn", "fwtab-all", "kdebug", "dxl", "truth"}

// WriteDir writes every file of the scenario into dir (created if needed).
// The kernel debug is written before truth.json, whose statistics it
// provides.
func (s *Scenario) WriteDir(dir string) error {
	for _, k := range Kinds {
		if err := s.WriteKind(dir, k); err != nil {
			return err
		}
	}
	return nil
}

// WriteKind writes the files of one kind (see [Kinds]) into dir: "fwtab"
// and "gconn" write one file per dumping SGM, the others one file.
func (s *Scenario) WriteKind(dir, kind string) error {
	switch kind {
	case "fwtab", "gconn":
		for _, id := range s.DumpSGMs {
			name, wr := FileFwTab, s.WriteFwTab
			if kind == "gconn" {
				name, wr = FileGconn, s.WriteGconn
			}
			sgm := SGMName(id)
			if err := writeFile(dir, SGMFile(id, name), func(w io.Writer) error { return wr(w, sgm) }); err != nil {
				return err
			}
		}
		return nil
	case "fwtab-all":
		return writeFile(dir, FileFwTabAll, s.WriteFwTabAll)
	case "kdebug":
		return writeFile(dir, FileKdebug, s.WriteKdebug)
	case "dxl":
		return writeFile(dir, FileDxl, s.WriteDxl)
	case "truth":
		return writeFile(dir, FileTruth, s.WriteTruth)
	}
	return fmt.Errorf("unknown file kind %q (want one of %v)", kind, Kinds)
}

func writeFile(dir, rel string, write func(io.Writer) error) (err error) {
	path := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	if err := write(f); err != nil {
		return fmt.Errorf("%s: %w", rel, err)
	}
	return nil
}
