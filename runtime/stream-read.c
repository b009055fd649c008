/* SPDX-License-Identifier: MIT */
/*
 * runtime/stream-read.c - reading from streams.
 *
 * Pool mode: one multishot recv per stream selecting buffers from the
 * loop's pool (bufpool.c).  Each CQE's bytes go to read_cb in place, and
 * the buffer goes back to the kernel after the callback unless the user
 * kept it.  The recv is re-armed whenever it ends for a reason that is not
 * final; -ENOBUFS (pool empty) parks the stream on the pool's starved list
 * until buffers come back: reading pauses, nothing is dropped.
 *
 * Alloc mode (the libuv shape): one single-shot recv at a time into the
 * buffer alloc_cb gave.  read_cb with nread 0 hands an unused buffer back.
 *
 * After uring_stream_read_stop() no read_cb runs, but a recv may still
 * complete with bytes before the kernel sees the cancel.  Those are
 * stashed (pool buffer ids chained through the pool's side arrays, or the
 * alloc buffer) and delivered first, in order, on the next read start.
 */
#include <string.h>

#include "stream-private.h"

/* What alloc_cb is told to allocate, as libuv does. */
#define SUGGESTED_SIZE 65536

static const struct iovec no_buf;

static bool reading(const struct uring_stream *s)
{
	return (s->state & URING_STREAM__READING) &&
	       !(s->handle.flags & URING_HANDLE__CLOSING);
}

static bool closing(const struct uring_stream *s)
{
	return s->handle.flags & URING_HANDLE__CLOSING;
}

static void stop_reading(struct uring_stream *s)
{
	s->state &= ~URING_STREAM__READING;
	if (!(s->state & URING_STREAM__LISTENING))
		uring__handle_stop(&s->handle);
}

/* ------------------------------------------------------------- arming */

static void recv_done(struct uring_loop *loop, struct uring_operation *op,
		      int res, unsigned flags);
static void alloc_recv_done(struct uring_loop *loop,
			    struct uring_operation *op, int res,
			    unsigned flags);

static int arm_pool_recv(struct uring_stream *s)
{
	struct uring__bufpool *p;
	struct uring_sqe *sqe;
	int ret = uring__bufpool_get(s->handle.loop, &p);

	if (ret)
		return ret;
	sqe = uring__op_sqe(s->handle.loop, &s->rd);
	if (!sqe)
		return -EBUSY;
	s->rd.complete = recv_done;
	s->rd.flags = URING_OP__MULTISHOT;
	uring_prep_recv_multishot(sqe, s->fd, NULL, 0, 0);
	uring_sqe_buffer_select(sqe, URING__POOL_BGID);
	return 0;
}

static int arm_alloc_recv(struct uring_stream *s)
{
	struct uring_sqe *sqe;

	if (!s->u.abuf.iov_base) { /* a retry keeps the buffer it got */
		s->alloc_cb(s, SUGGESTED_SIZE, &s->u.abuf);
		if (!reading(s))
			return 0; /* alloc_cb stopped or closed the stream */
	}
	if (!s->u.abuf.iov_base || !s->u.abuf.iov_len)
		return -ENOBUFS;
	sqe = uring__op_sqe(s->handle.loop, &s->rd);
	if (!sqe)
		return -EBUSY;
	s->rd.complete = alloc_recv_done;
	s->rd.flags = 0;
	uring_prep_recv(sqe, s->fd, s->u.abuf.iov_base, s->u.abuf.iov_len, 0);
	return 0;
}

/* Hand an alloc-mode buffer back to the user (nread 0). */
static void give_back(struct uring_stream *s)
{
	struct iovec buf = s->u.abuf;

	if (!buf.iov_base)
		return;
	memset(&s->u.abuf, 0, sizeof(s->u.abuf));
	s->stash_count = 0;
	s->cb.read_cb(s, 0, &buf);
}

/* End reading with URING_EOF or an error, now or after the stash. */
static void end(struct uring_stream *s, int error)
{
	struct iovec buf = no_buf;

	if (!reading(s) || s->stash_count) {
		if (!closing(s))
			s->read_end = error;
		return;
	}
	if (s->state & URING_STREAM__ALLOC) {
		buf = s->u.abuf; /* the user frees it */
		memset(&s->u.abuf, 0, sizeof(s->u.abuf));
	}
	stop_reading(s);
	s->cb.read_cb(s, error, &buf);
}

/* Arm the recv again if reading should go on and nothing holds it back. */
static void rearm(struct uring_stream *s)
{
	int ret;

	if (!reading(s) || s->rd.inflight || s->read_end || s->fd < 0 ||
	    (s->state & URING_STREAM__STARVED))
		return;
	if ((s->state & URING_STREAM__ALLOC) && s->stash_count)
		return; /* the alloc buffer still holds bytes for the user */
	ret = (s->state & URING_STREAM__ALLOC) ? arm_alloc_recv(s)
					       : arm_pool_recv(s);
	if (ret == -EBUSY) /* no SQE now: try again before the next wait */
		uring__stream_pend(s, URING_STREAM__RESUME);
	else if (ret)
		end(s, ret);
}

/* ------------------------------------------------------------- pool mode */

static void deliver(struct uring_stream *s, unsigned bid, unsigned len)
{
	struct uring__bufpool *p = s->handle.loop->bufpool;
	struct iovec buf = {uring__bufpool_addr(p, bid), len};

	uring__bufpool_deliver_begin(p, s, bid);
	s->cb.read_cb(s, (ssize_t)len, &buf);
	uring__bufpool_deliver_end(p, bid);
}

static void stash_push(struct uring_stream *s, unsigned bid, unsigned len)
{
	struct uring__bufpool *p = s->handle.loop->bufpool;

	p->len[bid] = len;
	if (s->stash_count)
		p->next[s->stash_tail] = (uint16_t)bid;
	else
		s->stash_head = (uint16_t)bid;
	s->stash_tail = (uint16_t)bid;
	s->stash_count++;
}

static unsigned stash_pop(struct uring_stream *s)
{
	struct uring__bufpool *p = s->handle.loop->bufpool;
	unsigned bid = s->stash_head;

	s->stash_head = p->next[bid];
	s->stash_count--;
	return bid;
}

static void take_bytes(struct uring_stream *s, unsigned bid, unsigned len)
{
	if (closing(s))
		uring__bufpool_recycle(s->handle.loop->bufpool, bid);
	else if (reading(s) && !s->stash_count && !s->read_end)
		deliver(s, bid, len);
	else
		stash_push(s, bid, len);
}

static void unstarve(struct uring_pool_waiter *w)
{
	struct uring_stream *s =
		uring__container_of(w, struct uring_stream, waiter);

	s->state &= ~URING_STREAM__STARVED;
	rearm(s);
}

static void starve(struct uring_stream *s)
{
	if (!reading(s) || (s->state & URING_STREAM__STARVED))
		return;
	s->state |= URING_STREAM__STARVED;
	uring__bufpool_wait(s->handle.loop->bufpool, &s->waiter, unstarve);
}

static void recv_done(struct uring_loop *loop, struct uring_operation *op,
		      int res, unsigned flags)
{
	struct uring_stream *s = uring__container_of(op, struct uring_stream, rd);
	struct uring__bufpool *p = loop->bufpool;
	bool more = flags & URING_CQE_F_MORE;

	if (!more)
		s->state &= ~URING_STREAM__RD_CANCEL;
	if (flags & URING_CQE_F_BUFFER) {
		unsigned bid = flags >> URING_CQE_BUFFER_SHIFT;

		p->avail--;
		p->state[bid] = URING__BUF_OUT;
		if (res > 0)
			take_bytes(s, bid, (unsigned)res);
		else
			uring__bufpool_recycle(p, bid);
	} else if (res == 0) {
		end(s, URING_EOF);
	} else if (res == -ENOBUFS) {
		starve(s);
	} else if (res < 0 && res != -ECANCELED) {
		end(s, res);
	}
	if (!more)
		rearm(s);
	uring__stream_settle(s);
}

/* ------------------------------------------------------------- alloc mode */

static void alloc_recv_done(struct uring_loop *loop,
			    struct uring_operation *op, int res,
			    unsigned flags)
{
	struct uring_stream *s = uring__container_of(op, struct uring_stream, rd);
	struct iovec buf;

	(void)loop;
	(void)flags;
	s->state &= ~URING_STREAM__RD_CANCEL;
	if (closing(s)) {
		give_back(s);
	} else if (res > 0 && reading(s) && !s->read_end) {
		buf = s->u.abuf;
		memset(&s->u.abuf, 0, sizeof(s->u.abuf));
		s->cb.read_cb(s, res, &buf);
	} else if (res > 0) {
		s->stash_count = (unsigned)res; /* for the next read start */
	} else if (res == 0) {
		end(s, URING_EOF);
	} else if (res == -ECANCELED) {
		give_back(s);
	} else {
		end(s, res);
	}
	rearm(s);
	uring__stream_settle(s);
}

/* ------------------------------------------------------------- API */

static int read_start(struct uring_stream *s, uring_alloc_cb alloc_cb,
		      uring_read_cb cb)
{
	bool alloc = alloc_cb != NULL;
	int ret = uring__stream_check(s);

	if (ret)
		return ret;
	if (!cb || (s->state & URING_STREAM__LISTENING))
		return -EINVAL;
	if (s->fd < 0)
		return -ENOTCONN;
	if (s->state & URING_STREAM__READING)
		return -EALREADY;
	/* a recv of the other mode is still finishing, bytes it read wait
	 * for a start of that mode, or (alloc mode) it holds the user's
	 * buffer, which only that mode hands back (found by fuzz-api) */
	if ((s->rd.inflight || s->stash_count ||
	     ((s->state & URING_STREAM__ALLOC) && s->u.abuf.iov_base)) &&
	    alloc != !!(s->state & URING_STREAM__ALLOC))
		return -EBUSY;
	s->cb.read_cb = cb;
	s->alloc_cb = alloc_cb;
	s->state = (s->state & ~URING_STREAM__ALLOC) | URING_STREAM__READING |
		   (alloc ? URING_STREAM__ALLOC : 0);
	uring__handle_start(&s->handle);
	/* Alloc mode arms from the pending pass, before the loop waits:
	 * alloc_cb, and a buffer it gives that cannot be used (handed back
	 * with -ENOBUFS), then run outside this call. */
	if (alloc || s->stash_count || s->read_end || s->rd.inflight)
		uring__stream_pend(s, URING_STREAM__RESUME);
	else
		ret = arm_pool_recv(s);
	if (ret == -EBUSY) { /* no SQE now: the pending pass retries */
		uring__stream_pend(s, URING_STREAM__RESUME);
		ret = 0;
	}
	if (ret) /* an error to return, not to call back with */
		stop_reading(s);
	return ret;
}

int uring_stream_read_start(struct uring_stream *stream, uring_read_cb cb)
{
	return read_start(stream, NULL, cb);
}

int uring_stream_read_start_alloc(struct uring_stream *stream,
				  uring_alloc_cb alloc_cb, uring_read_cb cb)
{
	if (!alloc_cb)
		return -EINVAL;
	return read_start(stream, alloc_cb, cb);
}

int uring_stream_read_stop(struct uring_stream *stream)
{
	int ret = uring__stream_check(stream);

	if (ret)
		return ret;
	if (!(stream->state & URING_STREAM__READING))
		return 0;
	stop_reading(stream);
	if (stream->state & URING_STREAM__STARVED) {
		stream->state &= ~URING_STREAM__STARVED;
		uring__bufpool_unwait(&stream->waiter);
	}
	if (stream->rd.inflight && !(stream->state & URING_STREAM__RD_CANCEL) &&
	    uring__op_cancel(stream->handle.loop, &stream->rd) == 0)
		stream->state |= URING_STREAM__RD_CANCEL;
	return 0;
}

int uring_stream_buf_keep(struct uring_stream *stream)
{
	if (!stream || !stream->handle.loop)
		return -EINVAL;
	return uring__bufpool_keep(stream->handle.loop, stream);
}

/* From the pending pass after a read start: stashed bytes first, then the
 * end that followed them, then reading goes on. */
void uring__stream_read_resume(struct uring_stream *s)
{
	struct iovec buf;
	int error;

	if (s->state & URING_STREAM__ALLOC) {
		if (reading(s) && s->stash_count) {
			ssize_t n = (ssize_t)s->stash_count;

			buf = s->u.abuf;
			memset(&s->u.abuf, 0, sizeof(s->u.abuf));
			s->stash_count = 0;
			s->cb.read_cb(s, n, &buf);
		}
	} else {
		while (reading(s) && s->stash_count) {
			unsigned bid = stash_pop(s);

			deliver(s, bid, s->handle.loop->bufpool->len[bid]);
		}
	}
	if (reading(s) && !s->stash_count && s->read_end) {
		error = s->read_end;
		s->read_end = 0;
		end(s, error);
	}
	rearm(s);
}

void uring__stream_read_closing(struct uring_stream *s)
{
	if (s->state & URING_STREAM__STARVED) {
		s->state &= ~URING_STREAM__STARVED;
		uring__bufpool_unwait(&s->waiter);
	}
	s->read_end = 0;
}

/* Closing: stashed bytes will never be read; buffers go back. */
void uring__stream_read_settle(struct uring_stream *s)
{
	if (s->state & URING_STREAM__ALLOC) {
		if (!s->rd.inflight)
			give_back(s);
		return;
	}
	while (s->stash_count)
		uring__bufpool_recycle(s->handle.loop->bufpool, stash_pop(s));
}
