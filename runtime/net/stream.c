/* SPDX-License-Identifier: MIT */
/*
 * runtime/net/stream.c - stream handles: creating sockets, binding, listening
 * with one multishot accept, connecting, and closing.  Reading is in
 * stream-read.c, writing in stream-write.c.
 *
 * Closing: uring_close() cancels every operation of the stream and puts it
 * on the loop's pending list with one extra count in handle.inflight, so
 * its close callback cannot run before settle() has failed the queued
 * writes (-ECANCELED) and closed the socket.  settle() runs again after
 * every later CQE of the stream; the socket is closed once none is left
 * in flight (the kernel has let go of it), then close_cb follows.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include "stream-internal.h"
#include "stream-private.h"

/* Listener retry delays when the process is out of fds (-EMFILE). */
#define BACKOFF_MIN_MS 1U
#define BACKOFF_MAX_MS 100U

static int stream_init(struct uring_loop *loop, struct uring_stream *s,
		       enum uring_handle_type type)
{
	void *data;

	if (!loop || !s || loop->closed)
		return -EINVAL;
	data = s->handle.data;
	memset(s, 0, sizeof(*s));
	s->handle.data = data;
	s->fd = -1;
	uring__list_init(&s->pending);
	s->rd.handle = &s->handle;
	uring__handle_init(loop, &s->handle, type);
	return 0;
}

int uring_tcp_init(struct uring_loop *loop, struct uring_stream *stream)
{
	return stream_init(loop, stream, URING_HANDLE_TCP);
}

int uring_unix_init(struct uring_loop *loop, struct uring_stream *stream)
{
	return stream_init(loop, stream, URING_HANDLE_UNIX);
}

/* A stream handle that may be used: -EINVAL otherwise. */
int uring__stream_check(const struct uring_stream *s)
{
	if (!s || !s->handle.loop ||
	    (s->handle.type != URING_HANDLE_TCP &&
	     s->handle.type != URING_HANDLE_UNIX))
		return -EINVAL;
	if (s->handle.flags & (URING_HANDLE__CLOSING | URING_HANDLE__CLOSED))
		return -EINVAL;
	return 0;
}

int uring_stream_open(struct uring_stream *stream, int fd)
{
	int ret = uring__stream_check(stream);

	if (ret)
		return ret;
	return uring__adopt_fd(&stream->fd, fd);
}

int uring_stream_fileno(const struct uring_stream *stream)
{
	if (!stream || !stream->handle.loop)
		return -EINVAL;
	return stream->fd >= 0 ? stream->fd : -EBADF;
}

/* Lazy ones wait at the head of loop->pending_streams, the rest at the
 * tail: the loop may sleep when the tail is lazy (uring__stream_has_work),
 * and every pass takes them all. */
void uring__stream_pend(struct uring_stream *s, unsigned why)
{
	struct uring_list *pending = &s->handle.loop->pending_streams;

	if (!uring__list_empty(&s->pending)) {
		if ((s->state & URING_STREAM__LAZY) &&
		    !(why & URING_STREAM__LAZY)) { /* due now after all */
			s->state &= ~URING_STREAM__LAZY;
			uring__list_del(&s->pending);
			uring__list_add_tail(pending, &s->pending);
		}
		s->state |= why & ~URING_STREAM__LAZY;
		return;
	}
	s->state |= why;
	uring__list_add_tail((why & URING_STREAM__LAZY) ? pending->next
							: pending,
			     &s->pending);
}

/* ------------------------------------------------------------- sockets */

/* The stream's socket, created for `family` if it has none yet. */
static int ensure_socket(struct uring_stream *s, int family)
{
	URING__KEEP_ERRNO();
	int fd;

	if (s->fd >= 0)
		return 0;
	fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	s->fd = fd;
	return 0;
}

static void drop_socket(struct uring_stream *s)
{
	URING__KEEP_ERRNO();

	close(s->fd);
	s->fd = -1;
}

int uring_tcp_bind(struct uring_stream *stream, const struct sockaddr *addr,
		   unsigned flags)
{
	int ret = uring__stream_check(stream);

	if (ret)
		return ret;
	if (stream->handle.type != URING_HANDLE_TCP ||
	    (flags & ~(URING_TCP_IPV6ONLY | URING_TCP_REUSEPORT)))
		return -EINVAL;
	/* like every server: restart without waiting out TIME_WAIT */
	return uring__bind_inet(
		&stream->fd, SOCK_STREAM, addr,
		URING__BIND_REUSEADDR |
			(flags & URING_TCP_REUSEPORT ? URING__BIND_REUSEPORT : 0) |
			(flags & URING_TCP_IPV6ONLY ? URING__BIND_V6ONLY : 0));
}

/* sockaddr_un for name (abstract when it starts with '\0'). */
static int unix_addr(const char *name, size_t namelen, struct sockaddr_un *sun,
		     socklen_t *len)
{
	/* a path name may come with its terminating NUL counted */
	if (name && namelen > 1 && name[0] && !name[namelen - 1])
		namelen--;
	if (!name || !namelen || namelen > sizeof(sun->sun_path) ||
	    (name[0] && memchr(name, '\0', namelen)))
		return -EINVAL;
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, name, namelen);
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + namelen);
	return 0;
}

int uring_unix_bind(struct uring_stream *stream, const char *name,
		    size_t namelen)
{
	URING__KEEP_ERRNO(); /* bind() */
	struct sockaddr_un sun;
	socklen_t len;
	bool created;
	int ret = uring__stream_check(stream);

	if (ret)
		return ret;
	if (stream->handle.type != URING_HANDLE_UNIX)
		return -EINVAL;
	ret = unix_addr(name, namelen, &sun, &len);
	if (ret)
		return ret;
	created = stream->fd < 0;
	ret = ensure_socket(stream, AF_UNIX);
	if (ret)
		return ret;
	if (bind(stream->fd, (struct sockaddr *)&sun, len)) {
		ret = -errno;
		if (created)
			drop_socket(stream);
	}
	return ret;
}

static int tcp_fd(const struct uring_stream *s)
{
	int ret = uring__stream_check(s);

	if (ret)
		return ret;
	if (s->handle.type != URING_HANDLE_TCP)
		return -EINVAL;
	return s->fd >= 0 ? s->fd : -EBADF;
}

int uring_tcp_nodelay(struct uring_stream *stream, bool enable)
{
	int fd = tcp_fd(stream);

	return fd < 0 ? fd : uring__setsockopt_int(fd, IPPROTO_TCP, TCP_NODELAY, enable);
}

int uring_tcp_keepalive(struct uring_stream *stream, bool enable,
			unsigned delay_s)
{
	int fd = tcp_fd(stream), ret;

	if (fd < 0)
		return fd;
	if (enable && (!delay_s || delay_s > 32767))
		return -EINVAL;
	ret = uring__setsockopt_int(fd, SOL_SOCKET, SO_KEEPALIVE, enable);
	if (!ret && enable)
		ret = uring__setsockopt_int(fd, IPPROTO_TCP, TCP_KEEPIDLE, (int)delay_s);
	return ret;
}

/* getsockname(2) or getpeername(2) of a TCP stream. */
static int tcp_name(const struct uring_stream *s, struct sockaddr *addr,
		    socklen_t *len,
		    int (*get)(int, struct sockaddr *, socklen_t *))
{
	URING__KEEP_ERRNO();
	int fd = tcp_fd(s);

	if (fd < 0)
		return fd;
	if (!addr || !len)
		return -EINVAL;
	return get(fd, addr, len) ? -errno : 0;
}

int uring_tcp_getsockname(const struct uring_stream *stream,
			  struct sockaddr *addr, socklen_t *len)
{
	return tcp_name(stream, addr, len, getsockname);
}

int uring_tcp_getpeername(const struct uring_stream *stream,
			  struct sockaddr *addr, socklen_t *len)
{
	return tcp_name(stream, addr, len, getpeername);
}

/* ------------------------------------------------------------- state */

/* A stream that carries a connection: has a socket, does not listen, is
 * not connecting, and is not closing. */
static bool connected(const struct uring_stream *s)
{
	return !uring__stream_check(s) && s->fd >= 0 &&
	       !(s->state & URING_STREAM__LISTENING) &&
	       !uring__stream_connecting(s);
}

bool uring_stream_is_readable(const struct uring_stream *stream)
{
	return connected(stream) && !(stream->state & URING_STREAM__RD_END);
}

bool uring_stream_is_writable(const struct uring_stream *stream)
{
	return connected(stream) && !(stream->state & URING_STREAM__SHUT) &&
	       !(stream->ext && stream->ext->write_error);
}

/* ------------------------------------------------------------- reset */

int uring_tcp_close_reset(struct uring_stream *stream, uring_close_cb close_cb)
{
	struct linger lin = {.l_onoff = 1, .l_linger = 0};
	int fd = tcp_fd(stream), saved = errno;

	if (fd < 0)
		return fd;
	/* as libuv: a shutdown asked for and not done yet would be lost */
	if (stream->ext && stream->ext->shutdown_req)
		return -EINVAL;
	/* linger 0: close(2) sends a reset and drops what is unsent */
	if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &lin, sizeof(lin))) {
		fd = -errno;
		errno = saved;
		return fd;
	}
	uring_close(&stream->handle, close_cb);
	return 0;
}

/* ------------------------------------------------------------- listening */

static void accept_done(struct uring_loop *loop, struct uring_operation *op,
			int res, unsigned flags);
static void backoff_done(struct uring_loop *loop, struct uring_operation *op,
			 int res, unsigned flags);

static int arm_accept(struct uring_stream *s)
{
	struct uring_sqe *sqe = uring__op_sqe(s->handle.loop, &s->rd);

	if (!sqe)
		return -EBUSY;
	s->rd.complete = accept_done;
	uring_prep_multishot_accept(sqe, s->fd, NULL, NULL, SOCK_CLOEXEC);
	return 0;
}

int uring_stream_listen(struct uring_stream *stream, int backlog,
			uring_connection_cb cb)
{
	URING__KEEP_ERRNO(); /* listen() */
	int ret = uring__stream_check(stream);

	if (ret)
		return ret;
	if (!cb || backlog < 0 || (stream->state & URING_STREAM__LISTENING))
		return -EINVAL;
	if (stream->fd < 0)
		return -EBADF; /* bind first */
	if (listen(stream->fd, backlog))
		return -errno;
	ret = uring__stream_ext_get(stream); /* accepted fd, backoff */
	if (!ret)
		ret = arm_accept(stream);
	if (ret) {
		uring__stream_ext_trim(stream);
		return ret;
	}
	stream->cb.connection_cb = cb;
	stream->state |= URING_STREAM__LISTENING;
	uring__handle_start(&stream->handle);
	return 0;
}

static bool listening(const struct uring_stream *s)
{
	return (s->state & URING_STREAM__LISTENING) &&
	       !(s->handle.flags & URING_HANDLE__CLOSING);
}

/* ------------------------------------------------------------- held
 *
 * A connection the user did not accept from connection_cb stays in
 * accepted_fd until uring_stream_accept() takes it (libuv's contract: a
 * connection may be accepted later, from any callback).  Meanwhile the
 * listener stops accepting: its multishot accept is cancelled and the
 * kernel's backlog holds further connections.  The ones the kernel had
 * accepted before the cancel took effect wait in `held`, in order, and
 * are offered one at a time once the first is taken.
 */

static void held_push(struct uring__stream_ext *x, int fd)
{
	unsigned cap = x->held_cap ? x->held_cap * 2 : 8, i;
	int *arr;

	if (x->held_count == x->held_cap) {
		arr = malloc(cap * sizeof(*arr));
		if (!arr) { /* no room to keep it: refuse this one */
			close(fd);
			return;
		}
		for (i = 0; i < x->held_count; i++)
			arr[i] = x->held[(x->held_first + i) % x->held_cap];
		free(x->held);
		x->held = arr;
		x->held_cap = cap;
		x->held_first = 0;
	}
	x->held[(x->held_first + x->held_count) % x->held_cap] = fd;
	x->held_count++;
}

static int held_pop(struct uring__stream_ext *x)
{
	int fd;

	if (!x->held_count)
		return -1;
	fd = x->held[x->held_first];
	x->held_first = (x->held_first + 1) % x->held_cap;
	x->held_count--;
	return fd;
}

/* Closing: the connections nobody took are closed (their peers see EOF
 * or a reset), as the kernel does with its backlog. */
static void held_close_all(struct uring__stream_ext *x)
{
	int fd;

	if (x->accepted_fd >= 0)
		close(x->accepted_fd);
	x->accepted_fd = -1;
	while ((fd = held_pop(x)) >= 0)
		close(fd);
}

/* A client the user initialised to take a connection of `server`. */
static int client_check(const struct uring_stream *server,
			const struct uring_stream *client)
{
	int ret = uring__stream_check(client);

	if (ret)
		return ret;
	if (client == server || client->handle.loop != server->handle.loop ||
	    client->handle.type != server->handle.type)
		return -EINVAL;
	if (client->fd >= 0 || (client->state & URING_STREAM__LISTENING))
		return -EBUSY;
	return 0;
}

int uring_stream_accept(struct uring_stream *server, struct uring_stream *client)
{
	int ret = uring__stream_check(server);

	if (ret)
		return ret;
	if (!client)
		return -EINVAL;
	if (!server->ext || server->ext->accepted_fd < 0)
		return -EAGAIN;
	ret = client_check(server, client);
	if (ret)
		return ret;
	client->fd = server->ext->accepted_fd;
	server->ext->accepted_fd = -1;
	/* taken late: offer the next held one, or accept again, from the
	 * pending pass rather than inside the user's call */
	if ((server->state & URING_STREAM__HELD) && listening(server))
		uring__stream_pend(server, URING_STREAM__RESUME);
	return 0;
}

/* Out of fds: stop accepting for a while (the kernel's accept would fail
 * again at once), doubling the wait up to BACKOFF_MAX_MS. */
static void pause_accepting(struct uring_stream *s)
{
	struct uring__stream_ext *x = s->ext;
	struct uring_sqe *sqe;

	x->backoff_ms = x->backoff_ms ? x->backoff_ms * 2 : BACKOFF_MIN_MS;
	if (x->backoff_ms > BACKOFF_MAX_MS)
		x->backoff_ms = BACKOFF_MAX_MS;
	x->u.backoff.tv_sec = 0;
	x->u.backoff.tv_nsec = (long long)x->backoff_ms * 1000000;
	x->wr.complete = backoff_done;
	sqe = uring__op_sqe(s->handle.loop, &x->wr);
	if (sqe)
		uring_prep_timeout(sqe, &x->u.backoff, 0, 0);
	else /* not even a timer: the pending pass tries again */
		uring__stream_pend(s, URING_STREAM__RESUME);
}

/* Arm the multishot accept again, or wait a while if out of fds. */
static void rearm(struct uring_stream *s)
{
	if (s->state & URING_STREAM__PAUSED) {
		s->state &= ~URING_STREAM__PAUSED;
		pause_accepting(s);
	} else if (arm_accept(s)) {
		pause_accepting(s); /* no SQE now: try again later */
	}
}

/* Whether the listener may arm its accept now. */
static bool may_arm(const struct uring_stream *s)
{
	return listening(s) && !(s->state & URING_STREAM__HELD) &&
	       !s->rd.inflight && !s->ext->wr.inflight;
}

/* Offer the held connections, oldest first, while the user takes them;
 * once none is left waiting, accept again. */
static void offer_held(struct uring_stream *s)
{
	struct uring__stream_ext *x = s->ext;

	while (listening(s) && x->accepted_fd < 0 && x->held_count) {
		x->accepted_fd = held_pop(x);
		s->cb.connection_cb(s, 0);
	}
	if (listening(s) && x->accepted_fd < 0)
		s->state &= ~URING_STREAM__HELD;
}

/* From the pending pass: a connection was taken late, or a listener that
 * could not re-arm tries again. */
static void listen_resume(struct uring_stream *s)
{
	if (s->state & URING_STREAM__HELD)
		offer_held(s);
	if (may_arm(s))
		rearm(s);
}

static void backoff_done(struct uring_loop *loop, struct uring_operation *op,
			 int res, unsigned flags)
{
	struct uring_stream *s = uring__stream_of(op);

	(void)loop;
	(void)res;
	(void)flags;
	if (listening(s) && !(s->state & URING_STREAM__HELD) &&
	    !s->rd.inflight && arm_accept(s))
		pause_accepting(s); /* no SQE now: try again later */
	uring__stream_settle(s);
}

/* A connection came in: offer it, or hold it behind the one waiting. */
static void accepted(struct uring_stream *s, int fd, bool more)
{
	struct uring__stream_ext *x = s->ext;

	if (s->state & URING_STREAM__HELD) {
		held_push(x, fd);
		return;
	}
	x->backoff_ms = 0;
	x->accepted_fd = fd;
	s->cb.connection_cb(s, 0);
	if (x->accepted_fd < 0 || !listening(s))
		return; /* taken, or closed (settle() closes it) */
	/* not taken: keep it for a later accept and stop accepting */
	s->state |= URING_STREAM__HELD;
	if (more)
		uring__op_cancel(s->handle.loop, &s->rd);
}

static void accept_done(struct uring_loop *loop, struct uring_operation *op,
			int res, unsigned flags)
{
	struct uring_stream *s = uring__container_of(op, struct uring_stream, rd);
	bool more = flags & URING_CQE_F_MORE;

	(void)loop;
	if (res >= 0 && !listening(s)) {
		close(res); /* came in while stopping: nobody will take it */
	} else if (res >= 0) {
		accepted(s, res, more);
	} else if (res == -EMFILE || res == -ENFILE || res == -ENOBUFS ||
		   res == -ENOMEM) {
		s->state |= URING_STREAM__PAUSED;
		if (more)
			uring__op_cancel(s->handle.loop, &s->rd);
	} else if (res != -ECANCELED && res != -ECONNABORTED &&
		   res != -EINTR && res != -EAGAIN && listening(s)) {
		/* not a passing condition: tell the user, stop listening */
		s->state &= ~URING_STREAM__LISTENING;
		uring__handle_stop(&s->handle);
		if (more)
			uring__op_cancel(s->handle.loop, &s->rd);
		s->cb.connection_cb(s, res);
	}
	if (!more && may_arm(s))
		rearm(s);
	uring__stream_settle(s);
}

/* ------------------------------------------------------------- connecting */

static void connect_done(struct uring_req *req, int result)
{
	struct uring_connect *c =
		uring__container_of(req, struct uring_connect, req);
	struct uring_stream *s = c->stream;

	s->ext->connect_req = NULL;
	uring__handle_inflight_done(&s->handle); /* taken in start_connect() */
	if (s->handle.flags & URING_HANDLE__CLOSING)
		result = -ECANCELED;
	c->cb(c, result);
	uring__stream_connected(s, result);
	uring__stream_settle(s);
	uring__stream_ext_trim(s);
}

static int start_connect(struct uring_connect *req, struct uring_stream *s,
			 uint64_t deadline_ms, uring_connect_cb cb)
{
	struct uring_sqe *sqe;
	int ret = uring__stream_ext_get(s);

	if (ret)
		return ret;
	sqe = uring_req_sqe(s->handle.loop, &req->req);
	if (sqe) {
		uring_prep_connect(sqe, s->fd, (struct sockaddr *)&req->addr,
				   req->addrlen);
		ret = uring_req_submit(&req->req, connect_done, deadline_ms, 0);
	} else {
		ret = -EBUSY;
	}
	if (ret) {
		uring__stream_ext_trim(s); /* lent for nothing */
		return ret;
	}
	req->stream = s;
	req->cb = cb;
	s->ext->connect_req = req;
	/* the close of the stream waits for this request's callback */
	s->handle.inflight++;
	return 0;
}

static int connect_check(struct uring_connect *req, struct uring_stream *s,
			 enum uring_handle_type type, uring_connect_cb cb)
{
	int ret = uring__stream_check(s);

	if (ret)
		return ret;
	if (!req || !cb || s->handle.type != type)
		return -EINVAL;
	if (uring__stream_connecting(s))
		return -EALREADY;
	if (s->state & URING_STREAM__LISTENING)
		return -EINVAL;
	return 0;
}

int uring_tcp_connect(struct uring_connect *req, struct uring_stream *stream,
		      const struct sockaddr *addr, uint64_t deadline_ms,
		      uring_connect_cb cb)
{
	socklen_t len = uring__inet_len(addr);
	int ret = connect_check(req, stream, URING_HANDLE_TCP, cb);

	if (ret)
		return ret;
	if (!len)
		return -EINVAL;
	ret = ensure_socket(stream, addr->sa_family);
	if (ret)
		return ret;
	memcpy(&req->addr, addr, len);
	req->addrlen = len;
	return start_connect(req, stream, deadline_ms, cb);
}

int uring_unix_connect(struct uring_connect *req, struct uring_stream *stream,
		       const char *name, size_t namelen, uint64_t deadline_ms,
		       uring_connect_cb cb)
{
	struct sockaddr_un sun;
	socklen_t len;
	int ret = connect_check(req, stream, URING_HANDLE_UNIX, cb);

	if (ret)
		return ret;
	ret = unix_addr(name, namelen, &sun, &len);
	if (ret)
		return ret;
	ret = ensure_socket(stream, AF_UNIX);
	if (ret)
		return ret;
	memcpy(&req->addr, &sun, len);
	req->addrlen = len;
	return start_connect(req, stream, deadline_ms, cb);
}

/* ------------------------------------------------------------- closing */

void uring__stream_close(struct uring_stream *s)
{
	struct uring_loop *loop = s->handle.loop;
	struct uring__stream_ext *x = s->ext;

	s->state &= ~(URING_STREAM__LISTENING | URING_STREAM__READING);
	if (s->rd.inflight)
		uring__op_cancel(loop, &s->rd);
	if (x && x->wr.inflight)
		uring__op_cancel(loop, &x->wr);
	if (x && x->shutdown_req && x->shutdown_req->op.inflight)
		uring__op_cancel(loop, &x->shutdown_req->op);
	/* not uring_req_cancel(): it refuses while the user has a chain
	 * open, and nothing would ask again; the cancel joins the chain
	 * instead, as uring_req_submit(3) says of what is started then */
	if (x && x->connect_req)
		(void)uring__op_cancel(loop, &x->connect_req->req.op);
	uring__stream_linger_closing(s);
	uring__stream_read_closing(s);
	/* settle() from the pending list, not here: the user is inside
	 * uring_close() and write callbacks should not run under it */
	s->handle.inflight++;
	uring__stream_pend(s, URING_STREAM__SETTLE);
}

/* Finish what closing needs once the kernel has given the stream back. */
void uring__stream_settle(struct uring_stream *s)
{
	if (!(s->handle.flags & URING_HANDLE__CLOSING) ||
	    (s->state & URING_STREAM__SETTLE))
		return; /* not closing, or the pending pass will do it */
	if (!uring__stream_wr_inflight(s))
		uring__stream_fail_writes(s, -ECANCELED);
	uring__stream_read_settle(s);
	if (s->handle.inflight)
		return;
	if (s->fd >= 0)
		drop_socket(s);
	if (s->ext)
		held_close_all(s->ext);
	uring__stream_linger_free(s);
	uring__stream_ext_drop(s);
}

/* ------------------------------------------------------------- pending */

bool uring__stream_has_work(const struct uring_loop *loop)
{
	const struct uring_stream *last;

	if (uring__bufpool_ready(loop))
		return true;
	if (uring__list_empty(&loop->pending_streams))
		return false;
	last = uring__container_of(loop->pending_streams.prev,
				   struct uring_stream, pending);
	return !(last->state & URING_STREAM__LAZY);
}

/* How long a lazy resume may wait for the loop to wake anyway. */
#define URING__STREAM_LAZY_MS 50

int64_t uring__stream_wait_cap(const struct uring_loop *loop, int64_t ms)
{
	if (uring__list_empty(&loop->pending_streams))
		return ms;
	return ms < 0 || ms > URING__STREAM_LAZY_MS ? URING__STREAM_LAZY_MS
						     : ms;
}

void uring__stream_run_pending(struct uring_loop *loop)
{
	struct uring_list pass;
	struct uring_stream *s;
	unsigned why;

	uring__bufpool_resume(loop);
	uring__list_move_all(&loop->pending_streams, &pass);
	while (!uring__list_empty(&pass)) {
		s = uring__container_of(pass.next, struct uring_stream, pending);
		uring__list_del(&s->pending);
		why = s->state & URING_STREAM__PENDING_MASK;
		s->state &= ~URING_STREAM__PENDING_MASK;
		if ((why & URING_STREAM__RESUME) &&
		    (s->state & URING_STREAM__LISTENING))
			listen_resume(s);
		else if (why & URING_STREAM__LAZY) /* only the wait failed */
			uring__stream_read_starve(s);
		else if (why & URING_STREAM__RESUME)
			uring__stream_read_resume(s);
		if (why & URING_STREAM__FLUSH)
			uring__stream_flush(s);
		if (why & URING_STREAM__SETTLE) {
			/* taken in uring__stream_close() */
			uring__handle_inflight_done(&s->handle);
			uring__stream_settle(s);
		}
		uring__stream_ext_trim(s);
	}
}
