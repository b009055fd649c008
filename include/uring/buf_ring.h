/* SPDX-License-Identifier: MIT */
/* uring/buf_ring.h - provided buffer rings. */
#ifndef URING_BUF_RING_H
#define URING_BUF_RING_H

#include <uring/abi.h>

#endif
