/* SPDX-License-Identifier: MIT */
/*
 * runtime/core/poll.c - readiness watchers on foreign fds: one multishot
 * POLL_ADD per watcher, kept armed while the watcher is active.
 *
 * At most one POLL_ADD per watcher is in the kernel at a time (`op`), so a
 * cancel by its user_data always finds the right one.  The kernel ends a
 * multishot poll for reasons that are not final (a CQE it could not post,
 * a failed update: -ECANCELED), so every last CQE (no F_MORE) of an active
 * watcher re-arms it.  A stop cancels; restarting before the cancel's CQE
 * came back lets that CQE re-arm.  Event changes update the armed poll in
 * place (`update`, POLL_REMOVE with UPDATE_EVENTS); when the kernel refuses
 * (-EALREADY: a wakeup was being processed) the poll is cancelled and
 * re-armed with the new events.  Both ops name the handle, so
 * handle->inflight counts every CQE still to come.
 */
#define _GNU_SOURCE /* POLLRDHUP */
#include <poll.h>
#include <string.h>

#include "loop-internal.h"

#define POLL__CANCELING (1U << 0) /* a cancel is on its way to `op` */

#define POLL_EVENTS (POLLIN | POLLPRI | POLLOUT | POLLRDHUP)
#define POLL_ALWAYS (POLLERR | POLLHUP | POLLNVAL) /* reported unasked */

static void poll_ready(struct uring_loop *loop, struct uring_operation *op,
		       int res, unsigned flags);
static void update_done(struct uring_loop *loop, struct uring_operation *op,
			int res, unsigned flags);

int uring_poll_init(struct uring_loop *loop, struct uring_poll *poll, int fd)
{
	void *data;

	if (!loop || !poll || loop->closed)
		return -EINVAL;
	if (fd < 0)
		return -EBADF;
	data = poll->handle.data;
	memset(poll, 0, sizeof(*poll));
	poll->handle.data = data;
	poll->fd = fd;
	poll->op.complete = poll_ready;
	poll->op.handle = &poll->handle;
	poll->update.complete = update_done;
	poll->update.handle = &poll->handle;
	uring__handle_init(loop, &poll->handle, URING_HANDLE_POLL);
	return 0;
}

static int arm(struct uring_poll *poll)
{
	struct uring_sqe *sqe = uring__op_sqe(poll->handle.loop, &poll->op);

	if (!sqe)
		return -EBUSY;
	uring_prep_poll_multishot(sqe, poll->fd, poll->events);
	return 0;
}

static void cancel(struct uring_poll *poll)
{
	if (!poll->op.inflight || (poll->state & POLL__CANCELING))
		return;
	if (uring__op_cancel(poll->handle.loop, &poll->op) == 0)
		poll->state |= POLL__CANCELING;
}

/* Change the events of the armed poll in place. */
static int update(struct uring_poll *poll)
{
	struct uring_sqe *sqe = uring__op_sqe(poll->handle.loop, &poll->update);

	if (!sqe)
		return -EBUSY;
	uring_prep_poll_update(sqe, (uint64_t)(uintptr_t)&poll->op, 0,
			       poll->events,
			       URING_POLL_UPDATE_EVENTS | URING_POLL_ADD_MULTI);
	return 0;
}

int uring_poll_start(struct uring_poll *poll, unsigned events, uring_poll_cb cb)
{
	unsigned old;
	int ret;

	if (!poll || !cb || !events || (events & ~POLL_EVENTS))
		return -EINVAL;
	ret = uring__handle_check(&poll->handle, URING_HANDLE_POLL);
	if (ret)
		return ret;
	old = poll->events;
	poll->events = events;
	if (!poll->op.inflight)
		ret = arm(poll);
	else if (events != old && !(poll->state & POLL__CANCELING))
		ret = update(poll);
	/* else: the cancelled poll's last CQE re-arms with these events */
	if (ret) {
		poll->events = old;
		return ret;
	}
	poll->cb = cb;
	uring__handle_start(&poll->handle);
	return 0;
}

int uring_poll_stop(struct uring_poll *poll)
{
	if (!poll || !poll->handle.loop ||
	    poll->handle.type != URING_HANDLE_POLL)
		return -EINVAL;
	if (!(poll->handle.flags & URING_HANDLE__ACTIVE))
		return 0;
	uring__handle_stop(&poll->handle);
	cancel(poll);
	return 0;
}

void uring__poll_close(struct uring_poll *poll)
{
	uring_poll_stop(poll);
}

static bool active(const struct uring_poll *poll)
{
	return poll->handle.flags & URING_HANDLE__ACTIVE;
}

static void poll_ready(struct uring_loop *loop, struct uring_operation *op,
		       int res, unsigned flags)
{
	struct uring_poll *poll =
	    uring__container_of(op, struct uring_poll, op);
	bool last = !(flags & URING_CQE_F_MORE);
	unsigned events;

	(void)loop;
	if (last)
		poll->state &= ~POLL__CANCELING;
	if (!active(poll))
		return; /* stopped: nothing runs after uring_poll_stop() */
	if (res < 0 && res != -ECANCELED) {
		uring_poll_stop(poll);
		poll->cb(poll, res, 0);
		return;
	}
	/* Mask with what is asked now: CQEs of the old mask may still come
	 * in after an event change. */
	events = res > 0 ? (unsigned)res & (poll->events | POLL_ALWAYS) : 0;
	if (events)
		poll->cb(poll, 0, events);
	/* The callback may have stopped, closed or restarted (and so
	 * re-armed) the watcher. */
	if (last && active(poll) && !poll->op.inflight && arm(poll) < 0) {
		uring_poll_stop(poll);
		poll->cb(poll, -EBUSY, 0);
	}
}

static void update_done(struct uring_loop *loop, struct uring_operation *op,
			int res, unsigned flags)
{
	struct uring_poll *poll =
	    uring__container_of(op, struct uring_poll, update);

	(void)loop;
	(void)flags;
	/* -ENOENT: the poll has ended or is ending; its last CQE re-arms
	 * with the new events.  Anything else left the old events armed. */
	if (res < 0 && res != -ENOENT && active(poll))
		cancel(poll);
}
