/* SPDX-License-Identifier: MIT */
/* runtime/fs/fs-internal.h - what fs.c and fs-copy.c share. */
#ifndef URING_FS_INTERNAL_H
#define URING_FS_INTERNAL_H

#include <uring/fs.h>

#include "core/loop-internal.h"

/* 0 if the running kernel does `op` through io_uring, else -EOPNOTSUPP
 * (one probe per process, cached). */
URING_HIDDEN int uring__fs_supported(struct uring_loop *loop, unsigned op);
URING_HIDDEN int uring__fs_copy_cancel(struct uring__fs_copy *copy);

#endif
