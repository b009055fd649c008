/* SPDX-License-Identifier: MIT */
/*
 * uring/loop.h - uringloop's event loop: callbacks on top of the ring layer.
 *
 * The model is libuv's.  A *handle* is a long-lived object (timer, idle,
 * prepare, check, async, ...) in memory the caller owns; the loop never
 * allocates one.  Handles are started and stopped, and closed with
 * uring_close(), whose callback is the moment the memory may be freed: by
 * then no completion can name the handle any more.
 *
 * One iteration of uring_loop_run(), in order:
 *   1. update the loop's clock;
 *   2. run due timers (equal deadlines in start order);
 *   3. run idle handles, then prepare handles;
 *   4. submit every queued SQE and wait for completions in one
 *      io_uring_enter(2) - not at all if idle handles are active or the mode
 *      is URING_RUN_NOWAIT, at most until the nearest timer otherwise;
 *   5. dispatch completions to their callbacks (flushing overflowed CQEs);
 *   6. run check handles;
 *   7. call the close callbacks of handles closed with nothing in flight.
 * URING_RUN_ONCE also runs timers that became due while waiting.
 *
 * Functions return 0 (or a count) on success and a negative errno on
 * failure; none of them sets errno.  All of them, except uring_async_send(),
 * must be called on the loop's thread.  Overview: uring_loop(3).
 */
#ifndef URING_LOOP_H
#define URING_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uring/ring.h>

#ifdef __cplusplus
extern "C" {
#endif
#pragma GCC visibility push(default)

struct uring_loop;
struct uring_handle;
struct uring__sigloop;
struct uring__workpool;
struct uring__bufpool;
struct uring__stream_ext;
struct uring__retry;

/* ---------------------------------------------------------------------
 * Internal building blocks, public only because handles embed them.
 * ------------------------------------------------------------------- */

/* Doubly linked, circular, intrusive list. */
struct uring_list {
	struct uring_list *next, *prev;
};

/* Node of the loop's timer heap (a pairing heap). */
struct uring_heap_node {
	struct uring_heap_node *child, *next, *prev;
};

/* A reader waiting for the loop's read-buffer pool to refill. */
struct uring_pool_waiter {
	struct uring_list node;
	void (*resume)(struct uring_pool_waiter *waiter);
};

/*
 * One kernel operation in flight.  The CQE's user_data is the op's
 * address; `complete` runs on each of its CQEs.
 */
struct uring_operation {
	void (*complete)(struct uring_loop *loop, struct uring_operation *op, int res,
			 unsigned flags);
	struct uring_handle *handle; /* the handle it belongs to, if any */
	unsigned inflight;           /* CQEs still to come */
	unsigned flags;              /* URING_OP__* (private) */
};

/* ---------------------------------------------------------------------
 * The loop
 * ------------------------------------------------------------------- */

enum uring_run_mode {
	URING_RUN_DEFAULT = 0, /* until nothing is alive or uring_loop_stop() */
	URING_RUN_ONCE,        /* one iteration, waiting for work if needed */
	URING_RUN_NOWAIT,      /* one iteration, never waiting */
};

/* How completions are delivered to the loop's thread (io_uring task work). */
enum uring_taskrun {
	/* SINGLE_ISSUER + DEFER_TASKRUN, else COOP_TASKRUN, else none:
	 * the best the kernel grants. */
	URING_TASKRUN_AUTO = 0,
	URING_TASKRUN_DEFER,   /* only DEFER_TASKRUN, or fail */
	URING_TASKRUN_COOP,    /* only COOP_TASKRUN, or fail */
	URING_TASKRUN_NONE,    /* the kernel's default (IPIs) */
};

typedef void (*uring_loop_error_cb)(struct uring_loop *loop, int error);

/* Zero it, set what you need; every field has a working default. */
struct uring_loop_options {
	unsigned sq_entries;     /* SQ size (default 256) */
	unsigned cq_entries;     /* CQ size (default 8 x SQ: multishot ops
				  * post many CQEs per SQE) */
	enum uring_taskrun taskrun;
	bool sqpoll;             /* kernel thread polls the SQ (burns a CPU
				  * while busy; SQPOLL conflicts with
				  * DEFER_TASKRUN, so AUTO falls back) */
	unsigned sqpoll_idle_ms; /* SQPOLL idle time before sleeping */
	bool sqpoll_pin;         /* pin the SQPOLL thread to sqpoll_cpu */
	unsigned sqpoll_cpu;
	bool no_register_fd;     /* enter through the plain ring fd */
	/* Called on the loop thread when the kernel reports it lost CQEs
	 * (-EBADR, out of memory).  Counted in stats.cqe_lost regardless. */
	uring_loop_error_cb error_cb;
	/* Threads of the loop's worker pool for blocking work
	 * (uring_work_queue(3)); 0 means the default.  Started on first use. */
	unsigned worker_threads;
	/* The provided-buffer pools of stream reads and UDP receives
	 * (uring/stream.h, uring/udp.h): buffer size in bytes and count (a
	 * power of two, at most 32768).  0: for streams 64 x 64 KiB read
	 * incrementally (6.12+; else 256 x 16 KiB), for UDP 256 x 16 KiB.
	 * Each pool is made on its first read. */
	unsigned read_buf_size;
	unsigned read_buf_count;
	/* Lock the ring (IORING_REGISTER_RESTRICTIONS) to the opcodes and
	 * register calls the loop's API uses: anything else, e.g. a request
	 * prepared by hand with another opcode, completes with -EACCES. */
	bool restricted;
	/* Batched waits (6.12+; before, the loop waits for every completion
	 * and uring_loop_wait_batch() says 1): the loop waits for
	 * wait_batch completions but goes on with fewer
	 * once wait_batch_usec have passed (never sooner than one).  Under
	 * load a wakeup then serves many connections: fewer system calls
	 * and less CPU per request (docs/PERFORMANCE.md), for up to
	 * wait_batch_usec of added latency per wakeup when load is light.
	 * 0 or 1: wake for every completion (the default). */
	unsigned wait_batch;
	unsigned wait_batch_usec;
	/* Busy-poll before sleeping (at most 1,000,000): when the loop would
	 * wait, it first watches the CQ for up to spin_usec microseconds
	 * (never past its next timer), running the kernel's deferred work
	 * when the kernel flags some, and sleeps only if nothing came.  An
	 * event that arrives meanwhile costs no sleep and no wakeup: lower
	 * latency, for CPU while nothing does.  The loop adapts the spin:
	 * halved (down to none) each time the event came later than
	 * spin_usec, grown back (from 10 us, doubling) when it came sooner.
	 * 0: sleep at once (the default). */
	unsigned spin_usec;
	/* Room for options to come (docs/ABI.md): must be zero, or
	 * uring_loop_init() fails with -EINVAL. */
	uint64_t reserved[8];
};

/* What the loop has done, for users and for counting syscalls per request. */
struct uring_loop_stats {
	uint64_t iterations;
	uint64_t enter_calls;     /* io_uring_enter(2) system calls */
	uint64_t sqes_submitted;
	uint64_t cqes_reaped;
	uint64_t overflow_flushes; /* times the CQ had overflowed and was flushed */
	uint64_t sqpoll_wakeups;  /* enters made only to wake the SQPOLL thread */
	uint64_t cqe_lost;        /* -EBADR reports from the kernel */
	uint64_t read_pauses;     /* stream reads paused: buffer pool empty */
	uint64_t spin_hits;       /* waits spin_usec made unnecessary */
	uint64_t spin_usec_total; /* time spent busy-polling */
	/* The stream read pool, shared by every stream of the loop (0 until
	 * one reads in pool mode): its buffers; those out of the kernel's
	 * ring (kept with uring_stream_buf_keep(), or in a read callback);
	 * bytes stopped streams hold, copied out of the pool for their next
	 * read start (uring_stream_read_stop(3)); all bytes copied so. */
	uint64_t read_bufs;
	uint64_t read_bufs_out;
	uint64_t read_stashed;
	uint64_t read_copied;
	uint64_t reserved[16];    /* figures to come; zero (docs/ABI.md) */
};

struct uring_loop {
	void *data; /* the user's */
	/* everything below is private */
	struct uring_ring ring;
	uint64_t now_ms;
	uint64_t timer_seq;
	struct uring_heap_node *timers;
	struct uring_list handles;  /* every initialised handle (walk) */
	struct uring_list idles, prepares, checks;
	struct uring_list closing;  /* closed, waiting for in-flight ops */
	struct uring_list asyncs;
	unsigned active_handles;    /* active and referenced */
	unsigned active_reqs;       /* requests in flight */
	unsigned internal_ops;      /* ops in flight that no handle owns */
	bool chain_open;            /* the last request asked to link */
	bool stop;
	bool enabled;               /* ring enabled on the loop thread */
	bool no_register_fd;
	bool closed;
	bool shutting_down;         /* uring_loop_close() is cancelling */
	bool running;               /* inside uring_loop_run() */
	int async_fd;               /* eventfd for uring_async_send(), or -1 */
	int async_wake;             /* an eventfd write is pending */
	int embed_fd;               /* uring_loop_fd()'s eventfd, or -1 */
	struct uring_operation async_op;   /* multishot poll on async_fd */
	struct uring__sigloop *sigloop; /* signal watchers (signal.c), or NULL */
	struct uring_msg_port **ports;  /* by slot, for message CQEs (msg.c) */
	uint32_t *port_gens;
	unsigned nports;
	struct uring_list msg_ports;
	struct uring__workpool *workpool; /* work.c, created on first use */
	unsigned worker_threads;    /* pool size asked for in the options */
	struct uring__bufpool *bufpool; /* stream reads (bufpool.c) */
	struct uring__bufpool *dgrampool; /* UDP receives */
	unsigned read_buf_size, read_buf_count;
	unsigned wait_batch, wait_batch_usec; /* options: batched waits */
	unsigned spin_usec;         /* option: busy-poll before a wait */
	uint32_t spin_window_ns;    /* the spin as adapted (spin.c) */
	uint64_t spin_start_ns;     /* when the last spin began */
	uint64_t spin_ns_total;
	struct uring_list pending_streams; /* writes to flush, reads to
					    * resume (stream.c) */
	struct uring__stream_ext *spare_exts; /* stream-ext.c's cache */
	unsigned nspare_exts;
	struct uring__retry *retries; /* work that found no SQE (retry.c) */
	unsigned nretries, retries_cap;
	unsigned long owner;        /* pthread_t of the loop thread */
	unsigned creator_uid, creator_gid; /* effective ids at init */
	uring_loop_error_cb error_cb;
	struct uring_loop_stats stats;
	/* Room for the loop's state to grow without changing its size, the
	 * ABI of every program that embeds a loop (docs/ABI.md). */
	void *reserved[32];
};

int uring_loop_init(struct uring_loop *loop,
		    const struct uring_loop_options *options);
/* -EBUSY while handles are open (like libuv): close them and run first;
 * -EBUSY too from a callback of the loop (while it runs). */
int uring_loop_close(struct uring_loop *loop);
/* Returns non-zero while the loop is alive (something could still call
 * back), 0 once nothing is, or -errno (-EBUSY from a callback of the same
 * loop: not reentrant). */
int uring_loop_run(struct uring_loop *loop, enum uring_run_mode mode);
void uring_loop_stop(struct uring_loop *loop);
bool uring_loop_alive(const struct uring_loop *loop);
/* The loop's clock in milliseconds, cached at the start of an iteration
 * and when the wait for completions returns (as libuv's uv_now). */
uint64_t uring_loop_now(const struct uring_loop *loop);
/* CLOCK_MONOTONIC now, in nanoseconds (libuv's uv_hrtime): not cached. */
uint64_t uring_hrtime(void);
void uring_loop_update_time(struct uring_loop *loop);
int uring_loop_stats(const struct uring_loop *loop,
		     struct uring_loop_stats *stats);
/* The completions each wait asks for: the wait_batch option when batched
 * waits are on, 1 when the loop wakes for every completion (not asked,
 * or the kernel has no minimum wait: before 6.12). */
int uring_loop_wait_batch(const struct uring_loop *loop);
/* Embedding: an fd that polls readable when the loop has work, and the
 * milliseconds until it must run anyway (-1: no deadline).  Drive the loop
 * with URING_RUN_NOWAIT when either says so. */
int uring_loop_fd(struct uring_loop *loop);
int uring_loop_timeout(const struct uring_loop *loop);
/* Give back a buffer of the loop's read pool that a read callback kept
 * (uring_stream_buf_keep(), uring_udp_buf_keep()); -EINVAL if `id` is not
 * a kept buffer. */
int uring_loop_buf_release(struct uring_loop *loop, int id);
/* The loop's ring, for operations the loop has no API for yet. */
struct uring_ring *uring_loop_ring(struct uring_loop *loop);
/*
 * A loop created before the process drops privileges (setuid(2) & co.)
 * may go on working with the old ones: with the sqpoll option, the kernel
 * thread that issues the loop's work keeps the creator's credentials
 * (measured on 6.18: a root-only file still opens).  0 if the caller's
 * effective user and group ids are those the loop was created with;
 * -EPERM if they changed since: close the loop, create a new one.
 */
int uring_loop_check_creds(const struct uring_loop *loop);
/* A message for an error, as strerror(3) gives it for errno values, and
 * the library's own meaning for URING_EOF, -EBADR and -ETIMEDOUT. */
const char *uring_strerror(int error);
/* For an error of uring_loop_init() or uring_ring_init*(): why io_uring
 * could not be set up here and what to do (-EPERM, -ENOSYS, -ENOMEM,
 * -EMFILE); uring_strerror()'s text for the rest. */
const char *uring_setup_strerror(int error);
/* The error's symbolic name, as libuv's uv_err_name() gives it for errno
 * values: "ECONNRESET" for -ECONNRESET, "EOF" for URING_EOF; "OK" for 0,
 * "UNKNOWN" for what is not an errno. */
const char *uring_err_name(int error);

/* ---------------------------------------------------------------------
 * Handles
 * ------------------------------------------------------------------- */

enum uring_handle_type {
	URING_HANDLE_UNKNOWN = 0,
	URING_HANDLE_TIMER,
	URING_HANDLE_IDLE,
	URING_HANDLE_PREPARE,
	URING_HANDLE_CHECK,
	URING_HANDLE_ASYNC,
	URING_HANDLE_SIGNAL,
	URING_HANDLE_POLL,
	URING_HANDLE_MSG_PORT,
	URING_HANDLE_TCP,
	URING_HANDLE_UNIX,
	URING_HANDLE_UDP,
	URING_HANDLE_TYPE_MAX
};

typedef void (*uring_close_cb)(struct uring_handle *handle);
typedef void (*uring_walk_cb)(struct uring_handle *handle, void *arg);

/* The common head of every handle. */
struct uring_handle {
	void *data; /* the user's */
	/* everything below is private */
	struct uring_loop *loop;
	unsigned short type;  /* enum uring_handle_type, in 16 bits */
	unsigned short flags; /* URING_HANDLE__* */
	unsigned inflight;    /* kernel operations naming this handle */
	uring_close_cb close_cb;
	/* on loop->handles, or on loop->closing once closed: one node, so
	 * every handle costs 48 bytes (an idle connection counts them) */
	struct uring_list node;
};

/* Close any handle: stops it, cancels what it has in flight, and calls
 * close_cb (may be NULL) on a later iteration, once no CQE can name it. */
void uring_close(struct uring_handle *handle, uring_close_cb close_cb);
bool uring_is_active(const struct uring_handle *handle);
bool uring_is_closing(const struct uring_handle *handle);
/* A referenced active handle keeps uring_loop_run() going; unref it to
 * let the loop end while it is still active.  Handles start referenced. */
void uring_ref(struct uring_handle *handle);
void uring_unref(struct uring_handle *handle);
bool uring_has_ref(const struct uring_handle *handle);
/* Call cb for every handle of the loop: closing ones first, then the
 * others in init order.  cb may close any handle; none is seen twice. */
void uring_walk(struct uring_loop *loop, uring_walk_cb cb, void *arg);
enum uring_handle_type uring_handle_get_type(const struct uring_handle *h);
const char *uring_handle_type_name(enum uring_handle_type type);

/* ---------------------------------------------------------------------
 * Timers
 * ------------------------------------------------------------------- */
struct uring_timer;
typedef void (*uring_timer_cb)(struct uring_timer *timer);

struct uring_timer {
	struct uring_handle handle;
	/* private */
	uring_timer_cb cb;
	uint64_t due;
	uint64_t repeat;
	uint64_t seq; /* start order, breaks ties between equal deadlines */
	struct uring_heap_node heap;
};

int uring_timer_init(struct uring_loop *loop, struct uring_timer *timer);
/* Call cb after timeout ms, then every repeat ms if repeat > 0.  Starting
 * an active timer restarts it. */
int uring_timer_start(struct uring_timer *timer, uring_timer_cb cb,
		      uint64_t timeout, uint64_t repeat);
int uring_timer_stop(struct uring_timer *timer);
/* Restart a repeating timer with its repeat interval; -EINVAL if none. */
int uring_timer_again(struct uring_timer *timer);
void uring_timer_set_repeat(struct uring_timer *timer, uint64_t repeat);
uint64_t uring_timer_get_repeat(const struct uring_timer *timer);
/* Milliseconds until the timer is due (0 if due or stopped). */
uint64_t uring_timer_get_due_in(const struct uring_timer *timer);

/* ---------------------------------------------------------------------
 * Idle, prepare and check hooks
 * ------------------------------------------------------------------- */
struct uring_hook;
typedef void (*uring_hook_cb)(struct uring_hook *hook);

/* Idle hooks run every iteration and keep the loop from blocking; prepare
 * hooks run just before it waits for I/O, check hooks just after. */
struct uring_hook {
	struct uring_handle handle;
	/* private */
	uring_hook_cb cb;
	struct uring_list node;
};

int uring_idle_init(struct uring_loop *loop, struct uring_hook *idle);
int uring_idle_start(struct uring_hook *idle, uring_hook_cb cb);
int uring_idle_stop(struct uring_hook *idle);
int uring_prepare_init(struct uring_loop *loop, struct uring_hook *prepare);
int uring_prepare_start(struct uring_hook *prepare, uring_hook_cb cb);
int uring_prepare_stop(struct uring_hook *prepare);
int uring_check_init(struct uring_loop *loop, struct uring_hook *check);
int uring_check_start(struct uring_hook *check, uring_hook_cb cb);
int uring_check_stop(struct uring_hook *check);

/* ---------------------------------------------------------------------
 * Async: wake the loop from any thread or signal handler
 * ------------------------------------------------------------------- */
struct uring_async;
typedef void (*uring_async_cb)(struct uring_async *async);

struct uring_async {
	struct uring_handle handle;
	/* private */
	uring_async_cb cb;
	int pending; /* bit 0: a send to deliver; above: senders inside
		      * uring_async_send() (see runtime/xthread/async.c) */
	struct uring_list node;
	void *reserved[2]; /* room to grow without an ABI break (docs/ABI.md) */
};

/* The handle is active (and keeps the loop alive) from init until closed. */
int uring_async_init(struct uring_loop *loop, struct uring_async *async,
		     uring_async_cb cb);
/* Any thread, or a signal handler: cb runs on the loop thread soon after.
 * Sends before the callback runs are coalesced into one call. */
int uring_async_send(struct uring_async *async);

/* ---------------------------------------------------------------------
 * Requests: one kernel operation, a callback, an optional deadline, chains
 * ------------------------------------------------------------------- */
struct uring_req;
/* result: what the operation returned (>= 0), or a negative errno;
 * -ETIMEDOUT when its deadline passed first, -ECANCELED when cancelled or
 * when an earlier request of its chain failed. */
typedef void (*uring_req_cb)(struct uring_req *req, int result);

struct uring_req {
	void *data; /* the user's */
	/* private */
	struct uring_loop *loop;
	uring_req_cb cb;
	struct uring_operation op;
	struct uring_operation timeout_op;
	struct uring_timespec deadline;
	struct uring_sqe *sqe;
	int result;
	int timeout_result;
	unsigned flags;
	void *reserved[2]; /* room to grow without an ABI break (docs/ABI.md) */
};

/* uring_req_submit() flags */
#define URING_REQ_LINK (1U << 0)     /* next request runs only if this succeeds */
#define URING_REQ_HARDLINK (1U << 1) /* next request runs after this, whatever */

/*
 * A request is any operation of the ring layer, run by the loop:
 *
 *   struct uring_sqe *sqe = uring_req_sqe(loop, &req);
 *   uring_prep_read(sqe, fd, buf, len, 0);          // any prep helper
 *   uring_req_submit(&req, read_done, 500, 0);      // 500 ms deadline
 *
 * uring_req_sqe() reserves room for the operation and its deadline; nothing
 * else may take an SQE until uring_req_submit().  The callback runs once,
 * after the last CQE that can name the request: the memory may be reused or
 * freed from it.  Chain requests by submitting them one after the other
 * with URING_REQ_LINK (write, then fsync, then close): a chain must fit in
 * the SQ, and a failed link cancels the rest (-ECANCELED).  Build a chain
 * with consecutive calls: an SQE any other loop call takes meanwhile (a
 * poll start, a message) would join it.  A request completes with its
 * operation's last CQE: use single-shot operations (and zero-copy sends,
 * whose result is kept over the notification); multishot operations
 * belong to handles.  If uring_req_submit() refuses a request, its SQE is
 * turned into a NOP: the prepared operation never runs.
 */
struct uring_sqe *uring_req_sqe(struct uring_loop *loop, struct uring_req *req);
/* Before a chain of `nreq` requests: make room for all of them (and their
 * deadlines) now, handing what is queued to the kernel first, so that no
 * uring_req_sqe() of the chain finds the SQ full.  -E2BIG if the chain can
 * never fit in the SQ, -EBUSY inside an open chain. */
int uring_req_reserve(struct uring_loop *loop, unsigned nreq);
int uring_req_submit(struct uring_req *req, uring_req_cb cb,
		     uint64_t deadline_ms, unsigned flags);
/* Ask the kernel to stop the request: its callback gets -ECANCELED, or its
 * real result if it finished first.  -EALREADY if it is not in flight,
 * -EBUSY while a chain is open or no SQE is free (retry later). */
int uring_req_cancel(struct uring_req *req);

/* ---------------------------------------------------------------------
 * Signals as callbacks on the loop
 * ------------------------------------------------------------------- */
struct uring_signal;
typedef void (*uring_signal_cb)(struct uring_signal *sig, int signum);

/* Any number of watchers, on any number of loops, may watch one signal;
 * each gets a callback on its own loop's thread per delivery (deliveries
 * that arrive before the callback runs may be coalesced). */
struct uring_signal {
	struct uring_handle handle;
	/* private */
	uring_signal_cb cb;
	int signum;
	struct uring_list node;
	void *reserved[2]; /* room to grow without an ABI break (docs/ABI.md) */
};

int uring_signal_init(struct uring_loop *loop, struct uring_signal *sig);
int uring_signal_start(struct uring_signal *sig, uring_signal_cb cb,
		       int signum);
int uring_signal_stop(struct uring_signal *sig);

/* ---------------------------------------------------------------------
 * Readiness watchers on foreign fds (the path off epoll, one fd at a time)
 * ------------------------------------------------------------------- */
struct uring_poll;
/* status: 0, or a negative errno (the watcher is then stopped);
 * events: the POLLIN/POLLOUT/... that are ready. */
typedef void (*uring_poll_cb)(struct uring_poll *poll, int status,
			      unsigned events);

struct uring_poll {
	struct uring_handle handle;
	/* private */
	uring_poll_cb cb;
	int fd;
	unsigned events;
	unsigned state;
	struct uring_operation op;     /* the multishot POLL_ADD */
	struct uring_operation update; /* event changes (POLL_REMOVE) */
	void *reserved[2]; /* room to grow without an ABI break (docs/ABI.md) */
};

int uring_poll_init(struct uring_loop *loop, struct uring_poll *poll, int fd);
/* Watch for `events` (POLLIN, POLLOUT, POLLRDHUP, POLLPRI); calling it on
 * an active watcher changes the events. */
int uring_poll_start(struct uring_poll *poll, unsigned events,
		     uring_poll_cb cb);
int uring_poll_stop(struct uring_poll *poll);

/* ---------------------------------------------------------------------
 * Loop-to-loop messages
 * ------------------------------------------------------------------- */
struct uring_msg_port;
typedef void (*uring_msg_cb)(struct uring_msg_port *port, uint32_t value);

#define URING_MSG_QUEUE_LEN 256

/* A mailbox on a loop.  Active (keeps the loop alive) until closed. */
struct uring_msg_port {
	struct uring_handle handle;
	/* private */
	uring_msg_cb cb;
	uint64_t token; /* what a message CQE carries to find the port */
	int lock;       /* the fallback queue's spinlock */
	int pending;    /* msg.c: queued since looked; a loop sender queued */
	unsigned head, tail;
	uint32_t queue[URING_MSG_QUEUE_LEN];
	struct uring_list node;
	void *reserved[2]; /* room to grow without an ABI break (docs/ABI.md) */
};

int uring_msg_port_init(struct uring_loop *loop, struct uring_msg_port *port,
			uring_msg_cb cb);
/*
 * Send `value` to `port`, which may belong to any loop.  From a loop's
 * thread, pass that loop as `from`: one IORING_OP_MSG_RING posts the message
 * straight into the port loop's CQ (no eventfd, no extra wakeup syscall).
 * From any other thread pass NULL: the message goes through a bounded queue
 * and an eventfd wakeup (-EAGAIN when the queue is full).  Messages from
 * one sender arrive in the order sent; a message for a port closed before
 * it arrives is dropped.  Closing a port waits for threads still inside
 * this call for it: its close callback may free it.
 */
int uring_msg_send(struct uring_loop *from, struct uring_msg_port *port,
		   uint32_t value);

/* ---------------------------------------------------------------------
 * Sizes, for bindings that allocate these structures without the headers
 * ------------------------------------------------------------------- */

/* The request structures of every header, for uring_req_size(). */
enum uring_req_type {
	URING_REQ_UNKNOWN = 0,
	URING_REQ_GENERIC,     /* struct uring_req */
	URING_REQ_CONNECT,     /* struct uring_connect (uring/stream.h) */
	URING_REQ_WRITE,       /* struct uring_write */
	URING_REQ_SHUTDOWN,    /* struct uring_shutdown */
	URING_REQ_UDP_SEND,    /* struct uring_udp_send (uring/udp.h) */
	URING_REQ_FS,          /* struct uring_fs (uring/fs.h) */
	URING_REQ_WORK,        /* struct uring_work (uring/work.h) */
	URING_REQ_GETADDRINFO, /* struct uring_getaddrinfo */
	URING_REQ_GETNAMEINFO, /* struct uring_getnameinfo */
	URING_REQ_CHILD,       /* struct uring_child */
	URING_REQ_TYPE_MAX
};

/* sizeof(struct uring_loop), as this library was built: what to allocate
 * for a loop (aligned for a pointer and a uint64_t). */
size_t uring_loop_size(void);
/* The size of the handle structure of `type` (struct uring_stream for
 * TCP and UNIX, struct uring_hook for IDLE, PREPARE and CHECK), 0 for
 * URING_HANDLE_UNKNOWN and any value not a type. */
size_t uring_handle_size(enum uring_handle_type type);
/* The size of the request structure of `type`; 0 for an unknown type. */
size_t uring_req_size(enum uring_req_type type);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif

#endif /* URING_LOOP_H */
