/* SPDX-License-Identifier: MIT */
/* fault-test: injected failures of io_uring_enter(2) and
 * io_uring_register(2): the ring layer reports them, the loop recovers or
 * reports them as documented, and no callback is lost. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/uio.h>

#include "stream-util.h"

/* A test that got here injected n faults and survived them all: one line
 * for the figures (tests/reliability-report adds them up). */
static void faults_survived(const char *test, int n)
{
	printf("faults: %d injected, %d survived (%s)\n", n, n, test);
	fflush(stdout);
}

static void queue_nops(struct uring_ring *ring, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		struct uring_sqe *sqe = uring_ring_get_sqe(ring);

		uring_prep_nop(sqe);
		sqe->user_data = i;
	}
}

START_TEST(ring_reports_injected_errors)
{
	static const int errors[] = {-EINTR, -EAGAIN, -EBUSY, -ENOMEM, -EBADR};
	struct uring_ring ring;
	struct uring_cqe *cqe;
	unsigned i;
	int injected = 0;

	ck_assert_int_eq(uring_ring_init(&ring, 8, 0), 0);
	for (i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		queue_nops(&ring, 2);
		ck_assert_int_eq(uring_fault_inject(URING_FAULT_ENTER, errors[i], 0,
						    1),
				 0);
		ck_assert_int_eq(uring_ring_submit_and_wait(&ring, 2), errors[i]);
		/* nothing was lost: the SQEs are still queued, and go now */
		ck_assert_int_eq(uring_ring_submit_and_wait(&ring, 2), 2);
		ck_assert_uint_eq(uring_ring_cq_ready(&ring), 2);
		uring_ring_cq_advance(&ring, 2);
		ck_assert_int_eq(uring_fault_inject(0, 0, 0, 0), 1); /* one hit */
		injected++;
	}
	/* register calls too */
	ck_assert_int_eq(uring_fault_inject(URING_FAULT_REGISTER, -ENOMEM, 0, 1),
			 0);
	ck_assert_int_eq(uring_register_buffers_sparse(&ring, 4), -ENOMEM);
	ck_assert_int_eq(uring_register_buffers_sparse(&ring, 4), 0);
	injected++;
	ck_assert_int_eq(uring_fault_inject(URING_FAULT_ENTER, 5, 0, 1), -EINVAL);
	ck_assert_int_eq(uring_fault_inject(0, -EINTR, 0, 1), -EINVAL);
	(void)cqe;
	uring_ring_exit(&ring);
	faults_survived("ring_reports_injected_errors", injected);
}
END_TEST

/* A short submit leaves the rest in the SQ; the next submit sends it. */
START_TEST(short_submit_loses_nothing)
{
	struct uring_ring ring;
	unsigned seen = 0, mask = 0, head;
	struct uring_cqe *cqe;
	int ret, rounds = 0;

	ck_assert_int_eq(uring_ring_init(&ring, 8, 0), 0);
	queue_nops(&ring, 8);
	uring_fault_inject(URING_FAULT_ENTER, URING_FAULT_SHORT_SUBMIT, 0, 2);
	ret = uring_ring_submit(&ring);
	ck_assert_int_eq(ret, 4);
	while (seen < 8 && rounds++ < 10) {
		ck_assert_int_ge(uring_ring_submit_and_wait(&ring, 1), 0);
		uring_for_each_cqe(&ring, head, cqe)
		{
			mask |= 1U << cqe->user_data;
			seen++;
		}
		uring_ring_cq_advance(&ring, uring_ring_cq_ready(&ring));
	}
	ck_assert_uint_eq(seen, 8);
	ck_assert_uint_eq(mask, 0xff);
	ck_assert_int_eq(uring_fault_inject(0, 0, 0, 0), 2);
	uring_ring_exit(&ring);
	faults_survived("short_submit_loses_nothing", 2);
}
END_TEST

/* -EBADR (the kernel dropped a CQE) reaches error_cb and stats.cqe_lost;
 * the loop keeps running: the NOP whose submit met the error goes with the
 * next enter and calls back once.  A request, not a timer, makes sure the
 * loop enters the kernel: a timer found due when the loop starts (a slow
 * run: valgrind) fires with no enter at all, and nothing meets the fault. */
static int lost_reports;
static void on_error(struct uring_loop *loop, int error)
{
	(void)loop;
	ck_assert_int_eq(error, -EBADR);
	lost_reports++;
}
static int fired;
static void count_cb(struct uring_req *req, int result)
{
	(void)req;
	ck_assert_int_eq(result, 0);
	fired++;
}

START_TEST(loop_reports_ebadr)
{
	struct uring_loop_options o = {.error_cb = on_error};
	struct uring_loop loop;
	struct uring_loop_stats st;
	struct uring_req req;
	struct uring_sqe *sqe;

	ck_assert_int_eq(uring_loop_init(&loop, &o), 0);
	lost_reports = fired = 0;
	sqe = uring_req_sqe(&loop, &req);
	ck_assert_ptr_nonnull(sqe);
	uring_prep_nop(sqe);
	ck_assert_int_eq(uring_req_submit(&req, count_cb, 0, 0), 0);
	uring_fault_inject(URING_FAULT_ENTER, -EBADR, 0, 1);
	close_loop(&loop);
	ck_assert_int_eq(uring_fault_inject(0, 0, 0, 0), 1); /* one hit */
	ck_assert_int_eq(lost_reports, 1);
	ck_assert_int_eq(fired, 1);
	uring_loop_stats(&loop, &st);
	ck_assert_uint_eq(st.cqe_lost, 1);
	faults_survived("loop_reports_ebadr", 1);
}
END_TEST

/* Every third enter fails with a transient error while 300 requests run:
 * every callback still runs exactly once. */
#define NREQ 300
static unsigned char done[NREQ];
static unsigned done_total;
static void req_cb(struct uring_req *req, int result)
{
	unsigned i = (unsigned)(uintptr_t)req->data;

	/* known by its data; the injected result where the kernel has it */
	ck_assert_int_eq(result, ut_nop_inject_works() ? (int)i : 0);
	ck_assert_uint_eq(done[i], 0);
	done[i] = 1;
	done_total++;
}

START_TEST(loop_survives_transient_errors)
{
	static const int errors[] = {-EINTR, -EAGAIN, -EBUSY, -ENOMEM,
				     URING_FAULT_SHORT_SUBMIT};
	struct uring_loop_options o = {.sq_entries = 16, .cq_entries = 16};
	struct uring_req *reqs = calloc(NREQ, sizeof(*reqs));
	struct uring_loop loop;
	unsigned i, round;
	int hits, injected = 0;

	(void)ut_nop_inject_works(); /* asked now, before faults are armed */
	ck_assert_int_eq(uring_loop_init(&loop, &o), 0);
	memset(done, 0, sizeof(done));
	done_total = 0;
	ck_assert_int_eq(uring_loop_run(&loop, URING_RUN_NOWAIT), 0);
	for (round = 0; round < 5; round++) {
		for (i = round * (NREQ / 5); i < (round + 1) * (NREQ / 5); i++) {
			struct uring_sqe *sqe;

			reqs[i].data = (void *)(uintptr_t)i;
			sqe = uring_req_sqe(&loop, &reqs[i]);
			ck_assert_ptr_nonnull(sqe);
			uring_prep_nop(sqe);
			if (ut_nop_inject_works()) { /* 6.1 refuses it */
				sqe->nop_flags = URING_NOP_INJECT_RESULT;
				sqe->len = i;
			}
			ck_assert_int_eq(uring_req_submit(&reqs[i], req_cb, 0, 0),
					 0);
		}
		/* the error hits an enter of the loop, whichever it is */
		uring_fault_inject(URING_FAULT_ENTER, errors[round], 0, 3);
		ck_assert_int_eq(uring_loop_run(&loop, URING_RUN_DEFAULT), 0);
		hits = uring_fault_inject(0, 0, 0, 0);
		ck_assert_int_gt(hits, 0);
		injected += hits;
	}
	close_loop(&loop);
	ck_assert_uint_eq(done_total, NREQ);
	ck_assert(memchr(done, 0, NREQ) == NULL);
	free(reqs);
	faults_survived("loop_survives_transient_errors", injected);
}
END_TEST

/* A stream whose buffer pool ran dry waits on the pool's list of readers,
 * in a side record it allocates; when that allocation fails it tries
 * again lazily, so the loop still sleeps (it used to re-arm at once, every
 * iteration, for as long as the allocation failed), and it reads on once
 * buffers come back. */
static int kept[4], nkept;
static size_t got_bytes;

static void keep_every_buffer(struct uring_stream *s, ssize_t n,
			      const struct iovec *buf)
{
	(void)buf;
	if (n <= 0)
		return;
	got_bytes += (size_t)n;
	ck_assert_int_lt(nkept, 4);
	kept[nkept] = uring_stream_buf_keep(s);
	ck_assert_int_ge(kept[nkept++], 0);
}

static bool kept_reaches(void *want)
{
	return nkept >= *(int *)want;
}

static void stop_loop(struct uring_timer *t)
{
	uring_loop_stop(t->handle.loop);
}

START_TEST(starved_stream_without_memory_sleeps)
{
	struct uring_loop_options o = {.read_buf_count = 1,
				       .read_buf_size = 64};
	struct uring_loop_stats st0, st1;
	struct uring_loop loop;
	struct uring_stream s;
	struct uring_timer t;
	int peer, hits, one = 1, two = 2;
	char fill[64];

	nkept = 0;
	got_bytes = 0;
	ck_assert_int_eq(uring_loop_init(&loop, &o), 0);
	peer = ut_pair_stream(&loop, &s);
	ck_assert_int_eq(uring_stream_read_start(&s, keep_every_buffer), 0);
	/* no memory to wait on the pool from here on: before the kernel
	 * may find the pool empty, which before 6.18 it may do as soon as
	 * the last buffer is used, with no more bytes to read */
	uring_fault_inject(URING_FAULT_ALLOC, -ENOMEM, 0, 1u << 30);
	/* the pool's one buffer, full (kernels with incremental buffers
	 * would put more bytes in the rest of it), kept */
	memset(fill, 'a', sizeof(fill));
	ck_assert_int_eq(write(peer, fill, sizeof(fill)), sizeof(fill));
	ck_assert(ut_run_until(&loop, kept_reaches, &one, 5000));
	/* more bytes, no buffer: -ENOBUFS */
	ck_assert_int_eq(write(peer, "defg", 4), 4);
	ck_assert_int_eq(uring_timer_init(&loop, &t), 0);
	ck_assert_int_eq(uring_timer_start(&t, stop_loop, 200, 0), 0);
	uring_loop_stats(&loop, &st0);
	uring_loop_run(&loop, URING_RUN_DEFAULT);
	uring_loop_stats(&loop, &st1);
	hits = uring_fault_inject(0, 0, 0, 0);
	ck_assert_int_gt(hits, 0); /* it did starve without memory */
	/* 200 ms at most 50 ms apart, and a few more: not a busy loop */
	ck_assert_uint_lt(st1.iterations - st0.iterations, 40);
	ck_assert_uint_eq(got_bytes, 64);
	ck_assert_int_eq(uring_loop_buf_release(&loop, kept[0]), 0);
	ck_assert(ut_run_until(&loop, kept_reaches, &two, 5000));
	ck_assert_uint_eq(got_bytes, 68);
	uring_close(&t.handle, NULL);
	uring_close(&s.handle, NULL);
	uring_loop_run(&loop, URING_RUN_NOWAIT);
	ck_assert_int_eq(uring_loop_buf_release(&loop, kept[1]), 0);
	close_loop(&loop);
	close(peer);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fault");
	TCase *tc = ut_tcase("fault", 60);

	UT_ADD(tc, ring_reports_injected_errors);
	UT_ADD(tc, short_submit_loses_nothing);
	UT_ADD(tc, loop_reports_ebadr);
	UT_ADD(tc, loop_survives_transient_errors);
	UT_ADD(tc, starved_stream_without_memory_sleeps);
	suite_add_tcase(s, tc);
	return ut_run(s);
}
