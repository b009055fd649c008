# tests/bench: benchmarks, built by make, run by tests/bench/run (not make check)
## noinst_PROGRAMS, so plain `make` builds them and `make check` leaves them
## alone.  Comparison programs (liburing, libuv) build only when configure
## found the library; the driver skips a missing one with a clear line.
## -O2 explicitly: numbers are only comparable from optimised builds.
BENCH_CFLAGS = $(AM_CFLAGS) -O2
BENCH_SRC = tests/bench/bench.h tests/bench/benchctl.h

noinst_PROGRAMS += tests/bench/ring_nop
tests_bench_ring_nop_SOURCES = tests/bench/ring_nop.c $(BENCH_SRC)
tests_bench_ring_nop_CFLAGS = $(BENCH_CFLAGS)
tests_bench_ring_nop_LDADD = liburingloop.la

if HAVE_LIBURING
noinst_PROGRAMS += tests/bench/ring_nop_liburing
tests_bench_ring_nop_liburing_SOURCES = tests/bench/ring_nop_liburing.c $(BENCH_SRC)
tests_bench_ring_nop_liburing_CFLAGS = $(BENCH_CFLAGS) $(LIBURING_CFLAGS)
tests_bench_ring_nop_liburing_LDADD = $(LIBURING_LIBS)
endif

noinst_PROGRAMS += tests/bench/million_timers
tests_bench_million_timers_SOURCES = tests/bench/million_timers.c $(BENCH_SRC)
tests_bench_million_timers_CFLAGS = $(BENCH_CFLAGS)
tests_bench_million_timers_LDADD = liburingloop.la

noinst_PROGRAMS += tests/bench/close_many
tests_bench_close_many_SOURCES = tests/bench/close_many.c $(BENCH_SRC)
tests_bench_close_many_CFLAGS = $(BENCH_CFLAGS)
tests_bench_close_many_LDADD = liburingloop.la

noinst_PROGRAMS += tests/bench/async
tests_bench_async_SOURCES = tests/bench/async.c $(BENCH_SRC)
tests_bench_async_CFLAGS = $(BENCH_CFLAGS) -pthread
tests_bench_async_LDADD = liburingloop.la -lpthread

if HAVE_LIBUV
noinst_PROGRAMS += tests/bench/million_timers_libuv
tests_bench_million_timers_libuv_SOURCES = tests/bench/million_timers_libuv.c $(BENCH_SRC)
tests_bench_million_timers_libuv_CFLAGS = $(BENCH_CFLAGS) $(LIBUV_CFLAGS)
tests_bench_million_timers_libuv_LDADD = $(LIBUV_LIBS)

noinst_PROGRAMS += tests/bench/async_libuv
tests_bench_async_libuv_SOURCES = tests/bench/async_libuv.c $(BENCH_SRC)
tests_bench_async_libuv_CFLAGS = $(BENCH_CFLAGS) $(LIBUV_CFLAGS) -pthread
tests_bench_async_libuv_LDADD = $(LIBUV_LIBS) -lpthread
endif

EXTRA_DIST += tests/bench/run

include tests/bench/net.mk
include tests/bench/fs.mk
include tests/bench/work.mk
include tests/bench/recv.mk
