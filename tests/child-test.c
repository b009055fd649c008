/* SPDX-License-Identifier: MIT */
/*
 * child-test: waiting for children on the loop (uring_child_wait), through
 * IORING_OP_WAITID and through waitid(2) on the worker pool: exit status,
 * death by signal, cancel, -ECHILD, loop close while waiting.
 *
 * Each child blocks on a pipe until the wait is armed (one iteration ran),
 * so the wait really waits.  The pool tests run the loop without blocking
 * in the ring (drain()), so valgrind can run them too (see work-test.c).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <uring/work.h>

#include "loop-util.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void drain(struct uring_loop *loop, const int *count, int target)
{
	double deadline = now_ms() + 10000;

	while (*count < target) {
		ck_assert_int_ge(uring_loop_run(loop, URING_RUN_NOWAIT), 0);
		if (*count >= target)
			break;
		ck_assert_msg(now_ms() < deadline, "drain: %d of %d", *count,
			      target);
		usleep(1000);
	}
}

/* A child that exits with `code` once the pipe closes, or never (code < 0:
 * it waits to be killed).  *release is the write end. */
static pid_t spawn(int code, int *release)
{
	int p[2];
	pid_t pid;
	char c;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(p[1]);
		while (read(p[0], &c, 1) < 0)
			;
		if (code < 0)
			for (;;)
				pause();
		_exit(code);
	}
	close(p[0]);
	*release = p[1];
	return pid;
}

static struct {
	int calls;
	int status;
	siginfo_t info;
} got;

static void on_child(struct uring_child *req, int status,
		     const siginfo_t *info)
{
	(void)req;
	got.calls++;
	got.status = status;
	if (status) {
		ck_assert_ptr_null(info);
		return;
	}
	ck_assert_ptr_nonnull(info);
	/* IORING_OP_WAITID: the kernel filled these in */
	ut_kernel_wrote(info, sizeof(*info));
	got.info = *info;
}

/* True if the kernel has IORING_OP_WAITID.  If not, says so and checks
 * that a wait that insists on it is refused with -EOPNOTSUPP: the test then
 * checks only that. */
static bool kernel_has_waitid(void)
{
	struct uring_loop loop;
	struct uring_child req;

	if (uring_probe_opcode(URING_OP_WAITID) == 1)
		return true;
	fprintf(stderr, "child-test: no IORING_OP_WAITID in this kernel: "
			"checking -EOPNOTSUPP only\n");
	init_loop(&loop);
	ck_assert_int_eq(uring_child_wait(&loop, &req, P_ALL, 0, 0,
					  URING_CHILD_KERNEL, on_child),
			 -EOPNOTSUPP);
	close_loop(&loop);
	return false;
}

/* True once another thread of this process sits in waitid(2), from
 * /proc/self/task/TID/syscall (the number of the syscall it is blocked
 * in). */
static bool a_thread_in_waitid(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	bool found = false;
	char path[300];
	long nr;
	FILE *f;

	ck_assert_ptr_nonnull(d);
	while (!found && (e = readdir(d))) {
		if (e->d_name[0] == '.' || atoi(e->d_name) == gettid())
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/syscall",
			 e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		found = fscanf(f, "%ld", &nr) == 1 && nr == SYS_waitid;
		fclose(f);
	}
	closedir(d);
	return found;
}

/* Wait for a child that exits 7 / is killed by SIGKILL, one way. */
static void wait_for(unsigned flags, int code)
{
	struct uring_loop loop;
	struct uring_child req;
	int release;
	pid_t pid;

	memset(&got, 0, sizeof(got));
	init_loop(&loop);
	pid = spawn(code, &release);
	ck_assert_int_eq(uring_child_wait(&loop, &req, P_PID, (id_t)pid,
					  WEXITED, flags, on_child),
			 0);
	ck_assert(uring_loop_alive(&loop));
	ck_assert_int_eq(uring_loop_run(&loop, URING_RUN_NOWAIT), 1);
	ck_assert_int_eq(got.calls, 0); /* it is still running */
	if (code < 0)
		ck_assert_int_eq(kill(pid, SIGKILL), 0);
	close(release);
	if (flags & URING_CHILD_POOL)
		drain(&loop, &got.calls, 1);
	else
		ck_assert_int_eq(uring_loop_run(&loop, URING_RUN_DEFAULT), 0);
	ck_assert_int_eq(got.calls, 1);
	ck_assert_int_eq(got.status, 0);
	ck_assert_int_eq(got.info.si_pid, pid);
	ck_assert_int_eq(got.info.si_signo, SIGCHLD);
	if (code < 0) {
		ck_assert_int_eq(got.info.si_code, CLD_KILLED);
		ck_assert_int_eq(got.info.si_status, SIGKILL);
	} else {
		ck_assert_int_eq(got.info.si_code, CLD_EXITED);
		ck_assert_int_eq(got.info.si_status, code);
	}
	/* reaped: nothing left to wait for */
	ck_assert_int_eq(waitpid(pid, NULL, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);
	close_loop(&loop);
}

START_TEST(kernel_exit_7)
{
	if (kernel_has_waitid())
		wait_for(URING_CHILD_KERNEL, 7);
}
END_TEST

START_TEST(kernel_sigkill)
{
	if (kernel_has_waitid())
		wait_for(URING_CHILD_KERNEL, -1);
}
END_TEST

START_TEST(default_way_exit_7)
{
	wait_for(0, 7);
}
END_TEST

START_TEST(pool_exit_7)
{
	wait_for(URING_CHILD_POOL, 7);
}
END_TEST

START_TEST(pool_sigkill)
{
	wait_for(URING_CHILD_POOL, -1);
}
END_TEST

/* Cancel a wait the kernel is doing; the child is still there after. */
START_TEST(kernel_cancel)
{
	struct uring_loop loop;
	struct uring_child req;
	int release, wstatus;
	pid_t pid;

	if (!kernel_has_waitid())
		return;
	memset(&got, 0, sizeof(got));
	init_loop(&loop);
	pid = spawn(3, &release);
	ck_assert_int_eq(uring_child_wait(&loop, &req, P_PID, (id_t)pid, 0,
					  URING_CHILD_KERNEL, on_child),
			 0);
	ck_assert_int_eq(uring_loop_run(&loop, URING_RUN_NOWAIT), 1);
	ck_assert_int_eq(uring_child_cancel(&req), 0);
	ck_assert_int_eq(uring_loop_run(&loop, URING_RUN_DEFAULT), 0);
	ck_assert_int_eq(got.calls, 1);
	ck_assert_int_eq(got.status, -ECANCELED);
	ck_assert_int_eq(uring_child_cancel(&req), -EALREADY);
	close(release);
	ck_assert_int_eq(waitpid(pid, &wstatus, 0), pid);
	ck_assert(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 3);
	close_loop(&loop);
}
END_TEST

/* A pool wait inside waitid(2) cannot be cancelled; a queued one can. */
START_TEST(pool_cancel)
{
	struct uring_loop loop;
	struct uring_loop_options o = {.worker_threads = 1};
	struct uring_child running, queued;
	int release, calls_before;
	pid_t pid;

	memset(&got, 0, sizeof(got));
	ck_assert_int_eq(uring_loop_init(&loop, &o), 0);
	pid = spawn(-1, &release);
	ck_assert_int_eq(uring_child_wait(&loop, &running, P_PID, (id_t)pid,
					  0, URING_CHILD_POOL, on_child),
			 0);
	/* the one worker takes it and blocks in waitid */
	for (double t = now_ms(); !a_thread_in_waitid();) {
		ck_assert_msg(now_ms() - t < ut_ms(5000), "worker never started");
		usleep(1000);
	}
	ck_assert_int_eq(uring_child_cancel(&running), -EBUSY);
	ck_assert_int_eq(uring_child_wait(&loop, &queued, P_PID, (id_t)pid,
					  0, URING_CHILD_POOL, on_child),
			 0);
	ck_assert_int_eq(uring_child_cancel(&queued), 0);
	drain(&loop, &got.calls, 1);
	ck_assert_int_eq(got.status, -ECANCELED);
	calls_before = got.calls;
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	close(release);
	drain(&loop, &got.calls, calls_before + 1);
	ck_assert_int_eq(got.status, 0);
	ck_assert_int_eq(got.info.si_pid, pid);
	ck_assert_int_eq(got.info.si_code, CLD_KILLED);
	ck_assert_int_eq(uring_child_cancel(&running), -EALREADY);
	close_loop(&loop);
}
END_TEST

/* Not our child: -ECHILD, both ways. */
START_TEST(not_a_child)
{
	struct uring_loop loop;
	struct uring_child req;
	unsigned ways[2] = {URING_CHILD_POOL, URING_CHILD_KERNEL};

	init_loop(&loop);
	for (int i = 0; i < 2; i++) {
		if (ways[i] == URING_CHILD_KERNEL && !kernel_has_waitid())
			break;
		memset(&got, 0, sizeof(got));
		ck_assert_int_eq(uring_child_wait(&loop, &req, P_PID,
						  (id_t)getppid(), 0, ways[i],
						  on_child),
				 0);
		drain(&loop, &got.calls, 1);
		ck_assert_int_eq(got.status, -ECHILD);
	}
	close_loop(&loop);
}
END_TEST

/* A pending wait keeps the loop open. */
START_TEST(close_while_waiting)
{
	struct uring_loop loop;
	struct uring_child req;
	int release;
	pid_t pid;

	memset(&got, 0, sizeof(got));
	init_loop(&loop);
	pid = spawn(0, &release);
	ck_assert_int_eq(uring_child_wait(&loop, &req, P_PID, (id_t)pid, 0, 0,
					  on_child),
			 0);
	ck_assert_int_eq(uring_loop_run(&loop, URING_RUN_NOWAIT), 1);
	ck_assert_int_eq(uring_loop_close(&loop), -EBUSY);
	close(release);
	drain(&loop, &got.calls, 1);
	ck_assert_int_eq(got.status, 0);
	ck_assert_int_eq(got.info.si_status, 0);
	close_loop(&loop);
}
END_TEST

START_TEST(invalid_arguments)
{
	struct uring_loop loop, closed;
	struct uring_child req;

	init_loop(&loop);
	ck_assert_int_eq(uring_child_wait(NULL, &req, P_ALL, 0, 0, 0,
					  on_child),
			 -EINVAL);
	ck_assert_int_eq(uring_child_wait(&loop, NULL, P_ALL, 0, 0, 0,
					  on_child),
			 -EINVAL);
	ck_assert_int_eq(uring_child_wait(&loop, &req, P_ALL, 0, 0, 0, NULL),
			 -EINVAL);
	ck_assert_int_eq(uring_child_wait(&loop, &req, P_ALL, 0,
					  WEXITED | WNOHANG, 0, on_child),
			 -EINVAL);
	ck_assert_int_eq(uring_child_wait(&loop, &req, P_ALL, 0, 0,
					  URING_CHILD_KERNEL | URING_CHILD_POOL,
					  on_child),
			 -EINVAL);
	ck_assert_int_eq(uring_child_wait(&loop, &req, P_ALL, 0, 0, 1U << 7,
					  on_child),
			 -EINVAL);
	ck_assert_int_eq(uring_child_cancel(NULL), -EINVAL);
	ck_assert(!uring_loop_alive(&loop));
	init_loop(&closed);
	ck_assert_int_eq(uring_loop_close(&closed), 0);
	ck_assert_int_eq(uring_child_wait(&closed, &req, P_ALL, 0, 0, 0,
					  on_child),
			 -EINVAL);
	close_loop(&loop);
}
END_TEST

static Suite *child_suite(void)
{
	Suite *s = suite_create("child");
	TCase *tc = ut_tcase("child", 20);

	UT_ADD(tc, kernel_exit_7);
	UT_ADD(tc, kernel_sigkill);
	UT_ADD(tc, default_way_exit_7);
	UT_ADD(tc, pool_exit_7);
	UT_ADD(tc, pool_sigkill);
	UT_ADD(tc, kernel_cancel);
	UT_ADD(tc, pool_cancel);
	UT_ADD(tc, not_a_child);
	UT_ADD(tc, close_while_waiting);
	UT_ADD(tc, invalid_arguments);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return ut_run(child_suite());
}
