/* SPDX-License-Identifier: MIT */
/*
 * lib/fault.c - fault injection for tests: make io_uring_enter(2) and
 * io_uring_register(2) fail, or submit short, on demand, so that the error
 * paths of the loop (and of programs built on it) can be exercised on a
 * kernel that never fails.  Process-wide and thread-safe; when nothing is
 * armed the cost is one predictable branch per syscall.
 */
#include <stdatomic.h>

#include "syscall.h"

atomic_int uring__fault_armed;
static _Atomic unsigned fault_sites;
static _Atomic int fault_error;
static _Atomic int fault_after;
static _Atomic int fault_count;
static _Atomic int fault_hits;

int uring_fault_inject(unsigned sites, int error, unsigned after,
		       unsigned count)
{
	int hits = atomic_exchange(&fault_hits, 0);

	if (count && (!sites || (error >= 0 && error != URING_FAULT_SHORT_SUBMIT)))
		return -EINVAL;
	atomic_store(&fault_sites, sites);
	atomic_store(&fault_error, error);
	atomic_store(&fault_after, (int)after);
	atomic_store(&fault_count, (int)count);
	atomic_store(&uring__fault_armed, count ? 1 : 0);
	return hits;
}

bool uring__fault_alloc(void)
{
	return uring__fault_is_armed() &&
	       uring__fault_check(URING_FAULT_ALLOC, NULL) != 0;
}

int uring__fault_check(unsigned site, unsigned *to_submit)
{
	int error;

	if (!(atomic_load(&fault_sites) & site))
		return 0;
	if (atomic_fetch_sub(&fault_after, 1) > 0)
		return 0; /* not yet */
	if (atomic_fetch_sub(&fault_count, 1) <= 0) {
		atomic_store(&uring__fault_armed, 0);
		return 0; /* used up */
	}
	atomic_fetch_add(&fault_hits, 1);
	error = atomic_load(&fault_error);
	if (error != URING_FAULT_SHORT_SUBMIT)
		return error;
	if (to_submit && *to_submit > 1)
		*to_submit /= 2;
	return 0;
}
