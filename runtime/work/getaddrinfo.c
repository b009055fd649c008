/* SPDX-License-Identifier: MIT */
/*
 * runtime/work/getaddrinfo.c - getaddrinfo(3) and getnameinfo(3) on the loop's
 * worker pool.  The resolver blocks (files, DNS with its retries), so it
 * runs as a job; the request holds copies of its inputs and room for its
 * outputs, so nothing is allocated but what getaddrinfo() itself returns.
 *
 * EAI_* codes are small negative numbers in glibc that collide with
 * negative errnos (EAI_NONAME is -2, -ENOENT too): they are mapped to
 * URING_EAI_*, a range of their own.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <string.h>

#include <uring/work.h>

#include "work-internal.h"

#define HAS_NODE (1U << 0)
#define HAS_SERVICE (1U << 1)
#define HAS_HINTS (1U << 2)

static const struct {
	int eai, ours;
} eai_map[] = {
	{EAI_ADDRFAMILY, URING_EAI_ADDRFAMILY},
	{EAI_AGAIN, URING_EAI_AGAIN},
	{EAI_BADFLAGS, URING_EAI_BADFLAGS},
	{EAI_FAIL, URING_EAI_FAIL},
	{EAI_FAMILY, URING_EAI_FAMILY},
	{EAI_NODATA, URING_EAI_NODATA},
	{EAI_NONAME, URING_EAI_NONAME},
	{EAI_OVERFLOW, URING_EAI_OVERFLOW},
	{EAI_SERVICE, URING_EAI_SERVICE},
	{EAI_SOCKTYPE, URING_EAI_SOCKTYPE},
};

/* On the worker, right after the call (errno is the worker's own). */
static int map_eai(int eai)
{
	size_t i;

	if (eai == 0)
		return 0;
	if (eai == EAI_SYSTEM)
		return errno ? -errno : -EIO;
	if (eai == EAI_MEMORY)
		return -ENOMEM;
	for (i = 0; i < sizeof(eai_map) / sizeof(eai_map[0]); i++)
		if (eai_map[i].eai == eai)
			return eai_map[i].ours;
	return URING_EAI_FAIL;
}

const char *uring_gai_strerror(int status)
{
	size_t i;

	for (i = 0; i < sizeof(eai_map) / sizeof(eai_map[0]); i++)
		if (eai_map[i].ours == status)
			return gai_strerror(eai_map[i].eai);
	return uring_strerror(status);
}

/* Copy a string into a fixed buffer of the request. */
static int copy_in(char *dst, size_t size, const char *src)
{
	size_t len = strlen(src);

	if (len >= size)
		return -ENAMETOOLONG;
	memcpy(dst, src, len + 1);
	return 0;
}

/* ---------------------------------------------------------- getaddrinfo */

static void gai_work(struct uring_work *w)
{
	struct uring_getaddrinfo *req =
		uring__container_of(w, struct uring_getaddrinfo, work);
	int ret;

	errno = 0;
	ret = getaddrinfo(req->has & HAS_NODE ? req->node : NULL,
			  req->has & HAS_SERVICE ? req->service : NULL,
			  req->has & HAS_HINTS ? &req->hints : NULL, &req->res);
	req->status = map_eai(ret);
	if (req->status)
		req->res = NULL;
}

static void gai_done(struct uring_work *w, int status)
{
	struct uring_getaddrinfo *req =
		uring__container_of(w, struct uring_getaddrinfo, work);
	struct addrinfo *res = NULL;

	if (!status)
		status = req->status;
	if (!status)
		res = req->res;
	req->res = NULL; /* the caller's now */
	req->cb(req, status, res);
}

int uring_getaddrinfo(struct uring_loop *loop, struct uring_getaddrinfo *req,
		      uring_getaddrinfo_cb cb, const char *node,
		      const char *service, const struct addrinfo *hints)
{
	int ret;

	if (!loop || !req || !cb || (!node && !service))
		return -EINVAL;
	req->has = 0;
	if (node) {
		ret = copy_in(req->node, sizeof(req->node), node);
		if (ret)
			return ret;
		req->has |= HAS_NODE;
	}
	if (service) {
		ret = copy_in(req->service, sizeof(req->service), service);
		if (ret)
			return ret;
		req->has |= HAS_SERVICE;
	}
	if (hints) {
		/* only the fields getaddrinfo() reads from hints */
		memset(&req->hints, 0, sizeof(req->hints));
		req->hints.ai_flags = hints->ai_flags;
		req->hints.ai_family = hints->ai_family;
		req->hints.ai_socktype = hints->ai_socktype;
		req->hints.ai_protocol = hints->ai_protocol;
		req->has |= HAS_HINTS;
	}
	req->cb = cb;
	req->res = NULL;
	req->status = 0;
	return uring_work_queue(loop, &req->work, gai_work, gai_done);
}

int uring_getaddrinfo_cancel(struct uring_getaddrinfo *req)
{
	return req ? uring_work_cancel(&req->work) : -EINVAL;
}

void uring_freeaddrinfo(struct addrinfo *res)
{
	if (res)
		freeaddrinfo(res);
}

/* ---------------------------------------------------------- getnameinfo */

static socklen_t addr_len(int family)
{
	switch (family) {
	case AF_INET:
		return sizeof(struct sockaddr_in);
	case AF_INET6:
		return sizeof(struct sockaddr_in6);
	}
	return 0;
}

static void gni_work(struct uring_work *w)
{
	struct uring_getnameinfo *req =
		uring__container_of(w, struct uring_getnameinfo, work);
	int ret;

	errno = 0;
	ret = getnameinfo((struct sockaddr *)&req->addr,
			  addr_len(req->addr.ss_family), req->host,
			  sizeof(req->host), req->service,
			  sizeof(req->service), req->flags);
	req->status = map_eai(ret);
}

static void gni_done(struct uring_work *w, int status)
{
	struct uring_getnameinfo *req =
		uring__container_of(w, struct uring_getnameinfo, work);

	if (!status)
		status = req->status;
	if (status)
		req->cb(req, status, NULL, NULL);
	else
		req->cb(req, 0, req->host, req->service);
}

int uring_getnameinfo(struct uring_loop *loop, struct uring_getnameinfo *req,
		      uring_getnameinfo_cb cb, const struct sockaddr *addr,
		      int flags)
{
	socklen_t len;

	if (!loop || !req || !cb || !addr)
		return -EINVAL;
	len = addr_len(addr->sa_family);
	if (!len)
		return -EINVAL;
	memset(&req->addr, 0, sizeof(req->addr));
	memcpy(&req->addr, addr, len);
	req->flags = flags;
	req->cb = cb;
	req->status = 0;
	req->host[0] = req->service[0] = '\0';
	return uring_work_queue(loop, &req->work, gni_work, gni_done);
}

int uring_getnameinfo_cancel(struct uring_getnameinfo *req)
{
	return req ? uring_work_cancel(&req->work) : -EINVAL;
}
