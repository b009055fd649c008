/* SPDX-License-Identifier: MIT */
/*
 * udp-echo: sends every datagram it receives back to its sender.
 *
 *   udp-echo [--host H] [--port P]
 *
 *   - one multishot recvmsg on the loop's buffer pool (uring_udp_recv_start):
 *     each datagram arrives with its sender's address;
 *   - the pool buffer is kept (uring_udp_buf_keep) and sent back as it is,
 *     then handed back to the pool when the send completes: no copy;
 *   - a fixed set of send slots bounds what is in flight: when all are
 *     busy, a datagram is dropped, as UDP allows (and counted);
 *   - SIGINT/SIGTERM close every handle, the loop runs out of work and
 *     uring_loop_close() returns 0.
 *
 * Pages: uring_udp(3), uring_udp_recv_start(3), uring_udp_send(3).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uring/loop.h>
#include <uring/udp.h>

#define SLOTS 64 /* sends in flight at most */

struct slot {
	struct uring_udp_send req;
	int buf_id;
	bool busy;
};

struct server {
	struct uring_loop loop;
	struct uring_udp udp;
	struct uring_signal sigint, sigterm;
	struct slot slots[SLOTS];
	unsigned long long echoed, dropped, truncated;
	bool failed;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: udp-echo [--host H] [--port P]\n"
		   "  Echo every datagram back to its sender.\n"
		   "  --host H  address to bind (default 127.0.0.1)\n"
		   "  --port P  port to bind (default 7001, 0 picks a free one)\n");
}

static int parse_addr(const char *host, const char *port,
		      struct sockaddr_storage *ss)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	char *end;
	long p = strtol(port, &end, 10);

	if (*port == '\0' || *end || p < 0 || p > 65535)
		return -1;
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)p);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)p);
		return 0;
	}
	return -1;
}

static void sent(struct uring_udp_send *req, int status)
{
	struct slot *slot = (struct slot *)req;
	struct server *s = req->data;

	if (status >= 0)
		s->echoed++;
	uring_loop_buf_release(&s->loop, slot->buf_id);
	slot->busy = false;
}

static struct slot *free_slot(struct server *s)
{
	unsigned i;

	for (i = 0; i < SLOTS; i++)
		if (!s->slots[i].busy)
			return &s->slots[i];
	return NULL;
}

static void on_datagram(struct uring_udp *udp, ssize_t nread,
			const struct iovec *buf, const struct sockaddr *from,
			unsigned flags)
{
	struct server *s = udp->handle.data;
	struct slot *slot;
	struct iovec out;

	if (nread < 0) {
		fprintf(stderr, "udp-echo: receive: %s\n",
			uring_strerror((int)nread));
		s->failed = true;
		uring_close(&udp->handle, NULL);
		return;
	}
	if (flags & URING_UDP_TRUNCATED)
		s->truncated++; /* echo what fit, like recvfrom() would */
	slot = free_slot(s);
	if (!slot || !from) {
		s->dropped++;
		return;
	}
	out.iov_base = buf->iov_base;
	out.iov_len = (size_t)nread;
	slot->req.data = s;
	slot->buf_id = uring_udp_buf_keep(udp);
	if (uring_udp_send(&slot->req, udp, &out, 1, from, sent) < 0) {
		uring_loop_buf_release(&s->loop, slot->buf_id);
		s->dropped++;
		return;
	}
	slot->busy = true;
}

static void on_signal(struct uring_signal *sig, int signum)
{
	struct server *s = sig->handle.data;

	(void)signum;
	uring_close(&s->udp.handle, NULL);
	uring_close(&s->sigint.handle, NULL);
	uring_close(&s->sigterm.handle, NULL);
}

static int start(struct server *s, const struct sockaddr *addr)
{
	struct sockaddr_storage bound;
	socklen_t len = sizeof(bound);
	char name[INET6_ADDRSTRLEN];
	int ret;

	s->udp.handle.data = s->sigint.handle.data = s->sigterm.handle.data = s;
	if ((ret = uring_udp_init(&s->loop, &s->udp)) < 0 ||
	    (ret = uring_udp_bind(&s->udp, addr, 0)) < 0 ||
	    (ret = uring_udp_recv_start(&s->udp, on_datagram)) < 0 ||
	    (ret = uring_signal_init(&s->loop, &s->sigint)) < 0 ||
	    (ret = uring_signal_init(&s->loop, &s->sigterm)) < 0 ||
	    (ret = uring_signal_start(&s->sigint, on_signal, SIGINT)) < 0 ||
	    (ret = uring_signal_start(&s->sigterm, on_signal, SIGTERM)) < 0)
		return ret;
	uring_udp_getsockname(&s->udp, (struct sockaddr *)&bound, &len);
	if (bound.ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&bound)->sin6_addr,
			  name, sizeof(name));
	else
		inet_ntop(AF_INET, &((struct sockaddr_in *)&bound)->sin_addr,
			  name, sizeof(name));
	printf("udp-echo: listening on %s:%u\n", name,
	       ntohs(((struct sockaddr_in *)&bound)->sin_port));
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"host", required_argument, NULL, 'H'},
		{"port", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static struct server s;
	const char *host = "127.0.0.1", *port = "7001";
	struct sockaddr_storage addr;
	int c, ret;

	while ((c = getopt_long(argc, argv, "H:p:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'H':
			host = optarg;
			break;
		case 'p':
			port = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || parse_addr(host, port, &addr) < 0) {
		usage(stderr);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	ret = uring_loop_init(&s.loop, NULL);
	if (ret < 0) {
		fprintf(stderr, "udp-echo: %s\n", uring_setup_strerror(ret));
		return 1;
	}
	ret = start(&s, (struct sockaddr *)&addr);
	if (ret < 0) {
		fprintf(stderr, "udp-echo: %s\n", uring_strerror(ret));
		on_signal(&s.sigint, 0); /* close what was opened */
		s.failed = true;
	}
	uring_loop_run(&s.loop, URING_RUN_DEFAULT);
	if (uring_loop_close(&s.loop) < 0)
		s.failed = true;
	printf("udp-echo: echoed %llu datagrams, dropped %llu, truncated %llu\n",
	       s.echoed, s.dropped, s.truncated);
	return s.failed ? 1 : 0;
}
