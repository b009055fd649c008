/* SPDX-License-Identifier: MIT */
/*
 * runtime/fs/fs.c - file-system requests.  Each call is one uring_prep_* helper
 * run as a loop request (req.c): the request machinery brings deadlines,
 * chains and "the callback runs after the last CQE" with it, so a call here
 * only checks its arguments, keeps copies of what the kernel reads late,
 * prepares the SQE and submits it.
 *
 * Order inside every call: check (nothing is queued on failure), copy names,
 * take the SQE, prepare, submit.  The copies are freed when the request
 * completes, before the user's callback, so the callback may reuse it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include <uring/fs.h>

#include "fs-internal.h"

#define FS_CHAIN (URING_FS_LINK | URING_FS_HARDLINK)
#define FS_FD_FLAGS (FS_CHAIN | URING_FS_DIRECT)
/* Largest xattr value the kernel takes (XATTR_SIZE_MAX); we copy it. */
#define FS_XATTR_MAX 65536U
#define FS_PROBE_WORDS 4 /* 256 opcodes: the probe's op field is a u8 */

/* ------------------------------------------------------------- probe */

/*
 * What the running kernel can do, asked once per process: opcode support
 * does not change while it runs.  Two threads may fill it at the same time;
 * both write the same bits, and readers see them once `probe_known` is set.
 */
static uint64_t probe_bits[FS_PROBE_WORDS];
static int probe_known;

static int probe_fill(struct uring_loop *loop)
{
	uint64_t bits[FS_PROBE_WORDS] = {0};
	struct uring_probe *probe;
	unsigned op;
	int ret = uring_probe_get(uring_loop_ring(loop), &probe);

	if (ret == -EINVAL) {
		/* No URING_REGISTER_PROBE: the kernel predates 5.6, which
		 * added it along with FALLOCATE; only older opcodes exist. */
		for (op = 0; op < URING_OP_FALLOCATE; op++)
			bits[op / 64] |= 1ULL << (op % 64);
	} else if (ret < 0) {
		return ret; /* transient (-ENOMEM, -EINTR): ask next time */
	} else {
		for (op = 0; op < 64 * FS_PROBE_WORDS; op++)
			if (uring_probe_supports(probe, op))
				bits[op / 64] |= 1ULL << (op % 64);
		uring_probe_free(probe);
	}
	for (op = 0; op < FS_PROBE_WORDS; op++)
		uring__store_relaxed(&probe_bits[op], bits[op]);
	uring__store_release(&probe_known, 1);
	return 0;
}

/* 0 if the kernel can run `op`, -EOPNOTSUPP if not, or the probe's error. */
int uring__fs_supported(struct uring_loop *loop, unsigned op)
{
	int ret;

	if (!uring__load_acquire(&probe_known)) {
		ret = probe_fill(loop);
		if (ret)
			return ret;
	}
	if (op >= 64 * FS_PROBE_WORDS ||
	    !((uring__load_relaxed(&probe_bits[op / 64]) >> (op % 64)) & 1))
		return -EOPNOTSUPP;
	return 0;
}

/* ------------------------------------------------------------- common */

static void fs_release(struct uring_fs *req)
{
	if (req->iov != req->arg.iov)
		free(req->iov);
	free(req->names);
	req->iov = NULL;
	req->names = NULL;
}

static void fs_done(struct uring_req *r, int result)
{
	struct uring_fs *req = uring__container_of(r, struct uring_fs, req);

	fs_release(req);
	req->cb(req, result);
}

/* Checks every call makes; on success the request's private part is set
 * up (it may be uninitialised memory). */
static int fs_begin(struct uring_loop *loop, struct uring_fs *req,
		    uring_fs_cb cb, unsigned op, unsigned flags_ok)
{
	int ret;

	if (!loop || !req || !cb || loop->closed || (req->flags & ~flags_ok))
		return -EINVAL;
	ret = uring__fs_supported(loop, op);
	if (ret)
		return ret;
	req->cb = cb;
	req->copy_cb = NULL;
	req->names = NULL;
	req->iov = NULL;
	req->copy = NULL;
	return 0;
}

/* A name argument (path, xattr name or value) and its length in bytes. */
struct fs_name {
	const void *ptr;
	size_t len;
};

static struct fs_name fs_str(const char *s)
{
	return (struct fs_name){s, strlen(s) + 1};
}

/* Copy the names into one allocation the request owns and point them at
 * the copies: the kernel reads them at submission, after the call returned
 * (and io-wq may read them again), so a caller's stack buffer cannot do. */
static int fs_keep(struct uring_fs *req, struct fs_name *names, unsigned n)
{
	URING__KEEP_ERRNO(); /* malloc() */
	size_t total = 1;
	unsigned i;
	char *p;

	for (i = 0; i < n; i++)
		total += names[i].len;
	p = malloc(total);
	if (!p)
		return -ENOMEM;
	req->names = p;
	for (i = 0; i < n; i++) {
		if (names[i].len)
			memcpy(p, names[i].ptr, names[i].len);
		names[i].ptr = p;
		p += names[i].len;
	}
	return 0;
}

/* The one path of a request, kept as fs_keep() does: the copy, or NULL
 * with *ret set (-EINVAL for no path, -ENOMEM). */
static const char *fs_keep_path(struct uring_fs *req, const char *path,
				int *ret)
{
	struct fs_name n = {NULL, 0};

	*ret = -EINVAL;
	if (!path)
		return NULL;
	n = fs_str(path);
	*ret = fs_keep(req, &n, 1);
	return *ret ? NULL : n.ptr;
}

/* The iovec array is copied too (READV may import it late, from io-wq). */
static int fs_keep_iov(struct uring_fs *req, const struct iovec *iov,
		       unsigned n)
{
	URING__KEEP_ERRNO(); /* malloc() */

	if (n <= URING_FS_IOV_INLINE) {
		req->iov = req->arg.iov;
	} else {
		req->iov = malloc(n * sizeof(*iov));
		if (!req->iov)
			return -ENOMEM;
	}
	memcpy(req->iov, iov, n * sizeof(*iov));
	return 0;
}

static struct uring_sqe *fs_sqe(struct uring_loop *loop, struct uring_fs *req)
{
	struct uring_sqe *sqe = uring_req_sqe(loop, &req->req);

	if (!sqe)
		fs_release(req);
	return sqe;
}

/* `fixed`: the SQE's fd is a file slot when the caller asked for direct
 * descriptors (not for open and close, which name slots differently). */
static int fs_submit(struct uring_fs *req, struct uring_sqe *sqe, bool fixed)
{
	int ret;

	if (fixed && (req->flags & URING_FS_DIRECT))
		uring_sqe_fixed_file(sqe);
	ret = uring_req_submit(&req->req, fs_done, req->deadline_ms,
			       req->flags & FS_CHAIN);
	if (ret)
		fs_release(req);
	return ret;
}

#define FS_SQE(loop, req, sqe)                                                 \
	do {                                                                   \
		(sqe) = fs_sqe((loop), (req));                                 \
		if (!(sqe))                                                    \
			return -EBUSY;                                         \
	} while (0)

static bool bad_offset(int64_t off)
{
	return off < -1;
}

/* ------------------------------------------------------------- open, close */

int uring_fs_open(struct uring_loop *loop, struct uring_fs *req,
		  const char *path, int flags, mode_t mode, uring_fs_cb cb)
{
	struct uring_sqe *sqe;
	const char *kept;
	int ret = fs_begin(loop, req, cb, URING_OP_OPENAT, FS_FD_FLAGS);

	if (ret || !(kept = fs_keep_path(req, path, &ret)))
		return ret;
	FS_SQE(loop, req, sqe);
	if (req->flags & URING_FS_DIRECT)
		/* a slot has no exec semantics; the kernel refuses CLOEXEC */
		uring_prep_openat_direct(sqe, AT_FDCWD, kept, flags & ~O_CLOEXEC,
					 mode, URING_FILE_INDEX_ALLOC);
	else /* every fd the library makes is close-on-exec (as libuv's) */
		uring_prep_openat(sqe, AT_FDCWD, kept, flags | O_CLOEXEC, mode);
	return fs_submit(req, sqe, false);
}

int uring_fs_openat2(struct uring_loop *loop, struct uring_fs *req, int dirfd,
		     const char *path, const struct open_how *how,
		     uring_fs_cb cb)
{
	struct uring_sqe *sqe;
	const char *kept;
	int ret = fs_begin(loop, req, cb, URING_OP_OPENAT2, FS_FD_FLAGS);

	if (ret || !how)
		return ret ? ret : -EINVAL;
	if (!(kept = fs_keep_path(req, path, &ret)))
		return ret;
	req->arg.how = *how;
	FS_SQE(loop, req, sqe);
	if (req->flags & URING_FS_DIRECT) {
		req->arg.how.flags &= ~(uint64_t)O_CLOEXEC;
		uring_prep_openat2_direct(sqe, dirfd, kept, &req->arg.how,
					  URING_FILE_INDEX_ALLOC);
	} else {
		req->arg.how.flags |= O_CLOEXEC;
		uring_prep_openat2(sqe, dirfd, kept, &req->arg.how);
	}
	return fs_submit(req, sqe, false);
}

int uring_fs_close(struct uring_loop *loop, struct uring_fs *req, int fd,
		   uring_fs_cb cb)
{
	struct uring_sqe *sqe;
	int ret = fs_begin(loop, req, cb, URING_OP_CLOSE, FS_FD_FLAGS);

	if (ret || fd < 0)
		return ret ? ret : -EINVAL;
	FS_SQE(loop, req, sqe);
	if (req->flags & URING_FS_DIRECT)
		uring_prep_close_direct(sqe, (unsigned)fd);
	else
		uring_prep_close(sqe, fd);
	return fs_submit(req, sqe, false);
}

/* ------------------------------------------------------------- read, write */

/* One read or write of a single buffer: op is READ, WRITE, READ_FIXED or
 * WRITE_FIXED (buf_index used by the last two). */
static int fs_rw(struct uring_loop *loop, struct uring_fs *req, unsigned op,
		 int fd, const void *buf, unsigned len, int64_t offset,
		 unsigned buf_index, uring_fs_cb cb)
{
	struct uring_sqe *sqe;
	int ret = fs_begin(loop, req, cb, op, FS_FD_FLAGS);

	if (ret)
		return ret;
	if ((!buf && len) || bad_offset(offset) || buf_index > UINT16_MAX)
		return -EINVAL;
	FS_SQE(loop, req, sqe);
	uring__prep_rw(sqe, op, fd, buf, len, (uint64_t)offset);
	if (op == URING_OP_READ_FIXED || op == URING_OP_WRITE_FIXED)
		sqe->buf_index = (uint16_t)buf_index;
	return fs_submit(req, sqe, true);
}

static int fs_rwv(struct uring_loop *loop, struct uring_fs *req, unsigned op,
		  int fd, const struct iovec *iov, unsigned nbufs,
		  int64_t offset, uring_fs_cb cb)
{
	struct uring_sqe *sqe;
	int ret = fs_begin(loop, req, cb, op, FS_FD_FLAGS);

	if (ret)
		return ret;
	if (!iov || !nbufs || nbufs > IOV_MAX || bad_offset(offset))
		return -EINVAL;
	if ((ret = fs_keep_iov(req, iov, nbufs)))
		return ret;
	FS_SQE(loop, req, sqe);
	if (op == URING_OP_READV)
		uring_prep_readv(sqe, fd, req->iov, nbufs, (uint64_t)offset);
	else
		uring_prep_writev(sqe, fd, req->iov, nbufs, (uint64_t)offset);
	return fs_submit(req, sqe, true);
}

int uring_fs_read(struct uring_loop *loop, struct uring_fs *req, int fd,
		  void *buf, unsigned len, int64_t offset, uring_fs_cb cb)
{
	return fs_rw(loop, req, URING_OP_READ, fd, buf, len, offset, 0, cb);
}

int uring_fs_readv(struct uring_loop *loop, struct uring_fs *req, int fd,
		   const struct iovec *iov, unsigned nbufs, int64_t offset,
		   uring_fs_cb cb)
{
	return fs_rwv(loop, req, URING_OP_READV, fd, iov, nbufs, offset, cb);
}

int uring_fs_read_fixed(struct uring_loop *loop, struct uring_fs *req, int fd,
			void *buf, unsigned len, int64_t offset,
			unsigned buf_index, uring_fs_cb cb)
{
	return fs_rw(loop, req, URING_OP_READ_FIXED, fd, buf, len, offset,
		     buf_index, cb);
}

int uring_fs_write(struct uring_loop *loop, struct uring_fs *req, int fd,
		   const void *buf, unsigned len, int64_t offset,
		   uring_fs_cb cb)
{
	return fs_rw(loop, req, URING_OP_WRITE, fd, buf, len, offset, 0, cb);
}

int uring_fs_writev(struct uring_loop *loop, struct uring_fs *req, int fd,
		    const struct iovec *iov, unsigned nbufs, int64_t offset,
		    uring_fs_cb cb)
{
	return fs_rwv(loop, req, URING_OP_WRITEV, fd, iov, nbufs, offset, cb);
}

int uring_fs_write_fixed(struct uring_loop *loop, struct uring_fs *req, int fd,
			 const void *buf, unsigned len, int64_t offset,
			 unsigned buf_index, uring_fs_cb cb)
{
	return fs_rw(loop, req, URING_OP_WRITE_FIXED, fd, buf, len, offset,
		     buf_index, cb);
}

/* ------------------------------------------------------------- sync, space */

static int fs_sync(struct uring_loop *loop, struct uring_fs *req, int fd,
		   unsigned fsync_flags, uring_fs_cb cb)
{
	struct uring_sqe *sqe;
	int ret = fs_begin(loop, req, cb, URING_OP_FSYNC, FS_FD_FLAGS);

	if (ret)
		return ret;
	FS_SQE(loop, req, sqe);
	uring_prep_fsync(sqe, fd, fsync_flags);
	return fs_submit(req, sqe, true);
}

int uring_fs_fsync(struct uring_loop *loop, struct uring_fs *req, int fd,
		   uring_fs_cb cb)
{
	return fs_sync(loop, req, fd, 0, cb);
}

int uring_fs_fdatasync(struct uring_loop *loop, struct uring_fs *req, int fd,
		       uring_fs_cb cb)
{
	return fs_sync(loop, req, fd, URING_FSYNC_DATASYNC, cb);
}

int uring_fs_sync_file_range(struct uring_loop *loop, struct uring_fs *req,
			     int fd, int64_t offset, unsigned len,
			     unsigned flags, uring_fs_cb cb)
{
	struct uring_sqe *sqe;
	int ret = fs_begin(loop, req, cb, URING_OP_SYNC_FILE_RANGE,
			   FS_FD_FLAGS);

	if (ret || offset < 0)
		return ret ? ret : -EINVAL;
	FS_SQE(loop, req, sqe);
	uring_prep_sync_file_range(sqe, fd, len, (uint64_t)offset, (int)flags);
	return fs_submit(req, sqe, true);
}

int uring_fs_fallocate(struct uring_loop *loop, struct uring_fs *req, int fd,
		       int mode, int64_t offset, int64_t len, uring_fs_cb cb)
{
	struct uring_sqe *sqe;
	int ret = fs_begin(loop, req, cb, URING_OP_FALLOCATE, FS_FD_FLAGS);

	if (ret || offset < 0 || len < 0)
		return ret ? ret : -EINVAL;
	FS_SQE(loop, req, sqe);
	uring_prep_fallocate(sqe, fd, mode, (uint64_t)offset, (uint64_t)len);
	return fs_submit(req, sqe, true);
}

int uring_fs_ftruncate(struct uring_loop *loop, struct uring_fs *req, int fd,
		       int64_t length, uring_fs_cb cb)
{
	struct uring_sqe *sqe;
	int ret = fs_begin(loop, req, cb, URING_OP_FTRUNCATE, FS_FD_FLAGS);

	if (ret || length < 0)
		return ret ? ret : -EINVAL;
	FS_SQE(loop, req, sqe);
	uring_prep_ftruncate(sqe, fd, length);
	return fs_submit(req, sqe, true);
}

int uring_fs_fadvise(struct uring_loop *loop, struct uring_fs *req, int fd,
		     int64_t offset, int64_t len, int advice, uring_fs_cb cb)
{
	struct uring_sqe *sqe;
	int ret = fs_begin(loop, req, cb, URING_OP_FADVISE, FS_FD_FLAGS);

	if (ret || offset < 0 || len < 0)
		return ret ? ret : -EINVAL;
	FS_SQE(loop, req, sqe);
	/* The 64-bit length field is read from 6.7 on only: use the 32-bit
	 * one whenever the length fits. */
	if (len <= UINT32_MAX)
		uring_prep_fadvise(sqe, fd, (uint64_t)offset, (uint32_t)len,
				   advice);
	else
		uring_prep_fadvise64(sqe, fd, (uint64_t)offset, (off_t)len,
				     advice);
	return fs_submit(req, sqe, true);
}

int uring_fs_madvise(struct uring_loop *loop, struct uring_fs *req,
		     void *addr, size_t len, int advice, uring_fs_cb cb)
{
	struct uring_sqe *sqe;
	int ret = fs_begin(loop, req, cb, URING_OP_MADVISE, FS_CHAIN);

	if (ret || len > INT64_MAX)
		return ret ? ret : -EINVAL;
	FS_SQE(loop, req, sqe);
	if (len <= UINT32_MAX) /* as fadvise: 64-bit lengths from 6.7 */
		uring_prep_madvise(sqe, addr, (uint32_t)len, advice);
	else
		uring_prep_madvise64(sqe, addr, (off_t)len, advice);
	return fs_submit(req, sqe, false);
}

/* ------------------------------------------------------------- names */

int uring_fs_statx(struct uring_loop *loop, struct uring_fs *req, int dirfd,
		   const char *path, int flags, unsigned mask, uring_fs_cb cb)
{
	struct uring_sqe *sqe;
	const char *kept;
	int ret = fs_begin(loop, req, cb, URING_OP_STATX, FS_CHAIN);

	if (ret || !(kept = fs_keep_path(req, path, &ret)))
		return ret;
	FS_SQE(loop, req, sqe);
	uring_prep_statx(sqe, dirfd, kept, flags, mask, &req->statx);
	return fs_submit(req, sqe, false);
}

/* The calls that take one or two paths and nothing else to keep. */
enum fs_path_op { FS_RENAME, FS_UNLINK, FS_RMDIR, FS_MKDIR, FS_SYMLINK, FS_LINK };

static const unsigned path_opcode[] = {
	[FS_RENAME] = URING_OP_RENAMEAT,  [FS_UNLINK] = URING_OP_UNLINKAT,
	[FS_RMDIR] = URING_OP_UNLINKAT,   [FS_MKDIR] = URING_OP_MKDIRAT,
	[FS_SYMLINK] = URING_OP_SYMLINKAT, [FS_LINK] = URING_OP_LINKAT,
};

static int fs_path(struct uring_loop *loop, struct uring_fs *req,
		   enum fs_path_op what, const char *a, const char *b,
		   mode_t mode, uring_fs_cb cb)
{
	bool two = what == FS_RENAME || what == FS_SYMLINK || what == FS_LINK;
	struct uring_sqe *sqe;
	struct fs_name n[2];
	int ret = fs_begin(loop, req, cb, path_opcode[what], FS_CHAIN);

	if (ret || !a || (two && !b))
		return ret ? ret : -EINVAL;
	n[0] = fs_str(a);
	if (two)
		n[1] = fs_str(b);
	if ((ret = fs_keep(req, n, two ? 2 : 1)))
		return ret;
	FS_SQE(loop, req, sqe);
	switch (what) {
	case FS_RENAME:
		uring_prep_rename(sqe, n[0].ptr, n[1].ptr);
		break;
	case FS_UNLINK:
	case FS_RMDIR:
		uring_prep_unlink(sqe, n[0].ptr,
				  what == FS_RMDIR ? AT_REMOVEDIR : 0);
		break;
	case FS_MKDIR:
		uring_prep_mkdir(sqe, n[0].ptr, mode);
		break;
	case FS_SYMLINK:
		uring_prep_symlink(sqe, n[0].ptr, n[1].ptr);
		break;
	case FS_LINK:
		uring_prep_link(sqe, n[0].ptr, n[1].ptr, 0);
		break;
	}
	return fs_submit(req, sqe, false);
}

int uring_fs_rename(struct uring_loop *loop, struct uring_fs *req,
		    const char *path, const char *new_path, uring_fs_cb cb)
{
	return fs_path(loop, req, FS_RENAME, path, new_path, 0, cb);
}

int uring_fs_unlink(struct uring_loop *loop, struct uring_fs *req,
		    const char *path, uring_fs_cb cb)
{
	return fs_path(loop, req, FS_UNLINK, path, NULL, 0, cb);
}

int uring_fs_rmdir(struct uring_loop *loop, struct uring_fs *req,
		   const char *path, uring_fs_cb cb)
{
	return fs_path(loop, req, FS_RMDIR, path, NULL, 0, cb);
}

int uring_fs_mkdir(struct uring_loop *loop, struct uring_fs *req,
		   const char *path, mode_t mode, uring_fs_cb cb)
{
	return fs_path(loop, req, FS_MKDIR, path, NULL, mode, cb);
}

int uring_fs_symlink(struct uring_loop *loop, struct uring_fs *req,
		     const char *target, const char *link_path, uring_fs_cb cb)
{
	return fs_path(loop, req, FS_SYMLINK, target, link_path, 0, cb);
}

int uring_fs_link(struct uring_loop *loop, struct uring_fs *req,
		  const char *path, const char *new_path, uring_fs_cb cb)
{
	return fs_path(loop, req, FS_LINK, path, new_path, 0, cb);
}

/* ------------------------------------------------------------- xattrs */

/*
 * One of the four xattr calls: with a path (path != NULL) or an fd; get
 * (value is the caller's output buffer, not copied) or set (value copied).
 */
static int fs_xattr(struct uring_loop *loop, struct uring_fs *req,
		    const char *path, int fd, const char *name, void *value,
		    size_t size, bool set, int flags, uring_fs_cb cb)
{
	static const unsigned ops[2][2] = {
		{URING_OP_FGETXATTR, URING_OP_FSETXATTR},
		{URING_OP_GETXATTR, URING_OP_SETXATTR}};
	struct uring_sqe *sqe;
	struct fs_name n[3];
	unsigned nn = 0;
	int ret = fs_begin(loop, req, cb, ops[path != NULL][set],
			   path ? FS_CHAIN : FS_FD_FLAGS);

	if (ret)
		return ret;
	if (!name || (!value && size) || size > UINT_MAX)
		return -EINVAL;
	if (set && size > FS_XATTR_MAX)
		return -E2BIG; /* what the kernel says, without the copy */
	n[nn++] = fs_str(name);
	if (path)
		n[nn++] = fs_str(path);
	if (set)
		n[nn++] = (struct fs_name){value, size};
	if ((ret = fs_keep(req, n, nn)))
		return ret;
	if (set)
		value = (void *)n[nn - 1].ptr;
	FS_SQE(loop, req, sqe);
	if (path && set)
		uring_prep_setxattr(sqe, n[0].ptr, value, n[1].ptr, flags,
				    (unsigned)size);
	else if (path)
		uring_prep_getxattr(sqe, n[0].ptr, value, n[1].ptr,
				    (unsigned)size);
	else if (set)
		uring_prep_fsetxattr(sqe, fd, n[0].ptr, value, flags,
				     (unsigned)size);
	else
		uring_prep_fgetxattr(sqe, fd, n[0].ptr, value, (unsigned)size);
	return fs_submit(req, sqe, !path);
}

int uring_fs_getxattr(struct uring_loop *loop, struct uring_fs *req,
		      const char *path, const char *name, void *value,
		      size_t size, uring_fs_cb cb)
{
	if (!path)
		return -EINVAL;
	return fs_xattr(loop, req, path, -1, name, value, size, false, 0, cb);
}

int uring_fs_setxattr(struct uring_loop *loop, struct uring_fs *req,
		      const char *path, const char *name, const void *value,
		      size_t size, int flags, uring_fs_cb cb)
{
	if (!path)
		return -EINVAL;
	return fs_xattr(loop, req, path, -1, name, (void *)value, size, true,
			flags, cb);
}

int uring_fs_fgetxattr(struct uring_loop *loop, struct uring_fs *req, int fd,
		       const char *name, void *value, size_t size,
		       uring_fs_cb cb)
{
	return fs_xattr(loop, req, NULL, fd, name, value, size, false, 0, cb);
}

int uring_fs_fsetxattr(struct uring_loop *loop, struct uring_fs *req, int fd,
		       const char *name, const void *value, size_t size,
		       int flags, uring_fs_cb cb)
{
	return fs_xattr(loop, req, NULL, fd, name, (void *)value, size, true,
			flags, cb);
}

/* ------------------------------------------------------------- splice, tee */

/* Direct descriptors: fd_out follows the SQE's fixed-file flag, fd_in
 * needs its own flag in the splice flags. */
static unsigned fs_splice_flags(const struct uring_fs *req, unsigned flags)
{
	if (req->flags & URING_FS_DIRECT)
		flags |= URING_SPLICE_F_FD_IN_FIXED;
	return flags;
}

int uring_fs_splice(struct uring_loop *loop, struct uring_fs *req, int fd_in,
		    int64_t off_in, int fd_out, int64_t off_out, unsigned len,
		    unsigned flags, uring_fs_cb cb)
{
	struct uring_sqe *sqe;
	int ret = fs_begin(loop, req, cb, URING_OP_SPLICE, FS_FD_FLAGS);

	if (ret)
		return ret;
	if (bad_offset(off_in) || bad_offset(off_out) ||
	    (flags & URING_SPLICE_F_FD_IN_FIXED))
		return -EINVAL;
	FS_SQE(loop, req, sqe);
	uring_prep_splice(sqe, fd_in, off_in, fd_out, off_out, len,
			  fs_splice_flags(req, flags));
	return fs_submit(req, sqe, true);
}

int uring_fs_tee(struct uring_loop *loop, struct uring_fs *req, int fd_in,
		 int fd_out, unsigned len, unsigned flags, uring_fs_cb cb)
{
	struct uring_sqe *sqe;
	int ret = fs_begin(loop, req, cb, URING_OP_TEE, FS_FD_FLAGS);

	if (ret || (flags & URING_SPLICE_F_FD_IN_FIXED))
		return ret ? ret : -EINVAL;
	FS_SQE(loop, req, sqe);
	uring_prep_tee(sqe, fd_in, fd_out, len, fs_splice_flags(req, flags));
	return fs_submit(req, sqe, true);
}

/* ------------------------------------------------------------- cancel */

int uring_fs_cancel(struct uring_fs *req)
{
	if (!req)
		return -EINVAL;
	if (req->copy)
		return uring__fs_copy_cancel(req->copy);
	return uring_req_cancel(&req->req);
}
