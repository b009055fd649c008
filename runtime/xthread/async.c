/* SPDX-License-Identifier: MIT */
/*
 * runtime/xthread/async.c - waking the loop from other threads and signal handlers.
 *
 * One eventfd per loop, watched by one multishot POLL_ADD (KERNEL-FACTS: a
 * multishot read of an eventfd hung on 6.15.4; a multishot poll is robust).
 * A sender marks its handle pending and writes the eventfd only if no write
 * is outstanding, so a burst of sends costs one write and one wakeup.
 * Everything a sender does is an atomic or write(2): async-signal-safe.
 * signal.c's handler wakes the loop the same way; the wakeup then also
 * dispatches pending signals.
 */
#include <poll.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "xthread-internal.h"

#define ATOMIC_INT(p) ((_Atomic int *)(p))

static void async_ready(struct uring_loop *loop, struct uring_operation *op, int res,
			unsigned flags);

static int arm_poll(struct uring_loop *loop)
{
	struct uring_sqe *sqe = uring__op_sqe(loop, &loop->async_op);

	if (!sqe)
		return -EBUSY;
	uring_prep_poll_multishot(sqe, loop->async_fd, POLLIN);
	return 0;
}

/* Re-arm the poll; with no SQE to be had (the SQ full and the kernel
 * refusing the submit that would empty it: the very overflow that ends a
 * multishot), before the loop next waits (retry.c).  A failed re-arm
 * left alone would lose every later wakeup, signal and queued message. */
static void rearm(struct uring_loop *loop, struct uring_operation *op)
{
	if (loop->closed || loop->shutting_down || loop->async_fd < 0 ||
	    op->inflight)
		return;
	if (arm_poll(loop))
		(void)uring__retry_add(loop, op, rearm); /* -ENOMEM: 16 bytes
							  * of realloc, and
							  * nobody to tell */
}

int uring__async_setup(struct uring_loop *loop)
{
	int fd, ret, saved;

	if (loop->async_fd >= 0)
		return 0;
	saved = errno;
	fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (fd < 0) {
		ret = -errno;
		errno = saved; /* uringloop never changes errno */
		return ret;
	}
	loop->async_fd = fd;
	memset(&loop->async_op, 0, sizeof(loop->async_op));
	loop->async_op.complete = async_ready;
	ret = arm_poll(loop);
	if (ret) {
		close(fd);
		errno = saved;
		loop->async_fd = -1;
	}
	return ret;
}

int uring_async_init(struct uring_loop *loop, struct uring_async *async,
		     uring_async_cb cb)
{
	void *data;
	int ret;

	if (!loop || !async || !cb || loop->closed)
		return -EINVAL;
	ret = uring__async_setup(loop);
	if (ret)
		return ret;
	data = async->handle.data;
	memset(async, 0, sizeof(*async));
	async->handle.data = data;
	async->cb = cb;
	uring__handle_init(loop, &async->handle, URING_HANDLE_ASYNC);
	uring__list_add_tail(&loop->asyncs, &async->node);
	uring__handle_start(&async->handle);
	return 0;
}

/* Wake the loop through its eventfd, unless a wakeup is already on its way.
 * Async-signal-safe; errno is preserved. */
void uring__async_wake(struct uring_loop *loop)
{
	uint64_t one = 1;
	int saved, fd;

	if (atomic_exchange(ATOMIC_INT(&loop->async_wake), 1))
		return;
	saved = errno;
	while (write(loop->async_fd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
	/* EAGAIN means the counter is saturated: the loop will wake anyway. */
	/* An embedding poller watches uring_loop_fd()'s eventfd.  With
	 * DEFER_TASKRUN the kernel's own signal of it reached the poller for
	 * the first cross-thread wakeup only (measured on 6.18: the next ones
	 * came 2.2 s late, at the poll timeout; why is not established):
	 * poke it directly. */
	fd = uring__load_acquire(&loop->embed_fd);
	if (fd >= 0)
		while (write(fd, &one, sizeof(one)) < 0 && errno == EINTR)
			;
	errno = saved;
}

/*
 * async->pending: bit 0 (ASYNC_PENDING) is the send the loop has still to
 * deliver; the bits above count the senders inside the slow path.  A
 * coalesced send is one atomic operation that touches nothing after it, so
 * close has nothing to wait for; the send that sets the bit counts itself
 * in with the same operation and out when it is done.
 */
#define ASYNC_PENDING 1
#define ASYNC_SENDER 2

int uring_async_send(struct uring_async *async)
{
	_Atomic int *state;
	int old;

	if (!async || async->handle.type != URING_HANDLE_ASYNC)
		return -EINVAL;
	state = ATOMIC_INT(&async->pending);
	old = atomic_load_explicit(state, memory_order_relaxed);
	for (;;) {
		if (old & ASYNC_PENDING) {
			/* Coalesced.  Still a read-modify-write (of nothing),
			 * so that the loop's clear comes after it and its
			 * callback sees what we stored before the send. */
			if (atomic_compare_exchange_weak(state, &old, old))
				return 0;
		} else if (atomic_compare_exchange_weak(
				   state, &old,
				   (old | ASYNC_PENDING) + ASYNC_SENDER)) {
			break;
		}
	}
	uring__async_wake(async->handle.loop);
	atomic_fetch_sub(state, ASYNC_SENDER);
	return 0;
}

/* Deliver pending sends.  Handles move to a private list first, so a
 * callback may close any async handle, itself included. */
static void run_pending(struct uring_loop *loop)
{
	struct uring_list pass;
	struct uring_async *a;

	if (uring__list_empty(&loop->asyncs))
		return;
	uring__list_move_all(&loop->asyncs, &pass);
	while (!uring__list_empty(&pass)) {
		a = uring__container_of(pass.next, struct uring_async, node);
		uring__list_del(&a->node);
		uring__list_add_tail(&loop->asyncs, &a->node);
		if (atomic_fetch_and(ATOMIC_INT(&a->pending), ~ASYNC_PENDING) &
		    ASYNC_PENDING)
			a->cb(a);
	}
}

static void async_ready(struct uring_loop *loop, struct uring_operation *op, int res,
			unsigned flags)
{
	uint64_t count;
	int saved;

	(void)op;
	if (loop->closed || loop->async_fd < 0)
		return;
	if (res > 0) {
		/* Reset first, then drain, then look: a send racing with us
		 * either is seen by the scan or writes the eventfd again. */
		atomic_store(ATOMIC_INT(&loop->async_wake), 0);
		saved = errno;
		while (read(loop->async_fd, &count, sizeof(count)) < 0 &&
		       errno == EINTR)
			;
		errno = saved;
		run_pending(loop);
		uring__signal_dispatch(loop);
		uring__msg_run_queues(loop);
	}
	/* The kernel ended the multishot (overflow, or a cancel that was not
	 * ours): re-arm, or wakeups would silently stop.  Only the loop's own
	 * shutdown ends it for good. */
	if (!(flags & URING_CQE_F_MORE) && !loop->shutting_down)
		rearm(loop, op);
}

void uring__async_close(struct uring_async *async)
{
	/* Senders are short (an atomic or two and maybe a write): wait for
	 * any still inside uring_async_send() before the close callback may
	 * free the handle.  Sends after close are the caller's bug. */
	while (atomic_load(ATOMIC_INT(&async->pending)) & ~ASYNC_PENDING)
		sched_yield();
	uring__list_del(&async->node);
}

/* At loop close: cancel the poll; the loop waits for its last CQE. */
void uring__async_shutdown(struct uring_loop *loop)
{
	if (loop->async_fd < 0)
		return;
	(void)uring__op_cancel(loop, &loop->async_op);
}

void uring__async_free(struct uring_loop *loop)
{
	int saved = errno;

	if (loop->async_fd >= 0)
		close(loop->async_fd);
	loop->async_fd = -1;
	errno = saved;
}
