package owners

import (
	"syscall"
	"unsafe"
)

// adviseHuge asks the kernel for huge pages under a big table, before its
// first touch: a 2M-connection table is some 40,000 small pages, and in a
// virtual machine each first touch of one costs microseconds (0.8 s of
// system time measured for the 2M dump), where huge pages take a hundred
// faults. The slots hold no pointers, so this changes nothing but paging;
// a kernel that says no changes nothing at all.
func adviseHuge(slots []connSlot) {
	const huge = 2 << 20
	n := len(slots) * int(unsafe.Sizeof(connSlot{}))
	if n < 4*huge {
		return
	}
	b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(slots))), n)
	_ = syscall.Madvise(b, syscall.MADV_HUGEPAGE)
}
