## Core ring layer: setup, submit/wait, overflow, SQPOLL, probe.
check_PROGRAMS += tests/setup-test tests/queue-test tests/abi-test
TESTS += tests/setup-test tests/queue-test tests/abi-test
tests_setup_test_SOURCES = tests/setup-test.c
tests_setup_test_CFLAGS = $(TEST_CFLAGS)
tests_setup_test_LDADD = $(TEST_LIBS)
tests_queue_test_SOURCES = tests/queue-test.c
tests_queue_test_CFLAGS = $(TEST_CFLAGS)
tests_queue_test_LDADD = $(TEST_LIBS)
tests_abi_test_SOURCES = tests/abi-test.c
tests_abi_test_CFLAGS = $(TEST_CFLAGS)
tests_abi_test_LDADD = $(TEST_LIBS)
