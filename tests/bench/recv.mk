## tests/bench/recv.mk: receive variants at ring level (multishot recv with
## bundles, incremental buffer rings, direct descriptors), one program
## that runs one variant per invocation.  Run by tests/bench/run through
## tests/bench/specs/recv_variants.json; not by make check.
noinst_PROGRAMS += tests/bench/recv_variants
tests_bench_recv_variants_SOURCES = tests/bench/recv_variants.c $(BENCH_SRC)
tests_bench_recv_variants_CFLAGS = $(BENCH_CFLAGS)
tests_bench_recv_variants_LDADD = liburingloop.la

EXTRA_DIST += tests/bench/specs/recv_variants.json
