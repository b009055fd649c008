## tests/fs.mk: file-system requests (include/uring/fs.h).
check_PROGRAMS += tests/fs-test
TESTS += tests/fs-test
tests_fs_test_SOURCES = tests/fs-test.c
tests_fs_test_CFLAGS = $(TEST_CFLAGS)
tests_fs_test_LDADD = $(TEST_LIBS)
