/* SPDX-License-Identifier: MIT */
/*
 * runtime/net/udp-opts.c - the socket options users of UDP expect: broadcast,
 * TTLs, multicast loop, interface and membership, for IPv4 and IPv6
 * alike (the socket's family picks the option).
 */
#define _GNU_SOURCE
#include <net/if.h>
#include <string.h>

#include <uring/udp.h>

#include "stream-internal.h"

static int family(const struct uring_udp *udp)
{
	URING__KEEP_ERRNO(); /* getsockname() */
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int ret = uring__udp_check(udp);

	if (ret)
		return ret;
	if (udp->fd < 0)
		return -EBADF;
	if (getsockname(udp->fd, (struct sockaddr *)&ss, &len))
		return -errno;
	return ss.ss_family;
}

static int setopt(const struct uring_udp *udp, int level, int name,
		  const void *v, socklen_t len)
{
	URING__KEEP_ERRNO();

	return setsockopt(udp->fd, level, name, v, len) ? -errno : 0;
}

static int int_opt(struct uring_udp *udp, int v4name, int v6name, int value)
{
	int fam = family(udp);

	if (fam < 0)
		return fam;
	if (fam == AF_INET6)
		return setopt(udp, IPPROTO_IPV6, v6name, &value, sizeof(value));
	return setopt(udp, IPPROTO_IP, v4name, &value, sizeof(value));
}

int uring_udp_set_broadcast(struct uring_udp *udp, bool enable)
{
	int v = enable, fam = family(udp);

	if (fam < 0)
		return fam;
	return setopt(udp, SOL_SOCKET, SO_BROADCAST, &v, sizeof(v));
}

int uring_udp_set_ttl(struct uring_udp *udp, int ttl)
{
	if (ttl < 1 || ttl > 255)
		return -EINVAL;
	return int_opt(udp, IP_TTL, IPV6_UNICAST_HOPS, ttl);
}

int uring_udp_set_multicast_ttl(struct uring_udp *udp, int ttl)
{
	if (ttl < 0 || ttl > 255)
		return -EINVAL;
	return int_opt(udp, IP_MULTICAST_TTL, IPV6_MULTICAST_HOPS, ttl);
}

int uring_udp_set_multicast_loop(struct uring_udp *udp, bool enable)
{
	return int_opt(udp, IP_MULTICAST_LOOP, IPV6_MULTICAST_LOOP, enable);
}

/* The index of the interface that has address `a` (IPv6), 0 if none. */
static unsigned if_of(const struct sockaddr_in6 *a)
{
	return a ? a->sin6_scope_id : 0;
}

int uring_udp_set_multicast_interface(struct uring_udp *udp,
				      const struct sockaddr *iface)
{
	int fam = family(udp);
	unsigned idx;

	if (fam < 0)
		return fam;
	if (!iface || iface->sa_family != fam)
		return -EINVAL;
	if (fam == AF_INET6) {
		idx = if_of((const struct sockaddr_in6 *)iface);
		return setopt(udp, IPPROTO_IPV6, IPV6_MULTICAST_IF, &idx,
			      sizeof(idx));
	}
	return setopt(udp, IPPROTO_IP, IP_MULTICAST_IF,
		      &((const struct sockaddr_in *)iface)->sin_addr,
		      sizeof(struct in_addr));
}

int uring_udp_set_membership(struct uring_udp *udp,
			     const struct sockaddr *group,
			     const struct sockaddr *iface,
			     enum uring_membership membership)
{
	int fam = family(udp), join = membership == URING_JOIN_GROUP;

	if (fam < 0)
		return fam;
	if (!group || group->sa_family != fam ||
	    (iface && iface->sa_family != fam) ||
	    (membership != URING_JOIN_GROUP && membership != URING_LEAVE_GROUP))
		return -EINVAL;
	if (fam == AF_INET6) {
		struct ipv6_mreq m;

		memset(&m, 0, sizeof(m));
		m.ipv6mr_multiaddr = ((const struct sockaddr_in6 *)group)->sin6_addr;
		m.ipv6mr_interface = if_of((const struct sockaddr_in6 *)iface);
		return setopt(udp, IPPROTO_IPV6,
			      join ? IPV6_ADD_MEMBERSHIP : IPV6_DROP_MEMBERSHIP,
			      &m, sizeof(m));
	} else {
		struct ip_mreq m;

		memset(&m, 0, sizeof(m));
		m.imr_multiaddr = ((const struct sockaddr_in *)group)->sin_addr;
		m.imr_interface.s_addr =
			iface ? ((const struct sockaddr_in *)iface)->sin_addr.s_addr
			      : htonl(INADDR_ANY);
		return setopt(udp, IPPROTO_IP,
			      join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP, &m,
			      sizeof(m));
	}
}
