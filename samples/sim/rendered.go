package sim

import "bytes"

// Rendered returns the g_all fw tab dump and the kernel-debug capture of
// the default scenario with n connections, in memory (for benchmarks).
func Rendered(n int) (fwtab, kdebug []byte, err error) {
	cfg := DefaultConfig()
	cfg.Conns = n
	s, err := New(cfg)
	if err != nil {
		return nil, nil, err
	}
	var fw, kd bytes.Buffer
	if err := s.WriteFwTabAll(&fw); err != nil {
		return nil, nil, err
	}
	if err := s.WriteKdebug(&kd); err != nil {
		return nil, nil, err
	}
	return fw.Bytes(), kd.Bytes(), nil
}
