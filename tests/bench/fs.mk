## tests/bench/fs.mk: file-system benchmarks (fs_copy, fs_stat); the
## driver's entries are in tests/bench/specs/fs.json.
noinst_PROGRAMS += tests/bench/fs_copy
tests_bench_fs_copy_SOURCES = tests/bench/fs_copy.c tests/bench/fs_copy_common.h $(BENCH_SRC)
tests_bench_fs_copy_CFLAGS = $(BENCH_CFLAGS)
tests_bench_fs_copy_LDADD = liburingloop.la

noinst_PROGRAMS += tests/bench/fs_copy_cp
tests_bench_fs_copy_cp_SOURCES = tests/bench/fs_copy_cp.c tests/bench/fs_copy_common.h $(BENCH_SRC)
tests_bench_fs_copy_cp_CFLAGS = $(BENCH_CFLAGS)

noinst_PROGRAMS += tests/bench/fs_stat
tests_bench_fs_stat_SOURCES = tests/bench/fs_stat.c $(BENCH_SRC)
tests_bench_fs_stat_CFLAGS = $(BENCH_CFLAGS)
tests_bench_fs_stat_LDADD = liburingloop.la

if HAVE_LIBUV
noinst_PROGRAMS += tests/bench/fs_copy_libuv
tests_bench_fs_copy_libuv_SOURCES = tests/bench/fs_copy_libuv.c tests/bench/fs_copy_common.h $(BENCH_SRC)
tests_bench_fs_copy_libuv_CFLAGS = $(BENCH_CFLAGS) $(LIBUV_CFLAGS)
tests_bench_fs_copy_libuv_LDADD = $(LIBUV_LIBS)

noinst_PROGRAMS += tests/bench/fs_stat_libuv
tests_bench_fs_stat_libuv_SOURCES = tests/bench/fs_stat_libuv.c $(BENCH_SRC)
tests_bench_fs_stat_libuv_CFLAGS = $(BENCH_CFLAGS) $(LIBUV_CFLAGS)
tests_bench_fs_stat_libuv_LDADD = $(LIBUV_LIBS)
endif

EXTRA_DIST += tests/bench/specs/fs.json
