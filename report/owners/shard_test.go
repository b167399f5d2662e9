package owners

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
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

// serverFirstDumps writes the dumps of two SGMs, sgm-1_01.txt and
// sgm-2_01.txt in dir, of conns connections whose client address is above
// the server's, so that each is shown reversed from its canonical tuple:
// a full entry and a link line each, SGM 1_01 about to expire them.
func serverFirstDumps(t *testing.T, dir string, conns int) []string {
	t.Helper()
	const vals = "0001c001, 40044080, 00000022, 0000000b, 00000000, 68daeedb, 00000000, 9fb2ce04, 07928306, 00000033, ffffffff, ffffffff, ffffffff, 02000000, 000f9280, 80000000, 00000340, 00000000, 14044eb4, 00007fc6"
	var paths []string
	for sgm, rem := range map[string]func(i int) int{"1_01": func(i int) int { return 10 + i%500 }, "2_01": func(int) int { return 3500 }} {
		var b strings.Builder
		b.WriteString("localhost:\n-------- connections --------\n")
		for i := range conns {
			client, server, sport := 0xc0a80000+uint32(i), uint32(0x0a000001+i%7), 1024+i
			fmt.Fprintf(&b, "<00000000, %08x, %08x, %08x, 000001bb, 00000006; %s; 00000001 ; %d/3600>\n", client, sport, server, vals, rem(i))
			fmt.Fprintf(&b, "<00000001, %08x, 000001bb, %08x, %08x, 00000006> -> <00000000, %08x, %08x, %08x, 000001bb, 00000006> (00000005)\n", server, client, sport, client, sport, server)
		}
		p := filepath.Join(dir, "sgm-"+sgm+".txt")
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p+"@"+sgm)
	}
	slices.Sort(paths)
	return paths
}

// TestShardsMatchSerialReversed: connections shown the other way round
// from their canonical tuple (the entry's direction-0 key fixes how) come
// out the same from shards as from the serial read.
func TestShardsMatchSerialReversed(t *testing.T) {
	args := serverFirstDumps(t, t.TempDir(), 600)
	want, _ := auditJSON(t, 1, 0, args...)
	if !strings.Contains(want, `"src": "192.168.0.`) || strings.Contains(want, `"src": "10.0.0.`) {
		t.Fatalf("the serial audit does not show the connections client first:\n%.2000s", want)
	}
	for _, parts := range []int{1, 2} {
		got, n := auditJSON(t, parts, 8<<10, args...)
		if n == 0 {
			t.Errorf("%d partitions: no chunk was taken into shards", parts)
		}
		if got != want {
			t.Errorf("%d partitions: the audit differs from the serial one", parts)
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
