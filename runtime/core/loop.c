/* SPDX-License-Identifier: MIT */
/*
 * runtime/core/loop.c - the loop itself: creating the ring, one iteration of
 * uring_loop_run() (order documented in uring/loop.h), waiting and reaping,
 * closing.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "loop-internal.h"

#define DEFAULT_SQ_ENTRIES 256
#define CQ_PER_SQ 8
/* How long uring_loop_close() waits for the loop's own ops to finish. */
#define CLOSE_DRAIN_MS 1000

static uint64_t clock_ms(void)
{
	return uring__clock_ns() / 1000000u;
}

/* Setup flags for the task-run policy; -EINVAL for impossible mixes. */
static int taskrun_flags(const struct uring_loop_options *o,
			 struct uring_ring_options *ro)
{
	const unsigned defer = URING_SETUP_SINGLE_ISSUER |
			       URING_SETUP_DEFER_TASKRUN |
			       URING_SETUP_TASKRUN_FLAG;
	const unsigned coop = URING_SETUP_COOP_TASKRUN | URING_SETUP_TASKRUN_FLAG;

	switch (o->taskrun) {
	case URING_TASKRUN_AUTO:
		/* SQPOLL conflicts with both task-run modes (6.18 says
		 * -EINVAL); without it, DEFER falls back to COOP, then none,
		 * in the ring layer's documented order. */
		ro->optional_flags |= o->sqpoll ? URING_SETUP_SINGLE_ISSUER
						: defer | coop;
		return 0;
	case URING_TASKRUN_DEFER:
		if (o->sqpoll)
			return -EINVAL;
		ro->flags |= defer;
		return 0;
	case URING_TASKRUN_COOP:
		if (o->sqpoll)
			return -EINVAL;
		ro->flags |= URING_SETUP_COOP_TASKRUN;
		ro->optional_flags |= URING_SETUP_TASKRUN_FLAG |
				      URING_SETUP_SINGLE_ISSUER;
		return 0;
	case URING_TASKRUN_NONE:
		ro->optional_flags |= URING_SETUP_SINGLE_ISSUER;
		return 0;
	}
	return -EINVAL;
}

static int ring_options(const struct uring_loop_options *o,
			struct uring_ring_options *ro)
{
	size_t i;

	memset(ro, 0, sizeof(*ro));
	/* reserved for options to come: one set here is from a newer
	 * header that this library does not know how to honour */
	for (i = 0; i < sizeof(o->reserved) / sizeof(o->reserved[0]); i++)
		if (o->reserved[i])
			return -EINVAL;
	ro->sq_entries = o->sq_entries ? o->sq_entries : DEFAULT_SQ_ENTRIES;
	ro->cq_entries = o->cq_entries ? o->cq_entries
				       : ro->sq_entries * CQ_PER_SQ;
	if (ro->cq_entries < ro->sq_entries)
		return -EINVAL;
	ro->flags = URING_SETUP_CLAMP;
	/* Created disabled and enabled by the first uring_loop_run(): with
	 * SINGLE_ISSUER the thread that enables the ring is the one allowed
	 * to submit, so a loop may be created on one thread and run on
	 * another.  The registered ring fd is per thread too: same reason. */
	ro->flags |= URING_SETUP_R_DISABLED;
	ro->ring_flags = URING_RING_NO_REGISTER_FD;
	ro->optional_flags = URING_SETUP_NO_SQARRAY | URING_SETUP_SUBMIT_ALL;
	if (o->sqpoll) {
		ro->flags |= URING_SETUP_SQPOLL;
		ro->sq_thread_idle_ms = o->sqpoll_idle_ms;
		if (o->sqpoll_pin) {
			ro->flags |= URING_SETUP_SQ_AFF;
			ro->sq_thread_cpu = o->sqpoll_cpu;
		}
	}
	return taskrun_flags(o, ro);
}

int uring_loop_init(struct uring_loop *loop,
		    const struct uring_loop_options *options)
{
	struct uring_loop_options defaults;
	struct uring_ring_options ro;
	void *data;
	int ret;

	if (!loop)
		return -EINVAL;
	data = loop->data;
	/* a loop whose init failed is closed: uring_loop_close() and the
	 * others then say -EINVAL, as documented, whatever failed */
	memset(loop, 0, sizeof(*loop));
	loop->data = data;
	loop->closed = true;
	memset(&defaults, 0, sizeof(defaults));
	if (!options)
		options = &defaults;
	ret = ring_options(options, &ro);
	if (ret)
		return ret;
	/* the read-buffer pool is made later: refuse a bad size now */
	if ((options->read_buf_count &&
	     (options->read_buf_count > 32768 ||
	      (options->read_buf_count & (options->read_buf_count - 1)))) ||
	    (options->read_buf_size && options->read_buf_size < 64))
		return -EINVAL; /* < 64: no room for a datagram's header */
	/* a batch without a minimum would wait for it until a timer */
	if (options->wait_batch > 1 && !options->wait_batch_usec)
		return -EINVAL;
	if (options->spin_usec > URING__SPIN_USEC_MAX)
		return -EINVAL;
	ret = uring_ring_init_options(&loop->ring, &ro);
	if (!ret && options->restricted) {
		/* only while the ring is still disabled (see ring_options) */
		ret = uring__loop_restrict(loop);
		if (ret)
			uring_ring_exit(&loop->ring);
	}
	if (ret)
		return ret; /* still closed */
	loop->closed = false;
	uring__list_init(&loop->handles);
	uring__list_init(&loop->idles);
	uring__list_init(&loop->prepares);
	uring__list_init(&loop->checks);
	uring__list_init(&loop->closing);
	uring__list_init(&loop->asyncs);
	uring__list_init(&loop->msg_ports);
	uring__list_init(&loop->pending_streams);
	loop->read_buf_size = options->read_buf_size;
	loop->read_buf_count = options->read_buf_count;
	/* Batching is a hint: without the kernel's minimum wait (before
	 * 6.12) a batch could sleep until a timer, so the loop waits for
	 * every completion instead; uring_loop_wait_batch() tells. */
	if (options->wait_batch > 1 &&
	    (uring_ring_features(&loop->ring) & URING_FEAT_MIN_TIMEOUT)) {
		loop->wait_batch = options->wait_batch;
		loop->wait_batch_usec = options->wait_batch_usec;
	}
	loop->spin_usec = options->spin_usec;
	loop->spin_window_ns = options->spin_usec * 1000u;
	loop->async_fd = -1;
	loop->embed_fd = -1;
	loop->error_cb = options->error_cb;
	loop->worker_threads = options->worker_threads;
	loop->no_register_fd = options->no_register_fd;
	loop->creator_uid = (unsigned)geteuid();
	loop->creator_gid = (unsigned)getegid();
	loop->now_ms = clock_ms();
	return 0;
}

int uring__loop_enable(struct uring_loop *loop)
{
	int ret;

	if (loop->enabled) {
		if (!pthread_equal((pthread_t)loop->owner, pthread_self()))
			return -EINVAL; /* another thread owns this loop */
		return 0;
	}
	ret = uring_ring_enable(&loop->ring);
	if (ret < 0)
		return ret;
	if (!loop->no_register_fd)
		(void)uring_register_ring_fd(&loop->ring); /* 5.18+ */
	loop->owner = (unsigned long)pthread_self();
	/* release: a sender that sees it (msg.c) may submit MSG_RING */
	uring__store_release(&loop->enabled, true);
	return 0;
}

int uring__loop_submit(struct uring_loop *loop)
{
	int ret = uring_ring_submit(&loop->ring);

	/* whatever chain was open ended with this submission: links do not
	 * span submits, so a chain left unfinished is over, not pending */
	loop->chain_open = false;
	if (ret > 0)
		loop->stats.sqes_submitted += (uint64_t)ret;
	return ret;
}

void uring_loop_update_time(struct uring_loop *loop)
{
	if (loop)
		loop->now_ms = clock_ms();
}

uint64_t uring_hrtime(void)
{
	return uring__clock_ns();
}

uint64_t uring_loop_now(const struct uring_loop *loop)
{
	return loop ? loop->now_ms : 0;
}

bool uring_loop_alive(const struct uring_loop *loop)
{
	return loop && !loop->closed &&
	       (loop->active_handles || loop->active_reqs ||
		!uring__list_empty(&loop->closing));
}

void uring_loop_stop(struct uring_loop *loop)
{
	if (loop)
		loop->stop = true;
}

/* The kernel could not keep a CQE (-EBADR): count it and tell the user. */
void uring__loop_report_lost(struct uring_loop *loop)
{
	loop->stats.cqe_lost++;
	if (loop->error_cb)
		loop->error_cb(loop, -EBADR);
}

/*
 * The fd a foreign loop polls.  Not the ring fd: with DEFER_TASKRUN the
 * kernel queues completions as task work for our thread and a poller of the
 * ring fd is not woken (measured: an async send seen 2.9 s late).  An
 * eventfd registered with the ring is signalled when such work is queued.
 */
int uring_loop_fd(struct uring_loop *loop)
{
	URING__KEEP_ERRNO();
	int fd, ret;

	if (!loop || loop->closed)
		return -EINVAL;
	if (loop->embed_fd >= 0)
		return loop->embed_fd;
	fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (fd < 0)
		return -errno;
	ret = uring_register_eventfd(&loop->ring, fd);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	/* senders on other threads read it (uring__async_wake) */
	uring__store_release(&loop->embed_fd, fd);
	return fd;
}

/* Reset the embedding eventfd before looking for work: anything that comes
 * after signals it again. */
static void drain_embed_fd(struct uring_loop *loop)
{
	uint64_t count;
	int saved = errno;

	if (loop->embed_fd >= 0)
		(void)!read(loop->embed_fd, &count, sizeof(count));
	errno = saved;
}

/* Flush rounds per reap: what overflowed beyond that waits for the next
 * iteration, which checks the overflow flag again. */
#define REAP_ROUNDS 4

/*
 * Hand the ready CQEs to their operations, flushing overflowed CQEs into
 * the CQ as room appears; callbacks may queue new SQEs meanwhile.  Only
 * the CQEs there when a round starts: ones that callbacks cause at once
 * (a resubmitted NOP, an inline send, when a full SQ is submitted) wait
 * for the next iteration, or requests that resubmit themselves could keep
 * one reap going forever, starving timers, the pending pass and close
 * callbacks (found by the stress suite).
 */
static void reap(struct uring_loop *loop)
{
	struct uring_cqe *cqe;
	unsigned head, n, budget, round;

	for (round = 0; round < REAP_ROUNDS; round++) {
		budget = uring_ring_cq_ready(&loop->ring);
		n = 0;
		uring_for_each_cqe(&loop->ring, head, cqe)
		{
			if (n >= budget)
				break;
			uring__dispatch(loop, cqe);
			n += uring_cqe_nr(&loop->ring, cqe);
		}
		uring_ring_cq_advance(&loop->ring, n);
		if (!uring_ring_cq_needs_flush(&loop->ring))
			return;
		if (uring_ring_cq_has_overflow(&loop->ring))
			loop->stats.overflow_flushes++;
		if (uring_ring_get_events(&loop->ring) == -EBADR)
			uring__loop_report_lost(loop);
		if (!n && !uring_ring_cq_ready(&loop->ring))
			return; /* nothing came in: do not spin */
	}
}

/* Submit and, unless timeout_ms is 0, wait for at least one completion or
 * the timeout (-1: no timeout); then reap. */
static void poll_io(struct uring_loop *loop, int64_t timeout_ms)
{
	struct uring_timespec ts, *tsp = NULL;
	struct uring_cqe *cqe;
	bool waits = timeout_ms != 0, spun = false;
	int ret;

	drain_embed_fd(loop);
	loop->chain_open = false; /* submitted below (see uring__loop_submit) */
	if (waits && loop->spin_usec)
		spun = uring__loop_spin(loop, &timeout_ms);
	if (spun) {
		ret = 0; /* work came while spinning: no wait */

	} else if (timeout_ms == 0) {
		ret = uring__loop_submit(loop);
	} else {
		if (timeout_ms > 0) {
			ts.tv_sec = timeout_ms / 1000;
			ts.tv_nsec = (timeout_ms % 1000) * 1000000;
			tsp = &ts;
		}
		/* batched waits: up to wait_batch CQEs, not waiting longer
		 * than wait_batch_usec for more than one */
		ret = uring_ring_submit_and_wait_min_timeout(
			&loop->ring, &cqe, loop->wait_batch ? loop->wait_batch : 1,
			tsp, loop->wait_batch_usec, NULL);
		if (ret > 0)
			loop->stats.sqes_submitted += (uint64_t)ret;
	}
	/* -ETIME and -EINTR end a wait normally; -EBUSY (the kernel could not
	 * flush its overflow list) is cured by reaping. */
	if (ret == -EBADR)
		uring__loop_report_lost(loop);
	/* I/O callbacks see the time after the wait, as in libuv: a timer
	 * started from one must not count the sleep */
	if (waits && loop->spin_usec && !spun)
		uring__loop_spin_adapt(loop);
	if (waits)
		uring_loop_update_time(loop);
	reap(loop);
}

/* Work the areas above the core put off until before the next wait. */
static void areas_run_pending(struct uring_loop *loop)
{
	const struct uring__area *const *a;

	for (a = uring__areas; *a; a++)
		if ((*a)->run_pending)
			(*a)->run_pending(loop);
}

static bool areas_have_work(const struct uring_loop *loop)
{
	const struct uring__area *const *a;

	for (a = uring__areas; *a; a++)
		if ((*a)->has_work && (*a)->has_work(loop))
			return true;
	return false;
}

/* The wait's timeout in ms (-1: none), shortened by any area that must
 * look again by then. */
static int64_t areas_cap_wait(const struct uring_loop *loop, int64_t ms)
{
	const struct uring__area *const *a;

	for (a = uring__areas; *a; a++)
		if ((*a)->cap_wait)
			ms = (*a)->cap_wait(loop, ms);
	return ms;
}

/* The areas' shutdown (or free) hooks at close, top area first: one may
 * still use the areas below it while it stops. */
static void areas_close(struct uring_loop *loop, bool freeing)
{
	const struct uring__area *a;
	size_t i = 0;

	while (uring__areas[i])
		i++;
	while (i--) {
		a = uring__areas[i];
		if (freeing ? a->free : a->shutdown)
			(freeing ? a->free : a->shutdown)(loop);
	}
}

/* How long step 4 of an iteration may wait. */
static int64_t wait_timeout(const struct uring_loop *loop,
			    enum uring_run_mode mode)
{
	if (mode == URING_RUN_NOWAIT || loop->stop)
		return 0;
	if (!uring__list_empty(&loop->idles))
		return 0;
	/* a closed handle with nothing in flight waits for its close
	 * callback: do not block (ones waiting for CQEs are woken by those) */
	if (uring__closing_ready(loop) || areas_have_work(loop) || loop->nretries)
		return 0;
	/* closing handles still waiting for CQEs: wait for those */
	if (!loop->active_handles && !loop->active_reqs &&
	    uring__list_empty(&loop->closing))
		return 0;
	return areas_cap_wait(loop, uring__next_timeout(loop));
}

int uring_loop_run(struct uring_loop *loop, enum uring_run_mode mode)
{
	bool alive;
	int ret;

	if (!loop || loop->closed || (unsigned)mode > URING_RUN_NOWAIT)
		return -EINVAL;
	/* From a callback: the outer run holds CQEs it has not yet marked
	 * seen, which a nested run would dispatch a second time. */
	if (loop->running)
		return -EBUSY;
	ret = uring__loop_enable(loop);
	if (ret)
		return ret;
	loop->running = true;
	alive = uring_loop_alive(loop);
	if (!alive)
		uring_loop_update_time(loop);
	while (alive && !loop->stop) {
		uint64_t iteration_start = loop->timer_seq;

		loop->stats.iterations++;
		uring_loop_update_time(loop);
		uring__run_timers(loop, loop->timer_seq);
		uring__run_hooks(&loop->idles);
		uring__run_hooks(&loop->prepares);
		areas_run_pending(loop);
		uring__retry_run(loop);
		poll_io(loop, wait_timeout(loop, mode));
		uring__run_hooks(&loop->checks);
		uring__run_closing(loop);
		if (mode == URING_RUN_ONCE) {
			/* like libuv: timers that came due while waiting, but
			 * not ones (re)started during this iteration */
			uring_loop_update_time(loop);
			uring__run_timers(loop, iteration_start);
		}
		alive = uring_loop_alive(loop);
		if (mode != URING_RUN_DEFAULT)
			break;
	}
	/* Callbacks of the last iteration may have queued operations nobody
	 * waits for here (a message to another loop, a cancel): hand them to
	 * the kernel before returning, or they would sit in the SQ. */
	if (uring_ring_sq_ready(&loop->ring))
		uring__loop_submit(loop);
	loop->stop = false;
	loop->running = false;
	return alive;
}

int uring_loop_stats(const struct uring_loop *loop,
		     struct uring_loop_stats *stats)
{
	const struct uring__area *const *a;

	if (!loop || !stats)
		return -EINVAL;
	*stats = loop->stats;
	if (!loop->closed) { /* a closed loop keeps its last figures */
		stats->enter_calls = loop->ring.nr_enter;
		stats->sqpoll_wakeups = loop->ring.nr_wakeup;
		for (a = uring__areas; *a; a++)
			if ((*a)->stats)
				(*a)->stats(loop, stats);
	}
	stats->spin_usec_total = loop->spin_ns_total / 1000u;
	return 0;
}

int uring_loop_wait_batch(const struct uring_loop *loop)
{
	if (!loop || loop->closed)
		return -EINVAL;
	return loop->wait_batch > 1 ? (int)loop->wait_batch : 1;
}

int uring_loop_timeout(const struct uring_loop *loop)
{
	int64_t t;

	if (!loop || loop->closed)
		return -EINVAL;
	if (uring_ring_cq_ready(&loop->ring) ||
	    uring_ring_cq_needs_flush(&loop->ring) ||
	    uring_ring_sq_ready(&loop->ring))
		return 0;
	t = wait_timeout(loop, URING_RUN_DEFAULT);
	if (t < 0)
		return -1;
	return t > INT_MAX ? INT_MAX : (int)t;
}

struct uring_ring *uring_loop_ring(struct uring_loop *loop)
{
	return loop && !loop->closed ? &loop->ring : NULL;
}

int uring_loop_check_creds(const struct uring_loop *loop)
{
	if (!loop || loop->closed)
		return -EINVAL;
	if ((unsigned)geteuid() != loop->creator_uid ||
	    (unsigned)getegid() != loop->creator_gid)
		return -EPERM;
	return 0;
}

/* Wait (bounded) until the loop's own operations have posted their last
 * CQE, so no completion can name loop memory after close. */
static void drain_internal(struct uring_loop *loop)
{
	struct uring_timespec ts = {.tv_sec = 0, .tv_nsec = 10 * 1000000};
	struct uring_cqe *cqe;
	uint64_t deadline = clock_ms() + CLOSE_DRAIN_MS;

	while (loop->internal_ops && clock_ms() < deadline) {
		(void)uring_ring_submit_and_wait_timeout(&loop->ring, &cqe, 1,
							 &ts, NULL);
		reap(loop);
	}
}

/* Whether `list` holds a handle of the user's (not the loop's own). */
static bool user_handles_on(const struct uring_list *list)
{
	const struct uring_list *n;

	for (n = list->next; n != list; n = n->next)
		if (!(uring__container_of(n, struct uring_handle, node)->flags &
		      URING_HANDLE__INTERNAL))
			return true;
	return false;
}

int uring_loop_close(struct uring_loop *loop)
{
	int saved;

	if (!loop || loop->closed)
		return -EINVAL;
	/* From a callback: the running loop would go on with freed state. */
	if (loop->running || loop->active_reqs || user_handles_on(&loop->handles) ||
	    user_handles_on(&loop->closing))
		return -EBUSY;
	if (loop->enabled) {
		if (!pthread_equal((pthread_t)loop->owner, pthread_self()))
			return -EINVAL;
		loop->shutting_down = true;
		areas_close(loop, false);
		drain_internal(loop);
	}
	areas_close(loop, true);
	uring__retry_free(loop);
	loop->stats.enter_calls = loop->ring.nr_enter;
	loop->stats.sqpoll_wakeups = loop->ring.nr_wakeup;
	loop->closed = true;
	saved = errno;
	if (loop->embed_fd >= 0)
		close(loop->embed_fd);
	errno = saved;
	uring__store_release(&loop->embed_fd, -1);
	uring_ring_exit(&loop->ring);
	return 0;
}
