/* SPDX-License-Identifier: MIT */
/*
 * runtime/work/child.c - waiting for a child to change state, as a request.
 *
 * IORING_OP_WAITID (Linux 6.7) waits in the kernel: no thread, no
 * SIGCHLD handler, cancellable.  Where the kernel lacks it, waitid(2) runs
 * on the loop's worker pool instead; that occupies a worker until the child
 * changes state and cannot be cancelled once started.  Which one the kernel
 * offers is probed once per process, at the first wait.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/wait.h>

#include <uring/prep.h>
#include <uring/work.h>

#include "work-internal.h"

#define CHILD_ON_POOL (1U << 31) /* req->flags: the pool runs it */

/* -1 not probed yet, 0 no, 1 yes: the kernel does not change under us. */
static _Atomic int have_waitid = -1;

static bool kernel_has_waitid(struct uring_loop *loop)
{
	struct uring_probe *probe;
	int v = atomic_load_explicit(&have_waitid, memory_order_relaxed);

	if (v >= 0)
		return v;
	if (uring_probe_get(&loop->ring, &probe) == 0) {
		v = uring_probe_supports(probe, URING_OP_WAITID);
		uring_probe_free(probe);
	} else {
		v = uring_probe_opcode(URING_OP_WAITID);
		if (v < 0)
			return false; /* no answer: use the pool, ask again */
	}
	atomic_store_explicit(&have_waitid, v, memory_order_relaxed);
	return v;
}

/* CHILD_ON_POOL stays set: a late cancel must look at the right half of
 * the union. */
static void finish(struct uring_child *req, int result)
{
	if (result < 0)
		req->cb(req, result, NULL);
	else
		req->cb(req, 0, &req->info);
}

static void ring_done(struct uring_req *r, int result)
{
	finish(uring__container_of(r, struct uring_child, u.req), result);
}

static void pool_work(struct uring_work *w)
{
	struct uring_child *req =
		uring__container_of(w, struct uring_child, u.work);
	int ret;

	/* workers block every signal, so EINTR is not expected; still */
	do
		ret = waitid(req->idtype, req->id, &req->info, req->options);
	while (ret < 0 && errno == EINTR);
	req->result = ret < 0 ? -errno : 0;
}

static void pool_done(struct uring_work *w, int status)
{
	struct uring_child *req =
		uring__container_of(w, struct uring_child, u.work);

	finish(req, status ? status : req->result);
}

static int submit_ring(struct uring_loop *loop, struct uring_child *req)
{
	struct uring_sqe *sqe;

	/* a request submitted now would join the caller's open chain */
	if (loop->chain_open)
		return -EBUSY;
	sqe = uring_req_sqe(loop, &req->u.req);
	if (!sqe)
		return -EBUSY; /* the SQ is full even after a submit */
	uring_prep_waitid(sqe, req->idtype, req->id, &req->info,
			  req->options, 0);
	return uring_req_submit(&req->u.req, ring_done, 0, 0);
}

int uring_child_wait(struct uring_loop *loop, struct uring_child *req,
		     idtype_t idtype, id_t id, int options, unsigned flags,
		     uring_child_cb cb)
{
	const unsigned both = URING_CHILD_KERNEL | URING_CHILD_POOL;
	bool ring;
	int ret;

	if (!loop || !req || !cb || loop->closed || (options & WNOHANG) ||
	    (flags & ~both) || (flags & both) == both)
		return -EINVAL;
	if (flags & URING_CHILD_POOL)
		ring = false;
	else
		ring = kernel_has_waitid(loop);
	if (!ring && (flags & URING_CHILD_KERNEL))
		return -EOPNOTSUPP;
	req->cb = cb;
	req->idtype = idtype;
	req->id = id;
	req->options = options ? options : WEXITED;
	req->result = 0;
	req->flags = flags;
	/* The kernel writes only the fields it reports (signo, errno, code,
	 * pid, uid, status); the rest must not be stack garbage. */
	memset(&req->info, 0, sizeof(req->info));
	if (ring)
		return submit_ring(loop, req);
	req->flags |= CHILD_ON_POOL;
	ret = uring_work_queue(loop, &req->u.work, pool_work, pool_done);
	if (ret)
		req->flags &= ~CHILD_ON_POOL;
	return ret;
}

int uring_child_cancel(struct uring_child *req)
{
	if (!req || !req->cb)
		return -EINVAL;
	if (req->flags & CHILD_ON_POOL)
		return uring_work_cancel(&req->u.work);
	return uring_req_cancel(&req->u.req);
}
