/* SPDX-License-Identifier: MIT */
/*
 * lib/queue.c - submitting SQEs and waiting for CQEs.
 *
 * One rule decides every syscall here: enter the kernel only when there is
 * something to submit that the kernel will not pick up by itself (no SQPOLL,
 * or an SQPOLL thread that went to sleep), or completions we cannot see
 * without it (a wait, overflowed CQEs, deferred task work, IOPOLL).
 */
#include <errno.h>
#include <signal.h>

#include "syscall.h"

/* Kernel sigset size: the kernel rejects glibc's 128-byte sigset_t. */
#define KERNEL_SIGSET_SIZE (_NSIG / 8)

/* Publish the SQEs handed out since the last flush; return how many the
 * kernel has not consumed yet. */
static unsigned flush_sq(struct uring_ring *ring)
{
	struct uring_sq *sq = &ring->sq;
	unsigned tail = sq->sqe_tail;

	if (sq->sqe_head != tail) {
		sq->sqe_head = tail;
		/* release: the SQE stores are visible before the new tail */
		uring__store_release(sq->ktail, tail);
	}
	if (ring->setup_flags & URING_SETUP_SQPOLL)
		return tail - uring__load_acquire(sq->khead);
	/* Without SQPOLL the head only moves inside our own enter calls. */
	return tail - *sq->khead;
}

/* Does submitting `pending` SQEs need a syscall?  Sets SQ_WAKEUP if so. */
static bool sq_needs_enter(struct uring_ring *ring, unsigned pending,
			   unsigned *flags)
{
	if (!pending)
		return false;
	if (!(ring->setup_flags & URING_SETUP_SQPOLL))
		return true;
	/* The poller may have gone to sleep after we published the tail;
	 * the fence orders our tail store before the flags load, pairing with
	 * the kernel's fence between setting NEED_WAKEUP and re-reading tail. */
	uring__fence_full();
	if (uring__load_relaxed(ring->sq.kflags) & URING_SQ_NEED_WAKEUP) {
		*flags |= URING_ENTER_SQ_WAKEUP;
		ring->nr_wakeup++;
		return true;
	}
	return false;
}

static bool cq_needs_enter(const struct uring_ring *ring)
{
	return (ring->setup_flags & URING_SETUP_IOPOLL) ||
	       uring_ring_cq_needs_flush(ring);
}

/* Submit `pending`, optionally waiting for `wait_nr` completions. */
static int submit(struct uring_ring *ring, unsigned pending, unsigned wait_nr,
		  bool getevents)
{
	unsigned flags = 0;
	bool need_cq = getevents || wait_nr || cq_needs_enter(ring);

	if (!sq_needs_enter(ring, pending, &flags) && !need_cq)
		return (int)pending;
	if (need_cq)
		flags |= URING_ENTER_GETEVENTS;
	return uring__enter(ring, pending, wait_nr, flags, NULL, 0);
}

int uring_ring_submit(struct uring_ring *ring)
{
	if (!ring)
		return -EINVAL;
	return submit(ring, flush_sq(ring), 0, false);
}

int uring_ring_submit_and_wait(struct uring_ring *ring, unsigned wait_nr)
{
	if (!ring)
		return -EINVAL;
	return submit(ring, flush_sq(ring), wait_nr, false);
}

int uring_ring_get_events(struct uring_ring *ring)
{
	if (!ring)
		return -EINVAL;
	return uring__enter(ring, 0, 0, URING_ENTER_GETEVENTS, NULL, 0);
}

/* What a wait passes to the kernel: nothing, a bare sigmask, or the
 * extended argument with a timeout (URING_ENTER_EXT_ARG, 5.11). */
struct wait_arg {
	struct uring_getevents_arg ext;
	const void *ptr;
	size_t size;
	unsigned flags;
};

static int make_wait_arg(const struct uring_ring *ring, struct wait_arg *w,
			 const struct uring_timespec *ts,
			 const sigset_t *sigmask)
{
	memset(w, 0, sizeof(*w));
	if (ts) {
		if (!(ring->features & URING_FEAT_EXT_ARG))
			return -EOPNOTSUPP;
		w->ext.sigmask = (uint64_t)(uintptr_t)sigmask;
		w->ext.sigmask_sz = KERNEL_SIGSET_SIZE;
		w->ext.ts = (uint64_t)(uintptr_t)ts;
		w->ptr = &w->ext;
		w->size = sizeof(w->ext);
		w->flags = URING_ENTER_EXT_ARG;
	} else if (sigmask) {
		w->ptr = sigmask;
		w->size = KERNEL_SIGSET_SIZE;
	}
	return 0;
}

/*
 * The one waiting function: submit `pending`, then make sure a CQE is there
 * and, when wait_nr > 0, wait in the kernel until wait_nr are ready, the
 * timeout passes, or a signal comes.  It enters the kernel for the wait at
 * most once per call when a timeout is given (the kernel ends such a wait
 * early, returning 0, when some CQEs are ready at the deadline), so a
 * relative timeout is never restarted.  Returns the number of SQEs submitted
 * (0 or more) with *cqe_ptr set when a CQE is ready, or -errno: -ETIME when
 * none came in time, -EINTR, -EBUSY and -EBADR from the kernel, -EAGAIN when
 * wait_nr is 0 and nothing is ready.
 */
static int get_cqe(struct uring_ring *ring, struct uring_cqe **cqe_ptr,
		   unsigned pending, unsigned wait_nr, const struct wait_arg *w)
{
	int submitted = 0;

	for (;;) {
		unsigned flags = w->flags;
		bool have = uring_ring_peek_cqe(ring, cqe_ptr) == 0;
		bool want_more = wait_nr && (!have ||
					     uring_ring_cq_ready(ring) < wait_nr);
		/* completions we cannot see without the kernel: only worth a
		 * syscall when we have none in hand */
		bool need_cq = want_more || (!have && cq_needs_enter(ring));
		bool need_sq = sq_needs_enter(ring, pending, &flags);
		int ret;

		if (!need_sq)
			pending = 0; /* nothing, or an awake SQPOLL thread */
		if (!need_sq && !need_cq)
			return (have || !wait_nr) ? submitted : -EAGAIN;
		if (need_cq)
			flags |= URING_ENTER_GETEVENTS;
		ret = uring__enter(ring, pending, want_more ? wait_nr : 0, flags,
				   w->ptr, w->size);
		if (ret < 0)
			return submitted ? submitted : ret;
		submitted += ret;
		pending -= (unsigned)ret < pending ? (unsigned)ret : pending;
		if (!need_cq)
			continue; /* only submitted: now look at the CQ */
		have = uring_ring_peek_cqe(ring, cqe_ptr) == 0;
		if (have || !wait_nr)
			return have || submitted ? submitted : -EAGAIN;
		/* woke with nothing: a timed wait is over, an untimed one
		 * (task work ran, an overflow flushed nothing) goes on */
		if (w->flags & URING_ENTER_EXT_ARG)
			return submitted ? submitted : -ETIME;
	}
}

int uring_ring_wait_cqes(struct uring_ring *ring, struct uring_cqe **cqe_ptr,
			 unsigned wait_nr, const struct uring_timespec *ts,
			 const sigset_t *sigmask)
{
	struct wait_arg w;
	int ret;

	if (!ring || !cqe_ptr)
		return -EINVAL;
	ret = make_wait_arg(ring, &w, ts, sigmask);
	if (ret)
		return ret;
	ret = get_cqe(ring, cqe_ptr, 0, wait_nr ? wait_nr : 1, &w);
	return ret < 0 ? ret : 0;
}

int uring_ring_wait_cqe_timeout(struct uring_ring *ring,
				struct uring_cqe **cqe_ptr,
				const struct uring_timespec *ts)
{
	return uring_ring_wait_cqes(ring, cqe_ptr, 1, ts, NULL);
}

int uring_ring_submit_and_wait_timeout(struct uring_ring *ring,
				       struct uring_cqe **cqe_ptr,
				       unsigned wait_nr,
				       const struct uring_timespec *ts,
				       const sigset_t *sigmask)
{
	return uring_ring_submit_and_wait_min_timeout(ring, cqe_ptr, wait_nr,
						      ts, 0, sigmask);
}

int uring_ring_submit_and_wait_min_timeout(struct uring_ring *ring,
					   struct uring_cqe **cqe_ptr,
					   unsigned wait_nr,
					   const struct uring_timespec *ts,
					   unsigned min_wait_usec,
					   const sigset_t *sigmask)
{
	/* 6.18 ends a wait with a minimum but no timeout with -ETIME once
	 * the minimum has passed, CQE or not: "no timeout" is a far one */
	static const struct uring_timespec forever = {.tv_sec = INT32_MAX};
	struct wait_arg w;
	int ret;

	if (!ring || !cqe_ptr)
		return -EINVAL;
	if (min_wait_usec && !ts)
		ts = &forever;
	ret = make_wait_arg(ring, &w, ts, sigmask);
	if (ret)
		return ret;
	if (min_wait_usec) {
		/* the minimum travels in the extended argument */
		if (!(ring->features & URING_FEAT_MIN_TIMEOUT))
			return -EOPNOTSUPP;
		w.ext.sigmask = (uint64_t)(uintptr_t)sigmask;
		w.ext.sigmask_sz = KERNEL_SIGSET_SIZE;
		w.ext.min_wait_usec = min_wait_usec;
		w.ptr = &w.ext;
		w.size = sizeof(w.ext);
		w.flags = URING_ENTER_EXT_ARG;
	}
	return get_cqe(ring, cqe_ptr, flush_sq(ring), wait_nr, &w);
}

unsigned uring_ring_peek_batch_cqe(struct uring_ring *ring,
				   struct uring_cqe **cqes, unsigned count)
{
	unsigned n = 0, avail;
	bool flushed = false;

	if (!ring || !cqes || !count)
		return 0;
	/* On mixed rings CQEs differ in size: hand out one at a time, so that
	 * uring_cqe_seen() always releases the right number of slots. */
	if (ring->setup_flags & URING_SETUP_CQE_MIXED) {
		if (uring_ring_peek_cqe(ring, &cqes[0]) == 0)
			return 1;
		if (!uring_ring_cq_needs_flush(ring))
			return 0;
		(void)uring_ring_get_events(ring);
		return uring_ring_peek_cqe(ring, &cqes[0]) == 0 ? 1 : 0;
	}
again:
	avail = uring_ring_cq_ready(ring);
	if (!avail && !flushed && uring_ring_cq_needs_flush(ring)) {
		(void)uring_ring_get_events(ring);
		flushed = true;
		goto again;
	}
	for (; n < avail && n < count; n++)
		cqes[n] = uring__cqe_at(ring, *ring->cq.khead + n);
	return n;
}
