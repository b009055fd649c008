/* SPDX-License-Identifier: MIT */
/*
 * tests/stress/msgclose.c - scenario "msg-close": a port closed, and freed,
 * by the message a thread is still sending it.
 *
 * The main loop keeps one port per sender thread, each on the heap.  A
 * sender takes its port and sends it one message (uring_msg_send(NULL,
 * ...): the queue, then the loop's eventfd wakeup); the port's callback
 * closes it and the close callback poisons and frees it, then opens the
 * next one for that sender.  Meanwhile another thread storms an async
 * handle of the loop, so the loop is often awake and delivering queues
 * while a sender is still between queueing its message and leaving
 * uring_msg_send().  Closing must wait for such a sender: without that it
 * reads the freed port (ASan and TSan report it; in a plain build it
 * follows the poisoned loop pointer).  Checks: every message arrives once,
 * with its sender's value; every send returns 0; every port is closed.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "stress.h"

#define SENDERS 2
#define TIME_LIMIT_MS 60000

struct mc;

struct mc_sender {
	struct mc *mc;
	unsigned idx;
	pthread_t th;
	_Atomic(struct uring_msg_port *) handoff; /* the port to send to */
	unsigned errors;
};

struct mc {
	struct st_result *r;
	struct uring_loop loop;
	struct uring_async async;
	struct mc_sender senders[SENDERS];
	pthread_t storm;
	atomic_bool stop;
	uint64_t storm_sends, async_cbs;
	unsigned target, opened, closed, bad;
	uint64_t t0;
	bool init_failed;
};

static void *sender_thread(void *arg)
{
	struct mc_sender *s = arg;
	struct uring_msg_port *port;

	while (!atomic_load(&s->mc->stop)) {
		port = atomic_exchange(&s->handoff, NULL);
		if (!port) {
			sched_yield();
			continue;
		}
		if (uring_msg_send(NULL, port, s->idx) != 0)
			s->errors++;
	}
	return NULL;
}

static void *storm_thread(void *arg)
{
	struct mc *mc = arg;
	uint64_t n = 0;

	while (!atomic_load(&mc->stop)) {
		uring_async_send(&mc->async);
		if (++n % 64 == 0)
			sched_yield();
	}
	mc->storm_sends = n;
	return NULL;
}

static void got(struct uring_msg_port *port, uint32_t value);

static void open_port(struct mc_sender *s)
{
	struct mc *mc = s->mc;
	struct uring_msg_port *port = malloc(sizeof(*port));

	if (!port)
		abort();
	port->handle.data = s;
	if (uring_msg_port_init(&mc->loop, port, got)) {
		st_fail(mc->r, "uring_msg_port_init failed");
		free(port);
		return;
	}
	mc->opened++;
	atomic_store(&s->handoff, port);
}

static void freed(struct uring_handle *h)
{
	struct mc_sender *s = h->data;
	struct mc *mc = s->mc;

	/* poisoned: a sender still reading it follows garbage */
	memset(h, 0xa5, sizeof(struct uring_msg_port));
	free(h);
	mc->closed++;
	if (mc->opened < mc->target &&
	    st_now_us() - mc->t0 < TIME_LIMIT_MS * 1000ULL)
		open_port(s);
}

static void got(struct uring_msg_port *port, uint32_t value)
{
	struct mc_sender *s = port->handle.data;

	if (value != s->idx)
		s->mc->bad++;
	uring_close(&port->handle, freed);
}

static void async_cb(struct uring_async *a)
{
	struct mc *mc = a->handle.data;

	mc->async_cbs++;
}

static bool all_closed(void *arg)
{
	struct mc *mc = arg;

	return mc->closed == mc->opened;
}

void st_msg_close(struct st_result *r)
{
	struct mc *mc = calloc(1, sizeof(*mc));
	unsigned i, errors = 0;

	if (!mc)
		abort();
	mc->r = r;
	mc->target = ST_SCALE(20000, 200000);
	if (!st_loop_init(&mc->loop, NULL, r))
		goto out;
	mc->async.handle.data = mc;
	if (uring_async_init(&mc->loop, &mc->async, async_cb)) {
		st_fail(r, "uring_async_init failed");
		uring_loop_close(&mc->loop);
		goto out;
	}
	mc->t0 = st_now_us();
	pthread_create(&mc->storm, NULL, storm_thread, mc);
	for (i = 0; i < SENDERS; i++) {
		mc->senders[i].mc = mc;
		mc->senders[i].idx = i;
		pthread_create(&mc->senders[i].th, NULL, sender_thread,
			       &mc->senders[i]);
		open_port(&mc->senders[i]);
	}
	if (!st_run_until(&mc->loop, all_closed, mc, TIME_LIMIT_MS + 30000))
		st_fail(r, "%u ports opened, %u closed", mc->opened,
			mc->closed);
	atomic_store(&mc->stop, true);
	pthread_join(mc->storm, NULL);
	for (i = 0; i < SENDERS; i++) {
		pthread_join(mc->senders[i].th, NULL);
		errors += mc->senders[i].errors;
	}
	ST_CHECK(r, errors == 0, "%u sends failed", errors);
	ST_CHECK(r, mc->bad == 0, "%u messages with a wrong value", mc->bad);
	r->ops = mc->closed;
	st_extra(r, "ports_closed=%u async_sends=%llu async_callbacks=%llu",
		 mc->closed, (unsigned long long)mc->storm_sends,
		 (unsigned long long)mc->async_cbs);
	uring_close(&mc->async.handle, NULL);
	st_close_loop(&mc->loop, r, 5000);
out:
	free(mc);
}
