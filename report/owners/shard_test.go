package owners

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/parse"
	"github.com/maestro-analyze/maestro-analyze/report"
	"github.com/maestro-analyze/maestro-analyze/samples/sim"
	"github.com/maestro-analyze/maestro-analyze/samples/sim/simtest"
)

// auditJSON is the JSON audit of the inputs with parts partitions, read in
// chunks of chunk bytes taken into shards (serially when chunk is 0), and
// how many chunks were.
func auditJSON(t *testing.T, parts int, chunk int64, args ...string) (string, int) {
	t.Helper()
	if chunk > 0 {
		defer parse.SplitTuning(1, chunk)()
	}
	f := report.NewFeed(report.Context{Layout: decode.DefaultLayout}, report.FeedOptions{})
	b := New(f, 0, 0)
	b.tab = newConnTables(parts)
	b.Grow(100)
	if _, err := f.Walk(args, nil, parse.DefaultLimits()); err != nil {
		t.Fatal(err)
	}
	r := b.Report()
	var out bytes.Buffer
	if err := report.WriteJSON(&out, r); err != nil {
		t.Fatal(err)
	}
	return out.String(), f.ShardedChunks()
}

// TestShardsMatchSerial: the audit of dumps read in chunks, taken into
// shards and applied by partition goroutines, is the serial one, whatever
// the number of partitions.
func TestShardsMatchSerial(t *testing.T) {
	cfg := sim.DefaultConfig()
	cfg.Conns, cfg.Seed, cfg.BadLines, cfg.AtRiskPct = 1500, 7, 4, 20
	dir, _ := simtest.Dir(t, cfg)
	for _, args := range [][]string{
		{filepath.Join(dir, "fwtab-all.txt")},
		{filepath.Join(dir, "sgm-1_01", "fwtab.txt@1_01"), filepath.Join(dir, "sgm-2_02", "fwtab.txt@2_02")},
		{dir},
		{"../../samples/switchover"},
	} {
		want, _ := auditJSON(t, 1, 0, args...)
		for _, parts := range []int{1, 2, 3} {
			for _, chunk := range []int64{4 << 10, 32 << 10} {
				got, n := auditJSON(t, parts, chunk, args...)
				if n == 0 {
					t.Errorf("%v, %d partitions, chunks of %d: no chunk was taken into shards", args, parts, chunk)
				}
				if got != want {
					t.Errorf("%v, %d partitions, chunks of %d: the audit differs from the serial one", args, parts, chunk)
				}
			}
		}
	}
}

// TestSizeFromFirstChunk: the table is sized from the first chunk's
// entries per byte, never above n/420 connections, and from n/420 when
// records come one at a time.
func TestSizeFromFirstChunk(t *testing.T) {
	f := report.NewFeed(report.Context{Layout: decode.DefaultLayout}, report.FeedOptions{})
	for _, c := range []struct {
		entries int
		bytes   int64
		want    int // connections the table must hold without doubling
		most    int // slots it may have at most
	}{
		{7000, 4 << 20, 1_792_000, slotsFor(2_000_000)},                     // 1 GiB with links: 599 bytes a connection
		{0, 0, 1 << 30 / 420, slotsFor(1<<30/420*129/128 + 8192)},           // one record at a time: n/420
		{20000, 4 << 20, 1 << 30 / 420, slotsFor(1<<30/420*129/128 + 8192)}, // denser than an entry: n/420 still
	} {
		b := New(f, 0, 0)
		b.tab = newConnTables(1)
		b.GrowForBytes(1 << 30)
		if n := len(b.tab.parts[0].slots); n > 16 {
			t.Fatalf("the table was sized (%d slots) before the first records", n)
		}
		b.size(c.entries, c.bytes)
		slots := len(b.tab.parts[0].slots)
		if slots*maxLoad/8 < c.want || slots > c.most {
			t.Errorf("%d entries in %d bytes: %d slots, want room for %d connections in at most %d", c.entries, c.bytes, slots, c.want, c.most)
		}
		b.size(1, 1) // once only
		if len(b.tab.parts[0].slots) != slots {
			t.Errorf("sized again")
		}
	}
}
