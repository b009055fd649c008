/* SPDX-License-Identifier: MIT */
/*
 * tests/bench/benchctl.h - the control pipes between a benchmark driver
 * and the server child it forks (netbench.c, recv_variants.c): write a
 * command, read an answer within a time limit, stop the child.  Each
 * failure ends the run with bench_die(); nothing here waits unbounded.
 */
#ifndef URING_BENCH_CTL_H
#define URING_BENCH_CTL_H

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

static inline void bench_write_all(int fd, const void *buf, size_t len,
				   const char *what)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			bench_die("%s: %s", what, n ? strerror(errno) : "EOF");
		p += n;
		len -= (size_t)n;
	}
}

/* Read exactly len bytes within timeout_s seconds. */
static inline void bench_read_timeout(int fd, void *buf, size_t len,
				      double timeout_s, const char *what)
{
	char *p = buf;
	double deadline = bench_now() + timeout_s;

	while (len) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int ms = (int)((deadline - bench_now()) * 1000.0);
		ssize_t n;

		if (ms <= 0 || poll(&pfd, 1, ms) == 0)
			bench_die("%s: the server did not answer in %.0f s",
				  what, timeout_s);
		n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			bench_die("%s: the server is gone (%s)", what,
				  n ? strerror(errno) : "it exited");
		p += n;
		len -= (size_t)n;
	}
}

/* Tell the child to quit ("Q"), wait for it (killed after timeout_s),
 * close the pipes; a child that failed ends the run. */
static inline void bench_stop_child(pid_t pid, int ctl_wr, int rep_rd,
				    double timeout_s)
{
	double deadline = bench_now() + timeout_s;
	int status;

	bench_write_all(ctl_wr, "Q", 1, "quit");
	for (;;) {
		pid_t p = waitpid(pid, &status, WNOHANG);

		if (p == pid)
			break;
		if (p < 0)
			bench_die("waitpid: %s", strerror(errno));
		if (bench_now() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			bench_die("the server did not stop in %.0f s",
				  timeout_s);
		}
		usleep(1000);
	}
	close(ctl_wr);
	close(rep_rd);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		bench_die("the server failed (status 0x%x)", status);
}

#endif
