/* SPDX-License-Identifier: MIT */
/*
 * tests/stress/timers.c - scenario "timers": hundreds of thousands of
 * random timer operations (init, start, stop, again, set_repeat, close,
 * get_due_in) on a few thousand timers, in batches every millisecond and
 * from timer callbacks themselves, checked against a model of each timer: whether
 * it is active, when it is due, its repeat, its start order.
 *
 * Checks: a timer fires only while the model says it is active, never
 * before its due time, never in the iteration that armed it, in (due,
 * start order) within one pass; get_due_in and again's result agree with
 * the model; every one-shot armed and not stopped fires exactly once;
 * every close calls back exactly once and nothing fires after it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stress.h"

enum { T_FREE, T_IDLE, T_ACTIVE, T_CLOSING };

struct ttimer {
	struct uring_timer t;
	struct tm *m;
	uint64_t due, repeat, seq, armed_iter;
	uint8_t state;
	bool started; /* ever started: again needs a callback */
};

struct tm {
	struct uring_loop loop;
	struct st_result *r;
	struct uring_timer driver;
	unsigned batch;
	struct ttimer *tt;
	unsigned n;
	uint32_t rng;
	uint64_t seq;
	uint64_t ops, ops_target, fires, starts, stops, closes, inits,
		closed_cbs, agains;
	uint64_t max_late;
	unsigned active_oneshots, open;
	/* order within one pass of due timers */
	uint64_t pass_iter, pass_due, pass_seq;
	unsigned errors_fire, errors_order, errors_due_in, errors_again;
	bool draining;
};

static uint64_t iteration(struct tm *m)
{
	struct uring_loop_stats st;

	uring_loop_stats(&m->loop, &st);
	return st.iterations;
}

static void set_state(struct tm *m, struct ttimer *t, uint8_t state)
{
	if (t->state == T_ACTIVE && !t->repeat)
		m->active_oneshots--;
	t->state = state;
	if (t->state == T_ACTIVE && !t->repeat)
		m->active_oneshots++;
}

static void fired(struct uring_timer *ut);
static void op(struct tm *m, struct ttimer *t);

static void closed(struct uring_handle *h)
{
	struct ttimer *t = (struct ttimer *)h;
	struct tm *m = t->m;

	m->closed_cbs++;
	ST_CHECK(m->r, t->state == T_CLOSING, "timer %ld: close_cb in state %u",
		 (long)(t - m->tt), t->state);
	t->state = T_FREE;
	m->open--;
}

static void arm(struct tm *m, struct ttimer *t, uint64_t timeout,
		uint64_t repeat)
{
	uint64_t now = uring_loop_now(&m->loop);

	if (t->state == T_ACTIVE && !t->repeat)
		m->active_oneshots--;
	t->repeat = repeat;
	t->state = T_IDLE;
	t->due = now + timeout;
	t->seq = ++m->seq;
	t->armed_iter = iteration(m);
	t->started = true;
	set_state(m, t, T_ACTIVE);
}

static void fired(struct uring_timer *ut)
{
	struct ttimer *t = (struct ttimer *)ut;
	struct tm *m = t->m;
	uint64_t now = uring_loop_now(&m->loop), it = iteration(m);

	m->fires++;
	if (t->state != T_ACTIVE || now < t->due || it == t->armed_iter) {
		m->errors_fire++;
		st_fail(m->r, "timer %ld fired: state %u, due %llu, now %llu, "
			      "armed in this iteration: %d",
			(long)(t - m->tt), t->state,
			(unsigned long long)t->due, (unsigned long long)now,
			it == t->armed_iter);
		return;
	}
	if (now - t->due > m->max_late)
		m->max_late = now - t->due;
	if (it == m->pass_iter &&
	    (t->due < m->pass_due ||
	     (t->due == m->pass_due && t->seq < m->pass_seq))) {
		m->errors_order++;
		st_fail(m->r, "timer %ld (due %llu, #%llu) fired after one due "
			      "%llu, #%llu",
			(long)(t - m->tt), (unsigned long long)t->due,
			(unsigned long long)t->seq,
			(unsigned long long)m->pass_due,
			(unsigned long long)m->pass_seq);
	}
	m->pass_iter = it;
	m->pass_due = t->due;
	m->pass_seq = t->seq;
	if (t->repeat) { /* the loop restarted it before calling back */
		t->due = now + t->repeat;
		t->seq = ++m->seq;
		t->armed_iter = it;
	} else {
		set_state(m, t, T_IDLE);
	}
	/* callbacks change timers too, themselves included */
	if (!m->draining && st_below(&m->rng, 4) == 0)
		op(m, st_below(&m->rng, 2) ? t
					   : &m->tt[st_below(&m->rng, m->n)]);
}

/* One random operation on t, checked against the model. */
static void op(struct tm *m, struct ttimer *t)
{
	uint64_t now = uring_loop_now(&m->loop), want, got;
	uint32_t roll = st_below(&m->rng, 100);
	int ret;

	m->ops++;
	switch (t->state) {
	case T_CLOSING:
		return;
	case T_FREE:
		t->m = m;
		ret = uring_timer_init(&m->loop, &t->t);
		ST_CHECK(m->r, ret == 0, "uring_timer_init: %d", ret);
		t->state = T_IDLE;
		t->started = false;
		t->repeat = 0;
		m->inits++;
		m->open++;
		return;
	}
	if (roll < 40) {
		uint64_t timeout = st_below(&m->rng, 31);
		uint64_t repeat = st_below(&m->rng, 4) ? 0
						       : 1 + st_below(&m->rng, 10);

		ret = uring_timer_start(&t->t, fired, timeout, repeat);
		ST_CHECK(m->r, ret == 0, "uring_timer_start: %d", ret);
		arm(m, t, timeout, repeat);
		m->starts++;
	} else if (roll < 60) {
		ret = uring_timer_stop(&t->t);
		ST_CHECK(m->r, ret == 0, "uring_timer_stop: %d", ret);
		if (t->state == T_ACTIVE)
			m->stops++;
		set_state(m, t, T_IDLE);
	} else if (roll < 75) {
		ret = uring_timer_again(&t->t);
		m->agains++;
		if (!t->started || !t->repeat) {
			if (ret != -EINVAL) {
				m->errors_again++;
				st_fail(m->r, "again without a repeat: %d",
					ret);
			}
		} else if (ret != 0) {
			m->errors_again++;
			st_fail(m->r, "again: %d", ret);
		} else {
			arm(m, t, t->repeat, t->repeat);
		}
	} else if (roll < 80) {
		uint64_t repeat = st_below(&m->rng, 2) ? 0
						       : 1 + st_below(&m->rng, 10);

		if (t->state == T_ACTIVE && !t->repeat)
			m->active_oneshots--;
		uring_timer_set_repeat(&t->t, repeat);
		t->repeat = repeat;
		if (t->state == T_ACTIVE && !t->repeat)
			m->active_oneshots++;
		ST_CHECK(m->r, uring_timer_get_repeat(&t->t) == repeat,
			 "get_repeat after set_repeat");
	} else if (roll < 90) {
		got = uring_timer_get_due_in(&t->t);
		want = t->state == T_ACTIVE && t->due > now ? t->due - now : 0;
		if (got != want) {
			m->errors_due_in++;
			st_fail(m->r, "timer %ld: due_in %llu, model %llu",
				(long)(t - m->tt), (unsigned long long)got,
				(unsigned long long)want);
		}
	} else {
		if (t->state == T_ACTIVE)
			m->stops++;
		set_state(m, t, T_CLOSING);
		uring_close(&t->t.handle, closed);
		m->closes++;
	}
}

/* Every millisecond (a repeating timer, outside the model): a batch. */
static void drive(struct uring_timer *h)
{
	struct tm *m = h->handle.data;
	unsigned i;

	for (i = 0; i < m->batch && m->ops < m->ops_target; i++)
		op(m, &m->tt[st_below(&m->rng, m->n)]);
	if (m->ops >= m->ops_target)
		uring_timer_stop(h);
}

static bool ops_done(void *arg)
{
	struct tm *m = arg;

	return m->ops >= m->ops_target;
}

static bool oneshots_fired(void *arg)
{
	struct tm *m = arg;

	return m->active_oneshots == 0;
}

static bool all_closed(void *arg)
{
	struct tm *m = arg;

	return m->open == 0;
}

void st_timers(struct st_result *r)
{
	struct tm *m = calloc(1, sizeof(*m));
	unsigned i;

	if (!m)
		abort();
	m->r = r;
	m->rng = st_seed(r->name);
	m->n = ST_SCALE(2000, 20000);
	m->ops_target = ST_SCALE(1000000, 10000000);
	m->tt = calloc(m->n, sizeof(*m->tt));
	if (!m->tt || !st_loop_init(&m->loop, NULL, r))
		goto out;
	/* spread over about 2 s (quick) or 20 s: timers fire meanwhile */
	m->batch = (unsigned)(m->ops_target / ST_SCALE(2000, 20000));
	m->driver.handle.data = m;
	uring_timer_init(&m->loop, &m->driver);
	uring_timer_start(&m->driver, drive, 1, 1);
	ST_CHECK(r, st_run_until(&m->loop, ops_done, m, ST_SCALE(30000, 200000)),
		 "only %llu of %llu operations done in time",
		 (unsigned long long)m->ops, (unsigned long long)m->ops_target);
	/* the end: no more changes; repeating timers stop, one-shots fire */
	m->draining = true;
	uring_close(&m->driver.handle, NULL);
	for (i = 0; i < m->n; i++)
		if (m->tt[i].state == T_ACTIVE && m->tt[i].repeat) {
			uring_timer_stop(&m->tt[i].t);
			set_state(m, &m->tt[i], T_IDLE);
		}
	ST_CHECK(r, st_run_until(&m->loop, oneshots_fired, m, 5000),
		 "%u one-shot timers never fired", m->active_oneshots);
	for (i = 0; i < m->n; i++)
		if (m->tt[i].state == T_IDLE) {
			set_state(m, &m->tt[i], T_CLOSING);
			uring_close(&m->tt[i].t.handle, closed);
			m->closes++;
		}
	ST_CHECK(r, st_run_until(&m->loop, all_closed, m, 5000),
		 "%u timers never called close_cb", m->open);
	ST_CHECK(r, m->closed_cbs == m->closes && m->inits == m->closes,
		 "%llu inits, %llu closes, %llu close callbacks",
		 (unsigned long long)m->inits, (unsigned long long)m->closes,
		 (unsigned long long)m->closed_cbs);
	st_close_loop(&m->loop, r, 5000);
	r->ops = m->ops;
	st_extra(r, "timers=%u inits=%llu starts=%llu agains=%llu "
		    "stops=%llu closes=%llu fires=%llu max_late=%llums",
		 m->n, (unsigned long long)m->inits,
		 (unsigned long long)m->starts, (unsigned long long)m->agains,
		 (unsigned long long)m->stops, (unsigned long long)m->closes,
		 (unsigned long long)m->fires,
		 (unsigned long long)m->max_late);
out:
	free(m->tt);
	free(m);
}
