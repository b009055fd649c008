/* SPDX-License-Identifier: MIT */
/*
 * register-test: io_uring_register(2) calls - fixed buffers and files (with
 * tags, sparse tables, updates, alloc range), eventfd, personality,
 * restrictions, io-wq limits, sync cancel, buffer cloning, NAPI, clock, and
 * the ring-less sync msg and opcode query.
 */
#define _GNU_SOURCE /* CPU_SET */
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "test-util.h"

#define BUF_SZ 4096

/* A temp file, already unlinked. */
static int temp_file(void)
{
	char path[] = "/tmp/uringloop-register-XXXXXX";
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	unlink(path);
	return fd;
}

static void *page_buf(void)
{
	void *p = NULL;

	ck_assert_int_eq(posix_memalign(&p, 4096, BUF_SZ), 0);
	return p;
}

static void fill(char *p, size_t n, unsigned seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (char)(seed + i * 7);
}

/* Submit one prepared SQE and reap its CQE. */
static struct ut_cqe run_one(struct uring_ring *ring, struct uring_sqe *sqe,
			     uint64_t tag)
{
	struct ut_cqe c;

	sqe->user_data = tag;
	c = ut_reap_one(ring);
	ck_assert_uint_eq(c.user_data, tag);
	return c;
}

/* How long a CQE that must come may take (only a hang reaches it);
 * scaled for an emulated CPU. */
#define TAG_WAIT_MS UT_SLOW(5000)

/* Reap one CQE that is already there or arrives within `ms`; false if none. */
static bool reap_within(struct uring_ring *ring, unsigned ms, struct ut_cqe *out)
{
	struct uring_timespec ts = {.tv_sec = ms / 1000,
				    .tv_nsec = (long long)(ms % 1000) * 1000000};
	struct uring_cqe *cqe = NULL;
	int ret = uring_ring_wait_cqe_timeout(ring, &cqe, &ts);

	if (ret == -ETIME)
		return false;
	ck_assert_msg(ret == 0, "wait: %d", ret);
	out->user_data = cqe->user_data;
	out->res = cqe->res;
	out->flags = cqe->flags;
	uring_cqe_seen(ring, cqe);
	return true;
}


static struct uring_sqe *sqe_of(struct uring_ring *ring)
{
	struct uring_sqe *sqe = uring_ring_get_sqe(ring);

	ck_assert_ptr_nonnull(sqe);
	return sqe;
}

/* ------------------------------------------------------------ buffers */

START_TEST(fixed_buffers_read_write)
{
	struct uring_ring ring;
	struct uring_sqe *sqe;
	struct iovec iov[2];
	struct ut_cqe c;
	int fd = temp_file();

	iov[0].iov_base = page_buf();
	iov[1].iov_base = page_buf();
	iov[0].iov_len = iov[1].iov_len = BUF_SZ;
	fill(iov[0].iov_base, BUF_SZ, 3);
	memset(iov[1].iov_base, 0, BUF_SZ);
	ck_assert_int_eq(uring_ring_init(&ring, 8, 0), 0);
	ck_assert_int_eq(uring_register_buffers(&ring, iov, 2), 0);
	/* a second table is refused while one is registered */
	ck_assert_int_eq(uring_register_buffers(&ring, iov, 2), -EBUSY);

	sqe = sqe_of(&ring);
	uring_prep_write_fixed(sqe, fd, iov[0].iov_base, BUF_SZ, 0, 0);
	c = run_one(&ring, sqe, 1);
	ck_assert_int_eq(c.res, BUF_SZ);
	/* part of the buffer, at an offset inside it, from file offset 100 */
	uring_prep_read_fixed(sqe_of(&ring), fd, (char *)iov[1].iov_base + 10,
			      200, 100, 1);
	c = ut_reap_one(&ring);
	ck_assert_int_eq(c.res, 200);
	ck_assert_mem_eq((char *)iov[1].iov_base + 10,
			 (char *)iov[0].iov_base + 100, 200);
	/* the address must lie inside the named buffer */
	uring_prep_read_fixed(sqe_of(&ring), fd, iov[0].iov_base, 200, 0, 1);
	c = ut_reap_one(&ring);
	ck_assert_int_eq(c.res, -EFAULT);

	ck_assert_int_eq(uring_unregister_buffers(&ring), 0);
	ck_assert_int_eq(uring_unregister_buffers(&ring), -ENXIO);
	uring_prep_read_fixed(sqe_of(&ring), fd, iov[1].iov_base, 10, 0, 1);
	c = ut_reap_one(&ring);
	ck_assert_int_eq(c.res, -EFAULT);
	uring_ring_exit(&ring);
	free(iov[0].iov_base);
	free(iov[1].iov_base);
	close(fd);
}
END_TEST

/* Sparse table, filled by update; tags come back as CQEs once a buffer is
 * replaced or unregistered. */
START_TEST(buffers_sparse_update_tags)
{
	struct uring_ring ring;
	struct iovec iov = {.iov_base = page_buf(), .iov_len = BUF_SZ};
	struct iovec iov2 = {.iov_base = page_buf(), .iov_len = BUF_SZ};
	uint64_t tag = 0x7a6;
	uint64_t tags2[2] = {0x111, 0x222};
	struct iovec both[2];
	struct ut_cqe c;
	int fd = temp_file();

	/* before 6.13 (6.1, 6.12) the tag of a replaced resource did not
	 * come within 40 s, even after another submission */
	ut_require_kernel(6, 13, "a tag CQE when a registered resource is replaced");
	fill(iov.iov_base, BUF_SZ, 9);
	ck_assert_int_eq(pwrite(fd, iov.iov_base, BUF_SZ, 0), BUF_SZ);
	memset(iov.iov_base, 0, BUF_SZ);
	ck_assert_int_eq(uring_ring_init(&ring, 8, 0), 0);
	ck_assert_int_eq(uring_register_buffers_sparse(&ring, 4), 0);
	/* an empty slot cannot be used */
	uring_prep_read_fixed(sqe_of(&ring), fd, iov.iov_base, 10, 0, 2);
	c = ut_reap_one(&ring);
	ck_assert_int_eq(c.res, -EFAULT);

	ck_assert_int_eq(uring_register_buffers_update_tag(&ring, 2, &iov, &tag, 1), 1);
	uring_prep_read_fixed(sqe_of(&ring), fd, iov.iov_base, BUF_SZ, 0, 2);
	c = ut_reap_one(&ring);
	ck_assert_int_eq(c.res, BUF_SZ);
	/* replacing slot 2 releases the old buffer: its tag arrives */
	both[0] = iov2;
	both[1] = iov;
	ck_assert_int_eq(uring_register_buffers_update_tag(&ring, 2, both, tags2, 2), 2);
	ck_assert(reap_within(&ring, TAG_WAIT_MS, &c));
	ck_assert_uint_eq(c.user_data, tag);
	ck_assert_int_eq(c.res, 0);
	/* past the end of the table */
	ck_assert_int_eq(uring_register_buffers_update_tag(&ring, 3, both, NULL, 2),
			 -EINVAL);
	ck_assert_int_eq(uring_unregister_buffers(&ring), 0);
	/* both tags of the second update, in some order */
	{
		uint64_t seen = 0;
		int i;

		for (i = 0; i < 2; i++) {
			ck_assert(reap_within(&ring, TAG_WAIT_MS, &c));
			seen |= c.user_data;
		}
		ck_assert_uint_eq(seen, 0x111 | 0x222);
	}

	/* a table registered with tags, and a tag 0 which means "no CQE" */
	tags2[0] = 0;
	ck_assert_int_eq(uring_register_buffers_tags(&ring, both, tags2, 2), 0);
	ck_assert_int_eq(uring_unregister_buffers(&ring), 0);
	ck_assert(reap_within(&ring, TAG_WAIT_MS, &c));
	ck_assert_uint_eq(c.user_data, 0x222);
	ck_assert(!reap_within(&ring, 50, &c));
	uring_ring_exit(&ring);
	free(iov.iov_base);
	free(iov2.iov_base);
	close(fd);
}
END_TEST

/* src's buffers become usable from dst. */
START_TEST(clone_buffers_between_rings)
{
	struct uring_ring src, dst;
	struct iovec iov[2];
	struct ut_cqe c;
	int fd = temp_file(), ret;
	char data[64];

	fill(data, sizeof(data), 5);
	ck_assert_int_eq(pwrite(fd, data, sizeof(data), 0), (ssize_t)sizeof(data));
	iov[0].iov_base = page_buf();
	iov[1].iov_base = page_buf();
	iov[0].iov_len = iov[1].iov_len = BUF_SZ;
	memset(iov[0].iov_base, 0, BUF_SZ);
	memset(iov[1].iov_base, 0, BUF_SZ);
	ck_assert_int_eq(uring_ring_init(&src, 4, 0), 0);
	ck_assert_int_eq(uring_ring_init(&dst, 4, 0), 0);
	ck_assert_int_eq(uring_register_buffers(&src, iov, 2), 0);
	ret = uring_register_clone_buffers(&dst, &src);
	if (ret == -EINVAL && uring_probe_op_count() < URING_OP_LAST_6_18) {
		fprintf(stderr, "SKIP part: no CLONE_BUFFERS (%d)\n", ret);
		goto out;
	}
	ck_assert_int_eq(ret, 0);
	uring_prep_read_fixed(sqe_of(&dst), fd, iov[1].iov_base, sizeof(data), 0, 1);
	c = ut_reap_one(&dst);
	ck_assert_int_eq(c.res, (int)sizeof(data));
	ck_assert_mem_eq(iov[1].iov_base, data, sizeof(data));
	/* dst already has a table: cloning again needs DST_REPLACE */
	ck_assert_int_eq(uring_register_clone_buffers(&dst, &src), -EBUSY);
	if (!ut_kernel_at_least(6, 13)) { /* 6.12 refuses it -EBUSY */
		fprintf(stderr, "SKIP part: clone offsets and DST_REPLACE "
				"need Linux 6.13\n");
		goto out;
	}
	ck_assert_int_eq(uring_register_clone_buffers_offset(&dst, &src, 0, 1, 1,
							     URING_REGISTER_DST_REPLACE),
			 0);
	/* dst slot 0 is now src's buffer 1 */
	memset(iov[1].iov_base, 0, BUF_SZ);
	uring_prep_read_fixed(sqe_of(&dst), fd, iov[1].iov_base, 8, 0, 0);
	c = ut_reap_one(&dst);
	ck_assert_int_eq(c.res, 8);
	ck_assert_mem_eq(iov[1].iov_base, data, 8);
	/* out of range in the source */
	ck_assert_int_eq(uring_register_clone_buffers_offset(&dst, &src, 0, 1, 2,
							     URING_REGISTER_DST_REPLACE),
			 -EOVERFLOW);
	ck_assert_int_eq(uring_register_clone_buffers(NULL, &src), -EINVAL);
	ck_assert_int_eq(uring_register_clone_buffers(&dst, NULL), -EINVAL);
out:
	uring_ring_exit(&dst);
	uring_ring_exit(&src);
	free(iov[0].iov_base);
	free(iov[1].iov_base);
	close(fd);
}
END_TEST

/* The other ways to name a ring: a plain fd (no registered index), and a
 * REGISTERED_FD_ONLY ring that has nothing but its index. */
START_TEST(clone_from_plain_and_index_only_rings)
{
	struct uring_ring_options plain = {.sq_entries = 4,
					   .ring_flags = URING_RING_NO_REGISTER_FD};
	struct uring_ring_options idx = {.sq_entries = 4,
					 .flags = URING_SETUP_NO_MMAP |
						  URING_SETUP_REGISTERED_FD_ONLY};
	struct uring_ring a, b, dst;
	struct iovec iov = {.iov_base = page_buf(), .iov_len = BUF_SZ};
	int fd = temp_file();
	struct ut_cqe c;

	/* offsets and DST_REPLACE: 6.13 (6.12 clones whole tables only) */
	ut_require_kernel(6, 13, "IORING_REGISTER_CLONE_BUFFERS with offsets");
	ck_assert_int_eq(pwrite(fd, "plain", 5, 0), 5);
	ck_assert_int_eq(uring_ring_init_options(&a, &plain), 0);
	ck_assert_int_eq(uring_ring_init_options(&b, &idx), 0);
	ck_assert_int_eq(uring_ring_init(&dst, 4, 0), 0);
	/* register calls through the plain fd and through the index alone */
	ck_assert_int_eq(uring_register_buffers(&a, &iov, 1), 0);
	ck_assert_int_eq(uring_register_buffers(&b, &iov, 1), 0);
	ck_assert_int_eq(uring_register_clone_buffers(&dst, &a), 0);
	ck_assert_int_eq(uring_register_clone_buffers_offset(&dst, &b, 0, 0, 1,
							     URING_REGISTER_DST_REPLACE),
			 0);
	uring_prep_read_fixed(sqe_of(&dst), fd, iov.iov_base, 5, 0, 0);
	c = ut_reap_one(&dst);
	ck_assert_int_eq(c.res, 5);
	ut_kernel_wrote(iov.iov_base, (size_t)c.res);
	ck_assert_mem_eq(iov.iov_base, "plain", 5);
	uring_ring_exit(&dst);
	uring_ring_exit(&b);
	uring_ring_exit(&a);
	free(iov.iov_base);
	close(fd);
}
END_TEST

/* -------------------------------------------------------------- files */

START_TEST(fixed_files_read_write)
{
	struct uring_ring ring;
	struct iovec iov = {.iov_base = page_buf(), .iov_len = BUF_SZ};
	int fds[2] = {-1, temp_file()};
	char out[128], in[128];
	struct uring_sqe *sqe;
	struct ut_cqe c;

	fill(out, sizeof(out), 11);
	ck_assert_int_eq(uring_ring_init(&ring, 8, 0), 0);
	ck_assert_int_eq(uring_register_files(&ring, fds, 2), 0);
	ck_assert_int_eq(uring_register_buffers(&ring, &iov, 1), 0);
	/* slot 1 is the file; our fd can be closed, the slot keeps it open */
	sqe = sqe_of(&ring);
	uring_prep_write(sqe, 1, out, sizeof(out), 0);
	uring_sqe_set_flags(sqe, URING_SQE_FIXED_FILE);
	c = ut_reap_one(&ring);
	ck_assert_int_eq(c.res, (int)sizeof(out));
	ck_assert_int_eq(pread(fds[1], in, sizeof(in), 0), (ssize_t)sizeof(in));
	ck_assert_mem_eq(in, out, sizeof(out));
	close(fds[1]);
	/* fixed file and fixed buffer together */
	sqe = sqe_of(&ring);
	uring_prep_read_fixed(sqe, 1, iov.iov_base, sizeof(out), 0, 0);
	uring_sqe_set_flags(sqe, URING_SQE_FIXED_FILE);
	c = ut_reap_one(&ring);
	ck_assert_int_eq(c.res, (int)sizeof(out));
	ut_kernel_wrote(iov.iov_base, (size_t)c.res);
	ck_assert_mem_eq(iov.iov_base, out, sizeof(out));
	/* slot 0 is empty */
	sqe = sqe_of(&ring);
	uring_prep_read(sqe, 0, in, sizeof(in), 0);
	uring_sqe_set_flags(sqe, URING_SQE_FIXED_FILE);
	c = ut_reap_one(&ring);
	ck_assert_int_eq(c.res, -EBADF);
	ck_assert_int_eq(uring_register_files(&ring, fds, 2), -EBUSY);
	ck_assert_int_eq(uring_unregister_files(&ring), 0);
	ck_assert_int_eq(uring_unregister_files(&ring), -ENXIO);
	uring_ring_exit(&ring);
	free(iov.iov_base);
}
END_TEST

/* Sparse table, update, alloc range, an open straight into a slot. */
START_TEST(files_sparse_update_alloc_range)
{
	struct uring_ring ring;
	int p[2], fds[2], skip = URING_REGISTER_FILES_SKIP;
	struct uring_sqe *sqe;
	struct ut_cqe c;
	char buf[8];
	int i;

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(uring_ring_init(&ring, 8, 0), 0);
	ck_assert_int_eq(uring_register_files_sparse(&ring, 8), 0);
	ck_assert_int_eq(uring_register_file_alloc_range(&ring, 4, 2), 0);
	/* allocation takes slots 4 and 5 only, then the range is full */
	for (i = 0; i < 3; i++) {
		sqe = sqe_of(&ring);
		uring_prep_openat_direct(sqe, AT_FDCWD, "/dev/null", O_RDONLY, 0,
					 URING_FILE_INDEX_ALLOC);
		c = ut_reap_one(&ring);
		ck_assert_int_eq(c.res, i < 2 ? 4 + i : -ENFILE);
	}
	/* a range past the table is refused */
	ck_assert_int_eq(uring_register_file_alloc_range(&ring, 6, 4), -EINVAL);

	/* put the pipe ends into slots 0 and 1, leave slot 2 alone */
	fds[0] = p[0];
	fds[1] = p[1];
	ck_assert_int_eq(uring_register_files_update(&ring, 0, fds, 2), 2);
	ck_assert_int_eq(uring_register_files_update(&ring, 2, &skip, 1), 1);
	sqe = sqe_of(&ring);
	uring_prep_write(sqe, 1, "abc", 3, 0);
	uring_sqe_set_flags(sqe, URING_SQE_FIXED_FILE);
	c = ut_reap_one(&ring);
	ck_assert_int_eq(c.res, 3);
	sqe = sqe_of(&ring);
	uring_prep_read(sqe, 0, buf, sizeof(buf), 0);
	uring_sqe_set_flags(sqe, URING_SQE_FIXED_FILE);
	c = ut_reap_one(&ring);
	ck_assert_int_eq(c.res, 3);
	ut_kernel_wrote(buf, (size_t)c.res);
	ck_assert_mem_eq(buf, "abc", 3);
	/* -1 empties a slot */
	fds[0] = -1;
	ck_assert_int_eq(uring_register_files_update(&ring, 1, fds, 1), 1);
	sqe = sqe_of(&ring);
	uring_prep_write(sqe, 1, "abc", 3, 0);
	uring_sqe_set_flags(sqe, URING_SQE_FIXED_FILE);
	c = ut_reap_one(&ring);
	ck_assert_int_eq(c.res, -EBADF);
	/* beyond the table */
	ck_assert_int_eq(uring_register_files_update(&ring, 8, fds, 1), -EINVAL);
	ck_assert_int_eq(uring_unregister_files(&ring), 0);
	uring_ring_exit(&ring);
	close(p[0]);
	close(p[1]);
}
END_TEST

START_TEST(files_tags_post_cqe_on_replace)
{
	struct uring_ring ring;
	int p[2], fd;
	uint64_t tags[2] = {0xa1, 0xa2}, tag3 = 0xa3;
	struct ut_cqe c;

	/* before 6.13 (6.1, 6.12) the tag of a replaced resource did not
	 * come within 40 s, even after another submission */
	ut_require_kernel(6, 13, "a tag CQE when a registered resource is replaced");
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(uring_ring_init(&ring, 8, 0), 0);
	ck_assert_int_eq(uring_register_files_tags(&ring, p, tags, 2), 0);
	fd = p[0];
	ck_assert_int_eq(uring_register_files_update_tag(&ring, 1, &fd, &tag3, 1), 1);
	ck_assert(reap_within(&ring, TAG_WAIT_MS, &c));
	ck_assert_uint_eq(c.user_data, 0xa2);
	ck_assert_int_eq(uring_unregister_files(&ring), 0);
	ck_assert(reap_within(&ring, TAG_WAIT_MS, &c));
	ck_assert(c.user_data == 0xa1 || c.user_data == 0xa3);
	ck_assert(reap_within(&ring, TAG_WAIT_MS, &c));
	ck_assert(c.user_data == 0xa1 || c.user_data == 0xa3);
	uring_ring_exit(&ring);
	close(p[0]);
	close(p[1]);
}
END_TEST

/* ---------------------------------------------------------------- eventfd */

static uint64_t eventfd_count(int efd)
{
	uint64_t v = 0;

	if (read(efd, &v, sizeof(v)) != (ssize_t)sizeof(v))
		return 0; /* EAGAIN: not signalled */
	return v;
}

START_TEST(eventfd_signalled_on_completion)
{
	struct uring_ring ring;
	int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	struct uring_sqe *sqe;

	ck_assert_int_ge(efd, 0);
	ck_assert_int_eq(uring_ring_init(&ring, 8, 0), 0);
	ck_assert_int_eq(uring_register_eventfd(&ring, efd), 0);
	ck_assert_int_eq(uring_register_eventfd(&ring, efd), -EBUSY);
	uring_prep_nop(sqe_of(&ring));
	(void)ut_reap_one(&ring);
	ck_assert_uint_ge(eventfd_count(efd), 1);
	ck_assert_int_eq(uring_unregister_eventfd(&ring), 0);
	ck_assert_int_eq(uring_unregister_eventfd(&ring), -ENXIO);
	uring_prep_nop(sqe_of(&ring));
	(void)ut_reap_one(&ring);
	ck_assert_uint_eq(eventfd_count(efd), 0);

	/* async: inline completions do not signal, io-wq ones do */
	ck_assert_int_eq(uring_register_eventfd_async(&ring, efd), 0);
	uring_prep_nop(sqe_of(&ring));
	(void)ut_reap_one(&ring);
	ck_assert_uint_eq(eventfd_count(efd), 0);
	sqe = sqe_of(&ring);
	uring_prep_nop(sqe);
	uring_sqe_set_flags(sqe, URING_SQE_ASYNC);
	(void)ut_reap_one(&ring);
	ck_assert_uint_ge(eventfd_count(efd), 1);
	ck_assert_int_eq(uring_unregister_eventfd(&ring), 0);
	ck_assert_int_eq(uring_register_eventfd(&ring, -1), -EBADF);
	uring_ring_exit(&ring);
	close(efd);
}
END_TEST

/* ------------------------------------------------------------ personality */

START_TEST(personality_id_usable)
{
	struct uring_ring ring;
	struct uring_sqe *sqe;
	struct ut_cqe c;
	int id, id2;

	ck_assert_int_eq(uring_ring_init(&ring, 8, 0), 0);
	id = uring_register_personality(&ring);
	ck_assert_int_gt(id, 0);
	id2 = uring_register_personality(&ring);
	ck_assert_int_gt(id2, 0);
	ck_assert_int_ne(id, id2);
	/* an open under the registered credentials works */
	sqe = sqe_of(&ring);
	uring_prep_openat(sqe, AT_FDCWD, "/dev/null", O_RDONLY | O_CLOEXEC, 0);
	sqe->personality = (uint16_t)id;
	c = ut_reap_one(&ring);
	ck_assert_int_ge(c.res, 0);
	close(c.res);
	ck_assert_int_eq(uring_unregister_personality(&ring, id), 0);
	ck_assert_int_eq(uring_unregister_personality(&ring, id), -EINVAL);
	/* a dropped id is refused per request */
	sqe = sqe_of(&ring);
	uring_prep_nop(sqe);
	sqe->personality = (uint16_t)id;
	c = ut_reap_one(&ring);
	ck_assert_int_eq(c.res, -EINVAL);
	ck_assert_int_eq(uring_unregister_personality(&ring, id2), 0);
	ck_assert_int_eq(uring_unregister_personality(&ring, -1), -EINVAL);
	uring_ring_exit(&ring);
}
END_TEST

/* ------------------------------------------------------------ restrictions */

START_TEST(restrictions_only_nop)
{
	struct uring_ring_options o = {.sq_entries = 4,
				       .flags = URING_SETUP_R_DISABLED};
	struct uring_restriction res[2];
	struct uring_ring ring;
	struct uring_sqe *sqe;
	struct ut_cqe c;
	char buf[8];
	int p[2], ret;

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(uring_ring_init_options(&ring, &o), 0);
	memset(res, 0, sizeof(res));
	res[0].opcode = URING_RESTRICTION_SQE_OP;
	res[0].sqe_op = URING_OP_NOP;
	/* let uring_ring_exit() drop the registered ring fd */
	res[1].opcode = URING_RESTRICTION_REGISTER_OP;
	res[1].register_op = URING_UNREGISTER_RING_FDS;
	ck_assert_int_eq(uring_register_restrictions(&ring, res, 2), 0);
	/* only once per ring */
	ck_assert_int_eq(uring_register_restrictions(&ring, res, 2), -EBUSY);
	/* a disabled ring takes no submissions */
	uring_prep_nop(sqe_of(&ring));
	ret = uring_ring_submit(&ring);
	ck_assert_int_eq(ret, -EBADFD);
	ck_assert_int_eq(uring_ring_enable(&ring), 0);
	ck_assert_int_eq(uring_ring_submit(&ring), 1);
	c = ut_reap_one(&ring);
	ck_assert_int_eq(c.res, 0);

	sqe = sqe_of(&ring);
	uring_prep_read(sqe, p[0], buf, sizeof(buf), 0);
	c = run_one(&ring, sqe, 2);
	ck_assert_int_eq(c.res, -EACCES);
	uring_prep_nop(sqe_of(&ring));
	c = ut_reap_one(&ring);
	ck_assert_int_eq(c.res, 0);
	/* register opcodes not allowed are refused too */
	ck_assert_int_eq(uring_register_personality(&ring), -EACCES);
	ck_assert_int_eq(uring_register_restrictions(&ring, res, 1), -EACCES);
	uring_ring_exit(&ring);
	close(p[0]);
	close(p[1]);
}
END_TEST

START_TEST(restrictions_need_disabled_ring)
{
	struct uring_restriction res;
	struct uring_ring ring;

	memset(&res, 0, sizeof(res));
	res.opcode = URING_RESTRICTION_SQE_OP;
	res.sqe_op = URING_OP_NOP;
	ck_assert_int_eq(uring_ring_init(&ring, 4, 0), 0);
	ck_assert_int_eq(uring_register_restrictions(&ring, &res, 1), -EBADFD);
	ck_assert_int_eq(uring_register_restrictions(NULL, &res, 1), -EINVAL);
	uring_ring_exit(&ring);
}
END_TEST

/* ------------------------------------------------------------------ io-wq */

START_TEST(iowq_max_workers_roundtrip)
{
	struct uring_ring ring;
	unsigned vals[2] = {0, 0}, orig[2], now[2];

	ck_assert_int_eq(uring_ring_init(&ring, 4, 0), 0);
	ck_assert_int_eq(uring_register_iowq_max_workers(&ring, vals), 0);
	orig[0] = vals[0];
	orig[1] = vals[1];
	ck_assert_uint_gt(orig[0], 0);
	ck_assert_uint_gt(orig[1], 0);
	vals[URING_WQ_BOUND] = 2;
	vals[URING_WQ_UNBOUND] = 3;
	ck_assert_int_eq(uring_register_iowq_max_workers(&ring, vals), 0);
	/* the previous limits come back */
	ck_assert_uint_eq(vals[0], orig[0]);
	ck_assert_uint_eq(vals[1], orig[1]);
	now[0] = now[1] = 0;
	ck_assert_int_eq(uring_register_iowq_max_workers(&ring, now), 0);
	ck_assert_uint_eq(now[0], 2);
	ck_assert_uint_eq(now[1], 3);
	ck_assert_int_eq(uring_register_iowq_max_workers(NULL, now), -EINVAL);
	uring_ring_exit(&ring);
}
END_TEST

START_TEST(iowq_affinity)
{
	struct uring_ring ring;
	struct uring_sqe *sqe;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	ck_assert_int_eq(uring_ring_init(&ring, 4, 0), 0);
	ck_assert_int_eq(uring_register_iowq_aff(&ring, sizeof(set), &set), 0);
	/* io-wq work still runs */
	sqe = sqe_of(&ring);
	uring_prep_nop(sqe);
	uring_sqe_set_flags(sqe, URING_SQE_ASYNC);
	ck_assert_int_eq(ut_reap_one(&ring).res, 0);
	ck_assert_int_eq(uring_unregister_iowq_aff(&ring), 0);
	ck_assert_int_eq(uring_register_iowq_aff(&ring, 0, &set), -EINVAL);
	ck_assert_int_eq(uring_register_iowq_aff(&ring, sizeof(set), NULL), -EINVAL);
	uring_ring_exit(&ring);
}
END_TEST

/* ------------------------------------------------------------ sync cancel */

START_TEST(sync_cancel_pending_read)
{
	struct uring_sync_cancel_reg reg;
	struct uring_ring ring;
	struct uring_sqe *sqe;
	struct ut_cqe c;
	char buf[16];
	int p[2];

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(uring_ring_init(&ring, 4, 0), 0);
	sqe = sqe_of(&ring);
	uring_prep_read(sqe, p[0], buf, sizeof(buf), 0);
	sqe->user_data = 0xcafe;
	ck_assert_int_eq(uring_ring_submit(&ring), 1);
	ck_assert(!reap_within(&ring, 20, &c)); /* really pending */

	memset(&reg, 0, sizeof(reg));
	reg.addr = 0xcafe;
	reg.timeout.tv_sec = -1; /* wait as long as it takes */
	reg.timeout.tv_nsec = -1;
	ck_assert_int_eq(uring_register_sync_cancel(&ring, &reg), 0);
	/* the read's CQE is posted by the time the call returns */
	ck_assert(reap_within(&ring, 0, &c));
	ck_assert_uint_eq(c.user_data, 0xcafe);
	ck_assert_int_eq(c.res, -ECANCELED);
	ck_assert_int_eq(uring_register_sync_cancel(&ring, &reg), -ENOENT);

	/* by fd, with a bounded wait */
	uring_prep_read(sqe_of(&ring), p[0], buf, sizeof(buf), 0);
	ck_assert_int_eq(uring_ring_submit(&ring), 1);
	memset(&reg, 0, sizeof(reg));
	reg.fd = p[0];
	reg.flags = URING_ASYNC_CANCEL_FD;
	reg.timeout.tv_sec = 1;
	ck_assert_int_eq(uring_register_sync_cancel(&ring, &reg), 0);
	ck_assert(reap_within(&ring, 0, &c));
	ck_assert_int_eq(c.res, -ECANCELED);
	/* every read on the fd: the count comes back */
	uring_prep_read(sqe_of(&ring), p[0], buf, sizeof(buf), 0);
	uring_prep_read(sqe_of(&ring), p[0], buf + 8, sizeof(buf) - 8, 0);
	ck_assert_int_eq(uring_ring_submit(&ring), 2);
	reg.flags = URING_ASYNC_CANCEL_FD | URING_ASYNC_CANCEL_ALL;
	ck_assert_int_eq(uring_register_sync_cancel(&ring, &reg), 2);
	ck_assert(reap_within(&ring, 0, &c));
	ck_assert_int_eq(c.res, -ECANCELED);
	ck_assert(reap_within(&ring, 0, &c));
	ck_assert_int_eq(c.res, -ECANCELED);
	ck_assert_int_eq(uring_register_sync_cancel(NULL, &reg), -EINVAL);
	uring_ring_exit(&ring);
	close(p[0]);
	close(p[1]);
}
END_TEST

/* ------------------------------------------------------------ napi, clock */

START_TEST(napi_register)
{
	struct uring_napi napi, old;
	struct uring_ring ring;
	int ret;

	ck_assert_int_eq(uring_ring_init(&ring, 4, 0), 0);
	memset(&napi, 0, sizeof(napi));
	napi.busy_poll_to = 50;
	napi.prefer_busy_poll = 1;
	ret = uring_register_napi(&ring, &napi);
	if (ret == -EINVAL || ret == -EOPNOTSUPP) {
		/* kernel built without CONFIG_NET_RX_BUSY_POLL */
		fprintf(stderr, "napi_register: kernel says %d, not tested\n", ret);
		uring_ring_exit(&ring);
		return;
	}
	ck_assert_int_eq(ret, 0);
	/* the previous settings are written back: none */
	ck_assert_uint_eq(napi.busy_poll_to, 0);
	ck_assert_uint_eq(napi.prefer_busy_poll, 0);
	memset(&old, 0, sizeof(old));
	ck_assert_int_eq(uring_unregister_napi(&ring, &old), 0);
	ck_assert_uint_eq(old.busy_poll_to, 50);
	ck_assert_uint_eq(old.prefer_busy_poll, 1);
	/* 6.13 opcodes: static tracking, then an id no device can have
	 * (NAPI ids start above the CPU count, loopback has none) */
	if (!ut_kernel_at_least(6, 13)) {
		fprintf(stderr, "SKIP part: NAPI opcodes need Linux 6.13\n");
		uring_ring_exit(&ring);
		return;
	}
	memset(&napi, 0, sizeof(napi));
	napi.opcode = URING_NAPI_REGISTER_OP;
	napi.op_param = URING_NAPI_TRACKING_STATIC;
	ck_assert_int_eq(uring_register_napi(&ring, &napi), 0);
	memset(&napi, 0, sizeof(napi));
	napi.opcode = URING_NAPI_STATIC_ADD_ID;
	napi.op_param = 1;
	ck_assert_int_eq(uring_register_napi(&ring, &napi), -EINVAL);
	ck_assert_int_eq(uring_unregister_napi(&ring, &old), 0);
	/* reserved fields must be zero */
	memset(&napi, 0, sizeof(napi));
	napi.resv = 1;
	ck_assert_int_eq(uring_register_napi(&ring, &napi), -EINVAL);
	ck_assert_int_eq(uring_register_napi(NULL, &napi), -EINVAL);
	uring_ring_exit(&ring);
}
END_TEST

START_TEST(clock_register)
{
	struct uring_clock_register clk;
	struct uring_ring ring;
	struct uring_timespec ts = {.tv_sec = 0, .tv_nsec = 10000000};
	struct uring_cqe *cqe;

	ut_require_kernel(6, 12, "IORING_REGISTER_CLOCK");
	ck_assert_int_eq(uring_ring_init(&ring, 4, 0), 0);
	memset(&clk, 0, sizeof(clk));
	clk.clockid = CLOCK_BOOTTIME;
	ck_assert_int_eq(uring_register_clock(&ring, &clk), 0);
	/* waits still time out */
	ck_assert_int_eq(uring_ring_wait_cqe_timeout(&ring, &cqe, &ts), -ETIME);
	clk.clockid = CLOCK_MONOTONIC;
	ck_assert_int_eq(uring_register_clock(&ring, &clk), 0);
	clk.clockid = CLOCK_REALTIME;
	ck_assert_int_eq(uring_register_clock(&ring, &clk), -EINVAL);
	uring_ring_exit(&ring);
}
END_TEST

/* ---------------------------------------------------------- without a ring */

START_TEST(sync_msg_without_ring)
{
	struct uring_sqe sqe;
	struct uring_ring target;
	struct ut_cqe c;

	ut_require_kernel(6, 13, "IORING_REGISTER_SEND_MSG_RING");
	ck_assert_int_eq(uring_ring_init(&target, 4, 0), 0);
	memset(&sqe, 0, sizeof(sqe));
	uring_prep_msg_ring(&sqe, uring_ring_fd(&target), 42, 0xbeef, 0);
	ck_assert_int_eq(uring_register_sync_msg(&sqe), 0);
	ck_assert(reap_within(&target, TAG_WAIT_MS, &c));
	ck_assert_uint_eq(c.user_data, 0xbeef);
	ck_assert_int_eq(c.res, 42);
	/* passing a descriptor needs a source ring */
	memset(&sqe, 0, sizeof(sqe));
	uring_prep_msg_ring_fd(&sqe, uring_ring_fd(&target), 0, 0, 1, 0);
	ck_assert_int_eq(uring_register_sync_msg(&sqe), -EINVAL);
	/* the target must be a ring */
	memset(&sqe, 0, sizeof(sqe));
	uring_prep_msg_ring(&sqe, 0, 1, 1, 0);
	ck_assert_int_lt(uring_register_sync_msg(&sqe), 0);
	ck_assert_int_eq(uring_register_sync_msg(NULL), -EINVAL);
	uring_ring_exit(&target);
}
END_TEST

START_TEST(query_opcodes)
{
	struct uring_query_opcode q;
	int ret = uring_register_query_opcodes(&q);

	ut_require_kernel(6, 18, "IORING_REGISTER_QUERY");
	ck_assert_msg(ret == 0, "query: %d", ret);
	ck_assert_uint_eq(q.nr_request_opcodes, URING_OP_LAST_6_18);
	ck_assert_uint_eq(q.nr_request_opcodes, 63);
	ck_assert_uint_eq(q.nr_register_opcodes, URING_REGISTER_LAST_6_18);
	ck_assert((q.ring_setup_flags & URING_SETUP_ALL_6_18) == URING_SETUP_ALL_6_18);
	ck_assert(q.feature_flags & URING_FEAT_NODROP);
	ck_assert(q.enter_flags & URING_ENTER_EXT_ARG);
	ck_assert(q.sqe_flags & URING_SQE_BUFFER_SELECT);
	ck_assert_int_eq(uring_register_query_opcodes(NULL), -EINVAL);
}
END_TEST

/* ------------------------------------------------------------ bad input */

START_TEST(null_ring)
{
	struct iovec iov = {0};
	uint64_t tag = 0;
	int fd = 0;
	unsigned vals[2] = {0, 0};
	cpu_set_t set;

	CPU_ZERO(&set);
	ck_assert_int_eq(uring_register_buffers(NULL, &iov, 1), -EINVAL);
	ck_assert_int_eq(uring_register_buffers_tags(NULL, &iov, &tag, 1), -EINVAL);
	ck_assert_int_eq(uring_register_buffers_sparse(NULL, 1), -EINVAL);
	ck_assert_int_eq(uring_register_buffers_update_tag(NULL, 0, &iov, &tag, 1),
			 -EINVAL);
	ck_assert_int_eq(uring_unregister_buffers(NULL), -EINVAL);
	ck_assert_int_eq(uring_register_files(NULL, &fd, 1), -EINVAL);
	ck_assert_int_eq(uring_register_files_tags(NULL, &fd, &tag, 1), -EINVAL);
	ck_assert_int_eq(uring_register_files_sparse(NULL, 1), -EINVAL);
	ck_assert_int_eq(uring_register_files_update(NULL, 0, &fd, 1), -EINVAL);
	ck_assert_int_eq(uring_register_files_update_tag(NULL, 0, &fd, &tag, 1),
			 -EINVAL);
	ck_assert_int_eq(uring_unregister_files(NULL), -EINVAL);
	ck_assert_int_eq(uring_register_file_alloc_range(NULL, 0, 1), -EINVAL);
	ck_assert_int_eq(uring_register_eventfd(NULL, 0), -EINVAL);
	ck_assert_int_eq(uring_register_eventfd_async(NULL, 0), -EINVAL);
	ck_assert_int_eq(uring_unregister_eventfd(NULL), -EINVAL);
	ck_assert_int_eq(uring_register_personality(NULL), -EINVAL);
	ck_assert_int_eq(uring_unregister_personality(NULL, 1), -EINVAL);
	ck_assert_int_eq(uring_register_iowq_aff(NULL, sizeof(set), &set), -EINVAL);
	ck_assert_int_eq(uring_unregister_iowq_aff(NULL), -EINVAL);
	ck_assert_int_eq(uring_register_iowq_max_workers(NULL, vals), -EINVAL);
	ck_assert_int_eq(uring_register_clock(NULL, NULL), -EINVAL);
	ck_assert_int_eq(uring_unregister_napi(NULL, NULL), -EINVAL);
}
END_TEST

/* Misuse the kernel reports, and errno left alone throughout. */
START_TEST(kernel_errors_and_errno)
{
	struct uring_ring ring;
	struct iovec iov = {.iov_base = NULL, .iov_len = 4096};
	int bad = 1000000;

	ck_assert_int_eq(uring_ring_init(&ring, 4, 0), 0);
	errno = 12345;
	ck_assert_int_eq(uring_register_buffers(&ring, &iov, 1), -EFAULT);
	ck_assert_int_eq(uring_register_files(&ring, &bad, 1), -EBADF);
	ck_assert_int_eq(uring_register_files_update(&ring, 0, &bad, 1), -ENXIO);
	ck_assert_int_eq(uring_register_buffers_sparse(&ring, 0), -EINVAL);
	ck_assert_int_eq(uring_register_files_sparse(&ring, 0), -EINVAL);
	ck_assert_int_eq(errno, 12345);
	uring_ring_exit(&ring);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("register");
	TCase *tc = ut_tcase("register", 20);

	UT_ADD(tc, fixed_buffers_read_write);
	UT_ADD(tc, buffers_sparse_update_tags);
	UT_ADD(tc, clone_buffers_between_rings);
	UT_ADD(tc, clone_from_plain_and_index_only_rings);
	UT_ADD(tc, fixed_files_read_write);
	UT_ADD(tc, files_sparse_update_alloc_range);
	UT_ADD(tc, files_tags_post_cqe_on_replace);
	UT_ADD(tc, eventfd_signalled_on_completion);
	UT_ADD(tc, personality_id_usable);
	UT_ADD(tc, restrictions_only_nop);
	UT_ADD(tc, restrictions_need_disabled_ring);
	UT_ADD(tc, iowq_max_workers_roundtrip);
	UT_ADD(tc, iowq_affinity);
	UT_ADD(tc, sync_cancel_pending_read);
	UT_ADD(tc, napi_register);
	UT_ADD(tc, clock_register);
	UT_ADD(tc, sync_msg_without_ring);
	UT_ADD(tc, query_opcodes);
	UT_ADD(tc, null_ring);
	UT_ADD(tc, kernel_errors_and_errno);
	suite_add_tcase(s, tc);
	return ut_run(s);
}
