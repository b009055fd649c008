/* SPDX-License-Identifier: MIT */
/*
 * queue_work: empty jobs through the loop's worker pool (libuv's
 * uv_queue_work), 4 worker threads on both sides (libuv's default
 * UV_THREADPOOL_SIZE).
 *
 * window: 1,000 jobs in flight; each completion callback queues the next
 *   job until 1,000,000 (--quick: 100,000) have completed.  Metric
 *   jobs_per_s = jobs / wall seconds from the first queue to the last
 *   completion callback (higher is better).
 * serial: one job in flight, the next queued from the completion callback
 *   (libuv's own benchmark-queue-work shape: the round-trip cost of one
 *   job), 100,000 (--quick: 20,000) jobs.  Metric jobs_per_s_serial.
 *
 * Pinning: the pool's threads are started (one warm-up job) while the
 * main thread may use every allowed CPU but --cpu, so they run there; the
 * loop thread then moves to --cpu.  Both programs check that every job's
 * completion ran and exit non-zero otherwise.
 *
 * queue_work_libuv.c is the same program, line for line, against libuv;
 * keep the two in step (diff them) so the comparison stays fair.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <uring/work.h>

#include "bench.h"

#define IMPL "uringloop"
#define BENCH "queue_work"
#define THREADS 4
#define WINDOW 1000
#define JOBS_FULL 1000000UL
#define JOBS_QUICK 100000UL
#define SERIAL_FULL 100000UL
#define SERIAL_QUICK 20000UL

static const char *only; /* --only window|serial (profiling) */
static bool only_next;

static bool parse_extra(const char *arg)
{
	if (only_next) {
		if (strcmp(arg, "window") && strcmp(arg, "serial"))
			bench_die("--only takes window or serial");
		only = arg;
		only_next = false;
		return true;
	}
	if (!strcmp(arg, "--only")) {
		only_next = true;
		return true;
	}
	return false;
}

static struct uring_loop loop;
static struct uring_work jobs[WINDOW];
static unsigned long queued, completed, limit;

static void work_cb(struct uring_work *req)
{
	(void)req;
}

static void after_work_cb(struct uring_work *req, int status)
{
	int ret;

	if (status)
		bench_die("after_work: %s", uring_strerror(status));
	completed++;
	if (queued < limit) {
		queued++;
		ret = uring_work_queue(&loop, req, work_cb, after_work_cb);
		if (ret)
			bench_die("queue: %s", uring_strerror(ret));
	}
}

/* Returns jobs per second. */
static double run(unsigned long jobs_total, unsigned window, const char *what)
{
	double t0, t1;
	int ret;

	queued = completed = 0;
	limit = jobs_total;
	t0 = bench_now();
	for (unsigned i = 0; i < window && queued < limit; i++) {
		queued++;
		ret = uring_work_queue(&loop, &jobs[i], work_cb, after_work_cb);
		if (ret)
			bench_die("queue: %s", uring_strerror(ret));
	}
	ret = uring_loop_run(&loop, URING_RUN_DEFAULT);
	if (ret < 0)
		bench_die("run: %s", uring_strerror(ret));
	t1 = bench_now();
	if (completed != jobs_total)
		bench_die("%s: %lu of %lu jobs completed", what, completed,
			  jobs_total);
	fprintf(stderr, "%s %s: %s: %lu jobs, %u in flight, %.3f s\n", BENCH,
		IMPL, what, jobs_total, window, t1 - t0);
	return (double)jobs_total / (t1 - t0);
}

int main(int argc, char **argv)
{
	struct uring_loop_options lo = {.worker_threads = THREADS};
	struct bench_opts o;
	cpu_set_t allowed;
	int cpu, ret;

	bench_parse(argc, argv, &o, parse_extra, " [--only window|serial]");
	bench_allowed(&allowed);
	cpu = bench_pin(o.cpu);
	bench_pin_others(&allowed, cpu); /* the pool's threads go there */
	ret = uring_loop_init(&loop, &lo);
	if (ret)
		bench_die("loop init: %s", uring_strerror(ret));
	run(1, 1, "warm-up");
	bench_pin(cpu);
	if (!only || !strcmp(only, "window"))
		bench_result(BENCH, IMPL, "jobs_per_s",
			     run(o.quick ? JOBS_QUICK : JOBS_FULL, WINDOW,
				 "window"),
			     "higher");
	if (!only || !strcmp(only, "serial"))
		bench_result(BENCH, IMPL, "jobs_per_s_serial",
			     run(o.quick ? SERIAL_QUICK : SERIAL_FULL, 1,
				 "serial"),
			     "higher");
	ret = uring_loop_close(&loop);
	if (ret)
		bench_die("loop close: %s", uring_strerror(ret));
	return 0;
}
