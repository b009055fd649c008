/* SPDX-License-Identifier: MIT */
/* poll-test: readiness watchers on foreign fds: readable, writable, event
 * changes, stop, close while armed, errors, re-arming, 10,000 events. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <uring/loop.h>

#include "loop-util.h"

#define WAIT_MS 5000 /* bound on every wait for readiness */


/* Run the loop until *count reaches want or ms pass; returns *count. */
struct waiter {
	struct uring_timer t;
	int *count;
	int want;
	uint64_t deadline;
};

static void wait_tick(struct uring_timer *t)
{
	struct waiter *w = (struct waiter *)t;

	if (*w->count >= w->want ||
	    uring_loop_now(t->handle.loop) >= w->deadline)
		uring_loop_stop(t->handle.loop);
}

static int run_until_ms(struct uring_loop *loop, int *count, int want, int ms)
{
	struct waiter w;

	ck_assert_int_eq(uring_timer_init(loop, &w.t), 0);
	w.count = count;
	w.want = want;
	w.deadline = uring_loop_now(loop) + (uint64_t)ms;
	ck_assert_int_eq(uring_timer_start(&w.t, wait_tick, 1, 1), 0);
	uring_loop_run(loop, URING_RUN_DEFAULT);
	uring_close(&w.t.handle, NULL);
	uring_loop_run(loop, URING_RUN_NOWAIT); /* finishes the close */
	return *count;
}

static int run_until(struct uring_loop *loop, int *count, int want)
{
	return run_until_ms(loop, count, want, WAIT_MS);
}

static void run_for(struct uring_loop *loop, int ms)
{
	int never = 0;

	run_until_ms(loop, &never, 1, ms);
}

static void make_pipe(int fds[2])
{
	ck_assert_int_eq(pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
}

static void put(int fd)
{
	ck_assert_int_eq(write(fd, "x", 1), 1);
}

/* What a watcher saw; its handle.data points here. */
struct seen {
	int calls;
	int status;
	unsigned events;
	unsigned all; /* every event reported, or-ed */
	int read_fd;  /* >= 0: drain it in the callback */
};

static void record(struct uring_poll *p, int status, unsigned events)
{
	struct seen *s = p->handle.data;
	char buf[64];

	s->calls++;
	s->status = status;
	s->events = events;
	s->all |= events;
	if (s->read_fd >= 0)
		while (read(s->read_fd, buf, sizeof(buf)) > 0)
			;
}

/* ---------------------------------------------------------- readiness */

START_TEST(pipe_readable)
{
	struct uring_loop loop;
	struct uring_poll p;
	struct seen s = {.read_fd = -1};
	int fds[2];

	make_pipe(fds);
	init_loop(&loop);
	ck_assert_int_eq(uring_poll_init(&loop, &p, fds[0]), 0);
	p.handle.data = &s;
	ck_assert_int_eq(uring_poll_start(&p, POLLIN, record), 0);
	ck_assert(uring_is_active(&p.handle));
	run_for(&loop, 20);
	ck_assert_int_eq(s.calls, 0); /* empty pipe */
	put(fds[1]);
	ck_assert_int_eq(run_until(&loop, &s.calls, 1), 1);
	ck_assert_int_eq(s.status, 0);
	ck_assert(s.events & POLLIN);
	/* the write end goes away: POLLHUP, reported without being asked */
	s.read_fd = fds[0];
	close(fds[1]);
	ck_assert_int_ge(run_until(&loop, &s.calls, 2), 2);
	ck_assert(s.all & POLLHUP);
	ck_assert_int_eq(uring_poll_stop(&p), 0);
	uring_close(&p.handle, NULL);
	close_loop(&loop);
	close(fds[0]);
}
END_TEST

START_TEST(pipe_writable)
{
	struct uring_loop loop;
	struct uring_poll p;
	struct seen s = {.read_fd = -1};
	int fds[2];

	make_pipe(fds);
	init_loop(&loop);
	ck_assert_int_eq(uring_poll_init(&loop, &p, fds[1]), 0);
	p.handle.data = &s;
	ck_assert_int_eq(uring_poll_start(&p, POLLOUT, record), 0);
	ck_assert_int_eq(run_until(&loop, &s.calls, 1), 1);
	ck_assert_int_eq(s.status, 0);
	ck_assert_uint_eq(s.events & (POLLIN | POLLOUT), POLLOUT);
	uring_close(&p.handle, NULL);
	close_loop(&loop);
	close(fds[0]);
	close(fds[1]);
}
END_TEST

/* A socket is writable at once and readable when the peer writes. */
START_TEST(change_events_while_active)
{
	struct uring_loop loop;
	struct uring_poll p;
	struct seen s = {.read_fd = -1};
	int sv[2];

	ck_assert_int_eq(
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	init_loop(&loop);
	uring_poll_init(&loop, &p, sv[0]);
	p.handle.data = &s;
	ck_assert_int_eq(uring_poll_start(&p, POLLIN, record), 0);
	run_for(&loop, 20);
	ck_assert_int_eq(s.calls, 0);
	/* POLLIN -> POLLOUT: reported at once */
	ck_assert_int_eq(uring_poll_start(&p, POLLOUT, record), 0);
	ck_assert_int_ge(run_until(&loop, &s.calls, 1), 1);
	ck_assert_uint_eq(s.all, POLLOUT);
	/* POLLOUT -> POLLIN: quiet until the peer writes, then only POLLIN */
	ck_assert_int_eq(uring_poll_start(&p, POLLIN, record), 0);
	run_for(&loop, 20);
	s.calls = 0;
	s.all = 0;
	s.read_fd = sv[0];
	ck_assert_int_eq(write(sv[1], "x", 1), 1);
	ck_assert_int_eq(run_until(&loop, &s.calls, 1), 1);
	ck_assert_uint_eq(s.all, POLLIN);
	/* both */
	s.calls = 0;
	s.all = 0;
	ck_assert_int_eq(uring_poll_start(&p, POLLIN | POLLOUT, record), 0);
	ck_assert_int_ge(run_until(&loop, &s.calls, 1), 1);
	ck_assert(s.all & POLLOUT);
	/* several changes before the loop runs: the last one wins */
	ck_assert_int_eq(uring_poll_stop(&p), 0);
	ck_assert_int_eq(uring_poll_start(&p, POLLOUT, record), 0);
	ck_assert_int_eq(uring_poll_start(&p, POLLIN, record), 0);
	ck_assert_int_eq(uring_poll_start(&p, POLLIN | POLLRDHUP, record), 0);
	s.calls = 0;
	s.all = 0;
	run_for(&loop, 30);
	ck_assert_int_eq(s.calls, 0); /* nothing to read, POLLOUT not asked */
	ck_assert_int_eq(write(sv[1], "y", 1), 1);
	ck_assert_int_eq(run_until(&loop, &s.calls, 1), 1);
	ck_assert_uint_eq(s.all, POLLIN);
	/* a wakeup not yet processed when the change reaches the kernel (the
	 * kernel refuses the update with -EALREADY then): the change still
	 * takes effect */
	for (int i = 0; i < 20; i++) {
		unsigned want = i % 2 ? POLLIN : POLLOUT;

		s.read_fd = -1;
		ck_assert_int_eq(uring_poll_start(&p, POLLIN, record), 0);
		run_for(&loop, 2);
		ck_assert_int_eq(write(sv[1], "z", 1), 1);
		ck_assert_int_eq(uring_poll_start(&p, want, record), 0);
		s.calls = 0;
		s.all = 0;
		s.read_fd = sv[0];
		ck_assert_int_ge(run_until(&loop, &s.calls, 1), 1);
		ck_assert_uint_eq(s.all & (POLLIN | POLLOUT), want);
	}
	uring_close(&p.handle, NULL);
	close_loop(&loop);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

/* ---------------------------------------------------------- stop, close */

static void stop_in_cb(struct uring_poll *p, int status, unsigned events)
{
	record(p, status, events);
	ck_assert_int_eq(uring_poll_stop(p), 0);
}

START_TEST(stop_then_silence)
{
	struct uring_loop loop;
	struct uring_poll p;
	struct seen s = {.read_fd = -1};
	int fds[2], i;

	make_pipe(fds);
	init_loop(&loop);
	uring_poll_init(&loop, &p, fds[0]);
	p.handle.data = &s;
	put(fds[1]); /* stays readable: nobody reads */
	ck_assert_int_eq(uring_poll_start(&p, POLLIN, stop_in_cb), 0);
	ck_assert_int_eq(run_until(&loop, &s.calls, 1), 1);
	ck_assert(!uring_is_active(&p.handle));
	for (i = 0; i < 5; i++) { /* more wakeups */
		put(fds[1]);
		run_for(&loop, 5);
	}
	ck_assert_int_eq(s.calls, 1);
	/* stopped from outside, right after a wakeup was queued */
	ck_assert_int_eq(uring_poll_start(&p, POLLIN, record), 0);
	ck_assert_int_ge(run_until(&loop, &s.calls, 2), 2);
	put(fds[1]);
	ck_assert_int_eq(uring_poll_stop(&p), 0);
	i = s.calls;
	run_for(&loop, 30);
	ck_assert_int_eq(s.calls, i);
	ck_assert_int_eq(p.handle.inflight, 0); /* the cancel's CQE came */
	ck_assert(!uring_loop_alive(&loop));
	ck_assert_int_eq(uring_poll_stop(&p), 0); /* twice is fine */
	uring_close(&p.handle, NULL);
	close_loop(&loop);
	close(fds[0]);
	close(fds[1]);
}
END_TEST

static int closed;
static void free_on_close(struct uring_handle *h)
{
	struct uring_poll *p = (struct uring_poll *)h;

	/* the last CQE naming the handle has come: nothing in flight */
	ck_assert_uint_eq(h->inflight, 0);
	ck_assert_uint_eq(p->op.inflight, 0);
	closed++;
	free(h);
}

START_TEST(close_while_armed)
{
	struct uring_loop loop;
	struct uring_poll *p;
	struct seen s = {.read_fd = -1};
	int fds[2], round;

	make_pipe(fds);
	init_loop(&loop);
	closed = 0;
	/* round 0: armed in the kernel; 1: SQE not even submitted yet;
	 * 2: an event change in flight as well */
	for (round = 0; round < 3; round++) {
		p = malloc(sizeof(*p));
		ck_assert_int_eq(uring_poll_init(&loop, p, fds[0]), 0);
		p->handle.data = &s;
		ck_assert_int_eq(uring_poll_start(p, POLLIN, record), 0);
		if (round != 1)
			uring_loop_run(&loop, URING_RUN_NOWAIT);
		if (round == 2)
			ck_assert_int_eq(uring_poll_start(p, POLLOUT, record),
					 0);
		ck_assert_uint_gt(p->handle.inflight, 0);
		uring_close(&p->handle, free_on_close);
		ck_assert_int_eq(closed, round); /* never synchronously */
		ck_assert_int_eq(run_until(&loop, &closed, round + 1),
				 round + 1);
	}
	ck_assert_int_eq(s.calls, 0);
	close_loop(&loop);
	close(fds[0]);
	close(fds[1]);
}
END_TEST

/* Many closed at once (the closing list is long): handles with nothing in
 * flight (timers) get their close callbacks in the order closed, armed
 * watchers theirs once their cancels come back, in the order those come
 * (the kernel's: in the order asked on 6.18, not always on 6.1); each
 * exactly once, none inside uring_close(); one closed from a close
 * callback gets its own after. */
#define MANY 2000
static struct uring_timer *many_timers, late;
static struct uring_poll *many_polls;
static int many_seen[2 * MANY + 1], many_n;

static void many_closed(struct uring_handle *h)
{
	struct uring_timer *t = (struct uring_timer *)h;
	struct uring_poll *p = (struct uring_poll *)h;
	int id = 2 * MANY; /* late */

	if (t >= many_timers && t < many_timers + MANY)
		id = (int)(t - many_timers);
	else if (p >= many_polls && p < many_polls + MANY)
		id = MANY + (int)(p - many_polls);
	ck_assert_int_lt(many_n, 2 * MANY + 1);
	many_seen[many_n++] = id;
	if (id == 0)
		uring_close(&late.handle, many_closed);
}

START_TEST(close_many_in_order)
{
	struct uring_loop loop;
	int fds[2], i, next_timer = 0, next_poll = MANY, late_at = -1;
	static char poll_done[MANY];

	memset(poll_done, 0, sizeof(poll_done));

	make_pipe(fds);
	init_loop(&loop);
	many_timers = calloc(MANY, sizeof(*many_timers));
	many_polls = calloc(MANY, sizeof(*many_polls));
	ck_assert(many_timers && many_polls);
	many_n = 0;
	ck_assert_int_eq(uring_timer_init(&loop, &late), 0);
	for (i = 0; i < MANY; i++) {
		ck_assert_int_eq(uring_timer_init(&loop, &many_timers[i]), 0);
		ck_assert_int_eq(uring_poll_init(&loop, &many_polls[i], fds[0]),
				 0);
		ck_assert_int_eq(uring_poll_start(&many_polls[i], POLLIN,
						  record),
				 0);
		if (i % 128 == 127)
			uring_loop_run(&loop, URING_RUN_NOWAIT); /* arm */
	}
	uring_loop_run(&loop, URING_RUN_NOWAIT);
	for (i = 0; i < MANY; i++) {
		uring_close(&many_timers[i].handle, many_closed);
		uring_close(&many_polls[i].handle, many_closed);
	}
	ck_assert_int_eq(many_n, 0);
	ck_assert_int_eq(uring_loop_run(&loop, URING_RUN_DEFAULT), 0);
	ck_assert_int_eq(many_n, 2 * MANY + 1);
	for (i = 0; i < many_n; i++) {
		if (many_seen[i] < MANY)
			ck_assert_int_eq(many_seen[i], next_timer++);
		else if (many_seen[i] < 2 * MANY) {
			ck_assert(!poll_done[many_seen[i] - MANY]);
			poll_done[many_seen[i] - MANY] = 1;
			next_poll++;
		} else
			late_at = i;
	}
	ck_assert_int_eq(next_timer, MANY);
	ck_assert_int_eq(next_poll, 2 * MANY);
	ck_assert_int_gt(late_at, 0);
	close_loop(&loop);
	free(many_timers);
	free(many_polls);
	close(fds[0]);
	close(fds[1]);
}
END_TEST

/* ---------------------------------------------------------- errors */

START_TEST(closed_fd_reports_error)
{
	struct uring_loop loop;
	struct uring_poll p;
	struct seen s = {.read_fd = -1};
	int fds[2];

	init_loop(&loop); /* first: its fds must not take the pipe's numbers */
	make_pipe(fds);
	close(fds[0]);
	close(fds[1]);
	ck_assert_int_eq(uring_poll_init(&loop, &p, fds[0]), 0);
	p.handle.data = &s;
	ck_assert_int_eq(uring_poll_start(&p, POLLIN, record), 0);
	ck_assert_int_eq(run_until(&loop, &s.calls, 1), 1);
	ck_assert_int_eq(s.status, -EBADF);
	ck_assert_uint_eq(s.events, 0);
	ck_assert(!uring_is_active(&p.handle)); /* stopped */
	ck_assert(!uring_loop_alive(&loop));
	uring_close(&p.handle, NULL);
	close_loop(&loop);
}
END_TEST

START_TEST(bad_arguments)
{
	struct uring_loop loop;
	struct uring_poll p;
	struct uring_timer t;

	init_loop(&loop);
	ck_assert_int_eq(uring_poll_init(&loop, &p, -1), -EBADF);
	ck_assert_int_eq(uring_poll_init(NULL, &p, 0), -EINVAL);
	ck_assert_int_eq(uring_poll_init(&loop, NULL, 0), -EINVAL);
	ck_assert_int_eq(uring_poll_init(&loop, &p, 0), 0);
	ck_assert_int_eq(uring_poll_start(&p, 0, record), -EINVAL);
	ck_assert_int_eq(uring_poll_start(&p, POLLIN, NULL), -EINVAL);
	ck_assert_int_eq(uring_poll_start(&p, 1U << 20, record), -EINVAL);
	ck_assert_int_eq(uring_poll_start(NULL, POLLIN, record), -EINVAL);
	ck_assert(!uring_is_active(&p.handle));
	uring_timer_init(&loop, &t);
	ck_assert_int_eq(
	    uring_poll_start((struct uring_poll *)&t, POLLIN, record), -EINVAL);
	ck_assert_int_eq(uring_poll_stop((struct uring_poll *)&t), -EINVAL);
	ck_assert_str_eq(uring_handle_type_name(URING_HANDLE_POLL), "poll");
	uring_close(&p.handle, NULL);
	ck_assert_int_eq(uring_poll_start(&p, POLLIN, record), -EINVAL);
	uring_close(&t.handle, NULL);
	close_loop(&loop);
}
END_TEST

/* ---------------------------------------------------------- endurance */

#define EVENTS 10000
static int ping_fds[2];
static int pings, empty_reads;

static void ping(struct uring_poll *p, int status, unsigned events)
{
	char c;

	ck_assert_int_eq(status, 0);
	ck_assert(events & POLLIN);
	if (read(ping_fds[0], &c, 1) != 1) {
		empty_reads++;
		return;
	}
	if (++pings < EVENTS)
		put(ping_fds[1]);
	else
		uring_poll_stop(p);
}

START_TEST(ten_thousand_events)
{
	struct uring_loop loop;
	struct uring_poll p;

	make_pipe(ping_fds);
	init_loop(&loop);
	pings = empty_reads = 0;
	uring_poll_init(&loop, &p, ping_fds[0]);
	ck_assert_int_eq(uring_poll_start(&p, POLLIN, ping), 0);
	put(ping_fds[1]);
	/* the watcher stops itself after the last one: run to the end */
	ck_assert_int_eq(run_until_ms(&loop, &pings, EVENTS, 20000), EVENTS);
	run_for(&loop, 10);
	ck_assert_int_eq(pings, EVENTS);
	ck_assert_int_eq(empty_reads, 0);
	uring_close(&p.handle, NULL);
	close_loop(&loop);
	close(ping_fds[0]);
	close(ping_fds[1]);
}
END_TEST

/* A CQ far too small for the wakeups: the kernel ends multishot polls it
 * cannot post a CQE for (the last one overflows), and each watcher must
 * re-arm and keep reporting. */
#define WATCHERS 32
#define ROUNDS 3

START_TEST(rearm_after_cq_overflow)
{
	struct uring_loop_options o = {.sq_entries = 4, .cq_entries = 8};
	struct uring_loop_stats st;
	struct uring_loop loop;
	struct uring_poll p[WATCHERS];
	struct seen s[WATCHERS];
	int fds[WATCHERS][2], i, round, total = 0;

	ck_assert_int_eq(uring_loop_init(&loop, &o), 0);
	memset(s, 0, sizeof(s));
	for (i = 0; i < WATCHERS; i++) {
		make_pipe(fds[i]);
		s[i].read_fd = fds[i][0];
		ck_assert_int_eq(uring_poll_init(&loop, &p[i], fds[i][0]), 0);
		p[i].handle.data = &s[i];
		ck_assert_int_eq(uring_poll_start(&p[i], POLLIN, record), 0);
	}
	run_for(&loop, 10);
	for (round = 1; round <= ROUNDS; round++) {
		for (i = 0; i < WATCHERS; i++)
			put(fds[i][1]);
		for (i = 0; i < WATCHERS; i++) {
			ck_assert_int_ge(run_until(&loop, &s[i].calls, round),
					 round);
			ck_assert_int_eq(s[i].status, 0);
		}
		run_for(&loop, 5);
	}
	for (i = 0; i < WATCHERS; i++) {
		total += s[i].calls;
		uring_close(&p[i].handle, NULL);
	}
	ck_assert_int_eq(total, WATCHERS * ROUNDS);
	uring_loop_stats(&loop, &st);
	ck_assert_uint_gt(st.overflow_flushes, 0); /* the case was reached */
	close_loop(&loop);
	for (i = 0; i < WATCHERS; i++) {
		close(fds[i][0]);
		close(fds[i][1]);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("poll");
	TCase *tc = ut_tcase("poll", 60);

	UT_ADD(tc, pipe_readable);
	UT_ADD(tc, pipe_writable);
	UT_ADD(tc, change_events_while_active);
	UT_ADD(tc, stop_then_silence);
	UT_ADD(tc, close_while_armed);
	UT_ADD(tc, close_many_in_order);
	UT_ADD(tc, closed_fd_reports_error);
	UT_ADD(tc, bad_arguments);
	UT_ADD(tc, ten_thousand_events);
	UT_ADD(tc, rearm_after_cq_overflow);
	suite_add_tcase(s, tc);
	return ut_run(s);
}
