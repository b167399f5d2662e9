package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "update golden files and scripts")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"maestro-analyze": func() {
			os.Exit(run(context.Background(), os.Args[1:], &IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}))
		},
	})
}

func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{Dir: "testdata/script", UpdateScripts: *update, RequireExplicitExec: true})
}

// runIn runs the command in-process and returns its status and streams.
func runIn(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errw bytes.Buffer
	code := run(t.Context(), args, &IO{In: strings.NewReader(stdin), Out: &out, Err: &errw})
	return code, out.String(), errw.String()
}

func TestExitCodes(t *testing.T) {
	tests := []struct {
		name string
		args []string
		in   string
		code int
	}{
		{"help", []string{"--help"}, "", exitOK},
		{"version", []string{"--version"}, "", exitOK},
		{"unknown flag", []string{"--bogus"}, "", exitUsage},
		{"bad format", []string{"--format", "xml", "ccl"}, "", exitUsage},
		{"bad layout", []string{"--layout", "9x99", "ccl"}, "", exitUsage},
		{"bad sites", []string{"--sites", "3=up", "ccl"}, "", exitUsage},
		{"bad mask", []string{"mask", "0xZZ"}, "", exitUsage},
		{"rejected line", []string{"decode"}, "garbage\n", exitError},
		{"clean decode", []string{"decode"}, "1_01:\n", exitOK},
		{"missing dxl file", []string{"decode", "--dxl", "/nonexistent/dxl.txt"}, "", exitError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runIn(t, tt.in, tt.args...)
			if code != tt.code {
				t.Errorf("status %d, want %d (stderr %q)", code, tt.code, stderr)
			}
		})
	}
}

// TestSamples runs the README's main command on every sample and compares
// with the expected report checked in beside the tests.
func TestSamples(t *testing.T) {
	tests := []struct {
		sample string
		args   []string
		golden string
	}{
		{"entries.txt", []string{"decode", "--color", "never"}, "entries.table"},
		{"entries.txt", []string{"decode", "--format", "json", "--sites", "1=standby,2=active", "--dxl", "../../samples/dxl.txt"}, "entries.json"},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			in, err := os.ReadFile(filepath.Join("../../samples", tt.sample))
			if err != nil {
				t.Fatal(err)
			}
			code, out, stderr := runIn(t, string(in), tt.args...)
			if code != exitOK || stderr != "" {
				t.Fatalf("status %d, stderr %q", code, stderr)
			}
			path := filepath.Join("testdata/samples", tt.golden)
			if *update {
				if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if out != string(want) {
				t.Errorf("output differs from %s (go test -update, then review)", path)
			}
		})
	}
}
