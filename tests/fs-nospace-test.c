/* SPDX-License-Identifier: MIT */
/*
 * fs-nospace-test: uring_fs_copy() to a file system too small for the copy
 * fails with -ENOSPC before it writes a byte, and gives back what it had
 * reserved; a copy that fits still works there.
 *
 * The small file system is a 4 MiB tmpfs mounted in a mount namespace of a
 * child process (as root, or as the root of a new user namespace when not),
 * so nothing outside the test sees it and it vanishes with the child.  A
 * machine that allows neither exits 77 (SKIP) and says why.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <uring/fs.h>

#include "loop-util.h"

#define FS_SIZE "4m"
#define TOO_BIG (8U << 20)
#define FITS (2U << 20)

static char dir[64];
static int64_t copy_result;
static int copy_calls;

static void copied(struct uring_fs *req, int64_t result)
{
	(void)req;
	copy_result = result;
	copy_calls++;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t len = (ssize_t)strlen(text);
	int ok = fd >= 0 && write(fd, text, (size_t)len) == len;

	if (fd >= 0)
		close(fd);
	return ok ? 0 : -1;
}

/* A mount namespace of our own in which we may mount: as root, or as root
 * of a new user namespace mapped to who we are. */
static int own_mount_namespace(void)
{
	char map[64];
	uid_t uid = geteuid();
	gid_t gid = getegid();

	if (unshare(CLONE_NEWNS) == 0)
		return 0;
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
		return -1;
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)uid);
	if (write_file("/proc/self/setgroups", "deny") ||
	    write_file("/proc/self/uid_map", map))
		return -1;
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)gid);
	return write_file("/proc/self/gid_map", map);
}

/* In the child: a private mount namespace with a small tmpfs on `dir`. */
static int mount_small_fs(void)
{
	if (own_mount_namespace() < 0)
		return -1;
	/* keep the mount from propagating back to the parent's namespace
	 * (the names are ignored here; valgrind objects to NULL ones) */
	if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0)
		return -1;
	return mount("none", dir, "tmpfs", 0, "size=" FS_SIZE);
}

/* A file of `size` bytes, each MiB different, on the big file system. */
static int source_file(const char *path, size_t size)
{
	static char buf[1 << 16];
	size_t done;
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		return -1;
	for (done = 0; done < size; done += sizeof(buf)) {
		memset(buf, (int)(done >> 20) + 'a', sizeof(buf));
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
			close(fd);
			return -1;
		}
	}
	return fd;
}

static int64_t copy_all(struct uring_loop *loop, int out, int in)
{
	struct uring_fs req;

	memset(&req, 0, sizeof(req));
	copy_calls = 0;
	if (uring_fs_copy(loop, &req, out, 0, in, 0, UINT64_MAX, copied))
		return INT64_MIN;
	if (uring_loop_run(loop, URING_RUN_DEFAULT) != 0 || copy_calls != 1)
		return INT64_MIN;
	return copy_result;
}

static int same_bytes(int a, int b, size_t len)
{
	static char x[1 << 16], y[1 << 16];
	size_t off;

	for (off = 0; off < len; off += sizeof(x))
		if (pread(a, x, sizeof(x), (off_t)off) != (ssize_t)sizeof(x) ||
		    pread(b, y, sizeof(y), (off_t)off) != (ssize_t)sizeof(y) ||
		    memcmp(x, y, sizeof(x)))
			return 0;
	return 1;
}

/* The child's checks; 0 when all hold, else the step that failed. */
static int child(const char *big_path, const char *small_path)
{
	struct uring_loop loop;
	char dst[96], ok[96];
	struct stat st;
	int big, small, out;

	snprintf(dst, sizeof(dst), "%s/dst", dir);
	snprintf(ok, sizeof(ok), "%s/ok", dir);
	if (mount_small_fs() < 0)
		return 77;
	big = source_file(big_path, TOO_BIG);
	small = source_file(small_path, FITS);
	if (big < 0 || small < 0 || uring_loop_init(&loop, NULL))
		return 1;
	out = open(dst, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0)
		return 2;
	/* too big: -ENOSPC, and not one byte or block left behind */
	if (copy_all(&loop, out, big) != -ENOSPC)
		return 3;
	if (fstat(out, &st) || st.st_size != 0)
		return 4;
	if (st.st_blocks != 0)
		return 5;
	close(out);
	/* what fits is copied, byte for byte */
	out = open(ok, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0)
		return 6;
	if (copy_all(&loop, out, small) != (int64_t)FITS)
		return 7;
	if (fstat(out, &st) || st.st_size != (off_t)FITS ||
	    !same_bytes(out, small, FITS))
		return 8;
	close(out);
	close(big);
	close(small);
	return uring_loop_close(&loop) ? 9 : 0;
}

START_TEST(test_copy_to_full_fs_fails_before_writing)
{
	pid_t pid;
	int status;

	/* the sources sit beside the directory the child mounts over */
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char big_src[96], small_src[96];

		snprintf(big_src, sizeof(big_src), "%s.big", dir);
		snprintf(small_src, sizeof(small_src), "%s.small", dir);
		_exit(child(big_src, small_src));
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_msg(WEXITSTATUS(status) != 77,
		      "could not mount a small tmpfs (not root, no user "
		      "namespaces): main() should have skipped");
	ck_assert_msg(WEXITSTATUS(status) == 0, "step %d failed",
		      WEXITSTATUS(status));
}
END_TEST

/* Can this machine give a child a mount namespace with a tmpfs in it? */
static int can_mount(void)
{
	pid_t pid = fork();
	int status;

	if (pid == 0)
		_exit(mount_small_fs() < 0 ? 1 : 0);
	return pid > 0 && waitpid(pid, &status, 0) == pid &&
	       WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void remove_sources(void)
{
	char path[96];

	snprintf(path, sizeof(path), "%s.big", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s.small", dir);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	Suite *s;
	TCase *tc;
	int ret;

	ut_require_op(URING_OP_FALLOCATE, "IORING_OP_FALLOCATE");
	ut_require_op(URING_OP_SPLICE, "IORING_OP_SPLICE");
	strcpy(dir, "/tmp/uringloop-nospace-XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return EXIT_FAILURE;
	}
	if (!can_mount()) {
		rmdir(dir);
		fprintf(stderr, "SKIP: cannot mount a small tmpfs (needs root "
				"or unprivileged user namespaces)\n");
		return UT_SKIP;
	}
	/* made after the fork of can_mount(), whose child would leak them */
	s = suite_create("fs-nospace");
	tc = ut_tcase("nospace", 60);
	UT_ADD(tc, test_copy_to_full_fs_fails_before_writing);
	suite_add_tcase(s, tc);
	ret = ut_run(s);
	remove_sources();
	return ret;
}
