## docs/man/stream.mk: (filled in by its area)
