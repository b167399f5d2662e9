package parse

import (
	"bytes"

	"github.com/maestro-analyze/maestro-analyze/decode"
)

// Format: `fw tab -t connections -f` [seed]: one line per entry of
// `Name: value;` pairs, after a log-style preamble:
//
//	04:18:08 5 N/A 5 10.95.202.22 > N/A LogId: <max_null>; ...; Direction: 0; Source: 172.16.61.66; SPort: 18399;
//	Dest: 172.16.61.2; DPort: 179; Protocol: tcp; CPTFMT_sep_1: ;; Type: 114689; Rule: 15; Timeout: 11; Handler: 0;
//	Ifncin: 84; Ifncout: -1; Ifnsin: -1; Ifnsout: -1; Bits: 02008000000f9280; Expires: 3394/3618; LastUpdateTime: 30Sep2025 04:18:08; ...
//
// (one line in the dump). The named fields map onto the value words of the
// -u form (Type = V0, Rule = V2, ..., Bits = V13 and V14), so every report
// reads both forms the same way.

// fwtabfWords maps -f field names to value-word indexes (decimal fields).
var fwtabfWords = map[string]int{
	"Type": decode.WordType, "Rule": decode.WordRule, "Timeout": decode.WordTimeout,
	"Handler": decode.WordHandler, "Ifncin": decode.WordIfncin, "Ifncout": decode.WordIfncout,
	"Ifnsin": decode.WordIfnsin, "Ifnsout": decode.WordIfnsout,
}

// parseFwTabF parses one -f line.
func (r *Reader) parseFwTabF(t []byte, pos Pos) *SyntaxError {
	rec := &r.rec
	rec.reset(KindFwTabF, pos)
	for range decode.NamedWords {
		rec.Vals = append(rec.Vals, 0)
	}
	var k [6]uint32
	var have uint8 // bit per key field found
	s := t[max(0, bytes.Index(t, []byte("Direction: "))):]
	for len(s) > 0 {
		field := s
		if i := bytes.Index(s, []byte("; ")); i >= 0 {
			field, s = s[:i], s[i+2:]
		} else {
			s = nil
		}
		name, val, ok := bytes.Cut(field, []byte(": "))
		if !ok {
			continue
		}
		name, val = trimSpace(name), trimSpace(bytes.TrimSuffix(trimSpace(val), []byte(";")))
		bad := func(want string) *SyntaxError {
			return synErr(Pos{pos.Name, pos.Line, r.col(val)}, ErrField, "%s: %q is not %s", name, clip(val), want)
		}
		var okv bool
		switch string(name) {
		case "Direction":
			k[0], okv = decUint(val)
			have |= 1
		case "Source":
			k[1], okv = ipv4(val)
			have |= 2
		case "SPort":
			k[2], okv = decUint(val)
			have |= 4
		case "Dest":
			k[3], okv = ipv4(val)
			have |= 8
		case "DPort":
			k[4], okv = decUint(val)
			have |= 16
		case "Protocol":
			var p uint8
			p, okv = decode.ParseProto(string(val))
			k[5] = uint32(p)
			have |= 32
		case "Bits":
			if len(val) != 16 {
				return bad("16 hex digits (value words 13 and 14)")
			}
			hi, ok1 := hexWord(val[:8])
			lo, ok2 := hexWord(val[8:])
			if !ok1 || !ok2 {
				return bad("16 hex digits (value words 13 and 14)")
			}
			rec.Vals[decode.WordBits], rec.Vals[decode.WordBitsLow] = hi, lo
			rec.Known |= 1<<decode.WordBits | 1<<decode.WordBitsLow
			continue
		case "Expires":
			a, b, _ := bytes.Cut(val, []byte("/"))
			rem, ok1 := decUint(a)
			to, ok2 := decUint(b)
			if !ok1 || !ok2 {
				return bad("remaining/timeout")
			}
			rec.HasExpiry, rec.Expiry = true, decode.Expiry{Remaining: rem, Timeout: to}
			continue
		case "LastUpdateTime":
			rec.LastUpdate = string(val)
			continue
		default:
			i, known := fwtabfWords[string(name)]
			if !known {
				continue
			}
			var w uint32
			if w, okv = decInt(val); okv {
				rec.Vals[i] = w
				rec.Known |= 1 << uint(i)
			}
		}
		if !okv {
			return bad("a number, an IPv4 address or a protocol as expected")
		}
	}
	if have != 63 {
		return synErr(pos, ErrTruncated, "fw tab -f line lacks part of its key (Direction, Source, SPort, Dest, DPort, Protocol)")
	}
	if e := r.setKey(&rec.Key, k[0], k[1], k[2], k[3], k[4], k[5], pos); e != nil {
		return e
	}
	rec.HasKey = true
	return nil
}
