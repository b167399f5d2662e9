package parse

import "bytes"

// KeySegment narrows a line to where the parser takes a connection key
// from, so that a search for one connection's addresses need not scan the
// long value lists of the bulk formats:
//
//   - a fw tab -u full entry (`<key; values; ...>`, after an optional
//     `[fw_N]`): the key, up to the first ';';
//   - a kernel-debug sync message (`...;SET: ... keys(6)=<...> vals(...)`):
//     from its "keys(" to the '>' that closes the list; a sync message
//     without "keys(" names no connection (nil);
//   - anything else (links, -f lines, gconn rows, correction lines, dxl):
//     the whole line.
func KeySegment(line []byte) []byte {
	t := trimSpace(line)
	if bytes.HasPrefix(t, []byte("[fw_")) {
		if j := bytes.IndexByte(t, ']'); j > 0 {
			if rest := trimSpace(t[j+1:]); len(rest) > 0 && rest[0] == '<' {
				t = rest
			}
		}
	}
	if len(t) == 0 {
		return t
	}
	switch t[0] {
	case '<':
		if i := bytes.IndexByte(t, ';'); i >= 0 {
			return t[:i]
		}
	case '@', '[', ';':
		body := splitPrefix(t).body
		if opEnd(body) == 0 {
			return t
		}
		k := bytes.Index(body, []byte("keys("))
		if k < 0 {
			return nil
		}
		if end := bytes.IndexByte(body[k:], '>'); end >= 0 {
			return body[k : k+end+1]
		}
		return body[k:]
	}
	return t
}
