package decode_test

import (
	"fmt"

	"github.com/maestro-analyze/maestro-analyze/decode"
)

func ExampleCCLID() {
	// Value word 13 of the seed's R81.20 entry.
	fmt.Println(decode.CCLID(0x02008000))
	// Output: 16
}

func ExampleLayout_Owner() {
	l := decode.DefaultLayout
	fmt.Println(l.Owner(0x02008000).Describe(l))
	fmt.Println(l.Owner(0x02010100).Describe(l))
	// Output:
	// 2_03 (CCL id 16)
	// CCL id 32 (outside layout 2x14)
}

func ExampleLayout_Members() {
	sgms, outside := decode.DefaultLayout.Members(0x0001800e)
	fmt.Println(sgms, outside)
	// Output: [1_02 1_03 1_04 2_02 2_03] 0x00000000
}

func ExampleLayout_SyncSets() {
	l := decode.DefaultLayout
	st, _ := decode.ParseSiteStates("1=standby,2=active", l)
	primaries := []decode.SGM{{Site: 1, Member: 2}, {Site: 1, Member: 3}, {Site: 2, Member: 2}, {Site: 2, Member: 3}}
	s := l.SyncSets(0x00038006, st, primaries, decode.SGM{Site: 1, Member: 2})
	fmt.Println("active", s.Active, "backup", s.Backup)
	// Output: active [2_02 2_03] backup [2_04 1_02 1_03]
}

func ExampleExpiry_String() {
	fmt.Println(decode.Expiry{Remaining: 3394, Timeout: 3618})
	// Output: 3394/3618 (56m34s left of 1h0m18s)
}

func ExampleTuple_Canonical() {
	t := decode.Tuple{Src: 0xac103d42, SPort: 179, Dst: 0xac103d02, DPort: 30675, Proto: 6}
	fmt.Println(t.Canonical())
	// Output: 172.16.61.2:30675 -> 172.16.61.66:179 tcp
}
