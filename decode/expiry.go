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
