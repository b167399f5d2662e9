package triage

import (
	"fmt"
	"slices"
	"strings"

	"github.com/maestro-analyze/maestro-analyze/report"
	"github.com/maestro-analyze/maestro-analyze/report/storms"
)

// `fw ctl pstat` findings, per SGM, from the latest snapshot of each SGM
// (or of each input that names none); with an earlier snapshot of the same
// SGM a counter is said to rise, with the delta, and otherwise only to be
// non-zero (a pstat counter counts since boot).
//
//   - KERNEL_MEMORY_ALLOC_FAILED (high): a memory pool with failed
//     allocations: the kernel could not get memory, a precursor of drops
//     and of the memory-exhaustion panics the seed mentions. When the SGM
//     also has a KERNEL_PANIC or SGM_DOWN finding, the message says so.
//   - SYNC_STATUS (high): a Sync status other than "Able to Send/Receive
//     sync packets", or "Sync: off" [public: ClusterXL guide].
//   - SYNC_OVERLOAD_DROPS (high): updates dropped as a result of sync
//     overload (the vendor: any is a problem).
//   - SYNC_DROPPED_BY_NET (medium): received sync packets whose sequence
//     number skipped ahead, so earlier ones were lost on the way.

// The pstat finding codes.
const (
	CodeKernelMemory      = "KERNEL_MEMORY_ALLOC_FAILED"
	CodeSyncStatus        = "SYNC_STATUS"
	CodeSyncOverloadDrops = "SYNC_OVERLOAD_DROPS"
	CodeSyncDroppedByNet  = "SYNC_DROPPED_BY_NET"
)

// syncOK is the status of a Delta Sync that sends and receives.
const syncOK = "Able to Send/Receive sync packets"

// pstatPair is the latest snapshot of one history and the one before it.
type pstatPair struct {
	cur  storms.PstatSnapshot
	prev *storms.PstatSnapshot
}

// pstatLatest pairs the latest snapshot of each history with the one
// before it, in input order of the latest.
func pstatLatest(all []storms.PstatSnapshot) []pstatPair {
	var out []pstatPair
	at := map[storms.History]int{}
	for _, sn := range all {
		if i, ok := at[sn.History]; ok {
			prev := out[i].cur
			out[i] = pstatPair{cur: sn, prev: &prev}
			continue
		}
		at[sn.History] = len(out)
		out = append(out, pstatPair{cur: sn})
	}
	return out
}

// who names the snapshot's SGM, or its position when it names none.
func (p pstatPair) who() string {
	if p.cur.SGM != "" {
		return p.cur.SGM
	}
	return "the SGM of " + p.cur.Source
}

func (p pstatPair) sgms() []string {
	if p.cur.SGM == "" {
		return []string{}
	}
	return []string{p.cur.SGM}
}

// rise says how a counter moved since the previous snapshot and returns
// the delta ("" and 0 without a previous snapshot or counter).
func (p pstatPair) rise(block, label, name string, now storms.PstatCounter) (string, int64, []string, bool) {
	if p.prev == nil {
		return "", 0, nil, false
	}
	var b *storms.PstatBlock
	for i := range p.prev.Blocks {
		if p.prev.Blocks[i].Name == block {
			b = &p.prev.Blocks[i]
		}
	}
	if b == nil {
		return "", 0, nil, false
	}
	was, ok := b.Find(label, name)
	if !ok {
		return "", 0, nil, false
	}
	d := now.Value - was.Value
	switch {
	case d > 0:
		return fmt.Sprintf(", rising by %s since the snapshot at %s (%s then)", report.Thousands(d), p.prev.Source, report.Thousands(was.Value)), d, []string{was.At}, true
	case d == 0:
		return fmt.Sprintf(", not rising since the snapshot at %s (the count is older than it)", p.prev.Source), 0, []string{was.At}, true
	}
	return fmt.Sprintf(", %s at %s before (the counters were reset in between)", report.Thousands(was.Value), p.prev.Source), d, []string{was.At}, true
}

// pstatFindings are the pstat findings; prior are the findings made so
// far, whose KERNEL_PANIC and SGM_DOWN of the same SGM a memory finding
// names.
func (t *Triage) pstatFindings(prior []Finding) []Finding {
	var out []Finding
	add := func(f Finding) { out = append(out, f.Clean()) }
	for _, p := range pstatLatest(t.pstat.Snapshots()) {
		if f, ok := p.memory(prior); ok {
			add(f)
		}
		sync := p.cur.Sync()
		if sync == nil {
			continue
		}
		if f, ok := p.status(sync); ok {
			add(f)
		}
		for _, c := range []struct {
			code, sev, name, key, what string
		}{
			{CodeSyncOverloadDrops, High, storms.PstatOverload, "overload_drops",
				"%s dropped %s sync updates as a result of sync overload (fw ctl pstat)%s: those updates never reached its peers; the vendor counts any as a problem."},
			{CodeSyncDroppedByNet, Medium, storms.PstatDroppedByNet, "dropped_by_net",
				"%s counts %s sync packets dropped by net (fw ctl pstat)%s: they arrived with a sequence number ahead of the expected one, so the sync packets before them were lost on the way (the vendor: look for congestion or loss on the sync network)."},
		} {
			n, ok := sync.Find("", c.name)
			if !ok || n.Value == 0 {
				continue
			}
			note, d, was, known := p.rise("Sync", "", c.name, n)
			f := Finding{Code: c.code, Severity: c.sev, SGMs: p.sgms(),
				Message:  fmt.Sprintf(c.what, p.who(), report.Thousands(n.Value), note),
				Evidence: append([]string{n.At}, was...), Numbers: map[string]int64{c.key: n.Value}}
			if known {
				f.Numbers["rise"] = d
			}
			add(f)
		}
	}
	return out
}

// memory is the KERNEL_MEMORY_ALLOC_FAILED finding of p, if any pool shows
// failed allocations.
func (p pstatPair) memory(prior []Finding) (Finding, bool) {
	f := Finding{Code: CodeKernelMemory, Severity: High, SGMs: p.sgms(), Numbers: map[string]int64{}}
	var parts, notes []string
	var total int64
	for i := range p.cur.Blocks {
		b := &p.cur.Blocks[i]
		for _, c := range b.Counters {
			if c.Name != storms.PstatFailedAlloc || c.Value == 0 {
				continue
			}
			pool := b.Name
			if b.Tag != "" {
				pool += " (" + b.Tag + ")"
			}
			parts = append(parts, fmt.Sprintf("%s in %s", report.Thousands(c.Value), pool))
			total += c.Value
			f.Numbers[b.Pool()+"_failed_alloc"] += c.Value
			f.Evidence = append(f.Evidence, c.At)
			if note, d, was, known := p.rise(b.Name, c.Label, c.Name, c); known {
				notes = append(notes, pool+strings.TrimPrefix(note, ","))
				f.Numbers[b.Pool()+"_failed_alloc_rise"] += d
				f.Evidence = append(f.Evidence, was...)
			}
		}
	}
	if total == 0 {
		return f, false
	}
	f.Numbers["failed_alloc"] = total
	f.Message = fmt.Sprintf("%s had %s failed kernel memory %s (fw ctl pstat: %s)", p.who(), report.Thousands(total),
		report.Plural(int(min(total, 2)), "allocation"), strings.Join(parts, ", "))
	if len(notes) > 0 {
		f.Message += "; " + strings.Join(notes, "; ")
	}
	f.Message += ": the kernel could not get memory, a precursor of drops and of memory-exhaustion panics."
	var also []string
	for _, code := range []string{CodeKernelPanic, CodeSGMDown} {
		for _, o := range prior {
			if o.Code == code && p.cur.SGM != "" && slices.Contains(o.SGMs, p.cur.SGM) {
				also = append(also, map[string]string{CodeKernelPanic: "had a kernel panic (KERNEL_PANIC)", CodeSGMDown: "is DOWN (SGM_DOWN)"}[code])
				break
			}
		}
	}
	if len(also) > 0 {
		f.Message += fmt.Sprintf(" %s also %s: running out of kernel memory may be what made it fail.", p.cur.SGM, strings.Join(also, " and "))
	}
	return f, true
}

// status is the SYNC_STATUS finding of p's Sync block, if its status is
// not the healthy one.
func (p pstatPair) status(b *storms.PstatBlock) (Finding, bool) {
	f := Finding{Code: CodeSyncStatus, Severity: High, SGMs: p.sgms()}
	if v, ok := b.Status["Sync"]; ok && strings.EqualFold(strings.TrimSpace(v), "off") {
		f.Message = fmt.Sprintf("%s says \"Sync: off\" (fw ctl pstat): Delta Sync is disabled, so its peers hold no copy of its connections and cannot take them over.", p.who())
		f.Evidence = []string{b.StatusAt["Sync"]}
		return f, true
	}
	v, ok := b.Status["Status"]
	if !ok || strings.EqualFold(strings.Join(strings.Fields(v), " "), syncOK) {
		return f, false
	}
	f.Message = fmt.Sprintf("%s's Delta Sync status is %q (fw ctl pstat): anything but %q means sync does not work both ways, so connections are not kept on every member.", p.who(), v, syncOK)
	f.Evidence = []string{b.StatusAt["Status"]}
	return f, true
}

// pstatMembers sets each member's pstat snapshots.
func (t *Triage) pstatMembers(ms []Member) {
	by := map[string][]storms.PstatSnapshot{}
	for _, sn := range t.pstat.Snapshots() {
		if sn.SGM != "" {
			by[sn.SGM] = append(by[sn.SGM], sn)
		}
	}
	for i := range ms {
		ms[i].Pstat = []PstatJSON{}
		for _, sn := range by[ms[i].SGM] {
			ms[i].Pstat = append(ms[i].Pstat, pstatJSON(sn))
		}
	}
}

// PstatJSON is one `fw ctl pstat` snapshot of a member, as `triage
// --format json` prints it: the memory pools with their failed
// allocations, the one-line counters, the Sync section, and every other
// block as it was read.
type PstatJSON struct {
	Source   string                       `json:"source"`
	Memory   []PstatPool                  `json:"memory"`
	Counters map[string]map[string]int64  `json:"counters"` // Inspct, Cookies, Fragments, NAT, ... by block
	Sync     *storms.PstatSync            `json:"sync"`     // null when the snapshot has no Sync section
	Status   map[string]map[string]string `json:"status,omitempty"`
}

// PstatPool is one kernel memory pool of a snapshot.
type PstatPool struct {
	Pool        string           `json:"pool"` // the tag: hmem, smem, kmem
	Name        string           `json:"name"`
	FailedAlloc *int64           `json:"failed_alloc"`
	Counters    map[string]int64 `json:"counters"`
}

func pstatJSON(sn storms.PstatSnapshot) PstatJSON {
	j := PstatJSON{Source: sn.Source, Memory: []PstatPool{}, Counters: map[string]map[string]int64{}, Sync: sn.SyncJSON()}
	for i := range sn.Blocks {
		b := &sn.Blocks[i]
		switch {
		case b.Name == "Sync":
			continue
		case b.Tag != "" || strings.Contains(strings.ToLower(b.Name), "memory"):
			pool := PstatPool{Pool: b.Pool(), Name: b.Name, Counters: b.CounterMap()}
			if c, ok := b.Find("", storms.PstatFailedAlloc); ok {
				var n int64
				for _, x := range b.Counters {
					if x.Name == c.Name {
						n += x.Value
					}
				}
				pool.FailedAlloc = &n
			}
			j.Memory = append(j.Memory, pool)
		default:
			j.Counters[b.Name] = b.CounterMap()
		}
		if len(b.Status) > 0 {
			if j.Status == nil {
				j.Status = map[string]map[string]string{}
			}
			j.Status[b.Name] = b.Status
		}
	}
	return j
}
