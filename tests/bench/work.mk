## tests/bench/work.mk: the worker pool (queue_work), against libuv.
noinst_PROGRAMS += tests/bench/queue_work
tests_bench_queue_work_SOURCES = tests/bench/queue_work.c $(BENCH_SRC)
tests_bench_queue_work_CFLAGS = $(BENCH_CFLAGS)
tests_bench_queue_work_LDADD = liburingloop.la

if HAVE_LIBUV
noinst_PROGRAMS += tests/bench/queue_work_libuv
tests_bench_queue_work_libuv_SOURCES = tests/bench/queue_work_libuv.c $(BENCH_SRC)
tests_bench_queue_work_libuv_CFLAGS = $(BENCH_CFLAGS) $(LIBUV_CFLAGS)
tests_bench_queue_work_libuv_LDADD = $(LIBUV_LIBS)
endif

EXTRA_DIST += tests/bench/specs/work.json
