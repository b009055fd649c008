/* SPDX-License-Identifier: MIT */
/*
 * lib/setup.c - creating and destroying a ring: io_uring_setup(2) with the
 * documented flag fallback, ring memory (one mmap, two, or caller memory with
 * URING_SETUP_NO_MMAP) and the registered ring fd.
 */
#include <errno.h>
#include <string.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include "syscall.h"

/* Order in which optional setup flags are given up when the kernel says
 * -EINVAL: newest and least essential first, so an old kernel ends up with
 * the best subset it knows (see struct uring_ring_options). */
static const unsigned fallback_order[] = {
	URING_SETUP_NO_SQARRAY,    URING_SETUP_CQE_MIXED,
	URING_SETUP_HYBRID_IOPOLL, URING_SETUP_DEFER_TASKRUN,
	URING_SETUP_TASKRUN_FLAG,  URING_SETUP_COOP_TASKRUN,
	URING_SETUP_SINGLE_ISSUER, URING_SETUP_SUBMIT_ALL,
};

static unsigned drop_one_optional(unsigned optional)
{
	size_t i;

	for (i = 0; i < sizeof(fallback_order) / sizeof(fallback_order[0]); i++)
		if (optional & fallback_order[i])
			return optional & ~fallback_order[i];
	return optional & (optional - 1); /* lowest remaining bit */
}

static unsigned round_pow2(unsigned v)
{
	unsigned r = 1;

	while (r < v)
		r <<= 1;
	return r;
}

static size_t page_align(size_t v)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	return (v + page - 1) & ~(page - 1);
}

/* Queue sizes the kernel will choose for these options. */
static void queue_sizes(const struct uring_ring_options *o, unsigned flags,
			unsigned *sq, unsigned *cq)
{
	*sq = round_pow2(o->sq_entries);
	if ((flags & URING_SETUP_CLAMP) && *sq > URING_MAX_SQ_ENTRIES)
		*sq = URING_MAX_SQ_ENTRIES;
	*cq = o->cq_entries ? round_pow2(o->cq_entries) : 2 * *sq;
	if ((flags & URING_SETUP_CLAMP) && *cq > URING_MAX_CQ_ENTRIES)
		*cq = URING_MAX_CQ_ENTRIES;
}

/*
 * NO_MMAP layout: [rings: header, CQEs, SQ array][SQEs], each part page
 * aligned.  The kernel's ring header is under 1 KiB; we reserve that much
 * instead of depending on its exact size.
 */
#define RING_HEADER_RESERVE 1024

static void no_mmap_sizes(const struct uring_ring_options *o, unsigned flags,
			  size_t *rings_sz, size_t *sqes_sz)
{
	unsigned sq, cq;
	size_t cqe_sz = (flags & URING_SETUP_CQE32) ? 32 : 16;
	size_t sqe_sz = (flags & URING_SETUP_SQE128) ? 128 : 64;
	size_t sz;

	queue_sizes(o, flags, &sq, &cq);
	sz = RING_HEADER_RESERVE + (size_t)cq * cqe_sz;
	if (!(flags & URING_SETUP_NO_SQARRAY))
		sz += 64 + (size_t)sq * sizeof(unsigned);
	*rings_sz = page_align(sz);
	*sqes_sz = page_align((size_t)sq * sqe_sz);
}

ssize_t uring_ring_mem_size(const struct uring_ring_options *opts)
{
	size_t rings_sz, sqes_sz;

	if (!opts || !opts->sq_entries)
		return -EINVAL;
	/* The largest layout the fallback can end with: NO_SQARRAY shrinks
	 * it, so count it only when it is required. */
	no_mmap_sizes(opts,
		      opts->flags |
			      (opts->optional_flags & ~URING_SETUP_NO_SQARRAY),
		      &rings_sz, &sqes_sz);
	return (ssize_t)(rings_sz + sqes_sz);
}

static int check_options(const struct uring_ring_options *o)
{
	unsigned all = o->flags | o->optional_flags;
	size_t i;

	if (!o->sq_entries)
		return -EINVAL;
	/* options of a newer header this library cannot honour */
	for (i = 0; i < sizeof(o->reserved) / sizeof(o->reserved[0]); i++)
		if (o->reserved[i])
			return -EINVAL;
	if (!(all & URING_SETUP_CLAMP) &&
	    (o->sq_entries > URING_MAX_SQ_ENTRIES ||
	     o->cq_entries > URING_MAX_CQ_ENTRIES))
		return -EINVAL;
	if (o->cq_entries && o->cq_entries < o->sq_entries)
		return -EINVAL;
	if (all & ~URING_SETUP_ALL_6_18)
		return -EINVAL;
	/* CQSIZE is implied by cq_entries; asking for it without a size is a
	 * mistake the kernel would only report as a bare -EINVAL. */
	if ((all & URING_SETUP_CQSIZE) && !o->cq_entries)
		return -EINVAL;
	if (o->ring_flags & ~URING_RING_NO_REGISTER_FD)
		return -EINVAL;
	if (o->mem && !(all & URING_SETUP_NO_MMAP))
		return -EINVAL;
	if ((all & URING_SETUP_REGISTERED_FD_ONLY) && !(all & URING_SETUP_NO_MMAP))
		return -EINVAL;
	if (o->mem && ((uintptr_t)o->mem & ((uintptr_t)sysconf(_SC_PAGESIZE) - 1)))
		return -EINVAL;
	return 0;
}

/* Give the kernel the NO_MMAP memory, ours or the caller's. */
static int attach_mem(struct uring_ring *ring, const struct uring_ring_options *o,
		      unsigned flags, struct uring_params *p)
{
	URING__KEEP_ERRNO();
	size_t rings_sz, sqes_sz;
	void *mem;

	no_mmap_sizes(o, flags, &rings_sz, &sqes_sz);
	if (o->mem) {
		if (o->mem_size < rings_sz + sqes_sz)
			return -EINVAL;
		mem = o->mem;
		ring->lib_flags |= URING_RING__USER_MEM;
	} else {
		mem = mmap(NULL, rings_sz + sqes_sz, PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (mem == MAP_FAILED)
			return -ENOMEM;
		ring->lib_flags |= URING_RING__OWN_MEM;
	}
	ring->mem = mem;
	ring->mem_sz = rings_sz + sqes_sz;
	p->cq_off.user_addr = (uint64_t)(uintptr_t)mem;
	p->sq_off.user_addr = (uint64_t)(uintptr_t)((char *)mem + rings_sz);
	return 0;
}

static void release_mem(struct uring_ring *ring)
{
	URING__KEEP_ERRNO();

	if (ring->lib_flags & URING_RING__OWN_MEM)
		munmap(ring->mem, ring->mem_sz);
	ring->lib_flags &= ~(URING_RING__OWN_MEM | URING_RING__USER_MEM);
	ring->mem = NULL;
	ring->mem_sz = 0;
}

/* Point the ring's fields at the kernel's queues, which start at sq_base /
 * cq_base (the same place with a single mapping). */
static void wire_queues(struct uring_ring *ring, const struct uring_params *p,
			char *sq_base, char *cq_base, struct uring_sqe *sqes)
{
	struct uring_sq *sq = &ring->sq;
	struct uring_cq *cq = &ring->cq;
	unsigned i;

	sq->khead = (unsigned *)(sq_base + p->sq_off.head);
	sq->ktail = (unsigned *)(sq_base + p->sq_off.tail);
	sq->kflags = (unsigned *)(sq_base + p->sq_off.flags);
	sq->kdropped = (unsigned *)(sq_base + p->sq_off.dropped);
	sq->ring_mask = *(unsigned *)(sq_base + p->sq_off.ring_mask);
	sq->ring_entries = *(unsigned *)(sq_base + p->sq_off.ring_entries);
	sq->sqes = sqes;
	sq->sqe_head = sq->sqe_tail = *sq->ktail;
	sq->array = NULL;
	if (!(ring->setup_flags & URING_SETUP_NO_SQARRAY)) {
		/* An identity map, written once, so submitting never
		 * touches the array again. */
		sq->array = (unsigned *)(sq_base + p->sq_off.array);
		for (i = 0; i < sq->ring_entries; i++)
			sq->array[i] = i;
	}
	cq->khead = (unsigned *)(cq_base + p->cq_off.head);
	cq->ktail = (unsigned *)(cq_base + p->cq_off.tail);
	cq->kflags = (unsigned *)(cq_base + p->cq_off.flags);
	cq->koverflow = (unsigned *)(cq_base + p->cq_off.overflow);
	cq->ring_mask = *(unsigned *)(cq_base + p->cq_off.ring_mask);
	cq->ring_entries = *(unsigned *)(cq_base + p->cq_off.ring_entries);
	cq->cqes = (struct uring_cqe *)(cq_base + p->cq_off.cqes);
}

static void unmap_queues(struct uring_ring *ring)
{
	URING__KEEP_ERRNO();

	if (ring->sq.sqes && !ring->mem)
		munmap(ring->sq.sqes, ring->sq.sqes_sz);
	if (ring->cq.ring_ptr && ring->cq.ring_ptr != ring->sq.ring_ptr)
		munmap(ring->cq.ring_ptr, ring->cq.ring_sz);
	if (ring->sq.ring_ptr && !ring->mem)
		munmap(ring->sq.ring_ptr, ring->sq.ring_sz);
	ring->sq.ring_ptr = ring->cq.ring_ptr = NULL;
	ring->sq.sqes = NULL;
}

static void *map(int fd, size_t len, uint64_t off)
{
	URING__KEEP_ERRNO();
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, fd, (off_t)off);

	return p == MAP_FAILED ? NULL : p;
}

/* Map the queues of a ring made without NO_MMAP: one mapping for both rings
 * where the kernel allows it (URING_FEAT_SINGLE_MMAP, 5.4), two otherwise. */
static int map_queues(struct uring_ring *ring, const struct uring_params *p)
{
	size_t cqe_sz = (ring->setup_flags & URING_SETUP_CQE32) ? 32 : 16;
	size_t sqe_sz = (ring->setup_flags & URING_SETUP_SQE128) ? 128 : 64;
	struct uring_sq *sq = &ring->sq;
	struct uring_cq *cq = &ring->cq;
	int fd = ring->ring_fd;

	sq->ring_sz = p->sq_off.array + p->sq_entries * sizeof(unsigned);
	if (ring->setup_flags & URING_SETUP_NO_SQARRAY)
		sq->ring_sz = p->sq_off.ring_entries + sizeof(unsigned);
	cq->ring_sz = p->cq_off.cqes + p->cq_entries * cqe_sz;
	if (p->features & URING_FEAT_SINGLE_MMAP) {
		if (cq->ring_sz > sq->ring_sz)
			sq->ring_sz = cq->ring_sz;
		cq->ring_sz = sq->ring_sz;
	}
	sq->ring_ptr = map(fd, sq->ring_sz, URING_OFF_SQ_RING);
	if (!sq->ring_ptr)
		return -ENOMEM;
	cq->ring_ptr = sq->ring_ptr;
	if (!(p->features & URING_FEAT_SINGLE_MMAP)) {
		cq->ring_ptr = map(fd, cq->ring_sz, URING_OFF_CQ_RING);
		if (!cq->ring_ptr)
			goto fail;
	}
	sq->sqes_sz = p->sq_entries * sqe_sz;
	sq->sqes = map(fd, sq->sqes_sz, URING_OFF_SQES);
	if (!sq->sqes)
		goto fail;
	wire_queues(ring, p, sq->ring_ptr, cq->ring_ptr, sq->sqes);
	return 0;
fail:
	unmap_queues(ring);
	return -ENOMEM;
}

static void fill_params(struct uring_params *p, const struct uring_ring_options *o,
			unsigned flags)
{
	memset(p, 0, sizeof(*p));
	p->flags = flags;
	if (o->cq_entries) {
		p->flags |= URING_SETUP_CQSIZE;
		p->cq_entries = o->cq_entries;
	}
	p->sq_thread_idle = o->sq_thread_idle_ms;
	p->sq_thread_cpu = o->sq_thread_cpu;
	if (flags & URING_SETUP_ATTACH_WQ)
		p->wq_fd = (uint32_t)o->wq_fd;
}

/* One io_uring_setup(2) attempt with exactly `flags`.  *asked tells
 * whether the kernel was asked (a refusal of ours ends the fallback). */
static int try_setup(struct uring_ring *ring, const struct uring_ring_options *o,
		     unsigned flags, struct uring_params *p, bool *asked)
{
	int ret;

	*asked = false;
	fill_params(p, o, flags);
	if (flags & URING_SETUP_NO_MMAP) {
		ret = attach_mem(ring, o, flags, p);
		if (ret)
			return ret;
	}
	*asked = true;
	ret = uring__sys_setup(o->sq_entries, p);
	if (ret < 0)
		release_mem(ring);
	return ret;
}

static void finish_fd_setup(struct uring_ring *ring, int fd,
			    const struct uring_ring_options *o)
{
	if (ring->setup_flags & URING_SETUP_REGISTERED_FD_ONLY) {
		/* setup returned a registered index, there is no fd */
		ring->ring_fd = -1;
		ring->enter_fd = fd;
		ring->enter_flags = URING_ENTER_REGISTERED_RING;
		ring->lib_flags |= URING_RING__REG_FD | URING_RING__REG_REG_RING;
		ring->reg_thread = (uintptr_t)pthread_self();
		return;
	}
	ring->ring_fd = ring->enter_fd = fd;
	/* A disabled ring is usually about to be restricted, and a restricted
	 * ring may refuse URING_UNREGISTER_RING_FDS (-EACCES), which would
	 * keep it alive until the thread exits: register only on request. */
	if (ring->setup_flags & URING_SETUP_R_DISABLED)
		return;
	/* Kernels before 5.18 refuse; the plain fd then keeps working. */
	if (!(o->ring_flags & URING_RING_NO_REGISTER_FD))
		(void)uring_register_ring_fd(ring);
}

int uring_ring_init_options(struct uring_ring *ring,
			    const struct uring_ring_options *o)
{
	URING__KEEP_ERRNO(); /* close() of a ring that could not be mapped */
	unsigned optional;
	struct uring_params p;
	bool asked;
	int fd, ret;

	if (!ring || !o)
		return -EINVAL;
	ret = check_options(o);
	if (ret)
		return ret;
	memset(ring, 0, sizeof(*ring));
	optional = o->optional_flags & ~o->flags;
	for (;;) {
		fd = try_setup(ring, o, o->flags | optional, &p, &asked);
		if (fd != -EINVAL || !optional || !asked)
			break;
		optional = drop_one_optional(optional);
	}
	if (fd < 0) {
		ring->ring_fd = ring->enter_fd = -1;
		return fd;
	}
	ring->setup_flags = p.flags;
	ring->features = p.features;
	ring->sqe_shift = (p.flags & URING_SETUP_SQE128) ? 1 : 0;
	ring->cqe_shift = (p.flags & URING_SETUP_CQE32) ? 1 : 0;
	if (p.flags & URING_SETUP_NO_MMAP) {
		char *rings = ring->mem;
		size_t rings_sz = (size_t)((uintptr_t)p.sq_off.user_addr -
					   (uintptr_t)rings);

		ring->sq.ring_ptr = ring->cq.ring_ptr = rings;
		ring->sq.ring_sz = ring->cq.ring_sz = rings_sz;
		ring->sq.sqes_sz = ring->mem_sz - rings_sz;
		wire_queues(ring, &p, rings, rings,
			    (struct uring_sqe *)(rings + rings_sz));
	} else {
		ring->ring_fd = fd;
		ret = map_queues(ring, &p);
		if (ret) {
			close(fd);
			return ret;
		}
	}
	finish_fd_setup(ring, fd, o);
	return 0;
}

int uring_ring_init(struct uring_ring *ring, unsigned entries, unsigned flags)
{
	struct uring_ring_options o;

	memset(&o, 0, sizeof(o));
	o.sq_entries = entries;
	o.flags = flags;
	/* NO_SQARRAY saves a cache line per submit where the kernel has it. */
	o.optional_flags = URING_SETUP_NO_SQARRAY;
	return uring_ring_init_options(ring, &o);
}

void uring_ring_exit(struct uring_ring *ring)
{
	URING__KEEP_ERRNO();

	if (!ring || (!ring->sq.ring_ptr && !ring->mem))
		return;
	unmap_queues(ring);
	/* A registered ring fd holds its own reference to the ring: drop it,
	 * or closing the fd would not free the ring until the thread exits. */
	if (ring->lib_flags & URING_RING__REG_FD)
		(void)uring_unregister_ring_fd(ring); /* no-op on other threads */
	if (ring->ring_fd >= 0)
		close(ring->ring_fd);
	release_mem(ring);
	memset(ring, 0, sizeof(*ring));
	ring->ring_fd = ring->enter_fd = -1;
}

int uring_register_ring_fd(struct uring_ring *ring)
{
	struct uring_rsrc_update up;
	int ret;

	if (!ring)
		return -EINVAL;
	if (ring->lib_flags & URING_RING__REG_FD)
		return -EEXIST;
	if (ring->ring_fd < 0)
		return -EINVAL;
	memset(&up, 0, sizeof(up));
	up.offset = -1U; /* any free slot */
	up.data = (uint64_t)ring->ring_fd;
	ret = uring__sys_register(ring->ring_fd, URING_REGISTER_RING_FDS, &up, 1);
	if (ret != 1)
		return ret < 0 ? ret : -EIO;
	ring->enter_fd = (int)up.offset;
	ring->enter_flags = URING_ENTER_REGISTERED_RING;
	ring->lib_flags |= URING_RING__REG_FD;
	ring->reg_thread = (uintptr_t)pthread_self();
	if (ring->features & URING_FEAT_REG_REG_RING)
		ring->lib_flags |= URING_RING__REG_REG_RING;
	return (int)up.offset;
}

int uring_unregister_ring_fd(struct uring_ring *ring)
{
	struct uring_rsrc_update up;
	int ret;

	if (!ring || !(ring->lib_flags & URING_RING__REG_FD))
		return -EINVAL;
	/* Another thread's index table would be hit: refuse. */
	if (!uring__use_index(ring))
		return -EINVAL;
	memset(&up, 0, sizeof(up));
	up.offset = (uint32_t)ring->enter_fd;
	if (ring->ring_fd >= 0)
		ret = uring__sys_register(ring->ring_fd,
					  URING_UNREGISTER_RING_FDS, &up, 1);
	else /* REGISTERED_FD_ONLY: this drops the last reference */
		ret = uring__sys_register(ring->enter_fd,
					  URING_UNREGISTER_RING_FDS |
						  URING_REGISTER_USE_REGISTERED_RING,
					  &up, 1);
	if (ret != 1)
		return ret < 0 ? ret : -EIO;
	ring->enter_fd = ring->ring_fd;
	ring->enter_flags = 0;
	ring->lib_flags &= ~(URING_RING__REG_FD | URING_RING__REG_REG_RING);
	return 0;
}

int uring_ring_fd(const struct uring_ring *ring)
{
	if (!ring)
		return -EINVAL;
	/* URING_SETUP_REGISTERED_FD_ONLY rings have no fd */
	return ring->ring_fd >= 0 ? ring->ring_fd : -EBADF;
}

unsigned uring_ring_setup_flags(const struct uring_ring *ring)
{
	return ring ? ring->setup_flags : 0;
}

unsigned uring_ring_features(const struct uring_ring *ring)
{
	return ring ? ring->features : 0;
}

unsigned uring_ring_sq_entries(const struct uring_ring *ring)
{
	return ring ? ring->sq.ring_entries : 0;
}

unsigned uring_ring_cq_entries(const struct uring_ring *ring)
{
	return ring ? ring->cq.ring_entries : 0;
}

int uring_ring_enable(struct uring_ring *ring)
{
	if (!ring)
		return -EINVAL;
	return uring__register(ring, URING_REGISTER_ENABLE_RINGS, NULL, 0);
}
