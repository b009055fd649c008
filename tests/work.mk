## tests/work.mk: (filled in by its area)
