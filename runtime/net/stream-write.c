/* SPDX-License-Identifier: MIT */
/*
 * runtime/net/stream-write.c - the write queue of a stream, and shutdown.
 *
 * Writes queue on the stream; at most one send per stream is in the
 * kernel.  Before the loop next waits (the pending pass), everything
 * queued goes out as one send: a plain SEND for one buffer, a SENDMSG over
 * all queued buffers otherwise (up to UIO_MAXIOV).  So a thousand small
 * writes made in one callback cost one operation, not a thousand.  When a
 * send completes, the bytes it wrote complete the writes they cover, in
 * order; a short send leaves the rest queued and the next send continues
 * from there.  An error fails every queued write with it.
 *
 * The queue, the send and the msghdr + iovec array (`wbuf`, grown by
 * doubling; the kernel copies them when the SQE is submitted, so one per
 * stream is enough) live in the stream's side record (stream-ext.c),
 * lent by the loop for as long as anything is queued or in flight.
 */
#include <limits.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "stream-private.h"

#ifndef UIO_MAXIOV
#define UIO_MAXIOV 1024
#endif

struct uring__wbuf {
	struct msghdr msg;
	unsigned cap;
	struct iovec iov[];
};

static bool closing(const struct uring_stream *s)
{
	return s->handle.flags & URING_HANDLE__CLOSING;
}

/* ------------------------------------------------------------- requests */

static size_t remaining(const struct uring_write *w)
{
	size_t n = 0;
	unsigned i;

	for (i = w->done_bufs; i < w->nbufs; i++)
		n += w->bufs[i].iov_len;
	return n - w->done_bytes;
}

static void complete(struct uring_stream *s, struct uring_write *w, int status)
{
	uring__list_del(&w->node);
	if (w->bufs != w->inline_bufs)
		free(w->bufs);
	w->bufs = NULL;
	s->handle.loop->active_reqs--;
	w->cb(w, status);
}

void uring__stream_fail_writes(struct uring_stream *s, int error)
{
	struct uring__stream_ext *x = s->ext;
	struct uring_write *w;
	struct uring_shutdown *sd;
	struct uring_list failing;

	if (!x)
		return; /* nothing was ever queued */
	/* what is queued now: a callback that queues again (allowed after a
	 * failed connect) must not keep this loop going for ever */
	uring__list_move_all(&x->writes, &failing);
	while (!uring__list_empty(&failing)) {
		w = uring__container_of(failing.next, struct uring_write, node);
		x->write_queue_size -= remaining(w);
		complete(s, w, error);
	}
	/* a shutdown that was waiting for the queue will never be sent */
	sd = x->shutdown_req;
	if (closing(s) && sd && !sd->op.inflight) {
		x->shutdown_req = NULL;
		s->handle.loop->active_reqs--;
		sd->cb(sd, -ECANCELED);
	}
}

/* Complete the writes that `bytes` written cover, in queue order. */
static void advance(struct uring_stream *s, size_t bytes)
{
	struct uring__stream_ext *x = s->ext;
	struct uring_write *w;
	size_t left;

	while (!uring__list_empty(&x->writes)) {
		w = uring__container_of(x->writes.next, struct uring_write, node);
		while (w->done_bufs < w->nbufs) {
			left = w->bufs[w->done_bufs].iov_len - w->done_bytes;
			if (bytes < left) {
				w->done_bytes += bytes;
				x->write_queue_size -= bytes;
				return;
			}
			bytes -= left;
			x->write_queue_size -= left;
			w->done_bufs++;
			w->done_bytes = 0;
		}
		/* sent: 0 even when the stream was closed meanwhile (by
		 * this callback or before the CQE came); settle() fails
		 * with -ECANCELED only what the kernel did not take */
		complete(s, w, 0);
	}
}

/* ------------------------------------------------------------- sending */

static void send_shutdown(struct uring_stream *s);

static void after_writes(struct uring_stream *s)
{
	struct uring__stream_ext *x = s->ext;

	if (closing(s) || !x)
		return;
	if (!uring__list_empty(&x->writes))
		uring__stream_pend(s, URING_STREAM__FLUSH);
	else if (x->shutdown_req && !x->shutdown_req->op.inflight &&
		 !x->wr.inflight)
		send_shutdown(s);
}

/*
 * A zero-copy send posts its result (with F_MORE), then a notification
 * once the kernel let go of the buffers; an error may come without one.
 * Keep the result until the last CQE: only then may the writes complete.
 * Returns whether this was the last.
 */
static bool zc_last(struct uring_stream *s, int *res, unsigned flags)
{
	if (!(flags & URING_CQE_F_NOTIF))
		s->ext->zc_result = *res;
	if (flags & URING_CQE_F_MORE)
		return false;
	*res = s->ext->zc_result;
	s->state &= ~URING_STREAM__ZC;
	return true;
}

/* The queue fell to the drain mark after being above it: tell the user
 * once (after the write callbacks of the send that did it). */
static void check_drain(struct uring_stream *s)
{
	struct uring__stream_ext *x = s->ext;

	if (x && x->drain_armed && x->write_queue_size <= x->drain_mark &&
	    !closing(s)) {
		x->drain_armed = false;
		x->drain_cb(s);
	}
}

static void send_done(struct uring_loop *loop, struct uring_operation *op,
		      int res, unsigned flags)
{
	struct uring_stream *s = uring__stream_of(op);

	(void)loop;
	if ((s->state & URING_STREAM__ZC) && !zc_last(s, &res, flags))
		return;
	if (res > 0) {
		advance(s, (size_t)res);
		check_drain(s);
	} else {
		/* 0 bytes for a non-empty send: the peer is gone */
		s->ext->write_error = res ? res : -EPIPE;
		uring__stream_fail_writes(s, closing(s) ? -ECANCELED
							: s->ext->write_error);
	}
	after_writes(s);
	uring__stream_settle(s);
	uring__stream_ext_trim(s);
}

static int grow(struct uring__stream_ext *x, unsigned need)
{
	URING__KEEP_ERRNO(); /* realloc() */
	struct uring__wbuf *wb;
	unsigned cap = x->wbuf ? x->wbuf->cap : 4;

	while (cap < need)
		cap *= 2;
	if (cap > UIO_MAXIOV)
		cap = UIO_MAXIOV;
	wb = realloc(x->wbuf, sizeof(*wb) + cap * sizeof(struct iovec));
	if (!wb)
		return -ENOMEM;
	if (!x->wbuf)
		memset(&wb->msg, 0, sizeof(wb->msg));
	wb->cap = cap;
	x->wbuf = wb;
	return 0;
}

/* Gather the queued bytes into the stream's iovec array; returns how many
 * entries, or a negative errno.  A zero-copy write goes alone. */
static int gather(struct uring__stream_ext *x)
{
	struct uring_list *n;
	unsigned cnt = 0, i;

	for (n = x->writes.next; n != &x->writes; n = n->next) {
		struct uring_write *w =
			uring__container_of(n, struct uring_write, node);

		if ((w->flags & URING_WRITE__ZEROCOPY) && n != x->writes.next)
			break;

		for (i = w->done_bufs; i < w->nbufs; i++) {
			size_t off = i == w->done_bufs ? w->done_bytes : 0;

			if (w->bufs[i].iov_len == off)
				continue;
			if (cnt == UIO_MAXIOV)
				return (int)cnt;
			if ((!x->wbuf || cnt == x->wbuf->cap) && grow(x, cnt + 1))
				return cnt ? (int)cnt : -ENOMEM;
			x->wbuf->iov[cnt].iov_base =
				(char *)w->bufs[i].iov_base + off;
			x->wbuf->iov[cnt].iov_len = w->bufs[i].iov_len - off;
			cnt++;
		}
		if (w->flags & URING_WRITE__ZEROCOPY)
			break;
	}
	return (int)cnt;
}

static bool head_zerocopy(const struct uring__stream_ext *x)
{
	const struct uring_write *w =
		uring__container_of(x->writes.next, struct uring_write, node);

	return w->flags & URING_WRITE__ZEROCOPY;
}

void uring__stream_flush(struct uring_stream *s)
{
	struct uring__stream_ext *x = s->ext;
	struct uring_sqe *sqe;
	int n;

	if (closing(s) || !x || x->wr.inflight || x->connect_req || s->fd < 0)
		return;
	if (uring__list_empty(&x->writes)) {
		after_writes(s); /* a shutdown that found no SQE */
		return;
	}
	n = gather(x);
	if (n <= 0) { /* only empty buffers (done), or no memory (failed) */
		if (n == 0)
			advance(s, 0);
		else
			uring__stream_fail_writes(s, n);
		after_writes(s);
		return;
	}
	sqe = uring__op_sqe(s->handle.loop, &x->wr);
	if (!sqe) {
		uring__stream_pend(s, URING_STREAM__FLUSH);
		return;
	}
	x->wr.complete = send_done;
	x->wr.flags = 0;
	if (head_zerocopy(x)) {
		s->state |= URING_STREAM__ZC;
		x->wbuf->msg.msg_iov = x->wbuf->iov;
		x->wbuf->msg.msg_iovlen = (size_t)n;
		uring_prep_sendmsg_zc(sqe, s->fd, &x->wbuf->msg, MSG_NOSIGNAL);
	} else if (n == 1) {
		uring_prep_send(sqe, s->fd, x->wbuf->iov[0].iov_base,
				uring__stream_io_len(x->wbuf->iov[0].iov_len),
				MSG_NOSIGNAL);
	} else {
		x->wbuf->msg.msg_iov = x->wbuf->iov;
		x->wbuf->msg.msg_iovlen = (size_t)n;
		uring_prep_sendmsg(sqe, s->fd, &x->wbuf->msg, MSG_NOSIGNAL);
	}
}

/* A connect finished: queued writes go out, or fail with its error. */
void uring__stream_connected(struct uring_stream *s, int result)
{
	if (closing(s))
		return;
	if (result < 0) /* the stream may connect again later */
		uring__stream_fail_writes(s, result);
	after_writes(s);
}

/* ------------------------------------------------------------- API */

static int writable(const struct uring_stream *s)
{
	int ret = uring__stream_check(s);

	if (ret)
		return ret;
	if (s->state & URING_STREAM__LISTENING)
		return -EINVAL;
	if (s->fd < 0)
		return -ENOTCONN;
	if (s->state & URING_STREAM__SHUT)
		return -EPIPE;
	return s->ext ? s->ext->write_error : 0;
}

static int queue_write(struct uring_write *req, struct uring_stream *stream,
		       const struct iovec *bufs, unsigned nbufs,
		       uring_write_cb cb, unsigned flags)
{
	size_t total = 0;
	unsigned i;
	int ret;

	if (!req || !cb || !bufs || !nbufs)
		return -EINVAL;
	ret = writable(stream);
	if (ret)
		return ret;
	for (i = 0; i < nbufs; i++) {
		if (!bufs[i].iov_base && bufs[i].iov_len)
			return -EINVAL;
		if (bufs[i].iov_len > SSIZE_MAX - total)
			return -EINVAL;
		total += bufs[i].iov_len;
	}
	ret = uring__stream_ext_get(stream); /* the queue lives there */
	if (ret)
		return ret;
	req->bufs = req->inline_bufs;
	if (nbufs > URING_WRITE_INLINE_BUFS) {
		URING__KEEP_ERRNO();

		req->bufs = malloc(nbufs * sizeof(*bufs));
		if (!req->bufs) {
			uring__stream_ext_trim(stream);
			return -ENOMEM;
		}
	}
	memcpy(req->bufs, bufs, nbufs * sizeof(*bufs));
	req->nbufs = nbufs;
	req->flags = flags;
	req->done_bufs = 0;
	req->done_bytes = 0;
	req->stream = stream;
	req->cb = cb;
	uring__list_add_tail(&stream->ext->writes, &req->node);
	stream->ext->write_queue_size += total;
	if (stream->ext->drain_cb &&
	    stream->ext->write_queue_size > stream->ext->drain_mark)
		stream->ext->drain_armed = true;
	stream->handle.loop->active_reqs++;
	if (!stream->ext->wr.inflight && !stream->ext->connect_req)
		uring__stream_pend(stream, URING_STREAM__FLUSH);
	return 0;
}

int uring_stream_write(struct uring_write *req, struct uring_stream *stream,
		       const struct iovec *bufs, unsigned nbufs,
		       uring_write_cb cb)
{
	return queue_write(req, stream, bufs, nbufs, cb, 0);
}

int uring_stream_write_zc(struct uring_write *req, struct uring_stream *stream,
			  const struct iovec *bufs, unsigned nbufs,
			  uring_write_cb cb)
{
	/* probed once per process, by whichever loop thread comes first */
	static atomic_int supported = -1;
	int yes = atomic_load_explicit(&supported, memory_order_relaxed);

	if (yes < 0) {
		yes = uring_probe_opcode(URING_OP_SENDMSG_ZC) == 1;
		atomic_store_explicit(&supported, yes, memory_order_relaxed);
	}
	if (!yes)
		return -EOPNOTSUPP;
	return queue_write(req, stream, bufs, nbufs, cb, URING_WRITE__ZEROCOPY);
}

ssize_t uring_stream_try_write(struct uring_stream *stream,
			       const struct iovec *bufs, unsigned nbufs)
{
	URING__KEEP_ERRNO(); /* sendmsg() */
	struct msghdr msg;
	ssize_t n;
	int ret;

	if (!bufs || !nbufs || nbufs > UIO_MAXIOV)
		return -EINVAL;
	ret = writable(stream);
	if (ret)
		return ret;
	/* bytes must not overtake queued ones */
	if (stream->ext && (!uring__list_empty(&stream->ext->writes) ||
			    stream->ext->wr.inflight ||
			    stream->ext->connect_req))
		return -EAGAIN;
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = (struct iovec *)bufs;
	msg.msg_iovlen = nbufs;
	n = sendmsg(stream->fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	return n;
}

int uring_stream_set_drain_cb(struct uring_stream *stream, size_t low_mark,
			      uring_drain_cb cb)
{
	int ret = uring__stream_check(stream);
	struct uring__stream_ext *x;

	if (ret)
		return ret;
	if (stream->state & URING_STREAM__LISTENING)
		return -EINVAL;
	if (!cb) {
		/* no trim here: a write callback may call this while the
		 * send's completion still walks the record; the record goes
		 * back at the next trim once nothing else holds it */
		if (stream->ext) {
			stream->ext->drain_cb = NULL;
			stream->ext->drain_armed = false;
		}
		return 0;
	}
	ret = uring__stream_ext_get(stream); /* kept while cb is set */
	if (ret)
		return ret;
	x = stream->ext;
	x->drain_cb = cb;
	x->drain_mark = low_mark;
	x->drain_armed = x->write_queue_size > low_mark;
	return 0;
}

size_t uring_stream_write_queue_size(const struct uring_stream *stream)
{
	return stream && stream->ext ? stream->ext->write_queue_size : 0;
}

/* ------------------------------------------------------------- shutdown */

static void shutdown_done(struct uring_loop *loop, struct uring_operation *op,
			  int res, unsigned flags)
{
	struct uring_shutdown *req =
		uring__container_of(op, struct uring_shutdown, op);
	struct uring_stream *s = req->stream;

	(void)flags;
	s->ext->shutdown_req = NULL;
	loop->active_reqs--;
	req->cb(req, closing(s) ? -ECANCELED : res);
	uring__stream_linger_check(s); /* a graceful close waits for it */
	uring__stream_settle(s);
	uring__stream_ext_trim(s);
}

static void send_shutdown(struct uring_stream *s)
{
	struct uring_shutdown *req = s->ext->shutdown_req;
	struct uring_sqe *sqe = uring__op_sqe(s->handle.loop, &req->op);

	if (!sqe) { /* sent from the pending pass, like a write */
		uring__stream_pend(s, URING_STREAM__FLUSH);
		return;
	}
	uring_prep_shutdown(sqe, s->fd, SHUT_WR);
}

int uring_stream_shutdown(struct uring_shutdown *req,
			  struct uring_stream *stream, uring_shutdown_cb cb)
{
	int ret;

	if (!req || !cb)
		return -EINVAL;
	ret = uring__stream_check(stream);
	if (ret)
		return ret;
	if (stream->state & URING_STREAM__LISTENING)
		return -EINVAL;
	if (stream->fd < 0)
		return -ENOTCONN;
	if (stream->state & URING_STREAM__SHUT)
		return -EALREADY;
	ret = uring__stream_ext_get(stream);
	if (ret)
		return ret;
	memset(&req->op, 0, sizeof(req->op));
	req->op.complete = shutdown_done;
	req->op.handle = &stream->handle;
	req->stream = stream;
	req->cb = cb;
	stream->state |= URING_STREAM__SHUT;
	stream->ext->shutdown_req = req;
	stream->handle.loop->active_reqs++;
	if (uring__list_empty(&stream->ext->writes) &&
	    !stream->ext->wr.inflight && !stream->ext->connect_req)
		send_shutdown(stream);
	return 0;
}
