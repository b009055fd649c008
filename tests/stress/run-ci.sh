#!/usr/bin/env bash
# tests/stress/run-ci.sh [--soak SECONDS] BUILD_DIR [LABEL]: the CI steps of
# the stress driver.
#
# Without --soak: runs BUILD_DIR/tests/stress/stress --quick (every
# scenario, under a minute on 2 CPUs, plain or ASan) and the reproductions
# of the bugs it found, and leaves BUILD_DIR/tests/stress-quick.log.  With
# STRESS_SPIN_USEC set, the scenarios run on busy-polling loops (spin_usec)
# and the log is BUILD_DIR/tests/stress-spin.log (no reproductions).
# With --soak SECONDS: runs the soak (connection churn for SECONDS, RSS,
# heap in use and open fds sampled every second; fails on growth: README.md)
# and leaves BUILD_DIR/tests/stress-soak.log.
#
# Prints the driver's lines (prefixed "[LABEL] " when a label is given;
# failure details from stderr included) and exits with its status.  The log
# ends with a Check-style count line, so .ci/summarize counts the scenarios
# with the suites; tests/reliability-report reads the figures from it.
set -uo pipefail
soak=
if [ "${1:-}" = --soak ]; then
	soak=${2:?usage: run-ci.sh [--soak SECONDS] BUILD_DIR [LABEL]}
	shift 2
fi
dir=${1:?usage: run-ci.sh [--soak SECONDS] BUILD_DIR [LABEL]}
label=${2:-}
prog=$dir/tests/stress/stress
prefix() { if [ -n "$label" ]; then sed "s/^/[$label] /"; else cat; fi; }

spin=${STRESS_SPIN_USEC:-}
if [ -n "$soak" ]; then
	log=$dir/tests/stress-soak.log
elif [ -n "$spin" ]; then
	log=$dir/tests/stress-spin.log
else
	log=$dir/tests/stress-quick.log
fi
if [ ! -x "$prog" ]; then
	echo "FAIL: stress: $prog not built (tests/stress/stress.mk included?)" |
		prefix
	exit 1
fi
# The driver's own watchdog ends a hung scenario; this bounds the whole run.
if [ -n "$soak" ]; then
	limit=$((soak + 300))
	timeout $limit "$prog" --soak "$soak" >"$log.out" 2>&1
else
	# scaled for an emulated CPU (UT_SLOWDOWN: tests/kernel/run)
	limit=$((600 * ${UT_SLOWDOWN:-1}))
	timeout $limit "$prog" --quick >"$log.out" 2>&1
fi
rc=$?
[ $rc -eq 124 ] && echo "FAIL: stress: killed after $limit s" >>"$log.out"
# The reproductions of bugs the stress runs found stay fixed.
[ -n "$soak" ] || [ -n "$spin" ] || for repro in keep-release chain-sqe reap-livelock; do
	if timeout 60 "$dir/tests/stress/repro-$repro" >/dev/null 2>&1; then
		echo "PASS: repro-$repro (fixed bug stays fixed)" >>"$log.out"
	else
		echo "FAIL: repro-$repro (a fixed bug is back)" >>"$log.out"
		rc=1
	fi
done
prefix <"$log.out"
passed=$(grep -c '^PASS: ' "$log.out")
failed=$(grep -c '^FAIL: ' "$log.out")
# a crash before any line still counts as one failure
[ $rc -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
{
	cat "$log.out"
	echo "100%: Checks: $((passed + failed)), Failures: $failed, Errors: 0"
} >"$log"
rm -f "$log.out"
exit $rc
