package sim

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// TestShippedSamplesUpToDate regenerates the samples the README documents
// and compares them with the committed ones, so that a change to the
// simulator cannot leave stale samples (and stale truths) behind:
//
//	go run ./samples/gen -out samples/switchover -conns 40 -seed 3
//	go run ./samples/gen -out samples/bundle -conns 40 -seed 3 -capture-only 12 -only bundle
func TestShippedSamplesUpToDate(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Conns, cfg.Seed = 40, 3
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := s.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	for _, f := range s.Files() {
		got, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join("..", "switchover", f))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("samples/switchover/%s is stale: regenerate it", f)
		}
	}
	// The bundle's capture also names connections no dump holds.
	cfg.CaptureOnly = 12
	bs, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var tgz, truth bytes.Buffer
	bt, err := bs.WriteBundle(&tgz)
	if err != nil {
		t.Fatal(err)
	}
	if err := bt.Write(&truth); err != nil {
		t.Fatal(err)
	}
	wantTruth, err := os.ReadFile("../bundle/bundle-truth.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(truth.Bytes(), wantTruth) {
		t.Error("samples/bundle/bundle-truth.json is stale: regenerate it")
	}
	// Compare the tar inside, not the gzip bytes, which depend on the
	// compressor's version.
	gunzip := func(b []byte) []byte {
		t.Helper()
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		out, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	wantTgz, err := os.ReadFile("../bundle/bundle.tgz")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(gunzip(tgz.Bytes()), gunzip(wantTgz)) {
		t.Error("samples/bundle/bundle.tgz is stale: regenerate it")
	}
}
