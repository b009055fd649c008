## tests: Check suites run by `make check`.  Each area has its own fragment.
TEST_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(PTHREAD_CFLAGS)
TEST_LIBS = liburingloop.la $(CHECK_LIBS) $(PTHREAD_LIBS)
EXTRA_DIST += tests/test-util.h tests/ring-util.h tests/loop-util.h \
	tests/tsan-run.sh
# the suite on Debian's own kernels under qemu (run by .ci/test)
EXTRA_DIST += tests/kernel/run tests/kernel/init tests/kernel/guest
EXTRA_DIST += tests/uv/fetch tests/uv/README.md

# test-util.h includes it: each call of a public function in the suites
# checks that errno is left as it was (tests/errno-wrap.sh).
BUILT_SOURCES = tests/ut-errno-wrap.h
CLEANFILES += tests/ut-errno-wrap.h
EXTRA_DIST += tests/errno-wrap.sh
# and every function of lib/ and runtime/ that calls into libc keeps errno
TESTS += tests/errno-lint.sh
EXTRA_DIST += tests/errno-lint.sh
tests/ut-errno-wrap.h: tests/errno-wrap.sh $(uringinclude_HEADERS)
	$(AM_V_GEN)$(MKDIR_P) tests && \
	$(SHELL) $(srcdir)/tests/errno-wrap.sh $(srcdir)/include/uring >$@.tmp && \
	mv $@.tmp $@

## How many times slower than a plain build this one runs, for the script
## tests (tests/examples-test.sh); the C suites know it by themselves
## (ut_slowdown() in tests/test-util.h, which says the same 3).
if SANITIZERS
UT_BUILD_SLOWDOWN = 3
else
UT_BUILD_SLOWDOWN = 1
endif
AM_TESTS_ENVIRONMENT = UT_BUILD_SLOWDOWN=$(UT_BUILD_SLOWDOWN); \
	export UT_BUILD_SLOWDOWN;

## A CPU hog for .ci/test's busy run; not a test.
noinst_PROGRAMS += tests/hog
tests_hog_SOURCES = tests/hog.c

include tests/core.mk
include tests/abi.mk
include tests/prep.mk
include tests/register.mk
include tests/loop.mk
include tests/signal.mk
include tests/stream.mk
include tests/fs.mk
include tests/work.mk
include tests/examples.mk
include tests/valgrind.mk

## The runtime's areas depend on each other in one direction (core lowest).
TESTS += tests/layout-test.sh
EXTRA_DIST += tests/layout-test.sh
