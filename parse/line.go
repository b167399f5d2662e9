package parse

// Line returns the physical line of the current record or rejection, as
// read (without its line ending), so a report can quote wording the record
// does not keep, such as a correction line's decision ("will not correct").
// It is nil for an entry joined from several lines. Like the record, it is
// valid until the next call to Scan. Under [Pipe] the Reader runs ahead of
// the records handed out, so Line does not belong to them there.
func (r *Reader) Line() []byte { return r.cur }
