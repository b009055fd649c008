## docs/man/work.mk: (filled in by its area)
