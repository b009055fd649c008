/* SPDX-License-Identifier: MIT */
/*
 * lib/register.c - io_uring_register(2) calls: fixed buffers and files,
 * eventfd, personalities, restrictions, io-wq, cancel, NAPI, clock, and the
 * two "blind" calls that take no ring (fd -1).
 *
 * Everything with a ring goes through uring__register(), which uses the
 * registered ring index when the kernel allows (URING_FEAT_REG_REG_RING).
 */
#include <errno.h>
#include <string.h>

#include "syscall.h"

/* Calls that take a struct for "nr" report its size in nr_args. */
#define SIZEOF_ARG(x) ((unsigned)sizeof(x))

/* BUFFERS2/FILES2: a table with optional tags, or `nr` empty slots. */
static int register_rsrc(struct uring_ring *ring, unsigned op,
			 const void *data, const uint64_t *tags, unsigned nr,
			 unsigned flags)
{
	struct uring_rsrc_register reg;

	if (!ring)
		return -EINVAL;
	memset(&reg, 0, sizeof(reg));
	reg.nr = nr;
	reg.flags = flags;
	reg.data = (uint64_t)(uintptr_t)data;
	reg.tags = (uint64_t)(uintptr_t)tags;
	return uring__register(ring, op, &reg, SIZEOF_ARG(reg));
}

/* BUFFERS_UPDATE/FILES_UPDATE2: replace slots off..off+nr-1. */
static int update_rsrc(struct uring_ring *ring, unsigned op, unsigned off,
		       const void *data, const uint64_t *tags, unsigned nr)
{
	struct uring_rsrc_update2 up;

	if (!ring)
		return -EINVAL;
	memset(&up, 0, sizeof(up));
	up.offset = off;
	up.data = (uint64_t)(uintptr_t)data;
	up.tags = (uint64_t)(uintptr_t)tags;
	up.nr = nr;
	return uring__register(ring, op, &up, SIZEOF_ARG(up));
}

/* A call whose whole argument is (arg, nr). */
static int simple(struct uring_ring *ring, unsigned op, const void *arg,
		  unsigned nr)
{
	if (!ring)
		return -EINVAL;
	return uring__register(ring, op, arg, nr);
}

/* ------------------------------------------------------------ buffers */

int uring_register_buffers(struct uring_ring *ring, const struct iovec *iovecs,
			   unsigned nr)
{
	return simple(ring, URING_REGISTER_BUFFERS, iovecs, nr);
}

int uring_register_buffers_tags(struct uring_ring *ring,
				const struct iovec *iovecs,
				const uint64_t *tags, unsigned nr)
{
	return register_rsrc(ring, URING_REGISTER_BUFFERS2, iovecs, tags, nr, 0);
}

int uring_register_buffers_sparse(struct uring_ring *ring, unsigned nr)
{
	return register_rsrc(ring, URING_REGISTER_BUFFERS2, NULL, NULL, nr,
			     URING_RSRC_REGISTER_SPARSE);
}

int uring_register_buffers_update_tag(struct uring_ring *ring, unsigned off,
				      const struct iovec *iovecs,
				      const uint64_t *tags, unsigned nr)
{
	return update_rsrc(ring, URING_REGISTER_BUFFERS_UPDATE, off, iovecs,
			   tags, nr);
}

int uring_unregister_buffers(struct uring_ring *ring)
{
	return simple(ring, URING_UNREGISTER_BUFFERS, NULL, 0);
}

int uring_register_clone_buffers_offset(struct uring_ring *dst,
					struct uring_ring *src,
					unsigned dst_off, unsigned src_off,
					unsigned nr, unsigned flags)
{
	struct uring_clone_buffers arg;

	if (!dst || !src)
		return -EINVAL;
	memset(&arg, 0, sizeof(arg));
	arg.flags = flags;
	arg.src_off = src_off;
	arg.dst_off = dst_off;
	arg.nr = nr;
	/* A source with no plain fd can only be named by its registered
	 * index, which is valid in the thread that registered it. */
	if (src->ring_fd < 0 || (src->lib_flags & URING_RING__REG_REG_RING)) {
		if (!(src->lib_flags & URING_RING__REG_FD))
			return -EINVAL;
		arg.src_fd = (uint32_t)src->enter_fd;
		arg.flags |= URING_REGISTER_SRC_REGISTERED;
	} else {
		arg.src_fd = (uint32_t)src->ring_fd;
	}
	return uring__register(dst, URING_REGISTER_CLONE_BUFFERS, &arg, 1);
}

int uring_register_clone_buffers(struct uring_ring *dst, struct uring_ring *src)
{
	/* nr 0: all of them */
	return uring_register_clone_buffers_offset(dst, src, 0, 0, 0, 0);
}

/* -------------------------------------------------------------- files */

int uring_register_files(struct uring_ring *ring, const int *fds, unsigned nr)
{
	return simple(ring, URING_REGISTER_FILES, fds, nr);
}

int uring_register_files_tags(struct uring_ring *ring, const int *fds,
			      const uint64_t *tags, unsigned nr)
{
	return register_rsrc(ring, URING_REGISTER_FILES2, fds, tags, nr, 0);
}

int uring_register_files_sparse(struct uring_ring *ring, unsigned nr)
{
	return register_rsrc(ring, URING_REGISTER_FILES2, NULL, NULL, nr,
			     URING_RSRC_REGISTER_SPARSE);
}

int uring_register_files_update(struct uring_ring *ring, unsigned off,
				const int *fds, unsigned nr)
{
	struct uring_rsrc_update up;

	if (!ring)
		return -EINVAL;
	memset(&up, 0, sizeof(up));
	up.offset = off;
	up.data = (uint64_t)(uintptr_t)fds;
	return uring__register(ring, URING_REGISTER_FILES_UPDATE, &up, nr);
}

int uring_register_files_update_tag(struct uring_ring *ring, unsigned off,
				    const int *fds, const uint64_t *tags,
				    unsigned nr)
{
	return update_rsrc(ring, URING_REGISTER_FILES_UPDATE2, off, fds, tags,
			   nr);
}

int uring_unregister_files(struct uring_ring *ring)
{
	return simple(ring, URING_UNREGISTER_FILES, NULL, 0);
}

int uring_register_file_alloc_range(struct uring_ring *ring, unsigned off,
				    unsigned len)
{
	struct uring_file_index_range range;

	memset(&range, 0, sizeof(range));
	range.off = off;
	range.len = len;
	return simple(ring, URING_REGISTER_FILE_ALLOC_RANGE, &range, 0);
}

/* ------------------------------------- eventfd, personality, restrictions */

int uring_register_eventfd(struct uring_ring *ring, int fd)
{
	return simple(ring, URING_REGISTER_EVENTFD, &fd, 1);
}

int uring_register_eventfd_async(struct uring_ring *ring, int fd)
{
	return simple(ring, URING_REGISTER_EVENTFD_ASYNC, &fd, 1);
}

int uring_unregister_eventfd(struct uring_ring *ring)
{
	return simple(ring, URING_UNREGISTER_EVENTFD, NULL, 0);
}

int uring_register_personality(struct uring_ring *ring)
{
	return simple(ring, URING_REGISTER_PERSONALITY, NULL, 0);
}

int uring_unregister_personality(struct uring_ring *ring, int id)
{
	/* the id travels in nr_args */
	if (id < 0)
		return -EINVAL;
	return simple(ring, URING_UNREGISTER_PERSONALITY, NULL, (unsigned)id);
}

int uring_register_restrictions(struct uring_ring *ring,
				struct uring_restriction *res, unsigned nr)
{
	return simple(ring, URING_REGISTER_RESTRICTIONS, res, nr);
}

/* --------------------------------------------------------------- io-wq */

int uring_register_iowq_aff(struct uring_ring *ring, size_t cpusz,
			    const cpu_set_t *mask)
{
	if (!mask || !cpusz || cpusz > 0xffffffffu)
		return -EINVAL;
	return simple(ring, URING_REGISTER_IOWQ_AFF, mask, (unsigned)cpusz);
}

int uring_unregister_iowq_aff(struct uring_ring *ring)
{
	return simple(ring, URING_UNREGISTER_IOWQ_AFF, NULL, 0);
}

int uring_register_iowq_max_workers(struct uring_ring *ring, unsigned values[2])
{
	return simple(ring, URING_REGISTER_IOWQ_MAX_WORKERS, values, 2);
}

/* ------------------------------------------------ cancel, napi, clock */

int uring_register_sync_cancel(struct uring_ring *ring,
			       struct uring_sync_cancel_reg *reg)
{
	return simple(ring, URING_REGISTER_SYNC_CANCEL, reg, 1);
}

int uring_register_napi(struct uring_ring *ring, struct uring_napi *napi)
{
	return simple(ring, URING_REGISTER_NAPI, napi, 1);
}

int uring_unregister_napi(struct uring_ring *ring, struct uring_napi *napi)
{
	return simple(ring, URING_UNREGISTER_NAPI, napi, 1);
}

int uring_register_clock(struct uring_ring *ring,
			 struct uring_clock_register *arg)
{
	return simple(ring, URING_REGISTER_CLOCK, arg, 0);
}

/* ------------------------------------------------------ without a ring */

int uring_register_sync_msg(struct uring_sqe *sqe)
{
	if (!sqe)
		return -EINVAL;
	return uring__sys_register(-1, URING_REGISTER_SEND_MSG_RING, sqe, 1);
}

/*
 * One query entry.  The kernel reports a per-entry result in hdr.result and
 * how much of our struct it filled in hdr.size; the syscall itself fails only
 * when it cannot read or write the memory.
 */
int uring_register_query_opcodes(struct uring_query_opcode *out)
{
	struct uring_query_hdr hdr;
	int ret;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	memset(&hdr, 0, sizeof(hdr));
	hdr.query_op = URING_QUERY_OPCODES;
	hdr.query_data = (uint64_t)(uintptr_t)out;
	hdr.size = SIZEOF_ARG(*out);
	ret = uring__sys_register(-1, URING_REGISTER_QUERY, &hdr, 0);
	if (ret < 0)
		return ret;
	if (hdr.result < 0)
		return hdr.result;
	return 0;
}
