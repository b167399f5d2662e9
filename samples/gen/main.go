// Command gen writes a simulated Check Point Maestro scenario into a
// directory: fw tab dumps per SGM and in g_all form, gconn tables, a kernel
// debug of the switchover, asg dxl calc output, and truth.json with the
// known answers. Output is a pure function of the flags.
//
// With -only bundle it writes instead the scenario as a support bundle,
// DIR/bundle.tgz, and what a triage of it must find, DIR/bundle-truth.json
// (positions in it start with "bundle.tgz"; see sim.Scenario.WriteBundle).
//
// With -scenario quiet it writes a steady state instead of a switchover:
// site 1 ACTIVE and site 2 STANDBY throughout, a capture of
// -capture-seconds with SETs of new connections, DELETEs of closed ones
// and REFRESHes spread evenly (no switchover, no REFRESH wave). Its other
// defaults are those of sim.QuietConfig (2000 connections, 200
// capture-only ones, no at-risk connection); every flag still applies.
//
// -capture-only N adds N connections that only the kernel debug names, no
// dump holds: most opened and closed during the capture (their DELETE is
// in it), one in five a UDP flow that aged out before the dumps.
//
//	go run ./samples/gen -scenario switchover -out DIR [flags]
//	go run ./samples/gen -out DIR -conns 2000000 -kdebug-bytes 1073741824 -only kdebug
//	go run ./samples/gen -out DIR -conns 40 -seed 3 -only bundle
//	go run ./samples/gen -out DIR -conns 40 -seed 3 -capture-only 12 -only bundle
//	go run ./samples/gen -out DIR -scenario quiet -conns 8000 -capture-only 2000 -capture-seconds 14400 -truth-conns=false
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/maestro-analyze/maestro-analyze/samples/sim"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	// The scenario picks the defaults of every other flag: a first pass
	// over the arguments reads it.
	c := sim.DefaultConfig()
	pre, _, _ := flags(&c)
	pre.SetOutput(io.Discard)
	_ = pre.Parse(args) // errors are reported by the second pass
	if c.Scenario == sim.ScenarioQuiet {
		c = sim.QuietConfig()
	} else {
		c = sim.DefaultConfig()
	}
	fs, out, only := flags(&c)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *out == "" {
		return fmt.Errorf("-out DIR is required")
	}
	s, err := sim.New(c)
	if err != nil {
		return err
	}
	switch *only {
	case "":
		return s.WriteDir(*out)
	case kindBundle:
		return writeBundle(s, *out)
	}
	return s.WriteKind(*out, *only)
}

// flags defines the generator's flags over c, whose values are their
// defaults; it returns them with the -out and -only values.
func flags(c *sim.Config) (fs *flag.FlagSet, out, only *string) {
	fs = flag.NewFlagSet("gen", flag.ContinueOnError)
	out = fs.String("out", "", "output directory (required)")
	only = fs.String("only", "", "write only one kind: "+strings.Join(append(sim.Kinds[:len(sim.Kinds):len(sim.Kinds)], kindBundle), "|"))
	fs.StringVar(&c.Scenario, "scenario", c.Scenario, "scenario: switchover|quiet (quiet: steady traffic, no switchover, no REFRESH wave)")
	fs.Uint64Var(&c.Seed, "seed", c.Seed, "random seed")
	fs.IntVar(&c.SGMsPerSite, "sgms-per-site", c.SGMsPerSite, "SGMs present per site (1..14)")
	fs.IntVar(&c.Conns, "conns", c.Conns, "number of connections")
	fs.StringVar(&c.After, "after", c.After, "state of site 1 after the switchover: standby|down (site 2 becomes active)")
	fs.IntVar(&c.Timeout, "timeout", c.Timeout, "TCP idle timeout, seconds")
	fs.IntVar(&c.UDPTimeout, "udp-timeout", c.UDPTimeout, "UDP idle timeout, seconds")
	fs.IntVar(&c.RiskWindow, "risk-window", c.RiskWindow, "risk window R, seconds")
	fs.Float64Var(&c.AtRiskPct, "at-risk-pct", c.AtRiskPct, "percentage of TCP connections made at risk")
	fs.IntVar(&c.UnknownOwner, "unknown-owner", c.UnknownOwner, "connections whose CCL id is outside the 2x14 layout")
	fs.IntVar(&c.BadLines, "bad-lines", c.BadLines, "damaged lines to add to the fw tab dumps")
	fs.BoolVar(&c.IncludeSeedConn, "seed-conn", c.IncludeSeedConn, "make connection 0 the seed article's connection")
	fs.Int64Var(&c.DumpTime, "dump-time", c.DumpTime, "Unix time of the dumps")
	fs.IntVar(&c.SwitchoverAt, "switchover-at", c.SwitchoverAt, "T0, seconds on the kernel-debug clock")
	fs.IntVar(&c.RefreshInterval, "refresh-interval", c.RefreshInterval, "cphwd_conn_refresh_interval, seconds")
	fs.IntVar(&c.Waves, "waves", c.Waves, "REFRESH waves in the kernel debug")
	fs.Float64Var(&c.UDPPct, "udp-pct", c.UDPPct, "percentage chance a connection is UDP")
	fs.Float64Var(&c.BeforePct, "before-pct", c.BeforePct, "percentage chance a connection predates the switchover")
	fs.Float64Var(&c.AcceleratedPct, "accelerated-pct", c.AcceleratedPct, "percentage chance a connection is accelerated")
	fs.Int64Var(&c.KdebugBytes, "kdebug-bytes", c.KdebugBytes, "make the kernel debug about this many bytes (0: natural size)")
	fs.BoolVar(&c.TruthConns, "truth-conns", c.TruthConns, "include the per-connection lists in truth.json")
	fs.IntVar(&c.CaptureOnly, "capture-only", c.CaptureOnly, "connections only the kernel debug names, held by no dump (most closed with a DELETE, one in five aged out)")
	fs.IntVar(&c.CaptureSeconds, "capture-seconds", c.CaptureSeconds, "length of the quiet capture, seconds (quiet only)")
	return fs, out, only
}

// kindBundle is the -only value that writes the support bundle.
const kindBundle = "bundle"

// writeBundle writes DIR/bundle.tgz and DIR/bundle-truth.json; the
// bundle is removed when it cannot be written whole.
func writeBundle(s *sim.Scenario, dir string) (err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	path := filepath.Join(dir, sim.FileBundle)
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			_ = os.Remove(path)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<16)
	truth, err := s.WriteBundle(bw)
	if err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	var js bytes.Buffer
	if err := truth.Write(&js); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, sim.FileBundleTruth), js.Bytes(), 0o644)
}
