/* SPDX-License-Identifier: MIT */
/*
 * runtime/net/stream-private.h - what the three stream files (stream.c,
 * stream-read.c, stream-write.c) share and nothing else needs.
 */
#ifndef URING_STREAM_PRIVATE_H
#define URING_STREAM_PRIVATE_H

#include <limits.h>

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
#define URING_STREAM__RD_END (1U << 12)   /* the kernel ended the read side
					   * (EOF or an error) */
#define URING_STREAM__HELD (1U << 13)     /* listener: a connection waits for
					   * accept(); accepting paused */

/* uring_write.flags */
#define URING_WRITE__ZEROCOPY (1U << 0)

/* The most one send or receive of a buffer asks for: the kernel's own cap
 * (MAX_RW_COUNT).  An SQE's length has 32 bits; a 4 GiB buffer given as
 * is would ask for 0 bytes, which the kernel answers with 0 - read as EOF,
 * or as a peer gone.  A short send or receive continues as usual. */
#define URING__STREAM_IO_MAX ((size_t)INT_MAX & ~(size_t)4095)

static inline unsigned uring__stream_io_len(size_t len)
{
	return (unsigned)(len < URING__STREAM_IO_MAX ? len
						     : URING__STREAM_IO_MAX);
}

/* why the stream is on loop->pending_streams */
#define URING_STREAM__RESUME (1U << 8)    /* deliver stash, then re-arm */
#define URING_STREAM__FLUSH (1U << 9)     /* queued writes to send */
#define URING_STREAM__SETTLE (1U << 10)   /* closing: settle() */
#define URING_STREAM__LAZY (1U << 11) /* RESUME, but no hurry: when the loop
				       * wakes anyway, or within
				       * URING__STREAM_LAZY_MS (stream.c) */
#define URING_STREAM__PENDING_MASK                                             \
	(URING_STREAM__RESUME | URING_STREAM__FLUSH | URING_STREAM__SETTLE |    \
	 URING_STREAM__LAZY)
/* Every state bit its own: two meanings sharing one bit fail to build. */
_Static_assert((URING_STREAM__LISTENING ^ URING_STREAM__READING ^
		URING_STREAM__ALLOC ^ URING_STREAM__PAUSED ^
		URING_STREAM__STARVED ^ URING_STREAM__SHUT ^
		URING_STREAM__RD_CANCEL ^ URING_STREAM__ZC ^ URING_STREAM__RD_END ^
		URING_STREAM__HELD ^ URING_STREAM__PENDING_MASK) ==
		       (URING_STREAM__LISTENING | URING_STREAM__READING |
			URING_STREAM__ALLOC | URING_STREAM__PAUSED |
			URING_STREAM__STARVED | URING_STREAM__SHUT |
			URING_STREAM__RD_CANCEL | URING_STREAM__ZC |
			URING_STREAM__RD_END | URING_STREAM__HELD |
			URING_STREAM__PENDING_MASK),
	       "two stream state flags share a bit");

/* Bytes read after read_stop, kept for the next read start: copied out of
 * the pool into memory of the stream's own (stream-read.c says why), in
 * chunks of at most a pool buffer, each delivered by one read_cb. */
struct uring__seg {
	char *addr; /* malloc'd: freed once delivered, unless kept */
	uint32_t len;
	uint32_t cap;
};

/*
 * What a stream needs beyond reading into the pool: lent by the loop
 * (stream-ext.c) while the stream listens, connects, writes, shuts down,
 * reads in alloc mode, waits for pool buffers, or holds bytes read after
 * read_stop; taken back when none of that is left.
 */
struct uring__stream_ext {
	struct uring__stream_ext *next_spare; /* on loop->spare_exts */
	int accepted_fd;             /* listener: waiting for accept() */
	int *held;                   /* listener: fds accepted by the kernel
				      * while accepted_fd waited, in order */
	unsigned held_first;         /* held[held_first] is the oldest */
	unsigned held_count;
	unsigned held_cap;
	unsigned backoff_ms;         /* listener: out-of-fds retry delay */
	int read_end;                /* URING_EOF/error seen after read_stop */
	int write_error;             /* what ended the write side, or 0 */
	int zc_result;               /* a zero-copy send's result, until its
				      * notification */
	struct uring__seg *stash;    /* bytes read after read_stop, in order */
	unsigned stash_first;        /* stash[stash_first] is the oldest */
	unsigned stash_cap;
	unsigned stash_count;        /* chunks stashed (alloc mode: bytes) */
	size_t write_queue_size;     /* bytes queued, not yet written */
	uring_alloc_cb alloc_cb;
	union {
		struct iovec abuf;   /* alloc mode: the buffer being read into */
		struct uring_timespec backoff; /* listener: retry timeout */
	} u;
	struct uring_operation wr;   /* the send in flight, or backoff timer */
	struct uring_list writes;    /* queued struct uring_write */
	struct uring_pool_waiter waiter; /* on the pool's starved list */
	struct uring__wbuf *wbuf;    /* msghdr + iovecs, kept while spare */
	struct uring_shutdown *shutdown_req;
	struct uring_connect *connect_req;
	struct uring__linger *linger; /* uring_stream_close_graceful() */
	uring_drain_cb drain_cb;     /* uring_stream_set_drain_cb() */
	size_t drain_mark;
	bool drain_armed;            /* the queue went above drain_mark */
};

/* stream-ext.c */
/* Lend s its side record if it has none: 0, or -ENOMEM. */
URING_HIDDEN int uring__stream_ext_get(struct uring_stream *s);
/* Take the record back if nothing in it is in use any more. */
URING_HIDDEN void uring__stream_ext_trim(struct uring_stream *s);
/* Closing, nothing in flight: take the record back whatever it holds. */
URING_HIDDEN void uring__stream_ext_drop(struct uring_stream *s);

/* The stream of an operation or waiter of its side record. */
static inline struct uring_stream *uring__stream_of(struct uring_operation *op)
{
	return uring__container_of(op->handle, struct uring_stream, handle);
}

/* Fields of the side record, read as 0/empty when there is none. */
static inline unsigned uring__stream_wr_inflight(const struct uring_stream *s)
{
	return s->ext ? s->ext->wr.inflight : 0;
}

static inline unsigned uring__stream_stashed(const struct uring_stream *s)
{
	return s->ext ? s->ext->stash_count : 0;
}

static inline int uring__stream_read_end(const struct uring_stream *s)
{
	return s->ext ? s->ext->read_end : 0;
}

static inline struct uring_connect *
uring__stream_connecting(const struct uring_stream *s)
{
	return s->ext ? s->ext->connect_req : NULL;
}

/* stream.c */
URING_HIDDEN int uring__stream_check(const struct uring_stream *s);
/* Put s on the loop's pending list for `why` (URING_STREAM__RESUME...). */
URING_HIDDEN void uring__stream_pend(struct uring_stream *s, unsigned why);
/* After each CQE of a closing stream: finish what can be finished. */
URING_HIDDEN void uring__stream_settle(struct uring_stream *s);

/* stream-read.c */
URING_HIDDEN void uring__stream_read_resume(struct uring_stream *s);
/* Pool empty: wait on the pool for buffers (or, without the memory to
 * wait, try again lazily: URING_STREAM__LAZY). */
URING_HIDDEN void uring__stream_read_starve(struct uring_stream *s);
URING_HIDDEN void uring__stream_read_closing(struct uring_stream *s);
URING_HIDDEN void uring__stream_read_settle(struct uring_stream *s);

/* stream-linger.c */
/* The write side or the read side of a lingering stream is done: close
 * it once both are. */
URING_HIDDEN void uring__stream_linger_check(struct uring_stream *s);
/* Closing: cancel the linger timer. */
URING_HIDDEN void uring__stream_linger_closing(struct uring_stream *s);
/* Settled: free the linger record. */
URING_HIDDEN void uring__stream_linger_free(struct uring_stream *s);

/* stream-write.c */
URING_HIDDEN void uring__stream_flush(struct uring_stream *s);
URING_HIDDEN void uring__stream_fail_writes(struct uring_stream *s, int error);
URING_HIDDEN void uring__stream_connected(struct uring_stream *s, int result);

#endif
