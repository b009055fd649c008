## tests: Check suites run by `make check`.  Each area has its own fragment.
TEST_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(PTHREAD_CFLAGS)
TEST_LIBS = liburingloop.la $(CHECK_LIBS) $(PTHREAD_LIBS)
EXTRA_DIST += tests/test-util.h tests/ring-util.h tests/loop-util.h \
	tests/tsan-run.sh
# the suite on Debian's own kernels under qemu (run by .ci/test)
EXTRA_DIST += tests/kernel/run tests/kernel/init tests/kernel/guest

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
