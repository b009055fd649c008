/* SPDX-License-Identifier: MIT */
/*
 * pool-test: the loop's stream read pool is shared by every connection, so
 * what one connection holds must never stall the others.  Streams stopped
 * with uring_stream_read_stop() while their peers keep sending hold none
 * of it; their bytes come back whole and in order on the next read start;
 * the pool's figures in uring_loop_stats() say where its buffers are.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "stream-util.h"

/* Bound on a wait that should take a few loop iterations, scaled for the
 * build and the machine (ut_ms(): valgrind, sanitizers, UT_SLOWDOWN). */
static unsigned bound_ms(unsigned ms)
{
	return ut_ms(ms);
}

/* Byte `off` of what peer `id` sends: a pattern whose period (251) is
 * prime to every buffer and write size, so a lost, doubled or reordered
 * piece shows. */
static unsigned char pattern(unsigned id, uint64_t off)
{
	return (unsigned char)(off % 251 + id * 7);
}

/* Bytes `got` from peer `id` continue its pattern at `at`: 0, or the
 * number of bytes that do not. */
static size_t bad_bytes(unsigned id, uint64_t at, const void *got, size_t n)
{
	const unsigned char *p = got;
	size_t i, bad = 0;

	ut_kernel_wrote(got, n);
	for (i = 0; i < n; i++)
		bad += p[i] != pattern(id, at + i);
	return bad;
}

/* Write peer `id`'s pattern from `*sent` on until the socket is full or
 * `limit` bytes went; returns whether the socket took everything. */
static bool pump(int fd, unsigned id, uint64_t *sent, uint64_t limit)
{
	unsigned char buf[16384];
	size_t i, n;
	ssize_t w;

	while (*sent < limit) {
		n = limit - *sent < sizeof(buf) ? (size_t)(limit - *sent)
						: sizeof(buf);
		for (i = 0; i < n; i++)
			buf[i] = pattern(id, *sent + i);
		w = write(fd, buf, n);
		if (w < 0) {
			ck_assert_int_eq(errno, EAGAIN);
			return false;
		}
		*sent += (uint64_t)w;
	}
	return true;
}

/* A peer of the stream `s`: the other end of a socketpair, non-blocking. */
static int nonblocking_peer(struct uring_loop *loop, struct uring_stream *s)
{
	int fd = ut_pair_stream(loop, s);

	ck_assert_int_eq(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
	return fd;
}

/* ------------------------------------------------------------- streams */

/* A stream whose reader stops at its first callback, as a server does
 * whose replies to a pipelining client pile up, while the peer goes on
 * sending and never reads. */
struct flood {
	struct uring_stream s;
	unsigned id;
	int peer;
	uint64_t sent, got;
	size_t bad;
	int calls, eof, error;
	bool read_all; /* after the restart: read to the end */
};

static void flood_read(struct uring_stream *s, ssize_t nread,
		       const struct iovec *buf)
{
	struct flood *f = (struct flood *)s;

	f->calls++;
	if (nread == URING_EOF) {
		f->eof++;
		return;
	}
	if (nread < 0) {
		f->error = (int)nread;
		return;
	}
	f->bad += bad_bytes(f->id, f->got, buf->iov_base, (size_t)nread);
	f->got += (uint64_t)nread;
	if (!f->read_all)
		ck_assert_int_eq(uring_stream_read_stop(s), 0);
}

/* The connection that must be served meanwhile. */
struct served {
	struct uring_stream s;
	unsigned id;
	int peer;
	uint64_t sent, got, want;
	size_t bad;
	int error;
};

static void served_read(struct uring_stream *s, ssize_t nread,
			const struct iovec *buf)
{
	struct served *v = (struct served *)s;

	if (nread < 0) {
		v->error = (int)nread;
		return;
	}
	v->bad += bad_bytes(v->id, v->got, buf->iov_base, (size_t)nread);
	v->got += (uint64_t)nread;
}

/* Streams stopped while their peers keep sending, and one served. */
struct scene {
	struct flood *floods;
	unsigned nfloods;
	struct served served;
};

/* Checked every millisecond of the run: the stopped streams' peers keep
 * sending (each to a full socket, so this costs a failed write), the
 * served peer sends what is left; done when it has all been read. */
static bool scene_served(void *arg)
{
	struct scene *sc = arg;
	struct served *v = &sc->served;
	unsigned i;

	for (i = 0; i < sc->nfloods; i++)
		(void)pump(sc->floods[i].peer, sc->floods[i].id,
			   &sc->floods[i].sent, UINT64_MAX);
	(void)pump(v->peer, v->id, &v->sent, v->want);
	return v->got >= v->want || v->error || v->bad;
}

static bool scene_all_ended(void *arg)
{
	struct scene *sc = arg;
	unsigned i;

	for (i = 0; i < sc->nfloods; i++)
		if (!sc->floods[i].eof && !sc->floods[i].error)
			return false;
	return true;
}

static void scene_start(struct uring_loop *loop, struct scene *sc, unsigned n,
			bool stop_at_once)
{
	unsigned i;

	memset(sc, 0, sizeof(*sc));
	sc->floods = calloc(n, sizeof(*sc->floods));
	ck_assert_ptr_nonnull(sc->floods);
	sc->nfloods = n;
	/* every peer fills its socket before reading starts, so that the
	 * first receive of each stream brings more than its first callback
	 * takes: the rest arrives after the stop */
	for (i = 0; i < n; i++) {
		struct flood *f = &sc->floods[i];

		f->id = i;
		f->peer = nonblocking_peer(loop, &f->s);
		(void)pump(f->peer, f->id, &f->sent, UINT64_MAX);
		ck_assert_int_eq(uring_stream_read_start(&f->s, flood_read), 0);
		if (stop_at_once)
			ck_assert_int_eq(uring_stream_read_stop(&f->s), 0);
	}
	sc->served.id = n;
	sc->served.want = 256 * 1024;
	sc->served.peer = nonblocking_peer(loop, &sc->served.s);
	ck_assert_int_eq(uring_stream_read_start(&sc->served.s, served_read),
			 0);
}

/* Every stopped stream, read again to the end, got exactly what its peer
 * sent, in order. */
static void scene_read_all(struct uring_loop *loop, struct scene *sc)
{
	unsigned i;

	for (i = 0; i < sc->nfloods; i++) {
		struct flood *f = &sc->floods[i];

		ck_assert_int_eq(shutdown(f->peer, SHUT_WR), 0);
		f->read_all = true;
		ck_assert_int_eq(uring_stream_read_start(&f->s, flood_read), 0);
	}
	ck_assert(ut_run_until(loop, scene_all_ended, sc, bound_ms(10000)));
	for (i = 0; i < sc->nfloods; i++) {
		struct flood *f = &sc->floods[i];

		ck_assert_int_eq(f->error, 0);
		ck_assert_int_eq(f->eof, 1);
		ck_assert_uint_eq(f->bad, 0);
		ck_assert_uint_eq(f->got, f->sent);
	}
}

static void scene_close(struct uring_loop *loop, struct scene *sc)
{
	unsigned i;

	for (i = 0; i < sc->nfloods; i++) {
		uring_close(&sc->floods[i].s.handle, NULL);
		close(sc->floods[i].peer);
	}
	uring_close(&sc->served.s.handle, NULL);
	close(sc->served.peer);
	close_loop(loop);
	free(sc->floods);
}

/* ------------------------------------------------------------- tests */

/* 64 streams stopped while their peers have filled their sockets (some
 * 150 KiB each: twice the default pool in all) and go on sending: another
 * connection is still served, byte-exact, within a few iterations' bound;
 * read again, each stopped stream gets every byte its peer sent, in order.
 * Stopped at once (`stop_at_once`), no read callback has run when the
 * receive takes the bytes; else each stops in its first read callback. */
static void stopped_streams_do_not_stall_others(bool stop_at_once)
{
	struct uring_loop loop;
	static struct scene sc;
	unsigned i;

	ut_need_fds(2 * 65 + 64);
	init_loop(&loop);
	scene_start(&loop, &sc, 64, stop_at_once);
	ck_assert_msg(ut_run_until(&loop, scene_served, &sc, bound_ms(5000)),
		      "served %llu of %llu bytes while 64 streams were stopped",
		      (unsigned long long)sc.served.got,
		      (unsigned long long)sc.served.want);
	ck_assert_int_eq(sc.served.error, 0);
	ck_assert_uint_eq(sc.served.bad, 0);
	ck_assert_uint_eq(sc.served.got, sc.served.want);
	for (i = 0; i < sc.nfloods; i++) {
		ck_assert_int_eq(sc.floods[i].calls, stop_at_once ? 0 : 1);
		ck_assert_int_eq(sc.floods[i].error, 0);
		ck_assert_uint_eq(sc.floods[i].bad, 0);
	}
	scene_read_all(&loop, &sc);
	scene_close(&loop, &sc);
}

/* Before stopped streams copied what they had received out of the pool,
 * these pinned all of it, and the served connection was never read. */
START_TEST(test_streams_stopped_at_once_do_not_stall_others)
{
	stopped_streams_do_not_stall_others(true);
}
END_TEST

START_TEST(test_streams_stopped_in_read_cb_do_not_stall_others)
{
	stopped_streams_do_not_stall_others(false);
}
END_TEST

/* A stopped stream's bytes, read back by a reader that keeps each read
 * as a server writing them on would: the copies stay valid until released,
 * like pool buffers, under ids of their own. */
struct keeper {
	struct uring_stream s;
	int ids[16];
	const unsigned char *views[16];
	size_t lens[16];
	int n;
	int stop_at; /* stop reading after that many reads, if not 0 */
	uint64_t got;
};

static void keeper_read(struct uring_stream *s, ssize_t nread,
			const struct iovec *buf)
{
	struct keeper *k = (struct keeper *)s;
	int id;

	ck_assert_int_gt(nread, 0);
	ck_assert_int_lt(k->n, 16);
	ut_kernel_wrote(buf->iov_base, (size_t)nread);
	if (k->n == 0) { /* kept and released in the callback: not kept */
		id = uring_stream_buf_keep(s);
		ck_assert_int_ge(id, 0);
		ck_assert_int_eq(uring_loop_buf_release(s->handle.loop, id), 0);
		ck_assert_int_eq(uring_loop_buf_release(s->handle.loop, id),
				 -EINVAL);
	}
	k->ids[k->n] = uring_stream_buf_keep(s);
	ck_assert_int_ge(k->ids[k->n], 0);
	ck_assert_int_eq(uring_stream_buf_keep(s), k->ids[k->n]); /* same */
	k->views[k->n] = buf->iov_base;
	k->lens[k->n] = (size_t)nread;
	k->n++;
	k->got += (uint64_t)nread;
	if (k->n == k->stop_at)
		ck_assert_int_eq(uring_stream_read_stop(s), 0);
}

static bool keeper_got(void *arg)
{
	struct keeper *k = arg;

	return k->got >= 16384 + 4096;
}

struct stash_wait {
	struct uring_loop *loop;
	uint64_t want;
};

static bool stashed(void *arg)
{
	struct stash_wait *w = arg;
	struct uring_loop_stats st;

	ck_assert_int_eq(uring_loop_stats(w->loop, &st), 0);
	return st.read_stashed >= w->want;
}

static struct uring_loop_stats stats_of(struct uring_loop *loop)
{
	struct uring_loop_stats st;

	ck_assert_int_eq(uring_loop_stats(loop, &st), 0);
	return st;
}

/* A stream stopped with 16 KiB on its way holds them in memory of its
 * own, none of the pool (8 buffers of 4 KiB): the stats say so.  Read
 * again, its reader keeps each read; the kept copies stay intact while
 * more is read from the pool, and each is released once. */
START_TEST(test_stopped_stream_copies_and_stats)
{
	struct uring_loop_options o = {.read_buf_count = 8,
				       .read_buf_size = 4096};
	struct uring_loop loop;
	struct uring_loop_stats st;
	struct stash_wait w = {&loop, 16384};
	static struct keeper k;
	uint64_t sent = 0, at = 0;
	int peer, i, pool_id = -1;

	memset(&k, 0, sizeof(k));
	ck_assert_int_eq(uring_loop_init(&loop, &o), 0);
	peer = nonblocking_peer(&loop, &k.s);
	st = stats_of(&loop);
	ck_assert_uint_eq(st.read_bufs, 0); /* no pool before a read */
	ck_assert(pump(peer, 0, &sent, 16384));
	ck_assert_int_eq(uring_stream_read_start(&k.s, keeper_read), 0);
	ck_assert_int_eq(uring_stream_read_stop(&k.s), 0);
	ck_assert(ut_run_until(&loop, stashed, &w, bound_ms(5000)));
	st = stats_of(&loop);
	ck_assert_uint_eq(st.read_bufs, 8);
	ck_assert_uint_eq(st.read_bufs_out, 0); /* all back in the ring */
	ck_assert_uint_eq(st.read_stashed, 16384);
	ck_assert_uint_eq(st.read_copied, 16384);
	ck_assert_int_eq(k.n, 0);
	/* read again: the copies first, then 4 KiB more from the pool */
	ck_assert_int_eq(uring_stream_read_start(&k.s, keeper_read), 0);
	ck_assert(pump(peer, 0, &sent, 16384 + 4096));
	ck_assert(ut_run_until(&loop, keeper_got, &k, bound_ms(5000)));
	ck_assert_uint_eq(k.got, sent);
	st = stats_of(&loop);
	ck_assert_uint_eq(st.read_stashed, 0);
	ck_assert_uint_eq(st.read_copied, 16384);
	ck_assert_uint_ge(st.read_bufs_out, 1); /* the kept pool buffer(s) */
	for (i = 0; i < k.n; i++) { /* every view intact, in order */
		ck_assert_uint_eq(bad_bytes(0, at, k.views[i], k.lens[i]), 0);
		at += k.lens[i];
	}
	for (i = 0; i < k.n; i++) {
		ck_assert_int_eq(uring_loop_buf_release(&loop, k.ids[i]), 0);
		if (k.ids[i] < (int)st.read_bufs)
			pool_id = k.ids[i];
	}
	ck_assert_int_ge(pool_id, 0); /* the last read came from the pool */
	for (i = 0; i < k.n; i++)
		ck_assert_int_eq(uring_loop_buf_release(&loop, k.ids[i]),
				 -EINVAL);
	st = stats_of(&loop);
	ck_assert_uint_eq(st.read_bufs_out, 0);
	uring_close(&k.s.handle, NULL);
	close_loop(&loop);
	st = stats_of(&loop); /* a closed loop keeps its last figures */
	ck_assert_uint_eq(st.read_copied, 16384);
	close(peer);
}
END_TEST

/* Closed while it holds copied bytes, kept copies not released: nothing
 * leaks (the sanitizer and valgrind builds check), the figure drops. */
START_TEST(test_close_with_stash_and_kept_copy)
{
	struct uring_loop_options o = {.read_buf_count = 8,
				       .read_buf_size = 4096};
	struct uring_loop loop;
	struct stash_wait w = {&loop, 8192};
	static struct keeper k;
	uint64_t sent = 0;
	int peer;

	memset(&k, 0, sizeof(k));
	ck_assert_int_eq(uring_loop_init(&loop, &o), 0);
	peer = nonblocking_peer(&loop, &k.s);
	ck_assert(pump(peer, 0, &sent, 8192));
	ck_assert_int_eq(uring_stream_read_start(&k.s, keeper_read), 0);
	ck_assert_int_eq(uring_stream_read_stop(&k.s), 0);
	ck_assert(ut_run_until(&loop, stashed, &w, bound_ms(5000)));
	/* read again, each read kept, and stopped in the first callback */
	k.stop_at = 1;
	ck_assert_int_eq(uring_stream_read_start(&k.s, keeper_read), 0);
	ck_assert_int_ge(uring_loop_run(&loop, URING_RUN_NOWAIT), 0);
	ck_assert_int_eq(k.n, 1);
	ck_assert_uint_eq(stats_of(&loop).read_stashed, 8192 - k.got);
	uring_close(&k.s.handle, NULL);
	uring_loop_run(&loop, URING_RUN_DEFAULT);
	ck_assert_uint_eq(stats_of(&loop).read_stashed, 0);
	close_loop(&loop); /* frees the kept copy */
	close(peer);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pool");
	TCase *tc = ut_tcase("pool", 120);

	UT_ADD(tc, test_streams_stopped_at_once_do_not_stall_others);
	UT_ADD(tc, test_streams_stopped_in_read_cb_do_not_stall_others);
	UT_ADD(tc, test_stopped_stream_copies_and_stats);
	UT_ADD(tc, test_close_with_stash_and_kept_copy);
	suite_add_tcase(s, tc);
	return ut_run(s);
}
