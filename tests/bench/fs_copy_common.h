/* SPDX-License-Identifier: MIT */
/*
 * tests/bench/fs_copy_common.h - what the three fs_copy programs (uringloop,
 * libuv, cp) share, so that they differ only in how they copy: the --mib
 * option, the source file (every MiB different, so a misplaced chunk fails
 * the check) and the byte-for-byte check of the copy.  Included once, by
 * each program; it defines static functions and state.
 */
#ifndef URING_BENCH_FS_COPY_COMMON_H
#define URING_BENCH_FS_COPY_COMMON_H

#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"

static unsigned long mib;
static bool mib_next;
static char dir[64], src[96], dst[96];

static bool parse_extra(const char *arg)
{
	if (mib_next) {
		mib = strtoul(arg, NULL, 10);
		if (!mib)
			bench_die("--mib needs a positive count");
		mib_next = false;
		return true;
	}
	if (!strcmp(arg, "--mib")) {
		mib_next = true;
		return true;
	}
	return false;
}

/* The source: every MiB different, so a misplaced chunk fails the check. */
static void make_source(size_t size)
{
	char *buf = malloc(1 << 20);
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	size_t i, done;
	int fd;

	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/fs_copy-XXXXXX", tmp ? tmp : "/tmp");
	if (!buf || !mkdtemp(dir))
		bench_die("cannot make a directory under %s", tmp ? tmp : "/tmp");
	snprintf(src, sizeof(src), "%s/src", dir);
	snprintf(dst, sizeof(dst), "%s/dst", dir);
	for (i = 0; i < (1 << 20); i += 8) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		memcpy(buf + i, &x, 8);
	}
	fd = open(src, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		bench_die("open %s: %s", src, strerror(errno));
	for (i = 0, done = 0; done < size; i++, done += 1 << 20) {
		memcpy(buf, &i, sizeof(i));
		if (write(fd, buf, 1 << 20) != 1 << 20)
			bench_die("write %s: %s", src, strerror(errno));
	}
	close(fd);
	free(buf);
}

static void check_and_clean(size_t size)
{
	int a = open(src, O_RDONLY | O_CLOEXEC), b = open(dst, O_RDONLY | O_CLOEXEC);
	void *ma, *mb;
	struct stat st;

	if (a < 0 || b < 0 || fstat(b, &st) || (size_t)st.st_size != size)
		bench_die("the copy is missing or has the wrong size");
	ma = mmap(NULL, size, PROT_READ, MAP_SHARED, a, 0);
	mb = mmap(NULL, size, PROT_READ, MAP_SHARED, b, 0);
	if (ma == MAP_FAILED || mb == MAP_FAILED || memcmp(ma, mb, size))
		bench_die("the copy differs from the source");
	munmap(ma, size);
	munmap(mb, size);
	close(a);
	close(b);
	unlink(src);
	unlink(dst);
	rmdir(dir);
}

#endif
