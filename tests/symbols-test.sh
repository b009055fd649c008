#!/bin/sh
# SPDX-License-Identifier: MIT
#
# symbols-test: what liburingloop exports is exactly what its headers
# declare, each name listed in a release node of lib/uringloop.map.
#  - every function declared in include/uring/*.h that is not static
#    inline is exported (so listed in the map);
#  - every exported symbol is declared in a public header and listed by
#    name in the map (no globs: a glob versions nothing);
#  - every name in the map is defined by the library.
# Prints, for each failure, what to change and where.
#
# The declarations come from the compiler (-aux-info, GCC only), not from
# reading the headers, so inline functions and macros are told apart
# exactly.  Runs from the build directory (make check) on the built
# .libs/liburingloop.so, with $CC and $NM as configure found them.

if [ -z "${srcdir:-}" ]; then
	srcdir=$(dirname "$0")/..
fi
map="$srcdir/lib/uringloop.map"
inc="$srcdir/include"
lib=${LIBURINGLOOP_SO:-.libs/liburingloop.so}
cc=${CC:-cc}
nm=${NM:-nm}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

for f in "$map" "$lib"; do
	if ! [ -f "$f" ]; then
		echo "symbols-test: no $f (run from the build directory)" >&2
		exit 1
	fi
done

# The node new functions go into: the last one in the map.
node=$(sed -n 's/^\(URINGLOOP_[0-9.]*\)[[:space:]]*{.*/\1/p' "$map" | tail -n 1)
# Names listed in any node's global: part.
sed -e 's,/\*.*\*/,,' "$map" |
	sed -n 's/^[[:space:]]*\(uring_[A-Za-z0-9_]*\)[[:space:]]*;.*/\1/p' |
	sort -u >"$tmp/map"
# Defined dynamic symbols, version suffix stripped; the A entries are the
# version nodes themselves.
$nm -D --defined-only "$lib" |
	awk 'NF >= 3 && $2 != "A" { sub(/@.*/, "", $3); print $3 }' |
	sort -u >"$tmp/exported"
# Every function the library defines, local ones too (its symbol table).
$nm --defined-only "$lib" 2>/dev/null |
	awk 'NF >= 3 && ($2 == "T" || $2 == "t") { sub(/@.*/, "", $3); print $3 }' |
	sort -u >"$tmp/defined"

# Every public header in one file; -aux-info writes each function
# declaration with its file:line and NC (declared) or NF (defined here,
# i.e. static inline).
for h in "$inc"/uring/*.h; do
	echo "#include <uring/$(basename "$h")>"
done >"$tmp/all.c"
if ! $cc -std=gnu11 -I"$inc" -aux-info "$tmp/aux" -c "$tmp/all.c" \
	-o "$tmp/all.o" 2>"$tmp/err"; then
	if $cc --version 2>/dev/null | grep -qi clang; then
		echo "symbols-test: SKIP: $cc has no -aux-info (GCC's);" \
			"run with CC=gcc"
		exit 77
	fi
	cat "$tmp/err"
	exit 1
fi
grep ':NC \*/ extern ' "$tmp/aux" | grep '/include/uring/' |
	sed -n 's,^/\* \([^:]*\):\([0-9]*\):NC \*/ extern .*[ *]\(uring_[a-z0-9_]*\) (.*,\3 \1:\2,p' |
	grep -v '^uring__' | sort -u -k1,1 >"$tmp/declared_at"
cut -d' ' -f1 "$tmp/declared_at" >"$tmp/declared"

fail=0
problem() {
	[ $fail -eq 1 ] || echo "symbols-test: the exported symbols and" \
		"lib/uringloop.map disagree with the headers:"
	fail=1
	echo "  $*"
}

if sed -e 's,/\*.*\*/,,' "$map" | grep -v '^[[:space:]]*\*' |
	grep -n '^[[:space:]].*[*?[].*;' | grep -v '^[0-9]*:[[:space:]]*\*;' \
	>"$tmp/globs"; then
	problem "lib/uringloop.map has a glob in a global: list (list names):"
	sed 's/^/      /' "$tmp/globs"
fi
while read -r name where; do
	grep -qx "$name" "$tmp/exported" && continue
	if ! grep -qx "$name" "$tmp/defined"; then
		problem "$name (declared at ${where#"$srcdir"/}) is not" \
			"defined by the library: define it, or remove the" \
			"declaration (and '$name;' from lib/uringloop.map," \
			"if there)"
	elif grep -qx "$name" "$tmp/map"; then
		problem "$name (declared at ${where#"$srcdir"/}) is listed" \
			"in lib/uringloop.map but not exported: is it static?"
	else
		problem "$name (declared at ${where#"$srcdir"/}) is not" \
			"exported: add the line '$name;' to the $node node of" \
			"lib/uringloop.map (global: list, sorted by name)"
	fi
done <"$tmp/declared_at"
for name in $(comm -23 "$tmp/exported" "$tmp/declared"); do
	problem "$name is exported but no header in include/uring declares" \
		"it: declare it, or take it out of lib/uringloop.map"
done
for name in $(comm -23 "$tmp/map" "$tmp/exported"); do
	grep -qx "$name" "$tmp/declared" && continue # reported above
	problem "lib/uringloop.map lists $name, which the library does not" \
		"define: remove it (only if no release had it)"
done
[ $fail -eq 0 ] || exit 1
echo "symbols-test: $(wc -l <"$tmp/exported") exported symbols, each" \
	"declared and listed in lib/uringloop.map (last node $node)"
exit 0
