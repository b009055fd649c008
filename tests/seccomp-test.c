/* SPDX-License-Identifier: MIT */
/*
 * seccomp-test: io_uring blocked the way containers block it.  A child
 * process installs a seccomp filter that makes io_uring_setup(2) fail with
 * ENOSYS (the default profiles of Podman and CRI-O) or EPERM (those of
 * Docker 25+ and containerd 2.0+, and kernel.io_uring_disabled); the loop
 * must return that error, unchanged, and uring_setup_strerror() must say
 * what to do about it, while uring_strerror() keeps the generic text.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "loop-util.h"

/* Deny io_uring_setup with `err`, allow everything else. */
static int deny_io_uring(int err)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
		BPF_STMT(BPF_RET | BPF_K,
			 SECCOMP_RET_ERRNO | ((unsigned)err & SECCOMP_RET_DATA)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {.len = sizeof(f) / sizeof(f[0]), .filter = f};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
		return -errno;
	return 0;
}

/* In a child: block io_uring with err, then check what the loop says.
 * Exit status 0 when everything held, else the failed step. */
static int child(int err, const char *must_say, const char *generic)
{
	struct uring_loop loop;
	int ret;

	if (deny_io_uring(err))
		return 10;
	ret = uring_loop_init(&loop, NULL);
	if (ret != -err)
		return 11;
	if (!strstr(uring_setup_strerror(ret), must_say))
		return 12;
	if (strcmp(uring_strerror(ret), generic))
		return 15;
	/* nothing half-made is left: using the loop is refused */
	if (uring_loop_run(&loop, URING_RUN_NOWAIT) != -EINVAL)
		return 13;
	if (uring_loop_close(&loop) != -EINVAL)
		return 14;
	return 0;
}

static void blocked(int err, const char *must_say, const char *generic)
{
	pid_t pid = fork();
	int status;

	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(child(err, must_say, generic));
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_msg(WEXITSTATUS(status) == 0, "step %d failed",
		      WEXITSTATUS(status));
}

START_TEST(test_seccomp_enosys)
{
	blocked(ENOSYS, "Podman", "Function not implemented");
}
END_TEST

START_TEST(test_io_uring_disabled_eperm)
{
	blocked(EPERM, "io_uring_disabled", "Operation not permitted");
	blocked(EPERM, "Docker 25", "Operation not permitted");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("seccomp");
	TCase *tc = ut_tcase("seccomp", 30);

	UT_ADD(tc, test_seccomp_enosys);
	UT_ADD(tc, test_io_uring_disabled_eperm);
	suite_add_tcase(s, tc);
	return ut_run(s);
}
