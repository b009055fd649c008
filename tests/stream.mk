## Streams: TCP and Unix sockets on the loop.
EXTRA_DIST += tests/stream-util.h
check_PROGRAMS += tests/echo-test
TESTS += tests/echo-test
tests_echo_test_SOURCES = tests/echo-test.c
tests_echo_test_CFLAGS = $(TEST_CFLAGS)
tests_echo_test_LDADD = $(TEST_LIBS)
