package decode

import (
	"fmt"
	"net/netip"
	"strconv"
)

// Tuple is a connection's 5-tuple as the connections table keys it: IPv4
// addresses as big-endian words (172.16.61.2 = 0xac103d02), ports and the IP
// protocol number.
type Tuple struct {
	Src, Dst     uint32
	SPort, DPort uint16
	Proto        uint8
}

// Reverse swaps the two endpoints.
func (t Tuple) Reverse() Tuple {
	return Tuple{Src: t.Dst, Dst: t.Src, SPort: t.DPort, DPort: t.SPort, Proto: t.Proto}
}

// Canonical returns the direction-free form of t: of t and its reverse, the
// one whose (Src, SPort) sorts first. A connection seen under any of its
// keys, on any SGM, has one canonical tuple [public: a connection appears
// under up to 4 keys].
func (t Tuple) Canonical() Tuple {
	if t.Flipped() {
		return t.Reverse()
	}
	return t
}

// Flipped reports whether the canonical form of t is its reverse (see
// Canonical): whether (Dst, DPort) sorts before (Src, SPort).
func (t *Tuple) Flipped() bool { return t.Dst < t.Src || (t.Dst == t.Src && t.DPort < t.SPort) }

// String renders "172.16.61.2:30675 -> 172.16.61.66:179 tcp".
func (t Tuple) String() string {
	return fmt.Sprintf("%s:%d -> %s:%d %s", IPv4(t.Src), t.SPort, IPv4(t.Dst), t.DPort, ProtoName(t.Proto))
}

// IPv4 renders a big-endian address word in dotted form.
func IPv4(w uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(w >> 24), byte(w >> 16), byte(w >> 8), byte(w)})
}

// protoNames are the IP protocol numbers engineers meet in these tables.
var protoNames = map[uint8]string{
	1: "icmp", 6: "tcp", 17: "udp", 47: "gre", 50: "esp", 51: "ah", 58: "ipv6-icmp", 132: "sctp",
}

// ProtoName names an IP protocol number ("tcp"), or returns the number.
func ProtoName(p uint8) string {
	if n, ok := protoNames[p]; ok {
		return n
	}
	return strconv.Itoa(int(p))
}

// ParseProto accepts a protocol name from [ProtoName] or a number 0..255.
func ParseProto(s string) (uint8, bool) {
	for k, v := range protoNames {
		if v == s {
			return k, true
		}
	}
	n, err := strconv.ParseUint(s, 10, 8)
	return uint8(n), err == nil
}

// Direction names the first key word of a connections-table key: 0 is the
// inbound key, 1 the outbound one (sk65133, as cited by the seed).
func Direction(d uint32) string {
	switch d {
	case 0:
		return "0 (inbound)"
	case 1:
		return "1 (outbound)"
	}
	return fmt.Sprintf("%d (unknown)", d)
}
