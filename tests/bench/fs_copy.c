/* SPDX-License-Identifier: MIT */
/*
 * fs_copy: copy a 512 MiB file (--quick: 128 MiB; --mib N to change) with
 * uring_fs_copy(): splices through pipes, 4 chunks of 1 MiB in flight.
 *
 *   The source is written first (so it sits in the page cache, as a file
 *   just produced would), then copied once untimed (a warm-up: measured
 *   here, a copy run right after another process freed its memory, or
 *   after a pause, was 3-4x slower for every implementation alike, the
 *   time going to the kernel's memcpy: most likely the VM's freed memory
 *   being backed again by the host, which takes free pages back through
 *   virtio-balloon page reporting), then copied again and measured, wall
 *   clock: opening both
 *   files, the copy, closing both (for cp: fork, exec, wait).  Not
 *   measured: an fsync (the disk, not the program, would set the figure)
 *   and the check afterwards that the copy equals the source byte for byte
 *   (the program exits non-zero if not).  Files live in a mkdtemp
 *   directory under $TMPDIR (default /tmp) and are removed.
 *
 * Metric: mb_per_s (MiB copied per second, higher is better).
 * Pinning, as queue_work does with pool threads: the loop thread on --cpu,
 * the kernel's io-wq workers that run the splices on the other CPUs
 * (uring_register_iowq_aff), as libuv's pool threads in fs_copy_libuv;
 * cp(1) has one thread, on --cpu.
 *
 * fs_copy_libuv.c (read/write through libuv's thread pool, same chunk size
 * and depth) and fs_copy_cp.c (cp(1)) measure the same; keep the three in
 * step (diff them).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uring/fs.h>

#include "bench.h"
#include "fs_copy_common.h"

#define IMPL "uringloop"
#define BENCH "fs_copy"
#define MIB_FULL 512UL
#define MIB_QUICK 128UL


static int64_t copy_result = INT64_MIN;

static void copied(struct uring_fs *req, int64_t result)
{
	(void)req;
	copy_result = result;
}

/* Open, copy, close: the measured part.  Returns the seconds it took. */
static double copy_once(struct uring_loop *loop, size_t size)
{
	struct uring_fs req = {0};
	double t0 = bench_now();
	int in, out, ret;

	in = open(src, O_RDONLY | O_CLOEXEC);
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (in < 0 || out < 0)
		bench_die("open: %s", strerror(errno));
	copy_result = INT64_MIN;
	ret = uring_fs_copy(loop, &req, out, 0, in, 0, size, copied);
	if (ret)
		bench_die("copy: %s", uring_strerror(ret));
	ret = uring_loop_run(loop, URING_RUN_DEFAULT);
	if (ret < 0)
		bench_die("run: %s", uring_strerror(ret));
	close(in);
	close(out);
	if (copy_result != (int64_t)size)
		bench_die("copy: %lld (%s)", (long long)copy_result,
			  copy_result < 0 ? strerror((int)-copy_result) : "short");
	return bench_now() - t0;
}

int main(int argc, char **argv)
{
	struct uring_loop loop;
	struct bench_opts o;
	cpu_set_t allowed, others;
	int cpu;
	size_t size;
	double t0, t1, t_src, warm;
	int ret;

	bench_parse(argc, argv, &o, parse_extra, " [--mib N]");
	if (!mib)
		mib = o.quick ? MIB_QUICK : MIB_FULL;
	size = mib << 20;
	t0 = bench_now();
	make_source(size);
	t_src = bench_now() - t0;
	bench_allowed(&allowed);
	cpu = bench_pin(o.cpu);
	ret = uring_loop_init(&loop, NULL);
	if (ret)
		bench_die("loop init: %s", uring_strerror(ret));
	/* io-wq workers on the other CPUs (what queue_work does with pool
	 * threads); they would inherit this thread's pinning otherwise */
	others = allowed;
	CPU_CLR(cpu, &others);
	if (CPU_COUNT(&others) == 0)
		CPU_SET(cpu, &others);
	ret = uring_register_iowq_aff(uring_loop_ring(&loop), sizeof(others),
				      &others);
	if (ret)
		bench_die("io-wq affinity: %s", uring_strerror(ret));

	/* untimed warm-up copy, as in every fs_copy program (see above) */
	warm = copy_once(&loop, size);
	unlink(dst);
	t1 = copy_once(&loop, size);

	uring_loop_close(&loop);
	check_and_clean(size);
	fprintf(stderr, "%s %s: %lu MiB in %.3f s (warm-up copy %.3f s, writing "
		"the source %.3f s)\n", BENCH, IMPL, mib, t1, warm, t_src);
	bench_result(BENCH, IMPL, "mb_per_s", (double)mib / t1, "higher");
	return 0;
}
