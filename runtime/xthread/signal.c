/* SPDX-License-Identifier: MIT */
/*
 * runtime/xthread/signal.c - signals as callbacks on the loop.
 *
 * signalfd(2) hands a process-directed signal to one reader only, so it
 * cannot serve several loops.  Instead (as libuv does) one sigaction(2)
 * handler per signal in use marks the signal pending on every loop that
 * watches it and wakes that loop through its async eventfd (async.c); the
 * loop thread then calls its watchers.
 *
 * Loops that watch signals are linked in a registry.  Writers (start and
 * stop, on loop threads) hold `lock` with every signal blocked; the handler
 * reads the list lock-free.  A writer that unlinks a record, or stops
 * watching a signal on a loop, waits until no handler is running before it
 * frees the record or clears the pending count: a handler that found the
 * record has then finished with it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xthread-internal.h"

/* One loop that watches signals. */
struct uring__sigloop {
	struct uring__sigloop *_Atomic next; /* the registry */
	struct uring_loop *loop;
	atomic_uint watching[NSIG]; /* active watchers per signal */
	atomic_uint pending[NSIG];  /* deliveries not dispatched yet */
	atomic_ullong mask; /* bit signum-1: pending[signum] may be set */
	struct uring_list watchers; /* active struct uring_signal */
	unsigned active;	    /* active watchers, all signals */
	bool dispatching;	    /* free() is up to the dispatcher */
	bool orphan;		    /* unlinked while dispatching */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct uring__sigloop *_Atomic registry;
static atomic_uint handlers_running;
/* Under lock: watchers per signal in the process, and what was installed
 * before ours. */
static unsigned users[NSIG];
static struct sigaction saved[NSIG];

static void handler(int signum)
{
	int saved_errno = errno;
	struct uring__sigloop *r;
	uint64_t one = 1;

	atomic_fetch_add(&handlers_running, 1);
	for (r = atomic_load(&registry); r; r = atomic_load(&r->next)) {
		struct uring_loop *loop = r->loop;

		if (!atomic_load(&r->watching[signum]))
			continue;
		atomic_fetch_add(&r->pending[signum], 1);
		atomic_fetch_or(&r->mask, 1ULL << (signum - 1));
		/* the same wakeup as uring_async_send() */
		if (atomic_exchange((_Atomic int *)&loop->async_wake, 1))
			continue;
		while (write(loop->async_fd, &one, sizeof(one)) < 0 &&
		       errno == EINTR)
			;
	}
	atomic_fetch_sub(&handlers_running, 1);
	errno = saved_errno;
}

/* Wait until every handler that may have read the registry has returned.
 * The caller has every signal blocked, so none runs on this thread. */
static void quiesce(void)
{
	while (atomic_load(&handlers_running))
		sched_yield();
}

static void lock_all(sigset_t *old)
{
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, old);
	pthread_mutex_lock(&lock);
}

static void unlock_all(const sigset_t *old)
{
	pthread_mutex_unlock(&lock);
	pthread_sigmask(SIG_SETMASK, old, NULL);
}

static bool valid_signum(int signum)
{
	return signum > 0 && signum < NSIG && signum != SIGKILL &&
	       signum != SIGSTOP;
}

/* Under lock: one more watcher of signum on loop. */
static int add_locked(struct uring_loop *loop, int signum)
{
	URING__KEEP_ERRNO(); /* calloc(), sigaction() */
	struct uring__sigloop *r = loop->sigloop;
	bool created = false;

	if (!r) {
		r = calloc(1, sizeof(*r));
		if (!r)
			return -ENOMEM;
		r->loop = loop;
		uring__list_init(&r->watchers);
		created = true;
	}
	if (users[signum] == 0) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = handler;
		sa.sa_flags = SA_RESTART;
		sigfillset(&sa.sa_mask); /* handlers never nest on a thread */
		if (sigaction(signum, &sa, &saved[signum]) < 0) {
			int err = -errno;

			if (created)
				free(r);
			return err;
		}
	}
	users[signum]++;
	atomic_fetch_add(&r->watching[signum], 1);
	r->active++;
	if (created) {
		atomic_store(&r->next, atomic_load(&registry));
		atomic_store(&registry, r);
		loop->sigloop = r;
	}
	return 0;
}

/* Under lock: one watcher of signum on loop fewer. */
static void remove_locked(struct uring_loop *loop, int signum)
{
	URING__KEEP_ERRNO(); /* sigaction() */
	struct uring__sigloop *r = loop->sigloop;
	struct uring__sigloop *_Atomic *pp;

	if (atomic_fetch_sub(&r->watching[signum], 1) == 1) {
		/* a handler that saw the watcher has counted by now: a later
		 * watcher must not inherit that delivery */
		quiesce();
		atomic_store(&r->pending[signum], 0);
	}
	if (--users[signum] == 0)
		sigaction(signum, &saved[signum], NULL);
	if (--r->active)
		return;
	for (pp = &registry; atomic_load(pp) != r; pp = &atomic_load(pp)->next)
		;
	atomic_store(pp, atomic_load(&r->next));
	quiesce();
	loop->sigloop = NULL;
	if (r->dispatching)
		r->orphan = true;
	else
		free(r);
}

int uring_signal_init(struct uring_loop *loop, struct uring_signal *sig)
{
	void *data;

	if (!loop || !sig || loop->closed)
		return -EINVAL;
	data = sig->handle.data;
	memset(sig, 0, sizeof(*sig));
	sig->handle.data = data;
	uring__list_init(&sig->node);
	uring__handle_init(loop, &sig->handle, URING_HANDLE_SIGNAL);
	return 0;
}

int uring_signal_start(struct uring_signal *sig, uring_signal_cb cb, int signum)
{
	struct uring_loop *loop;
	sigset_t old;
	int ret;

	if (!sig || !cb || !valid_signum(signum))
		return -EINVAL;
	ret = uring__handle_check(&sig->handle, URING_HANDLE_SIGNAL);
	if (ret)
		return ret;
	loop = sig->handle.loop;
	if ((sig->handle.flags & URING_HANDLE__ACTIVE) &&
	    sig->signum == signum) {
		sig->cb = cb;
		return 0;
	}
	ret = uring__async_setup(loop); /* the handler's way to wake us */
	if (ret)
		return ret;
	lock_all(&old);
	/* add first: a moved watcher keeps the loop's record alive */
	ret = add_locked(loop, signum);
	if (!ret && (sig->handle.flags & URING_HANDLE__ACTIVE))
		remove_locked(loop, sig->signum);
	unlock_all(&old);
	if (ret)
		return ret;
	uring__list_del(&sig->node);
	uring__list_add_tail(&loop->sigloop->watchers, &sig->node);
	sig->cb = cb;
	sig->signum = signum;
	uring__handle_start(&sig->handle);
	return 0;
}

int uring_signal_stop(struct uring_signal *sig)
{
	sigset_t old;

	if (!sig || !sig->handle.loop ||
	    sig->handle.type != URING_HANDLE_SIGNAL)
		return -EINVAL;
	if (!(sig->handle.flags & URING_HANDLE__ACTIVE))
		return 0;
	uring__list_del(&sig->node);
	lock_all(&old);
	remove_locked(sig->handle.loop, sig->signum);
	unlock_all(&old);
	uring__handle_stop(&sig->handle);
	return 0;
}

void uring__signal_close(struct uring_signal *sig)
{
	uring_signal_stop(sig);
}

/*
 * On the loop thread, after an async wakeup: call every active watcher of
 * each signal that arrived.  Watchers move to a private list first, so a
 * callback may stop, move or close any watcher; the record itself may be
 * unlinked meanwhile and is then freed here.
 */
void uring__signal_dispatch(struct uring_loop *loop)
{
	struct uring__sigloop *r = loop->sigloop;
	bool fired[NSIG] = {false};
	unsigned long long mask;
	struct uring_list pass;
	struct uring_signal *s;
	int signum;

	if (!r || !(mask = atomic_exchange(&r->mask, 0)))
		return;
	for (signum = 1; signum < NSIG; signum++)
		if (mask & (1ULL << (signum - 1)))
			fired[signum] = atomic_exchange(&r->pending[signum], 0);
	if (uring__list_empty(&r->watchers))
		return;
	uring__list_move_all(&r->watchers, &pass);
	r->dispatching = true;
	while (!uring__list_empty(&pass)) {
		s = uring__container_of(pass.next, struct uring_signal, node);
		uring__list_del(&s->node);
		uring__list_add_tail(&r->watchers, &s->node);
		if (fired[s->signum])
			s->cb(s, s->signum);
	}
	r->dispatching = false;
	if (r->orphan)
		free(r);
}
