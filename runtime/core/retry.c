/* SPDX-License-Identifier: MIT */
/*
 * runtime/core/retry.c - work the loop could not hand to the kernel for want of
 * an SQE, done again before the loop next waits.
 *
 * Getting an SQE fails only when the SQ is full and the submit that would
 * empty it fails too (the kernel answers -EBUSY/-EAGAIN while its CQ
 * overflows, -ENOMEM, -EINTR).  A cancel lost then would leave a close
 * waiting forever for a CQE that never comes, and a multishot receive not
 * re-armed would stop reading for good.  So such work is recorded here as
 * (operation, function) and retried from the loop's pre-wait step; the
 * loop does not sleep while any is recorded.  The array is touched only on
 * that rare path; an operation named here carries URING_OP__RETRY so its
 * last CQE, or its owner's close, can drop the entry.
 */
#include <stdlib.h>

#include "loop-internal.h"

struct uring__retry {
	struct uring_operation *op;
	uring__retry_fn fn;
};

int uring__retry_add(struct uring_loop *loop, struct uring_operation *op,
		     uring__retry_fn fn)
{
	URING__KEEP_ERRNO(); /* realloc() */
	struct uring__retry *r = loop->retries;
	unsigned cap = loop->retries_cap;

	if (loop->nretries == cap) {
		cap = cap ? cap * 2 : 8;
		r = realloc(r, cap * sizeof(*r));
		if (!r)
			return -ENOMEM;
		loop->retries = r;
		loop->retries_cap = cap;
	}
	r[loop->nretries].op = op;
	r[loop->nretries].fn = fn;
	loop->nretries++;
	op->flags |= URING_OP__RETRY;
	return 0;
}

void uring__retry_remove(struct uring_loop *loop, struct uring_operation *op)
{
	unsigned i = 0;

	if (!(op->flags & URING_OP__RETRY))
		return;
	op->flags &= ~URING_OP__RETRY;
	while (i < loop->nretries) {
		if (loop->retries[i].op == op)
			loop->retries[i] = loop->retries[--loop->nretries];
		else
			i++;
	}
}

/* Run each recorded retry once, over a private copy: a retry that again
 * finds no SQE records itself anew for the next pass, and an entry whose
 * operation was dropped meanwhile (uring__retry_remove cleared its flag)
 * is skipped. */
void uring__retry_run(struct uring_loop *loop)
{
	struct uring__retry *list = loop->retries;
	unsigned n = loop->nretries, i;

	if (!n)
		return;
	loop->retries = NULL;
	loop->nretries = loop->retries_cap = 0;
	for (i = 0; i < n; i++) {
		if (!(list[i].op->flags & URING_OP__RETRY))
			continue;
		list[i].op->flags &= ~URING_OP__RETRY;
		list[i].fn(loop, list[i].op);
	}
	free(list);
}

void uring__retry_free(struct uring_loop *loop)
{
	free(loop->retries);
	loop->retries = NULL;
	loop->nretries = loop->retries_cap = 0;
}
