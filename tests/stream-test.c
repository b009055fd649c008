/* SPDX-License-Identifier: MIT */
/*
 * stream-test: the stream API's edges: bad input, refused and timed-out
 * connects, half-close, a peer that resets mid-write, close with writes
 * queued, read_stop/read_start cycles, kept buffers, write coalescing,
 * try_write, Unix paths and abstract names, socket options.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <netinet/tcp.h>
#include <sys/un.h>
#include <unistd.h>

#include "stream-util.h"

#define WAIT_MS 5000

/* ------------------------------------------------------------- bad input */

static void never_connection(struct uring_stream *server, int status)
{
	(void)server;
	(void)status;
	ck_abort_msg("no connection expected");
}

static void never_read(struct uring_stream *s, ssize_t n,
		       const struct iovec *b)
{
	(void)s;
	(void)n;
	(void)b;
}

static void never_write(struct uring_write *w, int status)
{
	(void)w;
	(void)status;
}

static void never_shutdown(struct uring_shutdown *r, int status)
{
	(void)r;
	(void)status;
}

START_TEST(test_bad_input)
{
	struct uring_loop loop;
	struct uring_stream s, u, client;
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct sockaddr_in a = ut_loopback(0);
	struct uring_write w;
	struct iovec iov = {(void *)"x", 1};
	char longname[200];
	struct uring_loop_options o = {.read_buf_count = 3};

	/* the pool's size is checked when the loop is made */
	ck_assert_int_eq(uring_loop_init(&loop, &o), -EINVAL);
	o.read_buf_count = 65536;
	ck_assert_int_eq(uring_loop_init(&loop, &o), -EINVAL);
	init_loop(&loop);
	ck_assert_int_eq(uring_tcp_init(NULL, &s), -EINVAL);
	ck_assert_int_eq(uring_tcp_init(&loop, &s), 0);
	ck_assert_int_eq(uring_tcp_bind(&s, NULL, 0), -EINVAL);
	ck_assert_int_eq(uring_tcp_bind(&s, (struct sockaddr *)&sun, 0), -EINVAL);
	ck_assert_int_eq(uring_tcp_bind(&s, (struct sockaddr *)&a, 1U << 7),
			 -EINVAL);
	ck_assert_int_eq(uring_tcp_bind(&s, (struct sockaddr *)&a,
					URING_TCP_IPV6ONLY),
			 -EINVAL);
	/* no socket yet */
	ck_assert_int_eq(uring_stream_fileno(&s), -EBADF);
	ck_assert_int_eq(uring_stream_listen(&s, 16, never_connection), -EBADF);
	ck_assert_int_eq(uring_stream_read_start(&s, never_read), -ENOTCONN);
	ck_assert_int_eq(uring_stream_write(&w, &s, &iov, 1, never_write),
			 -ENOTCONN);
	ck_assert_int_eq(uring_tcp_nodelay(&s, true), -EBADF);
	ck_assert_int_eq(uring_stream_open(&s, -1), -EBADF);
	/* listener */
	ut_bind_any(&s);
	ck_assert_int_eq(uring_stream_listen(&s, 16, NULL), -EINVAL);
	ck_assert_int_eq(uring_stream_listen(&s, 16, never_connection), 0);
	ck_assert_int_eq(uring_stream_listen(&s, 16, never_connection), -EINVAL);
	ck_assert_int_eq(uring_stream_accept(&s, &client), -EAGAIN);
	ck_assert_int_eq(uring_stream_read_start(&s, never_read), -EINVAL);
	ck_assert_int_eq(uring_stream_write(&w, &s, &iov, 1, never_write),
			 -EINVAL);
	ck_assert_int_eq(uring_stream_buf_keep(&s), -EINVAL);
	ck_assert_int_eq(uring_loop_buf_release(&loop, 0), -EINVAL);
	/* unix names */
	ck_assert_int_eq(uring_unix_init(&loop, &u), 0);
	memset(longname, 'a', sizeof(longname));
	ck_assert_int_eq(uring_unix_bind(&u, longname, sizeof(longname)),
			 -EINVAL);
	ck_assert_int_eq(uring_unix_bind(&u, "x", 0), -EINVAL);
	ck_assert_int_eq(uring_unix_bind(&u, "a\0b", 3), -EINVAL);
	ck_assert_int_eq(uring_tcp_bind(&u, (struct sockaddr *)&a, 0), -EINVAL);
	uring_close(&s.handle, NULL);
	uring_close(&u.handle, NULL);
	/* a closed handle is refused */
	ck_assert_int_eq(uring_stream_listen(&s, 16, never_connection), -EINVAL);
	close_loop(&loop);
}
END_TEST

START_TEST(test_write_args_and_shutdown)
{
	struct uring_loop loop;
	struct uring_stream s;
	struct uring_write w;
	struct uring_shutdown sd, sd2;
	struct iovec iov = {(void *)"x", 1}, nullbuf = {NULL, 5};
	int peer;

	init_loop(&loop);
	peer = ut_pair_stream(&loop, &s);
	ck_assert_int_eq(uring_stream_write(&w, &s, &iov, 0, never_write),
			 -EINVAL);
	ck_assert_int_eq(uring_stream_write(&w, &s, NULL, 1, never_write),
			 -EINVAL);
	ck_assert_int_eq(uring_stream_write(&w, &s, &nullbuf, 1, never_write),
			 -EINVAL);
	ck_assert_int_eq(uring_stream_write(NULL, &s, &iov, 1, never_write),
			 -EINVAL);
	ck_assert_int_eq(uring_stream_shutdown(&sd, &s, NULL), -EINVAL);
	ck_assert_int_eq(uring_stream_shutdown(&sd, &s, never_shutdown), 0);
	ck_assert_int_eq(uring_stream_shutdown(&sd2, &s, never_shutdown),
			 -EALREADY);
	/* after shutdown: -EPIPE, synchronously, nothing queued */
	ck_assert_int_eq(uring_stream_write(&w, &s, &iov, 1, never_write),
			 -EPIPE);
	ck_assert_int_eq(uring_stream_try_write(&s, &iov, 1), -EPIPE);
	uring_close(&s.handle, NULL);
	close_loop(&loop);
	close(peer);
}
END_TEST

/* ------------------------------------------------------------- connect */

struct conn_result {
	int status;
	int calls;
	int closed;
};

static void connect_cb(struct uring_connect *req, int status)
{
	struct conn_result *r = req->data;

	r->status = status;
	r->calls++;
}

static bool conn_done(void *arg)
{
	return ((struct conn_result *)arg)->calls > 0;
}

START_TEST(test_connect_refused)
{
	struct uring_loop loop;
	struct uring_stream s;
	struct uring_connect req;
	struct conn_result r = {0};
	struct sockaddr_in a = ut_refusing_port();

	init_loop(&loop);
	ck_assert_int_eq(uring_tcp_init(&loop, &s), 0);
	req.data = &r;
	ck_assert_int_eq(uring_tcp_connect(&req, &s, NULL, 0, connect_cb),
			 -EINVAL);
	ck_assert_int_eq(uring_tcp_connect(&req, &s, (struct sockaddr *)&a, 0,
					   connect_cb),
			 0);
	ck_assert_int_eq(uring_tcp_connect(&req, &s, (struct sockaddr *)&a, 0,
					   connect_cb),
			 -EALREADY);
	ck_assert(ut_run_until(&loop, conn_done, &r, WAIT_MS));
	ck_assert_int_eq(r.status, -ECONNREFUSED);
	ck_assert_int_eq(r.calls, 1);
	uring_close(&s.handle, NULL);
	close_loop(&loop);
}
END_TEST

/*
 * A listener that never accepts, with its queue full: the kernel drops
 * further SYNs, so a connect hangs until its deadline.
 */
START_TEST(test_connect_deadline)
{
	struct uring_loop loop;
	struct uring_stream s;
	struct uring_connect req;
	struct conn_result r = {0};
	struct sockaddr_in a;
	int fillers[8], lfd = ut_full_listener(&a, fillers), i;
	uint64_t t0;

	init_loop(&loop);
	ck_assert_int_eq(uring_tcp_init(&loop, &s), 0);
	req.data = &r;
	t0 = uring_loop_now(&loop);
	ck_assert_int_eq(uring_tcp_connect(&req, &s, (struct sockaddr *)&a, 200,
					   connect_cb),
			 0);
	ck_assert(ut_run_until(&loop, conn_done, &r, WAIT_MS));
	ck_assert_int_eq(r.status, -ETIMEDOUT);
	ck_assert_uint_ge(uring_loop_now(&loop) - t0, 190);
	uring_close(&s.handle, NULL);
	close_loop(&loop);
	for (i = 0; i < 8; i++)
		close(fillers[i]);
	close(lfd);
}
END_TEST

static void count_close(struct uring_handle *h)
{
	struct conn_result *r = h->data;

	/* the connect's callback came first */
	ck_assert_int_eq(r->calls, 1);
	r->closed++;
}

START_TEST(test_close_while_connecting)
{
	struct uring_loop loop;
	struct ut_echo server;
	struct uring_stream s;
	struct uring_connect req;
	struct conn_result r = {0};
	struct sockaddr_in a;

	init_loop(&loop);
	a = ut_loopback(ut_echo_start(&loop, &server));
	ck_assert_int_eq(uring_tcp_init(&loop, &s), 0);
	s.handle.data = &r;
	req.data = &r;
	ck_assert_int_eq(uring_tcp_connect(&req, &s, (struct sockaddr *)&a,
					   1000, connect_cb),
			 0);
	uring_close(&s.handle, count_close);
	uring_close(&server.listener.handle, NULL);
	close_loop(&loop);
	ck_assert_int_eq(r.calls, 1);
	ck_assert_int_eq(r.status, -ECANCELED);
	ck_assert_int_eq(r.closed, 1);
}
END_TEST

/* Kept and released inside the same callback: the buffer is not lost (a
 * pool of one buffer goes on reading). */
static int keep_release_reads;

static void keep_release_cb(struct uring_stream *s, ssize_t nread,
			    const struct iovec *buf)
{
	int id;

	(void)buf;
	if (nread <= 0)
		return;
	id = uring_stream_buf_keep(s);
	ck_assert_int_ge(id, 0);
	ck_assert_int_eq(uring_loop_buf_release(s->handle.loop, id), 0);
	/* a second release of the same buffer is refused */
	ck_assert_int_eq(uring_loop_buf_release(s->handle.loop, id), -EINVAL);
	keep_release_reads++;
}

START_TEST(test_keep_then_release_in_callback)
{
	struct uring_loop_options o = {.read_buf_count = 1, .read_buf_size = 64};
	struct uring_loop loop;
	struct uring_stream s;
	int peer, i;

	keep_release_reads = 0;
	ck_assert_int_eq(uring_loop_init(&loop, &o), 0);
	peer = ut_pair_stream(&loop, &s);
	ck_assert_int_eq(uring_stream_read_start(&s, keep_release_cb), 0);
	for (i = 0; i < 3; i++) {
		int j;

		ck_assert_int_eq(write(peer, "abc", 3), 3);
		for (j = 0; j < 100 && keep_release_reads <= i; j++)
			uring_loop_run(&loop, URING_RUN_ONCE);
	}
	ck_assert_int_eq(keep_release_reads, 3);
	uring_close(&s.handle, NULL);
	close_loop(&loop);
	close(peer);
}
END_TEST

/* Incremental buffers (6.12+): three small reads share the pool's first
 * buffer, one after the other, instead of taking a buffer each.  Each
 * kept view stays intact while the kernel fills the rest of its buffer,
 * and the buffer needs one release per keep. */
struct inc_reader {
	int ids[3];
	const char *views[3];
	size_t lens[3];
	int n;
};

static void inc_keep_cb(struct uring_stream *s, ssize_t n,
			const struct iovec *buf)
{
	struct inc_reader *r = s->handle.data;

	ck_assert_int_gt(n, 0);
	ck_assert_int_lt(r->n, 3);
	r->ids[r->n] = uring_stream_buf_keep(s);
	ck_assert_int_ge(r->ids[r->n], 0);
	r->views[r->n] = buf->iov_base;
	r->lens[r->n] = (size_t)n;
	r->n++;
}

START_TEST(test_small_reads_share_a_buffer)
{
	static const char *msgs[3] = {"first", "second!", "third..."};
	struct uring_loop loop;
	struct uring_stream s;
	struct inc_reader r;
	unsigned major, minor;
	bool inc;
	int peer, i, j;

	ck_assert_int_eq(uring_kernel_version(&major, &minor), 0);
	inc = major > 6 || (major == 6 && minor >= 12);
	memset(&r, 0, sizeof(r));
	init_loop(&loop);
	peer = ut_pair_stream(&loop, &s);
	s.handle.data = &r;
	ck_assert_int_eq(uring_stream_read_start(&s, inc_keep_cb), 0);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(write(peer, msgs[i], strlen(msgs[i])),
				 (int)strlen(msgs[i]));
		for (j = 0; j < 100 && r.n <= i; j++)
			uring_loop_run(&loop, URING_RUN_ONCE);
		ck_assert_int_eq(r.n, i + 1);
	}
	for (i = 0; i < 3; i++) { /* the kept bytes are what was sent */
		ck_assert_uint_eq(r.lens[i], strlen(msgs[i]));
		ck_assert(!memcmp(r.views[i], msgs[i], r.lens[i]));
	}
	if (inc) { /* one buffer, consecutive bytes */
		ck_assert_int_eq(r.ids[1], r.ids[0]);
		ck_assert_int_eq(r.ids[2], r.ids[0]);
		ck_assert_ptr_eq(r.views[1], r.views[0] + r.lens[0]);
		ck_assert_ptr_eq(r.views[2], r.views[1] + r.lens[1]);
	} else { /* a buffer per read */
		ck_assert_int_ne(r.ids[1], r.ids[0]);
		ck_assert_int_ne(r.ids[2], r.ids[1]);
	}
	for (i = 0; i < 3; i++) /* one release per keep, then no more */
		ck_assert_int_eq(uring_loop_buf_release(&loop, r.ids[i]), 0);
	ck_assert_int_eq(uring_loop_buf_release(&loop, r.ids[0]), -EINVAL);
	uring_close(&s.handle, NULL);
	close_loop(&loop);
	close(peer);
}
END_TEST

/* ------------------------------------------------------------- writing */

struct wstat {
	int calls;
	int status[16];
	int closed;
};

static void wrote(struct uring_write *w, int status)
{
	struct wstat *ws = w->data;

	ws->status[ws->calls++] = status;
}

/* ------------------------------------------------------------- reading */

struct reader {
	struct uring_stream s;
	unsigned char got[1 << 20];
	size_t n;
	int eof;
	int error;
	int calls;
	bool stop_each; /* read_stop after every callback, restart later */
	struct uring_timer restart;
};

static void reader_cb(struct uring_stream *s, ssize_t nread,
		      const struct iovec *buf)
{
	struct reader *r = (struct reader *)s;

	r->calls++;
	if (nread == URING_EOF) {
		r->eof++;
		return;
	}
	if (nread < 0) {
		r->error = (int)nread;
		return;
	}
	ut_kernel_wrote(buf->iov_base, (size_t)nread);
	ck_assert_uint_le(r->n + (size_t)nread, sizeof(r->got));
	memcpy(r->got + r->n, buf->iov_base, (size_t)nread);
	r->n += (size_t)nread;
	if (r->stop_each)
		ck_assert_int_eq(uring_stream_read_stop(s), 0);
}

static void restart_tick(struct uring_timer *t)
{
	struct reader *r = t->handle.data;

	if (!uring_is_active(&r->s.handle) && !r->eof)
		ck_assert_int_eq(uring_stream_read_start(&r->s, reader_cb), 0);
}

static bool reader_eof(void *arg)
{
	return ((struct reader *)arg)->eof > 0;
}

START_TEST(test_half_close)
{
	struct uring_loop loop;
	static struct reader r;
	struct uring_write w;
	struct wstat ws = {0};
	struct iovec iov = {(void *)"bye", 3};
	char buf[8];
	int peer;

	memset(&r, 0, sizeof(r));
	init_loop(&loop);
	peer = ut_pair_stream(&loop, &r.s);
	ck_assert_int_eq(write(peer, "hello", 5), 5);
	ck_assert_int_eq(shutdown(peer, SHUT_WR), 0);
	ck_assert_int_eq(uring_stream_read_start(&r.s, reader_cb), 0);
	ck_assert(ut_run_until(&loop, reader_eof, &r, WAIT_MS));
	ck_assert_uint_eq(r.n, 5);
	ck_assert_mem_eq(r.got, "hello", 5);
	ck_assert_int_eq(r.eof, 1);
	ck_assert(!uring_is_active(&r.s.handle)); /* EOF stops reading */
	/* our side still writes */
	w.data = &ws;
	ck_assert_int_eq(uring_stream_write(&w, &r.s, &iov, 1, wrote), 0);
	while (!ws.calls)
		uring_loop_run(&loop, URING_RUN_ONCE);
	ck_assert_int_eq(ws.status[0], 0);
	ck_assert_int_eq(read(peer, buf, sizeof(buf)), 3);
	ck_assert_mem_eq(buf, "bye", 3);
	uring_close(&r.s.handle, NULL);
	close_loop(&loop);
	close(peer);
}
END_TEST

/* Stop after every callback and restart from a timer: bytes that were
 * already on their way are kept and delivered first, in order. */
START_TEST(test_read_stop_start_cycles)
{
	struct uring_loop_options o;
	struct uring_loop loop;
	static struct reader r;
	static unsigned char data[128 * 1024];
	size_t i, off = 0;
	ssize_t n;
	int peer;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 7 + i / 251);
	memset(&r, 0, sizeof(r));
	memset(&o, 0, sizeof(o));
	o.read_buf_size = 1024; /* many CQEs per burst */
	ck_assert_int_eq(uring_loop_init(&loop, &o), 0);
	peer = ut_pair_stream(&loop, &r.s);
	fcntl(peer, F_SETFL, O_NONBLOCK);
	r.stop_each = true;
	ck_assert_int_eq(uring_timer_init(&loop, &r.restart), 0);
	r.restart.handle.data = &r;
	ck_assert_int_eq(uring_timer_start(&r.restart, restart_tick, 1, 1), 0);
	ck_assert_int_eq(uring_stream_read_start(&r.s, reader_cb), 0);
	while (off < sizeof(data)) {
		n = write(peer, data + off, sizeof(data) - off);
		if (n > 0)
			off += (size_t)n;
		uring_loop_run(&loop, URING_RUN_ONCE);
	}
	shutdown(peer, SHUT_WR);
	ck_assert(ut_run_until(&loop, reader_eof, &r, WAIT_MS));
	ck_assert_uint_eq(r.n, sizeof(data));
	ck_assert_mem_eq(r.got, data, sizeof(data));
	ck_assert_int_eq(r.error, 0);
	uring_close(&r.restart.handle, NULL);
	uring_close(&r.s.handle, NULL);
	close_loop(&loop);
	close(peer);
}
END_TEST

/* Keep every buffer; the pool runs dry and reading pauses (no EOF, no
 * error); releasing them resumes reading where it stopped. */
struct keeper {
	struct uring_stream s;
	int ids[64];
	int nids;
	size_t bytes;
	int eof;
	int errors;
};

static void keeper_cb(struct uring_stream *s, ssize_t nread,
		      const struct iovec *buf)
{
	struct keeper *k = (struct keeper *)s;

	(void)buf;
	if (nread == URING_EOF) {
		k->eof++;
		return;
	}
	if (nread < 0) {
		k->errors++;
		return;
	}
	k->bytes += (size_t)nread;
	k->ids[k->nids] = uring_stream_buf_keep(s);
	ck_assert_int_ge(k->ids[k->nids], 0);
	/* keeping twice in one callback names the same buffer */
	ck_assert_int_eq(uring_stream_buf_keep(s), k->ids[k->nids]);
	k->nids++;
}

START_TEST(test_keep_buffers_pauses_reading)
{
	struct uring_loop_options o;
	struct uring_loop loop;
	struct uring_loop_stats st;
	struct keeper k;
	char data[4096];
	int peer, i;

	memset(&k, 0, sizeof(k));
	memset(&o, 0, sizeof(o));
	o.read_buf_size = 256;
	o.read_buf_count = 8;
	ck_assert_int_eq(uring_loop_init(&loop, &o), 0);
	peer = ut_pair_stream(&loop, &k.s);
	memset(data, 'k', sizeof(data));
	ck_assert_int_eq(write(peer, data, sizeof(data)), (int)sizeof(data));
	ck_assert_int_eq(uring_stream_read_start(&k.s, keeper_cb), 0);
	for (i = 0; i < 20; i++)
		uring_loop_run(&loop, URING_RUN_NOWAIT);
	/* 8 buffers of 256 bytes, all kept: 2048 bytes, then a pause */
	ck_assert_int_eq(k.nids, 8);
	ck_assert_uint_eq(k.bytes, 2048);
	ck_assert_int_eq(k.eof + k.errors, 0);
	ck_assert_int_eq(uring_loop_stats(&loop, &st), 0);
	ck_assert_uint_ge(st.read_pauses, 1);
	for (i = 0; i < 8; i++)
		ck_assert_int_eq(uring_loop_buf_release(&loop, k.ids[i]), 0);
	ck_assert_int_eq(uring_loop_buf_release(&loop, k.ids[0]), -EINVAL);
	ck_assert_int_eq(uring_loop_buf_release(&loop, 1 << 20), -EINVAL);
	k.nids = 0;
	for (i = 0; i < 20 && k.bytes < sizeof(data); i++)
		uring_loop_run(&loop, URING_RUN_NOWAIT);
	ck_assert_uint_eq(k.bytes, sizeof(data));
	for (i = 0; i < k.nids; i++)
		ck_assert_int_eq(uring_loop_buf_release(&loop, k.ids[i]), 0);
	uring_close(&k.s.handle, NULL);
	close_loop(&loop);
	close(peer);
}
END_TEST

static void wstat_closed(struct uring_handle *h)
{
	struct wstat *ws = h->data;

	ck_assert_int_eq(ws->calls, 3); /* every write called back first */
	ws->closed++;
}

START_TEST(test_close_with_pending_writes)
{
	struct uring_loop loop;
	struct uring_stream s;
	struct uring_write w[3];
	struct wstat ws = {0};
	size_t big = 8 << 20;
	char *buf = calloc(1, big);
	struct iovec iov = {buf, big};
	int peer, fd, i;

	init_loop(&loop);
	peer = ut_pair_stream(&loop, &s);
	fd = uring_stream_fileno(&s);
	s.handle.data = &ws;
	for (i = 0; i < 3; i++) {
		w[i].data = &ws;
		ck_assert_int_eq(uring_stream_write(&w[i], &s, &iov, 1, wrote), 0);
	}
	ck_assert_uint_eq(uring_stream_write_queue_size(&s), 3 * big);
	uring_loop_run(&loop, URING_RUN_NOWAIT); /* the send is in flight */
	uring_close(&s.handle, wstat_closed);
	close_loop(&loop);
	ck_assert_int_eq(ws.closed, 1);
	ck_assert_int_eq(ws.calls, 3);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(ws.status[i], -ECANCELED);
	/* the socket is closed */
	ck_assert_int_eq(fcntl(fd, F_GETFD), -1);
	close(peer);
	free(buf);
}
END_TEST

static int sq_closed;

static void count_sq_closed(struct uring_handle *h)
{
	(void)h;
	sq_closed++;
}

static bool sq_close_seen(void *arg)
{
	(void)arg;
	return sq_closed > 0;
}

/* The cancel a close needs finds the SQ full and the kernel refusing the
 * submit that would empty it (here: an injected -EBUSY, as while its CQ
 * overflows).  The loop keeps the cancel and sends it before it waits;
 * the armed recv ends and close_cb runs.  A lost cancel would leave the
 * recv armed and the close waiting for ever. */
START_TEST(test_close_when_no_sqe_for_cancel)
{
	struct uring_loop loop;
	struct uring_stream s;
	int peer;

	init_loop(&loop);
	peer = ut_pair_stream(&loop, &s);
	ck_assert_int_eq(uring_stream_read_start(&s, never_read), 0);
	uring_loop_run(&loop, URING_RUN_NOWAIT); /* the recv is armed */
	sq_closed = 0;
	ut_fill_sq(&loop);
	ck_assert_int_eq(uring_fault_inject(URING_FAULT_ENTER, -EBUSY, 0, 1), 0);
	uring_close(&s.handle, count_sq_closed);
	ck_assert_int_eq(uring_fault_inject(0, 0, 0, 0), 1); /* it was refused */
	ck_assert(ut_run_until(&loop, sq_close_seen, NULL, WAIT_MS));
	ck_assert_int_eq(sq_closed, 1);
	close_loop(&loop);
	close(peer);
}
END_TEST

struct sdstat {
	int calls, status;
};

static void record_shutdown(struct uring_shutdown *r, int status)
{
	struct sdstat *st = r->data;

	st->calls++;
	st->status = status;
}

static bool sdstat_one(void *arg)
{
	return ((struct sdstat *)arg)->calls >= 1;
}

/* A shutdown that finds no SQE (SQ full, the submit refused) is sent
 * before the loop next waits, like a write: it once called back -EBUSY
 * inside uring_stream_shutdown() and left the stream refusing writes
 * though no shutdown had been sent.  Closed before it could be sent, it
 * calls back -ECANCELED. */
START_TEST(test_shutdown_when_no_sqe)
{
	struct uring_loop loop;
	struct uring_stream s, s2; /* s2: s may not be reused before its
				    * close callback */
	struct uring_shutdown sd;
	struct sdstat st = {0};
	char c;
	int peer;

	init_loop(&loop);
	peer = ut_pair_stream(&loop, &s);
	sd.data = &st;
	ut_fill_sq(&loop);
	ck_assert_int_eq(uring_fault_inject(URING_FAULT_ENTER, -EBUSY, 0, 1), 0);
	ck_assert_int_eq(uring_stream_shutdown(&sd, &s, record_shutdown), 0);
	ck_assert_int_eq(uring_fault_inject(0, 0, 0, 0), 1); /* it was refused */
	ck_assert_int_eq(st.calls, 0); /* never inside the call */
	ck_assert(ut_run_until(&loop, sdstat_one, &st, WAIT_MS));
	ck_assert_int_eq(st.calls, 1);
	ck_assert_int_eq(st.status, 0);
	ck_assert_int_eq(read(peer, &c, 1), 0); /* the peer sees EOF */
	uring_close(&s.handle, NULL);
	close(peer);

	/* closed while the shutdown waits for an SQE */
	memset(&st, 0, sizeof(st));
	peer = ut_pair_stream(&loop, &s2);
	ut_fill_sq(&loop);
	ck_assert_int_eq(uring_fault_inject(URING_FAULT_ENTER, -EBUSY, 0, 1), 0);
	ck_assert_int_eq(uring_stream_shutdown(&sd, &s2, record_shutdown), 0);
	ck_assert_int_eq(uring_fault_inject(0, 0, 0, 0), 1);
	uring_close(&s2.handle, NULL);
	ck_assert(ut_run_until(&loop, sdstat_one, &st, WAIT_MS));
	ck_assert_int_eq(st.calls, 1);
	ck_assert_int_eq(st.status, -ECANCELED);
	close_loop(&loop);
	ck_assert_int_eq(st.calls, 1);
	close(peer);
}
END_TEST

static bool wstat_one(void *arg)
{
	return ((struct wstat *)arg)->calls >= 1;
}

/* What an idle connection costs is the 112-byte stream: the state a write,
 * a shutdown or a stopped read needs is lent by the loop and taken back
 * once the stream is quiet (white box: the private `ext` pointer). */
START_TEST(test_quiet_stream_holds_no_side_record)
{
	struct uring_loop loop;
	struct uring_stream s;
	struct uring_write w;
	struct wstat ws = {0};
	struct iovec iov = {(void *)"abc", 3};
	char got[8];
	int peer;

	init_loop(&loop);
	peer = ut_pair_stream(&loop, &s);
	ck_assert_int_eq(uring_stream_read_start(&s, never_read), 0);
	ck_assert_ptr_null(s.ext); /* reading from the pool needs none */
	w.data = &ws;
	ck_assert_int_eq(uring_stream_write(&w, &s, &iov, 1, wrote), 0);
	ck_assert_ptr_nonnull(s.ext);
	ck_assert(ut_run_until(&loop, wstat_one, &ws, WAIT_MS));
	ck_assert_int_eq(ws.status[0], 0);
	ck_assert_int_eq(read(peer, got, sizeof(got)), 3);
	ck_assert_ptr_null(s.ext); /* written: given back */
	/* a stop with the recv in flight keeps room for what it may bring */
	ck_assert_int_eq(uring_stream_read_stop(&s), 0);
	ck_assert_ptr_nonnull(s.ext);
	ck_assert_int_eq(uring_stream_read_start(&s, never_read), 0);
	uring_loop_run(&loop, URING_RUN_NOWAIT);
	uring_loop_run(&loop, URING_RUN_NOWAIT);
	ck_assert_ptr_null(s.ext);
	uring_close(&s.handle, NULL);
	close_loop(&loop);
	close(peer);
}
END_TEST

/* The peer resets the connection while a large write is queued: the write
 * fails with the peer's error and the loop goes on. */
START_TEST(test_peer_reset_mid_write)
{
	struct uring_loop loop;
	struct uring_stream s;
	struct uring_connect req;
	struct conn_result r = {0};
	struct uring_write w;
	struct wstat ws = {0};
	struct sockaddr_in a = ut_loopback(0);
	socklen_t len = sizeof(a);
	struct linger lg = {1, 0};
	size_t big = 64 << 20;
	char *buf = calloc(1, big), tmp[4096];
	struct iovec iov = {buf, big};
	int lfd = socket(AF_INET, SOCK_STREAM, 0), cfd, i;

	ck_assert_int_eq(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(getsockname(lfd, (struct sockaddr *)&a, &len), 0);
	ck_assert_int_eq(listen(lfd, 4), 0);
	init_loop(&loop);
	ck_assert_int_eq(uring_tcp_init(&loop, &s), 0);
	req.data = &r;
	ck_assert_int_eq(uring_tcp_connect(&req, &s, (struct sockaddr *)&a, 0,
					   connect_cb),
			 0);
	ck_assert(ut_run_until(&loop, conn_done, &r, WAIT_MS));
	ck_assert_int_eq(r.status, 0);
	cfd = accept(lfd, NULL, NULL);
	ck_assert_int_ge(cfd, 0);
	w.data = &ws;
	ck_assert_int_eq(uring_stream_write(&w, &s, &iov, 1, wrote), 0);
	uring_loop_run(&loop, URING_RUN_NOWAIT);
	ck_assert_int_gt(read(cfd, tmp, sizeof(tmp)), 0); /* mid-write */
	ck_assert_int_eq(setsockopt(cfd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)),
			 0);
	close(cfd); /* RST */
	for (i = 0; i < 1000 && !ws.calls; i++)
		uring_loop_run(&loop, URING_RUN_ONCE);
	ck_assert_int_eq(ws.calls, 1);
	ck_assert_msg(ws.status[0] == -ECONNRESET || ws.status[0] == -EPIPE,
		      "write status %d", ws.status[0]);
	ck_assert_int_eq(uring_stream_write(&w, &s, &iov, 1, wrote),
			 ws.status[0]);
	uring_close(&s.handle, NULL);
	close_loop(&loop);
	close(lfd);
	free(buf);
}
END_TEST

/* 1,000 small writes made in one go leave in a handful of sends. */
START_TEST(test_writes_coalesce)
{
	struct uring_loop loop;
	struct uring_stream s;
	static struct uring_write w[1000];
	static char msgs[1000][13];
	struct uring_loop_stats a, b;
	struct wstat ws = {0};
	static char got[13000];
	size_t n = 0;
	ssize_t r;
	int peer, i;

	init_loop(&loop);
	peer = ut_pair_stream(&loop, &s);
	uring_loop_run(&loop, URING_RUN_NOWAIT);
	for (i = 0; i < 1000; i++) {
		struct iovec iov = {msgs[i], 13};

		snprintf(msgs[i], 13, "%012d", i);
		w[i].data = &ws;
		ck_assert_int_eq(uring_stream_write(&w[i], &s, &iov, 1,
						    i == 999 ? wrote
							     : never_write),
				 0);
	}
	uring_loop_stats(&loop, &a);
	while (!ws.calls)
		uring_loop_run(&loop, URING_RUN_ONCE);
	uring_loop_stats(&loop, &b);
	ck_assert_int_eq(ws.status[0], 0);
	ck_assert_uint_le(b.sqes_submitted - a.sqes_submitted, 4);
	while (n < sizeof(got) && (r = read(peer, got + n, sizeof(got) - n)) > 0)
		n += (size_t)r;
	ck_assert_uint_eq(n, sizeof(got));
	for (i = 0; i < 1000; i++)
		ck_assert_mem_eq(got + 13 * i, msgs[i], 13);
	uring_close(&s.handle, NULL);
	close_loop(&loop);
	close(peer);
}
END_TEST

START_TEST(test_try_write)
{
	struct uring_loop loop;
	struct uring_stream s;
	struct uring_write w;
	struct wstat ws = {0};
	struct iovec iov[2] = {{(void *)"ab", 2}, {(void *)"cd", 2}};
	char buf[8];
	int peer;

	init_loop(&loop);
	peer = ut_pair_stream(&loop, &s);
	ck_assert_int_eq(uring_stream_try_write(&s, iov, 2), 4);
	ck_assert_int_eq(read(peer, buf, sizeof(buf)), 4);
	ck_assert_mem_eq(buf, "abcd", 4);
	w.data = &ws;
	ck_assert_int_eq(uring_stream_write(&w, &s, iov, 1, wrote), 0);
	/* queued bytes go first */
	ck_assert_int_eq(uring_stream_try_write(&s, iov + 1, 1), -EAGAIN);
	while (!ws.calls)
		uring_loop_run(&loop, URING_RUN_ONCE);
	ck_assert_int_eq(read(peer, buf, sizeof(buf)), 2);
	uring_close(&s.handle, NULL);
	close_loop(&loop);
	close(peer);
}
END_TEST

/* A zero-copy write calls back only after the kernel's notification (two
 * CQEs for one send) and every byte arrives. */
START_TEST(test_write_zerocopy)
{
	struct uring_loop loop;
	struct uring_stream s;
	struct uring_connect req;
	struct conn_result r = {0};
	struct uring_write w;
	struct wstat ws = {0};
	struct uring_loop_stats a, b;
	struct sockaddr_in addr = ut_loopback(0);
	socklen_t len = sizeof(addr);
	size_t big = 4 << 20, got = 0, i;
	unsigned char *buf = malloc(big), *in = malloc(big);
	struct iovec iov = {buf, big};
	int lfd = socket(AF_INET, SOCK_STREAM, 0), cfd, ret;
	ssize_t n;

	for (i = 0; i < big; i++)
		buf[i] = (unsigned char)(i % 253);
	ck_assert_int_eq(bind(lfd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	ck_assert_int_eq(getsockname(lfd, (struct sockaddr *)&addr, &len), 0);
	ck_assert_int_eq(listen(lfd, 4), 0);
	init_loop(&loop);
	ck_assert_int_eq(uring_tcp_init(&loop, &s), 0);
	req.data = &r;
	ck_assert_int_eq(uring_tcp_connect(&req, &s, (struct sockaddr *)&addr,
					   0, connect_cb),
			 0);
	ck_assert(ut_run_until(&loop, conn_done, &r, WAIT_MS));
	cfd = accept(lfd, NULL, NULL);
	ck_assert_int_ge(cfd, 0);
	fcntl(cfd, F_SETFL, O_NONBLOCK);
	w.data = &ws;
	ret = uring_stream_write_zc(&w, &s, &iov, 1, wrote);
	if (ret == -EOPNOTSUPP) {
		fprintf(stderr, "SKIP: no SENDMSG_ZC in this kernel\n");
		exit(UT_SKIP);
	}
	ck_assert_int_eq(ret, 0);
	uring_loop_stats(&loop, &a);
	for (i = 0; i < 100000 && (!ws.calls || got < big); i++) {
		uring_loop_run(&loop, URING_RUN_NOWAIT);
		while ((n = read(cfd, in + got, big - got)) > 0)
			got += (size_t)n;
	}
	uring_loop_stats(&loop, &b);
	ck_assert_int_eq(ws.calls, 1);
	ck_assert_int_eq(ws.status[0], 0);
	ck_assert_uint_eq(got, big);
	ck_assert(memcmp(in, buf, big) == 0);
	/* result and notification, per send the write needed */
	ck_assert_uint_ge(b.cqes_reaped - a.cqes_reaped, 2);
	uring_close(&s.handle, NULL);
	close_loop(&loop);
	close(cfd);
	close(lfd);
	free(buf);
	free(in);
}
END_TEST

/* A non-blocking socket handed over (as epoll code would): made blocking,
 * so a large write to a slow reader waits for room instead of failing
 * with -EAGAIN (found by fuzz-api). */
START_TEST(test_open_nonblocking_socket)
{
	struct uring_loop loop;
	struct uring_stream s;
	struct uring_write w;
	struct wstat ws = {0};
	size_t big = 4 << 20, got = 0;
	char *buf = calloc(1, big), tmp[4096];
	struct iovec iov = {buf, big};
	int sv[2], i;
	ssize_t n;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv),
			 0);
	init_loop(&loop);
	ck_assert_int_eq(uring_unix_init(&loop, &s), 0);
	ck_assert_int_eq(uring_stream_open(&s, sv[0]), 0);
	ck_assert_int_eq(fcntl(sv[0], F_GETFL) & O_NONBLOCK, 0);
	w.data = &ws;
	ck_assert_int_eq(uring_stream_write(&w, &s, &iov, 1, wrote), 0);
	for (i = 0; i < 200000 && (!ws.calls || got < big); i++) {
		uring_loop_run(&loop, URING_RUN_NOWAIT);
		if ((n = read(sv[1], tmp, sizeof(tmp))) > 0) /* slowly */
			got += (size_t)n;
	}
	ck_assert_int_eq(ws.calls, 1);
	ck_assert_int_eq(ws.status[0], 0);
	ck_assert_uint_eq(got, big);
	uring_close(&s.handle, NULL);
	close_loop(&loop);
	close(sv[1]);
	free(buf);
}
END_TEST

/* ------------------------------------------------------------- unix */

struct unix_client {
	struct uring_stream s;
	struct uring_connect req;
	struct uring_write w;
	unsigned char got[16];
	size_t n;
	int done[2];
};

static void unix_read(struct uring_stream *s, ssize_t nread,
		      const struct iovec *buf)
{
	struct unix_client *c = (struct unix_client *)s;

	if (nread <= 0)
		return;
	ut_kernel_wrote(buf->iov_base, (size_t)nread);
	memcpy(c->got + c->n, buf->iov_base, (size_t)nread);
	c->n += (size_t)nread;
	if (c->n >= 5)
		c->done[0] = 1;
}

static void unix_connected(struct uring_connect *req, int status)
{
	struct unix_client *c = req->data;
	struct iovec iov = {(void *)"hello", 5};

	ck_assert_int_eq(status, 0);
	ck_assert_int_eq(uring_stream_read_start(&c->s, unix_read), 0);
	ck_assert_int_eq(uring_stream_write(&c->w, &c->s, &iov, 1, never_write),
			 0);
}

static void unix_echo(const char *name, size_t len)
{
	struct uring_loop loop;
	struct ut_echo e;
	struct unix_client c;

	memset(&e, 0, sizeof(e));
	memset(&c, 0, sizeof(c));
	init_loop(&loop);
	ck_assert_int_eq(uring_unix_init(&loop, &e.listener), 0);
	ck_assert_int_eq(uring_unix_bind(&e.listener, name, len), 0);
	ck_assert_int_eq(uring_stream_listen(&e.listener, 8, ut_echo_connection),
			 0);
	ck_assert_int_eq(uring_unix_init(&loop, &c.s), 0);
	c.req.data = &c;
	c.done[1] = 1;
	ck_assert_int_eq(uring_unix_connect(&c.req, &c.s, name, len, 1000,
					    unix_connected),
			 0);
	ck_assert(ut_run_count(&loop, c.done, WAIT_MS));
	ck_assert_mem_eq(c.got, "hello", 5);
	ck_assert_int_eq(e.conns_total, 1);
	uring_close(&c.s.handle, NULL);
	uring_close(&e.listener.handle, NULL);
	close_loop(&loop);
	ck_assert_int_eq(e.conns_open, 0);
}

START_TEST(test_unix_path)
{
	char dir[] = "/tmp/uringloop-unix-XXXXXX", path[64];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sock", dir);
	unix_echo(path, strlen(path));
	unlink(path);
	rmdir(dir);
}
END_TEST

START_TEST(test_unix_abstract)
{
	char name[64];
	int len = snprintf(name, sizeof(name), "%curingloop-test-%d", '\0',
			   (int)getpid());

	unix_echo(name, (size_t)len);
}
END_TEST

/* ------------------------------------------------------------- options */

static int getopt_int(int fd, int level, int name)
{
	int v = -1;
	socklen_t len = sizeof(v);

	ck_assert_int_eq(getsockopt(fd, level, name, &v, &len), 0);
	return v;
}

START_TEST(test_socket_options)
{
	struct uring_loop loop;
	struct uring_stream a, b, c;
	struct sockaddr_in addr;
	uint16_t port;

	init_loop(&loop);
	ck_assert_int_eq(uring_tcp_init(&loop, &a), 0);
	ck_assert_int_eq(uring_tcp_init(&loop, &b), 0);
	ck_assert_int_eq(uring_tcp_init(&loop, &c), 0);
	addr = ut_loopback(0);
	ck_assert_int_eq(uring_tcp_bind(&a, (struct sockaddr *)&addr,
					URING_TCP_REUSEPORT),
			 0);
	ck_assert_int_eq(uring_stream_listen(&a, 8, never_connection), 0);
	{
		socklen_t len = sizeof(addr);

		ck_assert_int_eq(uring_tcp_getsockname(
					 &a, (struct sockaddr *)&addr, &len),
				 0);
		port = ntohs(addr.sin_port);
	}
	/* a second listener on the same port: only with REUSEPORT */
	addr = ut_loopback(port);
	ck_assert_int_eq(uring_tcp_bind(&b, (struct sockaddr *)&addr,
					URING_TCP_REUSEPORT),
			 0);
	ck_assert_int_eq(uring_tcp_bind(&c, (struct sockaddr *)&addr, 0),
			 -EADDRINUSE);
	ck_assert_int_eq(uring_stream_fileno(&c), -EBADF); /* socket dropped */
	ck_assert_int_eq(uring_tcp_nodelay(&b, true), 0);
	ck_assert_int_eq(getopt_int(uring_stream_fileno(&b), IPPROTO_TCP,
				    TCP_NODELAY),
			 1);
	ck_assert_int_eq(uring_tcp_keepalive(&b, true, 30), 0);
	ck_assert_int_eq(getopt_int(uring_stream_fileno(&b), SOL_SOCKET,
				    SO_KEEPALIVE),
			 1);
	ck_assert_int_eq(getopt_int(uring_stream_fileno(&b), IPPROTO_TCP,
				    TCP_KEEPIDLE),
			 30);
	ck_assert_int_eq(uring_tcp_keepalive(&b, true, 0), -EINVAL);
	ck_assert_int_eq(uring_tcp_keepalive(&b, false, 0), 0);
	/* every socket the library makes is close-on-exec */
	ck_assert_int_ne(fcntl(uring_stream_fileno(&a), F_GETFD) & FD_CLOEXEC, 0);
	uring_close(&a.handle, NULL);
	uring_close(&b.handle, NULL);
	uring_close(&c.handle, NULL);
	close_loop(&loop);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("stream");
	TCase *tc = ut_tcase("stream", 60);

	UT_ADD(tc, test_bad_input);
	UT_ADD(tc, test_write_args_and_shutdown);
	UT_ADD(tc, test_shutdown_when_no_sqe);
	UT_ADD(tc, test_connect_refused);
	UT_ADD(tc, test_connect_deadline);
	UT_ADD(tc, test_close_while_connecting);
	UT_ADD(tc, test_half_close);
	UT_ADD(tc, test_read_stop_start_cycles);
	UT_ADD(tc, test_keep_buffers_pauses_reading);
	UT_ADD(tc, test_keep_then_release_in_callback);
	UT_ADD(tc, test_small_reads_share_a_buffer);
	UT_ADD(tc, test_close_with_pending_writes);
	UT_ADD(tc, test_close_when_no_sqe_for_cancel);
	UT_ADD(tc, test_quiet_stream_holds_no_side_record);
	UT_ADD(tc, test_peer_reset_mid_write);
	UT_ADD(tc, test_writes_coalesce);
	UT_ADD(tc, test_try_write);
	UT_ADD(tc, test_write_zerocopy);
	UT_ADD(tc, test_open_nonblocking_socket);
	UT_ADD(tc, test_unix_path);
	UT_ADD(tc, test_unix_abstract);
	UT_ADD(tc, test_socket_options);
	suite_add_tcase(s, tc);
	return ut_run(s);
}
