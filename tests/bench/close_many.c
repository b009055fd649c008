/* SPDX-License-Identifier: MIT */
/*
 * close_many: closing many handles at once, each with an operation in
 * flight.
 *
 *   100,000 poll watchers (--quick: 20,000; --handles N to change) on one
 *   eventfd that never becomes readable, all armed (a multishot POLL_ADD
 *   each), are closed in one go; the loop then runs until every close
 *   callback has run.  Each close cancels its poll, and the cancels'
 *   completions come back over many iterations (a ring's worth at a time):
 *   what the loop does per iteration with the handles still closing
 *   decides whether this is linear in the count or quadratic.
 *
 * Metrics (lower is better):
 *   close_s    from the first uring_close() to the last close callback
 *              (wall clock)
 *   cpu_s      CPU time of the process over the same span (getrusage)
 *   user_s     the user part of cpu_s: the loop's own work, without the
 *              kernel's (which finds each poll to cancel in a hash table of
 *              at most 256 buckets: that part grows as n^2 / 256 whatever
 *              the loop does)
 * The program checks that every close callback ran once, in the order
 * the watchers were closed; it exits non-zero otherwise.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <uring/loop.h>

#include "bench.h"

/* User CPU time of the process so far, in seconds. */
static double user_seconds(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		bench_die("getrusage: %s", strerror(errno));
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6;
}

#define IMPL "uringloop"
#define BENCH "close_many"
#define HANDLES_FULL 100000UL
#define HANDLES_QUICK 20000UL

static struct uring_poll *polls;
static unsigned long nhandles, close_cbs, out_of_order;
static bool count_next;

static bool parse_extra(const char *arg)
{
	if (count_next) {
		nhandles = strtoul(arg, NULL, 10);
		if (!nhandles)
			bench_die("--handles needs a positive count");
		count_next = false;
		return true;
	}
	if (!strcmp(arg, "--handles")) {
		count_next = true;
		return true;
	}
	return false;
}

static void poll_cb(struct uring_poll *poll, int status, unsigned events)
{
	(void)poll;
	bench_die("poll callback (status %d, events %#x): never readable",
		  status, events);
}

static void close_cb(struct uring_handle *handle)
{
	/* each one's cancel completes in submission order */
	if ((struct uring_poll *)handle != &polls[close_cbs])
		out_of_order++;
	close_cbs++;
}

int main(int argc, char **argv)
{
	struct uring_loop loop;
	struct bench_opts o;
	double t0, t1, cpu0, cpu1, user0, user1;
	unsigned long i;
	int ret, fd;

	bench_parse(argc, argv, &o, parse_extra, " [--handles N]");
	if (!nhandles)
		nhandles = o.quick ? HANDLES_QUICK : HANDLES_FULL;
	bench_pin(o.cpu);
	polls = calloc(nhandles, sizeof(*polls));
	fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!polls || fd < 0)
		bench_die("out of memory or eventfd");
	ret = uring_loop_init(&loop, NULL); /* the default ring sizes */
	if (ret)
		bench_die("loop init: %s", uring_strerror(ret));
	for (i = 0; i < nhandles; i++) {
		ret = uring_poll_init(&loop, &polls[i], fd);
		if (!ret)
			ret = uring_poll_start(&polls[i], POLLIN, poll_cb);
		if (ret)
			bench_die("poll %lu: %s", i, uring_strerror(ret));
		if (i % 1024 == 1023)
			uring_loop_run(&loop, URING_RUN_NOWAIT); /* arm them */
	}
	uring_loop_run(&loop, URING_RUN_NOWAIT);

	t0 = bench_now();
	cpu0 = bench_cpu_seconds();
	user0 = user_seconds();
	for (i = 0; i < nhandles; i++)
		uring_close(&polls[i].handle, close_cb);
	ret = uring_loop_run(&loop, URING_RUN_DEFAULT);
	if (ret < 0)
		bench_die("run (close): %s", uring_strerror(ret));
	t1 = bench_now();
	cpu1 = bench_cpu_seconds();
	user1 = user_seconds();

	ret = uring_loop_close(&loop);
	if (ret)
		bench_die("loop close: %s", uring_strerror(ret));
	close(fd);
	free(polls);
	if (close_cbs != nhandles || out_of_order)
		bench_die("%lu close callbacks for %lu handles, %lu out of "
			  "order", close_cbs, nhandles, out_of_order);
	fprintf(stderr, "%s %s: %lu handles closed in %.3f s (cpu %.3f s, "
		"user %.3f s)\n", BENCH, IMPL, nhandles, t1 - t0, cpu1 - cpu0,
		user1 - user0);
	bench_result(BENCH, IMPL, "close_s", t1 - t0, "lower");
	bench_result(BENCH, IMPL, "cpu_s", cpu1 - cpu0, "lower");
	bench_result(BENCH, IMPL, "user_s", user1 - user0, "lower");
	return 0;
}
