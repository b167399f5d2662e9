package triage

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// pstatOut is a `fw ctl pstat` output with the given failed smem
// allocations, sync status, packets dropped by net and overload drops.
func pstatOut(failed int, status string, byNet, overload int) string {
	return fmt.Sprintf(`Issuing 'fw ctl pstat' :

System kernel memory (smem) statistics:
  Total memory  bytes  used: 60818016   peak: 80584760
  Allocations: 152911 alloc, %d failed alloc, 150012 free, 0 failed free
  a line of a newer release
Kernel memory (kmem) statistics:
  Allocations: 2113749914 alloc, 0 failed alloc
               2113074000 free, 0 failed free

Sync:
        Version: new
        Status: %s
        Sync packets received:
         total : 77283541,  were queued : 6715, dropped by net : %d
         dropped updates as a result of sync overload: %d
`, failed, status, byNet, overload)
}

func findingsByKey(r *Report) map[string]Finding {
	got := map[string]Finding{}
	for _, f := range r.Findings {
		got[f.Code+" "+strings.Join(f.SGMs, ",")] = f
	}
	return got
}

// TestPstatFindings is the bundle: one SGM's pstat shows 1,342
// failed smem allocations, 6,079 packets dropped by net, 57 updates dropped
// by sync overload and "Unable to receive sync packets"; the four codes
// are reported on that SGM only, with those numbers, and nothing on the
// clean SGM.
func TestPstatFindings(t *testing.T) {
	r := triageOf(t, "", map[string]string{
		"b.tgz!1_03/cpinfo.info": pstatOut(1342, "Unable to receive sync packets", 6079, 57),
		"b.tgz!1_02/cpinfo.info": pstatOut(0, "Able to Send/Receive sync packets", 0, 0),
	})
	got := findingsByKey(r)
	for _, w := range []struct {
		key, severity, evidence, text string
		numbers                       map[string]int64
	}{
		{"KERNEL_MEMORY_ALLOC_FAILED 1_03", High, "b.tgz!1_03/cpinfo.info:5", "1,342 in System kernel memory (smem)",
			map[string]int64{"failed_alloc": 1342, "smem_failed_alloc": 1342}},
		{"SYNC_STATUS 1_03", High, "b.tgz!1_03/cpinfo.info:13", `"Unable to receive sync packets"`, nil},
		{"SYNC_OVERLOAD_DROPS 1_03", High, "b.tgz!1_03/cpinfo.info:16", "dropped 57 sync updates", map[string]int64{"overload_drops": 57}},
		{"SYNC_DROPPED_BY_NET 1_03", Medium, "b.tgz!1_03/cpinfo.info:15", "6,079 sync packets dropped by net", map[string]int64{"dropped_by_net": 6079}},
	} {
		f, ok := got[w.key]
		if !ok {
			t.Errorf("no finding %q in %v", w.key, r.Findings)
			continue
		}
		if f.Severity != w.severity || strings.Join(f.Evidence, " ") != w.evidence || !strings.Contains(f.Message, w.text) {
			t.Errorf("%s: %s %v %q", w.key, f.Severity, f.Evidence, f.Message)
		}
		if fmt.Sprint(f.Numbers) != fmt.Sprint(w.numbers) && (w.numbers != nil || len(f.Numbers) > 0) {
			t.Errorf("%s: numbers %v, want %v", w.key, f.Numbers, w.numbers)
		}
		if strings.Contains(f.Message, "rising") {
			t.Errorf("%s: one snapshot cannot say rising: %q", w.key, f.Message)
		}
	}
	if len(r.Findings) != 4 {
		t.Errorf("%d findings, want the 4 of 1_03: %v", len(r.Findings), r.Findings)
	}
	// Members carry their parsed counters; storms its Sync sections.
	for _, m := range r.Members {
		if len(m.Pstat) != 1 || m.Pstat[0].Sync == nil || len(m.Pstat[0].Memory) != 2 {
			t.Fatalf("%s: pstat %+v", m.SGM, m.Pstat)
		}
		if m.SGM == "1_03" && (*m.Pstat[0].Memory[0].FailedAlloc != 1342 || *m.Pstat[0].Sync.DroppedByNet != 6079 ||
			*m.Pstat[0].Sync.OverloadDrops != 57 || m.Pstat[0].Sync.Status != "Unable to receive sync packets") {
			b, _ := json.Marshal(m.Pstat)
			t.Errorf("1_03: %s", b)
		}
	}
	if len(r.Storms.Pstat) != 2 {
		t.Errorf("storms pstat %+v", r.Storms.Pstat)
	}
	if n := r.Inputs.Ignored["other pstat content"]; n != 2 || len(r.Inputs.Rejected) != 0 {
		t.Errorf("accounting %+v", r.Inputs)
	}
}

// TestPstatRising: two snapshots of the same SGM say whether a counter
// rises, with the delta; a panic of the same SGM joins the memory finding;
// Sync: off is a SYNC_STATUS.
func TestPstatRising(t *testing.T) {
	r := triageOf(t, "", map[string]string{
		"b.tgz!1_03/a-cpinfo.info": pstatOut(1200, "Able to Send/Receive sync packets", 6079, 0),
		"b.tgz!1_03/b-cpinfo.info": pstatOut(1342, "Able to Send/Receive sync packets", 6079, 0) +
			"\nMar 12 01:33:38 gw kernel: Kernel panic - not syncing: Fatal exception\n",
		"b.tgz!2_01/cpinfo.info": "Issuing 'fw ctl pstat' :\n\nSync: off\n",
	})
	got := findingsByKey(r)
	mem := got["KERNEL_MEMORY_ALLOC_FAILED 1_03"]
	if mem.Numbers["smem_failed_alloc_rise"] != 142 || !strings.Contains(mem.Message, "rising by 142 since the snapshot at b.tgz!1_03/a-cpinfo.info:3 (1,200 then)") ||
		!strings.Contains(mem.Message, "1_03 also had a kernel panic (KERNEL_PANIC)") ||
		strings.Join(mem.Evidence, " ") != "b.tgz!1_03/b-cpinfo.info:5 b.tgz!1_03/a-cpinfo.info:5" {
		t.Errorf("memory: %+v", mem)
	}
	byNet := got["SYNC_DROPPED_BY_NET 1_03"]
	if n, ok := byNet.Numbers["rise"]; !ok || n != 0 || !strings.Contains(byNet.Message, "not rising") {
		t.Errorf("dropped by net: %+v", byNet)
	}
	if off := got["SYNC_STATUS 2_01"]; !strings.Contains(off.Message, `"Sync: off"`) || strings.Join(off.Evidence, " ") != "b.tgz!2_01/cpinfo.info:3" {
		t.Errorf("sync off: %+v", off)
	}
	if _, ok := got["SYNC_STATUS 1_03"]; ok {
		t.Error("a healthy status is no finding")
	}
}
