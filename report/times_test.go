package report

import "testing"

func TestTimeString(t *testing.T) {
	tests := []struct {
		t    float64
		want string
	}{
		{1759209600.4131, "2025-09-30T05:20:00.413Z"},
		{1e9, "2001-09-09T01:46:40.000Z"},
		{100, ""},            // seconds since the capture started
		{882640557.8263, ""}, // 1997: read as a relative clock (below EpochMin)
		{5e9, "2128-06-11T08:53:20.000Z"},
	}
	for _, tt := range tests {
		if got := TimeString(tt.t); got != tt.want {
			t.Errorf("TimeString(%v) = %q, want %q", tt.t, got, tt.want)
		}
	}
}
