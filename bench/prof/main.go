// Command prof runs one analysis over inputs with a CPU profile, for
// bench/run.sh and for finding where the time goes:
//
//	go run ./bench/prof -cpu storms.prof storms FILE...
//	go tool pprof -top storms.prof
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/parse"
	"github.com/maestro-analyze/maestro-analyze/report"
	"github.com/maestro-analyze/maestro-analyze/report/owners"
	"github.com/maestro-analyze/maestro-analyze/report/storms"
)

func main() {
	cpu := flag.String("cpu", "prof.out", "CPU profile file")
	mem := flag.String("mem", "", "allocation profile file (none when empty)")
	flag.Parse()
	if flag.NArg() < 2 {
		fmt.Fprintln(os.Stderr, "usage: prof [-cpu FILE] [-mem FILE] storms|owners FILE...")
		os.Exit(2)
	}
	f, err := os.Create(*cpu)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	feed := report.NewFeed(report.Context{Layout: decode.DefaultLayout}, report.FeedOptions{})
	var rep func() any
	switch flag.Arg(0) {
	case "storms":
		b := storms.New(feed, storms.DefaultOptions())
		storms.NewPstat(feed) // as the storms command does
		rep = func() any { return b.Report() }
	case "owners":
		b := owners.New(feed, 0, 0)
		var size int64
		for _, a := range flag.Args()[1:] {
			name, _, _ := parse.SplitArg(a)
			if st, err := os.Stat(name); err == nil {
				size += st.Size()
			}
		}
		b.GrowForBytes(size) // as the owners command does
		rep = func() any { return b.Report() }
	default:
		fmt.Fprintln(os.Stderr, "unknown analysis", flag.Arg(0))
		os.Exit(2)
	}
	if _, err := feed.Walk(flag.Args()[1:], os.Stdin, parse.DefaultLimits()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	_ = rep()
	pprof.StopCPUProfile()
	_ = f.Close()
	if *mem != "" {
		runtime.GC() // the profile shows the allocations up to the last GC
		m, err := os.Create(*mem)
		if err == nil {
			err = pprof.Lookup("allocs").WriteTo(m, 0)
			_ = m.Close()
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
