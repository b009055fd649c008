#!/bin/sh
# SPDX-License-Identifier: MIT
#
# net-demo: the network examples in one run.  Starts http-server on a free
# port of 127.0.0.1, loads it with http-load (keep-alive GET /, several
# connections) for a few seconds, stops it with SIGTERM and prints what it
# served.  Fails if the load saw errors, if nothing was served, or if the
# server did not exit 0.
#
#   examples/net-demo.sh [--bin DIR] [--seconds S] [--connections C]
#                        [--threads N]
#
# DIR holds the built examples (default: ./examples, else build/examples
# beside this script's directory).

set -u
here=$(dirname "$0")
bin=""
seconds=3
connections=8
threads=1

usage() {
	sed -n '4,15s/^# \{0,1\}//p' "$0"
}

while [ $# -gt 0 ]; do
	case $1 in
	--bin) bin=$2; shift 2 ;;
	--seconds) seconds=$2; shift 2 ;;
	--connections) connections=$2; shift 2 ;;
	--threads) threads=$2; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
if [ -z "$bin" ]; then
	if [ -x ./examples/http-server ]; then
		bin=./examples
	else
		bin=$here/../build/examples
	fi
fi
for p in http-server http-load; do
	if ! [ -x "$bin/$p" ]; then
		echo "net-demo: no $bin/$p: build first (bash .ci/build), or" \
			"give --bin DIR" >&2
		exit 1
	fi
done

out=$(mktemp "${TMPDIR:-/tmp}/net-demo.XXXXXX") || exit 1
server=""
cleanup() {
	[ -n "$server" ] && kill -KILL "$server" 2>/dev/null
	rm -f "$out"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# Port 0: the kernel picks a free port; the server prints the one it got.
"$bin/http-server" --host 127.0.0.1 --port 0 --threads "$threads" >"$out" &
server=$!
port=""
i=0
while [ -z "$port" ] && [ $i -lt 100 ]; do
	if ! kill -0 "$server" 2>/dev/null; then
		echo "net-demo: http-server did not start" >&2
		exit 1
	fi
	sleep 0.1
	port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$out")
	i=$((i + 1))
done
if [ -z "$port" ]; then
	echo "net-demo: http-server did not say where it listens" >&2
	exit 1
fi
cat "$out"

echo "net-demo: http-load, $seconds s, $connections keep-alive connections"
"$bin/http-load" --host 127.0.0.1 --port "$port" --seconds "$seconds" \
	--connections "$connections"
load_rc=$?

echo "net-demo: stopping http-server with SIGTERM"
kill -TERM "$server"
i=0
while kill -0 "$server" 2>/dev/null && [ $i -lt 100 ]; do
	sleep 0.1 # at most 10 s for a clean shutdown
	i=$((i + 1))
done
if kill -0 "$server" 2>/dev/null; then
	echo "net-demo: FAILED: http-server still running 10 s after SIGTERM" >&2
	exit 1
fi
wait "$server"
server_rc=$?
server=""
sed 1d "$out"

served=$(sed -n 's/.*served \([0-9][0-9]*\) requests.*/\1/p' "$out")
if [ "$server_rc" -ne 0 ]; then
	echo "net-demo: FAILED: http-server exited with $server_rc" >&2
	exit 1
fi
if [ "${served:-0}" -eq 0 ]; then
	echo "net-demo: FAILED: http-server served nothing" >&2
	exit 1
fi
if [ "$load_rc" -ne 0 ]; then
	echo "net-demo: FAILED: http-load saw errors" >&2
	exit 1
fi
echo "net-demo: ok, $served requests served"
