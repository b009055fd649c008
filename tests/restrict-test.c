/* SPDX-License-Identifier: MIT */
/*
 * restrict-test: a loop made with the `restricted` option runs its own
 * operations (timers, requests, streams, the embedding fd) and refuses an
 * opcode outside its list with -EACCES.
 */
#define _GNU_SOURCE
#include <unistd.h>

#include "stream-util.h"

#define WAIT_MS 5000

struct result {
	int calls;
	int res;
};

static void req_done(struct uring_req *req, int res)
{
	struct result *r = req->data;

	r->calls++;
	r->res = res;
}

static int run_req(struct uring_loop *loop, unsigned op)
{
	struct uring_req req;
	struct result r = {0};
	struct uring_sqe *sqe;

	req.data = &r;
	sqe = uring_req_sqe(loop, &req);
	ck_assert_ptr_nonnull(sqe);
	uring_prep_nop(sqe);
	sqe->opcode = (uint8_t)op;
	if (op == URING_OP_SOCKET) { /* a valid socket(2) request */
		sqe->fd = AF_INET;
		sqe->off = SOCK_STREAM;
		sqe->len = 0;
	}
	ck_assert_int_eq(uring_req_submit(&req, req_done, 0, 0), 0);
	while (!r.calls)
		uring_loop_run(loop, URING_RUN_ONCE);
	return r.res;
}

START_TEST(test_restricted_refuses_other_opcodes)
{
	struct uring_loop_options o = {.restricted = true};
	struct uring_loop loop, open_loop;
	int fd;

	ut_require_op(URING_OP_SOCKET, "IORING_OP_SOCKET");
	ck_assert_int_eq(uring_loop_init(&loop, &o), 0);
	ck_assert_int_eq(run_req(&loop, URING_OP_NOP), 0);
	ck_assert_int_eq(run_req(&loop, URING_OP_SOCKET), -EACCES);
	/* the same request on a loop without the option makes a socket */
	init_loop(&open_loop);
	fd = run_req(&open_loop, URING_OP_SOCKET);
	ck_assert_int_ge(fd, 0);
	close(fd);
	close_loop(&open_loop);
	/* the loop's own register calls still work after enabling */
	ck_assert_int_ge(uring_loop_fd(&loop), 0);
	close_loop(&loop);
}
END_TEST

/* Streams, the pool and timers on a restricted loop: echo round trip. */
struct client {
	struct uring_stream s;
	struct uring_connect c;
	struct uring_write w;
	char got[8];
	int n[2];
};

static void client_read(struct uring_stream *s, ssize_t nread,
			const struct iovec *buf)
{
	struct client *c = (struct client *)s;

	if (nread <= 0)
		return;
	ut_kernel_wrote(buf->iov_base, (size_t)nread);
	memcpy(c->got + c->n[0], buf->iov_base, (size_t)nread);
	c->n[0] += (int)nread;
}

static void wrote(struct uring_write *w, int status)
{
	(void)w;
	ck_assert_int_eq(status, 0);
}

static void connected(struct uring_connect *req, int status)
{
	struct client *c = req->data;
	struct iovec iov = {(void *)"locked", 6};

	ck_assert_int_eq(status, 0);
	ck_assert_int_eq(uring_stream_read_start(&c->s, client_read), 0);
	ck_assert_int_eq(uring_stream_write(&c->w, &c->s, &iov, 1, wrote), 0);
}

START_TEST(test_restricted_loop_serves)
{
	struct uring_loop_options o = {.restricted = true};
	struct uring_loop loop;
	struct ut_echo e;
	struct client c;
	struct sockaddr_in a;

	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(uring_loop_init(&loop, &o), 0);
	a = ut_loopback(ut_echo_start(&loop, &e));
	ck_assert_int_eq(uring_tcp_init(&loop, &c.s), 0);
	c.c.data = &c;
	c.n[1] = 6;
	ck_assert_int_eq(uring_tcp_connect(&c.c, &c.s, (struct sockaddr *)&a,
					   1000, connected),
			 0);
	ck_assert(ut_run_count(&loop, c.n, WAIT_MS));
	ck_assert_mem_eq(c.got, "locked", 6);
	uring_close(&c.s.handle, NULL);
	uring_close(&e.listener.handle, NULL);
	close_loop(&loop);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("restrict");
	TCase *tc = ut_tcase("restrict", 30);

	UT_ADD(tc, test_restricted_refuses_other_opcodes);
	UT_ADD(tc, test_restricted_loop_serves);
	suite_add_tcase(s, tc);
	return ut_run(s);
}
