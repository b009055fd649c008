/* SPDX-License-Identifier: MIT */
/*
 * spin-test: the spin_usec loop option (busy-poll before a wait).
 *   - limits: above 1,000,000 us is -EINVAL;
 *   - a peer process answering over a socketpair: with the option, the
 *     loop sees its answers while spinning (stats.spin_hits counts the
 *     waits it skipped), and without it never does; with each task-run
 *     mode (DEFER, COOP, none) and with SQPOLL;
 *   - a spin never runs past the loop's next timer, and one stretched
 *     past it (preempted) leaves the timer due, not the wait endless;
 *   - a loop that is woken seldom stops spinning (the spin adapts).
 * The peer is a process, not a thread: under valgrind a spinning thread
 * would hold up every other thread of its process.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <uring/loop.h>

#include "loop-util.h"

#define ROUNDS 50
#define SPIN_USEC 200000 /* 200 ms: a broken spin costs 10 s, not minutes */

static int sock, answers;

static void answered(struct uring_poll *p, int status, unsigned events)
{
	char c;

	ck_assert_int_eq(status, 0);
	ck_assert(events & POLLIN);
	ck_assert_int_eq(read(sock, &c, 1), 1);
	ck_assert_int_eq(c, 'a' + answers % 26);
	answers++;
	if (answers == ROUNDS) {
		uring_poll_stop(p);
		return;
	}
	c = (char)('a' + answers % 26);
	ck_assert_int_eq(write(sock, &c, 1), 1);
}

/* The peer: echo every byte until EOF, each 1 ms later, so that every
 * answer finds the loop done with the previous one and about to wait
 * (answered at once, the loop's reap would pick the next answer up in the
 * same iteration, while it flushes the kernel's deferred work). */
static void echo_peer(int fd)
{
	char c;

	while (read(fd, &c, 1) == 1) {
		usleep(1000);
		if (write(fd, &c, 1) != 1)
			break;
	}
	_exit(0);
}

/* The task-run setups a spinning loop must work with: how completions
 * reach the CQ differs (deferred task work the spin runs, task work the
 * kernel runs on its own, a kernel thread posting them). */
static const struct uring_loop_options setups[] = {
	{.taskrun = URING_TASKRUN_AUTO},
	{.taskrun = URING_TASKRUN_COOP},
	{.taskrun = URING_TASKRUN_NONE},
	{.sqpoll = true, .sqpoll_idle_ms = 10},
};

/* ROUNDS round trips with a peer process; the loop's stats after them. */
static struct uring_loop_stats ping_peer(struct uring_loop_options o,
					 unsigned spin_usec)
{
	struct uring_loop_stats st;
	struct uring_loop loop;
	struct uring_poll p;
	int sv[2], status;
	pid_t pid;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv),
			 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(sv[0]);
		echo_peer(sv[1]);
	}
	close(sv[1]);
	sock = sv[0];
	answers = 0;
	o.spin_usec = spin_usec;
	ck_assert_int_eq(uring_loop_init(&loop, &o), 0);
	ck_assert_int_eq(uring_poll_init(&loop, &p, sock), 0);
	ck_assert_int_eq(uring_poll_start(&p, POLLIN, answered), 0);
	ck_assert_int_eq(write(sock, "a", 1), 1);
	ck_assert_int_eq(uring_loop_run(&loop, URING_RUN_DEFAULT), 0);
	ck_assert_int_eq(answers, ROUNDS);
	ck_assert_int_eq(uring_loop_stats(&loop, &st), 0);
	uring_close(&p.handle, NULL);
	close_loop(&loop);
	close(sock);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	return st;
}

START_TEST(spin_limits)
{
	struct uring_loop_options o = {.spin_usec = 1000001};
	struct uring_loop loop;

	ck_assert_int_eq(uring_loop_init(&loop, &o), -EINVAL);
	o.spin_usec = 1000000;
	ck_assert_int_eq(uring_loop_init(&loop, &o), 0);
	close_loop(&loop);
}
END_TEST

START_TEST(spin_sees_peer_without_sleeping)
{
	struct uring_loop_stats on = ping_peer(setups[_i], SPIN_USEC);
	struct uring_loop_stats off = ping_peer(setups[_i], 0);

	/* Every answer comes 1 ms after the question, far inside the 200 ms
	 * spin: each wait for one is skipped.  Half, so that a preempted
	 * peer on a loaded machine cannot fail the test; a spin that never
	 * sees the answers (the kernel's deferred work left unrun) gets 0. */
	ck_assert_uint_ge(on.spin_hits, ROUNDS / 2);
	ck_assert_uint_eq(off.spin_hits, 0);
	/* and the default loop slept for them: about a wait per answer */
	ck_assert_uint_ge(off.iterations, ROUNDS / 2);
}
END_TEST

static int fired;

static void fire(struct uring_timer *t)
{
	(void)t;
	fired++;
}

static double mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Run a loop with spin_usec until a one-shot timer of `ms` fires; the
 * milliseconds that took, and the loop's stats.  arm(), when given, runs
 * just before the loop does. */
static double time_one_timer(unsigned spin_usec, uint64_t ms,
			     void (*arm)(void), struct uring_loop_stats *st)
{
	struct uring_loop_options o = {.spin_usec = spin_usec};
	struct uring_loop loop;
	struct uring_timer t;
	double t0, elapsed;

	ck_assert_int_eq(uring_loop_init(&loop, &o), 0);
	ck_assert_int_eq(uring_timer_init(&loop, &t), 0);
	fired = 0;
	ck_assert_int_eq(uring_timer_start(&t, fire, ms, 0), 0);
	t0 = mono_ms();
	if (arm)
		arm();
	ck_assert_int_eq(uring_loop_run(&loop, URING_RUN_DEFAULT), 0);
	elapsed = mono_ms() - t0;
	ck_assert_int_eq(fired, 1);
	ck_assert_int_eq(uring_loop_stats(&loop, st), 0);
	uring_close(&t.handle, NULL);
	close_loop(&loop);
	return elapsed;
}

START_TEST(spin_stops_at_next_timer)
{
	struct uring_loop_stats st;
	double elapsed = time_one_timer(1000000, 20, NULL, &st);

	/* on time, not after the 1 s spin; nothing came while spinning */
	ck_assert_msg(elapsed >= 19.0 && elapsed < 500.0,
		      "the 20 ms timer fired after %.1f ms", elapsed);
	ck_assert_uint_eq(st.spin_hits, 0);
}
END_TEST

/* A spin stretched past the loop's next timer must leave that timer due.
 * Here a SIGALRM lands in the middle of a 100 ms spin, and its handler
 * sleeps 200 ms, so the spin ends 250 ms in, past a timer due at 150 ms.
 * The loop once took the negative time left for "no timeout" and slept
 * until something else woke it: here the backstop, the alarm's next
 * shot a second later (the CI machine hung in valgrind, where a preempted
 * spin did the same).  Sleeping in a handler stands in for preemption,
 * which no test can order. */
static void slow_handler(int sig)
{
	struct timespec d = {.tv_nsec = 200 * 1000000L};

	(void)sig;
	nanosleep(&d, NULL);
}

static void alarm_in_50ms(void)
{
	struct itimerval at50ms = {.it_value = {.tv_usec = 50000},
				   .it_interval = {.tv_sec = 1}};

	ck_assert_int_eq(setitimer(ITIMER_REAL, &at50ms, NULL), 0);
}

START_TEST(spin_stretched_past_timer_keeps_it)
{
	struct itimerval off = {{0, 0}, {0, 0}};
	struct sigaction sa = {.sa_handler = slow_handler}, old;
	struct uring_loop_stats st;
	double elapsed;

	/* no SA_RESTART: the backstop must end a wait */
	ck_assert_int_eq(sigaction(SIGALRM, &sa, &old), 0);
	elapsed = time_one_timer(100000, 150, alarm_in_50ms, &st);
	ck_assert_int_eq(setitimer(ITIMER_REAL, &off, NULL), 0);
	ck_assert_int_eq(sigaction(SIGALRM, &old, NULL), 0);
	/* at the spin's end (~250 ms), not at the backstop (~1,250 ms) */
	ck_assert_msg(elapsed >= 150.0 && elapsed < 800.0,
		      "the 150 ms timer fired after %.1f ms", elapsed);
}
END_TEST

/* A loop woken only by a timer, spin_usec 2 ms: each spin catches
 * nothing and the event comes long after, so the window halves after
 * every wait, from 2 ms down to none in 11 waits; a spin that did not
 * adapt would spin before every one of the 30.  Counted per wait, not
 * timed: a spin preempted on a busy machine lasts longer, but is still
 * one.  The period is long next to the loop's own work (20 ms, scaled for
 * a slow run): a wait woken within 2 ms of its spin's start would rightly
 * regrow the window (a longer spin would have caught it), which happens
 * only when the loop thread stalls for the rest of a period.  One such
 * stall costs 4 more spins (10 us halved to none): allowed, once. */
#define TICKS 30
#define SPINS_TO_NONE 11

static int ticks, spun_waits;
static uint64_t spun_before;

static void tick(struct uring_timer *t)
{
	struct uring_loop_stats st;

	ck_assert_int_eq(uring_loop_stats(t->handle.loop, &st), 0);
	spun_waits += st.spin_usec_total > spun_before;
	spun_before = st.spin_usec_total;
	if (++ticks == TICKS)
		uring_timer_stop(t);
}

START_TEST(spin_shrinks_when_nothing_comes)
{
	struct uring_loop_options o = {.spin_usec = 2000};
	struct uring_loop loop;
	struct uring_timer t;
	uint64_t period = ut_ms(20);

	ck_assert_int_eq(uring_loop_init(&loop, &o), 0);
	ck_assert_int_eq(uring_timer_init(&loop, &t), 0);
	ticks = spun_waits = 0;
	spun_before = 0;
	ck_assert_int_eq(uring_timer_start(&t, tick, period, period), 0);
	ck_assert_int_eq(uring_loop_run(&loop, URING_RUN_DEFAULT), 0);
	ck_assert_int_eq(ticks, TICKS);
	ck_assert_msg(spun_waits >= 1, "no wait spun");
	ck_assert_msg(spun_waits <= SPINS_TO_NONE + 4,
		      "%d of %d idle waits spun", spun_waits, TICKS);
	uring_close(&t.handle, NULL);
	close_loop(&loop);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("spin");
	TCase *tc = ut_tcase("spin", 60);

	UT_ADD(tc, spin_limits);
	tcase_add_loop_test(tc, spin_sees_peer_without_sleeping, 0,
			    (int)(sizeof(setups) / sizeof(setups[0])));
	UT_ADD(tc, spin_stops_at_next_timer);
	UT_ADD(tc, spin_stretched_past_timer_keeps_it);
	UT_ADD(tc, spin_shrinks_when_nothing_comes);
	suite_add_tcase(s, tc);
	return ut_run(s);
}
