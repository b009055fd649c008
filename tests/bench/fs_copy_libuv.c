/* SPDX-License-Identifier: MIT */
/*
 * fs_copy_libuv: fs_copy.c against libuv (Debian's libuv 1.44; a
 * benchmark-only dependency): uv_fs_read() / uv_fs_write() through libuv's
 * thread pool (4 threads), 4 chunks of 1 MiB in flight, each read and then
 * written at the same offset, the same chunk size and depth as
 * uring_fs_copy().  Copy a 512 MiB file (--quick: 128 MiB; --mib N).
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
 * Pinning, as queue_work does: the loop thread on --cpu, the pool's
 * threads on the other CPUs, as the io-wq workers of fs_copy.  Keep it in step with fs_copy.c and fs_copy_cp.c (diff them).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#include "bench.h"
#include "fs_copy_common.h"

#define IMPL "libuv"
#define DEPTH 4
#define CHUNK (1U << 20)
#define BENCH "fs_copy"
#define MIB_FULL 512UL
#define MIB_QUICK 128UL


/* One chunk in flight: read [off, off + len), then write it back out. */
struct slot {
	uv_fs_t req;
	char *buf;
	int64_t off;
	size_t len, done;
};

static struct slot slots[DEPTH];
static uv_loop_t *uvloop;
static int in_fd, out_fd;
static int64_t next_off, total;
static uint64_t copied;

static void read_cb(uv_fs_t *req);

static void next_chunk(struct slot *s)
{
	uv_buf_t b;
	int ret;

	if (next_off >= total)
		return;
	s->off = next_off;
	next_off += CHUNK;
	b = uv_buf_init(s->buf, CHUNK);
	ret = uv_fs_read(uvloop, &s->req, in_fd, &b, 1, s->off, read_cb);
	if (ret)
		bench_die("uv_fs_read: %s", uv_strerror(ret));
}

static void write_cb(uv_fs_t *req)
{
	struct slot *s = (struct slot *)req;
	ssize_t res = req->result;
	uv_buf_t b;
	int ret;

	uv_fs_req_cleanup(req);
	if (res <= 0)
		bench_die("write: %s", res ? uv_strerror((int)res) : "0 bytes");
	s->done += (size_t)res;
	copied += (uint64_t)res;
	if (s->done < s->len) {
		b = uv_buf_init(s->buf + s->done, (unsigned)(s->len - s->done));
		ret = uv_fs_write(uvloop, &s->req, out_fd, &b, 1,
				  s->off + (int64_t)s->done, write_cb);
		if (ret)
			bench_die("uv_fs_write: %s", uv_strerror(ret));
		return;
	}
	next_chunk(s);
}

static void read_cb(uv_fs_t *req)
{
	struct slot *s = (struct slot *)req;
	ssize_t res = req->result;
	uv_buf_t b;
	int ret;

	uv_fs_req_cleanup(req);
	if (res < 0)
		bench_die("read: %s", uv_strerror((int)res));
	if (res == 0)
		return; /* end of file */
	s->len = (size_t)res;
	s->done = 0;
	b = uv_buf_init(s->buf, (unsigned)res);
	ret = uv_fs_write(uvloop, &s->req, out_fd, &b, 1, s->off, write_cb);
	if (ret)
		bench_die("uv_fs_write: %s", uv_strerror(ret));
}

/* Open, copy, close: the measured part.  Returns the seconds it took. */
static double copy_once(uv_loop_t *loop, size_t size)
{
	double t0 = bench_now();
	int i, ret;

	total = (int64_t)size;
	next_off = 0;
	copied = 0;
	in_fd = open(src, O_RDONLY | O_CLOEXEC);
	out_fd = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (in_fd < 0 || out_fd < 0)
		bench_die("open: %s", strerror(errno));
	for (i = 0; i < DEPTH; i++)
		next_chunk(&slots[i]);
	ret = uv_run(loop, UV_RUN_DEFAULT);
	if (ret < 0)
		bench_die("run: %s", uv_strerror(ret));
	close(in_fd);
	close(out_fd);
	if (copied != size)
		bench_die("copied %llu of %zu bytes", (unsigned long long)copied,
			  size);
	return bench_now() - t0;
}

static void nothing(uv_work_t *w)
{
	(void)w;
}

int main(int argc, char **argv)
{
	uv_loop_t loop;
	uv_work_t warm_pool;
	struct bench_opts o;
	cpu_set_t allowed;
	int cpu;
	size_t size;
	double t0, t1, t_src, warm;
	int i, ret;

	bench_parse(argc, argv, &o, parse_extra, " [--mib N]");
	if (!mib)
		mib = o.quick ? MIB_QUICK : MIB_FULL;
	size = mib << 20;
	t0 = bench_now();
	make_source(size);
	t_src = bench_now() - t0;
	ret = uv_loop_init(&loop);
	if (ret)
		bench_die("loop init: %s", uv_strerror(ret));
	uvloop = &loop;
	/* the pool starts on first use: start it while this thread may use
	 * the CPUs other than --cpu, so its threads run there; then move */
	bench_allowed(&allowed);
	cpu = bench_pin(o.cpu);
	bench_pin_others(&allowed, cpu);
	uv_queue_work(&loop, &warm_pool, nothing, NULL);
	uv_run(&loop, UV_RUN_DEFAULT);
	bench_pin(cpu);
	for (i = 0; i < DEPTH; i++) {
		slots[i].buf = malloc(CHUNK);
		if (!slots[i].buf)
			bench_die("out of memory");
		memset(slots[i].buf, 0, CHUNK); /* fault it in, outside */
	}
	/* untimed warm-up copy, as in every fs_copy program (see above) */
	warm = copy_once(&loop, size);
	unlink(dst);
	t1 = copy_once(&loop, size);

	uv_loop_close(&loop);
	for (i = 0; i < DEPTH; i++)
		free(slots[i].buf);
	check_and_clean(size);
	fprintf(stderr, "%s %s: %lu MiB in %.3f s (warm-up copy %.3f s, writing "
		"the source %.3f s)\n", BENCH, IMPL, mib, t1, warm, t_src);
	bench_result(BENCH, IMPL, "mb_per_s", (double)mib / t1, "higher");
	return 0;
}
