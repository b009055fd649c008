/* SPDX-License-Identifier: MIT */
/*
 * stream-api-test: what a libuv user reaches for: uring_hrtime(), a loop
 * clock fresh in I/O callbacks after a wait, uring_stream_is_readable /
 * is_writable, the abortive close uring_tcp_close_reset(), the drain
 * callback, and uring_stream_close_graceful().
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <time.h>

#include "stream-util.h"

/* Only reached when something is wrong: the waits are for events. */
#define WAIT_MS 20000

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ------------------------------------------------------------- clocks */

START_TEST(test_hrtime)
{
	uint64_t a = mono_ns(), t = uring_hrtime(), b = mono_ns(), u;
	struct timespec ms = {0, 2000000};

	/* CLOCK_MONOTONIC in ns: between two reads of it */
	ck_assert_uint_ge(t, a);
	ck_assert_uint_le(t, b);
	nanosleep(&ms, NULL);
	u = uring_hrtime();
	ck_assert_uint_ge(u - t, 2000000);
}
END_TEST

struct late_writer {
	int fd;
	uint64_t wrote_ms; /* uring_hrtime() in ms just before the write */
};

static void *write_late(void *arg)
{
	struct late_writer *lw = arg;
	struct timespec pause = {0, 100000000};

	nanosleep(&pause, NULL);
	lw->wrote_ms = uring_hrtime() / 1000000;
	ck_assert_int_eq(write(lw->fd, "x", 1), 1);
	return NULL;
}

static uint64_t now_in_cb;
static int now_reads;

static void note_now(struct uring_stream *s, ssize_t n, const struct iovec *b)
{
	(void)b;
	if (n > 0) {
		now_in_cb = uring_loop_now(s->handle.loop);
		now_reads++;
		uring_close(&s->handle, NULL);
	}
}

/* An I/O callback after a long wait sees the time after the wait (the
 * loop reads the clock when the kernel wait returns, as libuv does). */
START_TEST(test_now_fresh_after_wait)
{
	struct uring_loop loop;
	struct uring_stream s;
	struct late_writer lw;
	pthread_t t;

	init_loop(&loop);
	lw.fd = ut_pair_stream(&loop, &s);
	ck_assert_int_eq(uring_stream_read_start(&s, note_now), 0);
	ck_assert_int_eq(pthread_create(&t, NULL, write_late, &lw), 0);
	close_loop(&loop);
	pthread_join(t, NULL);
	ck_assert_int_eq(now_reads, 1);
	/* the loop's clock was read after the byte was written */
	ck_assert_uint_ge(now_in_cb, lw.wrote_ms);
	close(lw.fd);
}
END_TEST

/* ------------------------------------------------------------- is_* */

static int ends[2]; /* [ends seen, wanted] for ut_run_count() */

static void count_end(struct uring_stream *s, ssize_t n, const struct iovec *b)
{
	(void)s;
	(void)b;
	if (n < 0)
		ends[0]++;
}

static void no_conn(struct uring_stream *listener, int status)
{
	(void)listener;
	(void)status;
}

static void shut_noted(struct uring_shutdown *req, int status)
{
	*(int *)req->data = status == 0 ? 1 : -1;
}

START_TEST(test_readable_writable)
{
	struct uring_loop loop;
	struct uring_stream s, tcp;
	struct uring_shutdown sd;
	int peer, shut = 0;

	init_loop(&loop);
	ck_assert(!uring_stream_is_readable(NULL));
	ck_assert_int_eq(uring_tcp_init(&loop, &tcp), 0);
	ck_assert(!uring_stream_is_readable(&tcp)); /* no socket */
	ck_assert(!uring_stream_is_writable(&tcp));
	ut_bind_any(&tcp);
	ck_assert_int_eq(uring_stream_listen(&tcp, 4, no_conn), 0);
	ck_assert(!uring_stream_is_readable(&tcp)); /* a listener */
	ck_assert(!uring_stream_is_writable(&tcp));
	peer = ut_pair_stream(&loop, &s);
	ck_assert(uring_stream_is_readable(&s));
	ck_assert(uring_stream_is_writable(&s));
	sd.data = &shut;
	ck_assert_int_eq(uring_stream_shutdown(&sd, &s, shut_noted), 0);
	ck_assert(!uring_stream_is_writable(&s));
	ck_assert(uring_stream_is_readable(&s));
	ck_assert_int_eq(uring_stream_read_start(&s, count_end), 0);
	ck_assert_int_eq(shutdown(peer, SHUT_WR), 0);
	ends[1] = 1;
	ck_assert(ut_run_count(&loop, ends, WAIT_MS));
	ck_assert(!uring_stream_is_readable(&s));
	while (!shut)
		uring_loop_run(&loop, URING_RUN_ONCE);
	ck_assert_int_eq(shut, 1);
	uring_close(&s.handle, NULL);
	ck_assert(!uring_stream_is_readable(&s));
	ck_assert(!uring_stream_is_writable(&s));
	uring_close(&tcp.handle, NULL);
	close_loop(&loop);
	close(peer);
}
END_TEST

/* ------------------------------------------------------------- reset */

struct tcp_pair {
	struct uring_stream listener, conn;
	int peer;
	int accepted[2];
};

static void take_conn(struct uring_stream *listener, int status)
{
	struct tcp_pair *p = (struct tcp_pair *)listener;

	ck_assert_int_eq(status, 0);
	ck_assert_int_eq(uring_stream_accept(listener, &p->conn), 0);
	p->accepted[0]++;
}

/* A TCP connection: p->conn on the loop, p->peer a blocking socket. */
static void tcp_pair(struct uring_loop *loop, struct tcp_pair *p)
{
	struct sockaddr_in a;

	memset(p, 0, sizeof(*p));
	ck_assert_int_eq(uring_tcp_init(loop, &p->conn), 0);
	ck_assert_int_eq(uring_tcp_init(loop, &p->listener), 0);
	a = ut_loopback(ut_bind_any(&p->listener));
	ck_assert_int_eq(uring_stream_listen(&p->listener, 4, take_conn), 0);
	p->peer = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_eq(connect(p->peer, (struct sockaddr *)&a, sizeof(a)), 0);
	p->accepted[1] = 1;
	ck_assert(ut_run_count(loop, p->accepted, WAIT_MS));
	uring_close(&p->listener.handle, NULL);
}

static int closed_cbs;

static void count_close(struct uring_handle *h)
{
	(void)h;
	closed_cbs++;
}

START_TEST(test_close_reset)
{
	struct uring_loop loop;
	struct tcp_pair p;
	struct uring_stream u;
	struct uring_shutdown sd;
	int shut = 0, peer;
	char c;

	init_loop(&loop);
	closed_cbs = 0;
	peer = ut_pair_stream(&loop, &u);
	ck_assert_int_eq(uring_tcp_close_reset(&u, NULL), -EINVAL); /* Unix */
	uring_close(&u.handle, NULL);
	close(peer);
	tcp_pair(&loop, &p);
	/* as libuv: not while a shutdown is pending */
	sd.data = &shut;
	ck_assert_int_eq(uring_stream_shutdown(&sd, &p.conn, shut_noted), 0);
	ck_assert_int_eq(uring_tcp_close_reset(&p.conn, count_close), -EINVAL);
	while (!shut)
		uring_loop_run(&loop, URING_RUN_ONCE);
	ck_assert_int_eq(uring_tcp_close_reset(&p.conn, count_close), 0);
	ck_assert_int_eq(uring_tcp_close_reset(&p.conn, count_close), -EINVAL);
	close_loop(&loop);
	ck_assert_int_eq(closed_cbs, 1);
	/* the FIN of the shutdown, then the reset: the peer may no longer
	 * send (after a plain close, this send would succeed) */
	ck_assert_int_eq(read(p.peer, &c, 1), 0);
	ck_assert_int_eq(send(p.peer, "z", 1, MSG_NOSIGNAL), -1);
	ck_assert(errno == EPIPE || errno == ECONNRESET);
	close(p.peer);
}
END_TEST

/* Without a shutdown: the peer's next read is a reset, not an EOF. */
START_TEST(test_close_reset_peer_sees_reset)
{
	struct uring_loop loop;
	struct tcp_pair p;
	char c;

	init_loop(&loop);
	tcp_pair(&loop, &p);
	ck_assert_int_eq(uring_tcp_close_reset(&p.conn, NULL), 0);
	close_loop(&loop);
	ck_assert_int_eq(read(p.peer, &c, 1), -1);
	ck_assert_int_eq(errno, ECONNRESET);
	close(p.peer);
}
END_TEST

/* ------------------------------------------------------------- drain */

#define BIG (2U << 20)
#define MARK (64U << 10)

struct drainer {
	struct uring_stream s;
	struct uring_timer reader;
	int peer;
	int writes_done, drains;
	size_t size_at_drain;
	size_t peer_read;
	char *buf;
};

static void big_written(struct uring_write *w, int status)
{
	struct drainer *d = w->data;

	ck_assert_int_eq(status, 0);
	d->writes_done++;
}

static void drained(struct uring_stream *s)
{
	struct drainer *d = (struct drainer *)s;

	d->drains++;
	d->size_at_drain = uring_stream_write_queue_size(s);
}

/* The peer reads what is there, from a timer on the same loop. */
static void peer_reads(struct uring_timer *t)
{
	struct drainer *d = t->handle.data;
	ssize_t n;

	while ((n = read(d->peer, d->buf, BIG)) > 0)
		d->peer_read += (size_t)n;
}

START_TEST(test_drain_cb)
{
	struct uring_loop loop;
	struct drainer d;
	struct uring_write w[3];
	struct iovec iov;

	init_loop(&loop);
	memset(&d, 0, sizeof(d));
	d.buf = calloc(1, BIG);
	ck_assert_ptr_nonnull(d.buf);
	d.peer = ut_pair_stream(&loop, &d.s);
	ck_assert_int_eq(fcntl(d.peer, F_SETFL, O_NONBLOCK), 0);
	ck_assert_int_eq(uring_stream_set_drain_cb(&d.s, MARK, drained), 0);
	iov.iov_base = d.buf;
	iov.iov_len = BIG;
	w[0].data = w[1].data = w[2].data = &d;
	ck_assert_int_eq(uring_stream_write(&w[0], &d.s, &iov, 1, big_written), 0);
	ck_assert_int_eq(uring_stream_write(&w[1], &d.s, &iov, 1, big_written), 0);
	ck_assert_int_eq(uring_timer_init(&loop, &d.reader), 0);
	d.reader.handle.data = &d;
	ck_assert_int_eq(uring_timer_start(&d.reader, peer_reads, 1, 1), 0);
	while (d.writes_done < 2 || !d.drains)
		ck_assert_int_ge(uring_loop_run(&loop, URING_RUN_ONCE), 0);
	ck_assert_int_eq(d.drains, 1);
	ck_assert_uint_le(d.size_at_drain, MARK);
	/* a small write never goes above the mark: no drain callback */
	iov.iov_len = 10;
	ck_assert_int_eq(uring_stream_write(&w[2], &d.s, &iov, 1, big_written), 0);
	while (d.writes_done < 3)
		uring_loop_run(&loop, URING_RUN_ONCE);
	ck_assert_int_eq(d.drains, 1);
	ck_assert_int_eq(uring_stream_set_drain_cb(&d.s, 0, NULL), 0);
	uring_close(&d.reader.handle, NULL);
	uring_close(&d.s.handle, NULL);
	close_loop(&loop);
	close(d.peer);
	free(d.buf);
}
END_TEST

/* ------------------------------------------------------------- graceful */

static int user_reads;

static void user_read(struct uring_stream *s, ssize_t n, const struct iovec *b)
{
	(void)s;
	(void)b;
	if (n > 0)
		user_reads++;
}

static void bye_written(struct uring_write *w, int status)
{
	*(int *)w->data = status == 0 ? 1 : -1;
}

/* Whether the peer can read `want` bytes or an EOF without blocking. */
static bool peer_ready(int fd, int want)
{
	struct pollfd p = {.fd = fd, .events = POLLIN | POLLRDHUP};
	int queued = 0;

	if (poll(&p, 1, 0) != 1)
		return false;
	if (p.revents & POLLRDHUP)
		return true;
	ck_assert_int_eq(ioctl(fd, FIONREAD, &queued), 0);
	return queued >= want;
}

/* The last answer reaches the peer, then its EOF; the stream closes only
 * once the peer closes, and the peer's late bytes are dropped. */
START_TEST(test_close_graceful)
{
	struct uring_loop loop;
	struct uring_stream s, lst, tcp;
	struct uring_write w;
	struct iovec iov = {(void *)"bye", 3};
	int peer, written = 0;
	char buf[8];

	init_loop(&loop);
	closed_cbs = 0;
	user_reads = 0;
	peer = ut_pair_stream(&loop, &s);
	ck_assert_int_eq(uring_stream_read_start(&s, user_read), 0);
	w.data = &written;
	ck_assert_int_eq(uring_stream_write(&w, &s, &iov, 1, bye_written), 0);
	ck_assert_int_eq(uring_stream_close_graceful(&s, WAIT_MS, count_close),
			 0);
	ck_assert_int_eq(uring_stream_close_graceful(&s, WAIT_MS, count_close),
			 -EALREADY);
	/* the peer reads the answer, then the EOF */
	while (!peer_ready(peer, 4))
		uring_loop_run(&loop, URING_RUN_ONCE);
	ck_assert_int_eq(read(peer, buf, sizeof(buf)), 3);
	ck_assert_int_eq(memcmp(buf, "bye", 3), 0);
	ck_assert_int_eq(read(peer, buf, sizeof(buf)), 0);
	ck_assert_int_eq(written, 1);
	ck_assert_int_eq(closed_cbs, 0); /* still waiting for the peer */
	ck_assert_int_eq(write(peer, "late", 4), 4);
	close(peer);
	close_loop(&loop); /* ends once the stream closed */
	ck_assert_int_eq(closed_cbs, 1);
	ck_assert_int_eq(user_reads, 0);

	/* a listener, a stream without a connection */
	init_loop(&loop);
	ck_assert_int_eq(uring_tcp_init(&loop, &lst), 0);
	ck_assert_int_eq(uring_tcp_init(&loop, &tcp), 0);
	ck_assert_int_eq(uring_stream_close_graceful(&tcp, 10, NULL), -ENOTCONN);
	ut_bind_any(&lst);
	ck_assert_int_eq(uring_stream_listen(&lst, 4, take_conn), 0);
	ck_assert_int_eq(uring_stream_close_graceful(&lst, 10, NULL), -EINVAL);
	uring_close(&lst.handle, NULL);
	uring_close(&tcp.handle, NULL);
	close_loop(&loop);
}
END_TEST

/* A peer that never closes: the timeout ends the wait. */
START_TEST(test_close_graceful_times_out)
{
	struct uring_loop loop;
	struct uring_stream s;
	int peer;

	init_loop(&loop);
	closed_cbs = 0;
	peer = ut_pair_stream(&loop, &s);
	ck_assert_int_eq(uring_stream_close_graceful(&s, 20, count_close), 0);
	close_loop(&loop);
	ck_assert_int_eq(closed_cbs, 1);
	close(peer);
}
END_TEST

/* The user closes the stream while it lingers: one close callback (the
 * user's), no timer left behind. */
START_TEST(test_close_while_graceful)
{
	struct uring_loop loop;
	struct uring_stream s;
	int peer;

	init_loop(&loop);
	closed_cbs = 0;
	peer = ut_pair_stream(&loop, &s);
	ck_assert_int_eq(uring_stream_close_graceful(&s, WAIT_MS, NULL), 0);
	uring_loop_run(&loop, URING_RUN_NOWAIT);
	uring_close(&s.handle, count_close);
	close_loop(&loop);
	ck_assert_int_eq(closed_cbs, 1);
	close(peer);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("stream-api");
	TCase *tc = ut_tcase("stream-api", 60);
	/* a thread writes while the loop sleeps in the ring: valgrind's lock
	 * would keep it from running (ut_tcase_cross_thread) */
	TCase *xt = ut_tcase_cross_thread("stream-api-thread", 60);

	UT_ADD(tc, test_hrtime);
	UT_ADD(xt, test_now_fresh_after_wait);
	UT_ADD(tc, test_readable_writable);
	UT_ADD(tc, test_close_reset);
	UT_ADD(tc, test_close_reset_peer_sees_reset);
	UT_ADD(tc, test_drain_cb);
	UT_ADD(tc, test_close_graceful);
	UT_ADD(tc, test_close_graceful_times_out);
	UT_ADD(tc, test_close_while_graceful);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, xt);
	return ut_run(s);
}
