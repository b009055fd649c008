/* SPDX-License-Identifier: MIT */
/*
 * runtime/net/udp.c - UDP handles: bind, one multishot recvmsg on the loop's
 * buffer pool, one sendmsg per datagram, close.  Socket options are in
 * udp-opts.c.
 *
 * Each pool buffer of a multishot recvmsg holds, in order, a struct
 * uring_recvmsg_out, the sender's address (rmsg.msg_namelen bytes
 * reserved), and the payload; MSG_TRUNC in the header's flags says the
 * datagram was longer than the room left.  The receive is re-armed when it
 * ends for a reason that is not final; -ENOBUFS parks the handle on the
 * pool's waiters (datagrams wait in the socket meanwhile, as the kernel's
 * receive buffer allows).
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uring/udp.h>

#include "stream-internal.h"

#define UDP_RECVING (1U << 0)
#define UDP_STARVED (1U << 1)
#define UDP_RD_CANCEL (1U << 2)

static bool closing(const struct uring_udp *u)
{
	return u->handle.flags & URING_HANDLE__CLOSING;
}

static bool receiving(const struct uring_udp *u)
{
	return (u->state & UDP_RECVING) && !closing(u);
}

int uring_udp_init(struct uring_loop *loop, struct uring_udp *udp)
{
	void *data;

	if (!loop || !udp || loop->closed)
		return -EINVAL;
	data = udp->handle.data;
	memset(udp, 0, sizeof(*udp));
	udp->handle.data = data;
	udp->fd = -1;
	udp->rd.handle = &udp->handle;
	uring__list_init(&udp->waiter.node);
	/* room for any IPv4 or IPv6 sender; nothing else (no control data) */
	udp->rmsg.msg_namelen = sizeof(struct sockaddr_in6);
	uring__handle_init(loop, &udp->handle, URING_HANDLE_UDP);
	return 0;
}

int uring__udp_check(const struct uring_udp *u)
{
	if (!u || !u->handle.loop || u->handle.type != URING_HANDLE_UDP ||
	    (u->handle.flags & (URING_HANDLE__CLOSING | URING_HANDLE__CLOSED)))
		return -EINVAL;
	return 0;
}

int uring_udp_open(struct uring_udp *udp, int fd)
{
	int ret = uring__udp_check(udp);

	if (ret)
		return ret;
	return uring__adopt_fd(&udp->fd, fd);
}

int uring_udp_fileno(const struct uring_udp *udp)
{
	if (!udp || !udp->handle.loop)
		return -EINVAL;
	return udp->fd >= 0 ? udp->fd : -EBADF;
}

int uring_udp_bind(struct uring_udp *udp, const struct sockaddr *addr,
		   unsigned flags)
{
	const unsigned known =
		URING_UDP_IPV6ONLY | URING_UDP_REUSEADDR | URING_UDP_REUSEPORT;
	int ret = uring__udp_check(udp);

	if (ret)
		return ret;
	if (flags & ~known)
		return -EINVAL;
	return uring__bind_inet(
		&udp->fd, SOCK_DGRAM, addr,
		(flags & URING_UDP_REUSEADDR ? URING__BIND_REUSEADDR : 0) |
			(flags & URING_UDP_REUSEPORT ? URING__BIND_REUSEPORT : 0) |
			(flags & URING_UDP_IPV6ONLY ? URING__BIND_V6ONLY : 0));
}

int uring_udp_connect(struct uring_udp *udp, const struct sockaddr *addr)
{
	URING__KEEP_ERRNO(); /* socket(), connect(), close() */
	struct sockaddr unspec = {.sa_family = AF_UNSPEC};
	bool created = false;
	int ret = uring__udp_check(udp);

	if (ret)
		return ret;
	if (addr && !uring__inet_len(addr))
		return -EINVAL;
	if (udp->fd < 0) {
		if (!addr)
			return -ENOTCONN;
		udp->fd = socket(addr->sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (udp->fd < 0) {
			udp->fd = -1;
			return -errno;
		}
		created = true;
	}
	if (!addr)
		return connect(udp->fd, &unspec, sizeof(unspec)) ? -errno : 0;
	if (connect(udp->fd, addr, uring__inet_len(addr)) == 0)
		return 0;
	ret = -errno;
	if (created) { /* as if never called: a later bind may pick */
		close(udp->fd);
		udp->fd = -1;
	}
	return ret;
}

int uring_udp_getsockname(const struct uring_udp *udp, struct sockaddr *addr,
			  socklen_t *len)
{
	URING__KEEP_ERRNO();
	int ret = uring__udp_check(udp);

	if (ret)
		return ret;
	if (!addr || !len)
		return -EINVAL;
	if (udp->fd < 0)
		return -EBADF;
	return getsockname(udp->fd, addr, len) ? -errno : 0;
}

/* ------------------------------------------------------------- receiving */

static void recv_done(struct uring_loop *loop, struct uring_operation *op,
		      int res, unsigned flags);

/* Once nothing is in flight, the kernel has let go: close the socket. */
static void settle(struct uring_udp *u)
{
	URING__KEEP_ERRNO(); /* close() */

	if (closing(u) && !u->handle.inflight && u->fd >= 0) {
		close(u->fd);
		u->fd = -1;
	}
}

static void stop_receiving(struct uring_udp *u)
{
	u->state &= ~UDP_RECVING;
	uring__handle_stop(&u->handle);
	if (u->state & UDP_STARVED) {
		u->state &= ~UDP_STARVED;
		uring__bufpool_unwait(&u->waiter);
	}
}

static int arm(struct uring_udp *u)
{
	struct uring__bufpool *p;
	struct uring_sqe *sqe;
	int ret = uring__bufpool_get(u->handle.loop, URING__POOL_DGRAM, &p);

	if (ret)
		return ret;
	sqe = uring__op_sqe(u->handle.loop, &u->rd);
	if (!sqe)
		return -EBUSY;
	u->rd.complete = recv_done;
	uring_prep_recvmsg_multishot(sqe, u->fd, &u->rmsg, 0);
	uring_sqe_buffer_select(sqe, URING__DGRAM_BGID);
	return 0;
}

/* An error ends receiving: tell the user. */
static void fail(struct uring_udp *u, int error)
{
	static const struct iovec none;

	if (!receiving(u))
		return;
	stop_receiving(u);
	u->recv_cb(u, error, &none, NULL, 0);
}

/* Errors a peer's ICMP message leaves on the socket: they say something
 * about one earlier datagram, not about the socket. */
static bool transient(int res)
{
	return res == -ECONNREFUSED || res == -EHOSTUNREACH ||
	       res == -ENETUNREACH || res == -EHOSTDOWN || res == -EMSGSIZE;
}

/* Tell the user of such an error; receiving goes on. */
static void report(struct uring_udp *u, int error)
{
	static const struct iovec none;

	if (receiving(u))
		u->recv_cb(u, error, &none, NULL, 0);
}

static void rearm(struct uring_udp *u);

static void rearm_again(struct uring_loop *loop, struct uring_operation *op)
{
	(void)loop;
	rearm(uring__container_of(op, struct uring_udp, rd));
}

static void rearm(struct uring_udp *u)
{
	int ret;

	if (!receiving(u) || u->rd.inflight || (u->state & UDP_STARVED))
		return;
	ret = arm(u);
	if (ret == -EBUSY) /* no SQE now: again before the loop waits */
		ret = uring__retry_add(u->handle.loop, &u->rd, rearm_again);
	if (ret)
		fail(u, ret);
}

static void unstarve(struct uring_pool_waiter *w)
{
	struct uring_udp *u = uring__container_of(w, struct uring_udp, waiter);

	u->state &= ~UDP_STARVED;
	rearm(u);
}

/* Hand one datagram (the layout of a multishot recvmsg buffer) to the
 * user; the buffer's reference is dropped after it unless it was kept. */
static void deliver(struct uring_udp *u, unsigned bid, unsigned char *base,
		    unsigned used)
{
	struct uring__bufpool *p = u->handle.loop->dgrampool;
	const struct uring_recvmsg_out *out = (const void *)base;
	size_t head = sizeof(*out) + u->rmsg.msg_namelen;
	struct iovec buf = {base + head, used > head ? used - head : 0};
	unsigned flags = (out->flags & MSG_TRUNC) ? URING_UDP_TRUNCATED : 0;
	const struct sockaddr *from =
		out->namelen ? (const void *)(base + sizeof(*out)) : NULL;

	uring__bufpool_deliver_begin(p, u, bid);
	u->recv_cb(u, (ssize_t)buf.iov_len, &buf, from, flags);
	uring__bufpool_deliver_end(p, bid);
}

static void recv_done(struct uring_loop *loop, struct uring_operation *op,
		      int res, unsigned flags)
{
	struct uring_udp *u = uring__container_of(op, struct uring_udp, rd);
	struct uring__bufpool *p = loop->dgrampool;
	bool more = flags & URING_CQE_F_MORE;

	if (!more)
		u->state &= ~UDP_RD_CANCEL;
	if (flags & URING_CQE_F_BUFFER) {
		unsigned bid = flags >> URING_CQE_BUFFER_SHIFT;
		unsigned char *base = uring__bufpool_take(p, bid, res, flags);

		/* a datagram that came after recv_stop is dropped, as the
		 * kernel would have if the socket's buffer were full */
		if (res >= 0 && receiving(u))
			deliver(u, bid, base, (unsigned)res);
		else
			uring__bufpool_put(p, bid);
	} else if (res == -ENOBUFS) {
		if (receiving(u) && !(u->state & UDP_STARVED)) {
			u->state |= UDP_STARVED;
			uring__bufpool_wait(p, &u->waiter, unstarve);
		}
	} else if (transient(res)) {
		report(u, res);
	} else if (res < 0 && res != -ECANCELED) {
		fail(u, res);
	}
	if (!more)
		rearm(u);
	settle(u);
}

int uring_udp_recv_start(struct uring_udp *udp, uring_udp_recv_cb cb)
{
	int ret = uring__udp_check(udp);

	if (ret)
		return ret;
	if (!cb)
		return -EINVAL;
	if (udp->fd < 0)
		return -EBADF; /* bind first */
	if (udp->state & UDP_RECVING)
		return -EALREADY;
	udp->recv_cb = cb;
	udp->state |= UDP_RECVING;
	uring__handle_start(&udp->handle);
	if (!udp->rd.inflight) {
		ret = arm(udp);
		if (ret) {
			stop_receiving(udp);
			return ret;
		}
	}
	return 0;
}

/* Stop receiving and cancel the armed receive, if any. */
static void recv_stop(struct uring_udp *u)
{
	if (u->state & UDP_RECVING)
		stop_receiving(u);
	if (!u->rd.inflight) /* a re-arm waiting for an SQE is not wanted */
		uring__retry_remove(u->handle.loop, &u->rd);
	if (u->rd.inflight && !(u->state & UDP_RD_CANCEL) &&
	    uring__op_cancel(u->handle.loop, &u->rd) == 0)
		u->state |= UDP_RD_CANCEL;
}

int uring_udp_recv_stop(struct uring_udp *udp)
{
	int ret = uring__udp_check(udp);

	if (ret)
		return ret;
	recv_stop(udp);
	return 0;
}

int uring_udp_buf_keep(struct uring_udp *udp)
{
	if (!udp || !udp->handle.loop)
		return -EINVAL;
	return uring__bufpool_keep(udp->handle.loop, URING__POOL_DGRAM, udp);
}

void uring__udp_close(struct uring_udp *u)
{
	recv_stop(u);
	settle(u);
}

/* ------------------------------------------------------------- sending */

static void send_done(struct uring_loop *loop, struct uring_operation *op,
		      int res, unsigned flags)
{
	struct uring_udp_send *req =
		uring__container_of(op, struct uring_udp_send, op);
	struct uring_udp *u = req->udp;

	(void)flags;
	u->sends--;
	loop->active_reqs--;
	if (req->bufs != req->inline_bufs)
		free(req->bufs);
	req->bufs = NULL;
	req->cb(req, res); /* close does not stop a send: its real result */
	settle(u);
}

static int send_check(struct uring_udp *udp, const struct iovec *bufs,
		      unsigned nbufs, const struct sockaddr *addr)
{
	unsigned i;
	int ret = uring__udp_check(udp);

	if (ret)
		return ret;
	if (!bufs || (addr && !uring__inet_len(addr)))
		return -EINVAL;
	for (i = 0; i < nbufs; i++)
		if (!bufs[i].iov_base && bufs[i].iov_len)
			return -EINVAL;
	if (udp->fd < 0)
		return addr ? -EBADF : -ENOTCONN;
	return 0;
}

int uring_udp_send(struct uring_udp_send *req, struct uring_udp *udp,
		   const struct iovec *bufs, unsigned nbufs,
		   const struct sockaddr *addr, uring_udp_send_cb cb)
{
	struct uring_sqe *sqe;
	int ret = send_check(udp, bufs, nbufs, addr);

	if (ret)
		return ret;
	if (!req || !cb)
		return -EINVAL;
	memset(&req->msg, 0, sizeof(req->msg));
	req->bufs = req->inline_bufs;
	if (nbufs > URING_UDP_SEND_INLINE_BUFS) {
		URING__KEEP_ERRNO();

		req->bufs = malloc(nbufs * sizeof(*bufs));
		if (!req->bufs)
			return -ENOMEM;
	}
	memset(&req->op, 0, sizeof(req->op));
	req->op.handle = &udp->handle; /* a close waits for the send */
	sqe = uring__op_sqe(udp->handle.loop, &req->op);
	if (!sqe) {
		if (req->bufs != req->inline_bufs)
			free(req->bufs);
		return -EBUSY;
	}
	if (nbufs)
		memcpy(req->bufs, bufs, nbufs * sizeof(*bufs));
	if (addr) {
		memcpy(&req->addr, addr, uring__inet_len(addr));
		req->msg.msg_name = &req->addr;
		req->msg.msg_namelen = uring__inet_len(addr);
	}
	req->msg.msg_iov = req->bufs;
	req->msg.msg_iovlen = nbufs;
	req->udp = udp;
	req->cb = cb;
	req->op.complete = send_done;
	udp->sends++;
	udp->handle.loop->active_reqs++;
	uring_prep_sendmsg(sqe, udp->fd, &req->msg, 0);
	return 0;
}

ssize_t uring_udp_try_send(struct uring_udp *udp, const struct iovec *bufs,
			   unsigned nbufs, const struct sockaddr *addr)
{
	URING__KEEP_ERRNO(); /* sendmsg() */
	struct msghdr msg;
	ssize_t n;
	int ret = send_check(udp, bufs, nbufs, addr);

	if (ret)
		return ret;
	if (udp->sends) /* queued datagrams go first */
		return -EAGAIN;
	memset(&msg, 0, sizeof(msg));
	msg.msg_name = (void *)addr;
	msg.msg_namelen = uring__inet_len(addr);
	msg.msg_iov = (struct iovec *)bufs;
	msg.msg_iovlen = nbufs;
	n = sendmsg(udp->fd, &msg, MSG_DONTWAIT);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	return n;
}
