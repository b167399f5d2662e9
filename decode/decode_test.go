package decode

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestCCLTableSeed checks every row of the seed article's CCL table
// (testdata/seed-ccl-table.txt, copied verbatim): name, bit pattern, word.
func TestCCLTableSeed(t *testing.T) {
	f, err := os.Open("testdata/seed-ccl-table.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	l := DefaultLayout
	rows := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		parts := strings.Split(sc.Text(), "|")
		if len(parts) != 3 {
			t.Fatalf("bad seed row %q", sc.Text())
		}
		name, bitsText, wordText := strings.TrimSpace(parts[0]), strings.TrimSpace(parts[1]), strings.TrimSpace(parts[2])
		var word uint32
		if _, err := fmt.Sscanf(wordText, "%X", &word); err != nil {
			t.Fatalf("seed word %q: %v", wordText, err)
		}
		var id int
		if _, err := fmt.Sscanf(strings.Fields(bitsText)[1], "%b", &id); err != nil {
			t.Fatal(err)
		}
		if got := CCLID(word); got != id {
			t.Errorf("CCLID(%#x) = %d, want %d (seed bits %s)", word, got, id, bitsText)
		}
		if got := CCLWord(id); got != word {
			t.Errorf("CCLWord(%d) = %#x, want %#x", id, got, word)
		}
		o := l.Owner(word)
		if !o.InLayout || o.SGM.String() != name {
			t.Errorf("Owner(%#x) = %+v, want %s", word, o, name)
		}
		rows++
	}
	if rows != 28 {
		t.Fatalf("seed table has %d rows, want 28", rows)
	}
}

func TestOwner(t *testing.T) {
	tests := []struct {
		name   string
		layout Layout
		word   uint32
		want   string
		in     bool
	}{
		{"seed fw tab entry", DefaultLayout, 0x02008000, "2_03", true},
		{"seed SET line", DefaultLayout, 0x2000800, "1_02", true},
		{"first", DefaultLayout, 0x2000000, "1_01", true},
		{"last in layout", DefaultLayout, 0x200D800, "2_14", true},
		{"id 28 is outside 2x14", DefaultLayout, 0x200E000, "", false},
		{"2014 gateway word", DefaultLayout, 0x02010100, "", false},
		{"other bits ignored", DefaultLayout, 0xfffe07ff | 1<<11, "1_02", true},
		{"3x8 layout", Layout{3, 8}, CCLWord(17), "3_02", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.layout.Owner(tt.word)
			if o.InLayout != tt.in || o.SGM.String() != tt.want {
				t.Errorf("Owner(%#x) = %v (in layout %v), want %q (%v)", tt.word, o.SGM, o.InLayout, tt.want, tt.in)
			}
			if !o.InLayout && !o.SGM.IsZero() {
				t.Errorf("an id outside the layout must name no SGM, got %v", o.SGM)
			}
		})
	}
}

func TestOwnerID(t *testing.T) {
	// gconn clstr mem ID [seed]: 0 = 1_01, 1 = 1_02, 15 = 2_02.
	for id, want := range map[int]string{0: "1_01", 1: "1_02", 15: "2_02"} {
		if got := DefaultLayout.OwnerID(id).SGM.String(); got != want {
			t.Errorf("OwnerID(%d) = %q, want %q", id, got, want)
		}
	}
	if o := DefaultLayout.OwnerID(63); o.InLayout {
		t.Errorf("OwnerID(63) in layout: %+v", o)
	}
	if got := DefaultLayout.OwnerID(40).Describe(DefaultLayout); got != "CCL id 40 (outside layout 2x14)" {
		t.Errorf("Describe = %q", got)
	}
}

var setsRe = regexp.MustCompile(`^Site 1 is (\w+) and Site 2 is (\w+) \| sync_mask=\[(0x[0-9a-f]+)\] \| ([01 ]+) \| Active Sync Set: ([^.]*)\. Backup Sync Set: ([^.]*)\.$`)

// TestSyncSetsSeed checks the seed article's five sync_mask rows
// (testdata/seed-sync-masks.txt, verbatim): members, bit picture, and the
// active and backup sync sets, for owner 1_02 with the seed's asg dxl calc.
func TestSyncSetsSeed(t *testing.T) {
	data, err := os.ReadFile("testdata/seed-sync-masks.txt")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 5 {
		t.Fatalf("%d seed rows, want 5", len(lines))
	}
	l := DefaultLayout
	owner := SGM{1, 2}
	// asg dxl calc: c2s 1_02,1_04 / 2_02,2_04; s2c 1_03,1_04 / 2_03,2_04.
	primaries := []SGM{{1, 2}, {1, 3}, {2, 2}, {2, 3}}
	for _, line := range lines {
		m := setsRe.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("seed row does not match: %q", line)
		}
		st, err := ParseSiteStates("1="+m[1]+",2="+m[2], l)
		if err != nil {
			t.Fatal(err)
		}
		mask, err := ParseSyncMask(m[3])
		if err != nil {
			t.Fatal(err)
		}
		// The seed's bit picture: 4 unused bits, site 2's 14, site 1's 14.
		if got := strings.ReplaceAll(m[4], " ", ""); got != fmt.Sprintf("%032b", uint32(mask)) {
			t.Errorf("%s: bit picture %s does not match", mask, m[4])
		}
		members, outside := l.Members(mask)
		if outside != 0 || !slices.Contains(members, owner) {
			t.Errorf("%s: members %v outside %s; the owner must be in every mask", mask, members, outside)
		}
		sets := l.SyncSets(mask, st, primaries, owner)
		if got, want := join(sets.Active), strings.ReplaceAll(m[5], ";", ","); got != want {
			t.Errorf("%s with %s: active set %q, want %q", mask, st, got, want)
		}
		if got, want := join(sets.Backup), strings.ReplaceAll(m[6], ";", ","); got != want {
			t.Errorf("%s with %s: backup set %q, want %q", mask, st, got, want)
		}
		if wantDown := st.Of(1) == Down; sets.OwnerDown != wantDown {
			t.Errorf("%s: OwnerDown = %v, want %v", mask, sets.OwnerDown, wantDown)
		}
	}
}

func join(s []SGM) string {
	var parts []string
	for _, x := range s {
		parts = append(parts, x.String())
	}
	return strings.Join(parts, ", ")
}

func TestSyncSetsUnknownAndStale(t *testing.T) {
	l := DefaultLayout
	m, _ := l.Mask(SGM{1, 2}, SGM{1, 5}, SGM{2, 2})
	st := SiteStates{Down, Unknown}
	s := l.SyncSets(m, st, []SGM{{2, 2}}, SGM{1, 2})
	if !s.OwnerDown || join(s.Stale) != "1_05" || join(s.Unplaced) != "2_02" || len(s.Active)+len(s.Backup) != 0 {
		t.Errorf("SyncSets = %+v", s)
	}
}

func TestParseSyncMask(t *testing.T) {
	tests := []struct {
		in   string
		want SyncMask
		err  bool
	}{
		{"0x0001800e", 0x0001800e, false},
		{"[0x00038002]", 0x00038002, false},
		{"[ 0x0000000c]", 0xc, false},
		{"00000000", 0, false},
		{"sync_mask=[0x0000000e]", 0xe, false},
		{"1800E", 0x1800e, false},
		{"0x123456789", 0, true},
		{"zz", 0, true},
		{"", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseSyncMask(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("ParseSyncMask(%q) = %v, %v; want %v, err %v", tt.in, got, err, tt.want, tt.err)
		}
		if err != nil && !errors.Is(err, ErrSyncMask) {
			t.Errorf("ParseSyncMask(%q) error %v is not ErrSyncMask", tt.in, err)
		}
	}
}

func TestMembersOutsideLayout(t *testing.T) {
	sgms, outside := DefaultLayout.Members(0xf000_0003)
	if join(sgms) != "1_01, 1_02" || outside != 0xf0000000 {
		t.Errorf("Members = %v, outside %s", sgms, outside)
	}
	sgms, outside = Layout{1, 4}.Members(0x31)
	if join(sgms) != "1_01" || outside != 0x30 {
		t.Errorf("1x4 Members = %v, outside %s", sgms, outside)
	}
	m, rest := DefaultLayout.Mask(SGM{1, 2}, SGM{3, 1}, SGM{2, 3})
	if m != 0x10002 || len(rest) != 1 {
		t.Errorf("Mask = %s rest %v", m, rest)
	}
}

func TestLayoutAndSGM(t *testing.T) {
	for _, s := range []string{"2x14", " 2X14 ", "1x4", "4x16"} {
		if _, err := ParseLayout(s); err != nil {
			t.Errorf("ParseLayout(%q): %v", s, err)
		}
	}
	for _, s := range []string{"", "2", "x14", "0x14", "2x0", "5x16", "2x-1", "axb"} {
		if _, err := ParseLayout(s); !errors.Is(err, ErrLayout) {
			t.Errorf("ParseLayout(%q) err = %v, want ErrLayout", s, err)
		}
	}
	for _, tt := range []struct{ in, want string }{{"1_2", "1_02"}, {"1_02", "1_02"}, {"2_14", "2_14"}, {"\t2_3 ", "2_03"}} {
		s, err := ParseSGM(tt.in)
		if err != nil || s.String() != tt.want {
			t.Errorf("ParseSGM(%q) = %v, %v; want %s", tt.in, s, err, tt.want)
		}
	}
	for _, in := range []string{"", "1", "_2", "1_", "0_1", "1_0", "12_01", "1_123", "a_b", "1_02_3"} {
		if _, err := ParseSGM(in); !errors.Is(err, ErrSGM) {
			t.Errorf("ParseSGM(%q) err = %v, want ErrSGM", in, err)
		}
	}
	l := DefaultLayout
	for id := range l.Size() {
		s, ok := l.SGM(id)
		back, ok2 := l.ID(s)
		if !ok || !ok2 || back != id {
			t.Errorf("id %d -> %v -> %d", id, s, back)
		}
	}
	if _, ok := l.SGM(-1); ok {
		t.Error("SGM(-1) ok")
	}
	if _, ok := l.ID(SGM{2, 15}); ok {
		t.Error("ID(2_15) ok in 2x14")
	}
}

func TestSiteStates(t *testing.T) {
	st, err := ParseSiteStates("1=standby, 2=ACTIVE", DefaultLayout)
	if err != nil || st.String() != "1=STANDBY,2=ACTIVE" || !st.Known() {
		t.Errorf("ParseSiteStates = %v, %v", st, err)
	}
	if st.Of(3) != Unknown || st.Of(0) != Unknown {
		t.Error("Of outside range should be Unknown")
	}
	for _, bad := range []string{"1=up", "3=active", "x", "1:active"} {
		if _, err := ParseSiteStates(bad, DefaultLayout); err == nil {
			t.Errorf("ParseSiteStates(%q) accepted", bad)
		}
	}
	if s, err := ParseSiteState("ACTIVE(!)"); err != nil || s != Active {
		t.Errorf("ParseSiteState(ACTIVE(!)) = %v, %v", s, err)
	}
	if got := SiteState(9).String(); got != "SiteState(9)" {
		t.Errorf("String = %q", got)
	}
}

func TestTuple(t *testing.T) {
	a := Tuple{Src: 0xac103d42, SPort: 18399, Dst: 0xac103d02, DPort: 179, Proto: 6}
	if got := a.String(); got != "172.16.61.66:18399 -> 172.16.61.2:179 tcp" {
		t.Errorf("String = %q", got)
	}
	if a.Canonical() != a.Reverse().Canonical() {
		t.Error("canonical form depends on direction")
	}
	if ProtoName(99) != "99" || ProtoName(17) != "udp" {
		t.Error("ProtoName")
	}
	if p, ok := ParseProto("tcp"); !ok || p != 6 {
		t.Error("ParseProto(tcp)")
	}
	if _, ok := ParseProto("bogus"); ok {
		t.Error("ParseProto(bogus) ok")
	}
}

func TestExpiryAndWords(t *testing.T) {
	e := Expiry{Remaining: 3394, Timeout: 3618}
	if got := e.String(); got != "3394/3618 (56m34s left of 1h0m18s)" {
		t.Errorf("String = %q", got)
	}
	if e.Age() != 224 || (Expiry{Remaining: 9, Timeout: 5}).Age() != 0 {
		t.Error("Age")
	}
	l := DefaultLayout
	for _, tt := range []struct {
		i    int
		w    uint32
		name string
		mean string
	}{
		{0, 0x1c001, "Type", "114689"},
		{3, 0xb, "Timeout", "timeout class 11"},
		{5, 0x68da50ae, "ConnID[0]", "2025-09-29T09:26:06Z"},
		{10, 0xffffffff, "Ifncout", "-1"},
		{13, 0x02008000, "Bits[hi]", "owner 2_03 (CCL id 16)"},
		{20, 0x340, "V20", ""},
	} {
		if WordName(tt.i) != tt.name || l.WordMeaning(tt.i, tt.w) != tt.mean {
			t.Errorf("word %d: %q %q, want %q %q", tt.i, WordName(tt.i), l.WordMeaning(tt.i, tt.w), tt.name, tt.mean)
		}
	}
}

func TestAtRisk(t *testing.T) {
	tests := []struct {
		min, max, timeout uint32
		want              bool
	}{
		{100, 3394, 3618, true},  // expires in 100 s on one SGM, refreshed 224 s ago on another
		{100, 3000, 3618, false}, // nobody refreshed it within the last 600 s
		{600, 3500, 3618, false}, // nothing expires within 600 s
		{10, 40, 40, false},      // timeout not longer than 2R (UDP)
		{599, 3001, 3600, true},  // both bounds just inside
		{599, 3000, 3600, false}, // refreshed exactly 600 s ago
		{0, 1201, 1201, true},    // timeout 2R+1
		{0, 1200, 1200, false},   // timeout exactly 2R
	}
	for _, tt := range tests {
		if got := AtRisk(tt.min, tt.max, tt.timeout, 600); got != tt.want {
			t.Errorf("AtRisk(%d, %d, %d, 600) = %v, want %v", tt.min, tt.max, tt.timeout, got, tt.want)
		}
	}
}

// TestMaskStates: the seed's five masks imply its site states.
func TestMaskStates(t *testing.T) {
	l := DefaultLayout
	owner := SGM{1, 2}
	for _, tt := range []struct {
		mask SyncMask
		want string
	}{
		{0x0001800e, "1=ACTIVE,2=STANDBY"},
		{0x00038002, "1=DOWN,2=ACTIVE"},
		{0x00038006, "1=STANDBY,2=ACTIVE"},
		{0x0000000e, "1=ACTIVE,2=DOWN"},
	} {
		st := l.MaskStates(tt.mask, owner)
		if st.String() != tt.want {
			t.Errorf("MaskStates(%s) = %s, want %s", tt.mask, st, tt.want)
		}
	}
	if st := l.MaskStates(0, owner); st != nil {
		t.Errorf("empty mask: %v", st)
	}
	if st := l.MaskStates(0x8002, SGM{}); st != nil { // 1_02 and 2_02: a tie
		t.Errorf("tie: %v", st)
	}
	if a := l.MaskActive(0x0001800e, owner); a != 1 {
		t.Errorf("MaskActive = %d, want 1", a)
	}
}
