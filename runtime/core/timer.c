/* SPDX-License-Identifier: MIT */
/*
 * runtime/core/timer.c - timers live in user space, in one pairing heap per loop
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
	if (timer->handle.flags & URING_HANDLE__PARKED) { /* not in the heap */
		timer->handle.flags &= ~URING_HANDLE__PARKED;
		uring__handle_stop(&timer->handle);
		return;
	}
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

/* Timers a pass may hold aside; beyond that it stops early (they run on
 * the next pass: later, never lost). */
#define PARK_MAX 64

/*
 * Fire every timer due now that was started before `started_before` (a
 * timer_seq value).  A timer (re)started since gets a newer sequence
 * number and waits for the next pass, even with a 0 ms timeout: no busy
 * loop.  Such a timer may sit at the top of the heap ahead of older due
 * ones (restarted early in an iteration, due before them), so it is
 * parked - taken out of the heap for this pass and put back after - and
 * the older ones behind it still fire.  A callback that stops, restarts or
 * closes a parked timer clears its PARKED mark.
 */
void uring__run_timers(struct uring_loop *loop, uint64_t started_before)
{
	struct uring_timer *timer, *parked[PARK_MAX];
	unsigned n = 0, i;

	while (loop->timers) {
		timer = TIMER(loop->timers);
		if (timer->due > loop->now_ms)
			break;
		if (timer->seq >= started_before) {
			if (n == PARK_MAX)
				break;
			uring__heap_remove(&loop->timers, &timer->heap,
					   timer_less);
			timer->handle.flags |= URING_HANDLE__PARKED;
			parked[n++] = timer;
			continue;
		}
		timer_unlink(timer);
		if (timer->repeat)
			uring_timer_start(timer, timer->cb, timer->repeat,
					  timer->repeat);
		timer->cb(timer);
	}
	for (i = 0; i < n; i++) {
		if (!(parked[i]->handle.flags & URING_HANDLE__PARKED))
			continue; /* stopped, restarted or closed meanwhile */
		parked[i]->handle.flags &= ~URING_HANDLE__PARKED;
		uring__heap_insert(&loop->timers, &parked[i]->heap, timer_less);
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
