package storms

import (
	"fmt"
	"math"
)

// Bounds of the options: the storms command checks its flags against them
// when it parses them, and [Options.Check] checks options built otherwise.
// Within them every time, rate and count the report prints is finite.
const (
	MinBucket          = 0.001 // seconds: 1 ms
	MaxBucket          = 86400 // seconds: 1 day
	MinRefreshInterval = 1     // seconds
	MaxRefreshInterval = 86400 // seconds
	MinBurstFactor     = 1
	MaxBurstFactor     = 1000
	MaxSendingQueue    = 1 << 20
	MaxSyncIntervalMs  = 60000
	// MaxTime bounds --switchover-at, in seconds either side of 0.
	MaxTime = 1e15
	// MaxBucketIndex bounds a stamp's bucket index (its time over the
	// bucket width) either side of 0: a stamp beyond it (or one that is not
	// finite) is counted, not placed, never wrapped into an int64.
	MaxBucketIndex = 1 << 53
)

// Check reports the first option outside its bounds.
func (o Options) Check() error {
	in := func(v, lo, hi float64) bool { return v >= lo && v <= hi } // false for NaN
	switch {
	case !in(o.Bucket, MinBucket, MaxBucket):
		return fmt.Errorf("bucket %g: want %g to %d s", o.Bucket, MinBucket, MaxBucket)
	case !in(o.RefreshInterval, MinRefreshInterval, MaxRefreshInterval):
		return fmt.Errorf("refresh interval %g: want %d to %d s", o.RefreshInterval, MinRefreshInterval, MaxRefreshInterval)
	case !in(o.BurstFactor, MinBurstFactor, MaxBurstFactor):
		return fmt.Errorf("burst factor %g: want %d to %d", o.BurstFactor, MinBurstFactor, MaxBurstFactor)
	case o.SwitchoverAt != nil && !in(*o.SwitchoverAt, -MaxTime, MaxTime):
		return fmt.Errorf("switchover at %g: want -%g to %g s", *o.SwitchoverAt, MaxTime, MaxTime)
	case o.SendingQueue < 1 || o.SendingQueue > MaxSendingQueue:
		return fmt.Errorf("sending queue %d: want 1 to %d", o.SendingQueue, MaxSendingQueue)
	case o.SyncIntervalMs < 1 || o.SyncIntervalMs > MaxSyncIntervalMs:
		return fmt.Errorf("sync interval %d: want 1 to %d ms", o.SyncIntervalMs, MaxSyncIntervalMs)
	}
	return nil
}

// bucketOf is the timeline bucket of a message at t seconds, or false
// when the index would leave ±MaxBucketIndex (or t is not finite): the
// message is then counted as out of range and not placed.
func (s *Storms) bucketOf(t float64) (int64, bool) {
	x := math.Floor(t / s.opt.Bucket)
	if !(x >= -MaxBucketIndex && x <= MaxBucketIndex) {
		s.outOfRange++
		return 0, false
	}
	return int64(x), true
}

// outOfRangeNote is the clock note's word on stamps out of range.
func (s *Storms) outOfRangeNote() string {
	if s.outOfRange == 0 {
		return ""
	}
	return fmt.Sprintf("; %d messages with a stamp out of range (beyond 2^53 buckets of %g s from 0) were counted but not placed", s.outOfRange, s.opt.Bucket)
}

// satCount converts a count computed in floating point to an int64,
// saturating at 0 and math.MaxInt64 (NaN counts 0): a product of big
// counters never wraps.
func satCount(x float64) int64 {
	switch {
	case !(x > 0):
		return 0
	case x >= math.MaxInt64:
		return math.MaxInt64
	}
	return int64(x)
}
