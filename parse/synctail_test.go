package parse

import (
	"strings"
	"testing"
)

// TestSyncTail: the numbers after the mask of the seed's SET lines
// (the seed article, verbatim) are read; a line without them
// leaves -1.
func TestSyncTail(t *testing.T) {
	tests := []struct {
		line               string
		refresh, aggr, opc int64
	}{
		{"[vs_0];[tid_7];[fw4_7];SET: connections (8158) keys(6)=<0,ac103d02,77d3,ac103d42,b3,6> vals(34)=<1c001,40044080,f,b,0,68c7d7a2,0,7c718362,c36bddf7,ffffffff,ffffffff,4e,ffffffff,2000800,f9280,80000000,340,0,cec4bb88,7fba,0,0,0,0,0,0,0,0,0,0,0,0,0,0> sync_mask=[0x0001800e] refresh time=3608 aggressive time=509 ttl=0 sync time=1 kmask=0 op_code=0 no n6addrs;", 3608, 509, 0},
		{"SET: connections (8158) keys(6)=<0,ac103d42,b3,ac103d02,77d3,6> vals(34)=<1c001,40044080,f,b,0,68c7d7a2,0,7c718362,c36bddf7,ffffffff,ffffffff,4e,4c,2000800,f9280,80000000,340,0,b700ba48,7fbb,0,0,0,0,0,0,0,0,0,0,0,0,0,0> sync_mask=[00000000] refresh time=3613 aggressive time=522 ttl=0 sync time=2 kmask=0 op_code=40 no n6addrs;", 3613, 522, 40},
		{"[fw4_1];DELETE: connections (8158) keys(6)=<0,a000001,1000,ac100001,1bb,6> sync_mask=[ 0x0000000c];", -1, -1, -1},
		{"[fw4_1];SET: connections (8158) keys(6)=<0,a000001,1000,ac100001,1bb,6> sync_mask=[0x0000000c] refresh time=x op_code=7;", -1, -1, 7},
	}
	for _, tt := range tests {
		r := NewReader(strings.NewReader(tt.line+"\n"), "t")
		if !r.Scan() {
			t.Fatalf("no record: %v", r.Err())
		}
		rec, err := r.Record()
		if err != nil {
			t.Fatal(err)
		}
		if rec.Kind != KindSync || rec.RefreshTime != tt.refresh || rec.AggressiveTime != tt.aggr || rec.OpCode != tt.opc {
			t.Errorf("%s: kind %v refresh %d aggressive %d op_code %d, want %d %d %d", tt.line[:40], rec.Kind, rec.RefreshTime, rec.AggressiveTime, rec.OpCode, tt.refresh, tt.aggr, tt.opc)
		}
	}
}
