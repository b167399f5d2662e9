package report

import (
	"fmt"
	"strconv"
	"strings"
)

// Pct renders a as a whole percentage of b.
func Pct(a, b int) string {
	if b == 0 {
		return "0%"
	}
	return fmt.Sprintf("%.0f%%", 100*float64(a)/float64(b))
}

// Thousands renders 2104 as "2,104".
func Thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// Plural returns w, with an "s" unless n is 1.
func Plural(n int, w string) string {
	if n == 1 {
		return w
	}
	return w + "s"
}
