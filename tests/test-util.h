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
#include <sys/utsname.h>
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

/*
 * How many times slower than a plain native build this run may be: every
 * bound on time in the suites (Check's per-test timeouts, ut_run_until()'s
 * waits, a timer period a test needs to be long next to the loop's own
 * work) is multiplied by it.  A bound only ends a wait that would else
 * hang; what a test asserts never depends on it.  One figure, made of:
 *   - the build: 3 with a sanitizer compiled in (ASan, UBSan, TSan);
 *   - the run: 10 under valgrind;
 *   - the machine: UT_SLOWDOWN from the environment, a whole number (an
 *     emulated CPU, a slow board; unset or invalid: 1).
 * tests/examples-test.sh reads the same UT_SLOWDOWN, and the build's part
 * from UT_BUILD_SLOWDOWN, which tests/tests.mk sets.
 */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define UT_BUILD_SLOWDOWN 3u
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define UT_BUILD_SLOWDOWN 3u
#endif
#endif
#ifndef UT_BUILD_SLOWDOWN
#define UT_BUILD_SLOWDOWN 1u
#endif
#define UT_VALGRIND_SLOWDOWN 10u

static inline unsigned ut_slowdown(void)
{
	const char *env = getenv("UT_SLOWDOWN");
	unsigned f = UT_BUILD_SLOWDOWN;
	long machine = env ? strtol(env, NULL, 10) : 1;

	if (ut_under_valgrind())
		f *= UT_VALGRIND_SLOWDOWN;
	if (machine > 1 && machine <= 1000)
		f *= (unsigned)machine;
	return f;
}

/* A bound in any unit of time, scaled for this run. */
#define UT_SLOW(t) ((t) * ut_slowdown())

/* A bound of `ms` milliseconds, scaled for this run. */
static inline unsigned ut_ms(unsigned ms)
{
	return ms * ut_slowdown();
}

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

	/* CK_ENV: normal output unless CK_VERBOSITY says otherwise
	 * (tests/kernel/run asks for a line per case) */
	srunner_run_all(sr, CK_ENV);
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

/*
 * Is the running kernel at least major.minor?  For what the kernel offers
 * no probe for (setup flags, NOP flags, register and feature details):
 * the version that brought it is the probe.  Prefer ut_require_op() where
 * the opcode probe answers.
 */
static inline int ut_kernel_at_least(unsigned major, unsigned minor)
{
	struct utsname u;
	unsigned ma = 0, mi = 0;

	if (uname(&u) != 0 || sscanf(u.release, "%u.%u", &ma, &mi) != 2)
		return 1; /* unknown: assume new, let the test say */
	return ma > major || (ma == major && mi >= minor);
}

/* Exit with SKIP, saying why, when the kernel is older than major.minor. */
static inline void ut_require_kernel(unsigned major, unsigned minor,
				     const char *what)
{
	if (ut_kernel_at_least(major, minor))
		return;
	fprintf(stderr, "SKIP: %s needs Linux %u.%u or later\n", what, major,
		minor);
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

/* A test case whose tests each fail after timeout_s seconds, scaled by
 * ut_slowdown() (Check's CK_TIMEOUT_MULTIPLIER, if set, multiplies it
 * again). */
static inline TCase *ut_tcase(const char *name, double timeout_s)
{
	TCase *tc = tcase_create(name);

	tcase_set_timeout(tc, timeout_s * ut_slowdown());
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

/*
 * Does a NOP complete with the result it carries (IORING_NOP_INJECT_RESULT,
 * newer than 6.1)?  Asked of the kernel, not of its version: a NOP that
 * injects -EIO on a ring of its own.  An older kernel completes it with 0
 * (or refuses the flag).
 */
static inline int ut_nop_inject_works(void)
{
	static int known = -1;
	struct uring_ring ring;
	struct uring_sqe *sqe;

	if (known >= 0)
		return known;
	if (uring_ring_init(&ring, 2, 0) != 0)
		return known = 0;
	sqe = uring_ring_get_sqe(&ring);
	uring_prep_nop(sqe);
	sqe->nop_flags = URING_NOP_INJECT_RESULT;
	sqe->len = (unsigned)-EIO;
	known = ut_reap_one(&ring).res == -EIO;
	uring_ring_exit(&ring);
	return known;
}

/* Exit with SKIP when NOPs cannot carry a result (ut_nop_inject_works). */
static inline void ut_require_nop_inject(void)
{
	if (ut_nop_inject_works())
		return;
	fprintf(stderr, "SKIP: the running kernel does not inject NOP results "
			"(IORING_NOP_INJECT_RESULT)\n");
	exit(UT_SKIP);
}

/* Last: every call of a public function from here on checks that errno
 * is kept (generated by tests/errno-wrap.sh). */
#include "tests/ut-errno-wrap.h"

#endif
