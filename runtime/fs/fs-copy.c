/* SPDX-License-Identifier: MIT */
/*
 * runtime/fs/fs-copy.c - uring_fs_copy(): a copy by splice(2) through pipes,
 * several chunks in flight.
 *
 * Why splice: file -> pipe takes references to the source's page-cache
 * pages and pipe -> file copies them once into the destination, so the
 * data never crosses into user space (read + write copy it twice).  io_uring
 * runs splices in io-wq workers, so reads of later chunks overlap writes of
 * earlier ones (writes to one file are serialized by the file system and
 * by io-wq's per-inode hashing: more chunks do not buy more CPUs; measured,
 * depth 2 to 16 and chunks of 256 KiB to 1 MiB copy at the same speed).
 * Each chunk owns a pipe, so chunks never mix their bytes.
 *
 * A chunk takes the next range of the input (an assignment, numbered in
 * order), splices it into its pipe, then from its pipe to the output, then
 * takes the next range.  To a file it writes at the matching offset, and
 * the two splices go as one linked pair: the io-wq worker that finished the
 * read starts the write itself, without a round trip through the loop
 * thread (a short read breaks the link; the chunk then writes what it got).
 * To a stream (out_offset -1) it writes in assignment order: a chunk waits
 * until every earlier range has been written, and only the chunk whose turn
 * it is writes, so there is one write in flight.  A non-blocking socket
 * that is full answers -EAGAIN: the chunk polls it for POLLOUT and writes
 * again.
 *
 * Every step is a loop request (req.c) owned by its chunk; the copy ends
 * when no chunk has one in flight, and calls back once.
 *
 * File to file, with at least a chunk to copy, the copy first reserves the
 * output's blocks (fallocate, FALLOC_FL_KEEP_SIZE) and starts the chunks
 * when that is done.  Measured on ext4: writes into reserved blocks fill
 * the page cache ~1.45x faster (0.085 s against 0.125 s per 512 MiB), as
 * the file system skips its per-page delayed-allocation bookkeeping; and a
 * disk that cannot hold the copy says -ENOSPC before a byte is written.  A
 * copy that ends early gives back what it reserved past the output's end.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <uring/fs.h>

#include "fs-internal.h"

/* 4 chunks of 1 MiB: 1 MiB is the largest pipe an unprivileged process gets
 * by default (/proc/sys/fs/pipe-max-size); 4 keeps both CPUs of a small
 * machine busy while a chunk waits for its turn. */
#define COPY_DEPTH 4
#define COPY_CHUNK (1U << 20)

enum chunk_state {
	CH_IDLE,  /* nothing in flight */
	CH_WAIT,  /* has bytes for a stream, waits for its turn */
	CH_READ,  /* input -> pipe */
	CH_PAIR,  /* input -> pipe, linked to pipe -> output (file output) */
	CH_WRITE, /* pipe -> output */
	CH_POLL,  /* waiting for a full non-blocking output to drain */
	CH_NOP,   /* a copy of 0 bytes: only brings the callback */
};

struct copy_chunk {
	struct uring_req req;  /* the operation, or a pair's read */
	struct uring_req wreq; /* a pair's write */
	struct uring__fs_copy *copy;
	int pipe[2];
	enum chunk_state state;
	bool assigned; /* holds a range of the input */
	bool blocked;  /* the output said -EAGAIN: poll before writing */
	uint64_t seq;  /* assignment number: the write order to a stream */
	uint64_t next; /* input offset of the next byte to read */
	uint64_t end;  /* end of the assignment */
	uint64_t wpos; /* input offset of the first byte in the pipe */
	unsigned queued; /* bytes in the pipe */
	unsigned asked;  /* bytes the last read asked for */
	unsigned pending; /* operations in flight (a pair: 2) */
	int res[2];      /* their results */
};

struct uring__fs_copy {
	struct uring_loop *loop;
	struct uring_fs *req;
	int in_fd, out_fd;
	int64_t in_start, out_start; /* out_start -1: a stream */
	uint64_t next_off, end;      /* next unassigned input byte; range end */
	uint64_t eof_at;             /* lowest offset a read found EOF at */
	uint64_t next_seq, write_seq;
	uint64_t copied;
	int error;
	unsigned inflight;
	struct uring_req reserve; /* the fallocate that reserves the output */
	uint64_t reserved;        /* bytes it asked for from out_start */
	unsigned nchunks;
	unsigned chunk_size;
	struct copy_chunk chunks[];
};

static void first_done(struct uring_req *r, int res);
static void second_done(struct uring_req *r, int res);
static void chunk_step(struct copy_chunk *ch);

static bool is_stream(const struct uring__fs_copy *c)
{
	return c->out_start < 0;
}

/* Ask every chunk's operations in flight to stop; -EBUSY if the loop
 * could not take a cancellation now (a chain is open, or the SQ is full). */
static int copy_cancel_all(struct uring__fs_copy *c)
{
	int ret = 0;
	unsigned i;

	for (i = 0; i < c->nchunks; i++) {
		struct copy_chunk *ch = &c->chunks[i];

		if (ch->state < CH_READ)
			continue;
		/* cancelling a pair's read cancels its linked write too */
		if (uring_req_cancel(&ch->req) == -EBUSY)
			ret = -EBUSY;
		if (ch->state == CH_PAIR && uring_req_cancel(&ch->wreq) == -EBUSY)
			ret = -EBUSY;
	}
	return ret;
}

/* The first error wins; chunks in flight are asked to stop (a splice
 * blocked on a full socket would otherwise hold the copy up). */
static void copy_fail(struct uring__fs_copy *c, int error)
{
	if (c->error)
		return;
	c->error = error;
	(void)copy_cancel_all(c);
}

static void copy_free(struct uring__fs_copy *c)
{
	URING__KEEP_ERRNO();
	unsigned i;

	for (i = 0; i < c->nchunks; i++) {
		if (c->chunks[i].pipe[0] >= 0)
			close(c->chunks[i].pipe[0]);
		if (c->chunks[i].pipe[1] >= 0)
			close(c->chunks[i].pipe[1]);
	}
	free(c);
}

/* A copy that ended before filling what it reserved gives back the blocks
 * past the output's end: nobody's data lives there (KEEP_SIZE left the size
 * alone), and they would stay allocated until the file is truncated.  A
 * truncate to the current size is what frees them (ext4 and tmpfs trim
 * blocks past the end on any truncate; ext4 ignores a hole punched past
 * it).  On the loop thread: a rare path, and cheap (no data to drop). */
static void copy_unreserve(struct uring__fs_copy *c)
{
	URING__KEEP_ERRNO();
	uint64_t end = (uint64_t)c->out_start + c->reserved;
	struct stat st;

	if (!c->reserved || (!c->error && c->copied >= c->reserved))
		return;
	if (fstat(c->out_fd, &st) == 0 && (uint64_t)st.st_size < end)
		(void)ftruncate(c->out_fd, st.st_size);
}

static void copy_finish(struct uring__fs_copy *c)
{
	struct uring_fs *req = c->req;
	int64_t result = c->error ? c->error : (int64_t)c->copied;

	copy_unreserve(c);
	req->copy = NULL;
	copy_free(c);
	req->copy_cb(req, result);
}

static int64_t out_offset(const struct uring__fs_copy *c, uint64_t in_pos)
{
	if (is_stream(c))
		return -1;
	return c->out_start + (int64_t)(in_pos - (uint64_t)c->in_start);
}

/* Prepare one operation of the chunk in `sqe`. */
static void chunk_prep(struct copy_chunk *ch, struct uring_sqe *sqe,
		       enum chunk_state what)
{
	struct uring__fs_copy *c = ch->copy;

	switch (what) {
	case CH_READ:
		ch->asked = (unsigned)(ch->end - ch->next);
		uring_prep_splice(sqe, c->in_fd, (int64_t)ch->next, ch->pipe[1],
				  -1, ch->asked, 0);
		break;
	case CH_WRITE:
		uring_prep_splice(sqe, ch->pipe[0], -1, c->out_fd,
				  out_offset(c, ch->wpos), ch->queued, 0);
		break;
	case CH_POLL:
		uring_prep_poll_add(sqe, c->out_fd, POLLOUT);
		break;
	default:
		uring_prep_nop(sqe);
		break;
	}
}

/* Queue one operation as a request, linked to the next if `link`. */
static bool chunk_queue(struct copy_chunk *ch, struct uring_req *req,
			enum chunk_state what, bool link)
{
	struct uring_sqe *sqe = uring_req_sqe(ch->copy->loop, req);

	if (!sqe)
		return false;
	chunk_prep(ch, sqe, what);
	(void)uring_req_submit(req, req == &ch->req ? first_done : second_done,
			       0, link ? URING_REQ_LINK : 0);
	ch->copy->inflight++;
	ch->pending++;
	return true;
}

/* Queue the chunk's next step: one operation, or for CH_PAIR the read of
 * the range and, linked to it, the write of the same bytes. */
static void chunk_submit(struct copy_chunk *ch, enum chunk_state state)
{
	struct uring_ring *ring = uring_loop_ring(ch->copy->loop);

	/* A pair takes its four SQ entries (each request reserves room for a
	 * deadline) at once: with them free, neither uring_req_sqe() call
	 * can fail or submit between the two, so the link cannot break or
	 * take in a stranger's SQE. */
	if (state == CH_PAIR && uring_ring_sq_space_left(ring) < 4)
		state = CH_READ;
	ch->state = state;
	ch->pending = 0;
	if (state == CH_PAIR) {
		chunk_queue(ch, &ch->req, CH_READ, true);
		ch->wpos = ch->next; /* the write covers the read's bytes */
		ch->queued = ch->asked;
		chunk_queue(ch, &ch->wreq, CH_WRITE, false);
		ch->queued = 0;
		return;
	}
	if (!chunk_queue(ch, &ch->req, state, false)) {
		copy_fail(ch->copy, -EBUSY);
		ch->state = CH_IDLE;
	}
}

/* Give the chunk the next range of the input, if any is left. */
static bool chunk_assign(struct copy_chunk *ch)
{
	struct uring__fs_copy *c = ch->copy;
	uint64_t len = c->end - c->next_off;

	if (c->next_off >= c->end || c->next_off >= c->eof_at)
		return false;
	if (len > c->chunk_size)
		len = c->chunk_size;
	ch->assigned = true;
	ch->seq = c->next_seq++;
	ch->next = c->next_off;
	ch->end = c->next_off + len;
	c->next_off += len;
	return true;
}

/* A stream's turn moved on: the chunk that has it may be waiting. */
static void wake_turn(struct uring__fs_copy *c)
{
	unsigned i;

	for (i = 0; i < c->nchunks; i++) {
		struct copy_chunk *ch = &c->chunks[i];

		if (ch->state == CH_WAIT && ch->seq == c->write_seq) {
			ch->state = CH_IDLE;
			chunk_step(ch);
			return;
		}
	}
}

/* Decide and queue the chunk's next operation; it has none in flight. */
static void chunk_step(struct copy_chunk *ch)
{
	struct uring__fs_copy *c = ch->copy;
	bool my_turn = !is_stream(c) || ch->seq == c->write_seq;

	ch->state = CH_IDLE;
	if (c->error)
		return;
	if (ch->assigned) {
		if (ch->queued) {
			if (!my_turn)
				ch->state = CH_WAIT;
			else
				chunk_submit(ch, ch->blocked ? CH_POLL : CH_WRITE);
			return;
		}
		if (ch->next < ch->end && ch->next < c->eof_at) {
			chunk_submit(ch, is_stream(c) ? CH_READ : CH_PAIR);
			return;
		}
		/* Range done; to a stream it counts only in its turn. */
		if (!my_turn) {
			ch->state = CH_WAIT;
			return;
		}
		ch->assigned = false;
		if (is_stream(c)) {
			c->write_seq++;
			wake_turn(c);
		}
	}
	if (chunk_assign(ch))
		chunk_submit(ch, is_stream(c) ? CH_READ : CH_PAIR);
}

static void chunk_result(struct copy_chunk *ch, int res)
{
	struct uring__fs_copy *c = ch->copy;

	switch (ch->state) {
	case CH_READ:
		if (res < 0) {
			copy_fail(c, res);
		} else if (res == 0) {
			if (ch->next < c->eof_at)
				c->eof_at = ch->next;
		} else {
			ch->wpos = ch->next;
			ch->next += (unsigned)res;
			ch->queued = (unsigned)res;
		}
		break;
	case CH_WRITE:
		if (res == -EAGAIN) {
			ch->blocked = true;
		} else if (res <= 0) {
			/* 0 would never move on: the output takes nothing */
			copy_fail(c, res ? res : -EIO);
		} else {
			ch->queued -= (unsigned)res;
			ch->wpos += (unsigned)res;
			c->copied += (unsigned)res;
		}
		break;
	case CH_POLL:
		ch->blocked = false; /* POLLERR/POLLHUP: the write will say */
		if (res < 0)
			copy_fail(c, res);
		break;
	default:
		break;
	}
}

/* Both results of a read -> write pair are in. */
static void pair_result(struct copy_chunk *ch)
{
	int rres = ch->res[0], wres = ch->res[1];

	ch->state = CH_READ;
	chunk_result(ch, rres);
	if (rres <= 0)
		return; /* error or EOF: the write was cancelled */
	/* A short read broke the link: the bytes it got are in the pipe
	 * and the next step writes them. */
	if (wres == -ECANCELED && (unsigned)rres < ch->asked)
		return;
	ch->state = CH_WRITE;
	chunk_result(ch, wres);
}

static void chunk_done(struct copy_chunk *ch, int res, int which)
{
	struct uring__fs_copy *c = ch->copy;

	c->inflight--;
	ch->res[which] = res;
	if (--ch->pending)
		return; /* the pair's other half is still to come */
	if (ch->state == CH_PAIR)
		pair_result(ch);
	else
		chunk_result(ch, ch->res[0]);
	chunk_step(ch);
	if (!c->inflight)
		copy_finish(c);
}

static void first_done(struct uring_req *r, int res)
{
	chunk_done(uring__container_of(r, struct copy_chunk, req), res, 0);
}

static void second_done(struct uring_req *r, int res)
{
	chunk_done(uring__container_of(r, struct copy_chunk, wreq), res, 1);
}

/* Start every chunk; the copy may be over at once if none found an SQE. */
static void copy_start(struct uring__fs_copy *c)
{
	unsigned i;

	for (i = 0; i < c->nchunks && !c->error; i++)
		chunk_step(&c->chunks[i]);
}

static void reserve_done(struct uring_req *r, int res)
{
	struct uring__fs_copy *c =
		uring__container_of(r, struct uring__fs_copy, reserve);

	c->inflight--;
	/* No room: say so now.  Any other refusal (a file system without
	 * fallocate, an output that is not a regular file) leaves the copy
	 * to go on without the reservation; its writes report real errors. */
	if (res == -ENOSPC || res == -EDQUOT)
		copy_fail(c, res); /* keeps `reserved`: ext4 may keep a part */
	else if (res < 0)
		c->reserved = 0;   /* nothing reserved, nothing to give back */
	copy_start(c);
	if (!c->inflight)
		copy_finish(c);
}

/* File to file: how many bytes the copy will write, if the input is a
 * regular file (its size bounds a copy "to EOF"); 0 when not worth a
 * reservation. */
static uint64_t copy_reserve_size(const struct uring__fs_copy *c)
{
	URING__KEEP_ERRNO();
	struct stat st;
	uint64_t left;

	if (is_stream(c) || fstat(c->in_fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size <= (uint64_t)c->in_start)
		return 0;
	left = (uint64_t)st.st_size - (uint64_t)c->in_start;
	if (left > c->end - (uint64_t)c->in_start)
		left = c->end - (uint64_t)c->in_start;
	return left >= COPY_CHUNK ? left : 0;
}

/* Queue the reservation of the output's blocks; false if the copy should
 * start its chunks now instead. */
static bool copy_reserve(struct uring__fs_copy *c)
{
	uint64_t n = copy_reserve_size(c);
	struct uring_sqe *sqe;

	if (!n || uring__fs_supported(c->loop, URING_OP_FALLOCATE))
		return false;
	sqe = uring_req_sqe(c->loop, &c->reserve);
	if (!sqe)
		return false;
	uring_prep_fallocate(sqe, c->out_fd, FALLOC_FL_KEEP_SIZE,
			     (uint64_t)c->out_start, n);
	(void)uring_req_submit(&c->reserve, reserve_done, 0, 0);
	c->reserved = n;
	c->inflight++;
	return true;
}

/* A pipe per chunk, as large as we may make it; the chunk size is the
 * smallest pipe's, so a range always fits in an empty pipe. */
static int copy_pipes(struct uring__fs_copy *c)
{
	URING__KEEP_ERRNO();
	unsigned i;

	c->chunk_size = COPY_CHUNK;
	for (i = 0; i < c->nchunks; i++) {
		struct copy_chunk *ch = &c->chunks[i];
		int size;

		if (pipe2(ch->pipe, O_CLOEXEC) < 0)
			return -errno;
		/* refused above pipe-max-size or the user's pipe quota:
		 * the default size works too, in smaller chunks */
		(void)fcntl(ch->pipe[1], F_SETPIPE_SZ, COPY_CHUNK);
		size = fcntl(ch->pipe[1], F_GETPIPE_SZ);
		if (size <= 0)
			return size < 0 ? -errno : -EIO;
		if ((unsigned)size < c->chunk_size)
			c->chunk_size = (unsigned)size;
	}
	return 0;
}

static int copy_check(struct uring_loop *loop, struct uring_fs *req,
		      int out_fd, int64_t out_offset, int in_fd,
		      int64_t in_offset, uring_fs_copy_cb cb)
{
	int ret;

	if (!loop || !req || !cb || loop->closed || req->flags ||
	    req->deadline_ms || out_fd < 0 || in_fd < 0 || out_offset < -1 ||
	    in_offset < 0)
		return -EINVAL;
	ret = uring__fs_supported(loop, URING_OP_SPLICE);
	return ret ? ret : uring__fs_supported(loop, URING_OP_POLL_ADD);
}

static struct uring__fs_copy *copy_new(uint64_t length)
{
	/* not (length + COPY_CHUNK - 1) / COPY_CHUNK: that wraps for the
	 * documented "to the end" length, UINT64_MAX, to one chunk */
	uint64_t chunks = length / COPY_CHUNK + (length % COPY_CHUNK != 0);
	unsigned n = chunks < COPY_DEPTH ? (chunks ? (unsigned)chunks : 1)
					 : COPY_DEPTH;
	URING__KEEP_ERRNO();
	struct uring__fs_copy *c;
	unsigned i;

	c = calloc(1, sizeof(*c) + n * sizeof(c->chunks[0]));
	if (!c)
		return NULL;
	c->nchunks = n;
	for (i = 0; i < n; i++) {
		c->chunks[i].copy = c;
		c->chunks[i].pipe[0] = c->chunks[i].pipe[1] = -1;
	}
	return c;
}

int uring_fs_copy(struct uring_loop *loop, struct uring_fs *req, int out_fd,
		  int64_t out_offset, int in_fd, int64_t in_offset,
		  uint64_t length, uring_fs_copy_cb cb)
{
	struct uring__fs_copy *c;
	int ret = copy_check(loop, req, out_fd, out_offset, in_fd, in_offset,
			     cb);

	if (ret)
		return ret;
	c = copy_new(length);
	if (!c)
		return -ENOMEM;
	ret = copy_pipes(c);
	if (ret) {
		copy_free(c);
		return ret;
	}
	c->loop = loop;
	c->req = req;
	c->in_fd = in_fd;
	c->out_fd = out_fd;
	c->in_start = in_offset;
	c->out_start = out_offset;
	c->next_off = (uint64_t)in_offset;
	c->end = length > (uint64_t)INT64_MAX - (uint64_t)in_offset
			 ? (uint64_t)INT64_MAX
			 : (uint64_t)in_offset + length;
	c->eof_at = UINT64_MAX;
	/* the request's own op never runs: cancel then says -EALREADY */
	memset(&req->req, 0, sizeof(req->req));
	req->req.loop = loop;
	req->cb = NULL;
	req->copy_cb = cb;
	req->names = NULL;
	req->iov = NULL;
	req->copy = c;
	if (!length)
		chunk_submit(&c->chunks[0], CH_NOP);
	else if (!copy_reserve(c))
		copy_start(c);
	if (!c->inflight) { /* not one SQE: nothing queued, no callback */
		ret = c->error ? c->error : -EBUSY;
		req->copy = NULL;
		copy_free(c);
		return ret;
	}
	return 0;
}

int uring__fs_copy_cancel(struct uring__fs_copy *copy)
{
	if (!copy->error)
		copy->error = -ECANCELED;
	/* a reservation in flight ends early, finds the error and stops
	 * (-EALREADY from a reservation already over is no failure) */
	if (copy->reserved && uring_req_cancel(&copy->reserve) == -EBUSY)
		return -EBUSY;
	return copy_cancel_all(copy);
}
