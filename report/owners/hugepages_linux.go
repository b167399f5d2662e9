package owners

import (
	"syscall"
	"time"
	"unsafe"
)

// adviseHuge asks the kernel for huge pages under a big table's slots,
// before their first touch, when huge pages come cheap here. Each op lands
// on a random slot: with 4 KiB pages every one is a TLB miss as well as a
// cache miss, and the page walks (nested ones, in a virtual machine) are
// what the op waits for; 2 MiB pages put the whole table in the TLB. On
// the machine of an earlier session that took owners' user time down by
// 0.3 s (prefetch2 had been a fifth of its CPU on the 2M dump).
//
// The cost is the kernel's zeroing of a whole huge page at its first
// touch, and that depends on the machine: some 0.1 ms on an ordinary one,
// but 4.7 ms in a virtual machine whose host has taken back the guest's
// free memory (page reporting) and faults it in again, where 4 KiB pages
// cost some 0.2-0.4 ms per 2 MiB. Measured on this project's machine,
// 128 MiB touched a few seconds after other work: 300 ms with huge pages,
// 55 ms without (7 ms and 50 ms right after another run); owners on the
// 2M dump after the mawk count, 6 runs each: median 0.39 s with huge pages,
// 0.29 s without, the same user time. So the first huge page is a probe:
// it is advised and touched alone, and the rest is advised only when that
// touch took less than hugeProbeMax. The slots hold no pointers, so this
// changes nothing but paging; a kernel that says no changes nothing at
// all.
func adviseHuge(slots []connSlot) {
	const huge = 2 << 20
	n := len(slots) * int(unsafe.Sizeof(connSlot{}))
	if n < 4*huge {
		return
	}
	b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(slots))), n)
	// The first whole huge page of b: madvise wants page-aligned bounds,
	// and only a whole aligned 2 MiB can be a huge page.
	at := int(-uintptr(unsafe.Pointer(&b[0])) & (huge - 1))
	probe := b[at : at+huge]
	if syscall.Madvise(probe, syscall.MADV_HUGEPAGE) != nil {
		return
	}
	t0 := time.Now()
	probe[0] = 0 // the first touch: the fault that zeroes the huge page
	if time.Since(t0) > hugeProbeMax {
		return
	}
	_ = syscall.Madvise(b[at+huge:len(b)&^(4<<10-1)], syscall.MADV_HUGEPAGE)
}

// hugeProbeMax is the longest first touch of a huge page (see adviseHuge)
// for which huge pages are cheaper than 4 KiB ones.
const hugeProbeMax = time.Millisecond
