package storms

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/olekukonko/tablewriter/tw"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/parse"
	"github.com/maestro-analyze/maestro-analyze/report"
)

// `fw ctl pstat` snapshots: the records of one pstat output (its memory
// pools, one-line counters and Sync section) gathered per SGM. [Pstat] is
// the builder, a small analysis of its own registered with the feed beside
// [Storms]; the storm report shows the Sync counters of each snapshot
// ([PstatSync]) beside the syncstat ones, and triage reads the whole
// snapshots ([PstatSnapshot]) for its memory and sync findings.
//
// A snapshot begins at the first pstat record of an input, after a cpinfo
// section or command block, or at a block its snapshot already holds (a
// second output pasted after the first).

// maxPstatCounters bounds the counters a snapshot keeps.
const maxPstatCounters = 512

// Pstat is the builder of the `fw ctl pstat` snapshots.
type Pstat struct {
	snaps []*PstatSnapshot
	cur   *PstatSnapshot
}

// PstatSnapshot is one `fw ctl pstat` output.
type PstatSnapshot struct {
	Source  string       `json:"source"` // the position of its first line
	SGM     string       `json:"sgm"`
	Blocks  []PstatBlock `json:"blocks"`
	History History      `json:"-"`
	sgm     decode.SGM
}

// PstatBlock is one block of a snapshot: a memory pool ("System kernel
// memory", tag "smem"), a one-line counter (Fragments), Sync, or a block a
// newer release added.
type PstatBlock struct {
	Name string `json:"name"`
	Tag  string `json:"tag,omitempty"`
	At   string `json:"at"`
	// Status holds the text lines: "Version", "Status", "Sync" (off).
	Status   map[string]string `json:"status,omitempty"`
	StatusAt map[string]string `json:"-"`
	Counters []PstatCounter    `json:"counters"`
}

// PstatCounter is one number of a pstat line: Label is the line's label
// or the sub-heading it continues ("Allocations", "Sync packets
// received"), Name the number's own name ("failed alloc").
type PstatCounter struct {
	Label string `json:"label"`
	Name  string `json:"name"`
	Value int64  `json:"value"`
	Text  string `json:"text"` // as printed: "12999/0"
	At    string `json:"at"`
}

// NewPstat returns a pstat builder fed by f (it registers itself).
func NewPstat(f *report.Feed) *Pstat {
	p := &Pstat{}
	f.Use(p)
	return p
}

// ValueWords implements report.ValueWorder: pstat sections carry no value
// words, so the builder asks for none beyond the first (asking nothing would
// make the feed's readers decode all 34 words of every sync line).
func (p *Pstat) ValueWords() int { return 1 }

// FirstValueWord implements report.WordSkipper: the builder reads no value
// word, so it leaves the others to say which they read.
func (p *Pstat) FirstValueWord() int { return math.MaxInt32 }

// StartInput begins an input: a snapshot does not continue into the next.
func (p *Pstat) StartInput(*report.Input) { p.cur = nil }

// Add takes one record.
func (p *Pstat) Add(it *report.Item) {
	rec := it.Record
	switch rec.Kind {
	case parse.KindSection:
		p.cur = nil
		return
	case parse.KindPstatBlock, parse.KindPstatCounter, parse.KindPstatStatus:
	default:
		return
	}
	opens := rec.Kind == parse.KindPstatBlock && rec.Name == "" || rec.Table != p.block().Name
	if p.cur == nil || opens && p.cur.block(rec.Table) != nil {
		p.cur = &PstatSnapshot{Source: rec.Pos.String(), sgm: it.SGM(), Blocks: []PstatBlock{}}
		p.cur.SGM = sgmName(p.cur.sgm)
		p.cur.History = historyOf(p.cur.sgm, it.Input)
		p.snaps = append(p.snaps, p.cur)
	}
	sn := p.cur
	if opens || len(sn.Blocks) == 0 {
		sn.Blocks = append(sn.Blocks, PstatBlock{Name: rec.Table, At: rec.Pos.String(), Counters: []PstatCounter{}})
		if rec.Kind == parse.KindPstatBlock {
			sn.Blocks[len(sn.Blocks)-1].Tag = rec.Text
		}
	}
	b := &sn.Blocks[len(sn.Blocks)-1]
	switch rec.Kind {
	case parse.KindPstatStatus:
		if b.Status == nil {
			b.Status, b.StatusAt = map[string]string{}, map[string]string{}
		}
		b.Status[rec.Name], b.StatusAt[rec.Name] = rec.Text, rec.Pos.String()
	case parse.KindPstatCounter:
		at := rec.Pos.String()
		for _, pr := range rec.Pairs {
			if sn.counters() >= maxPstatCounters {
				return
			}
			b.Counters = append(b.Counters, PstatCounter{Label: rec.Name, Name: pr.Name, Value: pr.Num, Text: pr.Text, At: at})
		}
	}
}

// block is the current snapshot's last block (the zero block when none).
func (p *Pstat) block() *PstatBlock {
	if p.cur == nil || len(p.cur.Blocks) == 0 {
		return &PstatBlock{}
	}
	return &p.cur.Blocks[len(p.cur.Blocks)-1]
}

func (sn *PstatSnapshot) block(name string) *PstatBlock {
	for i := range sn.Blocks {
		if sn.Blocks[i].Name == name {
			return &sn.Blocks[i]
		}
	}
	return nil
}

func (sn *PstatSnapshot) counters() int {
	n := 0
	for _, b := range sn.Blocks {
		n += len(b.Counters)
	}
	return n
}

// Snapshots are the snapshots read, in input order.
func (p *Pstat) Snapshots() []PstatSnapshot {
	out := make([]PstatSnapshot, 0, len(p.snaps))
	for _, sn := range p.snaps {
		out = append(out, *sn)
	}
	return out
}

// Find returns the first counter of the block named name (any label when
// label is "") and whether there is one.
func (b *PstatBlock) Find(label, name string) (PstatCounter, bool) {
	for _, c := range b.Counters {
		if c.Name == name && (label == "" || c.Label == label) {
			return c, true
		}
	}
	return PstatCounter{}, false
}

// Sync is the snapshot's Sync block, nil when it has none.
func (sn *PstatSnapshot) Sync() *PstatBlock { return sn.block("Sync") }

// PstatSync is the Sync section of one `fw ctl pstat` snapshot, as the
// storm report shows it: nil counters were not printed.
type PstatSync struct {
	Source  string `json:"source"`
	SGM     string `json:"sgm"`
	Version string `json:"version"`
	// Status is the Status line, or "off" for "Sync: off".
	Status                string           `json:"status"`
	SentTotal             *int64           `json:"sent_total"`
	Retransmitted         *int64           `json:"retransmitted"`
	SentRetransReqs       *int64           `json:"sent_retrans_reqs"`
	SentAcks              *int64           `json:"sent_acks"`
	ReceivedTotal         *int64           `json:"received_total"`
	Queued                *int64           `json:"were_queued"`
	DroppedByNet          *int64           `json:"dropped_by_net"`
	ReceivedRetransReqs   *int64           `json:"received_retrans_reqs"`
	ReceivedAcks          *int64           `json:"received_acks"`
	IllegalSeqRetransReqs *int64           `json:"illegal_seq_retrans_reqs"`
	OverloadDrops         *int64           `json:"overload_drops"`
	MemoryKB              *int64           `json:"delta_sync_memory_kb"`
	Callbacks             *int64           `json:"callbacks_handled"`
	AverageDelay          *int64           `json:"callback_average_delay"`
	MaxDelay              *int64           `json:"callback_max_delay"`
	Pending               *int64           `json:"pending_packets"`
	ReleasedByTimeout     *int64           `json:"released_by_timeout"`
	Counters              map[string]int64 `json:"counters"` // every Sync counter, "label: name" when a name repeats
}

// The Sync counters by label ("" for any) and name, as the vendor prints
// them [public: ClusterXL guide].
const (
	pstatSent     = "Sync packets sent"
	pstatReceived = "Sync packets received"
	// PstatDroppedByNet, PstatOverload and PstatFailedAlloc are the names
	// of the counters the triage findings read.
	PstatDroppedByNet = "dropped by net"
	PstatOverload     = "dropped updates as a result of sync overload"
	PstatFailedAlloc  = "failed alloc"
)

// SyncJSON is the Sync section of sn, nil when it has none.
func (sn *PstatSnapshot) SyncJSON() *PstatSync {
	b := sn.Sync()
	if b == nil {
		return nil
	}
	j := &PstatSync{Source: b.At, SGM: sn.SGM, Version: b.Status["Version"], Status: b.Status["Status"], Counters: b.CounterMap()}
	if v, ok := b.Status["Sync"]; ok && v != "" {
		j.Status = v
	}
	for _, f := range []struct {
		p           **int64
		label, name string
	}{
		{&j.SentTotal, pstatSent, "total"}, {&j.Retransmitted, "", "retransmitted"},
		{&j.SentRetransReqs, pstatSent, "retrans reqs"}, {&j.SentAcks, pstatSent, "acks"},
		{&j.ReceivedTotal, pstatReceived, "total"}, {&j.Queued, "", "were queued"},
		{&j.DroppedByNet, "", PstatDroppedByNet}, {&j.ReceivedRetransReqs, pstatReceived, "retrans reqs"},
		{&j.ReceivedAcks, "", "received acks"}, {&j.IllegalSeqRetransReqs, "", "retrans reqs for illegal seq"},
		{&j.OverloadDrops, "", PstatOverload}, {&j.MemoryKB, "", "currently using KB mem"},
		{&j.Callbacks, "", "handled cb"}, {&j.AverageDelay, "", "average delay"}, {&j.MaxDelay, "", "max delay"},
		{&j.Pending, "", "Number of Pending packets currently held"}, {&j.ReleasedByTimeout, "", "Packets released due to timeout"},
	} {
		if c, ok := b.Find(f.label, f.name); ok {
			v := c.Value
			*f.p = &v
		}
	}
	return j
}

// CounterMap is every counter of the block by name, "label: name" when a
// name repeats ("Sync packets received: total").
func (b *PstatBlock) CounterMap() map[string]int64 {
	m := map[string]int64{}
	for _, c := range b.Counters {
		k := c.Name
		if _, dup := m[k]; dup {
			k = c.Label + ": " + c.Name
		}
		if _, dup := m[k]; !dup {
			m[k] = c.Value
		}
	}
	return m
}

// Pool is the name a memory block goes by: its tag ("smem"), else its name.
func (b *PstatBlock) Pool() string {
	if b.Tag != "" {
		return b.Tag
	}
	return strings.ToLower(strings.ReplaceAll(b.Name, " ", "_"))
}

// Fill sets the storm report's pstat Sync sections from the snapshots.
func (p *Pstat) Fill(r *Report) {
	r.Pstat = []PstatSync{}
	for _, sn := range p.snaps {
		if j := sn.SyncJSON(); j != nil {
			r.Pstat = append(r.Pstat, *j)
		}
	}
}

// writePstat renders the pstat Sync sections as a table, beside the
// syncstat one.
func writePstat(w io.Writer, r *Report, p report.Palette) error {
	if len(r.Pstat) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	rows := make([][]string, 0, len(r.Pstat))
	for _, s := range r.Pstat {
		rows = append(rows, []string{report.Sanitize(s.SGM), p.Rel(report.Sanitize(s.Source)), report.Sanitize(s.Status), num(s.SentTotal),
			num(s.ReceivedTotal), num(s.DroppedByNet), num(s.ReceivedRetransReqs), num(s.IllegalSeqRetransReqs), num(s.OverloadDrops)})
	}
	n := tw.AlignRight
	return p.Table(w, []report.Col{{Header: "SGM"}, {Header: "pstat Sync", Cut: true}, {Header: "Status"}, {Header: "Sent", Align: n, Drop: 2},
		{Header: "Received", Align: n, Drop: 1}, {Header: "Dropped by net", Align: n}, {Header: "Retrans reqs", Align: n, Drop: 3},
		{Header: "Illegal seq", Align: n, Drop: 4}, {Header: "Overload drops", Align: n}}, rows)
}
