/* SPDX-License-Identifier: MIT */
/* signal-test: signal watchers: delivery as callbacks from raise(), kill()
 * and other threads, several watchers and several loops per signal, stop and
 * close from callbacks, the previous disposition restored, bad arguments. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uring/loop.h>

#include "loop-util.h"

#define WAIT_MS 5000 /* bound on every wait for a delivery */


/* Every test ends here: nothing may be left open. */
static void close_signal_loop(struct uring_loop *loop)
{
	ck_assert_int_eq(uring_loop_run(loop, URING_RUN_DEFAULT), 0);
	ck_assert_ptr_null(loop->sigloop); /* not in the signal registry */
	ck_assert_int_eq(uring_loop_close(loop), 0);
}

/* Run the loop until *count reaches want or WAIT_MS pass; returns *count. */
struct waiter {
	struct uring_timer t;
	atomic_int *count;
	int want;
	uint64_t deadline;
};

static void wait_tick(struct uring_timer *t)
{
	struct waiter *w = (struct waiter *)t;

	if (atomic_load(w->count) >= w->want ||
	    uring_loop_now(t->handle.loop) >= w->deadline)
		uring_loop_stop(t->handle.loop);
}

static int run_until(struct uring_loop *loop, atomic_int *count, int want)
{
	struct waiter w;

	ck_assert_int_eq(uring_timer_init(loop, &w.t), 0);
	w.count = count;
	w.want = want;
	w.deadline = uring_loop_now(loop) + WAIT_MS;
	ck_assert_int_eq(uring_timer_start(&w.t, wait_tick, 1, 1), 0);
	uring_loop_run(loop, URING_RUN_DEFAULT);
	uring_close(&w.t.handle, NULL);
	uring_loop_run(loop, URING_RUN_NOWAIT); /* finishes the close */
	return atomic_load(count);
}

/* Run the loop for about ms milliseconds. */
static void run_for(struct uring_loop *loop, int ms)
{
	atomic_int never = 0;
	struct waiter w;

	ck_assert_int_eq(uring_timer_init(loop, &w.t), 0);
	w.count = &never;
	w.want = 1;
	w.deadline = uring_loop_now(loop) + (uint64_t)ms;
	ck_assert_int_eq(uring_timer_start(&w.t, wait_tick, 1, 1), 0);
	uring_loop_run(loop, URING_RUN_DEFAULT);
	uring_close(&w.t.handle, NULL);
	uring_loop_run(loop, URING_RUN_NOWAIT);
}

/* The disposition the tests install first: a handler of their own, so that a
 * signal that reaches no watcher is counted instead of killing the test. */
static atomic_int prev_calls;
static void prev_handler(int signum)
{
	(void)signum;
	atomic_fetch_add(&prev_calls, 1);
}

static void install_prev(int signum)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = prev_handler;
	sa.sa_flags = 0; /* ours has SA_RESTART (not SA_NODEFER here: under
			  * the storm test the handler would nest until the
			  * stack overflows) */
	ck_assert_int_eq(sigaction(signum, &sa, NULL), 0);
}

static bool prev_installed(int signum)
{
	struct sigaction sa;

	ck_assert_int_eq(sigaction(signum, NULL, &sa), 0);
	return sa.sa_handler == prev_handler && !(sa.sa_flags & SA_RESTART);
}

/* Watchers count their calls in the atomic_int their data points to. */
static void count_cb(struct uring_signal *sig, int signum)
{
	ck_assert_int_eq(signum, sig->signum);
	atomic_fetch_add((atomic_int *)sig->handle.data, 1);
}

/* ---------------------------------------------------------- delivery */

static void *raise_in_thread(void *arg)
{
	(void)arg;
	raise(SIGUSR1); /* directed at this thread, not the loop's */
	return NULL;
}

START_TEST(raise_kill_and_other_thread)
{
	struct uring_loop loop;
	struct uring_signal sig;
	atomic_int calls = 0;
	pthread_t th;

	install_prev(SIGUSR1);
	atomic_store(&prev_calls, 0);
	init_loop(&loop);
	ck_assert_int_eq(uring_signal_init(&loop, &sig), 0);
	sig.handle.data = &calls;
	ck_assert_int_eq(uring_signal_start(&sig, count_cb, SIGUSR1), 0);
	ck_assert(uring_is_active(&sig.handle));
	ck_assert(uring_loop_alive(&loop));
	ck_assert_ptr_nonnull(loop.sigloop);
	ck_assert(!prev_installed(SIGUSR1));

	ck_assert_int_eq(raise(SIGUSR1), 0);
	ck_assert_int_eq(run_until(&loop, &calls, 1), 1);
	ck_assert_int_eq(kill(getpid(), SIGUSR1), 0);
	ck_assert_int_eq(run_until(&loop, &calls, 2), 2);
	ck_assert_int_eq(pthread_create(&th, NULL, raise_in_thread, NULL), 0);
	ck_assert_int_eq(run_until(&loop, &calls, 3), 3);
	pthread_join(th, NULL);
	run_for(&loop, 20); /* nothing more comes */
	ck_assert_int_eq(atomic_load(&calls), 3);
	ck_assert_int_eq(atomic_load(&prev_calls), 0);

	ck_assert_int_eq(uring_signal_stop(&sig), 0);
	ck_assert(!uring_is_active(&sig.handle));
	ck_assert(prev_installed(SIGUSR1));
	uring_close(&sig.handle, NULL);
	close_signal_loop(&loop);
}
END_TEST

START_TEST(two_watchers_one_loop)
{
	struct uring_loop loop;
	struct uring_signal a, b, other;
	atomic_int ca = 0, cb = 0, cother = 0;

	install_prev(SIGUSR1);
	install_prev(SIGUSR2);
	init_loop(&loop);
	uring_signal_init(&loop, &a);
	uring_signal_init(&loop, &b);
	uring_signal_init(&loop, &other);
	a.handle.data = &ca;
	b.handle.data = &cb;
	other.handle.data = &cother;
	ck_assert_int_eq(uring_signal_start(&a, count_cb, SIGUSR1), 0);
	ck_assert_int_eq(uring_signal_start(&b, count_cb, SIGUSR1), 0);
	ck_assert_int_eq(uring_signal_start(&other, count_cb, SIGUSR2), 0);
	raise(SIGUSR1);
	run_until(&loop, &cb, 1);
	run_until(&loop, &ca, 1);
	ck_assert_int_eq(atomic_load(&ca), 1);
	ck_assert_int_eq(atomic_load(&cb), 1);
	ck_assert_int_eq(atomic_load(&cother), 0);
	raise(SIGUSR2);
	ck_assert_int_eq(run_until(&loop, &cother, 1), 1);
	ck_assert_int_eq(atomic_load(&ca), 1);
	/* the same signum again only updates the callback */
	ck_assert_int_eq(uring_signal_start(&a, count_cb, SIGUSR1), 0);
	uring_close(&a.handle, NULL);
	uring_close(&b.handle, NULL);
	uring_close(&other.handle, NULL);
	close_signal_loop(&loop);
	ck_assert(prev_installed(SIGUSR1));
	ck_assert(prev_installed(SIGUSR2));
}
END_TEST

/* Two loops, each on its own thread with nothing blocked, both watch
 * SIGUSR1; one process-directed signal reaches both. */
#define NLOOPS 2
static pthread_barrier_t started;
static atomic_int per_loop[NLOOPS];

static void *loop_thread(void *arg)
{
	int i = (int)(intptr_t)arg;
	struct uring_loop loop;
	struct uring_signal sig;

	init_loop(&loop);
	uring_signal_init(&loop, &sig);
	sig.handle.data = &per_loop[i];
	ck_assert_int_eq(uring_signal_start(&sig, count_cb, SIGUSR1), 0);
	uring_loop_run(&loop, URING_RUN_NOWAIT); /* the loop runs here */
	pthread_barrier_wait(&started);
	run_until(&loop, &per_loop[i], 1);
	uring_close(&sig.handle, NULL);
	close_signal_loop(&loop);
	return NULL;
}

START_TEST(two_loops_two_threads)
{
	pthread_t th[NLOOPS];
	int i;

	install_prev(SIGUSR1);
	atomic_store(&prev_calls, 0);
	ck_assert_int_eq(pthread_barrier_init(&started, NULL, NLOOPS + 1), 0);
	for (i = 0; i < NLOOPS; i++) {
		atomic_store(&per_loop[i], 0);
		ck_assert_int_eq(pthread_create(&th[i], NULL, loop_thread,
						(void *)(intptr_t)i),
				 0);
	}
	pthread_barrier_wait(&started);
	ck_assert_int_eq(kill(getpid(), SIGUSR1), 0);
	for (i = 0; i < NLOOPS; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < NLOOPS; i++)
		ck_assert_int_eq(atomic_load(&per_loop[i]), 1);
	ck_assert_int_eq(atomic_load(&prev_calls), 0);
	ck_assert(prev_installed(SIGUSR1));
	pthread_barrier_destroy(&started);
}
END_TEST

/* ---------------------------------------------------------- stop, close */

static void stop_self(struct uring_signal *sig, int signum)
{
	(void)signum;
	atomic_fetch_add((atomic_int *)sig->handle.data, 1);
	ck_assert_int_eq(uring_signal_stop(sig), 0);
	ck_assert(!uring_is_active(&sig->handle));
}

START_TEST(stop_inside_callback)
{
	struct uring_loop loop;
	struct uring_signal a, b;
	atomic_int ca = 0, cb = 0;

	install_prev(SIGUSR1);
	init_loop(&loop);
	uring_signal_init(&loop, &a);
	uring_signal_init(&loop, &b);
	a.handle.data = &ca;
	b.handle.data = &cb;
	ck_assert_int_eq(uring_signal_start(&a, stop_self, SIGUSR1), 0);
	ck_assert_int_eq(uring_signal_start(&b, count_cb, SIGUSR1), 0);
	raise(SIGUSR1);
	ck_assert_int_eq(run_until(&loop, &cb, 1), 1);
	ck_assert_int_eq(atomic_load(&ca), 1);
	raise(SIGUSR1);
	ck_assert_int_eq(run_until(&loop, &cb, 2), 2);
	ck_assert_int_eq(atomic_load(&ca), 1); /* stopped */
	/* restart: called again */
	ck_assert_int_eq(uring_signal_start(&a, stop_self, SIGUSR1), 0);
	raise(SIGUSR1);
	ck_assert_int_eq(run_until(&loop, &ca, 2), 2);
	/* the last watcher stops itself: the loop leaves the registry while
	 * it dispatches */
	uring_close(&b.handle, NULL);
	uring_loop_run(&loop, URING_RUN_NOWAIT);
	ck_assert_int_eq(uring_signal_start(&a, stop_self, SIGUSR1), 0);
	raise(SIGUSR1);
	ck_assert_int_eq(run_until(&loop, &ca, 3), 3);
	ck_assert_ptr_null(loop.sigloop);
	ck_assert(prev_installed(SIGUSR1));
	uring_close(&a.handle, NULL);
	close_signal_loop(&loop);
}
END_TEST

static atomic_int closes;
static void free_on_close(struct uring_handle *h)
{
	atomic_fetch_add(&closes, 1);
	free(h);
}

static void close_self(struct uring_signal *sig, int signum)
{
	(void)signum;
	atomic_fetch_add((atomic_int *)sig->handle.data, 1);
	uring_close(&sig->handle, free_on_close);
}

START_TEST(closing_watchers)
{
	struct uring_signal *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	struct uring_loop loop;
	struct uring_signal c;
	atomic_int ca = 0, cb = 0, cc = 0;

	install_prev(SIGUSR1);
	atomic_store(&prev_calls, 0);
	atomic_store(&closes, 0);
	init_loop(&loop);
	uring_signal_init(&loop, a);
	uring_signal_init(&loop, b);
	uring_signal_init(&loop, &c);
	a->handle.data = &ca;
	b->handle.data = &cb;
	c.handle.data = &cc;
	ck_assert_int_eq(uring_signal_start(a, close_self, SIGUSR1), 0);
	ck_assert_int_eq(uring_signal_start(b, count_cb, SIGUSR1), 0);
	ck_assert_int_eq(uring_signal_start(&c, count_cb, SIGUSR1), 0);
	/* closed from outside: never called again, freed in its close cb */
	uring_close(&b->handle, free_on_close);
	ck_assert(!uring_is_active(&b->handle));
	ck_assert_int_eq(atomic_load(&closes), 0);
	raise(SIGUSR1);
	ck_assert_int_eq(run_until(&loop, &cc, 1), 1);
	ck_assert_int_eq(atomic_load(&ca), 1); /* closed itself */
	ck_assert_int_eq(atomic_load(&cb), 0);
	ck_assert_int_eq(atomic_load(&closes), 2);
	ck_assert_int_eq(uring_signal_start(&c, count_cb, SIGUSR1), 0);
	uring_close(&c.handle, NULL);
	ck_assert_int_eq(uring_signal_start(&c, count_cb, SIGUSR1), -EINVAL);
	close_signal_loop(&loop);
	raise(SIGUSR1); /* back to the previous handler */
	ck_assert_int_eq(atomic_load(&prev_calls), 1);
	ck_assert_int_eq(atomic_load(&cc), 1);
}
END_TEST

/* ---------------------------------------------------------- dispositions */

START_TEST(previous_disposition_restored)
{
	struct uring_loop loop;
	struct uring_signal a, b;
	atomic_int ca = 0, cb = 0;
	struct sigaction sa;

	install_prev(SIGUSR2);
	/* SIGWINCH starts at its default (ignored) disposition */
	signal(SIGWINCH, SIG_DFL);
	init_loop(&loop);
	uring_signal_init(&loop, &a);
	uring_signal_init(&loop, &b);
	a.handle.data = &ca;
	b.handle.data = &cb;
	ck_assert_int_eq(uring_signal_start(&a, count_cb, SIGUSR2), 0);
	ck_assert_int_eq(uring_signal_start(&b, count_cb, SIGUSR2), 0);
	ck_assert_int_eq(sigaction(SIGUSR2, NULL, &sa), 0);
	ck_assert(sa.sa_handler != prev_handler);
	ck_assert(sa.sa_flags & SA_RESTART);
	ck_assert_int_eq(uring_signal_stop(&a), 0);
	ck_assert(!prev_installed(SIGUSR2)); /* b still watches */
	/* moving b to SIGWINCH gives SIGUSR2 back */
	ck_assert_int_eq(uring_signal_start(&b, count_cb, SIGWINCH), 0);
	ck_assert(prev_installed(SIGUSR2));
	ck_assert_int_eq(sigaction(SIGWINCH, NULL, &sa), 0);
	ck_assert(sa.sa_handler != SIG_DFL);
	raise(SIGWINCH);
	ck_assert_int_eq(run_until(&loop, &cb, 1), 1);
	ck_assert_int_eq(atomic_load(&ca), 0);
	ck_assert_int_eq(uring_signal_stop(&b), 0);
	ck_assert_int_eq(uring_signal_stop(&b), 0); /* twice is fine */
	ck_assert_int_eq(sigaction(SIGWINCH, NULL, &sa), 0);
	ck_assert(sa.sa_handler == SIG_DFL);
	ck_assert_ptr_null(loop.sigloop);
	uring_close(&a.handle, NULL);
	uring_close(&b.handle, NULL);
	close_signal_loop(&loop);
}
END_TEST

START_TEST(invalid_signums)
{
	static const int bad[] = {0, -1, NSIG, NSIG + 1, SIGKILL, SIGSTOP};
	struct uring_loop loop;
	struct uring_signal sig;
	struct uring_timer t;
	unsigned i;

	init_loop(&loop);
	ck_assert_int_eq(uring_signal_init(NULL, &sig), -EINVAL);
	ck_assert_int_eq(uring_signal_init(&loop, NULL), -EINVAL);
	ck_assert_int_eq(uring_signal_init(&loop, &sig), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_int_eq(uring_signal_start(&sig, count_cb, bad[i]),
				 -EINVAL);
	ck_assert_int_eq(uring_signal_start(&sig, NULL, SIGUSR1), -EINVAL);
	ck_assert_int_eq(uring_signal_start(NULL, count_cb, SIGUSR1), -EINVAL);
	ck_assert(!uring_is_active(&sig.handle));
	ck_assert_ptr_null(loop.sigloop);
	/* a timer is not a signal watcher */
	uring_timer_init(&loop, &t);
	ck_assert_int_eq(
	    uring_signal_start((struct uring_signal *)&t, count_cb, SIGUSR1),
	    -EINVAL);
	ck_assert_int_eq(uring_signal_stop((struct uring_signal *)&t), -EINVAL);
	ck_assert_int_eq(uring_handle_get_type(&sig.handle),
			 URING_HANDLE_SIGNAL);
	ck_assert_str_eq(uring_handle_type_name(URING_HANDLE_SIGNAL), "signal");
	uring_close(&sig.handle, NULL);
	uring_close(&t.handle, NULL);
	close_signal_loop(&loop);
}
END_TEST

/* ---------------------------------------------------------- stress */

/* Signals arrive from another thread all the time while the loop starts and
 * stops its watcher (joining and leaving the registry): under ASan this
 * catches a handler touching a freed registry record. */
#define STORM_ROUNDS 2000
static atomic_int storm_done;

static void *storm(void *arg)
{
	(void)arg;
	while (!atomic_load(&storm_done))
		kill(getpid(), SIGUSR1);
	return NULL;
}

START_TEST(storm_while_starting_and_stopping)
{
	struct uring_loop loop;
	struct uring_signal sig, keep;
	atomic_int calls = 0, kept = 0;
	pthread_t th;
	int i;

	install_prev(SIGUSR1);
	init_loop(&loop);
	uring_signal_init(&loop, &sig);
	uring_signal_init(&loop, &keep);
	sig.handle.data = &calls;
	keep.handle.data = &kept;
	atomic_store(&storm_done, 0);
	ck_assert_int_eq(pthread_create(&th, NULL, storm, NULL), 0);
	for (i = 0; i < STORM_ROUNDS; i++) {
		ck_assert_int_eq(uring_signal_start(&sig, count_cb, SIGUSR1),
				 0);
		uring_loop_run(&loop, URING_RUN_NOWAIT);
		ck_assert_int_eq(uring_signal_stop(&sig), 0);
		uring_loop_run(&loop, URING_RUN_NOWAIT);
	}
	/* and a watcher that stays: it keeps getting calls */
	ck_assert_int_eq(uring_signal_start(&keep, count_cb, SIGUSR1), 0);
	ck_assert_int_ge(run_until(&loop, &kept, 3), 3);
	atomic_store(&storm_done, 1);
	pthread_join(th, NULL);
	uring_close(&sig.handle, NULL);
	uring_close(&keep.handle, NULL);
	close_signal_loop(&loop);
	ck_assert(prev_installed(SIGUSR1));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("signal");
	TCase *tc = ut_tcase("signal", 30);

	UT_ADD(tc, raise_kill_and_other_thread);
	UT_ADD(tc, two_watchers_one_loop);
	UT_ADD(tc, stop_inside_callback);
	UT_ADD(tc, closing_watchers);
	UT_ADD(tc, previous_disposition_restored);
	UT_ADD(tc, invalid_signums);
	suite_add_tcase(s, tc);
	tc = ut_tcase_cross_thread("signal_cross_thread", 30);
	UT_ADD(tc, two_loops_two_threads);
	UT_ADD(tc, storm_while_starting_and_stopping);
	suite_add_tcase(s, tc);
	return ut_run(s);
}
