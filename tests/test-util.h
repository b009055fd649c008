/* SPDX-License-Identifier: MIT */
/*
 * tests/test-util.h - shared helpers of the Check suites.
 * A test exits 77 (UT_SKIP) only when it cannot run here - the running
 * kernel lacks what it tests, or it needs root - and says why on stderr;
 * ut_run() turns that into automake's SKIP for the program.
 */
#ifndef URING_TEST_UTIL_H
#define URING_TEST_UTIL_H

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <uring/ring.h>

#ifdef HAVE_VALGRIND_MEMCHECK_H
#include <valgrind/memcheck.h>
#include <valgrind/valgrind.h>
#endif

#define UT_SKIP 77

/*
 * valgrind (memcheck) cannot see the kernel fill a buffer through io_uring
 * (KERNEL-FACTS, Tools): after a completion, mark what the kernel wrote as
 * defined before the test checks it.  Only after the completion, and only
 * the bytes the kernel reports it wrote: initialising the buffer before the
 * operation would hide a kernel or library bug.  No-op outside valgrind.
 */
static inline void ut_kernel_wrote(const void *ptr, size_t len)
{
#ifdef HAVE_VALGRIND_MEMCHECK_H
	if (ptr && len)
		(void)VALGRIND_MAKE_MEM_DEFINED(ptr, len);
#else
	(void)ptr;
	(void)len;
#endif
}

/* True when running under valgrind: heavy tests scale their counts down
 * (never below what exercises the same paths).  0 without valgrind. */
static inline int ut_under_valgrind(void)
{
#ifdef HAVE_VALGRIND_MEMCHECK_H
	return RUNNING_ON_VALGRIND != 0;
#else
	return 0;
#endif
}

/* `full` normally, `reduced` under valgrind. */
#define UT_VG_SCALE(full, reduced) (ut_under_valgrind() ? (reduced) : (full))

/* Run one suite; exit status for automake. */
/* Did this test exit with UT_SKIP?  A test that cannot run here says why
 * on stderr and exits 77 from the child Check forked for it; Check can
 * only report that as an error, with this message. */
static inline int ut_skipped(TestResult *r)
{
	char want[48];

	snprintf(want, sizeof(want), "Early exit with return value %d",
		 UT_SKIP);
	return tr_rtype(r) == CK_ERROR && strcmp(tr_msg(r), want) == 0;
}

/* Run the suite.  Exit status as automake reads it: 0 when every test
 * passed, 77 (SKIP) when the only ones that did not were skipped, 1 when
 * any failed.  A skip is never counted as a pass. */
static inline int ut_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	TestResult **results;
	int i, n, failed, skipped = 0;

	srunner_run_all(sr, CK_NORMAL);
	n = srunner_ntests_run(sr);
	failed = srunner_ntests_failed(sr);
	results = srunner_results(sr); /* the array is ours, not the results */
	for (i = 0; results && i < n; i++) {
		if (!ut_skipped(results[i]))
			continue;
		skipped++;
		fprintf(stderr, "SKIP: %s:%d (test case %s) could not run here\n",
			tr_lfile(results[i]), tr_lno(results[i]),
			tr_tcname(results[i]));
	}
	free(results);
	srunner_free(sr);
	if (failed > skipped)
		return EXIT_FAILURE;
	return skipped ? UT_SKIP : EXIT_SUCCESS;
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

/* Make room for `fds` open descriptors: raise the soft RLIMIT_NOFILE up to
 * the hard one, as a server would (a login shell's soft limit is often
 * 1024).  Skip when the hard limit is lower: the test cannot run here. */
static inline void ut_need_fds(rlim_t fds)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= fds)
		return;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < fds) {
		fprintf(stderr, "SKIP: needs %llu fds; RLIMIT_NOFILE allows %llu\n",
			(unsigned long long)fds,
			(unsigned long long)rl.rlim_max);
		exit(UT_SKIP);
	}
	rl.rlim_cur = fds;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
		perror("setrlimit(RLIMIT_NOFILE)");
		exit(EXIT_FAILURE);
	}
}

/* Add a test with a timeout, so a hang fails instead of stalling CI. */
#define UT_ADD(tc, fn) tcase_add_test((tc), (fn))

static inline TCase *ut_tcase(const char *name, double timeout_s)
{
	TCase *tc = tcase_create(name);

	tcase_set_timeout(tc, timeout_s);
	return tc;
}

/*
 * Test cases where one thread waits in io_uring_enter(2) for another thread
 * to act go in a TCase made here.  They run as usual under `make check`;
 * `make check-valgrind` excludes them (CK_EXCLUDE_TAGS, with a printed
 * reason): valgrind 3.19 does not release its global lock while a thread is
 * blocked in io_uring_enter, so every other thread of the process stops
 * until the wait ends, and such a test deadlocks or times out.
 */
#define UT_TAG_VG_ENTER_BLOCKS "valgrind-io-uring-enter-blocks"

static inline TCase *ut_tcase_cross_thread(const char *name, double timeout_s)
{
	TCase *tc = ut_tcase(name, timeout_s);

	tcase_set_tags(tc, UT_TAG_VG_ENTER_BLOCKS);
	return tc;
}

/*
 * Test cases that depend on the kernel enforcing RLIMIT_NOFILE go in a
 * TCase made here: valgrind emulates the fd limit for its guest (it keeps
 * fds of its own above it) and does not lower the real one, so the kernel
 * never refuses an fd and such a test cannot work under it.  Excluded from
 * `make check-valgrind` with a printed reason, like the above.
 */
#define UT_TAG_VG_RLIMIT "valgrind-emulates-rlimit-nofile"

static inline TCase *ut_tcase_real_rlimit(const char *name, double timeout_s)
{
	TCase *tc = ut_tcase(name, timeout_s);

	tcase_set_tags(tc, UT_TAG_VG_RLIMIT);
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

/* Last: every call of a public function from here on checks that errno
 * is kept (generated by tests/errno-wrap.sh). */
#include "tests/ut-errno-wrap.h"

#endif
