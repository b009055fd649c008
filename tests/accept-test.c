/* SPDX-License-Identifier: MIT */
/*
 * accept-test: uring_stream_accept()'s contract, libuv's: the client is
 * initialised first (uring_tcp_init), then accepted into; a connection
 * not taken in connection_cb is held by the listener (which stops
 * accepting) until a later accept takes it or the listener closes.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <poll.h>

#include "stream-util.h"

/* Only reached when something is wrong: the waits below are for events. */
#define WAIT_MS 20000
#define MANY 16

/* A blocking connect to 127.0.0.1:port; loopback completes the handshake
 * in the kernel, before the server's loop accepts. */
static int connect_to(uint16_t port)
{
	struct sockaddr_in a = ut_loopback(port);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static void count_handle(struct uring_handle *h, void *arg)
{
	(void)h;
	(*(int *)arg)++;
}

static int user_handles(struct uring_loop *loop)
{
	int n = 0;

	uring_walk(loop, count_handle, &n);
	return n;
}

/* ------------------------------------------------------------- server */

struct server {
	struct uring_stream listener;
	struct uring_stream clients[MANY];
	int offered;  /* connection_cb calls */
	int taken;    /* connections accepted */
	int want;     /* for ut_run_count: [offered or taken, want] */
	bool take_in_cb;
	int got[MANY]; /* first byte read by clients[i], or -1 */
	int reads;
};

static struct server *server_of(struct uring_stream *listener)
{
	return (struct server *)listener; /* its first member */
}

static void on_read(struct uring_stream *s, ssize_t n, const struct iovec *b)
{
	struct server *sv = s->handle.data;
	int i = (int)(s - sv->clients);

	if (n > 0 && sv->got[i] < 0) {
		ut_kernel_wrote(b->iov_base, 1);
		sv->got[i] = ((unsigned char *)b->iov_base)[0];
		sv->reads++;
	}
}

static void take(struct server *sv)
{
	struct uring_stream *c = &sv->clients[sv->taken];

	ck_assert_int_eq(uring_stream_accept(&sv->listener, c), 0);
	ck_assert_int_eq(uring_stream_accept(&sv->listener, c), -EAGAIN);
	sv->taken++;
	ck_assert_int_eq(uring_stream_read_start(c, on_read), 0);
}

static void on_connection(struct uring_stream *listener, int status)
{
	struct server *sv = server_of(listener);

	ck_assert_int_eq(status, 0);
	/* one at a time: nothing is offered while one waits */
	ck_assert_int_eq(sv->offered, sv->taken);
	sv->offered++;
	if (sv->take_in_cb)
		take(sv);
}

static uint16_t server_start(struct uring_loop *loop, struct server *sv,
			     int nclients)
{
	uint16_t port;
	int i;

	memset(sv, 0, sizeof(*sv));
	/* the clients first, as a server that keeps a free one ready would
	 * (and the handle list then has one after each client) */
	for (i = 0; i < nclients; i++) {
		sv->clients[i].handle.data = sv;
		ck_assert_int_eq(uring_tcp_init(loop, &sv->clients[i]), 0);
		sv->got[i] = -1;
	}
	ck_assert_int_eq(uring_tcp_init(loop, &sv->listener), 0);
	port = ut_bind_any(&sv->listener);
	ck_assert_int_eq(uring_stream_listen(&sv->listener, 128, on_connection),
			 0);
	return port;
}

static void server_close(struct server *sv, int nclients)
{
	int i;

	uring_close(&sv->listener.handle, NULL);
	for (i = 0; i < nclients; i++)
		uring_close(&sv->clients[i].handle, NULL);
}

static bool offered_reaches(void *arg)
{
	struct server *sv = arg;

	return sv->offered >= sv->want;
}

static bool reads_reach(void *arg)
{
	struct server *sv = arg;

	return sv->reads >= sv->want;
}

/* ------------------------------------------------------------- tests */

/* What every libuv program does: init the client, then accept into it.
 * Accept used to initialise the client again, adding it to the loop's
 * handle list twice: the loop never closed (-EBUSY). */
START_TEST(test_init_then_accept)
{
	struct uring_loop loop;
	struct server sv;
	int fds_before = open_fds(), peer;
	uint16_t port;

	init_loop(&loop);
	port = server_start(&loop, &sv, 1);
	sv.take_in_cb = true;
	ck_assert_int_eq(user_handles(&loop), 2);
	peer = connect_to(port);
	ck_assert_int_eq(write(peer, "A", 1), 1);
	sv.want = 1;
	ck_assert(ut_run_until(&loop, reads_reach, &sv, WAIT_MS));
	ck_assert_int_eq(sv.got[0], 'A');
	ck_assert_int_eq(user_handles(&loop), 2);
	server_close(&sv, 1);
	close_loop(&loop);
	close(peer);
	ck_assert_int_eq(open_fds(), fds_before);
}
END_TEST

/* libuv's delayed_accept: connection_cb returns without accepting; a
 * timer accepts later and the connection works. */
static void accept_later(struct uring_timer *t)
{
	take(t->handle.data);
}

START_TEST(test_delayed_accept_from_timer)
{
	struct uring_loop loop;
	struct uring_timer timer;
	struct server sv;
	uint16_t port;
	int peer;

	init_loop(&loop);
	port = server_start(&loop, &sv, 1);
	peer = connect_to(port);
	sv.want = 1;
	ck_assert(ut_run_until(&loop, offered_reaches, &sv, WAIT_MS));
	ck_assert_int_eq(sv.taken, 0);
	/* the connection survived connection_cb: accept it from a timer */
	ck_assert_int_eq(uring_timer_init(&loop, &timer), 0);
	timer.handle.data = &sv;
	ck_assert_int_eq(uring_timer_start(&timer, accept_later, 5, 0), 0);
	ck_assert_int_eq(write(peer, "B", 1), 1);
	ck_assert(ut_run_until(&loop, reads_reach, &sv, WAIT_MS));
	ck_assert_int_eq(sv.got[0], 'B');
	ck_assert_int_eq(sv.offered, 1);
	uring_close(&timer.handle, NULL);
	server_close(&sv, 1);
	close_loop(&loop);
	close(peer);
}
END_TEST

START_TEST(test_accept_with_nothing_pending)
{
	struct uring_loop loop;
	struct server sv;

	init_loop(&loop);
	server_start(&loop, &sv, 1);
	ck_assert_int_eq(uring_stream_accept(&sv.listener, &sv.clients[0]),
			 -EAGAIN);
	/* not a listener at all */
	ck_assert_int_eq(uring_stream_accept(&sv.clients[0], &sv.listener),
			 -EAGAIN);
	server_close(&sv, 1);
	close_loop(&loop);
}
END_TEST

/* Every wrong client is refused, and the connection stays pending for
 * a right one. */
START_TEST(test_accept_into_wrong_client)
{
	struct uring_loop loop, other;
	struct uring_stream closed, unixs, foreign, zeroed, bound;
	struct sockaddr_in a = ut_loopback(0);
	struct server sv;
	uint16_t port;
	int peer;

	init_loop(&loop);
	init_loop(&other);
	port = server_start(&loop, &sv, 1);
	peer = connect_to(port);
	sv.want = 1;
	ck_assert(ut_run_until(&loop, offered_reaches, &sv, WAIT_MS));
	ck_assert_int_eq(uring_tcp_init(&loop, &closed), 0);
	uring_close(&closed.handle, NULL);
	ck_assert_int_eq(uring_unix_init(&loop, &unixs), 0);
	ck_assert_int_eq(uring_tcp_init(&other, &foreign), 0);
	memset(&zeroed, 0, sizeof(zeroed));
	ck_assert_int_eq(uring_tcp_init(&loop, &bound), 0);
	ck_assert_int_eq(uring_tcp_bind(&bound, (struct sockaddr *)&a, 0), 0);

	ck_assert_int_eq(uring_stream_accept(&sv.listener, NULL), -EINVAL);
	ck_assert_int_eq(uring_stream_accept(&sv.listener, &sv.listener),
			 -EINVAL);
	ck_assert_int_eq(uring_stream_accept(&sv.listener, &closed), -EINVAL);
	ck_assert_int_eq(uring_stream_accept(&sv.listener, &unixs), -EINVAL);
	ck_assert_int_eq(uring_stream_accept(&sv.listener, &foreign), -EINVAL);
	ck_assert_int_eq(uring_stream_accept(&sv.listener, &zeroed), -EINVAL);
	ck_assert_int_eq(uring_stream_accept(&sv.listener, &bound), -EBUSY);
	ck_assert_int_eq(uring_stream_accept(NULL, &sv.clients[0]), -EINVAL);
	/* still there for the right one */
	take(&sv);
	ck_assert_int_eq(write(peer, "C", 1), 1);
	ck_assert(ut_run_until(&loop, reads_reach, &sv, WAIT_MS));
	ck_assert_int_eq(sv.got[0], 'C');
	uring_close(&unixs.handle, NULL);
	uring_close(&foreign.handle, NULL);
	uring_close(&bound.handle, NULL);
	server_close(&sv, 1);
	close_loop(&loop);
	close_loop(&other);
	close(peer);
}
END_TEST

/* MANY connections, none taken in connection_cb: each is offered only
 * once the one before was taken (from a timer), in the order they came,
 * and each client reads its own peer's byte. */
static void take_one_per_tick(struct uring_timer *t)
{
	struct server *sv = t->handle.data;

	if (sv->taken < sv->offered)
		take(sv);
}

START_TEST(test_many_accepted_late_in_order)
{
	struct uring_loop loop;
	struct uring_timer timer;
	struct server sv;
	int peers[MANY], i;
	uint16_t port;
	char id;

	init_loop(&loop);
	port = server_start(&loop, &sv, MANY);
	for (i = 0; i < MANY; i++) {
		peers[i] = connect_to(port);
		id = (char)('a' + i);
		ck_assert_int_eq(write(peers[i], &id, 1), 1);
	}
	ck_assert_int_eq(uring_timer_init(&loop, &timer), 0);
	timer.handle.data = &sv;
	ck_assert_int_eq(uring_timer_start(&timer, take_one_per_tick, 1, 1), 0);
	sv.want = MANY;
	ck_assert(ut_run_until(&loop, reads_reach, &sv, WAIT_MS));
	ck_assert_int_eq(sv.offered, MANY);
	ck_assert_int_eq(sv.taken, MANY);
	for (i = 0; i < MANY; i++)
		ck_assert_int_eq(sv.got[i], 'a' + i);
	uring_close(&timer.handle, NULL);
	server_close(&sv, MANY);
	close_loop(&loop);
	for (i = 0; i < MANY; i++)
		close(peers[i]);
}
END_TEST

/* The peer of a connection nobody took sees it end once the listener
 * closes; no fd is left open. */
static void peer_sees_end(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char c;
	ssize_t n;

	ck_assert_int_eq(poll(&p, 1, WAIT_MS), 1);
	n = read(fd, &c, 1);
	ck_assert(n == 0 || (n < 0 && errno == ECONNRESET));
}

START_TEST(test_listener_closed_with_pending)
{
	struct uring_loop loop;
	struct server sv;
	int fds_before = open_fds(), peers[3], i;
	uint16_t port;

	init_loop(&loop);
	port = server_start(&loop, &sv, 0);
	for (i = 0; i < 3; i++)
		peers[i] = connect_to(port);
	sv.want = 1;
	ck_assert(ut_run_until(&loop, offered_reaches, &sv, WAIT_MS));
	/* a few more iterations: the held ones come in meanwhile */
	uring_loop_run(&loop, URING_RUN_NOWAIT);
	ck_assert_int_eq(sv.offered, 1);
	server_close(&sv, 0);
	close_loop(&loop);
	for (i = 0; i < 3; i++) {
		peer_sees_end(peers[i]);
		close(peers[i]);
	}
	ck_assert_int_eq(open_fds(), fds_before);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("accept");
	TCase *tc = ut_tcase("accept", 60);

	UT_ADD(tc, test_init_then_accept);
	UT_ADD(tc, test_delayed_accept_from_timer);
	UT_ADD(tc, test_accept_with_nothing_pending);
	UT_ADD(tc, test_accept_into_wrong_client);
	UT_ADD(tc, test_many_accepted_late_in_order);
	UT_ADD(tc, test_listener_closed_with_pending);
	suite_add_tcase(s, tc);
	return ut_run(s);
}
