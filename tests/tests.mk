## tests: Check suites run by `make check`.  Each area has its own fragment.
TEST_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(PTHREAD_CFLAGS)
TEST_LIBS = liburingloop.la $(CHECK_LIBS) $(PTHREAD_LIBS)
EXTRA_DIST += tests/test-util.h tests/ring-util.h tests/loop-util.h

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
include tests/prep.mk
include tests/register.mk
include tests/loop.mk
include tests/signal.mk
include tests/stream.mk
include tests/fs.mk
include tests/work.mk
include tests/examples.mk
include tests/valgrind.mk
