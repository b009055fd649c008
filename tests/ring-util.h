/* SPDX-License-Identifier: MIT */
/*
 * tests/ring-util.h - helpers the ring-layer suites share: setting up a ring,
 * reaping CQEs with a bound, raw io_uring_register(2).
 */
#ifndef URING_TEST_RING_UTIL_H
#define URING_TEST_RING_UTIL_H

#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "test-util.h"

#ifndef RING_ENTRIES
#define RING_ENTRIES 64
#endif

/* io_uring_register(2) directly: the register API is not ours to test. */
static inline int raw_register(struct uring_ring *ring, unsigned op, const void *arg,
			unsigned nr)
{
	long r = syscall(__NR_io_uring_register, uring_ring_fd(ring), op, arg,
			 nr);

	return r < 0 ? -errno : (int)r;
}

static inline void ring_init(struct uring_ring *ring)
{
	int ret = uring_ring_init(ring, RING_ENTRIES, 0);

	ck_assert_msg(ret == 0, "ring init: %d", ret);
}

static inline struct uring_sqe *get_sqe(struct uring_ring *ring)
{
	struct uring_sqe *sqe = uring_ring_get_sqe(ring);

	ck_assert_ptr_nonnull(sqe);
	return sqe;
}

/* Submit what is queued, then reap `n` CQEs (5 s bound on each). */
#define reap_n(ring, out, n) reap_n_at((ring), (out), (n), __LINE__)
#define reap(ring) reap_at((ring), __LINE__)

static inline void reap_n_at(struct uring_ring *ring, struct ut_cqe *out, unsigned n,
		      int line)
{
	struct uring_timespec ts = {.tv_sec = 5};
	unsigned i;

	for (i = 0; i < n; i++) {
		struct uring_cqe *cqe = NULL;
		int ret = uring_ring_submit_and_wait_timeout(ring, &cqe, 1, &ts,
							     NULL);

		ck_assert_msg(ret >= 0 && cqe, "line %d: wait for CQE %u of %u: %d",
			      line, i, n, ret);
		out[i].user_data = cqe->user_data;
		out[i].res = cqe->res;
		out[i].flags = cqe->flags;
		uring_cqe_seen(ring, cqe);
	}
}

static inline struct ut_cqe reap_at(struct uring_ring *ring, int line)
{
	struct ut_cqe c;

	reap_n_at(ring, &c, 1, line);
	return c;
}

/* True if no CQE shows up within `ms`. */
static inline int cq_quiet(struct uring_ring *ring, long ms)
{
	struct uring_timespec ts = {.tv_nsec = ms * 1000000L};
	struct uring_cqe *cqe = NULL;
	int ret = uring_ring_submit_and_wait_timeout(ring, &cqe, 1, &ts, NULL);

	return ret == -ETIME || cqe == NULL;
}

/* Find the CQE with user_data `ud` among `n`. */
static inline const struct ut_cqe *find(const struct ut_cqe *c, unsigned n,
				 uint64_t ud)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (c[i].user_data == ud)
			return &c[i];
	ck_abort_msg("no CQE with user_data %llu", (unsigned long long)ud);
	return NULL;
}

#endif
