#!/bin/sh
# SPDX-License-Identifier: MIT
#
# tests/valgrind-run.sh - run Check test programs under valgrind memcheck
# (`make check-valgrind`).  Usage: valgrind-run.sh PROGRAM...
#
# Each program runs through `$LIBTOOL --mode=execute` (the test programs are
# libtool wrappers) under
#   valgrind --error-exitcode=99 --leak-check=full
#            --errors-for-leak-kinds=definite --track-fds=no -q
# The whole log goes to PROGRAM.vg.log; this prints the program's Check
# summary line and PASS/FAIL/SKIP, and exits non-zero if any program failed.
#
# Check keeps its default fork mode: every test runs in a forked child, which
# valgrind follows without --trace-children (that is for exec, and Check
# does not exec).  A child with a memcheck error or a definite leak exits 99,
# which Check reports against that very test ("Early exit with return value
# 99"); the tests stay isolated, and Check's per-test timeouts keep working
# (the suites stretch them, and their other bounds, under valgrind: see
# ut_slowdown() in tests/test-util.h).  CK_FORK=no would lose both: no
# timeouts, and one failing test (a longjmp out of it) leaves threads and
# signal handlers pointing into its dead stack frame, which cascades.
#
# Environment: LIBTOOL (a command, may be "$(SHELL) ./libtool"; default:
# ./libtool), VALGRIND (default: valgrind),
# VALGRIND_FLAGS (extra flags), UT_SLOWDOWN (a slow machine's factor, as
# for `make check`).

LIBTOOL=${LIBTOOL:-./libtool}
VALGRIND=${VALGRIND:-valgrind}

if ! command -v "$VALGRIND" >/dev/null 2>&1; then
	echo "valgrind-run: $VALGRIND not found" >&2
	exit 1
fi

# Test cases that cannot work under valgrind carry this Check tag (see
# ut_tcase_cross_thread() in tests/test-util.h); excluded, and said so.
EXCLUDE_TAG="valgrind-io-uring-enter-blocks valgrind-emulates-rlimit-nofile"
echo "valgrind-run: excluding test cases tagged valgrind-io-uring-enter-blocks: valgrind 3.19"
echo "  keeps its global lock while a thread is blocked in io_uring_enter(2),"
echo "  so tests where one thread waits in the ring for another (loop"
echo "  async_from_four_threads; msg ping_pong, burst_in_order,"
echo "  from_plain_threads; signal two_loops_two_threads,"
echo "  storm_while_starting_and_stopping; work blocking_job_does_not_stall_timer) deadlock or time out under it."
echo "valgrind-run: excluding test cases tagged valgrind-emulates-rlimit-nofile:"
echo "  valgrind emulates RLIMIT_NOFILE for its guest and never lowers the real"
echo "  one, so the kernel never runs out of fds (echo accept_under_fd_limit)."

status=0
total_start=$(date +%s)
for prog in "$@"; do
	log=$prog.vg.log
	start=$(date +%s)
	CK_EXCLUDE_TAGS=$EXCLUDE_TAG $LIBTOOL --mode=execute "$VALGRIND" \
		--error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite --track-fds=no -q \
		$VALGRIND_FLAGS "$prog" >"$log" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	summary=$(grep -E '^[0-9]+%: Checks:' "$log" | tail -n 1)
	case $rc in
	0) res=PASS ;;
	77) res=SKIP ;;
	*) res=FAIL; status=1 ;;
	esac
	echo "$res: $prog (${secs}s, exit $rc) ${summary:-no Check summary}"
	if [ "$res" = FAIL ]; then
		# the failing tests and memcheck's reports, not the whole log
		grep -E ':[EF]:|^==[0-9]+== ' "$log" | head -n 60
		echo "  (full log: $log)"
	fi
done
echo "valgrind: $# programs in $(($(date +%s) - total_start))s:" \
     "$([ $status -eq 0 ] && echo all passed || echo FAILURES)"
exit $status
