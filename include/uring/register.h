/* SPDX-License-Identifier: MIT */
/*
 * uring/register.h - io_uring_register(2): resources registered with a ring.
 *
 * Registering a resource once saves the kernel a lookup (files) or a
 * pin-and-map (buffers) on every request that uses it.  Each function here is
 * one io_uring_register(2) call; like the rest of the ring layer they return
 * 0 or a count, or a negative errno, and leave errno alone.  A NULL ring is
 * -EINVAL.  Names follow liburing's io_uring_register_* so migrating code
 * finds them.
 *
 * Also here: the calls that need no ring at all (uring_register_sync_msg,
 * uring_register_query_opcodes).  The registered ring fd calls and
 * uring_ring_enable() are in uring/ring.h; provided buffer rings are in
 * uring/buf_ring.h.
 */
#ifndef URING_REGISTER_H
#define URING_REGISTER_H

#include <sched.h> /* cpu_set_t (musl needs _GNU_SOURCE for it) */
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include <uring/abi.h>

#ifdef __cplusplus
extern "C" {
#endif
#pragma GCC visibility push(default)

struct uring_ring;

/* ---------------------------------------------------------------------
 * Fixed buffers: URING_OP_READ_FIXED, WRITE_FIXED, sqe->buf_index.
 * ------------------------------------------------------------------- */
int uring_register_buffers(struct uring_ring *ring, const struct iovec *iovecs,
			   unsigned nr);
/* Tags (5.13) come back in a CQE (user_data = tag) once a replaced or
 * unregistered buffer is no longer in use; 0 means "no CQE". */
int uring_register_buffers_tags(struct uring_ring *ring,
				const struct iovec *iovecs,
				const uint64_t *tags, unsigned nr);
/* `nr` empty slots to fill later with uring_register_buffers_update_tag(). */
int uring_register_buffers_sparse(struct uring_ring *ring, unsigned nr);
/* Replace slots off..off+nr-1; returns the number replaced. */
int uring_register_buffers_update_tag(struct uring_ring *ring, unsigned off,
				      const struct iovec *iovecs,
				      const uint64_t *tags, unsigned nr);
int uring_unregister_buffers(struct uring_ring *ring);
/* Share src's registered buffers with dst (6.12). */
int uring_register_clone_buffers(struct uring_ring *dst, struct uring_ring *src);
/* flags: URING_REGISTER_DST_REPLACE to overwrite slots dst already has. */
int uring_register_clone_buffers_offset(struct uring_ring *dst,
					struct uring_ring *src,
					unsigned dst_off, unsigned src_off,
					unsigned nr, unsigned flags);

/* ---------------------------------------------------------------------
 * Fixed files ("direct descriptors"): URING_SQE_FIXED_FILE, file_index.
 * ------------------------------------------------------------------- */
int uring_register_files(struct uring_ring *ring, const int *fds, unsigned nr);
int uring_register_files_tags(struct uring_ring *ring, const int *fds,
			      const uint64_t *tags, unsigned nr);
int uring_register_files_sparse(struct uring_ring *ring, unsigned nr);
/* fds[i] == -1 empties a slot, URING_REGISTER_FILES_SKIP leaves it alone.
 * Returns the number of slots updated. */
int uring_register_files_update(struct uring_ring *ring, unsigned off,
				const int *fds, unsigned nr);
int uring_register_files_update_tag(struct uring_ring *ring, unsigned off,
				    const int *fds, const uint64_t *tags,
				    unsigned nr);
int uring_unregister_files(struct uring_ring *ring);
/* Slots URING_FILE_INDEX_ALLOC picks from: off..off+len-1 (6.0). */
int uring_register_file_alloc_range(struct uring_ring *ring, unsigned off,
				    unsigned len);

/* ---------------------------------------------------------------------
 * Notification, credentials, restrictions.
 * ------------------------------------------------------------------- */
int uring_register_eventfd(struct uring_ring *ring, int fd);
/* Signal only for completions that did not finish inline. */
int uring_register_eventfd_async(struct uring_ring *ring, int fd);
int uring_unregister_eventfd(struct uring_ring *ring);
/* The caller's current credentials as an id for sqe->personality. */
int uring_register_personality(struct uring_ring *ring);
int uring_unregister_personality(struct uring_ring *ring, int id);
/* Only on a ring set up with URING_SETUP_R_DISABLED, before it is enabled. */
int uring_register_restrictions(struct uring_ring *ring,
				struct uring_restriction *res, unsigned nr);

/* ---------------------------------------------------------------------
 * io-wq (the kernel's worker pool for blocking work).
 * ------------------------------------------------------------------- */
int uring_register_iowq_aff(struct uring_ring *ring, size_t cpusz,
			    const cpu_set_t *mask);
int uring_unregister_iowq_aff(struct uring_ring *ring);
/* values[URING_WQ_BOUND], values[URING_WQ_UNBOUND]: new limits, 0 = keep;
 * the previous limits are written back. */
int uring_register_iowq_max_workers(struct uring_ring *ring, unsigned values[2]);

/* ---------------------------------------------------------------------
 * Cancellation, busy polling, clock.
 * ------------------------------------------------------------------- */
/* Cancel matching requests and wait for them to finish (6.0); returns 0,
 * or the number cancelled with URING_ASYNC_CANCEL_ALL/ANY. */
int uring_register_sync_cancel(struct uring_ring *ring,
			       struct uring_sync_cancel_reg *reg);
int uring_register_napi(struct uring_ring *ring, struct uring_napi *napi);
int uring_unregister_napi(struct uring_ring *ring, struct uring_napi *napi);
/* Clock of wait timeouts: CLOCK_MONOTONIC (default) or CLOCK_BOOTTIME. */
int uring_register_clock(struct uring_ring *ring,
			 struct uring_clock_register *arg);

/* ---------------------------------------------------------------------
 * Without a ring.
 * ------------------------------------------------------------------- */
/* Run a URING_OP_MSG_RING SQE synchronously, from no ring (6.13). */
int uring_register_sync_msg(struct uring_sqe *sqe);
/* What the running kernel supports, without creating a ring (6.18). */
int uring_register_query_opcodes(struct uring_query_opcode *out);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif

#endif /* URING_REGISTER_H */
