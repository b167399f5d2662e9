package sim

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
)

const hexDigits = "0123456789abcdef"

// appendHex8 appends v as 8 lowercase hex digits.
func appendHex8(b []byte, v uint32) []byte {
	return append(b,
		hexDigits[v>>28], hexDigits[v>>24&15], hexDigits[v>>20&15], hexDigits[v>>16&15],
		hexDigits[v>>12&15], hexDigits[v>>8&15], hexDigits[v>>4&15], hexDigits[v&15])
}

// appendHex appends v in lowercase hex without leading zeros.
func appendHex(b []byte, v uint32) []byte { return strconv.AppendUint(b, uint64(v), 16) }

func appendDec(b []byte, v int) []byte { return strconv.AppendInt(b, int64(v), 10) }

// appendIP appends a dotted IPv4 address.
func appendIP(b []byte, ip uint32) []byte {
	b = strconv.AppendUint(b, uint64(ip>>24), 10)
	b = append(b, '.')
	b = strconv.AppendUint(b, uint64(ip>>16&0xff), 10)
	b = append(b, '.')
	b = strconv.AppendUint(b, uint64(ip>>8&0xff), 10)
	b = append(b, '.')
	return strconv.AppendUint(b, uint64(ip&0xff), 10)
}

// IPString renders an IPv4 number as a dotted string.
func IPString(ip uint32) string { return string(appendIP(nil, ip)) }

// NumVals is the number of value words of an R81.20 connections entry.
const NumVals = 34

// Vals returns the 34 value words of connection i's entry.
func (s *Scenario) Vals(i int) [NumVals]uint32 { return s.vals(&s.Conns[i]) }

func (s *Scenario) vals(c *Conn) [NumVals]uint32 {
	var v [NumVals]uint32
	if c.Proto == ProtoTCP {
		v[0], v[1], v[3], v[14] = 0x0001c001, 0x40044080, 0xb, 0x000f9280
	} else {
		v[0], v[1], v[3], v[14] = 0x00010001, 0x00020081, 0x4, 0x00000280
	}
	v[2] = uint32(c.Rule)
	v[5] = c.Created
	v[7], v[8] = c.ID1, c.ID2
	for k, f := range c.Ifn {
		if f == 0xff {
			v[9+k] = 0xffffffff
		} else {
			v[9+k] = uint32(f)
		}
	}
	v[13] = CCLWord(int(c.Owner))
	v[15], v[16] = 0x80000000, 0x340
	v[18], v[19] = c.V18, uint32(c.V19)
	return v
}

// appendKey appends "<dir, src, sport, dst, dport, proto" (no closing
// bracket) in dump form; dir 1 swaps the endpoints.
func appendKey(b []byte, c *Conn, dir int) []byte {
	src, sp, dst, dp := c.Src, c.SPort, c.Dst, c.DPort
	if dir == 1 {
		src, sp, dst, dp = dst, dp, src, sp
	}
	b = append(b, '<')
	b = appendHex8(b, uint32(dir))
	for _, w := range [...]uint32{src, uint32(sp), dst, uint32(dp), uint32(c.Proto)} {
		b = append(b, ", "...)
		b = appendHex8(b, w)
	}
	return b
}

// appendEntry appends the full entry line (with newline) of conn i as seen
// on a holder with the given remaining time.
func (s *Scenario) appendEntry(b []byte, i, remaining int) []byte {
	c := &s.Conns[i]
	b = appendKey(b, c, 0)
	vals := s.Vals(i)
	for k, w := range vals {
		if k == 0 {
			b = append(b, "; "...)
		} else {
			b = append(b, ", "...)
		}
		b = appendHex8(b, w)
	}
	b = append(b, "; 00000001 ; "...)
	b = appendDec(b, remaining)
	b = append(b, '/')
	b = appendDec(b, s.TimeoutOf(c))
	return append(b, ">\n"...)
}

// appendLink appends the link line of the reverse key of conn i.
func appendLink(b []byte, c *Conn) []byte {
	b = appendKey(b, c, 1)
	b = append(b, "> -> "...)
	b = appendKey(b, c, 0)
	return append(b, "> (00000005)\n"...)
}

// FwTabHeader is the header `fw tab -t connections -u` prints on R81.20.
const FwTabHeader = "localhost:\n" +
	"-------- connections --------\n" +
	"dynamic, id 8158, attributes: keep, sync, aggressive aging, kbufs 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34, expires 25, refresh, , hashsize 2097152, unlimited\n"

const fwTabHeaderLines = 3

// badLine is a damaged line added to one SGM's dump.
type badLine struct {
	sgm    int
	pos    int // inserted before the pos-th record of that SGM's dump
	seq    int
	line   int // 1-based line in sgm-<sgm>/fwtab.txt
	reason string
	text   string
}

// Bad line reasons.
const (
	ReasonTruncated = "truncated"
	ReasonNonHex    = "non-hex word"
)

func (s *Scenario) genBadLines(rng *rand.Rand) {
	if s.BadLines == 0 || len(s.DumpSGMs) == 0 {
		return
	}
	for k := range s.BadLines {
		id := s.DumpSGMs[rng.IntN(len(s.DumpSGMs))]
		// A fake connection from 10.0.0.0/16, which no real one uses.
		fake := Conn{Src: 0x0a000000 | uint32(k/250)<<8 | uint32(k%250+1), SPort: uint16(1024 + rng.IntN(60000)),
			Dst: 0x0a00ff01, DPort: 443, Proto: ProtoTCP, Owner: uint8(id), Created: uint32(s.SwitchoverWall - 100)}
		tmp := Scenario{Config: s.Config, Conns: []Conn{fake}}
		full := tmp.appendEntry(nil, 0, s.RiskWindow)
		full = full[:len(full)-1]
		var text []byte
		reason := ReasonTruncated
		if k%2 == 0 {
			text = full[:12+rng.IntN(len(full)-24)]
		} else {
			reason = ReasonNonHex
			text = full
			copy(text[21:29], "zzzzzzzz") // the sport word of the key
		}
		s.bad = append(s.bad, badLine{sgm: id, pos: rng.IntN(s.records[id] + 1), seq: k, reason: reason, text: string(text)})
	}
	sortBad(s.bad)
	for k := range s.bad {
		// Bad lines before this one in the same file shift it down.
		before := 0
		for j := k - 1; j >= 0 && s.bad[j].sgm == s.bad[k].sgm; j-- {
			before++
		}
		s.bad[k].line = fwTabHeaderLines + s.bad[k].pos + before + 1
	}
}

func sortBad(b []badLine) {
	// Insertion sort keeps it dependency-free and stable; BadLines is small.
	for i := 1; i < len(b); i++ {
		for j := i; j > 0 && badLess(b[j], b[j-1]); j-- {
			b[j], b[j-1] = b[j-1], b[j]
		}
	}
}

func badLess(a, b badLine) bool {
	if a.sgm != b.sgm {
		return a.sgm < b.sgm
	}
	if a.pos != b.pos {
		return a.pos < b.pos
	}
	return a.seq < b.seq
}

// dumpLines is the number of lines of sgm's fw tab dump.
func (s *Scenario) dumpLines(id int) int {
	n := fwTabHeaderLines + s.records[id]
	for _, b := range s.bad {
		if b.sgm == id {
			n++
		}
	}
	return n
}

func (s *Scenario) sgmArg(sgm string) (int, error) {
	id, err := ParseSGM(sgm)
	if err != nil {
		return 0, err
	}
	if !s.IsDumpSGM(id) {
		return 0, fmt.Errorf("sgm %s produces no dump in this scenario", SGMName(id))
	}
	return id, nil
}

// WriteFwTab writes the `fw tab -t connections -u` dump of one SGM
// ("1_01"), which must be present and not on a DOWN site.
func (s *Scenario) WriteFwTab(w io.Writer, sgm string) error {
	id, err := s.sgmArg(sgm)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	if err := s.writeFwTab(bw, id); err != nil {
		return err
	}
	return bw.Flush()
}

// WriteFwTabAll writes every dumping SGM's fw tab dump as g_all prints them,
// each introduced by a banner line "-*- 1 blade: 1_01 -*-".
func (s *Scenario) WriteFwTabAll(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	for _, id := range s.DumpSGMs {
		if _, err := bw.WriteString("-*- 1 blade: " + SGMName(id) + " -*-\n"); err != nil {
			return err
		}
		if err := s.writeFwTab(bw, id); err != nil {
			return err
		}
	}
	return bw.Flush()
}

func (s *Scenario) writeFwTab(bw *bufio.Writer, id int) error {
	if _, err := bw.WriteString(FwTabHeader); err != nil {
		return err
	}
	bad := s.bad
	for len(bad) > 0 && bad[0].sgm != id {
		bad = bad[1:]
	}
	bit := uint32(1) << id
	buf := make([]byte, 0, 1024)
	pos := 0
	for _, r := range s.perm {
		i := int(r >> 1)
		c := &s.Conns[i]
		if c.Mask&bit == 0 {
			continue
		}
		buf = buf[:0]
		for len(bad) > 0 && bad[0].sgm == id && bad[0].pos == pos {
			buf = append(buf, bad[0].text...)
			buf = append(buf, '\n')
			bad = bad[1:]
		}
		if r&1 == 0 {
			buf = s.appendEntry(buf, i, s.Remaining(i, id))
		} else {
			buf = appendLink(buf, c)
		}
		if _, err := bw.Write(buf); err != nil {
			return err
		}
		pos++
	}
	for len(bad) > 0 && bad[0].sgm == id {
		bw.WriteString(bad[0].text)
		bw.WriteByte('\n')
		bad = bad[1:]
	}
	return nil
}
