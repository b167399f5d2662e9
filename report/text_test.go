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
