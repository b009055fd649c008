/* SPDX-License-Identifier: MIT */
/*
 * runtime/errors.c - what the library's errors say: uring_strerror() and
 * uring_err_name().  Above every area, since the texts name the errors of
 * all of them (URING_EOF is the streams').
 */
#define _GNU_SOURCE /* strerrordesc_np, strerrorname_np */
#include <errno.h>
#include <string.h>

#include <uring/loop.h>
#include <uring/stream.h>

const char *uring_strerror(int error)
{
	switch (error) {
	case 0:
		return "success";
	case -EPERM:
		return "io_uring is disabled for this process "
		       "(kernel.io_uring_disabled is 2, or 1 and the process "
		       "is not in kernel.io_uring_group): ask the administrator "
		       "to allow it, e.g. sysctl kernel.io_uring_disabled=0";
	case -ENOSYS:
		return "io_uring is not available: the kernel was built without "
		       "it, or a seccomp filter (as Docker's and containerd's "
		       "default profiles do) blocks io_uring_setup; run with a "
		       "profile that allows the io_uring system calls";
	case -ENOMEM:
		return "not enough memory for the ring: use smaller queues, or "
		       "raise RLIMIT_MEMLOCK (kernels before 5.12 charge rings "
		       "to it)";
	case -EBADR:
		return "the kernel could not allocate room for a completion and "
		       "dropped it: some operation will never call back";
	case -EBUSY:
		return "resource busy: close every handle and let the loop run "
		       "their close callbacks before closing the loop";
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
