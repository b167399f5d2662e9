package parse

// pipeBatch is how many records travel together between the goroutines.
const pipeBatch = 256

// piped is one record, or the rejection of one line: err is nil when rec
// holds a record.
type piped struct {
	rec Record
	err error
}

// Pipe reads r on a goroutine of its own and calls fn on the caller's
// goroutine with each record, or each rejection, in input order: parsing
// and what fn does run on two cores at once. The record passed to fn is
// valid until fn returns. If fn returns an error, reading stops and Pipe
// returns it; otherwise Pipe returns r.Err(). Read r's Stats after Pipe
// returns.
//
// A big plain file found by [Walk] is parsed on every core, in chunks (see
// split.go); fn still sees the records in file order.
//
// Records are copied into a few reused batches; the slices they hold
// (values, extra words, SGMs, raw lines) are swapped with the Reader's, not
// copied, so once the batches are warm no line costs an allocation. Under
// [Reader.SetKeepRaw] a rejection comes with a record too: of KindNone,
// with the Pos, Lines and Raw of the rejected lines.
func Pipe(r *Reader, fn func(*Record, error) error) error {
	return pipeBatches(r, func(b []piped) error {
		for i := range b {
			if err := fn(&b[i].rec, b[i].err); err != nil {
				return err
			}
		}
		return nil
	})
}

// pipeBatches is [Pipe] handing fn the records a batch at a time, in input
// order. The batch is valid until fn returns.
func pipeBatches(r *Reader, fn func([]piped) error) error {
	if r.canSplit() {
		return pipeSplit(r, fn, nil)
	}
	const inFlight = 6
	batches := make(chan []piped, inFlight)
	free := make(chan []piped, inFlight)
	done := make(chan struct{})
	made := 0
	// next returns a free batch, making one while fewer than inFlight
	// exist, so a small input costs one small batch.
	next := func() ([]piped, bool) {
		select {
		case b := <-free:
			return b[:0], true
		default:
		}
		if made < inFlight {
			made++
			return make([]piped, 0, pipeBatch), true
		}
		select {
		case b := <-free:
			return b[:0], true
		case <-done:
			return nil, false
		}
	}
	go func() {
		defer close(batches)
		b, _ := next()
		for r.Scan() {
			b = appendPiped(b, r)
			if len(b) < pipeBatch {
				continue
			}
			select {
			case batches <- b:
			case <-done:
				return
			}
			var ok bool
			if b, ok = next(); !ok {
				return
			}
		}
		if len(b) > 0 {
			select {
			case batches <- b:
			case <-done:
			}
		}
	}()
	var ferr error
	for b := range batches {
		if ferr == nil {
			if ferr = fn(b); ferr != nil {
				close(done)
			}
		}
		free <- b
	}
	if ferr != nil {
		return ferr
	}
	return r.Err()
}
