/* SPDX-License-Identifier: MIT */
/*
 * ring_nop: NOP submit + reap through uringloop's ring layer.
 *
 *   batch 1:  get one SQE, prep NOP, submit-and-wait 1, peek the CQE, seen;
 *   batch 32: 32 NOPs, submit-and-wait 32, batch peek, one cq_advance.
 *
 * ring_nop_liburing.c is the same program, line for line, against liburing;
 * keep the two in step (diff them) so the comparison stays fair.  Each
 * library's default init: uring_ring_init() registers the ring fd.
 * Prints ops_per_s_batch1 and ops_per_s_batch32 (see bench.h).
 */
#define _GNU_SOURCE
#include <uring/ring.h>

#include "bench.h"

#define IMPL "uringloop"
#define RING_ENTRIES 64
#define MAX_BATCH 32
/* Operations between two clock reads: the clock stays out of the profile. */
#define OPS_PER_CHECK 1024

static unsigned long long reaped_total;
static unsigned only_batch; /* --batch N: measure one batch size (profiling) */
static bool batch_next;

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
	return false;
}

/* Submit `batch` NOPs, wait for them, reap them all. */
static void round_trip(struct uring_ring *ring, unsigned batch)
{
	struct uring_cqe *cqes[MAX_BATCH];
	struct uring_cqe *cqe;
	unsigned reaped = 0;
	int ret;

	for (unsigned i = 0; i < batch; i++) {
		struct uring_sqe *sqe = uring_ring_get_sqe(ring);

		if (!sqe)
			bench_die("get_sqe: SQ full");
		uring_prep_nop(sqe);
		sqe->user_data = i;
	}
	ret = uring_ring_submit_and_wait(ring, batch);
	if (ret != (int)batch)
		bench_die("submit_and_wait: %d", ret);
	if (batch == 1) {
		ret = uring_ring_peek_cqe(ring, &cqe);
		if (ret)
			bench_die("peek_cqe: %d", ret);
		if (cqe->res != 0)
			bench_die("NOP res %d", cqe->res);
		uring_cqe_seen(ring, cqe);
		reaped = 1;
	} else {
		while (reaped < batch) {
			unsigned n = uring_ring_peek_batch_cqe(ring, cqes, MAX_BATCH);

			if (!n)
				bench_die("peek_batch_cqe: %u of %u", reaped, batch);
			for (unsigned i = 0; i < n; i++)
				if (cqes[i]->res != 0)
					bench_die("NOP res %d", cqes[i]->res);
			uring_ring_cq_advance(ring, n);
			reaped += n;
		}
	}
	reaped_total += reaped;
}

/* Run round trips for `seconds`; returns operations per second. */
static double measure(struct uring_ring *ring, unsigned batch, double seconds)
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
	struct uring_ring ring;
	struct bench_opts o;
	double seconds;
	int ret;

	bench_parse(argc, argv, &o, parse_extra, " [--batch 1|32]");
	seconds = o.duration > 0 ? o.duration : o.quick ? 1.0 : 3.0;
	bench_pin(o.cpu);

	ret = uring_ring_init(&ring, RING_ENTRIES, 0);
	if (ret)
		bench_die("uring_ring_init: %s", strerror(-ret));
	for (unsigned m = 0; m < 2; m++) {
		double v;

		if (only_batch && batches[m] != only_batch)
			continue;

		measure(&ring, batches[m], seconds / 10); /* warm up */
		v = measure(&ring, batches[m], seconds);
		bench_result("ring_nop", IMPL, metrics[m], v, "higher");
	}
	uring_ring_exit(&ring);
	if (reaped_total == 0)
		bench_die("nothing reaped");
	return 0;
}
