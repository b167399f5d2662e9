// Package timeline tells one chronological story of an incident across
// every SGM: HA state changes, failovers, reboots and memory use from the
// CPView history databases, kernel panics from syslog copies, SGM DOWN
// rows of `asg stat`, and the switchover and REFRESH waves of a
// kernel-debug capture, all on one clock (UTC).
package timeline

import (
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/parse"
	"github.com/maestro-analyze/maestro-analyze/report"
)

// Thresholds of the CPView events.
const (
	// RebootDrop is how far uptime must fall between samples to be a
	// reboot, in seconds.
	RebootDrop = 60
	// MemoryHigh is the real memory used, in percent, whose crossing is a
	// memory_high event.
	MemoryHigh = 90.0
	// TrendWindow is how far back a memory trend looks, in seconds.
	TrendWindow = 2 * 3600
	// SampleNote says how precise a CPView event's time is.
	SampleNote = "CPView samples are about a minute apart: a CPView event's time is the first sample that shows it"
	// maxPanics bounds the panic lines kept.
	maxPanics = 10_000
	// maxStates bounds the member-state rows kept.
	maxStates = 10_000
	// panicGap groups panic lines of one SGM this close into one event.
	panicGap = 60
)

// Event kinds, as the JSON names them.
const (
	KindStateChange = "state_change"
	KindFailover    = "failover"
	KindReboot      = "reboot"
	KindMemoryHigh  = "memory_high"
	KindPanic       = "kernel_panic"
	KindSGMDown     = "sgm_down"
	KindSwitchover  = "switchover"
	KindWave        = "refresh_wave"
	KindSyncstat    = "syncstat"
)

// Timeline is the builder: an Analysis of the records (panic lines and
// state rows) and a [report.CPViewer] of the CPView databases.
type Timeline struct {
	f       *report.Feed
	dbs     []db
	panics  []panicLine
	states  []stateRow
	chassis map[int]int // input -> the chassis of its last asg stat site row
	capture *Capture
}

type db struct {
	c     *parse.CPView
	input int
	sgm   decode.SGM
	rule  string
}

type panicLine struct {
	sgm  decode.SGM
	pos  string
	text string
	// month, day and seconds of the day of its syslog stamp; ok when it
	// has one.
	month time.Month
	day   int
	sec   int
	ok    bool
}

type stateRow struct {
	sgm   decode.SGM
	pos   string
	state string
}

// New returns a timeline fed by f.
func New(f *report.Feed) *Timeline {
	t := &Timeline{f: f, chassis: map[int]int{}}
	f.Use(t)
	return t
}

// AddCPView implements report.CPViewer.
func (t *Timeline) AddCPView(it *report.CPViewItem) {
	t.dbs = append(t.dbs, db{c: it.DB, input: it.Input, sgm: it.SGM(), rule: it.Rule})
}

var syslogStamp = regexp.MustCompile(`^([A-Z][a-z]{2}) +([0-9]{1,2}) ([0-9]{2}):([0-9]{2}):([0-9]{2}) `)

// Add implements report.Analysis.
func (t *Timeline) Add(it *report.Item) {
	switch it.Kind {
	case parse.KindPanic:
		if len(t.panics) >= maxPanics {
			return
		}
		p := panicLine{sgm: it.SGM(), pos: it.Pos.String(), text: it.Text}
		if m := syslogStamp.FindStringSubmatch(it.Text); m != nil {
			if mt, err := time.Parse("Jan", m[1]); err == nil {
				d, _ := strconv.Atoi(m[2])
				h, _ := strconv.Atoi(m[3])
				mi, _ := strconv.Atoi(m[4])
				s, _ := strconv.Atoi(m[5])
				p.month, p.day, p.sec, p.ok = mt.Month(), d, h*3600+mi*60+s, h < 24 && mi < 60 && s < 61
			}
		}
		t.panics = append(t.panics, p)
	case parse.KindSiteState:
		t.chassis[it.Input] = it.Chassis
	case parse.KindMemberState:
		// asg stat rows (UP or DOWN) under a chassis row name an SGM.
		c, ok := t.chassis[it.Input]
		if !ok || it.State != "DOWN" || len(t.states) >= maxStates {
			return
		}
		s, err := decode.ParseSGM(fmt.Sprintf("%d_%02d", c, it.Value))
		if err != nil {
			return
		}
		t.states = append(t.states, stateRow{sgm: s, pos: it.Pos.String(), state: it.State})
	}
}

// Capture is what a kernel-debug capture says on its own clock, seconds:
// the switchover and the REFRESH waves (as the storms report finds them).
// The timeline places them in UTC when the stamps are epoch seconds, or,
// when they are not, relative to the CPView switchover.
type Capture struct {
	Start      *float64 // the first stamp, seconds
	Switchover *float64
	// SwitchoverSource says what showed the switchover; SwitchoverAt
	// where, when known.
	SwitchoverSource string
	Waves            []Wave
	Input            string // the capture, for sources
	// RefreshInterval is the expected period of REFRESH waves, seconds
	// (storms' --refresh-interval): with epoch stamps and no switchover
	// in the capture, the CPView switchover numbers the waves.
	RefreshInterval float64
}

// Wave is one REFRESH burst of a capture.
type Wave struct {
	Start    float64 // seconds on the capture's clock
	K        *int    // its wave number after the switchover, when placed
	Messages int64
	Refresh  int64
	At       string // the position of its first message
}

// SetCapture gives the timeline what a capture showed.
func (t *Timeline) SetCapture(c *Capture) { t.capture = c }

// epochMin is the earliest stamp taken as epoch seconds (2001-09-09):
// smaller ones are a capture's own clock.
const epochMin = 1e9

// sgmName is the SGM as events name it, nil when unknown.
func sgmName(s decode.SGM) *string {
	if s.IsZero() {
		return nil
	}
	n := s.String()
	return &n
}

// stamp renders an epoch time as RFC 3339 UTC.
func stamp(t int64) string { return time.Unix(t, 0).UTC().Format(time.RFC3339) }
