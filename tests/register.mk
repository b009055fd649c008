## Registration, provided buffer rings, restrictions.
check_PROGRAMS += tests/register-test tests/buf-ring-test
TESTS += tests/register-test tests/buf-ring-test
tests_register_test_SOURCES = tests/register-test.c
tests_register_test_CFLAGS = $(TEST_CFLAGS)
tests_register_test_LDADD = $(TEST_LIBS)
tests_buf_ring_test_SOURCES = tests/buf-ring-test.c
tests_buf_ring_test_CFLAGS = $(TEST_CFLAGS)
tests_buf_ring_test_LDADD = $(TEST_LIBS)
