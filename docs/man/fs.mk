## docs/man/fs.mk: (filled in by its area)
