// Package sim is a deterministic simulator of a Check Point Maestro dual-site
// security group going through a site switchover. It builds a compact model
// of the connections (owner, distribution, sync_mask, holders and remaining
// time on every holder) and renders the files an analyzer reads:
// `fw tab -t connections -u` dumps per SGM and concatenated as g_all prints
// them, `fw ctl multik gconn` tables, a kernel-debug capture of the
// switchover, `asg dxl calc` output, and a truth.json with the known answers.
//
// Two scenarios exist (Config.Scenario): "switchover" (the default, see
// [DefaultConfig]) and "quiet" (see [QuietConfig]): the same group in a
// steady state, site 1 ACTIVE and site 2 STANDBY throughout, whose capture
// holds only steady traffic (SETs of new connections, DELETEs of closed
// ones, REFRESHes spread evenly over the refresh interval), no switchover
// and no REFRESH wave, for as long as Config.CaptureSeconds says.
//
// In both, Config.CaptureOnly adds connections that only the capture
// names: they lived and were closed during it (the capture shows their
// DELETE), or they were UDP flows that went idle and aged out before the
// dumps (expiry is each SGM's own aging, which sends no DELETE). No dump
// holds them; the truth counts them (see [Truth.CaptureOnlyConnections]).
//
// Everything is a pure function of [Config]: the same Config gives
// byte-identical output (a PCG generator seeded from Config.Seed, no map
// iteration in output, no clock). The model is small per connection and all
// writers stream through a bufio.Writer, so large dumps (millions of
// connections, a kernel debug of a gigabyte) are possible.
//
// The domain rules (SGM ids, CCL word, sync_mask) follow DOMAIN.md and the
// seed article; see [SyncMask] for the exact mask rule.
package sim

import (
	"errors"
	"fmt"
	"strings"
)

// Config holds every knob of a scenario. Start from [DefaultConfig].
type Config struct {
	// Scenario names the story: "switchover" or "quiet" (see the package
	// documentation). In "quiet" the fields that describe the switchover
	// (After, SwitchoverAt, Waves) are ignored.
	Scenario string
	// Seed seeds the random generator; same Seed, same output.
	Seed uint64
	// SGMsPerSite is how many SGMs are present on each site (members 1..N
	// of the 14 slots), 1..14.
	SGMsPerSite int
	// Conns is the number of connections in the model.
	Conns int
	// After is the state of site 1 after the switchover: "standby" or
	// "down". Site 2 is always ACTIVE after it; before it site 1 is ACTIVE
	// and site 2 STANDBY.
	After string
	// Timeout is the TCP idle timeout in seconds (dump shows remaining/Timeout).
	Timeout int
	// UDPTimeout is the UDP idle timeout in seconds.
	UDPTimeout int
	// RiskWindow is R in the at-risk rule: a connection is at risk when
	// timeout > 2R, min(remaining over holders) < R and
	// max(remaining) > timeout-R.
	RiskWindow int
	// AtRiskPct is the percentage of TCP connections made at risk:
	// exactly round(AtRiskPct/100 * TCP connections).
	AtRiskPct float64
	// UnknownOwner is how many connections carry a CCL id outside the 2x14
	// layout (ids 40..63), so no SGM can be named as owner.
	UnknownOwner int
	// BadLines is how many damaged lines to add to the fw tab dumps.
	BadLines int
	// IncludeSeedConn makes connection 0 the seed article's connection
	// 172.16.61.2:30675 -> 172.16.61.66:179 tcp, owner 1_02 (needs
	// SGMsPerSite >= 4).
	IncludeSeedConn bool
	// DumpTime is the wall-clock Unix time at which the dumps are taken; it
	// is also the end of the natural kernel-debug capture.
	DumpTime int64
	// SwitchoverAt is T0 in seconds on the kernel-debug clock (the @;N;
	// timestamps, in microseconds, start at 0).
	SwitchoverAt int
	// RefreshInterval is cphwd_conn_refresh_interval in seconds.
	RefreshInterval int
	// Waves is how many REFRESH waves (T0, T0+RI, ...) the capture shows.
	Waves int
	// UDPPct is the percentage chance that a connection is UDP.
	UDPPct float64
	// BeforePct is the percentage chance that a connection was created
	// before the switchover (owner on site 1); the rest are created after
	// it (owner on site 2). In "quiet": the chance that it predates the
	// capture; the rest are opened during it (their SET is in it).
	BeforePct float64
	// AcceleratedPct is the percentage chance that a connection is
	// accelerated by SecureXL (and so REFRESHed in waves).
	AcceleratedPct float64
	// KdebugBytes, when > 0, makes the kernel debug about this many bytes:
	// it is cut at the first line boundary at or past the size, and when
	// the natural capture is shorter, further REFRESH waves (T0+k*RI) are
	// appended until the size is reached ("quiet": further refresh
	// intervals of the steady REFRESHes, still spread evenly).
	KdebugBytes int64
	// TruthConns includes the per-connection lists "conns" and
	// "capture_only_conns" in truth.json.
	TruthConns bool
	// CaptureOnly is how many connections appear in the kernel debug only:
	// no fw tab dump holds them. One in five (at least one when there are
	// two or more) is a UDP flow that aged out before the dumps, with no
	// DELETE; the others are TCP connections opened and closed during the
	// capture, whose DELETE it shows. In "switchover" they live less than a
	// refresh interval (so they send no REFRESH) and keep clear of T0 and
	// of the REFRESH waves; in "quiet" some live for hours and REFRESH.
	CaptureOnly int
	// CaptureSeconds is the length of the "quiet" capture in seconds; the
	// dumps are taken at its end (DumpTime). Unused by "switchover", whose
	// capture ends 5 s after its last wave.
	CaptureSeconds int
}

// Scenario names.
const (
	ScenarioSwitchover = "switchover"
	ScenarioQuiet      = "quiet"
)

// Site states.
const (
	StateActive  = "active"
	StateStandby = "standby"
	StateDown    = "down"
)

// DefaultConfig returns the default switchover scenario.
func DefaultConfig() Config {
	return Config{
		Scenario:        "switchover",
		Seed:            1,
		SGMsPerSite:     4,
		Conns:           200,
		After:           StateStandby,
		Timeout:         3600,
		UDPTimeout:      40,
		RiskWindow:      600,
		AtRiskPct:       10,
		UnknownOwner:    2,
		BadLines:        0,
		IncludeSeedConn: true,
		DumpTime:        1759200000,
		SwitchoverAt:    100,
		RefreshInterval: 512,
		Waves:           3,
		UDPPct:          10,
		BeforePct:       80,
		AcceleratedPct:  90,
		TruthConns:      true,
		CaptureSeconds:  3600,
	}
}

// QuietConfig returns the default quiet scenario: 2000 connections in a
// steady state for an hour of capture, 200 capture-only connections, no
// at-risk connection and no owner outside the layout. Its REFRESHes come
// at about 6 per second, never in waves.
func QuietConfig() Config {
	c := DefaultConfig()
	c.Scenario = ScenarioQuiet
	c.Conns = 2000
	c.AtRiskPct = 0
	c.UnknownOwner = 0
	c.CaptureOnly = 200
	c.CaptureSeconds = 3600
	return c
}

// Quiet reports whether the scenario is "quiet".
func (c *Config) Quiet() bool { return c.Scenario == ScenarioQuiet }

// ErrConfig is wrapped by every validation error of [New].
var ErrConfig = errors.New("invalid scenario config")

func cfgErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrConfig, fmt.Sprintf(format, args...))
}

func pctOK(p float64) bool { return p >= 0 && p <= 100 }

// validate checks the config and normalises After.
func (c *Config) validate() error {
	c.After = strings.ToLower(strings.TrimSpace(c.After))
	switch {
	case c.Scenario != ScenarioSwitchover && c.Scenario != ScenarioQuiet:
		return cfgErr("scenario %q: want \"switchover\" or \"quiet\"", c.Scenario)
	case c.SGMsPerSite < 1 || c.SGMsPerSite > SlotsPerSite:
		return cfgErr("sgms per site %d: want 1..%d", c.SGMsPerSite, SlotsPerSite)
	case c.Conns < 1 || c.Conns > 1<<26:
		return cfgErr("conns %d: want 1..%d", c.Conns, 1<<26)
	case c.After != StateStandby && c.After != StateDown:
		return cfgErr("after %q: want standby or down", c.After)
	case c.Timeout < 1 || c.Timeout > 65535 || c.UDPTimeout < 1 || c.UDPTimeout > 65535:
		return cfgErr("timeouts must be 1..65535 s")
	case c.RiskWindow < 2:
		return cfgErr("risk window %d: want >= 2", c.RiskWindow)
	case !pctOK(c.AtRiskPct) || !pctOK(c.UDPPct) || !pctOK(c.BeforePct) || !pctOK(c.AcceleratedPct):
		return cfgErr("percentages must be 0..100")
	case c.AtRiskPct > 0 && c.Timeout <= 2*c.RiskWindow:
		return cfgErr("timeout %d must exceed 2*risk window %d for at-risk connections", c.Timeout, c.RiskWindow)
	case c.UnknownOwner < 0 || c.BadLines < 0 || c.KdebugBytes < 0 || c.CaptureOnly < 0:
		return cfgErr("counts must not be negative")
	case c.CaptureOnly > 1<<24:
		return cfgErr("capture-only %d: want at most %d", c.CaptureOnly, 1<<24)
	case c.Quiet() && (c.CaptureSeconds < 60 || c.CaptureSeconds > 1<<22):
		return cfgErr("capture seconds %d: want 60..%d", c.CaptureSeconds, 1<<22)
	case c.Quiet() && c.CaptureOnly >= 2 && c.CaptureSeconds < c.UDPTimeout+10:
		return cfgErr("capture seconds %d: capture-only UDP flows must age out within it, want >= udp timeout + 10 s", c.CaptureSeconds)
	case c.IncludeSeedConn && c.SGMsPerSite < 4:
		return cfgErr("the seed connection needs sgms per site >= 4")
	case c.UnknownOwner > c.Conns-b2i(c.IncludeSeedConn):
		return cfgErr("unknown owner %d exceeds the connections available", c.UnknownOwner)
	case c.SwitchoverAt < 2 || c.SwitchoverAt > 1<<20:
		return cfgErr("switchover at %d s: want 2..%d", c.SwitchoverAt, 1<<20)
	case c.RefreshInterval < 8 || c.RefreshInterval > 1<<16:
		return cfgErr("refresh interval %d s: want 8..%d", c.RefreshInterval, 1<<16)
	case c.Waves < 1 || c.Waves > 1000:
		return cfgErr("waves %d: want 1..1000", c.Waves)
	case c.DumpTime < 1<<30:
		return cfgErr("dump time %d looks wrong", c.DumpTime)
	}
	return nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
