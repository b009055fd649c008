/* SPDX-License-Identifier: MIT */
/*
 * runtime/op.c - kernel operations on the loop: getting SQEs, accounting for
 * every CQE an operation can still produce, cancelling, and dispatching a CQE
 * to its operation.  This is the whole path from CQE to callback.
 */
#include "loop-internal.h"

struct uring_sqe *uring__loop_sqe(struct uring_loop *loop)
{
	struct uring_sqe *sqe = uring_ring_get_sqe(&loop->ring);

	if (sqe)
		return sqe;
	/* SQ full: hand what is queued to the kernel now.  The ring starts
	 * disabled (see loop.c); this is the loop thread, so enable it. */
	if (uring__loop_enable(loop) < 0)
		return NULL;
	uring__loop_submit(loop);
	return uring_ring_get_sqe(&loop->ring);
}

struct uring_sqe *uring__op_sqe(struct uring_loop *loop, struct uring_operation *op)
{
	struct uring_sqe *sqe = uring__loop_sqe(loop);

	if (!sqe)
		return NULL;
	sqe->user_data = (uint64_t)(uintptr_t)op;
	op->inflight++;
	if (op->handle)
		op->handle->inflight++;
	else
		loop->internal_ops++;
	return sqe;
}

static void cancel_again(struct uring_loop *loop, struct uring_operation *op)
{
	(void)uring__op_cancel(loop, op);
}

int uring__op_cancel(struct uring_loop *loop, struct uring_operation *op)
{
	struct uring_sqe *sqe;

	if (!op->inflight)
		return 0;
	sqe = uring__loop_sqe(loop);
	if (!sqe) /* retried before the loop waits (retry.c) */
		return (op->flags & URING_OP__RETRY)
			       ? 0
			       : uring__retry_add(loop, op, cancel_again);
	uring_prep_cancel64(sqe, (uint64_t)(uintptr_t)op, 0);
	/* Nobody waits for the cancel's own CQE: success or -ENOENT /
	 * -EALREADY (the op finished first) are all fine, so skip it when it
	 * succeeds and drop it in the dispatcher otherwise. */
	sqe->user_data = URING_UD_IGNORE;
	sqe->flags |= URING_SQE_CQE_SKIP_SUCCESS;
	return 0;
}

void uring__op_cqe(struct uring_loop *loop, struct uring_operation *op,
		   unsigned cqe_flags)
{
	/* A multishot op stays armed while F_MORE is set; its last CQE,
	 * whatever its result, comes without it. */
	if (cqe_flags & URING_CQE_F_MORE)
		return;
	op->inflight--;
	if (!op->inflight && (op->flags & URING_OP__RETRY))
		uring__retry_remove(loop, op); /* a cancel is moot now */
	if (op->handle)
		uring__handle_inflight_done(op->handle);
	else
		loop->internal_ops--;
}

/* A CQE an area posts under a token of its own (e.g. a message from
 * another loop); an odd user_data is never an op's address. */
static void dispatch_foreign(struct uring_loop *loop, const struct uring_cqe *cqe)
{
	const struct uring__area *const *a;

	for (a = uring__areas; *a; a++)
		if ((*a)->dispatch && (*a)->dispatch(loop, cqe))
			return;
}

void uring__dispatch(struct uring_loop *loop, struct uring_cqe *cqe)
{
	struct uring_operation *op;
	int res = cqe->res;
	unsigned flags = cqe->flags;

	loop->stats.cqes_reaped++;
	if (cqe->user_data == URING_UD_IGNORE)
		return;
	if (cqe->user_data & 1) { /* ops are aligned: not an op of ours */
		dispatch_foreign(loop, cqe);
		return;
	}
	op = (struct uring_operation *)(uintptr_t)cqe->user_data;
	uring__op_cqe(loop, op, flags);
	op->complete(loop, op, res, flags);
}
