// Package entry decodes single entries, sync_masks and CCL words for
// people and scripts: the decode, mask and ccl commands.
package entry

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/olekukonko/tablewriter/tw"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/parse"
	"github.com/maestro-analyze/maestro-analyze/report"
)

// Entry is one decoded entry, as `decode --format json` prints it. The
// field names `line`, `kind`, `op`, `key`, `owner`, `sync_mask` and `expires`
// are a contract with later tooling.
type Entry struct {
	Line     int              `json:"line"`
	Source   string           `json:"source"`
	Kind     string           `json:"kind"`
	Op       string           `json:"op,omitempty"`
	Key      *KeyJSON         `json:"key"`
	Link     *KeyJSON         `json:"link,omitempty"`
	Owner    *OwnerJSON       `json:"owner"`
	SyncMask *report.MaskJSON `json:"sync_mask"`
	Expires  *ExpiryJSON      `json:"expires"`
	Time     *float64         `json:"time,omitempty"`
	// The numbers after a SET line's mask, as printed (null when absent).
	RefreshTime    *int64     `json:"refresh_time,omitempty"`
	AggressiveTime *int64     `json:"aggressive_time,omitempty"`
	OpCode         *int64     `json:"op_code,omitempty"`
	Instance       *int       `json:"instance,omitempty"`
	Correction     *CorrJSON  `json:"correction,omitempty"`
	Words          []WordJSON `json:"words,omitempty"`
	Extra          []string   `json:"extra,omitempty"`
	LastUpdate     string     `json:"last_update,omitempty"`
	Counter        *Counter   `json:"counter,omitempty"`
	Detail         string     `json:"detail,omitempty"`
	Notes          []string   `json:"notes,omitempty"`
}

// Counter is a `cphaprob syncstat` counter or status line: its name and
// its value as printed.
type Counter struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// KeyJSON is a connection key: ports and proto as numbers, addresses as
// strings.
type KeyJSON struct {
	Dir       uint32 `json:"dir"`
	Src       string `json:"src"`
	SPort     uint16 `json:"sport"`
	Dst       string `json:"dst"`
	DPort     uint16 `json:"dport"`
	Proto     uint8  `json:"proto"`
	ProtoName string `json:"proto_name"`
}

// OwnerJSON is a decoded owner; SGM is null when the id lies outside the
// layout.
type OwnerJSON struct {
	CCLID     int     `json:"ccl_id"`
	SGM       *string `json:"sgm"`
	Word      string  `json:"word,omitempty"`
	SiteState string  `json:"site_state,omitempty"`
	Note      string  `json:"note,omitempty"`
}

// ExpiryJSON is remaining/timeout in seconds.
type ExpiryJSON struct {
	Remaining uint32 `json:"remaining"`
	Timeout   uint32 `json:"timeout"`
	Human     string `json:"human"`
}

// CorrJSON is what a correction line says.
type CorrJSON struct {
	Func    string `json:"func"`
	Chassis *int   `json:"chassis,omitempty"`
	Site    *int   `json:"site,omitempty"`
	State   string `json:"state,omitempty"`
}

// WordJSON is one value word, named when its meaning is published.
type WordJSON struct {
	Index   int    `json:"index"`
	Name    string `json:"name"`
	Hex     string `json:"hex"`
	Meaning string `json:"meaning,omitempty"`
}

// Decode explains one record. line is the number shown to the user (input
// line, or argument index for pasted arguments).
func Decode(c *report.Context, rec *parse.Record, line int) Entry {
	e := Entry{Line: line, Source: rec.Pos.Name, Kind: rec.Kind.String(), Op: rec.Op, LastUpdate: rec.LastUpdate}
	if rec.HasKey {
		e.Key = keyJSON(rec.Key)
	}
	if rec.Kind == parse.KindFwTabLink {
		e.Link = keyJSON(rec.Link)
		e.Notes = append(e.Notes, fmt.Sprintf("link entry (flags %08x): the connection's full entry is under the linked key", rec.Flags))
	}
	if rec.HasTime {
		t := rec.Time
		e.Time = &t
	}
	e.RefreshTime, e.AggressiveTime, e.OpCode = known(rec.RefreshTime), known(rec.AggressiveTime), known(rec.OpCode)
	if rec.Instance >= 0 {
		n := rec.Instance
		e.Instance = &n
	}
	var owner decode.Owner
	if w, ok := rec.Owner(); ok {
		owner = c.Layout.Owner(w)
		e.Owner = ownerJSON(c, owner)
		e.Owner.Word = fmt.Sprintf("0x%08x", w)
	} else if rec.OwnerID >= 0 {
		owner = c.Layout.OwnerID(rec.OwnerID)
		e.Owner = ownerJSON(c, owner)
	}
	if rec.HasMask {
		var prim []decode.SGM
		var found bool
		if rec.HasKey {
			prim, found = c.DXL.Primaries(rec.Key.Tuple)
		}
		e.SyncMask = c.Mask(rec.Mask, owner, prim, found)
	}
	if rec.HasExpiry {
		e.Expires = &ExpiryJSON{Remaining: rec.Expiry.Remaining, Timeout: rec.Expiry.Timeout, Human: rec.Expiry.String()}
	}
	if rec.Kind == parse.KindCorrection || rec.Kind == parse.KindKdebug {
		cj := &CorrJSON{Func: rec.Func, State: rec.State}
		if rec.Chassis >= 0 {
			ch, site := rec.Chassis, rec.Chassis+1
			cj.Chassis, cj.Site = &ch, &site
		}
		e.Correction = cj
	}
	for i := range rec.Vals {
		w, ok := rec.Word(i)
		if !ok {
			continue
		}
		e.Words = append(e.Words, WordJSON{Index: i, Name: decode.WordName(i), Hex: fmt.Sprintf("%08x", w), Meaning: c.Layout.WordMeaning(i, w)})
	}
	for _, x := range rec.Extra {
		e.Extra = append(e.Extra, fmt.Sprintf("%08x", x))
	}
	switch rec.Kind {
	case parse.KindSyncstatCounter:
		e.Counter = &Counter{Name: rec.Name, Value: rec.Text}
	case parse.KindSyncstatStatus:
		e.Counter = &Counter{Name: "Sync status", Value: rec.Text}
	case parse.KindSiteState:
		e.Detail = fmt.Sprintf("chassis (site) %d is %s", rec.Chassis, rec.State)
	case parse.KindMemberState:
		e.Detail = fmt.Sprintf("member %d is %s", rec.Value, rec.State)
	case parse.KindVersion:
		e.Detail = rec.Text
		if rec.Value >= 0 {
			e.Detail = strings.TrimSpace(fmt.Sprintf("%s Jumbo Hotfix take %d", rec.Text, rec.Value))
		}
	case parse.KindPanic, parse.KindHostname:
		e.Detail = rec.Text
	case parse.KindSection:
		e.Detail = rec.Text + ": " + rec.Name
	}
	return e
}

// known is v, or nil when the line did not have it (-1).
func known(v int64) *int64 {
	if v < 0 {
		return nil
	}
	return &v
}

func keyJSON(k parse.Key) *KeyJSON {
	return &KeyJSON{
		Dir: k.Dir, Src: decode.IPv4(k.Src).String(), SPort: k.SPort,
		Dst: decode.IPv4(k.Dst).String(), DPort: k.DPort, Proto: k.Proto, ProtoName: decode.ProtoName(k.Proto),
	}
}

func ownerJSON(c *report.Context, o decode.Owner) *OwnerJSON {
	j := &OwnerJSON{CCLID: o.ID}
	if !o.InLayout {
		j.Note = fmt.Sprintf("outside layout %s: names no SGM", c.Layout)
		return j
	}
	s := o.SGM.String()
	j.SGM = &s
	if st := c.Sites.Of(int(o.SGM.Site)); st != decode.Unknown {
		j.SiteState = st.String()
		if st != decode.Active {
			j.Note = fmt.Sprintf("on %s site %d: the correction layer does not forward packets to it (MBS-3944)", st, o.SGM.Site)
		}
	}
	return j
}

// Writer streams decoded entries in one format, so that decoding a
// long stdin never holds all entries: JSON is written as an array element by
// element, NDJSON one object per line, CSV one row per entry, tables one
// field/value table per entry.
type Writer struct {
	w   io.Writer
	f   report.Format
	p   report.Palette
	n   int
	csv *csv.Writer
	nd  *report.NDJSONWriter
}

// NewWriter returns a writer of entries to w.
func NewWriter(w io.Writer, f report.Format, p report.Palette) *Writer {
	return &Writer{w: w, f: f, p: p}
}

// Write renders one entry.
func (ew *Writer) Write(e Entry) error {
	defer func() { ew.n++ }()
	switch ew.f {
	case report.JSON:
		b, err := report.MarshalIndent(e, "  ", "  ")
		if err != nil {
			return err
		}
		sep := ",\n  "
		if ew.n == 0 {
			sep = "[\n  "
		}
		_, err = fmt.Fprintf(ew.w, "%s%s", sep, report.EscapeJSON(b))
		return err
	case report.NDJSON:
		if ew.nd == nil {
			ew.nd = report.NewNDJSON(ew.w)
		}
		return ew.nd.Object("entry", &e)
	case report.CSV:
		if ew.csv == nil {
			ew.csv = csv.NewWriter(ew.w)
			if err := ew.csv.Write(entryCSVHeader); err != nil {
				return err
			}
		}
		if err := ew.csv.Write(entryCSVRow(e)); err != nil {
			return err
		}
		ew.csv.Flush()
		return ew.csv.Error()
	}
	if ew.n > 0 {
		fmt.Fprintln(ew.w)
	}
	title := fmt.Sprintf("%s:%d  %s", e.Source, e.Line, e.Kind)
	if e.Op != "" {
		title += " " + e.Op
	}
	fmt.Fprintln(ew.w, ew.p.Bold.Sprint(report.Sanitize(title)))
	return ew.p.Table(ew.w, []report.Col{{Header: "Field", Align: tw.AlignLeft}, {Header: "Value", Align: tw.AlignLeft}}, entryRows(e, ew.p))
}

// Close ends the output (closes the JSON array; an empty CSV still gets
// its header).
func (ew *Writer) Close() error {
	switch ew.f {
	case report.JSON:
		if ew.n == 0 {
			_, err := fmt.Fprintln(ew.w, "[]")
			return err
		}
		_, err := fmt.Fprintln(ew.w, "\n]")
		return err
	case report.CSV:
		if ew.csv == nil {
			return report.WriteCSV(ew.w, entryCSVHeader, nil)
		}
	}
	return nil
}

func entryRows(e Entry, p report.Palette) [][]string {
	var rows [][]string
	add := func(k, v string) { rows = append(rows, []string{k, report.Sanitize(v)}) }
	if e.Key != nil {
		add("Connection", keyText(e.Key))
		if e.Kind != "gconn" && e.Kind != "correction" {
			add("Direction", decode.Direction(e.Key.Dir))
		}
	}
	if e.Link != nil {
		add("Links to", fmt.Sprintf("%s (dir %d)", keyText(e.Link), e.Link.Dir))
	}
	if e.Time != nil {
		add("Timestamp", strconv.FormatFloat(*e.Time, 'f', -1, 64))
	}
	if e.Instance != nil {
		add("Instance", fmt.Sprintf("fw4_%d", *e.Instance))
	}
	if e.Owner != nil {
		add("Owner", ownerText(e.Owner, p))
	}
	if m := e.SyncMask; m != nil {
		add("Sync mask", m.Value+" = {"+strings.Join(m.SGMs, ", ")+"}")
		for _, s := range m.BySite {
			label := fmt.Sprintf("Mask site %d", s.Site)
			if s.State != "" {
				label += " (" + s.State + ")"
			}
			add(label, strings.Join(s.SGMs, ", "))
		}
		if m.Sets != nil {
			add("Active sync set", strings.Join(m.Sets.Active, ", "))
			b := strings.Join(m.Sets.Backup, ", ")
			if m.Sets.OwnerDown {
				b += " (owner stays in the mask on its DOWN site)"
			}
			add("Backup sync set", b)
			if len(m.Sets.Stale) > 0 {
				add("Mask on DOWN site", strings.Join(m.Sets.Stale, ", "))
			}
		}
		for _, n := range m.Notes {
			add("Mask note", n)
		}
	}
	if e.Expires != nil {
		add("Expires", e.Expires.Human)
	}
	for _, f := range []struct {
		label string
		v     *int64
	}{{"Refresh time", e.RefreshTime}, {"Aggressive time", e.AggressiveTime}, {"op_code", e.OpCode}} {
		if f.v != nil {
			add(f.label, strconv.FormatInt(*f.v, 10))
		}
	}
	if e.LastUpdate != "" {
		add("Last update", e.LastUpdate)
	}
	if c := e.Correction; c != nil {
		add("Function", c.Func)
		if c.Chassis != nil {
			add("Chassis", fmt.Sprintf("%d (site %d, chassis numbers are 0-based) is %s", *c.Chassis, *c.Site, c.State))
		}
	}
	for i := 0; i < len(e.Words); i++ {
		wd := e.Words[i]
		// Collapse runs of zero words past the published ones.
		j := i
		for wd.Index >= decode.NamedWords && j+1 < len(e.Words) && e.Words[j+1].Hex == wd.Hex && wd.Hex == "00000000" {
			j++
		}
		if j > i+1 {
			add(fmt.Sprintf("V%d..V%d", wd.Index, e.Words[j].Index), "00000000 (all zero)")
			i = j
			continue
		}
		label := fmt.Sprintf("V%d", wd.Index)
		if wd.Index < decode.NamedWords {
			label += " " + wd.Name
		}
		v := wd.Hex
		if wd.Meaning != "" {
			v += "  " + wd.Meaning
		}
		add(label, v)
	}
	if len(e.Extra) > 0 {
		add("Extra segment", strings.Join(e.Extra, ", "))
	}
	if c := e.Counter; c != nil {
		add(c.Name, c.Value)
	}
	if e.Detail != "" {
		add("Detail", e.Detail)
	}
	for _, n := range e.Notes {
		add("Note", n)
	}
	return rows
}

func keyText(k *KeyJSON) string {
	return fmt.Sprintf("%s:%d -> %s:%d %s", k.Src, k.SPort, k.Dst, k.DPort, k.ProtoName)
}

func ownerText(o *OwnerJSON, p report.Palette) string {
	if o.SGM == nil {
		return p.Bad.Sprintf("CCL id %d: %s", o.CCLID, o.Note)
	}
	s := fmt.Sprintf("%s (CCL id %d)", *o.SGM, o.CCLID)
	switch {
	case o.SiteState == "ACTIVE":
		s = p.Good.Sprint(s) + " on ACTIVE site"
	case o.SiteState != "":
		s = p.Warn.Sprint(s) + " " + o.Note
	}
	return s
}

// entryCSVHeader are the columns of `decode --format csv`.
var entryCSVHeader = []string{
	"source", "line", "kind", "op", "dir", "src", "sport", "dst", "dport", "proto",
	"owner_ccl_id", "owner_sgm", "sync_mask", "mask_sgms", "active_set", "backup_set", "remaining", "timeout",
}

func entryCSVRow(e Entry) []string {
	r := []string{e.Source, strconv.Itoa(e.Line), e.Kind, e.Op, "", "", "", "", "", "", "", "", "", "", "", "", "", ""}
	if k := e.Key; k != nil {
		r[4], r[5], r[6], r[7], r[8], r[9] = strconv.Itoa(int(k.Dir)), k.Src, strconv.Itoa(int(k.SPort)), k.Dst, strconv.Itoa(int(k.DPort)), strconv.Itoa(int(k.Proto))
	}
	if o := e.Owner; o != nil {
		r[10] = strconv.Itoa(o.CCLID)
		if o.SGM != nil {
			r[11] = *o.SGM
		}
	}
	if m := e.SyncMask; m != nil {
		r[12], r[13] = m.Value, strings.Join(m.SGMs, " ")
		if m.Sets != nil {
			r[14], r[15] = strings.Join(m.Sets.Active, " "), strings.Join(m.Sets.Backup, " ")
		}
	}
	if x := e.Expires; x != nil {
		r[16], r[17] = strconv.Itoa(int(x.Remaining)), strconv.Itoa(int(x.Timeout))
	}
	for i := range r {
		r[i] = report.Sanitize(r[i])
	}
	return r
}

// Decoder is the analysis behind `decode`: it decodes every record a feed
// hands it and passes the entry to fn. asg dxl calc lines are context (the
// feed keeps them for the entries that follow), headers and banners are
// not entries.
type Decoder struct {
	ctx report.Context
	fn  func(Entry) error
	// Arg, when positive, is the line number shown for the entries that
	// follow (the argument index of a pasted argument).
	Arg     int
	Entries int
	Err     error // the first error fn returned: later entries are not passed
}

// NewDecoder returns a decoder fed by f (it registers itself).
func NewDecoder(f *report.Feed, fn func(Entry) error) *Decoder {
	d := &Decoder{ctx: f.Context(), fn: fn}
	f.Use(d)
	return d
}

// Add decodes one record.
func (d *Decoder) Add(it *report.Item) {
	rec := it.Record
	switch rec.Kind {
	case parse.KindDxl, parse.KindDxlChassis,
		parse.KindSGMHeader, parse.KindHostHeader, parse.KindTable, parse.KindSyncstat, parse.KindSyncstatSection:
		return
	}
	line := rec.Pos.Line
	if d.Arg > 0 {
		line = d.Arg
	}
	d.Entries++
	if d.Err == nil {
		d.Err = d.fn(Decode(&d.ctx, rec, line))
	}
}
