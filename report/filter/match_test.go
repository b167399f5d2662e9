package filter

import (
	"testing"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/parse"
)

// TestMatch: each condition on the fields it reads, a link on the owner
// of its entry and either of its keys, the window half-open, and the
// site states: an unknown state is never "not ACTIVE".
func TestMatch(t *testing.T) {
	conn := decode.Tuple{Src: 0xac103d02, SPort: 30675, Dst: 0xac103d42, DPort: 179, Proto: 6}
	other := decode.Tuple{Src: 1, SPort: 2, Dst: 3, DPort: 4, Proto: 17}
	f := func(v float64) *float64 { return &v }
	sync := Line{Kind: parse.KindSync, Op: "SET", HasOwner: true, Owner: 1, HasMask: true, Mask: 0x0001800e,
		HasKey: true, Key: conn, Clocked: true, T: 100}
	link := Line{Kind: parse.KindFwTabLink, HasKey: true, Key: other, Link: conn.Reverse()}
	linked := link
	linked.HasOwner, linked.Owner = true, 1
	outside := sync
	outside.Owner = 40
	standby := decode.SiteStates{decode.Standby, decode.Active}
	unknown := decode.SiteStates{decode.Unknown, decode.Active}
	for _, tt := range []struct {
		name   string
		c      Conditions
		states decode.SiteStates
		l      Line
		want   bool
	}{
		{"owner", Conditions{Owners: []int{1}}, nil, sync, true},
		{"other owner", Conditions{Owners: []int{0, 2}}, nil, sync, false},
		{"no owner", Conditions{Owners: []int{1}}, nil, Line{Kind: parse.KindSync, Op: "DELETE", HasKey: true, Key: conn}, false},
		{"owner site", Conditions{OwnerSites: []int{1}}, nil, sync, true},
		{"owner site 2", Conditions{OwnerSites: []int{2}}, nil, sync, false},
		{"off active", Conditions{OffActive: true}, standby, sync, true},
		{"state unknown", Conditions{OffActive: true}, unknown, sync, false},
		{"outside layout", Conditions{OutsideLayout: true}, nil, outside, true},
		{"inside layout", Conditions{OutsideLayout: true}, nil, sync, false},
		{"outside: no site", Conditions{OffActive: true}, standby, outside, false},
		{"mask has", Conditions{MaskHas: []int{1, 15}}, nil, sync, true},
		{"mask lacks", Conditions{MaskHas: []int{1, 0}}, nil, sync, false},
		{"op", Conditions{Ops: []string{"REFRESH", "SET"}}, nil, sync, true},
		{"other op", Conditions{Ops: []string{"DELETE"}}, nil, sync, false},
		{"conn", Conditions{Conn: &conn}, nil, sync, true},
		{"conn reversed", Conditions{Conn: ptr(conn.Reverse())}, nil, sync, true},
		{"other conn", Conditions{Conn: &other}, nil, Line{Kind: parse.KindSync, HasKey: true, Key: conn}, false},
		{"window", Conditions{From: f(100), To: f(101)}, nil, sync, true},
		{"window end", Conditions{From: f(99), To: f(100)}, nil, sync, false},
		{"no clock", Conditions{From: f(0)}, nil, Line{Kind: parse.KindFwTab, HasOwner: true}, false},
		{"link by its linked key", Conditions{Conn: &conn}, nil, link, true},
		{"link without its entry", Conditions{Owners: []int{1}}, nil, link, false},
		{"link with its entry's owner", Conditions{Owners: []int{1}, Conn: &conn}, nil, linked, true},
		{"link has no op", Conditions{Ops: []string{"SET"}}, nil, linked, false},
		{"all together", Conditions{Owners: []int{1}, OffActive: true, MaskHas: []int{15}, Ops: []string{"SET"}, Conn: &conn, From: f(50), To: f(150)}, standby, sync, true},
	} {
		if got := NewMatcher(tt.c, decode.DefaultLayout, tt.states).Match(&tt.l); got != tt.want {
			t.Errorf("%s: Match = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func ptr[T any](v T) *T { return &v }
