## Streams: TCP and Unix sockets on the loop.
EXTRA_DIST += tests/stream-util.h
check_PROGRAMS += tests/echo-test
TESTS += tests/echo-test
tests_echo_test_SOURCES = tests/echo-test.c
tests_echo_test_CFLAGS = $(TEST_CFLAGS)
tests_echo_test_LDADD = $(TEST_LIBS)
check_PROGRAMS += tests/stream-test
TESTS += tests/stream-test
tests_stream_test_SOURCES = tests/stream-test.c
tests_stream_test_CFLAGS = $(TEST_CFLAGS)
tests_stream_test_LDADD = $(TEST_LIBS)
check_PROGRAMS += tests/udp-test
TESTS += tests/udp-test
tests_udp_test_SOURCES = tests/udp-test.c
tests_udp_test_CFLAGS = $(TEST_CFLAGS)
tests_udp_test_LDADD = $(TEST_LIBS)
