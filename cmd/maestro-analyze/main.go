// Command maestro-analyze decodes and audits Check Point Maestro
// diagnostics offline: connections-table dumps, kernel-debug captures, gconn
// tables and asg dxl calc output. It tells who owns each connection, where
// its sync goes, and when it expires.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"

	"github.com/alecthomas/kong"
	"github.com/fatih/color"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/parse"
	"github.com/maestro-analyze/maestro-analyze/report"
)

var version = "devel"

// Exit statuses (also in README and --help).
const (
	exitOK       = 0
	exitError    = 1 // runtime error, or rejected input in decode
	exitNotFound = 3 // reserved for commands that search (trace)
	exitUsage    = 2 // usage error: a bad flag or argument (as most Unix tools)
)

// IO carries the process streams; commands get them by kong binding.
type IO struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer

	stdout io.Writer // Out as the caller gave it (run wraps Out)
	quiet  bool      // --quiet: no line accounting on stderr
}

// checkedWriter keeps the first write error; later writes fail with it
// without writing.
type checkedWriter struct {
	w   io.Writer
	err error
}

func (c *checkedWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	c.err = err
	return n, err
}

// Globals are the flags every command takes. Kong decodes and checks them
// once (see the flag types in flags.go and AfterApply); commands read the
// result from ctx, format and palette.
type Globals struct {
	Version kong.VersionFlag `short:"V" help:"Print the version, commit and Go version, and exit."`
	Format  report.Format    `short:"f" help:"Output format: ${enum} (ndjson: one JSON object per line, each with a type field)." enum:"table,json,csv,ndjson" default:"table"`
	Color   string           `help:"Colorize table output: ${enum} (auto honours NO_COLOR and a non-terminal stdout)." enum:"auto,always,never" default:"auto"`
	Layout  layoutFlag       `help:"Security group layout SITESxSLOTS; SGM ids run site by site (default: ${default})." default:"2x14" placeholder:"SxN" env:"MAESTRO_LAYOUT"`
	Sites   sitesFlag        `help:"Site states, e.g. 1=standby,2=active (active, standby, down; default: read from the inputs)." placeholder:"STATES" env:"MAESTRO_SITES"`
	Strict  bool             `help:"Stop at the first rejected line with a non-zero status."`
	Quiet   bool             `short:"q" help:"Do not print the line accounting on stderr (rejected lines and errors are still printed)."`
	// AllowDevices lets a FIFO or a device named on the command line (or
	// by --dxl) be read; by default it is refused, since opening a FIFO
	// waits for a writer and a device may never end.
	AllowDevices bool `name:"allow-devices" help:"Read FIFOs and devices named as inputs (refused by default; read up to the input size limit)."`
	// FullParse reads every line with the general parser, on one
	// consumer: for bench/run.sh, which checks that the fast paths and
	// the sharded reading give the same output byte for byte.
	FullParse bool `name:"full-parse" hidden:"" help:"Read every line with the general parser and one consumer (slower; the same output)."`
	// Width, UTC and Local shape table output for a person (see width.go).
	Width *int `help:"Lay tables and text out to N columns (0: full width). Default: the terminal's width, or COLUMNS, when stdout is a terminal; full width otherwise." placeholder:"N"`
	UTC   bool `name:"utc" xor:"zone" help:"Show capture dates (epoch-stamped captures) in UTC (the default)."`
	Local bool `name:"local" xor:"zone" help:"Show capture dates in the local time zone (TZ)."`

	ctx     report.Context
	palette report.Palette
}

// CLI is the command tree.
type CLI struct {
	Globals

	Decode   DecodeCmd   `cmd:"" help:"Decode entries: fw tab -u/-f, kernel-debug sync lines, gconn rows."`
	Owners   OwnersCmd   `cmd:"" help:"Where connection owners live across SGMs; what is about to expire."`
	Storms   StormsCmd   `cmd:"" help:"Sync storms: message rate, REFRESH waves, syncstat, loss forecast."`
	Triage   TriageCmd   `cmd:"" help:"Triage a support bundle: findings by severity, with evidence."`
	Trace    TraceCmd    `cmd:"" help:"Follow one connection through every input: owner, holders, verdict."`
	Mask     MaskCmd     `cmd:"" help:"Decode a sync_mask into SGMs per site (and sync sets)."`
	CCL      CCLCmd      `cmd:"" name:"ccl" help:"Decode a CCL word, id or SGM; no value: the layout's CCL table."`
	Filter   FilterCmd   `cmd:"" help:"Print the input lines of an owner, site, op, time window or connection (grep's exit statuses)."`
	Timeline TimelineCmd `cmd:"" help:"An incident's story across every SGM: CPView history, panics, waves, on one clock."`

	Completion CompletionCmd `cmd:"" help:"Print a shell completion script: bash, zsh or fish."`
}

const description = `Offline analyzer for Check Point Maestro diagnostics.

Examples (from a checkout, on the shipped samples):

  maestro-analyze triage samples/bundle/bundle.tgz
  maestro-analyze owners samples/switchover
  maestro-analyze decode < samples/entries.txt
  maestro-analyze completion bash > /etc/bash_completion.d/maestro-analyze

"maestro-analyze COMMAND --help" shows each command's flags, defaults and
examples. MAESTRO_LAYOUT and MAESTRO_SITES stand for --layout and --sites.

Exit status: 0 success; 1 runtime error, or rejected input in decode (and
any command under --strict); 2 usage error (a bad flag or argument); 3
trace found no such connection; 4 triage found problems at the --fail-on
severity. filter's are grep's: 0 some line matched, 1 none did, 2 an
error.`

func main() {
	os.Exit(run(context.Background(), os.Args[1:], &IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}))
}

// exitCoder is an error that chooses the exit status.
type exitCoder interface{ ExitCode() int }

// rejectedError reports that input lines were rejected.
type rejectedError struct{ n int64 }

func (e rejectedError) Error() string {
	return fmt.Sprintf("%d %s rejected", e.n, plural(e.n, "line"))
}
func (rejectedError) ExitCode() int { return exitError }

type exitPanic struct{ code int }

func run(ctx context.Context, args []string, stdio *IO) (code int) {
	// Every write to stdout goes through out, which keeps the first
	// error: a report cut short (a full disk, a closed pipe) exits 1 with
	// the reason, whatever the command did not check itself.
	out := &checkedWriter{w: stdio.Out}
	stdio = &IO{In: stdio.In, Out: out, Err: stdio.Err, stdout: stdio.Out}
	grep := false // filter: exit statuses like grep's (filter_cmd.go)
	defer func() {
		if grep {
			code = grepStatus(code, out.err)
		}
	}()
	defer func() {
		if out.err != nil {
			fmt.Fprintf(stdio.Err, "maestro-analyze: writing the output: %s\n", report.Sanitize(out.err.Error()))
			code = exitError
		}
	}()
	var cli CLI
	parser, err := kong.New(&cli,
		kong.Name("maestro-analyze"),
		kong.Description(description),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
		kong.Vars{"version": versionString()},
		kong.Writers(stdio.Out, stdio.Err),
		kong.Exit(func(c int) { panic(exitPanic{c}) }),
		kong.Bind(stdio),
		kong.BindFor(ctx),
	)
	if err != nil {
		fmt.Fprintf(stdio.Err, "maestro-analyze: %v\n", err)
		return exitError
	}
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(exitPanic)
			if !ok {
				panic(r)
			}
			code = e.code
		}
	}()
	completeLine(parser) // a shell asking for completions (COMP_LINE): answers and exits
	kctx, err := parser.Parse(args)
	grep = grepCommand(kctx, err)
	if err != nil && out.err != nil && errors.Is(err, out.err) {
		return exitError // said once, by the deferred check
	}
	if err != nil {
		fmt.Fprintf(stdio.Err, "maestro-analyze: %v\n", err)
		return exitUsage
	}
	if err := kctx.Run(&cli.Globals); err != nil {
		if out.err != nil && errors.Is(err, out.err) {
			return exitError // said once, by the deferred check
		}
		var ue *report.UsageError // a value kong could not check itself
		if errors.As(err, &ue) {
			fmt.Fprintf(stdio.Err, "maestro-analyze: %s\n", report.Sanitize(err.Error()))
			return exitUsage
		}
		var rej rejectedError
		if !errors.As(err, &rej) {
			fmt.Fprintf(stdio.Err, "maestro-analyze: %s\n", report.Sanitize(err.Error()))
		}
		var ec exitCoder
		if errors.As(err, &ec) {
			return ec.ExitCode()
		}
		return exitError
	}
	return exitOK
}

// versionString is what --version prints: the module version (the
// -ldflags version when set, else the build info's; "devel" when neither
// names one), the commit and whether the tree was modified when the build
// info has them, and the Go version.
func versionString() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		bi = nil
	}
	return formatVersion(version, bi)
}

func formatVersion(v string, bi *debug.BuildInfo) string {
	goVersion := runtime.Version()
	var commit string
	var modified bool
	if bi != nil {
		if v == "devel" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
		if bi.GoVersion != "" {
			goVersion = bi.GoVersion
		}
	}
	s := v
	if commit != "" {
		s += ", commit " + commit[:min(12, len(commit))]
		if modified {
			s += " (modified)"
		}
	} else {
		s += ", commit unknown"
	}
	return s + ", " + goVersion
}

// AfterApply checks what depends on more than one flag (the site states
// against the layout) and builds the context every command shares, once.
func (g *Globals) AfterApply(stdio *IO) error {
	st, err := decode.ParseSiteStates(g.Sites.text, g.Layout.Layout)
	if err != nil {
		return fmt.Errorf("--sites: %w", err)
	}
	useColor := false
	switch g.Color {
	case "always":
		useColor = true
	case "auto":
		useColor = !color.NoColor && (stdio.Out == os.Stdout || stdio.stdout == os.Stdout)
	}
	stdio.quiet = g.Quiet
	g.ctx = report.Context{Layout: g.Layout.Layout, Sites: st, DXL: &report.DXL{}}
	g.palette = report.NewPalette(useColor && g.Format == report.Table)
	return g.setLayout(stdio)
}

// recognized is the check every command makes after reading: inputs that
// held nothing any analysis can use are an error (exit 1) that says what
// was looked at, after the line accounting (which shows the shapes of the
// lines that were there), never an empty report.
func recognized(f *report.Feed, stdio *IO) error {
	err := f.NothingError()
	if err != nil {
		in := f.Accounting()
		q := stdio.quiet
		stdio.quiet = false // the error says what was looked at, --quiet or not
		printAccounting(stdio, &in)
		stdio.quiet = q
	}
	return err
}

// feed returns a feed over the shared context.
func (g *Globals) feed(opt report.FeedOptions) *report.Feed {
	opt.Strict = g.Strict
	opt.Serial = g.FullParse
	return report.NewFeed(g.ctx, opt)
}

// limits are the input limits of the run: parse's defaults, with
// --allow-devices.
func (g *Globals) limits() parse.Limits {
	lim := parse.DefaultLimits()
	lim.AllowDevices = g.AllowDevices
	return lim
}

// loadDXL reads `asg dxl calc` output from path into the shared context's
// DXL (the feed collects dxl lines wherever they are).
func (g *Globals) loadDXL(path string, stdio *IO) error {
	in, err := parse.OpenLimits(path, stdio.In, g.limits())
	if err != nil {
		return err
	}
	defer in.Close()
	f := report.NewFeed(g.ctx, report.FeedOptions{})
	if err := f.Read(parse.Source{Path: path, Name: in.Name}, parse.NewReader(in, in.Name)); err != nil {
		return err
	}
	if g.ctx.DXL.Len() == 0 {
		return fmt.Errorf("%s: no asg dxl calc result found (expected <src,dst,method,value> lines)", in.Name)
	}
	return nil
}

func plural(n int64, w string) string {
	if n == 1 {
		return w
	}
	return w + "s"
}
