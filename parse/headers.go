package parse

import (
	"bytes"

	"github.com/maestro-analyze/maestro-analyze/decode"
)

// Format: the banners that say which SGM's output follows, as `g_all` and
// `g_fw` print them when the outputs of the SGMs differ [assumed: the seed
// does not show them; both forms are accepted]:
//
//	1_01:
//	-*- 1 blade: 1_01 -*-
//	-*- 4 blades: 1_01 1_02 1_03 1_04 -*-

// parseSGMHeader matches "1_01:" (also "1_1:").
func (r *Reader) parseSGMHeader(t []byte, pos Pos) bool {
	s, err := decode.ParseSGM(string(t[:len(t)-1]))
	if err != nil {
		return false
	}
	r.rec.reset(KindSGMHeader, pos)
	r.rec.SGMs = append(r.rec.SGMs, s)
	return true
}

// parseGallBanner parses a "-*- ... -*-" banner; every SGM name in it counts.
func (r *Reader) parseGallBanner(t []byte, pos Pos) *SyntaxError {
	r.rec.reset(KindSGMHeader, pos)
	inner := bytes.TrimSuffix(bytes.TrimPrefix(t, []byte("-*-")), []byte("-*-"))
	for _, f := range bytes.Fields(inner) {
		f = bytes.TrimSuffix(f, []byte(","))
		if bytes.IndexByte(f, '_') < 0 {
			continue
		}
		if s, err := decode.ParseSGM(string(f)); err == nil {
			r.rec.SGMs = append(r.rec.SGMs, s)
		}
	}
	if len(r.rec.SGMs) == 0 {
		return synErr(pos, ErrField, "banner %q names no SGM (expected e.g. -*- 1 blade: 1_01 -*-)", clip(t))
	}
	return nil
}
