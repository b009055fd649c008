/* SPDX-License-Identifier: MIT */
/*
 * uring/barrier.h - the memory ordering the rings need, in one place.
 *
 * The SQ and CQ rings are shared with the kernel.  The rules:
 *  - acquire when reading an index the kernel writes (CQ tail, SQ head),
 *    so the entries it published before moving the index are visible;
 *  - release when publishing an index we write (SQ tail, CQ head), so the
 *    kernel sees our SQE stores before the new tail, and our reads of CQEs
 *    finish before it may overwrite them;
 *  - a full fence between publishing the SQ tail and reading the SQ flags
 *    under SQPOLL, or a sleeping poller can miss the new entries and nobody
 *    wakes it (liburing issue #541).
 * Private to uringloop's inline functions (hence the uring__ prefix).
 * Private to uringloop's inline functions, hence the uring__ prefix.
 * The ring fields are plain unsigned ints (the kernel's ABI); C11 atomic
 * accesses are made through casts, which GCC and Clang treat as atomic.
 */
#ifndef URING_BARRIER_H
#define URING_BARRIER_H

#ifdef __cplusplus
/* C++ has no _Atomic qualifier (before C++23): the GCC and Clang builtins
 * make the same accesses on the plain fields. */
#define uring__load_acquire(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define uring__store_release(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define uring__load_relaxed(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define uring__store_relaxed(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define uring__fence_full() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#else
#include <stdatomic.h>

#define uring__load_acquire(p)                                                  \
	atomic_load_explicit((_Atomic __typeof__(*(p)) *)(p), memory_order_acquire)
#define uring__store_release(p, v)                                              \
	atomic_store_explicit((_Atomic __typeof__(*(p)) *)(p), (v),            \
			      memory_order_release)
#define uring__load_relaxed(p)                                                  \
	atomic_load_explicit((_Atomic __typeof__(*(p)) *)(p), memory_order_relaxed)
#define uring__store_relaxed(p, v)                                              \
	atomic_store_explicit((_Atomic __typeof__(*(p)) *)(p), (v),            \
			      memory_order_relaxed)
#define uring__fence_full() atomic_thread_fence(memory_order_seq_cst)

#endif

#endif /* URING_BARRIER_H */
