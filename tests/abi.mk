## The library's interface: public headers that compile alone (C11 and
## C++), exported symbols that match the headers and lib/uringloop.map, and
## (tests/abi/check, run by .ci/test) the ABI against the committed baseline.
TESTS += tests/header-test.sh tests/symbols-test.sh
EXTRA_DIST += tests/header-test.sh tests/symbols-test.sh
## the ABI baseline and its scripts (run by .ci/test, not make check:
## they need abigail-tools)
EXTRA_DIST += tests/abi/abidw.sh tests/abi/check tests/abi/update \
	tests/abi/suppressions tests/abi/liburingloop.abi
## symbols-test reads the built library
tests/symbols-test.log: liburingloop.la
## The promises of docs/ABI.md (reserved space, sizes) and of fork().
check_PROGRAMS += tests/interface-test
TESTS += tests/interface-test
tests_interface_test_SOURCES = tests/interface-test.c
tests_interface_test_CFLAGS = $(TEST_CFLAGS)
tests_interface_test_LDADD = $(TEST_LIBS)
