## tests/bench/net.mk: (filled in by its area)
