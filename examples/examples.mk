## examples: programs a user would copy from.  Built by `make`, not installed.
noinst_PROGRAMS += examples/ring-cp
examples_ring_cp_SOURCES = examples/ring-cp.c
examples_ring_cp_LDADD = liburingloop.la
