package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/alecthomas/kong"
	"github.com/mattn/go-isatty"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/parse"
	"github.com/maestro-analyze/maestro-analyze/report"
	"github.com/maestro-analyze/maestro-analyze/report/entry"
	"github.com/maestro-analyze/maestro-analyze/report/filter"
	"github.com/maestro-analyze/maestro-analyze/report/trace"
)

// FilterCmd prints the input lines that meet every condition given.
type FilterCmd struct {
	Files         []string   `arg:"" optional:"" help:"Kernel-debug captures, fw tab dumps, gconn tables, folders, archives; none or '-' reads stdin."`
	Owner         []string   `name:"owner" sep:"," placeholder:"SGM" help:"The owner (CCL_ID of value word 13, fw tab -f Bits, gconn clstr mem ID) is one of these SGMs."`
	OwnerSite     []int      `name:"owner-site" sep:"," placeholder:"N" help:"The owner is on one of these sites."`
	OffActive     bool       `name:"off-active" help:"The owner is on a site that is not ACTIVE (site states as every command resolves them; --sites to give them)."`
	OutsideLayout bool       `name:"outside-layout" help:"The owner's CCL id names no SGM of --layout."`
	Op            []string   `name:"op" sep:"," placeholder:"OP" help:"Kernel-debug sync ops: SET,REFRESH,DELETE,..."`
	MaskHas       []string   `name:"mask-has" sep:"," placeholder:"SGM" help:"The sync_mask holds these SGMs (all of them)."`
	Conn          string     `name:"conn" placeholder:"TUPLE" help:"The line names this connection, either direction: src:sport-dst:dport/proto, as trace takes it."`
	From          *stampFlag `name:"from" placeholder:"TIME" help:"At or after this time on the capture's clock: seconds (as the @;N; stamps give them, see --ts-unit), or RFC 3339 for captures stamped in Unix time."`
	To            *stampFlag `name:"to" placeholder:"TIME" help:"Before this time (same forms as --from)."`
	Invert        bool       `short:"v" name:"invert-match" help:"Print the lines that do not match, those no format decodes too."`
	Count         bool       `short:"c" name:"count" help:"Print the number of matching lines (per input with -H)."`
	LineNumber    bool       `short:"n" name:"line-number" help:"Prefix each line with input:line:."`
	WithFilename  bool       `short:"H" name:"with-filename" help:"Prefix each line with the input's name."`
	TSUnit        tsUnitFlag `name:"ts-unit" enum:"s,ms,us,ns" default:"us" help:"Unit of the @;N; timestamps: ${enum} (assumed microseconds)."`
}

// stampFlag is a time on the capture's clock: seconds (fractions allowed,
// within ±1e15), or RFC 3339 taken as Unix seconds.
type stampFlag struct{ v float64 }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *stampFlag) UnmarshalText(b []byte) error {
	text := strings.TrimSpace(string(b))
	var f floatFlag[switchoverRange]
	if err := f.UnmarshalText(b); err == nil {
		s.v = f.v
		return nil
	}
	if t, err := time.Parse(time.RFC3339Nano, text); err == nil {
		s.v = float64(t.Unix()) + float64(t.Nanosecond())/1e9
		return nil
	}
	return fmt.Errorf("%q: want seconds on the capture's clock (within ±1e15) or RFC 3339 (2025-09-30T04:18:08Z)", text)
}

// grepError is an error of filter: exit status 2.
type grepError struct{ err error }

func (e grepError) Error() string { return e.err.Error() }
func (e grepError) Unwrap() error { return e.err }
func (grepError) ExitCode() int   { return 2 }

// noMatchError is filter's "nothing matched": exit status 1.
type noMatchError struct{}

func (noMatchError) Error() string { return "no line matched" }
func (noMatchError) ExitCode() int { return 1 }

// grepCommand reports whether the command line selected filter, whose
// exit statuses are grep's (see grepStatus), from what kong parsed.
func grepCommand(kctx *kong.Context, err error) bool {
	var pe *kong.ParseError
	if errors.As(err, &pe) {
		kctx = pe.Context
	}
	if kctx == nil {
		return false
	}
	n := kctx.Selected()
	return n != nil && n.Name == "filter"
}

// grepStatus maps an exit status of run to filter's: usage errors and a
// failed write are 2, like any error of filter (see grepError).
func grepStatus(code int, writeErr error) int {
	if writeErr != nil || code == exitUsage {
		return 2
	}
	return code
}

// Run checks the conditions, reads the inputs (twice when link lines need
// their entries' owners or --off-active the site states) and prints.
func (c *FilterCmd) Run(g *Globals, stdio *IO) error {
	err := c.run(g, stdio)
	var nm noMatchError
	if err == nil || errors.As(err, &nm) {
		return err
	}
	return grepError{err}
}

func (c *FilterCmd) conditions(g *Globals) (filter.Conditions, error) {
	var cond filter.Conditions
	l := g.ctx.Layout
	sgmIDs := func(flag string, names []string) ([]int, error) {
		var ids []int
		for _, s := range names {
			sgm, err := decode.ParseSGM(s)
			if err != nil {
				return nil, fmt.Errorf("--%s: %w", flag, err)
			}
			id, ok := l.ID(sgm)
			if !ok {
				return nil, fmt.Errorf("--%s: SGM %s lies outside layout %s", flag, sgm, l)
			}
			ids = append(ids, id)
		}
		return ids, nil
	}
	var err error
	if cond.Owners, err = sgmIDs("owner", c.Owner); err != nil {
		return cond, err
	}
	if cond.MaskHas, err = sgmIDs("mask-has", c.MaskHas); err != nil {
		return cond, err
	}
	for _, n := range c.OwnerSite {
		if n < 1 || n > l.Sites {
			return cond, fmt.Errorf("--owner-site: %d: want a site from 1 to %d (layout %s)", n, l.Sites, l)
		}
		cond.OwnerSites = append(cond.OwnerSites, n)
	}
	for _, op := range c.Op {
		op = strings.ToUpper(strings.TrimSpace(op))
		if op == "" {
			return cond, errors.New("--op: empty op")
		}
		cond.Ops = append(cond.Ops, op)
	}
	if c.Conn != "" {
		t, err := trace.ParseConnection(c.Conn)
		if err != nil {
			return cond, fmt.Errorf("--conn: %w", err)
		}
		cond.Conn = &t
	}
	cond.OffActive, cond.OutsideLayout = c.OffActive, c.OutsideLayout
	if c.From != nil {
		cond.From = &c.From.v
	}
	if c.To != nil {
		cond.To = &c.To.v
	}
	if cond.From != nil && cond.To != nil && *cond.To <= *cond.From {
		return cond, errors.New("--to must be after --from")
	}
	if cond.Empty() {
		return cond, errors.New("give at least one condition (--owner, --owner-site, --off-active, --outside-layout, --op, --mask-has, --conn, --from, --to)")
	}
	return cond, nil
}

func (c *FilterCmd) run(g *Globals, stdio *IO) error {
	cond, err := c.conditions(g)
	if err != nil {
		return &report.UsageError{Err: err}
	}
	if g.Format != report.Table && g.Format != report.NDJSON {
		return &report.UsageError{Err: fmt.Errorf("--format %s: filter prints the input lines, or each decoded with --format ndjson", g.Format)}
	}
	tsUnit := c.TSUnit.seconds()
	needSites := cond.OffActive && !g.ctx.Sites.Known()
	needIndex := cond.OwnerConditions()
	in := stdio.In
	if needSites || needIndex {
		if usesStdin(c.Files) {
			spool, err := spoolStdin(stdio.In, g.limits().MaxDecompressed)
			if err != nil {
				return err
			}
			defer os.Remove(spool.Name())
			defer spool.Close()
			in = spool
		}
	}
	states := g.ctx.Sites
	var idx *filter.Index
	if needSites || needIndex {
		opt := report.FeedOptions{TSUnit: tsUnit}
		if !needSites {
			opt.Prefilter = filter.KeepEntries{}
		}
		f1 := g.feed(opt)
		if needIndex {
			idx = filter.NewIndex(f1, cond)
		}
		if _, err := f1.Walk(c.Files, in, g.limits()); err != nil {
			return err
		}
		if needSites {
			s := f1.Sites(nil)
			if s.From == report.SitesUnknown {
				return errors.New("--off-active: the site states are unknown (no asg stat, correction line or sync_mask says them): give --sites")
			}
			fmt.Fprintf(stdio.Err, "maestro-analyze: site states %s (%s)\n", siteText(s.States), report.Sanitize(s.Source))
			states = s.States
		}
		if idx != nil && idx.Dropped > 0 {
			fmt.Fprintf(stdio.Err, "maestro-analyze: %s entries beyond the first %s were not indexed: their link lines do not match\n",
				report.Thousands(idx.Dropped), report.Thousands(filter.MaxIndex))
		}
		if sk, ok := in.(io.Seeker); ok && in != stdio.In {
			if _, err := sk.Seek(0, io.SeekStart); err != nil {
				return err
			}
		}
	}
	m := filter.NewMatcher(cond, g.ctx.Layout, states)
	opt := report.FeedOptions{TSUnit: tsUnit, KeepRaw: true}
	if cond.Conn != nil && !c.Invert && cond.From == nil && cond.To == nil {
		opt.Prefilter = parse.NewConnFilter(*cond.Conn)
	}
	f := g.feed(opt)
	fo := filter.Options{Invert: c.Invert, Count: c.Count, PerInput: c.WithFilename, Numbers: c.LineNumber,
		Sanitize: isTerminal(stdio)}
	if g.Format == report.NDJSON {
		ctx := f.Context()
		fo.Encode = func(it *report.Item) any {
			if it.Err != nil || it.Kind == parse.KindNone {
				return filter.UndecodedOf(it)
			}
			return matchJSON{Type: "match", Entry: entry.Decode(&ctx, it.Record, it.Pos.Line)}
		}
	}
	x := filter.New(f, m, idx, stdio.Out, fo)
	rerr := readInputs(c.Files, &IO{In: in, Out: stdio.Out, Err: stdio.Err, stdout: stdio.stdout}, g, f, g.limits())
	if err := x.Close(); err != nil {
		return err
	}
	if rerr != nil {
		return rerr
	}
	acc := f.Accounting()
	printAccounting(stdio, &acc)
	if x.Matched == 0 {
		return noMatchError{}
	}
	return nil
}

// matchJSON is one match under --format ndjson: the decode JSON object
// of the line, with its position (source, line) and its type.
type matchJSON struct {
	Type string `json:"type"` // "match"
	entry.Entry
}

func usesStdin(args []string) bool {
	if len(args) == 0 {
		return true
	}
	for _, a := range args {
		if p, _, _ := parse.SplitArg(a); p == "-" {
			return true
		}
	}
	return false
}

// spoolStdin copies stdin to a private temporary file, up to limit bytes,
// so that it can be read twice.
func spoolStdin(in io.Reader, limit int64) (*os.File, error) {
	f, err := os.CreateTemp("", "maestro-analyze-filter-*")
	if err != nil {
		return nil, err
	}
	n, err := io.Copy(f, io.LimitReader(in, limit+1))
	if err == nil && n > limit {
		err = fmt.Errorf("stdin: more than %s bytes: give the input as a file", report.Thousands(limit))
	}
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	return f, nil
}

func siteText(st decode.SiteStates) string {
	parts := make([]string, 0, len(st))
	for i, s := range st {
		parts = append(parts, strconv.Itoa(i+1)+"="+s.String())
	}
	return strings.Join(parts, ",")
}

// isTerminal reports whether stdout is a terminal, where control
// characters of the input are escaped.
func isTerminal(stdio *IO) bool {
	f, ok := stdio.stdout.(*os.File)
	return ok && isatty.IsTerminal(f.Fd())
}
