## tests/fs.mk: (filled in by its area)
