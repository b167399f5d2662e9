// Package simtest writes simulated scenarios for the tests of the packages
// the simulator checks.
package simtest

import (
	"testing"

	"github.com/maestro-analyze/maestro-analyze/samples/sim"
)

// Dir writes the scenario of cfg (every file of sim.WriteDir) into a
// temporary folder of t, and returns the folder and the scenario's truth.
func Dir(t testing.TB, cfg sim.Config) (string, sim.Truth) {
	t.Helper()
	s, err := sim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := s.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	return dir, s.Truth()
}
