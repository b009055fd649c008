/* SPDX-License-Identifier: MIT */
/*
 * errno-test: no function changes errno (loop.h, README), not even when a
 * system call inside it fails.  Every call of a public function in the
 * suites is checked by tests/ut-errno-wrap.h (included by test-util.h);
 * this suite drives the functions that call into libc down their failure
 * paths: a busy port, a file descriptor that is not a socket, a full or
 * closed socket, no descriptor left.  uring_loop_run() and uring_walk(),
 * which run the caller's callbacks and so are not wrapped, are checked here
 * with callbacks that leave errno alone.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/un.h>
#include <unistd.h>

#include <uring/fs.h>
#include <uring/udp.h>

#include "stream-util.h"

#define SENTINEL 4242

static void never_connect(struct uring_connect *req, int status)
{
	(void)req;
	(void)status;
}

static void never_connection(struct uring_stream *server, int status)
{
	(void)server;
	(void)status;
}

static void never_copy(struct uring_fs *req, int64_t result)
{
	(void)req;
	(void)result;
}

static uint16_t port_of(struct uring_stream *s)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	ck_assert_int_eq(uring_tcp_getsockname(s, (struct sockaddr *)&a, &len),
			 0);
	return ntohs(a.sin_port);
}

/* The reported case: bind(2) fails with EADDRINUSE inside. */
START_TEST(busy_ports)
{
	struct uring_loop loop;
	struct uring_stream a, b;
	struct uring_udp u, v;
	struct sockaddr_in addr = ut_loopback(0);
	socklen_t len = sizeof(addr);

	init_loop(&loop);
	uring_tcp_init(&loop, &a);
	uring_tcp_init(&loop, &b);
	ck_assert_int_eq(uring_tcp_bind(&a, (struct sockaddr *)&addr, 0), 0);
	ck_assert_int_eq(uring_stream_listen(&a, 8, never_connection), 0);
	addr = ut_loopback(port_of(&a));
	ck_assert_int_eq(uring_tcp_bind(&b, (struct sockaddr *)&addr, 0),
			 -EADDRINUSE);
	uring_udp_init(&loop, &u);
	uring_udp_init(&loop, &v);
	addr = ut_loopback(0);
	ck_assert_int_eq(uring_udp_bind(&u, (struct sockaddr *)&addr, 0), 0);
	ck_assert_int_eq(uring_udp_getsockname(&u, (struct sockaddr *)&addr,
					       &len), 0);
	ck_assert_int_eq(uring_udp_bind(&v, (struct sockaddr *)&addr, 0),
			 -EADDRINUSE);
	uring_close(&a.handle, NULL);
	uring_close(&b.handle, NULL);
	uring_close(&u.handle, NULL);
	uring_close(&v.handle, NULL);
	close_loop(&loop);
}
END_TEST

/* A pipe adopted as a TCP stream and as a UDP socket: every socket call
 * inside fails with ENOTSOCK. */
START_TEST(not_a_socket)
{
	struct uring_loop loop;
	struct uring_stream s;
	struct uring_udp u;
	struct sockaddr_in addr;
	socklen_t len = sizeof(addr);
	struct iovec iov = {(void *)"x", 1};
	int p[2], q[2];

	init_loop(&loop);
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(q, O_CLOEXEC), 0);
	uring_tcp_init(&loop, &s);
	ck_assert_int_eq(uring_stream_open(&s, p[1]), 0);
	ck_assert_int_eq(uring_tcp_getsockname(&s, (struct sockaddr *)&addr,
					       &len), -ENOTSOCK);
	ck_assert_int_eq(uring_tcp_getpeername(&s, (struct sockaddr *)&addr,
					       &len), -ENOTSOCK);
	ck_assert_int_eq(uring_tcp_nodelay(&s, true), -ENOTSOCK);
	ck_assert_int_eq(uring_tcp_keepalive(&s, true, 60), -ENOTSOCK);
	ck_assert_int_eq(uring_stream_listen(&s, 8, never_connection),
			 -ENOTSOCK);
	ck_assert_int_eq(uring_stream_try_write(&s, &iov, 1), -ENOTSOCK);
	uring_udp_init(&loop, &u);
	ck_assert_int_eq(uring_udp_open(&u, q[1]), 0);
	ck_assert_int_eq(uring_udp_getsockname(&u, (struct sockaddr *)&addr,
					       &len), -ENOTSOCK);
	ck_assert_int_eq(uring_udp_set_ttl(&u, 8), -ENOTSOCK);
	ck_assert_int_eq(uring_udp_set_broadcast(&u, true), -ENOTSOCK);
	uring_close(&s.handle, NULL);
	uring_close(&u.handle, NULL);
	close_loop(&loop);
	close(p[0]);
	close(q[0]);
}
END_TEST

START_TEST(bad_fds_and_paths)
{
	struct uring_loop loop;
	struct uring_stream s, un;
	struct uring_udp u;
	struct sockaddr_in bcast = ut_loopback(9);
	struct iovec iov = {(void *)"x", 1};
	int fd = dup(0), ret;

	init_loop(&loop);
	close(fd); /* a descriptor number that is not open */
	uring_tcp_init(&loop, &s);
	ck_assert_int_eq(uring_stream_open(&s, fd), -EBADF); /* fcntl(2) */
	uring_unix_init(&loop, &un);
	ck_assert_int_eq(uring_unix_bind(&un, "/nonexistent-dir/sock", 21),
			 -ENOENT);
	uring_udp_init(&loop, &u);
	ck_assert_int_eq(uring_udp_open(&u, fd), -EBADF);
	/* connect(2) to broadcast without SO_BROADCAST: EACCES; or
	 * ENETUNREACH where no route leads there (only lo up) */
	bcast.sin_addr.s_addr = htonl(INADDR_BROADCAST);
	ret = uring_udp_connect(&u, (struct sockaddr *)&bcast);
	ck_assert_msg(ret == -EACCES || ret == -ENETUNREACH,
		      "connect to broadcast: %d", ret);
	/* sendmsg(2) with no address on an unconnected socket */
	bcast = ut_loopback(0);
	ck_assert_int_eq(uring_udp_bind(&u, (struct sockaddr *)&bcast, 0), 0);
	ck_assert_int_eq(uring_udp_try_send(&u, &iov, 1, NULL), -EDESTADDRREQ);
	uring_close(&s.handle, NULL);
	uring_close(&un.handle, NULL);
	uring_close(&u.handle, NULL);
	close_loop(&loop);
}
END_TEST

/* sendmsg(2) of uring_stream_try_write() to a full socket, then to a
 * peer that is gone. */
START_TEST(try_write_full_and_reset)
{
	struct uring_loop loop;
	struct uring_stream s;
	static char buf[65536];
	struct iovec iov = {buf, sizeof(buf)};
	ssize_t n;
	int peer, i;

	init_loop(&loop);
	peer = ut_pair_stream(&loop, &s);
	for (i = 0; i < 1000; i++) {
		n = uring_stream_try_write(&s, &iov, 1);
		if (n < 0)
			break;
	}
	ck_assert_int_eq(n, -EAGAIN);
	close(peer);
	ck_assert_int_eq(uring_stream_try_write(&s, &iov, 1), -EPIPE);
	uring_close(&s.handle, NULL);
	close_loop(&loop);
}
END_TEST

/* A failed init (mmap(2) and close(2) are not reached, the setup syscall
 * refuses) and the calls of a ring's life. */
START_TEST(ring_calls)
{
	struct uring_ring ring;
	struct uring_buf_ring *br, *br2;
	struct uring_probe *probe;
	unsigned major, minor;

	ck_assert_int_eq(uring_ring_init(&ring, 0, 0), -EINVAL);
	ck_assert_int_eq(uring_ring_init(&ring, 8, 0), 0);
	ck_assert_int_eq(uring_probe_get(&ring, &probe), 0);
	uring_probe_free(probe);
	ck_assert_int_eq(uring_kernel_version(&major, &minor), 0);
	if (uring_buf_ring_setup(&ring, 8, 3, 0, &br) == 0) {
		/* the group is taken: the second mapping is given back */
		ck_assert_int_lt(uring_buf_ring_setup(&ring, 8, 3, 0, &br2), 0);
		ck_assert_int_eq(uring_buf_ring_free(&ring, br, 8, 3), 0);
	}
	uring_ring_exit(&ring);
}
END_TEST

/* Fill every descriptor the soft limit allows; returns how many were
 * taken (in fds[], to give back with give_fds()). */
static int take_fds(int *fds, int max)
{
	int n = 0;

	while (n < max && (fds[n] = dup(0)) >= 0)
		n++;
	ck_assert_int_eq(errno, EMFILE);
	return n;
}

static void give_fds(int *fds, int n)
{
	while (n--)
		close(fds[n]);
}

/* socket(2), eventfd(2), pipe2(2) and io_uring_setup(2) fail with
 * EMFILE. */
START_TEST(no_descriptor_left)
{
	struct uring_loop loop, other;
	struct uring_stream s, t, un;
	struct uring_udp u;
	struct uring_connect c;
	struct uring_fs f = {0}; /* flags, deadline_ms: none */
	struct sockaddr_in addr = ut_loopback(0);
	struct rlimit old, low;
	static int fds[1024];
	int n, p[2];

	init_loop(&loop);
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	uring_tcp_init(&loop, &s);
	uring_tcp_init(&loop, &t);
	uring_unix_init(&loop, &un);
	uring_udp_init(&loop, &u);
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &old), 0);
	low = old;
	low.rlim_cur = 512;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
	n = take_fds(fds, 1024);
	ck_assert_int_eq(uring_tcp_bind(&s, (struct sockaddr *)&addr, 0),
			 -EMFILE);
	ck_assert_int_eq(uring_tcp_connect(&c, &t, (struct sockaddr *)&addr,
					   0, never_connect), -EMFILE);
	ck_assert_int_eq(uring_unix_bind(&un, "\0errno-test", 11), -EMFILE);
	ck_assert_int_eq(uring_udp_bind(&u, (struct sockaddr *)&addr, 0),
			 -EMFILE);
	ck_assert_int_eq(uring_loop_fd(&loop), -EMFILE);
	ck_assert_int_eq(uring_fs_copy(&loop, &f, p[1], -1, p[0], 0, 1,
				       never_copy), -EMFILE);
	ck_assert_int_eq(uring_loop_init(&other, NULL), -EMFILE);
	give_fds(fds, n);
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
	uring_close(&s.handle, NULL);
	uring_close(&t.handle, NULL);
	uring_close(&un.handle, NULL);
	uring_close(&u.handle, NULL);
	close_loop(&loop);
	close(p[0]);
	close(p[1]);
}
END_TEST

/* ------------------------------------------- the two that run callbacks */

static void quiet_timer(struct uring_timer *t)
{
	uring_close(&t->handle, NULL);
}

static void quiet_async(struct uring_async *a)
{
	uring_close(&a->handle, NULL);
}

static void quiet_walk(struct uring_handle *h, void *arg)
{
	(void)h;
	(*(int *)arg)++;
}

/* The loop's own reads of its eventfds (uring_loop_fd()'s, the async
 * one) and its waits leave errno alone when the callbacks do. */
START_TEST(run_and_walk)
{
	struct uring_loop loop;
	struct uring_timer t;
	struct uring_async a;
	int walked = 0;

	init_loop(&loop);
	ck_assert_int_ge(uring_loop_fd(&loop), 0);
	ck_assert_int_eq(uring_timer_init(&loop, &t), 0);
	ck_assert_int_eq(uring_timer_start(&t, quiet_timer, 1, 0), 0);
	ck_assert_int_eq(uring_async_init(&loop, &a, quiet_async), 0);
	ck_assert_int_eq(uring_async_send(&a), 0);
	errno = SENTINEL;
	uring_walk(&loop, quiet_walk, &walked);
	ck_assert_int_eq(errno, SENTINEL);
	ck_assert_int_eq(walked, 2);
	ck_assert_int_eq(uring_loop_run(&loop, URING_RUN_DEFAULT), 0);
	ck_assert_int_eq(errno, SENTINEL);
	errno = 0;
	close_loop(&loop);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("errno");
	TCase *tc = ut_tcase("errno", 30);

	UT_ADD(tc, busy_ports);
	UT_ADD(tc, not_a_socket);
	UT_ADD(tc, bad_fds_and_paths);
	UT_ADD(tc, try_write_full_and_reset);
	UT_ADD(tc, ring_calls);
	UT_ADD(tc, run_and_walk);
	suite_add_tcase(s, tc);
	tc = ut_tcase_real_rlimit("errno_rlimit", 30);
	UT_ADD(tc, no_descriptor_left);
	suite_add_tcase(s, tc);
	return ut_run(s);
}
