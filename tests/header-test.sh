#!/bin/sh
# SPDX-License-Identifier: MIT
#
# header-test: every public header compiles alone, as the first and only
# include of a file: as strict ISO C (-std=c11 -pedantic, no feature-test
# macro) and as C++, warnings as errors.  Catches a header that leans on
# names its includes do not declare, on GNU C extensions, or on what
# another header happened to include first.
#
# Uses $CC and $CXX as configure found them (make check passes them); a
# missing C++ compiler skips the C++ half with its reason.

if [ -z "${srcdir:-}" ]; then
	srcdir=$(dirname "$0")/..
fi
inc="$srcdir/include"
cc=${CC:-cc}
cxx=${CXX:-}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

if ! ls "$inc"/uring/*.h >/dev/null 2>&1; then
	echo "header-test: no headers in $inc/uring (is \$srcdir right?)" >&2
	exit 1
fi

if [ -n "$cxx" ] && printf 'int main() { return 0; }\n' >"$tmp/probe.cc" &&
	$cxx -c "$tmp/probe.cc" -o "$tmp/probe.o" 2>/dev/null; then
	have_cxx=yes
else
	have_cxx=no
	echo "header-test: SKIP the C++ half: no working C++ compiler" \
		"(CXX='$cxx'; configure looks for g++, c++, clang++)"
fi

fail=0
n=0
# try LABEL COMPILER FLAGS... : compile $tmp/t.<ext> with the header in it
try() {
	label=$1
	shift
	if ! "$@" >"$tmp/err" 2>&1; then
		echo "FAIL: $h as $label:"
		sed 's/^/    /' "$tmp/err"
		fail=1
	fi
}
for path in "$inc"/uring/*.h; do
	h=uring/$(basename "$path")
	n=$((n + 1))
	printf '#include <%s>\nint uring__header_test;\n' "$h" >"$tmp/t.c"
	cp "$tmp/t.c" "$tmp/t.cc"
	try "C11 (-std=c11 -pedantic)" $cc -std=c11 -pedantic -Wall -Wextra \
		-Werror -I"$inc" -c "$tmp/t.c" -o "$tmp/t.o"
	try "GNU C11" $cc -std=gnu11 -Wall -Wextra -Werror -I"$inc" \
		-c "$tmp/t.c" -o "$tmp/t.o"
	[ $have_cxx = yes ] || continue
	try "C++" $cxx -Wall -Wextra -Werror -I"$inc" \
		-c "$tmp/t.cc" -o "$tmp/t.o"
	try "C++11" $cxx -std=c++11 -Wall -Wextra -Werror -I"$inc" \
		-c "$tmp/t.cc" -o "$tmp/t.o"
done
if [ $fail -ne 0 ]; then
	echo "header-test: a public header does not compile alone (above)"
	exit 1
fi
echo "header-test: all $n headers compile alone as C11 and GNU C11$(
	[ $have_cxx = yes ] && echo ", C++ and C++11")"
exit 0
