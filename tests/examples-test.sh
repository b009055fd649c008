#!/bin/sh
# SPDX-License-Identifier: MIT
#
# examples-test: run the network examples on free ports of 127.0.0.1 and
# check what they do, from the outside, as a client would:
#   echo-server  bytes come back exactly (also with a client that does not
#                read: backpressure must hold its bytes without starving
#                other connections); EOF is answered with EOF;
#   http-server  pipelined requests answered in order, a request split
#                over many reads, 400/431 then close, Connection: close,
#                HTTP/1.0, bodies skipped, idle connections closed;
#                --threads 2 under http-load;
#   proxy        bytes both ways to an echo-server, half-close passed on,
#                an unreachable upstream closes the client;
#   every server exits 0 on SIGTERM or SIGINT and says what it served.
#
# Run by `make check` from the build directory; by hand, run it from the
# build directory too (EXAMPLES=dir overrides where the programs are).
# Needs python3 for the clients; exits 77 (skipped) without it.

set -u
EXAMPLES=${EXAMPLES:-./examples}
# Every bound on time below is multiplied by how much slower than a plain
# native build this run may be (as ut_slowdown() in tests/test-util.h):
# the build's part, UT_BUILD_SLOWDOWN (3 with sanitizers; `make check`
# sets it), times the machine's, UT_SLOWDOWN (e.g. an emulated CPU).
whole() { case $1 in '' | *[!0-9]* | 0) echo 1 ;; *) echo "$1" ;; esac; }
slow=$(($(whole "${UT_BUILD_SLOWDOWN:-1}") * $(whole "${UT_SLOWDOWN:-1}")))
PY=$(command -v python3 || true)
if [ -z "$PY" ]; then
	echo "examples-test: SKIP: no python3"
	exit 77
fi
for p in echo-server http-server proxy http-load udp-echo; do
	if ! [ -x "$EXAMPLES/$p" ]; then
		echo "examples-test: no $EXAMPLES/$p (run from the build directory)" >&2
		exit 1
	fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/examples-test.XXXXXX") || exit 1
pids=""
cleanup() {
	for pid in $pids; do
		kill -KILL "$pid" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

failures=0
pass() { echo "ok - $1"; }
fail() {
	echo "FAIL - $1"
	failures=$((failures + 1))
}

# start NAME ARGS...: start a server in the background; sets $pid and
# $port from its "listening on ...:PORT" line (waits up to 10 s, scaled).
start() {
	name=$1
	shift
	# Empty the output now: the background shell truncates it only once
	# it runs, and the loop below must not read a previous run's port.
	: >"$tmp/$name.out"
	"$EXAMPLES/$name" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
	pid=$!
	pids="$pids $pid"
	port=""
	i=0
	while [ $i -lt $((100 * slow)) ]; do
		port=$(sed -n 's/.*listening on .*:\([0-9][0-9]*\).*/\1/p' \
			"$tmp/$name.out")
		[ -n "$port" ] && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	echo "examples-test: $name did not start:" >&2
	cat "$tmp/$name.out" "$tmp/$name.err" >&2
	exit 1
}

# stop PID NAME SIGNAL: send SIGNAL, wait up to 10 s (scaled); passes if the server
# exited 0 and printed its summary line.
stop() {
	spid=$1
	name=$2
	kill -"$3" "$spid"
	i=0
	while kill -0 "$spid" 2>/dev/null && [ $i -lt $((100 * slow)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 "$spid" 2>/dev/null; then
		fail "$name exits on SIG$3 (still running after $((10 * slow)) s)"
		return
	fi
	wait "$spid"
	rc=$?
	pids=$(echo "$pids" | sed "s/ $spid\b//")
	if [ $rc -eq 0 ] && grep -q "$4" "$tmp/$name.out"; then
		pass "$name exits 0 on SIG$3: $(tail -n 1 "$tmp/$name.out")"
	else
		fail "$name exits 0 on SIG$3 with a summary (exit $rc)"
		cat "$tmp/$name.out" "$tmp/$name.err"
	fi
}

# check WHAT ARGS...: one client check in clients.py, bounded in time.
check() {
	what=$1
	shift
	if UT_SLOW=$slow timeout $((60 * slow)) "$PY" "$tmp/clients.py" "$@" \
		>"$tmp/check.out" 2>&1; then
		pass "$what"
	else
		fail "$what"
		sed 's/^/    /' "$tmp/check.out"
	fi
}

cat >"$tmp/clients.py" <<'EOF'
import hashlib, os, socket, sys, threading, time

HOST = "127.0.0.1"
SLOW = int(os.environ.get("UT_SLOW", "1"))  # the run's slowdown (above)
TIMEOUT = 5 * SLOW  # a socket call that waits longer fails the check


def conn(port):
    s = socket.create_connection((HOST, int(port)), timeout=TIMEOUT)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def read_to_eof(s, limit=1 << 28):
    out = bytearray()
    while len(out) < limit:
        b = s.recv(1 << 16)
        if not b:
            return bytes(out)
        out += b
    raise AssertionError("no EOF")


def expect(cond, what):
    if not cond:
        raise AssertionError(what)


# ---------------------------------------------------------------- echo

def echo_roundtrip(port, size):
    """Send size random bytes while reading, then EOF; all must return."""
    s = conn(port)
    data = os.urandom(int(size))

    def send():
        view = memoryview(data)
        while view:  # uneven chunks, so reads split them differently
            n = s.send(view[:70001])
            view = view[n:]
        s.shutdown(socket.SHUT_WR)
    t = threading.Thread(target=send)
    t.start()
    got = read_to_eof(s)
    t.join()
    expect(len(got) == len(data), "echoed %d of %d bytes" % (len(got), len(data)))
    expect(got == data, "echoed bytes differ")


def kernel_max(name):
    """The most one TCP socket's buffer may grow to (tcp_rmem/tcp_wmem)."""
    with open("/proc/sys/net/ipv4/" + name) as f:
        return int(f.read().split()[2])


def echo_backpressure(port, hops):
    """A client that sends without reading must stall once the server's
    limit is reached (not have everything buffered), other clients must
    still be served meanwhile, and nothing may be lost.  `hops`: the TCP
    connections the bytes cross there and back (2 to the echo server, 4
    through the proxy)."""
    # What may stay in flight without any fault of the servers: each hop's
    # send and receive buffers as far as the kernel lets them grow (32 MiB
    # receive buffers on this machine: autotuning fills them once a
    # reader stops), plus what the servers hold by design: per stopped
    # stream its stash (a read pool, 4 MiB) and write queue (64 KiB and 8
    # kept buffers), 16 MiB in all.  Without backpressure the whole flood,
    # 64 MiB more than that, would go.
    hold = int(hops) * (kernel_max("tcp_rmem") + kernel_max("tcp_wmem"))
    limit = hold + (16 << 20)
    flood = conn(port)
    flood.setblocking(False)
    chunk = os.urandom(1 << 16)
    sent, pos, out = 0, 0, hashlib.sha256()
    stalled_since = None
    while sent < limit + (64 << 20):
        try:
            n = flood.send(chunk[pos:])
        except BlockingIOError:
            if stalled_since is None:
                stalled_since = time.monotonic()
            elif time.monotonic() - stalled_since > 1.0 * SLOW:
                break
            time.sleep(0.01)
            continue
        out.update(chunk[pos:pos + n])
        sent += n
        pos = (pos + n) % len(chunk)
        stalled_since = None
    print("sent %.1f MiB before the server stopped reading" % (sent / 1048576.0))
    expect(sent < limit, "server took %d MiB from a client that never reads"
           " (at most %d MiB may be in flight)" % (sent >> 20, limit >> 20))
    echo_roundtrip(port, 200000)  # another client is still served
    flood.setblocking(True)
    flood.settimeout(TIMEOUT)
    flood.shutdown(socket.SHUT_WR)
    got = read_to_eof(flood)
    expect(len(got) == sent, "flooding client got %d of %d bytes back" % (len(got), sent))
    expect(hashlib.sha256(got).digest() == out.digest(), "flooding client: bytes differ")


def echo_many(port, n):
    """n connections at once, each a small round trip."""
    errors = []

    def one():
        try:
            echo_roundtrip(port, 3000)
        except Exception as e:
            errors.append(e)
    ts = [threading.Thread(target=one) for _ in range(int(n))]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    expect(not errors, "%d of %s connections failed: %r" % (len(errors), n, errors[:1]))


# ---------------------------------------------------------------- http

def req(path="/", extra="", version="1.1", method="GET"):
    host = "Host: test\r\n" if version == "1.1" else ""
    return ("%s %s HTTP/%s\r\n%s%s\r\n" % (method, path, version, host, extra)).encode()


class Answers:
    """Reads HTTP answers (with Content-Length) off a socket."""

    def __init__(self, s):
        self.s, self.buf = s, b""

    def next(self):
        while b"\r\n\r\n" not in self.buf:
            b = self.s.recv(65536)
            if not b:
                raise AssertionError("EOF before an answer; have %r" % self.buf[:200])
            self.buf += b
        head, rest = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        hdrs = {}
        for line in lines[1:]:
            k, v = line.split(":", 1)
            hdrs[k.strip().lower()] = v.strip()
        n = int(hdrs["content-length"])
        while len(rest) < n:
            b = self.s.recv(65536)
            if not b:
                raise AssertionError("EOF inside a body")
            rest += b
        self.buf = rest[n:]
        return status, hdrs, rest[:n]

    def eof(self):
        expect(self.buf == b"", "bytes after the last answer: %r" % self.buf[:100])
        try:
            b = self.s.recv(65536)
        except ConnectionResetError:
            raise AssertionError("connection reset instead of closed")
        expect(b == b"", "more bytes instead of EOF: %r" % b[:100])


def statuses(s, n):
    a = Answers(s)
    return a, [a.next()[0] for _ in range(n)]


def http_pipelined(port):
    s = conn(port)
    s.sendall(req("/") + req("/nope") + req("/") + req("/", method="DELETE"))
    a = Answers(s)
    got = [a.next() for _ in range(4)]
    expect([g[0] for g in got] == [200, 404, 200, 405], "statuses %r" % [g[0] for g in got])
    expect(got[0][2] == got[2][2] and got[0][2], "the two 200 bodies differ or are empty")
    expect(got[0][1].get("connection") == "keep-alive", "no keep-alive")
    s.sendall(req("/"))  # still open
    expect(a.next()[0] == 200, "no answer after a pipeline")


def http_split(port):
    s = conn(port)
    r = req("/", extra="X-Padding: " + "p" * 300 + "\r\n")
    for i in range(0, len(r), 7):  # one request over ~50 reads
        s.sendall(r[i:i + 7])
        time.sleep(0.003)
    a = Answers(s)
    expect(a.next()[0] == 200, "split request not answered 200")
    # a pipeline cut in the middle of the second request
    two = req("/") + req("/nope")
    s.sendall(two[:len(two) - 10])
    expect(a.next()[0] == 200, "first of a cut pipeline")
    time.sleep(0.05)
    s.sendall(two[len(two) - 10:])
    expect(a.next()[0] == 404, "second of a cut pipeline")


def http_closes(port, what):
    s = conn(port)
    cases = {
        "malformed": (b"BAD REQUEST LINE\r\n\r\n", 400),
        "binary": (b"\x16\x03\x01\x02\x00\x01\x00", 400),
        "no-host": (b"GET / HTTP/1.1\r\n\r\n", 400),
        "space-before-colon": (b"GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400),
        "oversized": (req("/", extra="X-Big: " + "b" * 10000 + "\r\n"), 431),
        "chunked": (req("/", extra="Transfer-Encoding: chunked\r\n") + b"0\r\n\r\n", 501),
        "connection-close": (req("/", extra="Connection: close\r\n"), 200),
        "http10": (req("/", version="1.0"), 200),
    }
    data, want = cases[what]
    # a good request first: the connection is closed after the bad one
    s.sendall(req("/") + data + req("/"))
    a = Answers(s)
    expect(a.next()[0] == 200, "first request")
    status, hdrs, _ = a.next()
    expect(status == want, "%s: status %d, want %d" % (what, status, want))
    expect(hdrs.get("connection") == "close", "%s: no Connection: close" % what)
    a.eof()


def http_keepalive10(port):
    s = conn(port)
    s.sendall(req("/", version="1.0", extra="Connection: keep-alive\r\n"))
    a = Answers(s)
    status, hdrs, _ = a.next()
    expect(status == 200 and hdrs.get("connection") == "keep-alive", "1.0 keep-alive")
    s.sendall(req("/"))
    expect(a.next()[0] == 200, "second request on a 1.0 keep-alive connection")


def http_body(port):
    s = conn(port)
    body = b"x" * 5000
    s.sendall(req("/", method="POST", extra="Content-Length: %d\r\n" % len(body)) + body[:100])
    time.sleep(0.05)
    s.sendall(body[100:] + req("/nope"))
    a = Answers(s)
    expect(a.next()[0] == 405, "POST with a body")
    expect(a.next()[0] == 404, "request after a body")


def http_halfclose(port):
    s = conn(port)
    s.sendall(req("/") + req("/"))
    s.shutdown(socket.SHUT_WR)
    a = Answers(s)
    expect([a.next()[0], a.next()[0]] == [200, 200], "answers after our EOF")
    a.eof()


def http_idle(port, ms):
    """Connections without a complete request close after the deadline."""
    quiet = conn(port)
    partial = conn(port)
    partial.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # never finished
    t0 = time.monotonic()
    for s in (quiet, partial):
        expect(s.recv(100) == b"", "idle connection got bytes")
    took = time.monotonic() - t0
    lim = int(ms) / 1000.0
    # early is a bug at any speed; late only past what a slow run explains
    expect(lim * 0.8 <= took <= lim * 2 + SLOW, "closed after %.2f s, deadline %.2f s" % (took, lim))


# ---------------------------------------------------------------- proxy

def proxy_dead_upstream(port):
    s = conn(port)
    try:
        got = s.recv(100)
    except ConnectionResetError:
        got = b""
    expect(got == b"", "bytes from a proxy without upstream")


def udp_echo(port, count):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(TIMEOUT)
    for i in range(int(count)):
        msg = os.urandom(i * 37 % 4000)
        s.sendto(msg, (HOST, int(port)))
        got, frm = s.recvfrom(65536)
        expect(got == msg, "datagram %d echoed exactly" % i)
        expect(frm[1] == int(port), "echo from the server's port")


fn = globals()[sys.argv[1]]
fn(*sys.argv[2:])
EOF

# ------------------------------------------------------------ echo-server
start echo-server --port 0
echo_pid=$pid echo_port=$port
check "echo: 1 MiB echoed exactly" echo_roundtrip "$echo_port" 1048576
check "echo: 50 connections at once" echo_many "$echo_port" 50
check "echo: backpressure on a client that does not read" \
	echo_backpressure "$echo_port" 2

# ------------------------------------------------------------ proxy
start proxy --listen 127.0.0.1:0 --connect "127.0.0.1:$echo_port"
proxy_pid=$pid proxy_port=$port
check "proxy: 4 MiB both ways, half-close passed on" \
	echo_roundtrip "$proxy_port" 4194304
check "proxy: 20 connections at once" echo_many "$proxy_port" 20
check "proxy: backpressure both ways" echo_backpressure "$proxy_port" 4
stop "$proxy_pid" proxy TERM "bytes up"

# An upstream nobody listens on: the echo-server's port, once it is gone.
stop "$echo_pid" echo-server INT "echoed"
start proxy --listen 127.0.0.1:0 --connect "127.0.0.1:$echo_port"
check "proxy: unreachable upstream closes the client" \
	proxy_dead_upstream "$port"
stop "$pid" proxy TERM "upstream connects failed"

# ------------------------------------------------------------ udp-echo
start udp-echo --port 0
check "udp: 200 datagrams of 0..3999 bytes echoed exactly" udp_echo "$port" 200
stop "$pid" udp-echo TERM "echoed 200 datagrams"

# ------------------------------------------------------------ http-server
start http-server --port 0
http_pid=$pid http_port=$port
check "http: pipelined requests answered in order" http_pipelined "$http_port"
check "http: requests split across reads" http_split "$http_port"
for what in malformed binary no-host space-before-colon oversized chunked \
	connection-close http10; do
	check "http: $what: answered, then closed" http_closes "$http_port" "$what"
done
check "http: HTTP/1.0 keep-alive" http_keepalive10 "$http_port"
check "http: request bodies skipped" http_body "$http_port"
check "http: answers after the client's EOF" http_halfclose "$http_port"
stop "$http_pid" http-server TERM "served [1-9][0-9]* requests"

start http-server --port 0 --idle-timeout 400
check "http: idle connections closed" http_idle "$port" 400
stop "$pid" http-server TERM "2 closed idle"

start http-server --port 0 --threads 2
http_pid=$pid http_port=$port
if "$EXAMPLES/http-load" --port "$http_port" --seconds 1 --connections 8 \
	--pipeline 4 >"$tmp/load.out" 2>&1; then
	pass "http --threads 2 under http-load: $(cat "$tmp/load.out")"
else
	fail "http --threads 2 under http-load"
	cat "$tmp/load.out"
fi
if "$EXAMPLES/http-load" --port "$http_port" --seconds 1 --path /missing \
	>"$tmp/load.out" 2>&1; then
	fail "http-load fails on 404 answers"
else
	pass "http-load fails on 404 answers"
fi
stop "$http_pid" http-server TERM "served [1-9][0-9]* requests"

# the loop's two trades, through the options: busy-polling, batched waits
for opt in "--spin 50" "--wait-batch 16:100"; do
	# shellcheck disable=SC2086 # the option and its value, split on purpose
	start http-server --port 0 $opt
	http_pid=$pid http_port=$port
	if "$EXAMPLES/http-load" --port "$http_port" --seconds 1 \
		--connections 8 >"$tmp/load.out" 2>&1; then
		pass "http $opt under http-load: $(cat "$tmp/load.out")"
	else
		fail "http $opt under http-load"
		cat "$tmp/load.out"
	fi
	stop "$http_pid" http-server TERM "served [1-9][0-9]* requests"
done
if "$EXAMPLES/http-server" --port 0 --spin 2000000 >"$tmp/bad.out" 2>&1 ||
	! grep -q "Invalid argument" "$tmp/bad.out"; then
	fail "http --spin above the limit is refused with the loop's -EINVAL"
	cat "$tmp/bad.out"
else
	pass "http --spin above the limit is refused with the loop's -EINVAL"
fi

if [ $failures -ne 0 ]; then
	echo "examples-test: $failures check(s) failed"
	exit 1
fi
echo "examples-test: all checks passed"
exit 0
