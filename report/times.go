package report

import (
	"math"
	"strconv"
	"time"
)

// The rule of capture times, in one place for every renderer. A capture's
// stamps are seconds on its own clock (the `@;N;` stamps times --ts-unit).
// `fw ctl kdebug -T` writes Unix time, in microseconds: a time from
// EpochMin (1e9 s, 2001-09-09 01:46:40 UTC) to EpochMax (9999-12-31) is
// taken as a Unix time and shown as a date; anything smaller is a clock
// that starts at the capture (or the boot) and stays in relative seconds,
// since no capture lasts the 31 years below EpochMin. JSON always keeps
// the numbers.
const (
	EpochMin = 1e9
	EpochMax = 253402300799
)

// IsEpoch reports whether t, in seconds, is a Unix time by the rule above.
func IsEpoch(t float64) bool { return t >= EpochMin && t <= EpochMax }

// Times writes capture times: dates in UTC (the default, --utc) or in Loc
// (--local), relative seconds for clocks that are not Unix times.
type Times struct {
	Loc *time.Location // nil means UTC
}

func (z Times) loc() *time.Location {
	if z.Loc == nil {
		return time.UTC
	}
	return z.Loc
}

// Time returns the Unix time t as a time.Time in the zone.
func (z Times) Time(t float64) time.Time {
	sec, frac := math.Modf(t)
	return time.Unix(int64(sec), int64(math.Round(frac*1e9))).In(z.loc())
}

func layout(decimals int) string {
	l := "2006-01-02 15:04:05"
	if decimals > 0 {
		l += "." + "000000000"[:min(9, decimals)]
	}
	return l
}

// At writes t for a sentence: "2025-09-30 05:20:00.413 UTC" for a Unix
// time, "100.000 s" otherwise, with decimals digits after the point.
func (z Times) At(t float64, decimals int) string {
	if !IsEpoch(t) {
		return strconv.FormatFloat(t, 'f', decimals, 64) + " s"
	}
	return z.Time(t).Format(layout(decimals) + " MST")
}

// Cell writes t for a table column headed by [Times.Header]: the date
// without the zone, or the bare number of seconds.
func (z Times) Cell(t float64, decimals int) string {
	if !IsEpoch(t) {
		return strconv.FormatFloat(t, 'f', decimals, 64)
	}
	return z.Time(t).Format(layout(decimals))
}

// Header names a column of times like ref: "Time (UTC)" for Unix times,
// else relative, the caller's header of seconds ("t (s)").
func (z Times) Header(ref float64, relative string) string {
	if !IsEpoch(ref) {
		return relative
	}
	return "Time " + z.Zone(ref)
}

// Zone is the zone of the Unix time t, for a column header: "(UTC)".
func (z Times) Zone(t float64) string { return "(" + z.Time(t).Format("MST") + ")" }

// Clock writes t short, for a chart axis: "05:20:00" for a Unix time
// (the date is the caption's), else the seconds, rounded.
func (z Times) Clock(t float64) string {
	if !IsEpoch(t) {
		return strconv.FormatFloat(math.Round(t), 'f', 0, 64)
	}
	return z.Time(t).Format("15:04:05")
}

// TimeString is the RFC 3339 UTC form of the capture time t, to the
// millisecond ("2025-09-30T05:20:00.413Z"), the `time` field beside a
// numeric `t` in JSON; "" when t is not a Unix time (see [IsEpoch]).
func TimeString(t float64) string {
	if !IsEpoch(t) {
		return ""
	}
	sec, frac := math.Modf(t)
	return time.Unix(int64(sec), int64(math.Round(frac*1e3))*1e6).UTC().Format("2006-01-02T15:04:05.000Z07:00")
}
