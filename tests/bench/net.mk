## tests/bench/net.mk: the networking benchmarks (ping_pongs, pump,
## write_batch, pound, idle_conns, http, syscalls), one program per
## implementation.  netbench.c (main, measurement) and netclient.c (the
## load) are shared; net_<impl>.c is the server.  Run by tests/bench/run
## through tests/bench/specs/net.json.
NET_BENCH_SRC = tests/bench/netbench.c tests/bench/netclient.c \
	tests/bench/netbench.h $(BENCH_SRC)

noinst_PROGRAMS += tests/bench/net_uringloop
tests_bench_net_uringloop_SOURCES = tests/bench/net_uringloop.c $(NET_BENCH_SRC)
tests_bench_net_uringloop_CFLAGS = $(BENCH_CFLAGS)
tests_bench_net_uringloop_LDADD = liburingloop.la -lm

noinst_PROGRAMS += tests/bench/net_epoll
tests_bench_net_epoll_SOURCES = tests/bench/net_epoll.c $(NET_BENCH_SRC)
tests_bench_net_epoll_CFLAGS = $(BENCH_CFLAGS)
tests_bench_net_epoll_LDADD = -lm

if HAVE_LIBUV
noinst_PROGRAMS += tests/bench/net_libuv
tests_bench_net_libuv_SOURCES = tests/bench/net_libuv.c $(NET_BENCH_SRC)
tests_bench_net_libuv_CFLAGS = $(BENCH_CFLAGS) $(LIBUV_CFLAGS)
tests_bench_net_libuv_LDADD = $(LIBUV_LIBS) -lm
endif

EXTRA_DIST += tests/bench/specs/net.json
