package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/report/storms"
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
	seen := map[string]bool{}
	for part := range strings.SplitSeq(string(b), ",") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return fmt.Errorf("%q: %w", part, decode.ErrSiteStates)
		}
		if _, err := decode.ParseSiteState(v); err != nil {
			return err
		}
		// A site given twice is a mistake, not "the last one wins".
		site := strings.TrimSpace(k)
		if n, err := strconv.Atoi(site); err == nil {
			site = strconv.Itoa(n)
		}
		if seen[site] {
			return fmt.Errorf("site %s given twice: %w", site, decode.ErrSiteStates)
		}
		seen[site] = true
	}
	s.text = string(b)
	return nil
}

// timeFlag is a point in time: Unix seconds or RFC 3339 (--dump-time),
// from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z.
type timeFlag struct{ unix int64 }

// maxUnix is 9999-12-31T23:59:59Z, the last time --dump-time accepts.
const maxUnix = 253402300799

// UnmarshalText implements encoding.TextUnmarshaler.
func (t *timeFlag) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		v, perr := time.Parse(time.RFC3339, s)
		if perr != nil {
			if errors.Is(err, strconv.ErrRange) {
				return fmt.Errorf("%q: want a time from 1970 to 9999 (Unix seconds 0 to %d)", s, maxUnix)
			}
			return fmt.Errorf("%q: want RFC 3339 (2025-09-30T04:18:08Z) or Unix seconds", s)
		}
		n = v.Unix()
	}
	if n < 0 || n > maxUnix {
		return fmt.Errorf("%q: want a time from 1970 to 9999 (Unix seconds 0 to %d)", s, maxUnix)
	}
	t.unix = n
	return nil
}

// tsUnitFlag is --ts-unit: the unit of the `@;N;` stamps.
type tsUnitFlag string

// seconds is the flag's unit in seconds.
func (u tsUnitFlag) seconds() float64 {
	return map[tsUnitFlag]float64{"s": 1, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}[u]
}

// Ranges of the number flags: each is checked once, when kong parses it
// (a value outside is a usage error naming the flag, never a panic or a
// NaN in a report). The storm report's own bounds are storms.Min* and
// storms.Max* (report/storms/bounds.go).
type (
	bucketRange     struct{}
	refreshRange    struct{}
	burstRange      struct{}
	switchoverRange struct{}
	queueRange      struct{}
	syncRange       struct{}
	expiryRange     struct{}
	maxBytesRange   struct{}
)

// numberRange is the range of a number flag, and its unit for messages.
type numberRange interface {
	bounds() (lo, hi float64, unit string)
}

func (bucketRange) bounds() (float64, float64, string) {
	return storms.MinBucket, storms.MaxBucket, " s"
}
func (refreshRange) bounds() (float64, float64, string) {
	return storms.MinRefreshInterval, storms.MaxRefreshInterval, " s"
}
func (burstRange) bounds() (float64, float64, string) {
	return storms.MinBurstFactor, storms.MaxBurstFactor, ""
}
func (switchoverRange) bounds() (float64, float64, string) {
	return -storms.MaxTime, storms.MaxTime, " s"
}
func (queueRange) bounds() (float64, float64, string)    { return 1, storms.MaxSendingQueue, "" }
func (syncRange) bounds() (float64, float64, string)     { return 1, storms.MaxSyncIntervalMs, " ms" }
func (expiryRange) bounds() (float64, float64, string)   { return 1, maxExpiryRisk, " s" }
func (maxBytesRange) bounds() (float64, float64, string) { return 1, maxMaxBytes, " bytes" }

const (
	// maxExpiryRisk is the largest --expiry-risk: one year, in seconds.
	maxExpiryRisk = 365 * 24 * 3600
	// maxMaxBytes is the largest --max-bytes: 1 TiB.
	maxMaxBytes = 1 << 40
)

// rangeError says what a number flag accepts.
func rangeError[R numberRange](s string, integer bool) error {
	var r R
	lo, hi, unit := r.bounds()
	what := "a finite number"
	if integer {
		what = "a whole number"
	}
	return fmt.Errorf("%q: want %s from %s to %s%s", s, what,
		strconv.FormatFloat(lo, 'f', -1, 64), strconv.FormatFloat(hi, 'f', -1, 64), unit)
}

// floatFlag is a finite number flag within the range R.
type floatFlag[R numberRange] struct{ v float64 }

// UnmarshalText implements encoding.TextUnmarshaler.
func (f *floatFlag[R]) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	v, err := strconv.ParseFloat(s, 64)
	var r R
	lo, hi, _ := r.bounds()
	// NaN fails both comparisons; ±Inf fails one of them.
	if err != nil || !(v >= lo && v <= hi) {
		return rangeError[R](s, false)
	}
	f.v = v
	return nil
}

// intFlag is a whole number flag within the range R.
type intFlag[R numberRange] struct{ v int64 }

// UnmarshalText implements encoding.TextUnmarshaler.
func (f *intFlag[R]) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	v, err := strconv.ParseInt(s, 10, 64)
	var r R
	lo, hi, _ := r.bounds()
	if err != nil || float64(v) < lo || float64(v) > hi {
		return rangeError[R](s, true)
	}
	f.v = v
	return nil
}

// expiryFlag is --expiry-risk, seconds (owners, trace, triage).
type expiryFlag struct{ intFlag[expiryRange] }

// seconds is the flag's value.
func (f expiryFlag) seconds() uint32 { return uint32(f.v) }
