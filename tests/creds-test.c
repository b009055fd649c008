/* SPDX-License-Identifier: MIT */
/*
 * creds-test: which credentials a loop's work runs with after the process
 * drops privileges (KERNEL-FACTS, credentials), measured:
 *   - a plain loop created as root: the kernel issues work from the
 *     dropping thread itself, with its new credentials (-EACCES);
 *   - an SQPOLL loop created as root: the kernel's SQPOLL thread keeps
 *     root's credentials, so a root-only file still opens - the hazard
 *     uring_loop_check_creds() exists to catch;
 *   - a loop created after the drop has the new rights, and says so.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <uring/fs.h>

#include "loop-util.h"

#define NOBODY 65534

static int open_result;
static int opened_calls;

static void opened(struct uring_fs *req, int result)
{
	(void)req;
	open_result = result;
	opened_calls++;
}

/* Open `path` read-only through the loop; the fd or -errno. */
static int loop_open(struct uring_loop *loop, const char *path)
{
	struct uring_fs req;

	memset(&req, 0, sizeof(req));
	opened_calls = 0;
	if (uring_fs_open(loop, &req, path, O_RDONLY, 0, opened))
		return -1000;
	while (!opened_calls)
		uring_loop_run(loop, URING_RUN_ONCE);
	return open_result;
}

static int drop_privileges(void)
{
	if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
		return -1;
	return 0;
}

/* In a child: every step checked, exit code = the failed step. */
static int child(const char *path)
{
	struct uring_loop_options sq = {.sqpoll = true};
	struct uring_loop plain, sqpoll, late;
	bool have_sqpoll;
	int fd;

	if (uring_loop_init(&plain, NULL))
		return 10;
	have_sqpoll = uring_loop_init(&sqpoll, &sq) == 0;
	uring_loop_run(&plain, URING_RUN_NOWAIT); /* enabled as root */
	if (have_sqpoll)
		uring_loop_run(&sqpoll, URING_RUN_NOWAIT);
	if (uring_loop_check_creds(&plain) != 0)
		return 11;
	if (drop_privileges())
		return 12;
	if (open(path, O_RDONLY) != -1 || errno != EACCES)
		return 13; /* the drop worked for plain syscalls */
	if (uring_loop_check_creds(&plain) != -EPERM)
		return 14;
	if (loop_open(&plain, path) != -EACCES)
		return 15;
	if (have_sqpoll) {
		if (uring_loop_check_creds(&sqpoll) != -EPERM)
			return 16;
		fd = loop_open(&sqpoll, path);
		if (fd < 0)
			return 17; /* root's rights through the SQPOLL thread */
		close(fd);
		if (uring_loop_close(&sqpoll))
			return 18;
	}
	if (uring_loop_init(&late, NULL))
		return 19;
	if (uring_loop_check_creds(&late) != 0)
		return 20;
	if (loop_open(&late, path) != -EACCES)
		return 21;
	if (uring_loop_close(&late) || uring_loop_close(&plain))
		return 22;
	return 0;
}

START_TEST(test_credentials_after_privilege_drop)
{
	char dir[] = "/tmp/uringloop-creds-XXXXXX", path[64];
	pid_t pid;
	int status, fd;

	if (geteuid() != 0) {
		fprintf(stderr, "SKIP: needs root to drop privileges\n");
		exit(UT_SKIP);
	}
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(chmod(dir, 0755), 0);
	snprintf(path, sizeof(path), "%s/secret", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(child(path));
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	unlink(path);
	rmdir(dir);
	ck_assert(WIFEXITED(status));
	ck_assert_msg(WEXITSTATUS(status) == 0, "step %d failed",
		      WEXITSTATUS(status));
}
END_TEST

START_TEST(test_check_creds_bad_input)
{
	ck_assert_int_eq(uring_loop_check_creds(NULL), -EINVAL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("creds");
	TCase *tc = ut_tcase("creds", 30);

	UT_ADD(tc, test_credentials_after_privilege_drop);
	UT_ADD(tc, test_check_creds_bad_input);
	suite_add_tcase(s, tc);
	return ut_run(s);
}
