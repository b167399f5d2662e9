package parse

import "testing"

func TestKeySegment(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<00000000, ac103d42, 000047df, ac103d02, 000000b3, 00000006; 0001c001, 02008000; 3394/3618>", "<00000000, ac103d42, 000047df, ac103d02, 000000b3, 00000006"},
		{"[fw_0] <00000000, 0a0d0777, 0000851a, 0a0d0873, 00000016, 00000006; 0; 1/2>", "<00000000, 0a0d0777, 0000851a, 0a0d0873, 00000016, 00000006"},
		{"@;5;[vs_0];[fw4_7];SET: connections (8158) keys(6)=<0,ac103d02,77d3,ac103d42,b3,6> vals(2)=<1,2> sync_mask=[0x0001800e];", "keys(6)=<0,ac103d02,77d3,ac103d42,b3,6>"},
		{";[cpu_3];[fw4_0];REFRESH: connections sync_mask=[0x1];", ""},
		{"[kern];[tid_40];fwha_ccl_inbound: no need to correct <172.16.61.2(33183) -> 172.16.61.66(31435) IPP6>", "[kern];[tid_40];fwha_ccl_inbound: no need to correct <172.16.61.2(33183) -> 172.16.61.66(31435) IPP6>"},
		{"| 0 | 192.168.3.52 | 18192 | 192.168.3.240 | 46082 | 6 |", "| 0 | 192.168.3.52 | 18192 | 192.168.3.240 | 46082 | 6 |"},
		{"[Expert@gw:0]# fw tab", "[Expert@gw:0]# fw tab"},
		{"  ", ""},
	}
	for _, tt := range tests {
		if got := string(KeySegment([]byte(tt.in))); got != tt.want {
			t.Errorf("KeySegment(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
