/* SPDX-License-Identifier: MIT */
/*
 * fs_stat_libuv: fs_stat.c against libuv (Debian's libuv 1.44, whose
 * uv_fs_stat() runs statx(2) in its thread pool of 4 threads).
 *
 *   DEPTH (64) uv_fs_stat() requests of the same small file (in a
 *   mkdtemp directory under $TMPDIR, default /tmp), each submitted again
 *   from its callback, for 2 s (--quick: 1 s; --duration S).  The mask is
 *   what libuv's uv_fs_stat() asks for (basic stats and birth time).
 *
 * Metric: stats_per_s (completed stats per second, higher is better).
 * Pinning, as queue_work does: the loop thread on --cpu, the pool's
 * threads on the other CPUs, as the io-wq workers of fs_stat.  Keep the two in step (diff them).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>
#include <uv.h>

#include "bench.h"

#define IMPL "libuv"
#define BENCH "fs_stat"
#define DEPTH 64
#define SECS_FULL 2.0
#define SECS_QUICK 1.0

static char dir[64], path[96];
static uv_loop_t loop;
static uv_fs_t reqs[DEPTH];
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

static void stat_cb(uv_fs_t *req);

static void start(uv_fs_t *req)
{
	int ret = uv_fs_stat(&loop, req, path, stat_cb);

	if (ret)
		bench_die("stat: %s", uv_strerror(ret));
}

static void stat_cb(uv_fs_t *req)
{
	if (req->result < 0)
		bench_die("stat: %s", uv_strerror((int)req->result));
	if (req->statbuf.st_size != 8)
		bench_die("stat: size %llu, not 8",
			  (unsigned long long)req->statbuf.st_size);
	uv_fs_req_cleanup(req);
	stats++;
	if (!stopping && (stats % DEPTH) == 0 && bench_now() >= deadline)
		stopping = true;
	if (!stopping)
		start(req);
}

static void nothing(uv_work_t *w)
{
	(void)w;
}

int main(int argc, char **argv)
{
	uv_work_t warm;
	struct bench_opts o;
	cpu_set_t allowed;
	int cpu;
	double secs, t0, t1;
	int i, ret;

	bench_parse(argc, argv, &o, NULL, "");
	secs = o.duration ? o.duration : o.quick ? SECS_QUICK : SECS_FULL;
	make_file();
	ret = uv_loop_init(&loop);
	if (ret)
		bench_die("loop init: %s", uv_strerror(ret));
	/* the pool starts on first use: start it while this thread may use
	 * the CPUs other than --cpu, so its threads run there; then move */
	bench_allowed(&allowed);
	cpu = bench_pin(o.cpu);
	bench_pin_others(&allowed, cpu);
	uv_queue_work(&loop, &warm, nothing, NULL);
	uv_run(&loop, UV_RUN_DEFAULT);
	bench_pin(cpu);

	t0 = bench_now();
	deadline = t0 + secs;
	for (i = 0; i < DEPTH; i++)
		start(&reqs[i]);
	ret = uv_run(&loop, UV_RUN_DEFAULT);
	if (ret < 0)
		bench_die("run: %s", uv_strerror(ret));
	t1 = bench_now();

	uv_loop_close(&loop);
	clean();
	fprintf(stderr, "%s %s: %llu stats in %.3f s\n", BENCH, IMPL,
		(unsigned long long)stats, t1 - t0);
	bench_result(BENCH, IMPL, "stats_per_s", (double)stats / (t1 - t0),
		     "higher");
	return 0;
}
