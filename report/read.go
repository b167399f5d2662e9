package report

import "github.com/maestro-analyze/maestro-analyze/parse"

// readRecords feeds every record of r to add, through [parse.Pipe]. Under
// strict the first rejected line is returned as an error; otherwise
// rejected lines are only counted, in r's Stats.
func readRecords(r *parse.Reader, strict bool, add func(*parse.Record)) error {
	return parse.Pipe(r, func(rec *parse.Record, err error) error {
		if err != nil {
			if strict {
				return err
			}
			return nil
		}
		add(rec)
		return nil
	})
}
