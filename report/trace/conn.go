// Package trace tells one connection's story across every input: its
// owner and whether correction reaches it, every SGM holding it, a timeline
// of its sync messages and correction lines with each sync_mask change
// explained, and a verdict.
package trace

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/parse"
	"github.com/maestro-analyze/maestro-analyze/report"
)

// ErrConnection is wrapped by [ParseConnection] for text that names no
// connection.
var ErrConnection = errors.New("expected src:sport-dst:dport/proto (e.g. 172.16.61.2:30675-172.16.61.66:179/tcp) or a pasted entry that names a connection")

// ParseConnection reads the connection `trace` follows: either
// "src:sport-dst:dport/proto" (either direction; proto a number or a name
// such as tcp; "->" and a space before the protocol are accepted too, so the
// tool's own "172.16.61.2:30675 -> 172.16.61.66:179 tcp" can be pasted
// back), or any entry `decode` accepts that carries a connection key: a
// fw tab -u entry or link, a fw tab -f line, a kernel-debug sync or
// correction line, a gconn row. The tuple is returned as given.
func ParseConnection(s string) (decode.Tuple, error) {
	if t, ok := parseTupleText(strings.TrimSpace(s)); ok {
		return t, nil
	}
	f := report.NewFeed(report.Context{}, report.FeedOptions{})
	var k firstKey
	f.Use(&k)
	if err := f.ReadString("CONNECTION", s); err == nil && k.ok {
		return k.t, nil
	}
	return decode.Tuple{}, fmt.Errorf("%q: %w", clipText(s, 60), ErrConnection)
}

// firstKey keeps the connection of the first record that names one.
type firstKey struct {
	t  decode.Tuple
	ok bool
}

func (k *firstKey) Add(it *report.Item) {
	if k.ok || !it.HasKey {
		return
	}
	switch it.Kind {
	case parse.KindFwTab, parse.KindFwTabLink, parse.KindFwTabF, parse.KindSync, parse.KindGconn, parse.KindCorrection:
		k.t, k.ok = it.Key.Tuple, true
	}
}

// parseTupleText parses "a:p-b:q/proto", "a:p -> b:q proto" and mixes.
func parseTupleText(s string) (decode.Tuple, bool) {
	var protoText string
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		s, protoText = s[:i], s[i+1:]
	} else if i := strings.LastIndexAny(s, " \t"); i >= 0 {
		s, protoText = s[:i], s[i+1:]
	}
	proto, ok := decode.ParseProto(strings.ToLower(strings.TrimSpace(protoText)))
	if !ok {
		return decode.Tuple{}, false
	}
	s = strings.ReplaceAll(strings.ReplaceAll(s, "<->", "-"), "->", "-")
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return decode.Tuple{}, false
	}
	src, sport, ok1 := parseEndpoint(a)
	dst, dport, ok2 := parseEndpoint(b)
	if !ok1 || !ok2 {
		return decode.Tuple{}, false
	}
	return decode.Tuple{Src: src, SPort: sport, Dst: dst, DPort: dport, Proto: proto}, true
}

func parseEndpoint(s string) (uint32, uint16, bool) {
	ap, err := netip.ParseAddrPort(strings.TrimSpace(s))
	if err != nil || !ap.Addr().Is4() {
		return 0, 0, false
	}
	b := ap.Addr().As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3]), ap.Port(), true
}

func clipText(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// services names well-known server ports ([public]: IANA names; the Check
// Point ones from the vendor's port list), keyed by proto<<16 | port.
var services = map[uint32]string{
	6<<16 | 21: "ftp", 6<<16 | 22: "ssh", 6<<16 | 23: "telnet", 6<<16 | 25: "smtp", 6<<16 | 53: "domain",
	17<<16 | 53: "domain", 6<<16 | 80: "http", 6<<16 | 110: "pop3", 17<<16 | 123: "ntp", 6<<16 | 143: "imap",
	17<<16 | 161: "snmp", 6<<16 | 179: "bgp", 6<<16 | 257: "fw1-log", 6<<16 | 389: "ldap", 6<<16 | 443: "https",
	6<<16 | 445: "microsoft-ds", 17<<16 | 500: "isakmp", 17<<16 | 514: "syslog", 6<<16 | 636: "ldaps",
	6<<16 | 993: "imaps", 6<<16 | 995: "pop3s", 6<<16 | 1433: "ms-sql-s", 17<<16 | 1812: "radius",
	6<<16 | 3306: "mysql", 6<<16 | 3389: "ms-wbt-server (RDP)", 6<<16 | 5432: "postgresql",
	6<<16 | 8080: "http-alt", 17<<16 | 8116: "cluster control protocol (CCP)", 6<<16 | 8443: "https-alt",
	6<<16 | 18190: "cpmi", 6<<16 | 18191: "cpd", 6<<16 | 18192: "cpd-amon", 6<<16 | 18264: "cp ica",
}

// serviceOf names the service of port p under proto, "" when unknown.
func serviceOf(proto uint8, p uint16) string { return services[uint32(proto)<<16|uint32(p)] }
