/* SPDX-License-Identifier: MIT */
/*
 * uring/buf_ring.h - provided buffer rings (5.19).
 *
 * A buffer ring is an array of `entries` struct uring_buf entries, 16 bytes
 * each (`entries` a power of two, at most 32768), shared with the kernel.
 * The application adds buffers at the tail and publishes the tail with a release store; the
 * kernel takes buffers from the head for requests that carry
 * URING_SQE_BUFFER_SELECT and sqe->buf_group = bgid, and says which one it
 * used in the CQE (URING_CQE_F_BUFFER, id in flags >> URING_CQE_BUFFER_SHIFT).
 *
 * With URING_PBUF_RING_INC (6.12) the kernel consumes a buffer piecewise:
 * while a CQE has URING_CQE_F_BUF_MORE, the buffer is still in use and the
 * next completion continues where that one ended.  Recycle it only after a
 * CQE for it arrives without the flag.
 *
 * Typical use:
 *	uring_buf_ring_setup(ring, 64, bgid, 0, &br);
 *	for (i = 0; i < 64; i++)
 *		uring_buf_ring_add(br, buf[i], len, i, uring_buf_ring_mask(64), i);
 *	uring_buf_ring_advance(br, 64);
 *	... on each CQE with a buffer: use it, then add it back and advance.
 */
#ifndef URING_BUF_RING_H
#define URING_BUF_RING_H

#include <stdint.h>

#include <uring/abi.h>
#include <uring/barrier.h>
#include <uring/ring.h>

#ifdef __cplusplus
extern "C" {
#endif
#pragma GCC visibility push(default)

/* Largest ring the kernel accepts. */
#define URING_BUF_RING_MAX_ENTRIES 32768U

/*
 * Allocate a ring of `entries` buffers (page-aligned, zeroed), register it as
 * group `bgid` with `flags` (URING_PBUF_RING_INC, URING_PBUF_RING_MMAP), and
 * store it in *out with an empty tail.  Free with uring_buf_ring_free().
 */
int uring_buf_ring_setup(struct uring_ring *ring, unsigned entries, int bgid,
			 unsigned flags, struct uring_buf_ring **out);
/* Unregister group `bgid` and release the memory of uring_buf_ring_setup(). */
int uring_buf_ring_free(struct uring_ring *ring, struct uring_buf_ring *br,
			unsigned entries, int bgid);

/* The raw calls: register a ring the caller allocated, or drop a group.
 * `flags` is or-ed into reg->flags. */
int uring_register_buf_ring(struct uring_ring *ring, struct uring_buf_reg *reg,
			    unsigned flags);
int uring_unregister_buf_ring(struct uring_ring *ring, int bgid);

/* The kernel's head of group `bgid` (6.8): next entry it will take. */
int uring_buf_ring_head(struct uring_ring *ring, int bgid, uint16_t *head);

/* ---------------------------------------------------------------------
 * Fast paths: no syscall.
 * ------------------------------------------------------------------- */

static inline int uring_buf_ring_mask(unsigned entries)
{
	return (int)(entries - 1);
}

static inline void uring_buf_ring_init(struct uring_buf_ring *br)
{
	br->tail = 0;
}

/*
 * Fill the entry `buf_offset` places past the tail.  Nothing is visible to
 * the kernel until uring_buf_ring_advance() moves the tail over it, so add a
 * batch with offsets 0..n-1 and advance once by n.  Entry 0's `resv` field is
 * the tail itself: it is never written here.
 */
static inline void uring_buf_ring_add(struct uring_buf_ring *br, void *addr,
				      unsigned len, unsigned short bid,
				      int mask, int buf_offset)
{
	struct uring_buf *buf =
		&br->bufs[(uint16_t)(br->tail + buf_offset) & (unsigned)mask];

	buf->addr = (uint64_t)(uintptr_t)addr;
	buf->len = len;
	buf->bid = bid;
}

/* Publish `count` added entries: the release store orders the entries
 * before the tail the kernel reads. */
static inline void uring_buf_ring_advance(struct uring_buf_ring *br, int count)
{
	uint16_t tail = (uint16_t)(br->tail + count);

	uring__store_release(&br->tail, tail);
}

/* Publish `count` buffers and mark `count` CQEs seen, for the common case of
 * recycling each completion's buffer as it is consumed. */
static inline void uring_buf_ring_cq_advance(struct uring_ring *ring,
					     struct uring_buf_ring *br,
					     int count)
{
	uring_buf_ring_advance(br, count);
	uring_ring_cq_advance(ring, (unsigned)count);
}

/* Buffers published and not yet taken by the kernel, or a negative errno.
 * One syscall (uring_buf_ring_head). */
static inline int uring_buf_ring_available(struct uring_ring *ring,
					   struct uring_buf_ring *br, int bgid)
{
	uint16_t head;
	int ret = uring_buf_ring_head(ring, bgid, &head);

	if (ret)
		return ret;
	return (uint16_t)(br->tail - head);
}

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif

#endif /* URING_BUF_RING_H */
