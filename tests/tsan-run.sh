#!/usr/bin/env bash
# tests/tsan-run.sh BUILD_DIR [LABEL]: the cross-thread tests under
# ThreadSanitizer, in a build configured with --enable-tsan.
#
# Runs the Check programs whose cases use several threads (loop-test: async
# handles; msg-test; work-test; signal-test) and the stress scenarios that
# do (async, msg-close), each to BUILD_DIR/tests/tsan-NAME.log.  Any
# ThreadSanitizer report fails its program (halt_on_error: the process
# exits 66 at the first one, and the log keeps it), as does a failed case.
# Prints one PASS/FAIL line per program; each log ends with Check's count
# line, so .ci/summarize counts the cases with the other builds'.
#
# The TSan runtime needs the address space laid out as it expects: with
# more than 28 bits of mmap randomness (vm.mmap_rnd_bits; some 6.x kernels
# default to 32) clang 14's runtime dies at start with "FATAL:
# ThreadSanitizer: unexpected memory mapping".  A program that dies so is
# run again under `setarch -R` (no randomisation for that process only);
# as root, `sysctl vm.mmap_rnd_bits=28` fixes it for the machine.
set -uo pipefail
dir=${1:?usage: tsan-run.sh BUILD_DIR [LABEL]}
label=${2:-}
prefix() { if [ -n "$label" ]; then sed "s/^/[$label] /"; else cat; fi; }
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1${TSAN_OPTIONS:+ $TSAN_OPTIONS}"
status=0

# run LOG CMD...: CMD's output to LOG, again without ASLR if TSan could not
# map its shadow memory
run() {
	local log=$1 rc
	shift
	timeout 900 "$@" >"$log" 2>&1
	rc=$?
	if grep -q 'unexpected memory mapping' "$log"; then
		timeout 900 setarch "$(uname -m)" -R "$@" >"$log" 2>&1
		rc=$?
	fi
	return $rc
}

# result NAME LOG RC: one line (and the first reports), and the status
result() {
	local name=$1 log=$2 rc=$3 reports
	reports=$(grep -c '^WARNING: ThreadSanitizer' "$log")
	if [ "$rc" -eq 0 ] && [ "$reports" -eq 0 ]; then
		echo "PASS: $name" | prefix
	else
		{
			echo "FAIL: $name (exit $rc, $reports TSan reports: $log)"
			grep -A30 '^WARNING: ThreadSanitizer' "$log" | head -60
		} | prefix
		status=1
	fi
}

# the Check programs are built by `make check` only: build, run none
make -s -C "$dir" -j"$(nproc)" check TESTS= >/dev/null 2>&1 || {
	echo "FAIL: tsan: the tests of $dir do not build" | prefix
	exit 1
}

for prog in loop-test msg-test work-test signal-test; do
	log=$dir/tests/tsan-$prog.log
	run "$log" "$dir/tests/$prog"
	result "$prog" "$log" $?
done

log=$dir/tests/tsan-stress.log
run "$log.out" "$dir/tests/stress/stress" --quick async msg-close
rc=$?
{
	cat "$log.out"
	p=$(grep -c '^PASS: ' "$log.out")
	f=$(grep -c '^FAIL: ' "$log.out")
	[ $rc -ne 0 ] && [ "$f" -eq 0 ] && f=1
	echo "100%: Checks: $((p + f)), Failures: $f, Errors: 0"
} >"$log"
rm -f "$log.out"
result "stress async msg-close" "$log" $rc
exit $status
