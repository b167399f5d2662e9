package parse

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/maestro-analyze/maestro-analyze/decode"
)

// wrapSET is the seed SET line; wrapVals is its vals list.
const (
	wrapPrefix = "@;5;[vs_0];[tid_7];[fw4_7];"
	wrapVals   = "1c001,40044080,f,b,0,68da50ae,0,412afd3c,e6fc6e36,54,ffffffff,ffffffff,ffffffff,2000800,f9280,80000000,340,0,6f31308,7fac,0,0,0,0,0,0,0,0,0,0,0,0,0,0"
	wrapSET    = wrapPrefix + "SET: connections (8158) keys(6)=<0,ac103d02,77d3,ac103d42,b3,6> vals(34)=<" + wrapVals +
		"> sync_mask=[0x0001800e] refresh time=3608 aggressive time=509 ttl=0 sync time=1 kmask=0 op_code=0 no n6addrs;"
	wrapRow    = "| 0 | 192.168.3.53 | 18192 | 192.168.3.240 | 64216 | 6 |FP .. ..| No | 0/0 | 1 | 32 | 15 | 0 | UNDEF |"
	wrapNext   = "| 0 | 0.0.0.0 | 8116 | 192.168.3.53 | 8116 | 17 |FP .. ..| No | 0/0 | 1 | 32 | 1 | 0 | UNDEF |"
	wrapHeader = "| Segm | Src IP | S.port | Dst IP | D.port | Proto | Flags | PP |Ref Cnt(I/O)|Inst|PPAK ID|clstr mem ID|Rec. ref|Rec. Type|"
)

// cut breaks s before its first occurrence of at (after it when after).
func cut(t *testing.T, s, at string, after bool) string {
	t.Helper()
	i := strings.Index(s, at)
	if i < 0 {
		t.Fatalf("%q not in %q", at, s)
	}
	if after {
		i += len(at)
	}
	return s[:i] + "\n" + s[i:]
}

// fold cuts s every w bytes, as a terminal w columns wide does.
func fold(s string, w int) string {
	var b strings.Builder
	for len(s) > w {
		b.WriteString(s[:w])
		b.WriteByte('\n')
		s = s[w:]
	}
	b.WriteString(s)
	return b.String()
}

// wantSET checks that rec is the seed SET, read whole, at line with lines.
func wantSET(t *testing.T, rec Record, op string, line, lines int) {
	t.Helper()
	w, ok := rec.Owner()
	if rec.Kind != KindSync || rec.Op != op || !ok || w != 0x2000800 || !rec.HasMask || rec.Mask != 0x0001800e ||
		len(rec.Vals) != 34 || rec.Vals[33] != 0 || rec.Vals[14] != 0xf9280 || !rec.HasKey ||
		rec.Key.String() != "172.16.61.2:30675 -> 172.16.61.66:179 tcp" || rec.Instance != 7 || !rec.HasTime || rec.Time != 5 {
		t.Errorf("%s: kind %v op %s owner %#x/%v mask %v/%v vals %d %x key %v inst %d time %v",
			rec.Pos, rec.Kind, rec.Op, w, ok, rec.Mask, rec.HasMask, len(rec.Vals), rec.Vals, rec.Key, rec.Instance, rec.Time)
	}
	if rec.Pos.Line != line || rec.Pos.Col != 0 || rec.Lines != lines {
		t.Errorf("position %v over %d lines, want line %d over %d", rec.Pos, rec.Lines, line, lines)
	}
}

// TestWrappedSync reads the seed SET wrapped at every kind of break, after
// an SGM header so that its first line is line 2, and checks it reads as
// the whole line: owner word V13, sync_mask, 34 values, position and span,
// with every physical line counted.
func TestWrappedSync(t *testing.T) {
	refresh := strings.Replace(wrapSET, "SET:", "REFRESH:", 1)
	tests := []struct {
		name, op, text string
		lines          int
	}{
		{"after a comma in vals", "SET", cut(t, wrapSET, "2000800,", true), 2},
		{"before sync_mask", "SET", cut(t, wrapSET, " sync_mask=", false), 2},
		{"after the space before sync_mask", "SET", cut(t, wrapSET, "sync_mask=", false), 2},
		{"before vals", "SET", cut(t, wrapSET, " vals(34)", false), 2},
		{"inside a hex word", "SET", cut(t, wrapSET, "2000", true), 2},
		{"before a comma", "SET", cut(t, wrapSET, "2000800", true), 2},
		{"before the list's '>'", "SET", cut(t, wrapSET, "> sync", false), 2},
		{"inside the vals label", "SET", cut(t, wrapSET, "ls(34)", false), 2},
		{"inside the sync_mask label", "SET", cut(t, wrapSET, "mask=", false), 2},
		{"in the fields after the mask", "SET", cut(t, wrapSET, "ync time", false), 2},
		{"at a space after the mask", "SET", cut(t, wrapSET, " aggressive", false), 2},
		{"before the final ';'", "SET", strings.TrimSuffix(wrapSET, ";") + "\n;", 2},
		{"before keys", "SET", cut(t, wrapSET, "keys(", false), 2},
		{"inside the table name", "SET", cut(t, wrapSET, "nections", false), 2},
		{"inside the key", "SET", cut(t, wrapSET, "ac103d02,", true), 2},
		{"inside sync_mask", "SET", cut(t, wrapSET, "[0x0001", true), 2},
		{"indented continuation", "SET", strings.Replace(cut(t, wrapSET, "2000800,", true), "\n", "\n    ", 1), 2},
		{"CRLF", "SET", strings.ReplaceAll(cut(t, wrapSET, "2000800,", true), "\n", "\r\n"), 2},
		{"three breaks", "SET", cut(t, cut(t, cut(t, wrapSET, "ac103d02,", true), "e6fc6e36,", true), " sync_mask=", false), 4},
		{"80 columns", "SET", fold(wrapSET, 80), 5},
		{"40 columns", "SET", fold(wrapSET, 40), 9},
		{"refresh", "REFRESH", cut(t, refresh, "2000800,", true), 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := "1_01:\n" + tt.text + "\n" + wrapSET + "\n"
			out, recs, r := scanAll(t, in, "t")
			if len(recs) != 3 || len(out) != 3 {
				t.Fatalf("got %v, want sgm-header, sync, sync", out)
			}
			wantSET(t, recs[1], tt.op, 2, tt.lines)
			wantSET(t, recs[2], "SET", 2+tt.lines, 1)
			s := r.Stats()
			if s.Lines != int64(tt.lines+2) || s.Recognized[KindSync] != int64(tt.lines+1) {
				t.Errorf("stats: %d lines, %d sync lines", s.Lines, s.Recognized[KindSync])
			}
			if rec, _ := r.Record(); rec.Lines > 1 && r.Line() != nil {
				t.Errorf("Line() = %q for a joined line", r.Line())
			}
		})
	}
}

// TestWrappedSyncNotJoined covers lines that end open but are not
// continued: the next line is a kernel-debug line, a blank line, a line
// of another format, or the end of the input.
func TestWrappedSyncNotJoined(t *testing.T) {
	del := "[fw4_1];DELETE: connections (8158) keys(6)=<0,1,2,3,4,6>"
	open := wrapPrefix + "SET: connections (8158) keys(6)=<0,ac103d02,77d3,ac103d42,b3,6> vals(34)=<1c001,40044080,"
	badMask := strings.Replace(wrapSET, "0x0001800e", "0xZZ", 1)
	tests := []struct {
		name string
		in   string
		want []got
	}{
		{"delete without vals, then a kernel-debug line", del + "\n" + wrapSET + "\n" + del + "\n" + del,
			[]got{{"sync", 1, ""}, {"sync", 2, ""}, {"sync", 3, ""}, {"sync", 4, ""}}},
		{"delete, then a key-less continuation shape", del + "\n" + "sync_mask=[0x0000000c];\n",
			[]got{{"sync", 1, ""}}},
		{"open list, blank line", open + "\n\n" + strings.TrimPrefix(wrapSET, wrapPrefix) + "\n",
			[]got{{"error", 1, "t:1: vals(34)=<... has no closing '>'"}, {"sync", 3, ""}}}, // the rest reads as a sync line pasted alone
		{"right after sync_mask=", cut(t, wrapSET, "sync_mask=", true), []got{{"sync", 1, ""}, {"kdebug", 2, ""}}},
		{"open list, kernel-debug line", open + "\n" + wrapSET + "\n",
			[]got{{"error", 1, "t:1: vals(34)=<... has no closing '>'"}, {"sync", 2, ""}}},
		{"open list, SGM header", open + "\n1_02:\n",
			[]got{{"error", 1, "t:1: vals(34)=<... has no closing '>'"}, {"sgm-header", 2, ""}}},
		{"open list, fw tab entry", open + "\n<00000000, 0a0d0777, 0000851a, 0a0d0873, 00000016, 00000006; 0001c001; 3597/3600>\n",
			[]got{{"error", 1, "t:1: vals(34)=<... has no closing '>'"}, {"fwtab", 2, ""}}},
		{"open list, end of input", open, []got{{"error", 1, "t:1: vals(34)=<... has no closing '>'"}}},
		{"complete without ';', then an SGM header", strings.TrimSuffix(wrapSET, ";") + "\n1_02:\n",
			[]got{{"sync", 1, ""}, {"sgm-header", 2, ""}}},
		{"complete without ';', then a link", strings.TrimSuffix(wrapSET, ";") + "\n<00000001, 0a0d0873, 00004710, 0a0d0673, 00003af6, 00000006> -> <00000000, 0a0d0673, 00003af6, 0a0d0873, 00004710, 00000006> (00000005)\n",
			[]got{{"sync", 1, ""}, {"fwtab-link", 2, ""}}},
		{"complete without ';', then a dxl line", strings.TrimSuffix(wrapSET, ";") + "\n<172.16.61.2,172.16.61.66,dst_based,318>\n",
			[]got{{"sync", 1, ""}, {"dxl", 2, ""}}},
		{"complete without ';', then a gconn row", strings.TrimSuffix(wrapSET, ";") + "\n" + wrapRow + "\n",
			[]got{{"sync", 1, ""}, {"gconn", 2, ""}}},
		{"open, not continued: columns still point into the line", strings.TrimSuffix(badMask, ";"),
			[]got{{"error", 1, fmt.Sprintf("t:1:%d: sync_mask \"0xZZ\" is not hex", strings.Index(badMask, "0xZZ")+1)}}},
		{"joined, then the count disagrees", cut(t, strings.Replace(wrapSET, "vals(34)", "vals(33)", 1), "2000800,", true),
			[]got{{"error", 1, "t:1: vals(33) announced, 34 words found"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, _, _ := scanAll(t, tt.in, "t")
			if fmt.Sprint(out) != fmt.Sprint(tt.want) {
				t.Errorf("got  %v\nwant %v", out, tt.want)
			}
		})
	}
}

// TestWrappedSyncBounded checks that a continuation that never closes is
// joined over at most maxSyncLines lines, and never past the longest line
// kept; the lines after are read on their own.
func TestWrappedSyncBounded(t *testing.T) {
	open := "SET: connections (8158) keys(6)=<0,ac103d02,77d3,ac103d42,b3,6> vals(99)=<"
	in := open + strings.Repeat("\n0,", 20) + "\n" + wrapSET + "\n"
	out, recs, r := scanAll(t, in, "t")
	if len(out) < 2 || out[0] != (got{"error", 1, "t:1: vals(99)=<... has no closing '>'"}) || len(recs) == 0 {
		t.Fatalf("got %v", out)
	}
	// The lines past the bound are read on their own (what a lone "0,"
	// is, is not this test's business).
	if r.Stats().Rejected[ErrTruncated.Error()] != maxSyncLines || r.Stats().Lines != 22 {
		t.Errorf("stats %+v", r.Stats())
	}
	wantSET(t, recs[len(recs)-1], "SET", 22, 1)

	// The longest line kept bounds the joined text too.
	r = NewReader(strings.NewReader(cut(t, wrapSET, "2000800,", true)+"\n"), "t")
	r.SetMaxLineLen(200)
	var kinds []string
	for r.Scan() {
		if rec, err := r.Record(); err != nil {
			kinds = append(kinds, err.Error())
		} else {
			kinds = append(kinds, fmt.Sprint(rec.Kind, rec.Lines))
		}
	}
	if len(kinds) == 0 || !strings.Contains(kinds[0], "has no closing '>'") || r.Stats().Rejected[ErrTruncated.Error()] != 1 {
		t.Errorf("max line length 200: %q, stats %+v", kinds, r.Stats())
	}
}

// wantRow checks a gconn row record.
func wantRow(t *testing.T, rec Record, owner, line, lines int) {
	t.Helper()
	if rec.Kind != KindGconn || rec.OwnerID != owner || rec.Pos.Line != line || rec.Lines != lines || rec.Instance != 1 || !rec.HasKey {
		t.Errorf("%v: kind %v owner %d over %d lines, want owner %d at line %d over %d", rec.Pos, rec.Kind, rec.OwnerID, rec.Lines, owner, line, lines)
	}
}

// TestWrappedGconn reads gconn rows wrapped over two lines: the owner
// column (clstr mem ID 15 = 2_02) is kept, the position is the first line,
// and the next row reads as usual.
func TestWrappedGconn(t *testing.T) {
	head := "Default:\n" + strings.Repeat("=", 122) + "\n" + wrapHeader + "\n" + strings.Repeat("=", 122) + "\n"
	tests := []struct{ name, row string }{
		{"before clstr mem ID", cut(t, wrapRow, " 15 |", false)},
		{"before the pipe", cut(t, wrapRow, "| 15 |", false)},
		{"inside the id", cut(t, wrapRow, "| 1", true)},
		{"indented", strings.Replace(cut(t, wrapRow, " 15 |", false), "\n", "\n        ", 1)},
		{"before the last cell", cut(t, wrapRow, " UNDEF |", false)},
		{"80 columns", fold(wrapRow, 80)},
		{"CRLF", strings.ReplaceAll(cut(t, wrapRow, " 15 |", false), "\n", "\r\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, recs, r := scanAll(t, head+tt.row+"\n"+wrapNext+"\n", "t")
			if len(recs) != 2 || len(out) != 2 {
				t.Fatalf("got %v", out)
			}
			wantRow(t, recs[0], 15, 5, 2)
			if recs[0].Key.String() != "192.168.3.53:18192 -> 192.168.3.240:64216 tcp" {
				t.Errorf("key %v", recs[0].Key)
			}
			wantRow(t, recs[1], 1, 7, 1)
			if s := r.Stats(); s.Lines != 7 || s.Recognized[KindGconn] != 3 || s.Ignored["banner"] != 4 {
				t.Errorf("stats %+v", s)
			}
		})
	}
	// A terminal 80 columns wide wraps the header as well.
	in := "Default:\n" + fold(strings.Repeat("=", 122), 80) + "\n" + fold(wrapHeader, 80) + "\n" + fold(strings.Repeat("=", 122), 80) + "\n" +
		fold(wrapRow, 80) + "\n" + fold(wrapNext, 80) + "\n"
	out, recs, r := scanAll(t, in, "t")
	if len(recs) != 2 {
		t.Fatalf("80 columns with the header: got %v", out)
	}
	wantRow(t, recs[0], 15, 8, 2)
	wantRow(t, recs[1], 1, 10, 2)
	if r.cols != defaultGconnColumns || r.Stats().Ignored["banner"] != 7 {
		t.Errorf("header read as %+v, stats %+v", r.cols, r.Stats())
	}
}

// TestWrappedGconnNotJoined covers short rows that are not continued.
func TestWrappedGconnNotJoined(t *testing.T) {
	short := "| 0 | 192.168.3.52 | 18192 | 192.168.3.240 | 46082 | 6 |FP .. ..| No | 0/0 | 1 | 32 | 0 |" // 12 of 14 cells
	tests := []struct {
		name string
		in   string
		want []got
	}{
		// A full row has as many '|' as the header: it never continues one.
		{"short row, full row", short + "\n" + wrapRow, []got{{"gconn", 1, ""}, {"gconn", 2, ""}}},
		{"too short, full row", "| 0 | 1.2.3.4 | 1 |\n" + wrapRow, []got{{"error", 1, "t:1: gconn row has 3 cells, expected at least 12"}, {"gconn", 2, ""}}},
		// "| 0 |" then "| 0 | UNDEF |": joining would double a '|'.
		{"doubled pipe", short + "\n| 0 | UNDEF |", []got{{"gconn", 1, ""}, {"error", 2, "t:2: gconn row has 2 cells, expected at least 12"}}},
		{"blank line", strings.Replace(cut(t, wrapRow, "| 15 |", false), "\n", "\n\n", 1),
			[]got{{"error", 1, "t:1: gconn row has 10 cells, expected at least 12"}, {"error", 3, "t:3: gconn row has 3 cells, expected at least 12"}}},
		{"asg stat rows", "| Chassis 1                     STANDBY                                     |\n| 3              DOWN           Inactive                  NA                |\n",
			[]got{{"site-state", 1, ""}, {"member-state", 2, ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, _, _ := scanAll(t, tt.in, "t")
			if fmt.Sprint(out) != fmt.Sprint(tt.want) {
				t.Errorf("got  %v\nwant %v", out, tt.want)
			}
		})
	}
}

// TestWrappedSplit reads a big input holding wrapped sync lines, gconn
// rows (and their header) and fw tab entries at many positions in chunks
// of many sizes, and checks it gives the serial transcript.
func TestWrappedSplit(t *testing.T) {
	var b strings.Builder
	entry := "<00000000, ac103d42, 000047df, ac103d02, 000000b3, 00000006; 0001c001, 40044080, 00000022, 0000000b, 00000000, 68daeedb, 00000000, 9fb2ce04, 07928306, 00000033, ffffffff, ffffffff, ffffffff, 02000000; 00000001 ; 3394/3618>"
	del := "[fw4_1];DELETE: connections (8158) keys(6)=<0,1,2,3,4,6>"
	for i := range 120 {
		switch i % 6 {
		case 0:
			b.WriteString(fold(wrapSET, 40+i%70))
		case 1:
			b.WriteString(cut(t, wrapSET, " sync_mask=", false) + "\n" + del)
		case 2:
			b.WriteString(wrapHeader + "\n" + fold(wrapRow, 55+i%50) + "\n" + wrapNext + "\n" + cut(t, wrapNext, "| 1 |", false))
		case 3:
			b.WriteString(fold(wrapHeader, 62+i%60) + "\n" + fold(wrapRow, 55+i%50))
		case 4:
			b.WriteString(strings.Replace(entry, ", 0000000b, ", ",\n 0000000b, ", 1) + "\n" + wrapSET)
		case 5:
			b.WriteString(cut(t, wrapSET, "[0x0001", true) + "\n\n" + strings.TrimSuffix(cut(t, wrapSET, "2000800,", true), ";"))
		}
		b.WriteByte('\n')
	}
	path := filepath.Join(t.TempDir(), "wrapped.txt")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	serial := transcript(t, path, false)
	for l := range strings.Lines(serial) {
		if strings.HasPrefix(l, "reject") {
			t.Errorf("the serial read rejects a line: %s", l)
		}
	}
	checkSplit(t, path, 1, 23, 64, 150, 333, 1000, 4096)
}

// TestCanStart pins the chunk-start rule for the wrapped shapes.
func TestCanStart(t *testing.T) {
	tests := []struct {
		before string
		seen   bool
		line   string
		whole  bool
		want   bool
	}{
		{wrapSET, true, wrapSET, true, true},
		{"x", true, "f9280,80000000,340,0", true, false},               // the middle of a list
		{"x", true, "0,0> sync_mask=[0x0001800e] ttl=0;", true, false}, // the end of one
		{"x", true, "800e] refresh time=3608;", true, false},           // the end of a mask
		{"x", true, "sync_mask=[0x0001800e];", true, false},
		{"x", true, "sync_ma", false, false}, // may be "sync_mask=["
		{"x", true, "sync_mb", false, false},
		{"x", true, "[vs_0];[t", false, true},
		{"x", true, "localhost:", true, true},
		{wrapRow, true, wrapNext, true, true},       // a row after a row
		{wrapRow, false, wrapNext, true, false},     // the line before is not known
		{wrapRow[:50], true, wrapNext, true, false}, // "| 1" then "5 | 0 |"
		{wrapRow, true, "15 | 0 | UNDEF |", true, false},
		{"1_01:", true, "15 | 0 | UNDEF |", true, true},
		{"[fw_0] " + wrapRow[:50], true, "| 15 |", true, false},
		{wrapRow, true, "1_02:", true, true},
		{wrapRow, false, "1_02:", true, true},
		{wrapRow, false, "1_02:", false, false}, // may go on with a '|'
		{wrapRow, true, "", true, true},
		{wrapRow, true, "", false, false},
	}
	for _, tt := range tests {
		if got := canStart([]byte(tt.before), tt.seen, []byte(tt.line), tt.whole); got != tt.want {
			t.Errorf("canStart(%.20q, %v, %q, %v) = %v", tt.before, tt.seen, tt.line, tt.whole, got)
		}
	}
}

// TestWrapCutNotNeutral checks that a Reader whose input ends inside a
// wrapped sync line is not neutral, so that Pipe parses the next chunk
// again, serially.
func TestWrapCutNotNeutral(t *testing.T) {
	for text, want := range map[string]bool{
		wrapSET + "\n":                            true,
		cut(t, wrapSET, "2000800,", true):         true,
		wrapSET[:200] + "\n":                      false, // inside vals(34)=<...
		strings.SplitAfter(wrapSET, "[0x0001")[0]: false,
		strings.SplitAfter(wrapSET, "0,0>")[0]:    true, // no sync_mask: complete as far as it goes
	} {
		r := NewReader(strings.NewReader(text), "t")
		for r.Scan() {
		}
		if r.neutral() != want {
			t.Errorf("%q...: neutral() = %v", text[len(text)-20:], !want)
		}
	}
}

// TestWrappedPrefilter checks that a connection search keeps both lines of
// a wrapped SET naming the connection, even when the break cuts its key,
// and reads it whole; a SET about another connection is dropped.
func TestWrappedPrefilter(t *testing.T) {
	other := strings.Replace(wrapSET, "ac103d42", "ac103d43", 1)
	for _, at := range []string{"2000800,", "ac103d02,", "ac103d", " sync_mask="} {
		t.Run(at, func(t *testing.T) {
			in := cut(t, other, "2000800,", true) + "\n" + cut(t, wrapSET, at, at[0] != ' ') + "\n" + other + "\n"
			r := NewReader(strings.NewReader(in), "t")
			tuple := decode.Tuple{Src: 0xac103d02, SPort: 0x77d3, Dst: 0xac103d42, DPort: 0xb3, Proto: 6}
			r.SetPrefilter(NewConnFilter(tuple).Keep)
			var recs []Record
			for r.Scan() {
				rec, err := r.Record()
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
				if rec.Key.Canonical() == tuple.Canonical() {
					c := *rec
					c.Vals = append([]uint32(nil), rec.Vals...)
					recs = append(recs, c)
				}
			}
			if len(recs) != 1 {
				t.Fatalf("%d records of the connection", len(recs))
			}
			wantSET(t, recs[0], "SET", 3, 2)
			// The other SET's lines, both of its wrapped one included, are
			// dropped unparsed.
			if s := r.Stats(); s.Lines != 5 || s.Ignored["prefiltered"] != 3 || s.Recognized[KindSync] != 2 {
				t.Errorf("stats %+v", s)
			}
		})
	}
}

// BenchmarkReaderSyncWrapped reads REFRESH lines each wrapped after its
// owner word, what a join costs (BenchmarkReaderSync reads them whole).
func BenchmarkReaderSyncWrapped(b *testing.B) {
	benchRead(b, benchInput(func(i int) string {
		return fmt.Sprintf("@;%d;[vs_0];[tid_7];[fw4_7];REFRESH: connections (8158) keys(6)=<0,ac103d02,%x,ac103d42,b3,6> vals(34)=<1c001,40044080,f,b,0,68c7d7a2,0,7c718362,c36bddf7,ffffffff,ffffffff,4e,ffffffff,2000800,\nf9280,80000000,340,0,cec4bb88,7fba,0,0,0,0,0,0,0,0,0,0,0,0,0,0> sync_mask=[0x0001800e] refresh time=3608 aggressive time=509 ttl=0 sync time=1 kmask=0 op_code=0 no n6addrs;", 1000000+i*100, i&0xffff)
	}))
}
