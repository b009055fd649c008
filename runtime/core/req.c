/* SPDX-License-Identifier: MIT */
/*
 * runtime/core/req.c - requests: a prepared SQE, a callback, an optional deadline
 * (a linked timeout) and chains (link / hardlink).
 *
 * A request with a deadline has two CQEs in flight, the operation's and the
 * timeout's, and completes only when both arrived, so no CQE can name the
 * request after its callback.  Who won is decided from both results
 * (KERNEL-FACTS, linked timeouts): an operation that returned data keeps it
 * even if the timer fired too (a cancelled read may have consumed bytes);
 * otherwise a timeout that fired (-ETIME) makes the result -ETIMEDOUT,
 * whatever mix of -ECANCELED, -EINTR, -EALREADY or -ENOENT the kernel chose.
 */
#include <string.h>

#include "loop-internal.h"

#define REQ_ARMED (1U << 0)    /* uring_req_sqe() called, not submitted */
#define REQ_INFLIGHT (1U << 1)
#define REQ_DEADLINE (1U << 2)

static void req_finish(struct uring_loop *loop, struct uring_req *req)
{
	int result = req->result;

	if (req->op.inflight || req->timeout_op.inflight)
		return; /* the other CQE is still to come */
	if ((req->flags & REQ_DEADLINE) && result < 0 &&
	    req->timeout_result == -ETIME)
		result = -ETIMEDOUT;
	req->flags = 0;
	loop->active_reqs--;
	req->cb(req, result);
}

static void req_done(struct uring_loop *loop, struct uring_operation *op,
		     int res, unsigned flags)
{
	struct uring_req *req = uring__container_of(op, struct uring_req, op);

	/* A zero-copy send posts its result, then a notification (res 0)
	 * when the kernel lets go of the buffer: keep the result. */
	if (!(flags & URING_CQE_F_NOTIF))
		req->result = res;
	req_finish(loop, req);
}

static void timeout_done(struct uring_loop *loop, struct uring_operation *op,
			 int res, unsigned flags)
{
	struct uring_req *req =
		uring__container_of(op, struct uring_req, timeout_op);

	(void)flags;
	req->timeout_result = res;
	req_finish(loop, req);
}

struct uring_sqe *uring_req_sqe(struct uring_loop *loop, struct uring_req *req)
{
	void *data;

	/* req may be uninitialised memory (requests need no init call), so
	 * nothing in it is read here: reusing one in flight is the caller's
	 * bug, as in libuv. */
	if (!loop || !req || loop->closed)
		return NULL;
	/* Room for the operation and its linked timeout now, so that the two
	 * are never split by a submit (links cannot span submits). */
	if (uring_ring_sq_space_left(&loop->ring) < 2) {
		if (loop->chain_open)
			return NULL; /* a submit now would break the chain */
		if (uring__loop_enable(loop) < 0)
			return NULL;
		uring__loop_submit(loop);
		if (uring_ring_sq_space_left(&loop->ring) < 2)
			return NULL;
	}
	data = req->data;
	memset(req, 0, sizeof(*req));
	req->data = data;
	req->loop = loop;
	req->sqe = uring_ring_get_sqe(&loop->ring);
	req->flags = REQ_ARMED;
	return req->sqe;
}

int uring_req_reserve(struct uring_loop *loop, unsigned nreq)
{
	unsigned need;

	if (!loop || loop->closed || !nreq)
		return -EINVAL;
	/* each request may carry a deadline: two SQEs (compared as a
	 * division, 2 * nreq wraps for counts above UINT_MAX / 2) */
	if (nreq > loop->ring.sq.ring_entries / 2)
		return -E2BIG;
	need = 2 * nreq;
	if (uring_ring_sq_space_left(&loop->ring) >= need)
		return 0;
	if (loop->chain_open)
		return -EBUSY; /* a submit now would break the open chain */
	if (uring__loop_enable(loop) < 0)
		return -EINVAL;
	uring__loop_submit(loop);
	return uring_ring_sq_space_left(&loop->ring) >= need ? 0 : -EBUSY;
}

static void add_deadline(struct uring_loop *loop, struct uring_req *req,
			 uint64_t ms, unsigned flags)
{
	struct uring_sqe *sqe;

	req->deadline.tv_sec = (int64_t)(ms / 1000);
	req->deadline.tv_nsec = (long long)(ms % 1000) * 1000000;
	req->timeout_op.complete = timeout_done;
	req->sqe->flags |= URING_SQE_IO_LINK;
	sqe = uring__op_sqe(loop, &req->timeout_op); /* space reserved */
	uring_prep_link_timeout(sqe, &req->deadline, 0);
	/* keep the chain going past the timeout to the next request */
	if (flags & URING_REQ_HARDLINK)
		sqe->flags |= URING_SQE_IO_HARDLINK;
	else if (flags & URING_REQ_LINK)
		sqe->flags |= URING_SQE_IO_LINK;
	req->flags |= REQ_DEADLINE;
}

/* A refused request's SQE is already in the SQ: make it a NOP nobody
 * waits for, so the operation the caller prepared never runs. */
static void neutralise(struct uring_req *req)
{
	struct uring_sqe *sqe = req->sqe;

	memset(sqe, 0, sizeof(*sqe));
	uring_prep_nop(sqe);
	sqe->user_data = URING_UD_IGNORE;
	req->flags = 0;
	req->sqe = NULL;
}

int uring_req_submit(struct uring_req *req, uring_req_cb cb,
		     uint64_t deadline_ms, unsigned flags)
{
	struct uring_loop *loop;
	struct uring_sq *sq;

	if (!req || !(req->flags & REQ_ARMED))
		return -EINVAL;
	loop = req->loop;
	sq = &loop->ring.sq;
	/* the deadline must follow the operation directly in the SQ */
	if (!cb || (flags & ~(URING_REQ_LINK | URING_REQ_HARDLINK)) ||
	    &sq->sqes[((sq->sqe_tail - 1) & sq->ring_mask)
		      << loop->ring.sqe_shift] != req->sqe) {
		neutralise(req);
		return -EINVAL;
	}
	req->cb = cb;
	req->op.complete = req_done;
	req->sqe->user_data = (uint64_t)(uintptr_t)&req->op;
	req->op.inflight = 1;
	loop->internal_ops++;
	if (flags & URING_REQ_HARDLINK)
		req->sqe->flags |= URING_SQE_IO_HARDLINK;
	else if (flags & URING_REQ_LINK)
		req->sqe->flags |= URING_SQE_IO_LINK;
	if (deadline_ms)
		add_deadline(loop, req, deadline_ms, flags);
	loop->chain_open = flags & (URING_REQ_LINK | URING_REQ_HARDLINK);
	req->flags = (req->flags & ~REQ_ARMED) | REQ_INFLIGHT;
	req->sqe = NULL;
	loop->active_reqs++;
	return 0;
}

int uring_req_cancel(struct uring_req *req)
{
	if (!req || !req->loop)
		return -EINVAL;
	if (!(req->flags & REQ_INFLIGHT) || !req->op.inflight)
		return -EALREADY;
	/* The cancel's SQE would join an open chain, or sit between a
	 * reserved request and its deadline. */
	if (req->loop->chain_open)
		return -EBUSY;
	return uring__op_cancel(req->loop, &req->op);
}
