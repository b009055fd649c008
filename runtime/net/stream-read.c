/* SPDX-License-Identifier: MIT */
/*
 * runtime/net/stream-read.c - reading from streams.
 *
 * Pool mode: one multishot recv per stream selecting buffers from the
 * loop's stream pool (bufpool.c; consumed incrementally where the kernel
 * can, so a CQE's bytes may be a segment of a buffer other reads share).
 * Each CQE's bytes go to read_cb in place, and their reference on the
 * buffer is dropped after the callback unless the user kept it.  The recv is re-armed whenever it ends for a reason that is not
 * final; -ENOBUFS (pool empty) parks the stream on the pool's starved list
 * until buffers come back: reading pauses, nothing is dropped.
 *
 * Alloc mode (the libuv shape): one single-shot recv at a time into the
 * buffer alloc_cb gave.  read_cb with nread 0 hands an unused buffer back.
 *
 * After uring_stream_read_stop() no read_cb runs, but a recv may still
 * complete with bytes before the kernel sees the cancel: every CQE it had
 * posted before the stop, which can be the whole pool when a peer had
 * sent that much.  Those are stashed and delivered first, in order, on
 * the next read start: in alloc mode they stay in the user's buffer; in
 * pool mode they are copied into chunks of the stream's own (a FIFO in
 * its side record) and the pool buffers go back at once.  A stopped
 * stream may never read again (its peer does not read our replies), and
 * pool buffers are shared by every stream of the loop: kept there, the
 * bytes of a few stopped streams took the whole pool and stalled every
 * other stream.  Moving a buffer to the stream instead of copying is no
 * option where buffers are consumed incrementally (a buffer holds other
 * streams' reads and the kernel may still be filling it), and the copy
 * costs little next to the receive: it happens only for bytes that
 * arrive after a stop, once.
 */
#include <stdlib.h>
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
	int ret = uring__bufpool_get(s->handle.loop, URING__POOL_STREAM, &p);

	if (ret)
		return ret;
	sqe = uring__op_sqe(s->handle.loop, &s->rd);
	if (!sqe)
		return -EBUSY;
	s->rd.complete = recv_done;
	uring_prep_recv_multishot(sqe, s->fd, NULL, 0, 0);
	uring_sqe_buffer_select(sqe, URING__POOL_BGID);
	return 0;
}

/* Alloc mode: the stream has its side record (read_start made it). */
static int arm_alloc_recv(struct uring_stream *s)
{
	struct iovec *abuf = &s->ext->u.abuf;
	struct uring_sqe *sqe;

	if (!abuf->iov_base) { /* a retry keeps the buffer it got */
		s->ext->alloc_cb(s, SUGGESTED_SIZE, abuf);
		if (!reading(s))
			return 0; /* alloc_cb stopped or closed the stream */
	}
	if (!abuf->iov_base || !abuf->iov_len)
		return -ENOBUFS;
	sqe = uring__op_sqe(s->handle.loop, &s->rd);
	if (!sqe)
		return -EBUSY;
	s->rd.complete = alloc_recv_done;
	uring_prep_recv(sqe, s->fd, abuf->iov_base,
			uring__stream_io_len(abuf->iov_len), 0);
	return 0;
}

/* Take the alloc-mode buffer out of the stream. */
static struct iovec take_abuf(struct uring_stream *s)
{
	struct iovec buf = s->ext->u.abuf;

	memset(&s->ext->u.abuf, 0, sizeof(buf));
	return buf;
}

/* Hand an alloc-mode buffer back to the user (nread 0). */
static void give_back(struct uring_stream *s)
{
	struct iovec buf;

	if (!s->ext || !s->ext->u.abuf.iov_base)
		return;
	buf = take_abuf(s);
	s->ext->stash_count = 0;
	s->cb.read_cb(s, 0, &buf);
}

/* End reading with URING_EOF or an error, now or after the stash. */
static void end(struct uring_stream *s, int error)
{
	struct iovec buf = no_buf;

	s->state |= URING_STREAM__RD_END; /* for uring_stream_is_readable() */
	if (!reading(s) || uring__stream_stashed(s)) {
		/* kept for the next start; read_stop() lent the record */
		if (!closing(s) && !uring__stream_ext_get(s))
			s->ext->read_end = error;
		return;
	}
	if (s->state & URING_STREAM__ALLOC)
		buf = take_abuf(s); /* the user frees it */
	stop_reading(s);
	s->cb.read_cb(s, error, &buf);
}

/* Arm the recv again if reading should go on and nothing holds it back. */
static void rearm(struct uring_stream *s)
{
	int ret;

	if (!reading(s) || s->rd.inflight || uring__stream_read_end(s) ||
	    s->fd < 0 ||
	    (s->state & (URING_STREAM__STARVED | URING_STREAM__LAZY)))
		return; /* waiting for buffers: the wait re-arms */
	if ((s->state & URING_STREAM__ALLOC) && s->ext->stash_count)
		return; /* the alloc buffer still holds bytes for the user */
	ret = (s->state & URING_STREAM__ALLOC) ? arm_alloc_recv(s)
					       : arm_pool_recv(s);
	if (ret == -EBUSY) /* no SQE now: try again before the next wait */
		uring__stream_pend(s, URING_STREAM__RESUME);
	else if (ret)
		end(s, ret);
}

/* ------------------------------------------------------------- pool mode */

static void deliver(struct uring_stream *s, unsigned bid, char *addr,
		    unsigned len)
{
	struct uring__bufpool *p = s->handle.loop->bufpool;
	struct iovec buf = {addr, len};

	uring__bufpool_deliver_begin(p, s, bid);
	s->cb.read_cb(s, (ssize_t)len, &buf);
	uring__bufpool_deliver_end(p, bid);
}

/* A stashed chunk: the user may keep it as it would a pool buffer. */
static void deliver_copy(struct uring_stream *s, struct uring__seg seg)
{
	struct uring__bufpool *p = s->handle.loop->bufpool;
	struct iovec buf = {seg.addr, seg.len};

	uring__bufpool_deliver_copy_begin(p, s, seg.addr);
	s->cb.read_cb(s, (ssize_t)seg.len, &buf);
	uring__bufpool_deliver_copy_end(p);
}

/* Room for one more stashed segment: -ENOMEM if there is none. */
static int stash_room(struct uring__stream_ext *x)
{
	URING__KEEP_ERRNO(); /* realloc() */
	struct uring__seg *grown;
	unsigned cap;

	if (x->stash_first + x->stash_count < x->stash_cap)
		return 0;
	if (x->stash_first) { /* slide the live part to the front */
		memmove(x->stash, x->stash + x->stash_first,
			x->stash_count * sizeof(*x->stash));
		x->stash_first = 0;
		return 0;
	}
	cap = x->stash_cap ? x->stash_cap * 2 : 8;
	grown = realloc(x->stash, cap * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	x->stash = grown;
	x->stash_cap = cap;
	return 0;
}

/* Append len bytes to the newest chunk if it has room or may grow to it
 * (chunks grow by doubling, up to a pool buffer: a read callback gets no
 * more at once than from the pool); false if a new chunk is needed. */
static bool stash_append(struct uring__stream_ext *x, const char *addr,
			 unsigned len, unsigned most)
{
	struct uring__seg *last;
	unsigned cap;
	char *grown;

	if (!x->stash_count)
		return false;
	last = &x->stash[x->stash_first + x->stash_count - 1];
	if (len > most - last->len)
		return false;
	if (len > last->cap - last->len) {
		cap = last->cap * 2 > most ? most : last->cap * 2;
		if (cap < last->len + len)
			cap = last->len + len;
		grown = realloc(last->addr, cap);
		if (!grown)
			return false;
		last->addr = grown;
		last->cap = cap;
	}
	memcpy(last->addr + last->len, addr, len);
	last->len += len;
	return true;
}

/* Copy len bytes into the stash; -ENOMEM if there is no memory for them. */
static int stash_copy(struct uring__stream_ext *x, const char *addr,
		      unsigned len, unsigned most)
{
	struct uring__seg *seg;
	char *copy;

	if (stash_append(x, addr, len, most))
		return 0;
	if (stash_room(x) || !(copy = malloc(len)))
		return -ENOMEM;
	memcpy(copy, addr, len);
	seg = &x->stash[x->stash_first + x->stash_count++];
	seg->addr = copy;
	seg->len = seg->cap = len;
	return 0;
}

/* Keep bytes for the next read start, copied out of the pool: the buffer
 * goes back now.  read_stop() lent the record. */
static void stash_push(struct uring_stream *s, unsigned bid, char *addr,
		       unsigned len)
{
	struct uring__bufpool *p = s->handle.loop->bufpool;
	int ret = uring__stream_ext_get(s);

	if (!ret)
		ret = stash_copy(s->ext, addr, len, p->size);
	uring__bufpool_put(p, bid);
	if (ret) { /* never drop quietly: the stream ends with the error */
		end(s, ret);
		return;
	}
	p->stashed += len;
	p->copied += len;
}

static struct uring__seg stash_pop(struct uring_stream *s)
{
	struct uring__seg seg = s->ext->stash[s->ext->stash_first];

	s->handle.loop->bufpool->stashed -= seg.len;
	s->ext->stash_first++;
	if (!--s->ext->stash_count)
		s->ext->stash_first = 0;
	return seg;
}

static void take_bytes(struct uring_stream *s, unsigned bid, char *addr,
		       unsigned len)
{
	if (closing(s))
		uring__bufpool_put(s->handle.loop->bufpool, bid);
	else if (reading(s) && !uring__stream_stashed(s) &&
		 !uring__stream_read_end(s))
		deliver(s, bid, addr, len);
	else
		stash_push(s, bid, addr, len);
}

static void unstarve(struct uring_pool_waiter *w)
{
	struct uring__stream_ext *x =
		uring__container_of(w, struct uring__stream_ext, waiter);
	struct uring_stream *s = uring__stream_of(&x->wr);

	s->state &= ~URING_STREAM__STARVED;
	rearm(s);
	uring__stream_ext_trim(s);
}

void uring__stream_read_starve(struct uring_stream *s)
{
	if (!reading(s) || (s->state & URING_STREAM__STARVED))
		return;
	if (uring__stream_ext_get(s)) {
		/* no memory to wait on the pool: try again, but lazily, or
		 * the loop would never sleep */
		uring__stream_pend(s, URING_STREAM__RESUME | URING_STREAM__LAZY);
		return;
	}
	s->state |= URING_STREAM__STARVED;
	uring__bufpool_wait(s->handle.loop->bufpool, &s->ext->waiter, unstarve);
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
		char *addr = uring__bufpool_take(p, bid, res, flags);

		if (res > 0)
			take_bytes(s, bid, addr, (unsigned)res);
		else
			uring__bufpool_put(p, bid);
	} else if (res == 0) {
		end(s, URING_EOF);
	} else if (res == -ENOBUFS) {
		uring__stream_read_starve(s);
	} else if (res < 0 && res != -ECANCELED) {
		end(s, res);
	}
	if (!more)
		rearm(s);
	uring__stream_settle(s);
	uring__stream_ext_trim(s);
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
	} else if (res > 0 && reading(s) && !s->ext->read_end) {
		buf = take_abuf(s);
		s->cb.read_cb(s, res, &buf);
	} else if (res > 0) {
		s->ext->stash_count = (unsigned)res; /* for the next start */
	} else if (res == 0) {
		end(s, URING_EOF);
	} else if (res == -ECANCELED) {
		give_back(s);
	} else {
		end(s, res);
	}
	rearm(s);
	uring__stream_settle(s);
	uring__stream_ext_trim(s);
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
	if ((s->rd.inflight || uring__stream_stashed(s) ||
	     ((s->state & URING_STREAM__ALLOC) && s->ext->u.abuf.iov_base)) &&
	    alloc != !!(s->state & URING_STREAM__ALLOC))
		return -EBUSY;
	if (alloc && (ret = uring__stream_ext_get(s)))
		return ret; /* alloc_cb and its buffer live there */
	s->cb.read_cb = cb;
	if (alloc)
		s->ext->alloc_cb = alloc_cb;
	s->state = (s->state & ~URING_STREAM__ALLOC) | URING_STREAM__READING |
		   (alloc ? URING_STREAM__ALLOC : 0);
	uring__handle_start(&s->handle);
	/* Alloc mode arms from the pending pass, before the loop waits:
	 * alloc_cb, and a buffer it gives that cannot be used (handed back
	 * with -ENOBUFS), then run outside this call. */
	if (alloc || uring__stream_stashed(s) || uring__stream_read_end(s) ||
	    s->rd.inflight)
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
	/* a recv still in flight may bring bytes or an end to keep for the
	 * next start: that needs the side record, so get it now */
	if (stream->rd.inflight && (ret = uring__stream_ext_get(stream)))
		return ret;
	stop_reading(stream);
	if (stream->state & URING_STREAM__STARVED) {
		stream->state &= ~URING_STREAM__STARVED;
		uring__bufpool_unwait(&stream->ext->waiter);
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
	return uring__bufpool_keep(stream->handle.loop, URING__POOL_STREAM,
				   stream);
}

/* From the pending pass after a read start: stashed bytes first, then the
 * end that followed them, then reading goes on. */
void uring__stream_read_resume(struct uring_stream *s)
{
	struct iovec buf;
	int error;

	if (s->state & URING_STREAM__ALLOC) {
		if (reading(s) && s->ext->stash_count) {
			ssize_t n = (ssize_t)s->ext->stash_count;

			buf = take_abuf(s);
			s->ext->stash_count = 0;
			s->cb.read_cb(s, n, &buf);
		}
	} else {
		while (reading(s) && uring__stream_stashed(s))
			deliver_copy(s, stash_pop(s));
	}
	if (reading(s) && !uring__stream_stashed(s) &&
	    uring__stream_read_end(s)) {
		error = s->ext->read_end;
		s->ext->read_end = 0;
		end(s, error);
	}
	rearm(s);
	uring__stream_ext_trim(s);
}

void uring__stream_read_closing(struct uring_stream *s)
{
	if (s->state & URING_STREAM__STARVED) {
		s->state &= ~URING_STREAM__STARVED;
		uring__bufpool_unwait(&s->ext->waiter);
	}
	if (s->ext)
		s->ext->read_end = 0;
}

/* Closing: stashed bytes will never be read. */
void uring__stream_read_settle(struct uring_stream *s)
{
	if (s->state & URING_STREAM__ALLOC) {
		if (!s->rd.inflight)
			give_back(s);
		return;
	}
	while (uring__stream_stashed(s))
		free(stash_pop(s).addr);
}
