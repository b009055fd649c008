/* SPDX-License-Identifier: MIT */
/*
 * runtime/errors.c - what the library's errors say: uring_strerror(),
 * uring_setup_strerror() and uring_err_name().  Above every area, since the texts name the errors of
 * all of them (URING_EOF is the streams').
 */
#define _GNU_SOURCE /* strerrordesc_np, strerrorname_np */
#include <errno.h>
#include <string.h>

#include <uring/loop.h>
#include <uring/stream.h>

/* Generic errnos get the C library's text: the same value comes from many
 * places (an -EPERM from unlink(2) on a sticky directory is no io_uring
 * setup trouble).  The advice for a loop or ring that cannot be made is
 * uring_setup_strerror()'s. */
const char *uring_strerror(int error)
{
	switch (error) {
	case 0:
		return "success";
	case -EBADR: /* the loop's own meaning, reported by error_cb */
		return "the kernel could not allocate room for a completion and "
		       "dropped it: some operation will never call back";
	case -ECANCELED:
		return "operation canceled";
	case URING_EOF:
		return "end of stream: the peer closed its side";
	case -ETIMEDOUT:
		return "the operation's deadline passed before it completed";
	}
	if (error < 0) {
		const char *s = strerrordesc_np(-error);

		if (s)
			return s;
	}
	return "unknown error";
}

/* Which runtime refuses io_uring how (their default seccomp profiles):
 * Docker 25 and later and containerd 2.0 and later answer EPERM, Podman
 * and CRI-O answer ENOSYS, and gVisor does not implement it (ENOSYS);
 * kernel.io_uring_disabled (6.6) gives EPERM. */
const char *uring_setup_strerror(int error)
{
	switch (error) {
	case -EPERM:
		return "io_uring is not permitted here: the kernel.io_uring_"
		       "disabled sysctl is 2, or 1 and the process is not in "
		       "kernel.io_uring_group (ask the administrator, e.g. "
		       "sysctl kernel.io_uring_disabled=0); or a seccomp "
		       "filter refuses it, as the default profiles of Docker "
		       "25 and later and containerd 2.0 and later do (run "
		       "with a profile that allows io_uring_setup, "
		       "io_uring_enter and io_uring_register)";
	case -ENOSYS:
		return "io_uring is not available: the kernel was built "
		       "without it, a seccomp filter refuses it as the default "
		       "profiles of Podman and CRI-O do (run with a profile "
		       "that allows io_uring_setup, io_uring_enter and "
		       "io_uring_register), or the sandbox does not implement "
		       "it (gVisor)";
	case -ENOMEM:
		return "not enough memory for the ring: use smaller queues, or "
		       "raise RLIMIT_MEMLOCK (kernels before 5.12 charge rings "
		       "to it)";
	case -EMFILE:
	case -ENFILE:
		return "no file descriptor left for the ring: close some, or "
		       "raise RLIMIT_NOFILE";
	}
	return uring_strerror(error);
}

const char *uring_err_name(int error)
{
	const char *name;

	if (error == 0)
		return "OK";
	if (error == URING_EOF)
		return "EOF"; /* libuv's name for the same value */
	name = error < 0 ? strerrorname_np(-error) : NULL;
	return name ? name : "UNKNOWN";
}
