/* SPDX-License-Identifier: MIT */
/* uring/register.h - io_uring_register(2): resources registered with a ring. */
#ifndef URING_REGISTER_H
#define URING_REGISTER_H

#include <uring/abi.h>

#endif
