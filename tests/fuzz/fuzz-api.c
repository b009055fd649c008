/* SPDX-License-Identifier: MIT */
/*
 * fuzz-api: libFuzzer target driving the loop's API with sequences of
 * operations read from the input, against a model of what the headers
 * promise.
 *
 * One loop per input, a socketpair adopted by two Unix streams (the
 * "ends" 0 and 1), and three timers.  Byte 0 picks the loop's shape (SQ
 * size, task-run mode, read pool), byte 1 the socketpair's; then each op
 * is three bytes (op, a, b): timer start/stop/again/close, read start
 * (pool or alloc) and stop, write (1..8 buffers), try_write, shutdown,
 * close, buffer keep/release, run NOWAIT or ONCE, a new socketpair, and
 * "arm": an op to run from inside the next read, write or timer callback.
 *
 * What is checked (a violation is __builtin_trap(), after a line on
 * stderr saying which check):
 *   - return values of the calls the model can predict;
 *   - every write and shutdown callback exactly once, writes per stream
 *     in queue order, with a status that fits (-ECANCELED only when
 *     closed, -EPIPE/-ECONNRESET only when the peer closed);
 *   - bytes read are the bytes the other end wrote, in order, never
 *     more than it wrote; EOF only after the peer shut down or closed,
 *     and then exactly the bytes it wrote; kept pool buffers keep their
 *     bytes until released;
 *   - every alloc_cb buffer comes back to read_cb before close_cb;
 *   - no read, write or timer callback when the model says none may come;
 *     timers not before their time, and every timer due when a run began
 *     (or, for ONCE, came due while it waited) has fired by its end;
 *   - close_cb exactly once and last (the handle is freed in it: a later
 *     touch is an ASan report);
 *   - after every op: uring_loop_alive(), uring_is_active(),
 *     uring_is_closing() agree with the model, and
 *     uring_stream_write_queue_size() with the bytes of pending writes;
 *   - before closing, with both ends open, reading drains every byte
 *     written (no loss, no stall); then everything is closed, the loop
 *     runs until not alive (bounded), uring_loop_close() returns 0, and
 *     the process has the fds it had before (LeakSanitizer does memory).
 *
 * Never blocks: runs are NOWAIT, or ONCE with a 1 ms repeating guard
 * timer armed.  FUZZ_API_TRACE=1 prints each op (for reproductions).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <uring/loop.h>
#include <uring/stream.h>

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond))                                                   \
			fail(__LINE__, #cond);                                 \
	} while (0)

#define NTIMERS 3
#define MAX_OPS 256
#define MAX_WRITES 160
#define MAX_SHUTDOWNS 16
#define MAX_KEPT 128
#define MAX_ONCE 4
#define MAX_ABUFS 8
/* Bytes per end per input: with 64-byte buffers, or 1-byte alloc_cb
 * ones, every 64 KiB costs a thousand iterations or more. */
#define MAX_SENT_PER_END (128u * 1024)
#define MAX_SENT_SMALL_BUFS (48u * 1024)
#define MAX_TINY_ALLOCS 128 /* then alloc_cb gives 4096 bytes */
#define SETTLE_MS 2000	    /* closing or draining longer than this: a hang */

enum { MODE_NONE, MODE_POOL, MODE_ALLOC };

enum op {
	OP_TIMER_START,
	OP_TIMER_STOP,
	OP_TIMER_AGAIN,
	OP_TIMER_CLOSE,
	OP_READ_POOL,
	OP_READ_ALLOC,
	OP_READ_STOP,
	OP_WRITE,
	OP_TRY_WRITE,
	OP_SHUTDOWN,
	OP_CLOSE,
	OP_RUN_NOWAIT,
	OP_RUN_ONCE,
	OP_KEEP_MODE,
	OP_RELEASE,
	OP_ARM,
	OP_REOPEN,
	OP_KEEP_OUTSIDE,
	OP_RUN_NOWAIT2,
	OP_WRITE_SMALL,
	OP_COUNT
};

static const char *const op_names[OP_COUNT] = {
    "timer_start", "timer_stop", "timer_again",	 "timer_close", "read_pool",
    "read_alloc",  "read_stop",	 "write",	 "try_write",	"shutdown",
    "close",	   "run_nowait", "run_once",	 "keep_mode",	"release",
    "arm",	   "reopen",	 "keep_outside", "run_nowait",	"write_small",
};

struct action {
	bool armed;
	uint8_t op, a, b;
};

struct end {
	struct uring_stream *s; /* NULL before creation and after close_cb */
	int idx, fd;
	bool closing;	   /* uring_close() called */
	bool open;	   /* created, close_cb not yet run */
	int reading;	   /* MODE_* while read callbacks may come */
	int mode;	   /* mode of the last read start */
	int in_read_start; /* MODE_* of a read start being called */
	bool shut;	   /* uring_stream_shutdown() accepted */
	int write_error;   /* -EPIPE... seen in a write callback */
	bool lost;	   /* a write failed: sent is only a bound */
	bool eof;
	bool read_error;	   /* reading ended with an error */
	bool keep;		   /* keep pool buffers in read_cb */
	unsigned alloc_kind;	   /* what alloc_cb gives (alloc_sizes) */
	bool gave_empty;	   /* alloc_cb gave a 0-byte buffer */
	uint64_t sent, recv;	   /* bytes written by this end / read by it */
	uint64_t wq_next, wq_done; /* writes queued / called back */
	uint64_t queued;	   /* bytes of writes not yet called back */
	unsigned shutdowns;	   /* shutdown callbacks still to come */
	void *abufs[MAX_ABUFS];	   /* alloc_cb buffers not yet handed back */
	size_t abuf_len[MAX_ABUFS];
	struct action on_read, on_write;
};

struct timer {
	struct uring_timer *t;
	bool open, closing, active, started;
	uint64_t due, repeat;
	unsigned start_run; /* ctx.runs when last (re)started */
	struct action on_fire;
};

struct wmodel {
	bool used;
	int end, cbs;
	uint64_t seq, bytes;
	char *data;
};

struct wreq {
	struct uring_write req;
	unsigned id;
};

struct sreq {
	struct uring_shutdown req;
	int end;
};

struct kept {
	int id;
	const uint8_t *p;
	size_t len;
	unsigned gen;
	int writer;
	uint64_t off;
	bool fresh; /* kept in the read callback running now */
};

static struct ctx {
	struct uring_loop loop;
	struct uring_timer *guard;
	struct end ends[2];
	unsigned gen; /* socketpair generation: part of the byte pattern */
	struct timer timers[NTIMERS];
	struct wmodel w[MAX_WRITES];
	unsigned nw;
	unsigned pending_shutdowns;
	struct kept kept[MAX_KEPT];
	unsigned nkept;
	unsigned pool_count, pool_size;
	bool small_sndbuf, nonblock;
	const struct uring_stream *reading_owner; /* inside whose read_cb */
	int depth;				  /* callbacks running ops */
	unsigned once;
	unsigned runs; /* uring_loop_run() calls so far */
	unsigned tiny_allocs;
	const uint8_t *in;
	size_t in_len, in_pos;
} ctx;

static int trace;
static void fail(int line, const char *what)
{
	fprintf(stderr, "fuzz-api: check failed at line %d: %s\n", line, what);
	__builtin_trap();
}

#define T(...)                                                                 \
	do {                                                                   \
		if (trace)                                                     \
			fprintf(stderr, __VA_ARGS__);                          \
	} while (0)

static unsigned next_byte(void)
{
	return ctx.in_pos < ctx.in_len ? ctx.in[ctx.in_pos++] : 0;
}

/* Byte k of what end `e` of socketpair `gen` writes. */
static uint8_t pat(unsigned gen, int e, uint64_t k)
{
	uint64_t x = (k + 1) * 0x9E3779B97F4A7C15ull;

	x ^= ((uint64_t)gen << 33) ^ ((uint64_t)e << 60);
	x ^= x >> 29;
	x *= 0xBF58476D1CE4E5B9ull;
	return (uint8_t)(x >> 56);
}

static void fill(uint8_t *p, size_t n, unsigned gen, int e, uint64_t off)
{
	for (size_t i = 0; i < n; i++)
		p[i] = pat(gen, e, off + i);
}

static bool matches(const uint8_t *p, size_t n, unsigned gen, int e,
		    uint64_t off)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != pat(gen, e, off + i))
			return false;
	return true;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		n++;
	closedir(d);
	return n;
}

static void run_action(struct action *act);
static void exec_op(unsigned op, unsigned a, unsigned b);

/* ------------------------------------------------------------- model */

static bool model_alive(void)
{
	for (int i = 0; i < NTIMERS; i++) {
		struct timer *t = &ctx.timers[i];

		if (t->open && (t->closing || t->active))
			return true;
	}
	for (int i = 0; i < 2; i++) {
		struct end *e = &ctx.ends[i];

		if (e->open && (e->closing || e->reading))
			return true;
		if (e->wq_next != e->wq_done || e->shutdowns)
			return true;
	}
	return false;
}

/* What the loop says about its handles agrees with the model. */
static void check_model(void)
{
	CHECK(uring_loop_alive(&ctx.loop) == model_alive());
	for (int i = 0; i < NTIMERS; i++) {
		struct timer *t = &ctx.timers[i];

		if (!t->open)
			continue;
		CHECK(uring_is_closing(&t->t->handle) == t->closing);
		CHECK(uring_is_active(&t->t->handle) == t->active);
	}
	for (int i = 0; i < 2; i++) {
		struct end *e = &ctx.ends[i];
		size_t wqs;

		if (!e->open)
			continue;
		wqs = uring_stream_write_queue_size(e->s);
		CHECK(uring_is_closing(&e->s->handle) == e->closing);
		CHECK(uring_is_active(&e->s->handle) == (e->reading != 0));
		CHECK(wqs <= e->queued);
		if (e->wq_next == e->wq_done)
			CHECK(wqs == 0);
	}
}

/* After a run: a timer that was due by its end and was started before
 * it has fired (or been restarted by its repeat).  ONCE too: it runs the
 * timers that came due while it waited. */
static void check_timers_ran(void)
{
	uint64_t now = uring_loop_now(&ctx.loop);

	for (int i = 0; i < NTIMERS; i++) {
		struct timer *t = &ctx.timers[i];

		if (t->open && t->active && t->start_run < ctx.runs)
			CHECK(t->due > now);
	}
}

static struct end *peer_of(const struct end *e)
{
	return &ctx.ends[!e->idx];
}

static void check_kept(const struct kept *k)
{
	CHECK(matches(k->p, k->len, k->gen, k->writer, k->off));
}

/* ------------------------------------------------------------- callbacks */

static void on_timer(struct uring_timer *handle)
{
	struct timer *t = handle->handle.data;

	if (!t)
		return; /* the guard */
	T("  timer %d fires\n", (int)(t - ctx.timers));
	CHECK(t->open && !t->closing && t->active);
	CHECK(uring_loop_now(&ctx.loop) >= t->due);
	if (t->repeat) {
		t->due = uring_loop_now(&ctx.loop) + t->repeat;
		t->start_run = ctx.runs;
	} else {
		t->active = false;
	}
	run_action(&t->on_fire);
}

static void on_timer_close(struct uring_handle *h)
{
	struct timer *t = h->data;

	T("  timer %d close_cb\n", (int)(t - ctx.timers));
	CHECK(t->open && t->closing);
	t->open = false;
	t->t = NULL;
	free(h);
}

static void on_stream_close(struct uring_handle *h)
{
	struct end *e = h->data;

	T("  end %d close_cb\n", e->idx);
	CHECK(e->open && e->closing && e->s == (struct uring_stream *)h);
	CHECK(e->wq_done == e->wq_next); /* every write called back first */
	CHECK(e->shutdowns == 0);
	for (int i = 0; i < MAX_ABUFS; i++)
		CHECK(!e->abufs[i]); /* every alloc_cb buffer came back */
	/* the socket is closed before close_cb */
	CHECK(fcntl(e->fd, F_GETFD) < 0 && errno == EBADF);
	e->open = false;
	e->s = NULL;
	free(h);
}

static void abuf_add(struct end *e, void *p, size_t len)
{
	for (int i = 0; i < MAX_ABUFS; i++) {
		if (!e->abufs[i]) {
			e->abufs[i] = p;
			e->abuf_len[i] = len;
			return;
		}
	}
	CHECK(!"more alloc_cb buffers out than a stream may hold");
}

/* A buffer alloc_cb gave comes back: its length, or traps. */
static size_t abuf_take(struct end *e, void *p)
{
	for (int i = 0; i < MAX_ABUFS; i++) {
		if (e->abufs[i] == p) {
			size_t len = e->abuf_len[i];

			e->abufs[i] = NULL;
			free(p);
			return len;
		}
	}
	CHECK(!"read_cb handed back a buffer alloc_cb did not give");
	return 0;
}

static const unsigned alloc_sizes[8] = {4096, 1, 7, 64, 1500, 65536, 0, 0};

static void on_alloc(struct uring_stream *s, size_t suggested,
		     struct iovec *buf)
{
	struct end *e = s->handle.data;
	size_t len = alloc_sizes[e->alloc_kind];

	if (len && len < 1500 && ++ctx.tiny_allocs > MAX_TINY_ALLOCS)
		len = 4096; /* keep the input fast */

	/* reading in alloc mode, or starting to */
	CHECK(e->open && !e->closing && suggested > 0);
	CHECK(e->in_read_start ? e->in_read_start == MODE_ALLOC
			       : e->reading == MODE_ALLOC);
	if (e->alloc_kind == 7) { /* no buffer at all */
		buf->iov_base = NULL;
		buf->iov_len = 0;
		e->gave_empty = true;
		return;
	}
	buf->iov_base = malloc(len ? len : 1);
	CHECK(buf->iov_base);
	buf->iov_len = len;
	if (!len)
		e->gave_empty = true;
	abuf_add(e, buf->iov_base, len);
}

static void got_bytes(struct end *e, const struct iovec *buf, ssize_t nread)
{
	struct end *p = peer_of(e);

	CHECK(matches(buf->iov_base, (size_t)nread, ctx.gen, p->idx, e->recv));
	CHECK(e->recv + (uint64_t)nread <= p->sent);
	e->recv += (uint64_t)nread;
}

static void got_end(struct end *e, ssize_t nread)
{
	struct end *p = peer_of(e);

	e->reading = MODE_NONE;
	if (nread == URING_EOF) {
		CHECK(p->shut || p->closing || !p->open);
		e->eof = true;
		if (p->open && !p->closing && !p->lost) {
			/* the shutdown went out after every write */
			CHECK(p->wq_done == p->wq_next);
			CHECK(e->recv == p->sent);
		}
	} else if (nread == -ECONNRESET) {
		CHECK(p->closing || !p->open);
		e->read_error = true;
	} else {
		CHECK(nread == -ENOBUFS && e->mode == MODE_ALLOC &&
		      e->gave_empty);
		e->read_error = true;
	}
}

static void keep_buf(struct end *e, const struct iovec *buf, ssize_t nread)
{
	int id = uring_stream_buf_keep(e->s);

	T("  end %d keeps buffer %d\n", e->idx, id);
	CHECK(id >= 0 && (unsigned)id < ctx.pool_count);
	/* bytes handed out twice?  With incremental buffers several kept
	 * reads may share one buffer (and id), never the same bytes */
	for (unsigned i = 0; i < ctx.nkept; i++)
		CHECK((const char *)buf->iov_base + nread <=
			      (const char *)ctx.kept[i].p ||
		      (const char *)ctx.kept[i].p + ctx.kept[i].len <=
			      (const char *)buf->iov_base);
	CHECK(ctx.nkept < MAX_KEPT);
	ctx.kept[ctx.nkept++] = (struct kept){
	    .id = id,
	    .p = buf->iov_base,
	    .len = (size_t)nread,
	    .gen = ctx.gen,
	    .writer = !e->idx,
	    .off = e->recv - (uint64_t)nread,
	    .fresh = true,
	};
}

static void on_read(struct uring_stream *s, ssize_t nread,
		    const struct iovec *buf)
{
	struct end *e = s->handle.data;
	const struct uring_stream *outer = ctx.reading_owner;

	T("  end %d read_cb %zd\n", e->idx, nread);
	CHECK(e->open && e->s == s && buf);
	if (nread == 0) { /* alloc mode: an unused buffer comes back */
		CHECK(e->mode == MODE_ALLOC && buf->iov_base);
		abuf_take(e, buf->iov_base);
		return;
	}
	CHECK(!e->closing && e->reading == e->mode);
	if (nread > 0) {
		CHECK(buf->iov_base);
		if (e->mode == MODE_POOL) {
			CHECK(buf->iov_len == (size_t)nread &&
			      (size_t)nread <= ctx.pool_size);
			got_bytes(e, buf, nread);
			if (e->keep)
				keep_buf(e, buf, nread);
		} else {
			got_bytes(e, buf, nread);
			CHECK((size_t)nread <= abuf_take(e, buf->iov_base));
		}
	} else {
		if (e->mode == MODE_ALLOC && buf->iov_base)
			abuf_take(e, buf->iov_base);
		got_end(e, nread);
	}
	ctx.reading_owner = s;
	run_action(&e->on_read);
	ctx.reading_owner = outer;
	for (unsigned i = 0; i < ctx.nkept; i++)
		ctx.kept[i].fresh = false;
}

static void on_write(struct uring_write *req, int status)
{
	struct wreq *r = (struct wreq *)req;
	struct wmodel *m = &ctx.w[r->id];
	struct end *e = &ctx.ends[m->end];

	free(r);
	T("  end %d write_cb #%llu %d\n", e->idx, (unsigned long long)m->seq,
	  status);
	CHECK(m->used && m->cbs == 0);
	m->cbs++;
	free(m->data);
	m->data = NULL;
	CHECK(e->open && m->seq == e->wq_done); /* in queue order */
	e->wq_done++;
	e->queued -= m->bytes;
	if (status == -ECANCELED) {
		CHECK(e->closing);
	} else if (status == -EPIPE || status == -ECONNRESET) {
		CHECK(peer_of(e)->closing || !peer_of(e)->open);
		if (!e->closing)
			e->write_error = status;
	} else {
		CHECK(status == 0);
	}
	if (status)
		e->lost = true;
	run_action(&e->on_write);
}

static void on_shutdown(struct uring_shutdown *req, int status)
{
	struct sreq *r = (struct sreq *)req;
	struct end *e = &ctx.ends[r->end];

	free(r);
	T("  end %d shutdown_cb %d\n", e->idx, status);
	CHECK(e->open && e->shutdowns == 1);
	e->shutdowns--;
	ctx.pending_shutdowns--;
	CHECK((status == -ECANCELED) == e->closing);
	CHECK(status == 0 || status == -ECANCELED || status == -ENOTCONN ||
	      status == -EBUSY);
}

static void run_action(struct action *act)
{
	if (!act->armed)
		return;
	act->armed = false;
	ctx.depth++;
	exec_op(act->op, act->a, act->b);
	ctx.depth--;
}

/* ------------------------------------------------------------- timers */

static void op_timer_start(struct timer *t, unsigned b)
{
	static const uint64_t timeouts[8] = {0, 0, 1, 1, 2, 3, 10, 1000};
	static const uint64_t repeats[4] = {0, 1, 0, 2};
	uint64_t timeout = timeouts[b & 7], repeat = repeats[(b >> 3) & 3];
	int ret;

	if (!t->open) {
		memset(t, 0, sizeof(*t));
		t->t = malloc(sizeof(*t->t));
		CHECK(t->t);
		t->t->handle.data = t;
		CHECK(uring_timer_init(&ctx.loop, t->t) == 0);
		t->open = true;
	}
	ret = uring_timer_start(t->t, on_timer, timeout, repeat);
	if (t->closing) {
		CHECK(ret == -EINVAL);
		return;
	}
	CHECK(ret == 0);
	t->active = t->started = true;
	t->repeat = repeat;
	t->due = uring_loop_now(&ctx.loop) + timeout;
	t->start_run = ctx.runs;
}

static void op_timer_again(struct timer *t)
{
	int ret = uring_timer_again(t->t);

	if (t->closing || !t->started || !t->repeat) {
		CHECK(ret == -EINVAL);
		return;
	}
	CHECK(ret == 0);
	t->active = true;
	t->due = uring_loop_now(&ctx.loop) + t->repeat;
	t->start_run = ctx.runs;
}

static void op_timer(unsigned op, unsigned a, unsigned b)
{
	struct timer *t = &ctx.timers[a % NTIMERS];

	if (op == OP_TIMER_START) {
		op_timer_start(t, b);
		return;
	}
	if (!t->open)
		return;
	if (op == OP_TIMER_STOP) {
		CHECK(uring_timer_stop(t->t) == 0);
		t->active = false;
	} else if (op == OP_TIMER_AGAIN) {
		op_timer_again(t);
	} else {
		uring_close(&t->t->handle, on_timer_close);
		t->closing = true;
		t->active = false;
	}
}

/* ------------------------------------------------------------- streams */

static void op_reopen(void)
{
	int fds[2], type = SOCK_STREAM | SOCK_CLOEXEC;

	if (ctx.ends[0].open || ctx.ends[1].open)
		return;
	if (ctx.nonblock)
		type |= SOCK_NONBLOCK;
	CHECK(socketpair(AF_UNIX, type, 0, fds) == 0);
	ctx.gen++;
	for (int i = 0; i < 2; i++) {
		struct end *e = &ctx.ends[i];
		int sz = 4096;

		memset(e, 0, sizeof(*e));
		e->idx = i;
		e->fd = fds[i];
		if (ctx.small_sndbuf)
			CHECK(setsockopt(fds[i], SOL_SOCKET, SO_SNDBUF, &sz,
					 sizeof(sz)) == 0);
		e->s = malloc(sizeof(*e->s));
		CHECK(e->s);
		e->s->handle.data = e;
		CHECK(uring_unix_init(&ctx.loop, e->s) == 0);
		CHECK(uring_stream_open(e->s, fds[i]) == 0);
		/* uring_tcp_init(3): the descriptor is made blocking */
		CHECK(!(fcntl(fds[i], F_GETFL) & O_NONBLOCK));
		e->open = true;
	}
}

static void op_read_start(struct end *e, int mode, unsigned b)
{
	int ret;

	if (mode == MODE_ALLOC)
		e->alloc_kind = b & 7;
	e->in_read_start = mode;
	ret = mode == MODE_POOL
		  ? uring_stream_read_start(e->s, on_read)
		  : uring_stream_read_start_alloc(e->s, on_alloc, on_read);
	e->in_read_start = MODE_NONE;
	if (e->closing) {
		CHECK(ret == -EINVAL);
	} else if (e->reading) {
		CHECK(ret == -EALREADY);
	} else if (ret == -EBUSY) {
		/* a recv of the other mode is finishing, or its bytes wait */
		CHECK(e->mode != MODE_NONE && e->mode != mode);
	} else if (ret == -ENOBUFS) {
		/* alloc_cb gave nothing usable */
		CHECK(mode == MODE_ALLOC && e->gave_empty &&
		      alloc_sizes[e->alloc_kind] == 0);
		e->mode = mode;
	} else {
		CHECK(ret == 0);
		e->mode = e->reading = mode;
		e->read_error = false;
	}
}

/* Expected result of a write or try_write before the queue matters. */
static int write_refusal(const struct end *e)
{
	if (e->closing)
		return -EINVAL;
	if (e->shut)
		return -EPIPE;
	return e->write_error;
}

static size_t write_size(struct end *e, unsigned b, bool small)
{
	static const size_t sizes[8] = {0, 1, 7, 100, 1500, 4096, 16384, 65536};
	size_t n = sizes[b & (small ? 3 : 7)];
	size_t max =
	    ctx.pool_size < 512 ? MAX_SENT_SMALL_BUFS : MAX_SENT_PER_END;

	if (e->sent + n > max)
		n = 0;
	return n;
}

/* Split n bytes at p over 1..8 iovecs (some empty, maybe NULL). */
static unsigned split(struct iovec *iov, uint8_t *p, size_t n, unsigned b)
{
	unsigned cnt = 1 + ((b >> 3) & 7), i;
	size_t off = 0;

	for (i = 0; i < cnt; i++) {
		size_t len = i == cnt - 1 ? n - off : (n / cnt) >> (i & 1);

		iov[i].iov_base = p + off;
		iov[i].iov_len = len;
		if (!len && (b & 0x40))
			iov[i].iov_base = NULL;
		off += len;
	}
	return cnt;
}

static void op_write(struct end *e, unsigned b, bool small)
{
	struct iovec iov[8];
	size_t n = write_size(e, b, small);
	struct wreq *r;
	struct wmodel *m;
	unsigned cnt, id;
	size_t before;
	int ret, want = write_refusal(e);

	if (ctx.nw == MAX_WRITES)
		return;
	id = ctx.nw;
	m = &ctx.w[id];
	r = malloc(sizeof(*r));
	m->data = malloc(n ? n : 1);
	CHECK(r && m->data);
	fill((uint8_t *)m->data, n, ctx.gen, e->idx, e->sent);
	cnt = split(iov, (uint8_t *)m->data, n, b);
	r->id = id;
	/* registered first: a callback cannot come from inside the call,
	 * but the model must not depend on that */
	m->used = true;
	m->end = e->idx;
	m->seq = e->wq_next;
	m->bytes = n;
	before = uring_stream_write_queue_size(e->s);
	ret = uring_stream_write(&r->req, e->s, iov, cnt, on_write);
	CHECK(ret == want);
	CHECK(uring_stream_write_queue_size(e->s) == before + (ret ? 0 : n));
	if (ret) {
		free(r);
		free(m->data);
		memset(m, 0, sizeof(*m));
		return;
	}
	ctx.nw++;
	e->wq_next++;
	e->queued += n;
	e->sent += n;
}

static void op_try_write(struct end *e, unsigned b)
{
	struct iovec iov[8];
	size_t n = write_size(e, b, false);
	uint8_t *p = malloc(n ? n : 1);
	unsigned cnt;
	ssize_t ret;
	int want = write_refusal(e);

	CHECK(p);
	fill(p, n, ctx.gen, e->idx, e->sent);
	cnt = split(iov, p, n, b);
	ret = uring_stream_try_write(e->s, iov, cnt);
	if (want) {
		CHECK(ret == want);
	} else if (e->wq_next != e->wq_done) {
		CHECK(ret == -EAGAIN); /* bytes must not overtake queued ones */
	} else if (ret == -EPIPE || ret == -ECONNRESET) {
		CHECK(peer_of(e)->closing || !peer_of(e)->open);
	} else {
		CHECK(ret == -EAGAIN || (ret >= 0 && (size_t)ret <= n));
		if (ret > 0)
			e->sent += (uint64_t)ret;
	}
	free(p);
}

static void op_shutdown(struct end *e)
{
	struct sreq *r;
	int ret;

	if (ctx.pending_shutdowns == MAX_SHUTDOWNS)
		return;
	r = malloc(sizeof(*r));
	CHECK(r);
	r->end = e->idx;
	e->shutdowns++; /* the callback may come from inside (-EBUSY) */
	ctx.pending_shutdowns++;
	ret = uring_stream_shutdown(&r->req, e->s, on_shutdown);
	if (e->closing) {
		CHECK(ret == -EINVAL);
	} else if (e->shut) {
		CHECK(ret == -EALREADY);
	} else {
		CHECK(ret == 0);
		e->shut = true;
		return;
	}
	e->shutdowns--;
	ctx.pending_shutdowns--;
	free(r);
}

static void op_close(struct end *e)
{
	uring_close(&e->s->handle, on_stream_close);
	e->closing = true;
	e->reading = MODE_NONE;
}

/* Release a kept buffer (checking its bytes first), or, for b >= 0xf0,
 * the id b - 0xf4 (-4..11), which must be refused unless it is kept. */
static void op_release(unsigned b)
{
	int id = (int)b - 0xf4;
	unsigned i;

	for (i = 0; i < ctx.nkept && b >= 0xf0; i++)
		if (ctx.kept[i].id == id)
			break;
	if (b < 0xf0 && ctx.nkept)
		i = b % ctx.nkept;
	if (i < ctx.nkept) {
		struct kept k = ctx.kept[i];

		T("  release kept buffer %d%s\n", k.id,
		  k.fresh ? " (fresh)" : "");
		check_kept(&k);
		ctx.kept[i] = ctx.kept[--ctx.nkept];
		CHECK(uring_loop_buf_release(&ctx.loop, k.id) == 0);
		/* one release per keep: once no kept read shares the buffer,
		 * a second release of its id is refused */
		for (i = 0; i < ctx.nkept; i++)
			if (ctx.kept[i].id == k.id)
				return;
		CHECK(uring_loop_buf_release(&ctx.loop, k.id) == -EINVAL);
		return;
	}
	CHECK(uring_loop_buf_release(&ctx.loop, id) == -EINVAL);
}

static void op_stream(unsigned op, struct end *e, unsigned b)
{
	if (!e->open)
		return;
	switch (op) {
	case OP_READ_POOL:
		op_read_start(e, MODE_POOL, b);
		break;
	case OP_READ_ALLOC:
		op_read_start(e, MODE_ALLOC, b);
		break;
	case OP_READ_STOP:
		CHECK(uring_stream_read_stop(e->s) ==
		      (e->closing ? -EINVAL : 0));
		e->reading = MODE_NONE;
		break;
	case OP_WRITE:
	case OP_WRITE_SMALL:
		op_write(e, b, op == OP_WRITE_SMALL);
		break;
	case OP_TRY_WRITE:
		op_try_write(e, b);
		break;
	case OP_SHUTDOWN:
		op_shutdown(e);
		break;
	case OP_CLOSE:
		op_close(e);
		break;
	case OP_KEEP_MODE:
		e->keep = b & 1;
		break;
	case OP_KEEP_OUTSIDE:
		if (ctx.reading_owner != e->s)
			CHECK(uring_stream_buf_keep(e->s) == -EINVAL);
		break;
	}
}

/* ------------------------------------------------------------- running */

static void run_nowait(void)
{
	int ret;

	ctx.runs++;
	ret = uring_loop_run(&ctx.loop, URING_RUN_NOWAIT);
	CHECK(ret == 0 || ret == 1);
	CHECK(ret == (int)model_alive());
	check_timers_ran();
}

/* ONCE may wait: only with the 1 ms repeating guard armed, which bounds
 * the wait (a one-shot guard could fire before the wait and leave it
 * unbounded). */
static void run_once(void)
{
	int ret;

	if (ctx.once++ >= MAX_ONCE) {
		run_nowait();
		return;
	}
	CHECK(uring_timer_start(ctx.guard, on_timer, 1, 1) == 0);
	ctx.runs++;
	ret = uring_loop_run(&ctx.loop, URING_RUN_ONCE);
	CHECK(uring_timer_stop(ctx.guard) == 0);
	CHECK(ret == 1);
	check_timers_ran();
}

/* An op to run from inside the next callback of a kind. */
static void op_arm(unsigned a, unsigned b)
{
	struct action *act;

	switch (a % 5) {
	case 0:
	case 1:
		act = &ctx.ends[a % 5].on_read;
		break;
	case 2:
	case 3:
		act = &ctx.ends[a % 5 - 2].on_write;
		break;
	default:
		act = &ctx.timers[b % NTIMERS].on_fire;
		break;
	}
	act->op = (uint8_t)next_byte();
	act->a = (uint8_t)next_byte();
	act->b = (uint8_t)next_byte();
	act->armed = true;
}

static void exec_op(unsigned op, unsigned a, unsigned b)
{
	op %= OP_COUNT;
	T("%*sop %s a=%u b=%u\n", ctx.depth * 2, "", op_names[op], a, b);
	switch (op) {
	case OP_TIMER_START:
	case OP_TIMER_STOP:
	case OP_TIMER_AGAIN:
	case OP_TIMER_CLOSE:
		op_timer(op, a, b);
		break;
	case OP_RUN_NOWAIT:
	case OP_RUN_NOWAIT2:
		if (!ctx.depth) /* not from inside a callback */
			run_nowait();
		break;
	case OP_RUN_ONCE:
		if (!ctx.depth)
			run_once();
		break;
	case OP_RELEASE:
		op_release(b);
		break;
	case OP_ARM:
		if (!ctx.depth)
			op_arm(a, b);
		break;
	case OP_REOPEN:
		if (!ctx.depth)
			op_reopen();
		break;
	default:
		op_stream(op, &ctx.ends[a & 1], b);
		break;
	}
}

/* ------------------------------------------------------------- the end */

/* Both ends open and nothing failed: every byte written must arrive. */
static bool drainable(void)
{
	for (int i = 0; i < 2; i++) {
		struct end *e = &ctx.ends[i];

		if (!e->open || e->closing || e->lost || e->read_error)
			return false;
	}
	return true;
}

static bool drained(void)
{
	for (int i = 0; i < 2; i++) {
		struct end *w = &ctx.ends[i], *r = &ctx.ends[!i];

		if (w->wq_next != w->wq_done)
			return false;
		if (!r->eof && r->recv != w->sent)
			return false;
	}
	return true;
}

/* Both ends open, nothing failed: reading must bring every byte written
 * (no loss, no stall). */
static void drain(void)
{
	uint64_t deadline;

	if (!drainable())
		return;
	while (ctx.nkept) /* a starved pool would stall reading */
		op_release(0);
	for (int i = 0; i < 2; i++) {
		struct end *e = &ctx.ends[i];

		e->keep = false;
		if (e->reading || e->eof)
			continue;
		op_read_start(e, MODE_POOL, 0);
		if (!e->reading)
			op_read_start(e, MODE_ALLOC, 0); /* 4096-byte buffers */
		CHECK(e->reading);
	}
	deadline = now_ms() + SETTLE_MS;
	while (drainable() && !drained()) { /* a write may still fail */
		CHECK(now_ms() < deadline);
		run_nowait();
	}
}

static void close_all(void)
{
	uint64_t deadline;

	for (int i = 0; i < 2; i++)
		if (ctx.ends[i].open && !ctx.ends[i].closing)
			op_close(&ctx.ends[i]);
	for (int i = 0; i < NTIMERS; i++)
		if (ctx.timers[i].open && !ctx.timers[i].closing)
			op_timer(OP_TIMER_CLOSE, (unsigned)i, 0);
	uring_close(&ctx.guard->handle, NULL);
	deadline = now_ms() + SETTLE_MS;
	while (uring_loop_run(&ctx.loop, URING_RUN_NOWAIT) > 0)
		CHECK(now_ms() < deadline);
	CHECK(!model_alive());
	free(ctx.guard);
	for (int i = 0; i < 2; i++)
		CHECK(!ctx.ends[i].open);
	for (int i = 0; i < NTIMERS; i++)
		CHECK(!ctx.timers[i].open);
	for (unsigned i = 0; i < ctx.nw; i++)
		CHECK(ctx.w[i].cbs == 1);
	CHECK(ctx.pending_shutdowns == 0);
}

static void setup(const uint8_t *data, size_t size)
{
	static const unsigned counts[4] = {1, 2, 8, 64};
	static const unsigned sizes[4] = {64, 512, 4096, 16384};
	static const enum uring_taskrun modes[4] = {
	    URING_TASKRUN_AUTO, URING_TASKRUN_COOP, URING_TASKRUN_NONE,
	    URING_TASKRUN_AUTO};
	struct uring_loop_options o;
	unsigned c0, c1;

	memset(&ctx, 0, sizeof(ctx));
	ctx.in = data;
	ctx.in_len = size;
	c0 = next_byte();
	c1 = next_byte();
	memset(&o, 0, sizeof(o));
	ctx.pool_count = o.read_buf_count = counts[c0 & 3];
	ctx.pool_size = o.read_buf_size = sizes[(c0 >> 2) & 3];
	o.taskrun = modes[(c0 >> 4) & 3];
	o.sq_entries = (c0 & 0x40) ? 4 : 64;
	ctx.small_sndbuf = c0 & 0x80;
	ctx.nonblock = c1 & 1;
	/* bit 1: release kept buffers at the end (see the fuzz entry) */
	o.spin_usec = (c1 & 4) ? 20 : 0; /* busy-poll: waits skipped */
	T("setup: pool %ux%u taskrun %d sq %u sndbuf %s %s spin %u\n",
	  ctx.pool_count, ctx.pool_size, (int)o.taskrun, o.sq_entries,
	  ctx.small_sndbuf ? "small" : "default",
	  ctx.nonblock ? "nonblocking" : "blocking", o.spin_usec);
	CHECK(uring_loop_init(&ctx.loop, &o) == 0);
	ctx.guard = malloc(sizeof(*ctx.guard));
	CHECK(ctx.guard);
	ctx.guard->handle.data = NULL;
	CHECK(uring_timer_init(&ctx.loop, ctx.guard) == 0);
	op_reopen();
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct uring_loop loop;
	int ret;

	(void)argc;
	(void)argv;
	trace = getenv("FUZZ_API_TRACE") != NULL;
	memset(&loop, 0, sizeof(loop));
	ret = uring_loop_init(&loop, NULL);
	if (ret) {
		fprintf(stderr, "SKIP: fuzz-api: no io_uring here: %s\n",
			uring_strerror(ret));
		exit(77);
	}
	uring_loop_close(&loop);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fds = count_fds();
	bool release_at_end;

	setup(data, size);
	release_at_end = size > 1 && (data[1] & 2);
	for (int n = 0; n < MAX_OPS && ctx.in_pos < ctx.in_len; n++) {
		unsigned op = next_byte(), a = next_byte(), b = next_byte();

		exec_op(op, a, b);
		check_model();
	}
	for (int i = 0; i < 2; i++) /* no more ops from callbacks */
		ctx.ends[i].on_read.armed = ctx.ends[i].on_write.armed = false;
	for (int i = 0; i < NTIMERS; i++)
		ctx.timers[i].on_fire.armed = false;
	T("drain\n");
	drain();
	T("close all\n");
	close_all();
	for (unsigned i = 0; i < ctx.nkept; i++)
		check_kept(&ctx.kept[i]);
	while (release_at_end && ctx.nkept)
		op_release(0);
	CHECK(uring_loop_close(&ctx.loop) == 0);
	CHECK(count_fds() == fds);
	return 0;
}
