package parse

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cpviewDB writes an SQLite database at path by running stmts.
func cpviewDB(tb testing.TB, path string, stmts ...string) []byte {
	tb.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		tb.Fatal(err)
	}
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			tb.Fatalf("%s: %v", s, err)
		}
	}
	if err := db.Close(); err != nil {
		tb.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// fullCPView is a small CPView history, 700 to 1240: a failover at 1000, a reboot at
// 1180 (uptime drop), memory from 40% to 95%; state texts as ids into
// cpview_ref_table.
func fullCPView() []string {
	s := []string{
		`CREATE TABLE cxl_cxl_stats(Timestamp INTEGER, fwha_cpv_last_state_change TEXT, fwha_cpv_last_state_event TEXT,
			fwha_cpv_failover_counter INTEGER, fwha_cpv_last_failover_reason TEXT, fwha_cpv_last_failover_from TEXT)`,
		`CREATE TABLE cxl_cxl_stats_status(Timestamp INTEGER, member_id INTEGER, member_state TEXT)`,
		`CREATE TABLE UM_STAT_UM_SYSTEM(Timestamp INTEGER, load_average TEXT, uptime TEXT)`,
		`CREATE TABLE UM_STAT_UM_MEMORY(Timestamp INTEGER, real_total INTEGER, real_used INTEGER, real_free INTEGER)`,
		`CREATE TABLE cpview_ref_table(seq INTEGER, val TEXT)`,
		`INSERT INTO cpview_ref_table VALUES (7, 'STANDBY'), (8, 'ACTIVE')`,
		`CREATE TABLE TIMEZONE(Timestamp INTEGER, name TEXT, offset INTEGER)`,
		`INSERT INTO TIMEZONE VALUES (0, 'UTC', 0)`,
	}
	for i := 0; i < 10; i++ {
		t := 700 + 60*i
		state, n, reason := "7", 3, "none"
		if t >= 1000 {
			state, n, reason = "8", 4, "Remote site went down"
		}
		up := fmt.Sprintf("1 days, 00:%02d:00", 10+i)
		if t >= 1180 {
			up = fmt.Sprintf("00:0%d:00", i-8)
		}
		s = append(s,
			fmt.Sprintf(`INSERT INTO cxl_cxl_stats VALUES (%d, '%s', 'event %d', %d, '%s', '1_01')`, t, state, i, n, reason),
			fmt.Sprintf(`INSERT INTO cxl_cxl_stats_status VALUES (%d, 1, 'ACTIVE')`, t),
			fmt.Sprintf(`INSERT INTO UM_STAT_UM_SYSTEM VALUES (%d, '0.1', '%s')`, t, up),
			fmt.Sprintf(`INSERT INTO UM_STAT_UM_MEMORY VALUES (%d, 1000, %d, 0)`, t, 400+60*i),
		)
	}
	return s
}

func TestReadCPView(t *testing.T) {
	p := filepath.Join(t.TempDir(), "CPViewDB.dat")
	cpviewDB(t, p, fullCPView()...)
	c, err := ReadCPView(p, "x")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.HA) != 10 || len(c.System) != 10 || len(c.Memory) != 10 {
		t.Fatalf("rows: %d %d %d", len(c.HA), len(c.System), len(c.Memory))
	}
	if c.HA[0].State != "STANDBY" || c.HA[9].State != "ACTIVE" || !c.HA[9].HasFailovers || c.HA[9].Failovers != 4 {
		t.Errorf("ha: %+v %+v", c.HA[0], c.HA[9])
	}
	if c.HA[9].Reason != "Remote site went down" || c.HA[9].From != "1_01" {
		t.Errorf("reason/from: %+v", c.HA[9])
	}
	if c.System[0].Uptime != 86400+600 || c.System[9].Uptime != 60 {
		t.Errorf("uptime: %+v %+v", c.System[0], c.System[9])
	}
	if c.Memory[0].UsedPct != 40 || c.Memory[9].UsedPct != 94 {
		t.Errorf("memory: %+v %+v", c.Memory[0], c.Memory[9])
	}
	if len(c.Missing) != 0 || !strings.HasPrefix(c.Clock, "UTC (TIMEZONE") {
		t.Errorf("missing %v clock %q", c.Missing, c.Clock)
	}
}

func TestReadCPViewTimezone(t *testing.T) {
	p := filepath.Join(t.TempDir(), "db")
	cpviewDB(t, p, `CREATE TABLE UM_STAT_UM_MEMORY(Timestamp INTEGER, real_total INTEGER, real_used INTEGER)`,
		`INSERT INTO UM_STAT_UM_MEMORY VALUES (10000, 100, 50)`,
		`CREATE TABLE TIMEZONE(zone TEXT, off INTEGER)`, `INSERT INTO TIMEZONE VALUES ('Europe/Paris', 7200)`)
	c, err := ReadCPView(p, "x")
	if err != nil {
		t.Fatal(err)
	}
	if c.Offset != -7200 || c.Memory[0].T != 10000-7200 || !strings.Contains(c.Clock, "Europe/Paris") {
		t.Errorf("offset %d T %d clock %q", c.Offset, c.Memory[0].T, c.Clock)
	}
	want := []string{"table cxl_cxl_stats", "table UM_STAT_UM_SYSTEM"}
	if fmt.Sprint(c.Missing) != fmt.Sprint(want) {
		t.Errorf("missing %v, want %v", c.Missing, want)
	}
}

func TestReadCPViewMissing(t *testing.T) {
	p := filepath.Join(t.TempDir(), "db")
	cpviewDB(t, p, `CREATE TABLE cxl_cxl_stats(Timestamp INTEGER, fwha_cpv_last_state_change TEXT)`,
		`INSERT INTO cxl_cxl_stats VALUES (100, 'ACTIVE'), (160, 'DOWN')`)
	c, err := ReadCPView(p, "x")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.HA) != 2 || c.HA[1].State != "DOWN" || c.HA[1].HasFailovers {
		t.Errorf("ha %+v", c.HA)
	}
	m := strings.Join(c.Missing, "; ")
	for _, w := range []string{"column cxl_cxl_stats.fwha_cpv_failover_counter", "table UM_STAT_UM_MEMORY", "table UM_STAT_UM_SYSTEM"} {
		if !strings.Contains(m, w) {
			t.Errorf("missing %q not said: %s", w, m)
		}
	}
	if !strings.Contains(c.Clock, "assumed") {
		t.Errorf("clock %q", c.Clock)
	}
}

func TestReadCPViewDamaged(t *testing.T) {
	dir := t.TempDir()
	good := cpviewDB(t, filepath.Join(dir, "good"), fullCPView()...)
	other := cpviewDB(t, filepath.Join(dir, "other"), `CREATE TABLE t(a)`)
	for name, data := range map[string][]byte{
		"truncated": good[:len(good)/2],
		"header":    good[:50],
		"garbage":   append([]byte(SQLiteMagic), make([]byte, 5000)...),
		"no tables": other,
	} {
		p := filepath.Join(dir, strings.ReplaceAll(name, " ", "_"))
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := ReadCPView(p, name)
		if err == nil {
			t.Errorf("%s: read without error", name)
			continue
		}
		t.Logf("%s: %v", name, err)
	}
}

// TestWalkCPView reads databases in a folder, in a tgz and fake ones: each
// is a CPView input attributed to its SGM, the rest of the bundle is read,
// and no temporary copy is left behind.
func TestWalkCPView(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	dir := t.TempDir()
	good := cpviewDB(t, filepath.Join(dir, "x.db"), fullCPView()...)
	_ = os.Remove(filepath.Join(dir, "x.db"))
	writeFiles(t, dir, map[string][]byte{
		"b/2_01/mygw-ch02-01_1_9_2025_02_40.CPViewDB.dat": good,
		"b/fake/CPViewDB.dat":                             []byte("not a database\n"),
		"b/cut/mygw-ch01-02_30_9_2025_02_40.CPViewDB.dat": good[:len(good)/2],
		"b/all.tgz": tgz(t, member{name: "1_04/cpview_services.dat", body: string(good)},
			member{name: "1_04/fwtab.txt", body: lines(fwLine)}),
	})
	var got []string
	skipped, err := Walk([]string{filepath.Join(dir, "b")}, nil, DefaultLimits(), func(src Source, r *Reader) error {
		rel := strings.TrimPrefix(src.Name, dir+"/")
		if c := r.CPViewOf(); c != nil {
			got = append(got, fmt.Sprintf("%s %s (%s) ha=%d", rel, src.SGM, src.Rule, len(c.HA)))
			return nil
		}
		n := 0
		for r.Scan() {
			n++
		}
		got = append(got, fmt.Sprintf("%s text records=%d", rel, n))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"b/2_01/mygw-ch02-01_1_9_2025_02_40.CPViewDB.dat 2_01 (file name) ha=10",
		"b/all.tgz!1_04/cpview_services.dat 1_04 (file name) ha=10",
		"b/all.tgz!1_04/fwtab.txt text records=1",
		"b/fake/CPViewDB.dat text records=0",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var sk []string
	for _, s := range skipped {
		sk = append(sk, strings.TrimPrefix(s.String(), dir+"/"))
	}
	joined := strings.Join(sk, "\n")
	for _, w := range []string{"b/cut/mygw-ch01-02_30_9_2025_02_40.CPViewDB.dat: CPView database not read: truncated SQLite database",
		"b/fake/CPViewDB.dat: named like a CPView history database but not SQLite"} {
		if !strings.Contains(joined, w) {
			t.Errorf("skipped lacks %q:\n%s", w, joined)
		}
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestCPViewSource(t *testing.T) {
	for raw, want := range map[string]string{
		"x/mygw-ch01-03_1_9_2025_02_40.CPViewDB.dat":    "1_03 host name in the file name (mygw-ch01-03)",
		"2_02/mygw-ch01-03_1_9_2025_02_40.CPViewDB.dat": "2_02 file name",
		"x/host_1_9_2025_02_40.CPViewDB.dat":            " ",
	} {
		s := cpviewSource(Source{}, raw)
		if got := s.SGM.String() + " " + s.Rule; s.SGM.IsZero() && want == " " {
			continue
		} else if got != want {
			t.Errorf("%s: %q, want %q", raw, got, want)
		}
	}
}

func TestUptime(t *testing.T) {
	for s, want := range map[string]int64{"1 days, 02:03:04": 93784, "02:03:04": 7384, "3 day 00:00:01": 259201, "59": 59} {
		if got, ok := Uptime(s); !ok || got != want {
			t.Errorf("%q: %d %v, want %d", s, got, ok, want)
		}
	}
	for _, s := range []string{"", "x", "1 days", "-5"} {
		if _, ok := Uptime(s); ok {
			t.Errorf("%q parsed", s)
		}
	}
}

func FuzzReadCPView(f *testing.F) {
	p := filepath.Join(f.TempDir(), "seed")
	good := cpviewDB(f, p, fullCPView()...)
	f.Add(good[:4096])
	f.Add(good)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		p := filepath.Join(t.TempDir(), "db")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		_, _ = ReadCPView(p, "fuzz")
	})
}
