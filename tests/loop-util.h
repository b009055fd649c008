/* SPDX-License-Identifier: MIT */
/* tests/loop-util.h - helpers the loop suites share. */
#ifndef URING_TEST_LOOP_UTIL_H
#define URING_TEST_LOOP_UTIL_H

#include <uring/loop.h>

#include "test-util.h"

static inline void init_loop(struct uring_loop *loop)
{
	int ret = uring_loop_init(loop, NULL);

	ck_assert_msg(ret == 0, "uring_loop_init: %d (%s)", ret,
		      uring_strerror(ret));
}

/* Every test ends here: run until nothing is alive (close callbacks
 * included), then close; a loop with anything left open fails. */
static inline void close_loop(struct uring_loop *loop)
{
	ck_assert_int_eq(uring_loop_run(loop, URING_RUN_DEFAULT), 0);
	ck_assert_int_eq(uring_loop_close(loop), 0);
}

#endif
