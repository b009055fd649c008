/* SPDX-License-Identifier: MIT */
/*
 * repro-chain-sqe: a chain left open stays open across iterations.
 *
 * First found: uring_req_sqe() makes room for its own request only, so the
 * second request of a chain got no SQE when the first took the
 * second-to-last free one, though the chain fits in the SQ.  Since
 * ca4e10a, uring_req_reserve(loop, n) makes room for the whole chain
 * first; part A checks that.
 *
 * Still there (part B): when a chain is left open, e.g. its next
 * uring_req_sqe() returned NULL without a reserve, loop->chain_open stays
 * set after the SQ has been submitted (a chain cannot span two submits, so
 * the kernel's chain is over), until some later request is submitted
 * without a link flag.  Meanwhile uring_req_cancel() returns -EBUSY in
 * every later iteration, and so does the cancel inside uring_close() of a
 * connecting stream: the close waits until the connect ends by itself (its
 * deadline, or the kernel's SYN retries, ~2 min).
 *
 * Here: SQ of 8; six NOPs, then a two-request chain with a reserve (A)
 * and, later, without (B); 20 ms after B a connecting stream (to a
 * listener that drops SYNs, 1 s deadline) is closed.  Fixed: an SQE for
 * A's second request, a cancel that is not refused and a close callback
 * at once.  Exit 0: fixed; 1: the bug; 2: setup failed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <uring/stream.h>

static int reserved_null = -1, second_null = -1, cancel_ret = 1;
static struct uring_req nops[12], first, second, a_first, a_second, longreq;
static struct uring_stream conn;
static struct uring_connect creq;
static unsigned long long closed_at, close_called_at;

static unsigned long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void done(struct uring_req *req, int result)
{
	(void)req;
	(void)result;
}

static void connected(struct uring_connect *req, int status)
{
	(void)req;
	(void)status;
}

static void conn_closed(struct uring_handle *h)
{
	(void)h;
	closed_at = now_ms();
}

/* Six NOPs, then a chain of two NOPs (2 SQEs, 2 free): with a reserve
 * first if `reserve`. */
static int chain(struct uring_loop *loop, struct uring_req *nop,
		 struct uring_req *r1, struct uring_req *r2, bool reserve)
{
	struct uring_sqe *sqe;
	int i;

	for (i = 0; i < 6; i++) {
		sqe = uring_req_sqe(loop, &nop[i]);
		if (!sqe)
			return -1;
		uring_prep_nop(sqe);
		uring_req_submit(&nop[i], done, 0, 0);
	}
	if (reserve && uring_req_reserve(loop, 2))
		return -1;
	sqe = uring_req_sqe(loop, r1);
	if (!sqe)
		return -1;
	uring_prep_nop(sqe);
	uring_req_submit(r1, done, 0, URING_REQ_LINK);
	sqe = uring_req_sqe(loop, r2);
	if (!sqe)
		return 1; /* left open: nothing more to do with it */
	uring_prep_nop(sqe);
	uring_req_submit(r2, done, 0, 0);
	return 0;
}

static void kick(struct uring_timer *t)
{
	reserved_null = chain(t->handle.loop, nops, &a_first, &a_second, true);
}

static void kick_b(struct uring_timer *t)
{
	second_null = chain(t->handle.loop, nops + 6, &first, &second, false);
}

static void later(struct uring_timer *t)
{
	cancel_ret = uring_req_cancel(&longreq);
	close_called_at = now_ms();
	uring_close(&conn.handle, conn_closed);
	(void)t;
}

int main(void)
{
	struct uring_loop_options o;
	struct uring_loop loop;
	struct uring_timer t1, t1b, t2;
	struct uring_timespec ts = {.tv_sec = 0, .tv_nsec = 200 * 1000000};
	struct sockaddr_in hole;
	socklen_t len = sizeof(hole);
	struct uring_sqe *sqe;
	int lfd, qfd;

	/* a listener that never accepts, its queue full: SYNs dropped */
	memset(&hole, 0, sizeof(hole));
	hole.sin_family = AF_INET;
	hole.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	qfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 || qfd < 0 || bind(lfd, (struct sockaddr *)&hole, len) ||
	    getsockname(lfd, (struct sockaddr *)&hole, &len) ||
	    listen(lfd, 0) || connect(qfd, (struct sockaddr *)&hole, len))
		return 2;
	memset(&o, 0, sizeof(o));
	o.sq_entries = 8;
	if (uring_loop_init(&loop, &o) || uring_timer_init(&loop, &t1) ||
	    uring_timer_init(&loop, &t1b) || uring_timer_init(&loop, &t2) ||
	    uring_tcp_init(&loop, &conn) ||
	    uring_tcp_connect(&creq, &conn, (struct sockaddr *)&hole, 1000,
			      connected))
		return 2;
	/* a 200 ms timeout request in flight, to try to cancel later */
	sqe = uring_req_sqe(&loop, &longreq);
	if (!sqe)
		return 2;
	uring_prep_timeout(sqe, &ts, 0, 0);
	uring_req_submit(&longreq, done, 0, 0);
	uring_timer_start(&t1, kick, 1, 0);
	uring_timer_start(&t1b, kick_b, 5, 0);
	uring_timer_start(&t2, later, 25, 0);
	uring_loop_run(&loop, URING_RUN_DEFAULT);
	printf("A (reserved): the chain's second request got %s\n"
	       "B (not reserved): it got %s; 20 ms later uring_req_cancel: "
	       "%d (%s); a connecting stream closed then called back after "
	       "%llu ms\n",
	       reserved_null == 0 ? "an SQE" : "NULL",
	       second_null == 1 ? "NULL (chain left open)" : "an SQE",
	       cancel_ret, uring_strerror(cancel_ret),
	       closed_at - close_called_at);
	uring_close(&t1.handle, NULL);
	uring_close(&t1b.handle, NULL);
	uring_close(&t2.handle, NULL);
	uring_loop_run(&loop, URING_RUN_DEFAULT);
	uring_loop_close(&loop);
	close(qfd);
	close(lfd);
	if (reserved_null != 0 || second_null < 0)
		return reserved_null < 0 || second_null < 0 ? 2 : 1;
	return cancel_ret != -EBUSY && closed_at - close_called_at < 500 ? 0
									 : 1;
}
