package main

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

// fuzzCapture is a small capture with a clock, a wave, a correction line
// and a syncstat: enough for every part of the storm report.
const fuzzCapture = `@;1000000;[fw4_1];SET: connections (8158) keys(6)=<0,a000001,1000,ac100001,1bb,6> vals(14)=<1c001,0,0,0,0,0,0,0,0,0,0,0,0,2000800> sync_mask=[0x0000000e];
@;100000000;[fw4_1];SET: connections (8158) keys(6)=<0,a000001,1000,ac100001,1bb,6> vals(14)=<1c001,0,0,0,0,0,0,0,0,0,0,0,0,2000800> sync_mask=[0x00038002];
@;100000001;[fw4_1];SET: connections (8158) keys(6)=<0,a000002,1000,ac100001,1bb,6> vals(14)=<1c001,0,0,0,0,0,0,0,0,0,0,0,0,2000800> sync_mask=[0x00038002];
@;100000002;[fw4_1];SET: connections (8158) keys(6)=<0,a000003,1000,ac100001,1bb,6> vals(14)=<1c001,0,0,0,0,0,0,0,0,0,0,0,0,2000800> sync_mask=[0x00038002];
@;612000001;[fw4_1];REFRESH: connections (8158) keys(6)=<0,a000001,1000,ac100001,1bb,6> sync_mask=[0x00038002];
@;612000002;[fw4_1];REFRESH: connections (8158) keys(6)=<0,a000002,1000,ac100001,1bb,6> sync_mask=[0x00038002];
@;999999999999999999;[fw4_1];REFRESH: connections (8158) keys(6)=<0,a000003,1000,ac100001,1bb,6> sync_mask=[0x00038002];
@;100000003;[kern];[tid_40];[fw4_0];fwha_ccl_is_stateful_corr_needed: <172.16.61.2(33183) -> 172.16.61.66(31435) IPP6>: chassis 0 is STANDBY in VS0, will not correct;
`

// FuzzStormsFlags runs storms in-process with random numbers for every
// number flag, in every format: the flags either refuse a value (usage,
// 80) or the report is built and rendered, with no panic and no NaN or
// Inf in the JSON.
func FuzzStormsFlags(f *testing.F) {
	f.Add(1.0, 512.0, 5.0, 0.0, int64(512), int64(100), uint8(2))
	f.Add(0.001, 1.0, 1.0, 1e15, int64(1), int64(1), uint8(0))
	f.Add(86400.0, 86400.0, 1000.0, -1e15, int64(1<<20), int64(60000), uint8(1))
	f.Add(1e-10, 0.1, 0.5, 5.0, int64(0), int64(-5), uint8(3))
	f.Fuzz(func(t *testing.T, bucket, refresh, burst, switchover float64, queue, interval int64, unit uint8) {
		num := func(v float64) string { return "=" + strconv.FormatFloat(v, 'g', -1, 64) }
		args := []string{"storms",
			"--bucket" + num(bucket), "--refresh-interval" + num(refresh), "--burst-factor" + num(burst),
			"--sending-queue=" + strconv.FormatInt(queue, 10), "--sync-interval=" + strconv.FormatInt(interval, 10),
			"--ts-unit=" + []string{"s", "ms", "us", "ns"}[unit%4],
		}
		if switchover != 0 {
			args = append(args, "--switchover-at"+num(switchover))
		}
		for _, format := range []string{"table", "json", "csv", "ndjson"} {
			var out, errw bytes.Buffer
			code := run(t.Context(), append(args, "-f", format, "-"), &IO{In: strings.NewReader(fuzzCapture), Out: &out, Err: &errw})
			switch code {
			case exitUsage:
				if format == "table" && !strings.HasPrefix(errw.String(), "maestro-analyze: --") {
					t.Fatalf("%v: usage error naming no flag: %q", args, errw.String())
				}
				return
			case exitOK:
			default:
				t.Fatalf("%v -f %s: status %d, stderr %q", args, format, code, errw.String())
			}
			if format == "json" || format == "ndjson" {
				docs := []string{out.String()}
				if format == "ndjson" { // one object per line
					docs = strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
				}
				for _, d := range docs {
					if !json.Valid([]byte(d)) || !strings.HasPrefix(d, "{") {
						t.Fatalf("%v -f %s: invalid JSON %q", args, format, d)
					}
				}
				if s := out.String(); strings.Contains(s, "NaN") || strings.Contains(s, "Inf") {
					t.Fatalf("%v: NaN or Inf in\n%s", args, s)
				}
			}
		}
	})
}
