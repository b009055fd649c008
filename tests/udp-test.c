/* SPDX-License-Identifier: MIT */
/*
 * udp-test: datagrams through the loop: echo with sender addresses,
 * truncation, an exhausted pool (receiving pauses, datagrams wait in the
 * socket), connected sockets, options, bad input, close with sends in
 * flight.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <unistd.h>

#include <uring/udp.h>

#include "stream-util.h"

#define WAIT_MS 5000
#define DGRAMS 200

static struct sockaddr_in bind_udp(struct uring_udp *u)
{
	struct sockaddr_in a = ut_loopback(0);
	socklen_t len = sizeof(a);

	ck_assert_int_eq(uring_udp_bind(u, (struct sockaddr *)&a, 0), 0);
	ck_assert_int_eq(uring_udp_getsockname(u, (struct sockaddr *)&a, &len),
			 0);
	return a;
}

/* ------------------------------------------------------------- echo */

struct echo_send {
	struct uring_udp_send req;
	int buf_id;
};

static int server_got;

static void echo_sent(struct uring_udp_send *req, int status)
{
	struct echo_send *es = (struct echo_send *)req;

	ck_assert_int_ge(status, 0);
	ck_assert_int_eq(uring_loop_buf_release(req->udp->handle.loop,
						es->buf_id),
			 0);
	free(es);
}

static void server_recv(struct uring_udp *u, ssize_t n, const struct iovec *buf,
			const struct sockaddr *from, unsigned flags)
{
	struct echo_send *es = malloc(sizeof(*es));
	struct iovec out = {buf->iov_base, (size_t)n};

	ck_assert_int_ge(n, 0);
	ck_assert_uint_eq(flags, 0);
	ck_assert_ptr_nonnull(from);
	ut_kernel_wrote(from, sizeof(struct sockaddr_in));
	ut_kernel_wrote(buf->iov_base, (size_t)n);
	ck_assert_int_eq(from->sa_family, AF_INET);
	server_got++;
	es->buf_id = uring_udp_buf_keep(u);
	ck_assert_int_ge(es->buf_id, 0);
	ck_assert_int_eq(uring_udp_send(&es->req, u, &out, 1, from, echo_sent),
			 0);
}

struct client {
	struct uring_udp u;
	int got[2];
	int bad;
	unsigned char seen[DGRAMS];
};

/* Datagram i is i bytes of (i & 0xff) followed by nothing else. */
static void client_recv(struct uring_udp *u, ssize_t n, const struct iovec *buf,
			const struct sockaddr *from, unsigned flags)
{
	struct client *c = (struct client *)u;
	const unsigned char *p = buf->iov_base;
	ssize_t i;

	(void)from;
	ck_assert_int_ge(n, 0);
	ck_assert_uint_eq(flags, 0);
	ut_kernel_wrote(p, (size_t)n);
	ck_assert_int_lt(n, DGRAMS);
	for (i = 0; i < n; i++)
		if (p[i] != (unsigned char)n)
			c->bad++;
	c->seen[n]++;
	c->got[0]++;
}

static void sent_ok(struct uring_udp_send *req, int status)
{
	ck_assert_int_eq(status, (int)(intptr_t)req->data);
}

START_TEST(test_echo)
{
	struct uring_loop loop;
	struct uring_udp server;
	struct client c;
	static struct uring_udp_send sends[DGRAMS];
	static unsigned char data[DGRAMS][DGRAMS];
	struct sockaddr_in to;
	int i;

	memset(&c, 0, sizeof(c));
	server_got = 0;
	init_loop(&loop);
	ck_assert_int_eq(uring_udp_init(&loop, &server), 0);
	to = bind_udp(&server);
	ck_assert_int_eq(uring_udp_recv_start(&server, server_recv), 0);
	ck_assert_int_eq(uring_udp_init(&loop, &c.u), 0);
	bind_udp(&c.u);
	ck_assert_int_eq(uring_udp_recv_start(&c.u, client_recv), 0);
	for (i = 0; i < DGRAMS; i++) { /* sizes 0 .. DGRAMS-1 */
		struct iovec iov = {data[i], (size_t)i};

		memset(data[i], i, (size_t)i);
		sends[i].data = (void *)(intptr_t)i;
		ck_assert_int_eq(uring_udp_send(&sends[i], &c.u, &iov, 1,
						(struct sockaddr *)&to, sent_ok),
				 0);
	}
	c.got[1] = DGRAMS;
	ck_assert_msg(ut_run_count(&loop, c.got, WAIT_MS), "got %d", c.got[0]);
	ck_assert_int_eq(server_got, DGRAMS);
	ck_assert_int_eq(c.bad, 0);
	for (i = 0; i < DGRAMS; i++)
		ck_assert_int_eq(c.seen[i], 1);
	uring_close(&server.handle, NULL);
	uring_close(&c.u.handle, NULL);
	close_loop(&loop);
}
END_TEST

/* ------------------------------------------------------------- truncation */

struct trunc {
	struct uring_udp u;
	int got[2];
	ssize_t n;
	unsigned flags;
};

static void trunc_recv(struct uring_udp *u, ssize_t n, const struct iovec *buf,
		       const struct sockaddr *from, unsigned flags)
{
	struct trunc *t = (struct trunc *)u;

	(void)buf;
	(void)from;
	t->n = n;
	t->flags = flags;
	t->got[0]++;
}

START_TEST(test_truncated)
{
	struct uring_loop_options o;
	struct uring_loop loop;
	struct trunc t;
	static char big[1000];
	struct sockaddr_in to;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	memset(&t, 0, sizeof(t));
	memset(&o, 0, sizeof(o));
	o.read_buf_size = 256;
	ck_assert_int_eq(uring_loop_init(&loop, &o), 0);
	ck_assert_int_eq(uring_udp_init(&loop, &t.u), 0);
	to = bind_udp(&t.u);
	ck_assert_int_eq(uring_udp_recv_start(&t.u, trunc_recv), 0);
	ck_assert_int_eq(sendto(fd, big, sizeof(big), 0, (struct sockaddr *)&to,
				sizeof(to)),
			 (int)sizeof(big));
	t.got[1] = 1;
	ck_assert(ut_run_count(&loop, t.got, WAIT_MS));
	/* 256 - 16 (header) - 28 (room for an IPv6 sender) */
	ck_assert_int_eq(t.n, 212);
	ck_assert_uint_eq(t.flags, URING_UDP_TRUNCATED);
	uring_close(&t.u.handle, NULL);
	close_loop(&loop);
	close(fd);
}
END_TEST

/* ------------------------------------------------------------- pool dry */

static int kept_ids[64], nkept;

static void keep_recv(struct uring_udp *u, ssize_t n, const struct iovec *buf,
		      const struct sockaddr *from, unsigned flags)
{
	struct trunc *t = (struct trunc *)u;

	(void)buf;
	(void)from;
	(void)flags;
	ck_assert_int_eq(n, 8);
	kept_ids[nkept++] = uring_udp_buf_keep(u);
	t->got[0]++;
}

START_TEST(test_pool_dry_waits)
{
	struct uring_loop_options o;
	struct uring_loop loop;
	struct uring_loop_stats st;
	struct trunc t;
	struct sockaddr_in to;
	int fd = socket(AF_INET, SOCK_DGRAM, 0), i;

	memset(&t, 0, sizeof(t));
	memset(&o, 0, sizeof(o));
	o.read_buf_size = 128;
	o.read_buf_count = 4;
	nkept = 0;
	ck_assert_int_eq(uring_loop_init(&loop, &o), 0);
	ck_assert_int_eq(uring_udp_init(&loop, &t.u), 0);
	to = bind_udp(&t.u);
	ck_assert_int_eq(uring_udp_recv_start(&t.u, keep_recv), 0);
	for (i = 0; i < 16; i++)
		ck_assert_int_eq(sendto(fd, "datagram", 8, 0,
					(struct sockaddr *)&to, sizeof(to)),
				 8);
	for (i = 0; i < 20; i++)
		uring_loop_run(&loop, URING_RUN_NOWAIT);
	ck_assert_int_eq(t.got[0], 4); /* every buffer kept: paused */
	ck_assert_int_eq(uring_loop_stats(&loop, &st), 0);
	ck_assert_uint_ge(st.read_pauses, 1);
	/* give buffers back, four at a time: the rest arrive */
	while (t.got[0] < 16 && i++ < 200) {
		int j;

		for (j = 0; j < nkept; j++)
			ck_assert_int_eq(uring_loop_buf_release(&loop,
								kept_ids[j]),
					 0);
		nkept = 0;
		uring_loop_run(&loop, URING_RUN_NOWAIT);
		uring_loop_run(&loop, URING_RUN_NOWAIT);
	}
	ck_assert_int_eq(t.got[0], 16);
	for (i = 0; i < nkept; i++)
		uring_loop_buf_release(&loop, kept_ids[i]);
	uring_close(&t.u.handle, NULL);
	close_loop(&loop);
	close(fd);
}
END_TEST

/* ------------------------------------------------------------- connected */

START_TEST(test_connected_and_try_send)
{
	struct uring_loop loop;
	struct uring_udp a;
	struct uring_udp_send req;
	struct sockaddr_in peer = ut_loopback(0);
	socklen_t len = sizeof(peer);
	struct iovec iov = {(void *)"ping", 4};
	char buf[8];
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	ck_assert_int_eq(bind(fd, (struct sockaddr *)&peer, sizeof(peer)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&peer, &len), 0);
	init_loop(&loop);
	ck_assert_int_eq(uring_udp_init(&loop, &a), 0);
	ck_assert_int_eq(uring_udp_try_send(&a, &iov, 1, NULL), -ENOTCONN);
	ck_assert_int_eq(uring_udp_connect(&a, (struct sockaddr *)&peer), 0);
	ck_assert_int_eq(uring_udp_try_send(&a, &iov, 1, NULL), 4);
	ck_assert_int_eq(recv(fd, buf, sizeof(buf), 0), 4);
	req.data = (void *)(intptr_t)4;
	ck_assert_int_eq(uring_udp_send(&req, &a, &iov, 1, NULL, sent_ok), 0);
	uring_loop_run(&loop, URING_RUN_DEFAULT);
	ck_assert_int_eq(recv(fd, buf, sizeof(buf), 0), 4);
	ck_assert_mem_eq(buf, "ping", 4);
	ck_assert_int_eq(uring_udp_connect(&a, NULL), 0); /* dissolve */
	ck_assert_int_eq(uring_udp_try_send(&a, &iov, 1, NULL),
			 -EDESTADDRREQ);
	uring_close(&a.handle, NULL);
	close_loop(&loop);
	close(fd);
}
END_TEST

/* ------------------------------------------------------------- options */

static int opt(int fd, int level, int name)
{
	int v = -1;
	socklen_t len = sizeof(v);

	ck_assert_int_eq(getsockopt(fd, level, name, &v, &len), 0);
	return v;
}

START_TEST(test_options_and_bad_input)
{
	struct uring_loop loop;
	struct uring_udp u, v;
	struct uring_udp_send req;
	struct sockaddr_in group = ut_loopback(0);
	struct sockaddr_in6 g6 = {.sin6_family = AF_INET6};
	struct iovec iov = {(void *)"x", 1}, nullbuf = {NULL, 3};
	int fd;

	init_loop(&loop);
	ck_assert_int_eq(uring_udp_init(&loop, &u), 0);
	ck_assert_int_eq(uring_udp_init(&loop, &v), 0);
	ck_assert_int_eq(uring_udp_bind(&u, NULL, 0), -EINVAL);
	ck_assert_int_eq(uring_udp_recv_start(&u, trunc_recv), -EBADF);
	ck_assert_int_eq(uring_udp_set_broadcast(&u, true), -EBADF);
	ck_assert_int_eq(uring_udp_send(&req, &u, &iov, 1, NULL, sent_ok),
			 -ENOTCONN);
	bind_udp(&u);
	fd = uring_udp_fileno(&u);
	ck_assert_int_eq(uring_udp_recv_start(&u, NULL), -EINVAL);
	ck_assert_int_eq(uring_udp_send(&req, &u, &nullbuf, 1, NULL, sent_ok),
			 -EINVAL);
	ck_assert_int_eq(uring_udp_buf_keep(&u), -EINVAL);
	ck_assert_int_eq(uring_udp_set_broadcast(&u, true), 0);
	ck_assert_int_eq(opt(fd, SOL_SOCKET, SO_BROADCAST), 1);
	ck_assert_int_eq(uring_udp_set_ttl(&u, 0), -EINVAL);
	ck_assert_int_eq(uring_udp_set_ttl(&u, 17), 0);
	ck_assert_int_eq(opt(fd, IPPROTO_IP, IP_TTL), 17);
	ck_assert_int_eq(uring_udp_set_multicast_ttl(&u, 3), 0);
	ck_assert_int_eq(uring_udp_set_multicast_loop(&u, false), 0);
	ck_assert_int_eq(uring_udp_set_multicast_interface(&u,
			 (struct sockaddr *)&group), 0);
	/* an IPv6 group on an IPv4 socket */
	ck_assert_int_eq(uring_udp_set_membership(&u, (struct sockaddr *)&g6,
						  NULL, URING_JOIN_GROUP),
			 -EINVAL);
	ck_assert_int_ne(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
	uring_close(&u.handle, NULL);
	uring_close(&v.handle, NULL);
	ck_assert_int_eq(uring_udp_recv_start(&u, trunc_recv), -EINVAL);
	close_loop(&loop);
	/* the socket was closed with the handle */
	ck_assert_int_eq(fcntl(fd, F_GETFD), -1);
}
END_TEST

/* Close with a receive armed and sends queued: every send calls back, then
 * close_cb, then the socket is gone. */
static int sends_back, closed_after;

static void count_sent(struct uring_udp_send *req, int status)
{
	(void)req;
	ck_assert(status == 1 || status == -ECANCELED);
	sends_back++;
}

static void udp_closed(struct uring_handle *h)
{
	(void)h;
	closed_after = sends_back;
}

START_TEST(test_close_in_flight)
{
	struct uring_loop loop;
	struct uring_udp u;
	struct uring_udp_send reqs[8];
	struct sockaddr_in to;
	struct iovec iov = {(void *)"y", 1};
	int i;

	sends_back = closed_after = 0;
	init_loop(&loop);
	ck_assert_int_eq(uring_udp_init(&loop, &u), 0);
	to = bind_udp(&u);
	ck_assert_int_eq(uring_udp_recv_start(&u, trunc_recv), 0);
	for (i = 0; i < 8; i++)
		ck_assert_int_eq(uring_udp_send(&reqs[i], &u, &iov, 1,
						(struct sockaddr *)&to,
						count_sent),
				 0);
	uring_close(&u.handle, udp_closed);
	close_loop(&loop);
	ck_assert_int_eq(sends_back, 8);
	ck_assert_int_eq(closed_after, 8);
}
END_TEST

/* A multishot recvmsg ends after a zero-length datagram (kernel fact) and
 * the loop re-arms it.  Here that re-arm finds the SQ full and the submit
 * refused (an injected -EBUSY): the loop retries it before it waits, and
 * receiving goes on without an error reaching the user. */
static int rearm_calls, rearm_bytes, rearm_errors;

static void rearm_recv(struct uring_udp *u, ssize_t n, const struct iovec *buf,
		       const struct sockaddr *from, unsigned flags)
{
	(void)buf;
	(void)from;
	(void)flags;
	if (n < 0) {
		rearm_errors++;
		return;
	}
	if (rearm_calls++ == 0) {
		ck_assert_int_eq(n, 0);
		ut_fill_sq(u->handle.loop);
		ck_assert_int_eq(
			uring_fault_inject(URING_FAULT_ENTER, -EBUSY, 0, 1), 0);
	}
	rearm_bytes += (int)n;
}

static bool rearm_got_empty(void *arg)
{
	(void)arg;
	return rearm_calls > 0;
}

static bool rearm_got_bytes(void *arg)
{
	(void)arg;
	return rearm_bytes >= 5 || rearm_errors;
}

START_TEST(test_rearm_when_no_sqe)
{
	struct uring_loop loop;
	struct uring_udp u;
	struct sockaddr_in to;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	rearm_calls = rearm_bytes = rearm_errors = 0;
	init_loop(&loop);
	ck_assert_int_eq(uring_udp_init(&loop, &u), 0);
	to = bind_udp(&u);
	ck_assert_int_eq(uring_udp_recv_start(&u, rearm_recv), 0);
	ck_assert_int_eq(sendto(fd, "", 0, 0, (struct sockaddr *)&to,
				sizeof(to)), 0);
	ck_assert(ut_run_until(&loop, rearm_got_empty, NULL, WAIT_MS));
	ck_assert_int_eq(rearm_calls, 1);
	ck_assert_int_eq(uring_fault_inject(0, 0, 0, 0), 1); /* refused */
	ck_assert_int_eq(sendto(fd, "hello", 5, 0, (struct sockaddr *)&to,
				sizeof(to)), 5);
	ck_assert(ut_run_until(&loop, rearm_got_bytes, NULL, WAIT_MS));
	ck_assert_int_eq(rearm_errors, 0);
	ck_assert_int_eq(rearm_bytes, 5);
	uring_close(&u.handle, NULL);
	close_loop(&loop);
	close(fd);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("udp");
	TCase *tc = ut_tcase("udp", 60);

	UT_ADD(tc, test_echo);
	UT_ADD(tc, test_truncated);
	UT_ADD(tc, test_pool_dry_waits);
	UT_ADD(tc, test_connected_and_try_send);
	UT_ADD(tc, test_options_and_bad_input);
	UT_ADD(tc, test_close_in_flight);
	UT_ADD(tc, test_rearm_when_no_sqe);
	suite_add_tcase(s, tc);
	return ut_run(s);
}
