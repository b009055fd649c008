/* SPDX-License-Identifier: MIT */
/*
 * lib/keep-errno.h - uringloop never changes errno (loop.h, README): errors
 * are returned as negative values.  libc reports through errno, and may
 * set it even when a call succeeds, so a function of lib/ or runtime/ that
 * calls into libc (socket(2) & co., close, read/write, mmap, malloc...)
 * starts with URING__KEEP_ERRNO(): errno is saved there and given back
 * when the function returns, after its return value was computed, so
 * `return -errno;` still reports the call's own error.
 */
#ifndef URING_LIB_KEEP_ERRNO_H
#define URING_LIB_KEEP_ERRNO_H

#include <errno.h>

static inline void uring__errno_restore(const int *saved)
{
	errno = *saved;
}

#define URING__KEEP_ERRNO()                                                    \
	int uring__saved_errno                                                 \
		__attribute__((cleanup(uring__errno_restore), unused)) = errno

#endif
