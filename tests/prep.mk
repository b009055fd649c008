## Prep helpers: one test per opcode family against the running kernel.
check_PROGRAMS += tests/prep-test tests/net-test
TESTS += tests/prep-test tests/net-test
tests_prep_test_SOURCES = tests/prep-test.c
tests_prep_test_CFLAGS = $(TEST_CFLAGS)
tests_prep_test_LDADD = $(TEST_LIBS)
tests_net_test_SOURCES = tests/net-test.c
tests_net_test_CFLAGS = $(TEST_CFLAGS)
tests_net_test_LDADD = $(TEST_LIBS)
