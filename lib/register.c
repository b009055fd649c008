/* SPDX-License-Identifier: MIT */
/* lib/register.c - io_uring_register(2) calls. */
#include "syscall.h"
