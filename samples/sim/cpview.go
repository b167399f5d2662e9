package sim

import (
	"cmp"
	"database/sql"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	_ "modernc.org/sqlite" // writes the CPView history databases
)

// The CPView history databases of the bundle: one per SGM, in its folder,
// named as vendor collectors name them, sampled every CPViewStep seconds
// over the CPViewSpan before the dumps.
const (
	CPViewStep = 60
	CPViewSpan = 3 * 3600
	// The story's numbers: the failover counter of site 2 before the
	// switchover, and the memory of the SGM that panics.
	cpviewFailovers = 3
	cpviewMemFrom   = 42.0 // percent, two hours before the panic
	cpviewMemTo     = 97.0 // percent, at the last sample before it
	cpviewMemTotal  = 16_000_000
	cpviewReason    = "Remote site is DOWN (SGM 1_03 is down)"
	cpviewFrom      = "1_01"
	cpviewBootDays  = 41 // uptime of the SGMs that do not reboot, at the dumps
	cpviewBootDelay = 60 // seconds from the kernel's boot to the first sample
)

// BundleEvent is one event the bundle's timeline must show: Kind, SGM,
// from, to and reason as `timeline --format json` names them, at T, the
// time of the first CPView sample that shows it (or the syslog stamp of a
// kernel panic). Source is the member that shows it.
type BundleEvent struct {
	T      int64  `json:"t"`
	Time   string `json:"time"`
	SGM    string `json:"sgm"`
	Kind   string `json:"kind"`
	From   string `json:"from,omitempty"`
	To     string `json:"to,omitempty"`
	Reason string `json:"reason,omitempty"`
	Source string `json:"source"`
}

// cpviewName is the member path of SGM id's CPView database.
func (b *bundle) cpviewName(id int) string {
	t := time.Unix(b.s.DumpTime, 0).UTC()
	return fmt.Sprintf("%s%s_%d_%d_%d_%02d_%02d.CPViewDB.dat", sgmDir(id), BundleHostName(id), t.Day(), int(t.Month()), t.Year(), t.Hour(), t.Minute())
}

// cpviewSample is one minute of an SGM's CPView history.
type cpviewSample struct {
	t         int64
	state     string
	event     string
	failovers int
	reason    string
	from      string
	uptime    int64
	memUsed   int64
}

// cpviewSamples is the history of SGM id: site 1 goes ACTIVE -> STANDBY
// and site 2 STANDBY -> ACTIVE at the first sample after the switchover,
// site 2's failover counter rising; the SGM that panics has its memory
// climb for two hours, no sample from its panic until a minute after it
// booted again, then a small uptime, state DOWN and its counter reset.
func (b *bundle) cpviewSamples(id int) []cpviewSample {
	s := b.s
	sw := s.SwitchoverWall
	panicAt, bootAt := sw-2, sw+180
	end := s.DumpTime - s.DumpTime%CPViewStep
	h := mix(s.Seed ^ uint64(id)<<40 ^ 0xc0ffee)
	base := 30 + float64(h%12) // percent of the SGMs that do not leak
	var out []cpviewSample
	for t := end - CPViewSpan; t <= end; t += CPViewStep {
		c := cpviewSample{t: t, failovers: cpviewFailovers, reason: "Member state changed", from: "2_01",
			uptime: t - (s.DumpTime - cpviewBootDays*86400 - int64(id)*977)}
		after := t >= sw
		c.memUsed = int64((base + float64((h>>uint(t/CPViewStep%32))&3)) / 100 * cpviewMemTotal)
		switch {
		case id == b.down:
			if t >= panicAt && t < bootAt+cpviewBootDelay {
				continue // down, then booting: no samples
			}
			c.state, c.event = "ACTIVE", "Member is ACTIVE"
			if t < panicAt {
				if x := float64(t - (panicAt - 2*3600)); x >= 0 {
					c.memUsed = int64((cpviewMemFrom + (cpviewMemTo-cpviewMemFrom)*x/float64(2*3600-CPViewStep)) / 100 * cpviewMemTotal)
				} else {
					c.memUsed = int64(cpviewMemFrom / 100 * cpviewMemTotal)
				}
			} else {
				c.state, c.event, c.failovers, c.reason, c.from = "DOWN", "Member is DOWN after boot (sync not established)", 0, "", ""
				c.uptime = t - bootAt
				c.memUsed = int64(0.21 * cpviewMemTotal)
			}
		case SiteOf(id) == 1:
			c.state, c.event = "ACTIVE", "Member is ACTIVE"
			if after {
				c.state, c.event = "STANDBY", "Site 1 state change: ACTIVE -> STANDBY"
			}
		default:
			c.state, c.event = "STANDBY", "Member is STANDBY"
			if after {
				c.state, c.event = "ACTIVE", "Site 2 state change: STANDBY -> ACTIVE"
				c.failovers, c.reason, c.from = cpviewFailovers+1, cpviewReason, cpviewFrom
			}
		}
		out = append(out, c)
	}
	return out
}

// cpviewEvents are the events SGM id's history shows, as the truth lists
// them.
func (b *bundle) cpviewEvents(id int) []BundleEvent {
	ss := b.cpviewSamples(id)
	name := b.truth.Archive + "!" + b.cpviewName(id)
	sgm := SGMName(id)
	var out []BundleEvent
	add := func(t int64, kind, from, to, reason string) {
		out = append(out, BundleEvent{T: t, Time: time.Unix(t, 0).UTC().Format(time.RFC3339), SGM: sgm, Kind: kind, From: from, To: to, Reason: reason, Source: name})
	}
	pct := func(used int64) float64 { return 100 * float64(used) / cpviewMemTotal }
	for i := 1; i < len(ss); i++ {
		a, c := ss[i-1], ss[i]
		if c.state != a.state {
			add(c.t, "state_change", a.state, c.state, c.event)
		}
		if c.failovers > a.failovers {
			add(c.t, "failover", c.from, sgm, c.reason)
		}
		if a.uptime-c.uptime > 60 {
			add(c.t, "reboot", "", "", "uptime dropped")
		}
		if pct(a.memUsed) < 90 && pct(c.memUsed) >= 90 {
			from := c.memUsed
			for _, x := range ss {
				if x.t >= c.t-2*3600 {
					from = x.memUsed
					break
				}
			}
			add(c.t, "memory_high", fmt.Sprintf("%.0f%%", pct(from)), fmt.Sprintf("%.0f%%", pct(c.memUsed)), "real memory used crossed 90%")
		}
	}
	return out
}

// cpviewDB renders SGM id's CPView history database. Site 2 stores its
// states as ids into cpview_ref_table, as some releases do; every database
// also holds cxl_cxl_stats_status, whose member_state is a stale cache
// (always ACTIVE here), and a TIMEZONE table saying UTC.
func (b *bundle) cpviewDB(id int) ([]byte, error) {
	f, err := os.CreateTemp("", "sim-cpview-*.db")
	if err != nil {
		return nil, err
	}
	path := f.Name()
	_ = f.Close()
	defer os.Remove(path)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return nil, err
	}
	refs := SiteOf(id) == 2
	var q strings.Builder
	q.WriteString(`PRAGMA page_size = 1024; PRAGMA journal_mode = DELETE; BEGIN;
CREATE TABLE cxl_cxl_stats(Timestamp INTEGER, fwha_cpv_last_state_change TEXT, fwha_cpv_last_state_event TEXT, fwha_cpv_failover_counter INTEGER, fwha_cpv_last_failover_reason TEXT, fwha_cpv_last_failover_from TEXT);
CREATE TABLE cxl_cxl_stats_status(Timestamp INTEGER, member_id INTEGER, member_state TEXT);
CREATE TABLE UM_STAT_UM_SYSTEM(Timestamp INTEGER, load_average TEXT, uptime TEXT);
CREATE TABLE UM_STAT_UM_MEMORY(Timestamp INTEGER, real_total INTEGER, real_used INTEGER, real_free INTEGER, swap_total INTEGER, swap_used INTEGER);
CREATE TABLE TIMEZONE(Timestamp INTEGER, timezone TEXT, offset INTEGER);
CREATE TABLE cpview_ref_table(seq INTEGER, val TEXT);
INSERT INTO cpview_ref_table VALUES (1, 'ACTIVE'), (2, 'STANDBY'), (3, 'DOWN');
`)
	fmt.Fprintf(&q, "INSERT INTO TIMEZONE VALUES (%d, 'Etc/UTC', 0);\n", b.s.DumpTime)
	ref := map[string]string{"ACTIVE": "1", "STANDBY": "2", "DOWN": "3"}
	for _, c := range b.cpviewSamples(id) {
		state := c.state
		if refs {
			state = ref[state]
		}
		fmt.Fprintf(&q, "INSERT INTO cxl_cxl_stats VALUES (%d, '%s', '%s', %d, '%s', '%s');\n", c.t, state, c.event, c.failovers, c.reason, c.from)
		fmt.Fprintf(&q, "INSERT INTO cxl_cxl_stats_status VALUES (%d, %d, 'ACTIVE');\n", c.t, memberOf(id))
		fmt.Fprintf(&q, "INSERT INTO UM_STAT_UM_SYSTEM VALUES (%d, '0.%02d', '%s');\n", c.t, c.t/60%100, uptimeText(c.uptime))
		fmt.Fprintf(&q, "INSERT INTO UM_STAT_UM_MEMORY VALUES (%d, %d, %d, %d, 4194304, 0);\n", c.t, cpviewMemTotal, c.memUsed, cpviewMemTotal-c.memUsed)
	}
	q.WriteString("COMMIT;")
	if _, err := db.Exec(q.String()); err != nil {
		_ = db.Close()
		return nil, err
	}
	if err := db.Close(); err != nil {
		return nil, err
	}
	return os.ReadFile(path)
}

// uptimeText renders an uptime as CPView does: "N days, HH:MM:SS" or
// "HH:MM:SS".
func uptimeText(s int64) string {
	hms := fmt.Sprintf("%02d:%02d:%02d", s%86400/3600, s%3600/60, s%60)
	if d := s / 86400; d > 0 {
		return fmt.Sprintf("%d days, %s", d, hms)
	}
	return hms
}

// timeline fills the truth's timeline, and the FAILOVER finding: site 2
// took over at the first sample after the switchover (its SGMs' failover
// counters rise); the syslog lines of the site's state change support it.
func (b *bundle) timeline(add func(BundleFinding, []evLine)) {
	s := b.s
	b.truth.CPViewStep = CPViewStep
	var evs []BundleEvent
	for _, id := range s.DumpSGMs {
		evs = append(evs, b.cpviewEvents(id)...)
	}
	p := s.SwitchoverWall - 2
	evs = append(evs, BundleEvent{T: p, Time: time.Unix(p, 0).UTC().Format(time.RFC3339), SGM: SGMName(b.down), Kind: "kernel_panic",
		Reason: "Kernel panic - not syncing: Fatal exception in interrupt", Source: b.truth.Archive + "!" + bundleLogs + "!" + SGMName(b.down) + "/" + messagesPath})
	slices.SortStableFunc(evs, func(a, c BundleEvent) int {
		return cmp.Or(cmp.Compare(a.T, c.T), cmp.Compare(a.SGM, c.SGM), cmp.Compare(a.Kind, c.Kind))
	})
	b.truth.Timeline = evs
	var sgms []string
	var t0 int64
	for _, e := range evs {
		if e.Kind == "failover" {
			if t0 == 0 {
				t0 = e.T
			}
			sgms = append(sgms, e.SGM)
		}
	}
	slices.Sort(sgms)
	add(BundleFinding{Code: CodeFailover, Severity: SeverityMedium, SGMs: sgms,
		Numbers: map[string]int64{"t0": t0, "failover_counter": cpviewFailovers + 1}}, b.logsEv[CodeFailover])
}
