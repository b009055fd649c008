## tests/stream.mk: (filled in by its area)
