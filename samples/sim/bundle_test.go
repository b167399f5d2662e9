package sim

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/maestro-analyze/maestro-analyze/parse"
)

func mustBundle(t *testing.T, c Config) ([]byte, BundleTruth) {
	t.Helper()
	s := mustNew(t, c)
	var buf bytes.Buffer
	truth, err := s.WriteBundle(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), truth
}

func truthJSON(t *testing.T, tr BundleTruth) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := tr.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// tgzFile is one regular file of a tgz, gzip members decompressed.
type tgzFile struct {
	name string
	data []byte
}

// readTgz reads a tgz and checks every header is deterministic; it returns
// every entry name in order and the regular files, the members of a
// nested .tgz following it as "outer!inner", a .gz member decompressed.
func readTgz(t *testing.T, data []byte, mtime int64) (names []string, files []tgzFile) {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
		if !h.ModTime.Equal(time.Unix(mtime, 0)) || h.Uid != 0 || h.Gid != 0 || h.Uname != "root" || h.Gname != "root" {
			t.Errorf("%s: header %+v", h.Name, h)
		}
		switch h.Typeflag {
		case tar.TypeDir:
			if h.Mode != 0o755 || !strings.HasSuffix(h.Name, "/") {
				t.Errorf("%s: folder mode %o", h.Name, h.Mode)
			}
			continue
		case tar.TypeReg:
			if h.Mode != 0o644 {
				t.Errorf("%s: mode %o", h.Name, h.Mode)
			}
		default:
			t.Errorf("%s: type %c", h.Name, h.Typeflag)
			continue
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case strings.HasSuffix(h.Name, ".tgz"):
			files = append(files, tgzFile{name: h.Name, data: body})
			_, inner := readTgz(t, body, mtime)
			for _, f := range inner {
				files = append(files, tgzFile{name: h.Name + "!" + f.name, data: f.data})
			}
		case strings.HasSuffix(h.Name, ".gz"):
			gr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatalf("%s: %v", h.Name, err)
			}
			plain, err := io.ReadAll(gr)
			if err != nil {
				t.Fatalf("%s: %v", h.Name, err)
			}
			files = append(files, tgzFile{name: h.Name, data: plain})
		default:
			files = append(files, tgzFile{name: h.Name, data: body})
		}
	}
	if !slices.IsSorted(names) {
		t.Errorf("members not sorted: %q", names)
	}
	return names, files
}

// smallConfig is the default scenario with fewer connections, for speed.
func smallConfig() Config {
	c := DefaultConfig()
	c.Conns = 60
	return c
}

func fileMap(files []tgzFile) map[string][]byte {
	m := map[string][]byte{}
	for _, f := range files {
		m[f.name] = f.data
	}
	return m
}

func TestBundleDeterministic(t *testing.T) {
	c := smallConfig()
	a, ta := mustBundle(t, c)
	b, tb := mustBundle(t, c)
	if !bytes.Equal(a, b) {
		t.Fatal("same config, different bundles")
	}
	if !bytes.Equal(truthJSON(t, ta), truthJSON(t, tb)) {
		t.Fatal("same config, different truths")
	}
	// A second bundle from the same scenario (kernel-debug statistics
	// cached) is the same too.
	s := mustNew(t, c)
	for range 2 {
		var buf bytes.Buffer
		if _, err := s.WriteBundle(&buf); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf.Bytes(), a) {
			t.Fatal("second WriteBundle of a scenario differs")
		}
	}
	c.Seed++
	if d, _ := mustBundle(t, c); bytes.Equal(a, d) {
		t.Error("another seed, same bundle")
	}
	if d, _ := mustBundle(t, DefaultConfig()); len(d) > 256<<10 {
		t.Errorf("default bundle is %d bytes, want a small sample", len(d))
	}
}

func TestBundleLayout(t *testing.T) {
	c := smallConfig()
	data, truth := mustBundle(t, c)
	s := mustNew(t, c)
	names, files := readTgz(t, data, c.DumpTime)
	var got []string
	for _, f := range files {
		got = append(got, f.name)
	}
	if !slices.Equal(got, truth.Files) {
		t.Errorf("files\n got %q\nwant %q", got, truth.Files)
	}
	db := func(site, m int) string {
		return fmt.Sprintf("bundle/%d_%02d/mygw-ch%02d-%02d_30_9_2025_02_40.CPViewDB.dat", site, m, site, m)
	}
	want := []string{"bundle/", "bundle/1_01/", "bundle/1_01/cpinfo.info", "bundle/1_01/fwtab.txt", db(1, 1),
		"bundle/1_02/", "bundle/1_02/cpinfo.info", "bundle/1_02/fwtab.txt", db(1, 2),
		"bundle/1_03/", "bundle/1_03/cpinfo.info", db(1, 3),
		"bundle/1_04/", "bundle/1_04/cpinfo.info", "bundle/1_04/fwtab.txt", db(1, 4)}
	for m := 1; m <= 4; m++ {
		d := "bundle/2_0" + strconv.Itoa(m) + "/"
		want = append(want, d, d+"cpinfo.info", d+"fwtab.txt", db(2, m))
	}
	want = append(want, "bundle/kdebug/", "bundle/kdebug/kdebug.txt.gz", "bundle/logs.tgz")
	if !slices.Equal(names, want) {
		t.Errorf("members\n got %q\nwant %q", names, want)
	}
	m := fileMap(files)
	for _, id := range s.DumpSGMs {
		name := SGMName(id)
		msgs := m["bundle/logs.tgz!"+name+"/var/log/messages"]
		if len(msgs) == 0 {
			t.Errorf("no messages of %s", name)
		}
		if panicked := bytes.Contains(msgs, []byte("Kernel panic - not syncing")); panicked != (name == "1_03") {
			t.Errorf("%s: kernel panic in messages = %v", name, panicked)
		}
		if !bytes.Contains(m["bundle/"+name+"/cpinfo.info"], []byte("Issuing 'hostname' :  \n\n"+BundleHostName(id)+"\n")) {
			t.Errorf("%s: cpinfo lacks its host name", name)
		}
		fw, ok := m["bundle/"+name+"/fwtab.txt"]
		if name == "1_03" {
			if ok {
				t.Error("the DOWN SGM 1_03 has a fw tab dump")
			}
			continue
		}
		var dump bytes.Buffer
		if err := s.WriteFwTab(&dump, name); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(fw, dump.Bytes()) {
			t.Errorf("%s: fwtab.txt differs from WriteFwTab", name)
		}
	}
	var kd bytes.Buffer
	if err := s.WriteKdebug(&kd); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(m["bundle/kdebug/kdebug.txt.gz"], kd.Bytes()) {
		t.Error("kdebug.txt.gz does not hold WriteKdebug's output")
	}
	asg := 0
	for name, d := range m {
		if bytes.Contains(d, []byte("Issuing 'asg stat -v'")) {
			asg++
			if name != "bundle/1_01/cpinfo.info" {
				t.Errorf("asg stat in %s", name)
			}
		}
	}
	if asg != 1 {
		t.Errorf("asg stat in %d files, want 1", asg)
	}
}

// lineAt returns line n (1-based) of the member a position names.
func lineAt(t *testing.T, files map[string][]byte, archive, pos string) string {
	t.Helper()
	i := strings.LastIndexByte(pos, ':')
	rest, ok := strings.CutPrefix(pos[:i], archive+"!")
	n, err := strconv.Atoi(pos[i+1:])
	if i < 0 || !ok || err != nil || n < 1 {
		t.Fatalf("bad position %q", pos)
	}
	data, ok := files[rest]
	if !ok {
		t.Fatalf("%s: no member %q", pos, rest)
	}
	lines := strings.Split(string(data), "\n")
	if n > len(lines) {
		t.Fatalf("%s: the member has %d lines", pos, len(lines))
	}
	return lines[n-1]
}

func TestBundleEvidence(t *testing.T) {
	for _, c := range []Config{smallConfig(), func() Config {
		c := DefaultConfig()
		c.Seed, c.Conns, c.SGMsPerSite, c.BadLines = 9, 80, 6, 4
		return c
	}()} {
		data, truth := mustBundle(t, c)
		_, files := readTgz(t, data, c.DumpTime)
		m := fileMap(files)
		for _, f := range truth.Findings {
			if len(f.Evidence) == 0 || len(f.Evidence) != len(f.Expect) || len(f.Evidence) > 5 {
				t.Errorf("%s: %d evidence lines, %d expected texts", f.Code, len(f.Evidence), len(f.Expect))
				continue
			}
			for i, p := range f.Evidence {
				if line := lineAt(t, m, truth.Archive, p); !strings.Contains(line, f.Expect[i]) {
					t.Errorf("%s: %s is %q, want it to contain %q", f.Code, p, line, f.Expect[i])
				}
			}
		}
		// And under another archive name.
		other := truth.WithArchive("samples/bundle/bundle.tgz")
		for _, f := range other.Findings {
			for i, p := range f.Evidence {
				if line := lineAt(t, m, other.Archive, p); !strings.Contains(line, f.Expect[i]) {
					t.Errorf("renamed %s: %s is %q", f.Code, p, line)
				}
			}
		}
		if truth.Archive != FileBundle || other.Members[0].Files[0] != "samples/bundle/bundle.tgz!bundle/1_01/cpinfo.info" {
			t.Errorf("WithArchive: %q, %q", truth.Archive, other.Members[0].Files)
		}
	}
}

func TestBundleFindings(t *testing.T) {
	c := DefaultConfig()
	s := mustNew(t, c)
	_, truth := mustBundle(t, c)
	type key struct{ code, sev, sgms string }
	var got []key
	for _, f := range truth.Findings {
		got = append(got, key{f.Code, f.Severity, strings.Join(f.SGMs, ",")})
	}
	// Expected at-risk connections: those of the scenario whose low
	// remaining time is not on 1_03, whose dump is not in the bundle.
	var minSGMs []string
	atRisk := 0
	for _, r := range s.Truth().AtRisk {
		if r.MinSGM != "1_03" {
			atRisk++
			if !slices.Contains(minSGMs, r.MinSGM) {
				minSGMs = append(minSGMs, r.MinSGM)
			}
		}
	}
	slices.Sort(minSGMs)
	if atRisk == 0 {
		t.Fatal("the default scenario should have at-risk connections in the bundle")
	}
	var owners []string
	for sgm := range s.Truth().OwnersBySGM {
		if strings.HasPrefix(sgm, "1_") {
			owners = append(owners, sgm)
		}
	}
	slices.Sort(owners)
	want := []key{
		{CodeExpirySkew, SeverityHigh, strings.Join(minSGMs, ",")},
		{CodeKernelMemory, SeverityHigh, "1_03"},
		{CodeKernelPanic, SeverityHigh, "1_03"},
		{CodeLostUpdates, SeverityHigh, "1_01"},
		{CodeOffActive, SeverityHigh, strings.Join(owners, ",")},
		{CodeSGMDown, SeverityHigh, "1_03"},
		{CodeSyncOff, SeverityHigh, "2_02"},
		{CodeSyncOverloadDrops, SeverityHigh, "1_03"},
		{CodeSyncStatus, SeverityHigh, "1_03"},
		{CodeFailover, SeverityMedium, "2_01,2_02,2_03,2_04"},
		{CodeRefreshBursts, SeverityMedium, ""},
		{CodeRejects, SeverityMedium, "1_01"},
		{CodeSyncDroppedByNet, SeverityMedium, "1_03"},
	}
	// One Jumbo Hotfix finding for every SGM below the take.
	want = append(want, key{CodeJHFPanicFixes, SeverityInfo, "1_01,1_02,1_03,1_04,2_01,2_02,2_03,2_04"})
	if !slices.Equal(got, want) {
		t.Errorf("findings\n got %v\nwant %v", got, want)
	}
	for _, f := range truth.Findings {
		switch f.Code {
		case CodeExpirySkew:
			if f.Numbers["at_risk"] != int64(atRisk) || f.Numbers["expiry_skew"] < int64(atRisk) || f.Cited {
				t.Errorf("%s: %v cited %v", f.Code, f.Numbers, f.Cited)
			}
		case CodeOffActive:
			if f.Numbers["off_active_site"] != int64(s.Truth().OffActiveSite) || f.Numbers["connections"] != int64(len(s.Conns)) {
				t.Errorf("%s: %v", f.Code, f.Numbers)
			}
		case CodeRefreshBursts:
			if f.Numbers["waves"] != int64(c.Waves) || f.Numbers["max_wave_messages"] > 5120 {
				t.Errorf("%s: %v", f.Code, f.Numbers)
			}
		case CodeKernelMemory:
			if f.Numbers["failed_alloc"] != BundleFailedSmem || !f.Cited {
				t.Errorf("%s: %v cited %v", f.Code, f.Numbers, f.Cited)
			}
		case CodeSyncOverloadDrops, CodeSyncDroppedByNet:
			if f.Numbers["overload_drops"]+f.Numbers["dropped_by_net"] != map[string]int64{CodeSyncOverloadDrops: BundleOverloadDrops, CodeSyncDroppedByNet: BundleDroppedByNet}[f.Code] || !f.Cited {
				t.Errorf("%s: %v cited %v", f.Code, f.Numbers, f.Cited)
			}
		case CodeLostUpdates, CodeRejects, CodeSyncOff, CodeSGMDown, CodeKernelPanic, CodeJHFPanicFixes, CodeSyncStatus:
			if !f.Cited {
				t.Errorf("%s: not cited", f.Code)
			}
		}
	}
	if len(truth.Undecided) != 0 {
		t.Errorf("undecided %q", truth.Undecided)
	}
	if truth.SiteStates["1"] != "STANDBY" || truth.SiteStates["2"] != "ACTIVE" {
		t.Errorf("site states %v", truth.SiteStates)
	}

	// Without connections older than the switchover but the seed's, the
	// waves are too small to call.
	c.BeforePct = 0
	_, small := mustBundle(t, c)
	if !slices.Equal(small.Undecided, []string{CodeRefreshBursts}) {
		t.Errorf("small waves: undecided %q", small.Undecided)
	}
	for _, f := range small.Findings {
		if f.Code == CodeRefreshBursts {
			t.Error("small waves: REFRESH_BURSTS expected")
		}
	}
}

func TestBundleMembers(t *testing.T) {
	c := smallConfig()
	c.SGMsPerSite = 5
	data, truth := mustBundle(t, c)
	_, files := readTgz(t, data, c.DumpTime)
	m := fileMap(files)
	var sgms []string
	for _, mb := range truth.Members {
		sgms = append(sgms, mb.SGM)
		id, err := ParseSGM(mb.SGM)
		if err != nil {
			t.Fatal(err)
		}
		if mb.Hostname != BundleHostName(id) || mb.Version != "R81.10" || mb.Take != 78 {
			t.Errorf("%s: %+v", mb.SGM, mb)
		}
		down := mb.SGM == "1_03"
		if (mb.State == "DOWN") != down {
			t.Errorf("%s: state %q", mb.SGM, mb.State)
		}
		wantFiles := []string{"bundle/" + mb.SGM + "/cpinfo.info"}
		if !down {
			wantFiles = append(wantFiles, "bundle/"+mb.SGM+"/fwtab.txt")
		}
		wantFiles = append(wantFiles, "bundle/"+mb.SGM+"/"+BundleHostName(id)+"_30_9_2025_02_40.CPViewDB.dat",
			"bundle/logs.tgz!"+mb.SGM+"/var/log/messages")
		for i := range wantFiles {
			if _, ok := m[wantFiles[i]]; !ok {
				t.Errorf("%s: %s not in the bundle", mb.SGM, wantFiles[i])
			}
			wantFiles[i] = FileBundle + "!" + wantFiles[i]
		}
		if !slices.Equal(mb.Files, wantFiles) {
			t.Errorf("%s: files %q, want %q", mb.SGM, mb.Files, wantFiles)
		}
	}
	want := []string{"1_01", "1_02", "1_03", "1_04", "1_05", "2_01", "2_02", "2_03", "2_04", "2_05"}
	if !slices.Equal(sgms, want) {
		t.Errorf("members %q, want %q", sgms, want)
	}
	if BundleHostName(SGMID(2, 12)) != "mygw-ch02-12" {
		t.Error(BundleHostName(SGMID(2, 12)))
	}
}

func TestBundleConfig(t *testing.T) {
	for _, mod := range []func(*Config){
		func(c *Config) { c.After = StateDown },
		func(c *Config) { c.SGMsPerSite, c.IncludeSeedConn = 2, false },
	} {
		c := smallConfig()
		mod(&c)
		s := mustNew(t, c)
		var buf bytes.Buffer
		if _, err := s.WriteBundle(&buf); !errors.Is(err, ErrConfig) {
			t.Errorf("%+v: err %v", c, err)
		}
		if buf.Len() != 0 {
			t.Error("a refused bundle wrote bytes")
		}
	}
	c := smallConfig()
	c.SGMsPerSite, c.IncludeSeedConn = 3, false
	if _, tr := mustBundle(t, c); len(tr.Members) != 6 {
		t.Errorf("3 SGMs per site: %d members", len(tr.Members))
	}
}

// TestBundleWalk reads the bundle with the analyzer's walker: it opens
// every layer, names the positions as the truth does, and the cited
// evidence lines are records of the kind each finding rests on.
func TestBundleWalk(t *testing.T) {
	c := smallConfig()
	data, truth := mustBundle(t, c)
	path := filepath.Join(t.TempDir(), FileBundle)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	truth = truth.WithArchive(parse.QuoteName(path))
	kinds := map[string]parse.Kind{}
	inputs := map[string]string{} // name -> SGM of its source
	cpviews := map[string]*parse.CPView{}
	skipped, err := parse.Walk([]string{path}, nil, parse.DefaultLimits(), func(src parse.Source, r *parse.Reader) error {
		inputs[r.Name()] = src.SGM.String()
		if c := r.CPViewOf(); c != nil {
			cpviews[r.Name()] = c
		}
		for r.Scan() {
			if rec, err := r.Record(); err == nil {
				kinds[rec.Pos.String()] = rec.Kind
			}
		}
		return nil
	})
	if err != nil || len(skipped) > 0 {
		t.Fatalf("walk: %v %v", err, skipped)
	}
	for _, mb := range truth.Members {
		for _, f := range mb.Files {
			if sgm, ok := inputs[f]; !ok || sgm != mb.SGM {
				t.Errorf("%s: input %s read %v as SGM %q", mb.SGM, f, ok, sgm)
			}
		}
	}
	for _, mb := range truth.Members {
		n := 0
		for _, f := range mb.Files {
			if c := cpviews[f]; c != nil {
				n++
				if len(c.HA) == 0 || len(c.System) == 0 || len(c.Memory) == 0 || len(c.Missing) > 0 {
					t.Errorf("%s: CPView %d HA, %d system, %d memory samples, missing %v", f, len(c.HA), len(c.System), len(c.Memory), c.Missing)
				}
			}
		}
		if n != 1 {
			t.Errorf("%s: %d CPView databases read", mb.SGM, n)
		}
	}
	want := map[string]parse.Kind{
		CodeSyncOff: parse.KindSyncstat, CodeLostUpdates: parse.KindSyncstat, CodeRejects: parse.KindSyncstat,
		CodeSGMDown: parse.KindMemberState, CodeKernelPanic: parse.KindPanic, CodeJHFPanicFixes: parse.KindVersion,
		CodeOffActive: parse.KindSiteState, CodeRefreshBursts: parse.KindSync, CodeExpirySkew: parse.KindFwTab,
		CodeKernelMemory: parse.KindPstatCounter, CodeSyncStatus: parse.KindPstatStatus,
		CodeSyncOverloadDrops: parse.KindPstatCounter, CodeSyncDroppedByNet: parse.KindPstatCounter,
	}
	for _, f := range truth.Findings {
		if f.Code == CodeFailover {
			continue // syslog lines that support it (no format reads them); the CPView databases show it
		}
		for _, p := range f.Evidence {
			if k, ok := kinds[p]; !ok || k != want[f.Code] {
				t.Errorf("%s: %s is a %v record (found %v), want %v", f.Code, p, k, ok, want[f.Code])
			}
		}
	}
}

// lineKeys is a plain line scan of a bundle's files: the direction-free
// connections (as "a:ap-b:bp/proto" of the hex words) its fw tab dumps
// hold, those its kernel debug's sync messages name, and those it shows a
// DELETE for.
type lineKeys struct{ dump, capture, deleted map[string]bool }

func keyOf(w []string) string {
	a, b := w[1]+":"+w[2], w[3]+":"+w[4]
	for _, x := range []*string{&a, &b} { // hex words without leading zeros
		h, p, _ := strings.Cut(*x, ":")
		hv, _ := strconv.ParseUint(h, 16, 32)
		pv, _ := strconv.ParseUint(p, 16, 32)
		*x = strconv.FormatUint(hv, 16) + ":" + strconv.FormatUint(pv, 16)
	}
	if a > b {
		a, b = b, a
	}
	pr, _ := strconv.ParseUint(w[5], 16, 32)
	return a + "-" + b + "/" + strconv.FormatUint(pr, 10)
}

func scanBundleKeys(files map[string][]byte) lineKeys {
	k := lineKeys{dump: map[string]bool{}, capture: map[string]bool{}, deleted: map[string]bool{}}
	for name, data := range files {
		switch {
		case strings.HasSuffix(name, "/fwtab.txt"):
			for _, line := range strings.Split(string(data), "\n") {
				entry := strings.HasSuffix(line, ">") && strings.Contains(line, "; ")
				link := strings.HasSuffix(line, ")") && strings.Contains(line, "> -> <")
				if !strings.HasPrefix(line, "<") || !entry && !link {
					continue
				}
				w := strings.Split(line[1:strings.IndexAny(line, ";>")], ", ")
				if len(w) == 6 {
					k.dump[keyOf(w)] = true
				}
			}
		case strings.HasSuffix(name, "kdebug.txt.gz"):
			for _, line := range strings.Split(string(data), "\n") {
				head, rest, ok := strings.Cut(line, ": connections (8158) keys(6)=<")
				if !ok {
					continue
				}
				keys, _, _ := strings.Cut(rest, ">")
				w := strings.Split(keys, ",")
				if len(w) != 6 {
					continue
				}
				key := keyOf(w)
				k.capture[key] = true
				if strings.HasSuffix(head, ";DELETE") {
					k.deleted[key] = true
				}
			}
		}
	}
	return k
}

// TestBundleCaptureOnly: the bundle truth's live set and capture-only
// counts are those a line scan of the bundle's files finds, for a few
// seeds; capture-only connections change nothing else of the truth but the
// positions of the kernel-debug lines after them.
func TestBundleCaptureOnly(t *testing.T) {
	for _, tc := range []struct {
		seed        uint64
		conns, only int
	}{{3, 40, 0}, {3, 40, 12}, {1, 60, 12}, {8, 120, 30}, {21, 60, 2}} {
		c := DefaultConfig()
		c.Seed, c.Conns, c.CaptureOnly = tc.seed, tc.conns, tc.only
		data, truth := mustBundle(t, c)
		_, files := readTgz(t, data, c.DumpTime)
		k := scanBundleKeys(fileMap(files))
		only, deleted := 0, 0
		for key := range k.capture {
			if !k.dump[key] {
				only++
				if k.deleted[key] {
					deleted++
				}
			}
		}
		got := [4]int{len(k.dump), len(k.capture), only, deleted}
		want := [4]int{truth.TableConnections, truth.CaptureConnections, truth.CaptureOnlyConnections, truth.CaptureOnlyDeleted}
		if got != want {
			t.Errorf("%+v: recount table/capture/only/deleted %v, truth %v", tc, got, want)
		}
		if only != tc.only || len(k.dump) != tc.conns || (tc.only >= 2 && (deleted == only || deleted < only/2)) {
			t.Errorf("%+v: %d capture-only (%d deleted), %d in the dumps", tc, only, deleted, len(k.dump))
		}
		// The same bundle without them: the same truth but for the
		// counts and the kernel-debug positions.
		c.CaptureOnly = 0
		_, base := mustBundle(t, c)
		strip := func(bt BundleTruth) BundleTruth {
			bt.CaptureConnections, bt.CaptureOnlyConnections, bt.CaptureOnlyDeleted = 0, 0, 0
			bt.Findings = slices.Clone(bt.Findings)
			for i, f := range bt.Findings {
				if f.Code == CodeRefreshBursts {
					f.Evidence = nil
					bt.Findings[i] = f
				}
			}
			return bt
		}
		if !bytes.Equal(truthJSON(t, strip(truth)), truthJSON(t, strip(base))) {
			t.Errorf("%+v: capture-only connections changed the bundle truth", tc)
		}
	}
}
