# tests/bench: benchmarks, built by make, run by tests/bench/run (not make check)
