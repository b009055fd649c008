/* SPDX-License-Identifier: MIT */
/*
 * net_epoll: the server side of the networking benchmarks as a daemon
 * author writes it by hand: one thread, one epoll set, level-triggered,
 * non-blocking sockets, accept until EAGAIN, one read of up to 64 KiB per
 * readable event into one static buffer, and writes queued per connection
 * as iovecs and sent with writev (up to IOV_MAX at a time) once per loop
 * iteration, after every event of the epoll_wait batch has been handled
 * (EPOLLOUT armed only while a socket is full).
 *
 * Same behaviour and same per-request work as net_uringloop.c and
 * net_libuv.c: one malloc'ed struct conn per connection; echo copies the
 * bytes into a malloc'ed block freed once written; the HTTP answer and the
 * write_batch payload are static.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "bench.h"
#include "netbench.h"

const char net_impl[] = "epoll";

#define MAX_ANSWERS 64 /* HTTP answers per read, queued at once */
#define MAX_EVENTS 256

struct conn {
	int fd;
	bool closed;
	bool pending;    /* on the flush list */
	bool out_armed;  /* EPOLLOUT in the interest set */
	bool shut_after; /* NET_WBATCH: shut down once the queue is empty */
	unsigned http_state;
	/* queued output, [head, tail) of iov; owned[i]: free() once written */
	struct iovec *iov;
	void **owned;
	size_t head, tail, cap;
	struct conn *prev, *next;  /* open connections */
	struct conn *pnext;        /* flush list */
	struct conn *dnext;        /* closed, freed after the batch */
};

static struct {
	const struct net_config *cfg;
	int epfd, lfd;
	struct conn conns;         /* list head */
	struct conn *flush, *dead;
	bool quit;
	double wb_t0;
	char rbuf[65536];
} srv;

/* epoll data for the two fds that are not connections */
static char tag_listener, tag_ctl;

static const char http_answer[] = NET_HTTP_RESPONSE;

static void watch(int op, int fd, uint32_t events, void *ptr)
{
	struct epoll_event ev = { .events = events, .data.ptr = ptr };

	if (epoll_ctl(srv.epfd, op, fd, &ev))
		bench_die("server: epoll_ctl: %s", strerror(errno));
}

static void conn_close(struct conn *c)
{
	if (c->closed)
		return;
	c->closed = true;
	close(c->fd); /* also leaves the epoll set */
	c->prev->next = c->next;
	c->next->prev = c->prev;
	c->dnext = srv.dead;
	srv.dead = c;
	net_stats.conns--;
}

static void conn_free(struct conn *c)
{
	for (size_t i = c->head; i < c->tail; i++)
		free(c->owned[i]);
	free(c->iov);
	free(c->owned);
	free(c);
}

static void queue_reserve(struct conn *c, size_t room)
{
	size_t cap;

	if (c->cap - c->tail >= room)
		return;
	if (c->head) { /* slide the unsent part down */
		memmove(c->iov, c->iov + c->head,
			(c->tail - c->head) * sizeof(*c->iov));
		memmove(c->owned, c->owned + c->head,
			(c->tail - c->head) * sizeof(*c->owned));
		c->tail -= c->head;
		c->head = 0;
	}
	for (cap = c->cap ? c->cap : 16; cap - c->tail < room; cap *= 2)
		;
	if (cap == c->cap)
		return;
	c->iov = realloc(c->iov, cap * sizeof(*c->iov));
	c->owned = realloc(c->owned, cap * sizeof(*c->owned));
	if (!c->iov || !c->owned)
		bench_die("server: out of memory");
	c->cap = cap;
}

/* Queue bytes; they go out at the end of this loop iteration. */
static void conn_write(struct conn *c, const void *p, size_t n, void *owned)
{
	queue_reserve(c, 1);
	c->iov[c->tail].iov_base = (void *)p;
	c->iov[c->tail].iov_len = n;
	c->owned[c->tail] = owned;
	c->tail++;
	if (!c->pending) {
		c->pending = true;
		c->pnext = srv.flush;
		srv.flush = c;
	}
}

/* Drop n written bytes from the front of the queue. */
static void queue_advance(struct conn *c, size_t n)
{
	while (n) {
		struct iovec *v = &c->iov[c->head];

		if (n < v->iov_len) {
			v->iov_base = (char *)v->iov_base + n;
			v->iov_len -= n;
			return;
		}
		n -= v->iov_len;
		free(c->owned[c->head]);
		c->head++;
		net_stats.writes_done++;
	}
}

static void conn_flush(struct conn *c)
{
	bool want_out;

	while (c->head < c->tail) {
		int cnt = c->tail - c->head < IOV_MAX ? (int)(c->tail - c->head)
						      : IOV_MAX;
		size_t offered = 0;
		ssize_t n;

		for (int i = 0; i < cnt; i++)
			offered += c->iov[c->head + i].iov_len;
		n = writev(c->fd, c->iov + c->head, cnt);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			net_stats.errors++;
			conn_close(c);
			return;
		}
		queue_advance(c, (size_t)n);
		if ((size_t)n < offered)
			break; /* full: the next writev would say EAGAIN */
	}
	if (c->head == c->tail) {
		c->head = c->tail = 0;
		if (c->shut_after) {
			c->shut_after = false;
			if (shutdown(c->fd, SHUT_WR))
				bench_die("server: write_batch: shutdown: %s",
					  strerror(errno));
			net_stats.wb_seconds = bench_now() - srv.wb_t0;
		}
	}
	want_out = c->head < c->tail;
	if (want_out != c->out_armed) {
		c->out_armed = want_out;
		watch(EPOLL_CTL_MOD, c->fd, EPOLLIN | (want_out ? EPOLLOUT : 0),
		      c);
	}
}

static void echo(struct conn *c, const char *p, size_t n)
{
	char *copy = malloc(n);

	if (!copy)
		bench_die("server: out of memory");
	memcpy(copy, p, n);
	conn_write(c, copy, n, copy);
}

static void http(struct conn *c, const char *p, size_t n)
{
	unsigned reqs = net_http_requests(&c->http_state, p, n);

	net_stats.requests += reqs;
	for (unsigned i = 0; i < reqs; i++)
		conn_write(c, http_answer, sizeof(http_answer) - 1, NULL);
}

static void conn_read(struct conn *c)
{
	ssize_t n = read(c->fd, srv.rbuf, sizeof(srv.rbuf));

	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		net_stats.errors++;
		conn_close(c);
		return;
	}
	if (n == 0) {
		conn_close(c);
		return;
	}
	net_stats.bytes_in += (uint64_t)n;
	switch (srv.cfg->mode) {
	case NET_ECHO:
		echo(c, srv.rbuf, (size_t)n);
		break;
	case NET_HTTP:
		http(c, srv.rbuf, (size_t)n);
		break;
	case NET_POUND:
		conn_close(c);
		break;
	default:
		break;
	}
}

/* write_batch: every write queued back to back, then the shutdown. */
static void wb_start(struct conn *c)
{
	srv.wb_t0 = bench_now();
	for (unsigned long i = 0; i < srv.cfg->wb_count; i++)
		conn_write(c, NET_WB_PAYLOAD, NET_WB_LEN, NULL);
	c->shut_after = true;
}

static void accept_all(void)
{
	int one = 1;

	for (;;) {
		int fd = accept4(srv.lfd, NULL, NULL,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct conn *c;

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN)
				net_stats.errors++;
			return;
		}
		c = calloc(1, sizeof(*c));
		if (!c)
			bench_die("server: out of memory");
		c->fd = fd;
		c->next = srv.conns.next;
		c->prev = &srv.conns;
		c->next->prev = c;
		srv.conns.next = c;
		net_stats.accepts++;
		net_stats.conns++;
		if (srv.cfg->nodelay &&
		    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
			net_stats.errors++;
		watch(EPOLL_CTL_ADD, fd, EPOLLIN, c);
		if (srv.cfg->mode == NET_WBATCH && net_stats.accepts == 1) {
			/* the queue's memory, touched now so page faults
			 * stay out of the timing (the others preallocate
			 * their write requests the same way) */
			queue_reserve(c, srv.cfg->wb_count);
			memset(c->iov, 0, c->cap * sizeof(*c->iov));
			memset(c->owned, 0, c->cap * sizeof(*c->owned));
			wb_start(c);
		}
	}
}

static void flush_pending(void)
{
	while (srv.flush) {
		struct conn *c = srv.flush;

		srv.flush = c->pnext;
		c->pending = false;
		if (!c->closed)
			conn_flush(c);
	}
	while (srv.dead) {
		struct conn *c = srv.dead;

		srv.dead = c->dnext;
		conn_free(c);
	}
}

static void serve(void)
{
	struct epoll_event ev[MAX_EVENTS];

	while (!srv.quit) {
		int n = epoll_wait(srv.epfd, ev, MAX_EVENTS, -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			bench_die("server: epoll_wait: %s", strerror(errno));
		}
		for (int i = 0; i < n; i++) {
			void *p = ev[i].data.ptr;
			struct conn *c = p;

			if (p == &tag_listener) {
				accept_all();
			} else if (p == &tag_ctl) {
				if (net_control())
					srv.quit = true;
			} else if (!c->closed) {
				if (ev[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
					conn_read(c);
				if (!c->closed && (ev[i].events & EPOLLOUT))
					conn_flush(c);
			}
		}
		flush_pending();
	}
}

int net_serve(const struct net_config *cfg)
{
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	socklen_t len = sizeof(addr);
	int one = 1;

	srv.cfg = cfg;
	srv.conns.next = srv.conns.prev = &srv.conns;
	srv.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (srv.epfd < 0)
		bench_die("server: epoll_create1: %s", strerror(errno));
	srv.lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (srv.lfd < 0 ||
	    setsockopt(srv.lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(srv.lfd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    listen(srv.lfd, cfg->backlog) ||
	    getsockname(srv.lfd, (struct sockaddr *)&addr, &len))
		bench_die("server: listen on 127.0.0.1: %s", strerror(errno));
	watch(EPOLL_CTL_ADD, srv.lfd, EPOLLIN, &tag_listener);
	watch(EPOLL_CTL_ADD, cfg->ctl_fd, EPOLLIN, &tag_ctl);
	net_ready(ntohs(addr.sin_port));
	serve();
	while (srv.conns.next != &srv.conns)
		conn_close(srv.conns.next);
	flush_pending();
	close(srv.lfd);
	close(srv.epfd);
	return 0;
}
