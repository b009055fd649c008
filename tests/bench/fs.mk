## tests/bench/fs.mk: (filled in by its area)
