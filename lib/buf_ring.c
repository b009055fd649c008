/* SPDX-License-Identifier: MIT */
/* lib/buf_ring.c - provided buffer rings. */
#include "syscall.h"
