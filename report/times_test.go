package report

import "testing"

func TestTimeString(t *testing.T) {
	tests := []struct {
		t    float64
		want string
	}{
		{1759209600.4131, "2025-09-30T05:20:00.413Z"},
		{946684800, "2000-01-01T00:00:00.000Z"},
		{100, ""},            // seconds since the capture started
		{882640557.8263, ""}, // 1997: read as a relative clock
		{5e9, ""},
	}
	for _, tt := range tests {
		if got := TimeString(tt.t); got != tt.want {
			t.Errorf("TimeString(%v) = %q, want %q", tt.t, got, tt.want)
		}
	}
}
