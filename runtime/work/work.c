/* SPDX-License-Identifier: MIT */
/*
 * runtime/work/work.c - the loop's worker pool for blocking work.
 *
 * One pool per loop (not per process: loops on different threads do not
 * queue behind each other), created with all its threads on first use and
 * joined by uring_loop_close().  Jobs are intrusive: the request holds its
 * queue node, so queueing allocates nothing.
 *
 * Loop -> workers: a mutex-protected FIFO and a condition variable,
 * signalled only when a thread is idle.  Workers -> loop: a lock-free stack
 * of finished jobs plus an internal async handle on the loop's eventfd
 * wakeup (runtime/xthread/async.c).  uring_async_send() writes the eventfd only if
 * no wakeup is pending, so every job that finishes before the loop gets
 * round to it rides on the same wakeup; the loop takes the whole stack with
 * one exchange.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <uring/work.h>

#include "work-internal.h"

#define DEFAULT_THREADS 4
#define MAX_THREADS 1024

/* req->state; changed under the pool lock while the job is in the pool */
enum {
	WORK_IDLE = 0, /* not outstanding */
	WORK_QUEUED,   /* in the queue, may be cancelled */
	WORK_RUNNING,  /* taken by a worker, or finished and not delivered */
	WORK_CANCELED, /* on the finished stack as cancelled */
};

struct uring__workpool {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct uring_list queue; /* WORK_QUEUED jobs, oldest first (lock) */
	unsigned idle;           /* workers waiting on cond (lock) */
	bool stop;               /* (lock) */
	_Atomic(struct uring_work *) done; /* finished, newest first */
	struct uring_async async; /* internal: wakes the loop for `done` */
	unsigned nthreads;
	pthread_t threads[];
};

/* Any thread: hand a finished (or cancelled) job to the loop. */
static void push_done(struct uring__workpool *pool, struct uring_work *w)
{
	struct uring_work *head =
		atomic_load_explicit(&pool->done, memory_order_relaxed);

	do
		w->done_next = head;
	while (!atomic_compare_exchange_weak_explicit(
		&pool->done, &head, w, memory_order_release,
		memory_order_relaxed));
	(void)uring_async_send(&pool->async);
}

static void *worker_main(void *arg)
{
	struct uring__workpool *pool = arg;
	struct uring_work *w;

	pthread_setname_np(pthread_self(), "uring-work");
	pthread_mutex_lock(&pool->lock);
	for (;;) {
		while (uring__list_empty(&pool->queue) && !pool->stop) {
			pool->idle++;
			pthread_cond_wait(&pool->cond, &pool->lock);
			pool->idle--;
		}
		if (uring__list_empty(&pool->queue))
			break; /* stopping, and nothing is queued */
		w = uring__container_of(pool->queue.next, struct uring_work,
					node);
		uring__list_del(&w->node);
		w->state = WORK_RUNNING;
		pthread_mutex_unlock(&pool->lock);
		w->work_cb(w);
		push_done(pool, w); /* w is the loop's from here on */
		pthread_mutex_lock(&pool->lock);
	}
	pthread_mutex_unlock(&pool->lock);
	return NULL;
}

/* The async callback, on the loop thread: deliver every finished job,
 * oldest first. */
static void deliver(struct uring_async *async)
{
	struct uring__workpool *pool =
		uring__container_of(async, struct uring__workpool, async);
	struct uring_loop *loop = async->handle.loop;
	struct uring_work *w, *next, *fifo = NULL;
	int status;

	w = atomic_exchange_explicit(&pool->done, NULL, memory_order_acquire);
	for (; w; w = next) {
		next = w->done_next;
		w->done_next = fifo;
		fifo = w;
	}
	for (w = fifo; w; w = next) {
		next = w->done_next; /* the callback may free or requeue w */
		status = w->state == WORK_CANCELED ? -ECANCELED : 0;
		w->state = WORK_IDLE;
		loop->active_reqs--;
		if (w->after_work_cb)
			w->after_work_cb(w, status);
	}
}

/* Unlink the internal async handle; no sender can be left (the workers are
 * joined or were never started). */
static void drop_async(struct uring__workpool *pool)
{
	uring__async_close(&pool->async);
	uring__list_del(&pool->async.handle.node);
}

static int pool_start(struct uring_loop *loop)
{
	URING__KEEP_ERRNO(); /* calloc(), pthread_create()'s own mmap() */
	unsigned n = loop->worker_threads ? loop->worker_threads
					  : DEFAULT_THREADS;
	struct uring__workpool *pool;
	sigset_t all, old;
	int ret = 0;

	if (n > MAX_THREADS)
		n = MAX_THREADS;
	pool = calloc(1, sizeof(*pool) + n * sizeof(pool->threads[0]));
	if (!pool)
		return -ENOMEM;
	uring__list_init(&pool->queue);
	pthread_mutex_init(&pool->lock, NULL);
	pthread_cond_init(&pool->cond, NULL);
	ret = uring_async_init(loop, &pool->async, deliver);
	if (ret)
		goto fail;
	/* the loop's own: neither keeps it alive nor shows in walks */
	uring_unref(&pool->async.handle);
	pool->async.handle.flags |= URING_HANDLE__INTERNAL;
	/* Workers take no signals: handlers (signal.c's among them) run on
	 * the application's threads, and blocking calls are not cut short. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (; pool->nthreads < n; pool->nthreads++) {
		ret = pthread_create(&pool->threads[pool->nthreads], NULL,
				     worker_main, pool);
		if (ret)
			break;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!pool->nthreads) { /* with fewer than asked we still run */
		drop_async(pool);
		ret = -ret;
		goto fail;
	}
	loop->workpool = pool;
	return 0;
fail:
	pthread_cond_destroy(&pool->cond);
	pthread_mutex_destroy(&pool->lock);
	free(pool);
	return ret;
}

int uring_work_queue(struct uring_loop *loop, struct uring_work *req,
		     uring_work_cb work_cb, uring_after_work_cb after_work_cb)
{
	struct uring__workpool *pool;
	int ret;

	if (!loop || !req || !work_cb || loop->closed)
		return -EINVAL;
	if (!loop->workpool) {
		ret = pool_start(loop);
		if (ret)
			return ret;
	}
	pool = loop->workpool;
	req->loop = loop;
	req->work_cb = work_cb;
	req->after_work_cb = after_work_cb;
	req->done_next = NULL;
	pthread_mutex_lock(&pool->lock);
	req->state = WORK_QUEUED;
	uring__list_add_tail(&pool->queue, &req->node);
	if (pool->idle)
		pthread_cond_signal(&pool->cond);
	pthread_mutex_unlock(&pool->lock);
	loop->active_reqs++;
	return 0;
}

int uring_work_cancel(struct uring_work *req)
{
	struct uring__workpool *pool;
	int state;

	if (!req || !req->loop)
		return -EINVAL;
	pool = req->loop->workpool;
	if (!pool)
		return -EALREADY;
	pthread_mutex_lock(&pool->lock);
	state = req->state;
	if (state == WORK_QUEUED) {
		uring__list_del(&req->node);
		req->state = WORK_CANCELED;
	}
	pthread_mutex_unlock(&pool->lock);
	switch (state) {
	case WORK_QUEUED:
		/* delivered like a finished job, from the loop, never from
		 * inside this call */
		push_done(pool, req);
		return 0;
	case WORK_RUNNING:
		return -EBUSY;
	default:
		return -EALREADY;
	}
}

void uring__work_shutdown(struct uring_loop *loop)
{
	struct uring__workpool *pool = loop->workpool;
	unsigned i;

	if (!pool)
		return;
	pthread_mutex_lock(&pool->lock);
	pool->stop = true;
	pthread_cond_broadcast(&pool->cond);
	pthread_mutex_unlock(&pool->lock);
	for (i = 0; i < pool->nthreads; i++)
		pthread_join(pool->threads[i], NULL);
	drop_async(pool);
	pthread_cond_destroy(&pool->cond);
	pthread_mutex_destroy(&pool->lock);
	free(pool);
	loop->workpool = NULL;
}
