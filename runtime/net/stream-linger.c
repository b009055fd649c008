/* SPDX-License-Identifier: MIT */
/*
 * runtime/net/stream-linger.c - uring_stream_close_graceful(): close a
 * connection after a last answer without destroying that answer.
 *
 * Closing a socket that still has unread bytes from the peer makes the
 * kernel send a reset, and a reset can reach the peer before it has read
 * our last bytes, which it then loses.  So: send what is queued, shut the
 * write side down, read (and drop) until the peer's EOF, then close; a
 * timeout bounds the wait for a peer that never closes.  The state lives
 * in a small record the stream's side record points to while it lingers.
 */
#include <stdlib.h>
#include <string.h>

#include "stream-private.h"

struct uring__linger {
	struct uring_shutdown sd;
	struct uring_operation timer;
	struct uring_timespec ts;
	uring_close_cb cb;
	bool read_done;   /* the peer's EOF or a read error, or no reading */
	bool shut_failed; /* our shutdown could not be sent */
};

static struct uring__linger *linger_of(struct uring_stream *s)
{
	return s->ext ? s->ext->linger : NULL;
}

/* The write side is done: shut down (after every queued write), or it
 * cannot be. */
static bool write_done(const struct uring_stream *s,
		       const struct uring__linger *l)
{
	return !s->ext->shutdown_req &&
	       ((s->state & URING_STREAM__SHUT) || l->shut_failed);
}

static void finish(struct uring_stream *s)
{
	struct uring__linger *l = linger_of(s);

	if (l && !uring_is_closing(&s->handle))
		uring_close(&s->handle, l->cb);
}

void uring__stream_linger_check(struct uring_stream *s)
{
	struct uring__linger *l = linger_of(s);

	if (l && l->read_done && write_done(s, l))
		finish(s);
}

static void linger_read(struct uring_stream *s, ssize_t nread,
			const struct iovec *buf)
{
	struct uring__linger *l = linger_of(s);

	(void)buf; /* bytes after our last answer are dropped */
	if (nread >= 0 || !l)
		return;
	l->read_done = true;
	uring__stream_linger_check(s);
}

static void linger_shut(struct uring_shutdown *req, int status)
{
	struct uring_stream *s = req->data;
	struct uring__linger *l = linger_of(s);

	if (!l || status == -ECANCELED)
		return;
	if (status < 0) /* the peer is gone: nothing to wait for */
		finish(s);
	/* else: stream-write.c checks once the request is off the stream */
}

static void linger_timeout(struct uring_loop *loop, struct uring_operation *op,
			   int res, unsigned flags)
{
	struct uring_stream *s = uring__stream_of(op);

	(void)loop;
	(void)flags;
	if (res != -ECANCELED)
		finish(s);
	uring__stream_settle(s);
}

/* Read on, into the loop's pool, with linger_read. */
static int keep_reading(struct uring_stream *s)
{
	if ((s->state & URING_STREAM__READING) &&
	    !(s->state & URING_STREAM__ALLOC)) {
		s->cb.read_cb = linger_read;
		return 0;
	}
	(void)uring_stream_read_stop(s);
	return uring_stream_read_start(s, linger_read);
}

static int arm_timer(struct uring_stream *s, struct uring__linger *l,
		     uint64_t timeout_ms)
{
	struct uring_sqe *sqe;

	l->timer.handle = &s->handle;
	l->timer.complete = linger_timeout;
	l->ts.tv_sec = (long long)(timeout_ms / 1000);
	l->ts.tv_nsec = (long long)(timeout_ms % 1000) * 1000000;
	sqe = uring__op_sqe(s->handle.loop, &l->timer);
	if (!sqe)
		return -EBUSY;
	uring_prep_timeout(sqe, &l->ts, 0, 0);
	return 0;
}

int uring_stream_close_graceful(struct uring_stream *stream,
				uint64_t timeout_ms, uring_close_cb close_cb)
{
	struct uring__linger *l;
	int ret = uring__stream_check(stream);

	if (ret)
		return ret;
	if (stream->state & URING_STREAM__LISTENING)
		return -EINVAL;
	if (stream->fd < 0 || uring__stream_connecting(stream))
		return -ENOTCONN;
	if (linger_of(stream))
		return -EALREADY;
	if (!timeout_ms)
		timeout_ms = 1; /* a timeout of 0 would mean none */
	ret = uring__stream_ext_get(stream);
	if (ret)
		return ret;
	l = calloc(1, sizeof(*l));
	if (!l) /* the record goes back at the stream's next trim: trimming
		 * here could pull it from under a send completion that is
		 * running this caller's write callback */
		return -ENOMEM;
	l->cb = close_cb;
	stream->ext->linger = l;
	if (arm_timer(stream, l, timeout_ms)) { /* no bound: close now */
		uring_close(&stream->handle, close_cb);
		return 0;
	}
	l->sd.data = stream;
	if (!(stream->state & URING_STREAM__SHUT) &&
	    uring_stream_shutdown(&l->sd, stream, linger_shut) < 0)
		l->shut_failed = true;
	if (keep_reading(stream) < 0)
		l->read_done = true;
	uring__stream_linger_check(stream);
	return 0;
}

void uring__stream_linger_closing(struct uring_stream *s)
{
	struct uring__linger *l = linger_of(s);

	if (l && l->timer.inflight)
		(void)uring__op_cancel(s->handle.loop, &l->timer);
}

void uring__stream_linger_free(struct uring_stream *s)
{
	if (!s->ext)
		return;
	free(s->ext->linger);
	s->ext->linger = NULL;
}
