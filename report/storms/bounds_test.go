package storms

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/report"
)

func TestOptionsCheck(t *testing.T) {
	if err := DefaultOptions().Check(); err != nil {
		t.Fatal(err)
	}
	nan, inf := math.NaN(), math.Inf(1)
	for _, mod := range []func(*Options){
		func(o *Options) { o.Bucket = nan }, func(o *Options) { o.Bucket = inf }, func(o *Options) { o.Bucket = 1e-10 },
		func(o *Options) { o.RefreshInterval = nan }, func(o *Options) { o.BurstFactor = -inf },
		func(o *Options) { o.SwitchoverAt = &nan }, func(o *Options) { o.SendingQueue = math.MaxInt64 },
		func(o *Options) { o.SyncIntervalMs = 0 },
	} {
		o := DefaultOptions()
		mod(&o)
		if o.Check() == nil {
			t.Errorf("%+v passed", o)
		}
	}
	if satCount(math.NaN()) != 0 || satCount(1e300) != math.MaxInt64 || satCount(-5) != 0 || satCount(42.7) != 42 {
		t.Error("satCount")
	}
}

// TestBucketIndexBounded: a stamp whose bucket index leaves ±2^53 is
// counted, not placed (it wrapped into a negative int64 before).
func TestBucketIndexBounded(t *testing.T) {
	f := report.NewFeed(report.Context{Layout: decode.DefaultLayout}, report.FeedOptions{TSUnit: 1})
	opt := DefaultOptions()
	opt.Bucket = MinBucket
	s := New(f, opt)
	line := "@;%s;[fw4_1];SET: connections (8158) keys(6)=<0,a000001,1000,ac100001,1bb,6> vals(14)=<1c001,0,0,0,0,0,0,0,0,0,0,0,0,2000800> sync_mask=[0x0000000e];\n"
	var in strings.Builder
	for _, st := range []string{"5", "999999999999999999", "6"} {
		in.WriteString(strings.Replace(line, "%s", st, 1))
	}
	if err := f.ReadString("c", in.String()); err != nil {
		t.Fatal(err)
	}
	r := s.Report()
	if r.Messages != 3 || len(r.Timeline) != 2 || !strings.Contains(r.ClockNote, "1 messages with a stamp out of range") {
		t.Errorf("messages %d, timeline %v, note %q", r.Messages, r.Timeline, r.ClockNote)
	}
	if *r.End > 7 || *r.Start < 5 {
		t.Errorf("span %v..%v", *r.Start, *r.End)
	}
	var b bytes.Buffer
	if err := report.WriteJSON(&b, r); err != nil || !json.Valid(b.Bytes()) {
		t.Fatal(err)
	}
}
