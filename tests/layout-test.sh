#!/bin/sh
# SPDX-License-Identifier: MIT
#
# layout-test: the runtime's areas depend on each other in one direction
# only.  core/ is the bottom: it may include and call nothing of xthread/,
# net/, fs/ or work/ (runtime/areas.c wires those in through the core's
# hook tables).  xthread/ may use only core/.  Prints each edge that goes
# the wrong way; exits 1 if there is any.
#
# $srcdir comes from `make check`; by hand it is the directory above.
srcdir=${srcdir:-$(dirname "$0")/..}
rt="$srcdir/runtime"
[ -d "$rt/core" ] || { echo "layout-test: no $rt/core" >&2; exit 1; }

bad=0
# check AREA FORBIDDEN-AREAS FORBIDDEN-PREFIXES
check() {
	area=$1 dirs=$2 names=$3
	hits=$(grep -nE "#include \"($dirs)/|\\buring__($names)_[a-z_]*\\(" \
		"$rt/$area"/*.c "$rt/$area"/*.h 2>/dev/null)
	if [ -n "$hits" ]; then
		echo "layout-test: $area/ reaches above itself:"
		echo "$hits" | sed "s|^$rt/|  runtime/|"
		bad=1
	fi
}
check core 'xthread|net|fs|work' 'async|msg|is_msg|signal|stream|bufpool|udp|fs|work|gai|child'
check xthread 'net|fs|work' 'stream|bufpool|udp|fs|work|gai|child'
[ $bad -eq 0 ] && echo "layout-test: core/ and xthread/ use nothing above them"
exit $bad
