## examples/net.mk: (filled in by its area)
