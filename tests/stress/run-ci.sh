#!/usr/bin/env bash
# tests/stress/run-ci.sh BUILD_DIR [LABEL]: the CI step of the stress driver.
# Runs BUILD_DIR/tests/stress/stress --quick (every scenario, under a minute
# on 2 CPUs, plain or ASan), prints its lines (prefixed "[LABEL] " when a
# label is given; failure details from stderr included) and exits with its
# status.  It also leaves BUILD_DIR/tests/stress-quick.log with a Check-style
# count line, so .ci/summarize counts the scenarios with the suites.
set -uo pipefail
dir=${1:?usage: run-ci.sh BUILD_DIR [LABEL]}
label=${2:-}
prog=$dir/tests/stress/stress
log=$dir/tests/stress-quick.log
prefix() { if [ -n "$label" ]; then sed "s/^/[$label] /"; else cat; fi; }

if [ ! -x "$prog" ]; then
	echo "FAIL: stress: $prog not built (tests/stress/stress.mk included?)" |
		prefix
	exit 1
fi
# The driver's own watchdog ends a hung scenario; this bounds the whole run.
timeout 600 "$prog" --quick >"$log.out" 2>&1
rc=$?
[ $rc -eq 124 ] && echo "FAIL: stress: killed after 600 s" >>"$log.out"
# The reproductions of bugs the stress runs found stay fixed.
for repro in keep-release chain-sqe reap-livelock; do
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
