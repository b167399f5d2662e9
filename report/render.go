// Package report is the shared core of the analyses: the [Feed] that walks
// the inputs and hands each record to every analysis with its context
// resolved once (input, SGM, time, line accounting), the site-state
// resolution, the context every analysis shares (layout, --sites, asg dxl
// calc), and the renderers' helpers. Each analysis lives in a package of
// its own below it (owners, storms, trace, triage, entry), with its
// builder, its report type and its renderers; none imports another, except
// triage, which fans the feed out to owners and storms. Output is
// deterministic: explicit sorting, no map order, no clock.
package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/fatih/color"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// Format is an output format.
type Format string

// The output formats.
const (
	Table  Format = "table"
	JSON   Format = "json"
	CSV    Format = "csv"
	NDJSON Format = "ndjson"
)

// Palette is how text output is drawn for the person reading it: its
// colours (build it with [NewPalette]; a disabled palette prints plain
// text), the width to fit (Width, 0 for none: see [Palette.Table] and
// [Palette.Wrap]), the one argument paths are shown relative to (Base, see
// [Palette.Rel]) and how capture times are written (Times).
type Palette struct {
	Good, Warn, Bad, Dim, Bold *color.Color

	Width int
	Base  string
	Times Times
}

// NewPalette returns a palette that colours when enabled is true, whatever
// the terminal or NO_COLOR say: the caller decides once (--color).
func NewPalette(enabled bool) Palette {
	p := Palette{
		Good: color.New(color.FgGreen), Warn: color.New(color.FgYellow),
		Bad: color.New(color.FgRed, color.Bold), Dim: color.New(color.Faint), Bold: color.New(color.Bold),
	}
	for _, c := range []*color.Color{p.Good, p.Warn, p.Bad, p.Dim, p.Bold} {
		if enabled {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
	}
	return p
}

// Sanitize makes text taken from input safe for a terminal: control
// characters, escape sequences and invalid UTF-8 are shown as \xNN or
// \u{NNNN} escapes instead of being written raw.
func Sanitize(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || (unicode.IsControl(r) && r != '\t') || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Bidi_Control, r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			b.WriteString(`\x`)
			b.WriteString(hex2(s[i]))
		case r < 0x80 && (unicode.IsControl(r) && r != '\t'):
			b.WriteString(`\x`)
			b.WriteString(hex2(byte(r)))
		case unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Bidi_Control, r):
			fmt.Fprintf(&b, `\u{%x}`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func hex2(c byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[c>>4], digits[c&15]})
}

// NewTable returns an ASCII table with the header case kept and the given
// per-column alignment.
func NewTable(w io.Writer, align ...tw.Align) *tablewriter.Table {
	opts := []tablewriter.Option{
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{Symbols: tw.NewSymbols(tw.StyleASCII)})),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
	}
	if len(align) > 0 {
		opts = append(opts, tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: align}))
	}
	return tablewriter.NewTable(w, opts...)
}

// RenderRows renders a table in one go.
func RenderRows(w io.Writer, header []string, rows [][]string, align ...tw.Align) error {
	t := NewTable(w, align...)
	t.Header(header)
	for _, r := range rows {
		if err := t.Append(r); err != nil {
			return err
		}
	}
	return t.Render()
}

// WriteJSON writes v as indented JSON, with the characters a terminal
// would act on escaped (see [EscapeJSON]) and `<`, `>`, `&` left as they
// are (no HTML escaping: the output is data, not a web page).
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(jsonEscaper{w})
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// WriteNDJSON writes one JSON object per line, each with the field "type"
// set to typ first, for lists that can reach millions of rows: consumers
// stream them without holding an array. Characters are escaped as by
// [WriteJSON].
func WriteNDJSON[T any](w io.Writer, typ string, rows []T) error {
	return NDJSONRows(NewNDJSON(w), typ, rows)
}

// NDJSONRows writes each of rows to nd as a line of type typ.
func NDJSONRows[T any](nd *NDJSONWriter, typ string, rows []T) error {
	for i := range rows {
		if err := nd.Object(typ, &rows[i]); err != nil {
			return err
		}
	}
	return nil
}

// NDJSONWriter writes `--format ndjson`: exactly one JSON object per line, each
// with a "type" field first naming what it is ("entry", "connection",
// "finding", "point", "summary", ...), so that a consumer can tell the
// lines apart (`jq 'select(.type == "finding")'`).
type NDJSONWriter struct {
	w   io.Writer
	buf bytes.Buffer
	enc *json.Encoder
}

// NewNDJSON returns an NDJSON writer to w.
func NewNDJSON(w io.Writer) *NDJSONWriter {
	n := &NDJSONWriter{w: w}
	n.enc = json.NewEncoder(&n.buf)
	n.enc.SetEscapeHTML(false)
	return n
}

// Object writes v as one line with "type": typ first. A v that encodes as
// an object gets its fields after the type, less those named in omit (the
// lists the caller writes as lines of their own); any other value is
// written as {"type": typ, "value": v}.
func (n *NDJSONWriter) Object(typ string, v any, omit ...string) error {
	n.buf.Reset()
	if err := n.enc.Encode(v); err != nil {
		return err
	}
	b := bytes.TrimRight(n.buf.Bytes(), "\n")
	head, err := json.Marshal(typ)
	if err != nil {
		return err
	}
	line := make([]byte, 0, len(b)+len(head)+16)
	line = append(line, `{"type":`...)
	line = append(line, head...)
	switch {
	case len(b) > 0 && b[0] == '{' && len(omit) > 0:
		fields, err := objectFields(b)
		if err != nil {
			return err
		}
		for _, f := range fields {
			if slices.Contains(omit, f.key) || f.key == "type" {
				continue
			}
			line = append(line, ',')
			line = append(line, f.rawKey...)
			line = append(line, ':')
			line = append(line, f.value...)
		}
		line = append(line, '}')
	case len(b) > 1 && b[0] == '{' && b[1] == '}':
		line = append(line, '}')
	case len(b) > 0 && b[0] == '{':
		line = append(line, ',')
		line = append(line, b[1:]...)
	default:
		line = append(line, `,"value":`...)
		line = append(line, b...)
		line = append(line, '}')
	}
	line = append(EscapeJSON(line), '\n')
	_, err = n.w.Write(line)
	return err
}

// field is one member of an encoded JSON object, in encoding order.
type field struct {
	key           string
	rawKey, value []byte
}

// objectFields splits an encoded object into its members, keeping their
// order and their bytes.
func objectFields(b []byte) ([]field, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	if _, err := dec.Token(); err != nil { // '{'
		return nil, err
	}
	var fs []field
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		rk, err := marshalNoHTML(key)
		if err != nil {
			return nil, err
		}
		fs = append(fs, field{key: key, rawKey: rk, value: raw})
	}
	return fs, nil
}

// MarshalIndent is json.MarshalIndent without HTML escaping, for
// renderers that write JSON element by element.
func MarshalIndent(v any, prefix, indent string) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent(prefix, indent)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

func marshalNoHTML(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// jsonEscaper escapes what json.Encoder leaves raw; the encoder hands it
// each value whole, in one Write.
type jsonEscaper struct{ w io.Writer }

func (e jsonEscaper) Write(p []byte) (int, error) {
	if _, err := e.w.Write(EscapeJSON(p)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// jsonRaw reports whether r is a character encoding/json writes raw that
// a terminal may act on: DEL, the C1 controls (U+0080-U+009F, 8-bit CSI
// among them) and the bidirectional controls (U+202A-U+202E,
// U+2066-U+2069 and the marks), which [Sanitize] escapes in tables.
func jsonRaw(r rune) bool {
	return r == 0x7f || (r >= 0x80 && r <= 0x9f) || unicode.Is(unicode.Bidi_Control, r)
}

// EscapeJSON rewrites those characters of encoded JSON as \u escapes.
// Outside strings JSON is ASCII, so every one it finds is inside a
// string, where the escape means the same character. It returns b itself
// when there is nothing to escape.
func EscapeJSON(b []byte) []byte {
	i := 0
	for i < len(b) {
		if b[i] == 0x7f || b[i] >= 0x80 {
			r, n := utf8.DecodeRune(b[i:])
			if jsonRaw(r) {
				break
			}
			i += n
			continue
		}
		i++
	}
	if i == len(b) {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	out = append(out, b[:i]...)
	for i < len(b) {
		r, n := utf8.DecodeRune(b[i:])
		if jsonRaw(r) {
			out = fmt.Appendf(out, `\u%04x`, r)
		} else {
			out = append(out, b[i:i+n]...)
		}
		i += n
	}
	return out
}

// WriteCSV writes a header and rows, sanitizing every cell.
func WriteCSV(w io.Writer, header []string, rows [][]string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, r := range rows {
		for i := range r {
			r[i] = Sanitize(r[i])
		}
		if err := cw.Write(r); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
