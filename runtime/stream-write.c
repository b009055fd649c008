/* SPDX-License-Identifier: MIT */
/*
 * runtime/stream-write.c - the write queue of a stream, and shutdown.
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
 * The msghdr and iovec array live in one allocation per stream (`wbuf`),
 * made on the first send that needs more than one buffer and grown by
 * doubling: the kernel copies them when the SQE is submitted
 * (FEAT_SUBMIT_STABLE), so one per stream is enough.
 */
#include <limits.h>
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
	struct uring_write *w;
	struct uring_shutdown *sd = s->shutdown_req;

	while (!uring__list_empty(&s->writes)) {
		w = uring__container_of(s->writes.next, struct uring_write, node);
		s->write_queue_size -= remaining(w);
		complete(s, w, error);
	}
	/* a shutdown that was waiting for the queue will never be sent */
	if (closing(s) && sd && !sd->op.inflight) {
		s->shutdown_req = NULL;
		s->handle.loop->active_reqs--;
		sd->cb(sd, -ECANCELED);
	}
}

/* Complete the writes that `bytes` written cover, in queue order. */
static void advance(struct uring_stream *s, size_t bytes)
{
	struct uring_write *w;
	size_t left;

	while (!uring__list_empty(&s->writes)) {
		w = uring__container_of(s->writes.next, struct uring_write, node);
		while (w->done_bufs < w->nbufs) {
			left = w->bufs[w->done_bufs].iov_len - w->done_bytes;
			if (bytes < left) {
				w->done_bytes += bytes;
				s->write_queue_size -= bytes;
				return;
			}
			bytes -= left;
			s->write_queue_size -= left;
			w->done_bufs++;
			w->done_bytes = 0;
		}
		complete(s, w, 0);
		if (closing(s))
			return; /* the callback closed it: settle() fails the rest */
	}
}

/* ------------------------------------------------------------- sending */

static void send_shutdown(struct uring_stream *s);

static void after_writes(struct uring_stream *s)
{
	if (closing(s))
		return;
	if (!uring__list_empty(&s->writes))
		uring__stream_pend(s, URING_STREAM__FLUSH);
	else if (s->shutdown_req && !s->shutdown_req->op.inflight &&
		 !s->wr.inflight)
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
		s->zc_result = *res;
	if (flags & URING_CQE_F_MORE)
		return false;
	*res = s->zc_result;
	s->state &= ~URING_STREAM__ZC;
	return true;
}

static void send_done(struct uring_loop *loop, struct uring_operation *op,
		      int res, unsigned flags)
{
	struct uring_stream *s = uring__container_of(op, struct uring_stream, wr);

	(void)loop;
	if ((s->state & URING_STREAM__ZC) && !zc_last(s, &res, flags))
		return;
	if (res > 0) {
		advance(s, (size_t)res);
	} else {
		/* 0 bytes for a non-empty send: the peer is gone */
		s->write_error = res ? res : -EPIPE;
		uring__stream_fail_writes(s, closing(s) ? -ECANCELED
							: s->write_error);
	}
	after_writes(s);
	uring__stream_settle(s);
}

static int grow(struct uring_stream *s, unsigned need)
{
	struct uring__wbuf *wb;
	unsigned cap = s->wbuf ? s->wbuf->cap : 4;

	while (cap < need)
		cap *= 2;
	if (cap > UIO_MAXIOV)
		cap = UIO_MAXIOV;
	wb = realloc(s->wbuf, sizeof(*wb) + cap * sizeof(struct iovec));
	if (!wb)
		return -ENOMEM;
	if (!s->wbuf)
		memset(&wb->msg, 0, sizeof(wb->msg));
	wb->cap = cap;
	s->wbuf = wb;
	return 0;
}

/* Gather the queued bytes into the stream's iovec array; returns how many
 * entries, or a negative errno.  A zero-copy write goes alone. */
static int gather(struct uring_stream *s)
{
	struct uring_list *n;
	unsigned cnt = 0, i;

	for (n = s->writes.next; n != &s->writes; n = n->next) {
		struct uring_write *w =
			uring__container_of(n, struct uring_write, node);

		if ((w->flags & URING_WRITE__ZEROCOPY) && n != s->writes.next)
			break;

		for (i = w->done_bufs; i < w->nbufs; i++) {
			size_t off = i == w->done_bufs ? w->done_bytes : 0;

			if (w->bufs[i].iov_len == off)
				continue;
			if (cnt == UIO_MAXIOV)
				return (int)cnt;
			if ((!s->wbuf || cnt == s->wbuf->cap) && grow(s, cnt + 1))
				return cnt ? (int)cnt : -ENOMEM;
			s->wbuf->iov[cnt].iov_base =
				(char *)w->bufs[i].iov_base + off;
			s->wbuf->iov[cnt].iov_len = w->bufs[i].iov_len - off;
			cnt++;
		}
		if (w->flags & URING_WRITE__ZEROCOPY)
			break;
	}
	return (int)cnt;
}

static bool head_zerocopy(const struct uring_stream *s)
{
	const struct uring_write *w =
		uring__container_of(s->writes.next, struct uring_write, node);

	return w->flags & URING_WRITE__ZEROCOPY;
}

void uring__stream_flush(struct uring_stream *s)
{
	struct uring_sqe *sqe;
	int n;

	if (closing(s) || s->wr.inflight || s->connect_req || s->fd < 0 ||
	    uring__list_empty(&s->writes))
		return;
	n = gather(s);
	if (n <= 0) { /* only empty buffers (done), or no memory (failed) */
		if (n == 0)
			advance(s, 0);
		else
			uring__stream_fail_writes(s, n);
		after_writes(s);
		return;
	}
	sqe = uring__op_sqe(s->handle.loop, &s->wr);
	if (!sqe) {
		uring__stream_pend(s, URING_STREAM__FLUSH);
		return;
	}
	s->wr.complete = send_done;
	s->wr.flags = 0;
	if (head_zerocopy(s)) {
		s->state |= URING_STREAM__ZC;
		s->wbuf->msg.msg_iov = s->wbuf->iov;
		s->wbuf->msg.msg_iovlen = (size_t)n;
		uring_prep_sendmsg_zc(sqe, s->fd, &s->wbuf->msg, MSG_NOSIGNAL);
	} else if (n == 1) {
		uring_prep_send(sqe, s->fd, s->wbuf->iov[0].iov_base,
				s->wbuf->iov[0].iov_len, MSG_NOSIGNAL);
	} else {
		s->wbuf->msg.msg_iov = s->wbuf->iov;
		s->wbuf->msg.msg_iovlen = (size_t)n;
		uring_prep_sendmsg(sqe, s->fd, &s->wbuf->msg, MSG_NOSIGNAL);
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
	return s->write_error;
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
	req->bufs = req->inline_bufs;
	if (nbufs > URING_WRITE_INLINE_BUFS) {
		req->bufs = malloc(nbufs * sizeof(*bufs));
		if (!req->bufs)
			return -ENOMEM;
	}
	memcpy(req->bufs, bufs, nbufs * sizeof(*bufs));
	req->nbufs = nbufs;
	req->flags = flags;
	req->done_bufs = 0;
	req->done_bytes = 0;
	req->stream = stream;
	req->cb = cb;
	uring__list_add_tail(&stream->writes, &req->node);
	stream->write_queue_size += total;
	stream->handle.loop->active_reqs++;
	if (!stream->wr.inflight && !stream->connect_req)
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
	static int supported = -1; /* probed once per process */

	if (supported < 0)
		supported = uring_probe_opcode(URING_OP_SENDMSG_ZC) == 1;
	if (!supported)
		return -EOPNOTSUPP;
	return queue_write(req, stream, bufs, nbufs, cb, URING_WRITE__ZEROCOPY);
}

ssize_t uring_stream_try_write(struct uring_stream *stream,
			       const struct iovec *bufs, unsigned nbufs)
{
	struct msghdr msg;
	ssize_t n;
	int ret;

	if (!bufs || !nbufs || nbufs > UIO_MAXIOV)
		return -EINVAL;
	ret = writable(stream);
	if (ret)
		return ret;
	/* bytes must not overtake queued ones */
	if (!uring__list_empty(&stream->writes) || stream->wr.inflight ||
	    stream->connect_req)
		return -EAGAIN;
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = (struct iovec *)bufs;
	msg.msg_iovlen = nbufs;
	n = sendmsg(stream->fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	return n;
}

size_t uring_stream_write_queue_size(const struct uring_stream *stream)
{
	return stream ? stream->write_queue_size : 0;
}

/* ------------------------------------------------------------- shutdown */

static void shutdown_done(struct uring_loop *loop, struct uring_operation *op,
			  int res, unsigned flags)
{
	struct uring_shutdown *req =
		uring__container_of(op, struct uring_shutdown, op);
	struct uring_stream *s = req->stream;

	(void)flags;
	s->shutdown_req = NULL;
	loop->active_reqs--;
	req->cb(req, closing(s) ? -ECANCELED : res);
	uring__stream_settle(s);
}

static void send_shutdown(struct uring_stream *s)
{
	struct uring_shutdown *req = s->shutdown_req;
	struct uring_sqe *sqe = uring__op_sqe(s->handle.loop, &req->op);

	if (!sqe) {
		s->shutdown_req = NULL;
		s->handle.loop->active_reqs--;
		req->cb(req, -EBUSY);
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
	memset(&req->op, 0, sizeof(req->op));
	req->op.complete = shutdown_done;
	req->op.handle = &stream->handle;
	req->stream = stream;
	req->cb = cb;
	stream->state |= URING_STREAM__SHUT;
	stream->shutdown_req = req;
	stream->handle.loop->active_reqs++;
	if (uring__list_empty(&stream->writes) && !stream->wr.inflight &&
	    !stream->connect_req)
		send_shutdown(stream);
	return 0;
}
