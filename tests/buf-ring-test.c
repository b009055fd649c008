/* SPDX-License-Identifier: MIT */
/*
 * buf-ring-test: provided buffer rings - buffer select on recv, recycling,
 * -ENOBUFS and recovery (single and multishot), incremental consumption,
 * kernel-allocated rings, the head query, bad input.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "test-util.h"

#define BGID 3
#define NBUF 8
#define BUFLEN 64

struct fixture {
	struct uring_ring ring;
	struct uring_buf_ring *br;
	unsigned entries;
	int sv[2];
	char *mem; /* NBUF buffers of BUFLEN */
};

static void setup_fixture(struct fixture *f, unsigned entries, unsigned flags)
{
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, f->sv), 0);
	ck_assert_int_eq(uring_ring_init(&f->ring, 16, 0), 0);
	ck_assert_int_eq(uring_buf_ring_setup(&f->ring, entries, BGID, flags, &f->br),
			 0);
	f->entries = entries;
	f->mem = calloc(NBUF, BUFLEN);
	ck_assert_ptr_nonnull(f->mem);
}

static void teardown_fixture(struct fixture *f)
{
	ck_assert_int_eq(uring_buf_ring_free(&f->ring, f->br, f->entries, BGID), 0);
	uring_ring_exit(&f->ring);
	close(f->sv[0]);
	close(f->sv[1]);
	free(f->mem);
}

static char *buf_of(struct fixture *f, int bid)
{
	return f->mem + (size_t)bid * BUFLEN;
}

/* Hand buffers first..first+n-1 to the kernel in one tail update. */
static void provide(struct fixture *f, int first, int n)
{
	int i, mask = uring_buf_ring_mask(f->entries);

	for (i = 0; i < n; i++)
		uring_buf_ring_add(f->br, buf_of(f, first + i), BUFLEN,
				   (unsigned short)(first + i), mask, i);
	uring_buf_ring_advance(f->br, n);
}

static void send_str(struct fixture *f, const char *s)
{
	ssize_t n = (ssize_t)strlen(s);

	ck_assert_int_eq(write(f->sv[1], s, (size_t)n), n);
}

/* One recv with buffer select; returns its CQE. */
static struct ut_cqe recv_select(struct fixture *f, unsigned len, uint64_t tag)
{
	struct uring_sqe *sqe = uring_ring_get_sqe(&f->ring);

	ck_assert_ptr_nonnull(sqe);
	uring_prep_recv(sqe, f->sv[0], NULL, len, 0);
	uring_sqe_buffer_select(sqe, BGID);
	sqe->user_data = tag;
	return ut_reap_one(&f->ring);
}

START_TEST(recv_picks_buffers_in_order)
{
	struct fixture f;
	struct ut_cqe c;
	int i;

	setup_fixture(&f, NBUF, 0);
	provide(&f, 0, NBUF);
	for (i = 0; i < 3; i++) {
		char msg[16];

		snprintf(msg, sizeof(msg), "message-%d", i);
		send_str(&f, msg);
		c = recv_select(&f, 0, (uint64_t)i);
		ck_assert_int_eq(c.res, (int)strlen(msg));
		ck_assert(c.flags & URING_CQE_F_BUFFER);
		ck_assert_int_eq((int)(c.flags >> URING_CQE_BUFFER_SHIFT), i);
		ck_assert_mem_eq(buf_of(&f, i), msg, strlen(msg));
	}
	/* a len below the buffer's caps the read */
	send_str(&f, "0123456789");
	c = recv_select(&f, 4, 9);
	ck_assert_int_eq(c.res, 4);
	ck_assert_int_eq((int)(c.flags >> URING_CQE_BUFFER_SHIFT), 3);
	ck_assert_mem_eq(buf_of(&f, 3), "0123", 4);
	teardown_fixture(&f);
}
END_TEST

/* One buffer used over and over: recycle it with uring_buf_ring_cq_advance. */
START_TEST(recycle_single_buffer)
{
	struct fixture f;
	int i;

	setup_fixture(&f, 4, 0);
	provide(&f, 5, 1);
	for (i = 0; i < 20; i++) {
		struct uring_sqe *sqe = uring_ring_get_sqe(&f.ring);
		struct uring_cqe *cqe = NULL;
		int res, bid;

		send_str(&f, "ping");
		uring_prep_recv(sqe, f.sv[0], NULL, 0, 0);
		uring_sqe_buffer_select(sqe, BGID);
		ck_assert_int_ge(uring_ring_submit_and_wait_timeout(&f.ring, &cqe, 1,
								    NULL, NULL),
				 0);
		ck_assert_ptr_nonnull(cqe);
		res = cqe->res;
		bid = uring_cqe_buffer_id(cqe);
		ck_assert_int_eq(res, 4);
		ck_assert_int_eq(bid, 5);
		ck_assert_mem_eq(buf_of(&f, bid), "ping", 4);
		/* give it back and consume the CQE in one step */
		uring_buf_ring_add(f.br, buf_of(&f, bid), BUFLEN,
				   (unsigned short)bid,
				   uring_buf_ring_mask(f.entries), 0);
		uring_buf_ring_cq_advance(&f.ring, f.br, 1);
	}
	ck_assert_uint_eq(uring_ring_cq_ready(&f.ring), 0);
	teardown_fixture(&f);
}
END_TEST

START_TEST(enobufs_then_refill)
{
	struct fixture f;
	struct ut_cqe c;
	bool status;

	setup_fixture(&f, 2, 0);
	provide(&f, 0, 1);
	send_str(&f, "first");
	c = recv_select(&f, 0, 1);
	ck_assert_int_eq(c.res, 5);
	ck_assert_int_eq((int)(c.flags >> URING_CQE_BUFFER_SHIFT), 0);
	/* the group is empty: data is waiting, but there is nowhere to put it */
	send_str(&f, "second");
	c = recv_select(&f, 0, 2);
	ck_assert_int_eq(c.res, -ENOBUFS);
	ck_assert(!(c.flags & URING_CQE_F_BUFFER));
	/* the count needs the ring's status (PBUF_STATUS, 6.8) */
	status = ut_kernel_at_least(6, 8);
	if (!status)
		fprintf(stderr, "SKIP part: no PBUF_STATUS (6.8)\n");
	if (status)
		ck_assert_int_eq(uring_buf_ring_available(&f.ring, f.br, BGID),
				 0);
	/* refill: the data was not lost */
	provide(&f, 0, 1);
	if (status)
		ck_assert_int_eq(uring_buf_ring_available(&f.ring, f.br, BGID),
				 1);
	c = recv_select(&f, 0, 3);
	ck_assert_int_eq(c.res, 6);
	ck_assert_int_eq((int)(c.flags >> URING_CQE_BUFFER_SHIFT), 0);
	ck_assert_mem_eq(buf_of(&f, 0), "second", 6);
	teardown_fixture(&f);
}
END_TEST

/* Multishot recv ends with -ENOBUFS and no F_MORE when the group runs dry;
 * re-arming after a refill picks up the data that waited. */
START_TEST(multishot_enobufs_rearm)
{
	struct fixture f;
	struct uring_sqe *sqe;
	struct ut_cqe c;
	int i;

	setup_fixture(&f, 4, 0);
	provide(&f, 0, 2);
	sqe = uring_ring_get_sqe(&f.ring);
	uring_prep_recv_multishot(sqe, f.sv[0], NULL, 0, 0);
	uring_sqe_buffer_select(sqe, BGID);
	sqe->user_data = 77;
	ck_assert_int_eq(uring_ring_submit(&f.ring), 1);
	for (i = 0; i < 2; i++) {
		send_str(&f, i ? "bb" : "a");
		c = ut_reap_one(&f.ring);
		ck_assert_int_eq(c.res, i + 1);
		ck_assert(c.flags & URING_CQE_F_MORE);
		ck_assert_int_eq((int)(c.flags >> URING_CQE_BUFFER_SHIFT), i);
	}
	send_str(&f, "ccc");
	c = ut_reap_one(&f.ring);
	ck_assert_int_eq(c.res, -ENOBUFS);
	ck_assert(!(c.flags & URING_CQE_F_MORE));
	provide(&f, 0, 2);
	sqe = uring_ring_get_sqe(&f.ring);
	uring_prep_recv_multishot(sqe, f.sv[0], NULL, 0, 0);
	uring_sqe_buffer_select(sqe, BGID);
	c = ut_reap_one(&f.ring);
	ck_assert_int_eq(c.res, 3);
	ck_assert(c.flags & URING_CQE_F_MORE);
	ck_assert_mem_eq(buf_of(&f, (int)(c.flags >> URING_CQE_BUFFER_SHIFT)),
			 "ccc", 3);
	/* EOF ends it too */
	shutdown(f.sv[1], SHUT_WR);
	c = ut_reap_one(&f.ring);
	ck_assert_int_eq(c.res, 0);
	ck_assert(!(c.flags & URING_CQE_F_MORE));
	teardown_fixture(&f);
}
END_TEST

/* With URING_PBUF_RING_INC one buffer serves several recvs, back to back,
 * and URING_CQE_F_BUF_MORE says it is not used up yet. */
START_TEST(incremental_consumption)
{
	struct fixture f;
	struct ut_cqe c;
	char *big;
	uint16_t head;
	const char *parts[] = {"0123456789", "abcdefghijklmnopqrst", "XYZ"};
	size_t off = 0, total = 33;
	int i, ret;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, f.sv), 0);
	ck_assert_int_eq(uring_ring_init(&f.ring, 16, 0), 0);
	ret = uring_buf_ring_setup(&f.ring, 4, BGID, URING_PBUF_RING_INC, &f.br);
	if (ret == -EINVAL) {
		fprintf(stderr, "SKIP part: no URING_PBUF_RING_INC (6.12)\n");
		uring_ring_exit(&f.ring);
		return;
	}
	ck_assert_int_eq(ret, 0);
	f.entries = 4;
	f.mem = NULL;
	big = calloc(1, total);
	ck_assert_ptr_nonnull(big);
	uring_buf_ring_add(f.br, big, (unsigned)total, 7, uring_buf_ring_mask(4), 0);
	uring_buf_ring_advance(f.br, 1);

	for (i = 0; i < 3; i++) {
		size_t n = strlen(parts[i]);

		send_str(&f, parts[i]);
		c = recv_select(&f, 0, (uint64_t)i);
		ck_assert_int_eq(c.res, (int)n);
		ck_assert(c.flags & URING_CQE_F_BUFFER);
		ck_assert_int_eq((int)(c.flags >> URING_CQE_BUFFER_SHIFT), 7);
		/* each part lands right after the previous one */
		ck_assert_mem_eq(big + off, parts[i], n);
		off += n;
		ck_assert_int_eq(uring_buf_ring_head(&f.ring, BGID, &head), 0);
		if (off < total) {
			ck_assert(c.flags & URING_CQE_F_BUF_MORE);
			ck_assert_uint_eq(head, 0); /* still the same entry */
		} else {
			ck_assert(!(c.flags & URING_CQE_F_BUF_MORE));
			ck_assert_uint_eq(head, 1); /* finished: head moved on */
		}
	}
	/* nothing left in the group */
	send_str(&f, "more");
	c = recv_select(&f, 0, 9);
	ck_assert_int_eq(c.res, -ENOBUFS);
	teardown_fixture(&f);
	free(big);
}
END_TEST

/* URING_PBUF_RING_MMAP: the kernel allocates the ring, we map it. */
START_TEST(kernel_allocated_ring)
{
	struct fixture f;
	struct ut_cqe c;

	ut_require_kernel(6, 4, "a kernel-allocated buffer ring");
	setup_fixture(&f, 8, URING_PBUF_RING_MMAP);
	provide(&f, 0, 2);
	send_str(&f, "mapped");
	c = recv_select(&f, 0, 1);
	ck_assert_int_eq(c.res, 6);
	ck_assert_int_eq((int)(c.flags >> URING_CQE_BUFFER_SHIFT), 0);
	ck_assert_mem_eq(buf_of(&f, 0), "mapped", 6);
	teardown_fixture(&f);
}
END_TEST

START_TEST(head_and_available)
{
	struct fixture f;
	uint16_t head = 99;

	ut_require_kernel(6, 8, "IORING_REGISTER_PBUF_STATUS");
	setup_fixture(&f, NBUF, 0);
	ck_assert_int_eq(uring_buf_ring_head(&f.ring, BGID, &head), 0);
	ck_assert_uint_eq(head, 0);
	ck_assert_int_eq(uring_buf_ring_available(&f.ring, f.br, BGID), 0);
	provide(&f, 0, 4);
	ck_assert_int_eq(uring_buf_ring_available(&f.ring, f.br, BGID), 4);
	send_str(&f, "x");
	ck_assert_int_eq(recv_select(&f, 0, 1).res, 1);
	ck_assert_int_eq(uring_buf_ring_head(&f.ring, BGID, &head), 0);
	ck_assert_uint_eq(head, 1);
	ck_assert_int_eq(uring_buf_ring_available(&f.ring, f.br, BGID), 3);
	/* an unknown group */
	ck_assert_int_eq(uring_buf_ring_head(&f.ring, BGID + 1, &head), -ENOENT);
	ck_assert_int_eq(uring_buf_ring_available(&f.ring, f.br, BGID + 1), -ENOENT);
	teardown_fixture(&f);
}
END_TEST

/* Tail wrap-around: more buffers go through a small ring than it holds. */
START_TEST(tail_wraps)
{
	struct fixture f;
	int i;

	setup_fixture(&f, 2, 0);
	for (i = 0; i < 10; i++) {
		struct ut_cqe c;

		provide(&f, i % 2, 1);
		send_str(&f, "w");
		c = recv_select(&f, 0, (uint64_t)i);
		ck_assert_int_eq(c.res, 1);
		ck_assert_int_eq((int)(c.flags >> URING_CQE_BUFFER_SHIFT), i % 2);
	}
	teardown_fixture(&f);
}
END_TEST

/* The raw calls, with memory the caller allocated. */
START_TEST(raw_register_unregister)
{
	struct uring_ring ring;
	struct uring_buf_reg reg;
	void *mem = NULL;
	int ret;

	ck_assert_int_eq(posix_memalign(&mem, 4096, 4096), 0);
	memset(mem, 0, 4096);
	ck_assert_int_eq(uring_ring_init(&ring, 4, 0), 0);
	memset(&reg, 0, sizeof(reg));
	reg.ring_addr = (uint64_t)(uintptr_t)mem;
	reg.ring_entries = 16;
	reg.bgid = 9;
	ck_assert_int_eq(uring_register_buf_ring(&ring, &reg, 0), 0);
	ck_assert_int_eq(uring_register_buf_ring(&ring, &reg, 0), -EEXIST);
	ck_assert_int_eq(uring_unregister_buf_ring(&ring, 9), 0);
	/* gone: -ENOENT; before 6.12 the group's slot may stay, unmapped,
	 * and the kernel says -EINVAL (seen on 6.1) */
	ret = uring_unregister_buf_ring(&ring, 9);
	if (ret == -EINVAL && !ut_kernel_at_least(6, 12))
		ret = -ENOENT;
	ck_assert_int_eq(ret, -ENOENT);
	/* the kernel checks the size too */
	reg.ring_entries = 3;
	ck_assert_int_eq(uring_register_buf_ring(&ring, &reg, 0), -EINVAL);
	/* unknown flags */
	reg.ring_entries = 16;
	ck_assert_int_eq(uring_register_buf_ring(&ring, &reg, 0x80), -EINVAL);
	uring_ring_exit(&ring);
	free(mem);
}
END_TEST

START_TEST(invalid_arguments)
{
	struct uring_ring ring;
	struct uring_buf_ring *br = NULL;
	struct uring_buf_reg reg;
	uint16_t head;
	int errno_before, ret;

	memset(&reg, 0, sizeof(reg));
	ck_assert_int_eq(uring_buf_ring_setup(NULL, 8, 1, 0, &br), -EINVAL);
	ck_assert_int_eq(uring_register_buf_ring(NULL, &reg, 0), -EINVAL);
	ck_assert_int_eq(uring_unregister_buf_ring(NULL, 1), -EINVAL);
	ck_assert_int_eq(uring_buf_ring_head(NULL, 1, &head), -EINVAL);
	ck_assert_int_eq(uring_buf_ring_free(NULL, br, 8, 1), -EINVAL);

	ck_assert_int_eq(uring_ring_init(&ring, 4, 0), 0);
	errno = errno_before = 4321;
	ck_assert_int_eq(uring_buf_ring_setup(&ring, 0, 1, 0, &br), -EINVAL);
	ck_assert_int_eq(uring_buf_ring_setup(&ring, 3, 1, 0, &br), -EINVAL);
	ck_assert_int_eq(uring_buf_ring_setup(&ring, 100, 1, 0, &br), -EINVAL);
	ck_assert_int_eq(uring_buf_ring_setup(&ring, 65536, 1, 0, &br), -EINVAL);
	ck_assert_int_eq(uring_buf_ring_setup(&ring, 8, -1, 0, &br), -EINVAL);
	ck_assert_int_eq(uring_buf_ring_setup(&ring, 8, 65536, 0, &br), -EINVAL);
	ck_assert_int_eq(uring_buf_ring_setup(&ring, 8, 1, 0x40, &br), -EINVAL);
	ck_assert_int_eq(uring_buf_ring_setup(&ring, 8, 1, 0, NULL), -EINVAL);
	ck_assert_ptr_null(br);
	ck_assert_int_eq(uring_unregister_buf_ring(&ring, 1), -ENOENT);
	/* no such group: -ENOENT; without PBUF_STATUS (6.8), -EINVAL */
	ck_assert_int_eq(uring_buf_ring_head(&ring, 1, &head),
			 ut_kernel_at_least(6, 8) ? -ENOENT : -EINVAL);

	/* the largest ring works; the same group twice does not */
	ck_assert_int_eq(uring_buf_ring_setup(&ring, URING_BUF_RING_MAX_ENTRIES, 1,
					      0, &br), 0);
	{
		struct uring_buf_ring *br2 = NULL;

		ck_assert_int_eq(uring_buf_ring_setup(&ring, 8, 1, 0, &br2), -EEXIST);
		ck_assert_ptr_null(br2);
	}
	/* a wrong bgid keeps the memory mapped; the right one frees it */
	ret = uring_buf_ring_free(&ring, br, URING_BUF_RING_MAX_ENTRIES, 2);
	if (ret == -EINVAL && !ut_kernel_at_least(6, 12))
		ret = -ENOENT; /* 6.1 says -EINVAL for a group it has no ring for */
	ck_assert_int_eq(ret, -ENOENT);
	ck_assert_int_eq(uring_buf_ring_free(&ring, br, URING_BUF_RING_MAX_ENTRIES, 1),
			 0);
	ck_assert_int_eq(errno, errno_before);
	uring_ring_exit(&ring);

	/* a kernel-allocated ring must be mapped from the ring fd: a
	 * REGISTERED_FD_ONLY ring has none (NO_MMAP and REGISTERED_FD_ONLY
	 * came in 6.5) */
	if (!ut_kernel_at_least(6, 5)) {
		fprintf(stderr, "SKIP part: no REGISTERED_FD_ONLY (6.5)\n");
	} else {
		struct uring_ring_options o = {
			.sq_entries = 4,
			.flags = URING_SETUP_NO_MMAP |
				 URING_SETUP_REGISTERED_FD_ONLY};

		ck_assert_int_eq(uring_ring_init_options(&ring, &o), 0);
		ck_assert_int_eq(uring_buf_ring_setup(&ring, 8, 1,
						      URING_PBUF_RING_MMAP, &br),
				 -EINVAL);
		ck_assert_int_eq(uring_buf_ring_setup(&ring, 8, 1, 0, &br), 0);
		ck_assert_int_eq(uring_buf_ring_free(&ring, br, 8, 1), 0);
		uring_ring_exit(&ring);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("buf_ring");
	TCase *tc = ut_tcase("buf_ring", 20);

	UT_ADD(tc, recv_picks_buffers_in_order);
	UT_ADD(tc, recycle_single_buffer);
	UT_ADD(tc, enobufs_then_refill);
	UT_ADD(tc, multishot_enobufs_rearm);
	UT_ADD(tc, incremental_consumption);
	UT_ADD(tc, kernel_allocated_ring);
	UT_ADD(tc, head_and_available);
	UT_ADD(tc, tail_wraps);
	UT_ADD(tc, raw_register_unregister);
	UT_ADD(tc, invalid_arguments);
	suite_add_tcase(s, tc);
	return ut_run(s);
}
