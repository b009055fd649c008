/* SPDX-License-Identifier: MIT */
/*
 * tests/stress/async.c - scenario "async": other threads storm one loop.
 *   - N threads each call uring_async_send() M times on one handle, after
 *     bumping a shared counter;
 *   - K plain threads send messages to a port of the loop
 *     (uring_msg_send(NULL, ...): the queue and eventfd path, retrying on
 *     -EAGAIN when the queue is full);
 *   - J threads each run a loop of their own and send messages from it
 *     (uring_msg_send(their loop, ...): IORING_OP_MSG_RING); the main loop
 *     answers every one of them with an ack message to a port on the
 *     sender's loop (MSG_RING the other way).
 * Messages carry (sender, sequence number).  Checks: every message and
 * every ack arrives exactly once and in the order sent; async callbacks
 * are at least 1 and at most the number of sends, and one of them runs
 * after the last send (it sees the counter at its final value).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stress.h"

#define N_ASYNC 4
#define K_PLAIN 2
#define J_LOOPS 2
#define SENDERS (K_PLAIN + J_LOOPS)
#define SEQ_BITS 24
#define TIME_LIMIT_US (120ULL * 1000000)

struct as;

struct worker {
	struct as *as;
	unsigned idx; /* sender number: K_PLAIN + i */
	pthread_t th;
	struct uring_loop loop;
	struct uring_msg_port port; /* acks */
	struct uring_hook sender;
	struct uring_timer deadline;
	_Atomic(struct uring_msg_port *) port_ready;
	uint32_t sent, acks, ack_bad;
	unsigned busy, send_errors;
	bool timed_out, init_failed;
};

struct plain {
	struct as *as;
	unsigned idx;
	pthread_t th;
	uint64_t eagain;
	unsigned errors;
	bool timed_out;
};

struct as {
	struct uring_loop loop;
	struct st_result *r;
	struct uring_async async;
	struct uring_msg_port port;
	unsigned m_async, m_msg;
	atomic_ullong async_sent;
	uint64_t async_calls, async_seen;
	uint32_t expect[SENDERS];
	uint64_t got, dups, disorder, strays;
	unsigned ack_errors;
	struct worker workers[J_LOOPS];
	struct plain plains[K_PLAIN];
	pthread_t async_th[N_ASYNC];
	atomic_uint workers_done;
	uint64_t t0;
};

/* ------------------------------------------------------------- main loop */

static void async_cb(struct uring_async *a)
{
	struct as *as = a->handle.data;

	as->async_calls++;
	as->async_seen = atomic_load(&as->async_sent);
}

static void got_msg(struct uring_msg_port *port, uint32_t value)
{
	struct as *as = port->handle.data;
	uint32_t sender = value >> SEQ_BITS;
	uint32_t seq = value & ((1U << SEQ_BITS) - 1);
	struct worker *w;
	int ret;

	as->got++;
	if (sender >= SENDERS) {
		as->strays++;
		return;
	}
	if (seq < as->expect[sender]) {
		as->dups++;
		return;
	}
	if (seq > as->expect[sender])
		as->disorder++; /* lost ones, or out of order */
	as->expect[sender] = seq + 1;
	if (sender < K_PLAIN)
		return;
	w = &as->workers[sender - K_PLAIN];
	ret = uring_msg_send(&as->loop, atomic_load(&w->port_ready), seq);
	if (ret)
		as->ack_errors++;
}

/* ------------------------------------------------------------- threads */

static void *async_thread(void *arg)
{
	struct as *as = arg;
	unsigned i;

	for (i = 0; i < as->m_async; i++) {
		atomic_fetch_add(&as->async_sent, 1);
		uring_async_send(&as->async);
		/* bursts with gaps: the loop takes sends between them too,
		 * so callbacks race with senders */
		if (i % 100 == 99)
			usleep(50);
	}
	return NULL;
}

static void *plain_thread(void *arg)
{
	struct plain *p = arg;
	struct as *as = p->as;
	uint32_t seq;
	int ret;

	for (seq = 0; seq < as->m_msg; seq++) {
		for (;;) {
			ret = uring_msg_send(NULL, &as->port,
					     (p->idx << SEQ_BITS) | seq);
			if (ret != -EAGAIN)
				break;
			p->eagain++;
			if (st_now_us() - as->t0 > TIME_LIMIT_US) {
				p->timed_out = true;
				return NULL;
			}
			sched_yield();
		}
		if (ret)
			p->errors++;
	}
	return NULL;
}

static void worker_ack(struct uring_msg_port *port, uint32_t seq)
{
	struct worker *w = port->handle.data;

	if (seq != w->acks)
		w->ack_bad++;
	w->acks++;
	if (w->acks == w->as->m_msg) {
		uring_close(&w->port.handle, NULL);
		uring_close(&w->deadline.handle, NULL);
	}
}

/* From an idle hook: a batch of messages per iteration of this loop. */
static void worker_send(struct uring_hook *h)
{
	struct worker *w = h->handle.data;
	unsigned i;
	int ret;

	for (i = 0; i < 64 && w->sent < w->as->m_msg; i++) {
		ret = uring_msg_send(&w->loop, &w->as->port,
				     (w->idx << SEQ_BITS) | w->sent);
		if (ret == -EBUSY) {
			w->busy++;
			break;
		}
		if (ret)
			w->send_errors++;
		w->sent++;
	}
	if (w->sent == w->as->m_msg)
		uring_close(&h->handle, NULL);
}

static void worker_timeout(struct uring_timer *t)
{
	struct worker *w = t->handle.data;

	w->timed_out = true;
	uring_close(&w->port.handle, NULL);
	uring_close(&w->sender.handle, NULL);
	uring_close(&w->deadline.handle, NULL);
}

static void *worker_thread(void *arg)
{
	struct worker *w = arg;

	w->port.handle.data = w;
	w->sender.handle.data = w;
	w->deadline.handle.data = w;
	if (uring_loop_init(&w->loop, NULL) ||
	    uring_msg_port_init(&w->loop, &w->port, worker_ack) ||
	    uring_idle_init(&w->loop, &w->sender) ||
	    uring_timer_init(&w->loop, &w->deadline)) {
		w->init_failed = true;
		atomic_fetch_add(&w->as->workers_done, 1);
		return NULL;
	}
	atomic_store(&w->port_ready, &w->port);
	uring_idle_start(&w->sender, worker_send);
	uring_timer_start(&w->deadline, worker_timeout,
			  TIME_LIMIT_US / 1000, 0);
	uring_loop_run(&w->loop, URING_RUN_DEFAULT);
	uring_loop_close(&w->loop);
	atomic_fetch_add(&w->as->workers_done, 1);
	return NULL;
}

/* ------------------------------------------------------------- run */

static bool all_in(void *arg)
{
	struct as *as = arg;
	uint64_t total = (uint64_t)N_ASYNC * as->m_async;

	return as->async_seen == total && as->got >= (uint64_t)SENDERS * as->m_msg &&
	       atomic_load(&as->workers_done) == J_LOOPS;
}

void st_async(struct st_result *r)
{
	struct as *as = calloc(1, sizeof(*as));
	uint64_t total, eagain = 0, acks = 0;
	unsigned i, errors = 0;
	bool ok;

	if (!as)
		abort();
	as->r = r;
	as->m_async = ST_SCALE(400000, 2000000);
	as->m_msg = ST_SCALE(50000, 500000);
	if (!st_loop_init(&as->loop, NULL, r))
		goto out;
	as->async.handle.data = as;
	as->port.handle.data = as;
	if (uring_async_init(&as->loop, &as->async, async_cb) ||
	    uring_msg_port_init(&as->loop, &as->port, got_msg)) {
		st_fail(r, "async/port init failed");
		goto out;
	}
	/* the ring is enabled by the first run: senders then use MSG_RING */
	uring_loop_run(&as->loop, URING_RUN_NOWAIT);
	as->t0 = st_now_us();
	for (i = 0; i < J_LOOPS; i++) {
		as->workers[i].as = as;
		as->workers[i].idx = K_PLAIN + i;
		pthread_create(&as->workers[i].th, NULL, worker_thread,
			       &as->workers[i]);
	}
	for (i = 0; i < K_PLAIN; i++) {
		as->plains[i].as = as;
		as->plains[i].idx = i;
		pthread_create(&as->plains[i].th, NULL, plain_thread,
			       &as->plains[i]);
	}
	for (i = 0; i < N_ASYNC; i++)
		pthread_create(&as->async_th[i], NULL, async_thread, as);
	ok = st_run_until(&as->loop, all_in, as, TIME_LIMIT_US / 1000 + 5000);
	for (i = 0; i < N_ASYNC; i++)
		pthread_join(as->async_th[i], NULL);
	for (i = 0; i < K_PLAIN; i++) {
		pthread_join(as->plains[i].th, NULL);
		eagain += as->plains[i].eagain;
		errors += as->plains[i].errors + as->plains[i].timed_out;
	}
	for (i = 0; i < J_LOOPS; i++) {
		struct worker *w = &as->workers[i];

		pthread_join(w->th, NULL);
		acks += w->acks;
		ST_CHECK(r, !w->init_failed && !w->timed_out &&
				    w->acks == as->m_msg && !w->ack_bad &&
				    !w->send_errors,
			 "loop sender %u: %u of %u acks, %u out of order, %u "
			 "send errors%s",
			 i, w->acks, as->m_msg, w->ack_bad, w->send_errors,
			 w->timed_out ? ", timed out" : "");
	}
	total = (uint64_t)N_ASYNC * as->m_async;
	ST_CHECK(r, ok, "not all delivered: async seen %llu of %llu, "
			"messages %llu of %llu",
		 (unsigned long long)as->async_seen, (unsigned long long)total,
		 (unsigned long long)as->got,
		 (unsigned long long)SENDERS * as->m_msg);
	ST_CHECK(r, as->async_calls >= 1 && as->async_calls <= total,
		 "%llu async callbacks for %llu sends",
		 (unsigned long long)as->async_calls, (unsigned long long)total);
	ST_CHECK(r, !as->dups && !as->disorder && !as->strays &&
			    as->got == (uint64_t)SENDERS * as->m_msg,
		 "messages: %llu got, %llu twice, %llu out of order or lost, "
		 "%llu strays",
		 (unsigned long long)as->got, (unsigned long long)as->dups,
		 (unsigned long long)as->disorder,
		 (unsigned long long)as->strays);
	ST_CHECK(r, errors == 0 && as->ack_errors == 0,
		 "%u plain-thread send errors, %u ack send errors", errors,
		 as->ack_errors);
	uring_close(&as->async.handle, NULL);
	uring_close(&as->port.handle, NULL);
	st_close_loop(&as->loop, r, 5000);
	r->ops = total + as->got + acks;
	st_extra(r, "async_sends=%llu async_callbacks=%llu messages=%llu "
		    "acks=%llu queue_full_retries=%llu",
		 (unsigned long long)total,
		 (unsigned long long)as->async_calls,
		 (unsigned long long)as->got, (unsigned long long)acks,
		 (unsigned long long)eagain);
out:
	free(as);
}
