package sim

import (
	"bufio"
	"io"
)

// GconnHeader is the header of `fw ctl multik gconn`.
const GconnHeader = "Default:\n" +
	"==========================================================================================================================\n" +
	"| Segm | Src IP | S.port | Dst IP | D.port | Proto | Flags | PP |Ref Cnt(I/O)|Inst|PPAK ID|clstr mem ID|Rec. ref|Rec. Type|\n" +
	"==========================================================================================================================\n"

// WriteGconn writes the `fw ctl multik gconn` table of one SGM: a row per
// direction of every connection it holds, clstr mem ID = owner id.
func (s *Scenario) WriteGconn(w io.Writer, sgm string) error {
	id, err := s.sgmArg(sgm)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.WriteString(GconnHeader)
	bit := uint32(1) << id
	buf := make([]byte, 0, 256)
	for _, r := range s.perm {
		c := &s.Conns[r>>1]
		if c.Mask&bit == 0 {
			continue
		}
		src, sp, dst, dp := c.Src, c.SPort, c.Dst, c.DPort
		if r&1 == 1 {
			src, sp, dst, dp = dst, dp, src, sp
		}
		buf = append(buf[:0], "| 0 | "...)
		buf = appendIP(buf, src)
		buf = append(buf, " | "...)
		buf = appendDec(buf, int(sp))
		buf = append(buf, " | "...)
		buf = appendIP(buf, dst)
		buf = append(buf, " | "...)
		buf = appendDec(buf, int(dp))
		buf = append(buf, " | "...)
		buf = appendDec(buf, int(c.Proto))
		buf = append(buf, " |FP .. ..| No | 0/0 | "...)
		buf = appendDec(buf, int(c.Inst%4))
		buf = append(buf, " | 32 | "...)
		buf = appendDec(buf, int(c.Owner))
		buf = append(buf, " | 0 | UNDEF |\n"...)
		if _, err := bw.Write(buf); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// DxlConns is how many connections dxl.txt covers.
const DxlConns = 5

// WriteDxl writes `asg dxl calc` output for the first DxlConns connections,
// both directions each.
func (s *Scenario) WriteDxl(w io.Writer) error {
	bw := bufio.NewWriter(w)
	var buf []byte
	for i := range min(DxlConns, len(s.Conns)) {
		c := &s.Conns[i]
		for dir := range 2 {
			a, b, h := c.Src, c.Dst, c.DxlC2S
			if dir == 1 {
				a, b, h = c.Dst, c.Src, c.DxlS2C
			}
			buf = append(buf[:0], '<')
			buf = appendIP(buf, a)
			buf = append(buf, ',')
			buf = appendIP(buf, b)
			buf = append(buf, ",dst_based,"...)
			buf = appendDec(buf, int(h))
			buf = append(buf, ">\n"...)
			for si := range Sites {
				d := c.Dist[si]
				p, bk := d.C2SPrimary, d.C2SBackup
				if dir == 1 {
					p, bk = d.S2CPrimary, d.S2CBackup
				}
				buf = append(buf, "Chassis "...)
				buf = appendDec(buf, si+1)
				buf = append(buf, ": Blade(s):"...)
				buf = append(buf, SGMName(SGMID(si+1, int(p)))...)
				if bk != p {
					buf = append(buf, ',')
					buf = append(buf, SGMName(SGMID(si+1, int(bk)))...)
				}
				buf = append(buf, '\n')
			}
			if _, err := bw.Write(buf); err != nil {
				return err
			}
		}
	}
	return bw.Flush()
}
