package parse

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/maestro-analyze/maestro-analyze/samples/sim"
)

// benchLines is the number of lines per benchmark input.
const benchLines = 20000

// benchInput builds benchLines lines from a line maker.
func benchInput(line func(i int) string) []byte {
	var b bytes.Buffer
	for i := range benchLines {
		b.WriteString(line(i))
		b.WriteByte('\n')
	}
	return b.Bytes()
}

func benchRead(b *testing.B, data []byte) {
	b.Helper()
	b.Run("fast", func(b *testing.B) { benchReadWith(b, data, true, 0, 0) })
	b.Run("full", func(b *testing.B) { benchReadWith(b, data, false, 0, 0) })
	b.Run("fast-14words", func(b *testing.B) { benchReadWith(b, data, true, 14, 0) })
	b.Run("full-14words", func(b *testing.B) { benchReadWith(b, data, false, 14, 0) })
	// As storms and owners read: the owner word alone, the words before it
	// checked, not decoded.
	b.Run("fast-owner", func(b *testing.B) { benchReadWith(b, data, true, 14, 13) })
	b.Run("full-owner", func(b *testing.B) { benchReadWith(b, data, false, 14, 13) })
}

// benchSyncSink is the read of a capture as storms reads its chunks: the
// sync lines as fields (ScanSinks).
func benchSyncSink(b *testing.B, data []byte) {
	b.Helper()
	b.Run("sink-owner", func(b *testing.B) {
		var c countSink
		benchSinkWith(b, data, true, 14, 13, nil, &c)
		if c == 0 {
			b.Fatal("the sink took no line")
		}
	})
}

// benchReadWith reads data with the fast paths on or off, decoding words
// value words (0: all) but the first skip.
func benchReadWith(b *testing.B, data []byte, fast bool, words, skip int) {
	b.Helper()
	benchSinkWith(b, data, fast, words, skip, nil, nil)
}

// benchSinkWith is benchReadWith through ScanSinks and the sinks (Scan
// when both are nil).
func benchSinkWith(b *testing.B, data []byte, fast bool, words, skip int, sink FwTabSink, sy SyncSink) {
	b.Helper()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r := NewReader(bytes.NewReader(data), "bench")
		r.SetFastPaths(fast)
		r.SetValueWords(words)
		r.SetSkipWords(skip)
		for r.ScanSinks(sink, sy) {
			if _, err := r.Record(); err != nil {
				b.Fatal(err)
			}
		}
		if r.Err() != nil {
			b.Fatal(r.Err())
		}
	}
}

func BenchmarkReaderFwTab(b *testing.B) {
	benchRead(b, fwTabBenchInput())
	// As owners reads in chunks: the lines as fields (ScanSinks).
	b.Run("sink-owner", func(b *testing.B) {
		var c countSink
		benchSinkWith(b, fwTabBenchInput(), true, 14, 13, &c, nil)
		if c == 0 {
			b.Fatal("the sink took no line")
		}
	})
}

// fwTabBenchInput is a dump of full entries and link lines, one each in
// turn.
func fwTabBenchInput() []byte {
	return benchInput(func(i int) string {
		if i%2 == 1 {
			return fmt.Sprintf("<00000001, ac103d02, 000000b3, ac103d42, %08x, 00000006> -> <00000000, ac103d42, %08x, ac103d02, 000000b3, 00000006> (00000005)", i&0xffff, i&0xffff)
		}
		return fmt.Sprintf("<00000000, ac103d42, %08x, ac103d02, 000000b3, 00000006; 0001c001, 40044080, 0000000f, 0000000b, 00000000, 68da50ae, 00000000, 412afd3c, e6fc6e36, 00000054, ffffffff, ffffffff, ffffffff, 02008000, 000f9280, 80000000, 00000340, 00000000, 06f31308, 00007fac, 00000000, 00000000, 00000000, 00000000, 00000000, 00000000, 00000000, 00000000, 00000000, 00000000, 00000000, 00000000, 00000000, 00000000; 00000001 ; 3394/3618>", i&0xffff)
	})
}

func BenchmarkReaderSync(b *testing.B) {
	data := benchInput(func(i int) string {
		return fmt.Sprintf("@;%d;[vs_0];[tid_7];[fw4_7];REFRESH: connections (8158) keys(6)=<0,ac103d02,%x,ac103d42,b3,6> vals(34)=<1c001,40044080,f,b,0,68c7d7a2,0,7c718362,c36bddf7,ffffffff,ffffffff,4e,ffffffff,2000800,f9280,80000000,340,0,cec4bb88,7fba,0,0,0,0,0,0,0,0,0,0,0,0,0,0> sync_mask=[0x0001800e] refresh time=3608 aggressive time=509 ttl=0 sync time=1 kmask=0 op_code=0 no n6addrs;", 1000000+i*100, i&0xffff)
	})
	benchRead(b, data)
	benchSyncSink(b, data)
}

func BenchmarkReaderFwTabF(b *testing.B) {
	benchRead(b, benchInput(func(i int) string {
		return fmt.Sprintf("04:18:08 5 N/A 5 10.95.202.22 > N/A LogId: <max_null>; : -----------------------------------(+); Direction: 0; Source: 172.16.61.66; SPort: %d; Dest: 172.16.61.2; DPort: 179; Protocol: tcp; CPTFMT_sep_1: ;; Type: 114689; Rule: 15; Timeout: 11; Handler: 0; Ifncin: 84; Ifncout: -1; Ifnsin: -1; Ifnsout: -1; Bits: 02008000000f9280; Expires: 3394/3618; LastUpdateTime: 30Sep2025 04:18:08; ProductName: VPN-1 & FireWall-1; ProductFamily: Network;", i&0xffff)
	}))
}

func BenchmarkReaderGconn(b *testing.B) {
	benchRead(b, benchInput(func(i int) string {
		return fmt.Sprintf("| 0 | 192.168.3.52 | %d | 192.168.3.240 | 46082 | 6 |FP .. ..| No | 0/0 | 1 | 32 | %d | 0 | UNDEF |", i&0xffff, i%28)
	}))
}

func BenchmarkReaderCorrection(b *testing.B) {
	benchRead(b, benchInput(func(i int) string {
		return fmt.Sprintf("@;%d;[kern];[tid_40];[fw4_0];fwha_ccl_is_stateful_corr_needed: <172.16.61.2(%d) -> 172.16.61.66(31435) IPP6>: chassis 0 is STANDBY in VS0, will not correct;", i, i&0xffff)
	}))
}

func BenchmarkReaderSyncstat(b *testing.B) {
	block := "Delta Sync Statistics\nSync status: OK\nDrops:\nLost updates.................................  0\nLost bulk update events......................  0\nSync at risk:\nSent reject notifications....................  0\nReceived reject notifications................  0\nQueue sizes (num of updates):\nSending queue size...........................  512\nRate.........................................  46000 [Bps]\n"
	benchRead(b, benchInput(func(i int) string {
		lines := strings.Split(strings.TrimSuffix(block, "\n"), "\n")
		return lines[i%len(lines)]
	}))
}

func BenchmarkReaderDxl(b *testing.B) {
	benchRead(b, benchInput(func(i int) string {
		switch i % 3 {
		case 0:
			return fmt.Sprintf("<172.16.61.%d,172.16.61.66,dst_based,%d>", i%250, i%1000)
		case 1:
			return "Chassis 1: Blade(s):1_02,1_04"
		}
		return "Chassis 2: Blade(s):2_02,2_04"
	}))
}

// BenchmarkPipeFile reads a 64 MiB capture file through Walk and Pipe,
// serially and in chunks on every core, and reading only the first 14 value
// words: the throughput storms and owners get from a big plain file.
func BenchmarkPipeFile(b *testing.B) {
	line := benchInput(func(i int) string {
		return fmt.Sprintf("@;%d;[vs_0];[tid_7];[fw4_7];REFRESH: connections (8158) keys(6)=<0,ac103d02,%x,ac103d42,b3,6> vals(34)=<1c001,40044080,f,b,0,68c7d7a2,0,7c718362,c36bddf7,ffffffff,ffffffff,4e,ffffffff,2000800,f9280,80000000,340,0,cec4bb88,7fba,0,0,0,0,0,0,0,0,0,0,0,0,0,0> sync_mask=[0x0001800e] refresh time=3608 aggressive time=509 ttl=0 sync time=1 kmask=0 op_code=0 no n6addrs;", 1000000+i*100, i&0xffff)
	})
	path := filepath.Join(b.TempDir(), "kdebug.txt")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	size := 0
	for size < 64<<20 {
		n, err := f.Write(line)
		if err != nil {
			b.Fatal(err)
		}
		size += n
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		split  bool
		values int
		raw    bool
	}{{"serial", false, 0, false}, {"chunks", true, 0, false}, {"chunks-14-values", true, 14, false},
		{"serial-14-values", false, 14, false}, {"serial-14-values-raw", false, 14, true}, {"chunks-14-values-raw", true, 14, true}} {
		b.Run(c.name, func(b *testing.B) {
			old := splitMin
			if !c.split {
				splitMin = 1 << 62
			}
			defer func() { splitMin = old }()
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				n := 0
				_, err := Walk([]string{path}, nil, Limits{}, func(_ Source, r *Reader) error {
					r.SetValueWords(c.values)
					r.SetKeepRaw(c.raw)
					return Pipe(r, func(_ *Record, err error) error {
						n++
						return err
					})
				})
				if err != nil || n == 0 {
					b.Fatal(n, err)
				}
			}
		})
	}
}

// BenchmarkReaderSyncSim reads a simulated capture: lines whose words vary
// in length as a real capture's do, where the branches of a byte loop are
// not learnt as they are on one line repeated.
func BenchmarkReaderSyncSim(b *testing.B) {
	c := sim.DefaultConfig()
	c.Conns = 20000
	data := simCapture(b, c)
	b.Run("fast-owner", func(b *testing.B) { benchReadWith(b, data, true, 14, 13) })
	b.Run("full-owner", func(b *testing.B) { benchReadWith(b, data, false, 14, 13) })
	benchSyncSink(b, data)
}
