/* SPDX-License-Identifier: MIT */
/*
 * runtime/areas.c - the one file that knows every area of the runtime.  The
 * core (runtime/core/) calls the areas above it only through the two tables
 * below, so it never includes their headers: per handle type, what closing
 * it means; per area, the hooks the loop runs each iteration and at close
 * (struct uring__area in core/loop-internal.h).
 *
 * A new area (a backend, another handle type) adds its entries here.  The
 * file systems area (fs/) has no hook: its requests are plain operations.
 */
#include "core/loop-internal.h"
#include "net/stream-internal.h"
#include "work/work-internal.h"
#include "xthread/xthread-internal.h"

/* ------------------------------------------------------------ closing */
static void close_timer(struct uring_handle *h)
{
	uring__timer_close((struct uring_timer *)h);
}

static void close_hook(struct uring_handle *h)
{
	uring__hook_close((struct uring_hook *)h);
}

static void close_poll(struct uring_handle *h)
{
	uring__poll_close((struct uring_poll *)h);
}

static void close_async(struct uring_handle *h)
{
	uring__async_close((struct uring_async *)h);
}

static void close_signal(struct uring_handle *h)
{
	uring__signal_close((struct uring_signal *)h);
}

static void close_msg_port(struct uring_handle *h)
{
	uring__msg_port_close((struct uring_msg_port *)h);
}

static void close_stream(struct uring_handle *h)
{
	uring__stream_close((struct uring_stream *)h);
}

static void close_udp(struct uring_handle *h)
{
	uring__udp_close((struct uring_udp *)h);
}

const uring__close_fn uring__close_type[URING_HANDLE_TYPE_MAX] = {
	[URING_HANDLE_TIMER] = close_timer,
	[URING_HANDLE_IDLE] = close_hook,
	[URING_HANDLE_PREPARE] = close_hook,
	[URING_HANDLE_CHECK] = close_hook,
	[URING_HANDLE_POLL] = close_poll,
	[URING_HANDLE_ASYNC] = close_async,
	[URING_HANDLE_SIGNAL] = close_signal,
	[URING_HANDLE_MSG_PORT] = close_msg_port,
	[URING_HANDLE_TCP] = close_stream,
	[URING_HANDLE_UNIX] = close_stream,
	[URING_HANDLE_UDP] = close_udp,
};

/* ------------------------------------------------------------ xthread */
static bool xthread_dispatch(struct uring_loop *loop,
			     const struct uring_cqe *cqe)
{
	if (!uring__is_msg_token(cqe->user_data))
		return false;
	uring__msg_dispatch(loop, cqe->user_data, cqe->res);
	return true;
}

static void xthread_free(struct uring_loop *loop)
{
	uring__async_free(loop);
	uring__msg_free(loop);
}

static const struct uring__area xthread_area = {
	.dispatch = xthread_dispatch,
	.shutdown = uring__async_shutdown,
	.free = xthread_free,
};

/* ------------------------------------------------------------ net */
static void net_free(struct uring_loop *loop)
{
	uring__bufpool_free(loop);
	uring__stream_ext_free_all(loop);
}

static const struct uring__area net_area = {
	.run_pending = uring__stream_run_pending,
	.has_work = uring__stream_has_work,
	.cap_wait = uring__stream_wait_cap,
	.stats = uring__bufpool_stats,
	.free = net_free,
};

/* ------------------------------------------------------------ work */
static const struct uring__area work_area = {
	.free = uring__work_shutdown,
};

const struct uring__area *const uring__areas[] = {
	&xthread_area,
	&net_area,
	&work_area,
	NULL,
};
