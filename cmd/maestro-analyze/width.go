package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/maestro-analyze/maestro-analyze/report"
)

// minWidth is the narrowest --width or COLUMNS accepted: below it no
// table column has room to be read.
const minWidth = 40

// setLayout sets the palette's width and time zone: --width, else, when
// stdout is a terminal, COLUMNS or the terminal's width; a pipe or a file
// gets full-width tables. Times are UTC unless --local.
func (g *Globals) setLayout(stdio *IO) error {
	if g.Local {
		g.palette.Times = report.Times{Loc: time.Local}
	}
	if g.Width != nil {
		if *g.Width != 0 && (*g.Width < minWidth || *g.Width > 100000) {
			return &report.UsageError{Err: fmt.Errorf("--width %d: want 0 (full width) or %d to 100000 columns", *g.Width, minWidth)}
		}
		g.palette.Width = *g.Width
		return nil
	}
	out, ok := stdio.stdout.(*os.File)
	if !ok || out != os.Stdout || !term.IsTerminal(int(out.Fd())) {
		return nil
	}
	g.palette.Width = terminalWidth(os.Getenv("COLUMNS"), func() (int, error) {
		w, _, err := term.GetSize(int(out.Fd()))
		return w, err
	})
	return nil
}

// terminalWidth is COLUMNS when it holds a usable width, else what size
// says (0, full width, when it cannot tell).
func terminalWidth(columns string, size func() (int, error)) int {
	if n, err := strconv.Atoi(strings.TrimSpace(columns)); err == nil && n >= minWidth {
		return n
	}
	if w, err := size(); err == nil && w >= minWidth {
		return w
	}
	return 0
}

// paletteFor is the palette of a command given args: paths shown
// relative to the one argument, when there is one.
func (g *Globals) paletteFor(args []string) report.Palette {
	p := g.palette
	if len(args) == 1 {
		p.Base = strings.TrimRight(args[0], "/")
		if i := strings.LastIndex(p.Base, "@"); i > 0 && !strings.Contains(p.Base[i:], "/") {
			p.Base = p.Base[:i] // FILE@SGM names FILE
		}
	}
	return p
}
