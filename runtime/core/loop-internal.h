/* SPDX-License-Identifier: MIT */
/*
 * runtime/core/loop-internal.h - what the runtime's files share.  Tests may
 * include it; nothing public does.
 */
#ifndef URING_LOOP_INTERNAL_H
#define URING_LOOP_INTERNAL_H

#include <time.h>

#include <uring/loop.h>

#include "lib/keep-errno.h"

#define URING_HIDDEN __attribute__((visibility("hidden")))

/* handle->flags */
#define URING_HANDLE__ACTIVE (1U << 0)
#define URING_HANDLE__REF (1U << 1)
#define URING_HANDLE__CLOSING (1U << 2)
#define URING_HANDLE__CLOSED (1U << 3)
#define URING_HANDLE__INTERNAL (1U << 4) /* the loop's own, not counted */
#define URING_HANDLE__PARKED (1U << 5)   /* timer: out of the heap for
					  * one pass (timer.c) */
#define URING_HANDLE__CLOSE_WAIT (1U << 6) /* closing, at the head of
					    * loop->closing: CQEs to come */

/* op->flags: set and clear bits with |= and &= ~, never assign: a retry
 * entry may name the op whenever it is armed again, and losing its bit
 * would leave the entry behind (retry.c drops entries by that bit). */
#define URING_OP__RETRY (1U << 1)     /* named by a retry entry (retry.c) */

/* user_data of CQEs nobody waits for (cancels): the dispatcher drops them. */
#define URING_UD_IGNORE 0ULL

/* ------------------------------------------------------------- lists */
static inline void uring__list_init(struct uring_list *l)
{
	l->next = l->prev = l;
}
static inline bool uring__list_empty(const struct uring_list *l)
{
	return l->next == l;
}
static inline void uring__list_add_tail(struct uring_list *l,
					struct uring_list *n)
{
	n->prev = l->prev;
	n->next = l;
	l->prev->next = n;
	l->prev = n;
}
static inline void uring__list_del(struct uring_list *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = n->prev = n;
}
/* Move every node of `from` onto `to` (whose old contents are dropped),
 * leaving `from` empty.  The loop runs callbacks over such a private list,
 * so a callback may add nodes to `from` or unlink any node safely. */
static inline void uring__list_move_all(struct uring_list *from,
					struct uring_list *to)
{
	if (uring__list_empty(from)) {
		uring__list_init(to);
		return;
	}
	*to = *from;
	to->next->prev = to;
	to->prev->next = to;
	uring__list_init(from);
}
#define uring__container_of(ptr, type, member)                                 \
	((type *)((char *)(ptr) - offsetof(type, member)))

/* ------------------------------------------------------------- handles */
URING_HIDDEN void uring__handle_init(struct uring_loop *loop,
				     struct uring_handle *h,
				     enum uring_handle_type type);
URING_HIDDEN void uring__handle_start(struct uring_handle *h);
URING_HIDDEN void uring__handle_stop(struct uring_handle *h);
/* Handle usable for a start call: -EINVAL if NULL/uninitialised/closing. */
URING_HIDDEN int uring__handle_check(const struct uring_handle *h,
				     enum uring_handle_type type);
/* lib/fault.c: true when an allocation (URING_FAULT_ALLOC) is to fail. */
URING_HIDDEN bool uring__fault_alloc(void);
/* loop->closing holds the handles still waiting for CQEs at its head
 * and the ready ones at its tail, so neither finding nor finishing the
 * ready ones walks the waiting ones: O(1) per handle, however many close
 * at once. */
URING_HIDDEN bool uring__closing_ready(const struct uring_loop *loop);
/* Drop one of h->inflight; a closing handle left with none is ready. */
URING_HIDDEN void uring__handle_inflight_done(struct uring_handle *h);
URING_HIDDEN void uring__run_closing(struct uring_loop *loop);

/* ------------------------------------------------------------- kernel ops */
/* An SQE for the loop, submitting queued ones first if the SQ is full. */
URING_HIDDEN struct uring_sqe *uring__loop_sqe(struct uring_loop *loop);
/* Prepare an SQE for `op` (user_data, counts); returns the SQE. */
URING_HIDDEN struct uring_sqe *uring__op_sqe(struct uring_loop *loop,
					     struct uring_operation *op);
/* Ask the kernel to cancel `op`; its CQE(s) still arrive. */
URING_HIDDEN int uring__op_cancel(struct uring_loop *loop, struct uring_operation *op);
/* Account for one CQE of `op` (call before running its callback). */
URING_HIDDEN void uring__op_cqe(struct uring_loop *loop, struct uring_operation *op,
				unsigned cqe_flags);
/* Enable the ring on the calling (loop) thread if not done yet. */
URING_HIDDEN int uring__loop_enable(struct uring_loop *loop);
/* Submit queued SQEs without waiting; counts them in the stats. */
URING_HIDDEN int uring__loop_submit(struct uring_loop *loop);
URING_HIDDEN void uring__dispatch(struct uring_loop *loop,
				  struct uring_cqe *cqe);

/* ------------------------------------------------------------- retries */
/* Work that needed an SQE when none could be had: the SQ was full and the
 * kernel refused the submit that would have emptied it (-EBUSY or -EAGAIN
 * while its CQ overflows, -ENOMEM, -EINTR).  The loop runs fn(loop, op)
 * again before it next waits, and does not sleep while any is left. */
typedef void (*uring__retry_fn)(struct uring_loop *loop,
				struct uring_operation *op);
/* 0, or -ENOMEM (nothing recorded). */
URING_HIDDEN int uring__retry_add(struct uring_loop *loop,
				  struct uring_operation *op, uring__retry_fn fn);
/* Forget every retry naming op (its owner stops or closes). */
URING_HIDDEN void uring__retry_remove(struct uring_loop *loop,
				      struct uring_operation *op);
URING_HIDDEN void uring__retry_run(struct uring_loop *loop);
URING_HIDDEN void uring__retry_free(struct uring_loop *loop);

/* loop.c: the kernel said it could not keep a CQE (-EBADR): count it and
 * tell the user's error_cb */
URING_HIDDEN void uring__loop_report_lost(struct uring_loop *loop);

/* The loop's clock: CLOCK_MONOTONIC in nanoseconds (timers take it in
 * milliseconds, the spin in nanoseconds). */
static inline uint64_t uring__clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* spin.c: busy-poll before a wait (the spin_usec option) */
#define URING__SPIN_USEC_MAX 1000000U
URING_HIDDEN bool uring__loop_spin(struct uring_loop *loop,
				   int64_t *timeout_ms);
/* After a wait that followed a spin without a hit: adapt the spin. */
URING_HIDDEN void uring__loop_spin_adapt(struct uring_loop *loop);

/* ------------------------------------------------------------- timers */
URING_HIDDEN void uring__run_timers(struct uring_loop *loop,
				    uint64_t started_before);
/* Milliseconds until the nearest timer, 0 if due, -1 if none. */
URING_HIDDEN int64_t uring__next_timeout(const struct uring_loop *loop);
URING_HIDDEN void uring__timer_close(struct uring_timer *timer);

/* ------------------------------------------------------------- hooks */
URING_HIDDEN void uring__run_hooks(struct uring_list *list);
URING_HIDDEN void uring__hook_close(struct uring_hook *hook);

/* ------------------------------------------------------------- poll */
URING_HIDDEN void uring__poll_close(struct uring_poll *poll);

/* ------------------------------------------------------------- restrict */
/* Lock the (still disabled) ring to the operations the loop uses. */
URING_HIDDEN int uring__loop_restrict(struct uring_loop *loop);

/* ------------------------------------------------------------- areas */
/*
 * The areas above the core (xthread, net, fs, work) join the loop through
 * this table, which runtime/areas.c fills: the core calls them without
 * naming them, so it compiles and reads without any of them.  Any hook may
 * be NULL.
 */
struct uring__area {
	/* Each iteration, before the wait: work the area put off (e.g. reads
	 * resumed when buffers came back). */
	void (*run_pending)(struct uring_loop *loop);
	/* Whether run_pending has work that must not wait for the kernel. */
	bool (*has_work)(const struct uring_loop *loop);
	/* The wait's timeout in ms (-1: none), shortened if the area must
	 * look again by then (e.g. a retry after memory ran short). */
	int64_t (*cap_wait)(const struct uring_loop *loop, int64_t ms);
	/* A CQE whose user_data has its low bit set, so it is no operation's
	 * address (ops are aligned): an area's own token, e.g. a message from
	 * another loop.  True if the area took it. */
	bool (*dispatch)(struct uring_loop *loop, const struct uring_cqe *cqe);
	/* The area's figures in uring_loop_stats() of an open loop. */
	void (*stats)(const struct uring_loop *loop,
		      struct uring_loop_stats *stats);
	/* uring_loop_close(), before the loop waits for its own operations'
	 * last CQEs: cancel the area's internal operations. */
	void (*shutdown)(struct uring_loop *loop);
	/* uring_loop_close(), once no CQE can come: free what the area kept. */
	void (*free)(struct uring_loop *loop);
};
/* NULL-terminated, lowest area first.  Hooks run in this order, except
 * shutdown and free, which run top down (an area may still use the ones
 * below it while it stops: the worker pool posts through async). */
URING_HIDDEN extern const struct uring__area *const uring__areas[];
/* Per handle type: stop it and cancel what it has in flight (uring_close).
 * NULL for a type with nothing to stop. */
typedef void (*uring__close_fn)(struct uring_handle *h);
URING_HIDDEN extern const uring__close_fn uring__close_type[URING_HANDLE_TYPE_MAX];

/* ------------------------------------------------------------- heap */
typedef bool (*uring__heap_less)(const struct uring_heap_node *a,
				 const struct uring_heap_node *b);
URING_HIDDEN void uring__heap_insert(struct uring_heap_node **root,
				     struct uring_heap_node *node,
				     uring__heap_less less);
URING_HIDDEN void uring__heap_remove(struct uring_heap_node **root,
				     struct uring_heap_node *node,
				     uring__heap_less less);

#endif
