## Signal watchers and readiness (poll) watchers on the loop.
check_PROGRAMS += tests/signal-test tests/poll-test
TESTS += tests/signal-test tests/poll-test
tests_signal_test_SOURCES = tests/signal-test.c
tests_signal_test_CFLAGS = $(TEST_CFLAGS)
tests_signal_test_LDADD = $(TEST_LIBS)
tests_poll_test_SOURCES = tests/poll-test.c
tests_poll_test_CFLAGS = $(TEST_CFLAGS)
tests_poll_test_LDADD = $(TEST_LIBS)
