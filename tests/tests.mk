## tests: Check suites run by `make check`.  Each area has its own fragment.
TEST_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(PTHREAD_CFLAGS)
TEST_LIBS = liburingloop.la $(CHECK_LIBS) $(PTHREAD_LIBS)
EXTRA_DIST += tests/test-util.h tests/ring-util.h tests/loop-util.h

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
