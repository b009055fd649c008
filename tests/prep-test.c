/* SPDX-License-Identifier: MIT */
/*
 * prep-test: the non-network prep helpers against the running kernel, each
 * checked by its effect: files in a mkdtemp directory, direct descriptors,
 * registered buffers, pipes (splice, tee, pipe op, multishot read), poll,
 * epoll, futexes, waitid, timeouts, cancellation and the SQE flags.
 * Socket helpers are in net-test.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <linux/openat2.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "test-util.h"

#ifndef FUTEX2_SIZE_U32
#define FUTEX2_SIZE_U32 0x02 /* Linux 6.7 <linux/futex.h> */
#endif
#ifndef FUTEX2_PRIVATE
#define FUTEX2_PRIVATE 128
#endif

#define RING_ENTRIES 64

#include "ring-util.h"

/* One SQE in, its result out (user_data checked). */
#define run1(ring, sqe) run1_at((ring), (sqe), __LINE__)
static int run1_at(struct uring_ring *ring, struct uring_sqe *sqe, int line)
{
	struct ut_cqe c;

	sqe->user_data = 0x5eed;
	c = reap_at(ring, line);
	ck_assert_msg(c.user_data == 0x5eed, "line %d: stray CQE %llu", line,
		      (unsigned long long)c.user_data);
	return c.res;
}

static void register_sparse_files(struct uring_ring *ring, unsigned nr)
{
	struct uring_rsrc_register reg;

	memset(&reg, 0, sizeof(reg));
	reg.nr = nr;
	reg.flags = URING_RSRC_REGISTER_SPARSE;
	ck_assert_int_eq(raw_register(ring, URING_REGISTER_FILES2, &reg,
				      sizeof(reg)), 0);
}

/* A scratch directory, removed by the test's `rm -rf` at the end. */
static char tmpdir[64];
static int dfd = -1;

static void tmp_setup(void)
{
	strcpy(tmpdir, "/tmp/uring-prep-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	dfd = open(tmpdir, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(dfd, 0);
}

static void tmp_teardown(void)
{
	char cmd[128];

	if (dfd >= 0)
		close(dfd);
	dfd = -1;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
}

/* ------------------------------------------------------------- files */

START_TEST(file_rw)
{
	struct uring_ring ring;
	struct uring_sqe *sqe;
	char buf[64] = {0}, a[4] = {0}, b[4] = {0};
	struct iovec wv[2] = {{"1234", 4}, {"5678", 4}};
	struct iovec rv[2] = {{a, 4}, {b, 4}};
	struct statx stx;
	int fd, ret;

	ring_init(&ring);
	tmp_setup();
	sqe = get_sqe(&ring);
	uring_prep_openat(sqe, dfd, "f", O_CREAT | O_RDWR | O_CLOEXEC, 0600);
	fd = run1(&ring, sqe);
	ck_assert_int_ge(fd, 0);

	sqe = get_sqe(&ring);
	uring_prep_write(sqe, fd, "hello world", 11, 0);
	ck_assert_int_eq(run1(&ring, sqe), 11);
	sqe = get_sqe(&ring);
	uring_prep_read(sqe, fd, buf, sizeof(buf), 6);
	ck_assert_int_eq(run1(&ring, sqe), 5);
	ck_assert_mem_eq(buf, "world", 5);

	/* offset -1: the file position, which read/write advance. */
	lseek(fd, 0, SEEK_SET);
	sqe = get_sqe(&ring);
	uring_prep_read(sqe, fd, buf, 5, (uint64_t)-1);
	ck_assert_int_eq(run1(&ring, sqe), 5);
	ck_assert_int_eq(lseek(fd, 0, SEEK_CUR), 5);

	sqe = get_sqe(&ring);
	uring_prep_writev(sqe, fd, wv, 2, 100);
	ck_assert_int_eq(run1(&ring, sqe), 8);
	sqe = get_sqe(&ring);
	uring_prep_readv(sqe, fd, rv, 2, 100);
	ck_assert_int_eq(run1(&ring, sqe), 8);
	ck_assert_mem_eq(a, "1234", 4);
	ck_assert_mem_eq(b, "5678", 4);

	sqe = get_sqe(&ring);
	uring_prep_writev2(sqe, fd, wv, 1, 200, RWF_DSYNC);
	ck_assert_int_eq(run1(&ring, sqe), 4);
	sqe = get_sqe(&ring);
	uring_prep_readv2(sqe, fd, rv + 1, 1, 200, 0);
	ck_assert_int_eq(run1(&ring, sqe), 4);
	ck_assert_mem_eq(b, "1234", 4);
	/* An RWF bit the kernel does not know is refused. */
	sqe = get_sqe(&ring);
	uring_prep_readv2(sqe, fd, rv, 1, 0, 0x40000000);
	ck_assert_int_eq(run1(&ring, sqe), -EOPNOTSUPP);

	sqe = get_sqe(&ring);
	uring_prep_fsync(sqe, fd, 0);
	ck_assert_int_eq(run1(&ring, sqe), 0);
	sqe = get_sqe(&ring);
	uring_prep_fsync(sqe, fd, URING_FSYNC_DATASYNC);
	ck_assert_int_eq(run1(&ring, sqe), 0);
	sqe = get_sqe(&ring);
	uring_prep_sync_file_range(sqe, fd, 4096, 0, SYNC_FILE_RANGE_WRITE);
	ck_assert_int_eq(run1(&ring, sqe), 0);

	/* fallocate grows the file; ftruncate shrinks it. */
	sqe = get_sqe(&ring);
	uring_prep_fallocate(sqe, fd, 0, 0, 65536);
	ck_assert_int_eq(run1(&ring, sqe), 0);
	sqe = get_sqe(&ring);
	uring_prep_statx(sqe, dfd, "f", 0, STATX_SIZE, &stx);
	ck_assert_int_eq(run1(&ring, sqe), 0);
	ut_kernel_wrote(&stx, sizeof(stx));
	ck_assert_uint_eq(stx.stx_size, 65536);
	sqe = get_sqe(&ring);
	uring_prep_fallocate(sqe, fd, FALLOC_FL_KEEP_SIZE, 65536, 4096);
	ck_assert_int_eq(run1(&ring, sqe), 0);

	/* FTRUNCATE (6.9) has a case of its own: shrink the plain way */
	ck_assert_int_eq(ftruncate(fd, 100), 0);
	sqe = get_sqe(&ring);
	uring_prep_statx(sqe, fd, "", AT_EMPTY_PATH, STATX_SIZE | STATX_MODE,
			 &stx);
	ck_assert_int_eq(run1(&ring, sqe), 0);
	ut_kernel_wrote(&stx, sizeof(stx));
	ck_assert_uint_eq(stx.stx_size, 100);
	ck_assert_uint_eq(stx.stx_mode & 0777, 0600);
	ck_assert(S_ISREG(stx.stx_mode));

	sqe = get_sqe(&ring);
	uring_prep_fadvise(sqe, fd, 0, 100, POSIX_FADV_DONTNEED);
	ck_assert_int_eq(run1(&ring, sqe), 0);
	/* 64-bit lengths (fadvise64, madvise64): 6.7; 6.1 says -EINVAL */
	if (ut_kernel_at_least(6, 7)) {
		sqe = get_sqe(&ring);
		uring_prep_fadvise64(sqe, fd, 0, (off_t)1 << 33,
				     POSIX_FADV_WILLNEED);
		ck_assert_int_eq(run1(&ring, sqe), 0);
	} else {
		fprintf(stderr, "SKIP part: no 64-bit advise lengths (6.7)\n");
	}
	sqe = get_sqe(&ring);
	uring_prep_fadvise(sqe, fd, 0, 100, 12345);
	ck_assert_int_eq(run1(&ring, sqe), -EINVAL);

	{
		size_t pg = (size_t)sysconf(_SC_PAGESIZE);
		char *m = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		ck_assert_ptr_ne(m, MAP_FAILED);
		m[0] = 1;
		sqe = get_sqe(&ring);
		uring_prep_madvise(sqe, m, (uint32_t)(4 * pg), MADV_WILLNEED);
		ck_assert_int_eq(run1(&ring, sqe), 0);
		/* DONTNEED on private anonymous memory zeroes it. */
		sqe = get_sqe(&ring);
		if (ut_kernel_at_least(6, 7))
			uring_prep_madvise64(sqe, m, (off_t)(4 * pg),
					     MADV_DONTNEED);
		else
			uring_prep_madvise(sqe, m, (uint32_t)(4 * pg),
					   MADV_DONTNEED);
		ck_assert_int_eq(run1(&ring, sqe), 0);
		ck_assert_int_eq(m[0], 0);
		munmap(m, 4 * pg);
	}

	sqe = get_sqe(&ring);
	uring_prep_close(sqe, fd);
	ck_assert_int_eq(run1(&ring, sqe), 0);
	sqe = get_sqe(&ring);
	uring_prep_close(sqe, fd);
	ret = run1(&ring, sqe);
	ck_assert_int_eq(ret, -EBADF);
	tmp_teardown();
	uring_ring_exit(&ring);
}
END_TEST

/* FTRUNCATE shrinks and grows a file. */
START_TEST(file_ftruncate)
{
	struct uring_ring ring;
	struct uring_sqe *sqe;
	struct stat st;
	int fd;

	ut_require_op(URING_OP_FTRUNCATE, "FTRUNCATE");
	ring_init(&ring);
	tmp_setup();
	fd = openat(dfd, "t", O_CREAT | O_RDWR | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "0123456789", 10), 10);
	sqe = get_sqe(&ring);
	uring_prep_ftruncate(sqe, fd, 4);
	ck_assert_int_eq(run1(&ring, sqe), 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert_int_eq(st.st_size, 4);
	sqe = get_sqe(&ring);
	uring_prep_ftruncate(sqe, fd, 65536);
	ck_assert_int_eq(run1(&ring, sqe), 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert_int_eq(st.st_size, 65536);
	sqe = get_sqe(&ring);
	uring_prep_ftruncate(sqe, fd, -1);
	ck_assert_int_eq(run1(&ring, sqe), -EINVAL);
	close(fd);
	tmp_teardown();
	uring_ring_exit(&ring);
}
END_TEST

START_TEST(file_names)
{
	struct uring_ring ring;
	struct uring_sqe *sqe;
	struct statx stx;
	char path[128], buf[64];
	ssize_t n;
	int fd;

	ring_init(&ring);
	tmp_setup();
	fd = openat(dfd, "a", O_CREAT | O_WRONLY, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "data", 4), 4);
	close(fd);

	sqe = get_sqe(&ring);
	uring_prep_mkdirat(sqe, dfd, "d", 0755);
	ck_assert_int_eq(run1(&ring, sqe), 0);
	sqe = get_sqe(&ring);
	uring_prep_mkdirat(sqe, dfd, "d", 0755);
	ck_assert_int_eq(run1(&ring, sqe), -EEXIST);
	snprintf(path, sizeof(path), "%s/d2", tmpdir);
	sqe = get_sqe(&ring);
	uring_prep_mkdir(sqe, path, 0700);
	ck_assert_int_eq(run1(&ring, sqe), 0);
	sqe = get_sqe(&ring);
	uring_prep_statx(sqe, AT_FDCWD, path, 0, STATX_TYPE | STATX_MODE,
			 &stx);
	ck_assert_int_eq(run1(&ring, sqe), 0);
	ut_kernel_wrote(&stx, sizeof(stx));
	ck_assert(S_ISDIR(stx.stx_mode));

	/* renameat a -> d/b, then rename back with absolute paths. */
	sqe = get_sqe(&ring);
	uring_prep_renameat(sqe, dfd, "a", dfd, "d/b", 0);
	ck_assert_int_eq(run1(&ring, sqe), 0);
	ck_assert_int_ne(faccessat(dfd, "a", F_OK, 0), 0);
	ck_assert_int_eq(faccessat(dfd, "d/b", F_OK, 0), 0);
	{
		char from[128], to[128];

		snprintf(from, sizeof(from), "%s/d/b", tmpdir);
		snprintf(to, sizeof(to), "%s/a", tmpdir);
		sqe = get_sqe(&ring);
		uring_prep_rename(sqe, from, to);
		ck_assert_int_eq(run1(&ring, sqe), 0);
		ck_assert_int_eq(faccessat(dfd, "a", F_OK, 0), 0);
	}
	/* RENAME_NOREPLACE refuses to overwrite. */
	ck_assert_int_eq(close(openat(dfd, "c", O_CREAT | O_WRONLY, 0644)), 0);
	sqe = get_sqe(&ring);
	uring_prep_renameat(sqe, dfd, "a", dfd, "c", RENAME_NOREPLACE);
	ck_assert_int_eq(run1(&ring, sqe), -EEXIST);

	/* symlinks */
	sqe = get_sqe(&ring);
	uring_prep_symlinkat(sqe, "a", dfd, "sa");
	ck_assert_int_eq(run1(&ring, sqe), 0);
	n = readlinkat(dfd, "sa", buf, sizeof(buf));
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(buf[0], 'a');
	snprintf(path, sizeof(path), "%s/sb", tmpdir);
	sqe = get_sqe(&ring);
	uring_prep_symlink(sqe, "target-that-is-not-there", path);
	ck_assert_int_eq(run1(&ring, sqe), 0);
	sqe = get_sqe(&ring);
	uring_prep_statx(sqe, dfd, "sb", AT_SYMLINK_NOFOLLOW, STATX_TYPE, &stx);
	ck_assert_int_eq(run1(&ring, sqe), 0);
	ut_kernel_wrote(&stx, sizeof(stx));
	ck_assert(S_ISLNK(stx.stx_mode));

	/* hard links: nlink goes to 3 */
	sqe = get_sqe(&ring);
	uring_prep_linkat(sqe, dfd, "a", dfd, "la", 0);
	ck_assert_int_eq(run1(&ring, sqe), 0);
	{
		char from[128], to[128];

		snprintf(from, sizeof(from), "%s/sa", tmpdir);
		snprintf(to, sizeof(to), "%s/lb", tmpdir);
		sqe = get_sqe(&ring);
		uring_prep_link(sqe, from, to, AT_SYMLINK_FOLLOW);
		ck_assert_int_eq(run1(&ring, sqe), 0);
	}
	sqe = get_sqe(&ring);
	uring_prep_statx(sqe, dfd, "a", 0, STATX_NLINK, &stx);
	ck_assert_int_eq(run1(&ring, sqe), 0);
	ut_kernel_wrote(&stx, sizeof(stx));
	ck_assert_uint_eq(stx.stx_nlink, 3);

	/* unlink */
	sqe = get_sqe(&ring);
	uring_prep_unlinkat(sqe, dfd, "la", 0);
	ck_assert_int_eq(run1(&ring, sqe), 0);
	snprintf(path, sizeof(path), "%s/lb", tmpdir);
	sqe = get_sqe(&ring);
	uring_prep_unlink(sqe, path, 0);
	ck_assert_int_eq(run1(&ring, sqe), 0);
	sqe = get_sqe(&ring);
	uring_prep_unlinkat(sqe, dfd, "d", 0);
	ck_assert_int_eq(run1(&ring, sqe), -EISDIR);
	sqe = get_sqe(&ring);
	uring_prep_unlinkat(sqe, dfd, "d", AT_REMOVEDIR);
	ck_assert_int_eq(run1(&ring, sqe), 0);
	sqe = get_sqe(&ring);
	uring_prep_unlinkat(sqe, dfd, "nope", 0);
	ck_assert_int_eq(run1(&ring, sqe), -ENOENT);

	/* openat2 with RESOLVE_BENEATH refuses to climb out of dfd. */
	{
		struct open_how how = {.flags = O_RDONLY | O_CLOEXEC,
				       .resolve = RESOLVE_BENEATH};

		sqe = get_sqe(&ring);
		uring_prep_openat2(sqe, dfd, "a", &how);
		fd = run1(&ring, sqe);
		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(read(fd, buf, 4), 4);
		ck_assert_mem_eq(buf, "data", 4);
		close(fd);
		sqe = get_sqe(&ring);
		uring_prep_openat2(sqe, dfd, "../etc/passwd", &how);
		ck_assert_int_eq(run1(&ring, sqe), -EXDEV);
	}
	snprintf(path, sizeof(path), "%s/a", tmpdir);
	sqe = get_sqe(&ring);
	uring_prep_open(sqe, path, O_RDONLY, 0);
	fd = run1(&ring, sqe);
	ck_assert_int_ge(fd, 0);
	close(fd);
	tmp_teardown();
	uring_ring_exit(&ring);
}
END_TEST

START_TEST(xattrs)
{
	struct uring_ring ring;
	struct uring_sqe *sqe;
	char path[128], val[32] = {0};
	int fd, ret;

	ut_require_op(URING_OP_SETXATTR, "SETXATTR");
	ring_init(&ring);
	tmp_setup();
	fd = openat(dfd, "x", O_CREAT | O_RDWR, 0644);
	ck_assert_int_ge(fd, 0);
	snprintf(path, sizeof(path), "%s/x", tmpdir);

	sqe = get_sqe(&ring);
	uring_prep_fsetxattr(sqe, fd, "user.one", "v1", 0, 2);
	ret = run1(&ring, sqe);
	if (ret == -EOPNOTSUPP) {
		/* The file system has no user xattrs: the kernel said so. */
		fprintf(stderr, "note: %s has no user xattrs\n", tmpdir);
		goto out;
	}
	ck_assert_int_eq(ret, 0);
	sqe = get_sqe(&ring);
	uring_prep_fgetxattr(sqe, fd, "user.one", val, sizeof(val));
	ck_assert_int_eq(run1(&ring, sqe), 2);
	ck_assert_mem_eq(val, "v1", 2);

	sqe = get_sqe(&ring);
	uring_prep_setxattr(sqe, "user.two", "value2", path, XATTR_CREATE, 6);
	ck_assert_int_eq(run1(&ring, sqe), 0);
	sqe = get_sqe(&ring);
	uring_prep_setxattr(sqe, "user.two", "value2", path, XATTR_CREATE, 6);
	ck_assert_int_eq(run1(&ring, sqe), -EEXIST);
	sqe = get_sqe(&ring);
	uring_prep_getxattr(sqe, "user.two", val, path, sizeof(val));
	ck_assert_int_eq(run1(&ring, sqe), 6);
	ck_assert_mem_eq(val, "value2", 6);
	/* Size 0 asks for the length only. */
	sqe = get_sqe(&ring);
	uring_prep_getxattr(sqe, "user.two", NULL, path, 0);
	ck_assert_int_eq(run1(&ring, sqe), 6);
	sqe = get_sqe(&ring);
	uring_prep_fgetxattr(sqe, fd, "user.none", val, sizeof(val));
	ck_assert_int_eq(run1(&ring, sqe), -ENODATA);
	ck_assert_int_eq(fgetxattr(fd, "user.two", val, sizeof(val)), 6);
out:
	close(fd);
	tmp_teardown();
	uring_ring_exit(&ring);
}
END_TEST

/* ------------------------------------------------- direct descriptors */

START_TEST(direct_files)
{
	struct uring_ring ring;
	struct uring_sqe *sqe;
	char buf[16] = {0};
	int fd, slot, fds[2], ret;

	ring_init(&ring);
	tmp_setup();
	fd = openat(dfd, "f", O_CREAT | O_RDWR, 0644);
	ck_assert_int_eq(write(fd, "direct", 6), 6);
	close(fd);
	register_sparse_files(&ring, 8);

	/* Into slot 2: res 0, and the slot reads like the file. */
	sqe = get_sqe(&ring);
	uring_prep_openat_direct(sqe, dfd, "f", O_RDWR, 0, 2);
	ck_assert_int_eq(run1(&ring, sqe), 0);
	sqe = get_sqe(&ring);
	uring_prep_read(sqe, 2, buf, sizeof(buf), 0);
	uring_sqe_fixed_file(sqe);
	ck_assert_int_eq(run1(&ring, sqe), 6);
	ck_assert_mem_eq(buf, "direct", 6);
	/* O_CLOEXEC makes no sense for a direct descriptor. */
	sqe = get_sqe(&ring);
	uring_prep_openat_direct(sqe, dfd, "f", O_RDWR | O_CLOEXEC, 0, 3);
	ck_assert_int_eq(run1(&ring, sqe), -EINVAL);

	/* Any free slot: res is the slot. */
	{
		char path[128];

		snprintf(path, sizeof(path), "%s/f", tmpdir);
		sqe = get_sqe(&ring);
		uring_prep_open_direct(sqe, path, O_RDONLY, 0,
				       URING_FILE_INDEX_ALLOC);
		slot = run1(&ring, sqe);
		ck_assert_msg(slot >= 0 && slot < 8 && slot != 2, "slot %d",
			      slot);
	}
	{
		struct open_how how = {.flags = O_RDONLY};

		sqe = get_sqe(&ring);
		uring_prep_openat2_direct(sqe, dfd, "f", &how, 7);
		ck_assert_int_eq(run1(&ring, sqe), 0);
	}

	/* (fixed_fd_install, 6.8: direct_fd_install) */
	/* close_direct empties the slot. */
	sqe = get_sqe(&ring);
	uring_prep_close_direct(sqe, 7);
	ck_assert_int_eq(run1(&ring, sqe), 0);
	sqe = get_sqe(&ring);
	uring_prep_read(sqe, 7, buf, 1, 0);
	uring_sqe_fixed_file(sqe);
	ck_assert_int_eq(run1(&ring, sqe), -EBADF);

	/* files_update: a pipe into slots 4 and 5, then -1 empties 5. */
	ck_assert_int_eq(pipe(fds), 0);
	sqe = get_sqe(&ring);
	uring_prep_files_update(sqe, fds, 2, 4);
	ck_assert_int_eq(run1(&ring, sqe), 2);
	sqe = get_sqe(&ring);
	uring_prep_write(sqe, 5, "via5", 4, 0);
	uring_sqe_fixed_file(sqe);
	ck_assert_int_eq(run1(&ring, sqe), 4);
	ck_assert_int_eq(read(fds[0], buf, 4), 4);
	ck_assert_mem_eq(buf, "via5", 4);
	{
		int upd[2] = {URING_REGISTER_FILES_SKIP, -1};

		sqe = get_sqe(&ring);
		uring_prep_files_update(sqe, upd, 2, 4);
		ck_assert_int_eq(run1(&ring, sqe), 2);
	}
	sqe = get_sqe(&ring);
	uring_prep_write(sqe, 5, "x", 1, 0);
	uring_sqe_fixed_file(sqe);
	ck_assert_int_eq(run1(&ring, sqe), -EBADF);
	/* offset ALLOC: the kernel writes the slots it chose into fds. */
	{
		int upd[1] = {fds[1]};

		sqe = get_sqe(&ring);
		uring_prep_files_update(sqe, upd, 1, (int)URING_FILE_INDEX_ALLOC);
		ret = run1(&ring, sqe);
		ck_assert_int_eq(ret, 1);
		ck_assert_msg(upd[0] >= 0 && upd[0] < 8, "slot %d", upd[0]);
		sqe = get_sqe(&ring);
		uring_prep_write(sqe, upd[0], "al", 2, 0);
		uring_sqe_fixed_file(sqe);
		ck_assert_int_eq(run1(&ring, sqe), 2);
		ck_assert_int_eq(read(fds[0], buf, 2), 2);
		ck_assert_mem_eq(buf, "al", 2);
	}
	close(fds[0]);
	close(fds[1]);
	tmp_teardown();
	uring_ring_exit(&ring);
}
END_TEST

/* fixed_fd_install (6.8): a normal fd for a direct descriptor. */
START_TEST(direct_fd_install)
{
	struct uring_ring ring;
	struct uring_sqe *sqe;
	char buf[16] = {0};
	int fd;

	ut_require_op(URING_OP_FIXED_FD_INSTALL, "FIXED_FD_INSTALL");
	ring_init(&ring);
	tmp_setup();
	fd = openat(dfd, "f", O_CREAT | O_RDWR, 0644);
	ck_assert_int_eq(write(fd, "direct", 6), 6);
	close(fd);
	register_sparse_files(&ring, 8);
	sqe = get_sqe(&ring);
	uring_prep_openat_direct(sqe, dfd, "f", O_RDONLY, 0, 7);
	ck_assert_int_eq(run1(&ring, sqe), 0);
	sqe = get_sqe(&ring);
	uring_prep_fixed_fd_install(sqe, 7, 0);
	fd = run1(&ring, sqe);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	ck_assert_int_eq(pread(fd, buf, 3, 3), 3);
	ck_assert_mem_eq(buf, "ect", 3);
	close(fd);
	sqe = get_sqe(&ring);
	uring_prep_fixed_fd_install(sqe, 7, URING_FIXED_FD_NO_CLOEXEC);
	fd = run1(&ring, sqe);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
	close(fd);
	tmp_teardown();
	uring_ring_exit(&ring);
}
END_TEST

/* ---------------------------------------------------- fixed buffers */

enum { FIXED_SZ = 8192 };

/* A ring with one registered buffer of FIXED_SZ bytes, and a file. */
static char *fixed_setup(struct uring_ring *ring, int *fd)
{
	struct iovec reg;
	char *mem;

	ring_init(ring);
	tmp_setup();
	mem = mmap(NULL, FIXED_SZ, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(mem, MAP_FAILED);
	reg.iov_base = mem;
	reg.iov_len = FIXED_SZ;
	ck_assert_int_eq(raw_register(ring, URING_REGISTER_BUFFERS, &reg, 1),
			 0);
	*fd = openat(dfd, "f", O_CREAT | O_RDWR, 0644);
	ck_assert_int_ge(*fd, 0);
	return mem;
}

static void fixed_teardown(struct uring_ring *ring, char *mem, int fd)
{
	close(fd);
	munmap(mem, FIXED_SZ);
	tmp_teardown();
	uring_ring_exit(ring);
}

START_TEST(fixed_buffers)
{
	struct uring_ring ring;
	struct uring_sqe *sqe;
	int fd;
	char *mem = fixed_setup(&ring, &fd);

	memcpy(mem + 10, "fixed-write", 11);
	sqe = get_sqe(&ring);
	uring_prep_write_fixed(sqe, fd, mem + 10, 11, 0, 0);
	ck_assert_int_eq(run1(&ring, sqe), 11);
	sqe = get_sqe(&ring);
	uring_prep_read_fixed(sqe, fd, mem + 4096, 11, 0, 0);
	ck_assert_int_eq(run1(&ring, sqe), 11);
	ck_assert_mem_eq(mem + 4096, "fixed-write", 11);
	/* A buffer outside the registered range is refused. */
	{
		char outside[16];

		sqe = get_sqe(&ring);
		uring_prep_read_fixed(sqe, fd, outside, 11, 0, 0);
		ck_assert_int_eq(run1(&ring, sqe), -EFAULT);
	}
	fixed_teardown(&ring, mem, fd);
}
END_TEST

/* READV_FIXED/WRITEV_FIXED (6.15): vectors inside a registered buffer. */
START_TEST(fixed_buffers_vectored)
{
	struct uring_ring ring;
	struct uring_sqe *sqe;
	char *mem;
	int fd;

	ut_require_op(URING_OP_READV_FIXED, "READV_FIXED");
	mem = fixed_setup(&ring, &fd);
	{
		struct iovec wv[2] = {{mem + 100, 3}, {mem + 200, 4}};
		struct iovec rv[2] = {{mem + 5000, 4}, {mem + 6000, 3}};

		memcpy(mem + 100, "abc", 3);
		memcpy(mem + 200, "defg", 4);
		sqe = get_sqe(&ring);
		uring_prep_writev_fixed(sqe, fd, wv, 2, 50, 0, 0);
		ck_assert_int_eq(run1(&ring, sqe), 7);
		sqe = get_sqe(&ring);
		uring_prep_readv_fixed(sqe, fd, rv, 2, 50, 0, 0);
		ck_assert_int_eq(run1(&ring, sqe), 7);
		ck_assert_mem_eq(mem + 5000, "abcd", 4);
		ck_assert_mem_eq(mem + 6000, "efg", 3);
	}
	fixed_teardown(&ring, mem, fd);
}
END_TEST

/* ----------------------------------------------------------- pipes */

START_TEST(pipes_splice_tee)
{
	struct uring_ring ring;
	struct uring_sqe *sqe;
	int p1[2], p2[2], fd;
	char buf[32] = {0};

	ring_init(&ring);
	tmp_setup();
	fd = openat(dfd, "f", O_CREAT | O_RDWR, 0644);
	ck_assert_int_eq(pwrite(fd, "0123456789", 10, 0), 10);

	/* OP_PIPE (6.16) has a case of its own: pipe_ops */
	ck_assert_int_eq(pipe(p1), 0);
	ck_assert_int_eq(pipe(p2), 0);

	/* file (offset 2) -> pipe */
	sqe = get_sqe(&ring);
	uring_prep_splice(sqe, fd, 2, p1[1], -1, 5, 0);
	ck_assert_int_eq(run1(&ring, sqe), 5);
	/* tee duplicates pipe 1 into pipe 2 without consuming it */
	sqe = get_sqe(&ring);
	uring_prep_tee(sqe, p1[0], p2[1], 5, 0);
	ck_assert_int_eq(run1(&ring, sqe), 5);
	ck_assert_int_eq(read(p2[0], buf, sizeof(buf)), 5);
	ck_assert_mem_eq(buf, "23456", 5);
	/* pipe -> file at offset 20 */
	sqe = get_sqe(&ring);
	uring_prep_splice(sqe, p1[0], -1, fd, 20, 5, 0);
	ck_assert_int_eq(run1(&ring, sqe), 5);
	ck_assert_int_eq(pread(fd, buf, 5, 20), 5);
	ck_assert_mem_eq(buf, "23456", 5);

	close(p1[0]);
	close(p1[1]);
	close(p2[0]);
	close(p2[1]);
	close(fd);
	tmp_teardown();
	uring_ring_exit(&ring);
}
END_TEST

/* OP_PIPE: a pipe, and one into registered slots. */
START_TEST(pipe_ops)
{
	struct uring_ring ring;
	struct uring_sqe *sqe;
	int p1[2];
	char buf[32] = {0};

	ut_require_op(URING_OP_PIPE, "PIPE");
	ring_init(&ring);
	sqe = get_sqe(&ring);
	uring_prep_pipe(sqe, p1, O_CLOEXEC);
	ck_assert_int_eq(run1(&ring, sqe), 0);
	ut_kernel_wrote(p1, sizeof(p1));
	ck_assert_int_ge(p1[0], 0);
	ck_assert_int_ge(p1[1], 0);
	ck_assert_int_eq(fcntl(p1[0], F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	ck_assert_int_eq(write(p1[1], "op", 2), 2);
	ck_assert_int_eq(read(p1[0], buf, sizeof(buf)), 2);

	/* pipe_direct: both ends land in registered slots. */
	register_sparse_files(&ring, 4);
	{
		int dp[2] = {-1, -1};

		sqe = get_sqe(&ring);
		uring_prep_pipe_direct(sqe, dp, 0, 1);
		ck_assert_int_eq(run1(&ring, sqe), 0);
		ck_assert_int_eq(dp[0], 1);
		ck_assert_int_eq(dp[1], 2);
		sqe = get_sqe(&ring);
		uring_prep_write(sqe, dp[1], "pd", 2, 0);
		uring_sqe_fixed_file(sqe);
		ck_assert_int_eq(run1(&ring, sqe), 2);
		sqe = get_sqe(&ring);
		uring_prep_read(sqe, dp[0], buf, sizeof(buf), 0);
		uring_sqe_fixed_file(sqe);
		ck_assert_int_eq(run1(&ring, sqe), 2);
		ck_assert_mem_eq(buf, "pd", 2);
		sqe = get_sqe(&ring);
		uring_prep_pipe_direct(sqe, dp, O_CLOEXEC,
				       URING_FILE_INDEX_ALLOC);
		ck_assert_int_eq(run1(&ring, sqe), -EINVAL);
	}
	close(p1[0]);
	close(p1[1]);
	uring_ring_exit(&ring);
}
END_TEST

/* Multishot read of a pipe into legacy provided buffers. */
START_TEST(read_multishot)
{
	static char bufs[4][32];
	struct uring_ring ring;
	struct uring_sqe *sqe;
	struct ut_cqe c;
	int p[2];

	ut_require_op(URING_OP_READ_MULTISHOT, "READ_MULTISHOT");
	ring_init(&ring);
	ck_assert_int_eq(pipe(p), 0);
	sqe = get_sqe(&ring);
	uring_prep_provide_buffers(sqe, bufs, 32, 4, 1, 0);
	ck_assert_int_eq(run1(&ring, sqe), 0);

	sqe = get_sqe(&ring);
	uring_prep_read_multishot(sqe, p[0], 0, 0, 1);
	sqe->user_data = 1;
	ck_assert_int_eq(uring_ring_submit(&ring), 1);
	ck_assert_int_eq(write(p[1], "one", 3), 3);
	c = reap(&ring);
	ck_assert_int_eq(c.res, 3);
	ck_assert(c.flags & URING_CQE_F_MORE);
	ck_assert(c.flags & URING_CQE_F_BUFFER);
	ck_assert_mem_eq(bufs[c.flags >> URING_CQE_BUFFER_SHIFT], "one", 3);
	ck_assert_int_eq(write(p[1], "two!", 4), 4);
	c = reap(&ring);
	ck_assert_int_eq(c.res, 4);
	ck_assert(c.flags & URING_CQE_F_MORE);
	ck_assert_mem_eq(bufs[c.flags >> URING_CQE_BUFFER_SHIFT], "two!", 4);
	/* EOF ends it. */
	close(p[1]);
	c = reap(&ring);
	ck_assert_int_eq(c.res, 0);
	ck_assert(!(c.flags & URING_CQE_F_MORE));
	close(p[0]);
	uring_ring_exit(&ring);
}
END_TEST

/* ------------------------------------------------------------ poll */

START_TEST(poll_ops)
{
	struct uring_ring ring;
	struct uring_sqe *sqe;
	struct ut_cqe c[2];
	char buf[8];
	int p[2];

	ring_init(&ring);
	ck_assert_int_eq(pipe(p), 0);

	/* one-shot */
	sqe = get_sqe(&ring);
	uring_prep_poll_add(sqe, p[0], POLLIN);
	sqe->user_data = 1;
	ck_assert(cq_quiet(&ring, 20));
	ck_assert_int_eq(write(p[1], "a", 1), 1);
	reap_n(&ring, c, 1);
	ck_assert_uint_eq(c[0].user_data, 1);
	ck_assert_int_eq(c[0].res & POLLIN, POLLIN);
	ck_assert(!(c[0].flags & URING_CQE_F_MORE));
	ck_assert_int_eq(read(p[0], buf, 1), 1);

	/* multishot: one CQE per edge, still armed */
	sqe = get_sqe(&ring);
	uring_prep_poll_multishot(sqe, p[0], POLLIN);
	sqe->user_data = 2;
	ck_assert(cq_quiet(&ring, 20));
	ck_assert_int_eq(write(p[1], "b", 1), 1);
	reap_n(&ring, c, 1);
	ck_assert_int_eq(c[0].res & POLLIN, POLLIN);
	ck_assert(c[0].flags & URING_CQE_F_MORE);
	ck_assert_int_eq(read(p[0], buf, 1), 1);
	ck_assert_int_eq(write(p[1], "c", 1), 1);
	reap_n(&ring, c, 1);
	ck_assert(c[0].flags & URING_CQE_F_MORE);
	ck_assert_int_eq(read(p[0], buf, 1), 1);

	/* update: new user_data 3, keep multishot */
	sqe = get_sqe(&ring);
	uring_prep_poll_update(sqe, 2, 3, POLLIN,
			       URING_POLL_UPDATE_USER_DATA |
				       URING_POLL_UPDATE_EVENTS |
				       URING_POLL_ADD_MULTI);
	sqe->user_data = 10;
	reap_n(&ring, c, 1);
	ck_assert_uint_eq(c[0].user_data, 10);
	ck_assert_int_eq(c[0].res, 0);
	ck_assert_int_eq(write(p[1], "d", 1), 1);
	reap_n(&ring, c, 1);
	ck_assert_uint_eq(c[0].user_data, 3);
	ck_assert(c[0].flags & URING_CQE_F_MORE);
	ck_assert_int_eq(read(p[0], buf, 1), 1);

	/* remove: the poll ends with -ECANCELED, the remove with 0 */
	sqe = get_sqe(&ring);
	uring_prep_poll_remove(sqe, 3);
	sqe->user_data = 11;
	reap_n(&ring, c, 2);
	ck_assert_int_eq(find(c, 2, 11)->res, 0);
	ck_assert_int_eq(find(c, 2, 3)->res, -ECANCELED);
	ck_assert(!(find(c, 2, 3)->flags & URING_CQE_F_MORE));
	sqe = get_sqe(&ring);
	uring_prep_poll_remove(sqe, 3);
	ck_assert_int_eq(run1(&ring, sqe), -ENOENT);
	close(p[0]);
	close(p[1]);
	uring_ring_exit(&ring);
}
END_TEST

START_TEST(epoll_ops)
{
	struct uring_ring ring;
	struct uring_sqe *sqe;
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 0xabc};
	struct epoll_event out[4];
	struct ut_cqe c;
	int ep, p[2];

	ut_require_op(URING_OP_EPOLL_CTL, "EPOLL_CTL");
	ring_init(&ring);
	ep = epoll_create1(EPOLL_CLOEXEC);
	ck_assert_int_ge(ep, 0);
	ck_assert_int_eq(pipe(p), 0);
	sqe = get_sqe(&ring);
	uring_prep_epoll_ctl(sqe, ep, p[0], EPOLL_CTL_ADD, &ev);
	ck_assert_int_eq(run1(&ring, sqe), 0);
	sqe = get_sqe(&ring);
	uring_prep_epoll_ctl(sqe, ep, p[0], EPOLL_CTL_ADD, &ev);
	ck_assert_int_eq(run1(&ring, sqe), -EEXIST);

	ut_require_op(URING_OP_EPOLL_WAIT, "EPOLL_WAIT");
	sqe = get_sqe(&ring);
	uring_prep_epoll_wait(sqe, ep, out, 4, 0);
	sqe->user_data = 1;
	ck_assert(cq_quiet(&ring, 20));
	ck_assert_int_eq(write(p[1], "e", 1), 1);
	c = reap(&ring);
	ck_assert_uint_eq(c.user_data, 1);
	ck_assert_int_eq(c.res, 1);
	ut_kernel_wrote(out, sizeof(out[0]) * (size_t)c.res);
	ck_assert_uint_eq(out[0].data.u64, 0xabc);
	ck_assert(out[0].events & EPOLLIN);

	sqe = get_sqe(&ring);
	uring_prep_epoll_ctl(sqe, ep, p[0], EPOLL_CTL_DEL, NULL);
	ck_assert_int_eq(run1(&ring, sqe), 0);
	close(ep);
	close(p[0]);
	close(p[1]);
	uring_ring_exit(&ring);
}
END_TEST

/* ------------------------------------------- futexes and processes */

START_TEST(futex_ops)
{
	static uint32_t fut, fut2;
	struct uring_ring ring;
	struct uring_sqe *sqe;
	struct ut_cqe c[2];
	const unsigned ff = FUTEX2_SIZE_U32 | FUTEX2_PRIVATE;

	ut_require_op(URING_OP_FUTEX_WAIT, "FUTEX_WAIT");
	ring_init(&ring);
	fut = 1;
	/* The value differs: -EAGAIN at once. */
	sqe = get_sqe(&ring);
	uring_prep_futex_wait(sqe, &fut, 0, FUTEX_BITSET_MATCH_ANY, ff, 0);
	ck_assert_int_eq(run1(&ring, sqe), -EAGAIN);

	sqe = get_sqe(&ring);
	uring_prep_futex_wait(sqe, &fut, 1, FUTEX_BITSET_MATCH_ANY, ff, 0);
	sqe->user_data = 1;
	ck_assert(cq_quiet(&ring, 20));
	sqe = get_sqe(&ring);
	uring_prep_futex_wake(sqe, &fut, 1, FUTEX_BITSET_MATCH_ANY, ff, 0);
	sqe->user_data = 2;
	reap_n(&ring, c, 2);
	ck_assert_int_eq(find(c, 2, 1)->res, 0);
	ck_assert_int_eq(find(c, 2, 2)->res, 1);
	/* Nobody waits now. */
	sqe = get_sqe(&ring);
	uring_prep_futex_wake(sqe, &fut, 1, FUTEX_BITSET_MATCH_ANY, ff, 0);
	ck_assert_int_eq(run1(&ring, sqe), 0);

	/* waitv on two: res is the index of the one woken. */
	{
		struct futex_waitv wv[2];

		memset(wv, 0, sizeof(wv));
		fut2 = 5;
		wv[0].uaddr = (uint64_t)(uintptr_t)&fut;
		wv[0].val = 1;
		wv[0].flags = ff;
		wv[1].uaddr = (uint64_t)(uintptr_t)&fut2;
		wv[1].val = 5;
		wv[1].flags = ff;
		sqe = get_sqe(&ring);
		uring_prep_futex_waitv(sqe, wv, 2, 0);
		sqe->user_data = 3;
		ck_assert(cq_quiet(&ring, 20));
		sqe = get_sqe(&ring);
		uring_prep_futex_wake(sqe, &fut2, 1, FUTEX_BITSET_MATCH_ANY,
				      ff, 0);
		sqe->user_data = 4;
		reap_n(&ring, c, 2);
		ck_assert_int_eq(find(c, 2, 3)->res, 1);
		ck_assert_int_eq(find(c, 2, 4)->res, 1);
	}
	uring_ring_exit(&ring);
}
END_TEST

START_TEST(waitid_child)
{
	struct uring_ring ring;
	struct uring_sqe *sqe;
	siginfo_t si;
	pid_t pid;

	ut_require_op(URING_OP_WAITID, "WAITID");
	ring_init(&ring);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		usleep(20000);
		_exit(7);
	}
	memset(&si, 0, sizeof(si));
	sqe = get_sqe(&ring);
	uring_prep_waitid(sqe, P_PID, (id_t)pid, &si, WEXITED, 0);
	ck_assert_int_eq(run1(&ring, sqe), 0);
	ck_assert_int_eq(si.si_pid, pid);
	ck_assert_int_eq(si.si_code, CLD_EXITED);
	ck_assert_int_eq(si.si_status, 7);
	/* reaped: nothing left to wait for */
	sqe = get_sqe(&ring);
	uring_prep_waitid(sqe, P_PID, (id_t)pid, &si, WEXITED, 0);
	ck_assert_int_eq(run1(&ring, sqe), -ECHILD);
	uring_ring_exit(&ring);
}
END_TEST

/* ------------------------------------------- timeouts, cancellation */

START_TEST(timeouts)
{
	struct uring_ring ring;
	struct uring_sqe *sqe;
	struct uring_timespec ts = {.tv_nsec = 10 * 1000000L};
	struct uring_timespec big = {.tv_sec = 30};
	struct ut_cqe c[4];

	ring_init(&ring);
	sqe = get_sqe(&ring);
	uring_prep_timeout(sqe, &ts, 0, 0);
	ck_assert_int_eq(run1(&ring, sqe), -ETIME);
	sqe = get_sqe(&ring);
	uring_prep_timeout(sqe, &ts, 0, URING_TIMEOUT_ETIME_SUCCESS);
	ck_assert_int_eq(run1(&ring, sqe), -ETIME);

	/* count 1: completes with 0 once one other request completes */
	sqe = get_sqe(&ring);
	uring_prep_timeout(sqe, &big, 1, 0);
	sqe->user_data = 1;
	sqe = get_sqe(&ring);
	uring_prep_nop(sqe);
	sqe->user_data = 2;
	reap_n(&ring, c, 2);
	ck_assert_int_eq(find(c, 2, 1)->res, 0);
	ck_assert_int_eq(find(c, 2, 2)->res, 0);

	/* remove */
	sqe = get_sqe(&ring);
	uring_prep_timeout(sqe, &big, 0, 0);
	sqe->user_data = 3;
	sqe = get_sqe(&ring);
	uring_prep_timeout_remove(sqe, 3, 0);
	sqe->user_data = 4;
	reap_n(&ring, c, 2);
	ck_assert_int_eq(find(c, 2, 3)->res, -ECANCELED);
	ck_assert_int_eq(find(c, 2, 4)->res, 0);
	sqe = get_sqe(&ring);
	uring_prep_timeout_remove(sqe, 3, 0);
	ck_assert_int_eq(run1(&ring, sqe), -ENOENT);

	/* update: 30 s becomes 10 ms */
	sqe = get_sqe(&ring);
	uring_prep_timeout(sqe, &big, 0, 0);
	sqe->user_data = 5;
	sqe = get_sqe(&ring);
	uring_prep_timeout_update(sqe, &ts, 5, 0);
	sqe->user_data = 6;
	reap_n(&ring, c, 2);
	ck_assert_int_eq(find(c, 2, 6)->res, 0);
	ck_assert_int_eq(find(c, 2, 5)->res, -ETIME);
	uring_ring_exit(&ring);
}
END_TEST

/* Multishot timeouts (6.4). */
START_TEST(timeouts_multishot)
{
	struct uring_ring ring;
	struct uring_sqe *sqe;
	struct uring_timespec ts = {.tv_nsec = 10 * 1000000L};
	struct ut_cqe c[4];
	int i;

	ut_require_kernel(6, 4, "IORING_TIMEOUT_MULTISHOT");
	ring_init(&ring);
	/* three shots, F_MORE on all but the last */
	sqe = get_sqe(&ring);
	uring_prep_timeout_multishot(sqe, &ts, 3, 0);
	sqe->user_data = 7;
	reap_n(&ring, c, 3);
	for (i = 0; i < 3; i++) {
		ck_assert_uint_eq(c[i].user_data, 7);
		ck_assert_int_eq(c[i].res, -ETIME);
		ck_assert_int_eq(!!(c[i].flags & URING_CQE_F_MORE), i < 2);
	}
	/* count 0: until cancelled */
	sqe = get_sqe(&ring);
	uring_prep_timeout_multishot(sqe, &ts, 0, 0);
	sqe->user_data = 8;
	reap_n(&ring, c, 2);
	ck_assert(c[1].flags & URING_CQE_F_MORE);
	sqe = get_sqe(&ring);
	uring_prep_timeout_remove(sqe, 8, 0);
	sqe->user_data = 9;
	for (i = 0; i < 4; i++) {
		reap_n(&ring, &c[0], 1);
		if (c[0].user_data == 8 && !(c[0].flags & URING_CQE_F_MORE))
			break;
	}
	ck_assert_int_lt(i, 4);
	ck_assert_int_eq(c[0].res, -ECANCELED);
	uring_ring_exit(&ring);
}
END_TEST

START_TEST(cancel_ops)
{
	struct uring_ring ring;
	struct uring_sqe *sqe;
	struct ut_cqe c[3];
	static int tag;
	int p[2];

	ring_init(&ring);
	ck_assert_int_eq(pipe(p), 0);

	/* cancel by pointer user_data */
	sqe = get_sqe(&ring);
	uring_prep_poll_add(sqe, p[0], POLLIN);
	uring_cqe_set_data(sqe, &tag);
	sqe = get_sqe(&ring);
	uring_prep_cancel(sqe, &tag, 0);
	sqe->user_data = 1;
	reap_n(&ring, c, 2);
	ck_assert_int_eq(find(c, 2, 1)->res, 0);
	ck_assert_int_eq(find(c, 2, (uintptr_t)&tag)->res, -ECANCELED);
	/* nothing left to cancel */
	sqe = get_sqe(&ring);
	uring_prep_cancel(sqe, &tag, 0);
	ck_assert_int_eq(run1(&ring, sqe), -ENOENT);

	/* cancel_fd with ALL: both reads of p[0] go, res = 2 */
	sqe = get_sqe(&ring);
	uring_prep_poll_add(sqe, p[0], POLLIN);
	sqe->user_data = 2;
	sqe = get_sqe(&ring);
	uring_prep_poll_add(sqe, p[0], POLLIN);
	sqe->user_data = 3;
	ck_assert(cq_quiet(&ring, 10));
	sqe = get_sqe(&ring);
	uring_prep_cancel_fd(sqe, p[0], URING_ASYNC_CANCEL_ALL);
	sqe->user_data = 4;
	reap_n(&ring, c, 3);
	ck_assert_int_eq(find(c, 3, 4)->res, 2);
	ck_assert_int_eq(find(c, 3, 2)->res, -ECANCELED);
	ck_assert_int_eq(find(c, 3, 3)->res, -ECANCELED);

	/* cancel64 with ANY: matches whatever is in flight */
	sqe = get_sqe(&ring);
	uring_prep_poll_add(sqe, p[0], POLLIN);
	sqe->user_data = 5;
	ck_assert(cq_quiet(&ring, 10));
	sqe = get_sqe(&ring);
	uring_prep_cancel64(sqe, 0, URING_ASYNC_CANCEL_ANY);
	sqe->user_data = 6;
	reap_n(&ring, c, 2);
	ck_assert_int_eq(find(c, 2, 6)->res, 1); /* ANY: res = count */
	ck_assert_int_eq(find(c, 2, 5)->res, -ECANCELED);
	close(p[0]);
	close(p[1]);
	uring_ring_exit(&ring);
}
END_TEST

/* --------------------------------------------------------- SQE flags */

START_TEST(sqe_flags)
{
	struct uring_ring ring;
	struct uring_sqe *sqe;
	struct ut_cqe c[3];
	char buf[4];

	ring_init(&ring);
	/* link: a failing head cancels its follower */
	sqe = get_sqe(&ring);
	uring_prep_read(sqe, -1, buf, sizeof(buf), 0);
	uring_sqe_link(sqe);
	sqe->user_data = 1;
	sqe = get_sqe(&ring);
	uring_prep_nop(sqe);
	sqe->user_data = 2;
	reap_n(&ring, c, 2);
	ck_assert_int_eq(find(c, 2, 1)->res, -EBADF);
	ck_assert_int_eq(find(c, 2, 2)->res, -ECANCELED);

	/* hardlink: the follower runs anyway */
	sqe = get_sqe(&ring);
	uring_prep_read(sqe, -1, buf, sizeof(buf), 0);
	uring_sqe_hardlink(sqe);
	sqe->user_data = 1;
	sqe = get_sqe(&ring);
	uring_prep_nop(sqe);
	sqe->user_data = 2;
	reap_n(&ring, c, 2);
	ck_assert_int_eq(find(c, 2, 1)->res, -EBADF);
	ck_assert_int_eq(find(c, 2, 2)->res, 0);

	/* skip_success: a NOP posts nothing, a failing read still does */
	sqe = get_sqe(&ring);
	uring_prep_nop(sqe);
	uring_sqe_skip_success(sqe);
	sqe->user_data = 3;
	sqe = get_sqe(&ring);
	uring_prep_read(sqe, -1, buf, sizeof(buf), 0);
	uring_sqe_skip_success(sqe);
	sqe->user_data = 4;
	reap_n(&ring, c, 1);
	ck_assert_uint_eq(c[0].user_data, 4);
	ck_assert_int_eq(c[0].res, -EBADF);
	ck_assert(cq_quiet(&ring, 10));

	/* Once a ring has seen CQE_SKIP_SUCCESS the kernel refuses drains
	 * on it (it can no longer count completions). */
	sqe = get_sqe(&ring);
	uring_prep_nop(sqe);
	uring_sqe_drain(sqe);
	ck_assert_int_eq(run1(&ring, sqe), -EOPNOTSUPP);
	uring_ring_exit(&ring);

	ring_init(&ring);
	/* drain: the NOP waits for the poll submitted before it. */
	{
		int p[2];

		ck_assert_int_eq(pipe(p), 0);
		sqe = get_sqe(&ring);
		uring_prep_poll_add(sqe, p[0], POLLIN);
		sqe->user_data = 5;
		sqe = get_sqe(&ring);
		uring_prep_nop(sqe);
		uring_sqe_drain(sqe);
		sqe->user_data = 6;
		ck_assert(cq_quiet(&ring, 20));
		ck_assert_int_eq(write(p[1], "d", 1), 1);
		reap_n(&ring, c, 2);
		ck_assert_uint_eq(c[0].user_data, 5);
		ck_assert_uint_eq(c[1].user_data, 6);
		close(p[0]);
		close(p[1]);
	}
	/* async, set_flags, buffer group */
	sqe = get_sqe(&ring);
	uring_prep_nop(sqe);
	uring_sqe_async(sqe);
	ck_assert_uint_eq(sqe->flags, URING_SQE_ASYNC);
	ck_assert_int_eq(run1(&ring, sqe), 0);
	sqe = get_sqe(&ring);
	uring_prep_nop(sqe);
	uring_sqe_set_flags(sqe, URING_SQE_IO_DRAIN);
	uring_sqe_set_buf_group(sqe, 0x1234);
	ck_assert_uint_eq(sqe->flags, URING_SQE_IO_DRAIN);
	ck_assert_uint_eq(sqe->buf_group, 0x1234);
	ck_assert_int_eq(run1(&ring, sqe), 0);
	uring_ring_exit(&ring);
}
END_TEST

/* What each helper puts in the SQE, for the fields a test cannot observe
 * through the kernel (and for recv_zc, which needs a NIC). */
START_TEST(sqe_layout)
{
	struct uring_sqe s;

	memset(&s, 0, sizeof(s));
	uring_prep_recv_zc(&s, 9, 100, 2);
	ck_assert_uint_eq(s.opcode, URING_OP_RECV_ZC);
	ck_assert_int_eq(s.fd, 9);
	ck_assert_uint_eq(s.len, 100);
	ck_assert_uint_eq(s.zcrx_ifq_idx, 2);
	ck_assert_uint_eq(s.ioprio, URING_RECV_MULTISHOT);

	memset(&s, 0, sizeof(s));
	uring_prep_accept_direct(&s, 3, NULL, NULL, 0, 0);
	ck_assert_uint_eq(s.file_index, 1);
	memset(&s, 0, sizeof(s));
	uring_prep_accept_direct(&s, 3, NULL, NULL, 0, URING_FILE_INDEX_ALLOC);
	ck_assert_uint_eq(s.file_index, URING_FILE_INDEX_ALLOC);

	memset(&s, 0, sizeof(s));
	uring_prep_poll_add(&s, 1, POLLIN | POLLOUT);
	ck_assert_uint_eq(s.poll32_events, POLLIN | POLLOUT);

	memset(&s, 0, sizeof(s));
	uring_prep_send_zc_fixed(&s, 1, NULL, 10, 0, URING_RECVSEND_POLL_FIRST,
				 3);
	ck_assert_uint_eq(s.ioprio,
			  URING_RECVSEND_POLL_FIRST | URING_RECVSEND_FIXED_BUF);
	ck_assert_uint_eq(s.buf_index, 3);

	memset(&s, 0, sizeof(s));
	uring_prep_sendmsg_zc_fixed(&s, 1, NULL, 0, 4);
	ck_assert_uint_eq(s.opcode, URING_OP_SENDMSG_ZC);
	ck_assert_uint_eq(s.ioprio, URING_RECVSEND_FIXED_BUF);
	ck_assert_uint_eq(s.buf_index, 4);
}
END_TEST

static Suite *prep_suite(void)
{
	Suite *s = suite_create("prep");
	TCase *tc = ut_tcase("files", 20);

	UT_ADD(tc, file_rw);
	UT_ADD(tc, file_ftruncate);
	UT_ADD(tc, file_names);
	UT_ADD(tc, xattrs);
	UT_ADD(tc, direct_files);
	UT_ADD(tc, direct_fd_install);
	UT_ADD(tc, fixed_buffers);
	UT_ADD(tc, fixed_buffers_vectored);
	suite_add_tcase(s, tc);

	tc = ut_tcase("misc", 20);
	UT_ADD(tc, pipes_splice_tee);
	UT_ADD(tc, pipe_ops);
	UT_ADD(tc, read_multishot);
	UT_ADD(tc, poll_ops);
	UT_ADD(tc, epoll_ops);
	UT_ADD(tc, futex_ops);
	UT_ADD(tc, waitid_child);
	UT_ADD(tc, timeouts);
	UT_ADD(tc, timeouts_multishot);
	UT_ADD(tc, cancel_ops);
	UT_ADD(tc, sqe_flags);
	UT_ADD(tc, sqe_layout);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return ut_run(prep_suite());
}
