package main

import (
	"fmt"

	"github.com/maestro-analyze/maestro-analyze/parse"
	"github.com/maestro-analyze/maestro-analyze/report"
)

// readInputs walks every argument (stdin, files, folders, archives, nested
// archives) and hands each input's Reader to read. Inputs that were skipped
// or not read to the end (hostile archive members, limits) are printed on
// stderr and, when skip is not nil, handed to it too. Under --strict a
// rejected line or a skipped input is an error.
func readInputs(args []string, stdio *IO, e *env, lim parse.Limits, skip func(parse.Skipped), read func(parse.Source, *parse.Reader) error) error {
	skipped, err := parse.Walk(args, stdio.In, lim, read)
	for _, s := range skipped {
		fmt.Fprintf(stdio.Err, "maestro-analyze: %s\n", report.Sanitize(s.String()))
		if skip != nil {
			skip(s)
		}
	}
	if parse.IsRejected(err) {
		fmt.Fprintln(stdio.Err, report.Sanitize(err.Error()))
		return rejectedError{1}
	}
	if err != nil {
		return err
	}
	if e.strict && len(skipped) > 0 {
		return fmt.Errorf("--strict: %d of the inputs or archive members skipped or not read to the end", len(skipped))
	}
	return nil
}
