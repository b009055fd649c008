/* SPDX-License-Identifier: MIT */
/*
 * runtime/spin.c - busy-poll before a wait (the spin_usec loop option).
 *
 * Sleeping in io_uring_enter(2) and being woken costs two trips through
 * the scheduler, and on a VM an interrupt through the hypervisor: about
 * 7 us a wakeup on the 2-vCPU machine of docs/PERFORMANCE.md, which is
 * what bounds a ping-pong or a cross-thread wakeup whatever the loop does.
 * A loop that watches its CQ instead of sleeping sees an event as soon as
 * the kernel posts it.
 *
 * What the spin watches:
 *   - CQEs in the CQ (inline completions of what was just submitted, and
 *     completions the kernel posts directly);
 *   - the SQ's TASKRUN flag: with DEFER_TASKRUN (the loop's default) a
 *     completion that needs the loop's task - a receive, a poll, an async
 *     wakeup, a message from another loop - waits as task work until the
 *     task enters the kernel for events; the kernel raises the flag when
 *     it queues some, and one non-blocking enter runs it (measured on
 *     6.18: the flag shows within microseconds of the sender's write).
 *     COOP_TASKRUN raises the same flag; without either, the kernel
 *     interrupts the task to run its work and the CQE simply appears;
 *     with SQPOLL its thread posts it (tests/spin-test covers all four).
 *     A kernel that refused TASKRUN_FLAG under COOP would leave such
 *     work unseen until the usual sleep: slower, never wrong.
 * It stops at the loop's next timer, so it never delays one.
 */
#include <time.h>

#include "loop-internal.h"

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#endif
}

static uint64_t clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Is there something to reap?  Runs the kernel's deferred work first when
 * the kernel says it queued some. */
static bool work_ready(struct uring_loop *loop)
{
	if (uring_ring_cq_ready(&loop->ring))
		return true;
	if (!uring_ring_cq_needs_flush(&loop->ring))
		return false;
	/* task work or an overflow: one enter that does not wait (it may be
	 * the one the kernel tells of a CQE it could not keep) */
	if (uring_ring_get_events(&loop->ring) == -EBADR)
		uring__loop_report_lost(loop);
	return uring_ring_cq_ready(&loop->ring) ||
	       uring_ring_cq_has_overflow(&loop->ring);
}

/* Hand the queued SQEs to the kernel, then watch for up to spin_usec, or
 * until *timeout_ms when sooner (-1: no timeout).  True when there is work
 * to reap and the wait can be skipped; else *timeout_ms is what is left of
 * the wait's timeout (0 when the spin used it all: a timer is due). */
bool uring__loop_spin(struct uring_loop *loop, int64_t *timeout_ms)
{
	uint64_t limit_ns = (uint64_t)loop->spin_usec * 1000u, start, now;
	bool to_timeout = false;
	unsigned i;

	if (*timeout_ms > 0 && (uint64_t)*timeout_ms * 1000000u <= limit_ns) {
		limit_ns = (uint64_t)*timeout_ms * 1000000u;
		to_timeout = true;
	}
	if (uring_ring_sq_ready(&loop->ring) && uring__loop_submit(loop) < 0)
		return false; /* the wait's own submit will say why */
	start = now = clock_ns();
	do {
		/* a few checks between clock reads: both are cheap, the
		 * clock a little less so in a VM */
		for (i = 0; i < 16; i++) {
			if (work_ready(loop)) {
				loop->stats.spin_hits++;
				return true;
			}
			cpu_relax();
		}
		now = clock_ns();
	} while (now - start < limit_ns);
	if (to_timeout)
		*timeout_ms = 0;
	else if (*timeout_ms > 0)
		*timeout_ms -= (int64_t)((now - start) / 1000000u);
	return false;
}
