/* SPDX-License-Identifier: MIT */
/*
 * tests/test-util.h - shared helpers of the Check suites.
 * A test program exits 77 (automake's SKIP) only when the running kernel
 * lacks what it tests, and says so on stderr.
 */
#ifndef URING_TEST_UTIL_H
#define URING_TEST_UTIL_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <uring/ring.h>

#define UT_SKIP 77

/* Run one suite; exit status for automake. */
static inline int ut_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* Exit with SKIP when the kernel cannot do `op`. */
static inline void ut_require_op(unsigned op, const char *name)
{
	int ret = uring_probe_opcode(op);

	if (ret == 1)
		return;
	fprintf(stderr, "SKIP: the running kernel does not support %s (%d)\n",
		name, ret);
	exit(UT_SKIP);
}

/* Add a test with a timeout, so a hang fails instead of stalling CI. */
#define UT_ADD(tc, fn) tcase_add_test((tc), (fn))

static inline TCase *ut_tcase(const char *name, double timeout_s)
{
	TCase *tc = tcase_create(name);

	tcase_set_timeout(tc, timeout_s);
	return tc;
}

/* A CQE copied out of the ring (struct uring_cqe has a flexible tail). */
struct ut_cqe {
	uint64_t user_data;
	int32_t res;
	uint32_t flags;
};

/* Submit everything and reap exactly one CQE, copying it out. */
static inline struct ut_cqe ut_reap_one(struct uring_ring *ring)
{
	struct uring_cqe *cqe = NULL;
	struct ut_cqe copy;
	int ret = uring_ring_submit_and_wait_timeout(ring, &cqe, 1, NULL, NULL);

	ck_assert_msg(ret >= 0, "submit_and_wait: %d", ret);
	ck_assert_ptr_nonnull(cqe);
	copy.user_data = cqe->user_data;
	copy.res = cqe->res;
	copy.flags = cqe->flags;
	uring_cqe_seen(ring, cqe);
	return copy;
}

#endif
