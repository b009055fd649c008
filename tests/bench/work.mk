## tests/bench/work.mk: (filled in by its area)
