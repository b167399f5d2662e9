// Package simtest writes simulated scenarios for the tests of the packages
// the simulator checks.
package simtest

import (
	"testing"

	"github.com/maestro-analyze/maestro-analyze/samples/sim"
)

// Dir writes the scenario of cfg (every file of sim.WriteDir) into a
// temporary folder of tb, and returns the folder and the scenario's truth.
func Dir(tb testing.TB, cfg sim.Config) (string, sim.Truth) {
	tb.Helper()
	s, err := sim.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	dir := tb.TempDir()
	if err := s.WriteDir(dir); err != nil {
		tb.Fatal(err)
	}
	return dir, s.Truth()
}
