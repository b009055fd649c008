#!/usr/bin/env bash
# tests/fuzz/fuzz.sh SRC_DIR SECONDS [TARGET...]
#
# Builds the libFuzzer targets of tests/fuzz/ with clang straight from the
# sources (no configure needed: the library's files include no config.h)
# into a temporary directory, then runs each one for SECONDS seconds over
# a copy of its committed seed corpus (tests/fuzz/corpus/<target>/) and
# prints how many inputs it executed.  TARGETs: http-parse, api (default
# both).  Exits 0 when every run ended without a finding, 1 on a crash,
# leak, timeout or build failure (the reproducer is kept and its path
# printed), 77 when clang or libFuzzer is missing or no target could run
# (the api target skips itself where io_uring is unavailable).
#
# Before fuzzing, each target runs once over the reproducers of bugs it
# found that are kept in tests/fuzz/crashes/<target>-* (fixed bugs stay
# fixed); one failing is a failure like a finding.
#
# Environment: CLANG (default clang), FUZZ_ARGS (more libFuzzer options,
# e.g. "-jobs=4 -workers=4"), FUZZ_OUT (keep binaries, logs and the grown
# corpora there instead of in a temporary directory removed at the end).
set -uo pipefail

if [ $# -lt 2 ]; then
	echo "usage: $0 SRC_DIR SECONDS [http-parse|api]..." >&2
	exit 2
fi
src=$(cd "$1" && pwd) || exit 2
secs=$2
shift 2
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(http-parse api)
cc=${CLANG:-clang}

if ! command -v "$cc" >/dev/null 2>&1; then
	echo "SKIP: fuzz: $cc not found (Debian: apt-get install clang libclang-rt-14-dev)"
	exit 77
fi

if [ -n "${FUZZ_OUT:-}" ]; then
	out=$FUZZ_OUT
	mkdir -p "$out" || exit 1
	keep=1
else
	out=$(mktemp -d "${TMPDIR:-/tmp}/uringloop-fuzz.XXXXXX") || exit 1
	keep=0
fi
cleanup() { [ $keep = 1 ] || rm -rf "$out"; }
trap cleanup EXIT

# libFuzzer is a separate package from clang on Debian: probe for it.
printf '%s\n' '#include <stdint.h>' '#include <stddef.h>' \
	'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
	'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)' \
	'{ (void)d; (void)n; return 0; }' >"$out/probe.c"
if ! "$cc" -fsanitize=fuzzer,address,undefined "$out/probe.c" \
	-o "$out/probe" >"$out/probe.log" 2>&1; then
	echo "SKIP: fuzz: $cc cannot link libFuzzer (Debian: apt-get install libclang-rt-14-dev)"
	sed 's/^/  /' "$out/probe.log" | tail -n 5
	exit 77
fi

san="-fsanitize=address,undefined -fno-sanitize-recover=all"
cflags="-std=gnu11 -g -O1 -fno-omit-frame-pointer $san -Wall -Wextra -Werror"

# The library, instrumented for coverage, as objects.
echo "fuzz: building the library and targets with $("$cc" --version | head -n 1)"
mkdir -p "$out/obj"
build_obj() {
	local f=$1 o
	o="$out/obj/$(echo "${f#"$src"/}" | tr / _).o"
	"$cc" $cflags -fsanitize=fuzzer-no-link -fvisibility=hidden \
		-I "$src" -I "$src/include" -I "$src/runtime" -c "$f" -o "$o"
}
export -f build_obj
export cc cflags out src
if ! printf '%s\n' "$src"/lib/*.c "$src"/runtime/*.c "$src"/runtime/*/*.c |
	xargs -P "$(nproc)" -I{} bash -c 'build_obj "$1"' _ {} \
		>"$out/build.log" 2>&1; then
	echo "FAIL: fuzz: building the library failed:"
	cat "$out/build.log"
	keep=1
	exit 1
fi

build_target() {
	case $1 in
	http-parse)
		"$cc" $cflags -fsanitize=fuzzer -I "$src/examples" \
			"$src/tests/fuzz/fuzz-http-parse.c" \
			"$src/examples/http-parse.c" -o "$out/fuzz-http-parse" ;;
	api)
		"$cc" $cflags -fsanitize=fuzzer -I "$src/include" \
			"$src/tests/fuzz/fuzz-api.c" "$out"/obj/*.o -lpthread \
			-o "$out/fuzz-api" ;;
	*)
		echo "unknown target $1" >&2
		return 1 ;;
	esac
}

# http-parse: past the server's 8192-byte head limit; api: 256 ops.
max_len() { case $1 in http-parse) echo 10240 ;; *) echo 1024 ;; esac; }

status=0
ran=0
for t in "${targets[@]}"; do
	if ! build_target "$t" >"$out/build-$t.log" 2>&1; then
		echo "FAIL: fuzz-$t: build failed:"
		cat "$out/build-$t.log"
		status=1
		keep=1
		continue
	fi
	# the committed reproducers of fixed bugs: each must pass
	repros=()
	for f in "$src/tests/fuzz/crashes/$t"-*; do
		[ -f "$f" ] && [ "${f%.c}" = "$f" ] && repros+=("$f")
	done
	if [ ${#repros[@]} -gt 0 ]; then
		replay_log="$out/replay-$t.log"
		(ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1 \
			UBSAN_OPTIONS=${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:halt_on_error=1 \
			"$out/fuzz-$t" -timeout=10 -error_exitcode=1 \
			"${repros[@]}" >"$replay_log" 2>&1)
		rc=$?
		if [ $rc = 77 ] && grep -q '^SKIP' "$replay_log"; then
			grep -m1 '^SKIP' "$replay_log"
			continue
		elif [ $rc != 0 ]; then
			echo "FAIL: fuzz-$t: a reproducer in tests/fuzz/crashes/ fails again (exit $rc):"
			grep -v '^#[0-9]' "$replay_log" | tail -n 40 | sed 's/^/  /'
			status=1
			keep=1
		else
			echo "PASS: fuzz-$t: ${#repros[@]} reproducer(s) of fixed bugs in tests/fuzz/crashes/"
		fi
	fi
	corpus="$out/corpus-$t"
	rm -rf "$corpus"
	mkdir -p "$corpus"
	cp "$src/tests/fuzz/corpus/$t"/* "$corpus"/ 2>/dev/null
	log="$out/fuzz-$t.log"
	run="$out/run-$t" # libFuzzer's -jobs write fuzz-N.log here
	rm -rf "$run" "$out/artifacts-$t"
	mkdir -p "$run" "$out/artifacts-$t"
	# -timeout: an input running 10 s is a hang, reported like a crash.
	# shellcheck disable=SC2086
	(cd "$run" &&
		ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1 \
		UBSAN_OPTIONS=${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:halt_on_error=1 \
		"$out/fuzz-$t" -max_total_time="$secs" -print_final_stats=1 \
		-timeout=10 -error_exitcode=1 -max_len="$(max_len "$t")" \
		-artifact_prefix="$out/artifacts-$t/" \
		${FUZZ_ARGS:-} "$corpus" >"$log" 2>&1)
	rc=$?
	if [ $rc = 77 ] && grep -q '^SKIP' "$log"; then
		grep -m1 '^SKIP' "$log"
		continue
	fi
	ran=$((ran + 1))
	execs=$(cat "$log" "$run"/*.log 2>/dev/null |
		awk '/^stat::number_of_executed_units/ {s += $NF} END {print s + 0}')
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
	if [ $rc != 0 ] || ls "$out/artifacts-$t"/* >/dev/null 2>&1; then
		echo "FAIL: fuzz-$t: exit $rc after $execs executions; last lines:"
		grep -v '^#[0-9]' "$log" | tail -n 40 | sed 's/^/  /'
		echo "  reproducer(s), kept with the binaries in $out:"
		ls "$out/artifacts-$t"/* 2>/dev/null | sed 's/^/    /'
		echo "  rerun: $out/fuzz-$t <reproducer>"
		status=1
		keep=1
	else
		echo "PASS: fuzz-$t: $execs executions in ${secs}s ($cov, corpus $(ls "$corpus" | wc -l) inputs)"
	fi
done
[ $status = 0 ] && [ $ran = 0 ] && status=77
exit $status
