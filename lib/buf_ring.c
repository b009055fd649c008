/* SPDX-License-Identifier: MIT */
/*
 * lib/buf_ring.c - provided buffer rings: allocate, register, free, and ask
 * the kernel where its head is.  The per-buffer fast paths are inline in
 * uring/buf_ring.h.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "syscall.h"

static int valid_entries(unsigned entries)
{
	return entries && entries <= URING_BUF_RING_MAX_ENTRIES &&
	       !(entries & (entries - 1));
}

/* Group ids are 16 bits in the ABI; refuse what would be truncated. */
static int valid_bgid(int bgid)
{
	return bgid >= 0 && bgid <= 0xffff;
}

int uring_register_buf_ring(struct uring_ring *ring, struct uring_buf_reg *reg,
			    unsigned flags)
{
	struct uring_buf_reg r;

	if (!ring || !reg || flags > 0xffff)
		return -EINVAL;
	r = *reg;
	r.flags |= (uint16_t)flags;
	return uring__register(ring, URING_REGISTER_PBUF_RING, &r, 1);
}

int uring_unregister_buf_ring(struct uring_ring *ring, int bgid)
{
	struct uring_buf_reg reg;

	if (!ring || !valid_bgid(bgid))
		return -EINVAL;
	memset(&reg, 0, sizeof(reg));
	reg.bgid = (uint16_t)bgid;
	return uring__register(ring, URING_UNREGISTER_PBUF_RING, &reg, 1);
}

int uring_buf_ring_head(struct uring_ring *ring, int bgid, uint16_t *head)
{
	struct uring_buf_status st;
	int ret;

	if (!ring || !head || !valid_bgid(bgid))
		return -EINVAL;
	memset(&st, 0, sizeof(st));
	st.buf_group = (uint32_t)bgid;
	ret = uring__register(ring, URING_REGISTER_PBUF_STATUS, &st, 1);
	if (ret)
		return ret;
	*head = (uint16_t)st.head;
	return 0;
}

/* With URING_PBUF_RING_MMAP the kernel owns the memory; map it from the ring
 * fd at the group's offset. */
static int setup_kernel_mem(struct uring_ring *ring, struct uring_buf_reg *reg,
			    size_t sz, struct uring_buf_ring **out)
{
	URING__KEEP_ERRNO();
	uint64_t off;
	void *p;
	int ret;

	if (ring->ring_fd < 0) /* REGISTERED_FD_ONLY: nothing to mmap */
		return -EINVAL;
	ret = uring__register(ring, URING_REGISTER_PBUF_RING, reg, 1);
	if (ret)
		return ret;
	off = URING_OFF_PBUF_RING |
	      ((uint64_t)reg->bgid << URING_OFF_PBUF_SHIFT);
	p = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		 ring->ring_fd, (off_t)off);
	if (p == MAP_FAILED) {
		(void)uring_unregister_buf_ring(ring, reg->bgid);
		return -ENOMEM;
	}
	*out = p;
	return 0;
}

int uring_buf_ring_setup(struct uring_ring *ring, unsigned entries, int bgid,
			 unsigned flags, struct uring_buf_ring **out)
{
	URING__KEEP_ERRNO();
	size_t sz = (size_t)entries * sizeof(struct uring_buf);
	struct uring_buf_reg reg;
	struct uring_buf_ring *br;
	void *p;
	int ret;

	if (!ring || !out || !valid_entries(entries) || !valid_bgid(bgid) ||
	    (flags & ~(URING_PBUF_RING_MMAP | URING_PBUF_RING_INC)))
		return -EINVAL;
	memset(&reg, 0, sizeof(reg));
	reg.ring_entries = entries;
	reg.bgid = (uint16_t)bgid;
	reg.flags = (uint16_t)flags;
	if (flags & URING_PBUF_RING_MMAP) {
		ret = setup_kernel_mem(ring, &reg, sz, &br);
		if (ret)
			return ret;
	} else {
		/* The kernel pins this memory; it must be page aligned. */
		p = mmap(NULL, sz, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return -ENOMEM;
		reg.ring_addr = (uint64_t)(uintptr_t)p;
		ret = uring__register(ring, URING_REGISTER_PBUF_RING, &reg, 1);
		if (ret) {
			munmap(p, sz);
			return ret;
		}
		br = p;
	}
	uring_buf_ring_init(br);
	*out = br;
	return 0;
}

int uring_buf_ring_free(struct uring_ring *ring, struct uring_buf_ring *br,
			unsigned entries, int bgid)
{
	URING__KEEP_ERRNO();
	int ret;

	if (!ring || !br || !valid_entries(entries))
		return -EINVAL;
	ret = uring_unregister_buf_ring(ring, bgid);
	/* On failure (a wrong bgid, say) the memory stays mapped, so the
	 * caller can retry with the right arguments. */
	if (ret)
		return ret;
	munmap(br, (size_t)entries * sizeof(struct uring_buf));
	return 0;
}
