/* SPDX-License-Identifier: MIT */
/*
 * runtime/net/bufpool.c - the loop's provided-buffer pools.
 *
 * Two pools, each one buffer ring of `count` buffers of `size` bytes made
 * on first use: one for stream reads (group URING__POOL_BGID), one for UDP
 * receives (URING__DGRAM_BGID).  Every multishot receive of the loop
 * selects from its kind's pool.
 *
 * The stream pool consumes buffers incrementally where the kernel can
 * (IOU_PBUF_RING_INC, 6.12): a receive takes only the bytes it needs from
 * the buffer at the head of the ring, so small reads of many connections
 * share one 64 KiB buffer instead of taking a 16 KiB buffer each, and a
 * busy stream gets large reads (tests/bench/recv_variants: 64 KiB reads
 * cut server CPU per byte 1.3-2.7x when data piles up, and cost nothing
 * when it does not).  A completion's bytes start where the previous
 * completion from that buffer ended (`off`); IORING_CQE_F_BUF_MORE says
 * the kernel will fill the buffer further.  Datagrams must not be cut
 * short by a half-used buffer, so the UDP pool gives a whole buffer per
 * datagram, as the stream pool does on older kernels.
 *
 * A buffer goes back into the ring once the kernel is done with it (no
 * BUF_MORE) and no segment of it is out any more: `refs` counts segments
 * being delivered, stashed after read_stop or kept by the user (`kept`
 * counts those, to refuse a release nobody asked for).  `avail` counts
 * buffers in the ring: when it reaches 0 a multishot receive ends with
 * -ENOBUFS and its reader waits on `starved` until buffers come back.
 *
 * Every stream reads from the one pool, so nothing but the user may hold
 * its buffers past a callback: bytes a stream receives after read_stop
 * are copied out at once into memory of its own (stream-read.c), and
 * their buffers go back.  A read callback handed such a copy may keep it
 * like a buffer: it is then the user's until uring_loop_buf_release(),
 * under an id of its own (`copies`).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <uring/buf_ring.h>

#include "stream-internal.h"

#define INC_SIZE 65536U   /* stream pool, incremental: 64 x 64 KiB */
#define INC_COUNT 64U
#define WHOLE_SIZE 16384U /* a buffer per completion: 256 x 16 KiB */
#define WHOLE_COUNT 256U

static void pool_destroy(struct uring_loop *loop, struct uring__bufpool *p)
{
	URING__KEEP_ERRNO();
	unsigned i;

	for (i = 0; i < p->nslots; i++)
		free(p->copies[i]); /* kept, never released */
	free(p->copies);
	free(p->free_slots);
	if (p->br)
		(void)uring_buf_ring_free(&loop->ring, p->br, p->count, p->bgid);
	if (p->mem && p->mem != MAP_FAILED)
		munmap(p->mem, (size_t)p->size * p->count);
	free(p->off);
	free(p->refs);
	free(p->kept);
	free(p->in_ring);
	free(p);
}

/* Register the ring: incremental for streams where the kernel has it
 * (64 x 64 KiB by default), else a buffer per completion (256 x 16 KiB). */
static int pool_ring(struct uring_loop *loop, struct uring__bufpool *p,
		     enum uring__pool_kind kind)
{
	unsigned count = loop->read_buf_count;

	if (kind == URING__POOL_STREAM &&
	    !uring_buf_ring_setup(&loop->ring, count ? count : INC_COUNT,
				  (int)p->bgid, URING_PBUF_RING_INC, &p->br)) {
		p->inc = true;
		p->count = count ? count : INC_COUNT;
		return 0;
	}
	p->count = count ? count : WHOLE_COUNT;
	return uring_buf_ring_setup(&loop->ring, p->count, (int)p->bgid, 0,
				    &p->br);
}

static int pool_create(struct uring_loop *loop, enum uring__pool_kind kind,
		       struct uring__bufpool **out)
{
	URING__KEEP_ERRNO();
	struct uring__bufpool *p;
	unsigned count, i;
	int ret;

	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->bgid = kind == URING__POOL_DGRAM ? URING__DGRAM_BGID
					    : URING__POOL_BGID;
	p->id_base = kind == URING__POOL_DGRAM ? URING__DGRAM_ID_BASE : 0;
	ret = pool_ring(loop, p, kind);
	if (ret) {
		p->br = NULL;
		pool_destroy(loop, p);
		return ret;
	}
	count = p->count;
	p->size = loop->read_buf_size ? loop->read_buf_size
				      : p->inc ? INC_SIZE : WHOLE_SIZE;
	p->off = calloc(count, sizeof(*p->off));
	p->refs = calloc(count, sizeof(*p->refs));
	p->kept = calloc(count, sizeof(*p->kept));
	p->in_ring = calloc(count, sizeof(*p->in_ring));
	/* mmap: a large pool must not come out of (and fragment) the heap */
	p->mem = mmap(NULL, (size_t)p->size * count, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!p->off || !p->refs || !p->kept || !p->in_ring ||
	    p->mem == MAP_FAILED) {
		pool_destroy(loop, p);
		return -ENOMEM;
	}
	for (i = 0; i < count; i++) {
		uring_buf_ring_add(p->br, uring__bufpool_addr(p, i), p->size,
				   (unsigned short)i,
				   uring_buf_ring_mask(count), (int)i);
		p->in_ring[i] = 1;
	}
	uring_buf_ring_advance(p->br, (int)count);
	p->avail = count;
	uring__list_init(&p->starved);
	*out = p;
	return 0;
}

static struct uring__bufpool **pool_slot(struct uring_loop *loop,
					 enum uring__pool_kind kind)
{
	return kind == URING__POOL_DGRAM ? &loop->dgrampool : &loop->bufpool;
}

int uring__bufpool_get(struct uring_loop *loop, enum uring__pool_kind kind,
		       struct uring__bufpool **out)
{
	struct uring__bufpool **slot = pool_slot(loop, kind);
	int ret;

	if (!*slot) {
		ret = pool_create(loop, kind, slot);
		if (ret)
			return ret;
	}
	*out = *slot;
	return 0;
}

/* ------------------------------------------------------------- buffers */

static void recycle(struct uring__bufpool *p, unsigned bid)
{
	uring_buf_ring_add(p->br, uring__bufpool_addr(p, bid), p->size,
			   (unsigned short)bid, uring_buf_ring_mask(p->count), 0);
	uring_buf_ring_advance(p->br, 1);
	p->off[bid] = 0;
	p->in_ring[bid] = 1;
	p->avail++;
}

void *uring__bufpool_take(struct uring__bufpool *p, unsigned bid, int res,
			  unsigned cqe_flags)
{
	char *seg = uring__bufpool_addr(p, bid) + p->off[bid];

	if (res > 0)
		p->off[bid] += (uint32_t)res;
	if (!(cqe_flags & URING_CQE_F_BUF_MORE) && p->in_ring[bid]) {
		p->in_ring[bid] = 0; /* the kernel has moved past it */
		p->avail--;
	}
	p->refs[bid]++;
	return seg;
}

void uring__bufpool_put(struct uring__bufpool *p, unsigned bid)
{
	if (!--p->refs[bid] && !p->in_ring[bid])
		recycle(p, bid);
}

/* The pool that gave out user id `id`, and the buffer id in it. */
static struct uring__bufpool *pool_of_id(struct uring_loop *loop, int id,
					 unsigned *bid)
{
	struct uring__bufpool *p =
		id >= URING__DGRAM_ID_BASE ? loop->dgrampool : loop->bufpool;

	if (!p || id < p->id_base || (unsigned)(id - p->id_base) >= p->count)
		return NULL;
	*bid = (unsigned)(id - p->id_base);
	return p;
}

/* A slot for the copy being delivered: its id, or -ENOMEM. */
static int copy_slot(struct uring__bufpool *p)
{
	unsigned cap, *free_slots;
	void **copies;

	if (p->nfree_slots) {
		p->cur_slot = p->free_slots[--p->nfree_slots];
	} else {
		if (p->nslots == p->slots_cap) {
			cap = p->slots_cap ? 2 * p->slots_cap : 16;
			copies = realloc(p->copies, cap * sizeof(*copies));
			if (copies)
				p->copies = copies;
			free_slots = realloc(p->free_slots,
					     cap * sizeof(*free_slots));
			if (free_slots)
				p->free_slots = free_slots;
			if (!copies || !free_slots)
				return -ENOMEM;
			p->slots_cap = cap;
		}
		p->cur_slot = p->nslots++;
	}
	p->copies[p->cur_slot] = p->cur_copy;
	return URING__COPY_ID_BASE + (int)p->cur_slot;
}

static void free_slot(struct uring__bufpool *p, unsigned slot)
{
	p->copies[slot] = NULL;
	p->free_slots[p->nfree_slots++] = slot;
}

/* uring_loop_buf_release() of a kept copy. */
static int release_copy(struct uring__bufpool *p, int id)
{
	unsigned slot = (unsigned)(id - URING__COPY_ID_BASE);

	if (!p || slot >= p->nslots || !p->copies[slot])
		return -EINVAL;
	if (p->cur_copy && p->cur_kept && slot == p->cur_slot) {
		p->cur_kept = false; /* freed when the callback returns */
		free_slot(p, slot);
		return 0;
	}
	free(p->copies[slot]);
	free_slot(p, slot);
	return 0;
}

int uring_loop_buf_release(struct uring_loop *loop, int id)
{
	struct uring__bufpool *p;
	unsigned bid;

	if (loop && !loop->closed && id >= URING__COPY_ID_BASE)
		return release_copy(loop->bufpool, id);
	if (!loop || loop->closed || !(p = pool_of_id(loop, id, &bid)))
		return -EINVAL;
	/* kept and released within the same read callback: undo the keep,
	 * and the segment goes back when the callback returns */
	if (p->cur_owner && !p->cur_copy && p->cur_kept && bid == p->cur_bid) {
		p->cur_kept = false;
		return 0;
	}
	/* only what was kept, once per keep: more would put a buffer in the
	 * ring while a kept segment still uses it */
	if (!p->kept[bid])
		return -EINVAL;
	p->kept[bid]--;
	uring__bufpool_put(p, bid);
	return 0;
}

void uring__bufpool_deliver_begin(struct uring__bufpool *p, const void *owner,
				  unsigned bid)
{
	p->cur_owner = owner;
	p->cur_bid = bid;
	p->cur_copy = NULL;
	p->cur_kept = false;
}

void uring__bufpool_deliver_end(struct uring__bufpool *p, unsigned bid)
{
	p->cur_owner = NULL;
	if (p->cur_kept)
		p->kept[bid]++; /* its reference stays until the release */
	else
		uring__bufpool_put(p, bid);
}

void uring__bufpool_deliver_copy_begin(struct uring__bufpool *p,
				       const void *owner, void *copy)
{
	p->cur_owner = owner;
	p->cur_copy = copy;
	p->cur_kept = false;
}

void uring__bufpool_deliver_copy_end(struct uring__bufpool *p)
{
	if (!p->cur_kept) /* else the user's, in its slot */
		free(p->cur_copy);
	p->cur_owner = NULL;
	p->cur_copy = NULL;
}

int uring__bufpool_keep(struct uring_loop *loop, enum uring__pool_kind kind,
			const void *owner)
{
	struct uring__bufpool *p = *pool_slot(loop, kind);
	int id;

	if (!p || p->cur_owner != owner)
		return -EINVAL; /* only from that handle's read callback */
	if (p->cur_copy) {
		if (p->cur_kept)
			return URING__COPY_ID_BASE + (int)p->cur_slot;
		id = copy_slot(p);
		p->cur_kept = id >= 0;
		return id;
	}
	p->cur_kept = true;
	return p->id_base + (int)p->cur_bid;
}

/* ------------------------------------------------------------- waiting */

void uring__bufpool_wait(struct uring__bufpool *p, struct uring_pool_waiter *w,
			 void (*resume)(struct uring_pool_waiter *))
{
	p->pauses++;
	w->resume = resume;
	uring__list_add_tail(&p->starved, &w->node);
}

void uring__bufpool_unwait(struct uring_pool_waiter *w)
{
	uring__list_del(&w->node);
}

static bool pool_ready(const struct uring__bufpool *p)
{
	return p && p->avail && !uring__list_empty(&p->starved);
}

bool uring__bufpool_ready(const struct uring_loop *loop)
{
	return pool_ready(loop->bufpool) || pool_ready(loop->dgrampool);
}

/* Resume waiting readers, one per buffer back in the ring: a reader with
 * bytes waiting takes at least one, so resuming more would only see
 * -ENOBUFS again. */
static void pool_resume(struct uring__bufpool *p)
{
	struct uring_pool_waiter *w;
	unsigned n;

	if (!pool_ready(p))
		return;
	for (n = p->avail; n && !uring__list_empty(&p->starved); n--) {
		w = uring__container_of(p->starved.next,
					struct uring_pool_waiter, node);
		uring__list_del(&w->node);
		w->resume(w);
	}
}

void uring__bufpool_resume(struct uring_loop *loop)
{
	pool_resume(loop->bufpool);
	pool_resume(loop->dgrampool);
}

uint64_t uring__bufpool_pauses(const struct uring_loop *loop)
{
	return (loop->bufpool ? loop->bufpool->pauses : 0) +
	       (loop->dgrampool ? loop->dgrampool->pauses : 0);
}

void uring__bufpool_stats(const struct uring_loop *loop,
			  struct uring_loop_stats *stats)
{
	const struct uring__bufpool *p = loop->bufpool;

	stats->read_pauses = uring__bufpool_pauses(loop);
	stats->read_bufs = p ? p->count : 0;
	stats->read_bufs_out = p ? p->count - p->avail : 0;
	stats->read_stashed = p ? p->stashed : 0;
	stats->read_copied = p ? p->copied : 0;
}

void uring__bufpool_free(struct uring_loop *loop)
{
	uring__bufpool_stats(loop, &loop->stats); /* the last figures */
	if (loop->bufpool)
		pool_destroy(loop, loop->bufpool);
	if (loop->dgrampool)
		pool_destroy(loop, loop->dgrampool);
	loop->bufpool = loop->dgrampool = NULL;
}
