/* SPDX-License-Identifier: MIT */
/* uring/prep.h - one static inline prep helper per io_uring opcode. */
#ifndef URING_PREP_H
#define URING_PREP_H

#include <uring/abi.h>

static inline void uring_prep_nop(struct uring_sqe *sqe)
{
	sqe->opcode = URING_OP_NOP;
	sqe->fd = -1;
}

#endif
