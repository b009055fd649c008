/* SPDX-License-Identifier: MIT */
/*
 * uring/prep.h - one static inline prep helper per io_uring opcode (Linux
 * 6.18 knows 63, URING_OP_NOP .. URING_OP_PIPE), plus the multishot,
 * direct-descriptor, fixed-buffer, buffer-select, bundle and zero-copy
 * variants, and small helpers for the SQE flags.
 *
 * Names and argument order follow liburing: io_uring_prep_X(...) is
 * uring_prep_X(...) here, so code moves over by renaming.
 *
 * Assumption every helper relies on: the SQE comes zeroed from
 * uring_ring_get_sqe().  A helper stores only the fields its opcode reads;
 * every other field stays 0, which is what the kernel requires of unused
 * fields (it fails the request with -EINVAL otherwise).  To reuse an SQE
 * that is not fresh from uring_ring_get_sqe(), memset() it first.
 *
 * Results arrive in cqe->res: the syscall's return value, or -errno.
 * Pointers handed to a helper must stay valid until the request's CQE is
 * reaped (the kernel may read them at issue time, after submit returned);
 * the exception is what the kernel copies at submit (timespecs of TIMEOUT
 * and LINK_TIMEOUT are copied, but keeping them alive is the safe rule).
 */
#ifndef URING_PREP_H
#define URING_PREP_H

#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include <uring/abi.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Only pointers to these cross the ABI; users include the real headers. */
struct statx;
struct open_how;
struct epoll_event;
struct futex_waitv;

/* The kernel's AT_FDCWD, which <fcntl.h> declares only for POSIX. */
#define URING__AT_FDCWD (-100)

/* Size of struct open_how version 0 (Linux 5.6): flags, mode, resolve. */
#define URING__OPEN_HOW_SIZE 24U

static inline uint64_t uring__ptr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* The fields most opcodes share.  Everything else is already zero. */
static inline void uring__prep_rw(struct uring_sqe *sqe, unsigned op, int fd,
				  const void *addr, unsigned len, uint64_t off)
{
	sqe->opcode = (uint8_t)op;
	sqe->fd = fd;
	sqe->addr = uring__ptr(addr);
	sqe->len = len;
	sqe->off = off;
}

/*
 * Direct descriptors: the kernel reads slot + 1 (0 means "a normal fd"), and
 * URING_FILE_INDEX_ALLOC as is (pick a free slot; the slot is returned in
 * cqe->res).
 */
static inline void uring__set_target_slot(struct uring_sqe *sqe,
					  unsigned file_index)
{
	if (file_index == URING_FILE_INDEX_ALLOC)
		sqe->file_index = URING_FILE_INDEX_ALLOC;
	else
		sqe->file_index = file_index + 1;
}

/* ---------------------------------------------------------------------
 * SQE flags
 * ------------------------------------------------------------------- */

/* Replace the SQE flags (URING_SQE_*). */
static inline void uring_sqe_set_flags(struct uring_sqe *sqe, unsigned flags)
{
	sqe->flags = (uint8_t)flags;
}

static inline void uring_sqe_set_buf_group(struct uring_sqe *sqe, int bgid)
{
	sqe->buf_group = (uint16_t)bgid;
}

/* The next SQE starts only if this one succeeds. */
static inline void uring_sqe_link(struct uring_sqe *sqe)
{
	sqe->flags |= URING_SQE_IO_LINK;
}

/* The next SQE starts once this one completes, whatever its result. */
static inline void uring_sqe_hardlink(struct uring_sqe *sqe)
{
	sqe->flags |= URING_SQE_IO_HARDLINK;
}

/* Start only after every earlier SQE has completed. */
static inline void uring_sqe_drain(struct uring_sqe *sqe)
{
	sqe->flags |= URING_SQE_IO_DRAIN;
}

/* Skip the non-blocking attempt: go straight to an io-wq worker. */
static inline void uring_sqe_async(struct uring_sqe *sqe)
{
	sqe->flags |= URING_SQE_ASYNC;
}

/* Let the kernel pick the buffer from provided-buffer group `bgid`. */
static inline void uring_sqe_buffer_select(struct uring_sqe *sqe, int bgid)
{
	sqe->flags |= URING_SQE_BUFFER_SELECT;
	sqe->buf_group = (uint16_t)bgid;
}

/* sqe->fd is an index into the registered file table. */
static inline void uring_sqe_fixed_file(struct uring_sqe *sqe)
{
	sqe->flags |= URING_SQE_FIXED_FILE;
}

/* Post no CQE when the request succeeds (5.17). */
static inline void uring_sqe_skip_success(struct uring_sqe *sqe)
{
	sqe->flags |= URING_SQE_CQE_SKIP_SUCCESS;
}

/* ---------------------------------------------------------------------
 * NOP
 * ------------------------------------------------------------------- */

static inline void uring_prep_nop(struct uring_sqe *sqe)
{
	uring__prep_rw(sqe, URING_OP_NOP, -1, NULL, 0, 0);
}

/* ---------------------------------------------------------------------
 * Read and write
 * ------------------------------------------------------------------- */

/* offset (uint64_t)-1 means "the file position", as read(2) would. */
static inline void uring_prep_read(struct uring_sqe *sqe, int fd, void *buf,
				   unsigned nbytes, uint64_t offset)
{
	uring__prep_rw(sqe, URING_OP_READ, fd, buf, nbytes, offset);
}

static inline void uring_prep_readv(struct uring_sqe *sqe, int fd,
				    const struct iovec *iovecs,
				    unsigned nr_vecs, uint64_t offset)
{
	uring__prep_rw(sqe, URING_OP_READV, fd, iovecs, nr_vecs, offset);
}

/* readv with preadv2(2) RWF_* flags. */
static inline void uring_prep_readv2(struct uring_sqe *sqe, int fd,
				     const struct iovec *iovecs,
				     unsigned nr_vecs, uint64_t offset,
				     int flags)
{
	uring_prep_readv(sqe, fd, iovecs, nr_vecs, offset);
	sqe->rw_flags = (uint32_t)flags;
}

/* buf must lie inside registered buffer `buf_index`. */
static inline void uring_prep_read_fixed(struct uring_sqe *sqe, int fd,
					 void *buf, unsigned nbytes,
					 uint64_t offset, int buf_index)
{
	uring__prep_rw(sqe, URING_OP_READ_FIXED, fd, buf, nbytes, offset);
	sqe->buf_index = (uint16_t)buf_index;
}

/* 6.15: every iovec must lie inside registered buffer `buf_index`. */
static inline void uring_prep_readv_fixed(struct uring_sqe *sqe, int fd,
					  const struct iovec *iovecs,
					  unsigned nr_vecs, uint64_t offset,
					  int flags, int buf_index)
{
	uring_prep_readv2(sqe, fd, iovecs, nr_vecs, offset, flags);
	sqe->opcode = URING_OP_READV_FIXED;
	sqe->buf_index = (uint16_t)buf_index;
}

/*
 * 6.7: read repeatedly from a pollable fd (pipe, eventfd, socket) into
 * buffers of group `buf_group`; one CQE per read, F_MORE while armed.
 */
static inline void uring_prep_read_multishot(struct uring_sqe *sqe, int fd,
					     unsigned nbytes, uint64_t offset,
					     int buf_group)
{
	uring__prep_rw(sqe, URING_OP_READ_MULTISHOT, fd, NULL, nbytes, offset);
	uring_sqe_buffer_select(sqe, buf_group);
}

static inline void uring_prep_write(struct uring_sqe *sqe, int fd,
				    const void *buf, unsigned nbytes,
				    uint64_t offset)
{
	uring__prep_rw(sqe, URING_OP_WRITE, fd, buf, nbytes, offset);
}

static inline void uring_prep_writev(struct uring_sqe *sqe, int fd,
				     const struct iovec *iovecs,
				     unsigned nr_vecs, uint64_t offset)
{
	uring__prep_rw(sqe, URING_OP_WRITEV, fd, iovecs, nr_vecs, offset);
}

static inline void uring_prep_writev2(struct uring_sqe *sqe, int fd,
				      const struct iovec *iovecs,
				      unsigned nr_vecs, uint64_t offset,
				      int flags)
{
	uring_prep_writev(sqe, fd, iovecs, nr_vecs, offset);
	sqe->rw_flags = (uint32_t)flags;
}

static inline void uring_prep_write_fixed(struct uring_sqe *sqe, int fd,
					  const void *buf, unsigned nbytes,
					  uint64_t offset, int buf_index)
{
	uring__prep_rw(sqe, URING_OP_WRITE_FIXED, fd, buf, nbytes, offset);
	sqe->buf_index = (uint16_t)buf_index;
}

static inline void uring_prep_writev_fixed(struct uring_sqe *sqe, int fd,
					   const struct iovec *iovecs,
					   unsigned nr_vecs, uint64_t offset,
					   int flags, int buf_index)
{
	uring_prep_writev2(sqe, fd, iovecs, nr_vecs, offset, flags);
	sqe->opcode = URING_OP_WRITEV_FIXED;
	sqe->buf_index = (uint16_t)buf_index;
}

/* ---------------------------------------------------------------------
 * Sync, space, advice
 * ------------------------------------------------------------------- */

/* fsync_flags: 0 or URING_FSYNC_DATASYNC. */
static inline void uring_prep_fsync(struct uring_sqe *sqe, int fd,
				    unsigned fsync_flags)
{
	uring__prep_rw(sqe, URING_OP_FSYNC, fd, NULL, 0, 0);
	sqe->fsync_flags = fsync_flags;
}

static inline void uring_prep_sync_file_range(struct uring_sqe *sqe, int fd,
					      unsigned len, uint64_t offset,
					      int flags)
{
	uring__prep_rw(sqe, URING_OP_SYNC_FILE_RANGE, fd, NULL, len, offset);
	sqe->sync_range_flags = (uint32_t)flags;
}

/* The kernel takes the length from sqe->addr and the mode from sqe->len. */
static inline void uring_prep_fallocate(struct uring_sqe *sqe, int fd,
					int mode, uint64_t offset,
					uint64_t len)
{
	uring__prep_rw(sqe, URING_OP_FALLOCATE, fd, NULL, (unsigned)mode,
		       offset);
	sqe->addr = len;
}

static inline void uring_prep_ftruncate(struct uring_sqe *sqe, int fd,
					int64_t len)
{
	uring__prep_rw(sqe, URING_OP_FTRUNCATE, fd, NULL, 0, (uint64_t)len);
}

static inline void uring_prep_fadvise(struct uring_sqe *sqe, int fd,
				      uint64_t offset, uint32_t len,
				      int advice)
{
	uring__prep_rw(sqe, URING_OP_FADVISE, fd, NULL, len, offset);
	sqe->fadvise_advice = (uint32_t)advice;
}

/* 64-bit length in sqe->addr (kernels before 6.7 read only sqe->len). */
static inline void uring_prep_fadvise64(struct uring_sqe *sqe, int fd,
					uint64_t offset, off_t len, int advice)
{
	uring__prep_rw(sqe, URING_OP_FADVISE, fd, NULL, 0, offset);
	sqe->addr = (uint64_t)len;
	sqe->fadvise_advice = (uint32_t)advice;
}

static inline void uring_prep_madvise(struct uring_sqe *sqe, void *addr,
				      uint32_t length, int advice)
{
	uring__prep_rw(sqe, URING_OP_MADVISE, -1, addr, length, 0);
	sqe->fadvise_advice = (uint32_t)advice;
}

/* 64-bit length in sqe->off (kernels before 6.7 read only sqe->len). */
static inline void uring_prep_madvise64(struct uring_sqe *sqe, void *addr,
					off_t length, int advice)
{
	uring__prep_rw(sqe, URING_OP_MADVISE, -1, addr, 0, (uint64_t)length);
	sqe->fadvise_advice = (uint32_t)advice;
}

/* ---------------------------------------------------------------------
 * Splice, tee, pipe
 * ------------------------------------------------------------------- */

/*
 * off_in/off_out: -1 for a pipe or to use the file position.  With
 * URING_SPLICE_F_FD_IN_FIXED in splice_flags, fd_in is a registered index
 * (fd_out follows the SQE's URING_SQE_FIXED_FILE flag).
 */
static inline void uring_prep_splice(struct uring_sqe *sqe, int fd_in,
				     int64_t off_in, int fd_out,
				     int64_t off_out, unsigned nbytes,
				     unsigned splice_flags)
{
	uring__prep_rw(sqe, URING_OP_SPLICE, fd_out, NULL, nbytes,
		       (uint64_t)off_out);
	sqe->splice_off_in = (uint64_t)off_in;
	sqe->splice_fd_in = fd_in;
	sqe->splice_flags = splice_flags;
}

static inline void uring_prep_tee(struct uring_sqe *sqe, int fd_in,
				  int fd_out, unsigned nbytes,
				  unsigned splice_flags)
{
	uring__prep_rw(sqe, URING_OP_TEE, fd_out, NULL, nbytes, 0);
	sqe->splice_fd_in = fd_in;
	sqe->splice_flags = splice_flags;
}

/* 6.16: pipe2(2); fds[0] is the read end, fds[1] the write end. */
static inline void uring_prep_pipe(struct uring_sqe *sqe, int *fds,
				   int pipe_flags)
{
	uring__prep_rw(sqe, URING_OP_PIPE, 0, fds, 0, 0);
	sqe->pipe_flags = (uint32_t)pipe_flags;
}

/*
 * Both ends as direct descriptors, in slots file_index and file_index + 1,
 * or any two free slots with URING_FILE_INDEX_ALLOC; fds[] gets the slots.
 * O_CLOEXEC is refused (direct descriptors have no exec semantics).
 */
static inline void uring_prep_pipe_direct(struct uring_sqe *sqe, int *fds,
					  int pipe_flags, unsigned file_index)
{
	uring_prep_pipe(sqe, fds, pipe_flags);
	uring__set_target_slot(sqe, file_index);
}

/* ---------------------------------------------------------------------
 * Open, close, stat, direct descriptors
 * ------------------------------------------------------------------- */

static inline void uring_prep_openat(struct uring_sqe *sqe, int dfd,
				     const char *path, int flags, mode_t mode)
{
	uring__prep_rw(sqe, URING_OP_OPENAT, dfd, path, mode, 0);
	sqe->open_flags = (uint32_t)flags;
}

/* Open into registered file slot `file_index` (or URING_FILE_INDEX_ALLOC). */
static inline void uring_prep_openat_direct(struct uring_sqe *sqe, int dfd,
					    const char *path, int flags,
					    mode_t mode, unsigned file_index)
{
	uring_prep_openat(sqe, dfd, path, flags, mode);
	uring__set_target_slot(sqe, file_index);
}

static inline void uring_prep_open(struct uring_sqe *sqe, const char *path,
				   int flags, mode_t mode)
{
	uring_prep_openat(sqe, URING__AT_FDCWD, path, flags, mode);
}

static inline void uring_prep_open_direct(struct uring_sqe *sqe,
					  const char *path, int flags,
					  mode_t mode, unsigned file_index)
{
	uring_prep_openat_direct(sqe, URING__AT_FDCWD, path, flags, mode, file_index);
}

/* `how` is a struct open_how from <linux/openat2.h> (version 0 is sent). */
static inline void uring_prep_openat2(struct uring_sqe *sqe, int dfd,
				      const char *path, struct open_how *how)
{
	uring__prep_rw(sqe, URING_OP_OPENAT2, dfd, path, URING__OPEN_HOW_SIZE,
		       uring__ptr(how));
}

static inline void uring_prep_openat2_direct(struct uring_sqe *sqe, int dfd,
					     const char *path,
					     struct open_how *how,
					     unsigned file_index)
{
	uring_prep_openat2(sqe, dfd, path, how);
	uring__set_target_slot(sqe, file_index);
}

static inline void uring_prep_close(struct uring_sqe *sqe, int fd)
{
	uring__prep_rw(sqe, URING_OP_CLOSE, fd, NULL, 0, 0);
}

/* Empty registered file slot `file_index`. */
static inline void uring_prep_close_direct(struct uring_sqe *sqe,
					   unsigned file_index)
{
	uring_prep_close(sqe, 0);
	sqe->file_index = file_index + 1;
}

/*
 * 6.8: make a normal fd of the direct descriptor `fd` (a slot index);
 * cqe->res is the new fd.  flags: URING_FIXED_FD_NO_CLOEXEC.
 */
static inline void uring_prep_fixed_fd_install(struct uring_sqe *sqe, int fd,
					       unsigned flags)
{
	uring__prep_rw(sqe, URING_OP_FIXED_FD_INSTALL, fd, NULL, 0, 0);
	sqe->flags = URING_SQE_FIXED_FILE;
	sqe->install_fd_flags = flags;
}

/*
 * Update `nr_fds` registered file slots from slot `offset`: an fd of -1
 * empties its slot, URING_REGISTER_FILES_SKIP leaves it.  With offset
 * URING_FILE_INDEX_ALLOC the kernel picks free slots and writes them to fds.
 * res = the number of slots updated.
 */
static inline void uring_prep_files_update(struct uring_sqe *sqe, int *fds,
					   unsigned nr_fds, int offset)
{
	uring__prep_rw(sqe, URING_OP_FILES_UPDATE, -1, fds, nr_fds,
		       (uint64_t)(int64_t)offset);
}

/* mask: STATX_*; flags: AT_* (AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW, ...). */
static inline void uring_prep_statx(struct uring_sqe *sqe, int dfd,
				    const char *path, int flags,
				    unsigned mask, struct statx *statxbuf)
{
	uring__prep_rw(sqe, URING_OP_STATX, dfd, path, mask,
		       uring__ptr(statxbuf));
	sqe->statx_flags = (uint32_t)flags;
}

/* ---------------------------------------------------------------------
 * Names in the file system
 * ------------------------------------------------------------------- */

static inline void uring_prep_renameat(struct uring_sqe *sqe, int olddfd,
				       const char *oldpath, int newdfd,
				       const char *newpath, unsigned flags)
{
	uring__prep_rw(sqe, URING_OP_RENAMEAT, olddfd, oldpath,
		       (unsigned)newdfd, uring__ptr(newpath));
	sqe->rename_flags = flags;
}

static inline void uring_prep_rename(struct uring_sqe *sqe,
				     const char *oldpath, const char *newpath)
{
	uring_prep_renameat(sqe, URING__AT_FDCWD, oldpath, URING__AT_FDCWD, newpath, 0);
}

/* flags: 0 or AT_REMOVEDIR. */
static inline void uring_prep_unlinkat(struct uring_sqe *sqe, int dfd,
				       const char *path, int flags)
{
	uring__prep_rw(sqe, URING_OP_UNLINKAT, dfd, path, 0, 0);
	sqe->unlink_flags = (uint32_t)flags;
}

static inline void uring_prep_unlink(struct uring_sqe *sqe, const char *path,
				     int flags)
{
	uring_prep_unlinkat(sqe, URING__AT_FDCWD, path, flags);
}

static inline void uring_prep_mkdirat(struct uring_sqe *sqe, int dfd,
				      const char *path, mode_t mode)
{
	uring__prep_rw(sqe, URING_OP_MKDIRAT, dfd, path, mode, 0);
}

static inline void uring_prep_mkdir(struct uring_sqe *sqe, const char *path,
				    mode_t mode)
{
	uring_prep_mkdirat(sqe, URING__AT_FDCWD, path, mode);
}

static inline void uring_prep_symlinkat(struct uring_sqe *sqe,
					const char *target, int newdirfd,
					const char *linkpath)
{
	uring__prep_rw(sqe, URING_OP_SYMLINKAT, newdirfd, target, 0,
		       uring__ptr(linkpath));
}

static inline void uring_prep_symlink(struct uring_sqe *sqe,
				      const char *target,
				      const char *linkpath)
{
	uring_prep_symlinkat(sqe, target, URING__AT_FDCWD, linkpath);
}

/* flags: 0 or AT_SYMLINK_FOLLOW. */
static inline void uring_prep_linkat(struct uring_sqe *sqe, int olddfd,
				     const char *oldpath, int newdfd,
				     const char *newpath, int flags)
{
	uring__prep_rw(sqe, URING_OP_LINKAT, olddfd, oldpath,
		       (unsigned)newdfd, uring__ptr(newpath));
	sqe->hardlink_flags = (uint32_t)flags;
}

static inline void uring_prep_link(struct uring_sqe *sqe, const char *oldpath,
				   const char *newpath, int flags)
{
	uring_prep_linkat(sqe, URING__AT_FDCWD, oldpath, URING__AT_FDCWD, newpath, flags);
}

/* ---------------------------------------------------------------------
 * Extended attributes (5.19)
 * ------------------------------------------------------------------- */

static inline void uring_prep_getxattr(struct uring_sqe *sqe,
				       const char *name, char *value,
				       const char *path, unsigned len)
{
	uring__prep_rw(sqe, URING_OP_GETXATTR, 0, name, len,
		       uring__ptr(value));
	sqe->addr3 = uring__ptr(path);
}

/* flags: 0, XATTR_CREATE or XATTR_REPLACE. */
static inline void uring_prep_setxattr(struct uring_sqe *sqe,
				       const char *name, const char *value,
				       const char *path, int flags,
				       unsigned len)
{
	uring__prep_rw(sqe, URING_OP_SETXATTR, 0, name, len,
		       uring__ptr(value));
	sqe->addr3 = uring__ptr(path);
	sqe->xattr_flags = (uint32_t)flags;
}

static inline void uring_prep_fgetxattr(struct uring_sqe *sqe, int fd,
					const char *name, char *value,
					unsigned len)
{
	uring__prep_rw(sqe, URING_OP_FGETXATTR, fd, name, len,
		       uring__ptr(value));
}

static inline void uring_prep_fsetxattr(struct uring_sqe *sqe, int fd,
					const char *name, const char *value,
					int flags, unsigned len)
{
	uring__prep_rw(sqe, URING_OP_FSETXATTR, fd, name, len,
		       uring__ptr(value));
	sqe->xattr_flags = (uint32_t)flags;
}

/* ---------------------------------------------------------------------
 * Poll
 * ------------------------------------------------------------------- */

/* poll32_events is stored little-endian halfword first, as the kernel reads it. */
static inline uint32_t uring__poll_mask(unsigned poll_mask)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	poll_mask = (poll_mask << 16) | (poll_mask >> 16);
#endif
	return poll_mask;
}

/* One-shot: completes once with the ready events (POLLIN, ...) in res. */
static inline void uring_prep_poll_add(struct uring_sqe *sqe, int fd,
				       unsigned poll_mask)
{
	uring__prep_rw(sqe, URING_OP_POLL_ADD, fd, NULL, 0, 0);
	sqe->poll32_events = uring__poll_mask(poll_mask);
}

/* 5.13: one CQE per readiness change, F_MORE while armed. */
static inline void uring_prep_poll_multishot(struct uring_sqe *sqe, int fd,
					     unsigned poll_mask)
{
	uring_prep_poll_add(sqe, fd, poll_mask);
	sqe->len = URING_POLL_ADD_MULTI;
}

/* Remove the poll request submitted with this user_data. */
static inline void uring_prep_poll_remove(struct uring_sqe *sqe,
					  uint64_t user_data)
{
	uring__prep_rw(sqe, URING_OP_POLL_REMOVE, -1, NULL, 0, 0);
	sqe->addr = user_data;
}

/*
 * Change an armed poll in place.  flags: URING_POLL_UPDATE_EVENTS (take
 * poll_mask), URING_POLL_UPDATE_USER_DATA (take new_user_data), and
 * URING_POLL_ADD_MULTI to keep or make it multishot.
 */
static inline void uring_prep_poll_update(struct uring_sqe *sqe,
					  uint64_t old_user_data,
					  uint64_t new_user_data,
					  unsigned poll_mask, unsigned flags)
{
	uring__prep_rw(sqe, URING_OP_POLL_REMOVE, -1, NULL, flags,
		       new_user_data);
	sqe->addr = old_user_data;
	sqe->poll32_events = uring__poll_mask(poll_mask);
}

/* ---------------------------------------------------------------------
 * epoll
 * ------------------------------------------------------------------- */

/* op: EPOLL_CTL_ADD/MOD/DEL on epoll instance epfd. */
static inline void uring_prep_epoll_ctl(struct uring_sqe *sqe, int epfd,
					int fd, int op,
					struct epoll_event *ev)
{
	uring__prep_rw(sqe, URING_OP_EPOLL_CTL, epfd, ev, (unsigned)op,
		       (uint64_t)(uint32_t)fd);
}

/* 6.15: like epoll_wait(2) with a zero timeout once something is ready. */
static inline void uring_prep_epoll_wait(struct uring_sqe *sqe, int fd,
					 struct epoll_event *events,
					 int maxevents, unsigned flags)
{
	uring__prep_rw(sqe, URING_OP_EPOLL_WAIT, fd, events,
		       (unsigned)maxevents, 0);
	sqe->rw_flags = flags;
}

/* ---------------------------------------------------------------------
 * Timeouts and cancellation
 * ------------------------------------------------------------------- */

/*
 * Completes with -ETIME when ts expires, or with 0 once `count` other
 * requests have completed.  flags: URING_TIMEOUT_ABS, clock selection
 * (BOOTTIME, REALTIME), URING_TIMEOUT_ETIME_SUCCESS, URING_TIMEOUT_MULTISHOT.
 */
static inline void uring_prep_timeout(struct uring_sqe *sqe,
				      const struct uring_timespec *ts,
				      unsigned count, unsigned flags)
{
	uring__prep_rw(sqe, URING_OP_TIMEOUT, -1, ts, 1, count);
	sqe->timeout_flags = flags;
}

/*
 * 6.4: fire every ts; `count` times (one CQE each, F_MORE until the last),
 * or until cancelled when count is 0.
 */
static inline void uring_prep_timeout_multishot(struct uring_sqe *sqe,
						const struct uring_timespec *ts,
						unsigned count, unsigned flags)
{
	uring_prep_timeout(sqe, ts, count, flags | URING_TIMEOUT_MULTISHOT);
}

static inline void uring_prep_timeout_remove(struct uring_sqe *sqe,
					     uint64_t user_data,
					     unsigned flags)
{
	uring__prep_rw(sqe, URING_OP_TIMEOUT_REMOVE, -1, NULL, 0, 0);
	sqe->addr = user_data;
	sqe->timeout_flags = flags;
}

/*
 * Re-arm the timeout submitted with user_data to ts.  With
 * URING_LINK_TIMEOUT_UPDATE in flags it updates a linked timeout instead.
 */
static inline void uring_prep_timeout_update(struct uring_sqe *sqe,
					     const struct uring_timespec *ts,
					     uint64_t user_data,
					     unsigned flags)
{
	uring__prep_rw(sqe, URING_OP_TIMEOUT_REMOVE, -1, NULL, 0,
		       uring__ptr(ts));
	sqe->addr = user_data;
	/* UPDATE is needed for linked timeouts too: without it the kernel
	 * treats the request as a remove (and finds no plain timeout). */
	sqe->timeout_flags = flags | URING_TIMEOUT_UPDATE;
}

/*
 * Bound the request in the previous SQE (which must carry URING_SQE_IO_LINK).
 * Timer first: the request gets -ECANCELED (or -EINTR), this one -ETIME.
 * Request first: this one gets -ECANCELED.
 */
static inline void uring_prep_link_timeout(struct uring_sqe *sqe,
					   const struct uring_timespec *ts,
					   unsigned flags)
{
	uring__prep_rw(sqe, URING_OP_LINK_TIMEOUT, -1, ts, 1, 0);
	sqe->timeout_flags = flags;
}

/* Cancel by user_data; flags URING_ASYNC_CANCEL_* (ALL, ANY, OP, ...). */
static inline void uring_prep_cancel64(struct uring_sqe *sqe,
				       uint64_t user_data, int flags)
{
	uring__prep_rw(sqe, URING_OP_ASYNC_CANCEL, -1, NULL, 0, 0);
	sqe->addr = user_data;
	sqe->cancel_flags = (uint32_t)flags;
}

static inline void uring_prep_cancel(struct uring_sqe *sqe,
				     const void *user_data, int flags)
{
	uring_prep_cancel64(sqe, uring__ptr(user_data), flags);
}

/* Cancel requests on fd (add URING_ASYNC_CANCEL_FD_FIXED for a slot). */
static inline void uring_prep_cancel_fd(struct uring_sqe *sqe, int fd,
					unsigned flags)
{
	uring__prep_rw(sqe, URING_OP_ASYNC_CANCEL, fd, NULL, 0, 0);
	sqe->cancel_flags = flags | URING_ASYNC_CANCEL_FD;
}

/* ---------------------------------------------------------------------
 * Sockets
 * ------------------------------------------------------------------- */

/* 5.19: socket(2); flags must be 0. */
static inline void uring_prep_socket(struct uring_sqe *sqe, int domain,
				     int type, int protocol, unsigned flags)
{
	uring__prep_rw(sqe, URING_OP_SOCKET, domain, NULL, (unsigned)protocol,
		       (uint64_t)(uint32_t)type);
	sqe->rw_flags = flags;
}

static inline void uring_prep_socket_direct(struct uring_sqe *sqe, int domain,
					    int type, int protocol,
					    unsigned file_index,
					    unsigned flags)
{
	uring_prep_socket(sqe, domain, type, protocol, flags);
	uring__set_target_slot(sqe, file_index);
}

static inline void uring_prep_socket_direct_alloc(struct uring_sqe *sqe,
						  int domain, int type,
						  int protocol, unsigned flags)
{
	uring_prep_socket(sqe, domain, type, protocol, flags);
	sqe->file_index = URING_FILE_INDEX_ALLOC;
}

/* 6.11 */
static inline void uring_prep_bind(struct uring_sqe *sqe, int fd,
				   const struct sockaddr *addr,
				   socklen_t addrlen)
{
	uring__prep_rw(sqe, URING_OP_BIND, fd, addr, 0, addrlen);
}

/* 6.11 */
static inline void uring_prep_listen(struct uring_sqe *sqe, int fd,
				     int backlog)
{
	uring__prep_rw(sqe, URING_OP_LISTEN, fd, NULL, (unsigned)backlog, 0);
}

static inline void uring_prep_connect(struct uring_sqe *sqe, int fd,
				      const struct sockaddr *addr,
				      socklen_t addrlen)
{
	uring__prep_rw(sqe, URING_OP_CONNECT, fd, addr, 0, addrlen);
}

/* addr/addrlen may be NULL; flags are accept4(2) flags (SOCK_CLOEXEC, ...). */
static inline void uring_prep_accept(struct uring_sqe *sqe, int fd,
				     struct sockaddr *addr,
				     socklen_t *addrlen, int flags)
{
	uring__prep_rw(sqe, URING_OP_ACCEPT, fd, addr, 0, uring__ptr(addrlen));
	sqe->accept_flags = (uint32_t)flags;
}

static inline void uring_prep_accept_direct(struct uring_sqe *sqe, int fd,
					    struct sockaddr *addr,
					    socklen_t *addrlen, int flags,
					    unsigned file_index)
{
	uring_prep_accept(sqe, fd, addr, addrlen, flags);
	uring__set_target_slot(sqe, file_index);
}

/* 5.19: one CQE per connection, F_MORE while armed. */
static inline void uring_prep_multishot_accept(struct uring_sqe *sqe, int fd,
					       struct sockaddr *addr,
					       socklen_t *addrlen, int flags)
{
	uring_prep_accept(sqe, fd, addr, addrlen, flags);
	sqe->ioprio |= URING_ACCEPT_MULTISHOT;
}

/* Each connection goes into a free direct-descriptor slot (res = slot). */
static inline void uring_prep_multishot_accept_direct(struct uring_sqe *sqe,
						      int fd,
						      struct sockaddr *addr,
						      socklen_t *addrlen,
						      int flags)
{
	uring_prep_multishot_accept(sqe, fd, addr, addrlen, flags);
	sqe->file_index = URING_FILE_INDEX_ALLOC;
}

/* how: SHUT_RD, SHUT_WR or SHUT_RDWR. */
static inline void uring_prep_shutdown(struct uring_sqe *sqe, int fd, int how)
{
	uring__prep_rw(sqe, URING_OP_SHUTDOWN, fd, NULL, (unsigned)how, 0);
}

/* ---------------------------------------------------------------------
 * Send
 * ------------------------------------------------------------------- */

static inline void uring_prep_send(struct uring_sqe *sqe, int sockfd,
				   const void *buf, size_t len, int flags)
{
	uring__prep_rw(sqe, URING_OP_SEND, sockfd, buf, (unsigned)len, 0);
	sqe->msg_flags = (uint32_t)flags;
}

/* Give a send (or send_zc) a destination, as sendto(2) does. */
static inline void uring_prep_send_set_addr(struct uring_sqe *sqe,
					    const struct sockaddr *dest_addr,
					    uint16_t addr_len)
{
	sqe->addr2 = uring__ptr(dest_addr);
	sqe->addr_len = addr_len;
}

static inline void uring_prep_sendto(struct uring_sqe *sqe, int sockfd,
				     const void *buf, size_t len, int flags,
				     const struct sockaddr *addr,
				     socklen_t addrlen)
{
	uring_prep_send(sqe, sockfd, buf, len, flags);
	uring_prep_send_set_addr(sqe, addr, (uint16_t)addrlen);
}

/*
 * Send from registered buffer `buf_index` (buf lies inside it).  Linux 6.18
 * accepts URING_RECVSEND_FIXED_BUF only on SEND_ZC and answers -EINVAL here;
 * later kernels take it on plain SEND too.  Use uring_prep_send_zc_fixed()
 * where 6.18 must be served.
 */
static inline void uring_prep_send_fixed(struct uring_sqe *sqe, int sockfd,
					 const void *buf, size_t len,
					 int flags, int buf_index)
{
	uring_prep_send(sqe, sockfd, buf, len, flags);
	sqe->ioprio |= URING_RECVSEND_FIXED_BUF;
	sqe->buf_index = (uint16_t)buf_index;
}

/*
 * 6.10: send as many buffers of a provided-buffer group as are queued, up to
 * len bytes (0: no limit) in one request.  Needs uring_sqe_buffer_select().
 */
static inline void uring_prep_send_bundle(struct uring_sqe *sqe, int sockfd,
					  size_t len, int flags)
{
	uring__prep_rw(sqe, URING_OP_SEND, sockfd, NULL, (unsigned)len, 0);
	sqe->msg_flags = (uint32_t)flags;
	sqe->ioprio |= URING_RECVSEND_BUNDLE;
}

static inline void uring_prep_sendmsg(struct uring_sqe *sqe, int fd,
				      const struct msghdr *msg,
				      unsigned flags)
{
	uring__prep_rw(sqe, URING_OP_SENDMSG, fd, msg, 1, 0);
	sqe->msg_flags = flags;
}

/*
 * 6.0: zero-copy send.  Usually two CQEs: the result (with F_MORE), then a
 * notification (URING_CQE_F_NOTIF) once the kernel let go of buf.
 * zc_flags: URING_RECVSEND_POLL_FIRST, URING_SEND_ZC_REPORT_USAGE.
 */
static inline void uring_prep_send_zc(struct uring_sqe *sqe, int sockfd,
				      const void *buf, size_t len, int flags,
				      unsigned zc_flags)
{
	uring__prep_rw(sqe, URING_OP_SEND_ZC, sockfd, buf, (unsigned)len, 0);
	sqe->msg_flags = (uint32_t)flags;
	sqe->ioprio = (uint16_t)zc_flags;
}

static inline void uring_prep_send_zc_fixed(struct uring_sqe *sqe, int sockfd,
					    const void *buf, size_t len,
					    int flags, unsigned zc_flags,
					    unsigned buf_index)
{
	uring_prep_send_zc(sqe, sockfd, buf, len, flags, zc_flags);
	sqe->ioprio |= URING_RECVSEND_FIXED_BUF;
	sqe->buf_index = (uint16_t)buf_index;
}

/* 6.1 */
static inline void uring_prep_sendmsg_zc(struct uring_sqe *sqe, int fd,
					 const struct msghdr *msg,
					 unsigned flags)
{
	uring_prep_sendmsg(sqe, fd, msg, flags);
	sqe->opcode = URING_OP_SENDMSG_ZC;
}

/* 6.15: the iovecs of msg lie inside registered buffer `buf_index`. */
static inline void uring_prep_sendmsg_zc_fixed(struct uring_sqe *sqe, int fd,
					       const struct msghdr *msg,
					       unsigned flags,
					       unsigned buf_index)
{
	uring_prep_sendmsg_zc(sqe, fd, msg, flags);
	sqe->ioprio |= URING_RECVSEND_FIXED_BUF;
	sqe->buf_index = (uint16_t)buf_index;
}

/* ---------------------------------------------------------------------
 * Receive
 * ------------------------------------------------------------------- */

/* With uring_sqe_buffer_select(), buf is NULL and the kernel picks one. */
static inline void uring_prep_recv(struct uring_sqe *sqe, int sockfd,
				   void *buf, size_t len, int flags)
{
	uring__prep_rw(sqe, URING_OP_RECV, sockfd, buf, (unsigned)len, 0);
	sqe->msg_flags = (uint32_t)flags;
}

/*
 * 6.0: receive until error or EOF, one CQE per chunk with F_MORE while
 * armed.  Needs uring_sqe_buffer_select(); len 0 = whole buffers.  The last
 * CQE lacks F_MORE: -ENOBUFS when the group ran dry (re-arm), 0 on EOF.
 */
static inline void uring_prep_recv_multishot(struct uring_sqe *sqe,
					     int sockfd, void *buf, size_t len,
					     int flags)
{
	uring_prep_recv(sqe, sockfd, buf, len, flags);
	sqe->ioprio |= URING_RECV_MULTISHOT;
}

/*
 * 6.10: fill several consecutive buffers of the group in one CQE (res =
 * total bytes, buffer id = the first).  Needs uring_sqe_buffer_select().
 */
static inline void uring_prep_recv_bundle(struct uring_sqe *sqe, int sockfd,
					  size_t len, int flags)
{
	uring_prep_recv(sqe, sockfd, NULL, len, flags);
	sqe->ioprio |= URING_RECVSEND_BUNDLE;
}

static inline void uring_prep_recvmsg(struct uring_sqe *sqe, int fd,
				      struct msghdr *msg, unsigned flags)
{
	uring__prep_rw(sqe, URING_OP_RECVMSG, fd, msg, 1, 0);
	sqe->msg_flags = flags;
}

/*
 * 6.0: each buffer starts with a struct uring_recvmsg_out, then the name,
 * control data and payload sized by msg->msg_namelen / msg_controllen.
 */
static inline void uring_prep_recvmsg_multishot(struct uring_sqe *sqe, int fd,
						struct msghdr *msg,
						unsigned flags)
{
	uring_prep_recvmsg(sqe, fd, msg, flags);
	sqe->ioprio |= URING_RECV_MULTISHOT;
}

/*
 * 6.15: zero-copy receive through the registered zcrx interface queue
 * `zcrx_ifq_idx` (needs a NIC queue set up for it).  len caps the total
 * bytes (0: until cancelled); completions are 32-byte CQEs.
 */
static inline void uring_prep_recv_zc(struct uring_sqe *sqe, int sockfd,
				      unsigned len, unsigned zcrx_ifq_idx)
{
	uring__prep_rw(sqe, URING_OP_RECV_ZC, sockfd, NULL, len, 0);
	sqe->ioprio = URING_RECV_MULTISHOT;
	sqe->zcrx_ifq_idx = zcrx_ifq_idx;
}

/* ---------------------------------------------------------------------
 * Provided buffers (the legacy, one-SQE-per-refill kind)
 * ------------------------------------------------------------------- */

/* Hand `nr` buffers of `len` bytes from addr to group bgid, ids from bid. */
static inline void uring_prep_provide_buffers(struct uring_sqe *sqe,
					      void *addr, int len, int nr,
					      int bgid, int bid)
{
	uring__prep_rw(sqe, URING_OP_PROVIDE_BUFFERS, nr, addr, (unsigned)len,
		       (uint64_t)(uint32_t)bid);
	sqe->buf_group = (uint16_t)bgid;
}

static inline void uring_prep_remove_buffers(struct uring_sqe *sqe, int nr,
					     int bgid)
{
	uring__prep_rw(sqe, URING_OP_REMOVE_BUFFERS, nr, NULL, 0, 0);
	sqe->buf_group = (uint16_t)bgid;
}

/* ---------------------------------------------------------------------
 * Ring to ring (5.18)
 * ------------------------------------------------------------------- */

/* Post a CQE {user_data = data, res = len} into the ring behind fd. */
static inline void uring_prep_msg_ring(struct uring_sqe *sqe, int fd,
				       unsigned len, uint64_t data,
				       unsigned flags)
{
	uring__prep_rw(sqe, URING_OP_MSG_RING, fd, NULL, len, data);
	sqe->addr = URING_MSG_DATA;
	sqe->msg_ring_flags = flags;
}

/* 6.3: as uring_prep_msg_ring, and the posted CQE's flags are cqe_flags. */
static inline void uring_prep_msg_ring_cqe_flags(struct uring_sqe *sqe,
						 int fd, unsigned len,
						 uint64_t data, unsigned flags,
						 unsigned cqe_flags)
{
	uring_prep_msg_ring(sqe, fd, len, data,
			    flags | URING_MSG_RING_FLAGS_PASS);
	sqe->file_index = cqe_flags;
}

/*
 * Install our direct descriptor source_fd into the other ring's slot
 * target_fd (or URING_FILE_INDEX_ALLOC); a CQE with user_data = data is
 * posted there unless flags has URING_MSG_RING_CQE_SKIP.
 */
static inline void uring_prep_msg_ring_fd(struct uring_sqe *sqe, int fd,
					  int source_fd, int target_fd,
					  uint64_t data, unsigned flags)
{
	uring__prep_rw(sqe, URING_OP_MSG_RING, fd, NULL, 0, data);
	sqe->addr = URING_MSG_SEND_FD;
	sqe->addr3 = (uint64_t)(uint32_t)source_fd;
	uring__set_target_slot(sqe, (unsigned)target_fd);
	sqe->msg_ring_flags = flags;
}

static inline void uring_prep_msg_ring_fd_alloc(struct uring_sqe *sqe, int fd,
						int source_fd, uint64_t data,
						unsigned flags)
{
	uring_prep_msg_ring_fd(sqe, fd, source_fd,
			       (int)URING_FILE_INDEX_ALLOC, data, flags);
}

/* ---------------------------------------------------------------------
 * Driver commands (5.19)
 * ------------------------------------------------------------------- */

/* A file-specific command; with SQE128 its payload is uring_sqe_cmd(sqe). */
static inline void uring_prep_uring_cmd(struct uring_sqe *sqe, int cmd_op,
					int fd)
{
	uring__prep_rw(sqe, URING_OP_URING_CMD, fd, NULL, 0, 0);
	sqe->cmd_op = (uint32_t)cmd_op;
}

/*
 * Socket commands (cmd_op URING_SOCKET_OP_*): SIOCINQ/SIOCOUTQ return the
 * byte count in res; GETSOCKOPT/SETSOCKOPT use level, optname, optval,
 * optlen (res = the option length for GETSOCKOPT).
 */
static inline void uring_prep_cmd_sock(struct uring_sqe *sqe, int cmd_op,
				       int fd, int level, int optname,
				       void *optval, int optlen)
{
	uring_prep_uring_cmd(sqe, cmd_op, fd);
	sqe->level = (uint32_t)level;
	sqe->optname = (uint32_t)optname;
	sqe->optval = uring__ptr(optval);
	sqe->optlen = (uint32_t)optlen;
}

/* ---------------------------------------------------------------------
 * Processes and futexes (6.7)
 * ------------------------------------------------------------------- */

#if URING__POSIX /* idtype_t, id_t, siginfo_t */
/* waitid(2); flags must be 0. */
static inline void uring_prep_waitid(struct uring_sqe *sqe, idtype_t idtype,
				     id_t id, siginfo_t *infop, int options,
				     unsigned flags)
{
	uring__prep_rw(sqe, URING_OP_WAITID, (int)id, NULL, (unsigned)idtype,
		       0);
	sqe->waitid_flags = flags;
	sqe->file_index = (uint32_t)options;
	sqe->addr2 = uring__ptr(infop);
}
#endif

/*
 * futex2 semantics: futex_flags are FUTEX2_* (size, PRIVATE), mask a bitset
 * (FUTEX_BITSET_MATCH_ANY); flags must be 0.  Wait completes with 0 when
 * woken, -EAGAIN when *futex != val at issue.
 */
static inline void uring_prep_futex_wait(struct uring_sqe *sqe,
					 uint32_t *futex, uint64_t val,
					 uint64_t mask, uint32_t futex_flags,
					 unsigned flags)
{
	uring__prep_rw(sqe, URING_OP_FUTEX_WAIT, (int)futex_flags, futex, 0,
		       val);
	sqe->futex_flags = flags;
	sqe->addr3 = mask;
}

/* Wake up to val waiters; res = the number woken. */
static inline void uring_prep_futex_wake(struct uring_sqe *sqe,
					 uint32_t *futex, uint64_t val,
					 uint64_t mask, uint32_t futex_flags,
					 unsigned flags)
{
	uring__prep_rw(sqe, URING_OP_FUTEX_WAKE, (int)futex_flags, futex, 0,
		       val);
	sqe->futex_flags = flags;
	sqe->addr3 = mask;
}

/* Wait on nr_futex futexes; res = index of the one that woke us. */
static inline void uring_prep_futex_waitv(struct uring_sqe *sqe,
					  struct futex_waitv *futex,
					  uint32_t nr_futex, unsigned flags)
{
	uring__prep_rw(sqe, URING_OP_FUTEX_WAITV, 0, futex, nr_futex, 0);
	sqe->futex_flags = flags;
}

#ifdef __cplusplus
}
#endif

#endif /* URING_PREP_H */
