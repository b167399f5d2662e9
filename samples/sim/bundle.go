package sim

import (
	"archive/tar"
	"bytes"
	"cmp"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Bundle file names, as `gen -only bundle` writes them.
const (
	FileBundle      = "bundle.tgz"        // the bundle; truth positions start with this name
	FileBundleTruth = "bundle-truth.json" // its BundleTruth
)

// The roles of the bundle's story, member numbers on their site.
const (
	bundleLostSite, bundleLostMember = 1, 1 // lost updates and rejects; runs asg stat -v
	bundleDownSite, bundleDownMember = 1, 3 // kernel panic, DOWN
	bundleOffSite, bundleOffMember   = 2, 2 // Sync status: Off
)

// The numbers the bundle's syncstat of the lost-updates SGM shows, and the
// Jumbo Hotfix take every SGM runs.
const (
	BundleLostUpdates   = 1873
	BundleRecvRejects   = 57
	BundleJHFTake       = 78
	bundleVersion       = "R81.10"
	bundleSendingQueue  = 512
	bundleSyncIntervalS = 0.1 // Delta Sync interval, 100 ms
)

// bundleWaveCapacity is how many updates a REFRESH wave of WaveSpreadUs
// may hold before it overflows the default sending queue: 512 x 1 s /
// 100 ms = 5120.
const bundleWaveCapacity = int64(bundleSendingQueue * (WaveSpreadUs / 1e6) / bundleSyncIntervalS)

// bundleMinWave and bundleWaveFactor decide REFRESH_BURSTS: the truth
// expects it when the biggest REFRESH wave holds at least bundleMinWave
// messages and bundleWaveFactor times the background rate of the capture
// (its other messages per second); below that it is undecided.
const (
	bundleMinWave    = 20
	bundleWaveFactor = 10
)

// background is the rate, per second, of the kernel-debug lines outside
// the REFRESH waves, over the whole capture.
func background(st KdebugStats) float64 {
	n := st.Lines
	for _, w := range st.RefreshWaves {
		n -= w.Messages
	}
	return float64(n) / max(1, float64(st.LastUs-st.FirstUs)/1e6)
}

// maxBundleEvidence bounds the evidence lines of one finding.
const maxBundleEvidence = 5

// BundleTruth is what a triage of the bundle must find. It marshals to
// bundle-truth.json deterministically.
//
// Positions have the form "archive!member:line" (1-based line), the way
// the analyzer names archive members: "bundle.tgz!bundle/1_01/cpinfo.info:57",
// "bundle.tgz!bundle/logs.tgz!1_03/var/log/messages:12"; a gzip member keeps
// its name ("bundle.tgz!bundle/kdebug/kdebug.txt.gz:455" is a line of the
// decompressed text). They start with Archive, "bundle.tgz"; when the
// bundle is read under another name, see [BundleTruth.WithArchive].
type BundleTruth struct {
	// Archive is the name positions and member files start with.
	Archive  string `json:"archive"`
	Scenario string `json:"scenario"`
	Seed     uint64 `json:"seed"`
	DumpTime int64  `json:"dump_time"`
	// TableConnections is the live set: the distinct connections
	// (direction-free 5-tuples) the bundle's fw tab dumps hold, all SGMs
	// together (1_03's dump is not in the bundle).
	TableConnections int `json:"table_connections"`
	// CaptureConnections is the number of distinct connections the
	// bundle's kernel debug names in its sync messages (SET, REFRESH,
	// DELETE keys, either direction).
	CaptureConnections int `json:"capture_connections"`
	// CaptureOnlyConnections is how many of CaptureConnections none of the
	// bundle's fw tab dumps holds (Config.CaptureOnly: connections closed
	// during the capture, UDP flows that aged out before the dumps).
	CaptureOnlyConnections int `json:"capture_only_connections"`
	// CaptureOnlyDeleted is how many of CaptureOnlyConnections the kernel
	// debug shows a DELETE for.
	CaptureOnlyDeleted int `json:"capture_only_deleted"`
	// SiteStates are the site states `asg stat -v` shows, as a triage
	// prints them: {"1": "STANDBY", "2": "ACTIVE"}.
	SiteStates map[string]string `json:"site_states"`
	// Members are the SGMs the bundle holds files of, in SGM order.
	Members []BundleMember `json:"members"`
	// Findings are the expected findings, most serious first (severity,
	// then code, then SGMs), the order a triage sorts them in.
	Findings []BundleFinding `json:"findings"`
	// Undecided are finding codes a triage may or may not report: the
	// truth does not decide them. Only REFRESH_BURSTS can be, when the
	// biggest REFRESH wave holds fewer than 20 messages or fewer than 10
	// times the capture's other messages per second, too few for a burst
	// detector to be sure of; it is then not among Findings.
	Undecided []string `json:"undecided"`
	// Files are the paths of every regular file in the archive, in archive
	// order, without the Archive prefix; the members of a nested archive
	// follow it as "bundle/logs.tgz!1_03/var/log/messages".
	Files []string `json:"files"`
	// CPViewStep is the seconds between the samples of the CPView
	// databases; Timeline are the events they show (at the first sample
	// that shows each) and the kernel panic (at its syslog stamp), in time
	// order. No failover counter rises on an SGM without a failover here.
	CPViewStep int           `json:"cpview_step"`
	Timeline   []BundleEvent `json:"timeline"`
}

// Write writes t as indented JSON (2 spaces, `<` and `>` not escaped)
// and a newline: bundle-truth.json.
func (t BundleTruth) Write(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(t)
}

// BundleMember is one SGM of the bundle, shaped like a triage's member.
type BundleMember struct {
	SGM string `json:"sgm"`
	// Files are the text inputs that name this SGM by path, as a triage
	// names them ("bundle.tgz!bundle/1_01/cpinfo.info"), in archive order.
	Files    []string `json:"files"`
	Hostname string   `json:"hostname"`
	Version  string   `json:"version"`
	Take     int      `json:"jhf_take"`
	// State is "DOWN" for the SGM `asg stat -v` shows DOWN, else "".
	State string `json:"state,omitempty"`
}

// BundleFinding is one expected finding.
type BundleFinding struct {
	// Code and Severity ("high", "medium", "info") as a triage reports them.
	Code     string `json:"code"`
	Severity string `json:"severity"`
	// SGMs the finding concerns, sorted; empty when it names none.
	SGMs []string `json:"sgms"`
	// Evidence are positions of lines that show the problem (at most 5);
	// Expect[i] is text the line at Evidence[i] contains.
	Evidence []string `json:"evidence"`
	Expect   []string `json:"expect"`
	// Cited is true when a triage cites exactly these positions, in this
	// order, as the finding's evidence (syncstat snapshots, the DOWN row,
	// panic lines, the Jumbo Hotfix line). When false the triage cites
	// something else (the inputs, the bursts) and these lines support it.
	Cited bool `json:"cited"`
	// Numbers known for sure, under a triage's keys where it has them.
	Numbers map[string]int64 `json:"numbers,omitempty"`
}

// Severities of bundle findings.
const (
	SeverityHigh   = "high"
	SeverityMedium = "medium"
	SeverityInfo   = "info"
)

// WithArchive returns a copy of t whose positions and member files start
// with name instead of t.Archive: "samples/bundle/bundle.tgz" when the
// analyzer is given that path.
func (t BundleTruth) WithArchive(name string) BundleTruth {
	old := t.Archive + "!"
	re := func(s string) string {
		if rest, ok := strings.CutPrefix(s, old); ok {
			return name + "!" + rest
		}
		return s
	}
	out := t
	out.Archive = name
	out.Members = make([]BundleMember, len(t.Members))
	for i, m := range t.Members {
		m.Files = slices.Clone(m.Files)
		for j := range m.Files {
			m.Files[j] = re(m.Files[j])
		}
		out.Members[i] = m
	}
	out.Findings = make([]BundleFinding, len(t.Findings))
	for i, f := range t.Findings {
		f.Evidence = slices.Clone(f.Evidence)
		for j := range f.Evidence {
			f.Evidence[j] = re(f.Evidence[j])
		}
		out.Findings[i] = f
	}
	return out
}

// BundleHostName is the Maestro-style host name of SGM id: "mygw-ch01-03"
// for 1_03.
func BundleHostName(id int) string {
	site := SiteOf(id)
	return fmt.Sprintf("mygw-ch%02d-%02d", site, id-(site-1)*SlotsPerSite+1)
}

// bundleOK checks that the scenario can tell the bundle's story.
func (s *Scenario) bundleOK() error {
	if s.Quiet() {
		return cfgErr("the bundle tells a switchover's story; the quiet scenario has none")
	}
	if s.After != StateStandby {
		return cfgErr("the bundle needs site 1 STANDBY after the switchover (after %q)", s.After)
	}
	if s.SGMsPerSite < bundleDownMember {
		return cfgErr("the bundle needs sgms per site >= %d (it has SGM %d_%02d DOWN)", bundleDownMember, bundleDownSite, bundleDownMember)
	}
	return nil
}

// bundle builds one bundle.
type bundle struct {
	s                *Scenario
	lost, down, off  int // SGM ids of the story
	fwtab            []int
	truth            BundleTruth
	found            map[string]int // member NUL line text -> line number, filled while sizing the fw tab dumps
	waveLines        []waveLine     // first REFRESH line of each wave, filled while sizing the kernel debug
	entries          []bundleEntry
	cpviews          map[int][]byte      // CPView database per SGM id
	cpinfoEv, logsEv map[string][]evLine // per code
}

type evLine struct {
	pos, text string
}

type waveLine struct {
	line int
	text string
}

// bundleEntry is one tar member: a folder, bytes, or a stream written
// twice (once to size it, once for real).
type bundleEntry struct {
	name string
	dir  bool
	data []byte
	gen  func(w io.Writer, sizing bool) error
}

// WriteBundle writes the scenario as a support bundle, the deterministic
// `.tgz` a support engineer would receive, and returns what a triage of it
// must find. Layout (nested archives on purpose):
//
//	bundle/1_01/cpinfo.info        cpinfo-style file of SGM 1_01
//	bundle/1_01/fwtab.txt          its `fw tab -t connections -u` dump
//	bundle/1_02/...                the same for every present SGM, except:
//	bundle/1_03/cpinfo.info        1_03 is DOWN after a kernel panic: its
//	                               cpinfo, taken an hour before, is there;
//	                               its fw tab dump could not be taken
//	bundle/kdebug/kdebug.txt.gz    the kernel debug (gzip inside the tar)
//	bundle/logs.tgz                a tgz inside the tgz:
//	    1_01/var/log/messages      the syslog of every present SGM; the one
//	    1_03/var/log/messages      of 1_03 ends in a kernel panic trace
//	    ...
//
// The story the files tell, on top of the scenario's switchover: 1_03
// panicked two seconds before the switchover and is DOWN; `asg stat -v` on
// 1_01 shows it, with site 1 STANDBY and site 2 ACTIVE; 1_01 lost sync
// updates and received reject notifications; sync is off on 2_02 (full
// sync failure); every SGM runs R81.10 with Jumbo Hotfix take 78. Each
// cpinfo also holds a few other commands (date, uptime, ifconfig) that an
// analyzer counts as unrecognized. With Config.CaptureOnly the kernel
// debug also names connections none of the bundle's dumps holds (closed
// during the capture, or UDP flows aged out before the dumps); the truth
// counts them beside the live set the dumps hold.
//
// The scenario must be a switchover with site 1 STANDBY after it and at
// least 3 SGMs per site, else the error wraps [ErrConfig] and nothing is
// written.
// Everything is a pure function of the [Config]: members are sorted, every
// mtime is Config.DumpTime, modes are 0644 (folders 0755), owner root
// (0/0), the gzip layers carry fixed headers. Positions in the truth start
// with [FileBundle]. The fw tab dumps and the gzip of the kernel debug are
// generated twice, once to learn their size for the tar header, so memory
// stays small for large scenarios; the other members are a few KB each.
func (s *Scenario) WriteBundle(w io.Writer) (BundleTruth, error) {
	if err := s.bundleOK(); err != nil {
		return BundleTruth{}, err
	}
	b := &bundle{
		s:    s,
		lost: SGMID(bundleLostSite, bundleLostMember), down: SGMID(bundleDownSite, bundleDownMember),
		off:   SGMID(bundleOffSite, bundleOffMember),
		found: map[string]int{}, cpinfoEv: map[string][]evLine{}, logsEv: map[string][]evLine{},
	}
	b.truth = BundleTruth{Archive: FileBundle, Scenario: s.Scenario, Seed: s.Seed, DumpTime: s.DumpTime,
		SiteStates: map[string]string{"1": "STANDBY", "2": "ACTIVE"}, Members: []BundleMember{},
		Findings: []BundleFinding{}, Undecided: []string{}, Files: []string{}}
	for _, id := range s.DumpSGMs {
		if id != b.down {
			b.fwtab = append(b.fwtab, id)
		}
	}
	risk := b.expiry()
	b.cpviews = map[int][]byte{}
	for _, id := range s.DumpSGMs {
		db, err := b.cpviewDB(id)
		if err != nil {
			return BundleTruth{}, fmt.Errorf("CPView database of %s: %w", SGMName(id), err)
		}
		b.cpviews[id] = db
	}
	b.addMembers(risk)
	if err := writeTgz(w, b.entries, gzip.Header{}, s.DumpTime); err != nil {
		return BundleTruth{}, err
	}
	b.findings(risk)
	in := uint32(0)
	for _, id := range b.fwtab {
		in |= 1 << id
	}
	st, _ := s.KdebugStats() // written above
	b.truth.TableConnections = s.tableConns(in)
	b.truth.CaptureConnections, b.truth.CaptureOnlyConnections, b.truth.CaptureOnlyDeleted = s.captureCounts(st, in)
	for _, e := range b.entries {
		if e.dir {
			continue
		}
		b.truth.Files = append(b.truth.Files, e.name)
		if e.name == bundleLogs {
			for _, n := range b.logNames() {
				b.truth.Files = append(b.truth.Files, e.name+"!"+n)
			}
		}
	}
	return b.truth, nil
}

// Member paths.
const (
	bundleDir    = "bundle/"
	bundleLogs   = bundleDir + "logs.tgz"
	bundleKdebug = bundleDir + "kdebug/kdebug.txt.gz"
	bundleCpinfo = "cpinfo.info"
	messagesPath = "var/log/messages"
)

func (b *bundle) pos(member string, line int) string {
	return b.truth.Archive + "!" + member + ":" + strconv.Itoa(line)
}

func sgmDir(id int) string { return bundleDir + SGMName(id) + "/" }

// addMembers renders the small members, prepares the streamed ones and
// sorts them all, folders included.
func (b *bundle) addMembers(risk riskInfo) {
	s := b.s
	var files []bundleEntry
	for _, id := range s.DumpSGMs {
		files = append(files, bundleEntry{name: sgmDir(id) + bundleCpinfo, data: b.cpinfo(id)})
	}
	targets := map[int][]string{} // fw tab lines to locate, per SGM
	if risk.first >= 0 {
		c := &s.Conns[risk.first]
		for _, id := range []int{int(c.RiskMin), int(c.RiskMax)} {
			targets[id] = append(targets[id], s.entryLine(risk.first, id))
		}
	}
	for _, id := range b.fwtab {
		sgm := SGMName(id)
		want := targets[id]
		files = append(files, bundleEntry{name: sgmDir(id) + FileFwTab, gen: func(w io.Writer, sizing bool) error {
			if sizing && len(want) > 0 {
				ls := b.scanner(sgmDir(id)+FileFwTab, want)
				w = io.MultiWriter(w, ls)
			}
			return s.WriteFwTab(w, sgm)
		}})
	}
	for _, id := range s.DumpSGMs {
		files = append(files, bundleEntry{name: b.cpviewName(id), data: b.cpviews[id]})
	}
	files = append(files, bundleEntry{name: bundleKdebug, gen: b.kdebug}, bundleEntry{name: bundleLogs, data: b.logs()})
	b.entries = withDirs(files)
}

// withDirs adds the folder entries of files and sorts everything by name.
func withDirs(files []bundleEntry) []bundleEntry {
	out := slices.Clone(files)
	seen := map[string]bool{}
	for _, f := range files {
		for i := strings.IndexByte(f.name, '/'); i >= 0; i = next(f.name, i) {
			d := f.name[:i+1]
			if !seen[d] {
				seen[d] = true
				out = append(out, bundleEntry{name: d, dir: true})
			}
		}
	}
	slices.SortFunc(out, func(a, b bundleEntry) int { return strings.Compare(a.name, b.name) })
	return out
}

// next returns the index of the next '/' in s after i, or -1.
func next(s string, i int) int {
	j := strings.IndexByte(s[i+1:], '/')
	if j < 0 {
		return -1
	}
	return i + 1 + j
}

// writeTgz writes entries as a gzip of a tar with fixed metadata.
func writeTgz(w io.Writer, entries []bundleEntry, zh gzip.Header, mtime int64) error {
	zw, err := gzip.NewWriterLevel(w, gzip.DefaultCompression)
	if err != nil {
		return err
	}
	zw.Header = zh
	tw := tar.NewWriter(zw)
	mt := time.Unix(mtime, 0).UTC()
	for _, e := range entries {
		h := &tar.Header{Name: e.name, ModTime: mt, Uname: "root", Gname: "root", Format: tar.FormatUSTAR}
		switch {
		case e.dir:
			h.Typeflag, h.Mode = tar.TypeDir, 0o755
		case e.gen != nil:
			var cw countWriter
			if err := e.gen(&cw, true); err != nil {
				return fmt.Errorf("%s: %w", e.name, err)
			}
			h.Typeflag, h.Mode, h.Size = tar.TypeReg, 0o644, cw.n
		default:
			h.Typeflag, h.Mode, h.Size = tar.TypeReg, 0o644, int64(len(e.data))
		}
		if err := tw.WriteHeader(h); err != nil {
			return fmt.Errorf("%s: %w", e.name, err)
		}
		switch {
		case e.gen != nil:
			if err := e.gen(tw, false); err != nil {
				return fmt.Errorf("%s: %w", e.name, err)
			}
		case !e.dir:
			if _, err := tw.Write(e.data); err != nil {
				return fmt.Errorf("%s: %w", e.name, err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return zw.Close()
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

// lineScanner calls fn with every complete line written to it (without the
// newline) and its 1-based number.
type lineScanner struct {
	n   int
	cur []byte
	fn  func(n int, line []byte)
}

func (l *lineScanner) Write(p []byte) (int, error) {
	total := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			l.cur = append(l.cur, p...)
			break
		}
		line := p[:i]
		if len(l.cur) > 0 {
			l.cur = append(l.cur, line...)
			line = l.cur
		}
		l.n++
		l.fn(l.n, line)
		l.cur = l.cur[:0]
		p = p[i+1:]
	}
	return total, nil
}

// scanner records in b.found the position of each line of member equal to
// one of want.
func (b *bundle) scanner(member string, want []string) *lineScanner {
	return &lineScanner{fn: func(n int, line []byte) {
		for _, w := range want {
			if string(line) == w {
				if _, ok := b.found[member+"\x00"+w]; !ok {
					b.found[member+"\x00"+w] = n
				}
			}
		}
	}}
}

// kdebug writes the gzip of the kernel debug; while sizing it also finds
// the first REFRESH line of each wave (at most maxBundleEvidence waves).
func (b *bundle) kdebug(w io.Writer, sizing bool) error {
	s := b.s
	zw, err := gzip.NewWriterLevel(w, gzip.DefaultCompression)
	if err != nil {
		return err
	}
	zw.Header = gzip.Header{Name: "kdebug.txt", ModTime: time.Unix(s.DumpTime, 0)}
	var out io.Writer = zw
	if sizing {
		t0, ri := int64(s.SwitchoverAt)*1e6, int64(s.RefreshInterval)*1e6
		out = io.MultiWriter(zw, &lineScanner{fn: func(n int, line []byte) {
			if !bytes.HasPrefix(line, []byte("@;")) || !bytes.Contains(line, []byte("REFRESH: ")) {
				return
			}
			end := bytes.IndexByte(line[2:], ';')
			if end < 0 {
				return
			}
			ts, err := strconv.ParseInt(string(line[2:2+end]), 10, 64)
			if err != nil || ts < t0 || (ts-t0)%ri != 0 {
				return
			}
			wave := int((ts - t0) / ri)
			if wave >= maxBundleEvidence {
				return
			}
			for len(b.waveLines) <= wave {
				b.waveLines = append(b.waveLines, waveLine{})
			}
			if b.waveLines[wave].line == 0 {
				text := string(line)
				if i := strings.Index(text, " vals("); i > 0 {
					text = text[:i]
				}
				b.waveLines[wave] = waveLine{line: n, text: text}
			}
		}})
	}
	if err := s.WriteKdebug(out); err != nil {
		return err
	}
	return zw.Close()
}

// text accumulates lines and counts them.
type text struct {
	b    bytes.Buffer
	line int // lines written so far
}

// add appends lines and returns the number of the first.
func (t *text) add(lines ...string) int {
	for _, l := range lines {
		t.b.WriteString(l)
		t.b.WriteByte('\n')
	}
	t.line += len(lines)
	return t.line - len(lines) + 1
}

// section writes a cpinfo section title between two 46-'=' rules.
func (t *text) section(title string) {
	r := strings.Repeat("=", 46)
	t.add(r, title, r, "")
}

// command writes a cpinfo command block header: the title between two
// 24-dash rules, then "Issuing '<cmd>' :".
func (t *text) command(title, cmd string) {
	r := strings.Repeat("-", 24)
	t.add(r, title, r, "", "Issuing '"+cmd+"' :  ", "")
}

func memberOf(id int) int { return id - (SiteOf(id)-1)*SlotsPerSite + 1 }

func wall(t int64, layout string) string { return time.Unix(t, 0).UTC().Format(layout) }

// cpinfoTime is when the cpinfo of SGM id was taken: a few minutes before
// the dumps, an hour before the panic for the SGM that panicked.
func (b *bundle) cpinfoTime(id int) int64 {
	if id == b.down {
		return b.s.SwitchoverWall - 3600
	}
	return b.s.DumpTime - 600 + int64(id)*7
}

// cpinfo renders the cpinfo file of SGM id and records its evidence.
func (b *bundle) cpinfo(id int) []byte {
	s := b.s
	member := sgmDir(id) + bundleCpinfo
	at := b.cpinfoTime(id)
	h := mix(s.Seed ^ uint64(id)<<40 ^ 0xc0ffee)
	t := &text{}
	stars := strings.Repeat("*", 72)
	t.add(stars,
		"                    Check Point Support Information.",
		"                  CPinfo Build 914000227 for GAIA",
		stars, "")
	t.section("System Information")
	t.command("hostname", "hostname")
	t.add(BundleHostName(id), "")
	t.command("date", "date")
	t.add(wall(at, "Mon Jan _2 15:04:05 MST 2006"), "")
	t.command("uptime", "uptime")
	t.add(fmt.Sprintf(" %s up %d days,  %d:%02d,  1 user,  load average: 0.%02d, 0.%02d, 0.%02d",
		wall(at, "15:04:05"), 20+h%40, h>>8%24, h>>16%60, h>>24%60, h>>32%60, h>>40%60), "")
	t.command("ifconfig", "ifconfig -a")
	site, m := SiteOf(id), memberOf(id)
	t.add(fmt.Sprintf("Sync      Link encap:Ethernet  HWaddr 00:1C:7F:%02X:%02X:01", site, m),
		fmt.Sprintf("          inet addr:192.0.2.%d  Bcast:192.0.2.255  Mask:255.255.255.0", site*20+m),
		"          UP BROADCAST RUNNING MULTICAST  MTU:1500  Metric:1",
		"",
		"lo        Link encap:Local Loopback",
		"          inet addr:127.0.0.1  Mask:255.0.0.0",
		"          UP LOOPBACK RUNNING  MTU:65536  Metric:1",
		"")
	t.section("Check Point Versions")
	t.command("fw ver", "fw ver")
	t.add("This is Check Point's software version "+bundleVersion+" - Build 040", "")
	t.command("cpinfo -y all", "cpinfo -y all")
	t.add("This is Check Point CPinfo Build 914000227 for GAIA",
		"[IDA]", "        No hotfixes..", "",
		"[CPFC]", "        No hotfixes..", "",
		"[FW1]")
	take := fmt.Sprintf("        HOTFIX_R81_10_JUMBO_HF_MAIN     Take:  %d", BundleJHFTake)
	n := t.add(take, "")
	b.cpinfoEv[CodeJHFPanicFixes+SGMName(id)] = []evLine{{b.pos(member, n), take}}
	t.section("Cluster")
	t.command("cphaprob syncstat", "cphaprob syncstat")
	n = t.add(b.syncstat(id, at)...)
	t.add("")
	switch id {
	case b.lost:
		ev := []evLine{{b.pos(member, n), "Delta Sync Statistics"}}
		b.cpinfoEv[CodeLostUpdates], b.cpinfoEv[CodeRejects] = ev, ev
	case b.off:
		b.cpinfoEv[CodeSyncOff] = []evLine{{b.pos(member, n), "Delta Sync Statistics"}}
	}
	if id == b.lost {
		t.command("asg stat -v", "asg stat -v")
		lines, ch, down := b.asgStat(id)
		n = t.add(lines...)
		t.add("")
		b.cpinfoEv[CodeOffActive] = []evLine{{b.pos(member, n+ch[0]), lines[ch[0]]}, {b.pos(member, n+ch[1]), lines[ch[1]]}}
		b.cpinfoEv[CodeSGMDown] = []evLine{{b.pos(member, n+down), lines[down]}}
	}
	t.command("fw ctl pstat", "fw ctl pstat") // pstat.go
	ps, ix := b.pstat(id)
	if n = t.add(ps...); id == b.down {
		b.pstatEvidence(member, n, ps, ix)
	}
	t.add("")
	return t.b.Bytes()
}

// Finding codes, as a triage reports them.
const (
	CodeLostUpdates   = "LOST_UPDATES"
	CodeRejects       = "REJECT_NOTIFICATIONS"
	CodeSyncOff       = "SYNC_OFF"
	CodeOffActive     = "OWNERS_OFF_ACTIVE_SITE"
	CodeExpirySkew    = "EXPIRY_SKEW"
	CodeRefreshBursts = "REFRESH_BURSTS"
	CodeSGMDown       = "SGM_DOWN"
	CodeKernelPanic   = "KERNEL_PANIC"
	CodeFailover      = "FAILOVER"
	CodeJHFPanicFixes = "JHF_PANIC_FIXES"
)

// syncstat renders a `cphaprob syncstat` snapshot in the R81 shape.
func (b *bundle) syncstat(id int, at int64) []string {
	s := b.s
	h := mix(s.Seed ^ uint64(id)<<32 ^ 0x5e11c)
	status, lost, recvRej := "OK", int64(0), int64(0)
	generated, received := 20000+int64(h%20000), 3000+int64(h>>20%5000)
	rate := 40000 + int64(h>>40%20000)
	switch id {
	case b.lost:
		lost, recvRej = BundleLostUpdates, BundleRecvRejects
	case b.off:
		status, generated, received, rate = "Off - Full sync failure", 0, 0, 0
	}
	ctr := func(name string, v any) string {
		return name + strings.Repeat(".", max(4, 45-len(name))) + "  " + fmt.Sprint(v)
	}
	return []string{
		"Delta Sync Statistics", "",
		"Sync status: " + status, "",
		"Drops:",
		ctr("Lost updates", lost),
		ctr("Lost bulk update events", 0),
		ctr("Oversized updates not sent", 0), "",
		"Sync at risk:",
		ctr("Sent reject notifications", 0),
		ctr("Received reject notifications", recvRej), "",
		"Sent messages:",
		ctr("Total generated sync messages", generated),
		ctr("Sent retransmission requests", 0),
		ctr("Sent retransmission updates", 0),
		ctr("Peak fragments per update", 1), "",
		"Received messages:",
		ctr("Total received updates", received),
		ctr("Received retransmission requests", 0), "",
		"Sync Interface:",
		ctr("Name", "Sync"),
		ctr("Link speed", "10000Mb/s"),
		ctr("Rate", fmt.Sprintf("%d [Bps]", rate)),
		ctr("Peak rate", fmt.Sprintf("%d [Bps]", rate+rate/3)),
		ctr("Link usage", " 0%"),
		ctr("Total", fmt.Sprintf("%d[KB]", generated*14)), "",
		"Queue sizes (num of updates):",
		ctr("Sending queue size", bundleSendingQueue),
		ctr("Receiving queue size", 256),
		ctr("Fragments queue size", 50), "",
		"Timers:",
		ctr("Delta Sync interval (ms)", int(bundleSyncIntervalS*1000)), "",
		"Reset on " + wall(at-3*86400-int64(h%3600), "Mon Jan 2 15:04:05 2006") + " (triggered by fullsync).",
	}
}

// asgStat renders `asg stat -v` as the 61000 chassis print it, run on SGM
// local: site 1 STANDBY with the DOWN SGM, site 2 ACTIVE. It returns the
// lines, the indexes of the two chassis lines and of the DOWN row.
func (b *bundle) asgStat(local int) (lines []string, chassis [2]int, down int) {
	s := b.s
	dash := strings.Repeat("-", 77)
	row := func(text string) string { return "| " + fmt.Sprintf("%-73s", text) + " |" }
	policy := wall(s.SwitchoverWall-2*86400-5*3600, "02Jan06 15:04")
	lines = []string{dash, row("VSX System Status"), dash,
		row(fmt.Sprintf("%-30s%s", "VS ID:  0", "VS Name:  mygw")), dash}
	for site := 1; site <= Sites; site++ {
		state := strings.ToUpper(s.StatesAfter[site-1])
		chassis[site-1] = len(lines)
		lines = append(lines, row(fmt.Sprintf("%-30s%s", "Chassis "+strconv.Itoa(site), state)), dash,
			row(fmt.Sprintf("%-15s%-15s%-26s%s", "SGM ID", "State", "Process", "Policy Date")))
		for m := 1; m <= s.SGMsPerSite; m++ {
			id := SGMID(site, m)
			name := strconv.Itoa(m)
			if id == local {
				name += "  (local)"
			}
			st, proc, date := "UP", "Enforcing Security", policy
			if id == b.down {
				st, proc, date = "DOWN", "Inactive", "NA"
				down = len(lines)
			}
			lines = append(lines, row(fmt.Sprintf("%-15s%-15s%-26s%s", name, st, proc, date)))
		}
		lines = append(lines, dash)
	}
	return lines, chassis, down
}

// logNames are the members of logs.tgz, in order.
func (b *bundle) logNames() []string {
	var out []string
	for _, id := range b.s.DumpSGMs {
		out = append(out, SGMName(id)+"/"+messagesPath)
	}
	return out
}

// logs renders logs.tgz: every present SGM's /var/log/messages.
func (b *bundle) logs() []byte {
	var files []bundleEntry
	for _, id := range b.s.DumpSGMs {
		files = append(files, bundleEntry{name: SGMName(id) + "/" + messagesPath, data: b.messages(id)})
	}
	var buf bytes.Buffer
	// Writing to a bytes.Buffer cannot fail.
	_ = writeTgz(&buf, withDirs(files), gzip.Header{}, b.s.DumpTime)
	return buf.Bytes()
}

// messages renders the syslog of SGM id; the one of the DOWN SGM ends in a
// kernel panic two seconds before the switchover, then a reboot.
func (b *bundle) messages(id int) []byte {
	s := b.s
	host := BundleHostName(id)
	h := mix(s.Seed ^ uint64(id)<<36 ^ 0x5ca1ab1e)
	sw := s.SwitchoverWall
	t := &text{}
	line := func(at int64, msg string) int {
		return t.add(wall(at, "Jan _2 15:04:05") + " " + host + " " + msg)
	}
	line(sw-3*3600+int64(id)*11, fmt.Sprintf("crond[%d]: (root) CMD (/usr/lib64/sa/sa1 1 1)", 20000+h%9000))
	line(sw-3600-120, fmt.Sprintf("sshd[%d]: Accepted publickey for admin from 192.0.2.250 port %d ssh2", 30000+h>>16%9000, 40000+h>>32%20000))
	line(sw-3600-60, "xpand[6720]: admin localhost t +installer:check_for_updates_last_run 0")
	if id == b.down {
		at := sw - 2
		k := func(msg string) int { return line(at, "kernel: "+msg) }
		k("BUG: unable to handle kernel NULL pointer dereference at 0000000000000018")
		k("IP: [<ffffffffa0a3c2f1>] fwha_sync_recv+0x1a1/0x3b0 [fw_kern]")
		k("PGD 0")
		oops := "Oops: 0000 [#1] SMP"
		no := k(oops)
		k("CPU: 3 PID: 0 Comm: swapper/3 Tainted: P           OE  ------------   3.10.0-957.21.3cpx86_64 #1")
		k("Call Trace:")
		k(" <IRQ>")
		k(" [<ffffffffa0a3d0e4>] fwha_sync_dispatch+0x54/0x90 [fw_kern]")
		k(" [<ffffffff8108a5b2>] __do_softirq+0xf2/0x290")
		k(" [<ffffffff81770eec>] call_softirq+0x1c/0x30")
		k(" <EOI>")
		kp := "Kernel panic - not syncing: Fatal exception in interrupt"
		np := k(kp)
		member := bundleLogs + "!" + SGMName(id) + "/" + messagesPath
		b.logsEv[CodeKernelPanic] = []evLine{{b.pos(member, no), oops}, {b.pos(member, np), kp}}
		line(sw+180, "kernel: Linux version 3.10.0-957.21.3cpx86_64 (builder@cp-build) (gcc version 4.8.5) #1 SMP")
		line(sw+180, "kernel: Command line: ro root=/dev/mapper/vg_splat-lv_current crashkernel=256M")
		return t.b.Bytes()
	}
	from, to := "STANDBY", "ACTIVE"
	if SiteOf(id) == 1 {
		from, to = to, from
	}
	sc := fmt.Sprintf("Site %d state change: %s -> %s (SGM %s is down)", SiteOf(id), from, to, SGMName(b.down))
	if n := line(sw, "kernel: [fw4_0];"+sc); SiteOf(id) == 2 {
		member := bundleLogs + "!" + SGMName(id) + "/" + messagesPath
		b.logsEv[CodeFailover] = append(b.logsEv[CodeFailover], evLine{b.pos(member, n), sc})
	}
	line(s.DumpTime-900, fmt.Sprintf("crond[%d]: (root) CMD (run-parts /etc/cron.hourly)", 20000+h>>8%9000))
	line(s.DumpTime-300, fmt.Sprintf("sshd[%d]: Accepted publickey for admin from 192.0.2.250 port %d ssh2", 30000+h>>24%9000, 40000+h>>44%20000))
	return t.b.Bytes()
}

// entryLine is the full entry line of connection i in SGM id's dump,
// without the newline.
func (s *Scenario) entryLine(i, id int) string {
	return strings.TrimSuffix(string(s.appendEntry(nil, i, s.Remaining(i, id))), "\n")
}

// riskInfo is the expiry skew the bundle's fw tab dumps show.
type riskInfo struct {
	skew, atRisk int
	minSGMs      []string
	first        int // the most urgent at-risk connection, -1 if none
}

// expiry applies the owners rules to the holders whose dumps are in the
// bundle (1_03's is not): a connection is at risk when its timeout exceeds
// 2R, its lowest remaining time is below R and its highest above
// timeout-R; it is skewed when it has two holders or more whose remaining
// times differ by more than R.
func (b *bundle) expiry() riskInfo {
	s := b.s
	r := riskInfo{first: -1}
	in := uint32(0)
	for _, id := range b.fwtab {
		in |= 1 << id
	}
	firstMin := 0
	for i := range s.Conns {
		c := &s.Conns[i]
		lo, hi, loID, n := 0, 0, 0, 0
		for _, id := range s.Holders(i) {
			if in&(1<<id) == 0 {
				continue
			}
			rem := s.Remaining(i, id)
			if n == 0 || rem < lo {
				lo, loID = rem, id
			}
			if n == 0 || rem > hi {
				hi = rem
			}
			n++
		}
		if n == 0 {
			continue
		}
		to, R := s.TimeoutOf(c), s.RiskWindow
		if n >= 2 && hi-lo > R {
			r.skew++
		}
		if to > 2*R && lo < R && hi > to-R {
			r.atRisk++
			if name := SGMName(loID); !slices.Contains(r.minSGMs, name) {
				r.minSGMs = append(r.minSGMs, name)
			}
			if r.first < 0 || lo < firstMin || (lo == firstMin && compareTuple(s.TupleOf(i), s.TupleOf(r.first)) < 0) {
				r.first, firstMin = i, lo
			}
		}
	}
	slices.Sort(r.minSGMs)
	if r.first >= 0 {
		// Only a designated connection can be at risk, and its holders are
		// RiskMin and RiskMax: the evidence lines are located there.
		if c := &s.Conns[r.first]; c.Flags&FlagAtRisk == 0 {
			r.first = -1
		}
	}
	return r
}

func (b *bundle) ev(f *BundleFinding, lines []evLine) {
	for _, l := range lines {
		if len(f.Evidence) == maxBundleEvidence {
			break
		}
		f.Evidence = append(f.Evidence, l.pos)
		f.Expect = append(f.Expect, l.text)
	}
}

// findings fills the expected findings and the members.
func (b *bundle) findings(risk riskInfo) {
	s := b.s
	var out []BundleFinding
	add := func(f BundleFinding, lines []evLine) {
		if f.SGMs == nil {
			f.SGMs = []string{}
		}
		f.Evidence, f.Expect = []string{}, []string{}
		b.ev(&f, lines)
		out = append(out, f)
	}
	lost, off, down := SGMName(b.lost), SGMName(b.off), SGMName(b.down)
	add(BundleFinding{Code: CodeSyncOff, Severity: SeverityHigh, SGMs: []string{off}, Cited: true}, b.cpinfoEv[CodeSyncOff])
	add(BundleFinding{Code: CodeLostUpdates, Severity: SeverityHigh, SGMs: []string{lost}, Cited: true,
		Numbers: map[string]int64{"lost_updates": BundleLostUpdates}}, b.cpinfoEv[CodeLostUpdates])
	add(BundleFinding{Code: CodeRejects, Severity: SeverityMedium, SGMs: []string{lost}, Cited: true,
		Numbers: map[string]int64{"sent_reject_notifications": 0, "received_reject_notifications": BundleRecvRejects}}, b.cpinfoEv[CodeRejects])

	// Ownership: every connection is held on the ACTIVE site 2, so the
	// dumps name every owner.
	owned := map[int]int{}
	offActive, downHeld := 0, 0
	for i := range s.Conns {
		c := &s.Conns[i]
		if int(c.Owner) >= LayoutIDs {
			continue
		}
		owned[int(c.Owner)]++
		if s.StatesAfter[SiteOf(int(c.Owner))-1] != StateActive {
			offActive++
		}
		if int(c.Owner) == b.down {
			for _, id := range b.fwtab {
				if c.Mask&(1<<id) != 0 {
					downHeld++
					break
				}
			}
		}
	}
	if offActive > 0 {
		var sgms []string
		for id := range LayoutIDs {
			if owned[id] > 0 && s.StatesAfter[SiteOf(id)-1] != StateActive {
				sgms = append(sgms, SGMName(id))
			}
		}
		add(BundleFinding{Code: CodeOffActive, Severity: SeverityHigh, SGMs: sgms,
			Numbers: map[string]int64{"off_active_site": int64(offActive), "connections": int64(len(s.Conns))}}, b.cpinfoEv[CodeOffActive])
	}
	if risk.atRisk > 0 || risk.skew > 0 {
		f := BundleFinding{Code: CodeExpirySkew, Severity: SeverityMedium, SGMs: risk.minSGMs,
			Numbers: map[string]int64{"expiry_skew": int64(risk.skew), "at_risk": int64(risk.atRisk)}}
		var lines []evLine
		if risk.atRisk > 0 {
			f.Severity = SeverityHigh
		}
		if risk.first >= 0 {
			c := &s.Conns[risk.first]
			for _, id := range []int{int(c.RiskMin), int(c.RiskMax)} {
				member := sgmDir(id) + FileFwTab
				want := s.entryLine(risk.first, id)
				if n, ok := b.found[member+"\x00"+want]; ok {
					lines = append(lines, evLine{b.pos(member, n), want})
				}
			}
		}
		add(f, lines)
	}
	if st, _ := s.KdebugStats(); len(st.RefreshWaves) > 0 {
		f := BundleFinding{Code: CodeRefreshBursts, Severity: SeverityMedium, Numbers: map[string]int64{"waves": int64(len(st.RefreshWaves))}}
		var most int64
		for _, w := range st.RefreshWaves {
			most = max(most, w.Messages)
		}
		f.Numbers["max_wave_messages"] = most
		if most > bundleWaveCapacity {
			f.Severity = SeverityHigh
		}
		var lines []evLine
		for _, w := range b.waveLines {
			if w.line > 0 {
				lines = append(lines, evLine{b.pos(bundleKdebug, w.line), w.text})
			}
		}
		if float64(most) >= max(bundleMinWave, bundleWaveFactor*background(st)) {
			add(f, lines)
		} else {
			b.truth.Undecided = append(b.truth.Undecided, CodeRefreshBursts)
		}
	}
	failNums := map[string]int64{"owned": int64(owned[b.down]), "held_elsewhere": int64(downHeld), "lost": int64(owned[b.down] - downHeld)}
	if owned[b.down] == 0 {
		failNums = nil
	}
	add(BundleFinding{Code: CodeSGMDown, Severity: SeverityHigh, SGMs: []string{down}, Cited: true, Numbers: failNums}, b.cpinfoEv[CodeSGMDown])
	add(BundleFinding{Code: CodeKernelPanic, Severity: SeverityHigh, SGMs: []string{down}, Cited: true, Numbers: maps.Clone(failNums)}, b.logsEv[CodeKernelPanic])
	b.pstatFindings(add) // pstat.go
	b.timeline(add)      // cpview.go
	// One Jumbo Hotfix finding lists every SGM below the take, citing
	// their version lines (the first maxBundleEvidence of them).
	var jhfSGMs []string
	var jhfLines []evLine
	for _, id := range s.DumpSGMs {
		jhfSGMs = append(jhfSGMs, SGMName(id))
		jhfLines = append(jhfLines, b.cpinfoEv[CodeJHFPanicFixes+SGMName(id)]...)
	}
	slices.Sort(jhfSGMs)
	add(BundleFinding{Code: CodeJHFPanicFixes, Severity: SeverityInfo, SGMs: jhfSGMs, Cited: true,
		Numbers: map[string]int64{"sgms": int64(len(jhfSGMs))}}, jhfLines)
	rank := map[string]int{SeverityHigh: 0, SeverityMedium: 1, SeverityInfo: 2}
	slices.SortStableFunc(out, func(a, c BundleFinding) int {
		return cmp.Or(cmp.Compare(rank[a.Severity], rank[c.Severity]), cmp.Compare(a.Code, c.Code),
			cmp.Compare(strings.Join(a.SGMs, ","), strings.Join(c.SGMs, ",")))
	})
	b.truth.Findings = out

	for _, id := range s.DumpSGMs {
		name := SGMName(id)
		m := BundleMember{SGM: name, Hostname: BundleHostName(id), Version: bundleVersion, Take: BundleJHFTake,
			Files: []string{b.truth.Archive + "!" + sgmDir(id) + bundleCpinfo}}
		if id == b.down {
			m.State = "DOWN"
		} else {
			m.Files = append(m.Files, b.truth.Archive+"!"+sgmDir(id)+FileFwTab)
		}
		m.Files = append(m.Files, b.truth.Archive+"!"+b.cpviewName(id))
		m.Files = append(m.Files, b.truth.Archive+"!"+bundleLogs+"!"+name+"/"+messagesPath)
		b.truth.Members = append(b.truth.Members, m)
	}
}
