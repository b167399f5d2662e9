package report

import "testing"

func TestSanitize(t *testing.T) {
	tests := map[string]string{
		"plain 1_02":      "plain 1_02",
		"tab\tok":         "tab\tok",
		"esc\x1b[31mred":  `esc\x1b[31mred`,
		"bell\a":          `bell\x07`,
		"bad\xffutf8":     `bad\xffutf8`,
		"c1\u009bcsi":     `c1\u{9b}csi`,
		"bidi\u202eevil":  `bidi\u{202e}evil`,
		"newline\nsplit":  `newline\x0asplit`,
		"unicode ok: é ✓": "unicode ok: é ✓",
	}
	for in, want := range tests {
		if got := Sanitize(in); got != want {
			t.Errorf("Sanitize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 2104: "2,104", 1234567: "1,234,567", -5000: "-5,000"} {
		if got := Thousands(n); got != want {
			t.Errorf("Thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestFindingClean: evidence is cut at MaxEvidence with the count of what
// is not listed, including what the caller already counted.
func TestFindingClean(t *testing.T) {
	ev := []string{"a:1", "a:2", "a:3", "a:4", "a:5", "a:6", "a:7"}
	if got := (Finding{Evidence: ev}).Clean().Evidence; len(got) != 6 || got[5] != "and 2 more" {
		t.Errorf("cut: %q", got)
	}
	if got := (Finding{Evidence: append(ev, "and 10 more")}).Clean().Evidence; len(got) != 6 || got[5] != "and 12 more" {
		t.Errorf("cut with a count: %q", got)
	}
	if got := (Finding{Evidence: []string{"a:1", "and 3 more"}}).Clean(); len(got.Evidence) != 2 || got.Evidence[1] != "and 3 more" || got.SGMs == nil {
		t.Errorf("short: %+v", got)
	}
	if got := (Finding{Message: "x\x1b[31m"}).Clean().Message; got != `x\x1b[31m` {
		t.Errorf("message not sanitized: %q", got)
	}
}
