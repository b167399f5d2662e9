package parse

import "testing"

func TestPextFast(t *testing.T) {
	for _, c := range []struct {
		vendor string
		eax    uint32
		want   bool
	}{
		{"GenuineIntel", 0x000806f8, true},  // Sapphire Rapids
		{"AuthenticAMD", 0x00800f12, false}, // Zen 1 (family 0x17)
		{"AuthenticAMD", 0x00830f10, false}, // Zen 2
		{"HygonGenuine", 0x00900f02, false}, // Dhyana (family 0x18)
		{"AuthenticAMD", 0x00a20f10, true},  // Zen 3 (family 0x19)
		{"AuthenticAMD", 0x00b40f40, true},  // Zen 5 (family 0x1a)
	} {
		if got := pextFast(c.vendor, c.eax); got != c.want {
			t.Errorf("pextFast(%s, %#x) = %v, want %v", c.vendor, c.eax, got, c.want)
		}
	}
}
