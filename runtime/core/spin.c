/* SPDX-License-Identifier: MIT */
/*
 * runtime/core/spin.c - busy-poll before a wait (the spin_usec loop option).
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
 *
 * The spin adapts, as KVM's halt-polling does: after a spin that caught
 * nothing, the loop sleeps, and when it wakes it looks at how long after
 * the spin began the event came.  Within spin_usec, a longer spin would
 * have caught it: the window doubles (from 10 us when it was none, up to
 * spin_usec).  Later, spinning was CPU spent for nothing: the window
 * halves, down to none.  So a loop whose events come faster than
 * spin_usec keeps spinning, and one woken seldom soon stops.
 */
#include "loop-internal.h"

#define SPIN_GROW_FROM_NS 10000u /* a window of none grows to this */
#define SPIN_MIN_NS 1000u        /* a window halved below this is none */

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#endif
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

/* What is left of a timeout of timeout_ms (> 0) after spent_ns.  Never
 * below 0: a spin stretched past the timeout (the thread preempted, a
 * signal handler run in the middle) leaves a timer due, and a negative
 * timeout would mean "none" to poll_io - a wait with no end. */
static int64_t time_left(int64_t timeout_ms, uint64_t spent_ns)
{
	uint64_t spent_ms = spent_ns / 1000000u;

	return spent_ms < (uint64_t)timeout_ms ? timeout_ms - (int64_t)spent_ms
					       : 0;
}

/* Hand the queued SQEs to the kernel, then watch for up to the spin's
 * window, or until *timeout_ms when sooner (-1: no timeout).  True when
 * there is work to reap and the wait can be skipped; else *timeout_ms is
 * what is left of the wait's timeout (0 when the spin used it all: a
 * timer is due). */
bool uring__loop_spin(struct uring_loop *loop, int64_t *timeout_ms)
{
	uint64_t limit_ns = loop->spin_window_ns, now;
	bool to_timeout = false;
	unsigned i;

	loop->spin_start_ns = uring__clock_ns();
	if (!limit_ns)
		return false; /* adapted down to none: only the clock is read */
	if (*timeout_ms > 0 && (uint64_t)*timeout_ms * 1000000u <= limit_ns) {
		limit_ns = (uint64_t)*timeout_ms * 1000000u;
		to_timeout = true;
	}
	if (uring_ring_sq_ready(&loop->ring) && uring__loop_submit(loop) < 0)
		return false; /* the wait's own submit will say why */
	do {
		/* a few checks between clock reads: both are cheap, the
		 * clock a little less so in a VM */
		for (i = 0; i < 16; i++) {
			if (work_ready(loop)) {
				now = uring__clock_ns();
				loop->stats.spin_hits++;
				loop->spin_ns_total += now - loop->spin_start_ns;
				return true;
			}
			cpu_relax();
		}
		now = uring__clock_ns();
	} while (now - loop->spin_start_ns < limit_ns);
	loop->spin_ns_total += now - loop->spin_start_ns;
	if (to_timeout)
		*timeout_ms = 0;
	else if (*timeout_ms > 0)
		*timeout_ms = time_left(*timeout_ms, now - loop->spin_start_ns);
	return false;
}

void uring__loop_spin_adapt(struct uring_loop *loop)
{
	uint64_t max_ns = (uint64_t)loop->spin_usec * 1000u;
	uint64_t came_after = uring__clock_ns() - loop->spin_start_ns;
	uint64_t w = loop->spin_window_ns;

	if (came_after <= max_ns) /* a longer spin would have caught it */
		w = w ? w * 2 : SPIN_GROW_FROM_NS;
	else
		w = w / 2 >= SPIN_MIN_NS ? w / 2 : 0;
	loop->spin_window_ns = (uint32_t)(w < max_ns ? w : max_ns);
}
