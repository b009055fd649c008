/* SPDX-License-Identifier: MIT */
/*
 * tests/stress/closes.c - scenario "closes": handles closed while their
 * operations are in flight, at random moments, and requests cancelled
 * while their deadlines run.  Every round starts a few dozen actors:
 *   - readers: connected, a read armed (pool or alloc mode), a small
 *     write out, while the server writes at them or not;
 *   - big writers: megabytes queued at a server that may never read
 *     (some behind 1,500 small writes), a shutdown queued behind them;
 *   - stuck connects: to a listener whose accept queue is full (SYNs are
 *     dropped, so the connect stays in flight), some with a deadline,
 *     writes queued behind the connect;
 *   - self-closers: close from their own connect, read, write or shutdown
 *     callback;
 *   - requests: a recv or poll on a socket that never gets data, or a
 *     kernel timeout, with or without a deadline, cancelled at random;
 *   - the server's connections (read and discard, never read, write a
 *     megabyte back, or close at once), closed at random too;
 * and every few rounds the listener is replaced with connects on the way.
 * Each is closed (or cancelled) 0-8 ms after it starts unless it closed
 * itself first.
 *
 * Checks: every write, connect, shutdown and request callback exactly
 * once with a status that fits (0, -ECANCELED, the peer's reset, the
 * deadline), never after the close callback; close_cb exactly once per
 * uring_close and always last; every actor and server connection closed;
 * the loop closes clean and no fd is left (ASan: nothing freed is touched,
 * nothing leaks).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "stress.h"

#define BIG (4U << 20)

enum kind { A_READER, A_WRITER, A_STUCK, A_SELF, A_SERVER, A_REQ, A_KINDS };
static const char *const kind_name[A_KINDS] = {
	"reader", "writer", "stuck", "self", "server", "request"};

struct cl;
struct actor;
struct areq;

struct crec {
	struct actor *a; /* NULL once its close_cb ran */
	struct areq *q;  /* requests: NULL once called back */
	uint64_t close_at;
	unsigned pending; /* callbacks owed before close_cb */
	uint8_t kind;
	bool close_called, closed;
};

struct actor {
	struct uring_stream s; /* first: handle casts */
	struct uring_connect conn;
	struct uring_shutdown sd;
	struct cl *cl;
	struct crec *rec;
	unsigned char rbuf[4096];
	uint8_t sub;
	bool reads;
};

struct cw {
	struct uring_write w;
	struct crec *rec;
	struct cl *cl;
};

struct areq {
	struct uring_req req;
	struct uring_timespec ts;
	struct crec *rec;
	struct cl *cl;
	uint8_t op;
};

struct lst {
	struct uring_stream s;
	struct cl *cl;
};

struct cl {
	struct uring_loop loop;
	struct st_result *r;
	struct uring_timer ticker;
	struct lst *listener;
	struct sockaddr_in addr, hole_addr;
	int hole_fd, sp[2];
	uint32_t rng;
	struct crec *recs;
	unsigned nrecs, cap;
	unsigned *live, nlive;
	unsigned rounds, rounds_done, per_round;
	uint64_t next_round;
	unsigned listeners_open;
	/* figures and findings */
	uint64_t writes, write_cbs, bytes_queued, connects, reqs, req_cbs;
	unsigned closes, close_cbs, bad, after_close, early_close, twice;
	unsigned kinds[A_KINDS], statuses[8];
	bool done_creating;
	struct uring_loop_stats st;
};

static unsigned char *big;
static unsigned char scratch[64];

static uint64_t now_ms(struct cl *cl)
{
	return uring_loop_now(&cl->loop);
}

static struct crec *new_rec(struct cl *cl, uint8_t kind, unsigned max_delay)
{
	struct crec *x;

	if (cl->nrecs == cl->cap)
		return NULL;
	x = &cl->recs[cl->nrecs];
	memset(x, 0, sizeof(*x));
	x->kind = kind;
	x->close_at = now_ms(cl) + st_below(&cl->rng, max_delay + 1);
	cl->live[cl->nlive++] = cl->nrecs++;
	cl->kinds[kind]++;
	return x;
}

static void bad_status(struct cl *cl, struct crec *x, const char *what,
		       int status)
{
	cl->bad++;
	st_fail(cl->r, "%s %ld: %s: unexpected status %d (%s)",
		kind_name[x->kind], (long)(x - cl->recs), what, status,
		uring_strerror(status));
}

/* A callback for rec's actor: count it, and catch one after close_cb. */
static void owed(struct cl *cl, struct crec *x, const char *what)
{
	if (x->closed) {
		cl->after_close++;
		st_fail(cl->r, "%s %ld: %s callback after close_cb",
			kind_name[x->kind], (long)(x - cl->recs), what);
		return;
	}
	if (!x->pending) {
		cl->twice++;
		st_fail(cl->r, "%s %ld: a %s callback not owed (twice?)",
			kind_name[x->kind], (long)(x - cl->recs), what);
		return;
	}
	x->pending--;
}

/* ------------------------------------------------------------- closing */

static void actor_closed(struct uring_handle *h)
{
	struct actor *a = (struct actor *)h;
	struct cl *cl = a->cl;
	struct crec *x = a->rec;

	cl->close_cbs++;
	if (x->closed) {
		cl->twice++;
		st_fail(cl->r, "%s %ld: close_cb twice", kind_name[x->kind],
			(long)(x - cl->recs));
	}
	if (x->pending) {
		cl->early_close++;
		st_fail(cl->r, "%s %ld: close_cb with %u callbacks still owed",
			kind_name[x->kind], (long)(x - cl->recs), x->pending);
	}
	x->closed = true;
	x->a = NULL;
	free(a);
}

static void actor_close(struct actor *a)
{
	if (a->rec->close_called)
		return;
	a->rec->close_called = true;
	a->cl->closes++;
	uring_close(&a->s.handle, actor_closed);
}

/* ------------------------------------------------------------- writes */

static bool write_ok(int status)
{
	return status == 0 || status == -ECANCELED || status == -EPIPE ||
	       status == -ECONNRESET || status == -ETIMEDOUT ||
	       status == -ECONNREFUSED || status == -ENOTCONN;
}

static void actor_wrote(struct uring_write *w, int status)
{
	struct cw *c = (struct cw *)w;
	struct cl *cl = c->cl;
	struct crec *x = c->rec;

	cl->write_cbs++;
	cl->statuses[status == 0 ? 0 : status == -ECANCELED ? 1 : 2]++;
	owed(cl, x, "write");
	if (!write_ok(status))
		bad_status(cl, x, "write", status);
	/* self-closer: close from the first write callback */
	if (!x->closed && x->a && x->kind == A_SELF && x->a->sub == 2)
		actor_close(x->a);
	free(c);
}

static void queue_write(struct actor *a, size_t len)
{
	struct cw *c = malloc(sizeof(*c));
	struct iovec iov = {big, len};
	int ret;

	if (!c)
		abort();
	c->rec = a->rec;
	c->cl = a->cl;
	ret = uring_stream_write(&c->w, &a->s, &iov, 1, actor_wrote);
	if (ret) {
		/* refused now: the write side already failed */
		if (!write_ok(ret))
			bad_status(a->cl, a->rec, "write (queueing)", ret);
		free(c);
		return;
	}
	a->rec->pending++;
	a->cl->writes++;
	a->cl->bytes_queued += len;
}

static void actor_shut(struct uring_shutdown *req, int status)
{
	struct actor *a = req->data;
	struct cl *cl = a->cl;
	struct crec *x = a->rec;

	owed(cl, x, "shutdown");
	if (status != 0 && status != -ECANCELED && status != -ENOTCONN &&
	    status != -EPIPE && status != -ECONNRESET && status != -ETIMEDOUT &&
	    status != -ECONNREFUSED)
		bad_status(cl, x, "shutdown", status);
	if (x->kind == A_SELF && a->sub == 3)
		actor_close(a);
}

static void queue_shutdown(struct actor *a)
{
	a->sd.data = a;
	if (uring_stream_shutdown(&a->sd, &a->s, actor_shut) == 0)
		a->rec->pending++;
}

/* ------------------------------------------------------------- reading */

static void actor_alloc(struct uring_stream *s, size_t suggested,
			struct iovec *buf)
{
	struct actor *a = (struct actor *)s;

	(void)suggested;
	buf->iov_base = a->rbuf;
	buf->iov_len = sizeof(a->rbuf);
}

static void actor_read(struct uring_stream *s, ssize_t nread,
		       const struct iovec *buf)
{
	struct actor *a = (struct actor *)s;
	struct cl *cl = a->cl;
	struct crec *x = a->rec;

	(void)buf;
	if (nread == 0)
		return; /* alloc buffer handed back (may come while closing) */
	if (x->close_called) {
		cl->after_close++;
		st_fail(cl->r, "%s %ld: read callback (%zd) after uring_close",
			kind_name[x->kind], (long)(x - cl->recs), nread);
		return;
	}
	if (nread < 0) {
		if (nread != URING_EOF && nread != -ECONNRESET &&
		    nread != -ENOTCONN)
			bad_status(cl, x, "read", (int)nread);
		actor_close(a);
		return;
	}
	if (x->kind == A_SELF && a->sub == 1)
		actor_close(a);
}

static void start_reading(struct actor *a, bool pool)
{
	int ret = pool ? uring_stream_read_start(&a->s, actor_read)
		       : uring_stream_read_start_alloc(&a->s, actor_alloc,
						       actor_read);

	if (ret) {
		st_fail(a->cl->r, "read_start: %d", ret);
		actor_close(a);
	}
}

/* ------------------------------------------------------------- server */

static void free_stream(struct uring_handle *h)
{
	free(h);
}

/* No record left for it: take the connection and close it at once (one
 * left untaken would stay with the listener, which accepts no other
 * until it is taken). */
static void refuse(struct cl *cl, struct uring_stream *server)
{
	struct uring_stream *s = malloc(sizeof(*s));

	if (!s || uring_tcp_init(&cl->loop, s))
		abort();
	if (uring_stream_accept(server, s))
		st_fail(cl->r, "accept to refuse failed");
	uring_close(&s->handle, free_stream);
}

static void server_conn(struct uring_stream *server, int status)
{
	struct lst *l = (struct lst *)server;
	struct cl *cl = l->cl;
	struct actor *a;
	struct crec *x;

	if (status < 0) {
		st_fail(cl->r, "listener: %d", status);
		return;
	}
	x = new_rec(cl, A_SERVER, 8);
	if (!x) {
		refuse(cl, server);
		return;
	}
	a = calloc(1, sizeof(*a));
	if (!a || uring_tcp_init(&cl->loop, &a->s))
		abort();
	a->cl = cl;
	a->rec = x;
	x->a = a;
	if (uring_stream_accept(server, &a->s)) {
		st_fail(cl->r, "accept failed");
		x->closed = x->close_called = true;
		x->a = NULL;
		uring_close(&a->s.handle, free_stream);
		return;
	}
	a->sub = (uint8_t)st_below(&cl->rng, 4);
	switch (a->sub) {
	case 0: /* read and discard */
		start_reading(a, st_rand(&cl->rng) & 1);
		break;
	case 1: /* never read: the client's writes back up */
		break;
	case 2: /* write at the client, read too */
		queue_write(a, 1U << 20);
		start_reading(a, true);
		break;
	case 3: /* close at once */
		actor_close(a);
		break;
	}
}

static void listener_closed(struct uring_handle *h)
{
	struct lst *l = (struct lst *)h;

	l->cl->listeners_open--;
	free(l);
}

static bool new_listener(struct cl *cl)
{
	struct lst *l = calloc(1, sizeof(*l));
	struct sockaddr_in a = st_loopback(0);
	socklen_t len = sizeof(a);
	int ret;

	if (!l)
		abort();
	l->cl = cl;
	ret = uring_tcp_init(&cl->loop, &l->s);
	if (!ret)
		ret = uring_tcp_bind(&l->s, (struct sockaddr *)&a, 0);
	if (!ret)
		ret = uring_tcp_getsockname(&l->s, (struct sockaddr *)&a, &len);
	if (!ret)
		ret = uring_stream_listen(&l->s, 1024, server_conn);
	if (ret) {
		st_fail(cl->r, "listener: %d (%s)", ret, uring_strerror(ret));
		uring_close(&l->s.handle, listener_closed);
		cl->listeners_open++;
		return false;
	}
	if (cl->listener)
		uring_close(&cl->listener->s.handle, listener_closed);
	cl->listener = l;
	cl->listeners_open++;
	cl->addr = a;
	return true;
}

/* ------------------------------------------------------------- clients */

static void actor_connected(struct uring_connect *req, int status)
{
	struct actor *a = req->data;
	struct cl *cl = a->cl;
	struct crec *x = a->rec;

	owed(cl, x, "connect");
	if (status != 0 && status != -ECANCELED && status != -ETIMEDOUT &&
	    status != -ECONNREFUSED && status != -ECONNRESET)
		bad_status(cl, x, "connect", status);
	if (status != 0 || x->close_called)
		return;
	switch (x->kind) {
	case A_READER:
		start_reading(a, st_rand(&cl->rng) & 1);
		queue_write(a, 100);
		break;
	case A_WRITER: {
		unsigned i, n = 1 + st_below(&cl->rng, 3);

		for (i = 0; i < n; i++)
			queue_write(a, (1U << 20) + st_below(&cl->rng, BIG - (1U << 20)));
		/* a quarter: 1,500 small writes, more than one sendmsg
		 * takes (UIO_MAXIOV), all to be called back on close */
		n = st_below(&cl->rng, 4) ? 4 : 1500;
		for (i = 0; i < n; i++)
			queue_write(a, 1 + st_below(&cl->rng, 1000));
		if (st_rand(&cl->rng) & 1)
			queue_shutdown(a);
		break;
	}
	case A_SELF:
		switch (a->sub) {
		case 0:
			actor_close(a);
			break;
		case 1:
			start_reading(a, st_rand(&cl->rng) & 1);
			queue_write(a, 10);
			break;
		case 2:
			queue_write(a, BIG);
			queue_write(a, BIG);
			queue_write(a, 10);
			break;
		case 3:
			queue_write(a, 1000);
			queue_shutdown(a);
			break;
		}
		break;
	default:
		break;
	}
}

static void new_client(struct cl *cl, uint8_t kind)
{
	struct sockaddr_in addr = kind == A_STUCK ? cl->hole_addr : cl->addr;
	struct crec *x = new_rec(cl, kind, 8);
	struct actor *a;
	uint64_t deadline = 0;
	int ret;

	if (!x)
		return;
	a = calloc(1, sizeof(*a));
	if (!a)
		abort();
	a->cl = cl;
	a->rec = x;
	a->sub = (uint8_t)st_below(&cl->rng, 4);
	x->a = a;
	if (kind == A_STUCK && (st_rand(&cl->rng) & 1))
		deadline = 1 + st_below(&cl->rng, 8);
	ret = uring_tcp_init(&cl->loop, &a->s);
	if (ret) {
		st_fail(cl->r, "uring_tcp_init: %d", ret);
		x->closed = x->close_called = true;
		x->a = NULL;
		free(a);
		return;
	}
	a->conn.data = a;
	ret = uring_tcp_connect(&a->conn, &a->s, (struct sockaddr *)&addr,
				deadline, actor_connected);
	if (ret) {
		st_fail(cl->r, "uring_tcp_connect: %d", ret);
		actor_close(a);
		return;
	}
	x->pending++;
	cl->connects++;
	if (kind == A_STUCK) { /* writes wait for the connect */
		queue_write(a, 1 + st_below(&cl->rng, 100000));
		if (st_rand(&cl->rng) & 1)
			queue_shutdown(a);
	}
	/* some are closed in the very callback that made them */
	if (st_below(&cl->rng, 8) == 0)
		actor_close(a);
}

/* ------------------------------------------------------------- requests */

static void req_done(struct uring_req *req, int result)
{
	struct areq *q = (struct areq *)req;
	struct cl *cl = q->cl;
	struct crec *x = q->rec;
	bool ok;

	cl->req_cbs++;
	if (x->closed || x->q != q) {
		cl->twice++;
		st_fail(cl->r, "request %ld: callback twice",
			(long)(x - cl->recs));
		return;
	}
	ok = result == -ETIMEDOUT || result == -ECANCELED ||
	     (q->op == 2 && result == -ETIME);
	if (!ok)
		bad_status(cl, x, q->op == 0   ? "recv"
				  : q->op == 1 ? "poll"
					       : "timeout",
			   result);
	x->closed = true;
	x->q = NULL;
	free(q);
}

static void new_request(struct cl *cl)
{
	struct crec *x = new_rec(cl, A_REQ, 12);
	struct uring_sqe *sqe;
	struct areq *q;
	uint64_t deadline;

	if (!x)
		return;
	q = calloc(1, sizeof(*q));
	if (!q)
		abort();
	q->cl = cl;
	q->rec = x;
	q->op = (uint8_t)st_below(&cl->rng, 3);
	x->q = q;
	sqe = uring_req_sqe(&cl->loop, &q->req);
	if (!sqe) {
		st_fail(cl->r, "uring_req_sqe: NULL");
		x->closed = true;
		free(q);
		return;
	}
	switch (q->op) {
	case 0:
		uring_prep_recv(sqe, cl->sp[0], scratch, sizeof(scratch), 0);
		break;
	case 1:
		uring_prep_poll_add(sqe, cl->sp[0], POLLIN);
		break;
	default:
		q->ts.tv_sec = 0;
		q->ts.tv_nsec = (long long)(1 + st_below(&cl->rng, 10)) * 1000000;
		uring_prep_timeout(sqe, &q->ts, 0, 0);
		break;
	}
	/* a deadline for most; the rest end by cancel (or their timeout) */
	deadline = st_below(&cl->rng, 4) ? 1 + st_below(&cl->rng, 10) : 0;
	if (uring_req_submit(&q->req, req_done, deadline, 0)) {
		st_fail(cl->r, "uring_req_submit refused");
		x->closed = true;
		free(q);
		return;
	}
	cl->reqs++;
	if (st_below(&cl->rng, 8) == 0) /* cancel at once */
		uring_req_cancel(&q->req);
}

/* ------------------------------------------------------------- ticking */

static void round_start(struct cl *cl)
{
	unsigned i;
	uint32_t roll;

	if (cl->rounds_done % 5 == 4)
		new_listener(cl); /* connects on the way to the old one */
	for (i = 0; i < cl->per_round; i++) {
		roll = st_below(&cl->rng, 100);
		if (roll < 25)
			new_client(cl, A_READER);
		else if (roll < 45)
			new_client(cl, A_WRITER);
		else if (roll < 60)
			new_client(cl, A_STUCK);
		else if (roll < 75)
			new_client(cl, A_SELF);
		else
			new_request(cl);
	}
	cl->rounds_done++;
}

/* Every millisecond: close or cancel what is due, start a round. */
static void tick(struct uring_timer *t)
{
	struct cl *cl = t->handle.data;
	uint64_t now = now_ms(cl);
	unsigned i = 0;

	while (i < cl->nlive) {
		struct crec *x = &cl->recs[cl->live[i]];

		if (x->closed) {
			cl->live[i] = cl->live[--cl->nlive];
			continue;
		}
		if (x->close_at <= now) {
			/* a cancel refused (-EBUSY: no SQE) is retried on
			 * the next tick; -EALREADY: it is finishing */
			if (x->a && !x->close_called)
				actor_close(x->a);
			else if (x->q)
				(void)uring_req_cancel(&x->q->req);
		}
		i++;
	}
	if (cl->rounds_done < cl->rounds && now >= cl->next_round) {
		round_start(cl);
		cl->next_round = now + 2;
	}
	if (cl->rounds_done == cl->rounds)
		cl->done_creating = true;
}

static bool all_closed(void *arg)
{
	struct cl *cl = arg;

	return cl->done_creating && cl->nlive == 0;
}

/* A listener that never accepts, its queue full: connects hang. */
static bool make_hole(struct cl *cl)
{
	socklen_t len = sizeof(cl->hole_addr);
	int fd;

	cl->hole_addr = st_loopback(0);
	cl->hole_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (cl->hole_fd < 0 ||
	    bind(cl->hole_fd, (struct sockaddr *)&cl->hole_addr, len) ||
	    getsockname(cl->hole_fd, (struct sockaddr *)&cl->hole_addr, &len) ||
	    listen(cl->hole_fd, 0))
		return false;
	/* fill the accept queue (backlog 0 holds one) */
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&cl->hole_addr, len))
		return false;
	close(fd); /* the queued connection stays until accepted */
	return true;
}

static void closes_run(struct st_result *r,
		       const struct uring_loop_options *o)
{
	struct cl *cl = calloc(1, sizeof(*cl));
	unsigned i;

	if (!cl)
		abort();
	if (!big && !(big = calloc(1, BIG)))
		abort();
	cl->r = r;
	cl->rng = st_seed(r->name);
	cl->rounds = ST_SCALE(500, 3000);
	cl->per_round = ST_SCALE(40, 60);
	cl->cap = cl->rounds * cl->per_round * 2 + 1024;
	cl->recs = calloc(cl->cap, sizeof(*cl->recs));
	cl->live = calloc(cl->cap, sizeof(*cl->live));
	cl->hole_fd = cl->sp[0] = cl->sp[1] = -1;
	if (!cl->recs || !cl->live)
		abort();
	if (!make_hole(cl) ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, cl->sp)) {
		st_fail(r, "setup: sockets");
		goto out;
	}
	if (!st_loop_init(&cl->loop, o, r))
		goto out;
	if (new_listener(cl)) {
		cl->ticker.handle.data = cl;
		uring_timer_init(&cl->loop, &cl->ticker);
		uring_timer_start(&cl->ticker, tick, 1, 1);
		ST_CHECK(r, st_run_until(&cl->loop, all_closed, cl,
					 ST_SCALE(30000, 200000)),
			 "not all closed: %u of %u still open (%u rounds)",
			 cl->nlive, cl->nrecs, cl->rounds_done);
		uring_loop_stats(&cl->loop, &cl->st);
		uring_close(&cl->ticker.handle, NULL);
		if (cl->listener)
			uring_close(&cl->listener->s.handle, listener_closed);
	}
	st_close_loop(&cl->loop, r, 5000);
	for (i = 0; i < cl->nrecs; i++) {
		struct crec *x = &cl->recs[i];

		if (!x->closed)
			st_fail(r, "%s %u never closed (%u callbacks owed)",
				kind_name[x->kind], i, x->pending);
	}
	ST_CHECK(r, cl->closes == cl->close_cbs,
		 "%u uring_close calls, %u close callbacks", cl->closes,
		 cl->close_cbs);
	ST_CHECK(r, cl->writes == cl->write_cbs && cl->reqs == cl->req_cbs,
		 "writes %llu/%llu called back, requests %llu/%llu",
		 (unsigned long long)cl->write_cbs,
		 (unsigned long long)cl->writes,
		 (unsigned long long)cl->req_cbs, (unsigned long long)cl->reqs);
	ST_CHECK(r, cl->listeners_open == 0, "%u listeners not closed",
		 cl->listeners_open);
	r->conns = cl->connects;
	r->bytes = cl->bytes_queued;
	r->ops = cl->writes + cl->connects + cl->reqs;
	st_extra(r, "actors=%u readers=%u writers=%u stuck=%u self=%u "
		    "server=%u requests=%u writes_ok=%u writes_cancelled=%u "
		    "writes_failed=%u overflow_flushes=%llu",
		 cl->nrecs, cl->kinds[A_READER], cl->kinds[A_WRITER],
		 cl->kinds[A_STUCK], cl->kinds[A_SELF], cl->kinds[A_SERVER],
		 cl->kinds[A_REQ], cl->statuses[0], cl->statuses[1],
		 cl->statuses[2], (unsigned long long)cl->st.overflow_flushes);
out:
	if (cl->hole_fd >= 0)
		close(cl->hole_fd);
	if (cl->sp[0] >= 0) {
		close(cl->sp[0]);
		close(cl->sp[1]);
	}
	free(cl->recs);
	free(cl->live);
	free(cl);
}

void st_closes(struct st_result *r)
{
	closes_run(r, NULL);
}

/* The same on a loop with SQ 8 / CQ 16: cancels and sends find the SQ
 * full, completions overflow. */
void st_closes_ring(struct st_result *r)
{
	struct uring_loop_options o;

	memset(&o, 0, sizeof(o));
	o.sq_entries = 8;
	o.cq_entries = 16;
	closes_run(r, &o);
}
