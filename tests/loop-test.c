/* SPDX-License-Identifier: MIT */
/* loop-test: the event loop core: run modes, handles, timers, hooks, async,
 * close semantics, embedding, stats. */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <uring/loop.h>
#include <uring/prep.h>
#include <uring/stream.h> /* URING_EOF */

#include "loop-util.h"


static void close_timer_cb(struct uring_handle *h)
{
	(*(int *)h->data)++;
}

/* ---------------------------------------------------------- run modes */

static int fired;
static void count_cb(struct uring_timer *t)
{
	(void)t;
	fired++;
}

START_TEST(run_modes)
{
	struct uring_loop loop;
	struct uring_timer t;
	struct timespec a, b;

	init_loop(&loop);
	/* nothing alive: DEFAULT returns at once with 0 */
	ck_assert_int_eq(uring_loop_run(&loop, URING_RUN_DEFAULT), 0);
	ck_assert_int_eq(uring_timer_init(&loop, &t), 0);
	ck_assert_int_eq(uring_timer_start(&t, count_cb, 10000, 0), 0);
	ck_assert(uring_loop_alive(&loop));
	/* NOWAIT never blocks, even with a timer 10 s away */
	clock_gettime(CLOCK_MONOTONIC, &a);
	ck_assert_int_ne(uring_loop_run(&loop, URING_RUN_NOWAIT), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ck_assert_int_lt(b.tv_sec - a.tv_sec, 2);
	/* ONCE waits for the timer */
	fired = 0;
	ck_assert_int_eq(uring_timer_start(&t, count_cb, 20, 0), 0);
	ck_assert_int_eq(uring_loop_run(&loop, URING_RUN_ONCE), 0);
	ck_assert_int_eq(fired, 1);
	ck_assert(!uring_loop_alive(&loop));
	ck_assert_int_eq(uring_loop_run(NULL, URING_RUN_DEFAULT), -EINVAL);
	ck_assert_int_eq(uring_loop_run(&loop, (enum uring_run_mode)7), -EINVAL);
	uring_close(&t.handle, NULL);
	close_loop(&loop);
}
END_TEST

static int walked;
static void walk_cb(struct uring_handle *h, void *arg)
{
	ck_assert_int_eq(h->type, URING_HANDLE_TIMER);
	(*(int *)arg)++;
}

static void stop_after_three(struct uring_timer *t)
{
	if (++fired == 3)
		uring_loop_stop(t->handle.loop);
}

START_TEST(stop_ref_unref_walk)
{
	struct uring_loop loop;
	struct uring_timer t, t2;
	int closed = 0;

	init_loop(&loop);
	uring_timer_init(&loop, &t);
	uring_timer_init(&loop, &t2);
	fired = 0;
	ck_assert_int_eq(uring_timer_start(&t, stop_after_three, 1, 1), 0);
	/* stopped: run returns non-zero (still alive) after the 3rd call */
	ck_assert_int_ne(uring_loop_run(&loop, URING_RUN_DEFAULT), 0);
	ck_assert_int_eq(fired, 3);
	ck_assert(uring_is_active(&t.handle));
	/* an unreferenced active handle does not keep the loop alive */
	uring_unref(&t.handle);
	ck_assert(!uring_has_ref(&t.handle));
	ck_assert(!uring_loop_alive(&loop));
	ck_assert_int_eq(uring_loop_run(&loop, URING_RUN_DEFAULT), 0);
	uring_ref(&t.handle);
	ck_assert(uring_loop_alive(&loop));
	uring_timer_stop(&t);
	ck_assert(!uring_loop_alive(&loop));
	/* walk sees both handles */
	walked = 0;
	uring_walk(&loop, walk_cb, &walked);
	ck_assert_int_eq(walked, 2);
	/* close with handles open: -EBUSY, like libuv */
	ck_assert_int_eq(uring_loop_close(&loop), -EBUSY);
	t.handle.data = t2.handle.data = &closed;
	uring_close(&t.handle, close_timer_cb);
	uring_close(&t2.handle, close_timer_cb);
	ck_assert(uring_is_closing(&t.handle));
	ck_assert_int_eq(closed, 0); /* never synchronously */
	ck_assert_int_eq(uring_timer_start(&t, count_cb, 1, 0), -EINVAL);
	close_loop(&loop);
	ck_assert_int_eq(closed, 2);
}
END_TEST

/* A walk callback that closes every timer, the ones not visited yet
 * too: each handle is still visited at most once and the walk ends. */
#define NWALK 8
static struct uring_timer walk_timers[NWALK];
static unsigned walk_visits[NWALK];

static void close_all_cb(struct uring_handle *h, void *arg)
{
	struct uring_timer *t = (struct uring_timer *)h;

	(void)arg;
	walk_visits[t - walk_timers]++;
	for (unsigned i = 0; i < NWALK; i++)
		if (!uring_is_closing(&walk_timers[i].handle))
			uring_close(&walk_timers[i].handle, NULL);
}

START_TEST(walk_closing_and_close_busy)
{
	struct uring_loop loop;
	int n = 0;

	init_loop(&loop);
	for (unsigned i = 0; i < NWALK; i++) {
		ck_assert_int_eq(uring_timer_init(&loop, &walk_timers[i]), 0);
		walk_visits[i] = 0;
	}
	/* closed handles are still the loop's until their close callback:
	 * walk sees them, and the loop refuses to close */
	uring_close(&walk_timers[0].handle, NULL);
	uring_walk(&loop, walk_cb, &n);
	ck_assert_int_eq(n, NWALK);
	ck_assert_int_eq(uring_loop_close(&loop), -EBUSY);
	memset(walk_visits, 0, sizeof(walk_visits));
	uring_walk(&loop, close_all_cb, NULL);
	/* closing handles come first: the callback on the closed one closed
	 * the rest before their turn, and none is visited twice */
	ck_assert_uint_eq(walk_visits[0], 1);
	for (unsigned i = 1; i < NWALK; i++)
		ck_assert_uint_eq(walk_visits[i], 0);
	for (unsigned i = 0; i < NWALK; i++)
		ck_assert(uring_is_closing(&walk_timers[i].handle));
	ck_assert_int_eq(uring_loop_close(&loop), -EBUSY);
	close_loop(&loop);
}
END_TEST

/* Batched waits: a loop asking for 64 completions per wait still wakes
 * for a lone one once wait_batch_usec have passed; on a kernel that
 * cannot batch, it wakes for every completion. */
static int batch_polls;

static void batch_poll_cb(struct uring_poll *p, int status, unsigned events)
{
	ck_assert_int_eq(status, 0);
	ck_assert(events & POLLIN);
	batch_polls++;
	uring_poll_stop(p);
}

static void *write_later(void *arg)
{
	usleep(20000); /* the loop is waiting by then */
	ck_assert_int_eq(write(*(int *)arg, "x", 1), 1);
	return NULL;
}

START_TEST(batched_wait_wakes_for_one)
{
	struct uring_loop_options o = {.wait_batch = 64,
				       .wait_batch_usec = 2000};
	struct uring_loop loop;
	struct uring_loop_stats st;
	struct uring_poll p;
	pthread_t t;
	int fds[2], ret, i;

	/* a batch without a minimum would wait for it: refused */
	o.wait_batch_usec = 0;
	ck_assert_int_eq(uring_loop_init(&loop, &o), -EINVAL);
	o.wait_batch_usec = 2000;
	/* a hint: a kernel without the minimum wait (before 6.12) gets an
	 * unbatched loop, which says so, not a refusal */
	ret = uring_loop_init(&loop, &o);
	ck_assert_int_eq(ret, 0);
	ck_assert_int_eq(uring_loop_wait_batch(&loop),
			 uring_ring_features(uring_loop_ring(&loop)) &
					 URING_FEAT_MIN_TIMEOUT
				 ? 64
				 : 1);
	ck_assert_int_eq(uring_loop_wait_batch(NULL), -EINVAL);
	ck_assert_int_eq(pipe(fds), 0);
	batch_polls = 0;
	ck_assert_int_eq(uring_poll_init(&loop, &p, fds[0]), 0);
	ck_assert_int_eq(uring_poll_start(&p, POLLIN, batch_poll_cb), 0);
	ck_assert_int_eq(pthread_create(&t, NULL, write_later, &fds[1]), 0);
	/* one completion only, and no timer: without the minimum this
	 * wait would last until 64 completions came */
	for (i = 0; i < 10 && !batch_polls; i++)
		uring_loop_run(&loop, URING_RUN_ONCE);
	ck_assert_int_eq(batch_polls, 1);
	/* it slept until then: it did not wake every 2 ms (the kernel ends
	 * a wait with a minimum but no timeout at the minimum) */
	ck_assert_int_eq(uring_loop_stats(&loop, &st), 0);
	ck_assert_uint_le(st.iterations, 3);
	pthread_join(t, NULL);
	uring_close(&p.handle, NULL);
	close_loop(&loop);
	close(fds[0]);
	close(fds[1]);
}
END_TEST

/* ---------------------------------------------------------- timers */

#define NTIMERS 10000
struct ordered {
	struct uring_timer t;
	uint64_t due;
	unsigned idx;
};
static unsigned order_count, order_bad, order_early;
static uint64_t last_due;
static unsigned last_idx;

static void ordered_cb(struct uring_timer *t)
{
	struct ordered *o = (struct ordered *)t;
	uint64_t now = uring_loop_now(t->handle.loop);

	if (now < o->due)
		order_early++;
	if (order_count &&
	    (o->due < last_due || (o->due == last_due && o->idx < last_idx)))
		order_bad++;
	last_due = o->due;
	last_idx = o->idx;
	order_count++;
	uring_close(&t->handle, NULL);
}

START_TEST(ten_thousand_timers_in_order)
{
	struct ordered *ts = calloc(NTIMERS, sizeof(*ts));
	struct uring_loop loop;
	unsigned i;

	init_loop(&loop);
	srand(42);
	for (i = 0; i < NTIMERS; i++) {
		uint64_t ms = (uint64_t)(rand() % 60); /* many equal deadlines */

		ts[i].idx = i;
		ts[i].due = uring_loop_now(&loop) + ms;
		ck_assert_int_eq(uring_timer_init(&loop, &ts[i].t), 0);
		ck_assert_int_eq(uring_timer_start(&ts[i].t, ordered_cb, ms, 0),
				 0);
	}
	order_count = order_bad = order_early = 0;
	close_loop(&loop);
	ck_assert_uint_eq(order_count, NTIMERS);
	ck_assert_uint_eq(order_bad, 0);
	ck_assert_uint_eq(order_early, 0);
	free(ts);
}
END_TEST

static uint64_t iter_at_restart;
static int restarts;
static void restart_zero(struct uring_timer *t)
{
	struct uring_loop_stats st;

	uring_loop_stats(t->handle.loop, &st);
	/* each 0 ms restart runs on a later iteration, never in a loop */
	if (restarts)
		ck_assert_uint_gt(st.iterations, iter_at_restart);
	iter_at_restart = st.iterations;
	if (++restarts < 5)
		uring_timer_start(t, restart_zero, 0, 0);
}

static int repeats;
static void repeat_cb(struct uring_timer *t)
{
	if (++repeats == 3)
		uring_timer_stop(t); /* stop from inside the callback */
}

START_TEST(repeat_again_zero_restart)
{
	struct uring_loop loop;
	struct uring_timer t;

	init_loop(&loop);
	uring_timer_init(&loop, &t);
	ck_assert_int_eq(uring_timer_again(&t), -EINVAL); /* never started */
	repeats = 0;
	ck_assert_int_eq(uring_timer_start(&t, repeat_cb, 1, 2), 0);
	ck_assert_uint_eq(uring_timer_get_repeat(&t), 2);
	ck_assert_uint_le(uring_timer_get_due_in(&t), 1);
	ck_assert_int_eq(uring_loop_run(&loop, URING_RUN_DEFAULT), 0);
	ck_assert_int_eq(repeats, 3);
	ck_assert_uint_eq(uring_timer_get_due_in(&t), 0);
	/* again restarts with the repeat interval */
	repeats = 0;
	ck_assert_int_eq(uring_timer_again(&t), 0);
	ck_assert_int_eq(uring_loop_run(&loop, URING_RUN_DEFAULT), 0);
	ck_assert_int_eq(repeats, 3);
	uring_timer_set_repeat(&t, 0);
	ck_assert_int_eq(uring_timer_again(&t), -EINVAL);
	restarts = 0;
	ck_assert_int_eq(uring_timer_start(&t, restart_zero, 0, 0), 0);
	ck_assert_int_eq(uring_loop_run(&loop, URING_RUN_DEFAULT), 0);
	ck_assert_int_eq(restarts, 5);
	ck_assert_int_eq(uring_timer_start(&t, NULL, 0, 0), -EINVAL);
	ck_assert_int_eq(uring_timer_start(NULL, count_cb, 0, 0), -EINVAL);
	uring_close(&t.handle, NULL);
	close_loop(&loop);
}
END_TEST

/* ---------------------------------------------------------- hooks */

static char trace[64];
static unsigned trace_len;
static void mark(char c)
{
	if (trace_len < sizeof(trace) - 1)
		trace[trace_len++] = c;
}
static void idle_cb(struct uring_hook *h)
{
	mark('i');
	uring_idle_stop(h);
}
static void prepare_cb(struct uring_hook *h)
{
	(void)h;
	mark('p');
}
static void check_cb(struct uring_hook *h)
{
	(void)h;
	mark('c');
}
static void trace_timer(struct uring_timer *t)
{
	mark('t');
	uring_close(&t->handle, NULL);
}

START_TEST(hooks_run_in_order)
{
	struct uring_loop loop;
	struct uring_hook idle, prep, check;
	struct uring_timer t;

	init_loop(&loop);
	ck_assert_int_eq(uring_idle_init(&loop, &idle), 0);
	ck_assert_int_eq(uring_prepare_init(&loop, &prep), 0);
	ck_assert_int_eq(uring_check_init(&loop, &check), 0);
	ck_assert_int_eq(uring_idle_start(&idle, idle_cb), 0);
	ck_assert_int_eq(uring_idle_start(&idle, idle_cb), -EALREADY);
	ck_assert_int_eq(uring_prepare_start(&prep, prepare_cb), 0);
	ck_assert_int_eq(uring_check_start(&check, check_cb), 0);
	ck_assert_int_eq(uring_prepare_start(&prep, NULL), -EINVAL);
	uring_timer_init(&loop, &t);
	uring_timer_start(&t, trace_timer, 0, 0);
	uring_unref(&prep.handle);
	uring_unref(&check.handle);
	trace_len = 0;
	memset(trace, 0, sizeof(trace));
	ck_assert_int_eq(uring_loop_run(&loop, URING_RUN_ONCE), 0);
	/* timers, idle, prepare, (I/O), check */
	ck_assert_str_eq(trace, "tipc");
	uring_close(&idle.handle, NULL);
	uring_close(&prep.handle, NULL);
	uring_close(&check.handle, NULL);
	ck_assert_int_eq(uring_check_stop(&check), 0);
	close_loop(&loop);
}
END_TEST

/* ---------------------------------------------------------- async */

#define SENDERS 4
/* Under valgrind (which runs one thread at a time) 20,000 per thread: the
 * senders still race the loop and each other, at a twelfth of the cost. */
#define SENDS_PER_THREAD 250000
static unsigned sends_per_thread;
static atomic_uint sent;
static unsigned observed, calls;
static struct uring_async wake;

static void *sender(void *arg)
{
	unsigned i;

	(void)arg;
	for (i = 0; i < sends_per_thread; i++) {
		atomic_fetch_add(&sent, 1);
		ck_assert_int_eq(uring_async_send(&wake), 0);
	}
	return NULL;
}

static void wake_cb(struct uring_async *a)
{
	calls++;
	observed = atomic_load(&sent);
	if (observed == SENDERS * sends_per_thread)
		uring_close(&a->handle, NULL);
}

START_TEST(async_from_four_threads)
{
	pthread_t th[SENDERS];
	struct uring_loop loop;
	int i;

	sends_per_thread = UT_VG_SCALE(SENDS_PER_THREAD, 20000);
	init_loop(&loop);
	ck_assert_int_eq(uring_async_init(&loop, &wake, NULL), -EINVAL);
	ck_assert_int_eq(uring_async_init(&loop, &wake, wake_cb), 0);
	atomic_store(&sent, 0);
	observed = calls = 0;
	for (i = 0; i < SENDERS; i++)
		pthread_create(&th[i], NULL, sender, NULL);
	/* runs until the callback has seen every send and closed the handle:
	 * a lost wakeup would hang here (and the test's timeout fails it) */
	ck_assert_int_eq(uring_loop_run(&loop, URING_RUN_DEFAULT), 0);
	for (i = 0; i < SENDERS; i++)
		pthread_join(th[i], NULL);
	ck_assert_uint_eq(observed, SENDERS * sends_per_thread);
	ck_assert_uint_ge(calls, 1);
	ck_assert_uint_lt(calls, SENDERS * sends_per_thread); /* coalesced */
	close_loop(&loop);
}
END_TEST

/* Closing an async handle from its own callback, and freeing it in the
 * close callback: under ASan any later touch of it is an error. */
static void free_on_close(struct uring_handle *h)
{
	(*(int *)h->loop->data)++;
	free(h);
}
static void close_self(struct uring_async *a)
{
	uring_close(&a->handle, free_on_close);
}

START_TEST(close_frees_memory)
{
	struct uring_loop loop;
	struct uring_async *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	struct uring_timer *t = malloc(sizeof(*t));
	int closes = 0;

	loop.data = &closes;
	init_loop(&loop);
	ck_assert_ptr_eq(loop.data, &closes);
	ck_assert_int_eq(uring_async_init(&loop, a, close_self), 0);
	ck_assert_int_eq(uring_async_init(&loop, b, close_self), 0);
	uring_timer_init(&loop, t);
	uring_timer_start(t, count_cb, 100000, 0);
	uring_async_send(a);
	uring_async_send(b);
	uring_close(&t->handle, free_on_close);
	close_loop(&loop);
	ck_assert_int_eq(closes, 3);
}
END_TEST

/* ---------------------------------------------------------- embedding */

static struct uring_async embed_async;
static int embed_calls;
static double sent_at, woke_at;
static double mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}
static double worst_latency;
static atomic_int embed_seen;
static void embed_cb(struct uring_async *a)
{
	woke_at = mono_ms();
	if (woke_at - sent_at > worst_latency)
		worst_latency = woke_at - sent_at;
	atomic_store(&embed_seen, ++embed_calls);
	if (embed_calls == 3)
		uring_close(&a->handle, NULL);
}
/* Three sends, each after the previous one was seen: every one must wake
 * the poller (the kernel's own eventfd signal came only for the first). */
static void *late_sender(void *arg)
{
	int i, spins;

	(void)arg;
	for (i = 0; i < 3; i++) {
		usleep(50000);
		sent_at = mono_ms();
		uring_async_send(&embed_async);
		for (spins = 0; atomic_load(&embed_seen) <= i && spins < 5000;
		     spins++)
			usleep(1000);
	}
	return NULL;
}

/* Drive the loop from a plain poll() loop, as a foreign event loop would. */
START_TEST(embedded_in_poll_loop)
{
	struct uring_loop loop;
	struct uring_timer t;
	pthread_t th;
	int rounds = 0, alive = 1;

	init_loop(&loop);
	fired = embed_calls = 0;
	worst_latency = 0;
	atomic_store(&embed_seen, 0);
	uring_timer_init(&loop, &t);
	uring_timer_start(&t, count_cb, 30, 0);
	ck_assert_int_eq(uring_async_init(&loop, &embed_async, embed_cb), 0);
	ck_assert_int_ge(uring_loop_fd(&loop), 0);
	/* first NOWAIT run enables the ring on this thread */
	ck_assert_int_ne(uring_loop_run(&loop, URING_RUN_NOWAIT), 0);
	pthread_create(&th, NULL, late_sender, NULL);
	while (alive && rounds++ < 1000) {
		struct pollfd pfd = {.fd = uring_loop_fd(&loop), .events = POLLIN};
		int timeout = uring_loop_timeout(&loop);

		ck_assert_int_ge(poll(&pfd, 1, timeout < 0 ? 2000 : timeout), 0);
		ck_assert_uint_eq(pfd.revents & ~POLLIN, 0);
		alive = uring_loop_run(&loop, URING_RUN_NOWAIT);
	}
	pthread_join(th, NULL);
	ck_assert_int_eq(alive, 0);
	ck_assert_int_eq(fired, 1);
	ck_assert_int_eq(embed_calls, 3);
	ck_assert_int_lt(rounds, 100); /* woke on events, did not spin */
	/* each poll() woke for its send, not at its 2 s timeout (with
	 * DEFER_TASKRUN neither the ring fd nor the kernel's eventfd signal
	 * alone would wake it every time) */
	ck_assert_double_lt(worst_latency, 500);
	uring_close(&t.handle, NULL);
	close_loop(&loop);
}
END_TEST

/* ---------------------------------------------------------- misc */

START_TEST(stats_and_errors)
{
	struct uring_loop loop;
	struct uring_loop_stats st;
	struct uring_timer t;
	struct uring_loop_options o = {.taskrun = URING_TASKRUN_DEFER,
				       .sqpoll = true};

	ck_assert_int_eq(uring_loop_init(&loop, &o), -EINVAL);
	ck_assert_int_eq(uring_loop_init(NULL, NULL), -EINVAL);
	init_loop(&loop);
	uring_timer_init(&loop, &t);
	/* the timer must not be due before the first wait, or the loop never
	 * enters the kernel: valgrind and an emulated CPU are slow enough
	 * for 5 ms to pass */
	uring_timer_start(&t, count_cb, UT_SLOW(20), 0);
	ck_assert_int_eq(uring_loop_run(&loop, URING_RUN_DEFAULT), 0);
	ck_assert_int_eq(uring_loop_stats(&loop, &st), 0);
	ck_assert_uint_ge(st.iterations, 1);
	ck_assert_uint_ge(st.enter_calls, 1);
	ck_assert_uint_eq(st.cqe_lost, 0);
	ck_assert_int_eq(uring_loop_stats(&loop, NULL), -EINVAL);
	ck_assert_ptr_nonnull(uring_loop_ring(&loop));
	/* generic errnos, generic text: an -EPERM or -EBUSY may come from
	 * anywhere (an unlink on a sticky directory); the setup advice is
	 * uring_setup_strerror()'s */
	ck_assert_str_eq(uring_strerror(-EPERM), "Operation not permitted");
	ck_assert_str_eq(uring_strerror(-EBUSY), "Device or resource busy");
	ck_assert_str_eq(uring_strerror(-ENOSYS), "Function not implemented");
	ck_assert_str_eq(uring_strerror(-ENOMEM), "Cannot allocate memory");
	ck_assert_str_eq(uring_strerror(-ENOENT), "No such file or directory");
	ck_assert(strstr(uring_setup_strerror(-EPERM), "io_uring_disabled"));
	ck_assert(strstr(uring_setup_strerror(-EPERM), "Docker 25"));
	ck_assert(strstr(uring_setup_strerror(-EPERM), "containerd 2.0"));
	ck_assert(strstr(uring_setup_strerror(-ENOSYS), "Podman"));
	ck_assert(strstr(uring_setup_strerror(-ENOSYS), "gVisor"));
	ck_assert(strstr(uring_setup_strerror(-ENOMEM), "RLIMIT_MEMLOCK"));
	ck_assert(strstr(uring_setup_strerror(-EMFILE), "RLIMIT_NOFILE"));
	ck_assert_str_eq(uring_setup_strerror(-ENOENT),
			 "No such file or directory");
	/* names as libuv's uv_err_name() gives them */
	ck_assert_str_eq(uring_err_name(-ECONNRESET), "ECONNRESET");
	ck_assert_str_eq(uring_err_name(-ETIMEDOUT), "ETIMEDOUT");
	ck_assert_str_eq(uring_err_name(URING_EOF), "EOF");
	ck_assert_str_eq(uring_err_name(0), "OK");
	ck_assert_str_eq(uring_err_name(-100000), "UNKNOWN");
	ck_assert_str_eq(uring_err_name(5), "UNKNOWN");
	ck_assert_str_eq(uring_handle_type_name(URING_HANDLE_TIMER), "timer");
	ck_assert_str_eq(uring_handle_type_name((enum uring_handle_type)99),
			 "unknown");
	uring_close(&t.handle, NULL);
	close_loop(&loop);
	ck_assert_int_eq(uring_loop_close(&loop), -EINVAL); /* twice */
}
END_TEST

/* Each task-run policy and SQPOLL bring up a loop that runs timers. */
START_TEST(taskrun_policies)
{
	static const struct uring_loop_options opts[] = {
		{.taskrun = URING_TASKRUN_AUTO},
		{.taskrun = URING_TASKRUN_DEFER},
		{.taskrun = URING_TASKRUN_COOP},
		{.taskrun = URING_TASKRUN_NONE},
		{.sqpoll = true, .sqpoll_idle_ms = 10},
		{.no_register_fd = true, .sq_entries = 8},
	};
	struct uring_loop loop;
	struct uring_timer t;
	unsigned want = 0;

	ck_assert_int_eq(uring_loop_init(&loop, &opts[_i]), 0);
	if (opts[_i].taskrun == URING_TASKRUN_DEFER ||
	    opts[_i].taskrun == URING_TASKRUN_AUTO)
		want = URING_SETUP_DEFER_TASKRUN;
	if (opts[_i].taskrun == URING_TASKRUN_COOP)
		want = URING_SETUP_COOP_TASKRUN;
	if (opts[_i].sqpoll)
		want = URING_SETUP_SQPOLL;
	ck_assert_uint_eq(uring_ring_setup_flags(&loop.ring) & want, want);
	fired = 0;
	uring_timer_init(&loop, &t);
	uring_timer_start(&t, count_cb, 2, 0);
	ck_assert_int_eq(uring_loop_run(&loop, URING_RUN_DEFAULT), 0);
	ck_assert_int_eq(fired, 1);
	uring_close(&t.handle, NULL);
	close_loop(&loop);
}
END_TEST

/* URING_RUN_ONCE's pass after the wait runs an older timer that came due
 * even when a timer restarted during the iteration is due before it (found
 * by fuzz-api: the pass used to stop at the restarted one). */
static int once_slow_calls, once_late_calls;

static void once_slow(struct uring_timer *t)
{
	(void)t;
	if (!once_slow_calls++)
		usleep(10 * 1000); /* a busy first callback */
}

static void once_late(struct uring_timer *t)
{
	(void)t;
	once_late_calls++;
}

START_TEST(once_runs_older_due_timer_behind_restarted_one)
{
	struct uring_loop loop;
	struct uring_timer a, b;

	once_slow_calls = once_late_calls = 0;
	init_loop(&loop);
	ck_assert_int_eq(uring_timer_init(&loop, &a), 0);
	ck_assert_int_eq(uring_timer_init(&loop, &b), 0);
	ck_assert_int_eq(uring_timer_start(&b, once_late, 5, 0), 0);
	ck_assert_int_eq(uring_timer_start(&a, once_slow, 0, 1), 0);
	uring_loop_run(&loop, URING_RUN_ONCE);
	ck_assert_int_eq(once_late_calls, 1);
	/* the restarted timer waited: it ran once in this call */
	ck_assert_int_eq(once_slow_calls, 1);
	uring_close(&a.handle, NULL);
	uring_close(&b.handle, NULL);
	close_loop(&loop);
}
END_TEST

/* An init refused for its options leaves the loop closed: the calls the
 * man pages promise -EINVAL for after a failed init say so (the loop was
 * once left half made: uring_loop_fd gave fd 0, uring_loop_close
 * walked lists never made). */
START_TEST(failed_init_leaves_loop_closed)
{
	struct uring_loop_options bad = {.spin_usec = 2000000};
	struct uring_loop loop;

	memset(&loop, 0, sizeof(loop));
	ck_assert_int_eq(uring_loop_init(&loop, &bad), -EINVAL);
	ck_assert_int_eq(uring_loop_fd(&loop), -EINVAL);
	ck_assert_int_eq(uring_loop_run(&loop, URING_RUN_NOWAIT), -EINVAL);
	ck_assert_int_eq(uring_loop_close(&loop), -EINVAL);
	/* and the loop can be made again */
	ck_assert_int_eq(uring_loop_init(&loop, NULL), 0);
	close_loop(&loop);
}
END_TEST

/* A callback cannot close its own loop (the loop would go on in reap()
 * with its ring unmapped) nor run it again (CQEs already taken from the CQ
 * would be dispatched twice): both refuse with -EBUSY while the loop runs,
 * even where nothing else is left open, as in a request's callback or the
 * close callback of the last handle. */
struct reentry {
	struct uring_loop *loop;
	int close_ret, run_ret, calls;
};

static void try_reentry(struct reentry *r)
{
	r->calls++;
	r->close_ret = uring_loop_close(r->loop);
	r->run_ret = uring_loop_run(r->loop, URING_RUN_NOWAIT);
}

static void reentry_req_cb(struct uring_req *req, int result)
{
	ck_assert_int_eq(result, 0);
	try_reentry(req->data);
}

static void reentry_close_cb(struct uring_handle *h)
{
	try_reentry(h->data);
}

static void reentry_timer_cb(struct uring_timer *t)
{
	try_reentry(t->handle.data);
	uring_close(&t->handle, reentry_close_cb);
}

START_TEST(close_and_run_refused_from_callbacks)
{
	struct uring_loop loop;
	struct reentry r = {.loop = &loop};
	struct uring_timer t;
	struct uring_req req;
	struct uring_sqe *sqe;

	init_loop(&loop);
	req.data = &r;
	sqe = uring_req_sqe(&loop, &req);
	ck_assert_ptr_nonnull(sqe);
	uring_prep_nop(sqe);
	ck_assert_int_eq(uring_req_submit(&req, reentry_req_cb, 0, 0), 0);
	ck_assert_int_eq(uring_loop_run(&loop, URING_RUN_DEFAULT), 0);
	ck_assert_int_eq(r.calls, 1);
	ck_assert_int_eq(r.close_ret, -EBUSY); /* nothing else was open */
	ck_assert_int_eq(r.run_ret, -EBUSY);

	/* a timer's callback, then its close callback (the last handle) */
	memset(&r, 0, sizeof(r));
	r.loop = &loop;
	ck_assert_int_eq(uring_timer_init(&loop, &t), 0);
	t.handle.data = &r;
	ck_assert_int_eq(uring_timer_start(&t, reentry_timer_cb, 1, 0), 0);
	ck_assert_int_eq(uring_loop_run(&loop, URING_RUN_DEFAULT), 0);
	ck_assert_int_eq(r.calls, 2);
	ck_assert_int_eq(r.close_ret, -EBUSY);
	ck_assert_int_eq(r.run_ret, -EBUSY);
	/* once the loop returned, both work again */
	ck_assert_int_eq(uring_loop_run(&loop, URING_RUN_NOWAIT), 0);
	close_loop(&loop);
}
END_TEST

/* The kernel may end the loop's multishot poll of its wakeup eventfd (a
 * CQ overflow, someone else's cancel); the loop re-arms it.  When that
 * re-arm finds no SQE (SQ full, the submit that would empty it refused),
 * it must be tried again: a lost re-arm once lost every later
 * uring_async_send(), signal and queued message for good. */
static int async_calls;

static void count_async(struct uring_async *a)
{
	(void)a;
	async_calls++;
}

static bool async_seen(void *arg)
{
	return async_calls >= *(int *)arg;
}

static void run_until_async(struct uring_loop *loop, int want)
{
	struct uring_timer t;
	int i;

	/* a 1 ms tick bounds each wait; at most 2 s */
	ck_assert_int_eq(uring_timer_init(loop, &t), 0);
	ck_assert_int_eq(uring_timer_start(&t, count_cb, 1, 1), 0);
	for (i = 0; i < 2000 && !async_seen(&want); i++)
		uring_loop_run(loop, URING_RUN_ONCE);
	uring_close(&t.handle, NULL);
	(void)uring_loop_run(loop, URING_RUN_NOWAIT); /* the close */
}

START_TEST(async_rearmed_after_failed_submit)
{
	struct uring_loop_options o = {.sq_entries = 8};
	struct uring_loop loop;
	struct uring_async a;
	struct uring_ring *ring;
	struct uring_sqe *sqe;

	async_calls = 0;
	ck_assert_int_eq(uring_loop_init(&loop, &o), 0);
	ck_assert_int_eq(uring_async_init(&loop, &a, count_async), 0);
	ck_assert_int_eq(uring_async_send(&a), 0);
	run_until_async(&loop, 1);
	ck_assert_int_eq(async_calls, 1);
	/* end the poll behind the loop's back; its last CQE will come in
	 * the next run, with the SQ full and the submit that would make
	 * room failing (twice: the re-arm, and the loop's own submit) */
	ring = uring_loop_ring(&loop);
	sqe = uring_ring_get_sqe(ring);
	uring_prep_cancel64(sqe, (uint64_t)(uintptr_t)&loop.async_op, 0);
	sqe->user_data = 0;
	ck_assert_int_eq(uring_ring_submit(ring), 1);
	(void)uring_ring_get_events(ring); /* the poll's last CQE is in */
	ck_assert_uint_ge(uring_ring_cq_ready(ring), 1);
	while ((sqe = uring_ring_get_sqe(ring))) {
		uring_prep_nop(sqe);
		sqe->user_data = 0;
	}
	ck_assert_int_eq(uring_fault_inject(URING_FAULT_ENTER, -EBUSY, 0, 3),
			 0);
	(void)uring_loop_run(&loop, URING_RUN_NOWAIT);
	ck_assert_int_ge(uring_fault_inject(0, 0, 0, 0), 1);
	/* the loop re-armed it once the kernel took submissions again */
	ck_assert_int_eq(uring_async_send(&a), 0);
	run_until_async(&loop, 2);
	ck_assert_int_eq(async_calls, 2);
	uring_close(&a.handle, NULL);
	close_loop(&loop);
}
END_TEST

/* uring_loop_init(3), "The loop thread": a loop set up on one thread runs
 * on another when the setup fits in the SQ.  300 requests with no
 * deadline take 300 entries: with sq_entries 512 a second thread runs
 * them all; with 256 the setup had to enable the ring on its own thread,
 * which became the loop thread, and the second thread is refused. */
#define SETUP_REQS 300
static int setup_done;

static void setup_req_done(struct uring_req *req, int result)
{
	(void)req;
	ck_assert_int_eq(result, 0);
	setup_done++;
}

/* Run the loop to its end and close it, on this thread: a loop that ran
 * is closed by its loop thread.  Returns the run's result (the loop is
 * left alone when the run was refused). */
static void *run_loop_thread(void *arg)
{
	int ret = uring_loop_run(arg, URING_RUN_DEFAULT);

	if (!ret && uring_loop_close(arg))
		ret = -EIO; /* not an errno the run gives */
	return (void *)(intptr_t)ret;
}

static int setup_here_run_there(unsigned sq_entries)
{
	struct uring_loop_options o = {.sq_entries = sq_entries};
	static struct uring_req reqs[SETUP_REQS];
	struct uring_loop loop;
	pthread_t th;
	void *ret;
	int i;

	setup_done = 0;
	ck_assert_int_eq(uring_loop_init(&loop, &o), 0);
	for (i = 0; i < SETUP_REQS; i++) {
		struct uring_sqe *sqe = uring_req_sqe(&loop, &reqs[i]);

		ck_assert_ptr_nonnull(sqe);
		uring_prep_nop(sqe);
		ck_assert_int_eq(uring_req_submit(&reqs[i], setup_req_done, 0,
						  0),
				 0);
	}
	ck_assert_int_eq(pthread_create(&th, NULL, run_loop_thread, &loop), 0);
	ck_assert_int_eq(pthread_join(th, &ret), 0);
	if (ret) /* refused: this thread, the loop thread, finishes */
		close_loop(&loop);
	ck_assert_int_eq(setup_done, SETUP_REQS);
	return (int)(intptr_t)ret;
}

START_TEST(setup_on_one_thread_run_on_another)
{
	ck_assert_int_eq(setup_here_run_there(512), 0);
	ck_assert_int_eq(setup_here_run_there(256), -EINVAL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("loop");
	TCase *tc = ut_tcase("loop", 60);

	UT_ADD(tc, run_modes);
	UT_ADD(tc, stop_ref_unref_walk);
	UT_ADD(tc, walk_closing_and_close_busy);
	UT_ADD(tc, ten_thousand_timers_in_order);
	UT_ADD(tc, repeat_again_zero_restart);
	UT_ADD(tc, hooks_run_in_order);
	UT_ADD(tc, close_frees_memory);
	UT_ADD(tc, embedded_in_poll_loop);
	UT_ADD(tc, stats_and_errors);
	tcase_add_loop_test(tc, taskrun_policies, 0, 6);
	UT_ADD(tc, once_runs_older_due_timer_behind_restarted_one);
	UT_ADD(tc, failed_init_leaves_loop_closed);
	UT_ADD(tc, close_and_run_refused_from_callbacks);
	UT_ADD(tc, async_rearmed_after_failed_submit);
	UT_ADD(tc, setup_on_one_thread_run_on_another);
	suite_add_tcase(s, tc);
	tc = ut_tcase_cross_thread("loop_cross_thread", 60);
	UT_ADD(tc, async_from_four_threads);
	UT_ADD(tc, batched_wait_wakes_for_one);
	suite_add_tcase(s, tc);
	return ut_run(s);
}
