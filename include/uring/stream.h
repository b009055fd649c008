/* SPDX-License-Identifier: MIT */
/*
 * uring/stream.h - TCP and Unix-domain stream sockets on the loop.
 *
 * One handle type, struct uring_stream, serves listeners and connections,
 * TCP and Unix alike (libuv's uv_tcp_t / uv_pipe_t / uv_stream_t in one).
 *
 *   Listening:  uring_tcp_init() + uring_tcp_bind() + uring_stream_listen():
 *               one multishot accept per listener; connection_cb runs once
 *               per new connection; uring_tcp_init() a client and
 *               uring_stream_accept() into it, then or later.
 *   Reading:    uring_stream_read_start(): one multishot recv that picks
 *               buffers from the loop's provided-buffer pool; read_cb sees
 *               the bytes in place.  Or uring_stream_read_start_alloc():
 *               the libuv shape, your own buffers.
 *   Writing:    uring_stream_write() queues; queued writes go out together
 *               as one vectored send per stream per loop iteration.
 *   Closing:    uring_close() cancels reads and writes (write callbacks get
 *               -ECANCELED) and closes the socket once the kernel has let
 *               go of it; then close_cb.
 *
 * Errors are negative errnos; the end of the stream is URING_EOF.
 */
#ifndef URING_STREAM_H
#define URING_STREAM_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <uring/loop.h>

#ifdef __cplusplus
extern "C" {
#endif
#pragma GCC visibility push(default)

/* read_cb's nread at the end of the stream (the peer shut down writing).
 * Same value as libuv's UV_EOF; uring_strerror() knows it. */
#define URING_EOF (-4095)

struct uring_stream;
struct uring_write;
struct uring_connect;
struct uring_shutdown;
struct uring__stream_ext;

/* nread > 0: bytes in buf->iov_base; URING_EOF or a negative errno: reading
 * has stopped.  With the loop's pool, buf is a view valid during the
 * callback (uring_stream_buf_keep() keeps it longer).  With alloc_cb, buf
 * is the buffer alloc_cb gave, and nread 0 hands an unused one back. */
typedef void (*uring_read_cb)(struct uring_stream *stream, ssize_t nread,
			      const struct iovec *buf);
typedef void (*uring_alloc_cb)(struct uring_stream *stream, size_t suggested,
			       struct iovec *buf);
/* status 0: call uring_stream_accept(); < 0: accepting failed and has
 * stopped.  Running out of fds or memory (-EMFILE, -ENFILE, -ENOBUFS,
 * -ENOMEM) is not reported: the listener pauses and retries by itself. */
typedef void (*uring_connection_cb)(struct uring_stream *server, int status);
typedef void (*uring_write_cb)(struct uring_write *req, int status);
typedef void (*uring_connect_cb)(struct uring_connect *req, int status);
typedef void (*uring_shutdown_cb)(struct uring_shutdown *req, int status);
typedef void (*uring_drain_cb)(struct uring_stream *stream);

/*
 * 112 bytes: what an idle connection reading from the pool needs.  State
 * that only listeners, writers, alloc-mode readers and stopped readers
 * need lives in a side record the loop lends while it is in use and takes
 * back when the stream goes quiet (runtime/net/stream-ext.c).
 */
struct uring_stream {
	struct uring_handle handle;
	/* private */
	int fd;
	unsigned state;              /* URING_STREAM__* (stream-private.h) */
	union {
		uring_read_cb read_cb;
		uring_connection_cb connection_cb;
	} cb;
	struct uring_operation rd;   /* recv, or accept */
	struct uring_list pending;   /* on loop->pending_streams */
	struct uring__stream_ext *ext; /* lent by the loop, or NULL */
};

/* ---------------------------------------------------------------------
 * Creating streams
 * ------------------------------------------------------------------- */

/* A TCP stream without a socket yet: bind or connect creates it. */
int uring_tcp_init(struct uring_loop *loop, struct uring_stream *stream);
/* A Unix-domain stream without a socket yet. */
int uring_unix_init(struct uring_loop *loop, struct uring_stream *stream);
/* Adopt a connected or listening socket (e.g. one end of socketpair()). */
int uring_stream_open(struct uring_stream *stream, int fd);
/* The socket, or -EBADF before there is one. */
int uring_stream_fileno(const struct uring_stream *stream);
/* Whether reading may still bring bytes (connected, no EOF or read error
 * seen yet) and whether writes are taken (connected, not shut down, no
 * write error), like libuv's uv_is_readable/uv_is_writable. */
bool uring_stream_is_readable(const struct uring_stream *stream);
bool uring_stream_is_writable(const struct uring_stream *stream);

/* uring_tcp_bind() flags */
#define URING_TCP_IPV6ONLY (1U << 0)
#define URING_TCP_REUSEPORT (1U << 1) /* several loops share one port */

int uring_tcp_bind(struct uring_stream *stream, const struct sockaddr *addr,
		   unsigned flags);
/* name may start with '\0' (abstract namespace); namelen counts the bytes
 * of the name (no terminating NUL needed). */
int uring_unix_bind(struct uring_stream *stream, const char *name,
		    size_t namelen);
int uring_tcp_nodelay(struct uring_stream *stream, bool enable);
/* delay_s: idle seconds before the first probe (ignored when disabling). */
int uring_tcp_keepalive(struct uring_stream *stream, bool enable,
			unsigned delay_s);
/* Abortive close: SO_LINGER 0, then uring_close(): the peer gets a reset
 * and unsent bytes are dropped (uv_tcp_close_reset).  -EINVAL while a
 * shutdown is pending. */
int uring_tcp_close_reset(struct uring_stream *stream, uring_close_cb close_cb);
int uring_tcp_getsockname(const struct uring_stream *stream,
			  struct sockaddr *addr, socklen_t *len);
int uring_tcp_getpeername(const struct uring_stream *stream,
			  struct sockaddr *addr, socklen_t *len);

/* ---------------------------------------------------------------------
 * Servers
 * ------------------------------------------------------------------- */

int uring_stream_listen(struct uring_stream *stream, int backlog,
			uring_connection_cb cb);
/* Give `client` (initialised with uring_tcp_init/uring_unix_init, the
 * listener's kind, no socket yet) the pending connection.  One not taken
 * in connection_cb is held, and the listener accepts no more, until a
 * later call takes it; the listener's close closes it.  -EAGAIN when none
 * is pending; -EINVAL for a wrong or closed client, -EBUSY for one with a
 * socket. */
int uring_stream_accept(struct uring_stream *server,
			struct uring_stream *client);

/* ---------------------------------------------------------------------
 * Clients
 * ------------------------------------------------------------------- */

struct uring_connect {
	void *data; /* the user's */
	/* private */
	struct uring_req req;
	struct uring_stream *stream;
	uring_connect_cb cb;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	void *reserved[2]; /* room to grow without an ABI break (docs/ABI.md) */
};

/* Connect; deadline_ms > 0 ends it with -ETIMEDOUT if not connected by
 * then.  -ECONNREFUSED from a closed port, -EINVAL for a bad address. */
int uring_tcp_connect(struct uring_connect *req, struct uring_stream *stream,
		      const struct sockaddr *addr, uint64_t deadline_ms,
		      uring_connect_cb cb);
int uring_unix_connect(struct uring_connect *req, struct uring_stream *stream,
		       const char *name, size_t namelen, uint64_t deadline_ms,
		       uring_connect_cb cb);

/* ---------------------------------------------------------------------
 * Reading
 * ------------------------------------------------------------------- */

/* Read with the loop's buffer pool (multishot recv + provided buffers).
 * An exhausted pool pauses reading until buffers come back. */
int uring_stream_read_start(struct uring_stream *stream, uring_read_cb cb);
/* Read into buffers from alloc_cb (one recv at a time), like uv_read_start. */
int uring_stream_read_start_alloc(struct uring_stream *stream,
				  uring_alloc_cb alloc_cb, uring_read_cb cb);
/* No read_cb after this; bytes already received wait for the next start. */
int uring_stream_read_stop(struct uring_stream *stream);
/* From read_cb (pool mode): keep the bytes being delivered after the
 * callback.  Returns an id for uring_loop_buf_release(), one release per
 * keep; their buffer (which, read incrementally, other reads may share)
 * stays out of the pool until then. */
int uring_stream_buf_keep(struct uring_stream *stream);
/* uring_loop_buf_release() (uring/loop.h) gives it back. */

/* ---------------------------------------------------------------------
 * Writing
 * ------------------------------------------------------------------- */

#define URING_WRITE_INLINE_BUFS 4

struct uring_write {
	void *data; /* the user's */
	/* private */
	struct uring_stream *stream;
	uring_write_cb cb;
	struct iovec *bufs; /* inline_bufs, or malloc'ed when more */
	unsigned nbufs;
	unsigned flags;     /* URING_WRITE__ZEROCOPY (private) */
	unsigned done_bufs; /* fully written */
	size_t done_bytes;  /* of bufs[done_bufs] */
	struct uring_list node;
	struct iovec inline_bufs[URING_WRITE_INLINE_BUFS];
	void *reserved[2]; /* room to grow without an ABI break (docs/ABI.md) */
};

/*
 * Queue bufs (copied; the bytes must stay valid until cb).  cb runs once,
 * with 0 when every byte was written or the error that ended the stream:
 * -EPIPE or -ECONNRESET from the peer, -EPIPE after uring_stream_shutdown,
 * -ECANCELED when the stream was closed before its bytes went out.
 */
int uring_stream_write(struct uring_write *req, struct uring_stream *stream,
		       const struct iovec *bufs, unsigned nbufs,
		       uring_write_cb cb);
/*
 * The same, sent with zero-copy (SEND_ZC / SENDMSG_ZC; worth it for large
 * buffers): the kernel sends from bufs directly, and cb runs only after
 * the kernel's notification that it no longer uses them.  Not coalesced
 * with other writes.  -EOPNOTSUPP where the kernel lacks it.
 */
int uring_stream_write_zc(struct uring_write *req, struct uring_stream *stream,
			  const struct iovec *bufs, unsigned nbufs,
			  uring_write_cb cb);
/* Write now if nothing is queued: bytes written (maybe short), -EAGAIN if
 * the socket is full or writes are queued. */
ssize_t uring_stream_try_write(struct uring_stream *stream,
			       const struct iovec *bufs, unsigned nbufs);
/* Bytes queued and not yet written: for backpressure. */
size_t uring_stream_write_queue_size(const struct uring_stream *stream);
/* cb runs once each time the queue, having gone above low_mark, falls to
 * low_mark or below as writes complete (after their callbacks): resume
 * reading there instead of checking the size in every write callback.
 * NULL clears it.  The stream holds its side record while one is set. */
int uring_stream_set_drain_cb(struct uring_stream *stream, size_t low_mark,
			      uring_drain_cb cb);

struct uring_shutdown {
	void *data; /* the user's */
	/* private */
	struct uring_stream *stream;
	uring_shutdown_cb cb;
	struct uring_operation op;
	void *reserved[2]; /* room to grow without an ABI break (docs/ABI.md) */
};

/* Shut the write side once every queued write is out. */
int uring_stream_shutdown(struct uring_shutdown *req,
			  struct uring_stream *stream, uring_shutdown_cb cb);

/*
 * Close after a last answer, without a reset destroying it: queued writes
 * go out, the write side is shut down, the peer's bytes are read and
 * dropped until its EOF, then the stream is closed as by uring_close();
 * timeout_ms bounds the whole (then it closes anyway).  No read callback
 * of the user's runs after this call.
 */
int uring_stream_close_graceful(struct uring_stream *stream,
				uint64_t timeout_ms, uring_close_cb close_cb);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif

#endif /* URING_STREAM_H */
