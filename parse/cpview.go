package parse

import (
	"bufio"
	"bytes"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	_ "modernc.org/sqlite" // the CPView history database; pure Go, so CGO stays off

	"github.com/maestro-analyze/maestro-analyze/decode"
)

// Format: the CPView history database [public code that queries it; no
// published schema]. An SQLite 3 file, one per member, sampled about once a
// minute, found by its magic, not its name. Names seen: CPViewDB.dat,
// cpview_services.dat, and inside a cpinfo bundle
// <host>_<d>_<m>_<yyyy>_<hh>_<mm>.CPViewDB.dat. Every table has an integer
// Timestamp column (epoch seconds). The tables read here:
//
//	cxl_cxl_stats(Timestamp, fwha_cpv_last_state_change, fwha_cpv_last_state_event,
//	    fwha_cpv_failover_counter, fwha_cpv_last_failover_reason, fwha_cpv_last_failover_from)
//	UM_STAT_UM_SYSTEM(Timestamp, load_average, uptime)    uptime "N days, HH:MM:SS" or "HH:MM:SS"
//	UM_STAT_UM_MEMORY(Timestamp, real_total, real_used, ...)
//	TIMEZONE(a zone name, an offset in seconds)
//	cpview_ref_table(seq INTEGER, val TEXT)               ids some text columns hold
//
// cxl_cxl_stats_status.member_state is a stale cache of the cluster
// protocol and is never read.

// SQLiteMagic starts every SQLite 3 database file.
const SQLiteMagic = "SQLite format 3\x00"

// isSQLite reports whether head starts an SQLite 3 database.
func isSQLite(head []byte) bool { return bytes.HasPrefix(head, []byte(SQLiteMagic)) }

// Bounds of what is read of one CPView database.
const (
	// MaxCPViewRows is how many rows are read of each table, the earliest
	// first: over a year of one-minute samples.
	MaxCPViewRows = 600_000
	// maxCPViewText is how many bytes of a text value are kept.
	maxCPViewText = 200
	// maxRefRows is how many rows of cpview_ref_table are read.
	maxRefRows = 200_000
)

// The tables and columns read.
const (
	TableHA       = "cxl_cxl_stats"
	TableSystem   = "UM_STAT_UM_SYSTEM"
	TableMemory   = "UM_STAT_UM_MEMORY"
	TableTimezone = "TIMEZONE"
	TableRef      = "cpview_ref_table"
)

// CPView is what a CPView history database holds that the analyses use:
// one series per table, each in time order.
type CPView struct {
	Name string // the input, as in positions
	// Clock says which clock the stamps were taken on ("UTC (assumed: no
	// TIMEZONE table)", ...); Offset is the seconds added to the stamps to
	// make them UTC.
	Clock  string
	Offset int64
	HA     []CPViewHA
	System []CPViewSystem
	Memory []CPViewMemory
	// Missing names what was looked for and not found ("table
	// UM_STAT_UM_MEMORY", "column cxl_cxl_stats.fwha_cpv_last_failover_from");
	// Notes are the other things worth saying (rows not read, values
	// not understood).
	Missing []string
	Notes   []string
}

// CPViewHA is one sample of cxl_cxl_stats. The Has fields say whether
// the column was there and the value readable.
type CPViewHA struct {
	T            int64 // epoch seconds, UTC
	State, Event string
	HasState     bool
	Failovers    int64
	HasFailovers bool
	Reason, From string
}

// CPViewSystem is one sample of UM_STAT_UM_SYSTEM: the uptime in seconds.
type CPViewSystem struct {
	T      int64
	Uptime int64
}

// CPViewMemory is one sample of UM_STAT_UM_MEMORY: real memory used, in
// percent of real memory.
type CPViewMemory struct {
	T       int64
	UsedPct float64
}

// ErrNotCPView is the cause of an error for an SQLite file that is no
// CPView history database (none of the tables read is there).
var ErrNotCPView = errors.New("no CPView history table in it")

// ReadCPView reads the CPView history database at path, named name in
// messages, read-only. A table or column that is not there is listed in
// Missing and the rest is read; the error is for a file that cannot be
// read as SQLite at all (truncated, damaged) or holds none of the tables.
func ReadCPView(path, name string) (*CPView, error) {
	if err := checkSQLiteHeader(path); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", "file:"+uriPath(path)+"?mode=ro&immutable=1")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	c := &CPView{Name: name}
	r := &cpviewReader{db: db, c: c}
	tables, err := r.tables()
	if err != nil {
		return nil, fmt.Errorf("not a readable SQLite database: %w", err)
	}
	r.have = tables
	if !tables[TableHA] && !tables[TableSystem] && !tables[TableMemory] {
		return nil, ErrNotCPView
	}
	r.timezone()
	if tables[TableRef] {
		r.loadRefs() // before the queries: one connection, not two at once
	}
	r.ha()
	r.system()
	r.memory()
	if r.err != nil {
		return c, fmt.Errorf("damaged: %w", r.err)
	}
	return c, nil
}

// checkSQLiteHeader tells a truncated database from a whole one by its
// header: the page size (offset 16) times the page count (offset 28)
// against the file's size.
func checkSQLiteHeader(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var h [100]byte
	if n, _ := f.ReadAt(h[:], 0); n < len(h) || !isSQLite(h[:]) {
		return fmt.Errorf("truncated SQLite database: %d of the 100 header bytes", n)
	}
	st, err := f.Stat()
	if err != nil {
		return err
	}
	size := int64(binary.BigEndian.Uint16(h[16:18]))
	if size == 1 {
		size = 65536
	}
	pages := int64(binary.BigEndian.Uint32(h[28:32]))
	if size >= 512 && pages > 0 && st.Size() < size*pages {
		return fmt.Errorf("truncated SQLite database: its header says %d pages of %d bytes (%d bytes), the file has %d",
			pages, size, pages*size, st.Size())
	}
	return nil
}

// uriPath escapes path for an SQLite file: URI.
func uriPath(path string) string {
	var b strings.Builder
	for i := 0; i < len(path); i++ {
		switch c := path[i]; c {
		case '%', '?', '#':
			fmt.Fprintf(&b, "%%%02X", c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

type cpviewReader struct {
	db   *sql.DB
	c    *CPView
	have map[string]bool
	refs map[int64]string // cpview_ref_table, when there
	err  error            // the first query error
}

// tables lists the tables of the database.
func (r *cpviewReader) tables() (map[string]bool, error) {
	rows, err := r.db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' LIMIT 100000`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out[n] = true
	}
	return out, rows.Err()
}

// columns returns the columns of table that are among want, noting the
// table or the columns missing.
func (r *cpviewReader) columns(table string, want ...string) map[string]bool {
	if !r.have[table] {
		r.c.Missing = append(r.c.Missing, "table "+table)
		return nil
	}
	rows, err := r.db.Query(`SELECT name FROM pragma_table_info(?)`, table)
	if err != nil {
		r.fail(err)
		return nil
	}
	defer rows.Close()
	got := map[string]bool{}
	for rows.Next() {
		var n string
		if rows.Scan(&n) == nil {
			got[n] = true
		}
	}
	if err := rows.Err(); err != nil {
		r.fail(err)
		return nil
	}
	out := map[string]bool{}
	for _, w := range want {
		if got[w] {
			out[w] = true
		} else {
			r.c.Missing = append(r.c.Missing, "column "+table+"."+w)
		}
	}
	return out
}

func (r *cpviewReader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

// query selects cols of table (each as a value, text cut to
// maxCPViewText bytes), Timestamp first, in time order, and calls fn
// with each row. Columns not in have are selected as NULL.
func (r *cpviewReader) query(table string, have map[string]bool, cols []string, fn func(t int64, v []any)) {
	if have == nil || !have["Timestamp"] {
		return
	}
	sel := make([]string, len(cols))
	for i, c := range cols {
		sel[i] = "NULL"
		if have[c] {
			sel[i] = fmt.Sprintf(`CASE WHEN typeof("%[1]s") = 'text' THEN substr("%[1]s", 1, %d) ELSE "%[1]s" END`, c, maxCPViewText)
		}
	}
	q := fmt.Sprintf(`SELECT CAST(Timestamp AS INTEGER), %s FROM "%s" ORDER BY CAST(Timestamp AS INTEGER) LIMIT %d`,
		strings.Join(sel, ", "), table, MaxCPViewRows+1)
	rows, err := r.db.Query(q)
	if err != nil {
		r.fail(err)
		return
	}
	defer rows.Close()
	v := make([]any, len(cols)+1)
	ptr := make([]any, len(v))
	for i := range v {
		ptr[i] = &v[i]
	}
	n := 0
	for rows.Next() {
		if n++; n > MaxCPViewRows {
			r.c.Notes = append(r.c.Notes, fmt.Sprintf("%s: only the first %d rows read", table, MaxCPViewRows))
			break
		}
		if err := rows.Scan(ptr...); err != nil {
			r.fail(err)
			return
		}
		t, ok := v[0].(int64)
		if !ok {
			continue
		}
		fn(t+r.c.Offset, v[1:])
	}
	if err := rows.Err(); err != nil {
		r.fail(err)
	}
}

// timezone reads the TIMEZONE table: its last row's text (the zone name)
// and integer (the offset in seconds) columns [assumed: the column names
// are not known].
func (r *cpviewReader) timezone() {
	r.c.Clock = "UTC (assumed: no TIMEZONE table)"
	if !r.have[TableTimezone] {
		return
	}
	rows, err := r.db.Query(`SELECT * FROM "` + TableTimezone + `" LIMIT 1000`)
	if err != nil {
		r.fail(err)
		return
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	zone, off, seen := "", int64(0), false
	v := make([]any, len(cols))
	ptr := make([]any, len(v))
	for i := range v {
		ptr[i] = &v[i]
	}
	for rows.Next() {
		if rows.Scan(ptr...) != nil {
			continue
		}
		seen = true
		for i, x := range v {
			if strings.EqualFold(cols[i], "Timestamp") {
				continue
			}
			switch x := x.(type) {
			case int64:
				off = x
			case string:
				zone = clipText(x)
			case []byte:
				zone = clipText(string(x))
			}
		}
	}
	switch {
	case !seen:
		r.c.Clock = "UTC (assumed: the TIMEZONE table is empty)"
	case off == 0 || isUTCName(zone):
		r.c.Clock = fmt.Sprintf("UTC (TIMEZONE: %q, offset %d s)", zone, off)
	case off < -14*3600 || off > 14*3600:
		r.c.Clock = fmt.Sprintf("UTC (assumed: TIMEZONE offset %d s is not one)", off)
	default:
		// The stamps are taken as the gateway's local clock [assumed].
		r.c.Offset = -off
		r.c.Clock = fmt.Sprintf("local time of TIMEZONE %q (offset %+d s), moved to UTC (assumed: stamps on the gateway's clock)", zone, off)
	}
}

func isUTCName(z string) bool {
	switch strings.ToUpper(z) {
	case "UTC", "GMT", "ETC/UTC", "ETC/GMT", "Z", "UNIVERSAL", "ZULU":
		return true
	}
	return false
}

// text returns v as text, resolving an integer through cpview_ref_table
// when the table is there.
func (r *cpviewReader) text(v any) (string, bool) {
	var s string
	switch x := v.(type) {
	case nil:
		return "", false
	case string:
		s = x
	case []byte:
		s = string(x)
	case int64:
		s = strconv.FormatInt(x, 10)
	case float64:
		s = strconv.FormatFloat(x, 'f', -1, 64)
	default:
		return "", false
	}
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && r.refs != nil {
		if val, ok := r.refs[n]; ok {
			return val, true
		}
	}
	return clipText(s), true
}

func (r *cpviewReader) loadRefs() {
	r.refs = map[int64]string{}
	have := r.columns(TableRef, "seq", "val")
	if !have["seq"] || !have["val"] {
		return
	}
	rows, err := r.db.Query(fmt.Sprintf(`SELECT CAST(seq AS INTEGER), substr(CAST(val AS TEXT), 1, %d) FROM "%s" LIMIT %d`,
		maxCPViewText, TableRef, maxRefRows))
	if err != nil {
		r.fail(err)
		return
	}
	defer rows.Close()
	for rows.Next() {
		var seq sql.NullInt64
		var val sql.NullString
		if rows.Scan(&seq, &val) == nil && seq.Valid && val.Valid {
			r.refs[seq.Int64] = clipText(val.String)
		}
	}
	if err := rows.Err(); err != nil {
		r.fail(err)
	}
}

// clipText cuts s to maxCPViewText bytes on a rune boundary.
func clipText(s string) string {
	if len(s) <= maxCPViewText {
		return s
	}
	s = s[:maxCPViewText]
	for len(s) > 0 && s[len(s)-1]&0xc0 == 0x80 {
		s = s[:len(s)-1]
	}
	return s
}

// number returns v as a number.
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil
	case []byte:
		f, err := strconv.ParseFloat(strings.TrimSpace(string(x)), 64)
		return f, err == nil
	}
	return 0, false
}

func (r *cpviewReader) ha() {
	cols := []string{"fwha_cpv_last_state_change", "fwha_cpv_last_state_event", "fwha_cpv_failover_counter",
		"fwha_cpv_last_failover_reason", "fwha_cpv_last_failover_from"}
	have := r.columns(TableHA, append([]string{"Timestamp"}, cols...)...)
	r.query(TableHA, have, cols, func(t int64, v []any) {
		s := CPViewHA{T: t}
		s.State, s.HasState = r.text(v[0])
		s.Event, _ = r.text(v[1])
		if f, ok := number(v[2]); ok && f >= 0 && f < 1<<53 {
			s.Failovers, s.HasFailovers = int64(f), true
		}
		s.Reason, _ = r.text(v[3])
		s.From, _ = r.text(v[4])
		r.c.HA = append(r.c.HA, s)
	})
}

func (r *cpviewReader) system() {
	have := r.columns(TableSystem, "Timestamp", "uptime")
	bad := 0
	r.query(TableSystem, have, []string{"uptime"}, func(t int64, v []any) {
		s, _ := r.text(v[0])
		up, ok := Uptime(s)
		if !ok {
			bad++
			return
		}
		r.c.System = append(r.c.System, CPViewSystem{T: t, Uptime: up})
	})
	if bad > 0 {
		r.c.Notes = append(r.c.Notes, fmt.Sprintf("%s: %d uptime values not understood", TableSystem, bad))
	}
}

func (r *cpviewReader) memory() {
	have := r.columns(TableMemory, "Timestamp", "real_total", "real_used")
	r.query(TableMemory, have, []string{"real_total", "real_used"}, func(t int64, v []any) {
		total, ok1 := number(v[0])
		used, ok2 := number(v[1])
		if ok1 && ok2 && total > 0 && used >= 0 && used <= total {
			r.c.Memory = append(r.c.Memory, CPViewMemory{T: t, UsedPct: 100 * used / total})
		}
	})
}

var uptimeRe = regexp.MustCompile(`^(?:([0-9]{1,5})\s+days?,?\s*)?([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?$`)

// Uptime reads an uptime as CPView prints it, "N days, HH:MM:SS" or
// "HH:MM:SS" (or a number of seconds), in seconds.
func Uptime(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n >= 0 {
		return n, true
	}
	m := uptimeRe.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	d, _ := strconv.ParseInt(m[1], 10, 64)
	h, _ := strconv.ParseInt(m[2], 10, 64)
	mi, _ := strconv.ParseInt(m[3], 10, 64)
	sec, _ := strconv.ParseInt(m[4], 10, 64)
	return d*86400 + h*3600 + mi*60 + sec, true
}

// cpviewNameRe matches the name vendor collectors give a CPView history
// database in a bundle: <host>_<d>_<m>_<yyyy>_<hh>_<mm>.CPViewDB.dat.
var cpviewNameRe = regexp.MustCompile(`(?i)(?:^|/)([^/]*?)_[0-9]{1,2}_[0-9]{1,2}_[0-9]{4}_[0-9]{1,2}_[0-9]{1,2}\.CPViewDB\.dat$`)

// looksLikeCPView reports whether raw is named like a CPView history
// database.
func looksLikeCPView(raw string) bool {
	l := strings.ToLower(raw)
	return strings.HasSuffix(l, "cpviewdb.dat") || strings.HasSuffix(l, "cpview_services.dat")
}

// cpviewSource attributes a CPView database named raw: the command line,
// else an SGM in its path without the date a collector puts in its name
// (1_9_2025 is no SGM), else the host name in that name.
func cpviewSource(src Source, raw string) Source {
	if src.Rule == RuleCommandLine {
		return src
	}
	m := cpviewNameRe.FindStringSubmatchIndex(raw)
	if m == nil {
		return src
	}
	host := raw[m[2]:m[3]]
	src.SGM, src.Rule = decode.SGM{}, ""
	if s, ok := SGMFromName(raw[:m[3]]); ok {
		src.SGM, src.Rule = s, RuleFileName
	} else if s, ok := SGMFromHostname(host); ok {
		src.SGM, src.Rule = s, "host name in the file name ("+QuoteName(host)+")"
	}
	return src
}

// CPViewOf returns the CPView database the Reader stands for, nil for a
// text input.
func (r *Reader) CPViewOf() *CPView { return r.cpview }

// sqlite reads the SQLite database br holds, src at layer, as a CPView
// history database: in place when it is a file named on the command line
// or found in a folder, else from a private temporary copy, removed
// afterwards. What cannot be read is reported as a Skipped entry; the
// walk goes on.
func (w *walker) sqlite(src Source, raw string, br *bufio.Reader, layer int) error {
	src = cpviewSource(src, raw)
	path := w.path
	if layer != 0 || w.plain == nil || path == "" {
		f, _, ok := w.spool(src, br, "CPView database", "maestro-analyze-*.db", true)
		if !ok {
			return nil
		}
		defer f.close()
		path = f.Name()
	}
	c, err := ReadCPView(path, src.Name)
	if err != nil && c == nil {
		w.skip(Skipped{Name: src.Name, Reason: "CPView database not read: " + err.Error()})
		return nil
	}
	if err != nil {
		w.skip(Skipped{Name: src.Name, Reason: "CPView database read in part: " + err.Error()})
	}
	r := NewReader(strings.NewReader(""), src.Name)
	r.cpview = c
	return w.fn(src, r)
}
