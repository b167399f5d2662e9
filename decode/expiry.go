package decode

import (
	"fmt"
	"time"
)

// Expiry is the `remaining/timeout` pair that closes a `fw tab -u` entry
// and fills the `Expires:` field of `fw tab -f` (3394/3618: 3394 s left of
// a 3618 s timeout) [seed].
type Expiry struct {
	Remaining uint32 // seconds until the entry expires on this SGM
	Timeout   uint32 // the full timeout, restored by each refresh
}

// Age is how long ago the entry was last refreshed, in seconds: timeout
// minus remaining, or 0 when remaining exceeds the timeout.
func (e Expiry) Age() uint32 {
	if e.Remaining > e.Timeout {
		return 0
	}
	return e.Timeout - e.Remaining
}

// String renders "3394/3618 (56m34s left of 1h0m18s)".
func (e Expiry) String() string {
	return fmt.Sprintf("%d/%d (%s left of %s)", e.Remaining, e.Timeout, Duration(e.Remaining), Duration(e.Timeout))
}

// Duration renders a number of seconds the way time.Duration does ("56m34s").
func Duration(sec uint32) string { return (time.Duration(sec) * time.Second).String() }

// AtRisk is the rule for a connection about to be dropped although it is
// alive: with R the risk window and a timeout longer than 2R, some SGM
// expires it within R (lowest remaining < R) while another refreshed it
// within the last R (highest remaining > timeout - R). The entry then
// expires on the first SGM unless a refresh reaches it [seed: connections
// dropped 1-2 hours after a switchover when their entry expires on some
// backup SGM].
func AtRisk(minRemaining, maxRemaining, timeout, r uint32) bool {
	return timeout > 2*r && minRemaining < r && maxRemaining > timeout-r
}
