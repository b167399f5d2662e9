package report

import (
	"math"
	"time"
)

// The range of capture times read as Unix times: a stamp from 2000 to 2100
// (in seconds, once --ts-unit is applied) is a wall-clock time; anything
// else counts from an unknown start (uptime, a relative clock).
const (
	epochMin = 946684800  // 2000-01-01T00:00:00Z
	epochMax = 4102444800 // 2100-01-01T00:00:00Z
)

// IsEpoch reports whether the capture time t (seconds) reads as a Unix
// time.
func IsEpoch(t float64) bool { return t >= epochMin && t < epochMax }

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
