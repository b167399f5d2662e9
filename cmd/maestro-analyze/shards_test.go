package main

import (
	"path/filepath"
	"testing"

	"github.com/maestro-analyze/maestro-analyze/parse"
	"github.com/maestro-analyze/maestro-analyze/samples/sim"
	"github.com/maestro-analyze/maestro-analyze/samples/sim/simtest"
)

// TestShardedOutputs: the commands whose analyses take the chunks of a big
// input where they are parsed (storms, owners, filter) print what the
// general parser with one consumer (--full-parse) prints, byte for byte,
// the inputs cut into many chunks.
func TestShardedOutputs(t *testing.T) {
	cfg := sim.DefaultConfig()
	cfg.Conns, cfg.Seed = 1200, 12
	dir, _ := simtest.Dir(t, cfg)
	kd, all := filepath.Join(dir, "kdebug.txt"), filepath.Join(dir, "fwtab-all.txt")
	defer parse.SplitTuning(1, 16<<10)()
	for _, args := range [][]string{
		{"-f", "json", "storms", kd},
		{"-f", "json", "owners", all, kd},
		{"owners", "--list", dir},
		{"filter", "--owner", "1_02", "-n", kd},
		{"filter", "--owner", "1_01", "-H", all},
		{"filter", "--op", "REFRESH", "-c", "-H", kd, all},
		{"filter", "--owner-site", "2", "-v", kd},
	} {
		code, out, stderr := runIn(t, "", args...)
		fcode, fout, _ := runIn(t, "", append([]string{"--full-parse"}, args...)...)
		if code != fcode || out != fout {
			t.Errorf("%v: status %d, %d bytes; with --full-parse status %d, %d bytes (%s)", args, code, len(out), fcode, len(fout), stderr)
		}
		if len(out) < 10 {
			t.Errorf("%v: %q: nothing to compare", args, out)
		}
	}
}
