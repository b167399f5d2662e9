package report

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/parse"
)

// seen records what the feed hands an analysis.
type seen struct {
	starts []int
	items  []string // "input kind sgms rule t/clocked"
}

func (s *seen) StartInput(in *Input) { s.starts = append(s.starts, in.Index) }

func (s *seen) Add(it *Item) {
	var sgms []string
	for _, g := range it.SGMs {
		sgms = append(sgms, g.String())
	}
	t := "-"
	if it.Clocked {
		t = fmt.Sprintf("%g", it.T)
	}
	s.items = append(s.items, fmt.Sprintf("%d %s [%s] %q %s", it.Input, it.Kind, strings.Join(sgms, " "), it.Rule, t))
}

const syncstat = "Delta Sync Statistics\nSync status: OK\n"

func TestFeedAttributionPrecedence(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	header := write("sgm-1_04.txt", "1_02:\n"+syncstat)
	plain := write("sgm-2_01.txt", syncstat)
	host := write("cpinfo.txt", "Issuing 'hostname' :\ngw-ch02-03\n"+syncstat)
	hostNamed := write("1_03.info", "Issuing 'hostname' :\ngw-ch02-03\n"+syncstat)
	tests := []struct {
		name string
		arg  string
		sgm  string // of the syncstat snapshot
		rule string
	}{
		{"FILE@SGM beats a header", header + "@1_01", "1_01", parse.RuleCommandLine},
		{"a header beats the file name", header, "1_02", parse.RuleHeader},
		{"the file name", plain, "2_01", parse.RuleFileName},
		{"FILE@SGM beats the file name", plain + "@2_02", "2_02", parse.RuleCommandLine},
		{"the cpinfo host name when nothing else", host, "2_03", "host name in cpinfo (gw-ch02-03)"},
		{"the file name beats the host name", hostNamed, "1_03", parse.RuleFileName},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := NewFeed(Context{}, FeedOptions{})
			var s seen
			f.Use(&s)
			if _, err := f.Walk([]string{tt.arg}, nil, parse.DefaultLimits()); err != nil {
				t.Fatal(err)
			}
			var got string
			for _, it := range s.items {
				if strings.Contains(it, " syncstat ") {
					got = it
				}
			}
			want := fmt.Sprintf("0 syncstat [%s] %q -", tt.sgm, tt.rule)
			if got != want {
				t.Errorf("snapshot item %q, want %q (all: %v)", got, want, s.items)
			}
			in := f.Inputs()[0]
			if in.SGM().String() != tt.sgm || in.Rule != tt.rule || len(in.SGMs) != 1 {
				t.Errorf("input attributed to %v by %q, want %s by %q", in.SGMs, in.Rule, tt.sgm, tt.rule)
			}
		})
	}
}

// TestFeedInputs: inputs are indexed, never named by a string to split;
// each has its own attribution, clock and accounting.
func TestFeedInputs(t *testing.T) {
	f := NewFeed(Context{}, FeedOptions{TSUnit: 1e-3})
	var s seen
	f.Use(&s)
	inputs := []struct{ name, text string }{
		{"gw:a.txt", "1_01:\n@;5000;[fw4_0];SET: connections (8158) keys(6)=<0,a000001,1000,ac100001,1bb,6> sync_mask=[0x0000000e];\n[fw4_0];REFRESH: connections (8158) keys(6)=<0,a000001,1000,ac100001,1bb,6>;\n"},
		{"gw:b.txt", "[fw4_0];REFRESH: connections (8158) keys(6)=<0,a000001,1000,ac100001,1bb,6>;\nnot a line of any format\n"},
	}
	for _, in := range inputs {
		if err := f.ReadString(in.name, in.text); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{
		`0 sgm-header [1_01] "header line" -`,
		`0 sync [1_01] "header line" 5`,
		`0 sync [1_01] "header line" 5`, // the stamp carried forward
		`1 sync [] "" -`,                // a new input: no SGM, no clock
	}
	if strings.Join(s.items, "\n") != strings.Join(want, "\n") {
		t.Errorf("items:\n%s\nwant:\n%s", strings.Join(s.items, "\n"), strings.Join(want, "\n"))
	}
	if fmt.Sprint(s.starts) != "[0 1]" {
		t.Errorf("inputs started %v", s.starts)
	}
	ins := f.Inputs()
	if len(ins) != 2 || ins[0].Name != "gw:a.txt" || ins[1].Name != "gw:b.txt" || f.Input(2) != nil {
		t.Fatalf("inputs %+v", ins)
	}
	if ins[0].Stats.Lines != 3 || ins[1].Stats.Lines != 2 || ins[1].Stats.UnrecognizedLines() != 1 || f.Stats().Lines != 5 {
		t.Errorf("accounting: %d and %d lines, %d unrecognized in b, %d in all", ins[0].Stats.Lines, ins[1].Stats.Lines, ins[1].Stats.UnrecognizedLines(), f.Stats().Lines)
	}
	if acc := f.Accounting(); acc.Lines != 5 || acc.Recognized["sync"] != 3 || acc.Ignored["unrecognized"] != 1 || len(acc.Rejected) != 0 ||
		fmt.Sprint(acc.UnrecognizedShapes) != "[{not a line of any format 1 gw:b.txt:2}]" {
		t.Errorf("accounting %+v", acc)
	}
}

// TestFeedStrict: under Strict the first rejected line ends the input
// with its error; otherwise it is counted and told to OnReject. A line no
// format recognizes is not rejected, unless RejectUnrecognized says so.
func TestFeedStrict(t *testing.T) {
	const damaged = "| 0 | 1.2.3.4 | 1 |" // a gconn row cut short
	var told []string
	f := NewFeed(Context{}, FeedOptions{OnReject: func(err error) { told = append(told, err.Error()) }})
	if err := f.ReadString("x", damaged+"\ngarbage\n1_01:\n"); err != nil {
		t.Fatal(err)
	}
	if len(told) != 1 || !strings.HasPrefix(told[0], "x:1:") {
		t.Errorf("told %q", told)
	}
	f = NewFeed(Context{}, FeedOptions{Strict: true})
	if err := f.ReadString("x", "1_01:\ngarbage\n"+damaged+"\n"); !parse.IsRejected(err) || !strings.HasPrefix(err.Error(), "x:3:") {
		t.Errorf("strict: %v", err)
	}
	told = nil
	f = NewFeed(Context{}, FeedOptions{Strict: true, RejectUnrecognized: true, OnReject: func(err error) { told = append(told, err.Error()) }})
	if err := f.ReadString("x", "1_01:\ngarbage\n"); !errors.Is(err, parse.ErrUnrecognized) || !strings.HasPrefix(err.Error(), "x:2:") || len(told) != 1 {
		t.Errorf("strict, unrecognized rejected: %v, told %q", err, told)
	}
}

// TestFeedValueWords: the feed decodes the value words the analyses
// need: the most any asks for, all when one does not say.
func TestFeedValueWords(t *testing.T) {
	line := "<00000000, 0a000001, 00001000, ac100001, 000001bb, 00000006; 0001c001, 40044080, 0000000f, 0000000b, 00000000, 68da50ae, 00000000, 412afd3c, e6fc6e36, 00000054, ffffffff, ffffffff, ffffffff, 02000800, 000f9280, 80000000; 1/2>\n"
	for _, tt := range []struct {
		name string
		as   []Analysis
		want int
	}{
		{"14 words", []Analysis{&words{n: 14}}, 14},
		{"the most", []Analysis{&words{n: 14}, &words{n: 3}}, 14},
		{"all when one reads all", []Analysis{&words{n: 14}, &seen{}}, 16},
	} {
		f := NewFeed(Context{}, FeedOptions{})
		f.Use(tt.as...)
		if err := f.ReadString("x", line); err != nil {
			t.Fatal(err)
		}
		if got := tt.as[0].(*words).got; got != tt.want {
			t.Errorf("%s: %d words decoded, want %d", tt.name, got, tt.want)
		}
	}
}

type words struct{ n, got int }

func (w *words) ValueWords() int { return w.n }
func (w *words) Add(it *Item) {
	if it.Kind == parse.KindFwTab {
		w.got = len(it.Vals)
	}
}

// TestFeedSites: site states are resolved in one order for every
// analysis: --sites, observed (asg stat before correction lines), what a
// sync_mask implies, unknown.
func TestFeedSites(t *testing.T) {
	const (
		asg  = "| Chassis 1   STANDBY |\n"
		corr = "@;5;[kern];[tid_40];[fw4_0];fwha_ccl_is_stateful_corr_needed: <10.0.0.1(4096) -> 172.16.0.1(443) IPP6>: chassis 1 is DOWN in VS0, will not correct;\n"
		set  = "@;6;[fw4_0];SET: connections (8158) keys(6)=<0,a000001,1000,ac100001,1bb,6> vals(14)=<0,0,0,0,0,0,0,0,0,0,0,0,0,2000800> sync_mask=[0x00038006];\n"
	)
	flag, _ := decode.ParseSiteStates("1=active,2=standby", decode.DefaultLayout)
	for _, tt := range []struct {
		name, input string
		flag        decode.SiteStates
		hint        *MaskHint
		states      string
		from        SiteSource
		source      string
	}{
		{"--sites first", asg + corr + set, flag, nil, "1=ACTIVE,2=STANDBY", SitesFlag, "--sites"},
		{"asg stat before correction lines", corr + asg + set, nil, nil, "1=STANDBY,2=ACTIVE", SitesObserved, "site 1 STANDBY from asg stat (in:2); site 2 ACTIVE inferred (the other site is STANDBY)"},
		{"correction lines", set + corr, nil, nil, "1=ACTIVE,2=DOWN", SitesObserved, "site 2 DOWN from correction line in:2; site 1 ACTIVE inferred (the other site is DOWN)"},
		{"the latest SET sync_mask", set, nil, nil, "1=STANDBY,2=ACTIVE", SitesInferred, "read from the latest sync_mask 0x00038006"},
		{"the caller's sync_mask", set, nil, &MaskHint{Mask: 0x0001800e, Owner: decode.SGM{Site: 1, Member: 2}}, "1=ACTIVE,2=STANDBY", SitesInferred, "read from the latest sync_mask 0x0001800e"},
		{"nothing says", "1_01:\n", nil, nil, "", SitesUnknown, "unknown (give --sites)"},
	} {
		f := NewFeed(Context{Sites: tt.flag}, FeedOptions{TSUnit: 1})
		if err := f.ReadString("in", tt.input); err != nil {
			t.Fatal(err)
		}
		s := f.Sites(tt.hint)
		if s.States.String() != tt.states || s.From != tt.from || !strings.HasPrefix(s.Source, tt.source) {
			t.Errorf("%s: %s from %d (%q), want %s from %d (%q)", tt.name, s.States, s.From, s.Source, tt.states, tt.from, tt.source)
		}
		if s.Inferred() != (tt.from == SitesInferred) {
			t.Errorf("%s: Inferred() = %v", tt.name, s.Inferred())
		}
	}
}

// rawSeen records the raw lines, kinds and rejections a KeepRaw feed hands
// an analysis.
type rawSeen struct {
	raw   strings.Builder
	items []string
}

func (s *rawSeen) Add(it *Item) {
	s.raw.Write(it.Raw)
	s.items = append(s.items, fmt.Sprintf("%d %s err=%v sgm=%s", it.Pos.Line, it.Kind, it.Err != nil, it.SGM()))
}

// TestFeedKeepRaw: every line reaches the analysis as read, the ignored
// and rejected ones as KindNone items (rejections with Err), and a blank
// line before a header does not attribute the input.
func TestFeedKeepRaw(t *testing.T) {
	text := "\n1_03:\n<00000000, zz>\n<00000000, ac103d42, 000047df, ac103d02, 000000b3, 00000006; 0001c001,\r\n 02008000; 00000001 ; 3394/3618>\r\nnoise\n"
	f := NewFeed(Context{}, FeedOptions{KeepRaw: true})
	var s rawSeen
	f.Use(&s)
	if err := f.ReadString("in", text); err != nil {
		t.Fatal(err)
	}
	if s.raw.String() != text {
		t.Errorf("raw lines %q, want the input %q", s.raw.String(), text)
	}
	want := []string{"1 none err=false sgm=", "2 sgm-header err=false sgm=1_03", "3 none err=true sgm=1_03",
		"4 fwtab err=false sgm=1_03", "6 none err=false sgm=1_03"}
	if fmt.Sprint(s.items) != fmt.Sprint(want) {
		t.Errorf("items\n%v\nwant\n%v", s.items, want)
	}
	if got := f.Inputs()[0].SGMs; len(got) != 1 || got[0].String() != "1_03" {
		t.Errorf("input attributed to %v, want [1_03]", got)
	}
}
