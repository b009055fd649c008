## tests/work.mk: the worker pool, name resolution, waiting for children.
check_PROGRAMS += tests/work-test
TESTS += tests/work-test
tests_work_test_SOURCES = tests/work-test.c
tests_work_test_CFLAGS = $(TEST_CFLAGS)
tests_work_test_LDADD = $(TEST_LIBS)
check_PROGRAMS += tests/child-test
TESTS += tests/child-test
tests_child_test_SOURCES = tests/child-test.c
tests_child_test_CFLAGS = $(TEST_CFLAGS)
tests_child_test_LDADD = $(TEST_LIBS)
