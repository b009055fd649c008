/* SPDX-License-Identifier: MIT */
/*
 * runtime/work.c - the loop's worker pool for blocking work.
 * (Placeholder until the pool lands: there is nothing to shut down.)
 */
#include "loop-internal.h"

void uring__work_shutdown(struct uring_loop *loop)
{
	(void)loop;
}
