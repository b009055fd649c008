/* SPDX-License-Identifier: MIT */
/* runtime/core/hooks.c - idle, prepare and check handles: callbacks that run at
 * fixed points of every iteration (see the order in uring/loop.h). */
#include <string.h>

#include "loop-internal.h"

static struct uring_list *hook_list(struct uring_loop *loop,
				    enum uring_handle_type type)
{
	switch (type) {
	case URING_HANDLE_IDLE:
		return &loop->idles;
	case URING_HANDLE_PREPARE:
		return &loop->prepares;
	default:
		return &loop->checks;
	}
}

static int hook_init(struct uring_loop *loop, struct uring_hook *hook,
		     enum uring_handle_type type)
{
	void *data;

	if (!loop || !hook || loop->closed)
		return -EINVAL;
	data = hook->handle.data;
	memset(hook, 0, sizeof(*hook));
	hook->handle.data = data;
	uring__list_init(&hook->node);
	uring__handle_init(loop, &hook->handle, type);
	return 0;
}

static int hook_start(struct uring_hook *hook, uring_hook_cb cb,
		      enum uring_handle_type type)
{
	int ret;

	if (!hook || !cb)
		return -EINVAL;
	ret = uring__handle_check(&hook->handle, type);
	if (ret)
		return ret;
	if (hook->handle.flags & URING_HANDLE__ACTIVE)
		return -EALREADY;
	hook->cb = cb;
	uring__list_add_tail(hook_list(hook->handle.loop, type), &hook->node);
	uring__handle_start(&hook->handle);
	return 0;
}

static int hook_stop(struct uring_hook *hook, enum uring_handle_type type)
{
	if (!hook || !hook->handle.loop || hook->handle.type != type)
		return -EINVAL;
	if (hook->handle.flags & URING_HANDLE__ACTIVE) {
		uring__list_del(&hook->node);
		uring__handle_stop(&hook->handle);
	}
	return 0;
}

void uring__hook_close(struct uring_hook *hook)
{
	hook_stop(hook, hook->handle.type);
}

/*
 * Run every hook of a list once.  Hooks move to a private list first, so a
 * callback may start, stop or close any hook (itself included) safely;
 * hooks started during the pass run from the next iteration.
 */
void uring__run_hooks(struct uring_list *list)
{
	struct uring_list pass;
	struct uring_hook *hook;

	if (uring__list_empty(list))
		return;
	uring__list_move_all(list, &pass);
	while (!uring__list_empty(&pass)) {
		hook = uring__container_of(pass.next, struct uring_hook, node);
		uring__list_del(&hook->node);
		uring__list_add_tail(list, &hook->node);
		hook->cb(hook);
	}
}

#define HOOK_API(kind, TYPE)                                                   \
	int uring_##kind##_init(struct uring_loop *loop, struct uring_hook *h) \
	{                                                                      \
		return hook_init(loop, h, TYPE);                               \
	}                                                                      \
	int uring_##kind##_start(struct uring_hook *h, uring_hook_cb cb)       \
	{                                                                      \
		return hook_start(h, cb, TYPE);                                \
	}                                                                      \
	int uring_##kind##_stop(struct uring_hook *h)                          \
	{                                                                      \
		return hook_stop(h, TYPE);                                     \
	}

HOOK_API(idle, URING_HANDLE_IDLE)
HOOK_API(prepare, URING_HANDLE_PREPARE)
HOOK_API(check, URING_HANDLE_CHECK)
