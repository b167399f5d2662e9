package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/maestro-analyze/maestro-analyze/decode"
)

// layoutFlag is --layout: SITESxSLOTS, decoded and checked by kong.
type layoutFlag struct{ decode.Layout }

// UnmarshalText implements encoding.TextUnmarshaler.
func (l *layoutFlag) UnmarshalText(b []byte) error {
	v, err := decode.ParseLayout(string(b))
	if err != nil {
		return err
	}
	l.Layout = v
	return nil
}

// sitesFlag is --sites. Kong checks its states here; the site numbers
// depend on --layout, so Globals.AfterApply (a kong hook) decodes the
// whole value against the layout, once.
type sitesFlag struct{ text string }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *sitesFlag) UnmarshalText(b []byte) error {
	for part := range strings.SplitSeq(string(b), ",") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		_, v, ok := strings.Cut(part, "=")
		if !ok {
			return fmt.Errorf("%q: %w", part, decode.ErrSiteStates)
		}
		if _, err := decode.ParseSiteState(v); err != nil {
			return err
		}
	}
	s.text = string(b)
	return nil
}

// timeFlag is a point in time: Unix seconds or RFC 3339 (--dump-time).
type timeFlag struct{ unix int64 }

// UnmarshalText implements encoding.TextUnmarshaler.
func (t *timeFlag) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		t.unix = n
		return nil
	}
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return fmt.Errorf("%q: want RFC 3339 (2025-09-30T04:18:08Z) or Unix seconds", s)
	}
	t.unix = v.Unix()
	return nil
}

// tsUnitFlag is --ts-unit: the unit of the `@;N;` stamps.
type tsUnitFlag string

// seconds is the flag's unit in seconds.
func (u tsUnitFlag) seconds() float64 {
	return map[tsUnitFlag]float64{"s": 1, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}[u]
}
