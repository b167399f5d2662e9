package parse

// pipeBatch is how many records travel together between the goroutines.
const pipeBatch = 256

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
// Records are copied into a few reused batches; the slices they hold
// (values, extra words, SGMs) are swapped with the Reader's, not copied, so
// no line costs an allocation.
func Pipe(r *Reader, fn func(*Record, error) error) error {
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
			rec, err := r.Record()
			n := len(b)
			b = b[:n+1]
			it := &b[n]
			it.err = err
			if err == nil {
				vals, extra, sgms := it.rec.Vals, it.rec.Extra, it.rec.SGMs
				it.rec = *rec
				rec.Vals, rec.Extra, rec.SGMs = vals[:0], extra[:0], sgms[:0]
			}
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
		for i := 0; i < len(b) && ferr == nil; i++ {
			if ferr = fn(&b[i].rec, b[i].err); ferr != nil {
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
