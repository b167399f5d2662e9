//go:build !linux

package owners

func adviseHuge([]connSlot) {}
