/* SPDX-License-Identifier: MIT */
/*
 * echo-test: byte-exact echo through the stream API under load.
 *
 * Clients on the same loop send a known pattern (messages of random size,
 * 1 byte to 1 MiB) and check every echoed byte against it; the server
 * echoes each pool buffer it reads back as is (kept until written).
 *   - 1,000 connections, 256 MiB in all, default pool;
 *   - a deliberately tiny pool (4 buffers of 64 bytes): reading pauses and
 *     resumes, nothing lost, order kept;
 *   - accepting under a low RLIMIT_NOFILE: clients beyond the limit wait
 *     and are served when fds free up, and the server does not spin.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <unistd.h>

#include "stream-util.h"

#define PAT_SIZE (1U << 20)   /* the pattern repeats every MiB */
#define MAX_MSG (1U << 20)

static unsigned char *pattern; /* 2 * PAT_SIZE: a slice never wraps */

static void make_pattern(void)
{
	unsigned i;
	uint32_t x = 2463534242u;

	if (pattern)
		return;
	pattern = malloc(2 * PAT_SIZE);
	ck_assert_ptr_nonnull(pattern);
	for (i = 0; i < PAT_SIZE; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		pattern[i] = pattern[i + PAT_SIZE] = (unsigned char)x;
	}
}

struct client {
	struct uring_stream s;
	struct uring_connect conn;
	struct uring_write w;
	struct echo_run *run;
	uint32_t rng;
	unsigned seed;    /* pattern offset of byte 0 */
	uint64_t target;  /* bytes to send */
	uint64_t sent;    /* bytes queued */
	uint64_t checked; /* bytes echoed and matched */
	unsigned char rbuf[65536];
	bool writing;
	bool done;
};

struct echo_run {
	int done[2]; /* clients finished, clients started */
	int mismatches;
	int errors;
	int connect_errors;
	uint64_t echoed;
	unsigned max_msg;
};

static unsigned next_size(struct client *c)
{
	unsigned bits, size;

	c->rng = c->rng * 1103515245u + 12345u;
	bits = (c->rng >> 8) % 21; /* 1 B .. 1 MiB, log-uniform */
	size = 1U + ((c->rng >> 12) & ((1U << bits) - 1));
	if (size > c->run->max_msg)
		size = c->run->max_msg;
	if (size > c->target - c->sent)
		size = (unsigned)(c->target - c->sent);
	return size;
}

static void client_closed(struct uring_handle *h)
{
	(void)h;
}

static void send_next(struct client *c);

static void client_wrote(struct uring_write *w, int status)
{
	struct client *c = w->data;

	c->writing = false;
	if (status < 0) {
		c->run->errors++;
		return;
	}
	send_next(c);
}

/* One write in flight per client: the server's echo is the limit. */
static void send_next(struct client *c)
{
	struct iovec iov;
	unsigned size;

	if (c->sent >= c->target || c->writing)
		return;
	size = next_size(c);
	iov.iov_base = pattern + (c->seed + c->sent) % PAT_SIZE;
	iov.iov_len = size;
	c->w.data = c;
	c->writing = true;
	c->sent += size;
	ck_assert_int_eq(uring_stream_write(&c->w, &c->s, &iov, 1, client_wrote),
			 0);
}

static void client_alloc(struct uring_stream *s, size_t suggested,
			 struct iovec *buf)
{
	struct client *c = (struct client *)s;

	(void)suggested;
	buf->iov_base = c->rbuf;
	buf->iov_len = sizeof(c->rbuf);
}

static void client_read(struct uring_stream *s, ssize_t nread,
			const struct iovec *buf)
{
	struct client *c = (struct client *)s;
	const unsigned char *want;

	if (nread == 0)
		return; /* buffer handed back */
	if (nread < 0) {
		c->run->errors++;
		uring_close(&s->handle, client_closed);
		return;
	}
	ut_kernel_wrote(buf->iov_base, (size_t)nread);
	want = pattern + (c->seed + c->checked) % PAT_SIZE;
	/* nread <= 64 KiB, so want[0..nread) stays inside the 2 MiB copy */
	if (memcmp(buf->iov_base, want, (size_t)nread))
		c->run->mismatches++;
	c->checked += (uint64_t)nread;
	c->run->echoed += (uint64_t)nread;
	if (c->checked >= c->target && !c->done) {
		c->done = true;
		c->run->done[0]++;
		uring_close(&s->handle, client_closed);
	}
}

static void client_connected(struct uring_connect *req, int status)
{
	struct client *c = req->data;

	if (status < 0) {
		c->run->connect_errors++;
		uring_close(&c->s.handle, client_closed);
		return;
	}
	ck_assert_int_eq(uring_stream_read_start_alloc(&c->s, client_alloc,
						       client_read),
			 0);
	send_next(c);
}

static void start_client(struct uring_loop *loop, struct client *c,
			 struct echo_run *run, uint16_t port, unsigned i,
			 uint64_t target)
{
	struct sockaddr_in a = ut_loopback(port);

	ck_assert_int_eq(uring_tcp_init(loop, &c->s), 0);
	c->run = run;
	c->rng = 7919u * (i + 1);
	c->seed = (i * 104729u) % PAT_SIZE;
	c->target = target;
	c->conn.data = c;
	ck_assert_int_eq(uring_tcp_connect(&c->conn, &c->s,
					   (struct sockaddr *)&a, 10000,
					   client_connected),
			 0);
}

/* Echo `total` bytes over `n` connections; every byte checked. */
static void echo_run(struct uring_loop *loop, unsigned n, uint64_t total,
		     unsigned max_msg, unsigned ms, struct uring_loop_stats *st)
{
	struct ut_echo server;
	struct echo_run run;
	struct client *clients = calloc(n, sizeof(*clients));
	uint16_t port;
	unsigned i;

	make_pattern();
	ck_assert_ptr_nonnull(clients);
	memset(&run, 0, sizeof(run));
	run.done[1] = (int)n;
	run.max_msg = max_msg;
	port = ut_echo_start(loop, &server);
	for (i = 0; i < n; i++)
		start_client(loop, &clients[i], &run, port, i, total / n);
	ck_assert_msg(ut_run_count(loop, run.done, ms),
		      "%d of %u clients done, %llu bytes echoed", run.done[0],
		      n, (unsigned long long)run.echoed);
	ck_assert_int_eq(run.mismatches, 0);
	ck_assert_int_eq(run.errors, 0);
	ck_assert_int_eq(run.connect_errors, 0);
	ck_assert_uint_eq(run.echoed, (total / n) * n);
	ck_assert_int_eq(server.conns_total, (int)n);
	ck_assert_int_eq(server.write_errors, 0);
	ck_assert_int_eq(uring_loop_stats(loop, st), 0);
	uring_close(&server.listener.handle, NULL);
	close_loop(loop); /* the server's conns see EOF and close */
	ck_assert_int_eq(server.conns_open, 0);
	free(clients);
}

START_TEST(test_echo_1000_conns)
{
	struct uring_loop loop;
	unsigned n = UT_VG_SCALE(1000, 50);
	uint64_t total = UT_VG_SCALE(256ULL << 20, 8ULL << 20);

	struct uring_loop_stats st;

	ut_need_fds(2 * n + 64); /* both ends of each, and the rest */
	init_loop(&loop);
	echo_run(&loop, n, total, MAX_MSG, 60000, &st);
}
END_TEST

START_TEST(test_echo_tiny_pool)
{
	struct uring_loop_options o;
	struct uring_loop loop;
	struct uring_loop_stats st;

	memset(&o, 0, sizeof(o));
	o.read_buf_count = 4;
	o.read_buf_size = 64;
	ck_assert_int_eq(uring_loop_init(&loop, &o), 0);
	echo_run(&loop, UT_VG_SCALE(50, 10), UT_VG_SCALE(4U << 20, 256U << 10),
		 4096, 60000, &st);
	/* the pool did run dry, and reading resumed every time */
	ck_assert_uint_gt(st.read_pauses, 0);
}
END_TEST

/* ------------------------------------------------------------- fd limit */

#define FD_CLIENTS 8

/* Whether client fd got its byte back (non-blocking look). */
static bool echoed(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char c;

	return poll(&p, 1, 0) == 1 && read(fd, &c, 1) == 1 && c == 'x';
}

static bool nothing(void *arg)
{
	(void)arg;
	return false;
}

/*
 * With RLIMIT_NOFILE leaving the server room for only a few connections,
 * clients beyond it wait (accepting pauses and backs off, without
 * spinning) and are served once served clients leave and free their fds.
 */
START_TEST(test_accept_under_fd_limit)
{
	struct uring_loop loop;
	struct ut_echo server;
	struct uring_loop_stats a, b;
	struct rlimit old, low;
	int clients[FD_CLIENTS], i, served = 0, spare = 0, maxfd = 0;
	bool done[FD_CLIENTS] = {false};
	uint64_t t0;
	unsigned periods;
	struct sockaddr_in addr;

	init_loop(&loop);
	for (i = 0; i < FD_CLIENTS; i++) {
		clients[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		ck_assert_int_ge(clients[i], 0);
		if (clients[i] > maxfd)
			maxfd = clients[i];
	}
	/* The kernel takes RLIMIT_NOFILE when the multishot accept is
	 * armed (measured on 6.18), so lower it before listening. */
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &old), 0);
	low = old;
	low.rlim_cur = (rlim_t)maxfd + 1 + 4; /* the listener + 3 */
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
	addr = ut_loopback(ut_echo_start(&loop, &server));
	uring_loop_run(&loop, URING_RUN_NOWAIT);
	for (i = 0; i < (int)low.rlim_cur; i++)
		if (fcntl(i, F_GETFD) < 0)
			spare++;
	ck_assert_int_ge(spare, 3);
	ck_assert_int_lt(spare, FD_CLIENTS);
	for (i = 0; i < FD_CLIENTS; i++) {
		ck_assert_int_eq(connect(clients[i], (struct sockaddr *)&addr,
					 sizeof(addr)),
				 0);
		ck_assert_int_eq(write(clients[i], "x", 1), 1);
	}
	uring_loop_stats(&loop, &a);
	t0 = uring_hrtime();
	ut_run_until(&loop, nothing, NULL, 300);
	periods = (unsigned)((uring_hrtime() - t0) / 300000000u) + 1;
	uring_loop_stats(&loop, &b);
	for (i = 0; i < FD_CLIENTS; i++)
		if ((done[i] = echoed(clients[i])))
			served++;
	ck_assert_int_eq(served, spare);
	/* paused, not spinning: a few backoff wakeups per 300 ms (the 1 ms
	 * ticks of ut_run_until account for most iterations; a slow run
	 * waits longer, see ut_ms()) */
	ck_assert_uint_lt(b.sqes_submitted - a.sqes_submitted, 60 * periods);
	/* served clients leave; the rest get their turn */
	for (i = 0; i < FD_CLIENTS; i++)
		if (done[i]) {
			close(clients[i]);
			clients[i] = -1;
		}
	for (i = 0; i < 200 && served < FD_CLIENTS; i++) {
		int j;

		ut_run_until(&loop, nothing, NULL, 10);
		for (j = 0; j < FD_CLIENTS; j++)
			if (clients[j] >= 0 && !done[j] && echoed(clients[j])) {
				done[j] = true;
				served++;
				close(clients[j]);
				clients[j] = -1;
			}
	}
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
	ck_assert_int_eq(served, FD_CLIENTS);
	ck_assert_int_eq(server.conns_total, FD_CLIENTS);
	uring_close(&server.listener.handle, NULL);
	close_loop(&loop);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("echo");
	TCase *tc = ut_tcase("echo", 120);

	UT_ADD(tc, test_echo_1000_conns);
	UT_ADD(tc, test_echo_tiny_pool);
	suite_add_tcase(s, tc);
	tc = ut_tcase_real_rlimit("accept_under_fd_limit", 60);
	UT_ADD(tc, test_accept_under_fd_limit);
	suite_add_tcase(s, tc);
	return ut_run(s);
}
