/* SPDX-License-Identifier: MIT */
/*
 * runtime/stream-private.h - what the three stream files (stream.c,
 * stream-read.c, stream-write.c) share and nothing else needs.
 */
#ifndef URING_STREAM_PRIVATE_H
#define URING_STREAM_PRIVATE_H

#include "stream-internal.h"

/* stream->state */
#define URING_STREAM__LISTENING (1U << 0)
#define URING_STREAM__READING (1U << 1)   /* the user wants read callbacks */
#define URING_STREAM__ALLOC (1U << 2)     /* reading with alloc_cb buffers */
#define URING_STREAM__PAUSED (1U << 3)    /* listener out of fds */
#define URING_STREAM__STARVED (1U << 4)   /* on the pool's starved list */
#define URING_STREAM__SHUT (1U << 5)      /* shutdown asked: no more writes */
#define URING_STREAM__RD_CANCEL (1U << 6) /* a cancel is on its way to rd */
#define URING_STREAM__ZC (1U << 7)        /* the send in flight is zero-copy */

/* uring_write.flags */
#define URING_WRITE__ZEROCOPY (1U << 0)
/* why the stream is on loop->pending_streams */
#define URING_STREAM__RESUME (1U << 8)    /* deliver stash, then re-arm */
#define URING_STREAM__FLUSH (1U << 9)     /* queued writes to send */
#define URING_STREAM__SETTLE (1U << 10)   /* closing: settle() */
#define URING_STREAM__PENDING_MASK                                             \
	(URING_STREAM__RESUME | URING_STREAM__FLUSH | URING_STREAM__SETTLE)

/* stream.c */
URING_HIDDEN int uring__stream_check(const struct uring_stream *s);
/* Put s on the loop's pending list for `why` (URING_STREAM__RESUME...). */
URING_HIDDEN void uring__stream_pend(struct uring_stream *s, unsigned why);
/* After each CQE of a closing stream: finish what can be finished. */
URING_HIDDEN void uring__stream_settle(struct uring_stream *s);

/* stream-read.c */
URING_HIDDEN void uring__stream_read_resume(struct uring_stream *s);
URING_HIDDEN void uring__stream_read_closing(struct uring_stream *s);
URING_HIDDEN void uring__stream_read_settle(struct uring_stream *s);

/* stream-write.c */
URING_HIDDEN void uring__stream_flush(struct uring_stream *s);
URING_HIDDEN void uring__stream_fail_writes(struct uring_stream *s, int error);
URING_HIDDEN void uring__stream_connected(struct uring_stream *s, int result);

#endif
