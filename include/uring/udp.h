/* SPDX-License-Identifier: MIT */
/*
 * uring/udp.h - UDP sockets on the loop.
 *
 * Receiving: uring_udp_recv_start() arms one multishot recvmsg that picks
 * buffers from the loop's provided-buffer pool (the same pool as stream
 * reads: size it with the loop options read_buf_size/read_buf_count; a
 * datagram larger than a buffer minus the sender address is truncated and
 * reported so).  Each datagram reaches recv_cb with its sender.
 *
 * Sending: uring_udp_send() is one sendmsg per datagram; sends made in one
 * callback leave together in one system call.
 */
#ifndef URING_UDP_H
#define URING_UDP_H

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <uring/loop.h>

#ifdef __cplusplus
extern "C" {
#endif
#pragma GCC visibility push(default)

struct uring_udp;
struct uring_udp_send;

/* recv_cb flags */
#define URING_UDP_TRUNCATED (1U << 0) /* the datagram did not fit */

/* nread >= 0: a datagram of nread bytes (0 is a valid empty datagram) from
 * addr, in buf (valid during the callback; uring_udp_buf_keep() keeps it);
 * < 0: an error.  Errors from a peer's ICMP message (-ECONNREFUSED,
 * -EHOSTUNREACH, -ENETUNREACH, -EHOSTDOWN, -EMSGSIZE) leave receiving on;
 * any other has stopped it. */
typedef void (*uring_udp_recv_cb)(struct uring_udp *udp, ssize_t nread,
				  const struct iovec *buf,
				  const struct sockaddr *addr, unsigned flags);
typedef void (*uring_udp_send_cb)(struct uring_udp_send *req, int status);

struct uring_udp {
	struct uring_handle handle;
	/* private */
	int fd;
	unsigned state;
	uring_udp_recv_cb recv_cb;
	struct uring_operation rd;
	struct msghdr rmsg;   /* what multishot recvmsg lays out per buffer */
	struct uring_pool_waiter waiter;
	unsigned sends;       /* in flight */
	void *reserved[2]; /* room to grow without an ABI break (docs/ABI.md) */
};

int uring_udp_init(struct uring_loop *loop, struct uring_udp *udp);
/* Adopt a datagram socket. */
int uring_udp_open(struct uring_udp *udp, int fd);
int uring_udp_fileno(const struct uring_udp *udp);

/* uring_udp_bind() flags */
#define URING_UDP_IPV6ONLY (1U << 0)
#define URING_UDP_REUSEADDR (1U << 1)
#define URING_UDP_REUSEPORT (1U << 2)

int uring_udp_bind(struct uring_udp *udp, const struct sockaddr *addr,
		   unsigned flags);
/* Set the default peer (send with addr NULL), or dissolve it (NULL). */
int uring_udp_connect(struct uring_udp *udp, const struct sockaddr *addr);
int uring_udp_getsockname(const struct uring_udp *udp, struct sockaddr *addr,
			  socklen_t *len);

int uring_udp_recv_start(struct uring_udp *udp, uring_udp_recv_cb cb);
int uring_udp_recv_stop(struct uring_udp *udp);
/* From recv_cb: keep the datagram's buffer; release it with
 * uring_loop_buf_release(). */
int uring_udp_buf_keep(struct uring_udp *udp);

#define URING_UDP_SEND_INLINE_BUFS 4

struct uring_udp_send {
	void *data; /* the user's */
	/* private */
	struct uring_udp *udp;
	uring_udp_send_cb cb;
	struct uring_operation op;
	struct msghdr msg;
	struct sockaddr_storage addr;
	struct iovec *bufs;
	struct iovec inline_bufs[URING_UDP_SEND_INLINE_BUFS];
	void *reserved[2]; /* room to grow without an ABI break (docs/ABI.md) */
};

/* Send one datagram of bufs to addr (NULL: the connected peer).  The
 * bytes must stay valid until cb; cb gets the bytes sent or an error
 * (closing the handle waits for sends, it does not cancel them). */
int uring_udp_send(struct uring_udp_send *req, struct uring_udp *udp,
		   const struct iovec *bufs, unsigned nbufs,
		   const struct sockaddr *addr, uring_udp_send_cb cb);
/* Send now without waiting: bytes sent, or -EAGAIN (socket full, or
 * datagrams from uring_udp_send() still queued: they go first). */
ssize_t uring_udp_try_send(struct uring_udp *udp, const struct iovec *bufs,
			   unsigned nbufs, const struct sockaddr *addr);

/* Socket options users of datagrams expect. */
int uring_udp_set_broadcast(struct uring_udp *udp, bool enable);
int uring_udp_set_ttl(struct uring_udp *udp, int ttl);
int uring_udp_set_multicast_ttl(struct uring_udp *udp, int ttl);
int uring_udp_set_multicast_loop(struct uring_udp *udp, bool enable);
/* Which local interface multicast leaves from (an address on it). */
int uring_udp_set_multicast_interface(struct uring_udp *udp,
				      const struct sockaddr *iface);

enum uring_membership {
	URING_JOIN_GROUP = 0,
	URING_LEAVE_GROUP,
};

/* Join or leave multicast `group` (IPv4 or IPv6) on the interface with
 * address `iface` (NULL: let the kernel choose). */
int uring_udp_set_membership(struct uring_udp *udp,
			     const struct sockaddr *group,
			     const struct sockaddr *iface,
			     enum uring_membership membership);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif

#endif /* URING_UDP_H */
