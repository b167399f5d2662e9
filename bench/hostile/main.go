// Command hostile writes the big hostile inputs of issue #18's memory
// promises, for bench/rss.sh (they are never committed):
//
//	corrections.txt.gz  -mib MiB of correction lines, gzipped
//	panics.txt          -mib/2 MiB of kernel panic lines
//	down.txt            -mib/2 MiB of asg stat DOWN rows
//	members-N.tgz       four archives of -members one-line members each
//
//	go run ./bench/hostile -out DIR [-mib 1024] [-members 200000]
package main

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

func main() {
	out := flag.String("out", "", "folder to write into")
	mib := flag.Int64("mib", 1024, "MiB of correction lines (panic lines and DOWN rows: half each)")
	members := flag.Int("members", 200000, "members of each of the four archives")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "usage: hostile -out DIR [-mib N] [-members N]")
		os.Exit(2)
	}
	if err := run(*out, *mib<<20, *members); err != nil {
		fmt.Fprintln(os.Stderr, "hostile:", err)
		os.Exit(1)
	}
}

func run(dir string, size int64, members int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	const (
		corr   = "@;5000;[kern];[tid_40];[fw4_0];fwha_ccl_is_stateful_corr_needed: <10.0.0.1(4096) -> 172.16.0.1(443) IPP6>: chassis 0 is STANDBY in VS0, will not correct;\n"
		panics = "Mar 12 01:33:38 gw-ch01-02 kernel: Kernel panic - not syncing: Fatal exception\n"
		down   = "| 3              DOWN           Inactive                  NA                |\n"
	)
	if err := repeat(filepath.Join(dir, "corrections.txt.gz"), "", corr, size, true); err != nil {
		return err
	}
	if err := repeat(filepath.Join(dir, "panics.txt"), "", panics, size/2, false); err != nil {
		return err
	}
	if err := repeat(filepath.Join(dir, "down.txt"), "| Chassis 1                     STANDBY                                     |\n", down, size/2, false); err != nil {
		return err
	}
	for i := range 4 {
		if err := archive(filepath.Join(dir, fmt.Sprintf("members-%d.tgz", i+1)), members); err != nil {
			return err
		}
	}
	return nil
}

// repeat writes head then line until size bytes, gzipped when gz.
func repeat(path, head, line string, size int64, gz bool) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	var w io.Writer = f
	var zw *gzip.Writer
	if gz {
		zw, _ = gzip.NewWriterLevel(f, gzip.BestSpeed)
		w = zw
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	_, _ = bw.WriteString(head)
	for n := int64(len(head)); n < size; n += int64(len(line)) {
		_, _ = bw.WriteString(line)
	}
	err = bw.Flush()
	if zw != nil && err == nil {
		err = zw.Close()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// archive writes a .tgz of n one-line members in 100 folders.
func archive(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	zw, _ := gzip.NewWriterLevel(f, gzip.BestSpeed)
	tw := tar.NewWriter(zw)
	body := []byte("This is Check Point's software version R81.10 - Build 040\n")
	for i := range n {
		h := &tar.Header{Name: fmt.Sprintf("bundle/d%02d/m%d.txt", i%100, i), Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}
		if err = tw.WriteHeader(h); err != nil {
			break
		}
		if _, err = tw.Write(body); err != nil {
			break
		}
	}
	if err == nil {
		err = tw.Close()
	}
	if err == nil {
		err = zw.Close()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
