/* SPDX-License-Identifier: MIT */
/*
 * repro-reap-livelock: completions produced while the loop reaps are
 * dispatched in the same reap, without bound, so the loop can stay inside
 * one reap forever: timers do not fire, queued stream writes are not sent
 * (the pending pass does not run), close callbacks do not run.
 *
 * reap() (runtime/core/loop.c) dispatches every CQE up to the CQ tail, which it
 * reads again after each CQE, then flushes overflowed CQEs and goes round
 * again for as long as any came in.  A callback that submits a request
 * takes an SQE; when the SQ is full, uring_req_sqe() submits it all, and
 * operations that complete inline (NOPs; reads of cached file data; sends
 * with room; accepts with a queued connection) post their CQEs at once,
 * so the same reap sees them.  Requests that resubmit from their callback,
 * more of them than the SQ holds, therefore keep one reap() running.
 *
 * Here: the default loop (SQ 256); 300 NOP requests that resubmit
 * themselves for 2 s of wall time; a 10 ms timer.  The timer should fire
 * after ~10 ms; it fires after the 2 s, when the requests stop.
 * Exit 0: fixed; 1: the bug; 2: setup failed.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <uring/loop.h>

#define N 300

static struct uring_loop loop;
static struct uring_req reqs[N];
static unsigned long long t0, fired_at, pings;

static unsigned long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void ping(struct uring_req *req, int result)
{
	struct uring_sqe *sqe;

	(void)result;
	pings++;
	if (now_ms() - t0 > 2000)
		return; /* the repro's own bound */
	sqe = uring_req_sqe(&loop, req);
	if (!sqe)
		return;
	uring_prep_nop(sqe);
	uring_req_submit(req, ping, 0, 0);
}

static void on_timer(struct uring_timer *t)
{
	(void)t;
	fired_at = now_ms();
}

int main(void)
{
	struct uring_timer timer;
	unsigned i;

	if (uring_loop_init(&loop, NULL) || uring_timer_init(&loop, &timer))
		return 2;
	t0 = now_ms();
	uring_timer_start(&timer, on_timer, 10, 0);
	for (i = 0; i < N; i++)
		ping(&reqs[i], 0);
	uring_loop_run(&loop, URING_RUN_DEFAULT);
	printf("10 ms timer fired after %llu ms (%llu request callbacks)\n",
	       fired_at - t0, pings);
	uring_close(&timer.handle, NULL);
	uring_loop_run(&loop, URING_RUN_DEFAULT);
	uring_loop_close(&loop);
	return fired_at - t0 < 500 ? 0 : 1;
}
