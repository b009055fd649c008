## The event loop core.
check_PROGRAMS += tests/loop-test
TESTS += tests/loop-test
tests_loop_test_SOURCES = tests/loop-test.c
tests_loop_test_CFLAGS = $(TEST_CFLAGS)
tests_loop_test_LDADD = $(TEST_LIBS)
