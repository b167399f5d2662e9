package parse

import (
	"fmt"

	"github.com/maestro-analyze/maestro-analyze/decode"
)

// Kind is what a recognized line is.
type Kind uint8

// The kinds of record a [Reader] yields. The names returned by String are
// the `kind` values of the JSON output.
const (
	KindNone            Kind = iota
	KindFwTab                // `fw tab -t connections -u` full entry
	KindFwTabLink            // `fw tab -u` link line: <key> -> <key> (flags)
	KindFwTabF               // `fw tab -t connections -f` line
	KindSync                 // kernel-debug sync message: SET, REFRESH, DELETE, SLINKS, ...
	KindCorrection           // kernel-debug correction-layer line about a connection
	KindKdebug               // other kernel-debug line (prefix recognized, nothing to extract)
	KindGconn                // `fw ctl multik gconn` row
	KindDxl                  // `asg dxl calc` result line: <src,dst,method,value>
	KindDxlChassis           // `asg dxl calc` chassis line: Chassis 1: Blade(s):1_02,1_04
	KindSGMHeader            // a line naming the SGM(s) whose output follows: "1_01:", "-*- 1 blade: 1_01 -*-"
	KindHostHeader           // "localhost:" or another host name before a table dump
	KindTable                // "-------- connections --------"
	KindSyncstat             // `cphaprob syncstat`: "Delta Sync Statistics" (a new snapshot)
	KindSyncstatStatus       // "Sync status: OK" or "Sync status: Off - <reason>"
	KindSyncstatSection      // "Drops:", "Queue sizes (num of updates):", ...
	KindSyncstatCounter      // "Lost updates.................  0"
	KindSiteState            // `asg stat -v`: "| Chassis 1   STANDBY |" (Chassis, State)
	KindMemberState          // `asg stat -v` SGM row or `cphaprob state` member row (Value = member id, State)
	KindPanic                // a kernel panic, BUG or Oops line in /var/log/messages or a crash file
	KindSection              // a cpinfo section or sub-section title, or an "Issuing '<cmd>' :" block (Name)
	KindVersion              // a software version or Jumbo Hotfix take line (Text = version, Value = take)
	KindHostname             // the output of `hostname` inside a cpinfo file (Text)
	KindPstatBlock           // `fw ctl pstat` block title (Table, Text = tag: "hmem") or sub-heading (Name: "Sync packets sent")
	KindPstatCounter         // `fw ctl pstat` counter line: Table = block, Name = label, Pairs
	KindPstatStatus          // `fw ctl pstat` text line: "Status: Unable to receive sync packets", "Sync: off" (Table, Name, Text)
	numKinds
)

var kindNames = [numKinds]string{
	"none", "fwtab", "fwtab-link", "fwtab-f", "sync", "correction", "kdebug",
	"gconn", "dxl", "dxl-chassis", "sgm-header", "host-header", "table",
	"syncstat", "syncstat-status", "syncstat-section", "syncstat-counter",
	"site-state", "member-state", "panic", "section", "version", "hostname",
	"pstat-block", "pstat-counter", "pstat-status",
}

// String returns the kind's name.
func (k Kind) String() string {
	if k < numKinds {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Key is a connections-table key: the direction word and the 5-tuple.
type Key struct {
	Dir uint32
	decode.Tuple
}

// Record is one recognized input line (or one entry wrapped over several
// lines). Which fields are set depends on Kind. A Reader reuses its Record:
// it is valid until the next call to Scan; copy what you keep.
type Record struct {
	Kind  Kind
	Pos   Pos // where the record starts
	Lines int // physical lines it spans

	HasKey bool
	Key    Key // fwtab, fwtab-link, fwtab-f, sync, gconn (Dir 0), correction (Dir 0)
	Link   Key // fwtab-link: the key the link points to
	Flags  uint32

	// Vals are the value words: all of them for fwtab and sync lines; for
	// fwtab-f, the words its named fields give (see Known).
	Vals  []uint32
	Known uint32 // fwtab-f: bit i set when Vals[i] was given; else all of len(Vals)
	// Skipped: the first Skipped words of Vals were checked, not decoded,
	// and read 0 (see Reader.SetSkipWords); Word reports them absent.
	Skipped int
	Extra   []uint32

	HasExpiry bool
	Expiry    decode.Expiry

	// Kernel debug.
	HasTime  bool
	Time     float64 // the raw `@;N;` stamp, unit decided by the caller
	Instance int     // fw4_N / fw_N instance, -1 when absent
	Op       string  // sync op, upper case
	Table    string  // sync table name, fwtab table banner, dxl method
	TableID  uint32
	HasMask  bool
	Mask     decode.SyncMask
	// The numbers after a sync line's mask, as the seed's SET prints them
	// (`refresh time=3608 aggressive time=509 ttl=0 sync time=1 kmask=0
	// op_code=0`): -1 when the line has none. Kept as printed; their
	// meaning is not published.
	RefreshTime, AggressiveTime, OpCode int64

	// Correction lines: the function, and a chassis state when the line
	// names one ("chassis 0 is STANDBY": chassis is 0-based [assumed]).
	Func     string
	Chassis  int // -1 when absent; 1-based for KindDxlChassis
	State    string
	Decision string // what the line says besides its connection ("chassis 0 is STANDBY in VS0, will not correct")

	// gconn: the owner id from `clstr mem ID`, -1 when absent.
	OwnerID int

	// Headers and dxl.
	SGMs  []decode.SGM
	Value int // dxl calc value

	// fwtab-f: the LastUpdateTime field as printed.
	LastUpdate string

	// syncstat: the counter or section name, the value as printed (units
	// kept) and its leading number when it has one. NumOver is set, and
	// HasNum is not, when that number is 2^63 or more (too big for Num).
	Name    string
	Text    string
	Num     int64
	HasNum  bool
	NumOver bool

	// pstat counter lines: every number with its name, in line order (a
	// new slice for each record, never reused).
	Pairs []Pair

	// Raw is the record's physical lines as read, line endings included,
	// under [Reader.SetKeepRaw]; nil otherwise.
	Raw []byte

	// shape, when not KindNone: nothing but what the fast path of that
	// kind fills (fastSync, or the fw tab entry and link parsers) differs
	// from what reset leaves, so that the next record of the kind need not
	// clear the rest.
	shape Kind
}

func (r *Record) reset(kind Kind, pos Pos) {
	*r = Record{
		Kind: kind, Pos: pos, Lines: 1, Instance: -1, Chassis: -1, OwnerID: -1,
		RefreshTime: -1, AggressiveTime: -1, OpCode: -1,
		Vals: r.Vals[:0], Extra: r.Extra[:0], SGMs: r.SGMs[:0],
	}
}

// resetShaped is reset for the fw tab entry and link parsers of a Reader
// on its fast paths (kind is KindFwTab or KindFwTabLink): after a record
// of either of those shapes, it clears only the fields the two parsers
// set, so that a dump's entries and links, which alternate, need no full
// reset.
func (r *Record) resetShaped(kind Kind, pos Pos) {
	if r.shape != KindFwTab && r.shape != KindFwTabLink {
		r.reset(kind, pos)
		r.shape = kind
		return
	}
	r.Kind, r.shape = kind, kind
	r.Pos, r.Lines, r.Instance, r.Raw = pos, 1, -1, nil
	// One field a statement: a tuple assignment builds its zero Keys in
	// temporaries and copies them (a stalled copy, measured).
	r.HasKey = false
	r.Key = Key{}
	r.Link = Key{}
	r.Flags = 0
	r.Vals, r.Skipped, r.Extra = r.Vals[:0], 0, r.Extra[:0]
	r.HasExpiry, r.Expiry = false, decode.Expiry{}
}

// Owner returns value word 13 (the CCL word) when the record carries it.
func (r *Record) Owner() (uint32, bool) {
	if r.Kind == KindFwTabF {
		return r.Vals[decode.WordBits], r.Known&(1<<decode.WordBits) != 0
	}
	if len(r.Vals) > decode.WordBits {
		return r.Vals[decode.WordBits], true
	}
	return 0, false
}

// Word returns value word i when the record carries it.
func (r *Record) Word(i int) (uint32, bool) {
	if i < r.Skipped || i >= len(r.Vals) {
		return 0, false
	}
	if r.Kind == KindFwTabF && r.Known&(1<<uint(i)) == 0 {
		return 0, false
	}
	return r.Vals[i], true
}
