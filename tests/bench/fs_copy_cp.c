/* SPDX-License-Identifier: MIT */
/*
 * fs_copy_cp: fs_copy.c with cp(1) doing the copy, as impl "cp": the
 * system's cp (coreutils: copy_file_range(2), in-kernel, one thread), run
 * as `cp SRC DST` in a child process.  Copy a 512 MiB file (--quick:
 * 128 MiB; --mib N).
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
 * cp runs pinned to --cpu (it has one thread; fork keeps the pinning).
 * Keep it in step with fs_copy.c and fs_copy_libuv.c (diff them).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sys/wait.h>

#include "bench.h"
#include "fs_copy_common.h"

#define IMPL "cp"
#define BENCH "fs_copy"
#define MIB_FULL 512UL
#define MIB_QUICK 128UL


/* fork, exec cp, wait: the measured part.  Returns the seconds it took. */
static double copy_once(void)
{
	double t0 = bench_now();
	pid_t pid;
	int status;

	pid = fork();
	if (pid < 0)
		bench_die("fork: %s", strerror(errno));
	if (pid == 0) {
		execlp("cp", "cp", src, dst, (char *)NULL);
		fprintf(stderr, "bench: exec cp: %s\n", strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		bench_die("waitpid: %s", strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		bench_die("cp failed (status %#x)", status);
	return bench_now() - t0;
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	size_t size;
	double t0, t1, t_src, warm;

	bench_parse(argc, argv, &o, parse_extra, " [--mib N]");
	if (!mib)
		mib = o.quick ? MIB_QUICK : MIB_FULL;
	size = mib << 20;
	t0 = bench_now();
	make_source(size);
	t_src = bench_now() - t0;
	bench_pin(o.cpu);

	/* untimed warm-up copy, as in every fs_copy program (see above) */
	warm = copy_once();
	unlink(dst);
	t1 = copy_once();

	check_and_clean(size);
	fprintf(stderr, "%s %s: %lu MiB in %.3f s (warm-up copy %.3f s, writing "
		"the source %.3f s)\n", BENCH, IMPL, mib, t1, warm, t_src);
	bench_result(BENCH, IMPL, "mb_per_s", (double)mib / t1, "higher");
	return 0;
}
