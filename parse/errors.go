package parse

import (
	"errors"
	"fmt"
)

// Pos is a position in an input: its name ("<stdin>", a file path or
// "archive!member"), a 1-based line and, when known, a 1-based byte column.
type Pos struct {
	Name string
	Line int
	Col  int
}

// String renders "name:line" or "name:line:col".
func (p Pos) String() string {
	if p.Col > 0 {
		return fmt.Sprintf("%s:%d:%d", p.Name, p.Line, p.Col)
	}
	return fmt.Sprintf("%s:%d", p.Name, p.Line)
}

// SyntaxError reports a line that was rejected. It is not fatal: the
// [Reader] goes on with the next line.
type SyntaxError struct {
	Pos Pos    // where the problem is
	Msg string // what was expected and what was found
	Err error  // one of the sentinel errors below
	// Quiet marks a repeat of a reason already reported for this input
	// (more binary lines, the rest of a JSON file): it is counted, and
	// callers may leave it out of their per-line messages.
	Quiet bool
}

// Error renders "file:line[:col]: msg".
func (e *SyntaxError) Error() string { return e.Pos.String() + ": " + e.Msg }

// Unwrap returns the sentinel cause.
func (e *SyntaxError) Unwrap() error { return e.Err }

// These are the errors that can be returned in [SyntaxError.Err]. Their
// texts name the reason in the rejected-line counts.
var (
	ErrUnrecognized = errors.New("unrecognized line")
	ErrTruncated    = errors.New("truncated entry")
	ErrHex          = errors.New("non-hex word")
	ErrCount        = errors.New("wrong value count")
	ErrField        = errors.New("bad field")
	ErrLineTooLong  = errors.New("line too long")
	ErrBinary       = errors.New("binary data")
	ErrTimestamp    = errors.New("bad timestamp")
	ErrCounter      = errors.New("bad counter")
)

func synErr(pos Pos, cause error, format string, args ...any) *SyntaxError {
	return &SyntaxError{Pos: pos, Msg: fmt.Sprintf(format, args...), Err: cause}
}
