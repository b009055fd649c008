/* SPDX-License-Identifier: MIT */
/*
 * runtime/core/handle.c - what every handle has in common: active and referenced
 * state (which decides whether the loop is alive), walking, and closing.
 */
#include "loop-internal.h"

void uring__handle_init(struct uring_loop *loop, struct uring_handle *h,
			enum uring_handle_type type)
{
	h->loop = loop;
	h->type = type;
	h->flags = URING_HANDLE__REF;
	h->inflight = 0;
	h->close_cb = NULL;
	uring__list_add_tail(&loop->handles, &h->node);
}

static bool counts(const struct uring_handle *h)
{
	return (h->flags & (URING_HANDLE__ACTIVE | URING_HANDLE__REF)) ==
		       (URING_HANDLE__ACTIVE | URING_HANDLE__REF) &&
	       !(h->flags & URING_HANDLE__INTERNAL);
}

void uring__handle_start(struct uring_handle *h)
{
	if (h->flags & URING_HANDLE__ACTIVE)
		return;
	h->flags |= URING_HANDLE__ACTIVE;
	if (counts(h))
		h->loop->active_handles++;
}

void uring__handle_stop(struct uring_handle *h)
{
	if (!(h->flags & URING_HANDLE__ACTIVE))
		return;
	if (counts(h))
		h->loop->active_handles--;
	h->flags &= ~URING_HANDLE__ACTIVE;
}

int uring__handle_check(const struct uring_handle *h,
			enum uring_handle_type type)
{
	if (!h || !h->loop || h->type != type)
		return -EINVAL;
	if (h->flags & (URING_HANDLE__CLOSING | URING_HANDLE__CLOSED))
		return -EINVAL;
	return 0;
}

void uring_ref(struct uring_handle *h)
{
	if (!h || !h->loop || (h->flags & URING_HANDLE__REF))
		return;
	h->flags |= URING_HANDLE__REF;
	if (counts(h))
		h->loop->active_handles++;
}

void uring_unref(struct uring_handle *h)
{
	if (!h || !h->loop || !(h->flags & URING_HANDLE__REF))
		return;
	if (counts(h))
		h->loop->active_handles--;
	h->flags &= ~URING_HANDLE__REF;
}

bool uring_has_ref(const struct uring_handle *h)
{
	return h && (h->flags & URING_HANDLE__REF);
}

bool uring_is_active(const struct uring_handle *h)
{
	return h && (h->flags & URING_HANDLE__ACTIVE);
}

bool uring_is_closing(const struct uring_handle *h)
{
	return h && (h->flags & (URING_HANDLE__CLOSING | URING_HANDLE__CLOSED));
}

enum uring_handle_type uring_handle_get_type(const struct uring_handle *h)
{
	return h ? (enum uring_handle_type)h->type : URING_HANDLE_UNKNOWN;
}

const char *uring_handle_type_name(enum uring_handle_type type)
{
	static const char *const names[URING_HANDLE_TYPE_MAX] = {
		[URING_HANDLE_UNKNOWN] = "unknown", [URING_HANDLE_TIMER] = "timer",
		[URING_HANDLE_IDLE] = "idle",       [URING_HANDLE_PREPARE] = "prepare",
		[URING_HANDLE_CHECK] = "check",     [URING_HANDLE_ASYNC] = "async",
		[URING_HANDLE_SIGNAL] = "signal",   [URING_HANDLE_POLL] = "poll",
		[URING_HANDLE_MSG_PORT] = "msg_port", [URING_HANDLE_TCP] = "tcp",
		[URING_HANDLE_UNIX] = "unix",       [URING_HANDLE_UDP] = "udp",
	};

	if ((unsigned)type >= URING_HANDLE_TYPE_MAX)
		return "unknown";
	return names[type];
}

/* Call cb for each user handle on `list`.  The walk runs over a private
 * list and puts each handle back before its callback, so the callback may
 * close any handle (closing moves it to loop->closing) or start new ones;
 * a handle closed before its turn is not visited. */
static void walk_list(struct uring_list *list, uring_walk_cb cb, void *arg)
{
	struct uring_list pass;
	struct uring_handle *h;

	uring__list_move_all(list, &pass);
	while (!uring__list_empty(&pass)) {
		h = uring__container_of(pass.next, struct uring_handle, node);
		uring__list_del(&h->node);
		uring__list_add_tail(list, &h->node);
		if (!(h->flags & URING_HANDLE__INTERNAL))
			cb(h, arg);
	}
}

void uring_walk(struct uring_loop *loop, uring_walk_cb cb, void *arg)
{
	if (!loop || !cb || loop->closed)
		return;
	/* closing ones first: a handle the callback closes is then seen
	 * only once */
	walk_list(&loop->closing, cb, arg);
	walk_list(&loop->handles, cb, arg);
}

/* Waiting ones at the head of loop->closing, ready ones at the tail in
 * the order they became ready (loop-internal.h). */
static void closing_add(struct uring_loop *loop, struct uring_handle *h)
{
	if (h->inflight) {
		h->flags |= URING_HANDLE__CLOSE_WAIT;
		uring__list_add_tail(loop->closing.next, &h->node);
	} else {
		h->flags &= ~URING_HANDLE__CLOSE_WAIT;
		uring__list_add_tail(&loop->closing, &h->node);
	}
}

void uring_close(struct uring_handle *h, uring_close_cb close_cb)
{
	if (!h || !h->loop ||
	    (h->flags & (URING_HANDLE__CLOSING | URING_HANDLE__CLOSED)))
		return;
	h->flags |= URING_HANDLE__CLOSING;
	h->close_cb = close_cb;
	/* the type's part: stop, and cancel what is in flight */
	if (h->type < URING_HANDLE_TYPE_MAX && uring__close_type[h->type])
		uring__close_type[h->type](h);
	uring__handle_stop(h);
	uring__list_del(&h->node);
	closing_add(h->loop, h);
}

void uring__handle_inflight_done(struct uring_handle *h)
{
	if (--h->inflight || !(h->flags & URING_HANDLE__CLOSE_WAIT))
		return;
	uring__list_del(&h->node);
	closing_add(h->loop, h); /* ready: behind the others that are */
}

bool uring__closing_ready(const struct uring_loop *loop)
{
	const struct uring_handle *last;

	if (uring__list_empty(&loop->closing))
		return false;
	last = uring__container_of(loop->closing.prev, struct uring_handle,
				   node);
	return !(last->flags & URING_HANDLE__CLOSE_WAIT);
}

/*
 * Finish closing every handle that has nothing left in flight.  The close
 * callback is the last thing that touches the handle: it may free it.
 */
void uring__run_closing(struct uring_loop *loop)
{
	struct uring_list pass;
	struct uring_handle *h;

	/* Take the ready tail, in order, onto a private list: handles that
	 * the callbacks close wait for the next pass. */
	uring__list_init(&pass);
	while (uring__closing_ready(loop)) {
		h = uring__container_of(loop->closing.prev,
					struct uring_handle, node);
		uring__list_del(&h->node);
		uring__list_add_tail(pass.next, &h->node);
	}
	while (!uring__list_empty(&pass)) {
		h = uring__container_of(pass.next, struct uring_handle, node);
		uring__list_del(&h->node);
		if (h->inflight) { /* started another op since (a socket's
				    * close): its CQEs are still to come */
			closing_add(loop, h);
			continue;
		}
		h->flags = (h->flags & ~URING_HANDLE__CLOSING) | URING_HANDLE__CLOSED;
		if (h->close_cb)
			h->close_cb(h);
	}
}
