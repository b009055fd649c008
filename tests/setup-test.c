/* SPDX-License-Identifier: MIT */
/* setup-test: ring creation with each setup flag, fallbacks, bad input. */
#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include "test-util.h"

/* A NOP through the ring proves it works, not just that setup returned 0. */
static void nop_roundtrip(struct uring_ring *ring, uint64_t tag)
{
	struct uring_sqe *sqe = uring_ring_get_sqe(ring);
	struct ut_cqe cqe;

	ck_assert_ptr_nonnull(sqe);
	uring_prep_nop(sqe);
	sqe->user_data = tag;
	cqe = ut_reap_one(ring);
	ck_assert_uint_eq(cqe.user_data, tag);
	ck_assert_int_eq(cqe.res, 0);
}

static void setup_with(const struct uring_ring_options *o, unsigned want)
{
	struct uring_ring ring;
	int ret = uring_ring_init_options(&ring, o);

	ck_assert_msg(ret == 0, "flags %#x: %d", o->flags, ret);
	ck_assert_uint_eq(uring_ring_setup_flags(&ring) & want, want);
	nop_roundtrip(&ring, 0xfeed0000u + o->flags);
	uring_ring_exit(&ring);
}

/* Each flag alone (with the partner flags some of them need), and the
 * release that brought it: an older kernel refuses it (-EINVAL). */
static const struct {
	unsigned flags;
	unsigned major, minor;
} single_flags[] = {
	{0, 5, 1},
	{URING_SETUP_IOPOLL, 5, 1},
	{URING_SETUP_CLAMP, 5, 6},
	{URING_SETUP_SUBMIT_ALL, 5, 18},
	{URING_SETUP_COOP_TASKRUN, 5, 19},
	{URING_SETUP_COOP_TASKRUN | URING_SETUP_TASKRUN_FLAG, 5, 19},
	{URING_SETUP_SQE128, 5, 19},
	{URING_SETUP_CQE32, 5, 19},
	{URING_SETUP_SINGLE_ISSUER, 6, 0},
	{URING_SETUP_SINGLE_ISSUER | URING_SETUP_DEFER_TASKRUN, 6, 1},
	{URING_SETUP_NO_SQARRAY, 6, 6},
	{URING_SETUP_CQE_MIXED, 6, 18},
	{URING_SETUP_SQPOLL, 5, 1},
	{URING_SETUP_SQPOLL | URING_SETUP_SQ_AFF, 5, 1},
	{URING_SETUP_NO_MMAP, 6, 5},
	{URING_SETUP_NO_MMAP | URING_SETUP_REGISTERED_FD_ONLY, 6, 5},
	{URING_SETUP_NO_MMAP | URING_SETUP_NO_SQARRAY | URING_SETUP_CQE32, 6,
	 6},
};

START_TEST(each_flag)
{
	struct uring_ring_options o = {.sq_entries = 8};

	struct uring_ring ring;
	char what[64];

	o.flags = single_flags[_i].flags;
	snprintf(what, sizeof(what), "setup flags %#x", o.flags);
	ut_require_kernel(single_flags[_i].major, single_flags[_i].minor,
			  what);
	if (o.flags & URING_SETUP_IOPOLL) {
		/* IOPOLL rings complete only polled (O_DIRECT block) I/O,
		 * which a test machine may lack: check the grant only. */
		ck_assert_int_eq(uring_ring_init_options(&ring, &o), 0);
		ck_assert(uring_ring_setup_flags(&ring) & URING_SETUP_IOPOLL);
		uring_ring_exit(&ring);
		return;
	}
	setup_with(&o, o.flags);
}
END_TEST

START_TEST(cq_size_and_clamp)
{
	struct uring_ring_options o = {.sq_entries = 4, .cq_entries = 100};
	struct uring_ring ring;

	ck_assert_int_eq(uring_ring_init_options(&ring, &o), 0);
	ck_assert_uint_eq(uring_ring_sq_entries(&ring), 4);
	ck_assert_uint_eq(uring_ring_cq_entries(&ring), 128);
	uring_ring_exit(&ring);

	o.sq_entries = 100000;
	o.cq_entries = 0;
	o.flags = URING_SETUP_CLAMP;
	ck_assert_int_eq(uring_ring_init_options(&ring, &o), 0);
	ck_assert_uint_eq(uring_ring_sq_entries(&ring), URING_MAX_SQ_ENTRIES);
	uring_ring_exit(&ring);
}
END_TEST

START_TEST(invalid_arguments)
{
	struct uring_ring ring;
	struct uring_ring_options o = {.sq_entries = 8};

	ck_assert_int_eq(uring_ring_init(NULL, 8, 0), -EINVAL);
	ck_assert_int_eq(uring_ring_init(&ring, 0, 0), -EINVAL);
	ck_assert_int_eq(uring_ring_init(&ring, URING_MAX_SQ_ENTRIES + 1, 0),
			 -EINVAL);
	ck_assert_int_eq(uring_ring_init(&ring, 8, 1U << 30), -EINVAL);
	ck_assert_int_eq(uring_ring_init_options(&ring, NULL), -EINVAL);
	o.cq_entries = 4; /* smaller than the SQ */
	ck_assert_int_eq(uring_ring_init_options(&ring, &o), -EINVAL);
	o.cq_entries = 0;
	o.ring_flags = 1U << 7;
	ck_assert_int_eq(uring_ring_init_options(&ring, &o), -EINVAL);
	o.ring_flags = 0;
	o.flags = URING_SETUP_REGISTERED_FD_ONLY; /* needs NO_MMAP */
	ck_assert_int_eq(uring_ring_init_options(&ring, &o), -EINVAL);
	o.flags = URING_SETUP_CQSIZE; /* without a CQ size */
	ck_assert_int_eq(uring_ring_init_options(&ring, &o), -EINVAL);
	/* the kernel's own refusal comes back unchanged */
	o.flags = URING_SETUP_SQPOLL | URING_SETUP_DEFER_TASKRUN |
		  URING_SETUP_SINGLE_ISSUER;
	ck_assert_int_eq(uring_ring_init_options(&ring, &o), -EINVAL);
	/* exit of a ring that never was set up is harmless */
	memset(&ring, 0, sizeof(ring));
	uring_ring_exit(&ring);
	uring_ring_exit(NULL);
}
END_TEST

/* SQPOLL refuses DEFER_TASKRUN: as optional flags they are dropped in the
 * documented order and the ring still comes up. */
START_TEST(optional_flags_fall_back)
{
	struct uring_ring_options o = {.sq_entries = 8};
	struct uring_ring ring;
	unsigned got;

	o.flags = URING_SETUP_SQPOLL;
	o.optional_flags = URING_SETUP_DEFER_TASKRUN | URING_SETUP_SINGLE_ISSUER |
			   URING_SETUP_COOP_TASKRUN | URING_SETUP_TASKRUN_FLAG |
			   URING_SETUP_NO_SQARRAY;
	ck_assert_int_eq(uring_ring_init_options(&ring, &o), 0);
	got = uring_ring_setup_flags(&ring);
	ck_assert(got & URING_SETUP_SQPOLL);
	ck_assert(!(got & URING_SETUP_DEFER_TASKRUN));
	ck_assert(!(got & URING_SETUP_COOP_TASKRUN));
	ck_assert(got & URING_SETUP_SINGLE_ISSUER);
	nop_roundtrip(&ring, 7);
	uring_ring_exit(&ring);

	/* Without the conflict, every optional flag the kernel knows is
	 * granted (NO_SQARRAY: 6.6), and one it does not know is dropped */
	o.flags = 0;
	ck_assert_int_eq(uring_ring_init_options(&ring, &o), 0);
	got = uring_ring_setup_flags(&ring);
	if (!ut_kernel_at_least(6, 6))
		o.optional_flags &= ~URING_SETUP_NO_SQARRAY;
	ck_assert_uint_eq(got & o.optional_flags, o.optional_flags);
	nop_roundtrip(&ring, 8);
	uring_ring_exit(&ring);
}
END_TEST

START_TEST(no_mmap_with_caller_memory)
{
	struct uring_ring_options o = {.sq_entries = 16};
	struct uring_ring ring;
	ssize_t need;
	void *mem;

	ut_require_kernel(6, 5, "IORING_SETUP_NO_MMAP");
	o.flags = URING_SETUP_NO_MMAP;
	need = uring_ring_mem_size(&o);
	ck_assert_int_gt(need, 0);
	mem = mmap(NULL, (size_t)need, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(mem, MAP_FAILED);
	o.mem = mem;
	o.mem_size = (size_t)need - 1; /* too small */
	ck_assert_int_eq(uring_ring_init_options(&ring, &o), -EINVAL);
	o.mem_size = (size_t)need;
	ck_assert_int_eq(uring_ring_init_options(&ring, &o), 0);
	ck_assert_ptr_eq(ring.mem, mem);
	nop_roundtrip(&ring, 99);
	uring_ring_exit(&ring);
	munmap(mem, (size_t)need);
}
END_TEST

START_TEST(registered_ring_fd_default_and_optout)
{
	struct uring_ring_options o = {.sq_entries = 8};
	struct uring_ring ring;

	ck_assert_int_eq(uring_ring_init(&ring, 8, 0), 0);
	ck_assert_uint_eq(ring.enter_flags, URING_ENTER_REGISTERED_RING);
	ck_assert_int_ne(ring.enter_fd, ring.ring_fd);
	ck_assert_int_eq(uring_register_ring_fd(&ring), -EEXIST);
	nop_roundtrip(&ring, 1);
	ck_assert_int_eq(uring_unregister_ring_fd(&ring), 0);
	ck_assert_int_eq(ring.enter_fd, ring.ring_fd);
	nop_roundtrip(&ring, 2);
	ck_assert_int_ge(uring_register_ring_fd(&ring), 0);
	nop_roundtrip(&ring, 3);
	uring_ring_exit(&ring);

	o.ring_flags = URING_RING_NO_REGISTER_FD;
	ck_assert_int_eq(uring_ring_init_options(&ring, &o), 0);
	ck_assert_uint_eq(ring.enter_flags, 0);
	ck_assert_int_eq(uring_unregister_ring_fd(&ring), -EINVAL);
	nop_roundtrip(&ring, 4);
	uring_ring_exit(&ring);
}
END_TEST

/* No fd may be left behind by setup + exit, whatever the flags. */
START_TEST(no_fd_leak)
{
	int before = dup(0), after;
	struct uring_ring ring;
	int i;

	close(before);
	for (i = 0; i < 50; i++) {
		ck_assert_int_eq(uring_ring_init(&ring, 8, 0), 0);
		uring_ring_exit(&ring);
	}
	after = dup(0);
	close(after);
	ck_assert_int_eq(before, after);
}
END_TEST

/* The registered index belongs to the registering thread; other threads
 * go through the plain fd and must not touch the index. */
static void *use_from_other_thread(void *arg)
{
	struct uring_ring *ring = arg;

	nop_roundtrip(ring, 0xabc);
	ck_assert_int_eq(uring_unregister_ring_fd(ring), -EINVAL);
	return NULL;
}

START_TEST(ring_used_from_another_thread)
{
	struct uring_ring ring;
	pthread_t th;

	ck_assert_int_eq(uring_ring_init(&ring, 8, 0), 0);
	ck_assert(ring.lib_flags & URING_RING__REG_FD);
	ck_assert_int_eq(pthread_create(&th, NULL, use_from_other_thread, &ring),
			 0);
	pthread_join(th, NULL);
	nop_roundtrip(&ring, 0xdef); /* the index still works here */
	uring_ring_exit(&ring);
}
END_TEST

/* Caller memory of exactly uring_ring_mem_size() must be enough whatever
 * the fallback ends up granting. */
START_TEST(no_mmap_size_covers_fallback)
{
	struct uring_ring_options o = {.sq_entries = 32};
	struct uring_ring ring;
	ssize_t need;
	void *mem;

	ut_require_kernel(6, 5, "IORING_SETUP_NO_MMAP");
	o.flags = URING_SETUP_SQPOLL | URING_SETUP_NO_MMAP;
	o.optional_flags = URING_SETUP_NO_SQARRAY | URING_SETUP_DEFER_TASKRUN |
			   URING_SETUP_SINGLE_ISSUER;
	need = uring_ring_mem_size(&o);
	ck_assert_int_gt(need, 0);
	mem = mmap(NULL, (size_t)need, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	o.mem = mem;
	o.mem_size = (size_t)need;
	ck_assert_int_eq(uring_ring_init_options(&ring, &o), 0);
	ck_assert(!(uring_ring_setup_flags(&ring) & URING_SETUP_DEFER_TASKRUN));
	nop_roundtrip(&ring, 12);
	uring_ring_exit(&ring);
	munmap(mem, (size_t)need);
}
END_TEST

START_TEST(probe_and_features)
{
	struct uring_ring ring;
	struct uring_probe *probe;
	unsigned major = 0, minor = 0;

	ck_assert_int_eq(uring_ring_init(&ring, 4, 0), 0);
	ck_assert(uring_ring_features(&ring) & URING_FEAT_NODROP);
	ck_assert(uring_ring_features(&ring) & URING_FEAT_EXT_ARG);
	ck_assert_int_eq(uring_probe_get(&ring, &probe), 0);
	ck_assert(uring_probe_supports(probe, URING_OP_NOP));
	ck_assert(!uring_probe_supports(probe, 255));
	ck_assert(!uring_probe_supports(NULL, URING_OP_NOP));
	uring_probe_free(probe);
	ck_assert_int_eq(uring_probe_get(NULL, &probe), -EINVAL);
	ck_assert_int_eq(uring_probe_opcode(URING_OP_NOP), 1);
	ck_assert_int_eq(uring_probe_opcode(250), 0);
	ck_assert_int_eq(uring_kernel_version(&major, &minor), 0);
	ck_assert_uint_ge(major, 5);
	ck_assert_int_eq(uring_kernel_version(NULL, &minor), -EINVAL);
	uring_ring_exit(&ring);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("setup");
	TCase *tc = ut_tcase("setup", 30);

	tcase_add_loop_test(tc, each_flag, 0,
			    sizeof(single_flags) / sizeof(single_flags[0]));
	UT_ADD(tc, cq_size_and_clamp);
	UT_ADD(tc, invalid_arguments);
	UT_ADD(tc, optional_flags_fall_back);
	UT_ADD(tc, no_mmap_with_caller_memory);
	UT_ADD(tc, registered_ring_fd_default_and_optout);
	UT_ADD(tc, no_fd_leak);
	UT_ADD(tc, ring_used_from_another_thread);
	UT_ADD(tc, no_mmap_size_covers_fallback);
	UT_ADD(tc, probe_and_features);
	suite_add_tcase(s, tc);
	return ut_run(s);
}
