/* SPDX-License-Identifier: MIT */
/* lib/syscall.c - raw io_uring system calls; errno-free results. */
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "syscall.h"

/* Older libcs lack the numbers; they are the same on every architecture. */
#ifndef __NR_io_uring_setup
#define __NR_io_uring_setup 425
#endif
#ifndef __NR_io_uring_enter
#define __NR_io_uring_enter 426
#endif
#ifndef __NR_io_uring_register
#define __NR_io_uring_register 427
#endif

/* syscall(2) reports through errno; translate and restore it. */
static int result(long ret)
{
	int err;

	if (ret >= 0)
		return (int)ret;
	err = errno;
	return -err;
}

int uring__sys_setup(unsigned entries, struct uring_params *p)
{
	int saved = errno;
	int ret = result(syscall(__NR_io_uring_setup, entries, p));

	errno = saved;
	return ret;
}

int uring__sys_enter(int fd, unsigned to_submit, unsigned min_complete,
		     unsigned flags, const void *arg, size_t argsz)
{
	int saved = errno;
	int ret = result(syscall(__NR_io_uring_enter, fd, to_submit,
				 min_complete, flags, arg, argsz));

	errno = saved;
	return ret;
}

int uring__sys_register(int fd, unsigned op, const void *arg, unsigned nr_args)
{
	int saved = errno;
	int ret = result(syscall(__NR_io_uring_register, fd, op, arg, nr_args));

	errno = saved;
	return ret;
}

int uring__register(struct uring_ring *ring, unsigned op, const void *arg,
		    unsigned nr_args)
{
	if (__builtin_expect(uring__fault_is_armed(), 0)) {
		int err = uring__fault_check(URING_FAULT_REGISTER, NULL);

		if (err)
			return err;
	}
	if ((ring->lib_flags & URING_RING__REG_REG_RING) && uring__use_index(ring))
		return uring__sys_register(ring->enter_fd,
					   op | URING_REGISTER_USE_REGISTERED_RING,
					   arg, nr_args);
	return uring__sys_register(ring->ring_fd, op, arg, nr_args);
}
