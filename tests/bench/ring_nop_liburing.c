/* SPDX-License-Identifier: MIT */
/*
 * ring_nop_liburing: ring_nop.c, line for line, against liburing (Debian's
 * liburing 2.3; a benchmark-only dependency).
 *
 *   batch 1:  get one SQE, prep NOP, submit-and-wait 1, peek the CQE, seen;
 *   batch 32: 32 NOPs, submit-and-wait 32, batch peek, one cq_advance.
 *
 * liburing's default init (io_uring_queue_init) enters through the plain fd;
 * with --regfd the program also calls io_uring_register_ring_fd() and reports
 * itself as impl "liburing_regfd", the same setup as uringloop's default.
 * Prints ops_per_s_batch1 and ops_per_s_batch32 (see bench.h).
 */
#define _GNU_SOURCE
#include <liburing.h>

#include "bench.h"

#define RING_ENTRIES 64
#define MAX_BATCH 32
/* Operations between two clock reads: the clock stays out of the profile. */
#define OPS_PER_CHECK 1024

static unsigned long long reaped_total;
static unsigned only_batch; /* --batch N: measure one batch size (profiling) */
static bool batch_next;
static bool regfd;

static bool parse_extra(const char *arg)
{
	if (batch_next) {
		only_batch = (unsigned)atoi(arg);
		if (only_batch != 1 && only_batch != 32)
			bench_die("--batch takes 1 or 32");
		batch_next = false;
		return true;
	}
	if (!strcmp(arg, "--batch")) {
		batch_next = true;
		return true;
	}
	if (!strcmp(arg, "--regfd")) {
		regfd = true;
		return true;
	}
	return false;
}

/* Submit `batch` NOPs, wait for them, reap them all. */
static void round_trip(struct io_uring *ring, unsigned batch)
{
	struct io_uring_cqe *cqes[MAX_BATCH];
	struct io_uring_cqe *cqe;
	unsigned reaped = 0;
	int ret;

	for (unsigned i = 0; i < batch; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

		if (!sqe)
			bench_die("get_sqe: SQ full");
		io_uring_prep_nop(sqe);
		sqe->user_data = i;
	}
	ret = io_uring_submit_and_wait(ring, batch);
	if (ret != (int)batch)
		bench_die("submit_and_wait: %d", ret);
	if (batch == 1) {
		ret = io_uring_peek_cqe(ring, &cqe);
		if (ret)
			bench_die("peek_cqe: %d", ret);
		if (cqe->res != 0)
			bench_die("NOP res %d", cqe->res);
		io_uring_cqe_seen(ring, cqe);
		reaped = 1;
	} else {
		while (reaped < batch) {
			unsigned n = io_uring_peek_batch_cqe(ring, cqes, MAX_BATCH);

			if (!n)
				bench_die("peek_batch_cqe: %u of %u", reaped, batch);
			for (unsigned i = 0; i < n; i++)
				if (cqes[i]->res != 0)
					bench_die("NOP res %d", cqes[i]->res);
			io_uring_cq_advance(ring, n);
			reaped += n;
		}
	}
	reaped_total += reaped;
}

/* Run round trips for `seconds`; returns operations per second. */
static double measure(struct io_uring *ring, unsigned batch, double seconds)
{
	unsigned rounds = OPS_PER_CHECK / batch;
	unsigned long long ops = 0;
	double t0 = bench_now(), t;

	do {
		for (unsigned r = 0; r < rounds; r++)
			round_trip(ring, batch);
		ops += (unsigned long long)rounds * batch;
		t = bench_now();
	} while (t - t0 < seconds);
	return (double)ops / (t - t0);
}

int main(int argc, char **argv)
{
	static const unsigned batches[] = { 1, 32 };
	static const char *const metrics[] = { "ops_per_s_batch1",
					       "ops_per_s_batch32" };
	struct io_uring ring;
	struct bench_opts o;
	double seconds;
	int ret;

	bench_parse(argc, argv, &o, parse_extra, " [--batch 1|32] [--regfd]");
	seconds = o.duration > 0 ? o.duration : o.quick ? 1.0 : 3.0;
	bench_pin(o.cpu);

	ret = io_uring_queue_init(RING_ENTRIES, &ring, 0);
	if (ret)
		bench_die("io_uring_queue_init: %s", strerror(-ret));
	if (regfd) {
		ret = io_uring_register_ring_fd(&ring);
		if (ret != 1)
			bench_die("io_uring_register_ring_fd: %s",
				  strerror(ret < 0 ? -ret : EIO));
	}
	for (unsigned m = 0; m < 2; m++) {
		double v;

		if (only_batch && batches[m] != only_batch)
			continue;

		measure(&ring, batches[m], seconds / 10); /* warm up */
		v = measure(&ring, batches[m], seconds);
		bench_result("ring_nop", regfd ? "liburing_regfd" : "liburing",
			     metrics[m], v, "higher");
	}
	io_uring_queue_exit(&ring);
	if (reaped_total == 0)
		bench_die("nothing reaped");
	return 0;
}
