/* SPDX-License-Identifier: MIT */
/*
 * tests/stream-util.h - what the stream suites share: running a loop until
 * a condition holds (bounded), peers (a socketpair, a refusing port, a
 * listener that never accepts), a loopback listener, and an echo server
 * that writes back the very pool buffers it read (kept until written).
 */
#ifndef URING_TEST_STREAM_UTIL_H
#define URING_TEST_STREAM_UTIL_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <uring/prep.h>
#include <uring/stream.h>

#include "loop-util.h"

/* ------------------------------------------------------------- running */

struct ut_until {
	struct uring_timer timer;
	bool (*done)(void *arg);
	void *arg;
	uint64_t deadline;
	bool met;
};

static void ut_until_tick(struct uring_timer *t)
{
	struct ut_until *u = (struct ut_until *)t;

	if (u->done(u->arg))
		u->met = true;
	if (u->met || uring_loop_now(t->handle.loop) >= u->deadline)
		uring_loop_stop(t->handle.loop);
}

/* Run the loop until done(arg) or ms pass (checked every millisecond);
 * returns whether done(arg) held. */
static inline bool ut_run_until(struct uring_loop *loop, bool (*done)(void *),
				void *arg, unsigned ms)
{
	struct ut_until u;

	memset(&u, 0, sizeof(u));
	ck_assert_int_eq(uring_timer_init(loop, &u.timer), 0);
	u.done = done;
	u.arg = arg;
	u.deadline = uring_loop_now(loop) + UT_SLOW(ms); /* emulated CPU */
	ck_assert_int_eq(uring_timer_start(&u.timer, ut_until_tick, 1, 1), 0);
	uring_loop_run(loop, URING_RUN_DEFAULT);
	uring_close(&u.timer.handle, NULL);
	uring_loop_run(loop, URING_RUN_NOWAIT);
	return u.met || done(arg);
}

static bool ut_int_reaches(void *arg)
{
	int *p = arg;

	return p[0] >= p[1];
}

/* Run until counter[0] >= counter[1] (bounded by ms). */
static inline bool ut_run_count(struct uring_loop *loop, int *counter,
				unsigned ms)
{
	return ut_run_until(loop, ut_int_reaches, counter, ms);
}

/* Fill the loop's SQ with NOPs that post no CQE (nothing for the loop to
 * dispatch), so that the next SQE the loop needs makes it submit first:
 * with a fault injected into that submit, the loop finds no SQE at all. */
static inline void ut_fill_sq(struct uring_loop *loop)
{
	struct uring_ring *ring = uring_loop_ring(loop);
	struct uring_sqe *sqe;

	while ((sqe = uring_ring_get_sqe(ring))) {
		uring_prep_nop(sqe);
		sqe->user_data = 0;
		sqe->flags |= URING_SQE_CQE_SKIP_SUCCESS;
	}
	ck_assert_uint_eq(uring_ring_sq_space_left(ring), 0);
}

/* ------------------------------------------------------------- addresses */

static inline struct sockaddr_in ut_loopback(uint16_t port)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

/* ------------------------------------------------------------- peers */

/* A stream on one end of a socketpair; the other end is returned. */
static inline int ut_pair_stream(struct uring_loop *loop, struct uring_stream *s)
{
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv),
			 0);
	ck_assert_int_eq(uring_unix_init(loop, s), 0);
	ck_assert_int_eq(uring_stream_open(s, sv[0]), 0);
	return sv[1];
}

/* A port on 127.0.0.1 nobody listens on. */
static inline struct sockaddr_in ut_refusing_port(void)
{
	struct sockaddr_in a = ut_loopback(0);
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(fd);
	return a;
}

/* A listener that never accepts, with its queue full: a connect to it
 * hangs (SYNs dropped) until cancelled. */
static inline int ut_full_listener(struct sockaddr_in *a, int fillers[8])
{
	socklen_t len = sizeof(*a);
	int lfd = socket(AF_INET, SOCK_STREAM, 0), i;

	*a = ut_loopback(0);
	ck_assert_int_eq(bind(lfd, (struct sockaddr *)a, sizeof(*a)), 0);
	ck_assert_int_eq(getsockname(lfd, (struct sockaddr *)a, &len), 0);
	ck_assert_int_eq(listen(lfd, 0), 0);
	for (i = 0; i < 8; i++) {
		fillers[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		(void)connect(fillers[i], (struct sockaddr *)a, sizeof(*a));
	}
	usleep(50000);
	return lfd;
}

/* Bind `s` (initialised TCP) to 127.0.0.1 on a free port; return it. */
static inline uint16_t ut_bind_any(struct uring_stream *s)
{
	struct sockaddr_in a = ut_loopback(0);
	socklen_t len = sizeof(a);

	ck_assert_int_eq(uring_tcp_bind(s, (struct sockaddr *)&a, 0), 0);
	ck_assert_int_eq(uring_tcp_getsockname(s, (struct sockaddr *)&a, &len),
			 0);
	return ntohs(a.sin_port);
}

/* ------------------------------------------------------------- echo server */

/* A connection of the echo server: each read's pool buffer is kept and
 * written back as is, then released from the write callback. */
struct ut_echo_conn {
	struct uring_stream s;
	struct ut_echo *server;
};

struct ut_echo_write {
	struct uring_write w;
	int buf_id;
};

struct ut_echo {
	struct uring_stream listener;
	int conns_open;
	int conns_total;
	uint64_t bytes;
	int write_errors;
	int last_read_error;
};

static void ut_echo_conn_closed(struct uring_handle *h)
{
	struct ut_echo_conn *c = (struct ut_echo_conn *)h;

	c->server->conns_open--;
	free(c);
}

static void ut_echo_written(struct uring_write *w, int status)
{
	struct ut_echo_write *ew = (struct ut_echo_write *)w;
	struct ut_echo_conn *c = w->data;

	if (status < 0)
		c->server->write_errors++;
	ck_assert_int_eq(uring_loop_buf_release(c->s.handle.loop, ew->buf_id),
			 0);
	free(ew);
}

static void ut_echo_read(struct uring_stream *s, ssize_t nread,
			 const struct iovec *buf)
{
	struct ut_echo_conn *c = (struct ut_echo_conn *)s;
	struct ut_echo_write *ew;
	struct iovec out;

	if (nread < 0) {
		if (nread != URING_EOF)
			c->server->last_read_error = (int)nread;
		uring_close(&s->handle, ut_echo_conn_closed);
		return;
	}
	ut_kernel_wrote(buf->iov_base, (size_t)nread);
	ew = malloc(sizeof(*ew));
	ck_assert_ptr_nonnull(ew);
	ew->buf_id = uring_stream_buf_keep(s);
	ck_assert_int_ge(ew->buf_id, 0);
	ew->w.data = c;
	out.iov_base = buf->iov_base;
	out.iov_len = (size_t)nread;
	c->server->bytes += (uint64_t)nread;
	ck_assert_int_eq(uring_stream_write(&ew->w, s, &out, 1, ut_echo_written),
			 0);
}

static void ut_echo_connection(struct uring_stream *server, int status)
{
	struct ut_echo *e = (struct ut_echo *)server;
	struct ut_echo_conn *c;

	ck_assert_int_eq(status, 0);
	c = malloc(sizeof(*c));
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(uring_stream_accept(server, &c->s), 0);
	c->server = e;
	e->conns_open++;
	e->conns_total++;
	ck_assert_int_eq(uring_stream_read_start(&c->s, ut_echo_read), 0);
}

/* Start an echo server on 127.0.0.1; returns its port. */
static inline uint16_t ut_echo_start(struct uring_loop *loop, struct ut_echo *e)
{
	uint16_t port;

	memset(e, 0, sizeof(*e));
	ck_assert_int_eq(uring_tcp_init(loop, &e->listener), 0);
	port = ut_bind_any(&e->listener);
	ck_assert_int_eq(uring_stream_listen(&e->listener, 1024,
					     ut_echo_connection),
			 0);
	return port;
}

#endif
