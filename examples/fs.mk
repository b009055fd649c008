## examples/fs.mk: (filled in by its area)
