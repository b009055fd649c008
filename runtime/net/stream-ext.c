/* SPDX-License-Identifier: MIT */
/*
 * runtime/net/stream-ext.c - the side records streams borrow from their loop.
 *
 * A server's connections spend most of their life idle, with one
 * multishot recv armed.  That needs only what struct uring_stream holds
 * (112 bytes).  Everything else (the write queue and its send, listener
 * and connect state, alloc-mode buffers, bytes read after read_stop, the
 * wait for pool buffers) lives in a struct uring__stream_ext the loop
 * lends to a stream when it starts such work and takes back once the
 * stream is quiet again.  Taken-back records stay on a per-loop spare list
 * (with their iovec and stash arrays), so a busy server borrows and returns them
 * without calling malloc; the list keeps at most SPARE_MAX of them.
 */
#include <stdlib.h>
#include <string.h>

#include "stream-private.h"

/* Spare records kept for reuse: enough for every connection of a busy
 * loop that writes in one iteration, without holding memory forever
 * after a burst (each is ~200 bytes plus its arrays). */
#define SPARE_MAX 1024U

/* The idle-connection memory target (docs/PERFORMANCE.md, idle_conns)
 * rests on this: move new fields into the side record, not the stream. */
_Static_assert(sizeof(void *) != 8 || sizeof(struct uring_stream) <= 112,
	       "struct uring_stream grew past 112 bytes on LP64");

int uring__stream_ext_get(struct uring_stream *s)
{
	struct uring_loop *loop = s->handle.loop;
	struct uring__stream_ext *x = loop->spare_exts;
	struct uring__wbuf *wbuf = NULL;
	struct uring__seg *stash = NULL;
	unsigned stash_cap = 0, held_cap = 0;
	int *held = NULL;

	if (s->ext)
		return 0;
	if (uring__fault_alloc())
		return -ENOMEM;
	if (x) { /* its arrays are kept for reuse too */
		loop->spare_exts = x->next_spare;
		loop->nspare_exts--;
		wbuf = x->wbuf;
		stash = x->stash;
		stash_cap = x->stash_cap;
		held = x->held;
		held_cap = x->held_cap;
	} else {
		URING__KEEP_ERRNO(); /* malloc() */

		x = malloc(sizeof(*x));
		if (!x)
			return -ENOMEM;
	}
	memset(x, 0, sizeof(*x));
	x->wbuf = wbuf;
	x->stash = stash;
	x->stash_cap = stash_cap;
	x->held = held;
	x->held_cap = held_cap;
	x->accepted_fd = -1;
	x->wr.handle = &s->handle;
	uring__list_init(&x->writes);
	uring__list_init(&x->waiter.node);
	s->ext = x;
	return 0;
}

/* Whether anything in s's record is still in use. */
static bool in_use(const struct uring_stream *s)
{
	const struct uring__stream_ext *x = s->ext;

	if (s->state & (URING_STREAM__LISTENING | URING_STREAM__ALLOC |
			URING_STREAM__STARVED | URING_STREAM__ZC))
		return true;
	/* a recv stopped but still in flight may yet stash bytes */
	if (s->rd.inflight && !(s->state & URING_STREAM__READING))
		return true;
	return x->wr.inflight || x->read_end || x->stash_count ||
	       x->write_error || !uring__list_empty(&x->writes) ||
	       x->shutdown_req || x->connect_req || x->accepted_fd >= 0 ||
	       x->held_count || x->linger || x->drain_cb;
}

static void give_back(struct uring_loop *loop, struct uring__stream_ext *x)
{
	if (loop->nspare_exts >= SPARE_MAX) {
		free(x->wbuf);
		free(x->stash);
		free(x->held);
		free(x);
		return;
	}
	x->next_spare = loop->spare_exts;
	loop->spare_exts = x;
	loop->nspare_exts++;
}

void uring__stream_ext_trim(struct uring_stream *s)
{
	if (!s->ext || in_use(s) ||
	    (s->handle.flags & URING_HANDLE__CLOSING))
		return; /* closing: settle() drops it at the very end */
	give_back(s->handle.loop, s->ext);
	s->ext = NULL;
}

void uring__stream_ext_drop(struct uring_stream *s)
{
	if (!s->ext)
		return;
	give_back(s->handle.loop, s->ext);
	s->ext = NULL;
}

void uring__stream_ext_free_all(struct uring_loop *loop)
{
	struct uring__stream_ext *x;

	while ((x = loop->spare_exts)) {
		loop->spare_exts = x->next_spare;
		free(x->wbuf);
		free(x->stash);
		free(x->held);
		free(x);
	}
	loop->nspare_exts = 0;
}
