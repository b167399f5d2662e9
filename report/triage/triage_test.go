package triage

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestTriageFindings: every finding code fires on inputs built to show
// it, with the right SGMs and evidence at the right lines.
func TestTriageFindings(t *testing.T) {
	r := triageOf(t, "", htmlInputs(t))
	got := map[string]Finding{}
	var codes []string
	for _, f := range r.Findings {
		key := f.Code + " " + strings.Join(f.SGMs, ",")
		got[key] = f
		codes = append(codes, key)
	}
	want := []struct {
		key, severity, evidence string
	}{
		{"SYNC_OFF 2_01", High, "bundle.tgz!2_01/syncstat.txt:56"},
		{"LOST_UPDATES 1_01", High, "bundle.tgz!2_01/syncstat.txt:41"},
		{"LOST_UPDATES 2_01", High, "bundle.tgz!2_01/syncstat.txt:56"},
		{"REJECT_NOTIFICATIONS 1_01", Medium, "bundle.tgz!2_01/syncstat.txt:41"},
		{"KERNEL_PANIC 1_02", High, "bundle.tgz!1_02/cpinfo.info:22"},
		{"SGM_DOWN 1_02", High, "bundle.tgz!1_02/cpinfo.info:28"},
		{"SGM_DOWN 1_03", High, "bundle.tgz!1_02/cpinfo.info:26"},
		{"JHF_PANIC_FIXES 1_02", Info, "bundle.tgz!1_02/cpinfo.info:21"},
		{"REFRESH_BURSTS ", Medium, "bundle.tgz!kdebug.txt:"},
	}
	for _, w := range want {
		f, ok := got[w.key]
		if !ok {
			t.Errorf("no finding %q in %v", w.key, codes)
			continue
		}
		if f.Severity != w.severity || len(f.Evidence) == 0 || !strings.HasPrefix(f.Evidence[0], w.evidence) {
			t.Errorf("%s: severity %s evidence %v; want %s at %s", w.key, f.Severity, f.Evidence, w.severity, w.evidence)
		}
	}
	// Owners off the active site and expiry skew come from the dumps; the
	// site states from the asg stat output inside the cpinfo.
	var off, skew bool
	for _, f := range r.Findings {
		off = off || f.Code == CodeOffActive
		skew = skew || (f.Code == CodeExpirySkew && f.Severity == High)
	}
	if !off || !skew {
		t.Errorf("OWNERS_OFF_ACTIVE_SITE %v, EXPIRY_SKEW high %v: %v", off, skew, codes)
	}
	// Evidence is where the fact is: entry lines of the dump, not whole
	// files; a cut list says how many more there are.
	entryLine := regexp.MustCompile(`^bundle\.tgz!fwtab-all\.txt:[0-9]+( |$)`)
	for _, f := range r.Findings {
		if f.Code != CodeOffActive && f.Code != CodeExpirySkew {
			continue
		}
		lines := 0
		for _, e := range f.Evidence {
			if entryLine.MatchString(e) {
				lines++
			}
		}
		if lines == 0 {
			t.Errorf("%s cites no entry line: %q", f.Code, f.Evidence)
		}
		if f.Code == CodeOffActive && f.Numbers["off_active_site"] > 5 && !strings.HasPrefix(f.Evidence[len(f.Evidence)-1], "and ") {
			t.Errorf("%s: %d connections, evidence %q not marked as cut", f.Code, f.Numbers["off_active_site"], f.Evidence)
		}
	}
	if r.SiteStates["1"].State != "STANDBY" || r.SiteStates["2"].State != "ACTIVE" || !strings.Contains(r.SitesSource, "asg stat") ||
		!strings.HasPrefix(r.SiteStates["1"].Source, "asg stat (") {
		t.Errorf("sites %v from %s", r.SiteStates, r.SitesSource)
	}
	// Sorted by severity, and the HIGH ones by impact: SGM down, kernel
	// panic, lost updates, at-risk expiry, then the rest.
	sev := map[string]int{High: 0, Medium: 1, Info: 2}
	impact := map[string]int{CodeSGMDown: 0, CodeKernelPanic: 1, CodeLostUpdates: 2, CodeExpirySkew: 3}
	rank := func(f Finding) int {
		if r, ok := impact[f.Code]; ok && f.Severity == High {
			return r
		}
		return 9
	}
	for i := 1; i < len(r.Findings); i++ {
		a, b := r.Findings[i-1], r.Findings[i]
		if sev[a.Severity] > sev[b.Severity] || (a.Severity == b.Severity && rank(a) > rank(b)) {
			t.Errorf("findings not ordered by severity and impact: %v", codes)
		}
	}
	if codes[0] != "SGM_DOWN 1_02" {
		t.Errorf("first finding %s, want SGM_DOWN", codes[0])
	}
	// The cpinfo names its SGM by host name; members list it with version.
	var m *Member
	for i := range r.Members {
		if r.Members[i].SGM == "1_02" {
			m = &r.Members[i]
		}
	}
	if m == nil || m.Hostname != "gw-ch01-02" || m.Version != "R81.10" || m.Take == nil || *m.Take != 78 || m.State != "DOWN" {
		t.Errorf("member 1_02 = %+v", m)
	}
	if r.Unrecognized.Count == 0 || len(r.Unrecognized.Examples) == 0 {
		t.Errorf("unrecognized = %+v", r.Unrecognized)
	}
}

// TestTriageFailedSGMConnections: a failed SGM's owned connections are
// counted, with how many other SGMs still hold.
func TestTriageFailedSGMConnections(t *testing.T) {
	dump := `1_02:
<00000000, 0a000001, 00001000, ac100001, 000001bb, 00000006; 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 02000800; 3000/3600>
<00000000, 0a000002, 00001000, ac100001, 000001bb, 00000006; 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 02000800; 3000/3600>
1_04:
<00000000, 0a000001, 00001000, ac100001, 000001bb, 00000006; 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 02000800; 3000/3600>
`
	r := triageOf(t, "1=active,2=standby", map[string]string{
		"b!dump.txt":          dump,
		"b!1_02/var/log/msgs": "Mar 12 01:33:38 gw kernel: Kernel panic - not syncing: Fatal exception\n",
	})
	var f *Finding
	for i := range r.Findings {
		if r.Findings[i].Code == CodeKernelPanic {
			f = &r.Findings[i]
		}
	}
	if f == nil {
		t.Fatalf("no panic finding: %+v", r.Findings)
	}
	if fmt.Sprint(f.SGMs) != "[1_02]" || f.Numbers["owned"] != 2 || f.Numbers["held_elsewhere"] != 1 || f.Numbers["lost"] != 1 {
		t.Errorf("panic finding = %+v", f)
	}
	if !slices.Contains(f.Evidence, "b!1_02/var/log/msgs:1") {
		t.Errorf("evidence %v", f.Evidence)
	}
}
