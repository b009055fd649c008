/* SPDX-License-Identifier: MIT */
/*
 * runtime/net/socket.c - what stream and UDP handles do to their sockets alike:
 * address lengths, adopting an fd, and binding with the usual options.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <netinet/in.h>
#include <unistd.h>

#include "stream-internal.h"

socklen_t uring__inet_len(const struct sockaddr *addr)
{
	if (addr && addr->sa_family == AF_INET)
		return sizeof(struct sockaddr_in);
	if (addr && addr->sa_family == AF_INET6)
		return sizeof(struct sockaddr_in6);
	return 0;
}

int uring__setsockopt_int(int fd, int level, int name, int value)
{
	URING__KEEP_ERRNO();

	return setsockopt(fd, level, name, &value, sizeof(value)) ? -errno : 0;
}

/*
 * An adopted socket is made blocking: io_uring honours O_NONBLOCK and then
 * fails a send to a full socket (or a receive with nothing to read) with
 * -EAGAIN instead of waiting for room (found by fuzz-api with sockets from
 * epoll code).  Nothing blocks on it: the loop's I/O goes through the ring
 * and try_write/try_send pass MSG_DONTWAIT.
 */
int uring__adopt_fd(int *slot, int fd)
{
	URING__KEEP_ERRNO();
	int flags;

	if (fd < 0)
		return -EBADF;
	if (*slot >= 0)
		return -EBUSY;
	flags = fcntl(fd, F_GETFL);
	if (flags < 0)
		return -errno;
	if ((flags & O_NONBLOCK) && fcntl(fd, F_SETFL, flags & ~O_NONBLOCK))
		return -errno;
	*slot = fd;
	return 0;
}

int uring__bind_inet(int *slot, int type, const struct sockaddr *addr,
		     unsigned opts)
{
	URING__KEEP_ERRNO();
	socklen_t len = uring__inet_len(addr);
	bool created = *slot < 0;
	int fd = *slot, ret = 0;

	if (!len || ((opts & URING__BIND_V6ONLY) && addr->sa_family != AF_INET6))
		return -EINVAL;
	if (created) {
		fd = socket(addr->sa_family, type | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
	}
	if (opts & URING__BIND_REUSEADDR)
		ret = uring__setsockopt_int(fd, SOL_SOCKET, SO_REUSEADDR, 1);
	if (!ret && (opts & URING__BIND_REUSEPORT))
		ret = uring__setsockopt_int(fd, SOL_SOCKET, SO_REUSEPORT, 1);
	if (!ret && addr->sa_family == AF_INET6)
		ret = uring__setsockopt_int(fd, IPPROTO_IPV6, IPV6_V6ONLY,
					    !!(opts & URING__BIND_V6ONLY));
	if (!ret && bind(fd, addr, len))
		ret = -errno;
	if (ret && created) /* as if never called */
		close(fd);
	else
		*slot = fd;
	return ret;
}
