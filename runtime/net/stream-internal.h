/* SPDX-License-Identifier: MIT */
/*
 * runtime/net/stream-internal.h - what stream.c, bufpool.c and the loop share
 * about streams and the loop's read-buffer pool.
 */
#ifndef URING_STREAM_INTERNAL_H
#define URING_STREAM_INTERNAL_H

#include <uring/buf_ring.h>
#include <uring/stream.h>

#include "core/loop-internal.h"

/* The buffer groups of the loop's pools (bufpool.c).  Users who register
 * their own groups on uring_loop_ring() must pick other ids. */
#define URING__POOL_BGID 0xfffe  /* stream reads */
#define URING__DGRAM_BGID 0xfffd /* UDP receives */
/* uring_loop_buf_release() ids of the UDP pool start here. */
#define URING__DGRAM_ID_BASE 0x10000
/* ... and ids of kept copies (bytes a stopped stream had copied out of the
 * stream pool, kept from the read callback that delivered them) here. */
#define URING__COPY_ID_BASE 0x20000

enum uring__pool_kind { URING__POOL_STREAM, URING__POOL_DGRAM };

struct uring__bufpool {
	struct uring_buf_ring *br;
	char *mem;
	unsigned size, count;
	unsigned bgid;
	int id_base;             /* added to buffer ids users see */
	bool inc;                /* consumed incrementally (6.12) */
	unsigned avail;          /* buffers in the ring */
	uint64_t pauses;         /* readers parked (stats.read_pauses) */
	uint32_t *off;           /* by id: bytes the kernel filled so far */
	uint32_t *refs;          /* by id: segments out (delivering, stashed,
				  * kept) */
	uint32_t *kept;          /* by id: segments kept by the user */
	uint8_t *in_ring;        /* by id: the kernel may fill it (further) */
	struct uring_list starved; /* readers waiting for buffers */
	/* the segment being delivered to a read callback, for keep() */
	const void *cur_owner;    /* the stream or udp handle */
	unsigned cur_bid;
	bool cur_kept;
	void *cur_copy;           /* or the copy being delivered, and its */
	unsigned cur_slot;        /* slot in `copies` once kept */
	/* copies kept by the user, by slot: id URING__COPY_ID_BASE + slot */
	void **copies;
	unsigned *free_slots;     /* slots of `copies` free for reuse */
	unsigned nfree_slots, nslots, slots_cap;
	/* stream pool: bytes stopped streams hold (copied out), and all the
	 * bytes ever copied out for them (uring_loop_stats()) */
	uint64_t stashed, copied;
};

static inline void *uring__bufpool_addr(struct uring__bufpool *p, unsigned bid)
{
	return p->mem + (size_t)bid * p->size;
}

/* The loop's pool of that kind, made on first use. */
URING_HIDDEN int uring__bufpool_get(struct uring_loop *loop,
				    enum uring__pool_kind kind,
				    struct uring__bufpool **out);
/* A completion named buffer `bid` with result res: the address of its
 * bytes, held (one reference) until uring__bufpool_put(). */
URING_HIDDEN void *uring__bufpool_take(struct uring__bufpool *p, unsigned bid,
				       int res, unsigned cqe_flags);
/* Drop one reference; the buffer goes back to the kernel with the last
 * one once the kernel is done with it. */
URING_HIDDEN void uring__bufpool_put(struct uring__bufpool *p, unsigned bid);
/* Around a read callback handed a segment of buffer `bid`: begin marks
 * what uring_stream_buf_keep()/uring_udp_buf_keep() may keep; end drops
 * the reference unless it was kept. */
URING_HIDDEN void uring__bufpool_deliver_begin(struct uring__bufpool *p,
					       const void *owner, unsigned bid);
URING_HIDDEN void uring__bufpool_deliver_end(struct uring__bufpool *p,
					     unsigned bid);
/* The same around a read callback handed `copy` (malloc'd, of the stream
 * pool): end frees it unless it was kept. */
URING_HIDDEN void uring__bufpool_deliver_copy_begin(struct uring__bufpool *p,
						    const void *owner,
						    void *copy);
URING_HIDDEN void uring__bufpool_deliver_copy_end(struct uring__bufpool *p);
URING_HIDDEN void uring__bufpool_free(struct uring_loop *loop);
URING_HIDDEN uint64_t uring__bufpool_pauses(const struct uring_loop *loop);
/* The pools' figures of uring_loop_stats(). */
URING_HIDDEN void uring__bufpool_stats(const struct uring_loop *loop,
				       struct uring_loop_stats *stats);
/* From a read callback of `owner`: keep the segment being delivered. */
URING_HIDDEN int uring__bufpool_keep(struct uring_loop *loop,
				     enum uring__pool_kind kind,
				     const void *owner);
/* Park a reader whose multishot receive ended with -ENOBUFS. */
URING_HIDDEN void uring__bufpool_wait(struct uring__bufpool *p,
				      struct uring_pool_waiter *w,
				      void (*resume)(struct uring_pool_waiter *));
URING_HIDDEN void uring__bufpool_unwait(struct uring_pool_waiter *w);
/* Buffers came back and readers wait: resume them (before the loop
 * waits). */
URING_HIDDEN bool uring__bufpool_ready(const struct uring_loop *loop);
URING_HIDDEN void uring__bufpool_resume(struct uring_loop *loop);

/* ------------------------------------------------------------- sockets */
/* Length of an IPv4/IPv6 address, 0 for anything else. */
URING_HIDDEN socklen_t uring__inet_len(const struct sockaddr *addr);
URING_HIDDEN int uring__setsockopt_int(int fd, int level, int name, int value);
/* Take `fd` into *slot (made blocking: socket.c says why); -EBADF, -EBUSY
 * if the handle has a socket already. */
URING_HIDDEN int uring__adopt_fd(int *slot, int fd);
/* uring__bind_inet() options */
#define URING__BIND_REUSEADDR (1U << 0)
#define URING__BIND_REUSEPORT (1U << 1)
#define URING__BIND_V6ONLY (1U << 2)
/* Bind *slot (made of `type` for addr's family if < 0; dropped again if
 * binding fails) to an IPv4/IPv6 address. */
URING_HIDDEN int uring__bind_inet(int *slot, int type,
				  const struct sockaddr *addr, unsigned opts);

/* ------------------------------------------------------------- udp */
struct uring_udp;
URING_HIDDEN int uring__udp_check(const struct uring_udp *u);
URING_HIDDEN void uring__udp_close(struct uring_udp *u);

/* ------------------------------------------------------------- streams */
URING_HIDDEN void uring__stream_close(struct uring_stream *stream);
/* Before the loop waits: flush queued writes, deliver bytes kept across a
 * read_stop, re-arm reads that waited for buffers. */
URING_HIDDEN void uring__stream_run_pending(struct uring_loop *loop);
/* Whether uring__stream_run_pending() has work that must not wait. */
URING_HIDDEN bool uring__stream_has_work(const struct uring_loop *loop);
/* The wait `ms` (-1: none), cut short while streams wait lazily. */
URING_HIDDEN int64_t uring__stream_wait_cap(const struct uring_loop *loop,
					     int64_t ms);
/* uring_loop_close(): free the spare side records. */
URING_HIDDEN void uring__stream_ext_free_all(struct uring_loop *loop);

#endif
