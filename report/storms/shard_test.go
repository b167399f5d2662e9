package storms

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/parse"
	"github.com/maestro-analyze/maestro-analyze/report"
	"github.com/maestro-analyze/maestro-analyze/samples/sim"
)

// stormsJSON is the JSON report of storms and pstat over the files, read
// in chunks of chunk bytes (taken into shards), or serially when chunk is 0.
func stormsJSON(t *testing.T, chunk int64, files ...string) (string, int) {
	t.Helper()
	if chunk > 0 {
		defer parse.SplitTuning(1, chunk)()
	}
	f := report.NewFeed(report.Context{Layout: decode.DefaultLayout}, report.FeedOptions{})
	b := New(f, DefaultOptions())
	ps := NewPstat(f)
	if _, err := f.Walk(files, nil, parse.Limits{}); err != nil {
		t.Fatal(err)
	}
	r := b.Report()
	ps.Fill(r)
	var out bytes.Buffer
	if err := report.WriteJSON(&out, r); err != nil {
		t.Fatal(err)
	}
	return out.String(), f.ShardedChunks()
}

// TestShardsMatchSerial: the report of a capture read in chunks taken
// where they are parsed is the serial one, byte for byte.
func TestShardsMatchSerial(t *testing.T) {
	dir := t.TempDir()
	var files []string
	for i, cfg := range []sim.Config{sim.DefaultConfig(), sim.QuietConfig(),
		func() sim.Config {
			c := sim.DefaultConfig()
			c.Conns, c.Waves, c.After, c.Seed = 1500, 4, sim.StateDown, 11
			return c
		}()} {
		s, err := sim.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := s.WriteKdebug(&buf); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, "kdebug"+string(rune('a'+i))+".txt")
		if err := os.WriteFile(p, buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	// The shipped samples too: a folder with dumps, dxl and a capture.
	files = append(files, "../../samples/switchover", "../../samples/syncstat.txt")
	for _, in := range append([][]string{files}, [][]string{{files[0]}, {files[1]}, {files[2]}}...) {
		want, _ := stormsJSON(t, 0, in...)
		for _, chunk := range []int64{4 << 10, 64 << 10} {
			got, n := stormsJSON(t, chunk, in...)
			if n == 0 {
				t.Errorf("%v in chunks of %d: no chunk was taken into shards", in, chunk)
			}
			if got != want {
				t.Errorf("%v in chunks of %d: the report differs from the serial one\n%s", in, chunk, firstLineDiff(want, got))
			}
		}
	}
}

func firstLineDiff(a, b string) string {
	al, bl := bytes.Split([]byte(a), []byte("\n")), bytes.Split([]byte(b), []byte("\n"))
	for i := range max(len(al), len(bl)) {
		var x, y []byte
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if !bytes.Equal(x, y) {
			return "line " + string(rune('0'+i%10)) + ":\nserial: " + string(x) + "\nshards: " + string(y)
		}
	}
	return ""
}

// TestShardsRefuseManyOps: a chunk with more op names than a shard keeps
// is refused where its sync lines are taken as fields (shard.AddSync), and
// read again the serial way: the report is still the serial one.
func TestShardsRefuseManyOps(t *testing.T) {
	var b bytes.Buffer
	for i := range 3000 {
		fmt.Fprintf(&b, "@;%d;[vs_0];[tid_1];[fw4_1];OP%d: connections (8158) keys(6)=<0,a845cea,%x,ac102381,1bb,6> "+
			"vals(15)=<1,2,3,4,5,6,7,8,9,a,b,c,d,2000800,f> sync_mask=[0x0002800b] refresh time=3602 aggressive time=518 ttl=0;\n",
			500000+i*1000, i%(maxOps+6), i&0xffff)
	}
	p := filepath.Join(t.TempDir(), "ops.txt")
	if err := os.WriteFile(p, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	want, _ := stormsJSON(t, 0, p)
	got, _ := stormsJSON(t, 64<<10, p)
	if got != want {
		t.Errorf("the report differs from the serial one\n%s", firstLineDiff(want, got))
	}
	if !strings.Contains(want, `"OTHER"`) {
		t.Errorf("no OTHER count: the test does not pass maxOps")
	}
}
