/* SPDX-License-Identifier: MIT */
/*
 * uring/ring.h - uringloop's core ring layer: io_uring from raw syscalls.
 *
 * Usable on its own (like liburing) and the only way the event loop reaches
 * the kernel.  Conventions, everywhere in this header:
 *  - functions return 0 or a count on success and a negative errno on
 *    failure; none of them reads or sets errno;
 *  - the fast paths (get an SQE, prep it, peek a CQE, mark it seen) are
 *    static inline and make no syscall;
 *  - kernel ABI names are uringloop's own (see uring/abi.h for the mapping
 *    from the kernel's IORING_* names).
 *
 * Overview: uring_ring(3).  Every function has its own man page.
 */
#ifndef URING_RING_H
#define URING_RING_H

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include <uring/abi.h>
#include <uring/barrier.h>

#ifdef __cplusplus
extern "C" {
#endif
/* The library is built with -fvisibility=hidden; what is declared in the
 * public headers is what it exports. */
#pragma GCC visibility push(default)

/* The signal mask of a wait: a sigset_t, which strict ISO C (-std=c11 and
 * no feature-test macro) does not declare; there it is untyped (NULL, or
 * what points to a mask). */
#if URING__POSIX
#define URING__SIGSET sigset_t
#else
#define URING__SIGSET void
#endif

/* Submission queue, as mapped from the kernel plus our local cursor. */
struct uring_sq {
	unsigned *khead;   /* kernel: next SQE it will consume */
	unsigned *ktail;   /* ours: published tail */
	unsigned *kflags;  /* URING_SQ_* */
	unsigned *kdropped;
	unsigned *array;   /* NULL with URING_SETUP_NO_SQARRAY */
	struct uring_sqe *sqes;
	unsigned sqe_head; /* first SQE handed out but not yet published */
	unsigned sqe_tail; /* next SQE to hand out */
	unsigned ring_mask;
	unsigned ring_entries;
	void *ring_ptr;    /* mapping that holds head/tail/flags/array */
	size_t ring_sz;
	size_t sqes_sz;
};

/* Completion queue, as mapped from the kernel. */
struct uring_cq {
	unsigned *khead;   /* ours: entries we have consumed */
	unsigned *ktail;   /* kernel: entries it has posted */
	unsigned *kflags;  /* URING_CQ_* */
	unsigned *koverflow;
	struct uring_cqe *cqes;
	unsigned ring_mask;
	unsigned ring_entries;
	void *ring_ptr;    /* == sq.ring_ptr with URING_FEAT_SINGLE_MMAP */
	size_t ring_sz;
};

/*
 * One io_uring instance.  Caller-owned memory; the fields are public so the
 * inline fast paths can work on them, but only the accessor functions are a
 * stable API.
 */
struct uring_ring {
	struct uring_sq sq;
	struct uring_cq cq;
	unsigned setup_flags;  /* URING_SETUP_* the kernel granted */
	unsigned features;     /* URING_FEAT_* */
	int ring_fd;           /* -1 with URING_SETUP_REGISTERED_FD_ONLY */
	int enter_fd;          /* ring_fd, or its registered index */
	unsigned enter_flags;  /* URING_ENTER_REGISTERED_RING when indexed */
	unsigned lib_flags;    /* URING_RING__* (private) */
	unsigned sqe_shift;    /* 1 with SQE128 */
	unsigned cqe_shift;    /* 1 with CQE32 */
	void *mem;             /* URING_SETUP_NO_MMAP region we own */
	size_t mem_sz;
	uintptr_t reg_thread;  /* thread that registered the ring fd */
	/* Statistics, maintained by the library; read them directly. */
	uint64_t nr_enter;     /* io_uring_enter(2) calls made */
	uint64_t nr_wakeup;    /* of those, made to wake the SQPOLL thread */
	void *reserved[4];     /* room to grow (docs/ABI.md) */
};

/* ring->lib_flags, private to lib/ */
#define URING_RING__REG_FD (1U << 0)       /* enter_fd is a registered index */
#define URING_RING__REG_REG_RING (1U << 1) /* register calls may use the index */
#define URING_RING__OWN_MEM (1U << 2)      /* we allocated ring->mem */
#define URING_RING__USER_MEM (1U << 3)     /* NO_MMAP memory came from caller */

/* ---------------------------------------------------------------------
 * Setup and teardown
 * ------------------------------------------------------------------- */

/* uring_ring_options.ring_flags */
#define URING_RING_NO_REGISTER_FD (1U << 0) /* keep entering through the plain fd */

/* Largest queues io_uring_setup(2) accepts (without URING_SETUP_CLAMP). */
#define URING_MAX_SQ_ENTRIES 32768U
#define URING_MAX_CQ_ENTRIES 65536U

/*
 * Everything io_uring_setup(2) can be asked, in one struct.  Zero it, set
 * what you need.  `flags` must all be granted or setup fails; each flag in
 * `optional_flags` is asked for too, and dropped, one at a time in this order,
 * while the kernel answers -EINVAL:
 *   NO_SQARRAY, CQE_MIXED, HYBRID_IOPOLL, DEFER_TASKRUN, TASKRUN_FLAG,
 *   COOP_TASKRUN, SINGLE_ISSUER, SUBMIT_ALL, then any other in bit order.
 * uring_ring_setup_flags() tells what was granted.
 */
struct uring_ring_options {
	unsigned sq_entries;       /* 1..URING_MAX_SQ_ENTRIES, rounded up to 2^n */
	unsigned cq_entries;       /* 0: the kernel's default (2 * SQ) */
	unsigned flags;            /* URING_SETUP_* required */
	unsigned optional_flags;   /* URING_SETUP_* wanted when available */
	unsigned sq_thread_idle_ms; /* SQPOLL: idle time before sleeping (0 = 1 s) */
	unsigned sq_thread_cpu;    /* SQPOLL: CPU, used with URING_SETUP_SQ_AFF */
	int wq_fd;                 /* URING_SETUP_ATTACH_WQ: ring to share io-wq with */
	unsigned ring_flags;       /* URING_RING_* */
	void *mem;                 /* NO_MMAP: caller memory, or NULL to allocate */
	size_t mem_size;
	/* Room for options to come (docs/ABI.md): must be zero, or setup
	 * fails with -EINVAL. */
	uint64_t reserved[4];
};

int uring_ring_init(struct uring_ring *ring, unsigned entries, unsigned flags);
int uring_ring_init_options(struct uring_ring *ring,
			    const struct uring_ring_options *opts);
void uring_ring_exit(struct uring_ring *ring);

/* Bytes of caller memory URING_SETUP_NO_MMAP needs for these options. */
ssize_t uring_ring_mem_size(const struct uring_ring_options *opts);

int uring_ring_fd(const struct uring_ring *ring);
unsigned uring_ring_setup_flags(const struct uring_ring *ring);
unsigned uring_ring_features(const struct uring_ring *ring);
unsigned uring_ring_sq_entries(const struct uring_ring *ring);
unsigned uring_ring_cq_entries(const struct uring_ring *ring);
/* R_DISABLED rings start once enabled (after registering restrictions). */
int uring_ring_enable(struct uring_ring *ring);

/*
 * Registered ring fd (5.18): enter through an index instead of the fd, which
 * saves an fd lookup per syscall.  uring_ring_init() does this by default
 * (not for URING_SETUP_R_DISABLED rings).  The index is valid only in the
 * thread that registered it: from any other thread the library enters
 * through the plain fd instead, so a ring stays usable everywhere, and
 * uring_ring_exit() can drop the registration only on that thread (else it
 * lasts until that thread exits).
 */
int uring_register_ring_fd(struct uring_ring *ring);
int uring_unregister_ring_fd(struct uring_ring *ring);

/* ---------------------------------------------------------------------
 * Submission
 * ------------------------------------------------------------------- */

/* Number of SQEs handed out and not yet submitted. */
static inline unsigned uring_ring_sq_ready(const struct uring_ring *ring)
{
	return ring->sq.sqe_tail - ring->sq.sqe_head;
}

/* Free SQ slots.  Under SQPOLL the kernel's head moves on its own. */
static inline unsigned uring_ring_sq_space_left(const struct uring_ring *ring)
{
	unsigned head = (ring->setup_flags & URING_SETUP_SQPOLL)
				? uring__load_acquire(ring->sq.khead)
				: *ring->sq.khead;
	return ring->sq.ring_entries - (ring->sq.sqe_tail - head);
}

/*
 * Next free SQE, zeroed, or NULL when the SQ is full (submit, then retry).
 * The prep helpers fill every field they use; zeroing here is what lets a
 * prep helper be a few stores.
 */
static inline struct uring_sqe *uring_ring_get_sqe(struct uring_ring *ring)
{
	struct uring_sq *sq = &ring->sq;
	unsigned tail = sq->sqe_tail;
	unsigned head = (ring->setup_flags & URING_SETUP_SQPOLL)
				? uring__load_acquire(sq->khead)
				: *sq->khead;
	struct uring_sqe *sqe;

	if (tail - head >= sq->ring_entries)
		return NULL;
	sqe = &sq->sqes[(tail & sq->ring_mask) << ring->sqe_shift];
	sq->sqe_tail = tail + 1;
	/* Constant sizes, so the compiler inlines the clearing as a few
	 * vector stores instead of calling memset() (measured: 11 fewer
	 * instructions per SQE). */
	if (ring->sqe_shift)
		memset(sqe, 0, 2 * sizeof(*sqe));
	else
		memset(sqe, 0, sizeof(*sqe));
	return sqe;
}

/* With SQE128, the 80 bytes of command data after the common fields. */
static inline void *uring_sqe_cmd(struct uring_sqe *sqe)
{
	return (char *)sqe + 48;
}

int uring_ring_submit(struct uring_ring *ring);
int uring_ring_submit_and_wait(struct uring_ring *ring, unsigned wait_nr);
int uring_ring_submit_and_wait_timeout(struct uring_ring *ring,
				       struct uring_cqe **cqe_ptr,
				       unsigned wait_nr,
				       const struct uring_timespec *ts,
				       const URING__SIGSET *sigmask);
/* The same, but once min_wait_usec have passed, one ready CQE is enough
 * to return (6.12, URING_FEAT_MIN_TIMEOUT; -EOPNOTSUPP before): batch up
 * to wait_nr completions without waiting longer than that for them. */
int uring_ring_submit_and_wait_min_timeout(struct uring_ring *ring,
					   struct uring_cqe **cqe_ptr,
					   unsigned wait_nr,
					   const struct uring_timespec *ts,
					   unsigned min_wait_usec,
					   const URING__SIGSET *sigmask);

/* ---------------------------------------------------------------------
 * Completion
 * ------------------------------------------------------------------- */

/* CQ slots a CQE takes: 2 for a 32-byte CQE on a CQE_MIXED ring. */
static inline unsigned uring_cqe_nr(const struct uring_ring *ring,
				    const struct uring_cqe *cqe)
{
	if ((ring->setup_flags & URING_SETUP_CQE_MIXED) &&
	    (cqe->flags & URING_CQE_F_32))
		return 2;
	return 1;
}

static inline unsigned uring_ring_cq_ready(const struct uring_ring *ring)
{
	return uring__load_acquire(ring->cq.ktail) - *ring->cq.khead;
}

static inline void uring_ring_cq_advance(struct uring_ring *ring, unsigned nr)
{
	if (nr)
		uring__store_release(ring->cq.khead, *ring->cq.khead + nr);
}

static inline void uring_cqe_seen(struct uring_ring *ring, struct uring_cqe *cqe)
{
	if (cqe)
		uring_ring_cq_advance(ring, uring_cqe_nr(ring, cqe));
}

/* CQE at position `pos` (a free-running head value). */
static inline struct uring_cqe *uring__cqe_at(const struct uring_ring *ring,
					      unsigned pos)
{
	return &ring->cq.cqes[(pos & ring->cq.ring_mask) << ring->cqe_shift];
}

/*
 * The next CQE without waiting: 0 and *cqe_ptr set, or -EAGAIN when the CQ is
 * empty.  Padding CQEs of mixed rings are consumed on the way.  Makes no
 * syscall, so with DEFER_TASKRUN, or while URING_SQ_CQ_OVERFLOW/TASKRUN is set,
 * call uring_ring_get_events() or a wait function to bring completions in.
 */
static inline int uring_ring_peek_cqe(struct uring_ring *ring,
				      struct uring_cqe **cqe_ptr)
{
	for (;;) {
		unsigned head = *ring->cq.khead;
		struct uring_cqe *cqe;

		if (uring__load_acquire(ring->cq.ktail) == head) {
			*cqe_ptr = NULL;
			return -EAGAIN;
		}
		cqe = uring__cqe_at(ring, head);
		if (!(cqe->flags & URING_CQE_F_SKIP) ||
		    !(ring->setup_flags & URING_SETUP_CQE_MIXED)) {
			*cqe_ptr = cqe;
			return 0;
		}
		uring_ring_cq_advance(ring, 1);
	}
}

/* Iterate over ready CQEs without consuming them; then uring_ring_cq_advance. */
#define uring_for_each_cqe(ring, head, cqe)                                     \
	for ((head) = *(ring)->cq.khead;                                       \
	     (head) != uring__load_acquire((ring)->cq.ktail) &&                 \
	     ((cqe) = uring__cqe_at((ring), (head)), 1);                       \
	     (head) += uring_cqe_nr((ring), (cqe)))

unsigned uring_ring_peek_batch_cqe(struct uring_ring *ring,
				   struct uring_cqe **cqes, unsigned count);
int uring_ring_wait_cqes(struct uring_ring *ring, struct uring_cqe **cqe_ptr,
			 unsigned wait_nr, const struct uring_timespec *ts,
			 const URING__SIGSET *sigmask);
int uring_ring_wait_cqe_timeout(struct uring_ring *ring,
				struct uring_cqe **cqe_ptr,
				const struct uring_timespec *ts);

/* Wait for one CQE: returns at once if one is ready. */
static inline int uring_ring_wait_cqe(struct uring_ring *ring,
				      struct uring_cqe **cqe_ptr)
{
	if (uring_ring_peek_cqe(ring, cqe_ptr) == 0)
		return 0;
	return uring_ring_wait_cqes(ring, cqe_ptr, 1, NULL, NULL);
}

/* Enter the kernel to flush overflowed CQEs and run pending task work. */
int uring_ring_get_events(struct uring_ring *ring);

/* True while the kernel holds CQEs that did not fit in the CQ. */
static inline bool uring_ring_cq_has_overflow(const struct uring_ring *ring)
{
	return uring__load_relaxed(ring->sq.kflags) & URING_SQ_CQ_OVERFLOW;
}

/* True when an enter with GETEVENTS is needed to see all completions. */
static inline bool uring_ring_cq_needs_flush(const struct uring_ring *ring)
{
	return uring__load_relaxed(ring->sq.kflags) &
	       (URING_SQ_CQ_OVERFLOW | URING_SQ_TASKRUN);
}

/* CQEs the kernel had to drop (only without URING_FEAT_NODROP). */
static inline unsigned uring_ring_cq_dropped(const struct uring_ring *ring)
{
	return uring__load_relaxed(ring->cq.koverflow);
}

static inline void uring_cqe_set_data(struct uring_sqe *sqe, void *data)
{
	sqe->user_data = (uint64_t)(uintptr_t)data;
}
static inline void uring_cqe_set_data64(struct uring_sqe *sqe, uint64_t data)
{
	sqe->user_data = data;
}
static inline void *uring_cqe_get_data(const struct uring_cqe *cqe)
{
	return (void *)(uintptr_t)cqe->user_data;
}
static inline uint64_t uring_cqe_get_data64(const struct uring_cqe *cqe)
{
	return cqe->user_data;
}
/* Provided-buffer id of a CQE, or -ENOBUFS when it carries none. */
static inline int uring_cqe_buffer_id(const struct uring_cqe *cqe)
{
	if (!(cqe->flags & URING_CQE_F_BUFFER))
		return -ENOBUFS;
	return (int)(cqe->flags >> URING_CQE_BUFFER_SHIFT);
}
static inline bool uring_cqe_more(const struct uring_cqe *cqe)
{
	return cqe->flags & URING_CQE_F_MORE;
}

/* ---------------------------------------------------------------------
 * Probe and features
 * ------------------------------------------------------------------- */

/* Opcode support of the running kernel, from URING_REGISTER_PROBE. */
int uring_probe_get(struct uring_ring *ring, struct uring_probe **probe_ptr);
void uring_probe_free(struct uring_probe *probe);
bool uring_probe_supports(const struct uring_probe *probe, unsigned op);
/* Without a ring: 1 if the running kernel supports `op`, 0 if not, or -errno. */
int uring_probe_opcode(unsigned op);
/* Number of opcodes the running kernel knows (63 on 6.18: 0..62), or -errno. */
int uring_probe_op_count(void);
/* Running kernel version, from uname(2). */
int uring_kernel_version(unsigned *major, unsigned *minor);

/* ---------------------------------------------------------------------
 * Fault injection, for tests of code built on uringloop
 * ------------------------------------------------------------------- */

/* Where a fault may be injected. */
#define URING_FAULT_ENTER (1U << 0)    /* every io_uring_enter call */
#define URING_FAULT_REGISTER (1U << 1) /* io_uring_register calls on a ring */
/* the event loop's allocation of a stream's side record (its write queue,
 * stashed reads, a place among readers waiting for pool buffers): fails
 * with -ENOMEM whatever `error` says */
#define URING_FAULT_ALLOC (1U << 2)
/* `error` value that makes an enter submit fewer SQEs than asked (half,
 * at least one) instead of failing: a short submit. */
#define URING_FAULT_SHORT_SUBMIT 1

/*
 * Process-wide: after `after` more calls at `sites`, the next `count` calls
 * return `error` (a negative errno such as -EINTR, -EAGAIN, -EBUSY, -ENOMEM
 * or -EBADR) without reaching the kernel, or submit short with
 * URING_FAULT_SHORT_SUBMIT.  count 0 disarms.  Returns the number of
 * faults injected since the previous call.
 */
int uring_fault_inject(unsigned sites, int error, unsigned after,
		       unsigned count);

/* Library version */
#define URING_VERSION_MAJOR 0
#define URING_VERSION_MINOR 1
int uring_version_major(void);
int uring_version_minor(void);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif

#include <uring/prep.h>
#include <uring/register.h>
#include <uring/buf_ring.h>

#endif /* URING_RING_H */
