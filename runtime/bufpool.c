/* SPDX-License-Identifier: MIT */
/*
 * runtime/bufpool.c - the loop's provided-buffer pool for stream reads.
 *
 * One buffer ring (group URING__POOL_BGID) of `count` buffers of `size`
 * bytes, made when the first stream starts reading.  Every multishot recv
 * of the loop selects from it; the kernel takes a buffer per completion and
 * the loop puts it back after the read callback (or when the user releases
 * one they kept).  `avail` counts buffers the kernel can still take: when
 * it reaches 0 a multishot recv ends with -ENOBUFS and its stream waits on
 * `starved` until buffers come back (stream.c re-arms it then).
 *
 * Side arrays indexed by buffer id hold what a buffer needs while it is
 * out of the ring: its length and the next id, for the per-stream lists of
 * bytes that arrived after uring_stream_read_stop().
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <uring/buf_ring.h>

#include "stream-internal.h"

#define DEFAULT_SIZE 16384U
#define DEFAULT_COUNT 256U

static int pool_create(struct uring_loop *loop, struct uring__bufpool **out)
{
	unsigned size = loop->read_buf_size ? loop->read_buf_size : DEFAULT_SIZE;
	unsigned count =
		loop->read_buf_count ? loop->read_buf_count : DEFAULT_COUNT;
	struct uring__bufpool *p;
	unsigned i;
	int ret;

	if (count > URING_BUF_RING_MAX_ENTRIES || (count & (count - 1)))
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->size = size;
	p->count = count;
	p->len = calloc(count, sizeof(*p->len));
	p->next = calloc(count, sizeof(*p->next));
	p->state = calloc(count, sizeof(*p->state));
	/* mmap: a large pool must not come out of (and fragment) the heap */
	p->mem = mmap(NULL, (size_t)size * count, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!p->len || !p->next || !p->state || p->mem == MAP_FAILED) {
		ret = -ENOMEM;
		goto fail;
	}
	ret = uring_buf_ring_setup(&loop->ring, count, URING__POOL_BGID, 0,
				   &p->br);
	if (ret)
		goto fail;
	for (i = 0; i < count; i++)
		uring_buf_ring_add(p->br, uring__bufpool_addr(p, i), size,
				   (unsigned short)i,
				   uring_buf_ring_mask(count), (int)i);
	uring_buf_ring_advance(p->br, (int)count);
	p->avail = count;
	uring__list_init(&p->starved);
	*out = p;
	return 0;
fail:
	if (p->mem != MAP_FAILED && p->mem)
		munmap(p->mem, (size_t)size * count);
	free(p->len);
	free(p->next);
	free(p->state);
	free(p);
	return ret;
}

int uring__bufpool_get(struct uring_loop *loop, struct uring__bufpool **out)
{
	int ret;

	if (!loop->bufpool) {
		ret = pool_create(loop, &loop->bufpool);
		if (ret)
			return ret;
	}
	*out = loop->bufpool;
	return 0;
}

void uring__bufpool_recycle(struct uring__bufpool *p, unsigned bid)
{
	uring_buf_ring_add(p->br, uring__bufpool_addr(p, bid), p->size,
			   (unsigned short)bid, uring_buf_ring_mask(p->count), 0);
	uring_buf_ring_advance(p->br, 1);
	p->state[bid] = URING__BUF_IN_RING;
	p->avail++;
}

int uring_loop_buf_release(struct uring_loop *loop, int id)
{
	struct uring__bufpool *p;

	if (!loop || loop->closed || !loop->bufpool)
		return -EINVAL;
	p = loop->bufpool;
	/* kept and released within the same read callback: undo the keep,
	 * and the buffer goes back when the callback returns */
	if (p->cur_owner && p->cur_kept && id == (int)p->cur_bid) {
		p->cur_kept = false;
		return 0;
	}
	/* only a kept buffer, once: a second release would put one buffer
	 * in the ring twice and hand the same bytes to two reads */
	if (id < 0 || (unsigned)id >= p->count ||
	    p->state[id] != URING__BUF_KEPT)
		return -EINVAL;
	uring__bufpool_recycle(p, (unsigned)id);
	return 0;
}

void uring__bufpool_deliver_begin(struct uring__bufpool *p, const void *owner,
				  unsigned bid)
{
	p->cur_owner = owner;
	p->cur_bid = bid;
	p->cur_kept = false;
}

void uring__bufpool_deliver_end(struct uring__bufpool *p, unsigned bid)
{
	p->cur_owner = NULL;
	if (p->cur_kept)
		p->state[bid] = URING__BUF_KEPT;
	else
		uring__bufpool_recycle(p, bid);
}

int uring__bufpool_keep(struct uring_loop *loop, const void *owner)
{
	struct uring__bufpool *p = loop->bufpool;

	if (!p || p->cur_owner != owner)
		return -EINVAL; /* only from that handle's read callback */
	p->cur_kept = true;
	return (int)p->cur_bid;
}

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

bool uring__bufpool_ready(const struct uring_loop *loop)
{
	const struct uring__bufpool *p = loop->bufpool;

	return p && p->avail && !uring__list_empty(&p->starved);
}

/* Resume waiting readers, one per buffer back in the ring: a reader with
 * bytes waiting takes at least one, so resuming more would only see
 * -ENOBUFS again. */
void uring__bufpool_resume(struct uring_loop *loop)
{
	struct uring__bufpool *p = loop->bufpool;
	struct uring_pool_waiter *w;
	unsigned n;

	if (!uring__bufpool_ready(loop))
		return;
	for (n = p->avail; n && !uring__list_empty(&p->starved); n--) {
		w = uring__container_of(p->starved.next,
					struct uring_pool_waiter, node);
		uring__list_del(&w->node);
		w->resume(w);
	}
}

void uring__bufpool_free(struct uring_loop *loop)
{
	struct uring__bufpool *p = loop->bufpool;

	if (!p)
		return;
	loop->stats.read_pauses = p->pauses;
	(void)uring_buf_ring_free(&loop->ring, p->br, p->count,
				  URING__POOL_BGID);
	munmap(p->mem, (size_t)p->size * p->count);
	free(p->len);
	free(p->next);
	free(p->state);
	free(p);
	loop->bufpool = NULL;
}
