package sim

import (
	"fmt"
	"strings"
)

// The `fw ctl pstat` of the bundle: clean on every SGM but the one that
// fails, whose kernel ran out of system memory and whose Delta Sync lost
// packets and updates before it panicked.
const (
	BundleFailedSmem     = 1342 // failed smem allocations on the failing SGM
	BundleDroppedByNet   = 6079 // sync packets dropped by net there
	BundleOverloadDrops  = 57   // updates dropped as a result of sync overload there
	bundleSyncStatusBad  = "Unable to receive sync packets"
	bundleSyncStatusGood = "Able to Send/Receive sync packets"
)

// Finding codes of the pstat findings, as a triage reports them.
const (
	CodeKernelMemory      = "KERNEL_MEMORY_ALLOC_FAILED"
	CodeSyncStatus        = "SYNC_STATUS"
	CodeSyncOverloadDrops = "SYNC_OVERLOAD_DROPS"
	CodeSyncDroppedByNet  = "SYNC_DROPPED_BY_NET"
)

// pstatLines are the evidence lines of the failing SGM's pstat: indexes
// into the lines pstat returns.
type pstatLines struct{ failed, status, droppedByNet, overload int }

// pstat renders `fw ctl pstat` of SGM id in the R81 shape [public: vendor
// ClusterXL guide, ATRG], with an extra line of a newer release in the
// smem block, and returns the indexes of the lines the findings cite.
func (b *bundle) pstat(id int) ([]string, pstatLines) {
	h := mix(b.s.Seed ^ uint64(id)<<36 ^ 0x957a7)
	failed, dropped, overload, status := int64(0), int64(0), int64(0), bundleSyncStatusGood
	if id == b.down {
		failed, dropped, overload, status = BundleFailedSmem, BundleDroppedByNet, BundleOverloadDrops, bundleSyncStatusBad
	}
	alloc := 150000 + int64(h%50000)
	sent, recv := 400000+int64(h>>16%100000), 70000+int64(h>>32%10000)
	var ix pstatLines
	lines := []string{
		"System Capacity Summary:",
		fmt.Sprintf("  Memory used: %d%% (%d MB out of 8490 MB) - below watermark", 8+h%5, 700+h%90),
		"  Concurrent Connections: 0 (Unlimited)",
		"  Aggressive Aging is enabled, not active",
		"",
		"Hash kernel memory (hmem) statistics:",
		"  Total memory allocated: 1073741824 bytes in 262144 (4096 bytes) blocks",
		fmt.Sprintf("  Total memory bytes  used: %d   unused: %d (97%%)   peak: %d", 24577164+h%1000, 1049164660-h%1000, 41006368),
		fmt.Sprintf("  Allocations: %d alloc, 0 failed alloc, %d free", alloc*10, alloc*10-7117),
		"",
		"System kernel memory (smem) statistics:",
		fmt.Sprintf("  Total memory  bytes  used: %d   peak: %d", 60818016+h%4096, 80584760),
		"  Total memory bytes wasted:  4034463",
		fmt.Sprintf("  Allocations: %d alloc, %d failed alloc, %d free, 0 failed free", alloc, failed, alloc-2899),
	}
	ix.failed = len(lines) - 1
	lines = append(lines,
		"  vmalloc bytes  used:        0 expensive: no",
		"",
		"Kernel memory (kmem) statistics:",
		fmt.Sprintf("  Total memory  bytes  used: %d   peak: %d", 411011240+h%9999, 558656516),
		fmt.Sprintf("  Allocations: %d alloc, 0 failed alloc", alloc*14000),
		fmt.Sprintf("               %d free, 0 failed free", alloc*14000-675914),
		"  External Allocations: 3072 for packets, 123580829 for SXL",
		"",
		"Cookies:",
		fmt.Sprintf("        %d total, 0 alloc, 0 free,", sent*7),
		"        1047 dup, 0 get, 117908 put,",
		"        0 chain free",
		"",
		fmt.Sprintf("Fragments: %d fragments, 0 expired, %d packets", h%300, h%120),
		"NAT: 12999/0 forw, 12867/0 bckw, 25866 tcpudp, 0 icmp, 5021-65531 alloc",
		"",
		"Sync:",
		"        Version: new",
		"        Status: "+status)
	ix.status = len(lines) - 1
	lines = append(lines,
		"        Sync packets sent:",
		fmt.Sprintf("         total : %d,  retransmitted : %d, retrans reqs : %d,  acks : %d", sent, h%40, h%9, 800+h%50),
		"        Sync packets received:",
		fmt.Sprintf("         total : %d,  were queued : %d, dropped by net : %d", recv, h%700, dropped))
	ix.droppedByNet = len(lines) - 1
	lines = append(lines,
		fmt.Sprintf("         retrans reqs : %d, received %d acks", h%300, 170+h%20),
		"         retrans reqs for illegal seq : 0",
		fmt.Sprintf("         dropped updates as a result of sync overload: %d", overload))
	ix.overload = len(lines) - 1
	lines = append(lines,
		fmt.Sprintf("        Delta Sync memory usage: currently using %d KB mem", h%64),
		fmt.Sprintf("        Callback statistics: handled %d cb, average delay : 1,  max delay : %d", 97+h%100, 2+h%30),
		"        Number of Pending packets currently held: 0",
		"        Packets released due to timeout: 0")
	return lines, ix
}

// pstatEvidence records the evidence of the failing SGM's pstat, whose
// lines start at line first of member.
func (b *bundle) pstatEvidence(member string, first int, lines []string, ix pstatLines) {
	for _, e := range []struct {
		code string
		i    int
	}{{CodeKernelMemory, ix.failed}, {CodeSyncStatus, ix.status}, {CodeSyncDroppedByNet, ix.droppedByNet}, {CodeSyncOverloadDrops, ix.overload}} {
		b.cpinfoEv[e.code] = []evLine{{b.pos(member, first+e.i), strings.TrimSpace(lines[e.i])}}
	}
}

// pstatFindings adds the expected pstat findings: the four codes on the
// failing SGM, cited at its pstat lines, and none on the others.
func (b *bundle) pstatFindings(add func(BundleFinding, []evLine)) {
	down := []string{SGMName(b.down)}
	add(BundleFinding{Code: CodeKernelMemory, Severity: SeverityHigh, SGMs: down, Cited: true,
		Numbers: map[string]int64{"failed_alloc": BundleFailedSmem, "smem_failed_alloc": BundleFailedSmem}}, b.cpinfoEv[CodeKernelMemory])
	add(BundleFinding{Code: CodeSyncStatus, Severity: SeverityHigh, SGMs: down, Cited: true}, b.cpinfoEv[CodeSyncStatus])
	add(BundleFinding{Code: CodeSyncOverloadDrops, Severity: SeverityHigh, SGMs: down, Cited: true,
		Numbers: map[string]int64{"overload_drops": BundleOverloadDrops}}, b.cpinfoEv[CodeSyncOverloadDrops])
	add(BundleFinding{Code: CodeSyncDroppedByNet, Severity: SeverityMedium, SGMs: down, Cited: true,
		Numbers: map[string]int64{"dropped_by_net": BundleDroppedByNet}}, b.cpinfoEv[CodeSyncDroppedByNet])
}
