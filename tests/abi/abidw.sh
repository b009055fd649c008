#!/bin/sh
# SPDX-License-Identifier: MIT
#
# tests/abi/abidw.sh LIB OUT: the ABI of LIB (liburingloop.so built with
# -g) as abidw XML in OUT, the same way for the committed baseline
# (tests/abi/update) and for the check (tests/abi/check): only what the
# public headers declare, no paths, no source locations, type ids by hash,
# so the file depends on the interface alone, not on where the tree was
# built or on line numbers.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
lib=$1
out=$2
if ! command -v abidw >/dev/null 2>&1; then
	echo "abidw not found: apt-get install abigail-tools" >&2
	exit 77
fi
if ! readelf -S "$lib" 2>/dev/null | grep -q '\.debug_info'; then
	echo "$lib has no debug info: build with -g (the default CFLAGS)" >&2
	exit 1
fi
top=$(cd "$here/../.." && pwd)
abidw --no-corpus-path --no-comp-dir-path --no-show-locs \
	--type-id-style hash --drop-private-types \
	--headers-dir "$top/include/uring" \
	--out-file "$out.tmp" "$lib"
# Each translation unit is named as the compiler was given it: the
# build's $(srcdir) (absolute, or relative to the build directory as
# ../configure makes it), then the path inside the tree.  Keep the latter.
srcdir=$(sed -n 's/^srcdir = //p' "$(dirname "$lib")/../Makefile" 2>/dev/null)
sed -e "s|path='${srcdir:-.}/|path='|" -e "s|path='$top/|path='|" \
	"$out.tmp" >"$out"
rm -f "$out.tmp"
