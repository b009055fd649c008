/* SPDX-License-Identifier: MIT */
/*
 * tests/bench/netclient.c - the load side of the networking benchmarks.
 *
 * One client for every server implementation, so only the server differs
 * between the impls.  Plain sockets: blocking for one connection (ping,
 * write_batch sink, idle connects), one level-triggered epoll set for many
 * (pump, pound, http).  Every loop here ends at its deadline or its count,
 * and every blocking call has a timeout; an unexpected error ends the
 * program with a message (bench_die), never a made-up figure.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench.h"
#include "netbench.h"

#define IO_TIMEOUT_S 10 /* a blocking read or write that waits longer: die */
#define PUMP_CHUNK 8192
#define MAX_EVENTS 256

static const char http_request[] = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
static const char http_response[] = NET_HTTP_RESPONSE;

static void set_timeouts(int fd)
{
	struct timeval tv = { .tv_sec = IO_TIMEOUT_S };

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)))
		bench_die("client: SO_RCVTIMEO: %s", strerror(errno));
}

static void set_nodelay(int fd)
{
	int one = 1;

	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
		bench_die("client: TCP_NODELAY: %s", strerror(errno));
}

/* A socket connected (or, non-blocking, connecting) to 127.0.0.1:port;
 * -errno on failure. */
int nc_connect(int port, bool nonblock)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons((uint16_t)port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int fd, err;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC |
			     (nonblock ? SOCK_NONBLOCK : 0), 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) &&
	    !(nonblock && errno == EINPROGRESS)) {
		err = errno;
		close(fd);
		return -err;
	}
	return fd;
}

static int connect_or_die(int port, bool nonblock)
{
	int fd = nc_connect(port, nonblock);

	if (fd < 0)
		bench_die("client: connect to 127.0.0.1:%d: %s", port,
			  strerror(-fd));
	return fd;
}

/* ---------------------------------------------------------------- ping */

#define PING "PING\n"
#define PING_LEN 5

struct nc_ping {
	int fd;
};

struct nc_ping *nc_ping_open(int port)
{
	struct nc_ping *p = calloc(1, sizeof(*p));

	if (!p)
		bench_die("client: out of memory");
	p->fd = connect_or_die(port, false);
	set_nodelay(p->fd);
	set_timeouts(p->fd);
	return p;
}

/* One PING in flight: write it, read the whole echo, again. */
uint64_t nc_ping_run(struct nc_ping *p, double seconds)
{
	double deadline = bench_now() + seconds;
	uint64_t count = 0;
	char buf[PING_LEN];

	while (count < 100000000ULL && bench_now() < deadline) {
		size_t got = 0;

		if (write(p->fd, PING, PING_LEN) != PING_LEN)
			bench_die("client: ping write: %s", strerror(errno));
		while (got < PING_LEN) {
			ssize_t n = read(p->fd, buf + got, PING_LEN - got);

			if (n <= 0)
				bench_die("client: ping read: %s",
					  n ? strerror(errno) : "EOF");
			got += (size_t)n;
		}
		if (memcmp(buf, PING, PING_LEN))
			bench_die("client: the echo is not what was sent");
		count++;
	}
	return count;
}

void nc_ping_close(struct nc_ping *p)
{
	close(p->fd);
	free(p);
}

/* ------------------------------------------------ pump, pound and http */

enum { C_CONNECTING, C_WAIT_EOF, C_OPEN };

struct nc_conn {
	int fd;
	int state;
	size_t got; /* http: bytes of the current response */
};

struct nc_multi {
	enum nc_kind kind;
	int port;
	unsigned n;
	int epfd;
	uint64_t errors;
	struct nc_conn *c;
	char *buf;
};

static void watch(struct nc_multi *m, struct nc_conn *c, int op, uint32_t ev)
{
	struct epoll_event e = { .events = ev, .data.ptr = c };

	if (epoll_ctl(m->epfd, op, c->fd, &e))
		bench_die("client: epoll_ctl: %s", strerror(errno));
}

/* pound: a new connection in slot c. */
static void pound_start(struct nc_multi *m, struct nc_conn *c)
{
	for (int tries = 0;; tries++) {
		c->fd = nc_connect(m->port, true);
		if (c->fd >= 0)
			break;
		m->errors++;
		if (tries == 100)
			bench_die("client: pound connect: %s", strerror(-c->fd));
	}
	c->state = C_CONNECTING;
	watch(m, c, EPOLL_CTL_ADD, EPOLLOUT);
}

static void http_send(struct nc_conn *c)
{
	ssize_t n = write(c->fd, http_request, sizeof(http_request) - 1);

	/* one request in flight: it always fits in an empty socket buffer */
	if (n != (ssize_t)sizeof(http_request) - 1)
		bench_die("client: http write: %s",
			  n < 0 ? strerror(errno) : "short write");
}

struct nc_multi *nc_multi_open(enum nc_kind kind, int port, unsigned n)
{
	struct nc_multi *m = calloc(1, sizeof(*m));

	if (!m || !(m->c = calloc(n, sizeof(*m->c))) ||
	    !(m->buf = malloc(65536)))
		bench_die("client: out of memory");
	memset(m->buf, 'x', 65536);
	m->kind = kind;
	m->port = port;
	m->n = n;
	m->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (m->epfd < 0)
		bench_die("client: epoll_create1: %s", strerror(errno));
	for (unsigned i = 0; i < n; i++) {
		struct nc_conn *c = &m->c[i];

		if (kind == NC_POUND) {
			pound_start(m, c);
			continue;
		}
		/* pump and http: connect first (blocking), then go
		 * non-blocking; set-up stays outside the windows */
		c->fd = connect_or_die(port, false);
		c->state = C_OPEN;
		if (kind == NC_HTTP)
			set_nodelay(c->fd);
		if (fcntl(c->fd, F_SETFL, O_NONBLOCK))
			bench_die("client: O_NONBLOCK: %s", strerror(errno));
		if (kind == NC_HTTP) {
			http_send(c);
			watch(m, c, EPOLL_CTL_ADD, EPOLLIN);
		} else {
			watch(m, c, EPOLL_CTL_ADD, EPOLLOUT);
		}
	}
	return m;
}

/* Write 8 KiB blocks until the socket is full (at most 64 per event). */
static uint64_t pump_event(struct nc_multi *m, struct nc_conn *c)
{
	uint64_t sent = 0;

	for (int i = 0; i < 64; i++) {
		ssize_t n = write(c->fd, m->buf, PUMP_CHUNK);

		if (n < 0) {
			if (errno == EAGAIN)
				break;
			bench_die("client: pump write: %s", strerror(errno));
		}
		sent += (uint64_t)n;
	}
	return sent;
}

/* Returns 1 when a connect-write-EOF cycle ended. */
static uint64_t pound_event(struct nc_multi *m, struct nc_conn *c)
{
	int err = 0;
	socklen_t len = sizeof(err);
	ssize_t n;

	if (c->state == C_CONNECTING) {
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len))
			err = errno;
		if (err == EINPROGRESS || err == EALREADY)
			return 0;
		if (!err && write(c->fd, "QS", 2) != 2)
			err = errno ? errno : EIO;
		if (!err) {
			c->state = C_WAIT_EOF;
			watch(m, c, EPOLL_CTL_MOD, EPOLLIN);
			return 0;
		}
	} else {
		n = read(c->fd, m->buf, 64);
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n > 0) /* the server sends nothing */
			bench_die("client: pound: the server sent bytes");
		err = n < 0 ? errno : 0;
	}
	close(c->fd);
	if (err)
		m->errors++;
	pound_start(m, c);
	return err ? 0 : 1;
}

/* Returns the responses completed. */
static uint64_t http_event(struct nc_multi *m, struct nc_conn *c)
{
	const size_t rlen = sizeof(http_response) - 1;
	uint64_t done = 0;
	ssize_t n = read(c->fd, m->buf, 65536);

	if (n < 0 && errno == EAGAIN)
		return 0;
	if (n <= 0)
		bench_die("client: http read: %s", n ? strerror(errno) : "EOF");
	if (c->got == 0 && (size_t)n >= 15 && memcmp(m->buf, http_response, 15))
		bench_die("client: http: not a 200 response");
	c->got += (size_t)n;
	while (c->got >= rlen) {
		c->got -= rlen;
		done++;
	}
	if (c->got > 0 && done)
		bench_die("client: http: a response came unasked");
	if (done)
		http_send(c);
	return done;
}

uint64_t nc_multi_run(struct nc_multi *m, double seconds)
{
	struct epoll_event ev[MAX_EVENTS];
	double now = bench_now(), deadline = now + seconds;
	uint64_t done = 0;

	while (now < deadline) {
		int ms = (int)((deadline - now) * 1000.0) + 1;
		int k = epoll_wait(m->epfd, ev, MAX_EVENTS, ms);

		if (k < 0 && errno != EINTR)
			bench_die("client: epoll_wait: %s", strerror(errno));
		for (int i = 0; i < k; i++) {
			struct nc_conn *c = ev[i].data.ptr;

			switch (m->kind) {
			case NC_PUMP:
				if (ev[i].events & (EPOLLERR | EPOLLHUP))
					bench_die("client: pump: connection "
						  "lost");
				done += pump_event(m, c);
				break;
			case NC_POUND:
				done += pound_event(m, c);
				break;
			case NC_HTTP:
				done += http_event(m, c);
				break;
			}
		}
		now = bench_now();
	}
	return done;
}

uint64_t nc_multi_errors(const struct nc_multi *m)
{
	return m->errors;
}

void nc_multi_close(struct nc_multi *m)
{
	for (unsigned i = 0; i < m->n; i++)
		close(m->c[i].fd);
	close(m->epfd);
	free(m->c);
	free(m->buf);
	free(m);
}

/* ------------------------------------------------------ write_batch sink */

int nc_sink_open(int port)
{
	int fd = connect_or_die(port, false);

	set_timeouts(fd);
	return fd;
}

uint64_t nc_sink_run(int fd, double seconds)
{
	static char buf[65536];
	double deadline = bench_now() + seconds;
	uint64_t got = 0;

	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n == 0)
			return got;
		if (n < 0)
			bench_die("client: write_batch read: %s", strerror(errno));
		got += (uint64_t)n;
		if (bench_now() > deadline)
			bench_die("client: write_batch: no EOF after %.0f s "
				  "(%llu bytes)", seconds, (unsigned long long)got);
	}
}
