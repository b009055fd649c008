/* SPDX-License-Identifier: MIT */
/*
 * stream-edge-test: streams at the edges a code review found broken.
 *   - a write or an alloc-mode read of a 4 GiB buffer (an SQE's length has
 *     32 bits: 4 GiB once asked for 0 bytes, read as a peer gone or EOF);
 *   - writes the kernel took complete with 0 although the stream was
 *     closed before their send's CQE was handled (they once got
 *     -ECANCELED: a caller that resends would duplicate bytes);
 *   - a write callback that queues again after a failed connect does not
 *     keep the loop inside one failing pass for ever;
 *   - closing a connecting stream while a request chain is open still
 *     cancels the connect.
 */
#define _GNU_SOURCE
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stream-util.h"

#define GIB4 (1ULL << 32)
#define WAIT_MS 30000
#define STALL_MS 10000 /* 4 GiB may take minutes on a busy machine: the
			* bound is on a stall, not on the whole */

/* What the write callbacks saw. */
struct wstat {
	int calls;
	int status[4];
};

static void wrote(struct uring_write *w, int status)
{
	struct wstat *ws = w->data;

	ck_assert_int_lt(ws->calls, 4);
	ws->status[ws->calls++] = status;
}

/* 4 GiB of address space, untouched pages reading as zeros.  Huge pages
 * where the kernel allows them: the kernel then maps the huge zero page,
 * one fault per 2 MiB read instead of one per 4 KiB (the copy took half
 * the system time here). */
static unsigned char *map_4gib(void)
{
	void *p = mmap(NULL, GIB4, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	ck_assert_ptr_ne(p, MAP_FAILED);
	(void)madvise(p, GIB4, MADV_HUGEPAGE); /* only a hint */
	return p;
}

/* ------------------------------------------------------------- 4 GiB */

/* Marks at both ends and across the 2 GiB boundary, so that the reader
 * can tell the bytes came in order. */
static const uint64_t marks[] = {0, (1ULL << 31) - 1, 1ULL << 31, GIB4 - 1};

/* The peer: read until EOF, counting the bytes in *got (shared with the
 * test, which watches it move); exit 0 when exactly 4 GiB came with the
 * marks where they belong. */
static void read_4gib(int fd, _Atomic uint64_t *got)
{
	static unsigned char buf[1 << 20];
	uint64_t at = 0;
	unsigned bad = 0, i;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
			if (marks[i] >= at && marks[i] < at + (uint64_t)n &&
			    buf[marks[i] - at] != (unsigned char)('a' + i))
				bad++;
		at += (uint64_t)n;
		atomic_store(got, at);
	}
	_exit(at == GIB4 && !bad ? 0 : 1);
}

/* Running until the write calls back, while the peer's count moves. */
struct progress {
	struct uring_timer timer;
	struct wstat *ws;
	_Atomic uint64_t *got;
	uint64_t seen, moved_at;
	bool stalled;
};

static void check_progress(struct uring_timer *t)
{
	struct progress *pr = (struct progress *)t;
	uint64_t now = uring_loop_now(t->handle.loop);
	uint64_t got = atomic_load(pr->got);

	if (got != pr->seen) {
		pr->seen = got;
		pr->moved_at = now;
	}
	pr->stalled = now - pr->moved_at > ut_ms(STALL_MS);
	if (pr->ws->calls || pr->stalled)
		uring_loop_stop(t->handle.loop);
}

START_TEST(write_of_4gib)
{
	struct uring_loop loop;
	struct uring_stream s;
	struct uring_write w;
	struct wstat ws = {0};
	unsigned char *p = map_4gib();
	struct iovec iov = {p, GIB4};
	struct progress pr = {.ws = &ws};
	int peer, status;
	unsigned i;
	pid_t pid;

	pr.got = mmap(NULL, sizeof(*pr.got), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(pr.got, MAP_FAILED);
	for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
		p[marks[i]] = (unsigned char)('a' + i);
	init_loop(&loop);
	peer = ut_pair_stream(&loop, &s);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(uring_stream_fileno(&s));
		read_4gib(peer, pr.got);
	}
	close(peer);
	w.data = &ws;
	ck_assert_int_eq(uring_stream_write(&w, &s, &iov, 1, wrote), 0);
	ck_assert_int_eq(uring_timer_init(&loop, &pr.timer), 0);
	pr.moved_at = uring_loop_now(&loop);
	ck_assert_int_eq(uring_timer_start(&pr.timer, check_progress, 100, 100),
			 0);
	uring_loop_run(&loop, URING_RUN_DEFAULT);
	ck_assert_msg(!pr.stalled, "no byte moved for %u ms (%llu of 4 GiB "
		      "read)", ut_ms(STALL_MS), (unsigned long long)pr.seen);
	ck_assert_int_eq(ws.calls, 1);
	ck_assert_int_eq(ws.status[0], 0);
	uring_close(&pr.timer.handle, NULL);
	uring_close(&s.handle, NULL); /* EOF for the peer */
	close_loop(&loop);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "the peer did not read the 4 GiB in order");
	ck_assert_uint_eq(atomic_load(pr.got), GIB4);
	ck_assert_int_eq(munmap(p, GIB4), 0);
	ck_assert_int_eq(munmap(pr.got, sizeof(*pr.got)), 0);
}
END_TEST

struct big_reader {
	struct uring_stream s;
	unsigned char *buf;
	ssize_t nread;
	int calls;
};

static void give_4gib(struct uring_stream *s, size_t suggested,
		      struct iovec *buf)
{
	struct big_reader *r = (struct big_reader *)s;

	(void)suggested;
	buf->iov_base = r->buf;
	buf->iov_len = GIB4;
}

static void read_once(struct uring_stream *s, ssize_t nread,
		      const struct iovec *buf)
{
	struct big_reader *r = (struct big_reader *)s;

	ck_assert_ptr_eq(buf->iov_base, r->buf);
	r->nread = nread;
	r->calls++;
	uring_stream_read_stop(s);
}

static bool read_seen(void *arg)
{
	return ((struct big_reader *)arg)->calls > 0;
}

START_TEST(alloc_read_into_4gib)
{
	struct uring_loop loop;
	struct big_reader r = {.buf = map_4gib()};
	int peer;

	init_loop(&loop);
	peer = ut_pair_stream(&loop, &r.s);
	ck_assert_int_eq(uring_stream_read_start_alloc(&r.s, give_4gib,
						       read_once),
			 0);
	ck_assert_int_eq(write(peer, "hello", 5), 5);
	ck_assert(ut_run_until(&loop, read_seen, &r, WAIT_MS));
	ck_assert_int_eq(r.calls, 1);
	ck_assert_int_eq(r.nread, 5); /* not URING_EOF: the peer is there */
	ck_assert_mem_eq(r.buf, "hello", 5);
	uring_close(&r.s.handle, NULL);
	close_loop(&loop);
	close(peer);
	ck_assert_int_eq(munmap(r.buf, GIB4), 0);
}
END_TEST

/* ------------------------------------------------------------- closing */

/* Three writes of 200 bytes go out in one send, which a socketpair takes
 * whole; the stream is closed before the send's completion is handled,
 * by the first write's callback or by a request's callback that comes
 * just before.  Every write's bytes reached the peer: every write gets 0. */
static struct uring_stream closing_s;
static struct wstat closing_ws;

static void wrote_then_close(struct uring_write *w, int status)
{
	wrote(w, status);
	if (closing_ws.calls == 1)
		uring_close(&closing_s.handle, NULL);
}

static void nop_then_close(struct uring_req *req, int result)
{
	(void)req;
	ck_assert_int_eq(result, 0);
	uring_close(&closing_s.handle, NULL);
}

static void close_with_sent_writes(bool from_write_cb)
{
	static char bytes[600];
	struct uring_loop loop;
	struct uring_write w[3];
	struct uring_req nop;
	char got[700];
	size_t n = 0;
	ssize_t r;
	int peer, i;

	memset(&closing_ws, 0, sizeof(closing_ws));
	memset(bytes, 'x', sizeof(bytes));
	init_loop(&loop);
	peer = ut_pair_stream(&loop, &closing_s);
	if (!from_write_cb) { /* its CQE comes before the send's */
		struct uring_sqe *sqe = uring_req_sqe(&loop, &nop);

		ck_assert_ptr_nonnull(sqe);
		uring_prep_nop(sqe);
		ck_assert_int_eq(uring_req_submit(&nop, nop_then_close, 0, 0),
				 0);
	}
	for (i = 0; i < 3; i++) {
		struct iovec iov = {bytes + 200 * i, 200};

		w[i].data = &closing_ws;
		ck_assert_int_eq(uring_stream_write(&w[i], &closing_s, &iov, 1,
						    from_write_cb
							    ? wrote_then_close
							    : wrote),
				 0);
	}
	close_loop(&loop);
	ck_assert_int_eq(closing_ws.calls, 3);
	for (i = 0; i < 3; i++)
		ck_assert_msg(closing_ws.status[i] == 0,
			      "write %d: %d, though its bytes were sent", i,
			      closing_ws.status[i]);
	while ((r = read(peer, got + n, sizeof(got) - n)) > 0)
		n += (size_t)r;
	ck_assert_uint_eq(n, sizeof(bytes));
	close(peer);
}

START_TEST(close_in_write_cb_keeps_sent_writes)
{
	close_with_sent_writes(true);
}
END_TEST

START_TEST(close_before_send_cqe_keeps_sent_writes)
{
	close_with_sent_writes(false);
}
END_TEST

/* ------------------------------------------------------------- connect */

struct requeue {
	struct uring_stream s;
	struct uring_connect conn;
	struct uring_write w;
	struct uring_timer closer;
	int connect_status, failures, requeue_refused;
	bool closer_ran, closed;
};

static void ignore_connect(struct uring_connect *req, int status)
{
	((struct requeue *)req->data)->connect_status = status;
}

static void write_again(struct uring_write *w, int status)
{
	static char byte = 'x';
	struct requeue *q = w->data;
	struct iovec iov = {&byte, 1};
	int ret;

	ck_assert_int_lt(status, 0);
	q->failures++;
	ret = uring_stream_write(&q->w, &q->s, &iov, 1, write_again);
	if (ret)
		q->requeue_refused = ret; /* the stream is closing */
}

static void close_requeuer(struct uring_timer *t)
{
	struct requeue *q = t->handle.data;

	q->closer_ran = true;
	uring_close(&q->s.handle, NULL);
	uring_close(&t->handle, NULL);
}

START_TEST(requeue_after_failed_connect)
{
	static char byte = 'x';
	struct sockaddr_in a = ut_refusing_port();
	struct iovec iov = {&byte, 1};
	struct uring_loop loop;
	struct requeue q = {0};

	init_loop(&loop);
	ck_assert_int_eq(uring_tcp_init(&loop, &q.s), 0);
	q.conn.data = &q;
	ck_assert_int_eq(uring_tcp_connect(&q.conn, &q.s, (struct sockaddr *)&a,
					   0, ignore_connect),
			 0);
	q.w.data = &q;
	ck_assert_int_eq(uring_stream_write(&q.w, &q.s, &iov, 1, write_again),
			 0);
	ck_assert_int_eq(uring_timer_init(&loop, &q.closer), 0);
	q.closer.handle.data = &q;
	ck_assert_int_eq(uring_timer_start(&q.closer, close_requeuer, 50, 0),
			 0);
	/* the loop goes on between failures: the timer gets to run */
	close_loop(&loop);
	ck_assert_int_eq(q.connect_status, -ECONNREFUSED);
	ck_assert(q.closer_ran);
	ck_assert_int_ge(q.failures, 2);
	ck_assert_int_ne(q.requeue_refused, 0);
}
END_TEST

struct chained {
	int connect_status, connect_calls, nop_calls, closed;
};

static void chained_connect(struct uring_connect *req, int status)
{
	struct chained *c = req->data;

	c->connect_status = status;
	c->connect_calls++;
}

static void chained_nop(struct uring_req *req, int result)
{
	ck_assert_int_eq(result, 0);
	((struct chained *)req->data)->nop_calls++;
}

static void chained_closed(struct uring_handle *h)
{
	((struct chained *)h->data)->closed++;
}

static bool chained_done(void *arg)
{
	return ((struct chained *)arg)->closed > 0;
}

START_TEST(close_connecting_with_chain_open)
{
	struct sockaddr_in a;
	struct uring_loop loop;
	struct uring_stream s;
	struct uring_connect conn;
	struct uring_req nop;
	struct uring_sqe *sqe;
	struct chained c = {0};
	int fillers[8], lfd = ut_full_listener(&a, fillers), i;

	init_loop(&loop);
	ck_assert_int_eq(uring_tcp_init(&loop, &s), 0);
	s.handle.data = conn.data = nop.data = &c;
	ck_assert_int_eq(uring_tcp_connect(&conn, &s, (struct sockaddr *)&a, 0,
					   chained_connect),
			 0);
	uring_loop_run(&loop, URING_RUN_NOWAIT); /* the connect waits */
	ck_assert_int_eq(c.connect_calls, 0);
	/* a chain left open (its next link not yet submitted) */
	sqe = uring_req_sqe(&loop, &nop);
	ck_assert_ptr_nonnull(sqe);
	uring_prep_nop(sqe);
	ck_assert_int_eq(uring_req_submit(&nop, chained_nop, 0, URING_REQ_LINK),
			 0);
	uring_close(&s.handle, chained_closed);
	ck_assert(ut_run_until(&loop, chained_done, &c, 3000));
	ck_assert_int_eq(c.nop_calls, 1);
	ck_assert_int_eq(c.connect_calls, 1);
	ck_assert_int_eq(c.connect_status, -ECANCELED);
	close_loop(&loop);
	for (i = 0; i < 8; i++)
		close(fillers[i]);
	close(lfd);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("stream-edge");
	TCase *tc = ut_tcase("stream-edge", 120);
	/* a backstop only: the test fails sooner when the bytes stop */
	TCase *big = ut_tcase("stream-edge-4gib", 900);

	UT_ADD(big, write_of_4gib);
	suite_add_tcase(s, big);
	UT_ADD(tc, alloc_read_into_4gib);
	UT_ADD(tc, close_in_write_cb_keeps_sent_writes);
	UT_ADD(tc, close_before_send_cqe_keeps_sent_writes);
	UT_ADD(tc, requeue_after_failed_connect);
	UT_ADD(tc, close_connecting_with_chain_open);
	suite_add_tcase(s, tc);
	return ut_run(s);
}
