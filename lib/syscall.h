/* SPDX-License-Identifier: MIT */
/*
 * lib/syscall.h - the three io_uring system calls, private to lib/.
 * Every entry into the kernel goes through here, so fault injection and
 * accounting have one place to hook.
 */
#ifndef URING_LIB_SYSCALL_H
#define URING_LIB_SYSCALL_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <uring/ring.h>

#include "lib/keep-errno.h"

#define URING_HIDDEN __attribute__((visibility("hidden")))

/* Raw syscalls: result or -errno; errno itself is left as it was. */
URING_HIDDEN int uring__sys_setup(unsigned entries, struct uring_params *p);
URING_HIDDEN int uring__sys_enter(int fd, unsigned to_submit, unsigned min_complete,
				  unsigned flags, const void *arg, size_t argsz);
URING_HIDDEN int uring__sys_register(int fd, unsigned op, const void *arg,
				     unsigned nr_args);

/* io_uring_register(2) on a ring, through its registered index when it can. */
URING_HIDDEN int uring__register(struct uring_ring *ring, unsigned op,
				 const void *arg, unsigned nr_args);

#if defined(__x86_64__)
/*
 * io_uring_enter(2) is the one syscall on the fast path: issue it inline.
 * glibc's syscall(3) plus our errno save/restore cost ~56 instructions per
 * enter (callgrind, docs/PERFORMANCE.md); the raw instruction returns
 * -errno itself and never touches errno.
 */
static inline int uring__enter_raw(int fd, unsigned to_submit,
				   unsigned min_complete, unsigned flags,
				   const void *arg, size_t argsz)
{
	register long r10 __asm__("r10") = (long)flags;
	register long r8 __asm__("r8") = (long)(uintptr_t)arg;
	register long r9 __asm__("r9") = (long)argsz;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "0"(426L /* __NR_io_uring_enter */), "D"((long)fd),
			   "S"((long)to_submit), "d"((long)min_complete),
			   "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return (int)ret;
}
#else
#define uring__enter_raw uring__sys_enter
#endif

/* The registered index is per thread (see uring_register_ring_fd()). */
static inline bool uring__use_index(const struct uring_ring *ring)
{
	return (ring->lib_flags & URING_RING__REG_FD) &&
	       (ring->ring_fd < 0 || ring->reg_thread == (uintptr_t)pthread_self());
}

/* Fault injection (lib/fault.c): non-zero while uring_fault_inject() has
 * armed a fault; one predictable branch per syscall otherwise. */
URING_HIDDEN extern atomic_int uring__fault_armed;
/* Relaxed: as cheap as a plain load, and a test's other thread may arm. */
#define uring__fault_is_armed()                                                \
	atomic_load_explicit(&uring__fault_armed, memory_order_relaxed)
/* Decide the fate of one call at `site`: 0 to go ahead (with *to_submit
 * possibly cut for a short submit), or the -errno to return instead. */
URING_HIDDEN int uring__fault_check(unsigned site, unsigned *to_submit);
/* True when an allocation (URING_FAULT_ALLOC) is to fail now. */
URING_HIDDEN bool uring__fault_alloc(void);

/* io_uring_enter(2) on a ring, through its registered index when this
 * thread may use it. */
static inline int uring__enter(struct uring_ring *ring, unsigned to_submit,
			       unsigned min_complete, unsigned flags,
			       const void *arg, size_t argsz)
{
	ring->nr_enter++;
	if (__builtin_expect(uring__fault_is_armed(), 0)) {
		int err = uring__fault_check(URING_FAULT_ENTER, &to_submit);

		if (err)
			return err;
	}
	if (uring__use_index(ring))
		return uring__enter_raw(ring->enter_fd, to_submit, min_complete,
					flags | ring->enter_flags, arg, argsz);
	return uring__enter_raw(ring->ring_fd, to_submit, min_complete, flags,
				arg, argsz);
}

#endif
