/* SPDX-License-Identifier: MIT */
/*
 * async: cross-thread wakeups through async handles (libuv's async and
 * async_pummel benchmarks), against uringloop.
 *
 * ping-pong: two loops in two threads, one async handle each.  Loop A
 *   sends to B; B's callback sends to A; A's sends to B; ... until the two
 *   callbacks have run 1,000,000 times in all (--quick: 100,000), half on
 *   each side: one wakeup in flight at any time, so nothing coalesces.
 *   Metric wakeups_per_s = callbacks / wall seconds (higher is better).
 * pummel: one loop with one async handle; 4 threads call send on it as
 *   fast as they can, a fixed number of times each (--quick: fewer).
 *   Metric pummel_per_s = sends / wall seconds, from the start of the
 *   senders until the loop has delivered the last send and closed the
 *   handle (higher is better).  Sends coalesce: the number of callbacks
 *   the loop ran is printed to stderr.
 *
 * Pinning: loop A and the pummel loop on --cpu; loop B on another CPU, the
 * pummel senders on all other CPUs (on --cpu too when there is no other).
 * Both parts check their counts and exit non-zero when one is off.
 *
 * --spin USEC (this program only) runs both loops with the spin_usec
 * option (busy-poll before each wait) and reports as "uringloop_spin".
 *
 * async_libuv.c is the same program, line for line, against libuv; keep
 * the two in step (diff them) so the comparison stays fair.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <uring/loop.h>

#include "bench.h"

#define IMPL "uringloop"
#define BENCH "async"
#define PINGS_FULL 1000000UL
#define PINGS_QUICK 100000UL
#define SENDERS 4
#define SENDS_FULL 50000000UL /* per sender */
#define SENDS_QUICK 10000000UL

static const char *only; /* --only pingpong|pummel (profiling) */
static bool only_next;
static bool spin_next;
static struct uring_loop_options loop_opts; /* --spin USEC */
static const char *impl = IMPL;

static bool parse_extra(const char *arg)
{
	if (only_next) {
		if (strcmp(arg, "pingpong") && strcmp(arg, "pummel"))
			bench_die("--only takes pingpong or pummel");
		only = arg;
		only_next = false;
		return true;
	}
	if (spin_next) {
		loop_opts.spin_usec = (unsigned)strtoul(arg, NULL, 0);
		impl = "uringloop_spin";
		spin_next = false;
		return true;
	}
	if (!strcmp(arg, "--only")) {
		only_next = true;
		return true;
	}
	if (!strcmp(arg, "--spin")) {
		spin_next = true;
		return true;
	}
	return false;
}

/* ------------------------------------------------------------ ping-pong */

struct side {
	struct uring_loop loop;
	struct uring_async async;
	struct side *peer;
	bool first;             /* A: sends the first ping */
	int cpu;
	unsigned long limit;    /* callbacks this side is to run */
	unsigned long seen, sent;
	pthread_barrier_t *ready;
	double t0, t1;          /* A: first send, its loop's return */
};

#define SIDE_OF(a) ((struct side *)((char *)(a) - offsetof(struct side, async)))

static void ping_cb(struct uring_async *async)
{
	struct side *s = SIDE_OF(async);
	int ret;

	s->seen++;
	if (s->seen < s->limit || !s->first) { /* B always answers */
		ret = uring_async_send(&s->peer->async);
		if (ret)
			bench_die("send: %s", uring_strerror(ret));
		s->sent++;
	}
	if (s->seen == s->limit)
		uring_close(&s->async.handle, NULL);
}

static void *side_main(void *arg)
{
	struct side *s = arg;
	int ret;

	bench_pin(s->cpu);
	ret = uring_loop_init(&s->loop, &loop_opts);
	if (ret)
		bench_die("loop init: %s", uring_strerror(ret));
	ret = uring_async_init(&s->loop, &s->async, ping_cb);
	if (ret)
		bench_die("async init: %s", uring_strerror(ret));
	pthread_barrier_wait(s->ready); /* both handles exist */
	if (s->first) {
		s->t0 = bench_now();
		ret = uring_async_send(&s->peer->async);
		if (ret)
			bench_die("send: %s", uring_strerror(ret));
		s->sent++;
	}
	ret = uring_loop_run(&s->loop, URING_RUN_DEFAULT);
	if (ret < 0)
		bench_die("run: %s", uring_strerror(ret));
	s->t1 = bench_now();
	ret = uring_loop_close(&s->loop);
	if (ret)
		bench_die("loop close: %s", uring_strerror(ret));
	return NULL;
}

/* Returns wakeups per second. */
static double ping_pong(unsigned long pings, int cpu, int other_cpu)
{
	static struct side sides[2];
	pthread_barrier_t ready;
	pthread_t threads[2];
	double secs;

	pthread_barrier_init(&ready, NULL, 2);
	for (int i = 0; i < 2; i++) {
		memset(&sides[i], 0, sizeof(sides[i]));
		sides[i].peer = &sides[1 - i];
		sides[i].first = i == 0;
		sides[i].cpu = i == 0 ? cpu : other_cpu;
		sides[i].limit = pings / 2;
		sides[i].ready = &ready;
	}
	for (int i = 0; i < 2; i++)
		if (pthread_create(&threads[i], NULL, side_main, &sides[i]))
			bench_die("pthread_create failed");
	for (int i = 0; i < 2; i++)
		pthread_join(threads[i], NULL);
	pthread_barrier_destroy(&ready);
	for (int i = 0; i < 2; i++)
		if (sides[i].seen != sides[i].limit ||
		    sides[i].sent != sides[i].limit)
			bench_die("ping-pong side %c: %lu callbacks, %lu sends, "
				  "expected %lu of each", 'A' + i, sides[i].seen,
				  sides[i].sent, sides[i].limit);
	secs = sides[0].t1 - sides[0].t0;
	fprintf(stderr, "%s %s: ping-pong: %lu wakeups in %.3f s (CPUs %d, %d)\n",
		BENCH, impl, 2 * sides[0].limit, secs, cpu, other_cpu);
	return (double)(2 * sides[0].limit) / secs;
}

/* --------------------------------------------------------------- pummel */

static struct {
	struct uring_loop loop;
	struct uring_async async;
	unsigned long per_sender;
	atomic_uint stopping;   /* senders through their count */
	atomic_uint stopped;    /* senders back from their last send */
	atomic_ulong errors;
	unsigned long callbacks;
	pthread_barrier_t start;
	cpu_set_t allowed;
	int cpu;
} pm;

static void pummel_cb(struct uring_async *async)
{
	pm.callbacks++;
	if (atomic_load(&pm.stopping) < SENDERS)
		return;
	/* Every sender is through its count; its last send (made after
	 * that) is this callback or an earlier one.  Close the handle once
	 * no sender can touch it any more. */
	while (atomic_load(&pm.stopped) < SENDERS)
		sched_yield();
	uring_close(&async->handle, NULL);
}

static void *sender_main(void *arg)
{
	(void)arg;
	bench_pin_others(&pm.allowed, pm.cpu);
	pthread_barrier_wait(&pm.start);
	for (unsigned long i = 0; i < pm.per_sender; i++)
		if (uring_async_send(&pm.async))
			atomic_fetch_add(&pm.errors, 1);
	atomic_fetch_add(&pm.stopping, 1);
	if (uring_async_send(&pm.async)) /* runs a callback that sees it */
		atomic_fetch_add(&pm.errors, 1);
	atomic_fetch_add(&pm.stopped, 1);
	return NULL;
}

/* Returns sends per second. */
static double pummel(unsigned long per_sender, int cpu, const cpu_set_t *allowed)
{
	pthread_t threads[SENDERS];
	unsigned long sends = SENDERS * (per_sender + 1);
	double t0, t1;
	int ret;

	pm.per_sender = per_sender;
	pm.allowed = *allowed;
	pm.cpu = cpu;
	bench_pin(cpu);
	ret = uring_loop_init(&pm.loop, &loop_opts);
	if (ret)
		bench_die("loop init: %s", uring_strerror(ret));
	ret = uring_async_init(&pm.loop, &pm.async, pummel_cb);
	if (ret)
		bench_die("async init: %s", uring_strerror(ret));
	pthread_barrier_init(&pm.start, NULL, SENDERS + 1);
	for (int i = 0; i < SENDERS; i++)
		if (pthread_create(&threads[i], NULL, sender_main, NULL))
			bench_die("pthread_create failed");
	pthread_barrier_wait(&pm.start);
	t0 = bench_now();
	ret = uring_loop_run(&pm.loop, URING_RUN_DEFAULT);
	if (ret < 0)
		bench_die("run: %s", uring_strerror(ret));
	t1 = bench_now();
	for (int i = 0; i < SENDERS; i++)
		pthread_join(threads[i], NULL);
	pthread_barrier_destroy(&pm.start);
	ret = uring_loop_close(&pm.loop);
	if (ret)
		bench_die("loop close: %s", uring_strerror(ret));
	if (atomic_load(&pm.errors) || !pm.callbacks)
		bench_die("pummel: %lu failed sends, %lu callbacks",
			  (unsigned long)atomic_load(&pm.errors), pm.callbacks);
	fprintf(stderr, "%s %s: pummel: %d senders, %lu sends in %.3f s, "
		"%lu callbacks (%.1f sends per callback)\n", BENCH, impl,
		SENDERS, sends, t1 - t0, pm.callbacks,
		(double)sends / (double)pm.callbacks);
	return (double)sends / (t1 - t0);
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	cpu_set_t allowed;
	int cpu;

	bench_parse(argc, argv, &o, parse_extra, " [--only pingpong|pummel] [--spin USEC]");
	bench_allowed(&allowed);
	cpu = bench_pin(o.cpu);
	if (!only || !strcmp(only, "pingpong"))
		bench_result(BENCH, impl, "wakeups_per_s",
			     ping_pong(o.quick ? PINGS_QUICK : PINGS_FULL, cpu,
				       bench_other_cpu(&allowed, cpu)),
			     "higher");
	if (!only || !strcmp(only, "pummel"))
		bench_result(BENCH, impl, "pummel_per_s",
			     pummel(o.quick ? SENDS_QUICK : SENDS_FULL, cpu,
				    &allowed),
			     "higher");
	return 0;
}
