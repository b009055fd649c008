#!/bin/sh
# SPDX-License-Identifier: MIT
#
# man-coverage: every public function and function-like macro declared in
# include/uring/*.h must have a man page docs/man/<name>.3 (a full page or a
# one-line `.so` alias).  Callback types (*_cb) and internal uring__* names
# are exempt.  Prints the names that lack a page; exits 1 if there are any.
#
# Finds the source tree through $srcdir (set by `make check`, also in
# out-of-tree builds and `make distcheck`); run by hand it falls back to the
# directory above this script.

if [ -z "${srcdir:-}" ]; then
	srcdir=$(dirname "$0")/..
fi
# make check passes srcdir relative to the build directory of the top-level
# Makefile, which is where tests run.
inc="$srcdir/include/uring"
man="$srcdir/docs/man"

if ! [ -d "$inc" ] || ! [ -d "$man" ]; then
	echo "man-coverage: no $inc or $man (is \$srcdir right?)" >&2
	exit 1
fi

# Declarations start in column 0: `int uring_x(`, `static inline T *uring_x(`,
# `#define uring_x(`, or a name alone when the return type is on the line
# before.  Calls inside inline bodies and macros are indented, comments
# start with `/*` or ` *`, so neither is picked up.  The first uring_ name
# followed by `(` on such a line is the one declared.
names=$(cat "$inc"/*.h |
	grep -v -e '^[[:space:]]' -e '^/\*' -e '^\*' |
	grep -o 'uring_[a-z0-9_]*(' |
	sed 's/($//' |
	grep -v -e '^uring__' -e '_cb$' |
	sort -u)

if [ -z "$names" ]; then
	echo "man-coverage: found no declarations in $inc" >&2
	exit 1
fi

missing=
total=0
for n in $names; do
	total=$((total + 1))
	[ -f "$man/$n.3" ] || missing="$missing $n"
done

if [ -n "$missing" ]; then
	count=$(echo $missing | wc -w)
	echo "man-coverage: $count of $total public names have no docs/man/<name>.3:"
	for n in $missing; do
		echo "  $n"
	done
	exit 1
fi
echo "man-coverage: all $total public names have a man page"
exit 0
