/* SPDX-License-Identifier: MIT */
/*
 * fs_stat: statx(2) of one file through the loop, many in flight.
 *
 *   DEPTH (64) uring_fs_statx() requests of the same small file (in a
 *   mkdtemp directory under $TMPDIR, default /tmp), each submitted again
 *   from its callback, for 2 s (--quick: 1 s; --duration S).  The mask is
 *   what libuv's uv_fs_stat() asks for (basic stats and birth time).
 *
 * Metric: stats_per_s (completed stats per second, higher is better).
 * Pinning, as queue_work does with pool threads: the loop thread on --cpu,
 * the kernel's io-wq workers that run the statx calls on the other CPUs
 * (uring_register_iowq_aff), as libuv's pool threads in fs_stat_libuv.c.
 * Keep the two in step (diff them).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>
#include <uring/fs.h>

#include "bench.h"

#define IMPL "uringloop"
#define BENCH "fs_stat"
#define DEPTH 64
#define SECS_FULL 2.0
#define SECS_QUICK 1.0

static char dir[64], path[96];
static struct uring_loop loop;
static struct uring_fs reqs[DEPTH];
static uint64_t stats;
static double deadline;
static bool stopping;

static void make_file(void)
{
	const char *tmp = getenv("TMPDIR");
	int fd;

	snprintf(dir, sizeof(dir), "%s/fs_stat-XXXXXX", tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		bench_die("cannot make a directory under %s", tmp ? tmp : "/tmp");
	snprintf(path, sizeof(path), "%s/file", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, "stat me\n", 8) != 8)
		bench_die("create %s: %s", path, strerror(errno));
	close(fd);
}

static void clean(void)
{
	unlink(path);
	rmdir(dir);
}

static void stat_cb(struct uring_fs *req, int result);

static void start(struct uring_fs *req)
{
	int ret = uring_fs_statx(&loop, req, AT_FDCWD, path, 0,
				 STATX_BASIC_STATS | STATX_BTIME, stat_cb);

	if (ret)
		bench_die("statx: %s", uring_strerror(ret));
}

static void stat_cb(struct uring_fs *req, int result)
{
	if (result < 0)
		bench_die("statx: %s", uring_strerror(result));
	if (req->statx.stx_size != 8)
		bench_die("statx: size %llu, not 8",
			  (unsigned long long)req->statx.stx_size);
	stats++;
	if (!stopping && (stats % DEPTH) == 0 && bench_now() >= deadline)
		stopping = true;
	if (!stopping)
		start(req);
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	cpu_set_t allowed, others;
	int cpu;
	double secs, t0, t1;
	int i, ret;

	bench_parse(argc, argv, &o, NULL, "");
	secs = o.duration ? o.duration : o.quick ? SECS_QUICK : SECS_FULL;
	make_file();
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

	t0 = bench_now();
	deadline = t0 + secs;
	for (i = 0; i < DEPTH; i++)
		start(&reqs[i]);
	ret = uring_loop_run(&loop, URING_RUN_DEFAULT);
	if (ret < 0)
		bench_die("run: %s", uring_strerror(ret));
	t1 = bench_now();

	uring_loop_close(&loop);
	clean();
	fprintf(stderr, "%s %s: %llu stats in %.3f s\n", BENCH, IMPL,
		(unsigned long long)stats, t1 - t0);
	bench_result(BENCH, IMPL, "stats_per_s", (double)stats / (t1 - t0),
		     "higher");
	return 0;
}
