## tests/stress: the stress and soak driver, built by make, run by hand or
## by tests/stress/run-ci.sh (not by make check).  See tests/stress/README.md.
## noinst_PROGRAMS: plain `make` builds them, with the build's flags (the
## ASan build gets an ASan driver).  -I runtime: on a stalled run, -v dumps
## the read-buffer pool from runtime/net/stream-internal.h.
STRESS_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/runtime
STRESS_CFLAGS = $(AM_CFLAGS) $(PTHREAD_CFLAGS)
STRESS_LIBS = liburingloop.la $(PTHREAD_LIBS)

noinst_PROGRAMS += tests/stress/stress
tests_stress_stress_SOURCES = tests/stress/stress.c tests/stress/stress.h \
	tests/stress/echo.c tests/stress/overflow.c tests/stress/timers.c \
	tests/stress/async.c tests/stress/msgclose.c tests/stress/closes.c \
	tests/stress/stalls.c
tests_stress_stress_CPPFLAGS = $(STRESS_CPPFLAGS)
tests_stress_stress_CFLAGS = $(STRESS_CFLAGS)
tests_stress_stress_LDADD = $(STRESS_LIBS)

## Minimal reproductions of library bugs the stress runs found: each exits
## 0 once the bug is fixed, 1 while it is there (README.md, "Findings").
noinst_PROGRAMS += tests/stress/repro-keep-release
tests_stress_repro_keep_release_SOURCES = tests/stress/repro-keep-release.c
tests_stress_repro_keep_release_CFLAGS = $(STRESS_CFLAGS)
tests_stress_repro_keep_release_LDADD = $(STRESS_LIBS)

noinst_PROGRAMS += tests/stress/repro-chain-sqe
tests_stress_repro_chain_sqe_SOURCES = tests/stress/repro-chain-sqe.c
tests_stress_repro_chain_sqe_CFLAGS = $(STRESS_CFLAGS)
tests_stress_repro_chain_sqe_LDADD = $(STRESS_LIBS)

noinst_PROGRAMS += tests/stress/repro-reap-livelock
tests_stress_repro_reap_livelock_SOURCES = tests/stress/repro-reap-livelock.c
tests_stress_repro_reap_livelock_CFLAGS = $(STRESS_CFLAGS)
tests_stress_repro_reap_livelock_LDADD = $(STRESS_LIBS)

EXTRA_DIST += tests/stress/README.md tests/stress/run-ci.sh
