/* SPDX-License-Identifier: MIT */
/*
 * million_timers_libuv: million_timers.c, line for line, against libuv
 * (Debian's libuv 1.44; a benchmark-only dependency).
 *
 *   10,000,000 one-shot timers (--quick: 1,000,000; --timers N to change),
 *   timer i (1-based) due after ceil(i / 1000) ms: the first thousand after
 *   1 ms, the next thousand after 2 ms, ...  Initialise and start them all,
 *   run the loop until every one has fired, close them all and run the loop
 *   until every close callback has run, then close the loop.
 *
 * Metrics (lower is better):
 *   init_s     loop init + init and start of every timer (wall clock)
 *   cleanup_s  close of every timer + the run that calls the close
 *              callbacks + loop close (wall clock)
 *   cpu_s      CPU time of the process, user + system (getrusage), from
 *              before the timers are allocated to after the loop is closed
 * --prefault touches the timers' memory before init_s starts, to tell the
 * loop's own cost from the kernel's page faults (not used by the driver).
 * The run in between (dispatch, at least ~N/1000 ms of waiting) goes to
 * stderr only.  The program checks that every timer fired exactly once
 * and every close callback ran once; it exits non-zero otherwise.
 *
 * The loop is a uv_loop_init()ed one rather than uv_default_loop(), so
 * that it is created and closed inside the measurement like uringloop's.
 * Keep it in step with million_timers.c (diff them).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <uv.h>

#include "bench.h"

#define IMPL "libuv"
#define BENCH "million_timers"
#define TIMERS_FULL 10000000UL
#define TIMERS_QUICK 1000000UL
#define TIMERS_PER_MS 1000UL

static uv_timer_t *timers;
static unsigned char *fired; /* fired[i]: callbacks of timer i */
static unsigned long ntimers, timer_cbs, close_cbs;
static bool count_next;
static bool prefault; /* --prefault: touch the timers' memory before init_s */

static bool parse_extra(const char *arg)
{
	if (count_next) {
		ntimers = strtoul(arg, NULL, 10);
		if (!ntimers)
			bench_die("--timers needs a positive count");
		count_next = false;
		return true;
	}
	if (!strcmp(arg, "--prefault")) {
		prefault = true;
		return true;
	}
	if (!strcmp(arg, "--timers")) {
		count_next = true;
		return true;
	}
	return false;
}

static void timer_cb(uv_timer_t *timer)
{
	fired[timer - timers]++;
	timer_cbs++;
}

static void close_cb(uv_handle_t *handle)
{
	(void)handle;
	close_cbs++;
}

int main(int argc, char **argv)
{
	uv_loop_t loop;
	struct bench_opts o;
	double cpu0, cpu_init, cpu_run, cpu_clean, t0, t1, t2, t3, cpu1;
	unsigned long i, bad = 0;
	uint64_t timeout = 0;
	int ret;

	bench_parse(argc, argv, &o, parse_extra, " [--timers N] [--prefault]");
	if (!ntimers)
		ntimers = o.quick ? TIMERS_QUICK : TIMERS_FULL;
	bench_pin(o.cpu);
	fired = calloc(ntimers, 1);
	if (!fired)
		bench_die("out of memory");

	cpu0 = bench_cpu_seconds();
	timers = malloc(ntimers * sizeof(*timers));
	if (!timers)
		bench_die("out of memory for %lu timers", ntimers);
	/* --prefault: page faults out of init_s (analysis).  Not 0: gcc
	 * would turn malloc + memset 0 into calloc, which touches nothing. */
	if (prefault)
		memset(timers, 0xa5, ntimers * sizeof(*timers));

	t0 = bench_now();
	ret = uv_loop_init(&loop);
	if (ret)
		bench_die("loop init: %s", uv_strerror(ret));
	for (i = 0; i < ntimers; i++) {
		if (i % TIMERS_PER_MS == 0)
			timeout++;
		ret = uv_timer_init(&loop, &timers[i]);
		if (ret)
			bench_die("timer init: %s", uv_strerror(ret));
		ret = uv_timer_start(&timers[i], timer_cb, timeout, 0);
		if (ret)
			bench_die("timer start: %s", uv_strerror(ret));
	}

	t1 = bench_now();
	cpu_init = bench_cpu_seconds();
	ret = uv_run(&loop, UV_RUN_DEFAULT);
	if (ret < 0)
		bench_die("run: %s", uv_strerror(ret));
	t2 = bench_now();
	cpu_run = bench_cpu_seconds();

	for (i = 0; i < ntimers; i++)
		uv_close((uv_handle_t *)&timers[i], close_cb);
	ret = uv_run(&loop, UV_RUN_DEFAULT);
	if (ret < 0)
		bench_die("run (close): %s", uv_strerror(ret));
	ret = uv_loop_close(&loop);
	if (ret)
		bench_die("loop close: %s", uv_strerror(ret));
	t3 = bench_now();
	cpu_clean = bench_cpu_seconds();

	free(timers);
	cpu1 = bench_cpu_seconds();

	for (i = 0; i < ntimers; i++)
		bad += fired[i] != 1;
	free(fired);
	if (bad || timer_cbs != ntimers || close_cbs != ntimers)
		bench_die("%lu timers did not fire exactly once; %lu timer "
			  "callbacks, %lu close callbacks for %lu timers",
			  bad, timer_cbs, close_cbs, ntimers);
	fprintf(stderr, "%s %s: %lu timers: init %.3f s, run %.3f s, "
		"cleanup %.3f s, total %.3f s; cpu %.3f s (init %.3f, run %.3f, "
		"cleanup %.3f)\n", BENCH, IMPL, ntimers, t1 - t0, t2 - t1,
		t3 - t2, t3 - t0, cpu1 - cpu0, cpu_init - cpu0,
		cpu_run - cpu_init, cpu_clean - cpu_run);
	bench_result(BENCH, IMPL, "init_s", t1 - t0, "lower");
	bench_result(BENCH, IMPL, "cleanup_s", t3 - t2, "lower");
	bench_result(BENCH, IMPL, "cpu_s", cpu1 - cpu0, "lower");
	return 0;
}
