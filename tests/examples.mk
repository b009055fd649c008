## The network examples, checked from the outside on 127.0.0.1, and the
## HTTP parser of examples/http-server.c.
TESTS += tests/examples-test.sh
EXTRA_DIST += tests/examples-test.sh

check_PROGRAMS += tests/http-parse-test
TESTS += tests/http-parse-test
tests_http_parse_test_SOURCES = tests/http-parse-test.c \
	examples/http-parse.c examples/http-parse.h
tests_http_parse_test_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/examples
tests_http_parse_test_CFLAGS = $(TEST_CFLAGS)
tests_http_parse_test_LDADD = $(TEST_LIBS)

## examples/http-server under hostile clients (slowloris, silent, oversized,
## garbage) next to a well-behaved one; plain C, forks ./examples/http-server.
check_PROGRAMS += tests/http-hostile-test
TESTS += tests/http-hostile-test
tests_http_hostile_test_SOURCES = tests/http-hostile-test.c
tests_http_hostile_test_CFLAGS = $(AM_CFLAGS) $(PTHREAD_CFLAGS)
tests_http_hostile_test_LDADD = $(PTHREAD_LIBS)
