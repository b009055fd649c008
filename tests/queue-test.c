/* SPDX-License-Identifier: MIT */
/* queue-test: submission and completion: wrap-around, overflow, SQPOLL,
 * timeouts, DEFER_TASKRUN, batches and mixed-size CQEs. */
#include <poll.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "test-util.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void queue_nop(struct uring_ring *ring, uint64_t tag)
{
	struct uring_sqe *sqe = uring_ring_get_sqe(ring);

	ck_assert_ptr_nonnull(sqe);
	uring_prep_nop(sqe);
	sqe->user_data = tag;
}

/* Reap everything available, marking tags seen; returns CQEs reaped.
 * Overflowed CQEs are flushed in as room appears. */
static unsigned reap_all(struct uring_ring *ring, unsigned char *seen,
			 unsigned nseen)
{
	struct uring_cqe *cqe;
	unsigned n = 0;

	for (;;) {
		if (uring_ring_peek_cqe(ring, &cqe) != 0) {
			if (!uring_ring_cq_needs_flush(ring))
				return n;
			ck_assert_int_ge(uring_ring_get_events(ring), 0);
			continue;
		}
		ck_assert_int_eq(cqe->res, 0);
		ck_assert_uint_lt(cqe->user_data, nseen);
		ck_assert_msg(!seen[cqe->user_data], "tag %llu seen twice",
			      (unsigned long long)cqe->user_data);
		seen[cqe->user_data] = 1;
		uring_cqe_seen(ring, cqe);
		n++;
	}
}

/* Far past 2^16 operations through an 8-entry ring, in odd-sized batches
 * so the indexes wrap at every possible offset.  Under valgrind 70,003:
 * still past 2^16, at a third of the cost. */
START_TEST(nop_batches_wrap_around)
{
	const unsigned total = UT_VG_SCALE(200003u, 70003u);
	unsigned char *seen = calloc(total, 1);
	struct uring_ring ring;
	unsigned next = 0, done = 0;

	ck_assert_int_eq(uring_ring_init(&ring, 8, 0), 0);
	while (done < total) {
		unsigned batch = 0;

		while (next < total && batch < 7) {
			queue_nop(&ring, next++);
			batch++;
		}
		ck_assert_int_eq(uring_ring_submit_and_wait(&ring, batch),
				 (int)batch);
		done += reap_all(&ring, seen, total);
	}
	ck_assert_uint_eq(done, total);
	ck_assert_uint_eq(memchr(seen, 0, total) == NULL, 1);
	ck_assert_uint_eq(*ring.sq.ktail, total); /* the ring really wrapped */
	uring_ring_exit(&ring);
	free(seen);
}
END_TEST

/* A 4-entry CQ and thousands of NOPs in flight: the kernel keeps what does
 * not fit (URING_FEAT_NODROP); every completion arrives exactly once. */
START_TEST(cq_overflow_loses_nothing)
{
	const unsigned total = 4000;
	struct uring_ring_options o = {.sq_entries = 4, .cq_entries = 4};
	unsigned char *seen = calloc(total, 1);
	struct uring_ring ring;
	unsigned next = 0, done = 0, tries = 0;
	bool overflowed = false;

	ck_assert_int_eq(uring_ring_init_options(&ring, &o), 0);
	while (next < total) {
		int ret;

		while (next < total && uring_ring_sq_space_left(&ring))
			queue_nop(&ring, next++);
		ret = uring_ring_submit(&ring);
		if (ret == -EBUSY) { /* overflow list full for now: reap */
			done += reap_all(&ring, seen, total);
			ck_assert_uint_lt(++tries, 100000);
			continue;
		}
		ck_assert_int_ge(ret, 0);
		overflowed |= uring_ring_cq_has_overflow(&ring);
	}
	ck_assert_msg(overflowed, "the CQ never overflowed; test is void");
	done += reap_all(&ring, seen, total);
	ck_assert_uint_eq(done, total);
	ck_assert(memchr(seen, 0, total) == NULL);
	ck_assert(!uring_ring_cq_has_overflow(&ring));
	ck_assert_uint_eq(uring_ring_cq_dropped(&ring), 0);
	uring_ring_exit(&ring);
	free(seen);
}
END_TEST

/* SQPOLL: the thread goes idle (NEED_WAKEUP), a submit wakes it, the work
 * completes. */
START_TEST(sqpoll_sleeps_and_wakes)
{
	struct uring_ring_options o = {.sq_entries = 8};
	struct uring_timespec ts = {.tv_sec = 2};
	struct uring_ring ring;
	struct uring_cqe *cqe;
	int i;

	o.flags = URING_SETUP_SQPOLL;
	o.sq_thread_idle_ms = 5;
	ck_assert_int_eq(uring_ring_init_options(&ring, &o), 0);
	for (i = 0; i < 3; i++) {
		double start = now_ms();

		/* wait (bounded) until the poller has gone to sleep */
		while (!(uring__load_acquire(ring.sq.kflags) &
			 URING_SQ_NEED_WAKEUP)) {
			ck_assert_msg(now_ms() - start < ut_ms(2000),
				      "SQPOLL thread never went idle");
			usleep(1000);
		}
		queue_nop(&ring, 40 + i);
		ck_assert_int_eq(uring_ring_submit(&ring), 1);
		ck_assert_int_eq(uring_ring_wait_cqe_timeout(&ring, &cqe, &ts), 0);
		ck_assert_uint_eq(cqe->user_data, 40 + i);
		uring_cqe_seen(&ring, cqe);
	}
	uring_ring_exit(&ring);
}
END_TEST

START_TEST(wait_times_out)
{
	struct uring_timespec ts = {.tv_nsec = 50 * 1000 * 1000};
	struct uring_ring ring;
	struct uring_cqe *cqe = (void *)1;
	double start;

	ck_assert_int_eq(uring_ring_init(&ring, 4, 0), 0);
	start = now_ms();
	ck_assert_int_eq(uring_ring_wait_cqe_timeout(&ring, &cqe, &ts), -ETIME);
	ck_assert_double_ge(now_ms() - start, 45);
	ck_assert_ptr_null(cqe);
	/* nothing there and nothing to wait for: peek says so at once */
	ck_assert_int_eq(uring_ring_peek_cqe(&ring, &cqe), -EAGAIN);
	uring_ring_exit(&ring);
}
END_TEST

/* A minimum wait: asked for two CQEs within 2 s, the wait returns with the
 * one that is there once 20 ms have passed, not after 2 s. */
START_TEST(min_wait_returns_with_fewer)
{
	struct uring_timespec ts = {.tv_sec = 2};
	struct uring_timespec hundred_ms = {.tv_nsec = 100 * 1000 * 1000};
	struct uring_ring ring;
	struct uring_cqe *cqe = NULL;
	double start;
	int ret;

	ck_assert_int_eq(uring_ring_init(&ring, 4, 0), 0);
	uring_prep_nop(uring_ring_get_sqe(&ring));
	start = now_ms();
	ret = uring_ring_submit_and_wait_min_timeout(&ring, &cqe, 2, &ts, 20000,
						     NULL);
	if (!(uring_ring_features(&ring) & URING_FEAT_MIN_TIMEOUT)) {
		ck_assert_int_eq(ret, -EOPNOTSUPP); /* before 6.12 */
		uring_ring_exit(&ring);
		return;
	}
	ck_assert_int_ge(ret, 0);
	ck_assert_double_lt(now_ms() - start, 1000);
	ck_assert_ptr_nonnull(cqe);
	ck_assert_int_eq(cqe->res, 0);
	uring_cqe_seen(&ring, cqe);
	/* no overall timeout and nothing ready when the minimum passes: the
	 * wait goes on until a CQE comes (here a 100 ms timeout request's),
	 * it does not end with -ETIME after the minimum */
	uring_prep_timeout(uring_ring_get_sqe(&ring), &hundred_ms, 0, 0);
	start = now_ms();
	cqe = NULL;
	ck_assert_int_ge(uring_ring_submit_and_wait_min_timeout(
				 &ring, &cqe, 2, NULL, 2000, NULL),
			 0);
	ck_assert_double_ge(now_ms() - start, 50);
	ck_assert_ptr_nonnull(cqe);
	ck_assert_int_eq(cqe->res, -ETIME); /* the timeout request's result */
	uring_cqe_seen(&ring, cqe);
	ck_assert_int_eq(uring_ring_submit_and_wait_min_timeout(NULL, &cqe, 1,
								&ts, 0, NULL),
			 -EINVAL);
	uring_ring_exit(&ring);
}
END_TEST

/* With DEFER_TASKRUN completions appear only when we enter the kernel. */
START_TEST(defer_taskrun_needs_getevents)
{
	struct uring_ring_options o = {.sq_entries = 4};
	struct uring_ring ring;
	struct uring_cqe *cqe;
	struct uring_sqe *sqe;
	char buf[8] = {0}, byte = 'x';
	int p[2];

	o.flags = URING_SETUP_SINGLE_ISSUER | URING_SETUP_DEFER_TASKRUN;
	ck_assert_int_eq(uring_ring_init_options(&ring, &o), 0);
	ck_assert_int_eq(pipe(p), 0);
	sqe = uring_ring_get_sqe(&ring);
	sqe->opcode = URING_OP_READ;
	sqe->fd = p[0];
	sqe->addr = (uint64_t)(uintptr_t)buf;
	sqe->len = sizeof(buf);
	sqe->user_data = 9;
	ck_assert_int_eq(uring_ring_submit(&ring), 1);
	ck_assert_int_eq(write(p[1], &byte, 1), 1);
	usleep(10000);
	ck_assert_int_eq(uring_ring_peek_cqe(&ring, &cqe), -EAGAIN);
	ck_assert_int_eq(uring_ring_wait_cqe(&ring, &cqe), 0);
	ck_assert_uint_eq(cqe->user_data, 9);
	ck_assert_int_eq(cqe->res, 1);
	ck_assert_int_eq(buf[0], 'x');
	uring_cqe_seen(&ring, cqe);
	close(p[0]);
	close(p[1]);
	uring_ring_exit(&ring);
}
END_TEST

/* Until the ring has deferred work or a completion: its fd polls readable
 * then (6.1 too), so this waits for the event, not for time. */
static void wait_ring_work(struct uring_ring *ring)
{
	struct pollfd pfd = {.fd = uring_ring_fd(ring), .events = POLLIN};

	ck_assert_int_eq(poll(&pfd, 1, (int)ut_ms(5000)), 1);
}

/* ...and an enter that does not wait brings them in too: the SQ_TASKRUN
 * flag makes get_events, and a submit with nothing queued, enter with
 * GETEVENTS, which runs the deferred work. */
START_TEST(defer_taskrun_flush_without_waiting)
{
	struct uring_ring_options o = {.sq_entries = 4};
	struct uring_ring ring;
	struct uring_cqe *cqe;
	struct uring_sqe *sqe;
	char buf[8] = {0};
	int p[2], round, tries;

	o.flags = URING_SETUP_SINGLE_ISSUER | URING_SETUP_DEFER_TASKRUN |
		  URING_SETUP_TASKRUN_FLAG;
	ck_assert_int_eq(uring_ring_init_options(&ring, &o), 0);
	ck_assert_int_eq(pipe(p), 0);
	for (round = 0; round < 2; round++) {
		sqe = uring_ring_get_sqe(&ring);
		uring_prep_read(sqe, p[0], buf, sizeof(buf), 0);
		sqe->user_data = 50 + round;
		ck_assert_int_eq(uring_ring_submit(&ring), 1);
		ck_assert_int_eq(write(p[1], "y", 1), 1);
		wait_ring_work(&ring);
		ck_assert(uring_ring_cq_needs_flush(&ring)); /* SQ_TASKRUN */
		if (round == 0) /* explicitly */
			ck_assert_int_ge(uring_ring_get_events(&ring), 0);
		else /* as a side effect of a submit with nothing queued */
			ck_assert_int_eq(uring_ring_submit(&ring), 0);
		/* before 6.12 (seen on 6.1) the read went to io-wq, and its
		 * completion is posted later, at a later enter: once the
		 * worker's result is queued as deferred work, flush again
		 * (never waiting in the ring) until it is there, bounded */
		for (tries = 0; !ut_kernel_at_least(6, 12) && tries < 100 &&
				uring_ring_peek_cqe(&ring, &cqe) == -EAGAIN;
		     tries++) {
			wait_ring_work(&ring);
			ck_assert_int_ge(uring_ring_get_events(&ring), 0);
		}
		ck_assert_int_eq(uring_ring_peek_cqe(&ring, &cqe), 0);
		ck_assert_uint_eq(cqe->user_data, 50 + (unsigned)round);
		ck_assert_int_eq(cqe->res, 1);
		uring_cqe_seen(&ring, cqe);
	}
	close(p[0]);
	close(p[1]);
	uring_ring_exit(&ring);
}
END_TEST

START_TEST(full_sq_and_batches)
{
	struct uring_ring ring;
	struct uring_cqe *cqes[16];
	unsigned i, n;

	ck_assert_int_eq(uring_ring_init(&ring, 4, 0), 0);
	for (i = 0; i < 4; i++)
		queue_nop(&ring, i);
	ck_assert_ptr_null(uring_ring_get_sqe(&ring));
	ck_assert_uint_eq(uring_ring_sq_ready(&ring), 4);
	ck_assert_uint_eq(uring_ring_sq_space_left(&ring), 0);
	ck_assert_int_eq(uring_ring_submit_and_wait(&ring, 4), 4);
	ck_assert_uint_eq(uring_ring_sq_ready(&ring), 0);
	ck_assert_uint_eq(uring_ring_cq_ready(&ring), 4);
	n = uring_ring_peek_batch_cqe(&ring, cqes, 16);
	ck_assert_uint_eq(n, 4);
	for (i = 0; i < n; i++)
		ck_assert_uint_eq(cqes[i]->user_data, i);
	uring_ring_cq_advance(&ring, n);
	ck_assert_uint_eq(uring_ring_cq_ready(&ring), 0);
	ck_assert_uint_eq(uring_ring_peek_batch_cqe(&ring, cqes, 16), 0);
	/* nothing queued: submit is a no-op that returns 0 */
	ck_assert_int_eq(uring_ring_submit(&ring), 0);
	uring_ring_exit(&ring);
}
END_TEST

START_TEST(invalid_arguments)
{
	struct uring_ring ring;
	struct uring_cqe *cqe;

	ck_assert_int_eq(uring_ring_submit(NULL), -EINVAL);
	ck_assert_int_eq(uring_ring_submit_and_wait(NULL, 1), -EINVAL);
	ck_assert_int_eq(uring_ring_get_events(NULL), -EINVAL);
	ck_assert_int_eq(uring_ring_wait_cqes(NULL, &cqe, 1, NULL, NULL), -EINVAL);
	ck_assert_int_eq(uring_ring_init(&ring, 4, 0), 0);
	ck_assert_int_eq(uring_ring_wait_cqes(&ring, NULL, 1, NULL, NULL), -EINVAL);
	ck_assert_int_eq(uring_ring_submit_and_wait_timeout(&ring, NULL, 1, NULL,
							    NULL),
			 -EINVAL);
	ck_assert_uint_eq(uring_ring_peek_batch_cqe(&ring, NULL, 4), 0);
	uring_ring_exit(&ring);
}
END_TEST

/* NOPs on a CQE32 ring. */
START_TEST(big_cqes)
{
	struct uring_ring_options o = {.sq_entries = 4};
	struct uring_ring ring;
	struct uring_cqe *cqe;
	int i;

	o.flags = URING_SETUP_CQE32;
	ck_assert_int_eq(uring_ring_init_options(&ring, &o), 0);
	for (i = 0; i < 3; i++)
		queue_nop(&ring, 70 + i);
	ck_assert_int_eq(uring_ring_submit_and_wait(&ring, 3), 3);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(uring_ring_peek_cqe(&ring, &cqe), 0);
		ck_assert_uint_eq(cqe->user_data, 70 + (unsigned)i);
		uring_cqe_seen(&ring, cqe);
	}
	uring_ring_exit(&ring);
}
END_TEST

/* NOPs with an injected result on a mixed ring, where a 32-byte CQE takes
 * two slots. */
START_TEST(mixed_cqes)
{
	struct uring_ring_options o = {.sq_entries = 4};
	struct uring_ring ring;
	struct uring_cqe *cqe;
	struct uring_sqe *sqe;
	int i;

	ut_require_kernel(6, 18, "IORING_SETUP_CQE_MIXED");
	ut_require_nop_inject();
	o.flags = URING_SETUP_CQE_MIXED;
	ck_assert_int_eq(uring_ring_init_options(&ring, &o), 0);
	for (i = 0; i < 30; i++) {
		sqe = uring_ring_get_sqe(&ring);
		uring_prep_nop(sqe);
		sqe->user_data = 100 + i;
		sqe->nop_flags = URING_NOP_INJECT_RESULT |
				 ((i % 3) ? URING_NOP_CQE32 : 0);
		sqe->len = i;
		ck_assert_int_eq(uring_ring_submit_and_wait(&ring, 1), 1);
		ck_assert_int_eq(uring_ring_peek_cqe(&ring, &cqe), 0);
		ck_assert_uint_eq(cqe->user_data, 100 + (unsigned)i);
		ck_assert_int_eq(cqe->res, i);
		ck_assert_uint_eq(uring_cqe_nr(&ring, cqe), (i % 3) ? 2 : 1);
		uring_cqe_seen(&ring, cqe);
	}
	uring_ring_exit(&ring);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("queue");
	TCase *tc = ut_tcase("queue", 60);

	UT_ADD(tc, nop_batches_wrap_around);
	UT_ADD(tc, cq_overflow_loses_nothing);
	UT_ADD(tc, sqpoll_sleeps_and_wakes);
	UT_ADD(tc, wait_times_out);
	UT_ADD(tc, defer_taskrun_needs_getevents);
	UT_ADD(tc, defer_taskrun_flush_without_waiting);
	UT_ADD(tc, full_sq_and_batches);
	UT_ADD(tc, invalid_arguments);
	UT_ADD(tc, min_wait_returns_with_fewer);
	UT_ADD(tc, big_cqes);
	UT_ADD(tc, mixed_cqes);
	suite_add_tcase(s, tc);
	return ut_run(s);
}
