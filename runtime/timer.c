/* SPDX-License-Identifier: MIT */
/*
 * runtime/timer.c - timers live in user space, in one pairing heap per loop
 * ordered by (due time, start order).  The kernel sees none of them: the
 * loop's single wait is bounded by the nearest deadline.
 */
#include <string.h>

#include "loop-internal.h"

#define TIMER(n) uring__container_of((n), struct uring_timer, heap)

static bool timer_less(const struct uring_heap_node *a,
		       const struct uring_heap_node *b)
{
	const struct uring_timer *ta = TIMER(a), *tb = TIMER(b);

	if (ta->due != tb->due)
		return ta->due < tb->due;
	return ta->seq < tb->seq; /* equal deadlines fire in start order */
}

int uring_timer_init(struct uring_loop *loop, struct uring_timer *timer)
{
	void *data;

	if (!loop || !timer || loop->closed)
		return -EINVAL;
	data = timer->handle.data;
	memset(timer, 0, sizeof(*timer));
	timer->handle.data = data;
	uring__handle_init(loop, &timer->handle, URING_HANDLE_TIMER);
	return 0;
}

static void timer_unlink(struct uring_timer *timer)
{
	if (timer->handle.flags & URING_HANDLE__ACTIVE) {
		uring__heap_remove(&timer->handle.loop->timers, &timer->heap,
				   timer_less);
		uring__handle_stop(&timer->handle);
	}
}

int uring_timer_start(struct uring_timer *timer, uring_timer_cb cb,
		      uint64_t timeout, uint64_t repeat)
{
	struct uring_loop *loop;
	int ret;

	if (!timer || !cb)
		return -EINVAL;
	ret = uring__handle_check(&timer->handle, URING_HANDLE_TIMER);
	if (ret)
		return ret;
	loop = timer->handle.loop;
	timer_unlink(timer); /* starting an active timer restarts it */
	timer->cb = cb;
	timer->repeat = repeat;
	timer->due = loop->now_ms + timeout;
	if (timer->due < loop->now_ms) /* overflow: never */
		timer->due = UINT64_MAX;
	timer->seq = loop->timer_seq++;
	uring__heap_insert(&loop->timers, &timer->heap, timer_less);
	uring__handle_start(&timer->handle);
	return 0;
}

int uring_timer_stop(struct uring_timer *timer)
{
	if (!timer || !timer->handle.loop ||
	    timer->handle.type != URING_HANDLE_TIMER)
		return -EINVAL;
	timer_unlink(timer);
	return 0;
}

int uring_timer_again(struct uring_timer *timer)
{
	if (!timer || !timer->handle.loop ||
	    timer->handle.type != URING_HANDLE_TIMER || !timer->cb)
		return -EINVAL;
	if (!timer->repeat)
		return -EINVAL;
	return uring_timer_start(timer, timer->cb, timer->repeat,
				 timer->repeat);
}

void uring_timer_set_repeat(struct uring_timer *timer, uint64_t repeat)
{
	if (timer)
		timer->repeat = repeat;
}

uint64_t uring_timer_get_repeat(const struct uring_timer *timer)
{
	return timer ? timer->repeat : 0;
}

uint64_t uring_timer_get_due_in(const struct uring_timer *timer)
{
	uint64_t now;

	if (!timer || !(timer->handle.flags & URING_HANDLE__ACTIVE))
		return 0;
	now = timer->handle.loop->now_ms;
	return timer->due > now ? timer->due - now : 0;
}

void uring__timer_close(struct uring_timer *timer)
{
	timer_unlink(timer);
}

/*
 * Fire every timer due now that was started before `started_before` (a
 * timer_seq value).  A timer (re)started from a callback gets a newer
 * sequence number and waits for the next iteration, even with a 0 ms
 * timeout: no busy loop.
 */
void uring__run_timers(struct uring_loop *loop, uint64_t started_before)
{
	struct uring_timer *timer;

	while (loop->timers) {
		timer = TIMER(loop->timers);
		if (timer->due > loop->now_ms || timer->seq >= started_before)
			break;
		timer_unlink(timer);
		if (timer->repeat)
			uring_timer_start(timer, timer->cb, timer->repeat,
					  timer->repeat);
		timer->cb(timer);
	}
}

int64_t uring__next_timeout(const struct uring_loop *loop)
{
	const struct uring_timer *timer;

	if (!loop->timers)
		return -1;
	timer = TIMER(loop->timers);
	if (timer->due <= loop->now_ms)
		return 0;
	return (int64_t)(timer->due - loop->now_ms);
}
