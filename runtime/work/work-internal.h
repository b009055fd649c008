/* SPDX-License-Identifier: MIT */
/*
 * runtime/work/work-internal.h - what the worker-pool area shares with
 * runtime/areas.c.
 */
#ifndef URING_WORK_INTERNAL_H
#define URING_WORK_INTERNAL_H

#include "xthread/xthread-internal.h"

/* ------------------------------------------------------------- work pool */
/* From uring_loop_close(), once nothing is queued: stop and join the
 * worker threads, free the pool. */
URING_HIDDEN void uring__work_shutdown(struct uring_loop *loop);

#endif
