/* SPDX-License-Identifier: MIT */
/*
 * runtime/xthread/xthread-internal.h - what the cross-thread area (async
 * wakeups, loop-to-loop messages, signals) shares with the areas above it
 * and with runtime/areas.c.
 */
#ifndef URING_XTHREAD_INTERNAL_H
#define URING_XTHREAD_INTERNAL_H

#include "core/loop-internal.h"

/* ------------------------------------------------------------- async */
URING_HIDDEN void uring__async_close(struct uring_async *async);
URING_HIDDEN void uring__async_shutdown(struct uring_loop *loop);
/* At loop close, once no CQE can come: close the loop's eventfd. */
URING_HIDDEN void uring__async_free(struct uring_loop *loop);
/* The loop's eventfd and its poll, created once (signal watchers too). */
URING_HIDDEN int uring__async_setup(struct uring_loop *loop);
URING_HIDDEN void uring__async_wake(struct uring_loop *loop);

/* ------------------------------------------------------------- messages */
URING_HIDDEN bool uring__is_msg_token(uint64_t user_data);
URING_HIDDEN void uring__msg_dispatch(struct uring_loop *loop, uint64_t token,
				      int res);
URING_HIDDEN void uring__msg_run_queues(struct uring_loop *loop);
URING_HIDDEN void uring__msg_port_close(struct uring_msg_port *port);
URING_HIDDEN void uring__msg_free(struct uring_loop *loop);

/* ------------------------------------------------------------- signals */
URING_HIDDEN void uring__signal_close(struct uring_signal *sig);
/* From the async wakeup, on the loop thread: call watchers of signals that
 * arrived since the last call. */
URING_HIDDEN void uring__signal_dispatch(struct uring_loop *loop);

#endif
