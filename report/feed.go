package report

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/parse"
)

// Input is one input of a run: a file named on the command line or found in
// a folder, stdin, or an archive member. Analyses refer to it by its index
// in [Feed.Inputs], never by a name to split.
type Input struct {
	Index int
	Name  string // as in positions, escaped: "<stdin>", "a.tgz!1_02/fwtab.txt"
	// SGMs are every SGM the input's records were attributed to, in the
	// order first seen (an input without records keeps the attribution it
	// started with); Rule is the rule that attributed the last of them
	// (RuleCommandLine, RuleHeader, RuleFileName, a host-name rule, or "").
	SGMs  []decode.SGM
	Rule  string
	Stats InputStats // line accounting, complete once the input is read
	// CPView is set for a CPView history database (no lines: its samples
	// went to the analyses that take them, see [CPViewer]).
	CPView bool
}

// InputStats is one input's own line accounting, kept small (one input
// per archive member can mean hundreds of thousands of them): the counts
// an inventory prints. The per-reason counts, the rejected examples and
// the shapes are kept once for all inputs (see [Feed.Stats]).
type InputStats struct {
	Lines        int64
	Recognized   []KindCount // the kinds of records the input gave, in kind order
	unrecognized int64
	rejected     int64
}

// KindCount is how many lines gave records of a kind.
type KindCount struct {
	Kind  parse.Kind
	Lines int64
}

// UnrecognizedLines is the number of lines no format recognized.
func (s *InputStats) UnrecognizedLines() int64 { return s.unrecognized }

// RejectedLines is the number of damaged lines of a known format.
func (s *InputStats) RejectedLines() int64 { return s.rejected }

func (s *InputStats) add(o *parse.Stats) {
	s.Lines += o.Lines
	s.unrecognized += o.UnrecognizedLines()
	s.rejected += o.RejectedLines()
	for _, k := range o.Kinds() {
		i := slices.IndexFunc(s.Recognized, func(c KindCount) bool { return c.Kind == k })
		if i < 0 {
			s.Recognized = append(s.Recognized, KindCount{Kind: k})
			slices.SortFunc(s.Recognized, func(a, b KindCount) int { return int(a.Kind) - int(b.Kind) })
			i = slices.IndexFunc(s.Recognized, func(c KindCount) bool { return c.Kind == k })
		}
		s.Recognized[i].Lines += o.Recognized[k]
	}
}

// DefaultMaxInputs is how many inputs (files, archive members, all inputs
// together) a feed keeps apart by default; see [FeedOptions.MaxInputs].
const DefaultMaxInputs = 100_000

// SGM is the input's SGM when exactly one was attributed, else zero.
func (in *Input) SGM() decode.SGM {
	if len(in.SGMs) == 1 {
		return in.SGMs[0]
	}
	return decode.SGM{}
}

// Item is a record with its context, resolved once by the [Feed] for every
// analysis: the input it came from, the SGMs it belongs to, and its time.
// It is valid until the analysis's Add returns.
type Item struct {
	*parse.Record
	Input int // index into Feed.Inputs
	// SGMs are the SGMs the record belongs to, by the one precedence rule
	// (FILE@SGM, then a header line, then the file name, then the cpinfo
	// host name); nil when none is known. Shared: do not modify.
	SGMs []decode.SGM
	Rule string
	// T is the record's time in seconds on the capture's clock: its own
	// `@;N;` stamp, or the input's last stamp carried forward. Clocked
	// reports whether there is one; Record.HasTime whether it is its own.
	T       float64
	Clocked bool
	// Err is, under [FeedOptions.KeepRaw], the rejection of the lines
	// the Record (of parse.KindNone, with Pos, Lines and Raw) holds.
	Err error
}

// SGM is the record's SGM when exactly one is known, else zero.
func (it *Item) SGM() decode.SGM {
	if len(it.SGMs) == 1 {
		return it.SGMs[0]
	}
	return decode.SGM{}
}

// Analysis takes the records of a run, one at a time, in input order.
type Analysis interface {
	Add(it *Item)
}

// InputStarter is an Analysis told when an input begins (before its first
// record), for state of its own per input.
type InputStarter interface {
	StartInput(in *Input)
}

// CPViewer is an Analysis told of each CPView history database read (an
// input that is not text: it has no records).
type CPViewer interface {
	AddCPView(it *CPViewItem)
}

// CPViewItem is a CPView history database with its context, resolved as
// for records: the input, and the SGM by the same precedence rule
// (FILE@SGM, then the folder or file name, then the host name in the
// file name). It is valid until AddCPView returns; DB may be kept.
type CPViewItem struct {
	DB    *parse.CPView
	Input int
	SGMs  []decode.SGM
	Rule  string
}

// SGM is the database's SGM when exactly one is known, else zero.
func (it *CPViewItem) SGM() decode.SGM {
	if len(it.SGMs) == 1 {
		return it.SGMs[0]
	}
	return decode.SGM{}
}

// ValueWorder is an Analysis that reads no value word past the first n
// (see [parse.Reader.SetValueWords]); analyses that do not say read all.
type ValueWorder interface {
	ValueWords() int
}

// WordSkipper is an Analysis that reads none of the value words before the
// first FirstValueWord (the owner word alone: 13): the feed's readers check
// those words without decoding them (see [parse.Reader.SetSkipWords]), and
// they read 0. Analyses that do not say read every word they ask for.
type WordSkipper interface {
	FirstValueWord() int
}

// Prefilter keeps only the lines an analysis can use (see
// [parse.Reader.SetPrefilter]); Reset is called at the start of each input.
type Prefilter interface {
	Keep(line []byte) bool
	Reset()
}

// PurePrefilter is a Prefilter whose Keep depends on the line alone and
// may be called from several goroutines at once, so that a big input is
// still read in chunks on every core (see [parse.Reader.SetPurePrefilter]).
type PurePrefilter interface {
	Prefilter
	Pure()
}

// FeedOptions configure a [Feed].
type FeedOptions struct {
	TSUnit    float64 // seconds per unit of the `@;N;` stamps; 0 means 1e-6 (microseconds)
	Strict    bool    // the first rejected line ends the run with its error
	Prefilter Prefilter
	// OnReject, when set, is told of each rejected line as it is met.
	OnReject func(err error)
	// RejectUnrecognized rejects the lines no format recognizes (as
	// parse.ErrUnrecognized, told to OnReject, an error under Strict)
	// instead of ignoring them: for decode, whose user asked to have each
	// line decoded. See [parse.Reader.SetRejectUnrecognized].
	RejectUnrecognized bool
	// Serial reads every line with the full parser (no fast paths) and
	// hands every record to the analyses' Add on the feed's goroutine,
	// never to shards (see Sharder): the reference the fast and sharded
	// reading is checked against (--full-parse).
	Serial bool
	// MaxInputs bounds the table of inputs (see [Feed.Inputs]) across all
	// arguments; 0 means DefaultMaxInputs. The inputs beyond it are read
	// and analysed all the same, but as one input, so that memory does
	// not follow the number of archive members (see [Feed.Merged]).
	MaxInputs int
	// KeepRaw hands every line to the analyses as read (see
	// [parse.Reader.SetKeepRaw]): records carry their Raw lines, and the
	// lines that give no record, ignored or rejected (Item.Err), come as
	// records of parse.KindNone, so that an analysis can print its input
	// back.
	KeepRaw bool
}

// Feed walks the inputs, parses them and hands each record, with its
// context resolved once, to every analysis: the one record loop of the
// program. It also keeps what every analysis shares: the table of inputs,
// the line accounting, the inputs skipped, and the evidence of the site
// states (see [Feed.Sites]).
type Feed struct {
	ctx      Context
	opt      FeedOptions
	all      []Analysis
	starters []InputStarter
	words    int // value words the readers decode (see ValueWorder)
	skip     int // of those, the first ones checked, not decoded (see WordSkipper)

	inputs  []*Input
	merged  int // inputs read as the last one, beyond MaxInputs
	stats   parse.Stats
	skipped []parse.Skipped
	sites   siteEvidence

	shardedChunks int   // see ShardedChunks
	cpviews       int   // CPView history databases read
	cpviewSamples int64 // their samples, all tables together

	// attribution of the current input
	cur     []decode.SGM
	rule    string
	byUser  bool // FILE@SGM: nothing in the input overrides it
	byInput bool // a header line named the SGM: a host name does not override it
	pending bool // the current attribution has not been noted on the input yet
	last    float64
	clocked bool
}

// NewFeed returns a feed for the context (layout, --sites, --dxl) every
// analysis shares.
func NewFeed(ctx Context, opt FeedOptions) *Feed {
	if opt.TSUnit == 0 {
		opt.TSUnit = 1e-6
	}
	if opt.MaxInputs <= 0 {
		opt.MaxInputs = DefaultMaxInputs
	}
	if ctx.DXL == nil {
		ctx.DXL = &DXL{}
	}
	if ctx.Layout.Sites == 0 {
		ctx.Layout = decode.DefaultLayout
	}
	return &Feed{ctx: ctx, opt: opt, words: -1, skip: -1}
}

// Use adds analyses; each sees every record from then on.
func (f *Feed) Use(as ...Analysis) {
	for _, a := range as {
		f.all = append(f.all, a)
		if s, ok := a.(InputStarter); ok {
			f.starters = append(f.starters, s)
		}
		n := 0
		if w, ok := a.(ValueWorder); ok {
			n = w.ValueWords()
		}
		k := 0
		if s, ok := a.(WordSkipper); ok {
			k = max(s.FirstValueWord(), 0)
		}
		if f.skip < 0 || k < f.skip {
			f.skip = k
		}
		switch {
		case f.words < 0:
			f.words = n
		case n == 0 || f.words == 0:
			f.words = 0
		default:
			f.words = max(f.words, n)
		}
	}
}

// Context is what every analysis knows beyond the records.
func (f *Feed) Context() Context { return f.ctx }

// Layout is the security group layout of the run.
func (f *Feed) Layout() decode.Layout { return f.ctx.Layout }

// TSUnit is the seconds per unit of the `@;N;` stamps.
func (f *Feed) TSUnit() float64 { return f.opt.TSUnit }

// Inputs are the inputs read so far, by index.
func (f *Feed) Inputs() []*Input { return f.inputs }

// Input returns input i, nil when there is none.
func (f *Feed) Input(i int) *Input {
	if i < 0 || i >= len(f.inputs) {
		return nil
	}
	return f.inputs[i]
}

// Stats is the line accounting of every input read so far.
func (f *Feed) Stats() *parse.Stats { return &f.stats }

// Accounting is the line accounting as reports print it.
func (f *Feed) Accounting() Inputs { return NewInputs(&f.stats) }

// Merged is how many inputs beyond [FeedOptions.MaxInputs] were read as
// the last input of the table (named after the limit).
func (f *Feed) Merged() int { return f.merged }

// MaxInputs is the limit of the table of inputs.
func (f *Feed) MaxInputs() int { return f.opt.MaxInputs }

// Skipped are the inputs skipped or not read to the end.
func (f *Feed) Skipped() []parse.Skipped { return f.skipped }

// Walk reads every input the arguments name (see [parse.Walk]): stdin,
// files, folders, archives, FILE@SGM. Inputs that were skipped or not read
// to the end are kept (see [Feed.Skipped]) and returned.
//
// An argument FILE@SGM naming an SGM outside the layout is a *UsageError,
// before anything is read.
func (f *Feed) Walk(args []string, stdin io.Reader, lim parse.Limits) ([]parse.Skipped, error) {
	for _, a := range args {
		if _, s, rule := parse.SplitArg(a); rule == parse.RuleCommandLine {
			if _, ok := f.ctx.Layout.ID(s); !ok {
				return nil, &UsageError{fmt.Errorf("%s: SGM %s lies outside layout %s (sites 1..%d, members 1..%d; see --layout)",
					parse.QuoteName(a), s, f.ctx.Layout, f.ctx.Layout.Sites, f.ctx.Layout.Slots)}
			}
		}
	}
	skipped, err := parse.Walk(args, stdin, lim, f.Read)
	f.skipped = append(f.skipped, skipped...)
	return skipped, err
}

// UsageError is an error in what the user asked for (a flag or an argument),
// which the command reports as a usage error.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Read reads one input, r from src, and hands its records to every
// analysis. Under Strict the first rejected line is returned as an error;
// otherwise rejected lines are counted (and told to OnReject).
func (f *Feed) Read(src parse.Source, r *parse.Reader) error {
	var in *Input
	switch {
	case len(f.inputs) < f.opt.MaxInputs:
		in = &Input{Index: len(f.inputs), Name: r.Name()}
		f.inputs = append(f.inputs, in)
	case f.merged == 0: // the first input beyond the limit: the last entry stands for them all
		f.merged = 1
		in = &Input{Index: len(f.inputs), Name: fmt.Sprintf("(inputs beyond the first %d, from %s)", f.opt.MaxInputs, r.Name())}
		f.inputs = append(f.inputs, in)
	default:
		f.merged++
		in = f.inputs[len(f.inputs)-1]
	}
	f.cur, f.rule, f.byUser, f.byInput, f.pending = f.cur[:0], src.Rule, src.Rule == parse.RuleCommandLine, false, true
	f.last, f.clocked = 0, false
	if !src.SGM.IsZero() {
		f.cur = append(f.cur, src.SGM)
	}
	if f.words > 0 {
		r.SetValueWords(f.words)
	}
	if f.skip > 0 {
		r.SetSkipWords(f.skip)
	}
	if f.opt.RejectUnrecognized {
		r.SetRejectUnrecognized(true)
	}
	if f.opt.Serial {
		r.SetFastPaths(false)
	}
	if f.opt.KeepRaw {
		r.SetKeepRaw(true)
	}
	if f.opt.Prefilter != nil {
		f.opt.Prefilter.Reset()
		if _, ok := f.opt.Prefilter.(PurePrefilter); ok {
			r.SetPurePrefilter(f.opt.Prefilter.Keep)
		} else {
			r.SetPrefilter(f.opt.Prefilter.Keep)
		}
	}
	for _, s := range f.starters {
		s.StartInput(in)
	}
	if db := r.CPViewOf(); db != nil {
		f.cpview(in, db)
		return nil
	}
	it := Item{Input: in.Index}
	err := parse.PipeShards(r, f.sharding(in), func(rec *parse.Record, err error) error {
		if err != nil {
			if f.opt.OnReject != nil {
				f.opt.OnReject(err)
			}
			if f.opt.Strict {
				return err
			}
			if !f.opt.KeepRaw {
				return nil
			}
		}
		f.context(rec)
		if f.pending && rec.Kind != parse.KindSGMHeader && rec.Kind != parse.KindNone {
			f.attributed(in)
		}
		it.Record, it.SGMs, it.Rule, it.T, it.Clocked, it.Err = rec, f.cur, f.rule, f.last, f.clocked, err
		if len(it.SGMs) == 0 {
			it.SGMs = nil
		}
		for _, a := range f.all {
			a.Add(&it)
		}
		return nil
	})
	if len(in.SGMs) == 0 && in.Rule == "" {
		f.attributed(in)
	}
	in.Stats.add(r.Stats())
	f.stats.Add(r.Stats())
	return err
}

// cpview hands the CPView database of input in to the analyses that take
// one.
func (f *Feed) cpview(in *Input, db *parse.CPView) {
	f.attributed(in)
	in.CPView = true
	f.cpviews++
	f.cpviewSamples += int64(len(db.HA) + len(db.System) + len(db.Memory))
	it := CPViewItem{DB: db, Input: in.Index, SGMs: slices.Clone(f.cur), Rule: f.rule}
	if len(it.SGMs) == 0 {
		it.SGMs = nil
	}
	for _, a := range f.all {
		if c, ok := a.(CPViewer); ok {
			c.AddCPView(&it)
		}
	}
}

// CPViews is how many CPView history databases were read.
func (f *Feed) CPViews() int { return f.cpviews }

// context updates the current input's attribution, clock, site-state
// evidence and asg dxl calc results with rec, before the analyses see it.
func (f *Feed) context(rec *parse.Record) {
	if rec.HasTime {
		f.last, f.clocked = rec.Time*f.opt.TSUnit, true
	}
	switch rec.Kind {
	case parse.KindSGMHeader:
		if !f.byUser && len(rec.SGMs) > 0 {
			f.cur = append(f.cur[:0], rec.SGMs...)
			f.rule, f.byInput, f.pending = parse.RuleHeader, true, true
		}
	case parse.KindHostname:
		// Weakest rule: only for an input nothing else attributed.
		if s, ok := parse.SGMFromHostname(rec.Text); ok && len(f.cur) == 0 && !f.byUser && !f.byInput {
			f.cur = append(f.cur[:0], s)
			f.rule, f.pending = "host name in cpinfo ("+Sanitize(rec.Text)+")", true
		}
	case parse.KindSiteState, parse.KindCorrection, parse.KindSync:
		f.sites.add(f.ctx.Layout, rec)
	case parse.KindDxl, parse.KindDxlChassis:
		f.ctx.DXL.Add(rec) // asg dxl calc results, wherever they are
	}
}

// attributed notes the current SGMs and rule on the input: records were
// attributed to them.
func (f *Feed) attributed(in *Input) {
	f.pending = false
	for _, s := range f.cur {
		if !slices.Contains(in.SGMs, s) {
			in.SGMs = append(in.SGMs, s)
		}
	}
	if f.rule != "" {
		in.Rule = f.rule
	}
}

// ReadString reads text as one input named name (a pasted argument, a
// test's input).
func (f *Feed) ReadString(name, text string) error {
	return f.Read(parse.Source{Name: name}, parse.NewReader(strings.NewReader(text), name))
}
