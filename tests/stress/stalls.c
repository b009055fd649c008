/* SPDX-License-Identifier: MIT */
/*
 * tests/stress/stalls.c - the "stalls" scenario: stopped connections must
 * not stall the others (issue 12, S2).
 *
 * An echo server on 127.0.0.1 applies the guide's backpressure (stop
 * reading a connection above 64 KiB queued, restart at 32 KiB; it echoes
 * copies, keeping no pool buffer).  Hogs connect, pipeline without end and
 * never read: the server stops each of them for good.  While every hog is
 * stopped and its peer goes on sending, probes make round trips of 512
 * bytes; each must come back byte-exact within a bound (scaled for ASan).
 * Then the hogs read: each gets back every byte it sent, in order.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "stress.h"

#define HIGH_WATER (64 * 1024)
#define LOW_WATER (HIGH_WATER / 2)
#define PROBE_LEN 512

/* A server connection: bytes read are echoed from a copy. */
struct sconn {
	struct uring_stream s;
	struct stalls *st;
	bool paused;
};

struct swrite {
	struct uring_write w;
	struct sconn *c;
	size_t len;
	char bytes[];
};

/* A client end, plain non-blocking socket driven by the pump timer. */
struct peer {
	int fd;
	unsigned id;
	uint64_t sent, got;
	bool reading, eof;
	uint64_t probe_start_us; /* probes: the round trip under way */
	unsigned trips;
};

struct stalls {
	struct uring_loop loop;
	struct uring_stream listener;
	struct uring_timer pump;
	struct st_result *r;
	struct peer *hogs, *probes;
	unsigned nhogs, nprobes, trips_each;
	int server_open, paused_now;
	uint64_t read_stops, write_errors, read_errors, bad_bytes;
	uint64_t max_trip_us, slow_trips, max_stashed;
	uint64_t trip_bound_us;
	bool probing;   /* phase 2: probes make round trips */
	bool hogs_read; /* phase 3: hogs read back, send no more */
};

static unsigned char pattern(unsigned id, uint64_t off)
{
	return (unsigned char)(off % 251 + id * 13);
}

/* ------------------------------------------------------------- server */

static void sconn_closed(struct uring_handle *h)
{
	struct sconn *c = (struct sconn *)h;

	c->st->server_open--;
	free(c);
}

static void server_read(struct uring_stream *s, ssize_t nread,
			const struct iovec *buf);

static void server_written(struct uring_write *w, int status)
{
	struct swrite *sw = (struct swrite *)w;
	struct sconn *c = sw->c;

	free(sw);
	if (status < 0) {
		c->st->write_errors++;
		return;
	}
	if (c->paused && uring_stream_write_queue_size(&c->s) <= LOW_WATER &&
	    !uring_is_closing(&c->s.handle)) {
		c->paused = false;
		c->st->paused_now--;
		if (uring_stream_read_start(&c->s, server_read))
			uring_close(&c->s.handle, sconn_closed);
	}
}

static void server_shut(struct uring_shutdown *req, int status)
{
	struct sconn *c = req->data;

	(void)status;
	free(req);
	uring_close(&c->s.handle, sconn_closed);
}

static void server_read(struct uring_stream *s, ssize_t nread,
			const struct iovec *buf)
{
	struct sconn *c = (struct sconn *)s;
	struct uring_shutdown *sh;
	struct swrite *sw;
	struct iovec out;

	if (nread == URING_EOF) { /* echo what is queued, then FIN */
		sh = malloc(sizeof(*sh));
		if (sh) {
			sh->data = c;
			if (!uring_stream_shutdown(sh, s, server_shut))
				return;
			free(sh);
		}
		uring_close(&s->handle, sconn_closed);
		return;
	}
	if (nread < 0) {
		c->st->read_errors++;
		uring_close(&s->handle, sconn_closed);
		return;
	}
	sw = malloc(sizeof(*sw) + (size_t)nread);
	if (!sw) {
		uring_close(&s->handle, sconn_closed);
		return;
	}
	sw->c = c;
	sw->len = (size_t)nread;
	memcpy(sw->bytes, buf->iov_base, sw->len);
	out.iov_base = sw->bytes;
	out.iov_len = sw->len;
	if (uring_stream_write(&sw->w, s, &out, 1, server_written)) {
		free(sw);
		uring_close(&s->handle, sconn_closed);
		return;
	}
	if (uring_stream_write_queue_size(s) > HIGH_WATER) {
		uring_stream_read_stop(s);
		c->paused = true;
		c->st->paused_now++;
		c->st->read_stops++;
	}
}

static void server_connection(struct uring_stream *server, int status)
{
	struct stalls *st = server->handle.data;
	struct sconn *c;
	int v = 65536;

	if (status < 0)
		return;
	c = calloc(1, sizeof(*c));
	if (!c)
		return;
	c->st = st;
	/* libuv's contract: the client is initialised, then accepted into */
	if (uring_tcp_init(server->handle.loop, &c->s)) {
		st_fail(st->r, "tcp init failed");
		free(c);
		return;
	}
	st->server_open++; /* until sconn_closed() */
	if (uring_stream_accept(server, &c->s)) {
		st_fail(st->r, "accept failed");
		uring_close(&c->s.handle, sconn_closed);
		return;
	}
	/* small socket buffers: the echo backs up (and reading stops) soon */
	(void)setsockopt(uring_stream_fileno(&c->s), SOL_SOCKET, SO_SNDBUF, &v,
			 sizeof(v));
	if (uring_stream_read_start(&c->s, server_read))
		uring_close(&c->s.handle, sconn_closed);
}

/* ------------------------------------------------------------- peers */

static int peer_connect(uint16_t port, bool small_rcvbuf)
{
	struct sockaddr_in a = st_loopback(port);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), v = 65536;

	if (fd < 0)
		return -1;
	/* a hog's small receive window keeps what the echo has on its way
	 * small: its server connection stops soon */
	if (small_rcvbuf)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    fcntl(fd, F_SETFL, O_NONBLOCK)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Send peer's pattern from `sent` on, up to `limit` or a full socket. */
static void peer_send(struct peer *p, uint64_t limit)
{
	unsigned char buf[16384];
	size_t i, n;
	ssize_t w;

	while (p->sent < limit) {
		n = limit - p->sent < sizeof(buf) ? (size_t)(limit - p->sent)
						  : sizeof(buf);
		for (i = 0; i < n; i++)
			buf[i] = pattern(p->id, p->sent + i);
		w = send(p->fd, buf, n, MSG_NOSIGNAL);
		if (w <= 0)
			return;
		p->sent += (uint64_t)w;
	}
}

/* Read what has come back, checking it against what was sent. */
static void peer_recv(struct stalls *st, struct peer *p)
{
	unsigned char buf[16384];
	ssize_t n, i;

	while ((n = recv(p->fd, buf, sizeof(buf), 0)) > 0) {
		for (i = 0; i < n; i++)
			st->bad_bytes += buf[i] != pattern(p->id, p->got + i);
		p->got += (uint64_t)n;
	}
	if (n == 0)
		p->eof = true;
}

static void probe_step(struct stalls *st, struct peer *p, uint64_t now)
{
	uint64_t took;

	if (p->trips >= st->trips_each)
		return;
	if (!p->probe_start_us) {
		p->probe_start_us = now;
		peer_send(p, p->sent + PROBE_LEN);
	}
	peer_recv(st, p);
	if (p->got < p->sent)
		return;
	took = now - p->probe_start_us;
	if (took > st->max_trip_us)
		st->max_trip_us = took;
	st->slow_trips += took > st->trip_bound_us;
	p->probe_start_us = 0;
	p->trips++;
}

static void pump_tick(struct uring_timer *t)
{
	struct stalls *st = t->handle.data;
	struct uring_loop_stats ls;
	uint64_t now = st_now_us();
	unsigned i;

	for (i = 0; i < st->nhogs; i++) {
		if (st->hogs_read)
			peer_recv(st, &st->hogs[i]);
		else
			peer_send(&st->hogs[i], UINT64_MAX);
	}
	for (i = 0; st->probing && i < st->nprobes; i++)
		probe_step(st, &st->probes[i], now);
	if (!uring_loop_stats(&st->loop, &ls) &&
	    ls.read_stashed > st->max_stashed)
		st->max_stashed = ls.read_stashed;
}

/* ------------------------------------------------------------- phases */

static bool hogs_stopped(void *arg)
{
	struct stalls *st = arg;

	return st->server_open == (int)(st->nhogs + st->nprobes) &&
	       st->paused_now == (int)st->nhogs;
}

static bool probes_done(void *arg)
{
	struct stalls *st = arg;
	unsigned i;

	for (i = 0; i < st->nprobes; i++)
		if (st->probes[i].trips < st->trips_each)
			return false;
	return true;
}

static bool hogs_back(void *arg)
{
	struct stalls *st = arg;
	unsigned i;

	for (i = 0; i < st->nhogs; i++)
		if (!st->hogs[i].eof)
			return false;
	return true;
}

static void open_peers(struct stalls *st, uint16_t port)
{
	unsigned i;

	for (i = 0; i < st->nhogs + st->nprobes; i++) {
		struct peer *p = i < st->nhogs ? &st->hogs[i]
					       : &st->probes[i - st->nhogs];

		p->id = i;
		p->fd = peer_connect(port, i < st->nhogs);
		if (p->fd < 0)
			st_fail(st->r, "connect: %s", strerror(errno));
	}
}

/* The end: server connections still open (a failed run leaves stopped
 * ones, which see no EOF) are closed with the rest. */
static void close_server_conn(struct uring_handle *h, void *arg)
{
	if (h != arg && uring_handle_get_type(h) == URING_HANDLE_TCP &&
	    !uring_is_closing(h))
		uring_close(h, sconn_closed);
}

static void close_peers(struct stalls *st)
{
	unsigned i;

	for (i = 0; i < st->nhogs; i++)
		if (st->hogs[i].fd >= 0)
			close(st->hogs[i].fd);
	for (i = 0; i < st->nprobes; i++)
		if (st->probes[i].fd >= 0)
			close(st->probes[i].fd);
}

/* Phase 3: the hogs send no more and read; each gets back all it sent. */
static void drain_hogs(struct stalls *st, unsigned scale)
{
	struct st_result *r = st->r;
	unsigned i;

	st->hogs_read = true;
	for (i = 0; i < st->nhogs; i++)
		shutdown(st->hogs[i].fd, SHUT_WR);
	ST_CHECK(r, st_run_until(&st->loop, hogs_back, st, 60000 * scale),
		 "hogs did not get their bytes back within %u s", 60 * scale);
	for (i = 0; i < st->nhogs; i++) {
		ST_CHECK(r, st->hogs[i].got == st->hogs[i].sent,
			 "hog %u: got %llu of %llu bytes back", i,
			 (unsigned long long)st->hogs[i].got,
			 (unsigned long long)st->hogs[i].sent);
		r->bytes += st->hogs[i].sent;
	}
}

void st_stalls(struct st_result *r)
{
	static struct stalls st;
	struct uring_loop_stats ls;
	struct sockaddr_in a = st_loopback(0);
	socklen_t alen = sizeof(a);
	unsigned scale = ST_ASAN ? 3 : 1;
	uint16_t port;

	memset(&st, 0, sizeof(st));
	st.r = r;
	st.nhogs = ST_SCALE(8, 32);
	st.nprobes = 4;
	st.trips_each = ST_SCALE(50, 200);
	st.trip_bound_us = 1000000ull * scale;
	st.hogs = calloc(st.nhogs, sizeof(*st.hogs));
	st.probes = calloc(st.nprobes, sizeof(*st.probes));
	if (!st.hogs || !st.probes || !st_loop_init(&st.loop, NULL, r))
		goto out;
	uring_tcp_init(&st.loop, &st.listener);
	st.listener.handle.data = &st;
	if (uring_tcp_bind(&st.listener, (struct sockaddr *)&a, 0) ||
	    uring_tcp_getsockname(&st.listener, (struct sockaddr *)&a, &alen) ||
	    uring_stream_listen(&st.listener, 1024, server_connection)) {
		st_fail(r, "listen failed");
		goto close;
	}
	port = ntohs(a.sin_port);
	uring_timer_init(&st.loop, &st.pump);
	st.pump.handle.data = &st;
	uring_timer_start(&st.pump, pump_tick, 1, 1);
	open_peers(&st, port);
	r->conns = st.nhogs + st.nprobes;
	/* 1: every hog's connection stopped by the server's backpressure */
	ST_CHECK(r, st_run_until(&st.loop, hogs_stopped, &st, 30000 * scale),
		 "%d of %u hogs stopped (%d connections accepted)",
		 st.paused_now, st.nhogs, st.server_open);
	/* 2: round trips while the hogs stay stopped and keep sending */
	st.probing = true;
	ST_CHECK(r, st_run_until(&st.loop, probes_done, &st, 60000 * scale),
		 "probes stalled while %d connections were stopped",
		 st.paused_now);
	ST_CHECK(r, st.slow_trips == 0,
		 "%llu round trips took longer than %llu ms (longest %llu ms)",
		 (unsigned long long)st.slow_trips,
		 (unsigned long long)st.trip_bound_us / 1000,
		 (unsigned long long)st.max_trip_us / 1000);
	r->ops = (uint64_t)st.nprobes * st.trips_each;
	drain_hogs(&st, scale);
	ST_CHECK(r, st.bad_bytes == 0, "%llu bytes came back wrong",
		 (unsigned long long)st.bad_bytes);
	ST_CHECK(r, !st.read_errors && !st.write_errors,
		 "server: %llu read errors, %llu write errors",
		 (unsigned long long)st.read_errors,
		 (unsigned long long)st.write_errors);
	uring_loop_stats(&st.loop, &ls);
	ST_CHECK(r, ls.read_stashed == 0, "%llu bytes still stashed",
		 (unsigned long long)ls.read_stashed);
	st_extra(r,
		 "hogs=%u probes=%u max_trip=%llums read_stops=%llu "
		 "max_stashed=%llu read_copied=%llu read_bufs=%llu "
		 "read_pauses=%llu",
		 st.nhogs, st.nprobes,
		 (unsigned long long)st.max_trip_us / 1000,
		 (unsigned long long)st.read_stops,
		 (unsigned long long)st.max_stashed,
		 (unsigned long long)ls.read_copied,
		 (unsigned long long)ls.read_bufs,
		 (unsigned long long)ls.read_pauses);
close:
	close_peers(&st);
	uring_walk(&st.loop, close_server_conn, &st.listener.handle);
	uring_close(&st.pump.handle, NULL);
	uring_close(&st.listener.handle, NULL);
	st_close_loop(&st.loop, r, 10000 * scale);
out:
	free(st.hogs);
	free(st.probes);
}
