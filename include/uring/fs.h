/* SPDX-License-Identifier: MIT */
/*
 * uring/fs.h - file-system requests on the loop: open, read, write, sync,
 * stat, names, extended attributes, splice, and a file copy helper.
 *
 * Each call is one io_uring operation run as a loop request (uring_req_sqe(3)),
 * with libuv-like arguments and a callback on the loop thread:
 *
 *   struct uring_fs req = {0};
 *   uring_fs_open(loop, &req, "log.txt", O_WRONLY | O_APPEND, 0, opened);
 *
 * The request is caller-owned memory and needs no init call.  Three of its
 * members are the caller's and are read by every call (zero them, or set
 * them, before the call; no call changes them):
 *   data         anything;
 *   deadline_ms  0, or fail the request with -ETIMEDOUT after this long;
 *   flags        URING_FS_LINK / URING_FS_HARDLINK to chain the next request
 *                (write, then fsync, then close: a failed link cancels the
 *                rest with -ECANCELED), URING_FS_DIRECT for direct
 *                descriptors.
 * The callback gets the result: >= 0 (a byte count, an fd, 0) or a negative
 * errno.  The request may be reused or freed from its callback.
 *
 * Paths, xattr names and values, iovec arrays and struct open_how are copied
 * by the call: the caller's may go away when it returns.  Data buffers (read,
 * write, getxattr) must stay valid until the callback.  A call returns 0, or
 * a negative errno and then nothing was queued and no callback will run:
 * -EINVAL for bad arguments, -EOPNOTSUPP when the running kernel cannot do
 * the operation through io_uring, -ENOMEM, -EBUSY (no SQE free).  All calls
 * run on the loop thread and never set errno.  Overview: uring_fs(3).
 */
#ifndef URING_FS_H
#define URING_FS_H

#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <linux/openat2.h> /* struct open_how, RESOLVE_* */
#include <linux/stat.h>    /* struct statx, STATX_* */

#include <uring/loop.h>

#ifdef __cplusplus
extern "C" {
#endif
#pragma GCC visibility push(default)

struct uring_fs;
struct uring__fs_copy;

/* result: >= 0 on success, or a negative errno. */
typedef void (*uring_fs_cb)(struct uring_fs *req, int result);
/* result: bytes copied (64-bit: copies may pass 2 GiB), or a negative errno. */
typedef void (*uring_fs_copy_cb)(struct uring_fs *req, int64_t result);

/* uring_fs.flags */
#define URING_FS_LINK URING_REQ_LINK         /* next request runs only if this succeeds */
#define URING_FS_HARDLINK URING_REQ_HARDLINK /* next request runs after this, whatever */
/* Descriptors are registered file slots ("direct descriptors"): open and
 * openat2 open into a free slot of the loop's registered file table and
 * return the slot; every other fd-taking call takes a slot. */
#define URING_FS_DIRECT (1U << 2)

#define URING_FS_IOV_INLINE 4

struct uring_fs {
	void *data;           /* the caller's */
	uint64_t deadline_ms; /* the caller's: 0, or -ETIMEDOUT after this */
	unsigned flags;       /* the caller's: URING_FS_* */
	struct statx statx;   /* uring_fs_statx() result */
	/* private */
	uring_fs_cb cb;
	uring_fs_copy_cb copy_cb;
	char *names;                 /* copied path/name arguments */
	struct iovec *iov;           /* copied iovec array */
	struct uring__fs_copy *copy; /* uring_fs_copy() state */
	union {
		struct iovec iov[URING_FS_IOV_INLINE];
		struct open_how how;
	} arg;
	struct uring_req req;
	void *reserved[2]; /* room to grow without an ABI break (docs/ABI.md) */
};

/* Opening and closing.  offset arguments below: >= 0, or -1 for the file
 * position (read(2) rather than pread(2)). */
int uring_fs_open(struct uring_loop *loop, struct uring_fs *req,
		  const char *path, int flags, mode_t mode, uring_fs_cb cb);
int uring_fs_openat2(struct uring_loop *loop, struct uring_fs *req, int dirfd,
		     const char *path, const struct open_how *how,
		     uring_fs_cb cb);
int uring_fs_close(struct uring_loop *loop, struct uring_fs *req, int fd,
		   uring_fs_cb cb);

/* Reading and writing */
int uring_fs_read(struct uring_loop *loop, struct uring_fs *req, int fd,
		  void *buf, unsigned len, int64_t offset, uring_fs_cb cb);
int uring_fs_readv(struct uring_loop *loop, struct uring_fs *req, int fd,
		   const struct iovec *iov, unsigned nbufs, int64_t offset,
		   uring_fs_cb cb);
/* buf lies inside buffer buf_index registered with uring_register_buffers(3)
 * on uring_loop_ring(3). */
int uring_fs_read_fixed(struct uring_loop *loop, struct uring_fs *req, int fd,
			void *buf, unsigned len, int64_t offset,
			unsigned buf_index, uring_fs_cb cb);
int uring_fs_write(struct uring_loop *loop, struct uring_fs *req, int fd,
		   const void *buf, unsigned len, int64_t offset,
		   uring_fs_cb cb);
int uring_fs_writev(struct uring_loop *loop, struct uring_fs *req, int fd,
		    const struct iovec *iov, unsigned nbufs, int64_t offset,
		    uring_fs_cb cb);
int uring_fs_write_fixed(struct uring_loop *loop, struct uring_fs *req, int fd,
			 const void *buf, unsigned len, int64_t offset,
			 unsigned buf_index, uring_fs_cb cb);

/* Syncing, space, advice */
int uring_fs_fsync(struct uring_loop *loop, struct uring_fs *req, int fd,
		   uring_fs_cb cb);
int uring_fs_fdatasync(struct uring_loop *loop, struct uring_fs *req, int fd,
		       uring_fs_cb cb);
int uring_fs_sync_file_range(struct uring_loop *loop, struct uring_fs *req,
			     int fd, int64_t offset, unsigned len,
			     unsigned flags, uring_fs_cb cb);
int uring_fs_fallocate(struct uring_loop *loop, struct uring_fs *req, int fd,
		       int mode, int64_t offset, int64_t len, uring_fs_cb cb);
int uring_fs_ftruncate(struct uring_loop *loop, struct uring_fs *req, int fd,
		       int64_t length, uring_fs_cb cb);
int uring_fs_fadvise(struct uring_loop *loop, struct uring_fs *req, int fd,
		     int64_t offset, int64_t len, int advice, uring_fs_cb cb);
int uring_fs_madvise(struct uring_loop *loop, struct uring_fs *req,
		     void *addr, size_t len, int advice, uring_fs_cb cb);

/* Metadata and names.  statx: the result lands in req->statx. */
int uring_fs_statx(struct uring_loop *loop, struct uring_fs *req, int dirfd,
		   const char *path, int flags, unsigned mask, uring_fs_cb cb);
int uring_fs_rename(struct uring_loop *loop, struct uring_fs *req,
		    const char *path, const char *new_path, uring_fs_cb cb);
int uring_fs_unlink(struct uring_loop *loop, struct uring_fs *req,
		    const char *path, uring_fs_cb cb);
int uring_fs_rmdir(struct uring_loop *loop, struct uring_fs *req,
		   const char *path, uring_fs_cb cb);
int uring_fs_mkdir(struct uring_loop *loop, struct uring_fs *req,
		   const char *path, mode_t mode, uring_fs_cb cb);
int uring_fs_symlink(struct uring_loop *loop, struct uring_fs *req,
		     const char *target, const char *link_path,
		     uring_fs_cb cb);
int uring_fs_link(struct uring_loop *loop, struct uring_fs *req,
		  const char *path, const char *new_path, uring_fs_cb cb);

/* Extended attributes.  get: the value's size (with size 0: the size it
 * needs); set: flags 0, XATTR_CREATE or XATTR_REPLACE. */
int uring_fs_getxattr(struct uring_loop *loop, struct uring_fs *req,
		      const char *path, const char *name, void *value,
		      size_t size, uring_fs_cb cb);
int uring_fs_setxattr(struct uring_loop *loop, struct uring_fs *req,
		      const char *path, const char *name, const void *value,
		      size_t size, int flags, uring_fs_cb cb);
int uring_fs_fgetxattr(struct uring_loop *loop, struct uring_fs *req, int fd,
		       const char *name, void *value, size_t size,
		       uring_fs_cb cb);
int uring_fs_fsetxattr(struct uring_loop *loop, struct uring_fs *req, int fd,
		       const char *name, const void *value, size_t size,
		       int flags, uring_fs_cb cb);

/* Pipes: splice(2) (off_in/off_out -1 for a pipe or the file position)
 * and tee(2); flags SPLICE_F_*. */
int uring_fs_splice(struct uring_loop *loop, struct uring_fs *req, int fd_in,
		    int64_t off_in, int fd_out, int64_t off_out, unsigned len,
		    unsigned flags, uring_fs_cb cb);
int uring_fs_tee(struct uring_loop *loop, struct uring_fs *req, int fd_in,
		 int fd_out, unsigned len, unsigned flags, uring_fs_cb cb);

/*
 * Copy `length` bytes (fewer at end of file) of in_fd from in_offset (>= 0)
 * to out_fd at out_offset, or, with out_offset -1, to a stream (socket,
 * pipe, a file at its position) in order.  Splices through pipes with
 * several chunks in flight; cb runs once with the bytes copied or the first
 * error.  No deadline, link or direct flags.
 */
int uring_fs_copy(struct uring_loop *loop, struct uring_fs *req, int out_fd,
		  int64_t out_offset, int in_fd, int64_t in_offset,
		  uint64_t length, uring_fs_copy_cb cb);

/* Ask the kernel to stop the request (or the whole copy): its callback gets
 * -ECANCELED, or the real result if it finished first.  As
 * uring_req_cancel(3): -EALREADY when not in flight, -EBUSY to retry. */
int uring_fs_cancel(struct uring_fs *req);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif

#endif /* URING_FS_H */
