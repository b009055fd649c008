## tests/fs.mk: file-system requests (include/uring/fs.h).
check_PROGRAMS += tests/fs-test
TESTS += tests/fs-test
tests_fs_test_SOURCES = tests/fs-test.c
tests_fs_test_CFLAGS = $(TEST_CFLAGS)
tests_fs_test_LDADD = $(TEST_LIBS)
check_PROGRAMS += tests/fs-nospace-test
TESTS += tests/fs-nospace-test
tests_fs_nospace_test_SOURCES = tests/fs-nospace-test.c
tests_fs_nospace_test_CFLAGS = $(TEST_CFLAGS)
tests_fs_nospace_test_LDADD = $(TEST_LIBS)
