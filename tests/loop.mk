## The event loop core.
check_PROGRAMS += tests/loop-test
TESTS += tests/loop-test
tests_loop_test_SOURCES = tests/loop-test.c
tests_loop_test_CFLAGS = $(TEST_CFLAGS)
tests_loop_test_LDADD = $(TEST_LIBS)
check_PROGRAMS += tests/req-test
TESTS += tests/req-test
tests_req_test_SOURCES = tests/req-test.c
tests_req_test_CFLAGS = $(TEST_CFLAGS)
tests_req_test_LDADD = $(TEST_LIBS)
check_PROGRAMS += tests/msg-test
TESTS += tests/msg-test
tests_msg_test_SOURCES = tests/msg-test.c
tests_msg_test_CFLAGS = $(TEST_CFLAGS)
tests_msg_test_LDADD = $(TEST_LIBS)
